// RepairStore (engine/repair/repair.h): find damaged segments, keep their intact batches, replace them
// crash-safely, and say what was lost.
#include "engine/repair/repair.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "engine/log/clock.h"
#include "engine/queues/delete_index.h"
#include "engine/log/layout.h"
#include "engine/log/log.h"
#include "engine/log/map_cache.h"
#include "engine/log/store.h"
#include "engine/log/segment.h"
#include "engine/inspect/segment_reader.h"
#include "format/catalog_format.h"
#include "format/queue_format.h"
#include "format/segment_format.h"
#include "format/tail_scan.h"
#include "io/file_system.h"
#include "io/file_util.h"

namespace seglog {

using format::BatchHeader;
using format::kSegmentHeaderSize;
using format::kSegmentTrailerSize;
using inspect_internal::AtOffset;

std::vector<LostRange> LogRepair::lost() const {
  std::vector<LostRange> out;
  for (const SegmentRepair& s : segments) out.insert(out.end(), s.lost.begin(), s.lost.end());
  return out;
}

uint64_t LogRepair::lost_count() const {
  uint64_t n = 0;
  for (const LostRange& r : lost()) n += r.count();
  return n;
}

uint64_t RepairReport::lost_count() const {
  uint64_t n = 0;
  for (const LogRepair& l : logs) n += l.lost_count();
  return n;
}

std::string DescribeLog(const LogRepair& l) {
  switch (l.kind) {
    case LogKind::kStreamShard:
      return "stream \"" + l.owner + "\" shard " + std::to_string(l.shard);
    case LogKind::kQueueMessages: return "queue \"" + l.owner + "\" messages";
    case LogKind::kQueueJournal: return "queue \"" + l.owner + "\" journal";
    case LogKind::kPlain: break;
  }
  return "log \"" + l.name + "\"";
}

namespace {

// ---------------------------------------------------------------- which log is which

void Classify(const format::CatalogEntry& e, LogRepair* l) {
  switch (inspect_internal::RoleOf(e)) {
    case inspect_internal::LogRole::kQueueMessages:
      l->kind = LogKind::kQueueMessages;
      l->owner = inspect_internal::QueueOf(e);
      return;
    case inspect_internal::LogRole::kQueueJournal:
      l->kind = LogKind::kQueueJournal;
      l->owner = inspect_internal::QueueOf(e);
      return;
    case inspect_internal::LogRole::kPlain: break;
  }
  std::string stream;
  uint32_t n = 0;
  if (inspect_internal::StreamShardOf(e, &stream, &n)) {
    l->kind = LogKind::kStreamShard;
    l->owner = stream;
    l->shard = n;
  }
}

// ---------------------------------------------------------------- salvaging batches

// What a segment's intact batches add up to.
struct Salvage {
  std::vector<std::pair<uint64_t, uint32_t>> kept;  // (offset, length) to copy, in order
  std::vector<Damage> damage;
  std::vector<LostRange> lost;
  uint64_t batches = 0;  // data batches kept
  uint64_t records = 0;
  uint64_t marks = 0;    // durable marks dropped
  TimestampMs first_ts, max_ts;
};

// Why a batch ReadBatch accepted cannot be kept: its records do not decode, or it lies outside
// what may follow (`next_min`, `last_seq`). OK: keep it.
Status Acceptable(const BatchHeader& h, ByteView batch, SeqNo next_min, SeqNo last_seq,
                  ByteBuffer* scratch) {
  if (h.type == format::kBatchTypeDurableMark) {
    format::DurableMark m;
    return format::DecodeDurableMark(h, batch, &m);
  }
  if (h.type != format::kBatchTypeData) return Status::OK();  // safe to ignore: kept as it is
  if (h.base_seq < next_min || h.last_seq() > last_seq) {
    return Status::Corruption("batch of sequence " + std::to_string(h.base_seq.value()) + ".." +
                              std::to_string(h.last_seq().value()) + " out of place");
  }
  format::RecordCursor c;
  Status s = c.Init(h, batch, scratch);
  RecordView r;
  uint32_t n = 0;
  while (s.ok() && (s = c.Next(&r)).ok()) {
    ++n;
    if (r.ts > h.max_ts) s = Status::Corruption("a record's timestamp is after max_ts");
  }
  if (s.IsNoMore() && n == h.record_count) return Status::OK();
  return s.IsNoMore() ? Status::Corruption("record count mismatch") : s;
}

// The next batch at or after `from` that ReadBatch accepts and that may be kept.
bool FindKeepable(ByteView area, uint64_t from, SeqNo next_min, SeqNo last_seq, uint64_t* at,
                  BatchHeader* h, ByteBuffer* scratch) {
  while (format::FindNextBatch(area, from, area.size(), next_min, at, h)) {
    if (Acceptable(*h, area.subspan(*at, h->length), next_min, last_seq, scratch).ok()) {
      return true;
    }
    from = *at + 1;
  }
  return false;
}

// Sequence numbers from `from` on that were in damaged bytes, while `open`.
struct Gap {
  bool open = false;
  SeqNo from;
};

// Takes the batch at `off` into the salvage; closes an open gap of lost sequence numbers.
void Take(uint64_t off, const BatchHeader& h, Gap* gap, SeqNo* next_min, Salvage* out) {
  if (h.type == format::kBatchTypeDurableMark) {
    ++out->marks;
    return;
  }
  out->kept.emplace_back(off, h.length);
  if (h.type != format::kBatchTypeData) return;
  if (gap->open && h.base_seq > gap->from) {
    out->lost.push_back(LostRange{gap->from, h.base_seq - 1});
  }
  gap->open = false;
  if (out->records == 0) out->first_ts = out->max_ts = h.first_ts;
  out->max_ts = std::max(out->max_ts, h.max_ts);
  ++out->batches;
  out->records += h.record_count;
  *next_min = h.last_seq() + 1;
}

// Walks image[48, limit) of a segment covering [base, last_seq], keeping every batch that
// reads and skipping bad stretches to the next one that does. `sealed`: everything before
// `limit` must read (zeros are damage); otherwise (an unsealed segment) what follows the last
// intact batch is its torn tail, and every sequence number up to last_seq not found is lost.
// NotSupported for a batch of a newer format (it must not be dropped).
Status SalvageBatches(ByteView image, uint64_t limit, SeqNo base, SeqNo last_seq, bool sealed,
                      const std::string& path, Salvage* out) {
  const ByteView area = image.first(std::min<uint64_t>(limit, image.size()));
  ByteBuffer scratch;
  SeqNo next_min = base;
  Gap gap;
  uint64_t off = kSegmentHeaderSize;
  while (off < area.size()) {
    BatchHeader h;
    Status s = format::ReadBatch(area.subspan(off), &h);
    if (s.code() == StatusCode::kNotSupported) {
      return Status(s.code(), AtOffset(path, off, s.message()));
    }
    if (s.ok()) s = Acceptable(h, area.subspan(off, h.length), next_min, last_seq, &scratch);
    if (s.ok()) {
      Take(off, h, &gap, &next_min, out);
      off += h.length;
      continue;
    }
    uint64_t at = 0;
    BatchHeader nh;
    const bool found = FindKeepable(area, off + 1, next_min, last_seq, &at, &nh, &scratch);
    if (!found && !sealed) break;  // the torn tail of an unsealed segment
    const uint64_t resume = found ? at : area.size();
    out->damage.push_back(
        Damage{off, resume - off, s.IsNoMore() ? "zeros where a batch should be" : s.message()});
    if (!gap.open) gap = Gap{true, next_min};
    off = resume;
  }
  const SeqNo from = gap.open ? gap.from : next_min;
  if ((gap.open || !sealed) && from <= last_seq) {
    out->lost.push_back(LostRange{from, last_seq});
  }
  return Status::OK();
}

// ---------------------------------------------------------------- writing

// header | the kept batches | trailer.
ByteBuffer BuildSealed(const uint8_t* header, ByteView image, const Salvage& sv,
                       format::SegmentTrailer t) {
  ByteBuffer out(header, header + kSegmentHeaderSize);
  for (const auto& [off, len] : sv.kept) {
    out.insert(out.end(), image.begin() + static_cast<ptrdiff_t>(off),
               image.begin() + static_cast<ptrdiff_t>(off + len));
  }
  t.record_count = sv.records;
  if (sv.records > 0) {
    t.first_ts = sv.first_ts;
    t.max_ts = sv.max_ts;
  }
  t.data_end = FileOffset(out.size());
  out.resize(out.size() + kSegmentTrailerSize);
  format::EncodeSegmentTrailer(t, out.data() + out.size() - kSegmentTrailerSize);
  return out;
}

Status IgnoreNotFound(const Status& s) {
  return s.code() == StatusCode::kNotFound ? Status::OK() : s;
}

// SPEC.md 13.7 steps 2-5: tmp (O_EXCL, written, fdatasynced), old index removed + directory
// fsync, rename over, directory fsync.
Status ReplaceSegment(io::FileSystem* fs, const std::string& dir, SeqNo base, ByteView bytes) {
  const std::string seg = dir + "/" + SegmentFileName(base);
  const std::string tmp = seg + ".tmp";
  SEGLOG_RETURN_IF_ERROR(IgnoreNotFound(fs->Remove(tmp)));
  std::unique_ptr<io::WritableFile> f;
  SEGLOG_RETURN_IF_ERROR(fs->OpenWritable(tmp, io::OpenMode::kCreateNew, &f));
  Status s = f->WriteAndSync(FileOffset(0), bytes);
  f.reset();
  if (!s.ok()) {
    (void)fs->Remove(tmp);
    return s;
  }
  SEGLOG_RETURN_IF_ERROR(SwapInRewrittenSegment(fs, dir, base));
  return fs->SyncDir(dir);
}

// ---------------------------------------------------------------- one segment

// What to do with one segment: the plan and, when it needs rewriting, the new bytes.
struct SegmentPlan {
  SegmentRepair report;
  ByteBuffer bytes;  // empty: leave the file as it is
};

// Where a segment sits in its log.
struct SegmentPlace {
  std::string path;
  SeqNo base;
  uint64_t log_id = 0;
  bool last = false;
  std::optional<SeqNo> next_base;  // of the segment after it
};

// A header for a segment whose own is bad: from its name and log (creation time unknown: the
// first record's, or 0).
void RebuildHeader(const SegmentPlace& p, TimestampMs created, uint8_t* out) {
  format::SegmentHeader h;
  h.log_id = p.log_id;
  h.base_seq = p.base;
  h.created = created;
  format::EncodeSegmentHeader(h, out);
}

void Fill(const Salvage& sv, SegmentRepair* r) {
  r->damage.insert(r->damage.end(), sv.damage.begin(), sv.damage.end());
  r->lost = sv.lost;
  r->batches_kept = sv.batches;
  r->records_kept = sv.records;
  r->marks_dropped = sv.marks;
}

// A sealed segment (valid trailer): every batch before data_end must read.
Status PlanSealed(const SegmentPlace& p, const inspect_internal::SegmentFile& seg,
                  ByteView image, uint8_t* header, SegmentPlan* plan) {
  const format::SegmentTrailer& t = *seg.trailer;
  Salvage sv;
  SEGLOG_RETURN_IF_ERROR(SalvageBatches(image, t.data_end.value(), p.base, t.last_seq,
                                        /*sealed=*/true, p.path, &sv));
  if (sv.damage.empty() && !plan->report.header_rewritten) return Status::OK();
  Fill(sv, &plan->report);
  plan->report.last_seq = t.last_seq;
  if (plan->report.header_rewritten) RebuildHeader(p, t.first_ts, header);
  plan->bytes = BuildSealed(header, image, sv, t);
  return Status::OK();
}

// A segment before the last one without a valid trailer: its range ends where the next begins.
Status PlanUntrailed(const SegmentPlace& p, const inspect_internal::SegmentFile& seg,
                     ByteView image, uint8_t* header, SegmentPlan* plan) {
  format::SegmentTrailer t;
  t.last_seq = *p.next_base - 1;
  Salvage sv;
  SEGLOG_RETURN_IF_ERROR(
      SalvageBatches(image, image.size(), p.base, t.last_seq, /*sealed=*/false, p.path, &sv));
  plan->report.damage.push_back(
      Damage{image.size() >= kSegmentTrailerSize ? image.size() - kSegmentTrailerSize : 0,
             std::min<uint64_t>(image.size(), kSegmentTrailerSize),
             "no valid trailer: " + seg.trailer_status.message()});
  Fill(sv, &plan->report);
  plan->report.last_seq = t.last_seq;
  t.first_ts = t.max_ts = seg.header_status.ok() ? seg.header.created : TimestampMs(0);
  if (plan->report.header_rewritten) RebuildHeader(p, sv.first_ts, header);
  plan->bytes = BuildSealed(header, image, sv, t);
  return Status::OK();
}

// The last, unsealed segment: damage below a durable mark makes it a sealed segment ending at
// lost_until - 1; a torn tail is left for recovery.
Status PlanActive(const SegmentPlace& p, const inspect_internal::SegmentFile& seg,
                  ByteView image, uint8_t* header, SegmentPlan* plan) {
  const format::TailScan t =
      format::ScanUnsealedTail(image, kSegmentHeaderSize, p.base, p.path,
                               [](uint64_t, const BatchHeader&) {});
  if (t.stop.code() == StatusCode::kNotSupported) return t.stop;
  SegmentRepair& r = plan->report;
  if (!t.damaged) {
    if (!r.header_rewritten) return Status::OK();
    // Only the header: the same segment, still unsealed, under a header that reads.
    RebuildHeader(p, TimestampMs(0), header);
    plan->bytes.assign(image.begin(), image.end());
    std::copy(header, header + kSegmentHeaderSize, plan->bytes.begin());
    return Status::OK();
  }
  r.was_active = true;
  if (t.lost_until == p.base) {
    // Nothing was ever issued in it: an empty unsealed segment, as if just created.
    r.damage.push_back(Damage{t.end, t.dirty_end - t.end, "damaged below a durable mark"});
    if (r.header_rewritten) RebuildHeader(p, TimestampMs(0), header);
    plan->bytes.assign(image.size(), 0);
    std::copy(header, header + kSegmentHeaderSize, plan->bytes.begin());
    return Status::OK();
  }
  format::SegmentTrailer tr;
  tr.last_seq = t.lost_until - 1;
  Salvage sv;
  SEGLOG_RETURN_IF_ERROR(
      SalvageBatches(image, image.size(), p.base, tr.last_seq, /*sealed=*/false, p.path, &sv));
  if (!sv.damage.empty()) {
    sv.damage.front().why += " (below the durable mark that says bytes up to offset " +
                             std::to_string(t.mark.durable_end.value()) + " were synced)";
  }
  Fill(sv, &r);
  r.last_seq = tr.last_seq;
  tr.first_ts = tr.max_ts = seg.header_status.ok() ? seg.header.created : TimestampMs(0);
  if (r.header_rewritten) RebuildHeader(p, sv.first_ts, header);
  plan->bytes = BuildSealed(header, image, sv, tr);
  return Status::OK();
}

Status PlanSegment(const SegmentPlace& p, SegmentPlan* plan) {
  inspect_internal::SegmentFile seg;
  SEGLOG_RETURN_IF_ERROR(inspect_internal::OpenSegmentFile(p.path, p.base, p.log_id, &seg));
  plan->report.path = p.path;
  plan->report.base_seq = p.base;
  if (!seg.header_status.ok() && seg.header_status.code() != StatusCode::kCorruption) {
    return seg.header_status.WithContext(p.path);  // a newer format version
  }
  // A last segment whose header never got written holds nothing: recovery removes it.
  if (!seg.sealed() && format::CreationNeverFinished(seg.header_status, p.last, seg.holds_data)) {
    return Status::OK();
  }
  ByteBuffer image;
  SEGLOG_RETURN_IF_ERROR(seg.file->Read(0, static_cast<size_t>(seg.file->size()), &image));
  uint8_t header[kSegmentHeaderSize] = {};
  if (image.size() >= kSegmentHeaderSize) std::copy_n(image.begin(), kSegmentHeaderSize, header);
  if (!seg.header_status.ok()) {
    plan->report.header_rewritten = true;
    plan->report.damage.push_back(Damage{0, kSegmentHeaderSize,
                                         "bad segment header: " + seg.header_status.message()});
  }
  if (seg.sealed()) return PlanSealed(p, seg, image, header, plan);
  if (!p.last) return PlanUntrailed(p, seg, image, header, plan);
  return PlanActive(p, seg, image, header, plan);
}

// ---------------------------------------------------------------- the store

Status RepairLog(const format::CatalogEntry& e, const std::string& store_dir,
                 const RepairOptions& opt, io::FileSystem* fs, RepairReport* out) {
  LogRepair l;
  l.name = e.name;
  l.id = e.log_id;
  l.dir = inspect_internal::LogDirPath(store_dir, e.log_id);
  Classify(e, &l);
  ++out->logs_checked;
  inspect_internal::LogDirListing files;
  Status s = inspect_internal::ListLogDir(l.dir, &files);
  if (s.code() == StatusCode::kNotFound) return Status::OK();  // created on first use
  SEGLOG_RETURN_IF_ERROR(s);
  for (auto it = files.segments.begin(); it != files.segments.end(); ++it) {
    ++out->segments_checked;
    const auto next = std::next(it);
    SegmentPlace p{it->second, it->first, e.log_id, next == files.segments.end(),
                   next == files.segments.end() ? std::nullopt
                                                : std::optional<SeqNo>(next->first)};
    SegmentPlan plan;
    SEGLOG_RETURN_IF_ERROR(PlanSegment(p, &plan));
    if (plan.report.damage.empty()) continue;
    if (!opt.dry_run && !plan.bytes.empty()) {
      SEGLOG_RETURN_IF_ERROR(ReplaceSegment(fs, l.dir, p.base, plan.bytes));
      plan.report.written = true;
    }
    l.segments.push_back(std::move(plan.report));
  }
  if (!l.segments.empty()) out->logs.push_back(std::move(l));
  return Status::OK();
}

// A queue's messages that the repair lost are still "live" to the queue (it knows ids by
// range, not one by one): journal them as deleted, as a purge of those ranges would, so that
// receives never look for their records. Runs under the store's LOCK, through the journal log.
Status ForgetLostMessages(const std::string& dir, const format::Catalog& catalog,
                          const LogRepair& messages, io::FileSystem* fs) {
  const format::CatalogEntry* journal = nullptr;
  for (const inspect_internal::QueueLogs& q : inspect_internal::FindQueues(catalog)) {
    if (q.name == messages.owner) journal = q.journal;
  }
  if (journal == nullptr) {
    return Status::Corruption("queue '" + messages.owner + "' has no journal log in the catalog");
  }
  LogOptions lo;
  SEGLOG_RETURN_IF_ERROR(LogOptionsFromProps(journal->props, &lo));
  SystemClock clock;
  MapCache maps(16);
  Log::Env env{fs, &clock, &maps, journal->log_id, LogDirPath(dir, journal->log_id), false, false};
  std::unique_ptr<Log> log;
  SEGLOG_RETURN_IF_ERROR(Log::Open(env, lo, &log));
  Status s;
  {
    std::unique_ptr<DeleteIndex> del;
    s = DeleteIndex::Open(log.get(), fs, &del);
    for (const LostRange& r : messages.lost()) {
      if (!s.ok()) break;
      s = del->DeleteRange(r.first, r.last + 1);
    }
  }
  Status c = log->Close();
  return (s.ok() ? c : s).WithContext("journaling the lost messages of queue '" +
                                      messages.owner + "' as deleted");
}

// The store's LOCK, as a read-write open takes it.
Status LockStore(const std::string& dir, bool dry_run, std::unique_ptr<io::FileLock>* lock) {
  const std::string path = LockPath(dir);
  if (dry_run && !io::PathExists(path)) return Status::OK();  // a dry run creates nothing
  Status s = io::FileLock::Acquire(path, lock);
  if (s.code() == StatusCode::kLocked) {
    return Status::Locked("the store is open (its LOCK is held): close it before repairing: " +
                          s.message());
  }
  return s;
}

}  // namespace

Status RepairStore(const std::string& dir, const RepairOptions& opt, RepairReport* out) {
  *out = RepairReport();
  out->dir = dir;
  out->dry_run = opt.dry_run;
  format::Catalog catalog;
  SEGLOG_RETURN_IF_ERROR(inspect_internal::ReadCatalog(dir, &catalog));
  std::unique_ptr<io::FileLock> lock;
  SEGLOG_RETURN_IF_ERROR(LockStore(dir, opt.dry_run, &lock));
  std::unique_ptr<io::FileSystem> owned;
  io::FileSystem* fs = opt.fs;
  if (fs == nullptr) {
    owned = io::NewPwriteFileSystem();
    fs = owned.get();
  }
  // Read again under the lock: a writer may have changed it before we got the lock.
  SEGLOG_RETURN_IF_ERROR(inspect_internal::ReadCatalog(dir, &catalog));
  for (const format::CatalogEntry& e : catalog.logs) {
    SEGLOG_RETURN_IF_ERROR(RepairLog(e, dir, opt, fs, out));
  }
  if (opt.dry_run) return Status::OK();
  for (const LogRepair& l : out->logs) {
    if (l.kind == LogKind::kQueueMessages && l.lost_count() > 0) {
      SEGLOG_RETURN_IF_ERROR(ForgetLostMessages(dir, catalog, l, fs));
    }
  }
  return Status::OK();
}

}  // namespace seglog
