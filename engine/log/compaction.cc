// Log compaction: RewriteSegment and its helpers (SPEC.md 13.7). See Log::RewriteSegment in
// log.h for the contract; the crash-safety steps are numbered in the code below.
#include <algorithm>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/log/log.h"
#include "io/file_util.h"
#include "io/mmap.h"

namespace seglog {

using format::BatchHeader;
using format::IndexEntry;
using format::kSegmentHeaderSize;
using format::kSegmentTrailerSize;

namespace {

// Kept records are gathered into batches of about this many bytes: merging the survivors of
// many small batches saves their headers. (A record larger than this gets a batch of its own;
// it came from a batch, so it fits one.)
constexpr size_t kRewriteBatchTarget = 64 * 1024;
// The rewritten file is written in pieces of about this size.
constexpr size_t kRewriteWriteChunk = 1 << 20;

// Calls fn for each record of a sealed segment's batches [header, data_end), in order. Every
// batch's checksum is verified; a batch type this build does not know is NotSupported (it
// cannot be rewritten without understanding it).
Status ForEachRecord(const io::MappedFile& map, FileOffset data_end, const std::string& path,
                     const std::function<void(const RecordView&)>& fn) {
  const uint64_t end = data_end.value();
  uint64_t off = kSegmentHeaderSize;
  ByteBuffer scratch;
  while (off < end) {
    BatchHeader h;
    Status s = format::ReadBatch(map.view(off, end - off), &h);
    if (s.IsNoMore()) s = Status::Corruption("zeros before the trailer's data end");
    if (s.ok() && h.type == format::kBatchTypeDurableMark) {
      off += h.length;  // meaningless once sealed: the rewrite drops it
      continue;
    }
    if (s.ok() && h.type != format::kBatchTypeData) {
      s = Status::NotSupported("batch of type " + std::to_string(h.type) +
                               ", which this build cannot rewrite");
    }
    if (s.ok()) {
      format::RecordCursor c;
      s = c.Init(h, map.view(off, h.length), &scratch);
      RecordView r;
      while (s.ok() && (s = c.Next(&r)).ok()) fn(r);
      if (s.IsNoMore()) s = Status::OK();
    }
    if (!s.ok()) {
      return Status(s.code(), path + " at offset " + std::to_string(off) + ": " + s.message());
    }
    off += h.length;
  }
  return Status::OK();
}

// Writes the rewritten segment: header, batches of the kept records, trailer; through one
// WritableFile, in pieces, the last one written and fdatasynced together.
class SegmentRewriter {
 public:
  SegmentRewriter(io::WritableFile* file, const LogOptions& opt) : file_(file), opt_(opt) {}

  void Begin(const format::SegmentHeader& h) {
    out_.resize(kSegmentHeaderSize);
    format::EncodeSegmentHeader(h, out_.data());
  }

  Status Add(const RecordView& r) {
    const size_t size = r.key.size() + r.value.size() + r.attrs.size() + 50;  // varints: at most
    if (!recs_.empty() && (raw_ + size > kRewriteBatchTarget ||
                           r.seq - recs_.front().seq > UINT32_MAX)) {
      SEGLOG_RETURN_IF_ERROR(FlushBatch());
    }
    Pending p{r.seq, r.ts, arena_.size(), r.key.size(), r.value.size(), r.attrs.size()};
    arena_.insert(arena_.end(), r.key.begin(), r.key.end());
    arena_.insert(arena_.end(), r.value.begin(), r.value.end());
    arena_.insert(arena_.end(), r.attrs.begin(), r.attrs.end());
    recs_.push_back(p);
    raw_ += size;
    if (records_ == 0) first_ts_ = max_ts_ = r.ts;
    max_ts_ = std::max(max_ts_, r.ts);
    ++records_;
    return Status::OK();
  }

  // Ends the file with a trailer covering up to `last_seq` and syncs it. A segment left with no
  // record keeps `empty_first_ts` and `empty_max_ts`.
  Status Finish(SeqNo last_seq, TimestampMs empty_first_ts, TimestampMs empty_max_ts,
                format::SegmentTrailer* t) {
    if (!recs_.empty()) SEGLOG_RETURN_IF_ERROR(FlushBatch());
    t->record_count = records_;
    t->last_seq = last_seq;
    t->first_ts = records_ > 0 ? first_ts_ : empty_first_ts;
    t->max_ts = records_ > 0 ? max_ts_ : empty_max_ts;
    t->data_end = FileOffset(written_ + out_.size());
    const size_t at = out_.size();
    out_.resize(at + kSegmentTrailerSize);
    format::EncodeSegmentTrailer(*t, out_.data() + at);
    return file_->WriteAndSync(FileOffset(written_), out_);
  }

  std::vector<IndexEntry> TakeIndex() { return std::move(index_); }

 private:
  struct Pending {
    SeqNo seq;
    TimestampMs ts;
    size_t at, key, value, attrs;  // offset in arena_, sizes
  };

  Status FlushBatch() {
    inputs_.clear();
    TimestampMs batch_max = recs_.front().ts;
    for (const Pending& p : recs_) {
      const uint8_t* d = arena_.data() + p.at;
      inputs_.push_back(format::RecordInput{p.seq, p.ts, ByteView(d, p.key),
                                            ByteView(d + p.key, p.value),
                                            ByteView(d + p.key + p.value, p.attrs)});
      batch_max = std::max(batch_max, p.ts);
    }
    const uint64_t off = written_ + out_.size();
    const TimestampMs first_ts = recs_.front().ts;
    if (batches_ == 0 || off - last_indexed_ >= opt_.index_interval_bytes) {
      // As Segment rebuilds it: the ts is a running maximum of the records before the batch.
      index_.push_back(IndexEntry{recs_.front().seq, FileOffset(off),
                                  batches_ == 0 ? first_ts : std::max(first_ts, running_max_)});
      last_indexed_ = off;
    }
    running_max_ = batches_ == 0 ? batch_max : std::max(running_max_, batch_max);
    ++batches_;
    format::BatchEncodeOptions eo;
    eo.compress_min_bytes = opt_.compress_min_bytes;
    size_t len = 0;
    SEGLOG_RETURN_IF_ERROR(format::EncodeBatch(inputs_, eo, &out_, &scratch_, &len));
    recs_.clear();
    arena_.clear();
    raw_ = 0;
    if (out_.size() >= kRewriteWriteChunk) {
      SEGLOG_RETURN_IF_ERROR(file_->Write(FileOffset(written_), out_));
      written_ += out_.size();
      out_.clear();
    }
    return Status::OK();
  }

  io::WritableFile* const file_;
  const LogOptions& opt_;
  ByteBuffer out_;            // encoded, not yet written; starts at file offset written_
  uint64_t written_ = 0;
  ByteBuffer arena_;          // the pending records' bytes
  std::vector<Pending> recs_;
  size_t raw_ = 0;
  std::vector<format::RecordInput> inputs_;
  ByteBuffer scratch_;
  std::vector<IndexEntry> index_;
  uint64_t last_indexed_ = 0;
  uint64_t batches_ = 0;
  TimestampMs running_max_;
  uint64_t records_ = 0;
  TimestampMs first_ts_, max_ts_;
};

}  // namespace

Status Log::RewriteSegment(SeqNo base, const std::function<bool(SeqNo)>& keep,
                           uint64_t* kept_bytes) {
  if (env_.read_only) return Status::ReadOnly("log is open read-only: " + env_.dir);
  std::lock_guard<std::mutex> maint(maint_mu_);
  {
    std::lock_guard<std::mutex> l(mu_);
    if (closed_) return Status::Closed("log is closed: " + env_.dir);
  }
  // Never the newest: it may be the active one, and the log's next sequence number hangs on
  // it. The others cannot change but through maint_mu_ (retention, compaction).
  std::shared_ptr<Segment> old = segments_.SealedOlderThanNewest(base);
  if (!old) {
    return Status::NotFound("no sealed segment with base sequence " +
                            std::to_string(base.value()) + " to rewrite in " + env_.dir +
                            " (the newest segment is never rewritten)");
  }
  // The pin keeps the old file's mapping alive (and the object's cached map with it) until the
  // new file is in place: the object never maps its path again once replacing begins.
  std::shared_ptr<const io::MappedFile> map;
  SEGLOG_RETURN_IF_ERROR(old->Pin(&map));
  const format::SegmentTrailer t = old->trailer();

  // Step 1 (SPEC.md 13.7): ask first, write only if something goes; keep() is called once per
  // record.
  std::vector<bool> keeps;
  keeps.reserve(static_cast<size_t>(std::min<uint64_t>(t.record_count, 1u << 24)));
  uint64_t kept = 0;
  SEGLOG_RETURN_IF_ERROR(ForEachRecord(*map, t.data_end, old->path(), [&](const RecordView& r) {
    const bool k = keep(r.seq);
    keeps.push_back(k);
    kept += k ? 1 : 0;
  }));
  if (keeps.size() != t.record_count) {
    return Status::Corruption(old->path() + ": holds " + std::to_string(keeps.size()) +
                              " records, its trailer says " + std::to_string(t.record_count));
  }
  if (kept == keeps.size()) {
    if (kept_bytes != nullptr) *kept_bytes = t.data_end.value() - kSegmentHeaderSize;
    return Status::OK();
  }
  old->SetReplacing(true);
  Status s = WriteAndSwapSegment(old, map, keeps, kept, kept_bytes);
  if (!s.ok() && !old->removed()) old->SetReplacing(false);  // gave up before the rename
  return s;
}

Status Log::WriteAndSwapSegment(const std::shared_ptr<Segment>& old,
                                const std::shared_ptr<const io::MappedFile>& map,
                                const std::vector<bool>& keeps, uint64_t kept,
                                uint64_t* kept_bytes) {
  const format::SegmentTrailer t = old->trailer();
  const std::string tmp = old->path() + ".tmp";
  format::SegmentHeader header;
  // The new file keeps the old header (log, base, creation time).
  SEGLOG_RETURN_IF_ERROR(format::DecodeSegmentHeader(map->view(0, kSegmentHeaderSize), &header)
                             .WithContext(old->path()));

  // 2. The new segment, whole and synced, under the temporary name.
  if (io::PathExists(tmp)) {  // left by an earlier rewrite that failed
    Status r = env_.fs->Remove(tmp);
    if (!r.ok() && r.code() != StatusCode::kNotFound) return r;
  }
  format::SegmentTrailer nt;
  std::vector<IndexEntry> index;
  {
    std::unique_ptr<io::WritableFile> f;
    SEGLOG_RETURN_IF_ERROR(env_.fs->OpenWritable(tmp, io::OpenMode::kCreateNew, &f));
    SegmentRewriter w(f.get(), opt_);
    w.Begin(header);
    Status s, added;
    size_t i = 0;
    s = ForEachRecord(*map, t.data_end, old->path(), [&](const RecordView& r) {
      const bool k = i < keeps.size() && keeps[i];
      ++i;
      if (k && added.ok()) added = w.Add(r);
    });
    if (s.ok()) s = added;
    if (s.ok()) s = w.Finish(t.last_seq, t.first_ts, t.max_ts, &nt);
    if (!s.ok()) {
      f.reset();
      (void)env_.fs->Remove(tmp);  // best effort: the next rewrite or open removes it too
      return s;
    }
    index = w.TakeIndex();
  }
  if (nt.record_count != kept) {
    (void)env_.fs->Remove(tmp);
    return Status::Corruption(old->path() + ": records changed while being rewritten");
  }

  // 3. No index of the old file may survive next to the new one (both could describe the same
  //    data_end; the old object, now replacing, writes it no more); 4. the switch.
  SEGLOG_RETURN_IF_ERROR(SwapInRewrittenSegment(env_.fs, env_.dir, old->base_seq()));

  // The name is the new file's now: whatever comes next, serve the new one.
  auto seg = Segment::Sealed(seg_params_, old->base_seq(), nt);
  seg->InstallIndex(index);
  segments_.Replace(old, seg);  // readers inside `old` move to `seg`

  // 5. The rename durable; 6. only then the new index (derived, not synced), so that no index
  //    of the new file can outlive a rename lost to power loss.
  SEGLOG_RETURN_IF_ERROR(env_.fs->SyncDir(env_.dir));
  (void)seg->WriteIndex(env_.fs);
  if (kept_bytes != nullptr) *kept_bytes = nt.data_end.value() - kSegmentHeaderSize;
  return Status::OK();
}

}  // namespace seglog
