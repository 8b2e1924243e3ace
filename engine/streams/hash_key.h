// Kinesis hash-key routing: a record's partition key is hashed with MD5 to a 128-bit unsigned
// integer (the digest read big-endian), and goes to the shard whose hash-key range holds it.
// A stream's shards split [0, 2^128) evenly at creation, exactly as Kinesis CreateStream does:
// shard i starts at floor(i * 2^128 / N). So the same key lands on the same shard index as it
// would in Kinesis for a stream of N shards that was never resharded.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "format/status.h"

namespace seglog {

__extension__ typedef unsigned __int128 HashKey;

struct HashKeyRange {
  HashKey start;
  HashKey end;  // inclusive
};

// MD5 of the partition key (OpenSSL libcrypto), as a big-endian 128-bit integer.
HashKey PartitionKeyHash(std::string_view partition_key);

// Decimal text, as Kinesis writes hash keys ("340282366920938463463374607431768211455").
std::string HashKeyToString(HashKey k);
// Parses an explicit hash key: decimal digits only, value < 2^128. InvalidArgument otherwise.
Status ParseHashKey(std::string_view s, HashKey* out);

// N contiguous ranges covering [0, 2^128 - 1]. REQUIRES: 1 <= shards.
std::vector<HashKeyRange> SplitHashKeySpace(uint32_t shards);
// Index of the range holding k. REQUIRES: ranges from SplitHashKeySpace (sorted, covering).
uint32_t ShardForHashKey(std::span<const HashKeyRange> ranges, HashKey k);

}  // namespace seglog
