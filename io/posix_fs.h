// Internal to io/: the plain-syscall parts shared by the pwrite and io_uring backends.
// Not for use outside io/*.cc; the engine codes against io/file_system.h only.
//
// PosixWritableFile owns one O_RDWR file descriptor, closed when it is destroyed. Its Write is a
// pwrite loop and its Sync is fdatasync; the io_uring backend derives from it and replaces
// Write, WriteAndSync and Sync, keeping Allocate, Truncate and Size.
// PosixFileSystem carries no state; every method is a syscall on the calling thread, so it is
// safe to call from any number of threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "io/file_system.h"

namespace seglog::io::internal {

class PosixWritableFile : public WritableFile {
 public:
  // Takes ownership of `fd`.
  PosixWritableFile(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~PosixWritableFile() override;
  PosixWritableFile(const PosixWritableFile&) = delete;
  PosixWritableFile& operator=(const PosixWritableFile&) = delete;

  Status Write(FileOffset offset, ByteView data) override;
  Status WriteAndSync(FileOffset offset, ByteView data) override;
  Status Sync() override;
  Status Allocate(uint64_t size) override;
  Status Truncate(uint64_t size) override;
  Status ZeroRange(uint64_t offset, uint64_t n) override;
  Status Size(uint64_t* size) override;
  Status MapForWrites(uint64_t length, std::unique_ptr<WritableMapping>* out) override;
  void StartWriteback(uint64_t offset, uint64_t n) override;
  const std::string& path() const override { return path_; }

 protected:
  int fd() const { return fd_; }

 private:
  const int fd_;
  const std::string path_;
  // [0, allocated_) has blocks from fallocate: where MapForWrites may let stores go.
  uint64_t allocated_ = 0;
};

class PosixFileSystem : public FileSystem {
 public:
  std::string_view name() const override { return "pwrite"; }
  Status OpenWritable(const std::string& path, OpenMode mode,
                      std::unique_ptr<WritableFile>* out) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status CreateDir(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Status SyncDir(const std::string& path) override;

 protected:
  // open(2) with the flags `mode` calls for (O_RDWR | O_CLOEXEC, plus O_CREAT | O_EXCL, 0644,
  // for kCreateNew). On success *fd is an owned descriptor.
  static Status OpenFd(const std::string& path, OpenMode mode, int* fd);
};

}  // namespace seglog::io::internal
