#include "engine/streams/stream.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "engine/log/clock.h"
#include "engine/log/layout.h"
#include "engine/log/utf8.h"
#include "engine/log/writer_first_lock.h"
#include "format/checkpoint_format.h"
#include "io/file_util.h"

namespace seglog {

namespace {

constexpr char kStreamProp[] = "stream";
constexpr char kShardProp[] = "shard";
constexpr char kShardCountProp[] = "shard_count";
constexpr char kRetentionProp[] = "retention_hours";
constexpr char kMaxRecordProp[] = "max_record_bytes";
constexpr int64_t kHourMs = 3'600'000;

std::string ShardLogName(const std::string& stream, uint32_t shard) {
  return "stream:" + stream + "/" + std::to_string(shard);
}

const std::string* Prop(const format::CatalogEntry& e, const char* key) {
  return format::FindProp(e, key);
}
bool ParseU32(const std::string* s, uint32_t* out) { return format::ParsePropU32(s, out); }

Status ValidateRetention(uint32_t hours, Limits limits) {
  const uint32_t min = limits == Limits::kAws ? kAwsMinRetentionHours : kMinRetentionHours;
  if (hours < min || hours > kMaxRetentionHours) {
    return Status::InvalidArgument("retention must be " + std::to_string(min) +
                                   " to 8760 hours" +
                                   (limits == Limits::kAws ? " (aws limits)" : "") + ", got " +
                                   std::to_string(hours));
  }
  return Status::OK();
}

// The per-put vectors, reused per thread (a put of one record allocates nothing once warm).
struct PutScratch {
  std::vector<uint32_t> shard_of;
  std::vector<size_t> order;
  std::vector<Log::Record> recs;
};

// A partition key: 1 .. 256 bytes (relaxed); 1 .. 256 characters of valid UTF-8 (kAws).
Status ValidatePartitionKey(ByteView key, Limits limits, const std::string& which) {
  if (limits == Limits::kAws) {
    size_t chars = 0;
    const std::string_view k(reinterpret_cast<const char*>(key.data()), key.size());
    if (!ForEachCodePoint(k, [&](uint32_t) { return ++chars <= kAwsMaxPartitionKeyChars; }) ||
        chars == 0) {
      return Status::InvalidArgument(which + "partition key must be 1 to 256 characters of "
                                     "valid UTF-8 (aws limits), got " +
                                     std::to_string(key.size()) + " bytes");
    }
    return Status::OK();
  }
  if (key.empty() || key.size() > kMaxPartitionKeyBytes) {
    return Status::InvalidArgument(which + "partition key must be 1 to 256 bytes, got " +
                                   std::to_string(key.size()));
  }
  return Status::OK();
}

}  // namespace

Status StreamConfig::Validate() const {
  if (shard_count < 1 || shard_count > kMaxShards) {
    return Status::InvalidArgument("shard count must be 1 to 1024, got " +
                                   std::to_string(shard_count));
  }
  if (limits != Limits::kRelaxed && limits != Limits::kAws) {
    return Status::InvalidArgument("unknown limits profile");
  }
  SEGLOG_RETURN_IF_ERROR(ValidateRetention(retention_hours, limits));
  if (max_record_bytes < 1024 || max_record_bytes > kMaxMaxRecordBytes) {
    return Status::InvalidArgument("max record size must be 1 KiB to 10 MiB, got " +
                                   std::to_string(max_record_bytes));
  }
  return log.Validate();
}

struct Streams::Stream {
  std::string name;
  uint32_t shard_count = 0;
  uint32_t max_record_bytes = 0;
  std::atomic<uint32_t> retention_hours{0};
  LogOptions log;
  Limits limits = Limits::kRelaxed;
  std::vector<HashKeyRange> ranges;
  std::vector<std::string> log_names;
  // Every operation holds `use` shared while it touches the shard logs; Delete holds it
  // exclusively, so no operation is inside a Log when Delete frees it, and marks it dead.
  WriterFirstLock use;
  bool dead = false;             // guarded by use
  std::mutex mu;                 // guards logs
  std::vector<Log*> logs;        // opened on first use
  // Guarded by Streams::ckpt_mu_.
  bool ckpt_loaded = false;
  std::map<std::pair<std::string, uint32_t>, SeqNo> ckpts;
};

Status Streams::CheckShard(const Stream& s, uint32_t shard) {
  if (shard < s.shard_count) return Status::OK();
  return Status::InvalidArgument("shard " + std::to_string(shard) + " is out of range: '" +
                                 s.name + "' has " + std::to_string(s.shard_count) + " shards");
}

Streams::Streams(Store* store, const StreamsOptions& opt) : store_(store), opt_(opt) {
  if (opt_.retention_check_interval_ms > 0 && !store_->read_only()) {
    // Errors surface to readers and writers of the shard itself.
    retention_task_ = store_->scheduler()->Every(
        std::chrono::milliseconds(opt_.retention_check_interval_ms),
        [this] { (void)EnforceRetention(); });
  }
}

Streams::~Streams() {
  if (retention_task_ != 0) store_->scheduler()->Cancel(retention_task_);  // waits for a pass
}

Status Streams::Find(const std::string& name, std::shared_ptr<Stream>* out) {
  SEGLOG_RETURN_IF_ERROR(ValidateName("stream", name));
  std::lock_guard<std::mutex> l(mu_);
  if (auto it = cache_.find(name); it != cache_.end()) {
    *out = it->second;
    return Status::OK();
  }
  format::Catalog cat = store_->CatalogSnapshot();
  auto s = std::make_shared<Stream>();
  s->name = name;
  for (const auto& e : cat.logs) {
    const std::string* sn = Prop(e, kStreamProp);
    uint32_t shard = 0;
    if (sn == nullptr || *sn != name || !ParseU32(Prop(e, kShardProp), &shard) || shard != 0) {
      continue;
    }
    uint32_t retention = 0;
    if (!ParseU32(Prop(e, kShardCountProp), &s->shard_count) ||
        !ParseU32(Prop(e, kRetentionProp), &retention) ||
        !ParseU32(Prop(e, kMaxRecordProp), &s->max_record_bytes)) {
      return Status::Corruption("catalog entry of stream '" + name + "' lacks its settings");
    }
    s->retention_hours.store(retention);
    SEGLOG_RETURN_IF_ERROR(LogOptionsFromProps(e.props, &s->log));
    SEGLOG_RETURN_IF_ERROR(LimitsFromProp(Prop(e, kLimitsProp), &s->limits)
                               .WithContext("stream '" + name + "'"));
  }
  if (s->shard_count == 0) return Status::NotFound("no stream named '" + name + "'");
  s->ranges = SplitHashKeySpace(s->shard_count);
  for (uint32_t i = 0; i < s->shard_count; ++i) s->log_names.push_back(ShardLogName(name, i));
  s->logs.assign(s->shard_count, nullptr);
  cache_[name] = s;
  *out = std::move(s);
  return Status::OK();
}

Status Streams::OpenShard(Stream& s, uint32_t shard, Log** out) {
  std::lock_guard<std::mutex> l(s.mu);
  if (s.logs[shard] == nullptr) {
    SEGLOG_RETURN_IF_ERROR(store_->OpenLog(s.log_names[shard], &s.logs[shard]));
  }
  *out = s.logs[shard];
  return Status::OK();
}

Status Streams::Create(const std::string& name, const StreamConfig& config) {
  SEGLOG_RETURN_IF_ERROR(ValidateName("stream", name));
  SEGLOG_RETURN_IF_ERROR(config.Validate());
  std::vector<Store::LogSpec> specs(config.shard_count);
  for (uint32_t i = 0; i < config.shard_count; ++i) {
    specs[i].name = ShardLogName(name, i);
    specs[i].options = config.log;
    specs[i].props = {{kStreamProp, name},
                      {kShardProp, std::to_string(i)},
                      {kShardCountProp, std::to_string(config.shard_count)},
                      {kRetentionProp, std::to_string(config.retention_hours)},
                      {kMaxRecordProp, std::to_string(config.max_record_bytes)}};
    // Absent means relaxed: stores written before profiles existed read unchanged.
    if (config.limits == Limits::kAws) specs[i].props.emplace_back(kLimitsProp, kLimitsAws);
  }
  Status s = store_->CreateLogGroup(specs);
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("stream '" + name + "' already exists");
  }
  return s;
}

Status Streams::Delete(const std::string& name) {
  std::shared_ptr<Stream> s;
  SEGLOG_RETURN_IF_ERROR(Find(name, &s));
  std::unique_lock<WriterFirstLock> use(s->use);
  if (s->dead) return Status::NotFound("no stream named '" + name + "'");
  SEGLOG_RETURN_IF_ERROR(store_->DropLogGroup(s->log_names));
  s->dead = true;
  std::lock_guard<std::mutex> l(mu_);
  if (auto it = cache_.find(name); it != cache_.end() && it->second == s) cache_.erase(it);
  return Status::OK();
}

std::vector<std::string> Streams::List() const {
  std::vector<std::string> out;
  for (const auto& e : store_->CatalogSnapshot().logs) {
    const std::string* sn = Prop(e, kStreamProp);
    const std::string* sh = Prop(e, kShardProp);
    if (sn != nullptr && sh != nullptr && *sh == "0") out.push_back(*sn);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status Streams::Describe(const std::string& name, StreamDescription* out) {
  std::shared_ptr<Stream> s;
  SEGLOG_RETURN_IF_ERROR(Find(name, &s));
  std::shared_lock<WriterFirstLock> use(s->use);
  if (s->dead) return Status::NotFound("no stream named '" + name + "'");
  StreamDescription d;
  d.name = name;
  d.shard_count = s->shard_count;
  d.retention_hours = s->retention_hours.load();
  d.max_record_bytes = s->max_record_bytes;
  d.log = s->log;
  d.limits = s->limits;
  for (uint32_t i = 0; i < s->shard_count; ++i) {
    Log* log = nullptr;
    SEGLOG_RETURN_IF_ERROR(OpenShard(*s, i, &log));
    LogStats st = log->Stats();
    d.shards.push_back(ShardDescription{i, s->ranges[i], st.first_seq, st.next_seq, st.bytes,
                                        st.segments});
  }
  *out = std::move(d);
  return Status::OK();
}

Status Streams::SetRetention(const std::string& name, uint32_t hours) {
  SEGLOG_RETURN_IF_ERROR(ValidateRetention(hours, Limits::kRelaxed));  // before any lookup
  std::shared_ptr<Stream> s;
  SEGLOG_RETURN_IF_ERROR(Find(name, &s));
  SEGLOG_RETURN_IF_ERROR(ValidateRetention(hours, s->limits));
  std::shared_lock<WriterFirstLock> use(s->use);
  if (s->dead) return Status::NotFound("no stream named '" + name + "'");
  SEGLOG_RETURN_IF_ERROR(store_->SetLogProps(s->log_names, kRetentionProp, std::to_string(hours)));
  s->retention_hours.store(hours);
  return Status::OK();
}

Status Streams::RetentionCutoff(const std::string& name, TimestampMs* cutoff) {
  std::shared_ptr<Stream> s;
  SEGLOG_RETURN_IF_ERROR(Find(name, &s));
  *cutoff = store_->clock()->NowMs() - static_cast<int64_t>(s->retention_hours.load()) * kHourMs;
  return Status::OK();
}

Status Streams::Put(const std::string& name, const PutEntry& entry, PutResult* result) {
  std::vector<PutResult> r;
  SEGLOG_RETURN_IF_ERROR(PutImpl(name, std::span<const PutEntry>(&entry, 1), true, &r, nullptr));
  if (result != nullptr) *result = r[0];
  return Status::OK();
}

Status Streams::PutBatch(const std::string& name, std::span<const PutEntry> entries,
                         std::vector<PutResult>* results) {
  return PutImpl(name, entries, false, results, nullptr);
}

Status Streams::PutBatchEach(const std::string& name, std::span<const PutEntry> entries,
                             std::vector<PutOutcome>* out, size_t* failed) {
  if (store_->read_only()) {
    return Status::ReadOnly("put to stream '" + name + "': the store is open read-only");
  }
  SEGLOG_RETURN_IF_ERROR(PutImpl(name, entries, false, nullptr, out));
  size_t n = 0;
  for (const PutOutcome& o : *out) n += o.status.ok() ? 0 : 1;
  if (failed != nullptr) *failed = n;
  return Status::OK();
}

Status Streams::RoutePut(const Stream& s, std::span<const PutEntry> entries, bool single,
                         std::vector<uint32_t>* shard_of) {
  if (entries.empty()) return Status::InvalidArgument("put of no records");
  if (entries.size() > kMaxPutBatchRecords) {
    return Status::InvalidArgument("a put batch holds at most 500 records, got " +
                                   std::to_string(entries.size()));
  }
  // With one shard every hash key lands in it: no MD5 to compute.
  const bool one_shard = s.ranges.size() == 1;
  size_t total = 0;
  shard_of->assign(entries.size(), 0);
  for (size_t i = 0; i < entries.size(); ++i) {
    const PutEntry& e = entries[i];
    auto which = [&] { return entries.size() > 1 ? "record " + std::to_string(i) + ": " : ""; };
    SEGLOG_RETURN_IF_ERROR(ValidatePartitionKey(e.partition_key, s.limits, which()));
    if (e.data.size() > s.max_record_bytes) {
      return Status::TooLarge(which() + "record data of " + std::to_string(e.data.size()) +
                              " bytes exceeds the stream's limit of " +
                              std::to_string(s.max_record_bytes));
    }
    total += e.partition_key.size() + e.data.size();
    if (one_shard) continue;
    const HashKey k =
        e.explicit_hash_key ? *e.explicit_hash_key
                            : PartitionKeyHash(std::string_view(
                                  reinterpret_cast<const char*>(e.partition_key.data()),
                                  e.partition_key.size()));
    (*shard_of)[i] = ShardForHashKey(s.ranges, k);
  }
  if (!single && total > kMaxPutBatchBytes) {
    return Status::TooLarge("a put batch holds at most 5 MiB, got " + std::to_string(total) +
                            " bytes");
  }
  return Status::OK();
}

Status Streams::PutImpl(const std::string& name, std::span<const PutEntry> entries, bool single,
                        std::vector<PutResult>* results, std::vector<PutOutcome>* each) {
  std::shared_ptr<Stream> s;
  SEGLOG_RETURN_IF_ERROR(Find(name, &s));
  std::shared_lock<WriterFirstLock> use(s->use);
  if (s->dead) return Status::NotFound("no stream named '" + name + "'");
  // Validate everything before writing anything.
  thread_local PutScratch t;
  SEGLOG_RETURN_IF_ERROR(RoutePut(*s, entries, single, &t.shard_of));
  // One atomic batch per shard, in shard order.
  const std::vector<uint32_t>& shard_of = t.shard_of;
  if (each == nullptr) {
    results->assign(entries.size(), PutResult{});
  } else {
    each->assign(entries.size(), PutOutcome{});
  }
  std::vector<size_t>& order = t.order;
  order.resize(entries.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  if (!std::is_sorted(shard_of.begin(), shard_of.end())) {
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return shard_of[a] < shard_of[b]; });
  }
  std::vector<Log::Record>& recs = t.recs;
  for (size_t b = 0; b < order.size();) {
    const uint32_t shard = shard_of[order[b]];
    size_t e = b;
    recs.clear();
    while (e < order.size() && shard_of[order[e]] == shard) {
      const PutEntry& pe = entries[order[e]];
      recs.push_back(Log::Record{pe.partition_key, pe.data, {}});
      ++e;
    }
    Log* log = nullptr;
    SeqNo first;
    Status st = OpenShard(*s, shard, &log);
    if (st.ok()) st = log->Append(recs, &first);
    if (each == nullptr) {
      // All or nothing from the caller's view: the first failure ends the put.
      SEGLOG_RETURN_IF_ERROR(st);
      for (size_t k = b; k < e; ++k) (*results)[order[k]] = PutResult{shard, first + (k - b)};
    } else {
      // Every shard is tried; a failed shard's records carry its error.
      for (size_t k = b; k < e; ++k) {
        PutOutcome& o = (*each)[order[k]];
        o.shard = shard;
        if (st.ok()) {
          o.seq = first + (k - b);
        } else {
          o.status = st;
        }
      }
    }
    b = e;
  }
  return Status::OK();
}

Status Streams::NewIterator(const std::string& name, uint32_t shard, const IteratorSpec& spec,
                            std::unique_ptr<StreamIterator>* out) {
  std::shared_ptr<Stream> s;
  SEGLOG_RETURN_IF_ERROR(Find(name, &s));
  std::shared_lock<WriterFirstLock> use(s->use);
  if (s->dead) return Status::NotFound("no stream named '" + name + "'");
  SEGLOG_RETURN_IF_ERROR(CheckShard(*s, shard));
  Log* log = nullptr;
  SEGLOG_RETURN_IF_ERROR(OpenShard(*s, shard, &log));
  std::unique_ptr<LogIterator> it;
  const SeqNo next = log->next_seq();
  auto check_seq = [&]() -> Status {
    if (spec.seq >= next) {
      return Status::InvalidArgument("sequence number " + std::to_string(spec.seq.value()) +
                                     " is not in shard " + std::to_string(shard) +
                                     " (its next is " + std::to_string(next.value()) + ")");
    }
    return Status::OK();
  };
  switch (spec.type) {
    case IteratorType::kTrimHorizon:
      SEGLOG_RETURN_IF_ERROR(log->NewIterator(log->first_seq(), &it));
      break;
    case IteratorType::kLatest:
      SEGLOG_RETURN_IF_ERROR(log->NewIterator(next, &it));
      break;
    case IteratorType::kAtSequenceNumber:
      SEGLOG_RETURN_IF_ERROR(check_seq());
      SEGLOG_RETURN_IF_ERROR(log->NewIterator(spec.seq, &it));
      break;
    case IteratorType::kAfterSequenceNumber:
      SEGLOG_RETURN_IF_ERROR(check_seq());
      SEGLOG_RETURN_IF_ERROR(log->NewIterator(spec.seq + 1, &it));
      break;
    case IteratorType::kAtTimestamp:
      SEGLOG_RETURN_IF_ERROR(log->NewIteratorAtTime(spec.ts, &it));
      break;
  }
  if (!it) return Status::InvalidArgument("unknown iterator type");
  out->reset(new StreamIterator(this, log, shard, name, std::move(it)));
  return Status::OK();
}

Status StreamIterator::Next(size_t max_records, size_t max_bytes, std::vector<RecordView>* out) {
  max_records = std::clamp<size_t>(max_records, 1, kMaxGetRecords);
  max_bytes = max_bytes == 0 ? kMaxGetBytes : std::min(max_bytes, kMaxGetBytes);
  it_->ReleaseHeld();
  TimestampMs cutoff;
  SEGLOG_RETURN_IF_ERROR(owner_->RetentionCutoff(stream_, &cutoff));
  const size_t start = out->size();
  // Room for what can come at most (sequence numbers may have gaps): growing a large vector
  // record by record costs copies and, in fresh memory, a page fault per 4 KiB.
  const uint64_t next = log_->next_seq().value(), pos = it_->position().value();
  const size_t can_come = next > pos ? std::min<uint64_t>(next - pos, max_records) : 1;
  if (out->capacity() < start + can_come) {
    out->reserve(std::max(start + can_come, 2 * out->capacity()));  // geometric for appenders
  }
  size_t bytes = 0;
  bool full = false;
  while (!full && out->size() - start < max_records) {
    // A run of records of one batch at a time, then keep those unexpired and within max_bytes.
    const size_t first = out->size();
    Status s = it_->NextRetainingMany(max_records - (first - start), out);
    if (s.IsNoMore()) break;
    if (!s.ok()) {
      if (first == start) return s;
      break;  // return what we have; the error comes back on the next call
    }
    size_t kept = first;
    for (size_t i = first; i < out->size(); ++i) {
      const RecordView& r = (*out)[i];
      if (r.ts < cutoff) continue;  // expired: never returned
      const size_t size = r.key.size() + r.value.size();
      if (kept > start && bytes + size > max_bytes) {
        it_->Rewind(r);  // r and those after it come first next time
        full = true;
        break;
      }
      bytes += size;
      if (kept != i) (*out)[kept] = r;
      ++kept;
    }
    out->resize(kept);
  }
  return out->size() > start ? Status::OK() : Status::NoMore();
}

Status Streams::LoadCheckpointsLocked(Stream& s) {
  if (s.ckpt_loaded) return Status::OK();
  Log* log0 = nullptr;
  SEGLOG_RETURN_IF_ERROR(OpenShard(s, 0, &log0));
  const std::string path = log0->dir() + "/" + kCheckpointFile;
  s.ckpts.clear();
  if (io::PathExists(path)) {
    ByteBuffer bytes;
    SEGLOG_RETURN_IF_ERROR(io::ReadFile(path, &bytes));
    std::vector<format::CheckpointEntry> entries;
    SEGLOG_RETURN_IF_ERROR(format::DecodeCheckpoints(bytes, &entries).WithContext(path));
    for (auto& e : entries) s.ckpts[{e.consumer, e.shard}] = e.seq;
  }
  s.ckpt_loaded = true;
  return Status::OK();
}

Status Streams::SetCheckpoint(const std::string& name, const std::string& consumer,
                              uint32_t shard, SeqNo seq) {
  std::shared_ptr<Stream> s;
  SEGLOG_RETURN_IF_ERROR(Find(name, &s));
  std::shared_lock<WriterFirstLock> use(s->use);
  if (s->dead) return Status::NotFound("no stream named '" + name + "'");
  SEGLOG_RETURN_IF_ERROR(ValidateName("consumer", consumer));
  if (store_->read_only()) return Status::ReadOnly("store is open read-only");
  SEGLOG_RETURN_IF_ERROR(CheckShard(*s, shard));
  Log* log = nullptr;
  SEGLOG_RETURN_IF_ERROR(OpenShard(*s, shard, &log));
  if (seq >= log->next_seq()) {
    return Status::InvalidArgument("checkpoint " + std::to_string(seq.value()) +
                                   " is not a sequence number of shard " +
                                   std::to_string(shard) + " (its next is " +
                                   std::to_string(log->next_seq().value()) + ")");
  }
  std::lock_guard<std::mutex> l(ckpt_mu_);
  SEGLOG_RETURN_IF_ERROR(LoadCheckpointsLocked(*s));
  auto updated = s->ckpts;
  updated[{consumer, shard}] = seq;
  std::vector<format::CheckpointEntry> entries;
  for (const auto& [k, v] : updated) entries.push_back({k.first, k.second, v});
  Log* log0 = nullptr;
  SEGLOG_RETURN_IF_ERROR(OpenShard(*s, 0, &log0));
  SEGLOG_RETURN_IF_ERROR(log0->EnsureDirectory());  // shard 0 may have no record yet
  SEGLOG_RETURN_IF_ERROR(io::WriteFileAtomically(store_->file_system(),
                                                 log0->dir() + "/" + kCheckpointFile,
                                                 format::EncodeCheckpoints(entries)));
  s->ckpts = std::move(updated);
  return Status::OK();
}

Status Streams::GetCheckpoint(const std::string& name, const std::string& consumer,
                              uint32_t shard, SeqNo* seq) {
  std::shared_ptr<Stream> s;
  SEGLOG_RETURN_IF_ERROR(Find(name, &s));
  std::shared_lock<WriterFirstLock> use(s->use);
  if (s->dead) return Status::NotFound("no stream named '" + name + "'");
  SEGLOG_RETURN_IF_ERROR(ValidateName("consumer", consumer));
  SEGLOG_RETURN_IF_ERROR(CheckShard(*s, shard));
  std::lock_guard<std::mutex> l(ckpt_mu_);
  SEGLOG_RETURN_IF_ERROR(LoadCheckpointsLocked(*s));
  auto it = s->ckpts.find({consumer, shard});
  if (it == s->ckpts.end()) {
    return Status::NotFound("consumer '" + consumer + "' has no checkpoint on shard " +
                            std::to_string(shard) + " of '" + name + "'");
  }
  *seq = it->second;
  return Status::OK();
}

Status Streams::EnforceRetention() {
  Status first;
  size_t removed = 0;
  for (const std::string& name : List()) {
    std::shared_ptr<Stream> s;
    if (!Find(name, &s).ok()) continue;  // deleted meanwhile
    std::shared_lock<WriterFirstLock> use(s->use);
    if (s->dead) continue;
    TimestampMs cutoff;
    if (!RetentionCutoff(name, &cutoff).ok()) continue;
    for (uint32_t i = 0; i < s->shard_count; ++i) {
      Log* log = nullptr;
      Status st = OpenShard(*s, i, &log);
      size_t n = 0;
      if (st.ok()) st = log->RemoveSegmentsOlderThan(cutoff, &n);
      removed += n;
      if (!st.ok() && first.ok()) first = st.WithContext("retention of '" + name + "'");
    }
  }
  if (removed > 0) store_->RefillReserve();  // SPEC.md 13.8
  return first;
}

}  // namespace seglog
