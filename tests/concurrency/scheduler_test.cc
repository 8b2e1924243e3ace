// The store's background threads (engine/log/scheduler.h): periodic tasks from a deadline heap,
// cancellation that waits for a run in progress, and one thread per scheduler however many logs
// have INTERVAL syncs.
#include "engine/log/scheduler.h"

#include <dirent.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <span>
#include <thread>

#include "engine/log/store.h"
#include "engine/streams/stream.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using std::chrono::milliseconds;
using testing::TempDir;

// Waits up to 10 s for pred().
template <class Pred>
bool WaitFor(Pred pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return pred();
}

size_t ThreadsOfThisProcess() {
  size_t n = 0;
  DIR* d = opendir("/proc/self/task");
  if (d == nullptr) return 0;
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.' ? 1 : 0;
  closedir(d);
  return n;
}

TEST(Scheduler, RunsEachTaskRepeatedlyUntilCancelled) {
  Scheduler s("test-sched");
  std::atomic<int> a{0}, b{0};
  const auto ta = s.Every(milliseconds(1), [&] { ++a; });
  const auto tb = s.Every(milliseconds(2), [&] { ++b; });
  EXPECT_EQ(s.size(), 2u);
  ASSERT_TRUE(WaitFor([&] { return a >= 5 && b >= 5; }));
  s.Cancel(ta);
  const int after = a.load();
  std::this_thread::sleep_for(milliseconds(20));
  EXPECT_EQ(a.load(), after);  // never runs again
  EXPECT_EQ(s.size(), 1u);
  const int b_before = b.load();
  ASSERT_TRUE(WaitFor([&] { return b > b_before; }));  // the other one goes on
  s.Cancel(tb);
  s.Cancel(tb);  // twice: nothing
  EXPECT_EQ(s.size(), 0u);
}

TEST(Scheduler, CancelWaitsForARunInProgress) {
  Scheduler s("test-sched");
  std::atomic<bool> inside{false}, finished{false};
  const auto t = s.Every(milliseconds(1), [&] {
    inside = true;
    std::this_thread::sleep_for(milliseconds(100));
    finished = true;
  });
  ASSERT_TRUE(WaitFor([&] { return inside.load(); }));
  s.Cancel(t);
  EXPECT_TRUE(finished.load());  // Cancel returned only after the run ended
}

TEST(Scheduler, ATaskMayCancelItselfAndScheduleAnother) {
  Scheduler s("test-sched");
  std::atomic<int> runs{0}, other{0};
  Scheduler::TaskId self = 0;
  std::atomic<bool> ready{false};
  self = s.Every(milliseconds(1), [&] {
    if (!ready) return;
    if (++runs == 3) {
      s.Cancel(self);
      s.Every(milliseconds(1), [&] { ++other; });
    }
  });
  ready = true;
  ASSERT_TRUE(WaitFor([&] { return other >= 3; }));
  EXPECT_EQ(runs.load(), 3);
  EXPECT_EQ(s.size(), 1u);
}

TEST(Scheduler, AnEarlierTaskIsNotHeldBackByALaterOne) {
  Scheduler s("test-sched");
  std::atomic<int> slow{0}, fast{0};
  s.Every(std::chrono::hours(1), [&] { ++slow; });  // first in the heap, due much later
  const auto t = s.Every(milliseconds(1), [&] { ++fast; });
  ASSERT_TRUE(WaitFor([&] { return fast >= 3; }));
  EXPECT_EQ(slow.load(), 0);
  s.Cancel(t);
}

// A store has two background threads however many INTERVAL logs it holds: a 1,024-shard stream
// with every shard written used to start one sync thread per shard.
TEST(Scheduler, ThousandShardIntervalStreamAddsNoThreadPerShard) {
  TempDir dir;
  // ThreadSanitizer's runtime starts a thread of its own at the first pthread_create: make that
  // happen first, so that `before` counts it.
  std::thread([] {}).join();
  const size_t before = ThreadsOfThisProcess();
  ASSERT_GT(before, 0u);
  std::unique_ptr<Store> store;
  StoreOptions so;
  so.create_if_missing = true;
  ASSERT_OK(Store::Open(dir.path(), so, &store));
  {
    Streams streams(store.get());
    StreamConfig cfg;
    cfg.shard_count = 1024;
    cfg.log.durability = Durability::kInterval;
    cfg.log.sync_interval_ms = 50;
    // Each shard preallocates a segment: 64 KiB each, not the default 64 MiB (64 GiB in all,
    // which ran /tmp out of space beside other test runs).
    cfg.log.segment_size = 64 * 1024;
    ASSERT_OK(streams.Create("wide", cfg));
    for (uint32_t shard = 0; shard < 1024; ++shard) {
      PutEntry e;
      const std::string key = "k" + std::to_string(shard);
      e.partition_key = ByteView(reinterpret_cast<const uint8_t*>(key.data()), key.size());
      e.explicit_hash_key = SplitHashKeySpace(1024)[shard].start;
      PutResult r;
      ASSERT_OK(streams.Put("wide", e, &r));
      ASSERT_EQ(r.shard, shard);
    }
    const size_t during = ThreadsOfThisProcess();
    // The store's two schedulers, plus whatever io_uring workers the kernel adds (io-wq
    // threads are not the process's own tasks); nowhere near one per shard.
    EXPECT_LE(during, before + 4) << "threads before " << before << ", with 1,024 shards "
                                  << during;
  }
  ASSERT_OK(store->Close());
}

// Moved from tests/store_test.cc: an INTERVAL log is synced by the scheduler, not by appends.
TEST(StoreTest, IntervalModeSyncsInTheBackground) {
  TempDir dir;
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir.path(), StoreOptions{}, &store));
  LogOptions o;
  o.durability = Durability::kInterval;
  o.sync_interval_ms = 5;
  Log* log = nullptr;
  ASSERT_OK(store->CreateLog("l", o, &log));
  Log::Record r{testing::View("k"), testing::View("a"), {}};
  ASSERT_OK(log->Append(std::span<const Log::Record>(&r, 1)));
  const uint64_t syncs_before = log->Stats().syncs;
  // Appends return before any sync; the background syncer catches up without further appends.
  for (int i = 0; i < 2000 && log->Stats().syncs == syncs_before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GT(log->Stats().syncs, syncs_before);
  ASSERT_OK(log->Sync());
}

}  // namespace
}  // namespace seglog
