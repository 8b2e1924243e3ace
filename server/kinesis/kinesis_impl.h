// KinesisService's insides, shared by kinesis_service.cc (dispatch, stream administration) and
// kinesis_records.cc (puts, shard iterators, reads). Private to server/kinesis/.
//
// Handlers read the JSON input through the helpers below, which throw ApiError for a bad or
// missing member; Call turns every exception into an error outcome, so no input crashes.
//
// Lifetime: owned by KinesisService. Concurrency: handlers run on any thread at once; `mu`
// guards `meta`, the rest is immutable. Durability: `meta` is per process.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "server/kinesis/kinesis_service.h"
#include "server/kinesis/kinesis_wire.h"

namespace seglog::server {

using nlohmann::json;

inline constexpr int64_t kIteratorLifetimeMs = 5 * 60 * 1000;
inline constexpr uint32_t kOnDemandShards = 4;

// An error answer, thrown by input helpers and handlers and caught in Call.
struct ApiError : std::runtime_error {
  ServiceError err;
  ApiError(int status, std::string code, std::string message, bool sender_fault = true)
      : std::runtime_error(message), err{status, std::move(code), std::move(message),
                                         sender_fault} {}
};
[[noreturn]] void InvalidArgument(std::string message);
[[noreturn]] void Validation(std::string message);

// Members of the input object. Absent (or null) -> nullopt; wrong JSON type ->
// InvalidArgumentException. Req*: absent -> ValidationException.
std::optional<std::string> OptString(const json& in, const char* key);
std::string ReqString(const json& in, const char* key);
std::optional<int64_t> OptInt(const json& in, const char* key);
int64_t ReqInt(const json& in, const char* key);
std::optional<double> OptNumber(const json& in, const char* key);
// An integer member within [lo, hi] (InvalidArgumentException outside), or `dflt`.
int64_t IntIn(const json& in, const char* key, int64_t lo, int64_t hi, int64_t dflt);

// Epoch milliseconds as the JSON protocol's timestamp: seconds, fractional.
inline double EpochSeconds(int64_t ms) { return static_cast<double>(ms) / 1000.0; }

struct KinesisService::Impl {
  Impl(Streams* s, KinesisServiceOptions o);

  using Handler = json (Impl::*)(const ServiceCall&);
  static Handler Find(std::string_view action);

  // Stream administration (kinesis_service.cc).
  json CreateStream(const ServiceCall& c);
  json DeleteStream(const ServiceCall& c);
  json DescribeStream(const ServiceCall& c);
  json DescribeStreamSummary(const ServiceCall& c);
  json ListStreams(const ServiceCall& c);
  json ListShards(const ServiceCall& c);
  json IncreaseStreamRetentionPeriod(const ServiceCall& c);
  json DecreaseStreamRetentionPeriod(const ServiceCall& c);
  // Records (kinesis_records.cc).
  json PutRecord(const ServiceCall& c);
  json PutRecords(const ServiceCall& c);
  json GetShardIterator(const ServiceCall& c);
  json GetRecords(const ServiceCall& c);

  // The stream a call names by StreamName or StreamARN (both: they must agree).
  std::string StreamOf(const ServiceCall& c) const;
  // Throws the API error for an engine status about `stream`.
  [[noreturn]] void Fail(const Status& s, const std::string& stream,
                         const RequestContext& ctx) const;
  void Check(const Status& s, const std::string& stream, const RequestContext& ctx) const {
    if (!s.ok()) Fail(s, stream, ctx);
  }
  StreamDescription Describe(const std::string& stream, const RequestContext& ctx);
  json ShardJson(const ShardDescription& d) const;
  json RetentionChange(const ServiceCall& c, bool increase);
  [[noreturn]] void ShardNotFound(uint32_t shard, const std::string& stream,
                                  const RequestContext& ctx) const;
  // An engine iterator at the token's position, or null when the position is the shard's end
  // (nothing to read yet).
  std::unique_ptr<StreamIterator> OpenAt(const kinesis::IteratorToken& t,
                                         const RequestContext& ctx);
  int64_t NowMs() { return clock->NowMs().value(); }

  struct StreamMeta {
    int64_t created_ms = 0;
    std::string mode = "PROVISIONED";
  };
  // The stream's meta, recorded now as PROVISIONED when first seen.
  StreamMeta Meta(const std::string& stream);

  Streams* const streams;
  const KinesisServiceOptions opt;
  Clock* const clock;
  const kinesis::IteratorSigner signer;
  std::mutex mu;
  std::map<std::string, StreamMeta> meta;
};

}  // namespace seglog::server
