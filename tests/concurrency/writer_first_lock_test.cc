// engine/log/writer_first_lock.h: a waiting writer goes ahead of new readers, so that deleting a
// stream or a queue (the writer) never starves behind steady puts, sends and receives (readers).
// std::shared_mutex on glibc prefers readers: there the new reader below gets in and the test fails.
#include "engine/log/writer_first_lock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <shared_mutex>
#include <thread>

namespace seglog {
namespace {

TEST(WriterFirstLock, AWaitingWriterShutsOutNewReaders) {
  WriterFirstLock lock;
  std::shared_lock<WriterFirstLock> reader(lock);  // an operation in progress
  std::atomic<bool> wrote{false};
  std::thread writer([&] {
    std::unique_lock<WriterFirstLock> w(lock);  // a delete: waits for the reader
    wrote = true;
  });
  // Wait until the writer is queued: from then on no new reader may enter.
  bool shut_out = false;
  for (int i = 0; i < 2000 && !shut_out; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (lock.try_lock_shared()) {
      lock.unlock_shared();
    } else {
      shut_out = true;
    }
  }
  EXPECT_TRUE(shut_out) << "a new reader still got in while a writer waited";
  EXPECT_FALSE(wrote.load());
  reader.unlock();
  writer.join();
  EXPECT_TRUE(wrote.load());
  // And free again afterwards, both ways.
  ASSERT_TRUE(lock.try_lock_shared());
  lock.unlock_shared();
  ASSERT_TRUE(lock.try_lock());
  lock.unlock();
}

}  // namespace
}  // namespace seglog
