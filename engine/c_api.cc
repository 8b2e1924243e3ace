// The C API (include/seglog.h) over Store + Streams.
//
// Every entry point runs its body inside Guard(), which catches every C++ exception, and turns
// its Status into a return code in one place (ReturnCode) and into the calling thread's
// seglog_last_error() message. Input is checked here (NULLs, names, enum values, struct sizes,
// hash-key text) before anything reaches the engine, which checks the rest (limits, ranges)
// before it writes anything: so bad input changes nothing.
//
// Lifetimes: a handle owns its Store and Streams. An iterator owns its StreamIterator and the
// RecordViews of its last batch (what seglog_iter_next handed out), and shares with its handle
// a registry of open iterators, so that seglog_close can end the iterators still open (the
// engine requires every StreamIterator gone before Streams is destroyed) and
// seglog_stream_delete can refuse while the stream is being read.

// The C header names the store handle `seglog`, which in C++ would collide with namespace
// seglog. Only type names change under this macro; the functions keep their C names.
#define seglog seglog_handle
#include "seglog.h"
#undef seglog

#include <cstring>
#include <exception>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/hash_key.h"
#include "engine/options.h"
#include "engine/store.h"
#include "engine/stream.h"
#include "format/status.h"

#if defined(SEGLOG_CMAKE_VERSION_MAJOR)
static_assert(SEGLOG_VERSION_MAJOR == SEGLOG_CMAKE_VERSION_MAJOR &&
                  SEGLOG_VERSION_MINOR == SEGLOG_CMAKE_VERSION_MINOR &&
                  SEGLOG_VERSION_PATCH == SEGLOG_CMAKE_VERSION_PATCH,
              "seglog.h's SEGLOG_VERSION_* must match project(seglog VERSION ...) in CMakeLists.txt");
#endif

using seglog::Status;
using seglog::StatusCode;

namespace {

struct IterRegistry {
  std::mutex mu;
  std::set<seglog_iter*> open;  // guarded by mu
};

}  // namespace

struct seglog_handle {
  std::unique_ptr<seglog::Store> store;
  std::unique_ptr<seglog::Streams> streams;
  seglog::LogOptions stream_defaults;  // from seglog_options: durability, sync, segment size
  std::shared_ptr<IterRegistry> iters = std::make_shared<IterRegistry>();
};

struct seglog_iter {
  std::shared_ptr<IterRegistry> registry;
  std::string stream;
  size_t max_bytes = 0;
  std::mutex mu;  // seglog_iter_next against seglog_close
  std::unique_ptr<seglog::StreamIterator> it;  // null once seglog_close ended it
  std::vector<seglog::RecordView> batch;       // what the last seglog_iter_next returned
};

namespace {

// ---- errors ----

thread_local std::string t_error;
thread_local const char* t_error_fallback = nullptr;  // when t_error could not be built

int ReturnCode(StatusCode c) {
  switch (c) {
    case StatusCode::kOk: return SEGLOG_OK;
    case StatusCode::kNoMore: return SEGLOG_NO_MORE;
    case StatusCode::kInvalidArgument: return SEGLOG_EINVAL;
    case StatusCode::kNotFound: return SEGLOG_ENOTFOUND;
    case StatusCode::kAlreadyExists: return SEGLOG_EEXIST;
    case StatusCode::kTooLarge: return SEGLOG_ETOOLARGE;
    case StatusCode::kIOError: return SEGLOG_EIO;
    case StatusCode::kCorruption: return SEGLOG_ECORRUPT;
    case StatusCode::kLocked: return SEGLOG_ELOCKED;
    case StatusCode::kNoSpace: return SEGLOG_ENOSPC;
    case StatusCode::kClosed: return SEGLOG_ECLOSED;
    case StatusCode::kNotSupported: return SEGLOG_ENOTSUP;
  }
  return SEGLOG_EINTERNAL;  // a code from memory corruption
}

void ClearError() noexcept {
  t_error.clear();
  t_error_fallback = nullptr;
}

int Fail(int code, const char* fn, std::string_view msg) noexcept {
  try {
    t_error.assign(fn);
    t_error.append(": ");
    t_error.append(msg);
    t_error_fallback = nullptr;
  } catch (...) {
    t_error_fallback = "out of memory while recording an error";
  }
  return code;
}

int Finish(const char* fn, const Status& s) noexcept {
  const int code = ReturnCode(s.code());
  if (code >= 0) {
    ClearError();
    return code;
  }
  return Fail(code, fn, s.message());
}

// Runs body() (returning Status) with every exception caught.
template <class Body>
int Guard(const char* fn, Body&& body) noexcept {
  try {
    return Finish(fn, body());
  } catch (const std::bad_alloc&) {
    return Fail(SEGLOG_EINTERNAL, fn, "out of memory");
  } catch (const std::exception& e) {
    return Fail(SEGLOG_EINTERNAL, fn, std::string("internal error: ") + e.what());
  } catch (...) {
    return Fail(SEGLOG_EINTERNAL, fn, "internal error: unknown C++ exception");
  }
}

// ---- argument checks ----

Status NotNull(const void* p, const char* what) {
  if (p == nullptr) return Status::InvalidArgument(std::string(what) + " is NULL");
  return Status::OK();
}

Status CheckName(const char* name, const char* what) {
  SEGLOG_RETURN_IF_ERROR(NotNull(name, what));
  return seglog::ValidateName(what, name);
}

Status CheckBool(int v, const char* field) {
  if (v != 0 && v != 1) {
    return Status::InvalidArgument(std::string(field) + " must be 0 or 1, got " +
                                   std::to_string(v));
  }
  return Status::OK();
}

// Checks a versioned struct's struct_size (convention 6). `v1_size` is the size of the struct's
// first published version; fields past the caller's struct_size keep their defaults.
template <class T>
Status CheckStructSize(const T* p, size_t v1_size, const char* type) {
  if (p->struct_size < v1_size) {
    return Status::InvalidArgument(std::string(type) + ".struct_size is " +
                                   std::to_string(p->struct_size) + ", below any version's (" +
                                   std::to_string(v1_size) + "): call " + type + "_init first");
  }
  if (p->struct_size > sizeof(T)) {
    return Status::NotSupported(std::string(type) + ".struct_size is " +
                                std::to_string(p->struct_size) + ", larger than this library's " +
                                std::to_string(sizeof(T)) +
                                " (built against a newer seglog.h than the library)");
  }
  return Status::OK();
}

// *out holds the defaults; copies in the caller's fields (those its struct_size covers).
template <class T>
Status ReadVersioned(const T* in, size_t v1_size, const char* type, T* out) {
  SEGLOG_RETURN_IF_ERROR(CheckStructSize(in, v1_size, type));
  std::memcpy(static_cast<void*>(out), in, in->struct_size);
  out->struct_size = sizeof(T);
  return Status::OK();
}

// The size of each struct as first published (seglog 0.1.0); never changes.
constexpr size_t kOptionsV1 = sizeof(seglog_options);
constexpr size_t kStreamConfigV1 = sizeof(seglog_stream_config);
constexpr size_t kStreamInfoV1 = sizeof(seglog_stream_info);
constexpr size_t kIterOptionsV1 = sizeof(seglog_iter_options);

Status DurabilityFromC(int v, bool allow_default, seglog::Durability dflt,
                       seglog::Durability* out) {
  switch (v) {
    case SEGLOG_DURABILITY_ALWAYS: *out = seglog::Durability::kAlways; return Status::OK();
    case SEGLOG_DURABILITY_INTERVAL: *out = seglog::Durability::kInterval; return Status::OK();
    case SEGLOG_DURABILITY_NONE: *out = seglog::Durability::kNone; return Status::OK();
    case SEGLOG_DURABILITY_DEFAULT:
      if (allow_default) {
        *out = dflt;
        return Status::OK();
      }
      return Status::InvalidArgument(
          "durability SEGLOG_DURABILITY_DEFAULT is for stream configs; store options need "
          "SEGLOG_DURABILITY_ALWAYS, _INTERVAL or _NONE");
  }
  return Status::InvalidArgument("unknown durability " + std::to_string(v) +
                                 " (expected SEGLOG_DURABILITY_ALWAYS, _INTERVAL or _NONE)");
}

int DurabilityToC(seglog::Durability d) {
  switch (d) {
    case seglog::Durability::kAlways: return SEGLOG_DURABILITY_ALWAYS;
    case seglog::Durability::kInterval: return SEGLOG_DURABILITY_INTERVAL;
    case seglog::Durability::kNone: return SEGLOG_DURABILITY_NONE;
  }
  return SEGLOG_DURABILITY_DEFAULT;
}

Status BackendFromC(int v, seglog::io::Backend* out) {
  switch (v) {
    case SEGLOG_IO_AUTO: *out = seglog::io::Backend::kAuto; return Status::OK();
    case SEGLOG_IO_URING: *out = seglog::io::Backend::kUring; return Status::OK();
    case SEGLOG_IO_PWRITE: *out = seglog::io::Backend::kPwrite; return Status::OK();
  }
  return Status::InvalidArgument("unknown io_backend " + std::to_string(v) +
                                 " (expected SEGLOG_IO_AUTO, _URING or _PWRITE)");
}

Status IterTypeFromC(int v, seglog::IteratorType* out) {
  switch (v) {
    case SEGLOG_ITER_TRIM_HORIZON: *out = seglog::IteratorType::kTrimHorizon; break;
    case SEGLOG_ITER_LATEST: *out = seglog::IteratorType::kLatest; break;
    case SEGLOG_ITER_AT_SEQUENCE_NUMBER: *out = seglog::IteratorType::kAtSequenceNumber; break;
    case SEGLOG_ITER_AFTER_SEQUENCE_NUMBER:
      *out = seglog::IteratorType::kAfterSequenceNumber;
      break;
    case SEGLOG_ITER_AT_TIMESTAMP: *out = seglog::IteratorType::kAtTimestamp; break;
    default:
      return Status::InvalidArgument("unknown iterator type " + std::to_string(v) +
                                     " (expected SEGLOG_ITER_TRIM_HORIZON, _LATEST, "
                                     "_AT_SEQUENCE_NUMBER, _AFTER_SEQUENCE_NUMBER or "
                                     "_AT_TIMESTAMP)");
  }
  return Status::OK();
}

// One put entry from C: checks pointers and parses the hash key. `which` prefixes messages.
Status EntryFromC(const void* pkey, size_t pkey_len, const char* hash_key, const void* data,
                  size_t len, const std::string& which, seglog::PutEntry* out) {
  if (pkey == nullptr) return Status::InvalidArgument(which + "partition key is NULL");
  if (data == nullptr && len > 0) {
    return Status::InvalidArgument(which + "data is NULL but its length is " +
                                   std::to_string(len));
  }
  out->partition_key = seglog::ByteView(static_cast<const uint8_t*>(pkey), pkey_len);
  out->data = data == nullptr ? seglog::ByteView()
                              : seglog::ByteView(static_cast<const uint8_t*>(data), len);
  out->explicit_hash_key.reset();
  if (hash_key != nullptr) {
    seglog::HashKey k;
    SEGLOG_RETURN_IF_ERROR(seglog::ParseHashKey(hash_key, &k).WithContext(which +
                                                                         "explicit hash key"));
    out->explicit_hash_key = k;
  }
  return Status::OK();
}

template <size_t N>
void CopyString(char (&dst)[N], const std::string& src) {
  const size_t n = src.size() < N - 1 ? src.size() : N - 1;
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

}  // namespace

extern "C" {

int seglog_version(void) { return SEGLOG_VERSION_NUMBER; }

const char* seglog_strerror(int code) {
  switch (code) {
    case SEGLOG_OK: return "success";
    case SEGLOG_NO_MORE: return "no more records for now";
    case SEGLOG_EINVAL: return "invalid argument";
    case SEGLOG_ENOTFOUND: return "not found";
    case SEGLOG_EEXIST: return "already exists";
    case SEGLOG_ETOOLARGE: return "too large";
    case SEGLOG_EIO: return "I/O error";
    case SEGLOG_ECORRUPT: return "corruption";
    case SEGLOG_ELOCKED: return "locked or in use";
    case SEGLOG_ENOSPC: return "no space left on device";
    case SEGLOG_ECLOSED: return "closed";
    case SEGLOG_ENOTSUP: return "not supported";
    case SEGLOG_EINTERNAL: return "internal error";
    default: return "unknown seglog return code";
  }
}

const char* seglog_last_error(void) {
  return t_error_fallback != nullptr ? t_error_fallback : t_error.c_str();
}

// ---- store ----

void seglog_options_init(seglog_options* opt) {
  if (opt == nullptr) return;
  const seglog::LogOptions log;
  const seglog::StoreOptions store;
  *opt = seglog_options{};
  opt->struct_size = sizeof(seglog_options);
  opt->create_if_missing = store.create_if_missing ? 1 : 0;
  opt->read_only = store.read_only ? 1 : 0;
  opt->io_backend = SEGLOG_IO_AUTO;
  opt->durability = DurabilityToC(log.durability);
  opt->sync_interval_ms = log.sync_interval_ms;
  opt->segment_size = log.segment_size;
}

int seglog_open(const char* dir, const seglog_options* opt, seglog_handle** db) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(dir, "dir"));
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    if (dir[0] == '\0') return Status::InvalidArgument("dir is empty");
    seglog_options o;
    seglog_options_init(&o);
    if (opt != nullptr) SEGLOG_RETURN_IF_ERROR(ReadVersioned(opt, kOptionsV1, "seglog_options", &o));
    SEGLOG_RETURN_IF_ERROR(CheckBool(o.create_if_missing, "create_if_missing"));
    SEGLOG_RETURN_IF_ERROR(CheckBool(o.read_only, "read_only"));
    seglog::StoreOptions so;
    so.create_if_missing = o.create_if_missing != 0;
    so.read_only = o.read_only != 0;
    SEGLOG_RETURN_IF_ERROR(BackendFromC(o.io_backend, &so.io_backend));
    auto h = std::make_unique<seglog_handle>();
    SEGLOG_RETURN_IF_ERROR(DurabilityFromC(o.durability, false, seglog::Durability::kAlways,
                                           &h->stream_defaults.durability));
    h->stream_defaults.sync_interval_ms = o.sync_interval_ms;
    h->stream_defaults.segment_size = o.segment_size;
    SEGLOG_RETURN_IF_ERROR(h->stream_defaults.Validate());
    SEGLOG_RETURN_IF_ERROR(seglog::Store::Open(dir, so, &h->store));
    h->streams = std::make_unique<seglog::Streams>(h->store.get());
    *db = h.release();
    return Status::OK();
  });
}

void seglog_close(seglog_handle* db) {
  if (db == nullptr) return;
  (void)Guard(__func__, [&]() -> Status {
    {
      // End the iterators still open: the engine needs them gone before Streams.
      std::lock_guard<std::mutex> l(db->iters->mu);
      for (seglog_iter* it : db->iters->open) {
        std::lock_guard<std::mutex> il(it->mu);
        it->batch.clear();
        it->it.reset();
      }
      db->iters->open.clear();
    }
    db->streams.reset();
    Status s = db->store->Close();
    delete db;
    return s;  // a failed final sync is reported through seglog_last_error()
  });
}

// ---- streams ----

void seglog_stream_config_init(seglog_stream_config* cfg) {
  if (cfg == nullptr) return;
  const seglog::StreamConfig d;
  *cfg = seglog_stream_config{};
  cfg->struct_size = sizeof(seglog_stream_config);
  cfg->shard_count = d.shard_count;
  cfg->retention_hours = d.retention_hours;
  cfg->max_record_bytes = d.max_record_bytes;
  cfg->durability = SEGLOG_DURABILITY_DEFAULT;
}

int seglog_stream_create(seglog_handle* db, const char* name, const seglog_stream_config* cfg) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "stream"));
    seglog_stream_config c;
    seglog_stream_config_init(&c);
    if (cfg != nullptr) {
      SEGLOG_RETURN_IF_ERROR(ReadVersioned(cfg, kStreamConfigV1, "seglog_stream_config", &c));
    }
    seglog::StreamConfig sc;
    sc.shard_count = c.shard_count;
    sc.retention_hours = c.retention_hours;
    sc.max_record_bytes = c.max_record_bytes;
    sc.log = db->stream_defaults;
    SEGLOG_RETURN_IF_ERROR(
        DurabilityFromC(c.durability, true, db->stream_defaults.durability, &sc.log.durability));
    return db->streams->Create(name, sc);
  });
}

int seglog_stream_delete(seglog_handle* db, const char* name) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "stream"));
    // Held across the delete so that no iterator of the stream opens meanwhile.
    std::lock_guard<std::mutex> l(db->iters->mu);
    size_t readers = 0;
    for (const seglog_iter* it : db->iters->open) readers += it->stream == name ? 1 : 0;
    if (readers > 0) {
      return Status::Locked("stream '" + std::string(name) + "' has " + std::to_string(readers) +
                            " open iterator(s): close them before deleting it");
    }
    return db->streams->Delete(name);
  });
}

int seglog_stream_list(seglog_handle* db, seglog_name* names, size_t cap, size_t* n) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(NotNull(n, "n"));
    if (cap > 0) SEGLOG_RETURN_IF_ERROR(NotNull(names, "names"));
    const std::vector<std::string> all = db->streams->List();
    for (size_t i = 0; i < all.size() && i < cap; ++i) CopyString(names[i].name, all[i]);
    *n = all.size();
    return Status::OK();
  });
}

void seglog_stream_info_init(seglog_stream_info* info) {
  if (info == nullptr) return;
  *info = seglog_stream_info{};
  info->struct_size = sizeof(seglog_stream_info);
}

int seglog_stream_describe(seglog_handle* db, const char* name, seglog_stream_info* info,
                           seglog_shard_info* shards, size_t cap, size_t* n) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "stream"));
    SEGLOG_RETURN_IF_ERROR(NotNull(info, "info"));
    SEGLOG_RETURN_IF_ERROR(NotNull(n, "n"));
    if (cap > 0) SEGLOG_RETURN_IF_ERROR(NotNull(shards, "shards"));
    SEGLOG_RETURN_IF_ERROR(CheckStructSize(info, kStreamInfoV1, "seglog_stream_info"));
    seglog::StreamDescription d;
    SEGLOG_RETURN_IF_ERROR(db->streams->Describe(name, &d));
    seglog_stream_info out;
    seglog_stream_info_init(&out);
    CopyString(out.name, d.name);
    out.shard_count = d.shard_count;
    out.retention_hours = d.retention_hours;
    out.max_record_bytes = d.max_record_bytes;
    out.durability = DurabilityToC(d.log.durability);
    out.sync_interval_ms = d.log.sync_interval_ms;
    out.segment_size = d.log.segment_size;
    out.struct_size = info->struct_size;
    std::memcpy(static_cast<void*>(info), &out, info->struct_size);
    for (size_t i = 0; i < d.shards.size() && i < cap; ++i) {
      const seglog::ShardDescription& s = d.shards[i];
      seglog_shard_info& o = shards[i];
      o.shard = s.shard;
      CopyString(o.hash_key_start, seglog::HashKeyToString(s.hash_range.start));
      CopyString(o.hash_key_end, seglog::HashKeyToString(s.hash_range.end));
      o.first_seq = s.first_seq.value();
      o.next_seq = s.next_seq.value();
      o.bytes = s.bytes;
      o.segments = s.segments;
    }
    *n = d.shards.size();
    return Status::OK();
  });
}

int seglog_stream_set_retention(seglog_handle* db, const char* name, uint32_t hours) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "stream"));
    return db->streams->SetRetention(name, hours);
  });
}

// ---- puts ----

int seglog_stream_put(seglog_handle* db, const char* stream, const void* pkey, size_t pkey_len,
                      const char* explicit_hash_key, const void* data, size_t len,
                      uint32_t* shard_out, uint64_t* seq_out) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(stream, "stream"));
    seglog::PutEntry e;
    SEGLOG_RETURN_IF_ERROR(EntryFromC(pkey, pkey_len, explicit_hash_key, data, len, "", &e));
    seglog::PutResult r;
    SEGLOG_RETURN_IF_ERROR(db->streams->Put(stream, e, &r));
    if (shard_out != nullptr) *shard_out = r.shard;
    if (seq_out != nullptr) *seq_out = r.seq.value();
    return Status::OK();
  });
}

int seglog_stream_put_batch(seglog_handle* db, const char* stream, seglog_put_entry* entries,
                            size_t n) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(stream, "stream"));
    if (n > 0) SEGLOG_RETURN_IF_ERROR(NotNull(entries, "entries"));
    if (n > seglog::kMaxPutBatchRecords) {
      return Status::InvalidArgument("a put batch holds at most 500 records, got " +
                                     std::to_string(n));
    }
    std::vector<seglog::PutEntry> es(n);
    for (size_t i = 0; i < n; ++i) {
      const seglog_put_entry& c = entries[i];
      SEGLOG_RETURN_IF_ERROR(EntryFromC(c.partition_key, c.partition_key_len,
                                        c.explicit_hash_key, c.data, c.data_len,
                                        "record " + std::to_string(i) + ": ", &es[i]));
    }
    std::vector<seglog::PutResult> rs;
    SEGLOG_RETURN_IF_ERROR(db->streams->PutBatch(stream, es, &rs));
    for (size_t i = 0; i < n; ++i) {
      entries[i].shard = rs[i].shard;
      entries[i].seq = rs[i].seq.value();
    }
    return Status::OK();
  });
}

// ---- iterators ----

void seglog_iter_options_init(seglog_iter_options* opt) {
  if (opt == nullptr) return;
  *opt = seglog_iter_options{};
  opt->struct_size = sizeof(seglog_iter_options);
  opt->type = SEGLOG_ITER_TRIM_HORIZON;
  opt->max_bytes = seglog::kMaxGetBytes;
}

int seglog_iter_open(seglog_handle* db, const char* stream, uint32_t shard,
                     const seglog_iter_options* opt, seglog_iter** it) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(stream, "stream"));
    SEGLOG_RETURN_IF_ERROR(NotNull(it, "it"));
    seglog_iter_options o;
    seglog_iter_options_init(&o);
    if (opt != nullptr) {
      SEGLOG_RETURN_IF_ERROR(ReadVersioned(opt, kIterOptionsV1, "seglog_iter_options", &o));
    }
    seglog::IteratorSpec spec;
    SEGLOG_RETURN_IF_ERROR(IterTypeFromC(o.type, &spec.type));
    spec.seq = seglog::SeqNo(o.seq);
    spec.ts = seglog::TimestampMs(o.timestamp_ms);
    if (o.max_bytes < 1 || o.max_bytes > seglog::kMaxGetBytes) {
      return Status::InvalidArgument("max_bytes must be 1 to 10 MiB, got " +
                                     std::to_string(o.max_bytes));
    }
    auto iter = std::make_unique<seglog_iter>();
    iter->registry = db->iters;
    iter->stream = stream;
    iter->max_bytes = o.max_bytes;
    // Held across NewIterator so that seglog_stream_delete cannot run in between.
    std::lock_guard<std::mutex> l(db->iters->mu);
    SEGLOG_RETURN_IF_ERROR(db->streams->NewIterator(stream, shard, spec, &iter->it));
    db->iters->open.insert(iter.get());
    *it = iter.release();
    return Status::OK();
  });
}

int seglog_iter_next(seglog_iter* it, seglog_record* recs, size_t max_records, size_t* n) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(n, "n"));
    *n = 0;
    SEGLOG_RETURN_IF_ERROR(NotNull(it, "it"));
    SEGLOG_RETURN_IF_ERROR(NotNull(recs, "recs"));
    if (max_records == 0) return Status::InvalidArgument("max_records is 0");
    std::lock_guard<std::mutex> l(it->mu);
    if (!it->it) return Status::Closed("the store of this iterator was closed (seglog_close)");
    it->batch.clear();
    const size_t max = max_records < seglog::kMaxGetRecords ? max_records
                                                            : seglog::kMaxGetRecords;
    SEGLOG_RETURN_IF_ERROR(it->it->Next(max, it->max_bytes, &it->batch));
    if (it->batch.empty()) return Status::NoMore();
    for (size_t i = 0; i < it->batch.size() && i < max; ++i) {
      const seglog::RecordView& r = it->batch[i];
      recs[i].seq = r.seq.value();
      recs[i].timestamp_ms = r.ts.value();
      recs[i].partition_key = r.key.data();
      recs[i].partition_key_len = r.key.size();
      recs[i].data = r.value.data();
      recs[i].data_len = r.value.size();
    }
    *n = it->batch.size() < max ? it->batch.size() : max;
    return Status::OK();
  });
}

void seglog_iter_close(seglog_iter* it) {
  if (it == nullptr) return;
  (void)Guard(__func__, [&]() -> Status {
    {
      std::lock_guard<std::mutex> l(it->registry->mu);
      it->registry->open.erase(it);
    }
    delete it;
    return Status::OK();
  });
}

// ---- checkpoints ----

int seglog_checkpoint_set(seglog_handle* db, const char* stream, const char* consumer,
                          uint32_t shard, uint64_t seq) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(stream, "stream"));
    SEGLOG_RETURN_IF_ERROR(CheckName(consumer, "consumer"));
    return db->streams->SetCheckpoint(stream, consumer, shard, seglog::SeqNo(seq));
  });
}

int seglog_checkpoint_get(seglog_handle* db, const char* stream, const char* consumer,
                          uint32_t shard, uint64_t* seq) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(stream, "stream"));
    SEGLOG_RETURN_IF_ERROR(CheckName(consumer, "consumer"));
    SEGLOG_RETURN_IF_ERROR(NotNull(seq, "seq"));
    seglog::SeqNo s;
    SEGLOG_RETURN_IF_ERROR(db->streams->GetCheckpoint(stream, consumer, shard, &s));
    *seq = s.value();
    return Status::OK();
  });
}

}  // extern "C"
