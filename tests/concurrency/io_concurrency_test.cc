// The io/ layer under threads (moved from tests/io_test.cc): concurrent writers on both
// backends, and concurrent writers then a power loss on the fault-injecting file system.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/fault_fs.h"
#include "io/file_system.h"
#include "io/file_util.h"
#include "io/mmap.h"
#include "tests/support/io_fixture.h"

namespace seglog::io {
namespace {

TEST_P(IoBackendTest, ConcurrentWritersOnDifferentFiles) {
  constexpr int kThreads = 8, kWrites = 100, kChunk = 4096;
  std::vector<std::thread> threads;
  std::vector<std::string> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<WritableFile> f;
      Status s = fs_->OpenWritable(dir_.Join("c" + std::to_string(t)), OpenMode::kCreateNew, &f);
      for (int i = 0; s.ok() && i < kWrites; ++i) {
        const ByteBuffer chunk = Pattern(kChunk, static_cast<uint32_t>(t * 1000 + i));
        const FileOffset off(static_cast<uint64_t>(i) * kChunk);
        s = i % 3 == 0 ? f->WriteAndSync(off, chunk) : f->Write(off, chunk);
      }
      if (s.ok()) s = f->Sync();
      if (!s.ok()) errors[t] = s.ToString();
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(errors[t], "") << t;
    ByteBuffer all = Slurp(dir_.Join("c" + std::to_string(t)));
    ASSERT_EQ(all.size(), size_t{kWrites} * kChunk);
    for (int i = 0; i < kWrites; ++i) {
      const ByteBuffer chunk = Pattern(kChunk, static_cast<uint32_t>(t * 1000 + i));
      ASSERT_TRUE(std::equal(chunk.begin(), chunk.end(), all.begin() + i * kChunk)) << t << " " << i;
    }
  }
}

TEST_F(FaultFsTest, ConcurrentWritersAndPowerLoss) {
  constexpr int kThreads = 8, kWrites = 60, kSynced = 40, kChunk = 1000;
  std::vector<std::thread> threads;
  std::vector<std::string> errors(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::unique_ptr<WritableFile> f;
      Status s = fs_->OpenWritable(dir_.Join("c" + std::to_string(t)), OpenMode::kCreateNew, &f);
      for (int i = 0; s.ok() && i < kWrites; ++i) {
        s = f->Write(FileOffset(uint64_t{kChunk} * i),
                     Pattern(kChunk, static_cast<uint32_t>(t * 100 + i)));
        if (s.ok() && i + 1 == kSynced) s = f->Sync();
      }
      if (!s.ok()) errors[t] = s.ToString();
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(errors[t], "") << t;
  EXPECT_EQ(fs_->count(FsOp::kWrite), uint64_t{kThreads} * kWrites);
  EXPECT_EQ(fs_->count(FsOp::kSync), uint64_t{kThreads});
  EXPECT_EQ(fs_->count(FsOp::kOpen), uint64_t{kThreads});
  ASSERT_TRUE(fs_->SyncDir(dir_.path()).ok());
  ASSERT_TRUE(fs_->SimulatePowerLoss(false).ok());
  for (int t = 0; t < kThreads; ++t) {
    ByteBuffer all = Slurp(dir_.Join("c" + std::to_string(t)));
    ASSERT_EQ(all.size(), size_t{kSynced} * kChunk) << t;
    const ByteBuffer chunk = Pattern(kChunk, static_cast<uint32_t>(t * 100 + kSynced - 1));
    EXPECT_TRUE(std::equal(chunk.begin(), chunk.end(), all.end() - kChunk));
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, IoBackendTest,
                         ::testing::Values(Backend::kPwrite, Backend::kUring),
                         [](const ::testing::TestParamInfo<Backend>& p) {
                           return std::string(BackendName(p.param));
                         });

}  // namespace
}  // namespace seglog::io
