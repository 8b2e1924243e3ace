// The Kinesis adapter's wire values: base64 blobs, shard ids, stream names and ARNs, sequence
// numbers and shard iterator tokens. Pure functions over strings (no engine calls), so each
// can be tested and fuzzed alone.
//
// Sequence numbers (SPEC.md): 56 decimal digits, "49" + the shard index in 4 digits + the
// engine's per-shard sequence number zero-padded to 50 digits. Fixed width, so text order is
// numeric order; unique within a stream (the shard is embedded); increasing per shard.
//
// Shard iterators: base64url (no padding) of
//   "1|<key id>|<stream>|<shard>|<kind S or T>|<value>|<issued ms>|<hex HMAC-SHA256 of all before>"
// where kind S's value is the engine sequence number to read next and kind T's a timestamp in
// ms (AT_TIMESTAMP, until it has returned a record). The key id (8 hex digits of an HMAC of a
// constant) tells a token of another key (a restarted process: expired) from a forged one.
//
// Lifetime/concurrency: stateless functions; IteratorSigner is immutable after construction
// and may be shared by threads. Durability: none (tokens outlive a restart only when signed
// with a configured key).
#pragma once

#include "server/base64.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "format/status.h"
#include "format/types.h"

namespace seglog::server::kinesis {

// Base64 (server/base64.h), named here too (kinesis::Base64Encode, ...).
using server::Base64Decode;
using server::Base64Encode;
using server::Base64UrlDecode;
using server::Base64UrlEncode;

// "shardId-000000000007".
std::string ShardIdOf(uint32_t shard);
// Parses "shardId-" + 12 digits (the value may be any uint32). false when malformed.
bool ParseShardId(std::string_view id, uint32_t* shard);

// Kinesis's stream name rule: 1 .. 128 characters of [a-zA-Z0-9_.-].
bool ValidStreamName(std::string_view name);
std::string StreamArn(std::string_view region, std::string_view account, std::string_view name);
// The stream name of "arn:<partition>:kinesis:<region>:<account>:stream/<name>"; false when it
// is not such an ARN.
bool ParseStreamArn(std::string_view arn, std::string* name);

inline constexpr size_t kSequenceNumberDigits = 56;
std::string SequenceNumberOf(uint32_t shard, SeqNo seq);
// InvalidArgument unless `text` is one of ours (56 digits, "49", shard < 10000, value < 2^64).
Status ParseSequenceNumber(std::string_view text, uint32_t* shard, SeqNo* seq);

struct IteratorToken {
  std::string stream;
  uint32_t shard = 0;
  // The position: the next engine sequence number to read, or (at_timestamp) the first record
  // at or after `timestamp_ms`.
  bool at_timestamp = false;
  uint64_t seq = 0;
  int64_t timestamp_ms = 0;
  int64_t issued_ms = 0;
};

class IteratorSigner {
 public:
  // key "" = 32 random bytes.
  explicit IteratorSigner(std::string key);
  std::string Encode(const IteratorToken& t) const;
  // InvalidArgument when malformed or its MAC does not match (tampered); Stale when well formed
  // but signed by another key (issued before a restart).
  Status Decode(std::string_view text, IteratorToken* out) const;

 private:
  std::string Mac(std::string_view payload) const;  // lower-case hex
  std::string key_;
  std::string key_id_;
};

}  // namespace seglog::server::kinesis
