// FaultFileSystem: failure injection and power-loss simulation (see tests/support/fault_fs.h).
//
// Every call, on the file system and on the files it opened, first passes State::Check, which
// counts it, fires FailNth / ShortWriteNth rules and the crash countdown, and fails everything
// once crashed. Power loss is simulated with an undo log: before each Write, Truncate or
// Allocate of a file the bytes and size it is about to change are read from the file (pread on
// a private read-only descriptor) and kept until a Sync of that file succeeds.
// SimulatePowerLoss replays each file's log backwards on the real file, with plain
// open/pwrite/ftruncate, never through the wrapped file system.
//
// The log is kept per file ("node"), not per path: a node follows its file through Rename, so
// an open file that is renamed keeps its unsynced changes. Paths are compared as spelled.

#include "tests/support/fault_fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <random>
#include <set>

namespace seglog::io {

std::string_view FsOpName(FsOp op) {
  switch (op) {
    case FsOp::kOpen: return "open";
    case FsOp::kWrite: return "write";
    case FsOp::kSync: return "sync";
    case FsOp::kAllocate: return "allocate";
    case FsOp::kTruncate: return "truncate";
    case FsOp::kRename: return "rename";
    case FsOp::kRemove: return "remove";
    case FsOp::kCreateDir: return "create_dir";
    case FsOp::kRemoveDir: return "remove_dir";
    case FsOp::kSyncDir: return "sync_dir";
  }
  return "unknown";
}

namespace {

// One unsynced change of a file, enough to undo it: the file's size before the change, and
// what [offset, offset + length) held before it (`saved`, then zeros up to `length`: trailing
// zeros are not stored, so preallocated space costs nothing).
struct Undo {
  bool is_write = false;  // a Write (else a Truncate or Allocate)
  uint64_t prev_size = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
  ByteBuffer saved;
  uint64_t write_len = 0;  // for a write: its length (its offset is `offset`)
};

// The state of one file as the fault layer tracks it.
struct Node {
  std::vector<Undo> unsynced;  // oldest first
  bool created = false;        // created, and its directory not synced since
};

std::string DirOf(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string NormalizeDir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir.empty() ? "." : dir;
}

Status PreadAll(int fd, uint64_t offset, size_t n, uint8_t* out, const std::string& path) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, out + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "fault: pread " + path);
    }
    if (r == 0) return Status::IOError("fault: pread " + path + ": file shrank");
    got += static_cast<size_t>(r);
  }
  return Status::OK();
}

Status PwriteAll(int fd, uint64_t offset, const uint8_t* p, size_t n, const std::string& path) {
  while (n > 0) {
    ssize_t r = ::pwrite(fd, p, n, static_cast<off_t>(offset));
    if (r < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "fault: pwrite " + path);
    }
    if (r == 0) return Status::IOError("fault: pwrite " + path + ": wrote 0 bytes");
    p += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return Status::OK();
}

Status FdSize(int fd, uint64_t* size, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return Status::FromErrno(errno, "fault: fstat " + path);
  *size = static_cast<uint64_t>(st.st_size);
  return Status::OK();
}

// Fills u->saved with [offset, offset + length) of the file, trailing zeros dropped.
Status SaveRange(int fd, const std::string& path, Undo* u) {
  constexpr size_t kChunk = 1 << 20;
  u->saved.clear();
  size_t keep = 0;  // bytes of `saved` up to and including its last non-zero byte
  for (uint64_t done = 0; done < u->length;) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, u->length - done));
    const size_t base = u->saved.size();
    u->saved.resize(base + n);
    SEGLOG_RETURN_IF_ERROR(PreadAll(fd, u->offset + done, n, u->saved.data() + base, path));
    for (size_t i = base + n; i > base; --i) {
      if (u->saved[i - 1] != 0) {
        keep = i;
        break;
      }
    }
    u->saved.resize(keep);  // drop zeros as we go so a zero-filled range never piles up
    done += n;
  }
  return Status::OK();
}

// Puts the file back to what it was before `u`. REQUIRES: the file is as `u` left it.
Status ApplyUndo(int fd, const std::string& path, const Undo& u) {
  uint64_t cur = 0;
  SEGLOG_RETURN_IF_ERROR(FdSize(fd, &cur, path));
  if (cur < u.prev_size && ::ftruncate(fd, static_cast<off_t>(u.prev_size)) != 0) {
    return Status::FromErrno(errno, "fault: ftruncate " + path);
  }
  SEGLOG_RETURN_IF_ERROR(PwriteAll(fd, u.offset, u.saved.data(), u.saved.size(), path));
  // Zeros that were overwritten; past `cur` the ftruncate above already made them zero.
  const uint64_t zero_from = u.offset + u.saved.size();
  const uint64_t zero_to = std::min(u.offset + u.length, cur);
  if (zero_from < zero_to) {
    const ByteBuffer zeros(static_cast<size_t>(std::min<uint64_t>(zero_to - zero_from, 1 << 20)));
    for (uint64_t off = zero_from; off < zero_to;) {
      const size_t n = static_cast<size_t>(std::min<uint64_t>(zeros.size(), zero_to - off));
      SEGLOG_RETURN_IF_ERROR(PwriteAll(fd, off, zeros.data(), n, path));
      off += n;
    }
  }
  if (::ftruncate(fd, static_cast<off_t>(u.prev_size)) != 0) {
    return Status::FromErrno(errno, "fault: ftruncate " + path);
  }
  return Status::OK();
}

// Puts the file back to what its last successful sync covered: every change undone, newest
// first.
Status RevertAll(int fd, const std::string& path, const std::vector<Undo>& unsynced) {
  for (auto it = unsynced.rbegin(); it != unsynced.rend(); ++it) {
    SEGLOG_RETURN_IF_ERROR(ApplyUndo(fd, path, *it));
  }
  return Status::OK();
}

// The 4 KiB pages (by index) that unsynced changes wrote or cut off.
std::set<uint64_t> TouchedPages(const std::vector<Undo>& unsynced) {
  std::set<uint64_t> pages;
  for (const Undo& u : unsynced) {
    const uint64_t len = std::max(u.length, u.write_len);
    if (len == 0) continue;
    for (uint64_t p = u.offset / kPowerLossPage; p <= (u.offset + len - 1) / kPowerLossPage; ++p) {
      pages.insert(p);
    }
  }
  return pages;
}

// Reads page `p` as the file holds it now, zeros past its end: always a whole page.
Status ReadPage(int fd, const std::string& path, uint64_t p, uint64_t size, ByteBuffer* out) {
  out->assign(kPowerLossPage, 0);
  const uint64_t off = p * kPowerLossPage;
  if (off >= size) return Status::OK();
  const size_t n = static_cast<size_t>(std::min<uint64_t>(kPowerLossPage, size - off));
  return PreadAll(fd, off, n, out->data(), path);
}

// Power loss as a disk that writes back pages in any order may leave it: every page that an
// unsynced change touched independently holds either its content now or its content at the
// last sync (each page kept with a probability drawn per file, so that both "almost all" and
// "almost none" come up); the size is either the one now or the one at the last sync (the
// inode is written back on its own). Pages nothing touched since the last sync stay.
Status RevertAnyPages(int fd, const std::string& path, const std::vector<Undo>& unsynced,
                      std::mt19937_64& rng) {
  uint64_t now_size = 0;
  SEGLOG_RETURN_IF_ERROR(FdSize(fd, &now_size, path));
  std::map<uint64_t, ByteBuffer> now;  // the touched pages' content now
  for (uint64_t p : TouchedPages(unsynced)) {
    SEGLOG_RETURN_IF_ERROR(ReadPage(fd, path, p, now_size, &now[p]));
  }
  SEGLOG_RETURN_IF_ERROR(RevertAll(fd, path, unsynced));
  uint64_t size = 0;
  SEGLOG_RETURN_IF_ERROR(FdSize(fd, &size, path));
  if (now_size != size && rng() % 2 == 0) {
    if (::ftruncate(fd, static_cast<off_t>(now_size)) != 0) {
      return Status::FromErrno(errno, "fault: ftruncate " + path);
    }
    size = now_size;
  }
  const double keep = std::uniform_real_distribution<double>(0, 1)(rng);
  for (const auto& [p, bytes] : now) {
    const bool kept = std::uniform_real_distribution<double>(0, 1)(rng) < keep;
    const uint64_t off = p * kPowerLossPage;
    if (!kept || off >= size) continue;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kPowerLossPage, size - off));
    SEGLOG_RETURN_IF_ERROR(PwriteAll(fd, off, bytes.data(), n, path));
  }
  return Status::OK();
}

// Reverts every change, except that a prefix of the last one survives when it is a write:
// 1..len-1 bytes drawn from `rng`, rounded down to a multiple of 512 from the write's start
// (at least 512) for writes over 512 bytes, like torn sectors.
Status RevertTearingLastWrite(int fd, const std::string& path, const Node& node,
                              std::mt19937_64& rng) {
  ByteBuffer torn;
  uint64_t torn_offset = 0;
  const Undo& last = node.unsynced.back();
  Status torn_read;  // on failure the file is still reverted, only not torn
  if (last.is_write && last.write_len > 1) {
    uint64_t keep = std::uniform_int_distribution<uint64_t>(1, last.write_len - 1)(rng);
    if (last.write_len > 512) keep = std::max<uint64_t>(512, keep / 512 * 512);
    // A write that itself failed part-way may have left less than `keep` bytes.
    uint64_t cur = 0;
    torn_read = FdSize(fd, &cur, path);
    keep = cur > last.offset ? std::min(keep, cur - last.offset) : 0;
    torn.resize(torn_read.ok() ? static_cast<size_t>(keep) : 0);
    torn_offset = last.offset;
    if (torn_read.ok()) torn_read = PreadAll(fd, torn_offset, torn.size(), torn.data(), path);
    if (!torn_read.ok()) torn.clear();
  }
  SEGLOG_RETURN_IF_ERROR(RevertAll(fd, path, node.unsynced));
  SEGLOG_RETURN_IF_ERROR(PwriteAll(fd, torn_offset, torn.data(), torn.size(), path));
  return torn_read;
}

Status CrashError(const std::string& what) {
  return Status::IOError("injected crash (machine is down): " + what);
}

}  // namespace

struct FaultFileSystem::State {
  struct FailRule {
    FsOp op;
    uint64_t n;
    int err;
  };

  mutable std::mutex mu;
  uint64_t counts[kFsOpCount] = {};
  std::vector<FailRule> fail_rules;
  std::vector<uint64_t> short_writes;  // n of the Writes to make short
  bool crash_armed = false;
  uint64_t crash_countdown = 0;  // mutating calls still allowed while armed
  bool crashed = false;
  std::map<std::string, std::shared_ptr<Node>> nodes;  // by current path

  // Counts one call of `op` and applies the rules. `what` names the call for messages. For a
  // kWrite, *short_write (when given) is set when this call is to be made short.
  Status Check(FsOp op, const std::string& what, bool* short_write = nullptr) {
    std::lock_guard<std::mutex> l(mu);
    if (crashed) return CrashError(what);
    const uint64_t n = ++counts[static_cast<int>(op)];
    if (crash_armed) {
      if (crash_countdown == 0) {
        crash_armed = false;
        crashed = true;
        return CrashError(what);
      }
      --crash_countdown;
    }
    for (auto it = fail_rules.begin(); it != fail_rules.end(); ++it) {
      if (it->op == op && it->n == n) {
        const int err = it->err;
        fail_rules.erase(it);
        return Status::FromErrno(err, "injected " + std::string(FsOpName(op)) + " failure: " +
                                          what);
      }
    }
    if (short_write != nullptr && op == FsOp::kWrite) {
      auto it = std::find(short_writes.begin(), short_writes.end(), n);
      if (it != short_writes.end()) {
        short_writes.erase(it);
        *short_write = true;
      }
    }
    return Status::OK();
  }

  // For calls that change nothing (Size): fail only once crashed.
  Status CheckAlive(const std::string& what) const {
    std::lock_guard<std::mutex> l(mu);
    if (crashed) return CrashError(what);
    return Status::OK();
  }

  // The node tracking `path`, created (not marked "created") when untracked.
  std::shared_ptr<Node> NodeFor(const std::string& path) {
    std::lock_guard<std::mutex> l(mu);
    auto& n = nodes[path];
    if (n == nullptr) n = std::make_shared<Node>();
    return n;
  }
};

namespace {

using State = FaultFileSystem::State;

class FaultFile final : public WritableFile {
 public:
  FaultFile(std::shared_ptr<State> st, std::shared_ptr<Node> node,
            std::unique_ptr<WritableFile> base, int rfd)
      : st_(std::move(st)), node_(std::move(node)), base_(std::move(base)), rfd_(rfd) {}
  ~FaultFile() override { ::close(rfd_); }
  FaultFile(const FaultFile&) = delete;
  FaultFile& operator=(const FaultFile&) = delete;

  Status Write(FileOffset offset, ByteView data) override {
    bool short_write = false;
    SEGLOG_RETURN_IF_ERROR(st_->Check(FsOp::kWrite, "write " + path(), &short_write));
    Undo u;
    SEGLOG_RETURN_IF_ERROR(CaptureWrite(offset.value(), data.size(), &u));
    if (short_write) return ShortWrite(offset, data, std::move(u));
    Status s = base_->Write(offset, data);
    Record(std::move(u));
    return s;
  }

  // Counts as one kWrite and then one kSync. When the sync part fails (injected), the data is
  // written but stays unsynced.
  Status WriteAndSync(FileOffset offset, ByteView data) override {
    bool short_write = false;
    SEGLOG_RETURN_IF_ERROR(st_->Check(FsOp::kWrite, "write " + path(), &short_write));
    Undo u;
    SEGLOG_RETURN_IF_ERROR(CaptureWrite(offset.value(), data.size(), &u));
    if (short_write) return ShortWrite(offset, data, std::move(u));
    Status sync_check = st_->Check(FsOp::kSync, "sync " + path());
    if (!sync_check.ok()) {
      Status s = base_->Write(offset, data);
      Record(std::move(u));
      return s.ok() ? sync_check : s;
    }
    const size_t covered = UnsyncedCount();
    Status s = base_->WriteAndSync(offset, data);
    if (s.ok()) {
      MarkSynced(covered);  // and this write: it never enters the log
    } else {
      Record(std::move(u));
    }
    return s;
  }

  Status Sync() override {
    SEGLOG_RETURN_IF_ERROR(st_->Check(FsOp::kSync, "sync " + path()));
    const size_t covered = UnsyncedCount();
    Status s = base_->Sync();
    if (s.ok()) MarkSynced(covered);
    return s;
  }

  Status Allocate(uint64_t size) override {
    SEGLOG_RETURN_IF_ERROR(st_->Check(FsOp::kAllocate, "allocate " + path()));
    Undo u;
    SEGLOG_RETURN_IF_ERROR(FdSize(rfd_, &u.prev_size, path()));  // allocate never shrinks
    Status s = base_->Allocate(size);
    Record(std::move(u));
    return s;
  }

  Status Truncate(uint64_t size) override {
    SEGLOG_RETURN_IF_ERROR(st_->Check(FsOp::kTruncate, "truncate " + path()));
    Undo u;
    SEGLOG_RETURN_IF_ERROR(FdSize(rfd_, &u.prev_size, path()));
    if (size < u.prev_size) {  // keep what a shrink cuts off
      u.offset = size;
      u.length = u.prev_size - size;
      SEGLOG_RETURN_IF_ERROR(SaveRange(rfd_, path(), &u));
    }
    Status s = base_->Truncate(size);
    Record(std::move(u));
    return s;
  }

  Status Size(uint64_t* size) override {
    SEGLOG_RETURN_IF_ERROR(st_->CheckAlive("size " + path()));
    return base_->Size(size);
  }

  const std::string& path() const override { return base_->path(); }

 private:
  Status CaptureWrite(uint64_t offset, size_t n, Undo* u) {
    u->is_write = true;
    u->offset = offset;
    u->write_len = n;
    SEGLOG_RETURN_IF_ERROR(FdSize(rfd_, &u->prev_size, path()));
    if (offset < u->prev_size) {
      u->length = std::min<uint64_t>(n, u->prev_size - offset);
      SEGLOG_RETURN_IF_ERROR(SaveRange(rfd_, path(), u));
    }
    return Status::OK();
  }

  Status ShortWrite(FileOffset offset, ByteView data, Undo u) {
    Status s = base_->Write(offset, data.first(data.size() / 2));
    Record(std::move(u));
    if (!s.ok()) return s;
    return Status::NoSpace("injected short write: " + path());
  }

  // Appends `u` to the file's unsynced log.
  void Record(Undo u) {
    std::lock_guard<std::mutex> l(st_->mu);
    node_->unsynced.push_back(std::move(u));
  }

  size_t UnsyncedCount() const {
    std::lock_guard<std::mutex> l(st_->mu);
    return node_->unsynced.size();
  }

  // A sync that succeeded covers the changes logged before it started (each was complete by
  // then), not those other threads logged while it ran.
  void MarkSynced(size_t covered) {
    std::lock_guard<std::mutex> l(st_->mu);
    covered = std::min(covered, node_->unsynced.size());
    node_->unsynced.erase(node_->unsynced.begin(),
                          node_->unsynced.begin() + static_cast<std::ptrdiff_t>(covered));
  }

  const std::shared_ptr<State> st_;
  const std::shared_ptr<Node> node_;
  const std::unique_ptr<WritableFile> base_;
  const int rfd_;  // read-only, for saving what a change overwrites
};

}  // namespace

FaultFileSystem::FaultFileSystem(std::unique_ptr<FileSystem> base)
    : base_(std::move(base)),
      name_("fault(" + std::string(base_->name()) + ")"),
      state_(std::make_shared<State>()) {}

FaultFileSystem::~FaultFileSystem() = default;

void FaultFileSystem::FailNth(FsOp op, uint64_t n, int err) {
  std::lock_guard<std::mutex> l(state_->mu);
  state_->fail_rules.push_back({op, n, err});
}

void FaultFileSystem::ShortWriteNth(uint64_t n) {
  std::lock_guard<std::mutex> l(state_->mu);
  state_->short_writes.push_back(n);
}

void FaultFileSystem::CrashAfter(uint64_t n) {
  std::lock_guard<std::mutex> l(state_->mu);
  state_->crash_armed = true;
  state_->crash_countdown = n;
}

void FaultFileSystem::Crash() {
  std::lock_guard<std::mutex> l(state_->mu);
  state_->crashed = true;
}

bool FaultFileSystem::crashed() const {
  std::lock_guard<std::mutex> l(state_->mu);
  return state_->crashed;
}

uint64_t FaultFileSystem::count(FsOp op) const {
  std::lock_guard<std::mutex> l(state_->mu);
  return state_->counts[static_cast<int>(op)];
}

std::string_view FaultFileSystem::name() const { return name_; }

Status FaultFileSystem::OpenWritable(const std::string& path, OpenMode mode,
                                     std::unique_ptr<WritableFile>* out) {
  SEGLOG_RETURN_IF_ERROR(state_->Check(FsOp::kOpen, "open " + path));
  std::unique_ptr<WritableFile> base;
  SEGLOG_RETURN_IF_ERROR(base_->OpenWritable(path, mode, &base));
  int rfd;
  do {
    rfd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (rfd < 0 && errno == EINTR);
  if (rfd < 0) return Status::FromErrno(errno, "fault: open " + path);
  std::shared_ptr<Node> node;
  switch (mode) {
    case OpenMode::kCreateNew: {
      node = std::make_shared<Node>();
      node->created = true;
      std::lock_guard<std::mutex> l(state_->mu);
      state_->nodes[path] = node;
      break;
    }
    case OpenMode::kOpenExisting:
      node = state_->NodeFor(path);
      break;
  }
  *out = std::make_unique<FaultFile>(state_, std::move(node), std::move(base), rfd);
  return Status::OK();
}

// Not undone by power loss. The file's node moves to `to`; when `to` already existed the new
// name counts as durable (power loss then keeps the new file under it, never neither).
Status FaultFileSystem::Rename(const std::string& from, const std::string& to) {
  SEGLOG_RETURN_IF_ERROR(state_->Check(FsOp::kRename, "rename " + from + " -> " + to));
  struct stat st;
  const bool replaces = ::lstat(to.c_str(), &st) == 0;
  SEGLOG_RETURN_IF_ERROR(base_->Rename(from, to));
  std::lock_guard<std::mutex> l(state_->mu);
  auto it = state_->nodes.find(from);
  if (it == state_->nodes.end()) {
    state_->nodes.erase(to);
    return Status::OK();
  }
  std::shared_ptr<Node> node = std::move(it->second);
  state_->nodes.erase(it);
  if (replaces) node->created = false;
  state_->nodes[to] = std::move(node);
  return Status::OK();
}

// Not undone by power loss.
Status FaultFileSystem::Remove(const std::string& path) {
  SEGLOG_RETURN_IF_ERROR(state_->Check(FsOp::kRemove, "remove " + path));
  SEGLOG_RETURN_IF_ERROR(base_->Remove(path));
  std::lock_guard<std::mutex> l(state_->mu);
  state_->nodes.erase(path);
  return Status::OK();
}

Status FaultFileSystem::CreateDir(const std::string& path) {
  SEGLOG_RETURN_IF_ERROR(state_->Check(FsOp::kCreateDir, "create_dir " + path));
  return base_->CreateDir(path);
}

Status FaultFileSystem::RemoveDir(const std::string& path) {
  SEGLOG_RETURN_IF_ERROR(state_->Check(FsOp::kRemoveDir, "remove_dir " + path));
  return base_->RemoveDir(path);
}

Status FaultFileSystem::SyncDir(const std::string& path) {
  SEGLOG_RETURN_IF_ERROR(state_->Check(FsOp::kSyncDir, "sync_dir " + path));
  SEGLOG_RETURN_IF_ERROR(base_->SyncDir(path));
  const std::string dir = NormalizeDir(path);
  std::lock_guard<std::mutex> l(state_->mu);
  for (auto& [p, node] : state_->nodes) {
    if (node->created && DirOf(p) == dir) node->created = false;
  }
  return Status::OK();
}

Status FaultFileSystem::SimulatePowerLoss(bool tear, uint64_t seed) {
  return SimulatePowerLoss(tear ? PowerLoss::kTearLastWrite : PowerLoss::kRevertAll, seed);
}

Status FaultFileSystem::SimulatePowerLoss(PowerLoss mode, uint64_t seed) {
  std::lock_guard<std::mutex> l(state_->mu);
  state_->crashed = true;
  std::mt19937_64 rng(seed);
  Status first_error;
  auto note = [&first_error](const Status& s) {
    if (!s.ok() && first_error.ok()) first_error = s;
  };
  for (auto& [path, node] : state_->nodes) {
    if (node->created) {
      if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        note(Status::FromErrno(errno, "fault: unlink " + path));
      }
      continue;
    }
    if (node->unsynced.empty()) continue;
    int fd;
    do {
      fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
      note(Status::FromErrno(errno, "fault: open " + path));
      continue;
    }
    switch (mode) {
      case PowerLoss::kRevertAll: note(RevertAll(fd, path, node->unsynced)); break;
      case PowerLoss::kTearLastWrite: note(RevertTearingLastWrite(fd, path, *node, rng)); break;
      case PowerLoss::kAnyPages: note(RevertAnyPages(fd, path, node->unsynced, rng)); break;
    }
    if (::fsync(fd) != 0) note(Status::FromErrno(errno, "fault: fsync " + path));
    ::close(fd);
    node->unsynced.clear();
  }
  state_->nodes.clear();
  return first_error;
}

}  // namespace seglog::io
