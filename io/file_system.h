// The io room (README "Architecture"): files - the write interface with its two backends,
// read-only mmap views, directory operations, locks, space queries. It may use format (Status,
// the strong types) and nothing else of seglog; the fault-injection file system that tests wrap
// around it lives in tests/support/, never in the library.
//
// The file interface the engine writes through, with two backends (io_uring, pwrite) and a
// fault-injection wrapper for tests. Reads never go through it: they use read-only mmap
// (io/mmap.h) and plain pread helpers (io/file_util.h).
//
// Durability: data handed to Write() is in the kernel (survives the process dying) when Write
// returns OK; it survives power loss only once a Sync() (or WriteAndSync) that covers it
// returned OK. A directory entry (create, rename, remove) survives power loss only after
// SyncDir() on its directory returned OK.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "format/status.h"
#include "format/types.h"

namespace seglog::io {

class WritableMapping;

enum class Backend {
  kAuto,    // io_uring when the kernel (and seccomp policy) allow it, else pwrite
  kUring,   // io_uring or fail
  kPwrite,  // pwrite + fdatasync
};
std::string_view BackendName(Backend b);

// A file opened for positional writes.
// Thread-safety: Write/WriteAndSync calls on one file are serialised by the caller; a Sync
// may run concurrently with them (the engine's background syncer does), as fdatasync beside
// pwrite may. Different files may be used from different threads at once.
// Errors are not retried here; the engine makes them sticky.
class WritableFile {
 public:
  virtual ~WritableFile() = default;

  // Writes all of `data` at `offset`; a short write from the kernel is continued. On error
  // some prefix of `data` may have reached the file.
  virtual Status Write(FileOffset offset, ByteView data) = 0;

  // Write, then fdatasync covering it. The io_uring backend submits both at once, the sync
  // linked after the write; the result is OK only if both succeeded.
  virtual Status WriteAndSync(FileOffset offset, ByteView data) = 0;

  // fdatasync.
  virtual Status Sync() = 0;

  // fallocate(mode 0) of [0, size): the file is at least `size` bytes, zero-filled, with its
  // blocks allocated so that later writes inside it change no metadata.
  virtual Status Allocate(uint64_t size) = 0;

  // ftruncate to exactly `size` bytes.
  virtual Status Truncate(uint64_t size) = 0;

  // Makes [offset, offset + n) read as zeros without changing the file's size or freeing its
  // blocks, so that it needs no new space (a full disk must not stop recovery). Not synced.
  // The default writes zeros through Write(); backends may use fallocate(FALLOC_FL_ZERO_RANGE).
  virtual Status ZeroRange(uint64_t offset, uint64_t n);

  // Current size (fstat).
  virtual Status Size(uint64_t* size) = 0;

  // Starts writing [offset, offset + n) back to the disk without waiting for it
  // (sync_file_range SYNC_FILE_RANGE_WRITE): no durability promise, only less left for a later
  // Sync() to wait for. Best effort: backends without it do nothing; errors surface in Sync().
  virtual void StartWriteback(uint64_t offset, uint64_t n) {
    (void)offset;
    (void)n;
  }

  // A shared writable mapping of [0, length) (io/mmap.h), for writing by memcpy: what is
  // copied into it is in the kernel at once, as after Write(), and Sync() covers it. Offered
  // only while Allocate() has really allocated blocks for all of [0, length) (fallocate, not
  // the ftruncate fallback) and no Truncate() has cut them since, so that no store can ever
  // need a block the disk may not have (a store cannot fail; it would raise SIGBUS). Backends
  // that must see every write (fault injection) refuse. NotSupported in those cases.
  virtual Status MapForWrites(uint64_t length, std::unique_ptr<WritableMapping>* out) {
    (void)length;
    (void)out;
    return Status::NotSupported("writable mappings are not offered by this file system");
  }

  virtual const std::string& path() const = 0;
};

enum class OpenMode {
  kCreateNew,     // O_CREAT | O_EXCL: fails with AlreadyExists when it exists
  kOpenExisting,  // fails with NotFound when missing
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  virtual std::string_view name() const = 0;  // "io_uring", "pwrite", "fault(...)"

  virtual Status OpenWritable(const std::string& path, OpenMode mode,
                              std::unique_ptr<WritableFile>* out) = 0;
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  virtual Status Remove(const std::string& path) = 0;      // a file
  virtual Status CreateDir(const std::string& path) = 0;   // OK when it already exists
  virtual Status RemoveDir(const std::string& path) = 0;   // an empty directory
  virtual Status SyncDir(const std::string& path) = 0;     // fsync of the directory
};

// The pwrite/fdatasync backend. Always available.
std::unique_ptr<FileSystem> NewPwriteFileSystem();

// The io_uring backend. Probes the kernel first (creates a ring, submits a NOP); returns
// NotSupported, with the reason, when io_uring is refused (ENOSYS, EPERM from seccomp, ...).
Status NewUringFileSystem(std::unique_ptr<FileSystem>* out);

// kAuto: io_uring if the probe passes, else pwrite. kUring: fails when refused.
Status NewFileSystem(Backend backend, std::unique_ptr<FileSystem>* out);

// Writes `data` to `path` so that a crash leaves either the old file or the new one whole:
// write `path`.tmp, fdatasync, rename over `path`, fsync the directory.
Status WriteFileAtomically(FileSystem* fs, const std::string& path, ByteView data);

// The same without the fdatasync and the directory fsync (durable=false): a process crash
// leaves the old file or the new one, but after power loss the file may be missing, empty or
// torn. Only for derived data that is checksummed and rebuilt when bad (segment indexes).
Status ReplaceFile(FileSystem* fs, const std::string& path, ByteView data, bool durable);

}  // namespace seglog::io
