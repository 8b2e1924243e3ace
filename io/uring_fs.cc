// The io_uring backend.
//
// Rings: one per thread (thread_local, taken on the thread's first write or sync, handed to a
// small pool for a later thread when the thread exits), so callers on different threads never
// share a ring and the write path takes no lock. Every call submits its own requests and waits
// for all of their completions before it returns, so at most two requests are ever in flight
// on a ring and no buffer outlives its call.
// Only WriteAndSync and Sync go through the ring (Write is a pwrite, see below); Allocate, Truncate, Size and the
// directory operations are plain syscalls (io/posix_fs.h).

#include <liburing.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "io/posix_fs.h"

namespace seglog::io {
namespace {

constexpr unsigned kRingDepth = 8;
// The kernel caps one read/write at about 2 GiB (MAX_RW_COUNT); stay well below it.
constexpr size_t kMaxChunk = size_t{1} << 30;

// Rings of threads that have exited, kept for the next thread that needs one (at most
// kMaxIdleRings; more are destroyed). Reusing rings spares short-lived threads the cost of
// io_uring_setup, and the hand-over goes through a mutex: liburing maps and unmaps ring memory
// with raw syscalls that ThreadSanitizer cannot see, so a fresh ring mapped where a dead
// thread's ring used to be looks to it like a race between the two threads.
// Deliberately never destroyed (threads may exit after static destructors have run).
// A forked child inherits every ring (their memory and file descriptors) while the parent
// keeps using them: a ring is only ever used by the process that created it. Each ring
// remembers the fork generation it was created in; a child (pthread_atfork) is a new one.
std::atomic<uint64_t> g_fork_generation{0};
uint64_t ForkGeneration() {
  static const bool registered = [] {
    pthread_atfork(nullptr, nullptr, [] { g_fork_generation.fetch_add(1); });
    return true;
  }();
  (void)registered;
  return g_fork_generation.load(std::memory_order_relaxed);
}

struct OwnedRing {
  std::unique_ptr<io_uring> ring;
  uint64_t generation = 0;
};

class RingPool {
 public:
  static RingPool& Get() {
    static RingPool* pool = new RingPool;
    return *pool;
  }

  OwnedRing Take() {
    std::lock_guard<std::mutex> l(mu_);
    while (!idle_.empty()) {
      OwnedRing r = std::move(idle_.back());
      idle_.pop_back();
      if (r.generation == ForkGeneration()) return r;
      io_uring_queue_exit(r.ring.get());  // the parent's: this process's copy only
    }
    return {};
  }

  // REQUIRES: nothing queued or in flight on `r`.
  void Give(OwnedRing r) {
    if (r.generation == ForkGeneration()) {
      std::lock_guard<std::mutex> l(mu_);
      if (idle_.size() < kMaxIdleRings) {
        idle_.push_back(std::move(r));
        return;
      }
    }
    io_uring_queue_exit(r.ring.get());
  }

 private:
  static constexpr size_t kMaxIdleRings = 16;
  std::mutex mu_;
  std::vector<OwnedRing> idle_;
};

// The calling thread's ring: taken from the pool or created on first use, handed back to the
// pool when the thread exits. A failed creation is retried on the next call.
class ThreadRing {
 public:
  ThreadRing() = default;
  ~ThreadRing() {
    if (ring_.ring != nullptr) RingPool::Get().Give(std::move(ring_));
  }
  ThreadRing(const ThreadRing&) = delete;
  ThreadRing& operator=(const ThreadRing&) = delete;

  // Returns the ring, creating it when needed; IOError with the reason when the kernel refuses.
  Status Get(io_uring** out) {
    if (ring_.ring != nullptr && ring_.generation != ForkGeneration()) Reset();  // forked
    if (ring_.ring == nullptr) ring_ = RingPool::Get().Take();
    if (ring_.ring == nullptr) {
      auto r = std::make_unique<io_uring>();
      int err = io_uring_queue_init(kRingDepth, r.get(), 0);
      if (err < 0) {
        return Status::IOError(std::string("io_uring_queue_init: ") + std::strerror(-err));
      }
      ring_ = OwnedRing{std::move(r), ForkGeneration()};
    }
    *out = ring_.ring.get();
    return Status::OK();
  }

  // Destroys the ring (used when its state can no longer be trusted).
  void Reset() {
    if (ring_.ring != nullptr) io_uring_queue_exit(ring_.ring.get());
    ring_ = OwnedRing{};
  }

 private:
  OwnedRing ring_;
};

ThreadRing& CurrentRing() {
  thread_local ThreadRing ring;
  return ring;
}

// Submits the `n` SQEs already prepared on this thread's ring (user_data 0..n-1) and waits for
// all n completions; res[i] receives the result of the SQE with user_data i.
// A non-OK Status means the ring itself failed (not the requests); the ring is then dropped
// and the next call on this thread gets another. Whatever was submitted is reaped first, so the
// kernel is done with the caller's buffers, unless io_uring_wait_cqe itself fails (not expected
// with at most two requests in flight on a ring of depth 8).
Status SubmitAndWait(io_uring* ring, unsigned n, int* res, const std::string& path) {
  unsigned submitted = 0;
  Status failure;
  while (submitted < n) {
    int r = io_uring_submit_and_wait(ring, 1);
    if (r == -EINTR) continue;  // unsubmitted SQEs stay queued; submit again
    if (r <= 0) {
      failure = r == 0 ? Status::IOError("io_uring_submit " + path + ": nothing submitted")
                       : Status::FromErrno(-r, "io_uring_submit " + path);
      break;
    }
    submitted += static_cast<unsigned>(r);
  }
  // Reap everything that was submitted, even after a failure.
  for (unsigned got = 0; got < submitted;) {
    io_uring_cqe* cqe = nullptr;
    int r = io_uring_wait_cqe(ring, &cqe);
    if (r == -EINTR) continue;
    if (r < 0) {
      failure = Status::FromErrno(-r, "io_uring_wait_cqe " + path);
      break;
    }
    uint64_t id = cqe->user_data;
    if (id < n) res[id] = cqe->res;
    io_uring_cqe_seen(ring, cqe);
    ++got;
  }
  // A ring that failed may still hold queued SQEs: drop it.
  if (!failure.ok()) CurrentRing().Reset();
  return failure;
}

// io_uring reads an offset of -1 (UINT64_MAX) as "the file position"; pwrite refuses every
// negative offset. Refuse them here too, as pwrite would.
Status CheckOffset(FileOffset offset, const std::string& path) {
  if (offset.value() > static_cast<uint64_t>(INT64_MAX)) {
    return Status::FromErrno(EINVAL, "io_uring write " + path);
  }
  return Status::OK();
}

class UringWritableFile final : public internal::PosixWritableFile {
 public:
  using PosixWritableFile::PosixWritableFile;

  // A write with no sync after it is a copy into the page cache. Submitted through the ring,
  // the kernel hands buffered writes on ext4 to an io-wq worker, so each one costs a thread
  // hop: measured 110k vs 233k appends/s (100 B, durability none, one thread) on this
  // project's machines. So it is a plain pwrite; the ring is used where it pays, a write with
  // its fdatasync linked in one submission (WriteAndSync) and the sync itself.
  Status Write(FileOffset offset, ByteView data) override {
    return PosixWritableFile::Write(offset, data);
  }

 private:
  // Writes through the ring (used to finish a short linked write).
  Status RingWrite(FileOffset offset, ByteView data) {
    SEGLOG_RETURN_IF_ERROR(CheckOffset(offset, path()));
    io_uring* ring = nullptr;
    SEGLOG_RETURN_IF_ERROR(CurrentRing().Get(&ring));
    const uint8_t* p = data.data();
    size_t left = data.size();
    uint64_t off = offset.value();
    while (left > 0) {
      const unsigned len = static_cast<unsigned>(std::min(left, kMaxChunk));
      io_uring_sqe* sqe = io_uring_get_sqe(ring);
      if (sqe == nullptr) return Status::IOError("io_uring_get_sqe " + path() + ": ring full");
      io_uring_prep_write(sqe, fd(), p, len, off);
      io_uring_sqe_set_data64(sqe, 0);
      int res = 0;
      SEGLOG_RETURN_IF_ERROR(SubmitAndWait(ring, 1, &res, path()));
      if (res == -EINTR || res == -EAGAIN) continue;
      if (res < 0) return Status::FromErrno(-res, "io_uring write " + path());
      if (res == 0) return Status::IOError("io_uring write " + path() + ": wrote 0 bytes");
      p += res;
      left -= static_cast<size_t>(res);
      off += static_cast<uint64_t>(res);
    }
    return Status::OK();
  }


 public:
  // One submission: the write, linked to an fdatasync. A short write breaks the link (the
  // kernel completes the fsync with -ECANCELED); the rest is then written and synced apart.
  Status WriteAndSync(FileOffset offset, ByteView data) override {
    SEGLOG_RETURN_IF_ERROR(CheckOffset(offset, path()));
    if (data.empty()) return Sync();
    if (data.size() > kMaxChunk) {
      SEGLOG_RETURN_IF_ERROR(RingWrite(offset, data));
      return Sync();
    }
    io_uring* ring = nullptr;
    SEGLOG_RETURN_IF_ERROR(CurrentRing().Get(&ring));
    if (io_uring_sq_space_left(ring) < 2) {
      return Status::IOError("io_uring_get_sqe " + path() + ": ring full");
    }
    io_uring_sqe* w = io_uring_get_sqe(ring);
    io_uring_prep_write(w, fd(), data.data(), static_cast<unsigned>(data.size()),
                        offset.value());
    io_uring_sqe_set_data64(w, 0);
    w->flags |= IOSQE_IO_LINK;
    io_uring_sqe* s = io_uring_get_sqe(ring);
    io_uring_prep_fsync(s, fd(), IORING_FSYNC_DATASYNC);
    io_uring_sqe_set_data64(s, 1);
    int res[2] = {0, 0};
    SEGLOG_RETURN_IF_ERROR(SubmitAndWait(ring, 2, res, path()));
    if (res[0] < 0 && res[0] != -EINTR && res[0] != -EAGAIN) {
      return Status::FromErrno(-res[0], "io_uring write " + path());
    }
    const size_t wrote = res[0] > 0 ? static_cast<size_t>(res[0]) : 0;
    if (wrote < data.size()) {
      // Short (or retryable) write: the linked fsync was cancelled. Finish apart.
      SEGLOG_RETURN_IF_ERROR(RingWrite(offset + wrote, data.subspan(wrote)));
      return Sync();
    }
    if (res[1] < 0) return Status::FromErrno(-res[1], "io_uring fdatasync " + path());
    return Status::OK();
  }

  Status Sync() override {
    io_uring* ring = nullptr;
    SEGLOG_RETURN_IF_ERROR(CurrentRing().Get(&ring));
    for (;;) {
      io_uring_sqe* sqe = io_uring_get_sqe(ring);
      if (sqe == nullptr) return Status::IOError("io_uring_get_sqe " + path() + ": ring full");
      io_uring_prep_fsync(sqe, fd(), IORING_FSYNC_DATASYNC);
      io_uring_sqe_set_data64(sqe, 0);
      int res = 0;
      SEGLOG_RETURN_IF_ERROR(SubmitAndWait(ring, 1, &res, path()));
      if (res == -EINTR || res == -EAGAIN) continue;
      if (res < 0) return Status::FromErrno(-res, "io_uring fdatasync " + path());
      return Status::OK();
    }
  }
};

class UringFileSystem final : public internal::PosixFileSystem {
 public:
  std::string_view name() const override { return "io_uring"; }
  Status OpenWritable(const std::string& path, OpenMode mode,
                      std::unique_ptr<WritableFile>* out) override {
    int fd = -1;
    SEGLOG_RETURN_IF_ERROR(OpenFd(path, mode, &fd));
    *out = std::make_unique<UringWritableFile>(fd, path);
    return Status::OK();
  }
};

// Creates a ring and runs one NOP through it; a ring that passes goes to the pool.
Status Probe() {
  auto ring = std::make_unique<io_uring>();
  int r = io_uring_queue_init(kRingDepth, ring.get(), 0);
  if (r < 0) return Status::NotSupported(std::string("io_uring unavailable: ") + std::strerror(-r));
  io_uring_sqe* sqe = io_uring_get_sqe(ring.get());
  if (sqe == nullptr) {
    io_uring_queue_exit(ring.get());
    return Status::NotSupported("io_uring unavailable: no submission slot");
  }
  io_uring_prep_nop(sqe);
  do {
    r = io_uring_submit_and_wait(ring.get(), 1);
  } while (r == -EINTR);
  io_uring_cqe* cqe = nullptr;
  if (r >= 0) {
    do {
      r = io_uring_wait_cqe(ring.get(), &cqe);
    } while (r == -EINTR);
  }
  int res = r;
  if (r >= 0) {
    res = cqe->res;
    io_uring_cqe_seen(ring.get(), cqe);
  }
  if (res < 0) {
    io_uring_queue_exit(ring.get());
    return Status::NotSupported(std::string("io_uring unavailable: ") + std::strerror(-res));
  }
  RingPool::Get().Give(OwnedRing{std::move(ring), ForkGeneration()});
  return Status::OK();
}

}  // namespace

Status NewUringFileSystem(std::unique_ptr<FileSystem>* out) {
  SEGLOG_RETURN_IF_ERROR(Probe());
  *out = std::make_unique<UringFileSystem>();
  return Status::OK();
}

}  // namespace seglog::io
