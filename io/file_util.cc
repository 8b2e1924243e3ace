#include "io/file_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace seglog::io {
namespace {

std::string Ctx(std::string_view call, const std::string& path) {
  std::string s(call);
  s += ' ';
  s += path;
  return s;
}

Status OpenRead(const std::string& path, int* fd) {
  int f;
  do {
    f = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (f < 0 && errno == EINTR);
  if (f < 0) return Status::FromErrno(errno, Ctx("open", path));
  *fd = f;
  return Status::OK();
}

// Closes the descriptor when it goes out of scope.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() { ::close(fd_); }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

}  // namespace

Status ListDir(const std::string& dir, std::vector<std::string>* names) {
  names->clear();
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return Status::FromErrno(errno, Ctx("opendir", dir));
  Status s;
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(d);
    if (e == nullptr) {
      if (errno != 0) s = Status::FromErrno(errno, Ctx("readdir", dir));
      break;
    }
    std::string_view n(e->d_name);
    if (n == "." || n == "..") continue;
    names->emplace_back(n);
  }
  ::closedir(d);
  return s;
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool IsDirectory(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Status FileSize(const std::string& path, uint64_t* size) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status::FromErrno(errno, Ctx("stat", path));
  *size = static_cast<uint64_t>(st.st_size);
  return Status::OK();
}

Status DataRegions(const std::string& path, std::vector<std::pair<uint64_t, uint64_t>>* out) {
  out->clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    return Status::FromErrno(e, "fstat " + path);
  }
  const off_t size = st.st_size;
  off_t off = 0;
  while (off < size) {
    const off_t data = ::lseek(fd, off, SEEK_DATA);
    if (data < 0 && errno == ENXIO) break;  // nothing but holes from off on
    const off_t hole = data < 0 ? -1 : ::lseek(fd, data, SEEK_HOLE);
    if (hole < 0) {
      // Cannot tell (EINVAL: no SEEK_DATA here): everything from `off` may hold data.
      out->emplace_back(static_cast<uint64_t>(off), static_cast<uint64_t>(size));
      break;
    }
    out->emplace_back(static_cast<uint64_t>(data), static_cast<uint64_t>(std::min(hole, size)));
    off = hole;
  }
  ::close(fd);
  return Status::OK();
}

void DropCache(const std::string& path, uint64_t offset, uint64_t n) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  (void)::posix_fadvise(fd, static_cast<off_t>(offset), static_cast<off_t>(n),
                        POSIX_FADV_DONTNEED);
  ::close(fd);
}

Status ReadFile(const std::string& path, ByteBuffer* out) {
  out->clear();
  int fd = -1;
  SEGLOG_RETURN_IF_ERROR(OpenRead(path, &fd));
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::FromErrno(errno, Ctx("fstat", path));
  if (S_ISDIR(st.st_mode)) return Status::FromErrno(EISDIR, Ctx("read", path));
  // The size is a hint: read until end of file, in case the file grows meanwhile.
  out->reserve(static_cast<size_t>(st.st_size));
  uint8_t buf[64 * 1024];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, Ctx("read", path));
    }
    if (n == 0) break;
    out->insert(out->end(), buf, buf + n);
  }
  return Status::OK();
}

Status ReadAt(const std::string& path, uint64_t offset, size_t n, ByteBuffer* out) {
  out->clear();
  int fd = -1;
  SEGLOG_RETURN_IF_ERROR(OpenRead(path, &fd));
  FdCloser closer(fd);
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::FromErrno(errno, Ctx("fstat", path));
  // Refuse a read past the end before allocating for it (n may come from damaged data).
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (offset > size || n > size - offset) {
    return Status::Corruption("short read of " + path + ": " + std::to_string(n) +
                              " bytes at offset " + std::to_string(offset) + ", file has " +
                              std::to_string(size));
  }
  out->resize(n);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, out->data() + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      out->clear();
      return Status::FromErrno(errno, Ctx("pread", path));
    }
    if (r == 0) {  // the file shrank since fstat
      out->clear();
      return Status::Corruption("short read of " + path + ": " + std::to_string(n) +
                                " bytes at offset " + std::to_string(offset) + ", got " +
                                std::to_string(got));
    }
    got += static_cast<size_t>(r);
  }
  return Status::OK();
}

Status CreateDirs(const std::string& path) {
  if (path.empty()) return Status::InvalidArgument("CreateDirs: empty path");
  // Create each prefix ending before a '/', then the whole path.
  size_t pos = 0;
  for (;;) {
    size_t slash = path.find('/', pos);
    std::string prefix = slash == std::string::npos ? path : path.substr(0, slash);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), 0755) != 0) {
      int err = errno;
      if (err != EEXIST || !IsDirectory(prefix)) {
        return Status::FromErrno(err == EEXIST ? ENOTDIR : err, Ctx("mkdir", prefix));
      }
    }
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return Status::OK();
}

FileLock::~FileLock() {
  ::flock(fd_, LOCK_UN);
  ::close(fd_);
}

Status FileLock::Acquire(const std::string& path, std::unique_ptr<FileLock>* out) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Status::FromErrno(errno, Ctx("open", path));
  int r;
  do {
    r = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (r != 0 && errno == EINTR);
  if (r != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return Status::Locked("store is locked by another process: " + path);
    }
    return Status::FromErrno(err, Ctx("flock", path));
  }
  out->reset(new FileLock(fd));
  return Status::OK();
}

}  // namespace seglog::io
