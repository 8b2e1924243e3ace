// One segment file of a log, shared by the log's writer and its readers.
//
// Lifetime: owned by shared_ptr; the log's segment list holds one reference, every iterator
// positioned in it another, so retention can drop a segment from the list while a reader is
// still inside it (the file is unlinked, its mapping lives until the last pin goes).
//
// Concurrency: the writer appends and publishes (published_end) and finally seals; readers
// read only bytes below published_end() (acquire), which the writer stores (release) after
// the bytes are written (and, under Durability::kAlways, synced). Thread-safe.
//
// Compaction (Log::RewriteSegment) replaces a sealed segment's file by a rewritten one under
// the same name and a new Segment object; the old object is then marked replaced (and removed,
// so readers move to the new one). A Segment object only ever maps or indexes the file it was
// made for: once replacing starts it opens its path no more, and writes no index file.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "engine/log/layout.h"
#include "format/segment_format.h"
#include "format/status.h"
#include "format/types.h"
#include "io/file_system.h"
#include "io/mmap.h"

namespace seglog {

class MapCache;

// Why a scan of batches stopped.
struct ScanStop {
  FileOffset end;   // offset after the last good batch
  Status status;    // OK: clean end (zeros, or the limit); else why the next batch was refused
};

// Walks the batches in [start, limit) of a segment image, verifying each checksum and that
// sequences increase. Calls fn(offset, header) for each good batch; fn returns false to stop
// there (the stop's end is then that batch's offset). Safe-to-ignore batch types are passed to
// fn as well (fn decides). Errors name `path` and the offset.
ScanStop ScanBatches(ByteView image, FileOffset start, FileOffset limit, SeqNo min_seq,
                     const std::string& path,
                     const std::function<bool(FileOffset, const format::BatchHeader&)>& fn);

// Checks the header of the segment file at `path`: checksum, base sequence, log id (0: any).
Status ReadSegmentHeader(const std::string& path, SeqNo base, uint64_t log_id);
// Steps 3-4 of replacing a segment by a rewritten one (SPEC.md 13.7: compaction, repair): the
// old `<base>.idx` is removed and that made durable (no index of the old file may face the
// new one), then `<base>.seg.tmp` (written and fdatasynced by the caller) is renamed over
// `<base>.seg`. On failure the temporary file is removed and the old segment stays. The caller
// fsyncs the directory afterwards (step 5).
Status SwapInRewrittenSegment(io::FileSystem* fs, const std::string& dir, SeqNo base);

// Reads the trailer of a sealed segment: the last kSegmentTrailerSize bytes, ending at EOF.
Status ReadSegmentTrailer(const std::string& path, format::SegmentTrailer* t);

class Segment {
 public:
  // What every segment of a log is made with: construction takes all of it, nothing is set
  // afterwards.
  struct Params {
    std::string dir;               // the log's directory
    MapCache* cache = nullptr;     // bounds the sealed segments' mappings; not owned
    uint32_t index_interval = 0;   // bytes between index entries (0 counts as 1)
    io::FileSystem* fs = nullptr;  // writes rebuilt index files; not owned
    bool read_only = false;        // read-only stores never write index files
  };

  // A sealed segment known by name only: its header and trailer are read and checked on first
  // use (Check), so that opening a log costs the same however many segments it has.
  // `last_seq` is what the next segment's name implies.
  static std::shared_ptr<Segment> SealedUnchecked(const Params& p, SeqNo base, SeqNo last_seq,
                                                  uint64_t log_id);
  // A segment whose trailer was read and checked.
  static std::shared_ptr<Segment> Sealed(const Params& p, SeqNo base,
                                         const format::SegmentTrailer& t);
  // The active segment: mapped whole (`map`), writable, data up to `end` published.
  static std::shared_ptr<Segment> Active(const Params& p, SeqNo base,
                                         std::shared_ptr<const io::MappedFile> map,
                                         FileOffset end, std::vector<format::IndexEntry> index);
  ~Segment();

  const std::string& path() const { return path_; }
  const std::string& index_path() const { return index_path_; }
  SeqNo base_seq() const { return base_; }

  bool sealed() const { return sealed_.load(std::memory_order_acquire); }
  // Reads and checks a sealed segment's header and trailer, once; OK at once for others and
  // for segments already checked. A failure is remembered and returned again.
  Status Check();
  // REQUIRES: sealed() and Check() returned OK.
  const format::SegmentTrailer& trailer() const { return trailer_; }
  // Readers may read batches in [kSegmentHeaderSize, published_end()).
  // REQUIRES for a sealed segment: Check() returned OK (Pin does it).
  FileOffset published_end() const {
    return FileOffset(published_end_.load(std::memory_order_acquire));
  }

  // A reference on the mapping (mapped now if needed); valid while held.
  Status Pin(std::shared_ptr<const io::MappedFile>* out);

  // Offset of the batch holding `seq`, or of the first batch after it; published_end() when
  // none.
  Status LocateSeq(SeqNo seq, FileOffset* off);
  // Offset of the first batch whose max_ts >= t; published_end() when none.
  Status LocateTime(TimestampMs t, FileOffset* off);

  // Not OK when recovery found acknowledged batches damaged at published_end() of this
  // (unsealed) segment (SPEC.md 8.1): a read that reaches the end returns it instead of NoMore.
  Status damage() const;
  void SetDamage(Status s);

  // ---- writer side ----
  void AddIndexEntry(const format::IndexEntry& e);
  void Publish(FileOffset end) { published_end_.store(end.value(), std::memory_order_release); }
  // Marks the segment sealed, hands its mapping to the cache.
  void MarkSealed(const format::SegmentTrailer& t);
  // Writes the index file (atomically). REQUIRES: sealed().
  Status WriteIndex(io::FileSystem* fs);
  // The index entries (a copy), loading/rebuilding a sealed segment's index if needed.
  Status IndexEntries(std::vector<format::IndexEntry>* out);
  // Gives a sealed segment its index, as its writer (compaction) computed it.
  void InstallIndex(std::vector<format::IndexEntry> entries);

  // ---- compaction ----
  // While a rewrite of this segment's file is under way (on): Pin never opens the file again
  // (it serves only a mapping that is still alive: the caller holds one) and no index file is
  // written for it, so that nothing made from the old file can outlive the rename and none of
  // the new file can be mistaken for the old. Off again when the rewrite gave up before its
  // rename.
  void SetReplacing(bool on);
  // The rewritten file took this one's name: for good, nothing opens the path through this
  // object, and it counts as removed (readers inside it move on to the new object).
  void MarkReplaced();
  bool removed() const { return removed_.load(std::memory_order_acquire); }
  void MarkRemoved() { removed_.store(true, std::memory_order_release); }

 private:
  Segment(const Params& p, SeqNo base);
  // REQUIRES: mu_ held. Loads (and checks) the index of a sealed segment, rebuilding it from
  // the segment when missing or wrong.
  Status LoadIndexLocked(const std::shared_ptr<const io::MappedFile>& map);
  Status RebuildIndexLocked(const std::shared_ptr<const io::MappedFile>& map);
  // Finds the batch at or after the index entry chosen by `pick`, then scans forward with
  // `done(header)` to find the first batch satisfying it.
  Status Locate(const std::function<size_t(std::span<const format::IndexEntry>)>& pick,
                const std::function<bool(const format::BatchHeader&)>& done, FileOffset* off);

  const std::string path_;
  const std::string index_path_;
  const SeqNo base_;
  MapCache* const cache_;
  const uint32_t index_interval_;
  io::FileSystem* const fs_;
  const bool read_only_;

  std::atomic<uint64_t> published_end_{format::kSegmentHeaderSize};
  std::atomic<bool> sealed_{false};
  std::atomic<bool> removed_{false};
  std::atomic<bool> checked_{false};
  bool replacing_ = false;          // guarded by mu_
  format::SegmentTrailer trailer_;  // written once, before checked_ (or sealed_) is set
  uint64_t log_id_ = 0;             // for SealedUnchecked
  SeqNo expected_last_;             // for SealedUnchecked
  Status check_error_;              // guarded by mu_

  mutable std::mutex mu_;
  std::shared_ptr<const io::MappedFile> active_map_;  // while active: always mapped
  std::weak_ptr<const io::MappedFile> sealed_map_;    // while sealed: cached by MapCache
  std::vector<format::IndexEntry> index_;
  bool index_loaded_ = false;
  Status damage_;  // guarded by mu_
};

}  // namespace seglog
