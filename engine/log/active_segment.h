// ActiveSegmentFile: the writable side of a log's active segment: its file, the shared
// writable mapping that small appends are copied into (mapped writes, under kNone and
// kInterval), and write-behind (starting the kernel's writeback every few MiB).
//
// Lifetime: owned by its Log; holds one active segment's file from Reset until the segment is
// sealed (Seal, then Close), grown in place (TakeFile hands the file to the next Reset) or the
// log closes. Empty (no file) on a read-only log and before the first segment exists.
//
// Concurrency: not thread-safe: every method runs under the log's writer lock (Log::mu_). The
// log's group-commit leader and its syncer use file() and mapping() without that lock while
// their I/O is in flight; the log never resets, seals or closes meanwhile (those wait for them).
//
// Durability: copies and Write reach the page cache only; nothing here syncs but
// SealWithTrailer (and what the log itself asks of file()). StartWriteback only starts the
// kernel's writeback early: it promises nothing.
#pragma once

#include <cstdint>
#include <memory>

#include "format/status.h"
#include "format/types.h"
#include "io/file_system.h"
#include "io/mmap.h"

namespace seglog {

class ActiveSegmentFile {
 public:
  // Takes `file` (may be null) of `capacity` preallocated bytes; writes go on at `end`. When
  // `map` (mapped writes apply), maps it for writes where the file system offers it (failing
  // just means writing through the file: nothing is lost by not mapping).
  void Reset(std::unique_ptr<io::WritableFile> file, uint64_t capacity, uint64_t end, bool map);
  // A recovered tail is mapped again at the first append (MapDeferred), once its blocks are
  // allocated again. Stays set until then, across a Reset.
  void DeferMapping() { map_deferred_ = true; }
  bool map_deferred() const { return map_deferred_; }
  // First append after recovery: allocates the recovered tail's blocks again (no new space:
  // they are there) and maps it for writes when `map`; where that fails, appends are written.
  void MapDeferred(uint64_t end, bool map);

  io::WritableFile* file() const { return file_.get(); }
  // The writable mapping; null when appends go through the file.
  io::WritableMapping* mapping() const { return wmap_.get(); }
  uint64_t capacity() const { return capacity_; }

  // Copies `bytes` into the mapping at `off`, faulting the next stretch in ahead of the copy,
  // and starts writeback when enough was copied since the last start. REQUIRES: mapping().
  void CopyIn(uint64_t off, ByteView bytes);
  // Under kNone/kInterval: when `end` is far enough past where writeback was last started,
  // the range whose writeback to start ([*from, *to)), remembered as started; else leaves
  // them alone.
  void NextWriteback(uint64_t end, uint64_t* from, uint64_t* to);

  // Seals: unmaps (no store may reach the file once it is cut), fdatasyncs the data unless
  // `data_durable` (it must be durable before a trailer can reach the disk), cuts the file at
  // `data_end` plus the trailer, writes `trailer` there and fdatasyncs it.
  Status SealWithTrailer(uint64_t data_end, ByteView trailer, bool data_durable);
  // No more stores through the mapping (the file is about to change size).
  void Unmap() { wmap_.reset(); }
  // Hands the file over (to a Reset of the same segment grown in place).
  std::unique_ptr<io::WritableFile> TakeFile() { return std::move(file_); }
  // Unmaps and closes the file.
  void Close();

 private:
  std::unique_ptr<io::WritableFile> file_;
  std::unique_ptr<io::WritableMapping> wmap_;
  uint64_t capacity_ = 0;       // preallocated size of the active segment
  uint64_t prefaulted_ = 0;     // wmap_ is faulted in for writing below this offset
  uint64_t writeback_off_ = 0;  // writeback was started below this offset
  bool map_deferred_ = false;   // the recovered tail is not mapped for writes yet
};

}  // namespace seglog
