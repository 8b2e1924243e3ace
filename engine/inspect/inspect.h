// engine/inspect: the read-only stack behind `seglog inspect`, `verify` and `dump`. It owns
// reading a store's files without the engine (segment_reader.h: pread, never mmap, never the
// LOCK) and judging what it reads (verify.cc, verify_checkpoints.h); it may use engine/log
// (file names in layout.h, segment helpers, options), io and format, and is used by
// engine/repair and tools/. It knows queues and streams only by their catalog properties and
// the byte layouts in format/. This is its main header.
//
// Read-only inspection of a store's files: what the `seglog` tool shows (inspect, verify, dump).
//
// Everything here only reads. It never takes the store's LOCK, never writes, never recovers,
// and reads with pread into its own buffers (never mmap): a live writer truncates a segment
// when it seals it, and a mapping over the cut-off pages would SIGBUS. So these functions are
// safe to run against a store that another process is writing; what they see then is a
// snapshot that may be slightly stale or end in a batch still being written (reported as the
// unsealed tail, never as corruption).
//
// What counts as what (SPEC.md, "Reading and recovery"):
//   - a bad batch inside a sealed segment, a bad segment header or trailer, a bad CATALOG:
//     corruption (an error naming the file and offset);
//   - a bad or half-written batch at the end of the last, unsealed segment: the torn tail,
//     where the log ends (information: recovery cuts it off);
//   - a bad or stale index file (.idx): a warning (derived data, rebuilt by the engine);
//   - in a queue (engine/queues/queue.h): a message header or journal record that does not decode
//     inside a good batch, a bad DELETES snapshot, a journal that no longer reaches back to
//     its snapshot: corruption (the engine refuses to open the queue).
//
// Thread-safety: the functions share no state; call them from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/inspect/inspect_topics.h"
#include "format/queue_catalog_format.h"
#include "format/catalog_format.h"
#include "format/queue_format.h"
#include "format/status.h"
#include "format/types.h"

namespace seglog {

class Clock;

// ---- inspect ----

struct SegmentReport {
  std::string path;
  SeqNo base_seq;
  uint64_t file_size = 0;  // bytes on disk (an unsealed segment is preallocated)
  bool sealed = false;
  bool has_index = false;  // a .idx file sits beside it (not checked here; see VerifyStore)

  // From the trailer (sealed) or from scanning the batches (unsealed). Valid unless `error`.
  // A sealed segment rewritten by compaction holds fewer records than it covers (maybe none).
  uint64_t records = 0;
  SeqNo next_seq;            // sealed: one past the last sequence number it covers (its
                             // trailer's last_seq + 1); unsealed: one past the last record
                             // (== base_seq when empty)
  TimestampMs first_ts;      // first record's (0 when empty)
  TimestampMs max_ts;        // newest record's (0 when empty)
  FileOffset data_end;       // end of the last whole batch
  uint64_t batches = 0;      // counted only for the unsealed segment (sealed: not scanned)

  // Unsealed only: why the scan stopped before the end of the file. Empty = clean end
  // (zero-filled space); otherwise the torn or in-progress tail at `data_end`.
  std::string tail;

  // Set when this segment could not be read or decoded (the other fields are then partial).
  std::string error;
  // Listed, but gone when opened: retention removed it meanwhile (not an error).
  bool removed = false;

  bool empty() const { return records == 0; }
  uint64_t data_bytes() const;  // bytes of batches: data_end - header
};

struct LogReport {
  std::string name;
  uint64_t id = 0;
  std::string queue;       // the queue this log belongs to ("" for a plain log or a stream's)
  std::string queue_part;  // "messages" or "journal" (a queue's), else ""
  std::string topic;       // the topic whose messages log this is ("" for others)
  std::vector<std::pair<std::string, std::string>> props;  // settings, as in the CATALOG
  std::string dir;
  bool dir_missing = false;  // in the catalog, but no directory (being created or dropped)
  std::vector<SegmentReport> segments;  // in sequence order

  // Totals over `segments`.
  uint64_t file_bytes = 0;
  uint64_t data_bytes = 0;
  uint64_t records = 0;
  SeqNo first_seq;        // base of the oldest segment (== next_seq when no segment)
  SeqNo next_seq;         // one past the newest record
  TimestampMs first_ts;   // oldest record's (0 when empty)
  TimestampMs max_ts;     // newest record's (0 when empty)
};

// A queue's settings, from its messages log's catalog properties (engine/queues/queue.h QueueConfig).
struct QueueSettings {
  bool fifo = false;                 // type=fifo (else type=standard)
  uint32_t visibility_timeout_s = 0;
  uint32_t delay_s = 0;
  uint32_t retention_s = 0;
  uint32_t max_message_bytes = 0;
  uint32_t receive_wait_s = 0;
  bool content_based_dedup = false;
  std::string dead_letter_queue;     // "" = none
  uint32_t max_receive_count = 0;
};
// Parses the properties of a queue's messages log. Corruption naming the first bad or missing
// setting (dead_letter_queue may be absent: none).
Status ParseQueueSettings(const format::CatalogEntry& messages_log, QueueSettings* out);

// The DELETES snapshot of a queue's delete index, as found on disk.
struct DeleteSnapshotReport {
  std::string path;
  uint64_t file_bytes = 0;
  SeqNo covered;               // journal records below this are reflected in it
  uint64_t deleted_ids = 0;    // cardinality of its bitmap
  uint64_t bitmap_bytes = 0;   // bytes of bitmap in the file (its chunks' portable, run-
                               // optimized serializations)
  uint64_t receive_counts = 0; // entries
};

struct QueueReport {
  std::string name;
  bool settings_valid = false;  // the catalog's settings parsed (else see errors)
  QueueSettings settings;
  std::optional<size_t> messages_log;  // indexes into StoreReport::logs (none: not in catalog)
  std::optional<size_t> journal_log;
  TimestampMs now;                     // what "expired" and "delayed" were judged against

  // The delete index as the engine would load it: the snapshot, then the journal from it.
  std::optional<DeleteSnapshotReport> snapshot;  // none: no DELETES file (never snapshotted)
  uint64_t journal_records = 0;  // journal records at or after the snapshot's `covered`
  uint64_t deleted_ids = 0;      // ids in the delete bitmap after replay (some may belong to
                                 // messages no longer in the log)
  uint64_t bitmap_bytes = 0;     // its serialized (portable) size: Roaring64Map::
                                 // getSizeInBytes(true), as DeleteIndex::bitmap_bytes()
  uint64_t receive_counts = 0;   // receive-state entries after replay (undeleted messages)
  // In flight per the journal: receive states whose visibility deadline is after `now` (a
  // restart keeps them hidden until then), and the earliest and latest deadline (0: none).
  uint64_t in_flight = 0;
  int64_t in_flight_earliest_ms = 0;
  int64_t in_flight_latest_ms = 0;

  // The messages in the log (read only with InspectOptions::scan_messages).
  bool scanned = false;
  uint64_t messages = 0;   // records in the messages log = live + deleted + expired
  uint64_t live = 0;       // neither deleted nor past retention (delayed ones included)
  uint64_t deleted = 0;    // in the delete bitmap
  uint64_t expired = 0;    // not deleted, older than now - retention_s
  uint64_t delayed = 0;    // live, sent with a delay that has not run out yet
  uint64_t malformed = 0;  // header does not decode (counted in the above too, by id and time)
  std::optional<TimestampMs> oldest_live;  // enqueue time of the oldest live message
  uint64_t groups = 0;     // FIFO: distinct group ids among live messages

  // 0.3.0 catalog state of the queue (format/queue_catalog_format.h): its tags, its redrive
  // allow policy as stored ("" = allowAll), and its recent message move tasks, newest first.
  format::TagMap tags;
  std::string redrive_allow;
  std::vector<format::MoveTaskEntry> move_tasks;

  // What is wrong: corruption (file and offset where known) or bad settings.
  std::vector<std::string> errors;
};

struct StoreReport {
  std::string dir;
  uint64_t next_log_id = 0;
  std::vector<LogReport> logs;  // in catalog order (a queue's two logs included)
  std::vector<QueueReport> queues;  // in catalog order
  std::vector<TopicReport> topics;  // in catalog order (inspect_topics.h)
};

struct InspectOptions {
  Clock* clock = nullptr;     // "now", for expiry; nullptr: the system clock
  bool scan_messages = true;  // read every queue message (counts); false: no counts
};

// Reads the CATALOG and, for each log, lists its segments: sealed ones by header and trailer
// only (no scan), the last unsealed one by scanning its batches. For each queue, also loads
// its delete index (snapshot and journal) and, with scan_messages, reads its messages to count
// them. For each topic, reads its cursor files (before its log is listed, so that a live writer
// can only make a backlog look larger) and its settings and subscriptions (inspect_topics.h).
// NotFound("no store at DIR") without a CATALOG; Corruption when the CATALOG does not
// decode. Problems inside one segment are reported in its `error`, inside a queue in its
// `errors`, and do not fail the call.
Status InspectStore(const std::string& dir, const InspectOptions& opt, StoreReport* out);
inline Status InspectStore(const std::string& dir, StoreReport* out) {
  return InspectStore(dir, InspectOptions(), out);
}

// ---- verify ----

enum class Severity { kInfo, kWarning, kError };
std::string_view SeverityName(Severity s);  // "info", "warning", "error"

struct Problem {
  Severity severity = Severity::kError;
  std::string path;                 // the file (or directory) concerned
  std::optional<FileOffset> offset;  // where in it, when it is about a position
  std::string message;
  // "PATH at offset N: MESSAGE" (or "PATH: MESSAGE").
  std::string ToString() const;
};

// Appends a problem about a whole file (no offset).
inline void AddProblem(std::vector<Problem>* problems, Severity sev, const std::string& path,
                       std::string message) {
  Problem p;
  p.severity = sev;
  p.path = path;
  p.message = std::move(message);
  problems->push_back(std::move(p));
}

struct VerifyReport {
  size_t logs = 0;
  size_t segments = 0;
  size_t index_files = 0;
  uint64_t bytes = 0;      // bytes of segment files read
  uint64_t batches = 0;    // batches whose checksum was checked
  uint64_t records = 0;    // records decoded
  size_t queues = 0;
  uint64_t queue_messages = 0;   // message headers decoded
  uint64_t journal_records = 0;  // delete-index journal records decoded
  size_t delete_snapshots = 0;   // DELETES files decoded (or found bad)
  uint64_t topic_deliveries = 0; // queue message headers with a topic origin (flag 0x40)
  size_t topics = 0;
  uint64_t topic_messages = 0;   // topic message headers decoded
  size_t cursor_files = 0;       // subscription cursor files read
  std::vector<Problem> problems;  // in the order found

  // No problem of severity kError.
  bool ok() const;
  // The first error (the first bad batch, etc.), or nullptr.
  const Problem* first_error() const;
  size_t count(Severity s) const;
};

struct VerifyProgress {
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;  // sizes of all segment files, taken at the start
  size_t segments_done = 0;
  size_t segments_total = 0;
  std::string path;          // the segment being read
};

// Checks every checksum in the store: the CATALOG; each segment's header; every batch, and
// every record in it; sealed segments against their trailers (batches end exactly at
// data_end; count and timestamps match; no record after the trailer's last sequence, which a
// segment rewritten by compaction may fall short of) and against each other (contiguous
// sequence ranges; a queue's messages log may have gaps, compaction keeps ids); index files
// against their segments (warnings only). Queues: their settings, every message header and
// journal record (an error at the offset of the batch holding it), the DELETES snapshot, and
// that the journal reaches back to it. Topics (verify_topics.h): their settings and
// subscription lists, every topic message header, each subscription's cursor file.
// `progress` (may be empty) is called after each segment and about every 64 MiB within one.
// Returns OK when the check ran, whatever it found (see out->ok()); NotFound("no store at
// DIR") without a CATALOG, or another error when the store cannot be read at all.
Status VerifyStore(const std::string& dir,
                   const std::function<void(const VerifyProgress&)>& progress,
                   VerifyReport* out);

// ---- dump ----

// Calls fn for each record with seq >= from, at most `limit` of them, in order. `path` is a
// segment file or a log directory (all its segments in order). The views in the RecordView are
// valid only during the call. A bad batch in a sealed segment (or a sealed segment that is not
// the last without a valid trailer) stops the dump with Corruption naming the file and
// offset, after the records before it were passed to fn; the torn tail of the last unsealed
// segment just ends it. InvalidArgument when `path` is neither kind.
Status DumpRecords(const std::string& path, SeqNo from, uint64_t limit,
                   const std::function<void(const RecordView&)>& fn);

// The directory of the log called `name` in the store at `store_dir` (read from the CATALOG).
Status FindLogDir(const std::string& store_dir, const std::string& name, std::string* dir);

enum class MessageState { kLive, kDeleted, kExpired };
std::string_view MessageStateName(MessageState s);  // "live", "deleted", "expired"

// One message of a queue, as DumpQueue passes it. Views are valid only during the call.
struct QueueMessage {
  RecordView record;     // id = record.seq, enqueue time = record.ts, key = group id,
                         // value = body, attrs = the header's bytes
  bool fifo = false;     // of a FIFO queue
  Status header_status;  // of decoding the header; `header` is valid only when OK
  format::QueueMessageHeader header;
  MessageState state = MessageState::kLive;
  bool delayed = false;        // live, and its delay has not run out yet
  uint32_t receive_count = 0;  // journaled receives (0 once deleted)
  std::string path;            // the segment holding it,
  uint64_t batch_offset = 0;   // and where its batch starts
};

struct DumpQueueOptions {
  SeqNo from;                          // first message id
  uint64_t limit = UINT64_MAX;         // at most this many messages passed to fn
  bool hide_deleted = false;           // skip deleted messages (they do not count to limit)
  bool hide_expired = false;           // skip expired ones
  Clock* clock = nullptr;              // "now", for expiry; nullptr: the system clock
};

// Calls fn for each message of queue `queue` in the store at `store_dir`, in id order, marked
// live, deleted or expired (the delete index is loaded first: snapshot, then journal).
// NotFound when there is no such queue. Corruption, before any message, when the delete index
// cannot be read (a bad DELETES or journal record: which messages are deleted is unknown).
// A message whose header does not decode is still passed (header_status says why), and the
// call then ends in Corruption naming the first one (file, batch offset, id). A bad batch
// stops it as in DumpRecords.
Status DumpQueue(const std::string& store_dir, const std::string& queue,
                 const DumpQueueOptions& opt, const std::function<void(const QueueMessage&)>& fn);

// ---- formatting helpers shared by the tool and its tests ----

// "2024-05-01T12:00:00.123Z".
std::string FormatTimestamp(TimestampMs t);

// A short printable form of some bytes: printable ASCII as-is, anything else as hex; at most
// `max_bytes` of them shown (for hex, max_bytes / 2), then "…(N bytes)".
struct BytesPreview {
  bool hex = false;
  bool truncated = false;
  std::string text;  // the ASCII, or the hex digits (lowercase, no prefix)
};
BytesPreview PreviewBytes(ByteView b, size_t max_bytes = 64);

}  // namespace seglog
