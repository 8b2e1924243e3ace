#include "engine/log/space_reserve.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "io/file_util.h"

namespace seglog {

Status FileSpaceReserve::Open(const std::string& path, std::unique_ptr<FileSpaceReserve>* out) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  std::unique_ptr<FileSpaceReserve> r(new FileSpaceReserve(fd, path));
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::FromErrno(errno, "fstat " + path);
  // Whatever a previous open left; the first Refill() allocates every block of it again
  // (a size alone does not prove the blocks are there).
  r->size_ = static_cast<uint64_t>(st.st_size);
  *out = std::move(r);
  return Status::OK();
}

FileSpaceReserve::~FileSpaceReserve() { ::close(fd_); }

bool FileSpaceReserve::TruncateLocked(uint64_t size) {
  int r;
  do {
    r = ::ftruncate(fd_, static_cast<off_t>(size));
  } while (r != 0 && errno == EINTR);
  if (r != 0) return false;
  size_ = size;
  return true;
}

bool FileSpaceReserve::Release(uint64_t bytes) {
  std::lock_guard<std::mutex> l(mu_);
  if (size_ == 0) return false;
  const uint64_t keep = size_ > bytes ? (size_ - bytes) / kBlock * kBlock : 0;
  if (!TruncateLocked(keep)) return false;
  depleted_ = true;
  return true;
}

bool FileSpaceReserve::AllocateLocked(uint64_t from, uint64_t len) {
  int r;
  do {
    r = ::fallocate(fd_, 0, static_cast<off_t>(from), static_cast<off_t>(len));
  } while (r != 0 && errno == EINTR);
  if (r == 0) {
    size_ = std::max(size_, from + len);
    return true;
  }
  // tmpfs keeps nothing of a fallocate that failed, ext4 a prefix: the file's size says which.
  struct stat st;
  if (::fstat(fd_, &st) == 0) size_ = static_cast<uint64_t>(st.st_size);
  return false;
}

void FileSpaceReserve::Refill() {
  std::lock_guard<std::mutex> l(mu_);
  const uint64_t target = TargetLocked();
  if (size_ > target) {
    (void)TruncateLocked(target);  // a smaller target (a queue dropped): give the rest back
    return;
  }
  if (target == 0 || (size_ == target && checked_)) {
    depleted_ = false;
    return;
  }
  // The first time over the whole file: it also allocates holes a crash may have left.
  const bool whole = AllocateLocked(0, target);
  checked_ = true;
  if (whole) {
    depleted_ = false;
    return;
  }
  // As far as the disk allows: ever smaller steps after what is allocated.
  uint64_t step = std::max(kBlock, (target - size_) / 2 / kBlock * kBlock);
  while (size_ < target && step >= kBlock) {
    step = std::min(step, target - size_);
    if (!AllocateLocked(size_, step)) step = step / 2 / kBlock * kBlock;
  }
  depleted_ = depleted_ && size_ < target;
}

void FileSpaceReserve::NeedSnapshotRoom(uint64_t bytes) {
  std::lock_guard<std::mutex> l(mu_);
  snapshot_ = std::max(snapshot_, RoundUp(bytes));
}

void FileSpaceReserve::SetSizes(uint64_t journal_segment, uint64_t catalog_bytes) {
  std::lock_guard<std::mutex> l(mu_);
  journal_ = journal_segment;
  catalog_ = RoundUp(catalog_bytes);
}

bool FileSpaceReserve::Depleted() const {
  std::lock_guard<std::mutex> l(mu_);
  return depleted_;
}

uint64_t FileSpaceReserve::reserved() const {
  std::lock_guard<std::mutex> l(mu_);
  return size_;
}

uint64_t FileSpaceReserve::target() const {
  std::lock_guard<std::mutex> l(mu_);
  return TargetLocked();
}

Status WriteFileAtomicallyWithReserve(io::FileSystem* fs, SpaceReserve* reserve,
                                      const std::string& path, ByteView bytes) {
  Status s = io::WriteFileAtomically(fs, path, bytes);
  if (s.code() != StatusCode::kNoSpace || reserve == nullptr) return s;
  if (reserve->Release(FileSpaceReserve::RoundUp(bytes.size()) + FileSpaceReserve::kBlock)) {
    s = io::WriteFileAtomically(fs, path, bytes);
  }
  if (s.code() == StatusCode::kNoSpace && io::PathExists(path + ".tmp")) {
    (void)fs->Remove(path + ".tmp");  // a torn temporary file only takes space
  }
  return s;
}

}  // namespace seglog
