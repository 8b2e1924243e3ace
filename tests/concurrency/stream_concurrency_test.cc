// Streams under threads and crashes (moved from tests/stream_test.cc): producers and tailing
// readers on many shards, deleting a stream while producers put, kill -9 during multi-shard puts.
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
#include "tests/support/stream_fixture.h"

namespace seglog {
namespace {

using testing::Str;
using testing::TempDir;
using testing::View;
using testing::ExpectedShard;
using testing::StreamTest;

TEST_F(StreamTest, ProducersAndTailingReadersOnManyShards) {
  ASSERT_OK(streams_->Create("con", Config(8)));
  constexpr int kProducers = 6, kPer = 1500;
  std::atomic<bool> done{false};
  std::atomic<int> errors{0};
  std::vector<std::atomic<uint64_t>> seen(8);
  std::vector<std::thread> readers;
  for (uint32_t sh = 0; sh < 8; ++sh) {
    readers.emplace_back([&, sh] {
      std::unique_ptr<StreamIterator> it;
      if (!streams_->NewIterator("con", sh, IteratorSpec{}, &it).ok()) { ++errors; return; }
      std::map<std::string, int> last;  // per producer: records arrive in put order
      for (;;) {
        const bool finished = done.load();
        std::vector<RecordView> recs;
        Status s = it->Next(100, 0, &recs);
        if (s.IsNoMore()) {
          if (finished) return;
          std::this_thread::yield();
          continue;
        }
        if (!s.ok()) { ++errors; return; }
        for (auto& r : recs) {
          std::string v = Str(r.value);
          auto slash = v.find('/');
          std::string p = v.substr(0, slash);
          int i = std::stoi(v.substr(slash + 1));
          auto [itl, fresh] = last.emplace(p, i);
          if (!fresh) {
            if (i <= itl->second) ++errors;
            itl->second = i;
          }
          seen[sh]++;
        }
      }
    });
  }
  std::vector<std::thread> producers;
  for (int p = 0; p < kProducers; ++p) {
    producers.emplace_back([&, p] {
      for (int i = 0; i < kPer; ++i) {
        std::string key = "p" + std::to_string(p) + "-" + std::to_string(i % 37);
        std::string val = "p" + std::to_string(p) + "k" + std::to_string(i % 37) + "/" + std::to_string(i);
        PutEntry e{View(key), View(val), std::nullopt};
        PutResult r;
        if (!streams_->Put("con", e, &r).ok()) ++errors;
      }
    });
  }
  for (auto& t : producers) t.join();
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(errors.load(), 0);
  uint64_t total = 0;
  for (auto& s : seen) total += s.load();
  EXPECT_EQ(total, static_cast<uint64_t>(kProducers * kPer));
}

TEST_F(StreamTest, DeleteWhileProducersPutIsSafe) {
  ASSERT_OK(streams_->Create("del", Config(4)));
  std::atomic<bool> stop{false};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const std::string key = std::to_string(t) + "-" + std::to_string(i);
        PutEntry e{View(key), View("v"), std::nullopt};
        PutResult r;
        Status s = streams_->Put("del", e, &r);
        if (!s.ok() && s.code() != StatusCode::kNotFound) ++unexpected;
        StreamDescription d;
        s = streams_->Describe("del", &d);
        if (!s.ok() && s.code() != StatusCode::kNotFound) ++unexpected;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_OK(streams_->Delete("del"));
  (void)streams_->EnforceRetention();
  stop = true;
  for (auto& t : ts) t.join();
  EXPECT_EQ(unexpected.load(), 0);
  StreamDescription d;
  EXPECT_EQ(streams_->Describe("del", &d).code(), StatusCode::kNotFound);
}

// ---- kill -9 during puts into a multi-shard stream ----

TEST(StreamCrashChild, PutAndReport) {
  const char* dir = std::getenv("SEGLOG_STREAM_CHILD_DIR");
  const char* fd_s = std::getenv("SEGLOG_CHILD_FD");
  if (dir == nullptr || fd_s == nullptr) GTEST_SKIP() << "parent-driven";
  const int fd = std::atoi(fd_s);
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir, StoreOptions{}, &store));
  StreamsOptions so;
  so.retention_check_interval_ms = 0;
  Streams streams(store.get(), so);
  StreamConfig c;
  c.shard_count = 4;
  c.log.segment_size = 64 * 1024;  // durability: always (the default)
  Status cs = streams.Create("crash", c);
  if (cs.code() != StatusCode::kAlreadyExists) {
    ASSERT_OK(cs);
  }
  std::mutex mu;
  std::vector<std::thread> ts;
  const long epoch = static_cast<long>(getpid());
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      for (uint64_t i = 0;; ++i) {
        std::string key = "k" + std::to_string(t) + "-" + std::to_string(i % 50);
        std::string val = std::to_string(epoch) + "/" + std::to_string(t) + "/" + std::to_string(i) +
                          std::string(i % 300, 'z');
        PutEntry e{View(key), View(val), std::nullopt};
        PutResult r;
        if (!streams.Put("crash", e, &r).ok()) _exit(3);
        // shard, seq, epoch, t, i
        uint64_t msg[5] = {r.shard, r.seq.value(), static_cast<uint64_t>(epoch), static_cast<uint64_t>(t), i};
        std::lock_guard<std::mutex> l(mu);
        if (write(fd, msg, sizeof(msg)) != static_cast<ssize_t>(sizeof(msg))) _exit(4);
      }
    });
  }
  for (auto& t : ts) t.join();
}

TEST(StreamCrash, KillNineDuringMultiShardPuts) {
  TempDir dir;
  std::mt19937_64 rng(7);
  // shard -> seq -> (value, partition key)
  std::map<uint32_t, std::map<uint64_t, std::pair<std::string, std::string>>> acked;
  for (int round = 0; round < 8; ++round) {
    testing::KilledChild child = testing::RunChildAndKill(
        "StreamCrashChild.PutAndReport", {{"SEGLOG_STREAM_CHILD_DIR", dir.path()}}, 5,
        30 + rng() % 300);
    ASSERT_TRUE(child.killed) << "child exited early: " << child.exit_code;
    const auto& msgs = child.messages;
    for (auto& m : msgs) {
      const uint64_t t = m[3], i = m[4];
      std::string key = "k" + std::to_string(t) + "-" + std::to_string(i % 50);
      std::string val = std::to_string(m[2]) + "/" + std::to_string(t) + "/" + std::to_string(i) +
                        std::string(i % 300, 'z');
      ASSERT_EQ(m[0], ExpectedShard(key, 4)) << "acknowledged on the wrong shard";
      acked[static_cast<uint32_t>(m[0])][m[1]] = {val, key};
    }
    std::unique_ptr<Store> store;
    ASSERT_OK(Store::Open(dir.path(), StoreOptions{}, &store));
    StreamsOptions so;
    so.retention_check_interval_ms = 0;
    Streams streams(store.get(), so);
    for (uint32_t sh = 0; sh < 4; ++sh) {
      std::unique_ptr<StreamIterator> it;
      ASSERT_OK(streams.NewIterator("crash", sh, IteratorSpec{}, &it));
      uint64_t expect = 0;
      for (;;) {
        std::vector<RecordView> recs;
        Status s = it->Next(1000, 0, &recs);
        if (s.IsNoMore()) break;
        ASSERT_OK(s);
        for (auto& r : recs) {
          ASSERT_EQ(r.seq.value(), expect++) << "round " << round << " shard " << sh;
          auto a = acked[sh].find(r.seq.value());
          if (a != acked[sh].end()) {
            ASSERT_EQ(Str(r.value), a->second.first) << "round " << round;
            ASSERT_EQ(Str(r.key), a->second.second) << "round " << round;
          }
        }
      }
      if (!acked[sh].empty()) {
        ASSERT_GT(expect, acked[sh].rbegin()->first)
            << "round " << round << " shard " << sh << ": acknowledged record lost";
      }
    }
  }
}

}  // namespace
}  // namespace seglog
