// Fixtures and helpers of the io/ tests: a temp dir, byte patterns, IoBackendTest (both write
// backends, the test parameter) and FaultFsTest (the fault-injecting file system over pwrite);
// shared by tests/io_test.cc and tests/concurrency/io_concurrency_test.cc.
#pragma once

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

namespace seglog::io {

// A fresh directory under /tmp, removed with everything in it when destroyed.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/seglog_io_XXXXXX";
    const char* p = ::mkdtemp(tmpl);
    path_ = p != nullptr ? p : "";
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

inline ByteBuffer Pattern(size_t n, uint32_t seed) {
  ByteBuffer b(n);
  uint32_t x = seed * 2654435761u + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    b[i] = static_cast<uint8_t>((x >> 16) | 1);  // never zero, so zeros are recognisable
  }
  return b;
}

inline ByteBuffer Bytes(std::string_view s) { return ByteBuffer(s.begin(), s.end()); }

inline ByteBuffer Slurp(const std::string& path) {
  ByteBuffer b;
  Status s = ReadFile(path, &b);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return b;
}

inline uint64_t SizeOf(const std::string& path) {
  uint64_t n = 0;
  Status s = FileSize(path, &n);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return n;
}

// Creates `path` with `data` using plain syscalls (outside any FileSystem under test).
inline void PlainCreate(const std::string& path, const ByteBuffer& data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, data.data(), data.size()), static_cast<ssize_t>(data.size()));
  ::close(fd);
}

// ---------------------------------------------------------------------------------------------
// Both backends.

class IoBackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    Status s = NewFileSystem(GetParam(), &fs_);
    if (GetParam() == Backend::kUring && s.code() == StatusCode::kNotSupported) {
      GTEST_SKIP() << s.ToString();
    }
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  std::unique_ptr<WritableFile> Create(const std::string& name) {
    std::unique_ptr<WritableFile> f;
    Status s = fs_->OpenWritable(dir_.Join(name), OpenMode::kCreateNew, &f);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return f;
  }

  TempDir dir_;
  std::unique_ptr<FileSystem> fs_;
};

// ---------------------------------------------------------------------------------------------
// FaultFileSystem.

class FaultFsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(dir_.path().empty());
    fs_ = std::make_unique<FaultFileSystem>(NewPwriteFileSystem());
  }

  std::unique_ptr<WritableFile> Open(const std::string& name, OpenMode mode) {
    std::unique_ptr<WritableFile> f;
    Status s = fs_->OpenWritable(dir_.Join(name), mode, &f);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return f;
  }
  // Creates `name` and makes its directory entry durable.
  std::unique_ptr<WritableFile> CreateDurable(const std::string& name) {
    auto f = Open(name, OpenMode::kCreateNew);
    Status s = fs_->SyncDir(dir_.path());
    EXPECT_TRUE(s.ok()) << s.ToString();
    return f;
  }

  TempDir dir_;
  std::unique_ptr<FaultFileSystem> fs_;
};

}  // namespace seglog::io
