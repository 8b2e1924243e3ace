#include "engine/streams/hash_key.h"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

namespace seglog {

namespace {
constexpr HashKey kMax = ~HashKey{0};  // 2^128 - 1
}  // namespace

HashKey PartitionKeyHash(std::string_view partition_key) {
  // One-shot EVP_Digest allocates a context and looks the algorithm up under a lock on every
  // call (14% of a single-producer put in a profile); fetch MD5 once and keep a context per
  // thread instead.
  static EVP_MD* const md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
  struct Ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Ctx t;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // MD5 over memory cannot fail short of allocation failure; fall back to the one-shot call
  // (which reports nothing either) if the fast path is unavailable.
  if (md5 == nullptr || t.ctx == nullptr || EVP_DigestInit_ex2(t.ctx, md5, nullptr) != 1 ||
      EVP_DigestUpdate(t.ctx, partition_key.data(), partition_key.size()) != 1 ||
      EVP_DigestFinal_ex(t.ctx, digest, &len) != 1) {
    EVP_Digest(partition_key.data(), partition_key.size(), digest, &len, EVP_md5(), nullptr);
  }
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
