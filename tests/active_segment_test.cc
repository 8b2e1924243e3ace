// ActiveSegmentFile on its own, over a real file (pwrite backend): copies through the writable
// mapping, write-behind ranges, and sealing (cut and trailer).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "engine/log/active_segment.h"
#include "io/file_util.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

class ActiveSegmentFileTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kCapacity = 1 << 20;

  void SetUp() override {
    fs_ = testing::MakeFs(io::Backend::kPwrite);
    path_ = dir_.path() + "/1.seg";
  }

  // A preallocated file of kCapacity bytes, handed to file_.
  void OpenFile(bool map) {
    std::unique_ptr<io::WritableFile> f;
    ASSERT_TRUE(fs_->OpenWritable(path_, io::OpenMode::kCreateNew, &f).ok());
    ASSERT_TRUE(f->Allocate(kCapacity).ok());
    file_.Reset(std::move(f), kCapacity, /*end=*/0, map);
  }

  std::string ReadBack(uint64_t off, size_t n) {
    ByteBuffer b;
    EXPECT_TRUE(io::ReadAt(path_, off, n, &b).ok());
    return std::string(b.begin(), b.end());
  }

  testing::TempDir dir_;
  std::unique_ptr<io::FileSystem> fs_;
  std::string path_;
  ActiveSegmentFile file_;
};

TEST_F(ActiveSegmentFileTest, CopyInLandsInTheFile) {
  OpenFile(/*map=*/true);
  if (file_.mapping() == nullptr) GTEST_SKIP() << "no writable mapping on this file system";
  const std::string a = "hello", b = "world";
  file_.CopyIn(0, ByteView(reinterpret_cast<const uint8_t*>(a.data()), a.size()));
  file_.CopyIn(100, ByteView(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
  EXPECT_EQ(ReadBack(0, 5), "hello");
  EXPECT_EQ(ReadBack(100, 5), "world");
  EXPECT_EQ(file_.capacity(), kCapacity);
}

TEST_F(ActiveSegmentFileTest, UnmappedWhenNotAsked) {
  OpenFile(/*map=*/false);
  EXPECT_EQ(file_.mapping(), nullptr);
  EXPECT_NE(file_.file(), nullptr);
}

TEST_F(ActiveSegmentFileTest, WritebackStartsEveryFewMiB) {
  OpenFile(/*map=*/false);
  uint64_t from = 7, to = 7;
  file_.NextWriteback(1 << 20, &from, &to);
  EXPECT_EQ(from, 7u);  // not far enough: untouched
  EXPECT_EQ(to, 7u);
  file_.NextWriteback(4 << 20, &from, &to);
  EXPECT_EQ(from, 0u);
  EXPECT_EQ(to, uint64_t{4} << 20);
  from = to = 0;
  file_.NextWriteback(5 << 20, &from, &to);  // counted from where the last one started
  EXPECT_EQ(to, 0u);
  file_.NextWriteback(8 << 20, &from, &to);
  EXPECT_EQ(from, uint64_t{4} << 20);
  EXPECT_EQ(to, uint64_t{8} << 20);
}

TEST_F(ActiveSegmentFileTest, SealCutsTheFileAndEndsItWithTheTrailer) {
  OpenFile(/*map=*/true);
  const std::string trailer = "TRAILER!";
  ASSERT_TRUE(file_
                  .SealWithTrailer(4096, ByteView(reinterpret_cast<const uint8_t*>(
                                                      trailer.data()),
                                                  trailer.size()),
                                  /*data_durable=*/false)
                  .ok());
  EXPECT_EQ(file_.mapping(), nullptr);  // no store may reach a cut file
  uint64_t size = 0;
  ASSERT_TRUE(io::FileSize(path_, &size).ok());
  EXPECT_EQ(size, 4096u + trailer.size());
  EXPECT_EQ(ReadBack(4096, trailer.size()), trailer);
  file_.Close();
  EXPECT_EQ(file_.file(), nullptr);
}

TEST_F(ActiveSegmentFileTest, DeferredMappingIsDoneOnceAndSurvivesAReset) {
  OpenFile(/*map=*/false);
  file_.DeferMapping();
  std::unique_ptr<io::WritableFile> f = file_.TakeFile();
  file_.Reset(std::move(f), kCapacity, 0, /*map=*/false);
  EXPECT_TRUE(file_.map_deferred());
  file_.MapDeferred(0, /*map=*/true);
  EXPECT_FALSE(file_.map_deferred());
}

}  // namespace
}  // namespace seglog
