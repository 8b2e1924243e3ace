// Reading a store's files with pread, for the read-only inspection in engine/inspect/inspect.h.
//
// Unlike Segment (which maps files), everything here reads into its own buffers: a writer in
// another process may truncate a segment (sealing it) or unlink it (retention) at any moment,
// and a read past the new end simply comes back short instead of raising SIGBUS. Each file is
// read through one descriptor, so an unlinked file stays readable until it is closed.
//
// Not thread-safe; one object per reader.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/log/layout.h"
#include "format/catalog_format.h"
#include "format/segment_format.h"
#include "format/status.h"
#include "format/tail_scan.h"
#include "format/types.h"

namespace seglog::inspect_internal {

// ---- store layout (see engine/log/store.h) ----
using ::seglog::CatalogPath;
using ::seglog::LogDirPath;
using ::seglog::LogsPath;
// NotFound("no store at DIR") when DIR is not a directory or has no CATALOG; Corruption (naming
// the file) when the CATALOG does not decode.
Status ReadCatalog(const std::string& store_dir, format::Catalog* c);

// The files of one log directory, by kind.
struct LogDirListing {
  std::map<SeqNo, std::string> segments;  // base -> path, in sequence order
  std::map<SeqNo, std::string> indexes;   // base -> path of "<base>.idx"
};
// NotFound when the directory is missing.
Status ListLogDir(const std::string& dir, LogDirListing* out);

// ---- queues (engine/queues/queue.h): two logs each, told apart by their catalog properties ----

enum class LogRole { kPlain, kQueueMessages, kQueueJournal };
// From the properties queue=<name> and part=messages|journal.
LogRole RoleOf(const format::CatalogEntry& e);
// The queue a log belongs to ("" for a plain log or a stream's).
std::string QueueOf(const format::CatalogEntry& e);

struct QueueLogs {
  std::string name;
  const format::CatalogEntry* messages = nullptr;  // may be null in a damaged catalog
  const format::CatalogEntry* journal = nullptr;
};
// The queues of a catalog, in the order their first log appears. Pointers into `c`.
std::vector<QueueLogs> FindQueues(const format::Catalog& c);

// ---- streams (engine/streams/stream.h): one log per shard, with properties stream=<name> and
// shard=<n> ----

// Whether `e` is a stream's shard log; if so, which stream and shard.
bool StreamShardOf(const format::CatalogEntry& e, std::string* stream, uint32_t* shard);

struct StreamLogs {
  std::string name;
  std::map<uint32_t, const format::CatalogEntry*> shards;  // shard -> its log, pointers into `c`
};
// The streams of a catalog, in the order their first shard log appears.
std::vector<StreamLogs> FindStreams(const format::Catalog& c);

// ---- files ----

// A file open for reading (O_RDONLY); its size is taken when opened.
class ReadOnlyFile {
 public:
  // NotFound when missing; InvalidArgument when not a regular file.
  static Status Open(const std::string& path, std::unique_ptr<ReadOnlyFile>* out);
  ~ReadOnlyFile();
  ReadOnlyFile(const ReadOnlyFile&) = delete;
  ReadOnlyFile& operator=(const ReadOnlyFile&) = delete;

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }

  // Reads up to n bytes at `offset` into *out, fewer only where the file ends (it may have
  // shrunk since it was opened).
  Status Read(uint64_t offset, size_t n, ByteBuffer* out) const;
  // Exactly n bytes; Corruption ("short read") when the file ends first.
  Status ReadExact(uint64_t offset, size_t n, ByteBuffer* out) const;

  // For tests: called with the path, offset and length before every read of any ReadOnlyFile,
  // so that a test can change a file between two reads of one look (what a live writer does at
  // random). Empty: none. Not thread-safe; set it only while no reader runs.
  using ReadHook = std::function<void(const std::string& path, uint64_t offset, size_t n)>;
  static void SetReadHookForTesting(ReadHook hook);

 private:
  ReadOnlyFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  const std::string path_;
  const int fd_;
  const uint64_t size_;
};

// Walks the batches of [start, limit) of a file, verifying each one's checksum (ReadBatch).
// Reads a few MiB at a time, so memory stays bounded whatever the file's size.
class BatchWalker {
 public:
  BatchWalker(const ReadOnlyFile* file, uint64_t start, uint64_t limit)
      : file_(file), pos_(start), off_(start), limit_(limit) {}

  // OK: the next batch, at offset(); *batch (header included) stays valid until the next call.
  // NoMore: a clean end: `limit` reached, or zero-filled space at offset() (< limit).
  // Anything else: why the batch at offset() was refused (ReadBatch's code and message, or an
  // I/O error). The walk cannot go on after that.
  Status Next(format::BatchHeader* h, ByteView* batch);
  // Offset of the batch Next() returned, or where the walk stopped.
  uint64_t offset() const { return off_; }
  // Bytes walked so far (for progress).
  uint64_t position() const { return pos_; }

 private:
  // Makes [pos_, pos_ + n) readable in buf_ as far as the file and limit_ allow; returns a
  // view of what is there from pos_.
  Status Fill(size_t n, ByteView* view);

  const ReadOnlyFile* file_;
  uint64_t pos_;      // where the next batch starts
  uint64_t off_;      // the last batch looked at
  const uint64_t limit_;
  ByteBuffer buf_;    // bytes of the file from buf_off_
  uint64_t buf_off_ = 0;
};

// A segment file opened and classified.
// The statuses' messages do not name the file (callers add it).
struct SegmentFile {
  std::unique_ptr<ReadOnlyFile> file;
  Status header_status;               // of decoding the header (and matching name and log)
  format::SegmentHeader header;       // valid when header_status is OK
  // Header bad, and a good batch follows it: the header is corrupt (a header is synced before
  // any batch is written). Header bad, no batch: a segment whose creation has not finished.
  bool holds_data = false;
  std::optional<format::SegmentTrailer> trailer;  // set when sealed: a valid trailer ends it
  Status trailer_status;              // why there is no valid trailer (in the last 56 bytes)
  bool damaged_trailer = false;       // the last bytes start with the trailer magic, yet are bad
  bool sealed() const { return trailer.has_value(); }
};
// Opens `path` and reads its header and (when it ends in one) its trailer. `expect_base` and
// `expect_log_id` (0 = any) are checked against the header. Fails only when the file cannot be
// opened; what is wrong inside is in the statuses. A bad header with a batch after it is read
// a second time before it counts as bad: a live writer may have written the header and then a
// batch between our two reads (the header comes first, so the second read sees it).
Status OpenSegmentFile(const std::string& path, std::optional<SeqNo> expect_base,
                       uint64_t expect_log_id, SegmentFile* out);

// Whether a good batch starts right after the header. A segment's header is synced before
// anything is appended to it, so the last segment with a bad header and no batch is one whose
// creation never finished (recovery removes it); with a batch, the header is corrupt.
bool HoldsData(const SegmentFile& seg);

// "PATH at offset N: MESSAGE".
std::string AtOffset(const std::string& path, uint64_t offset, const std::string& message);
// MESSAGE without a leading "PATH at offset N: " (as AtOffset writes it), if it has one.
std::string WithoutAt(const std::string& message, const std::string& path, uint64_t offset);

// ---- the last, unsealed segment ----

// The unsealed segment read whole (bounded by one segment) and scanned with the torn tail vs
// damage rule of format/tail_scan.h, as recovery applies it.
struct ActiveScan {
  ByteBuffer image;          // the file's bytes [0, size) as last read (shorter if it shrank)
  format::TailScan scan;     // scan.stop / scan.damage name the file and offset
  std::vector<std::pair<uint64_t, format::BatchHeader>> run;  // the good batches before `end`
  int reads = 0;             // how many times the file was read
};
// Reads and scans `file` (a segment whose first record is `base`). The tools are not the
// writer: a batch the writer is still copying can read torn while a durable mark after it,
// on a later page, already reads intact. So damage counts only when the next read finds it at
// the same offset; while reads disagree the file is read again (up to kMaxActiveReads times),
// and if they never agree it is taken for a tail being written (scan.damaged false). Fails
// only on an I/O error.
inline constexpr int kMaxActiveReads = 4;
Status ScanActiveSegment(const ReadOnlyFile& file, SeqNo base, ActiveScan* out);
// Why the scan stopped at scan.end, without "PATH at offset N: ", saying what a torn write
// looks like ("batch of N bytes cut short: M bytes left before the end of the file") rather
// than ReadBatch's "bad batch length". Empty for a clean end (zeros).
std::string TailReason(const ActiveScan& a, const std::string& path);

}  // namespace seglog::inspect_internal
