// VerifyStore: every checksum of a store, read-only (see engine/inspect/inspect.h).
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "engine/inspect/inspect.h"
#include "engine/inspect/segment_reader.h"
#include "engine/inspect/verify_checkpoints.h"
#include "engine/inspect/verify_topics.h"
#include "format/delete_index_format.h"
#include "format/queue_format.h"
#include "io/file_util.h"

namespace seglog {

using format::kSegmentHeaderSize;
using format::kSegmentTrailerSize;
using inspect_internal::BatchWalker;
using inspect_internal::LogDirListing;
using inspect_internal::LogRole;
using inspect_internal::SegmentFile;

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo: return "info";
    case Severity::kWarning: return "warning";
    case Severity::kError: return "error";
  }
  return "unknown";
}

std::string Problem::ToString() const {
  if (offset) return inspect_internal::AtOffset(path, offset->value(), message);
  return path.empty() ? message : path + ": " + message;
}

bool VerifyReport::ok() const { return first_error() == nullptr; }

const Problem* VerifyReport::first_error() const {
  for (const Problem& p : problems) {
    if (p.severity == Severity::kError) return &p;
  }
  return nullptr;
}

size_t VerifyReport::count(Severity s) const {
  return static_cast<size_t>(std::count_if(problems.begin(), problems.end(),
                                           [s](const Problem& p) { return p.severity == s; }));
}

namespace {

constexpr uint64_t kProgressEvery = 64ull << 20;
// Malformed queue records listed per log; the rest are counted in one more error.
constexpr size_t kMaxRecordProblems = 20;

// A data batch as found in a segment, for checking the segment's index against.
struct BatchInfo {
  uint64_t offset = 0;
  SeqNo base_seq;
  TimestampMs first_ts;
};

// What the batches of one segment add up to, for checking its trailer.
struct SegmentTotals {
  SeqNo next_min;                 // a data batch's base_seq must be at least this
  std::optional<SeqNo> last_seq;  // of the last record read
  uint64_t records = 0;
  TimestampMs first_ts, max_ts;
};

// What verifying one segment found out, for the checks that span segments.
struct SegmentOutcome {
  bool opened = false;
  bool sealed = false;
  bool complete = false;  // every batch up to data_end was read and is good
  uint64_t data_end = 0;
  std::optional<SeqNo> last_seq;  // of its last record, when known
  std::vector<BatchInfo> batches;
};

class Verifier {
 public:
  Verifier(const std::function<void(const VerifyProgress&)>& progress, VerifyReport* out)
      : progress_fn_(progress), out_(out) {}

  Status Run(const std::string& dir);

 private:
  void Add(Severity sev, const std::string& path, std::optional<uint64_t> offset,
           std::string message) {
    Problem p;
    p.severity = sev;
    p.path = path;
    if (offset) p.offset = FileOffset(*offset);
    p.message = std::move(message);
    out_->problems.push_back(std::move(p));
  }
  void VerifyLog(const format::CatalogEntry& e, const std::string& log_dir,
                 const LogDirListing& files);
  void VerifySegment(const std::string& path, SeqNo base, uint64_t log_id, bool last,
                     SegmentOutcome* o);
  void VerifyBatches(const SegmentFile& seg, SeqNo base, uint64_t limit, SegmentOutcome* o);
  // The last, unsealed segment: torn tail (info) or damage below a durable mark (error).
  void VerifyActive(const SegmentFile& seg, SeqNo base, SegmentOutcome* o);
  // One good batch's records; false (an error added) when they do not decode.
  bool VerifyBatchRecords(const std::string& path, uint64_t at, const format::BatchHeader& h,
                          ByteView batch, ByteBuffer* scratch, SegmentTotals* sum,
                          SegmentOutcome* o);
  // A queue's record inside a good batch: its message header or journal record.
  void VerifyQueueRecord(const std::string& path, uint64_t batch_offset, const RecordView& r);
  // A topic's record inside a good batch: its message header (format/topic_format.h).
  void VerifyTopicRecord(const std::string& path, uint64_t batch_offset, const RecordView& r);
  void VerifyQueues(const std::string& dir, const format::Catalog& catalog);
  void VerifySnapshot(const std::string& log_dir, const LogDirListing& files);
  void VerifyIndex(const std::string& path, SeqNo base, const SegmentOutcome& seg);

  // Progress: within a segment every kProgressEvery bytes, and after each segment.
  void Tick(const std::string& path, uint64_t pos) {
    if (pos - last_reported_ < kProgressEvery) return;
    last_reported_ = pos;
    Emit(path, std::min(pos, segment_size_));
  }
  void SegmentDone(const std::string& path) {
    progress_.bytes_done += segment_size_;
    ++progress_.segments_done;
    Emit(path, 0);
  }
  void Emit(const std::string& path, uint64_t in_segment) {
    if (!progress_fn_) return;
    VerifyProgress p = progress_;
    p.bytes_done += in_segment;
    p.path = path;
    progress_fn_(p);
  }

  const std::function<void(const VerifyProgress&)>& progress_fn_;
  VerifyReport* out_;
  VerifyProgress progress_;
  std::map<std::string, uint64_t> sizes_;  // of the segment files, when listed
  uint64_t segment_size_ = 0;              // of the one being verified, when listed
  uint64_t last_reported_ = 0;
  LogRole role_ = LogRole::kPlain;         // of the log being verified
  std::map<uint64_t, SeqNo> next_seq_;     // by log id: where each log goes on, when known
  inspect_internal::CheckpointFiles checkpoints_;  // read before the logs are verified
  inspect_internal::TopicFiles topics_;            // read before the logs are verified
  bool topic_log_ = false;                 // the log being verified is a topic's
  size_t record_problems_ = 0;             // malformed queue records found in it
};

Status Verifier::Run(const std::string& dir) {
  *out_ = VerifyReport();
  format::Catalog catalog;
  Status s = inspect_internal::ReadCatalog(dir, &catalog);
  if (s.code() == StatusCode::kCorruption || s.code() == StatusCode::kNotSupported) {
    Add(Severity::kError, inspect_internal::CatalogPath(dir), std::nullopt, s.message());
    return Status::OK();
  }
  SEGLOG_RETURN_IF_ERROR(s);
  checkpoints_.Read(dir, catalog, &out_->problems);
  topics_.Read(dir, catalog, &out_->problems);

  // List every log first, so that progress knows the total.
  std::vector<std::pair<std::string, LogDirListing>> listings;
  std::set<std::string> known;
  for (const format::CatalogEntry& e : catalog.logs) {
    std::string log_dir = inspect_internal::LogDirPath(dir, e.log_id);
    known.insert(log_dir);
    LogDirListing files;
    s = inspect_internal::ListLogDir(log_dir, &files);
    // NotFound: a log gets its directory at its first append; until then it is empty.
    if (!s.ok() && s.code() != StatusCode::kNotFound) {
      Add(Severity::kError, log_dir, std::nullopt, s.ToString());
    }
    for (const auto& [base, path] : files.segments) {
      uint64_t size = 0;
      if (io::FileSize(path, &size).ok()) sizes_[path] = size;
      progress_.bytes_total += size;
      ++progress_.segments_total;
    }
    listings.emplace_back(std::move(log_dir), std::move(files));
  }
  std::vector<std::string> names;
  if (io::ListDir(inspect_internal::LogsPath(dir), &names).ok()) {
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) {
      const std::string p = inspect_internal::LogsPath(dir) + "/" + n;
      if (known.count(p) == 0) {
        Add(Severity::kInfo, p, std::nullopt,
            "not a log in the CATALOG (left by a dropped log; removed on the next "
            "read-write open)");
      }
    }
  }

  VerifyQueues(dir, catalog);
  for (size_t i = 0; i < catalog.logs.size(); ++i) {
    VerifyLog(catalog.logs[i], listings[i].first, listings[i].second);
  }
  checkpoints_.Check(next_seq_, &out_->problems);
  topics_.Check(next_seq_, &out_->problems);
  out_->topics = topics_.topics();
  out_->cursor_files = topics_.cursor_files();
  return Status::OK();
}

void Verifier::VerifyQueues(const std::string& dir, const format::Catalog& catalog) {
  const std::string catalog_path = inspect_internal::CatalogPath(dir);
  for (const inspect_internal::QueueLogs& q : inspect_internal::FindQueues(catalog)) {
    ++out_->queues;
    if (q.messages == nullptr || q.journal == nullptr) {
      Add(Severity::kError, catalog_path, std::nullopt,
          "queue '" + q.name + "' has no " + (q.messages == nullptr ? "messages" : "journal") +
              " log");
    }
    if (q.messages == nullptr) continue;
    QueueSettings settings;
    Status s = ParseQueueSettings(*q.messages, &settings);
    if (!s.ok()) {
      Add(Severity::kError, catalog_path, std::nullopt, "queue '" + q.name + "': " + s.message());
    }
  }
}

void Verifier::VerifyLog(const format::CatalogEntry& e, const std::string& log_dir,
                         const LogDirListing& files) {
  ++out_->logs;
  role_ = inspect_internal::RoleOf(e);
  std::string topic;
  topic_log_ = TopicOf(e, &topic);
  record_problems_ = 0;
  std::optional<SeqNo> prev_last;
  // Where the log goes on: 0 without segments, else after the last one, when it was read whole.
  SeqNo next(0);
  bool next_known = true;
  size_t i = 0;
  for (const auto& [base, path] : files.segments) {
    const bool last = ++i == files.segments.size();
    segment_size_ = sizes_.count(path) != 0 ? sizes_[path] : 0;
    last_reported_ = 0;
    // A queue's messages log may skip ids (compaction removes segments, keeping ids); every
    // other log is contiguous.
    const bool gaps_allowed = role_ == LogRole::kQueueMessages;
    if (prev_last && (gaps_allowed ? base <= *prev_last : base != *prev_last + 1)) {
      Add(Severity::kError, path, std::nullopt,
          "starts at sequence " + std::to_string(base.value()) +
              " but the previous segment ends at " + std::to_string(prev_last->value()));
    }
    SegmentOutcome o;
    VerifySegment(path, base, e.log_id, last, &o);
    prev_last = o.sealed ? o.last_seq : std::nullopt;
    if (last) {
      next_known = o.complete;
      next = o.last_seq ? *o.last_seq + 1 : base;
    }
    if (auto it = files.indexes.find(base); it != files.indexes.end()) {
      VerifyIndex(it->second, base, o);
    }
    SegmentDone(path);
  }
  for (const auto& [base, path] : files.indexes) {
    // Beside a live writer the directory listing may have raced a roll: look once more.
    if (files.segments.count(base) == 0 &&
        !io::PathExists(log_dir + "/" + SegmentFileName(base))) {
      Add(Severity::kWarning, path, std::nullopt, "index file without its segment (stale)");
    }
  }
  if (record_problems_ > kMaxRecordProblems) {
    Add(Severity::kError, log_dir, std::nullopt,
        std::to_string(record_problems_ - kMaxRecordProblems) +
            (topic_log_ ? " more malformed topic message headers in this log, not listed"
                        : " more malformed queue records in this log, not listed"));
  }
  if (next_known) next_seq_[e.log_id] = next;
  if (role_ == LogRole::kQueueJournal) VerifySnapshot(log_dir, files);
}

void Verifier::VerifyQueueRecord(const std::string& path, uint64_t batch_offset,
                                 const RecordView& r) {
  Status s;
  std::string what;
  if (role_ == LogRole::kQueueMessages) {
    ++out_->queue_messages;
    format::QueueMessageHeader h;
    s = format::DecodeQueueMessageHeader(r.attrs, &h);
    if (s.ok() && h.has_topic_origin) ++out_->topic_deliveries;
    what = "message " + std::to_string(r.seq.value()) + ": ";
  } else {
    ++out_->journal_records;
    format::JournalRecord jr;
    s = format::DecodeJournalRecord(r.value, &jr);
    what = "journal record " + std::to_string(r.seq.value()) + ": ";
  }
  if (s.ok()) return;
  if (++record_problems_ > kMaxRecordProblems) return;
  // NotSupported (a newer version or type) is no corruption, but this build cannot use it.
  Add(Severity::kError, path, batch_offset,
      what + (s.code() == StatusCode::kNotSupported ? "not supported by this build: " : "") +
          s.message());
}

void Verifier::VerifyTopicRecord(const std::string& path, uint64_t batch_offset,
                                 const RecordView& r) {
  ++out_->topic_messages;
  format::TopicMessageHeader h;
  Status s = format::DecodeTopicMessageHeader(r.attrs, &h);
  if (s.ok() || ++record_problems_ > kMaxRecordProblems) return;
  Add(Severity::kError, path, batch_offset,
      "topic message " + std::to_string(r.seq.value()) + ": " +
          (s.code() == StatusCode::kNotSupported ? "not supported by this build: " : "") +
          s.message());
}

// The delete index's snapshot beside the journal: it decodes, and the journal reaches back to
// it (segments are removed only below a written snapshot's `covered`). The listing was taken
// before the file is read, so a writer's newer snapshot only makes `covered` larger.
void Verifier::VerifySnapshot(const std::string& log_dir, const LogDirListing& files) {
  const std::string path = log_dir + "/" + kDeleteSnapshotFile;
  if (io::PathExists(path + ".tmp")) {
    Add(Severity::kInfo, path + ".tmp", std::nullopt,
        "an unfinished delete snapshot (a crash or a snapshot in progress; the next one "
        "replaces it)");
  }
  std::optional<SeqNo> covered;
  ByteBuffer bytes;
  Status s = io::ReadFile(path, &bytes);
  if (s.code() == StatusCode::kNotFound) {
    covered = SeqNo(0);  // never snapshotted: the journal must start at 0
  } else if (!s.ok()) {
    Add(Severity::kError, path, std::nullopt, s.ToString());
  } else {
    ++out_->delete_snapshots;
    format::DeleteSnapshot snap;
    s = format::DecodeDeleteSnapshot(bytes, &snap);
    if (s.ok()) {
      covered = snap.covered;
    } else {
      Add(Severity::kError, path, std::nullopt,
          std::string("bad delete snapshot") +
              (s.code() == StatusCode::kNotSupported ? " (not supported by this build)" : "") +
              ": " + s.message());
    }
  }
  if (covered && !files.segments.empty() && files.segments.begin()->first > *covered) {
    Add(Severity::kError, log_dir, std::nullopt,
        "the journal starts at " + std::to_string(files.segments.begin()->first.value()) +
            (bytes.empty() ? std::string(" but there is no delete snapshot")
                           : " but the delete snapshot covers only up to " +
                                 std::to_string(covered->value())) +
            ": deletes in between are lost");
  }
}

void Verifier::VerifySegment(const std::string& path, SeqNo base, uint64_t log_id, bool last,
                             SegmentOutcome* o) {
  SegmentFile seg;
  Status s = inspect_internal::OpenSegmentFile(path, base, log_id, &seg);
  if (s.code() == StatusCode::kNotFound) {
    Add(Severity::kInfo, path, std::nullopt,
        "removed while verifying (retention, or a writer replacing it)");
    return;
  }
  if (!s.ok()) {
    Add(Severity::kError, path, std::nullopt, s.ToString());
    return;
  }
  o->opened = true;
  ++out_->segments;
  out_->bytes += seg.file->size();

  if (!seg.header_status.ok()) {
    if (format::CreationNeverFinished(seg.header_status, last, seg.holds_data)) {
      Add(Severity::kInfo, path, 0,
          "header incomplete: the segment's creation never finished, it holds no data (" +
              seg.header_status.message() + ")");
    } else {
      Add(Severity::kError, path, 0, "bad segment header: " + seg.header_status.message());
    }
    return;
  }

  uint64_t limit = seg.file->size();
  if (seg.sealed()) {
    o->sealed = true;
    o->last_seq = seg.trailer->last_seq;  // what the next segment must follow, even if a
    limit = seg.trailer->data_end.value();  // batch in this one turns out bad
  } else if (!last) {
    const uint64_t size = seg.file->size();
    Add(Severity::kError, path,
        size >= kSegmentTrailerSize ? std::optional<uint64_t>(size - kSegmentTrailerSize)
                                    : std::nullopt,
        "sealed segment has no valid trailer: " + seg.trailer_status.message());
    return;
  } else {
    if (seg.damaged_trailer) {
      Add(Severity::kWarning, path, seg.file->size() - kSegmentTrailerSize,
          "ends in a damaged trailer (" + seg.trailer_status.message() +
              "); recovery treats the segment as unsealed and keeps its batches");
    }
    VerifyActive(seg, base, o);
    return;
  }
  VerifyBatches(seg, base, limit, o);
}

bool Verifier::VerifyBatchRecords(const std::string& path, uint64_t at,
                                  const format::BatchHeader& h, ByteView batch,
                                  ByteBuffer* scratch, SegmentTotals* sum, SegmentOutcome* o) {
  ++out_->batches;
  if (h.type != format::kBatchTypeData) return true;  // a durable mark, or a newer seglog's
  if (h.base_seq < sum->next_min) {
    Add(Severity::kError, path, at,
        "batch sequence " + std::to_string(h.base_seq.value()) +
            " goes backwards (expected at least " + std::to_string(sum->next_min.value()) + ")");
    return false;
  }
  format::RecordCursor c;
  Status rs = c.Init(h, batch, scratch);
  RecordView r;
  uint32_t n = 0;
  while (rs.ok() && (rs = c.Next(&r)).ok()) {
    ++n;
    if (r.ts > h.max_ts) {
      rs = Status::Corruption("record " + std::to_string(r.seq.value()) +
                              " has a timestamp after its batch's max_ts");
    } else if (role_ != LogRole::kPlain) {
      VerifyQueueRecord(path, at, r);
    } else if (topic_log_) {
      VerifyTopicRecord(path, at, r);
    }
  }
  if (rs.IsNoMore() && n != h.record_count) {
    rs = Status::Corruption("batch holds " + std::to_string(n) + " records, its header says " +
                            std::to_string(h.record_count));
  }
  if (!rs.IsNoMore()) {
    // The checksum was good, so this is no torn write, even at the tail.
    Add(Severity::kError, path, at, rs.message());
    return false;
  }
  out_->records += n;
  if (sum->records == 0) sum->first_ts = sum->max_ts = h.first_ts;
  sum->records += n;
  sum->max_ts = std::max(sum->max_ts, h.max_ts);
  sum->next_min = h.last_seq() + 1;
  sum->last_seq = h.last_seq();
  o->batches.push_back(BatchInfo{at, h.base_seq, h.first_ts});
  return true;
}

void Verifier::VerifyActive(const SegmentFile& seg, SeqNo base, SegmentOutcome* o) {
  const std::string& path = seg.file->path();
  inspect_internal::ActiveScan a;
  Status s = inspect_internal::ScanActiveSegment(*seg.file, base, &a);
  if (!s.ok()) {
    Add(Severity::kError, path, std::nullopt, s.ToString());
    return;
  }
  ByteBuffer scratch;
  SegmentTotals sum;
  sum.next_min = base;
  for (const auto& [at, h] : a.run) {
    if (!VerifyBatchRecords(path, at, h, ByteView(a.image).subspan(at, h.length), &scratch, &sum,
                            o)) {
      return;
    }
  }
  Tick(path, a.scan.end);
  const format::TailScan& t = a.scan;
  if (t.damaged) {
    Add(Severity::kError, path, t.end,
        inspect_internal::WithoutAt(t.damage.message(), path, t.end));
    return;
  }
  if (t.stop.code() == StatusCode::kNotSupported) {
    Add(Severity::kError, path, t.end, t.stop.ToString());
    return;
  }
  if (!t.stop.ok()) {
    // The unsealed tail: where the log ends; recovery cuts it off.
    Add(Severity::kInfo, path, t.end, "tail ends here: " + inspect_internal::TailReason(a, path));
  }
  o->complete = true;
  o->data_end = t.end;
  o->last_seq = sum.last_seq;
}

void Verifier::VerifyBatches(const SegmentFile& seg, SeqNo base, uint64_t limit,
                             SegmentOutcome* o) {
  const std::string& path = seg.file->path();
  BatchWalker w(seg.file.get(), kSegmentHeaderSize, limit);
  format::BatchHeader h;
  ByteView batch;
  ByteBuffer scratch;
  SegmentTotals sum;
  sum.next_min = base;
  Status s;
  while ((s = w.Next(&h, &batch)).ok()) {
    Tick(path, w.position());
    if (!VerifyBatchRecords(path, w.offset(), h, batch, &scratch, &sum, o)) return;
  }
  // Sealed: anything short of the trailer's data end that does not decode is corruption.
  const uint64_t stop = w.offset();
  if (s.IsNoMore() && stop < limit) {
    Add(Severity::kError, path, stop,
        "zeros where a batch should be, before the trailer's data end " + std::to_string(limit));
    return;
  }
  if (!s.IsNoMore()) {
    Add(Severity::kError, path, stop, s.message());  // the first bad batch
    return;
  }
  o->complete = true;
  o->data_end = stop;
  const uint64_t records = sum.records;
  const std::optional<SeqNo> last_seq = sum.last_seq;
  const TimestampMs first_ts = sum.first_ts, max_ts = sum.max_ts;

  const format::SegmentTrailer& t = *seg.trailer;
  const uint64_t trailer_at = t.data_end.value();
  auto mismatch = [&](const std::string& what, auto found, auto says) {
    Add(Severity::kError, path, trailer_at,
        "trailer's " + what + " is " + std::to_string(says) + " but the batches say " +
            std::to_string(found));
  };
  if (records != t.record_count) mismatch("record count", records, t.record_count);
  if (t.last_seq < base) {
    Add(Severity::kError, path, trailer_at,
        "trailer's last sequence " + std::to_string(t.last_seq.value()) +
            " is before the segment's base " + std::to_string(base.value()));
  }
  if (records > 0) {
    // last_seq is the end of the range the segment covers (the next segment starts after it).
    // A segment rewritten by compaction may have dropped its last records, so its batches
    // may end before it, never after.
    if (*last_seq > t.last_seq) {
      Add(Severity::kError, path, trailer_at,
          "trailer's last sequence is " + std::to_string(t.last_seq.value()) +
              " but the batches hold sequence " + std::to_string(last_seq->value()));
    }
    if (first_ts != t.first_ts) mismatch("first timestamp", first_ts.value(), t.first_ts.value());
    if (max_ts != t.max_ts) mismatch("max timestamp", max_ts.value(), t.max_ts.value());
  }
}

void Verifier::VerifyIndex(const std::string& path, SeqNo base, const SegmentOutcome& seg) {
  if (!seg.opened) return;
  ++out_->index_files;
  const std::string rebuilt = " (derived data: the engine rebuilds it)";
  ByteBuffer bytes;
  Status s = io::ReadFile(path, &bytes);
  if (s.code() == StatusCode::kNotFound) return;  // replaced or removed meanwhile
  format::IndexInfo info;
  std::vector<format::IndexEntry> entries;
  if (s.ok()) s = format::DecodeIndex(bytes, &info, &entries);
  if (!s.ok()) {
    Add(Severity::kWarning, path, std::nullopt, "bad index: " + s.message() + rebuilt);
    return;
  }
  if (!seg.complete) return;  // the segment's own error says more
  if (!seg.sealed) {
    Add(Severity::kWarning, path, std::nullopt,
        "index file for an unsealed segment (stale; rewritten when the segment is sealed)");
    return;
  }
  if (info.base_seq != base || info.data_end.value() != seg.data_end) {
    Add(Severity::kWarning, path, std::nullopt,
        "index is for base " + std::to_string(info.base_seq.value()) + " and data end " +
            std::to_string(info.data_end.value()) + ", the segment has " +
            std::to_string(base.value()) + " and " + std::to_string(seg.data_end) + rebuilt);
    return;
  }
  if (seg.batches.empty() && seg.data_end == kSegmentHeaderSize) {
    // A segment whose records compaction dropped, all of them: nothing to index.
    if (!entries.empty()) {
      Add(Severity::kWarning, path, std::nullopt,
          "index has entries for a segment without batches" + rebuilt);
    }
    return;
  }
  if (entries.empty() || entries.front().offset.value() != kSegmentHeaderSize) {
    Add(Severity::kWarning, path, std::nullopt,
        "index does not start at the first batch" + rebuilt);
    return;
  }
  TimestampMs prev_ts = entries.front().ts;
  for (size_t i = 0; i < entries.size(); ++i) {
    const format::IndexEntry& e = entries[i];
    auto it = std::lower_bound(seg.batches.begin(), seg.batches.end(), e.offset.value(),
                               [](const BatchInfo& b, uint64_t off) { return b.offset < off; });
    std::string why;
    if (it == seg.batches.end() || it->offset != e.offset.value()) {
      why = "points at offset " + std::to_string(e.offset.value()) + ", where no batch starts";
    } else if (it->base_seq != e.seq) {
      why = "says sequence " + std::to_string(e.seq.value()) + " for the batch at offset " +
            std::to_string(e.offset.value()) + ", which starts at " +
            std::to_string(it->base_seq.value());
    } else if (e.ts != std::max(it->first_ts, i == 0 ? it->first_ts : prev_ts)) {
      why = "says timestamp " + std::to_string(e.ts.value()) + " for the batch at offset " +
            std::to_string(e.offset.value()) + ", whose first timestamp is " +
            std::to_string(it->first_ts.value());
    }
    if (!why.empty()) {
      Add(Severity::kWarning, path, std::nullopt,
          "index entry " + std::to_string(i) + " " + why + rebuilt);
      return;
    }
    prev_ts = e.ts;
  }
}

}  // namespace

Status VerifyStore(const std::string& dir,
                   const std::function<void(const VerifyProgress&)>& progress,
                   VerifyReport* out) {
  Verifier v(progress, out);
  return v.Run(dir);
}

}  // namespace seglog
