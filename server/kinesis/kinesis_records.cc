// KinesisService's record operations: PutRecord, PutRecords, GetShardIterator, GetRecords.
// No engine iterator outlives a call: GetRecords opens one at its token's position, reads,
// and closes it (the engine refuses DeleteStream while iterators are open).
#include <algorithm>
#include <cmath>
#include <vector>

#include "server/kinesis/kinesis_impl.h"

namespace seglog::server {

using kinesis::IteratorToken;
using kinesis::SequenceNumberOf;
using kinesis::ShardIdOf;

namespace {

ByteView View(const std::string& s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string Str(ByteView v) { return std::string(reinterpret_cast<const char*>(v.data()), v.size()); }

std::string DecodeData(const std::string& b64, const char* where) {
  std::string data;
  if (!kinesis::Base64Decode(b64, &data)) {
    InvalidArgument(std::string(where) + " is not valid base64.");
  }
  return data;
}

// One record's input, its bytes owned (PutEntry views them).
struct OwnedEntry {
  std::string key;
  std::string data;
  std::optional<HashKey> hash;
  PutEntry View() const { return PutEntry{server::View(key), server::View(data), hash}; }
};

OwnedEntry ReadEntry(const json& in, const char* where) {
  if (!in.is_object()) InvalidArgument(std::string(where) + " must be an object.");
  OwnedEntry e;
  e.data = DecodeData(ReqString(in, "Data"), "Data");
  e.key = ReqString(in, "PartitionKey");
  if (auto h = OptString(in, "ExplicitHashKey")) {
    HashKey k{};
    if (!ParseHashKey(*h, &k).ok()) {
      InvalidArgument("ExplicitHashKey " + h->substr(0, 64) +
                      " is not a decimal number in [0, 2^128).");
    }
    e.hash = k;
  }
  return e;
}

uint32_t ShardOf(const std::string& shard_id) {
  uint32_t s = 0;
  // A malformed id can name no shard: the same error as one out of range.
  return kinesis::ParseShardId(shard_id, &s) ? s : UINT32_MAX;
}

}  // namespace

json KinesisService::Impl::PutRecord(const ServiceCall& c) {
  const std::string name = StreamOf(c);
  const OwnedEntry e = ReadEntry(c.input, "The record");
  if (auto ord = OptString(c.input, "SequenceNumberForOrdering")) {
    uint32_t shard = 0;
    SeqNo seq;
    Check(kinesis::ParseSequenceNumber(*ord, &shard, &seq), name, c.ctx);
    // Accepted only: every shard's sequence numbers already increase strictly.
  }
  PutResult r;
  Check(streams->Put(name, e.View(), &r), name, c.ctx);
  return json{{"ShardId", ShardIdOf(r.shard)},
              {"SequenceNumber", SequenceNumberOf(r.shard, r.seq)},
              {"EncryptionType", "NONE"}};
}

json KinesisService::Impl::PutRecords(const ServiceCall& c) {
  const std::string name = StreamOf(c);
  auto it = c.input.find("Records");
  if (it == c.input.end() || it->is_null()) {
    Validation("1 validation error detected: Value null at 'records' failed to satisfy "
               "constraint: Member must not be null");
  }
  if (!it->is_array()) InvalidArgument("Records must be a list.");
  if (it->empty() || it->size() > kMaxPutBatchRecords) {
    InvalidArgument("Records must hold 1 .. 500 records; it holds " +
                    std::to_string(it->size()) + ".");
  }
  std::vector<OwnedEntry> owned;
  owned.reserve(it->size());
  for (const json& r : *it) owned.push_back(ReadEntry(r, "Each record"));
  std::vector<PutEntry> entries;
  entries.reserve(owned.size());
  for (const OwnedEntry& e : owned) entries.push_back(e.View());
  std::vector<PutOutcome> outcomes;
  size_t failed = 0;
  Check(streams->PutBatchEach(name, entries, &outcomes, &failed), name, c.ctx);
  json records = json::array();
  for (const PutOutcome& o : outcomes) {
    if (o.status.ok()) {
      records.push_back({{"SequenceNumber", SequenceNumberOf(o.shard, o.seq)},
                         {"ShardId", ShardIdOf(o.shard)}});
    } else {
      records.push_back({{"ErrorCode", "InternalFailure"},
                         {"ErrorMessage", "Internal Service Failure"}});
    }
  }
  return json{{"FailedRecordCount", failed},
              {"Records", std::move(records)},
              {"EncryptionType", "NONE"}};
}

json KinesisService::Impl::GetShardIterator(const ServiceCall& c) {
  const std::string name = StreamOf(c);
  const std::string shard_id = ReqString(c.input, "ShardId");
  const std::string type = ReqString(c.input, "ShardIteratorType");
  const StreamDescription d = Describe(name, c.ctx);
  const uint32_t shard = ShardOf(shard_id);
  if (shard >= d.shards.size()) ShardNotFound(shard, name, c.ctx);
  const ShardDescription& sd = d.shards[shard];
  IteratorToken t;
  t.stream = name;
  t.shard = shard;
  if (type == "TRIM_HORIZON") {
    t.seq = sd.first_seq.value();  // records expired since: GetRecords starts at the oldest kept
  } else if (type == "LATEST") {
    t.seq = sd.next_seq.value();
  } else if (type == "AT_SEQUENCE_NUMBER" || type == "AFTER_SEQUENCE_NUMBER") {
    auto text = OptString(c.input, "StartingSequenceNumber");
    if (!text) InvalidArgument("StartingSequenceNumber is required for " + type + ".");
    uint32_t of = 0;
    SeqNo seq;
    Check(kinesis::ParseSequenceNumber(*text, &of, &seq), name, c.ctx);
    const bool after = type == "AFTER_SEQUENCE_NUMBER";
    // AT may name the shard's next record (e.g. its StartingSequenceNumber while empty).
    if (of != shard || seq > sd.next_seq || (after && seq == sd.next_seq)) {
      InvalidArgument("StartingSequenceNumber " + *text + " used in GetShardIterator on shard " +
                      shard_id + " in stream " + name + " under account " + c.ctx.account +
                      " is invalid.");
    }
    t.seq = seq.value() + (after ? 1 : 0);
  } else if (type == "AT_TIMESTAMP") {
    auto ts = OptNumber(c.input, "Timestamp");
    if (!ts) InvalidArgument("Timestamp is required for AT_TIMESTAMP.");
    if (*ts < 0 || *ts > 1e13) InvalidArgument("Timestamp is out of range.");
    t.at_timestamp = true;
    t.timestamp_ms = static_cast<int64_t>(std::floor(*ts * 1000.0));
  } else {
    InvalidArgument("ShardIteratorType " + type.substr(0, 64) +
                    " is not TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER "
                    "or AT_TIMESTAMP.");
  }
  t.issued_ms = NowMs();
  return json{{"ShardIterator", signer.Encode(t)}};
}

std::unique_ptr<StreamIterator> KinesisService::Impl::OpenAt(const IteratorToken& t,
                                                            const RequestContext& ctx) {
  IteratorSpec spec;
  if (t.at_timestamp) {
    spec.type = IteratorType::kAtTimestamp;
    spec.ts = TimestampMs(t.timestamp_ms);
  } else {
    spec.type = IteratorType::kAtSequenceNumber;  // the first record >= seq, expired skipped
    spec.seq = SeqNo(t.seq);
  }
  std::unique_ptr<StreamIterator> it;
  const Status s = streams->NewIterator(t.stream, t.shard, spec, &it);
  if (s.ok()) return it;
  if (s.code() != StatusCode::kInvalidArgument) Fail(s, t.stream, ctx);
  // The engine refuses a sequence number at or past the shard's next: caught up, unless the
  // stream is gone or no longer has that shard or position (deleted and created again).
  const StreamDescription d = Describe(t.stream, ctx);
  if (t.shard >= d.shards.size()) ShardNotFound(t.shard, t.stream, ctx);
  if (!t.at_timestamp && t.seq == d.shards[t.shard].next_seq.value()) return nullptr;
  throw ApiError(400, "ExpiredIteratorException",
                 "Shard iterator's position is past the end of shard " + ShardIdOf(t.shard) +
                     " (was the stream deleted and created again?).");
}

json KinesisService::Impl::GetRecords(const ServiceCall& c) {
  const std::string text = ReqString(c.input, "ShardIterator");
  const int64_t limit = IntIn(c.input, "Limit", 1, kMaxGetRecords, kMaxGetRecords);
  IteratorToken t;
  const Status ds = signer.Decode(text, &t);
  const int64_t now = NowMs();
  if (ds.code() == StatusCode::kStale) {
    throw ApiError(400, "ExpiredIteratorException",
                   "Iterator expired: it was issued by an earlier seglogd process (another "
                   "signing key). Get a new one with GetShardIterator.");
  }
  if (ds.ok() && now - t.issued_ms > kIteratorLifetimeMs) {
    throw ApiError(400, "ExpiredIteratorException",
                   "Iterator expired. The iterator was created at time " +
                       std::to_string(t.issued_ms) + " while right now it is " +
                       std::to_string(now) +
                       " which is further in the future than the tolerated delay of 300000 "
                       "milliseconds.");
  }
  if (!ds.ok()) InvalidArgument(ds.message());
  if (OptString(c.input, "StreamARN") && StreamOf(c) != t.stream) {
    InvalidArgument("StreamARN does not name the stream of the ShardIterator.");
  }
  json records = json::array();
  int64_t behind = 0;
  IteratorToken next = t;
  if (std::unique_ptr<StreamIterator> it = OpenAt(t, c.ctx)) {
    std::vector<RecordView> got;
    const Status s = it->Next(static_cast<size_t>(limit), kMaxGetBytes, &got);
    if (!s.ok() && !s.IsNoMore()) Fail(s, t.stream, c.ctx);
    for (const RecordView& r : got) {
      records.push_back({{"SequenceNumber", SequenceNumberOf(t.shard, r.seq)},
                         {"ApproximateArrivalTimestamp", EpochSeconds(r.ts.value())},
                         {"Data", kinesis::Base64Encode(Str(r.value))},
                         {"PartitionKey", Str(r.key)}});
    }
    if (!got.empty()) {
      next.at_timestamp = false;
      next.seq = got.back().seq.value() + 1;
      const int64_t last_ts = got.back().ts.value();
      // Behind unless nothing follows the last record returned (a one-record peek; the
      // views of `got` are not used after it).
      std::vector<RecordView> peek;
      if (it->Next(1, 1, &peek).ok()) behind = std::max<int64_t>(0, now - last_ts);
    } else if (!t.at_timestamp) {
      next.seq = std::max(t.seq, it->position().value());  // past skipped expired records
    }
  }
  next.issued_ms = now;
  return json{{"Records", std::move(records)},
              {"NextShardIterator", signer.Encode(next)},
              {"MillisBehindLatest", behind}};
}

}  // namespace seglog::server
