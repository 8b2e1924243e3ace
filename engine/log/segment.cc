#include "engine/log/segment.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <utility>

#include "engine/log/map_cache.h"
#include "io/file_util.h"

namespace seglog {

using format::BatchHeader;
using format::IndexEntry;

ScanStop ScanBatches(ByteView image, FileOffset start, FileOffset limit, SeqNo min_seq,
                     const std::string& path,
                     const std::function<bool(FileOffset, const BatchHeader&)>& fn) {
  uint64_t off = start.value();
  const uint64_t end = std::min<uint64_t>(limit.value(), image.size());
  SeqNo next_min = min_seq;
  while (off < end) {
    BatchHeader h;
    Status s = format::ReadBatch(image.subspan(off, end - off), &h);
    if (s.IsNoMore()) return {FileOffset(off), Status::OK()};
    if (s.ok() && h.type == format::kBatchTypeData && h.base_seq < next_min) {
      s = Status::Corruption("batch sequence " + std::to_string(h.base_seq.value()) +
                             " goes backwards (expected at least " +
                             std::to_string(next_min.value()) + ")");
    }
    if (!s.ok()) {
      return {FileOffset(off), Status(s.code(), path + " at offset " + std::to_string(off) +
                                                    ": " + s.message())};
    }
    if (!fn(FileOffset(off), h)) return {FileOffset(off), Status::OK()};
    if (h.type == format::kBatchTypeData) next_min = h.last_seq() + 1;
    off += h.length;
  }
  return {FileOffset(off), Status::OK()};
}

Status ReadSegmentHeader(const std::string& path, SeqNo base, uint64_t log_id) {
  ByteBuffer b;
  SEGLOG_RETURN_IF_ERROR(io::ReadAt(path, 0, format::kSegmentHeaderSize, &b));
  format::SegmentHeader h;
  SEGLOG_RETURN_IF_ERROR(format::DecodeSegmentHeader(b, &h).WithContext(path));
  if (h.base_seq != base) {
    return Status::Corruption(path + ": header says base sequence " +
                              std::to_string(h.base_seq.value()) + ", name says " +
                              std::to_string(base.value()));
  }
  if (log_id != 0 && h.log_id != log_id) {
    return Status::Corruption(path + ": belongs to log " + std::to_string(h.log_id) +
                              ", not " + std::to_string(log_id));
  }
  return Status::OK();
}

Status SwapInRewrittenSegment(io::FileSystem* fs, const std::string& dir, SeqNo base) {
  const std::string seg = dir + "/" + SegmentFileName(base);
  const std::string index = dir + "/" + IndexFileName(base);
  Status s;
  if (io::PathExists(index)) {
    s = fs->Remove(index);
    if (s.ok() || s.code() == StatusCode::kNotFound) s = fs->SyncDir(dir);
  }
  if (s.ok()) s = fs->Rename(seg + ".tmp", seg);  // atomic: the old file or the new one
  if (!s.ok()) (void)fs->Remove(seg + ".tmp");
  return s;
}

Status ReadSegmentTrailer(const std::string& path, format::SegmentTrailer* t) {
  uint64_t size = 0;
  SEGLOG_RETURN_IF_ERROR(io::FileSize(path, &size));
  if (size < format::kSegmentHeaderSize + format::kSegmentTrailerSize) {
    return Status::Corruption(path + ": too short for a sealed segment");
  }
  ByteBuffer b;
  SEGLOG_RETURN_IF_ERROR(
      io::ReadAt(path, size - format::kSegmentTrailerSize, format::kSegmentTrailerSize, &b));
  SEGLOG_RETURN_IF_ERROR(format::DecodeSegmentTrailer(b, t).WithContext(path));
  if (t->data_end.value() + format::kSegmentTrailerSize != size) {
    return Status::Corruption(path + ": trailer's data end does not match the file size");
  }
  return Status::OK();
}

Segment::Segment(const Params& p, SeqNo base)
    : path_(p.dir + "/" + SegmentFileName(base)),
      index_path_(p.dir + "/" + IndexFileName(base)),
      base_(base),
      cache_(p.cache),
      index_interval_(p.index_interval == 0 ? 1 : p.index_interval),
      fs_(p.fs),
      read_only_(p.read_only) {}

Segment::~Segment() { cache_->Erase(this); }

std::shared_ptr<Segment> Segment::SealedUnchecked(const Params& p, SeqNo base, SeqNo last_seq,
                                                  uint64_t log_id) {
  std::shared_ptr<Segment> s(new Segment(p, base));
  s->log_id_ = log_id;
  s->expected_last_ = last_seq;
  s->sealed_.store(true, std::memory_order_release);
  return s;
}

Status Segment::Check() {
  if (!sealed() || checked_.load(std::memory_order_acquire)) return Status::OK();
  std::lock_guard<std::mutex> l(mu_);
  if (checked_.load(std::memory_order_relaxed)) return Status::OK();
  if (!check_error_.ok()) return check_error_;
  Status s = ReadSegmentHeader(path_, base_, log_id_);
  format::SegmentTrailer t;
  if (s.ok()) {
    s = ReadSegmentTrailer(path_, &t);
    if (s.code() == StatusCode::kCorruption) {
      s = Status::Corruption("sealed segment has no valid trailer: " + s.message());
    }
  }
  if (s.ok() && (t.last_seq < base_ || t.last_seq != expected_last_)) {
    s = Status::Corruption(path_ + ": trailer's last sequence " +
                           std::to_string(t.last_seq.value()) + " does not meet the next segment (" +
                           std::to_string(expected_last_.value() + 1) + ")");
  }
  // A rewritten (compacted) segment holds fewer records than it covers, never more.
  if (s.ok() && t.record_count != 0 && t.record_count - 1 > t.last_seq - base_) {
    s = Status::Corruption(path_ + ": trailer counts " + std::to_string(t.record_count) +
                           " records in the " + std::to_string(t.last_seq - base_ + 1) +
                           " sequence numbers it covers");
  }
  if (!s.ok()) {
    // Remember only what the bytes say; an I/O error (EMFILE, EIO) may pass, so try again.
    if (s.code() == StatusCode::kCorruption || s.code() == StatusCode::kNotSupported) {
      check_error_ = s;
    }
    return s;
  }
  trailer_ = t;
  published_end_.store(t.data_end.value(), std::memory_order_release);
  checked_.store(true, std::memory_order_release);
  return Status::OK();
}

std::shared_ptr<Segment> Segment::Sealed(const Params& p, SeqNo base,
                                         const format::SegmentTrailer& t) {
  std::shared_ptr<Segment> s(new Segment(p, base));
  s->trailer_ = t;
  s->published_end_.store(t.data_end.value(), std::memory_order_relaxed);
  s->checked_.store(true, std::memory_order_release);
  s->sealed_.store(true, std::memory_order_release);
  return s;
}

std::shared_ptr<Segment> Segment::Active(const Params& p, SeqNo base,
                                         std::shared_ptr<const io::MappedFile> map,
                                         FileOffset end, std::vector<IndexEntry> index) {
  std::shared_ptr<Segment> s(new Segment(p, base));
  s->active_map_ = std::move(map);
  s->index_ = std::move(index);
  s->index_loaded_ = true;
  s->published_end_.store(end.value(), std::memory_order_release);
  return s;
}

Status Segment::Pin(std::shared_ptr<const io::MappedFile>* out) {
  if (sealed()) SEGLOG_RETURN_IF_ERROR(Check());
  std::lock_guard<std::mutex> l(mu_);
  if (active_map_) {
    *out = active_map_;
    return Status::OK();
  }
  if (auto m = sealed_map_.lock()) {
    cache_->Touch(this);
    *out = std::move(m);
    return Status::OK();
  }
  if (replacing_) {
    // The name may already be the rewritten file's, which this object does not describe.
    return Status::NotFound(path_ + ": replaced by a rewritten segment");
  }
  std::shared_ptr<io::MappedFile> m;
  Status s = io::MappedFile::Open(path_, 0, &m);
  if (!s.ok()) return s;
  if (m->size() < trailer_.data_end.value()) {
    return Status::Corruption(path_ + " is shorter than its trailer says");
  }
  sealed_map_ = m;
  cache_->Insert(this, m);
  *out = std::move(m);
  return Status::OK();
}

Status Segment::damage() const {
  std::lock_guard<std::mutex> l(mu_);
  return damage_;
}

void Segment::SetDamage(Status s) {
  std::lock_guard<std::mutex> l(mu_);
  damage_ = std::move(s);
}

void Segment::AddIndexEntry(const IndexEntry& e) {
  std::lock_guard<std::mutex> l(mu_);
  index_.push_back(e);
}

void Segment::MarkSealed(const format::SegmentTrailer& t) {
  std::shared_ptr<const io::MappedFile> m;
  {
    std::lock_guard<std::mutex> l(mu_);
    trailer_ = t;
    published_end_.store(t.data_end.value(), std::memory_order_release);
    checked_.store(true, std::memory_order_release);
    sealed_.store(true, std::memory_order_release);
    m = std::move(active_map_);
    active_map_.reset();
    sealed_map_ = m;
  }
  // From now on the mapping counts against the cache's bound like any sealed segment's.
  if (m) cache_->Insert(this, std::move(m));
}

Status Segment::WriteIndex(io::FileSystem* fs) {
  std::vector<IndexEntry> entries;
  {
    std::lock_guard<std::mutex> l(mu_);
    entries = index_;
  }
  format::IndexInfo info{base_, trailer_.data_end};
  // Derived data: not synced. A torn or missing index after power loss fails its checksum or
  // is absent, and is rebuilt from the segment (Check, LoadIndexLocked).
  return io::ReplaceFile(fs, index_path_, format::EncodeIndex(info, entries), /*durable=*/false);
}

Status Segment::RebuildIndexLocked(const std::shared_ptr<const io::MappedFile>& map) {
  std::vector<IndexEntry> entries;
  uint64_t last_indexed = 0;
  bool first = true;
  TimestampMs running_max;  // index ts: the largest timestamp of any record before the batch
  ScanStop stop = ScanBatches(
      map->view(), FileOffset(format::kSegmentHeaderSize), trailer_.data_end, base_, path_,
      [&](FileOffset off, const BatchHeader& h) {
        if (h.type != format::kBatchTypeData) return true;
        if (first || off.value() - last_indexed >= index_interval_) {
          entries.push_back(IndexEntry{h.base_seq, off, first ? h.first_ts : std::max(h.first_ts, running_max)});
          last_indexed = off.value();
        }
        running_max = first ? h.max_ts : std::max(running_max, h.max_ts);
        first = false;
        return true;
      });
  if (!stop.status.ok()) return stop.status;
  if (stop.end != trailer_.data_end) {
    return Status::Corruption(path_ + " at offset " + std::to_string(stop.end.value()) +
                              ": batches end before the trailer's data end " +
                              std::to_string(trailer_.data_end.value()));
  }
  index_ = std::move(entries);
  index_loaded_ = true;
  if (!read_only_ && !replacing_ && fs_ != nullptr) {
    // Derived data: failing to persist it costs only a rebuild next time.
    (void)io::ReplaceFile(fs_, index_path_,
                          format::EncodeIndex({base_, trailer_.data_end}, index_),
                          /*durable=*/false);
  }
  return Status::OK();
}

Status Segment::LoadIndexLocked(const std::shared_ptr<const io::MappedFile>& map) {
  if (index_loaded_) return Status::OK();
  ByteBuffer bytes;
  // While replacing, the index file may already be the rewritten segment's: build from the map.
  if (!replacing_ && io::ReadFile(index_path_, &bytes).ok()) {
    format::IndexInfo info;
    std::vector<IndexEntry> entries;
    // A segment whose records were all dropped by compaction has no batch: an empty index.
    const bool no_batches = trailer_.data_end == FileOffset(format::kSegmentHeaderSize);
    if (format::DecodeIndex(bytes, &info, &entries).ok() && info.base_seq == base_ &&
        info.data_end == trailer_.data_end &&
        (no_batches ? entries.empty()
                    : !entries.empty() &&
                          entries.front().offset == FileOffset(format::kSegmentHeaderSize) &&
                          entries.back().offset < trailer_.data_end)) {
      index_ = std::move(entries);
      index_loaded_ = true;
      return Status::OK();
    }
  }
  return RebuildIndexLocked(map);
}

Status Segment::IndexEntries(std::vector<IndexEntry>* out) {
  std::shared_ptr<const io::MappedFile> map;
  SEGLOG_RETURN_IF_ERROR(Pin(&map));
  std::lock_guard<std::mutex> l(mu_);
  SEGLOG_RETURN_IF_ERROR(LoadIndexLocked(map));
  *out = index_;
  return Status::OK();
}

void Segment::InstallIndex(std::vector<IndexEntry> entries) {
  std::lock_guard<std::mutex> l(mu_);
  index_ = std::move(entries);
  index_loaded_ = true;
}

void Segment::SetReplacing(bool on) {
  // Under mu_: an index rebuild (which writes the index file) or a Pin opening the file that
  // is in flight finishes first.
  std::lock_guard<std::mutex> l(mu_);
  replacing_ = on;
}

void Segment::MarkReplaced() {
  {
    std::lock_guard<std::mutex> l(mu_);
    replacing_ = true;
  }
  removed_.store(true, std::memory_order_release);
  // Readers still inside it hold the mapping; the cache need not keep it any longer.
  cache_->Erase(this);
}

Status Segment::Locate(const std::function<size_t(std::span<const IndexEntry>)>& pick,
                       const std::function<bool(const BatchHeader&)>& done, FileOffset* off) {
  std::shared_ptr<const io::MappedFile> map;
  SEGLOG_RETURN_IF_ERROR(Pin(&map));
  const FileOffset end = published_end();
  uint64_t start = format::kSegmentHeaderSize;
  SeqNo min_seq = base_;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (sealed()) SEGLOG_RETURN_IF_ERROR(LoadIndexLocked(map));
    // Only entries below what is published may be used (the writer adds them earlier).
    auto pub_end = std::lower_bound(index_.begin(), index_.end(), end,
                                    [](const IndexEntry& e, FileOffset o) { return e.offset < o; });
    std::span<const IndexEntry> visible(index_.data(), static_cast<size_t>(pub_end - index_.begin()));
    size_t i = pick(visible);
    if (i < visible.size()) {
      start = visible[i].offset.value();
      min_seq = visible[i].seq;
    }
  }
  bool found = false;
  uint64_t at = end.value();
  ScanStop stop = ScanBatches(map->view(), FileOffset(start), end, min_seq, path_,
                              [&](FileOffset o, const BatchHeader& h) {
                                if (h.type == format::kBatchTypeData && done(h)) {
                                  found = true;
                                  at = o.value();
                                  return false;
                                }
                                return true;
                              });
  // A scan past the batch we want is wasted but harmless; an error before it is not. Nor are
  // zeros before the end: below published_end (a sealed segment's data end) every byte was
  // written, so zeros there are damage, never the end (SPEC.md 8.1). Neither is the end of a
  // segment whose damage recovery found there.
  if (!found) {
    if (!stop.status.ok()) return stop.status;
    if (stop.end < end) {
      return Status::Corruption(path_ + " at offset " + std::to_string(stop.end.value()) +
                                ": zeros where a batch should be (the segment's batches end at " +
                                std::to_string(end.value()) + ")");
    }
    SEGLOG_RETURN_IF_ERROR(damage());
  }
  *off = FileOffset(at);
  return Status::OK();
}

Status Segment::LocateSeq(SeqNo seq, FileOffset* off) {
  return Locate(
      [seq](std::span<const IndexEntry> v) -> size_t {
        auto it = std::upper_bound(v.begin(), v.end(), seq,
                                   [](SeqNo s, const IndexEntry& e) { return s < e.seq; });
        return it == v.begin() ? v.size() : static_cast<size_t>(it - v.begin() - 1);
      },
      [seq](const BatchHeader& h) { return h.last_seq() >= seq; }, off);
}

Status Segment::LocateTime(TimestampMs t, FileOffset* off) {
  return Locate(
      [t](std::span<const IndexEntry> v) -> size_t {
        // The last entry strictly before t: every record before it is older than t.
        auto it = std::lower_bound(v.begin(), v.end(), t,
                                   [](const IndexEntry& e, TimestampMs x) { return e.ts < x; });
        return it == v.begin() ? v.size() : static_cast<size_t>(it - v.begin() - 1);
      },
      [t](const BatchHeader& h) { return h.max_ts >= t; }, off);
}

}  // namespace seglog
