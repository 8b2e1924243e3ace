#include "engine/streams/hash_key.h"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "engine/log/digest.h"

namespace seglog {

namespace {
constexpr HashKey kMax = ~HashKey{0};  // 2^128 - 1
}  // namespace

HashKey PartitionKeyHash(std::string_view partition_key) {
  const std::array<uint8_t, 16> digest =
      Md5({reinterpret_cast<const uint8_t*>(partition_key.data()), partition_key.size()});
  HashKey k = 0;
  for (unsigned int i = 0; i < 16; ++i) k = (k << 8) | digest[i];
  return k;
}


std::string HashKeyToString(HashKey k) {
  if (k == 0) return "0";
  std::string s;
  while (k != 0) {
    s.push_back(static_cast<char>('0' + static_cast<int>(k % 10)));
    k /= 10;
  }
  std::reverse(s.begin(), s.end());
  return s;
}

Status ParseHashKey(std::string_view s, HashKey* out) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument("explicit hash key '" + std::string(s.substr(0, 64)) + "' " +
                                   why + " (expected a decimal integer below 2^128)");
  };
  if (s.empty()) return bad("is empty");
  if (s.size() > 39) return bad("is too long");
  HashKey v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return bad("has a non-digit");
    const HashKey d = static_cast<HashKey>(c - '0');
    if (v > (kMax - d) / 10) return bad("is 2^128 or more");
    v = v * 10 + d;
  }
  *out = v;
  return Status::OK();
}

std::vector<HashKeyRange> SplitHashKeySpace(uint32_t shards) {
  // 2^128 = q * N + r, computed without a 129-bit integer: from 2^128 - 1 = q' * N + r'.
  const HashKey n = shards;
  HashKey q = kMax / n;
  HashKey r = kMax % n + 1;
  if (r == n) {
    ++q;
    r = 0;
  }
  // start_i = floor(i * 2^128 / N) = i * q + floor(i * r / N); i * r < N^2 fits easily.
  auto start = [&](HashKey i) { return i * q + (i * r) / n; };
  std::vector<HashKeyRange> v(shards);
  for (uint32_t i = 0; i < shards; ++i) {
    v[i].start = start(i);
    v[i].end = i + 1 == shards ? kMax : start(i + 1) - 1;
  }
  return v;
}

uint32_t ShardForHashKey(std::span<const HashKeyRange> ranges, HashKey k) {
  auto it = std::upper_bound(ranges.begin(), ranges.end(), k,
                             [](HashKey x, const HashKeyRange& r) { return x < r.start; });
  return static_cast<uint32_t>(it - ranges.begin()) - 1;
}

}  // namespace seglog
