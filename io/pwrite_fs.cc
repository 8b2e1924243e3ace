// The pwrite/fdatasync backend, and the plain-syscall operations the io_uring backend shares.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "io/mmap.h"
#include "io/posix_fs.h"

namespace seglog::io {
namespace internal {
namespace {

std::string Ctx(std::string_view call, const std::string& path) {
  std::string s(call);
  s += ' ';
  s += path;
  return s;
}

}  // namespace

PosixWritableFile::~PosixWritableFile() {
  // Close errors cannot be reported from a destructor; durability comes from Sync, not close.
  ::close(fd_);
}

Status PosixWritableFile::Write(FileOffset offset, ByteView data) {
  const uint8_t* p = data.data();
  size_t left = data.size();
  uint64_t off = offset.value();
  while (left > 0) {
    ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(off));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, Ctx("pwrite", path_));
    }
    if (n == 0) return Status::IOError(Ctx("pwrite", path_) + ": wrote 0 bytes");
    p += n;
    left -= static_cast<size_t>(n);
    off += static_cast<uint64_t>(n);
  }
  return Status::OK();
}

Status PosixWritableFile::WriteAndSync(FileOffset offset, ByteView data) {
  SEGLOG_RETURN_IF_ERROR(Write(offset, data));
  return Sync();
}

Status PosixWritableFile::Sync() {
  if (::fdatasync(fd_) != 0) return Status::FromErrno(errno, Ctx("fdatasync", path_));
  return Status::OK();
}

// fallocate(mode 0). Some filesystems refuse it (EOPNOTSUPP: e.g. older NFS, some FUSE
// filesystems); there the file is only extended with ftruncate, which gives the same size and
// zero bytes but no allocated blocks (later writes may then change metadata and hit ENOSPC).
Status PosixWritableFile::Allocate(uint64_t size) {
  if (size == 0) return Status::OK();  // fallocate refuses len 0; nothing to do
  int r;
  do {
    r = ::fallocate(fd_, 0, 0, static_cast<off_t>(size));
  } while (r != 0 && errno == EINTR);
  if (r == 0) {
    allocated_ = std::max(allocated_, size);
    return Status::OK();
  }
  if (errno != EOPNOTSUPP) return Status::FromErrno(errno, Ctx("fallocate", path_));
  uint64_t cur = 0;
  SEGLOG_RETURN_IF_ERROR(Size(&cur));
  if (cur >= size) return Status::OK();
  return Truncate(size);
}

Status PosixWritableFile::Truncate(uint64_t size) {
  int r;
  do {
    r = ::ftruncate(fd_, static_cast<off_t>(size));
  } while (r != 0 && errno == EINTR);
  if (r != 0) return Status::FromErrno(errno, Ctx("ftruncate", path_));
  allocated_ = std::min(allocated_, size);
  return Status::OK();
}

// fallocate(FALLOC_FL_ZERO_RANGE) keeps the blocks (as unwritten extents) and needs no data
// blocks; where it is refused, or fails (it may need metadata blocks), zeros are written over
// the blocks already there.
Status PosixWritableFile::ZeroRange(uint64_t offset, uint64_t n) {
  if (n == 0) return Status::OK();
  int r;
  do {
    r = ::fallocate(fd_, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                    static_cast<off_t>(n));
  } while (r != 0 && errno == EINTR);
  if (r == 0) return Status::OK();
  return WritableFile::ZeroRange(offset, n);
}

void PosixWritableFile::StartWriteback(uint64_t offset, uint64_t n) {
  (void)::sync_file_range(fd_, static_cast<off_t>(offset), static_cast<off_t>(n),
                          SYNC_FILE_RANGE_WRITE);
}

Status PosixWritableFile::MapForWrites(uint64_t length, std::unique_ptr<WritableMapping>* out) {
  if (length == 0 || length > allocated_) {
    return Status::NotSupported(Ctx("no blocks allocated for a writable mapping of", path_));
  }
  return WritableMapping::Map(fd_, length, path_, out);
}

Status PosixWritableFile::Size(uint64_t* size) {
  struct stat st;
  if (::fstat(fd_, &st) != 0) return Status::FromErrno(errno, Ctx("fstat", path_));
  *size = static_cast<uint64_t>(st.st_size);
  return Status::OK();
}

Status PosixFileSystem::OpenFd(const std::string& path, OpenMode mode, int* fd) {
  int flags = O_RDWR | O_CLOEXEC;
  switch (mode) {
    case OpenMode::kCreateNew: flags |= O_CREAT | O_EXCL; break;
    case OpenMode::kOpenExisting: break;
  }
  int f;
  do {
    f = ::open(path.c_str(), flags, 0644);
  } while (f < 0 && errno == EINTR);
  if (f < 0) return Status::FromErrno(errno, Ctx("open", path));
  *fd = f;
  return Status::OK();
}

Status PosixFileSystem::OpenWritable(const std::string& path, OpenMode mode,
                                     std::unique_ptr<WritableFile>* out) {
  int fd = -1;
  SEGLOG_RETURN_IF_ERROR(OpenFd(path, mode, &fd));
  *out = std::make_unique<PosixWritableFile>(fd, path);
  return Status::OK();
}

Status PosixFileSystem::Rename(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return Status::FromErrno(errno, "rename " + from + " -> " + to);
  }
  return Status::OK();
}

Status PosixFileSystem::Remove(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return Status::FromErrno(errno, Ctx("unlink", path));
  return Status::OK();
}

Status PosixFileSystem::CreateDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) == 0) return Status::OK();
  int err = errno;
  struct stat st;
  if (err == EEXIST && ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    return Status::OK();
  }
  return Status::FromErrno(err, Ctx("mkdir", path));
}

Status PosixFileSystem::RemoveDir(const std::string& path) {
  if (::rmdir(path.c_str()) != 0) return Status::FromErrno(errno, Ctx("rmdir", path));
  return Status::OK();
}

Status PosixFileSystem::SyncDir(const std::string& path) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Status::FromErrno(errno, Ctx("open", path));
  Status s;
  if (::fsync(fd) != 0) s = Status::FromErrno(errno, Ctx("fsync", path));
  ::close(fd);
  return s;
}

}  // namespace internal

std::unique_ptr<FileSystem> NewPwriteFileSystem() {
  return std::make_unique<internal::PosixFileSystem>();
}

}  // namespace seglog::io
