// A FileSystem wrapper for tests that injects failures and simulates power loss.
//
// - Fail the n-th call of an operation with an errno (EIO, ENOSPC, ...), once.
// - Make the n-th Write short: a prefix of the data reaches the file, then ENOSPC.
// - Crash: after a chosen number of mutating calls every further call fails with EIO, as if
//   the machine had died; then SimulatePowerLoss() puts every file back to what its last
//   successful Sync covered (kRevertAll), or keeps a torn prefix of the last unsynced write
//   (kTearLastWrite), or keeps any subset of the 4 KiB pages written since (kAnyPages), and
//   removes files created since their directory's last SyncDir.
// Thread-safe. Counting and crash state are shared by all files it opened.
//
// What power loss does and does not model:
// - Undone: unsynced Writes (the overwritten bytes come back), Truncates and Allocates (the
//   previous size, and the bytes a shrink cut off, come back); files created (kCreateNew)
//   whose directory got no successful SyncDir since are removed.
// - Not undone: Rename and Remove (a renamed file stays renamed, a removed one stays removed;
//   a file's unsynced changes follow it to its new name; a rename over an existing file counts
//   as durable), CreateDir/RemoveDir, and a directory created but never synced in its parent.
// - kTearLastWrite: in every file whose last unsynced change is a write, a prefix of that write
//   survives: 1..len-1 bytes drawn from a PRNG seeded by `seed`, rounded down to a multiple of
//   512 from the write's start (at least 512) when the write is over 512 bytes.
// - kAnyPages: a disk that writes back dirty pages in any order. Every 4 KiB page (aligned in
//   the file) that an unsynced Write wrote or a Truncate cut off independently ends up as it is
//   now or as it was at the last successful Sync, drawn from a PRNG seeded by `seed` (each
//   file draws how likely "kept" is, so nearly-all and nearly-none both come up); a file whose
//   size changed since gets either size. Pages are atomic (no torn page); a page written twice
//   since the sync shows the newest or the synced version, never the one between.
// - A Sync covers the changes that completed before it was called; a change another thread
//   made while the Sync ran stays unsynced.
// - Paths are compared as spelled ("d/f" and "./d/f" are different files to SyncDir).
// - Only changes made through this wrapper are tracked; it reads and restores the real files
//   with plain pread/pwrite/ftruncate, never through the wrapped FileSystem.
// Counting: WriteAndSync counts as one kWrite then one kSync (an injected failure of the sync
// part leaves the data written but unsynced); Size is not counted but fails once crashed.
// The crash error is IOError "injected crash (machine is down): <call>".
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "io/file_system.h"

namespace seglog::io {

// How SimulatePowerLoss treats what was written after a file's last successful Sync.
enum class PowerLoss { kRevertAll, kTearLastWrite, kAnyPages };
// The unit kAnyPages keeps or loses.
inline constexpr uint64_t kPowerLossPage = 4096;

enum class FsOp { kOpen, kWrite, kSync, kAllocate, kTruncate, kRename, kRemove, kCreateDir,
                  kRemoveDir, kSyncDir };
inline constexpr int kFsOpCount = 10;
std::string_view FsOpName(FsOp op);

class FaultFileSystem : public FileSystem {
 public:
  explicit FaultFileSystem(std::unique_ptr<FileSystem> base);
  ~FaultFileSystem() override;

  // The n-th (1-based, counted from construction) call of `op` fails with `err`; once.
  void FailNth(FsOp op, uint64_t n, int err);
  // The n-th Write (or WriteAndSync) writes only the first half of its data, then fails ENOSPC.
  void ShortWriteNth(uint64_t n);
  // After `n` more mutating calls (any op above), every call fails with EIO.
  void CrashAfter(uint64_t n);
  // Crash now.
  void Crash();
  bool crashed() const;
  uint64_t count(FsOp op) const;

  // REQUIRES: no file of this FileSystem is being written. Reverts what each file got since
  // its last successful Sync as `mode` says (see the top of this file), choices drawn from a
  // PRNG seeded by `seed`: the same calls and seed give the same files. Files created since
  // their directory's last successful SyncDir are removed. Afterwards the wrapper keeps
  // failing (crashed); open a new FileSystem to "reboot".
  Status SimulatePowerLoss(PowerLoss mode, uint64_t seed);
  // kTearLastWrite when `tear`, else kRevertAll.
  Status SimulatePowerLoss(bool tear, uint64_t seed = 0);

  std::string_view name() const override;
  Status OpenWritable(const std::string& path, OpenMode mode,
                      std::unique_ptr<WritableFile>* out) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Remove(const std::string& path) override;
  Status CreateDir(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Status SyncDir(const std::string& path) override;

  // Implementation detail shared with the file wrapper.
  struct State;

 private:
  std::unique_ptr<FileSystem> base_;
  std::string name_;
  std::shared_ptr<State> state_;
};

}  // namespace seglog::io
