// Kinesis routing: MD5 placement and the even split of the hash-key space, checked against
// values computed independently (published Kinesis boundaries, and a shard computed with
// 32-bit long division instead of 128-bit arithmetic).
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <string>

#include "engine/streams/hash_key.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

// Expected shard for a digest without 128-bit math: floor(h * N / 2^128), computed on four
// 32-bit limbs (h * N is at most 2^128 * 1024, so the answer is the 129th+ bits of the product).
uint32_t IndependentShard(const std::array<unsigned char, 16>& digest, uint32_t n) {
  // Limbs, most significant first.
  uint64_t limbs[4];
  for (int i = 0; i < 4; ++i) {
    limbs[i] = (uint64_t{digest[4 * i]} << 24) | (uint64_t{digest[4 * i + 1]} << 16) |
               (uint64_t{digest[4 * i + 2]} << 8) | digest[4 * i + 3];
  }
  // Multiply by n from the least significant limb; the carry out of the top limb is
  // floor(h * n / 2^128).
  uint64_t carry = 0;
  for (int i = 3; i >= 0; --i) {
    uint64_t p = limbs[i] * n + carry;
    carry = p >> 32;
  }
  return static_cast<uint32_t>(carry);
}

TEST(HashKeyTest, EvenSplitMatchesKinesisBoundaries) {
  // CreateStream with 2 and 3 shards (published ranges).
  auto two = SplitHashKeySpace(2);
  EXPECT_EQ(HashKeyToString(two[0].end), "170141183460469231731687303715884105727");
  EXPECT_EQ(HashKeyToString(two[1].start), "170141183460469231731687303715884105728");
  EXPECT_EQ(HashKeyToString(two[1].end), "340282366920938463463374607431768211455");
  auto three = SplitHashKeySpace(3);
  EXPECT_EQ(HashKeyToString(three[0].end), "113427455640312821154458202477256070484");
  EXPECT_EQ(HashKeyToString(three[1].start), "113427455640312821154458202477256070485");
  EXPECT_EQ(HashKeyToString(three[1].end), "226854911280625642308916404954512140969");
  EXPECT_EQ(HashKeyToString(three[2].start), "226854911280625642308916404954512140970");
  for (uint32_t n : {1u, 2u, 3u, 7u, 64u, 1000u, 1024u}) {
    auto r = SplitHashKeySpace(n);
    ASSERT_EQ(r.size(), n);
    EXPECT_EQ(HashKeyToString(r.front().start), "0");
    EXPECT_EQ(HashKeyToString(r.back().end), "340282366920938463463374607431768211455");
    for (uint32_t i = 1; i < n; ++i) ASSERT_TRUE(r[i].start == r[i - 1].end + 1) << n << " " << i;
  }
}

TEST(HashKeyTest, PartitionKeysLandWhereKinesisPutsThem) {
  for (uint32_t n : {1u, 2u, 3u, 4u, 5u, 16u, 100u, 1024u}) {
    auto ranges = SplitHashKeySpace(n);
    for (int i = 0; i < 500; ++i) {
      const std::string key = "partition-key-" + std::to_string(i);
      std::array<unsigned char, 16> d;
      unsigned int len = 0;
      ASSERT_EQ(EVP_Digest(key.data(), key.size(), d.data(), &len, EVP_md5(), nullptr), 1);
      ASSERT_EQ(len, 16u);
      const uint32_t want = IndependentShard(d, n);
      ASSERT_EQ(ShardForHashKey(ranges, PartitionKeyHash(key)), want) << key << " n=" << n;
    }
  }
  // MD5("") = d41d8cd98f00b204e9800998ecf8427e; as a big-endian integer:
  EXPECT_EQ(HashKeyToString(PartitionKeyHash("")), "281949768489412648962353822266799178366");
}

TEST(HashKeyTest, ExplicitHashKeysParseAndRoute) {
  HashKey k;
  ASSERT_OK(ParseHashKey("0", &k));
  EXPECT_EQ(ShardForHashKey(SplitHashKeySpace(4), k), 0u);
  ASSERT_OK(ParseHashKey("340282366920938463463374607431768211455", &k));
  EXPECT_EQ(ShardForHashKey(SplitHashKeySpace(4), k), 3u);
  ASSERT_OK(ParseHashKey("170141183460469231731687303715884105728", &k));
  EXPECT_EQ(ShardForHashKey(SplitHashKeySpace(2), k), 1u);
  EXPECT_EQ(ShardForHashKey(SplitHashKeySpace(2), k - 1), 0u);
  for (const char* bad : {"", "-1", "12a", "340282366920938463463374607431768211456",
                          "9999999999999999999999999999999999999999", " 1"}) {
    EXPECT_EQ(ParseHashKey(bad, &k).code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace seglog
