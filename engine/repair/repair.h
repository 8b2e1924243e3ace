// engine/repair: `seglog repair`. It owns rewriting damaged segments and journaling the lost
// ids of queue messages; it may use engine/inspect (to find the damage), engine/queues (the
// delete index and journal), engine/log, io and format, and is used only by tools/. This is its
// main header.
//
// `seglog repair DIR`: makes a damaged store usable again, keeping every intact batch, and says
// exactly which sequence numbers (message ids) were lost.
//
// What it repairs, log by log (the rules of SPEC.md 8.1 and 13.3):
//   - a sealed segment with a bad stretch before its trailer's data end (a bad batch, zeros):
//     rewritten with every intact batch copied verbatim (later ones found again with
//     FindNextBatch), durable marks dropped, and a new trailer: the records kept, the same
//     last_seq (its range), first/max timestamps of the records kept (the old ones if none);
//   - a segment other than the last without a valid trailer: likewise, its range ending where
//     the next segment begins;
//   - the last, unsealed segment damaged below a durable mark (format/tail_scan.h): rewritten
//     as a SEALED segment holding its intact batches, last_seq = TailScan::lost_until - 1, so
//     that no sequence number is issued twice (the next open starts a new active segment after
//     it). A sealed segment with gaps is what compaction makes (SPEC.md 13.7): every reader
//     handles it. A torn tail is no damage (recovery cuts it) and is left alone;
//   - a bad segment header with batches after it: rewritten from the segment's name and log.
// A queue's lost message ids are then journaled as deleted (as a purge of those ids would be),
// so that the queue, which knows its live messages by id range, delivers every other message
// and never looks for the lost ones.
// It refuses (NotSupported) a segment holding a batch of a newer format, and does not touch a
// bad CATALOG (Corruption). Index files of rewritten segments are removed (derived data, rebuilt
// on first use).
//
// Concurrency: exclusive. RepairStore holds the store's LOCK (flock, as a read-write open does)
// for the whole call and fails with Locked when the store is open anywhere else, this process
// included. A dry run takes the LOCK too (a look beside a writer could mistake a batch being
// written for damage), unless the store has no LOCK file (it then writes nothing at all).
// Durability: each segment is replaced as compaction replaces one (SPEC.md 13.7 steps 2-5):
// `<base>.seg.tmp` created with O_EXCL, written and fdatasynced; the old `<base>.idx` removed
// and the directory fsynced; renamed over `<base>.seg`; the directory fsynced. A crash at any
// point leaves the old segment or the repaired one under the name, never neither; running
// repair again finishes the job.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/status.h"
#include "format/types.h"

namespace seglog {

namespace io {
class FileSystem;
}

// Sequence numbers [first, last] that were in damaged bytes. In a segment compaction had
// already thinned (a queue's), some of them may have been gone before the damage.
struct LostRange {
  SeqNo first;
  SeqNo last;
  uint64_t count() const { return last.value() - first.value() + 1; }
};

// One damaged stretch of a segment file: where it starts and why it does not read.
struct Damage {
  uint64_t offset = 0;
  uint64_t length = 0;  // bytes skipped, up to the next intact batch (or the data end)
  std::string why;
};

struct SegmentRepair {
  std::string path;
  SeqNo base_seq;
  bool was_active = false;     // the last, unsealed segment: sealed by the repair
  bool header_rewritten = false;
  std::vector<Damage> damage;  // in file order
  uint64_t batches_kept = 0;   // data batches
  uint64_t records_kept = 0;
  uint64_t marks_dropped = 0;
  SeqNo last_seq;              // the repaired segment's trailer's last_seq (its range's end)
  std::vector<LostRange> lost;
  bool written = false;        // replaced on disk (never in a dry run)
};

enum class LogKind { kPlain, kStreamShard, kQueueMessages, kQueueJournal };

struct LogRepair {
  std::string name;    // as in the CATALOG: "events", "stream:clicks/0", "queue:jobs/messages"
  uint64_t id = 0;
  std::string dir;
  LogKind kind = LogKind::kPlain;
  std::string owner;   // the stream or queue ("" for a plain log)
  uint32_t shard = 0;  // kStreamShard
  std::vector<SegmentRepair> segments;  // the damaged ones, in sequence order

  std::vector<LostRange> lost() const;  // over all its segments, in order
  uint64_t lost_count() const;
};

struct RepairReport {
  std::string dir;
  bool dry_run = false;
  size_t logs_checked = 0;
  size_t segments_checked = 0;
  std::vector<LogRepair> logs;  // the logs with damage, in catalog order

  bool damaged() const { return !logs.empty(); }
  uint64_t lost_count() const;  // sequence numbers lost, over all logs
};

struct RepairOptions {
  bool dry_run = false;             // find and report, write nothing
  io::FileSystem* fs = nullptr;     // for the writes; nullptr: the pwrite backend
};

// Repairs the store at `dir` (see above). OK when it ran, whatever it found (see *out);
// NotFound without a store; Locked when the store is open elsewhere; Corruption for a bad
// CATALOG; NotSupported for a batch of a newer format; an I/O error as it came. Segments
// repaired before an error stay repaired (each one is replaced whole or not at all).
Status RepairStore(const std::string& dir, const RepairOptions& opt, RepairReport* out);

// "stream \"clicks\" shard 0", "queue \"jobs\" messages", "log \"events\"".
std::string DescribeLog(const LogRepair& l);

}  // namespace seglog
