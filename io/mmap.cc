#include "io/mmap.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

}  // namespace seglog::io
