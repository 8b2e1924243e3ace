// The C API: streams, puts, iterators and checkpoints (include/seglog.h, "streams").
#include "engine/capi/capi.h"

using seglog::Status;
using seglog::StatusCode;
using namespace seglog::capi;  // NOLINT: the room's own helpers

namespace {

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

// The entries of a put batch from C (their in-fields), into *out.
Status EntriesFromC(const seglog_put_entry* entries, size_t n, std::vector<seglog::PutEntry>* out) {
  if (n > 0) SEGLOG_RETURN_IF_ERROR(NotNull(entries, "entries"));
  if (n > seglog::kMaxPutBatchRecords) {
    return Status::InvalidArgument("a put batch holds at most 500 records, got " +
                                   std::to_string(n));
  }
  out->resize(n);
  for (size_t i = 0; i < n; ++i) {
    const seglog_put_entry& c = entries[i];
    // The record's index is spelled out only on failure (no string built per record).
    Status s = EntryFromC(c.partition_key, c.partition_key_len, c.explicit_hash_key, c.data,
                          c.data_len, "", &(*out)[i]);
    if (!s.ok()) return s.WithContext("record " + std::to_string(i));
  }
  return Status::OK();
}

// Kinesis's ErrorCode for a record whose shard append failed (PutRecordsResultEntry).
constexpr char kPutFailedCode[] = "InternalFailure";

void PutResultToC(const seglog::PutOutcome& o, seglog_put_result* r) {
  r->code = ReturnCode(o.status.code());
  r->shard = o.shard;
  r->seq = o.status.ok() ? o.seq.value() : 0;
  if (o.status.ok()) {
    r->error_code[0] = '\0';
    r->message[0] = '\0';
  } else {
    CopyString(r->error_code, kPutFailedCode);
    CopyString(r->message, o.status.message());
  }
}

}  // namespace

extern "C" {

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
    if (c.segment_size != 0) sc.log.segment_size = c.segment_size;          // 0: the store's
    if (c.sync_interval_ms != 0) sc.log.sync_interval_ms = c.sync_interval_ms;
    SEGLOG_RETURN_IF_ERROR(LimitsFromC(c.limits, &sc.limits));
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
      return Status::Busy("stream '" + std::string(name) + "' has " + std::to_string(readers) +
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
    out.limits = LimitsToC(d.limits);
    WriteVersioned(info, out);
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
    std::vector<seglog::PutEntry> es;
    SEGLOG_RETURN_IF_ERROR(EntriesFromC(entries, n, &es));
    std::vector<seglog::PutResult> rs;
    SEGLOG_RETURN_IF_ERROR(db->streams->PutBatch(stream, es, &rs));
    for (size_t i = 0; i < n; ++i) {
      entries[i].shard = rs[i].shard;
      entries[i].seq = rs[i].seq.value();
    }
    return Status::OK();
  });
}

int seglog_stream_put_batch_v2(seglog_handle* db, const char* stream,
                               const seglog_put_entry* entries, size_t n,
                               seglog_put_result* results, size_t* failed) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(stream, "stream"));
    SEGLOG_RETURN_IF_ERROR(NotNull(results, "results"));
    // Reused per thread: a put allocates nothing for its entries once warm.
    thread_local std::vector<seglog::PutEntry> es;
    thread_local std::vector<seglog::PutOutcome> out;
    SEGLOG_RETURN_IF_ERROR(EntriesFromC(entries, n, &es));
    size_t nfailed = 0;
    SEGLOG_RETURN_IF_ERROR(db->streams->PutBatchEach(stream, es, &out, &nfailed));
    for (size_t i = 0; i < n; ++i) PutResultToC(out[i], &results[i]);
    if (failed != nullptr) *failed = nfailed;
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

}  // extern "C"
