#include "io/mmap.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace seglog::io {

MappedFile::~MappedFile() {
  if (size_ > 0) ::munmap(const_cast<uint8_t*>(data_), size_);
}

// The descriptor is closed as soon as the mapping exists: the mapping keeps the file alive.
Status MappedFile::Open(const std::string& path, uint64_t length,
                        std::shared_ptr<MappedFile>* out) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  if (length == 0) {
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return Status::FromErrno(err, "fstat " + path);
    }
    length = static_cast<uint64_t>(st.st_size);
  }
  if (length == 0) {
    ::close(fd);
    out->reset(new MappedFile(nullptr, 0));
    return Status::OK();
  }
  void* p = ::mmap(nullptr, static_cast<size_t>(length), PROT_READ, MAP_SHARED, fd, 0);
  int err = errno;
  ::close(fd);
  if (p == MAP_FAILED) return Status::FromErrno(err, "mmap " + path);
  out->reset(new MappedFile(static_cast<const uint8_t*>(p), static_cast<size_t>(length)));
  return Status::OK();
}

void MappedFile::DropPages(uint64_t offset, uint64_t n) const {
  const uint64_t page = 4096;
  const uint64_t begin = (offset + page - 1) & ~(page - 1);
  const uint64_t end = std::min<uint64_t>(size_, offset + n) & ~(page - 1);
  if (end > begin) {
    (void)::madvise(const_cast<uint8_t*>(data_) + begin, end - begin, MADV_DONTNEED);
  }
}

WritableMapping::~WritableMapping() { ::munmap(data_, size_); }

Status WritableMapping::Map(int fd, uint64_t length, const std::string& path,
                            std::unique_ptr<WritableMapping>* out) {
  if (length == 0) return Status::InvalidArgument("empty writable mapping of " + path);
  void* p = ::mmap(nullptr, static_cast<size_t>(length), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (p == MAP_FAILED) return Status::FromErrno(errno, "mmap (writable) " + path);
  out->reset(new WritableMapping(static_cast<uint8_t*>(p), static_cast<size_t>(length)));
  return Status::OK();
}

void WritableMapping::Prefault(uint64_t offset, uint64_t n) {
#ifndef MADV_POPULATE_WRITE
  constexpr int MADV_POPULATE_WRITE = 23;  // Linux 5.14; older headers lack the name
#endif
  if (!prefault_works_ || offset >= size_) return;
  const uint64_t page = 4096;
  const uint64_t begin = offset & ~(page - 1);
  const uint64_t end = std::min<uint64_t>(size_, offset + n);
  if (end <= begin) return;
  if (::madvise(data_ + begin, end - begin, MADV_POPULATE_WRITE) != 0 && errno == EINVAL) {
    prefault_works_ = false;  // an older kernel: the stores fault pages in one by one instead
  }
}

void WritableMapping::Release(uint64_t offset, uint64_t n) {
  const uint64_t page = 4096;
  const uint64_t begin = (offset + page - 1) & ~(page - 1);
  const uint64_t end = std::min<uint64_t>(size_, offset + n) & ~(page - 1);
  if (end > begin) (void)::madvise(data_ + begin, end - begin, MADV_DONTNEED);
}

}  // namespace seglog::io
