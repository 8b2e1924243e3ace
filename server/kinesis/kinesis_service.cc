#include "server/kinesis/kinesis_service.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <utility>
#include <vector>

#include "server/kinesis/kinesis_impl.h"

namespace seglog::server {

using kinesis::ParseShardId;
using kinesis::ShardIdOf;
using kinesis::StreamArn;

// ---- input helpers

void InvalidArgument(std::string message) {
  throw ApiError(400, "InvalidArgumentException", std::move(message));
}
void Validation(std::string message) {
  throw ApiError(400, "ValidationException", std::move(message));
}

namespace {

const json* Member(const json& in, const char* key) {
  auto it = in.find(key);
  if (it == in.end() || it->is_null()) return nullptr;
  return &*it;
}

[[noreturn]] void WrongType(const char* key, const char* want) {
  InvalidArgument(std::string("Member ") + key + " must be " + want + ".");
}

[[noreturn]] void Missing(const char* key) {
  Validation(std::string("1 validation error detected: Value null at '") + key +
             "' failed to satisfy constraint: Member must not be null");
}

}  // namespace

std::optional<std::string> OptString(const json& in, const char* key) {
  const json* v = Member(in, key);
  if (!v) return std::nullopt;
  if (!v->is_string()) WrongType(key, "a string");
  return v->get<std::string>();
}

std::string ReqString(const json& in, const char* key) {
  auto v = OptString(in, key);
  if (!v) Missing(key);
  return *v;
}

std::optional<int64_t> OptInt(const json& in, const char* key) {
  const json* v = Member(in, key);
  if (!v) return std::nullopt;
  if (v->is_number_unsigned()) {
    const uint64_t u = v->get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) WrongType(key, "an integer in range");
    return static_cast<int64_t>(u);
  }
  if (!v->is_number_integer()) WrongType(key, "an integer");
  return v->get<int64_t>();
}

int64_t ReqInt(const json& in, const char* key) {
  auto v = OptInt(in, key);
  if (!v) Missing(key);
  return *v;
}

std::optional<double> OptNumber(const json& in, const char* key) {
  const json* v = Member(in, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) WrongType(key, "a number");
  const double d = v->get<double>();
  if (!std::isfinite(d)) WrongType(key, "a finite number");
  return d;
}

int64_t IntIn(const json& in, const char* key, int64_t lo, int64_t hi, int64_t dflt) {
  auto v = OptInt(in, key);
  if (!v) return dflt;
  if (*v < lo || *v > hi) {
    InvalidArgument(std::string(key) + " " + std::to_string(*v) + " is not in [" +
                    std::to_string(lo) + ", " + std::to_string(hi) + "].");
  }
  return *v;
}

// ---- Impl: shared parts

KinesisService::Impl::Impl(Streams* s, KinesisServiceOptions o)
    : streams(s),
      opt(std::move(o)),
      clock(opt.clock ? opt.clock : SystemClock::Default()),
      signer(opt.iterator_key) {}

KinesisService::Impl::Handler KinesisService::Impl::Find(std::string_view action) {
  static const std::map<std::string_view, Handler> kHandlers = {
      {"CreateStream", &Impl::CreateStream},
      {"DeleteStream", &Impl::DeleteStream},
      {"DescribeStream", &Impl::DescribeStream},
      {"DescribeStreamSummary", &Impl::DescribeStreamSummary},
      {"ListStreams", &Impl::ListStreams},
      {"ListShards", &Impl::ListShards},
      {"IncreaseStreamRetentionPeriod", &Impl::IncreaseStreamRetentionPeriod},
      {"DecreaseStreamRetentionPeriod", &Impl::DecreaseStreamRetentionPeriod},
      {"PutRecord", &Impl::PutRecord},
      {"PutRecords", &Impl::PutRecords},
      {"GetShardIterator", &Impl::GetShardIterator},
      {"GetRecords", &Impl::GetRecords},
  };
  auto it = kHandlers.find(action);
  return it == kHandlers.end() ? nullptr : it->second;
}

std::string KinesisService::Impl::StreamOf(const ServiceCall& c) const {
  auto name = OptString(c.input, "StreamName");
  auto arn = OptString(c.input, "StreamARN");
  std::string from_arn;
  if (arn && !kinesis::ParseStreamArn(*arn, &from_arn)) {
    InvalidArgument("StreamARN " + arn->substr(0, 256) + " is not a Kinesis stream ARN.");
  }
  if (name && arn && *name != from_arn) {
    InvalidArgument("StreamName " + ClipClientText(*name) + " and StreamARN " +
                    ClipClientText(*arn) +
                    " name different streams.");
  }
  if (!name && !arn) InvalidArgument("Either StreamName or StreamARN should be provided.");
  std::string n = name ? *name : from_arn;
  if (!kinesis::ValidStreamName(n)) {
    Validation("1 validation error detected: Value '" + n.substr(0, 256) +
               "' at 'streamName' failed to satisfy constraint: Member must satisfy regular "
               "expression pattern: [a-zA-Z0-9_.-]+ and have length 1 .. 128");
  }
  return n;
}

void KinesisService::Impl::Fail(const Status& s, const std::string& stream,
                                 const RequestContext& ctx) const {
  const std::string subject = "Stream " + stream + " under account " + ctx.account;
  switch (s.code()) {
    case StatusCode::kNotFound:
      throw ApiError(400, "ResourceNotFoundException", subject + " not found.");
    case StatusCode::kAlreadyExists:
      throw ApiError(400, "ResourceInUseException", subject + " already exists.");
    case StatusCode::kBusy:
      throw ApiError(400, "ResourceInUseException", subject + " is in use: " + s.message());
    case StatusCode::kInvalidArgument:
    case StatusCode::kTooLarge:
      InvalidArgument(s.message());
    default:
      throw ApiError(500, "InternalFailure", s.ToString(), false);
  }
}

void KinesisService::Impl::ShardNotFound(uint32_t shard, const std::string& stream,
                                         const RequestContext& ctx) const {
  throw ApiError(400, "ResourceNotFoundException",
                 "Shard " + ShardIdOf(shard) + " in stream " + stream + " under account " +
                     ctx.account + " does not exist");
}

StreamDescription KinesisService::Impl::Describe(const std::string& stream,
                                                 const RequestContext& ctx) {
  StreamDescription d;
  Check(streams->Describe(stream, &d), stream, ctx);
  return d;
}

KinesisService::Impl::StreamMeta KinesisService::Impl::Meta(const std::string& stream) {
  std::lock_guard<std::mutex> l(mu);
  auto [it, fresh] = meta.try_emplace(stream);
  if (fresh) it->second.created_ms = NowMs();
  return it->second;
}

json KinesisService::Impl::ShardJson(const ShardDescription& d) const {
  return json{
      {"ShardId", ShardIdOf(d.shard)},
      {"HashKeyRange",
       {{"StartingHashKey", HashKeyToString(d.hash_range.start)},
        {"EndingHashKey", HashKeyToString(d.hash_range.end)}}},
      {"SequenceNumberRange",
       {{"StartingSequenceNumber", kinesis::SequenceNumberOf(d.shard, SeqNo(0))}}},
  };
}

namespace {

// The shard index after which a listing starts: ExclusiveStartShardId's + 1, or 0.
uint32_t FirstShardAfter(const std::optional<std::string>& exclusive_start) {
  if (!exclusive_start) return 0;
  uint32_t s = 0;
  if (!ParseShardId(*exclusive_start, &s)) {
    InvalidArgument("ExclusiveStartShardId " + exclusive_start->substr(0, 256) +
                    " is not a shard id (shardId-000000000000).");
  }
  return s == UINT32_MAX ? s : s + 1;  // UINT32_MAX: past every shard either way
}

}  // namespace

// ---- stream administration

json KinesisService::Impl::CreateStream(const ServiceCall& c) {
  const std::string name = ReqString(c.input, "StreamName");
  if (!kinesis::ValidStreamName(name)) (void)StreamOf(c);  // throws the pattern's error
  std::string mode = "PROVISIONED";
  bool mode_given = false;
  if (const json* m = Member(c.input, "StreamModeDetails")) {
    if (!m->is_object()) WrongType("StreamModeDetails", "an object");
    mode = ReqString(*m, "StreamMode");
    mode_given = true;
    if (mode != "PROVISIONED" && mode != "ON_DEMAND") {
      InvalidArgument("StreamMode " + mode.substr(0, 64) + " is not PROVISIONED or ON_DEMAND.");
    }
  }
  auto count = OptInt(c.input, "ShardCount");
  if (!count) {
    if (mode_given && mode == "PROVISIONED") {
      InvalidArgument("ShardCount is required for a PROVISIONED stream.");
    }
    mode = "ON_DEMAND";  // seglog's on-demand stream: 4 shards, never resharded
    count = kOnDemandShards;
  }
  if (*count < 1) InvalidArgument("ShardCount must be at least 1.");
  if (*count > kMaxShards) {
    throw ApiError(400, "LimitExceededException",
                   "This request would exceed the shard limit for the account " +
                       c.ctx.account + ". Current limit: " + std::to_string(kMaxShards) + ".");
  }
  StreamConfig cfg;
  cfg.shard_count = static_cast<uint32_t>(*count);
  cfg.limits = opt.limits;
  cfg.log.durability = opt.durability;
  if (auto kib = OptInt(c.input, "MaxRecordSizeInKiB")) {
    if (*kib < 1024 || *kib > kMaxMaxRecordBytes / 1024) {
      InvalidArgument("MaxRecordSizeInKiB must be 1024 .. 10240.");
    }
    cfg.max_record_bytes = static_cast<uint32_t>(*kib * 1024);
  }
  Check(streams->Create(name, cfg), name, c.ctx);
  std::lock_guard<std::mutex> l(mu);
  meta[name] = StreamMeta{NowMs(), mode};
  return json::object();
}

json KinesisService::Impl::DeleteStream(const ServiceCall& c) {
  const std::string name = StreamOf(c);
  if (const json* e = Member(c.input, "EnforceConsumerDeletion"); e && !e->is_boolean()) {
    WrongType("EnforceConsumerDeletion", "a boolean");
  }
  Check(streams->Delete(name), name, c.ctx);
  std::lock_guard<std::mutex> l(mu);
  meta.erase(name);
  return json::object();
}

json KinesisService::Impl::DescribeStream(const ServiceCall& c) {
  const std::string name = StreamOf(c);
  const int64_t limit = std::min<int64_t>(IntIn(c.input, "Limit", 1, 10000, 100), 100);
  const uint32_t first = FirstShardAfter(OptString(c.input, "ExclusiveStartShardId"));
  const StreamDescription d = Describe(name, c.ctx);
  const StreamMeta m = Meta(name);
  json shards = json::array();
  uint32_t i = first;
  for (; i < d.shards.size() && shards.size() < static_cast<size_t>(limit); ++i) {
    shards.push_back(ShardJson(d.shards[i]));
  }
  return json{{"StreamDescription",
               {{"StreamName", name},
                {"StreamARN", StreamArn(c.ctx.region, c.ctx.account, name)},
                {"StreamStatus", "ACTIVE"},
                {"StreamModeDetails", {{"StreamMode", m.mode}}},
                {"Shards", std::move(shards)},
                {"HasMoreShards", i < d.shards.size()},
                {"RetentionPeriodHours", d.retention_hours},
                {"StreamCreationTimestamp", EpochSeconds(m.created_ms)},
                {"EnhancedMonitoring", json::array({{{"ShardLevelMetrics", json::array()}}})},
                {"EncryptionType", "NONE"}}}};
}

json KinesisService::Impl::DescribeStreamSummary(const ServiceCall& c) {
  const std::string name = StreamOf(c);
  const StreamDescription d = Describe(name, c.ctx);
  const StreamMeta m = Meta(name);
  return json{{"StreamDescriptionSummary",
               {{"StreamName", name},
                {"StreamARN", StreamArn(c.ctx.region, c.ctx.account, name)},
                {"StreamStatus", "ACTIVE"},
                {"StreamModeDetails", {{"StreamMode", m.mode}}},
                {"RetentionPeriodHours", d.retention_hours},
                {"StreamCreationTimestamp", EpochSeconds(m.created_ms)},
                {"EnhancedMonitoring", json::array({{{"ShardLevelMetrics", json::array()}}})},
                {"EncryptionType", "NONE"},
                {"OpenShardCount", d.shard_count},
                {"MaxRecordSizeInKiB", d.max_record_bytes / 1024},
                {"ConsumerCount", 0}}}};
}

json KinesisService::Impl::ListStreams(const ServiceCall& c) {
  const int64_t limit = std::min<int64_t>(IntIn(c.input, "Limit", 1, 10000, 100), 100);
  std::optional<std::string> after = OptString(c.input, "ExclusiveStartStreamName");
  if (auto token = OptString(c.input, "NextToken")) {
    std::string last;
    if (!kinesis::Base64UrlDecode(*token, &last) || !kinesis::ValidStreamName(last)) {
      InvalidArgument("NextToken is not one ListStreams gave.");
    }
    after = last;
  }
  std::vector<std::string> names = streams->List();
  std::sort(names.begin(), names.end());
  auto it = after ? std::upper_bound(names.begin(), names.end(), *after) : names.begin();
  json out_names = json::array(), summaries = json::array();
  for (; it != names.end() && out_names.size() < static_cast<size_t>(limit); ++it) {
    const StreamMeta m = Meta(*it);
    out_names.push_back(*it);
    summaries.push_back({{"StreamName", *it},
                         {"StreamARN", StreamArn(c.ctx.region, c.ctx.account, *it)},
                         {"StreamStatus", "ACTIVE"},
                         {"StreamModeDetails", {{"StreamMode", m.mode}}},
                         {"StreamCreationTimestamp", EpochSeconds(m.created_ms)}});
  }
  const bool more = it != names.end();
  json out{{"StreamNames", out_names}, {"StreamSummaries", summaries}, {"HasMoreStreams", more}};
  if (more) out["NextToken"] = kinesis::Base64UrlEncode(out_names.back().get<std::string>());
  return out;
}

json KinesisService::Impl::ListShards(const ServiceCall& c) {
  const int64_t max = IntIn(c.input, "MaxResults", 1, 10000, 1000);
  std::string name;
  uint32_t first = 0;
  if (auto token = OptString(c.input, "NextToken")) {
    if (Member(c.input, "StreamName") || Member(c.input, "StreamARN")) {
      InvalidArgument("NextToken and StreamName cannot be provided together.");
    }
    std::string raw;
    const size_t bar = kinesis::Base64UrlDecode(*token, &raw) ? raw.find('|') : std::string::npos;
    if (bar == std::string::npos || !ParseShardId(raw.substr(bar + 1), &first) ||
        !kinesis::ValidStreamName(raw.substr(0, bar))) {
      InvalidArgument("NextToken is not one ListShards gave.");
    }
    name = raw.substr(0, bar);
    if (first < UINT32_MAX) ++first;
  } else {
    name = StreamOf(c);
    first = FirstShardAfter(OptString(c.input, "ExclusiveStartShardId"));
    if (const json* f = Member(c.input, "ShardFilter")) {
      if (!f->is_object()) WrongType("ShardFilter", "an object");
      // Every shard is open and has always been: only AFTER_SHARD_ID narrows the list.
      if (ReqString(*f, "Type") == "AFTER_SHARD_ID") {
        first = std::max(first, FirstShardAfter(ReqString(*f, "ShardId")));
      }
    }
  }
  const StreamDescription d = Describe(name, c.ctx);
  json shards = json::array();
  uint32_t i = first;
  for (; i < d.shards.size() && shards.size() < static_cast<size_t>(max); ++i) {
    shards.push_back(ShardJson(d.shards[i]));
  }
  json out{{"Shards", std::move(shards)}};
  if (i < d.shards.size()) {
    out["NextToken"] = kinesis::Base64UrlEncode(name + "|" + ShardIdOf(i - 1));
  }
  return out;
}

json KinesisService::Impl::RetentionChange(const ServiceCall& c, bool increase) {
  const std::string name = StreamOf(c);
  const int64_t hours = ReqInt(c.input, "RetentionPeriodHours");
  if (hours < 1 || hours > kMaxRetentionHours) {
    InvalidArgument("RetentionPeriodHours " + std::to_string(hours) +
                    " is not in [1, 8760] hours.");
  }
  const StreamDescription d = Describe(name, c.ctx);
  const int64_t now = d.retention_hours;
  if (increase && hours < now) {
    InvalidArgument("Requested retention period (" + std::to_string(hours) +
                    " hours) for stream " + name +
                    " can not be shorter than existing retention period (" +
                    std::to_string(now) + " hours). Use DecreaseRetentionPeriod API.");
  }
  if (!increase && hours > now) {
    InvalidArgument("Requested retention period (" + std::to_string(hours) +
                    " hours) for stream " + name +
                    " can not be longer than existing retention period (" +
                    std::to_string(now) + " hours). Use IncreaseRetentionPeriod API.");
  }
  Check(streams->SetRetention(name, static_cast<uint32_t>(hours)), name, c.ctx);
  return json::object();
}

json KinesisService::Impl::IncreaseStreamRetentionPeriod(const ServiceCall& c) {
  return RetentionChange(c, true);
}
json KinesisService::Impl::DecreaseStreamRetentionPeriod(const ServiceCall& c) {
  return RetentionChange(c, false);
}

// ---- KinesisService

KinesisService::KinesisService(Streams* streams, KinesisServiceOptions opt)
    : impl_(std::make_unique<Impl>(streams, std::move(opt))) {}

KinesisService::~KinesisService() = default;

void KinesisService::Call(ServiceCall call, ServiceDone done) {
  ServiceOutcome out;
  const Impl::Handler h = Impl::Find(call.action);
  try {
    if (!h) {
      throw ApiError(400, "UnknownOperationException",
                     "seglog does not support the Kinesis operation " +
                         call.action.substr(0, 128) + " yet.");
    }
    if (!call.input.is_object()) InvalidArgument("The request body must be a JSON object.");
    out.output = (impl_.get()->*h)(call);
  } catch (const ApiError& e) {
    out.error = e.err;
  } catch (const json::exception& e) {
    out.error = ServiceError{400, "InvalidArgumentException", e.what(), true};
  } catch (const std::bad_alloc&) {
    out.error = ServiceError{500, "InternalFailure", "out of memory", false};
  } catch (const std::exception& e) {
    out.error = ServiceError{500, "InternalFailure", e.what(), false};
  }
  done(std::move(out));
}

size_t KinesisService::MaxRequestBytes(std::string_view action) const {
  // Base64 of n bytes, every character possibly escaped as "\/" (2 bytes), plus headroom for
  // names, keys and JSON punctuation.
  constexpr size_t kSlack = 64 * 1024;
  auto blob = [](size_t n) { return 2 * ((n + 2) / 3 * 4); };
  if (action == "PutRecords") {
    // Partition keys: 256 characters each, up to 12 bytes each as escaped surrogate pairs.
    return blob(kMaxPutBatchBytes) + kMaxPutBatchRecords * (256 * 12 + 256) + kSlack;
  }
  if (action == "PutRecord") return blob(kMaxMaxRecordBytes) + 256 * 12 + kSlack;
  return Impl::Find(action) ? kSlack : 0;
}

}  // namespace seglog::server
