// SpaceReserve: disk space a store sets aside at open so that, on a full disk, the operations
// that free space can still run (SPEC.md 13.8): catalog writes, queue journal segments, deletes
// and purges. A log given one (Log::Env::reserve) asks it for room when creating a segment
// fails for lack of space, and tries once more.
//
// Thread-safety: implementations are called from any thread, with no lock of the caller held.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "format/status.h"
#include "format/types.h"
#include "io/file_system.h"

namespace seglog {

class SpaceReserve {
 public:
  virtual ~SpaceReserve() = default;
  // Gives back at least `bytes` of the reserved space (all of it when less is left) to the file
  // system. True when anything was freed (then a retry may succeed).
  virtual bool Release(uint64_t bytes) = 0;
  // After an operation freed space: grows the reserve back towards its full size, as far as
  // the disk allows. Best effort: never fails, never waits for anything but its own I/O.
  virtual void Refill() {}
  // Raises the room kept for one delete-index snapshot (a queue's DELETES) to at least
  // `bytes`; the reserve grows at the next Refill().
  virtual void NeedSnapshotRoom(uint64_t bytes) { (void)bytes; }
  // True from a Release() that gave space back until a Refill() restores the full size: the
  // disk is full and space should be freed (a delete index snapshots and trims its journal).
  virtual bool Depleted() const { return false; }
};

// io::WriteFileAtomically(fs, path, bytes) that, on a full disk (NoSpace) and with a reserve,
// releases room for the temporary file (its blocks and one more for the directory) and tries
// once more; a temporary file torn by NoSpace is removed (it only takes space). For the small
// files a full disk must still let through: the catalog, delete-index snapshots.
Status WriteFileAtomicallyWithReserve(io::FileSystem* fs, SpaceReserve* reserve,
                                      const std::string& path, ByteView bytes);

// The store's reserve: one file, DIR/RESERVE, fallocated to
//
//   size = 2 * journal_segment + 2 * catalog + snapshot
//
// where journal_segment is the largest segment size of the store's queue journals (0 without
// a queue), catalog the encoded catalog rounded up to whole 4 KiB blocks, and snapshot the
// largest delete-index snapshot noted so far, rounded up likewise (at least a block when there
// is a queue). Why each term (SPEC.md 13.8): a journal creates its segments lazily, so on a
// full disk its first append may need one segment and its next roll another before the
// delete index can snapshot and trim the sealed one (which gives a segment back); a catalog
// write needs room for the whole new catalog beside the old one, and twice that covers a
// catalog grown since the reserve was last refilled; a delete-index snapshot is written
// whole beside the old one before the journal is trimmed. Release() shrinks the file with ftruncate (whole blocks); Refill() grows it back
// with fallocate, as far as the disk allows (ext4 keeps a partial allocation, tmpfs none: the
// file's size after a failed fallocate is what is reserved).
//
// Lifetime: owned by the Store, from its read-write open until it closes; the file stays on
// disk between opens and is re-allocated at the next open. Durability: none is needed (the
// file's contents are never read; after a crash it is simply allocated again).
// Thread-safety: every method may be called from any thread (one mutex; fallocate and
// ftruncate run under it, and nothing else is done under it).
class FileSpaceReserve final : public SpaceReserve {
 public:
  // Opens (creating when missing) `path`. Allocates nothing: call SetSizes() and Refill().
  static Status Open(const std::string& path, std::unique_ptr<FileSpaceReserve>* out);
  ~FileSpaceReserve() override;
  FileSpaceReserve(const FileSpaceReserve&) = delete;
  FileSpaceReserve& operator=(const FileSpaceReserve&) = delete;

  bool Release(uint64_t bytes) override;
  void Refill() override;
  void NeedSnapshotRoom(uint64_t bytes) override;
  bool Depleted() const override;

  // The store's share of the formula: the largest queue journal segment, the encoded catalog.
  // No I/O: the file follows at the next Refill().
  void SetSizes(uint64_t journal_segment, uint64_t catalog_bytes);

  // Bytes allocated now, and the size Refill() aims at.
  uint64_t reserved() const;
  uint64_t target() const;

  static constexpr uint64_t kBlock = 4096;
  // Journal segments the reserve holds room for (see above).
  static constexpr uint64_t kJournalSegments = 2;
  static uint64_t RoundUp(uint64_t n) { return (n + kBlock - 1) / kBlock * kBlock; }

 private:
  FileSpaceReserve(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  // With no queue journal there is no snapshot to write either; with one, a block at least.
  uint64_t TargetLocked() const {
    return kJournalSegments * journal_ + 2 * catalog_ +
           (journal_ > 0 ? std::max(snapshot_, kBlock) : 0);
  }
  bool TruncateLocked(uint64_t size);
  // fallocate of [from, from + len); false when it failed (then size_ is the file's size).
  bool AllocateLocked(uint64_t from, uint64_t len);

  const int fd_;
  const std::string path_;
  mutable std::mutex mu_;
  uint64_t size_ = 0;      // the file's size: what is allocated (guarded by mu_)
  uint64_t journal_ = 0;   // guarded by mu_, as the two below
  uint64_t catalog_ = 0;
  uint64_t snapshot_ = 0;
  bool checked_ = false;   // a Refill() has allocated over the whole file once
  bool depleted_ = false;  // released since the last Refill() that reached the target
};

}  // namespace seglog
