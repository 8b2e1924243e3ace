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
//   - a bad or stale index file (.idx): a warning (derived data, rebuilt by the engine).
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

#include "format/status.h"
#include "format/types.h"

namespace seglog {

// ---- inspect ----

struct SegmentReport {
  std::string path;
  SeqNo base_seq;
  uint64_t file_size = 0;  // bytes on disk (an unsealed segment is preallocated)
  bool sealed = false;
  bool has_index = false;  // a .idx file sits beside it (not checked here; see VerifyStore)

  // From the trailer (sealed) or from scanning the batches (unsealed). Valid unless `error`.
  uint64_t records = 0;
  SeqNo next_seq;            // one past the last record (== base_seq when empty)
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

struct StoreReport {
  std::string dir;
  uint64_t next_log_id = 0;
  std::vector<LogReport> logs;  // in catalog order
};

// Reads the CATALOG and, for each log, lists its segments: sealed ones by header and trailer
// only (no scan), the last unsealed one by scanning its batches. NotFound("no store at DIR")
// without a CATALOG; Corruption when the CATALOG does not decode. Problems inside one segment
// are reported in its `error` and do not fail the call.
Status InspectStore(const std::string& dir, StoreReport* out);

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

struct VerifyReport {
  size_t logs = 0;
  size_t segments = 0;
  size_t index_files = 0;
  uint64_t bytes = 0;      // bytes of segment files read
  uint64_t batches = 0;    // batches whose checksum was checked
  uint64_t records = 0;    // records decoded
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
// data_end; count, last sequence and timestamps match) and against each other (contiguous
// sequences); index files against their segments (warnings only). `progress` (may be empty)
// is called after each segment and about every 64 MiB within one.
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
