// The log room (engine/log/, README.md "Architecture") owns the log core: segment files and
// their list, logs (append, group commit, recovery, readers, retention, compaction), the store
// and its catalog, options, the clock, the store's background threads (scheduler.h) and every
// file name (layout.h). It may use io/ and format/ only; streams, queues, inspect, repair, the
// C API and tools are built on it, never the other way round.
//
// A Log is made of: ActiveSegmentFile (active_segment.h: the active segment's file, writable
// mapping and write-behind), Positions (positions.h: assigned / written / durable / published),
// SegmentSet (segment_set.h: the segment list and its lookups), Segment (segment.h: one file),
// LogIterator (log_iterator.h: readers). log.cc holds opening, recovery, writing and retention;
// compaction.cc holds RewriteSegment.
//
// Log: a durable, append-only sequence of records in segment files. Every stream shard and
// every queue is one Log. A log knows records, sequence numbers and time; nothing else.
//
// Writes: Append() assigns consecutive sequence numbers and a timestamp (the log's clock,
// never decreasing within a log) and returns when the batch is as durable as the log's
// Durability says (see options.h). Appends from many threads are group-committed: whoever
// finds no write in flight writes every pending batch in one call (and, under kAlways, one
// fdatasync covers them all).
// Failed writes and syncs are sticky: after one, every append fails with that error until the
// log is reopened; nothing that may be lost is ever acknowledged. After each completed sync the
// next write carries a durable mark (SPEC.md 8.1), and Close writes a last one.
//
// Reads: iterators read the mapped segments zero-copy, concurrently with the writer, and see
// a batch only once it is published: written, and under kAlways also synced.
//
// Compaction: RewriteSegment() rewrites a sealed segment with only the records a caller keeps
// (their sequence numbers unchanged), crash-safely: see its comment and SPEC.md section 13.7.
//
// Thread-safety: all methods may be called from any thread. Lifetime: iterators must be
// destroyed before the Log.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "engine/log/active_segment.h"
#include "engine/log/log_iterator.h"
#include "engine/log/options.h"
#include "engine/log/positions.h"
#include "engine/log/scheduler.h"
#include "engine/log/segment.h"
#include "engine/log/segment_set.h"
#include "format/segment_format.h"
#include "format/status.h"
#include "format/types.h"
#include "io/file_system.h"

namespace seglog {

class Clock;
class MapCache;
class SpaceReserve;

struct LogStats {
  SeqNo first_seq;  // oldest record still retained (== next_seq when empty)
  SeqNo next_seq;   // one past the newest published record
  size_t segments = 0;
  uint64_t bytes = 0;  // bytes of batches in all segments
  TimestampMs first_ts;  // of the oldest retained segment (0 when empty)
  TimestampMs max_ts;    // newest record's timestamp (0 when empty)
  uint64_t appends = 0;  // Append() calls that succeeded, since open
  uint64_t syncs = 0;    // fdatasync calls issued, since open
  SeqNo durable_seq;     // one past the newest record known fdatasynced (by this process)
  uint64_t writes = 0;   // write calls issued, since open (copies into a mapping not counted)
  uint64_t mapped_appends = 0;  // appends written by memcpy into the mapping, since open
};

// One segment of a log, as Log::Segments() reports it.
struct SegmentInfo {
  SeqNo base_seq;  // the first sequence number it covers (its file's name)
  // The last sequence number it covers. Sealed: its trailer's; a rewritten segment need not
  // hold a record with it (nor with base_seq): the range stays, its dropped records are gaps.
  // Active: the last published record's; base_seq - 1 (wrapping at 0) while it holds none.
  SeqNo last_seq;
  uint64_t records = 0;  // records it holds (after a rewrite, fewer than it covers; maybe 0)
  uint64_t bytes = 0;    // bytes of its batches (the file less its header and trailer)
  // Of its first record, and the largest of its records. A sealed segment holding no record
  // (all dropped by a rewrite) keeps those of the segment it replaced, so that retention by
  // time removes it when it would have removed that one. Active and empty: 0. The active
  // segment's max_ts may already be an append's still in flight.
  TimestampMs first_ts;
  TimestampMs max_ts;
  bool sealed = false;
  // Not OK for a sealed segment whose header or trailer cannot be read (Corruption naming the
  // file, or an I/O error); then only base_seq, last_seq (what the next segment's base implies)
  // and sealed are set.
  Status status;
};

class Log {
 public:
  struct Env {
    io::FileSystem* fs = nullptr;  // not owned
    Clock* clock = nullptr;        // not owned
    MapCache* maps = nullptr;      // not owned
    uint64_t log_id = 0;
    std::string dir;               // the log's own directory
    bool read_only = false;
    // Under kNone and kInterval, write batches by memcpy into a shared writable mapping of
    // the active segment (one store, no syscall per append) where the file system offers one
    // (WritableFile::MapForWrites); else, and always under kAlways, through the file.
    bool mapped_writes = true;
    // When set (queue journals), creating a segment that fails for lack of space releases that
    // much of the store's reserve and tries once more (SPEC.md 13.8). Not owned.
    SpaceReserve* reserve = nullptr;
    // Runs the interval sync of a kInterval log (the store's one background thread). When
    // null, the log runs one of its own. Not owned; outlives the log.
    Scheduler* scheduler = nullptr;
  };

  // Opens the log in env.dir and recovers it (SPEC.md 13.3), writing and allocating nothing
  // unless a torn tail must be zeroed: the directory (when missing) and the next active segment
  // are created by the first append. Sealed segments are trusted on their trailer; the unsealed
  // tail is scanned batch by batch: a torn tail is cut at the last whole batch (the bytes after
  // it zeroed in place so they can never reappear); damage below a durable mark (SPEC.md 8.1)
  // leaves the log open with reads reaching it and appends failing with that Corruption. A
  // sealed segment without a valid trailer is Corruption naming the file, on first use.
  static Status Open(const Env& env, const LogOptions& opt, std::unique_ptr<Log>* out);
  ~Log();

  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;

  struct Record {
    ByteView key;
    ByteView value;
    ByteView attrs;
  };

  // Appends `records` as one batch: after a crash either all of them are there or none.
  // *first_seq (optional) receives the first one's sequence number.
  Status Append(std::span<const Record> records, SeqNo* first_seq = nullptr);

  // Makes everything appended so far durable (fdatasync), whatever the durability mode.
  Status Sync();

  // Creates the log's directory (durably) if it does not exist yet: the first append does, but
  // a caller that keeps files of its own beside the segments (checkpoints, snapshots) must
  // before writing them. ReadOnly on a read-only log.
  Status EnsureDirectory();

  // Stops the background syncer, syncs, closes the files; waits for a RewriteSegment or a
  // retention call in progress. Idempotent; later calls return Closed. REQUIRES: no iterator
  // in use.
  Status Close();

  // Removes whole sealed segments whose newest record is older than `cutoff`. The newest
  // segment is never removed. Readers inside a removed segment move on to what remains.
  Status RemoveSegmentsOlderThan(TimestampMs cutoff, size_t* removed = nullptr);
  // Removes whole sealed segments all of whose records have sequence numbers below `seq`
  // (a journal whose prefix a snapshot now covers), i.e. whose last covered sequence number
  // (SegmentInfo::last_seq) is below it. The newest segment is never removed.
  Status RemoveSegmentsBefore(SeqNo seq, size_t* removed = nullptr);

  // The segments, oldest first: a snapshot (segments may be sealed, rewritten or removed
  // right after). Reads the header and trailer of sealed segments not looked at yet (two small
  // reads each, once per segment).
  std::vector<SegmentInfo> Segments() const;

  // Compaction. Rewrites the sealed segment whose base is `base`, keeping only the records for
  // which keep(seq) returns true (called once per record, in sequence order, with no lock of
  // the log held but the one that serialises compaction and retention: keep must not wait for
  // a thread that is calling RewriteSegment or RemoveSegments* on this log). Kept records keep
  // their sequence numbers, timestamps, keys, values and attrs; the segment keeps its name and
  // its sequence range, with gaps where records were dropped (it may end up with no record).
  //
  // Crash safety: the new file is written as "<base>.seg.tmp" through the log's FileSystem,
  // fdatasynced, the old index file removed (and the directory fsynced), the new file renamed
  // over the old one and the directory fsynced; then the new index is written (derived data).
  // A crash at any moment leaves the old segment or the new one under the name, never neither,
  // and a leftover .tmp is never a segment: opening the log removes it.
  //
  // Readers: the views they hold stay valid (the old mapping lives while pinned); an iterator
  // inside the old segment moves, on its next call, to the new one at its position, so it
  // never returns a record dropped by a rewrite that finished before that call. New readers
  // see the new segment.
  //
  // Runs concurrently with appends (never holds the writer's lock during I/O), readers and
  // retention (one compaction or retention call at a time per log).
  //
  // NotFound when no sealed segment other than the newest has that base (the newest segment
  // is never rewritten); a no-op (OK) when keep() keeps every record. ReadOnly on a read-only log;
  // NotSupported for a segment holding a batch type this build does not know. Corruption when the
  // segment is damaged (nothing is changed). On another error (I/O, no space) the old
  // segment stays in place and in use, except when only the final directory fsync failed:
  // then the new segment is in use and after a power loss either one may be there.
  // *kept_bytes (optional): on OK, the batch bytes of the segment now in place.
  Status RewriteSegment(SeqNo base, const std::function<bool(SeqNo)>& keep,
                        uint64_t* kept_bytes = nullptr);

  // An iterator from the first record with seq >= `from` (clamped to the oldest retained).
  Status NewIterator(SeqNo from, std::unique_ptr<LogIterator>* out);
  // An iterator from the first record with timestamp >= t.
  Status NewIteratorAtTime(TimestampMs t, std::unique_ptr<LogIterator>* out);

  SeqNo first_seq() const { return segments_.first_seq(); }
  SeqNo next_seq() const { return pos_.published(); }
  LogStats Stats() const;
  const LogOptions& options() const { return opt_; }
  const std::string& dir() const { return env_.dir; }
  // Non-OK once a write or sync failed (sticky).
  Status error() const;

 private:
  friend class LogIterator;
  Log(const Env& env, const LogOptions& opt);

  Status Recover();
  Status RecoverTail(const std::string& path, SeqNo base, bool have_prev);
  // REQUIRES: mu_ held, no leader, pending empty. *wrote: false when the call failed before
  // anything reached the disk (the new file's space could not be allocated; the file is gone).
  Status CreateSegmentLocked(SeqNo base, uint64_t min_capacity, bool* wrote);
  // Creates the log's directory when missing (first append). REQUIRES: mu_ held.
  Status EnsureDirLocked();
  // fallocate for a new segment, taking room from env_.reserve when the disk is full.
  Status AllocateNewSegment(io::WritableFile* f, uint64_t capacity);
  // Makes room for a batch of `need` bytes (with header, mark and trailer): creates the
  // active segment, grows an empty one or seals it and starts the next. Sticky on failure
  // unless nothing was written. REQUIRES: mu_ held, no leader, not syncing, pending empty.
  Status RollLocked(uint64_t need);
  // Whether small appends are copied into a writable mapping of the active segment.
  bool MappedWritesApply() const {
    return env_.mapped_writes && opt_.durability != Durability::kAlways;
  }
  // At Close, after the final sync: a last durable mark, written and synced.
  Status WriteCloseMarkLocked(std::unique_lock<std::mutex>& l);
  // Makes `seg` (writable through `file`) the active segment, last in the segment list; the
  // write position is what it has published. REQUIRES: mu_ held.
  void InstallActiveLocked(std::shared_ptr<Segment> seg, std::unique_ptr<io::WritableFile> file,
                           uint64_t capacity);
  Status SealActiveLocked();
  // Grows the (empty) active segment's file to `capacity` in place. REQUIRES: as above and
  // no records in the active segment.
  Status GrowEmptyActiveLocked(uint64_t capacity, bool* wrote);
  // Append's steps. MakeRoomLocked: rolls, grows or creates the active segment until a batch
  // of up to `max_len` bytes fits; *released when it let go of `l` meanwhile.
  Status MakeRoomLocked(std::unique_lock<std::mutex>& l, size_t max_len, bool* released);
  // Encodes `in` (after a durable mark, when one is due) into pending_, indexes it and moves
  // pos_.assigned past it; *len: the batch's encoded size. On failure nothing is assigned.
  Status EncodeBatchLocked(const std::vector<format::RecordInput>& in, size_t* len);
  // Waits until pos_ says the batch ending before `mine` is written (kAlways: durable),
  // leading the write when nobody is. Sticky errors and Close end the wait.
  Status GroupCommitLocked(std::unique_lock<std::mutex>& l, SeqNo mine);
  // Writes (and under kAlways syncs) everything pending. REQUIRES: lock held, !leader_active_.
  // Releases the lock during I/O.
  void LeadWriteLocked(std::unique_lock<std::mutex>& l);
  // Up to this size an encoded batch is copied into the mapping rather than written: about
  // where one write(2) per append and stores through the mapping cost the same on the
  // development VM (BENCHMARKS.md, "Mapped writes"); below it the syscall dominates.
  static constexpr size_t kMaxMappedAppend = 4096;
  // Copies the batch just encoded into pending_ to the mapping at `off` and publishes it.
  // REQUIRES: mu_ held, active_file_ mapped, pending_ holds exactly that batch.
  void CopyToMappingLocked(uint64_t off, SeqNo next);
  Status SyncLocked(std::unique_lock<std::mutex>& l);
  // The interval sync task: syncs what was written since the last sync.
  void IntervalSync();

  Status RemoveOldestSegmentsWhile(const std::function<bool(const Segment&)>& expired,
                                   size_t* removed);
  // RewriteSegment's steps after keep() was asked: writes the new file and swaps it in.
  // REQUIRES: maint_mu_ held, `map` pins `old`, old->SetReplacing(true).
  Status WriteAndSwapSegment(const std::shared_ptr<Segment>& old,
                             const std::shared_ptr<const io::MappedFile>& map,
                             const std::vector<bool>& keeps, uint64_t kept,
                             uint64_t* kept_bytes);

  const Env env_;
  const LogOptions opt_;

  // ---- writer state, guarded by mu_ ----
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Status error_;               // sticky
  bool closed_ = false;
  // The active segment's file and writable mapping. When mapped, every small append is copied
  // and published under mu_ by the appending thread itself, and pending_ stays empty.
  ActiveSegmentFile active_file_;
  std::shared_ptr<Segment> active_;
  // How far records have got: assigned, written, durable, marked, published (positions.h;
  // its published_seq is an atomic that readers load without mu_).
  Positions pos_;
  uint64_t last_indexed_ = 0;  // offset of the last index entry
  TimestampMs last_ts_;        // never decreasing
  TimestampMs seg_first_ts_;   // active segment's first record's ts
  uint64_t seg_records_ = 0;   // active segment's record count
  ByteBuffer pending_;         // encoded batches not yet written, starting at pending_off_
  ByteBuffer spare_;
  ByteBuffer scratch_;
  std::vector<format::RecordInput> inputs_;
  uint64_t pending_off_ = 0;
  bool leader_active_ = false;
  bool syncing_ = false;
  bool dir_ready_ = false;     // the log's directory exists
  uint64_t appends_ = 0, syncs_ = 0, writes_ = 0, mapped_appends_ = 0;

  // What every segment of this log is made with.
  const Segment::Params seg_params_;
  // The segment list, under its own (leaf) lock: taken while mu_ or maint_mu_ may be held.
  SegmentSet segments_;

  // Serialises compaction and retention (which both change the segment files), outermost:
  // taken before mu_ or the segment list's lock, never while holding them. Held during their
  // file I/O.
  std::mutex maint_mu_;
  // ---- interval sync: a task on env_.scheduler (or on own_scheduler_ without one) ----
  std::unique_ptr<Scheduler> own_scheduler_;
  Scheduler* scheduler_ = nullptr;
  Scheduler::TaskId sync_task_ = 0;  // 0: none
};

}  // namespace seglog
