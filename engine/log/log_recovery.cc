// Log recovery (SPEC.md 13.3): opening a log's segments, trusting sealed ones on their
// trailer and scanning the unsealed tail batch by batch (torn tail cut, damage reported).
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/log/log.h"
#include "format/tail_scan.h"
#include "io/file_util.h"
#include "io/mmap.h"

namespace seglog {

using format::BatchHeader;
using format::IndexEntry;
using format::kSegmentHeaderSize;

Status Log::Recover() {
  // Opening writes nothing and allocates nothing (a full disk must not stop a reopen): a
  // missing directory is created, and the next active segment too, by the first append.
  std::vector<std::string> names;
  Status s = io::ListDir(env_.dir, &names);
  if (s.code() == StatusCode::kNotFound) names.clear();
  else SEGLOG_RETURN_IF_ERROR(s);

  std::vector<SeqNo> bases;
  for (const std::string& n : names) {
    SeqNo b;
    if (ParseSegmentFileName(n, &b)) {
      bases.push_back(b);
    } else if (!env_.read_only && n.size() > 4 && n.compare(n.size() - 4, 4, ".tmp") == 0) {
      // An index file that was being replaced, or a segment being rewritten (compaction),
      // when the process stopped. "<base>.seg.tmp" is never a segment.
      SEGLOG_RETURN_IF_ERROR(env_.fs->Remove(env_.dir + "/" + n));
    }
  }
  std::sort(bases.begin(), bases.end());

  // Every segment but the last is sealed. Its header and trailer are checked on first use
  // (Segment::Check), never scanned: opening costs the same however much is sealed.
  for (size_t i = 0; i + 1 < bases.size(); ++i) {
    segments_.PushBack(
        Segment::SealedUnchecked(seg_params_, bases[i], bases[i + 1] - 1, env_.log_id));
  }

  std::unique_lock<std::mutex> l(mu_);
  if (!bases.empty()) {
    SEGLOG_RETURN_IF_ERROR(RecoverTail(env_.dir + "/" + SegmentFileName(bases.back()),
                                       bases.back(), bases.size() > 1));
  }
  if (!active_) {
    // No segment, or the last one is sealed (or was a segment whose creation never finished).
    SeqNo next(0);
    if (std::shared_ptr<Segment> newest = segments_.Newest()) {
      SEGLOG_RETURN_IF_ERROR(newest->Check());
      next = newest->trailer().last_seq + 1;
      last_ts_ = newest->trailer().max_ts;
    }
    pos_.assigned.seq = next;
  }
  pos_.written.seq = pos_.durable.seq = pos_.assigned.seq;
  pos_.Publish(pos_.assigned.seq);
  segments_.ResetFirstSeq(pos_.assigned.seq);
  return Status::OK();
}

namespace {

// What the scan of an unsealed tail found: where it ends and why (format::TailScan), and what
// the log goes on from: the index, the record count and the timestamps.
struct TailFacts {
  format::TailScan tail;
  std::vector<IndexEntry> index;
  uint64_t last_indexed = 0;
  uint64_t records = 0;
  TimestampMs first_ts;
  TimestampMs max_ts;  // the previous segment's when the tail holds no record
};

// Scans the unsealed tail in `map` (format::ScanUnsealedTail), indexing every
// `index_interval` bytes. With `look_twice` (a read-only open, beside a live writer) damage is
// looked at again before it is believed: a batch may have been read half-copied and a mark
// after it read once complete.
TailFacts ScanTail(const io::MappedFile& map, const std::string& path, SeqNo base,
                   TimestampMs prev_max_ts, uint64_t index_interval, bool look_twice) {
  TailFacts f;
  // Past the last data region everything reads as zero: a fresh segment is mostly space
  // preallocated and never written, and need not be read to know it.
  format::DataRanges data;
  const bool know_data = io::DataRegions(path, &data).ok();
  auto scan = [&] {
    f.index.clear();
    f.last_indexed = f.records = 0;
    f.first_ts = TimestampMs();
    f.max_ts = prev_max_ts;
    return format::ScanUnsealedTail(
        map.view(), kSegmentHeaderSize, base, path, [&](uint64_t off, const BatchHeader& h) {
          if (h.type != format::kBatchTypeData) return;
          if (f.records == 0 || off - f.last_indexed >= index_interval) {
            f.index.push_back(IndexEntry{h.base_seq, FileOffset(off), h.first_ts});
            f.last_indexed = off;
          }
          if (f.records == 0) f.first_ts = h.first_ts;
          f.records += h.record_count;
          f.max_ts = std::max(f.max_ts, h.max_ts);
        },
        know_data ? &data : nullptr);
  };
  f.tail = scan();
  if (f.tail.damaged && look_twice) f.tail = scan();
  return f;
}

// Opens the recovered tail (`size` bytes, mapped as `map`) for writes, after cutting its torn
// end off. Allocates nothing: a full disk must not stop a reopen.
Status ReopenTailForWrites(io::FileSystem* fs, const std::string& path,
                           const format::TailScan& tail, uint64_t size, io::MappedFile* map,
                           std::unique_ptr<io::WritableFile>* file) {
  const uint64_t end = tail.end;
  SEGLOG_RETURN_IF_ERROR(fs->OpenWritable(path, io::OpenMode::kOpenExisting, file));
  if (tail.dirty_end > end) {
    // Cut the torn tail: zero the bytes after the last whole batch in place (no truncate,
    // no new blocks: a full disk must not stop a reopen), so that they can never be read as
    // a batch after later appends; then make that durable before anything else is written.
    SEGLOG_RETURN_IF_ERROR((*file)->ZeroRange(end, tail.dirty_end - end));
    SEGLOG_RETURN_IF_ERROR((*file)->Sync());
  }
  // The scan (and the kernel's readahead around it) cached zero pages of space never
  // written; let them go, or SEEK_DATA would count them as data at every later open.
  const uint64_t keep = (std::max(end, tail.dirty_end) + 4095) & ~uint64_t{4095};
  if (keep < size) {
    map->DropPages(keep, size - keep);
    io::DropCache(path, keep, size - keep);
  }
  return Status::OK();
}

}  // namespace

Status Log::RecoverTail(const std::string& path, SeqNo base, bool have_prev) {
  // The newest record time so far: the previous segment's, read from its trailer (one read).
  TimestampMs prev_max_ts(0);
  if (have_prev) {
    std::shared_ptr<Segment> prev = segments_.Newest();
    SEGLOG_RETURN_IF_ERROR(prev->Check());
    prev_max_ts = prev->trailer().max_ts;
  }
  uint64_t size = 0;
  SEGLOG_RETURN_IF_ERROR(io::FileSize(path, &size));
  std::shared_ptr<io::MappedFile> map;
  SEGLOG_RETURN_IF_ERROR(io::MappedFile::Open(path, size, &map));

  Status hs = ReadSegmentHeader(path, base, env_.log_id);
  if (hs.code() == StatusCode::kNotSupported) return hs;
  if (!hs.ok()) {
    // The newest segment (this one): a bad header without data means its creation never
    // finished (format::CreationNeverFinished); with data it is corruption.
    BatchHeader h;
    const bool first_batch_ok = size > kSegmentHeaderSize &&
        format::ReadBatch(map->view().subspan(kSegmentHeaderSize), &h).ok();
    if (!format::CreationNeverFinished(hs, /*newest=*/true, first_batch_ok)) {
      if (!first_batch_ok) return hs;  // an I/O error: never remove a file on one
      return Status::Corruption(hs.message() + " (and the segment holds data)");
    }
    if (env_.read_only) return Status::OK();
    SEGLOG_RETURN_IF_ERROR(env_.fs->Remove(path));
    return env_.fs->SyncDir(env_.dir);
  }

  format::SegmentTrailer t;
  if (ReadSegmentTrailer(path, &t).ok()) {
    // Sealed before the process stopped; the next segment was not created yet.
    segments_.PushBack(Segment::Sealed(seg_params_, base, t));
    return Status::OK();
  }

  // The unsealed tail: every batch is checked. A bad batch below a durable mark is damage;
  // otherwise the first bad or torn one ends the log (SPEC.md 8.1, format/tail_scan.h).
  TailFacts f = ScanTail(*map, path, base, prev_max_ts, opt_.index_interval_bytes,
                         /*look_twice=*/env_.read_only);
  const format::TailScan& tail = f.tail;
  // A batch written by a newer seglog is not a torn tail: refuse rather than cut it off.
  if (tail.stop.code() == StatusCode::kNotSupported) return tail.stop;
  const uint64_t end = tail.end;

  std::unique_ptr<io::WritableFile> file;
  if (!env_.read_only && !tail.damaged) {
    SEGLOG_RETURN_IF_ERROR(ReopenTailForWrites(env_.fs, path, tail, size, map.get(), &file));
    // The blocks are re-allocated (for the writable mapping) at the first append, not here.
    active_file_.DeferMapping();
  }
  auto seg =
      Segment::Active(seg_params_, base, std::move(map), FileOffset(end), std::move(f.index));
  if (tail.damaged) {
    // Acknowledged records are damaged: the log opens, reads before the damage succeed, reads
    // that reach it and every append fail with it (sticky) until `seglog repair`.
    seg->SetDamage(tail.damage);
    error_ = tail.damage;
  }
  InstallActiveLocked(std::move(seg), std::move(file), size);
  last_indexed_ = f.last_indexed;
  pos_.assigned.seq = tail.next_seq;
  seg_records_ = f.records;
  seg_first_ts_ = f.first_ts;
  last_ts_ = f.max_ts;
  // Nothing is claimed durable until this process's first sync covers it (after a kill -9
  // the recovered bytes may still be only in the page cache).
  pos_.StartSegment(end);
  return Status::OK();
}

}  // namespace seglog
