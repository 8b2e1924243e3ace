// InspectStore, DumpRecords, DumpQueue and the formatting helpers (VerifyStore is in verify.cc).
#include "engine/inspect/inspect.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <roaring/roaring64map.hh>

#include "format/roaring_ranges.h"
#include "engine/log/clock.h"
#include "engine/log/segment.h"
#include "engine/inspect/segment_reader.h"
#include "format/coding.h"
#include "format/delete_index_format.h"
#include "io/file_util.h"

namespace seglog {

using format::kSegmentHeaderSize;
using inspect_internal::AtOffset;
using inspect_internal::BatchWalker;
using inspect_internal::ListLogDir;
using inspect_internal::LogDirListing;
using inspect_internal::OpenSegmentFile;
using inspect_internal::SegmentFile;

uint64_t SegmentReport::data_bytes() const {
  return data_end.value() > kSegmentHeaderSize ? data_end.value() - kSegmentHeaderSize : 0;
}

// ---------------------------------------------------------------- inspect

namespace {

// The last, unsealed segment: scanned for its records and where they end (a torn tail, or damage
// below a durable mark: an error).
void InspectActive(const inspect_internal::ReadOnlyFile& file, SeqNo base, SegmentReport* r) {
  inspect_internal::ActiveScan a;
  Status s = inspect_internal::ScanActiveSegment(file, base, &a);
  if (!s.ok()) {
    r->error = s.ToString();
    return;
  }
  for (const auto& [off, h] : a.run) {
    r->data_end = FileOffset(off + h.length);
    ++r->batches;
    if (h.type != format::kBatchTypeData) continue;
    if (r->records == 0) r->first_ts = r->max_ts = h.first_ts;
    r->records += h.record_count;
    r->max_ts = std::max(r->max_ts, h.max_ts);
    r->next_seq = h.last_seq() + 1;
  }
  const format::TailScan& t = a.scan;
  if (t.damaged) {
    r->error = t.damage.message();
  } else if (t.stop.code() == StatusCode::kCorruption) {
    r->tail = inspect_internal::TailReason(a, file.path());
  } else if (!t.stop.ok()) {
    r->error = t.stop.ToString();
  }
}

// Fills `r` from the trailer (sealed) or by scanning the batches (the last, unsealed one).
void InspectSegment(const std::string& path, SeqNo base, uint64_t log_id, bool last,
                    SegmentReport* r) {
  r->path = path;
  r->base_seq = base;
  r->next_seq = base;
  r->data_end = FileOffset(kSegmentHeaderSize);
  SegmentFile seg;
  Status s = OpenSegmentFile(path, base, log_id, &seg);
  if (s.code() == StatusCode::kNotFound) {
    r->removed = true;
    return;
  }
  if (!s.ok()) {
    r->error = s.ToString();
    return;
  }
  r->file_size = seg.file->size();
  if (!seg.header_status.ok()) {
    if (format::CreationNeverFinished(seg.header_status, last, seg.holds_data)) {
      r->tail = "header incomplete: creation never finished (" +
                seg.header_status.message() + ")";
    } else {
      r->error = "bad segment header: " + seg.header_status.message();
    }
    return;
  }
  if (seg.sealed()) {
    const format::SegmentTrailer& t = *seg.trailer;
    r->sealed = true;
    r->records = t.record_count;
    // A sealed segment covers [base, last_seq] even when compaction dropped records from it
    // (all of them, maybe): the next segment starts after that.
    r->next_seq = t.last_seq + 1;
    if (t.record_count > 0) {
      r->first_ts = t.first_ts;
      r->max_ts = t.max_ts;
    }
    r->data_end = t.data_end;
    return;
  }
  if (!last) {
    r->error = "sealed segment has no valid trailer: " + seg.trailer_status.message();
    return;
  }
  InspectActive(*seg.file, base, r);
}

void SumUp(LogReport* lr) {
  bool any = false;
  for (const SegmentReport& g : lr->segments) {
    lr->file_bytes += g.file_size;
    lr->data_bytes += g.data_bytes();
    lr->records += g.records;
    if (g.records > 0) {
      if (!any) lr->first_ts = lr->max_ts = g.first_ts;
      lr->max_ts = std::max(lr->max_ts, g.max_ts);
      any = true;
    }
  }
  // Segments removed while we looked (retention takes the oldest) no longer count.
  auto first = std::find_if(lr->segments.begin(), lr->segments.end(),
                            [](const SegmentReport& g) { return !g.removed; });
  if (first != lr->segments.end()) {
    lr->first_seq = first->base_seq;
    lr->next_seq = lr->segments.back().next_seq;
  }
}

// Fills the queue's report: settings, delete index, counts (defined below, with DumpQueue).
void InspectQueue(const std::string& store_dir, const inspect_internal::QueueLogs& ql,
                  const InspectOptions& opt, QueueReport* q);

}  // namespace

Status InspectStore(const std::string& dir, const InspectOptions& opt, StoreReport* out) {
  *out = StoreReport();
  out->dir = dir;
  format::Catalog catalog;
  SEGLOG_RETURN_IF_ERROR(inspect_internal::ReadCatalog(dir, &catalog));
  out->next_log_id = catalog.next_log_id;
  inspect_internal::ReadTopics(dir, catalog, &out->topics);
  for (const format::CatalogEntry& e : catalog.logs) {
    LogReport lr;
    lr.name = e.name;
    lr.id = e.log_id;
    lr.props = e.props;
    lr.queue = inspect_internal::QueueOf(e);
    switch (inspect_internal::RoleOf(e)) {
      case inspect_internal::LogRole::kQueueMessages: lr.queue_part = "messages"; break;
      case inspect_internal::LogRole::kQueueJournal: lr.queue_part = "journal"; break;
      case inspect_internal::LogRole::kPlain: break;
    }
    lr.dir = inspect_internal::LogDirPath(dir, e.log_id);
    LogDirListing files;
    Status s = ListLogDir(lr.dir, &files);
    if (s.code() == StatusCode::kNotFound) {
      lr.dir_missing = true;
    } else {
      SEGLOG_RETURN_IF_ERROR(s);
    }
    size_t i = 0;
    for (const auto& [base, path] : files.segments) {
      SegmentReport r;
      InspectSegment(path, base, e.log_id, ++i == files.segments.size(), &r);
      r.has_index = files.indexes.count(base) != 0;
      lr.segments.push_back(std::move(r));
    }
    SumUp(&lr);
    out->logs.push_back(std::move(lr));
  }
  for (const inspect_internal::QueueLogs& ql : inspect_internal::FindQueues(catalog)) {
    QueueReport q;
    InspectQueue(dir, ql, opt, &q);
    for (size_t i = 0; i < catalog.logs.size(); ++i) {
      if (&catalog.logs[i] == ql.messages) q.messages_log = i;
      if (&catalog.logs[i] == ql.journal) q.journal_log = i;
    }
    out->queues.push_back(std::move(q));
  }
  inspect_internal::FinishTopics(catalog, opt.scan_messages, out);
  return Status::OK();
}

Status FindLogDir(const std::string& store_dir, const std::string& name, std::string* dir) {
  format::Catalog catalog;
  SEGLOG_RETURN_IF_ERROR(inspect_internal::ReadCatalog(store_dir, &catalog));
  for (const format::CatalogEntry& e : catalog.logs) {
    if (e.name == name) {
      *dir = inspect_internal::LogDirPath(store_dir, e.log_id);
      return Status::OK();
    }
  }
  return Status::NotFound("no log named '" + name + "' in " + store_dir);
}

// ---------------------------------------------------------------- dump

namespace {

// Where WalkSegment's segment comes from.
enum class Source { kLogDir, kNamedFile };

// fn(record, segment path, offset of its batch): false stops the walk.
using WalkFn = std::function<bool(const RecordView&, const std::string&, uint64_t)>;

// Passes the records of one good batch with seq >= from to fn; sets *stop when fn asks to.
Status WalkBatch(const std::string& path, uint64_t at, const format::BatchHeader& h,
                 ByteView batch, SeqNo from, const WalkFn& fn, ByteBuffer* scratch, bool* stop) {
  // Sequence numbers may have gaps (a compacted queue keeps its ids): never assume
  // base_seq + i, always the record's own.
  if (h.type != format::kBatchTypeData || h.last_seq() < from) return Status::OK();
  format::RecordCursor c;
  Status s = c.Init(h, batch, scratch);
  RecordView r;
  while (s.ok() && !*stop && (s = c.Next(&r)).ok()) {
    if (r.seq < from) continue;
    if (!fn(r, path, at)) *stop = true;
  }
  if (!s.ok() && !s.IsNoMore()) return Status(s.code(), AtOffset(path, at, s.message()));
  return Status::OK();
}

// The last, unsealed segment: its good batches up to the torn tail (the end of the log), or up
// to damage below a durable mark (Corruption, after the records before it).
Status WalkActive(const inspect_internal::ReadOnlyFile& file, SeqNo base, SeqNo from,
                  const WalkFn& fn, bool* stop) {
  inspect_internal::ActiveScan a;
  SEGLOG_RETURN_IF_ERROR(inspect_internal::ScanActiveSegment(file, base, &a));
  ByteBuffer scratch;
  for (const auto& [at, h] : a.run) {
    if (*stop) return Status::OK();
    SEGLOG_RETURN_IF_ERROR(WalkBatch(file.path(), at, h, ByteView(a.image).subspan(at, h.length),
                                     from, fn, &scratch, stop));
  }
  if (*stop) return Status::OK();
  if (a.scan.damaged) return a.scan.damage;
  if (a.scan.stop.code() == StatusCode::kNotSupported) return a.scan.stop;
  return Status::OK();  // a torn tail is where the log ends
}

// Walks one segment's records with seq >= from; sets *stop when fn asked to stop. `base`: from
// the file's name, when it has a segment's name. `last`: the log may end in a torn tail here.
Status WalkSegment(const std::string& path, Source src, std::optional<SeqNo> base, bool last,
                   SeqNo from, const WalkFn& fn, bool* stop) {
  SegmentFile seg;
  Status s = OpenSegmentFile(path, base, 0, &seg);
  if (s.code() == StatusCode::kNotFound && src == Source::kLogDir) {
    return Status::OK();  // removed since the directory was listed (retention)
  }
  SEGLOG_RETURN_IF_ERROR(s);
  if (!seg.header_status.ok()) {
    if (!base) {
      return Status::InvalidArgument(path + " is not a segment file (" +
                                     seg.header_status.message() + ")");
    }
    // The log's newest segment, still being created: nothing in it yet.
    if (src == Source::kLogDir &&
        format::CreationNeverFinished(seg.header_status, last, seg.holds_data)) {
      return Status::OK();
    }
    return seg.header_status.WithContext(path + ": bad segment header");
  }
  if (!seg.sealed() && !last) {
    return Status::Corruption(path + ": sealed segment has no valid trailer: " +
                              seg.trailer_status.message());
  }
  if (!seg.sealed()) return WalkActive(*seg.file, seg.header.base_seq, from, fn, stop);
  const format::SegmentTrailer& t = *seg.trailer;
  if (t.record_count > 0 && t.last_seq < from) return Status::OK();
  const uint64_t limit = t.data_end.value();
  BatchWalker w(seg.file.get(), kSegmentHeaderSize, limit);
  format::BatchHeader h;
  ByteView batch;
  ByteBuffer scratch;
  while (!*stop && (s = w.Next(&h, &batch)).ok()) {
    SEGLOG_RETURN_IF_ERROR(WalkBatch(path, w.offset(), h, batch, from, fn, &scratch, stop));
  }
  if (*stop || s.ok()) return Status::OK();
  // Sealed: anything short of the trailer's data end that does not decode is corruption.
  if (s.IsNoMore()) {
    if (w.offset() >= limit) return Status::OK();
    return Status::Corruption(AtOffset(path, w.offset(), "zeros before the trailer's data end " +
                                                             std::to_string(limit)));
  }
  return Status(s.code(), AtOffset(path, w.offset(), s.message()));
}

// Walks the records of a log directory (all its segments in order) with seq >= from.
// NotFound when the directory is missing. *first_base: the oldest segment's base, if any.
// `stopped`: look at the first segment only, pass nothing to fn (a limit of 0).
Status WalkLogDir(const std::string& dir, SeqNo from, const WalkFn& fn,
                  std::optional<SeqNo>* first_base = nullptr, bool stopped = false) {
  LogDirListing files;
  SEGLOG_RETURN_IF_ERROR(ListLogDir(dir, &files));
  if (first_base != nullptr) {
    *first_base = files.segments.empty() ? std::nullopt
                                         : std::optional<SeqNo>(files.segments.begin()->first);
  }
  bool stop = stopped;
  size_t i = 0;
  for (const auto& [base, seg_path] : files.segments) {
    const bool last = ++i == files.segments.size();
    SEGLOG_RETURN_IF_ERROR(WalkSegment(seg_path, Source::kLogDir, base, last, from, fn, &stop));
    if (stop) break;
  }
  return Status::OK();
}

}  // namespace

Status DumpRecords(const std::string& path, SeqNo from, uint64_t limit,
                   const std::function<void(const RecordView&)>& fn) {
  uint64_t left = limit;
  const WalkFn walk = [&](const RecordView& r, const std::string&, uint64_t) {
    fn(r);
    return --left > 0;
  };
  // One stat decides: a log's directory appears at its first append, so asking "a directory?"
  // and then "exists?" could see it missing, then present, and take it for a file.
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return Status::NotFound("no such file or directory: " + path);
  }
  if (S_ISDIR(st.st_mode)) {
    if (io::PathExists(inspect_internal::CatalogPath(path))) {
      return Status::InvalidArgument(path +
                                     " is a store; name a log directory (STORE/logs/<id>) "
                                     "or a segment file");
    }
    LogDirListing files;
    SEGLOG_RETURN_IF_ERROR(ListLogDir(path, &files));
    if (files.segments.empty()) return Status::NotFound("no segment files in " + path);
    return WalkLogDir(path, from, walk, nullptr, left == 0);
  }
  // One segment file. Named like one, it must be one; otherwise its header says what it is.
  const size_t slash = path.rfind('/');
  SeqNo base;
  const bool named =
      ParseSegmentFileName(slash == std::string::npos ? path : path.substr(slash + 1), &base);
  bool stop = left == 0;
  return WalkSegment(path, Source::kNamedFile, named ? std::optional<SeqNo>(base) : std::nullopt,
                     true, from, walk, &stop);
}

// ---------------------------------------------------------------- queues

std::string_view MessageStateName(MessageState s) {
  switch (s) {
    case MessageState::kLive: return "live";
    case MessageState::kDeleted: return "deleted";
    case MessageState::kExpired: return "expired";
  }
  return "unknown";
}

Status ParseQueueSettings(const format::CatalogEntry& e, QueueSettings* out) {
  QueueSettings q;
  namespace qp = format::queue_props;
  const std::string* type = format::FindProp(e, qp::kType);
  if (type == nullptr || (*type != qp::kTypeStandard && *type != qp::kTypeFifo)) {
    return Status::Corruption("queue setting type is " +
                              (type == nullptr ? std::string("missing") : "'" + *type + "'") +
                              " (standard or fifo)");
  }
  q.fifo = *type == qp::kTypeFifo;
  const std::pair<const char*, uint32_t*> numbers[] = {
      {qp::kVisibility, &q.visibility_timeout_s},
      {qp::kDelay, &q.delay_s},
      {qp::kRetention, &q.retention_s},
      {qp::kMaxBytes, &q.max_message_bytes},
      {qp::kWait, &q.receive_wait_s},
      {qp::kMaxReceiveCount, &q.max_receive_count}};
  for (const auto& [key, field] : numbers) {
    const std::string* v = format::FindProp(e, key);
    if (!format::ParsePropU32(v, field)) {
      return Status::Corruption(std::string("queue setting ") + key + " is " +
                                (v == nullptr ? std::string("missing") : "'" + *v + "'"));
    }
  }
  const std::string* dedup = format::FindProp(e, qp::kContentDedup);
  if (dedup == nullptr || (*dedup != "0" && *dedup != "1")) {
    return Status::Corruption("queue setting content_based_dedup is " +
                              (dedup == nullptr ? std::string("missing") : "'" + *dedup + "'"));
  }
  q.content_based_dedup = *dedup == "1";
  if (const std::string* dlq = format::FindProp(e, qp::kDeadLetterQueue)) q.dead_letter_queue = *dlq;
  *out = std::move(q);
  return Status::OK();
}

namespace {

// A problem's text after "PATH at offset N: ": corruption needs no label, anything else does.
std::string Describe(const Status& s) {
  return s.code() == StatusCode::kCorruption ? s.message() : s.ToString();
}

TimestampMs Now(Clock* clock) {
  return (clock != nullptr ? clock : SystemClock::Default())->NowMs();
}

// A queue's delete index, read as DeleteIndex::Open would load it, without the engine.
struct DeleteState {
  Roaring64Map deleted;
  format::ReceiveStates counts;
  std::optional<DeleteSnapshotReport> snapshot;
  uint64_t journal_records = 0;
};

void Apply(const format::JournalRecord& r, DeleteState* st) {
  format::ApplyJournalRecord(r, &st->deleted, &st->counts);
}

// Which DELETES file is there: a writer replaces it by rename, so a changed identity means a
// new snapshot (and perhaps journal segments removed meanwhile).
struct FileIdentity {
  bool exists = false;
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

FileIdentity IdentityOf(const std::string& path) {
  FileIdentity id;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return id;
  id.exists = true;
  id.dev = st.st_dev;
  id.ino = st.st_ino;
  id.size = st.st_size;
  id.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  return id;
}

// The bytes of bitmap in an encoded snapshot (the sum of its chunks' lengths).
// REQUIRES: `in` decoded with DecodeDeleteSnapshot.
uint64_t SnapshotBitmapBytes(ByteView in) {
  size_t p = 24;
  const uint32_t chunks = format::DecodeFixed32(in.data() + p);
  p += 4;
  uint64_t total = 0;
  for (uint32_t i = 0; i < chunks; ++i) {
    const uint32_t n = format::DecodeFixed32(in.data() + p + 4);
    total += n;
    p += 8 + n;
  }
  return total;
}

// One try: the snapshot, then the journal from `covered`.
Status LoadDeleteStateOnce(const std::string& journal_dir, DeleteState* st) {
  *st = DeleteState();
  const std::string path = journal_dir + "/" + kDeleteSnapshotFile;
  SeqNo covered(0);
  ByteBuffer bytes;
  Status s = io::ReadFile(path, &bytes);
  if (s.ok()) {
    format::DeleteSnapshot snap;
    s = format::DecodeDeleteSnapshot(bytes, &snap);
    if (!s.ok()) {
      return Status(s.code(), path + ": bad delete snapshot: " + s.message());
    }
    DeleteSnapshotReport r;
    r.path = path;
    r.file_bytes = bytes.size();
    r.covered = snap.covered;
    r.deleted_ids = snap.deleted.cardinality();
    r.bitmap_bytes = SnapshotBitmapBytes(bytes);
    r.receive_counts = snap.receive_states.size();
    st->snapshot = r;
    covered = snap.covered;
    st->deleted = std::move(snap.deleted);
    st->counts = std::move(snap.receive_states);
  } else if (s.code() != StatusCode::kNotFound) {
    return s;
  }
  Status bad;
  std::optional<SeqNo> first_base;
  s = WalkLogDir(
      journal_dir, covered,
      [&](const RecordView& r, const std::string& seg, uint64_t at) {
        format::JournalRecord jr;
        Status ds = format::DecodeJournalRecord(r.value, &jr);
        if (!ds.ok()) {
          bad = Status(ds.code(), AtOffset(seg, at, "journal record " +
                                                        std::to_string(r.seq.value()) + ": " +
                                                        ds.message()));
          return false;
        }
        Apply(jr, st);
        ++st->journal_records;
        return true;
      },
      &first_base);
  if (s.code() == StatusCode::kNotFound && !io::PathExists(journal_dir)) s = Status::OK();
  SEGLOG_RETURN_IF_ERROR(s);
  SEGLOG_RETURN_IF_ERROR(bad);
  if (first_base && *first_base > covered) {
    return Status::Corruption(journal_dir + ": the journal starts at " +
                              std::to_string(first_base->value()) +
                              (st->snapshot ? " but the snapshot covers only up to " +
                                                  std::to_string(covered.value())
                                            : std::string(" but there is no snapshot")) +
                              ": deletes in between are lost");
  }
  return Status::OK();
}

// Retries while a writer replaces the snapshot underneath (journal segments it covered may
// have gone before they were read); a few tries, then what the last one found.
Status LoadDeleteState(const std::string& journal_dir, DeleteState* st) {
  const std::string path = journal_dir + "/" + kDeleteSnapshotFile;
  Status s;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const FileIdentity before = IdentityOf(path);
    s = LoadDeleteStateOnce(journal_dir, st);
    if (IdentityOf(path) == before) break;
  }
  return s;
}

uint32_t CountOf(const DeleteState& st, uint64_t id) {
  auto it = st.counts.find(id);
  return it == st.counts.end() ? 0 : it->second.count;
}

MessageState StateOf(const DeleteState& st, const RecordView& r, TimestampMs expire_before) {
  if (st.deleted.contains(r.seq.value())) return MessageState::kDeleted;
  if (r.ts < expire_before) return MessageState::kExpired;
  return MessageState::kLive;
}

TimestampMs ExpireBefore(TimestampMs now, const QueueSettings& q) {
  return now - static_cast<int64_t>(q.retention_s) * 1000;
}

constexpr size_t kMaxListedErrors = 10;

// The queue's tags, redrive allow policy and move tasks from its messages log's properties; a
// malformed one is an error of the report.
void ReadQueueCatalogState(const std::string& store_dir, const format::CatalogEntry& e,
                           QueueReport* q) {
  namespace qp = format::queue_props;
  const std::string where = inspect_internal::CatalogPath(store_dir) + ": queue '" + q->name + "'";
  if (const std::string* t = format::FindProp(e, qp::kTags); t != nullptr) {
    if (Status s = format::DecodeQueueTags(*t, &q->tags); !s.ok()) {
      q->errors.push_back(where + ": tags: " + s.message());
    }
  }
  if (const std::string* r = format::FindProp(e, qp::kRedriveAllow); r != nullptr) {
    q->redrive_allow = *r;
  }
  if (const std::string* m = format::FindProp(e, qp::kMoveTasks); m != nullptr) {
    if (!format::DecodeMoveTaskList(*m, &q->move_tasks)) {
      q->errors.push_back(where + ": malformed move task list");
    }
  }
}

void InspectQueue(const std::string& store_dir, const inspect_internal::QueueLogs& ql,
                  const InspectOptions& opt, QueueReport* q) {
  q->name = ql.name;
  q->now = Now(opt.clock);
  if (ql.messages == nullptr) q->errors.push_back("queue '" + ql.name + "' has no messages log");
  if (ql.journal == nullptr) q->errors.push_back("queue '" + ql.name + "' has no journal log");
  bool settings_ok = false;
  if (ql.messages != nullptr) {
    Status s = ParseQueueSettings(*ql.messages, &q->settings);
    settings_ok = q->settings_valid = s.ok();
    if (!s.ok()) {
      q->errors.push_back(inspect_internal::CatalogPath(store_dir) + ": queue '" + ql.name +
                          "': " + s.message());
    }
  }
  if (ql.messages != nullptr) ReadQueueCatalogState(store_dir, *ql.messages, q);
  DeleteState st;
  bool index_ok = ql.journal != nullptr;
  if (ql.journal != nullptr) {
    Status s = LoadDeleteState(inspect_internal::LogDirPath(store_dir, ql.journal->log_id), &st);
    if (!s.ok()) {
      q->errors.push_back(Describe(s));
      index_ok = false;
    }
    q->snapshot = st.snapshot;
    q->journal_records = st.journal_records;
    q->deleted_ids = st.deleted.cardinality();
    q->bitmap_bytes = st.deleted.getSizeInBytes(/*portable=*/true);
    q->receive_counts = st.counts.size();
    for (const auto& kv : st.counts) {
      const int64_t v = kv.second.visible_ms;
      if (v <= q->now.value()) continue;
      q->in_flight_earliest_ms = q->in_flight == 0 ? v : std::min(q->in_flight_earliest_ms, v);
      q->in_flight_latest_ms = std::max(q->in_flight_latest_ms, v);
      ++q->in_flight;
    }
  }
  if (!opt.scan_messages || ql.messages == nullptr) return;
  // Without the settings retention is unknown, without the index deletes are: no counts.
  if (!settings_ok || !index_ok) return;
  const TimestampMs expire_before = ExpireBefore(q->now, q->settings);
  std::unordered_set<std::string> groups;
  format::QueueMessageHeader h;
  uint64_t unlisted = 0;
  Status s = WalkLogDir(
      inspect_internal::LogDirPath(store_dir, ql.messages->log_id), SeqNo(0),
      [&](const RecordView& r, const std::string& seg, uint64_t at) {
        ++q->messages;
        const MessageState state = StateOf(st, r, expire_before);
        Status hs = format::DecodeQueueMessageHeader(r.attrs, &h);
        if (!hs.ok()) {
          ++q->malformed;
          if (q->errors.size() < kMaxListedErrors) {
            q->errors.push_back(AtOffset(seg, at, "message " + std::to_string(r.seq.value()) +
                                                      ": " + Describe(hs)));
          } else {
            ++unlisted;
          }
        }
        switch (state) {
          case MessageState::kDeleted: ++q->deleted; break;
          case MessageState::kExpired: ++q->expired; break;
          case MessageState::kLive:
            ++q->live;
            if (!q->oldest_live || r.ts < *q->oldest_live) q->oldest_live = r.ts;
            if (hs.ok() && r.ts + static_cast<int64_t>(h.delay_s) * 1000 > q->now) ++q->delayed;
            if (q->settings.fifo) {
              groups.emplace(reinterpret_cast<const char*>(r.key.data()), r.key.size());
            }
            break;
        }
        return true;
      });
  if (s.code() == StatusCode::kNotFound) s = Status::OK();  // directory not created yet
  if (!s.ok()) q->errors.push_back(Describe(s));
  if (unlisted > 0) {
    q->errors.push_back(std::to_string(unlisted) + " more malformed message headers not listed");
  }
  q->groups = groups.size();
  q->scanned = true;
}

}  // namespace

Status DumpQueue(const std::string& store_dir, const std::string& queue,
                 const DumpQueueOptions& opt, const std::function<void(const QueueMessage&)>& fn) {
  format::Catalog catalog;
  SEGLOG_RETURN_IF_ERROR(inspect_internal::ReadCatalog(store_dir, &catalog));
  const std::vector<inspect_internal::QueueLogs> queues = inspect_internal::FindQueues(catalog);
  auto it = std::find_if(queues.begin(), queues.end(),
                         [&](const inspect_internal::QueueLogs& q) { return q.name == queue; });
  if (it == queues.end()) {
    return Status::NotFound("no queue named '" + queue + "' in " + store_dir);
  }
  if (it->messages == nullptr || it->journal == nullptr) {
    return Status::Corruption(inspect_internal::CatalogPath(store_dir) + ": queue '" + queue +
                              "' lacks its " + (it->messages == nullptr ? "messages" : "journal") +
                              " log");
  }
  QueueSettings settings;
  SEGLOG_RETURN_IF_ERROR(ParseQueueSettings(*it->messages, &settings)
                             .WithContext(inspect_internal::CatalogPath(store_dir) + ": queue '" +
                                          queue + "'"));
  DeleteState st;
  SEGLOG_RETURN_IF_ERROR(
      LoadDeleteState(inspect_internal::LogDirPath(store_dir, it->journal->log_id), &st)
          .WithContext("cannot tell which messages are deleted"));
  const TimestampMs now = Now(opt.clock);
  const TimestampMs expire_before = ExpireBefore(now, settings);
  uint64_t left = opt.limit;
  if (left == 0) return Status::OK();
  Status first_bad;
  QueueMessage m;
  m.fifo = settings.fifo;
  Status s = WalkLogDir(
      inspect_internal::LogDirPath(store_dir, it->messages->log_id), opt.from,
      [&](const RecordView& r, const std::string& seg, uint64_t at) {
        m.state = StateOf(st, r, expire_before);
        if ((opt.hide_deleted && m.state == MessageState::kDeleted) ||
            (opt.hide_expired && m.state == MessageState::kExpired)) {
          return true;
        }
        m.record = r;
        m.header = format::QueueMessageHeader();
        m.header_status = format::DecodeQueueMessageHeader(r.attrs, &m.header);
        if (!m.header_status.ok() && first_bad.ok()) {
          first_bad = Status::Corruption(AtOffset(seg, at, "message " +
                                                               std::to_string(r.seq.value()) +
                                                               ": " + Describe(m.header_status)));
        }
        m.delayed = m.state == MessageState::kLive && m.header_status.ok() &&
                    r.ts + static_cast<int64_t>(m.header.delay_s) * 1000 > now;
        m.receive_count = CountOf(st, r.seq.value());
        m.path = seg;
        m.batch_offset = at;
        fn(m);
        return --left > 0;
      });
  if (s.code() == StatusCode::kNotFound) s = Status::OK();  // no directory yet: no messages
  SEGLOG_RETURN_IF_ERROR(s);
  return first_bad;
}

// ---------------------------------------------------------------- formatting

std::string FormatTimestamp(TimestampMs t) {
  const int64_t ms = t.value();
  int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  if (gmtime_r(&tt, &tm) == nullptr) return std::to_string(ms) + "ms";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(frac));
  return buf;
}

BytesPreview PreviewBytes(ByteView b, size_t max_bytes) {
  BytesPreview p;
  p.hex = !std::all_of(b.begin(), b.end(), [](uint8_t c) { return c >= 0x20 && c < 0x7f; });
  const size_t shown = std::min(b.size(), p.hex ? std::max<size_t>(max_bytes / 2, 1) : max_bytes);
  p.truncated = shown < b.size();
  if (p.hex) {
    static constexpr char kDigits[] = "0123456789abcdef";
    p.text.reserve(2 * shown);
    for (size_t i = 0; i < shown; ++i) {
      p.text += kDigits[b[i] >> 4];
      p.text += kDigits[b[i] & 0xf];
    }
  } else {
    p.text.assign(reinterpret_cast<const char*>(b.data()), shown);
  }
  return p;
}

}  // namespace seglog
