// The C API (include/seglog.h) over Store + Streams + Queues.
//
// Every entry point runs its body inside Guard(), which catches every C++ exception, and turns
// its Status into a return code in one place (ReturnCode) and into the calling thread's
// seglog_last_error() message. Input is checked here (NULLs, names, enum values, struct sizes,
// hash-key text) before anything reaches the engine, which checks the rest (limits, ranges)
// before it writes anything: so bad input changes nothing.
//
// Lifetimes: a handle owns its Store, Streams and Queues. An iterator owns its StreamIterator
// and the RecordViews of its last batch (what seglog_iter_next handed out), and shares with
// its handle a registry of open iterators, so that seglog_close can end the iterators still
// open (the engine requires every StreamIterator gone before Streams is destroyed) and
// seglog_stream_delete can refuse while the stream is being read.
//
// A receive's batch (seglog_queue_messages) is one malloc'd block holding the message structs,
// the attribute structs and a copy of every byte they point to: it depends on nothing else, so
// it outlives the queue, the handle, everything, until seglog_queue_messages_free.

// The C header names the store handle `seglog`, which in C++ would collide with namespace
// seglog. Only type names change under this macro; the functions keep their C names.
#define seglog seglog_handle
#include "seglog.h"
#undef seglog

#include <algorithm>
#include <cstdlib>
#include <cstddef>
#include <cstring>
#include <exception>
#include <iterator>
#include <memory>
#include <mutex>
#include <new>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/hash_key.h"
#include "engine/options.h"
#include "engine/queue.h"
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
  std::unique_ptr<seglog::Queues> queues;
  // From seglog_options: durability, sync, segment size of new streams and queues.
  seglog::LogOptions log_defaults;
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

// The batch of one receive: this header, then `count` messages, then their attributes, then
// every byte they point to (each string and byte run followed by a NUL), in one malloc'd block
// (NewBatch), freed by one free().
struct seglog_queue_messages {
  size_t count;
  const seglog_queue_message* msgs;
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
    case StatusCode::kStale: return SEGLOG_ESTALE;
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

// "40, 48": the sizes a versioned struct has had.
template <size_t N>
std::string SizeList(const size_t (&sizes)[N]) {
  std::string out;
  for (size_t s : sizes) out += (out.empty() ? "" : ", ") + std::to_string(s);
  return out;
}

// Checks a versioned struct's struct_size (convention 6): it must be the size of one published
// version. `sizes` lists them, oldest first, the last being this library's sizeof(T); fields
// past the caller's struct_size keep their defaults. `init` names the struct's init function
// when it is not `type` + "_init".
template <class T, size_t N>
Status CheckStructSize(const T* p, const size_t (&sizes)[N], const char* type,
                       const char* init = nullptr) {
  static_assert(N > 0);
  const std::string init_fn = init != nullptr ? std::string(init) : type + std::string("_init");
  const std::string got = std::string(type) + ".struct_size is " + std::to_string(p->struct_size);
  if (p->struct_size < sizes[0]) {
    return Status::InvalidArgument(got + ", below any version's (" + std::to_string(sizes[0]) +
                                   "): call " + init_fn + " first");
  }
  if (p->struct_size > sizeof(T)) {
    return Status::NotSupported(got + ", larger than this library's " +
                                std::to_string(sizeof(T)) +
                                " (built against a newer seglog.h than the library)");
  }
  if (std::find(std::begin(sizes), std::end(sizes), p->struct_size) == std::end(sizes)) {
    return Status::InvalidArgument(got + ", which is no version's size (" + SizeList(sizes) +
                                   "): call " + init_fn + " first");
  }
  return Status::OK();
}

// *out holds the defaults; copies in the caller's fields (those its struct_size covers).
template <class T, size_t N>
Status ReadVersioned(const T* in, const size_t (&sizes)[N], const char* type, T* out) {
  SEGLOG_RETURN_IF_ERROR(CheckStructSize(in, sizes, type));
  std::memcpy(static_cast<void*>(out), in, in->struct_size);
  out->struct_size = sizeof(T);
  return Status::OK();
}

// The sizes each struct has had, oldest first; a new version appends its size. 0.1.0 published
// the first of each (seglog_options then ended before mapped_writes).
constexpr size_t kOptionsSizes[] = {offsetof(seglog_options, mapped_writes),
                                    sizeof(seglog_options)};
constexpr size_t kStreamConfigSizes[] = {sizeof(seglog_stream_config)};
constexpr size_t kStreamInfoSizes[] = {sizeof(seglog_stream_info)};
constexpr size_t kIterOptionsSizes[] = {sizeof(seglog_iter_options)};
// First published with queues (issue 4).
constexpr size_t kQueueConfigSizes[] = {sizeof(seglog_queue_config)};
constexpr size_t kQueueInfoSizes[] = {sizeof(seglog_queue_info)};
constexpr size_t kQueueStatsSizes[] = {sizeof(seglog_queue_statistics)};
constexpr size_t kReceiveOptionsSizes[] = {sizeof(seglog_queue_receive_options)};

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

// ---- queues ----

Status QueueTypeFromC(int v, seglog::QueueType* out) {
  switch (v) {
    case SEGLOG_QUEUE_STANDARD: *out = seglog::QueueType::kStandard; return Status::OK();
    case SEGLOG_QUEUE_FIFO: *out = seglog::QueueType::kFifo; return Status::OK();
  }
  return Status::InvalidArgument("unknown queue type " + std::to_string(v) +
                                 " (expected SEGLOG_QUEUE_STANDARD or SEGLOG_QUEUE_FIFO)");
}

int QueueTypeToC(seglog::QueueType t) {
  return t == seglog::QueueType::kFifo ? SEGLOG_QUEUE_FIFO : SEGLOG_QUEUE_STANDARD;
}

Status AttrTypeFromC(int v, const std::string& which, seglog::format::AttributeType* out) {
  switch (v) {
    case SEGLOG_ATTR_STRING: *out = seglog::format::AttributeType::kString; return Status::OK();
    case SEGLOG_ATTR_NUMBER: *out = seglog::format::AttributeType::kNumber; return Status::OK();
    case SEGLOG_ATTR_BINARY: *out = seglog::format::AttributeType::kBinary; return Status::OK();
  }
  return Status::InvalidArgument(which + "unknown type " + std::to_string(v) +
                                 " (expected SEGLOG_ATTR_STRING, _NUMBER or _BINARY)");
}

int AttrTypeToC(seglog::format::AttributeType t) {
  switch (t) {
    case seglog::format::AttributeType::kString: return SEGLOG_ATTR_STRING;
    case seglog::format::AttributeType::kNumber: return SEGLOG_ATTR_NUMBER;
    case seglog::format::AttributeType::kBinary: return SEGLOG_ATTR_BINARY;
  }
  return 0;
}

seglog::ByteView Bytes(const void* p, size_t n) {
  return p == nullptr ? seglog::ByteView()
                      : seglog::ByteView(static_cast<const uint8_t*>(p), n);
}

// One send entry from C: checks its pointers, counts and enums (the engine checks the rest).
// The attribute views go to *attrs, which must stay put while *out is used. `which` prefixes
// messages ("message 3: ").
Status SendEntryFromC(const seglog_queue_send_entry& c, const std::string& which,
                      std::vector<seglog::format::MessageAttribute>* attrs,
                      seglog::SendEntry* out) {
  if (c.body == nullptr && c.body_len > 0) {
    return Status::InvalidArgument(which + "body is NULL but its length is " +
                                   std::to_string(c.body_len));
  }
  if (c.n_attrs > seglog::kQueueMaxAttributes) {
    return Status::InvalidArgument(which + "has " + std::to_string(c.n_attrs) +
                                   " attributes; a message has at most 10");
  }
  if (c.attrs == nullptr && c.n_attrs > 0) {
    return Status::InvalidArgument(which + "attrs is NULL but n_attrs is " +
                                   std::to_string(c.n_attrs));
  }
  if (c.delay_s < -1) {
    return Status::InvalidArgument(which + "delay_s is " + std::to_string(c.delay_s) +
                                   " (expected -1 for the queue's, or 0 .. 900)");
  }
  attrs->assign(c.n_attrs, seglog::format::MessageAttribute{});
  for (size_t i = 0; i < c.n_attrs; ++i) {
    const seglog_queue_attr& a = c.attrs[i];
    const std::string w = which + "attribute " + std::to_string(i) + ": ";
    if (a.name == nullptr) return Status::InvalidArgument(w + "name is NULL");
    if (a.value == nullptr && a.value_len > 0) {
      return Status::InvalidArgument(w + "value is NULL but its length is " +
                                     std::to_string(a.value_len));
    }
    SEGLOG_RETURN_IF_ERROR(AttrTypeFromC(a.type, w, &(*attrs)[i].type));
    (*attrs)[i].name = a.name;
    (*attrs)[i].value = Bytes(a.value, a.value_len);
  }
  out->body = Bytes(c.body, c.body_len);
  out->attributes = std::span<const seglog::format::MessageAttribute>(*attrs);
  out->delay_s = c.delay_s;
  out->group_id = c.group_id == nullptr ? std::string_view() : std::string_view(c.group_id);
  out->dedup_id = c.dedup_id == nullptr ? std::string_view() : std::string_view(c.dedup_id);
  return Status::OK();
}

size_t AlignUp(size_t n, size_t a) { return (n + a - 1) / a * a; }

// Copies `in` into one new block. Throws std::bad_alloc when out of memory.
seglog_queue_messages* NewBatch(const std::vector<seglog::ReceivedMessage>& in) {
  size_t n_attrs = 0;
  size_t bytes = 0;
  for (const seglog::ReceivedMessage& m : in) {
    n_attrs += m.attributes.size();
    bytes += m.receipt.size() + m.body.size() + m.group_id.size() + m.dedup_id.size() + 4;
    for (const seglog::ReceivedAttribute& a : m.attributes) {
      bytes += a.name.size() + a.value.size() + 2;
    }
  }
  const size_t msgs_at = AlignUp(sizeof(seglog_queue_messages), alignof(seglog_queue_message));
  const size_t attrs_at =
      AlignUp(msgs_at + in.size() * sizeof(seglog_queue_message), alignof(seglog_queue_attr));
  const size_t bytes_at = attrs_at + n_attrs * sizeof(seglog_queue_attr);
  char* block = static_cast<char*>(std::malloc(bytes_at + bytes));
  if (block == nullptr) throw std::bad_alloc();

  auto* msgs = reinterpret_cast<seglog_queue_message*>(block + msgs_at);
  auto* attrs = reinterpret_cast<seglog_queue_attr*>(block + attrs_at);
  char* p = block + bytes_at;
  auto copy = [&p](const std::string& s) {
    char* at = p;
    std::memcpy(at, s.data(), s.size());
    at[s.size()] = '\0';
    p += s.size() + 1;
    return static_cast<const char*>(at);
  };
  for (size_t i = 0; i < in.size(); ++i) {
    const seglog::ReceivedMessage& m = in[i];
    seglog_queue_message& o = msgs[i];
    o.id = m.id.value();
    o.receipt = copy(m.receipt);
    o.body = copy(m.body);
    o.body_len = m.body.size();
    o.attrs = m.attributes.empty() ? nullptr : attrs;
    o.n_attrs = m.attributes.size();
    for (const seglog::ReceivedAttribute& a : m.attributes) {
      attrs->name = copy(a.name);
      attrs->type = AttrTypeToC(a.type);
      attrs->value = copy(a.value);
      attrs->value_len = a.value.size();
      ++attrs;
    }
    o.group_id = copy(m.group_id);
    o.dedup_id = copy(m.dedup_id);
    o.receive_count = m.receive_count;
    o.sent_ms = m.sent.value();
    o.enqueued_ms = m.enqueued.value();
  }
  auto* batch = reinterpret_cast<seglog_queue_messages*>(block);
  batch->count = in.size();
  batch->msgs = in.empty() ? nullptr : msgs;
  return batch;
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
    case SEGLOG_ESTALE: return "stale receipt";
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
  opt->mapped_writes = store.mapped_writes ? 1 : 0;
}

int seglog_open(const char* dir, const seglog_options* opt, seglog_handle** db) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(dir, "dir"));
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    if (dir[0] == '\0') return Status::InvalidArgument("dir is empty");
    seglog_options o;
    seglog_options_init(&o);
    if (opt != nullptr) {
      SEGLOG_RETURN_IF_ERROR(ReadVersioned(opt, kOptionsSizes, "seglog_options", &o));
    }
    SEGLOG_RETURN_IF_ERROR(CheckBool(o.create_if_missing, "create_if_missing"));
    SEGLOG_RETURN_IF_ERROR(CheckBool(o.read_only, "read_only"));
    SEGLOG_RETURN_IF_ERROR(CheckBool(o.mapped_writes, "mapped_writes"));
    seglog::StoreOptions so;
    so.mapped_writes = o.mapped_writes != 0;
    so.create_if_missing = o.create_if_missing != 0;
    so.read_only = o.read_only != 0;
    SEGLOG_RETURN_IF_ERROR(BackendFromC(o.io_backend, &so.io_backend));
    auto h = std::make_unique<seglog_handle>();
    SEGLOG_RETURN_IF_ERROR(DurabilityFromC(o.durability, false, seglog::Durability::kAlways,
                                           &h->log_defaults.durability));
    h->log_defaults.sync_interval_ms = o.sync_interval_ms;
    h->log_defaults.segment_size = o.segment_size;
    SEGLOG_RETURN_IF_ERROR(h->log_defaults.Validate());
    SEGLOG_RETURN_IF_ERROR(seglog::Store::Open(dir, so, &h->store));
    h->streams = std::make_unique<seglog::Streams>(h->store.get());
    h->queues = std::make_unique<seglog::Queues>(h->store.get());
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
    db->queues.reset();  // stops its maintenance task; received batches do not depend on it
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
      SEGLOG_RETURN_IF_ERROR(ReadVersioned(cfg, kStreamConfigSizes, "seglog_stream_config", &c));
    }
    seglog::StreamConfig sc;
    sc.shard_count = c.shard_count;
    sc.retention_hours = c.retention_hours;
    sc.max_record_bytes = c.max_record_bytes;
    sc.log = db->log_defaults;
    SEGLOG_RETURN_IF_ERROR(
        DurabilityFromC(c.durability, true, db->log_defaults.durability, &sc.log.durability));
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
    SEGLOG_RETURN_IF_ERROR(CheckStructSize(info, kStreamInfoSizes, "seglog_stream_info"));
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
      SEGLOG_RETURN_IF_ERROR(ReadVersioned(opt, kIterOptionsSizes, "seglog_iter_options", &o));
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

// ---- queues ----

void seglog_queue_config_init(seglog_queue_config* cfg) {
  if (cfg == nullptr) return;
  const seglog::QueueConfig d;
  *cfg = seglog_queue_config{};
  cfg->struct_size = sizeof(seglog_queue_config);
  cfg->type = QueueTypeToC(d.type);
  cfg->visibility_timeout_s = d.visibility_timeout_s;
  cfg->delay_s = d.delay_s;
  cfg->retention_s = d.retention_s;
  cfg->max_message_bytes = d.max_message_bytes;
  cfg->receive_wait_s = d.receive_wait_s;
  cfg->content_based_dedup = d.content_based_dedup ? 1 : 0;
  cfg->dead_letter_queue = nullptr;
  cfg->max_receive_count = d.max_receive_count;
  cfg->durability = SEGLOG_DURABILITY_DEFAULT;
  cfg->sync_interval_ms = 0;
  cfg->segment_size = 0;
}

int seglog_queue_create(seglog_handle* db, const char* name, const seglog_queue_config* cfg) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    seglog_queue_config c;
    seglog_queue_config_init(&c);
    if (cfg != nullptr) {
      SEGLOG_RETURN_IF_ERROR(ReadVersioned(cfg, kQueueConfigSizes, "seglog_queue_config", &c));
    }
    seglog::QueueConfig qc;
    SEGLOG_RETURN_IF_ERROR(QueueTypeFromC(c.type, &qc.type));
    qc.visibility_timeout_s = c.visibility_timeout_s;
    qc.delay_s = c.delay_s;
    qc.retention_s = c.retention_s;
    qc.max_message_bytes = c.max_message_bytes;
    qc.receive_wait_s = c.receive_wait_s;
    SEGLOG_RETURN_IF_ERROR(CheckBool(c.content_based_dedup, "content_based_dedup"));
    qc.content_based_dedup = c.content_based_dedup != 0;
    if (c.dead_letter_queue != nullptr && c.dead_letter_queue[0] != '\0') {
      SEGLOG_RETURN_IF_ERROR(CheckName(c.dead_letter_queue, "dead-letter queue"));
      qc.dead_letter_queue = c.dead_letter_queue;
    }
    qc.max_receive_count = c.max_receive_count;
    qc.log = db->log_defaults;
    SEGLOG_RETURN_IF_ERROR(
        DurabilityFromC(c.durability, true, db->log_defaults.durability, &qc.log.durability));
    if (c.sync_interval_ms != 0) qc.log.sync_interval_ms = c.sync_interval_ms;
    if (c.segment_size != 0) qc.log.segment_size = c.segment_size;
    SEGLOG_RETURN_IF_ERROR(qc.log.Validate());
    SEGLOG_RETURN_IF_ERROR(qc.Validate(name));
    return db->queues->Create(name, qc);
  });
}

int seglog_queue_delete(seglog_handle* db, const char* name) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    return db->queues->Delete(name);
  });
}

int seglog_queue_list(seglog_handle* db, seglog_name* names, size_t cap, size_t* n) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(NotNull(n, "n"));
    if (cap > 0) SEGLOG_RETURN_IF_ERROR(NotNull(names, "names"));
    const std::vector<std::string> all = db->queues->List();
    for (size_t i = 0; i < all.size() && i < cap; ++i) CopyString(names[i].name, all[i]);
    *n = all.size();
    return Status::OK();
  });
}

void seglog_queue_info_init(seglog_queue_info* info) {
  if (info == nullptr) return;
  *info = seglog_queue_info{};
  info->struct_size = sizeof(seglog_queue_info);
}

int seglog_queue_describe(seglog_handle* db, const char* name, seglog_queue_info* info) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(info, "info"));
    SEGLOG_RETURN_IF_ERROR(CheckStructSize(info, kQueueInfoSizes, "seglog_queue_info"));
    seglog::QueueDescription d;
    SEGLOG_RETURN_IF_ERROR(db->queues->Describe(name, &d));
    const seglog::QueueConfig& c = d.config;
    seglog_queue_info out;
    seglog_queue_info_init(&out);
    CopyString(out.name, d.name);
    out.type = QueueTypeToC(c.type);
    out.visibility_timeout_s = c.visibility_timeout_s;
    out.delay_s = c.delay_s;
    out.retention_s = c.retention_s;
    out.max_message_bytes = c.max_message_bytes;
    out.receive_wait_s = c.receive_wait_s;
    out.content_based_dedup = c.content_based_dedup ? 1 : 0;
    CopyString(out.dead_letter_queue, c.dead_letter_queue);
    out.max_receive_count = c.max_receive_count;
    out.durability = DurabilityToC(c.log.durability);
    out.sync_interval_ms = c.log.sync_interval_ms;
    out.segment_size = c.log.segment_size;
    out.struct_size = info->struct_size;
    std::memcpy(static_cast<void*>(info), &out, info->struct_size);
    return Status::OK();
  });
}

void seglog_queue_stats_init(seglog_queue_statistics* st) {
  if (st == nullptr) return;
  *st = seglog_queue_statistics{};
  st->struct_size = sizeof(seglog_queue_statistics);
}

int seglog_queue_stats(seglog_handle* db, const char* name, seglog_queue_statistics* st) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(st, "st"));
    SEGLOG_RETURN_IF_ERROR(CheckStructSize(st, kQueueStatsSizes, "seglog_queue_statistics",
                                           "seglog_queue_stats_init"));
    seglog::QueueStats q;
    SEGLOG_RETURN_IF_ERROR(db->queues->Stats(name, &q));
    seglog_queue_statistics out;
    seglog_queue_stats_init(&out);
    out.visible = q.visible;
    out.in_flight = q.in_flight;
    out.delayed = q.delayed;
    out.oldest_age_ms = q.oldest_age_ms;
    out.deleted_ids = q.deleted_ids;
    out.bitmap_bytes = q.bitmap_bytes;
    out.log_bytes = q.log_bytes;
    out.log_segments = q.log_segments;
    out.journal_bytes = q.journal_bytes;
    out.groups = q.groups;
    out.struct_size = st->struct_size;
    std::memcpy(static_cast<void*>(st), &out, st->struct_size);
    return Status::OK();
  });
}

int seglog_queue_purge(seglog_handle* db, const char* name) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    return db->queues->Purge(name);
  });
}

void seglog_queue_send_entry_init(seglog_queue_send_entry* e, const void* body, size_t len) {
  if (e == nullptr) return;
  *e = seglog_queue_send_entry{};
  e->body = body;
  e->body_len = len;
  e->attrs = nullptr;
  e->n_attrs = 0;
  e->delay_s = -1;
  e->group_id = nullptr;
  e->dedup_id = nullptr;
}

int seglog_queue_send(seglog_handle* db, const char* name, const seglog_queue_send_entry* e,
                      uint64_t* id, int* duplicate) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(e, "e"));
    std::vector<seglog::format::MessageAttribute> attrs;
    seglog::SendEntry se;
    SEGLOG_RETURN_IF_ERROR(SendEntryFromC(*e, "", &attrs, &se));
    seglog::SendResult r;
    SEGLOG_RETURN_IF_ERROR(db->queues->Send(name, se, &r));
    if (id != nullptr) *id = r.id.value();
    if (duplicate != nullptr) *duplicate = r.duplicate ? 1 : 0;
    return Status::OK();
  });
}

int seglog_queue_send_batch(seglog_handle* db, const char* name,
                            const seglog_queue_send_entry* entries, size_t n,
                            seglog_queue_send_result* results) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(entries, "entries"));
    SEGLOG_RETURN_IF_ERROR(NotNull(results, "results"));
    if (n == 0 || n > seglog::kQueueMaxBatch) {
      return Status::InvalidArgument("a send batch holds 1 to 10 messages, got " +
                                     std::to_string(n));
    }
    std::vector<std::vector<seglog::format::MessageAttribute>> attrs(n);
    std::vector<seglog::SendEntry> es(n);
    for (size_t i = 0; i < n; ++i) {
      SEGLOG_RETURN_IF_ERROR(
          SendEntryFromC(entries[i], "message " + std::to_string(i) + ": ", &attrs[i], &es[i]));
    }
    std::vector<seglog::SendResult> rs;
    SEGLOG_RETURN_IF_ERROR(db->queues->SendBatch(name, es, &rs));
    if (rs.size() != n) {
      return Status(StatusCode::kCorruption, "internal: SendBatch returned " +
                                                 std::to_string(rs.size()) + " results for " +
                                                 std::to_string(n) + " messages");
    }
    for (size_t i = 0; i < n; ++i) {
      results[i].id = rs[i].id.value();
      results[i].duplicate = rs[i].duplicate ? 1 : 0;
    }
    return Status::OK();
  });
}

void seglog_queue_receive_options_init(seglog_queue_receive_options* opt) {
  if (opt == nullptr) return;
  const seglog::ReceiveOptions d;
  *opt = seglog_queue_receive_options{};
  opt->struct_size = sizeof(seglog_queue_receive_options);
  opt->max_messages = d.max_messages;
  opt->visibility_timeout_s = d.visibility_timeout_s;
  opt->wait_s = d.wait_s;
}

int seglog_queue_receive(seglog_handle* db, const char* name,
                         const seglog_queue_receive_options* opt, seglog_queue_messages** out) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(out, "out"));
    *out = nullptr;
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    seglog_queue_receive_options o;
    seglog_queue_receive_options_init(&o);
    if (opt != nullptr) {
      SEGLOG_RETURN_IF_ERROR(
          ReadVersioned(opt, kReceiveOptionsSizes, "seglog_queue_receive_options", &o));
    }
    if (o.max_messages < 1 || o.max_messages > seglog::kQueueMaxBatch) {
      return Status::InvalidArgument("max_messages must be 1 to 10, got " +
                                     std::to_string(o.max_messages));
    }
    if (o.visibility_timeout_s < -1 ||
        o.visibility_timeout_s > static_cast<int32_t>(seglog::kQueueMaxVisibilityS)) {
      return Status::InvalidArgument("visibility_timeout_s must be -1 (the queue's) or 0 to "
                                     "43,200, got " + std::to_string(o.visibility_timeout_s));
    }
    if (o.wait_s < -1 || o.wait_s > static_cast<int32_t>(seglog::kQueueMaxWaitS)) {
      return Status::InvalidArgument("wait_s must be -1 (the queue's) or 0 to 20, got " +
                                     std::to_string(o.wait_s));
    }
    seglog::ReceiveOptions ro;
    ro.max_messages = o.max_messages;
    ro.visibility_timeout_s = o.visibility_timeout_s;
    ro.wait_s = o.wait_s;
    std::vector<seglog::ReceivedMessage> ms;
    SEGLOG_RETURN_IF_ERROR(db->queues->Receive(name, ro, &ms));
    // The messages are received (and in flight) now; should the copy fail for want of memory,
    // they become visible again when their visibility timeout ends, as after a lost response.
    *out = NewBatch(ms);
    return Status::OK();
  });
}

size_t seglog_queue_messages_count(const seglog_queue_messages* batch) {
  return batch == nullptr ? 0 : batch->count;
}

const seglog_queue_message* seglog_queue_messages_get(const seglog_queue_messages* batch,
                                                      size_t i) {
  if (batch == nullptr || i >= batch->count) return nullptr;
  return &batch->msgs[i];
}

void seglog_queue_messages_free(seglog_queue_messages* batch) { std::free(batch); }

int seglog_queue_delete_message(seglog_handle* db, const char* name, const char* receipt) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(receipt, "receipt"));
    return db->queues->DeleteMessage(name, receipt);
  });
}

int seglog_queue_delete_message_batch(seglog_handle* db, const char* name,
                                      const char* const* receipts, size_t n, int* results) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(receipts, "receipts"));
    SEGLOG_RETURN_IF_ERROR(NotNull(results, "results"));
    if (n == 0 || n > seglog::kQueueMaxBatch) {
      return Status::InvalidArgument("a delete batch holds 1 to 10 receipts, got " +
                                     std::to_string(n));
    }
    std::vector<std::string_view> rs(n);
    for (size_t i = 0; i < n; ++i) {
      if (receipts[i] == nullptr) {
        return Status::InvalidArgument("receipt " + std::to_string(i) + " is NULL");
      }
      rs[i] = receipts[i];
    }
    std::vector<Status> st;
    SEGLOG_RETURN_IF_ERROR(db->queues->DeleteMessageBatch(name, rs, &st));
    if (st.size() != n) {
      return Status(StatusCode::kCorruption, "internal: DeleteMessageBatch returned " +
                                                 std::to_string(st.size()) + " results for " +
                                                 std::to_string(n) + " receipts");
    }
    for (size_t i = 0; i < n; ++i) results[i] = ReturnCode(st[i].code());
    return Status::OK();
  });
}

int seglog_queue_change_visibility(seglog_handle* db, const char* name, const char* receipt,
                                   uint32_t timeout_s) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(name, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(receipt, "receipt"));
    return db->queues->ChangeVisibility(name, receipt, timeout_s);
  });
}

int seglog_queue_redrive(seglog_handle* db, const char* dlq, const char* target, size_t max,
                         size_t* moved) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(dlq, "dead-letter queue"));
    std::string t;
    if (target != nullptr && target[0] != '\0') {
      SEGLOG_RETURN_IF_ERROR(CheckName(target, "target queue"));
      t = target;
    }
    size_t m = 0;
    SEGLOG_RETURN_IF_ERROR(db->queues->Redrive(dlq, t, max, &m));
    if (moved != nullptr) *moved = m;
    return Status::OK();
  });
}

}  // extern "C"
