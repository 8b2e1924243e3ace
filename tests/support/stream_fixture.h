// StreamTest: a store and its Streams in a temp dir with an injected clock, reopenable; and
// ExpectedShard, Kinesis's routing computed independently. Shared by tests/stream_test.cc and
// tests/concurrency/stream_concurrency_test.cc.
#pragma once

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "engine/log/clock.h"
#include "engine/streams/stream.h"
#include "io/file_util.h"
#include "tests/support/test_util.h"

namespace seglog::testing {

// floor(MD5(key) * n / 2^128) on 32-bit limbs: the shard Kinesis picks, computed without the
// engine's 128-bit arithmetic.
inline uint32_t ExpectedShard(const std::string& key, uint32_t n) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> d{};
  unsigned int len = 0;
  EVP_Digest(key.data(), key.size(), d.data(), &len, EVP_md5(), nullptr);
  uint64_t carry = 0;
  for (int i = 3; i >= 0; --i) {
    uint64_t limb = (uint64_t{d[4 * i]} << 24) | (uint64_t{d[4 * i + 1]} << 16) |
                    (uint64_t{d[4 * i + 2]} << 8) | d[4 * i + 3];
    carry = (limb * n + carry) >> 32;
  }
  return static_cast<uint32_t>(carry);
}

class StreamTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    streams_.reset();
    store_.reset();
    StoreOptions so;
    so.clock = &clock_;
    ASSERT_OK(Store::Open(dir_.path(), so, &store_));
    StreamsOptions o;
    o.retention_check_interval_ms = 0;  // tests drive retention themselves
    streams_ = std::make_unique<Streams>(store_.get(), o);
  }
  StreamConfig Config(uint32_t shards) {
    StreamConfig c;
    c.shard_count = shards;
    c.log.durability = Durability::kNone;
    c.log.segment_size = 16 * 1024;
    c.log.index_interval_bytes = 512;
    return c;
  }
  PutResult Put(const std::string& stream, const std::string& key, const std::string& data) {
    PutEntry e{View(key), View(data), std::nullopt};
    PutResult r;
    EXPECT_OK(streams_->Put(stream, e, &r));
    return r;
  }
  // Everything an iterator returns until caught up.
  std::vector<std::pair<uint64_t, std::string>> Drain(StreamIterator* it) {
    std::vector<std::pair<uint64_t, std::string>> out;
    for (;;) {
      std::vector<RecordView> recs;
      Status s = it->Next(1000, 0, &recs);
      if (s.IsNoMore()) break;
      EXPECT_OK(s);
      if (!s.ok()) break;
      for (auto& r : recs) out.emplace_back(r.seq.value(), Str(r.value));
    }
    return out;
  }
  std::unique_ptr<StreamIterator> Iter(const std::string& name, uint32_t shard, IteratorType t,
                                       uint64_t seq = 0, int64_t ts = 0) {
    std::unique_ptr<StreamIterator> it;
    IteratorSpec spec{t, SeqNo(seq), TimestampMs(ts)};
    EXPECT_OK(streams_->NewIterator(name, shard, spec, &it));
    return it;
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Streams> streams_;
};

}  // namespace seglog::testing
