#include "engine/log/log.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <utility>

#include "engine/log/clock.h"
#include "engine/log/map_cache.h"
#include "engine/log/space_reserve.h"
#include "format/tail_scan.h"
#include "io/file_util.h"
#include "io/mmap.h"

namespace seglog {

using format::BatchHeader;
using format::IndexEntry;
using format::kSegmentHeaderSize;
using format::kDurableMarkSize;
using format::kSegmentTrailerSize;

Log::Log(const Env& env, const LogOptions& opt) : env_(env), opt_(opt) {}

Log::~Log() { (void)Close(); }

Status Log::Open(const Env& env, const LogOptions& opt, std::unique_ptr<Log>* out) {
  SEGLOG_RETURN_IF_ERROR(opt.Validate());
  if (env.fs == nullptr || env.clock == nullptr || env.maps == nullptr || env.dir.empty()) {
    return Status::InvalidArgument("log environment is incomplete");
  }
  std::unique_ptr<Log> log(new Log(env, opt));
  SEGLOG_RETURN_IF_ERROR(log->Recover().WithContext("recovering " + env.dir));
  if (opt.durability == Durability::kInterval && !env.read_only) {
    log->scheduler_ = env.scheduler;
    if (log->scheduler_ == nullptr) {
      log->own_scheduler_ = std::make_unique<Scheduler>("seglog-sync");
      log->scheduler_ = log->own_scheduler_.get();
    }
    log->sync_task_ = log->scheduler_->Every(std::chrono::milliseconds(opt.sync_interval_ms),
                                             [p = log.get()] { p->IntervalSync(); });
  }
  *out = std::move(log);
  return Status::OK();
}

// ---------------------------------------------------------------- recovery

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
    auto seg = Segment::SealedUnchecked(env_.dir, bases[i], bases[i + 1] - 1, env_.log_id,
                                        env_.maps, opt_.index_interval_bytes);
    seg->set_file_system(env_.fs);
    seg->set_read_only(env_.read_only);
    segments_.push_back(std::move(seg));
  }

  std::unique_lock<std::mutex> l(mu_);
  if (!bases.empty()) {
    SEGLOG_RETURN_IF_ERROR(RecoverTail(env_.dir + "/" + SegmentFileName(bases.back()),
                                       bases.back(), bases.size() > 1));
  }
  if (!active_) {
    // No segment, or the last one is sealed (or was a segment whose creation never finished).
    SeqNo next(0);
    if (!segments_.empty()) {
      SEGLOG_RETURN_IF_ERROR(segments_.back()->Check());
      next = segments_.back()->trailer().last_seq + 1;
      last_ts_ = segments_.back()->trailer().max_ts;
    }
    next_seq_ = next;
  }
  written_next_ = durable_next_ = next_seq_;
  published_next_.store(next_seq_.value(), std::memory_order_release);
  std::lock_guard<std::mutex> sl(seg_mu_);
  first_seq_.store(segments_.empty() ? next_seq_.value() : segments_.front()->base_seq().value(),
                   std::memory_order_release);
  return Status::OK();
}

Status Log::RecoverTail(const std::string& path, SeqNo base, bool have_prev) {
  // The newest record time so far: the previous segment's, read from its trailer (one read).
  TimestampMs prev_max_ts(0);
  if (have_prev) {
    SEGLOG_RETURN_IF_ERROR(segments_.back()->Check());
    prev_max_ts = segments_.back()->trailer().max_ts;
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
    auto seg = Segment::Sealed(env_.dir, base, t, env_.maps, opt_.index_interval_bytes);
    seg->set_file_system(env_.fs);
    seg->set_read_only(env_.read_only);
    std::lock_guard<std::mutex> sl(seg_mu_);
    segments_.push_back(std::move(seg));
    return Status::OK();
  }

  // The unsealed tail: every batch is checked. A bad batch below a durable mark is damage;
  // otherwise the first bad or torn one ends the log (SPEC.md 8.1, format/tail_scan.h).
  std::vector<IndexEntry> index;
  uint64_t last_indexed = 0, records = 0;
  TimestampMs first_ts, max_ts;
  // Past the last data region everything reads as zero: a fresh segment is mostly space
  // preallocated and never written, and need not be read to know it.
  format::DataRanges data;
  const bool know_data = io::DataRegions(path, &data).ok();
  auto scan = [&] {
    index.clear();
    last_indexed = records = 0;
    first_ts = TimestampMs();
    max_ts = prev_max_ts;
    return format::ScanUnsealedTail(
        map->view(), kSegmentHeaderSize, base, path, [&](uint64_t off, const BatchHeader& h) {
          if (h.type != format::kBatchTypeData) return;
          if (records == 0 || off - last_indexed >= opt_.index_interval_bytes) {
            index.push_back(IndexEntry{h.base_seq, FileOffset(off), h.first_ts});
            last_indexed = off;
          }
          if (records == 0) first_ts = h.first_ts;
          records += h.record_count;
          max_ts = std::max(max_ts, h.max_ts);
        },
        know_data ? &data : nullptr);
  };
  format::TailScan tail = scan();
  // Beside a live writer (a read-only open), a batch may have been read half-copied and a mark
  // after it read once complete: look again before calling it damage.
  if (tail.damaged && env_.read_only) tail = scan();
  // A batch written by a newer seglog is not a torn tail: refuse rather than cut it off.
  if (tail.stop.code() == StatusCode::kNotSupported) return tail.stop;
  const uint64_t end = tail.end;

  std::unique_ptr<io::WritableFile> file;
  if (!env_.read_only && !tail.damaged) {
    SEGLOG_RETURN_IF_ERROR(env_.fs->OpenWritable(path, io::OpenMode::kOpenExisting, &file));
    if (tail.dirty_end > end) {
      // Cut the torn tail: zero the bytes after the last whole batch in place (no truncate,
      // no new blocks: a full disk must not stop a reopen), so that they can never be read as
      // a batch after later appends; then make that durable before anything else is written.
      SEGLOG_RETURN_IF_ERROR(file->ZeroRange(end, tail.dirty_end - end));
      SEGLOG_RETURN_IF_ERROR(file->Sync());
    }
    // The blocks are re-allocated (for the writable mapping) at the first append, not here.
    map_pending_ = true;
    // The scan (and the kernel's readahead around it) cached zero pages of space never
    // written; let them go, or SEEK_DATA would count them as data at every later open.
    const uint64_t keep = (std::max(end, tail.dirty_end) + 4095) & ~uint64_t{4095};
    if (keep < size) {
      map->DropPages(keep, size - keep);
      io::DropCache(path, keep, size - keep);
    }
  }
  auto seg = Segment::Active(env_.dir, base, std::move(map), FileOffset(end), std::move(index),
                             env_.maps, opt_.index_interval_bytes);
  if (tail.damaged) {
    // Acknowledged records are damaged: the log opens, reads before the damage succeed, reads
    // that reach it and every append fail with it (sticky) until `seglog repair`.
    seg->SetDamage(tail.damage);
    error_ = tail.damage;
  }
  InstallActiveLocked(std::move(seg), std::move(file), size);
  last_indexed_ = last_indexed;
  next_seq_ = tail.next_seq;
  seg_records_ = records;
  seg_first_ts_ = first_ts;
  last_ts_ = max_ts;
  // Nothing is claimed durable until this process's first sync covers it (after a kill -9
  // the recovered bytes may still be only in the page cache).
  written_off_ = end;
  durable_off_ = marked_off_ = kSegmentHeaderSize;
  return Status::OK();
}

// ---------------------------------------------------------------- segments

void Log::InstallActiveLocked(std::shared_ptr<Segment> seg, std::unique_ptr<io::WritableFile> file,
                              uint64_t capacity) {
  seg->set_file_system(env_.fs);
  seg->set_read_only(env_.read_only);
  {
    std::lock_guard<std::mutex> sl(seg_mu_);
    segments_.push_back(seg);
  }
  write_off_ = pending_off_ = seg->published_end().value();
  active_ = std::move(seg);
  file_ = std::move(file);
  capacity_ = capacity;
  writeback_off_ = write_off_;
  wmap_.reset();
  if (file_ && env_.mapped_writes && opt_.durability != Durability::kAlways) {
    // NotSupported (no blocks allocated, fault injection, ...) just means writing through the
    // file; a failing mmap too: nothing is lost by not mapping.
    if (!file_->MapForWrites(capacity, &wmap_).ok()) wmap_.reset();
    prefaulted_ = write_off_;
  }
}

namespace {
constexpr uint64_t kDirBlock = 4096;
}  // namespace

Status Log::EnsureDirLocked() {
  if (dir_ready_) return Status::OK();
  if (!io::IsDirectory(env_.dir)) {
    Status s = env_.fs->CreateDir(env_.dir);
    if (s.code() == StatusCode::kNoSpace && env_.reserve != nullptr &&
        env_.reserve->Release(kDirBlock)) {
      s = env_.fs->CreateDir(env_.dir);  // a directory needs a block of its own
    }
    SEGLOG_RETURN_IF_ERROR(s);
    // The new directory's entry must be durable before anything in it is acknowledged.
    SEGLOG_RETURN_IF_ERROR(env_.fs->SyncDir(env_.dir.substr(0, env_.dir.rfind('/'))));
  }
  dir_ready_ = true;
  return Status::OK();
}

Status Log::EnsureDirectory() {
  std::lock_guard<std::mutex> l(mu_);
  if (env_.read_only) return Status::NotSupported("log is open read-only: " + env_.dir);
  return EnsureDirLocked();
}

Status Log::AllocateNewSegment(io::WritableFile* f, uint64_t capacity) {
  Status s = f->Allocate(capacity);
  if (s.code() == StatusCode::kNoSpace && env_.reserve != nullptr &&
      env_.reserve->Release(capacity)) {
    s = f->Allocate(capacity);  // the store's reserve gave room (SPEC.md 13.8)
  }
  return s;
}

Status Log::CreateSegmentLocked(SeqNo base, uint64_t min_capacity, bool* wrote) {
  *wrote = false;
  SEGLOG_RETURN_IF_ERROR(EnsureDirLocked());
  const uint64_t capacity = std::max<uint64_t>(opt_.segment_size, min_capacity);
  const std::string path = env_.dir + "/" + SegmentFileName(base);
  std::unique_ptr<io::WritableFile> f;
  SEGLOG_RETURN_IF_ERROR(env_.fs->OpenWritable(path, io::OpenMode::kCreateNew, &f));
  if (Status s = AllocateNewSegment(f.get(), capacity); !s.ok()) {
    // Nothing was written: take the empty file away again, and the append may be retried.
    f.reset();
    if (!env_.fs->Remove(path).ok()) *wrote = true;  // a file left behind: be sticky
    return s;
  }
  *wrote = true;
  uint8_t header[kSegmentHeaderSize];
  format::SegmentHeader h;
  h.log_id = env_.log_id;
  h.base_seq = base;
  h.created = env_.clock->NowMs();
  format::EncodeSegmentHeader(h, header);
  SEGLOG_RETURN_IF_ERROR(f->WriteAndSync(FileOffset(0), ByteView(header, sizeof(header))));
  SEGLOG_RETURN_IF_ERROR(env_.fs->SyncDir(env_.dir));
  std::shared_ptr<io::MappedFile> map;
  SEGLOG_RETURN_IF_ERROR(io::MappedFile::Open(path, capacity, &map));
  InstallActiveLocked(Segment::Active(env_.dir, base, std::move(map),
                                      FileOffset(kSegmentHeaderSize), {}, env_.maps,
                                      opt_.index_interval_bytes),
                      std::move(f), capacity);
  last_indexed_ = 0;
  seg_records_ = 0;
  written_off_ = durable_off_ = marked_off_ = kSegmentHeaderSize;
  return Status::OK();
}

Status Log::GrowEmptyActiveLocked(uint64_t capacity, bool* wrote) {
  *wrote = false;
  wmap_.reset();
  SEGLOG_RETURN_IF_ERROR(AllocateNewSegment(file_.get(), capacity));
  *wrote = true;
  SEGLOG_RETURN_IF_ERROR(file_->Sync());
  std::shared_ptr<io::MappedFile> map;
  SEGLOG_RETURN_IF_ERROR(io::MappedFile::Open(active_->path(), capacity, &map));
  {
    std::lock_guard<std::mutex> sl(seg_mu_);
    segments_.pop_back();
  }
  active_->MarkRemoved();  // readers holding the old object move to the new one
  InstallActiveLocked(Segment::Active(env_.dir, active_->base_seq(), std::move(map),
                                      FileOffset(kSegmentHeaderSize), {}, env_.maps,
                                      opt_.index_interval_bytes),
                      std::move(file_), capacity);
  last_indexed_ = 0;
  written_off_ = durable_off_ = marked_off_ = kSegmentHeaderSize;
  return Status::OK();
}

Status Log::SealActiveLocked() {
  format::SegmentTrailer t;
  t.record_count = seg_records_;
  t.last_seq = next_seq_ - 1;
  t.first_ts = seg_first_ts_;
  t.max_ts = last_ts_;
  t.data_end = FileOffset(write_off_);
  uint8_t buf[kSegmentTrailerSize];
  format::EncodeSegmentTrailer(t, buf);
  wmap_.reset();  // no store may reach the file once it is cut
  // Cut the file so that the trailer will end it, then write the trailer and sync both in one
  // fdatasync. A crash before that sync completes leaves a file ending in zeros or in a torn
  // trailer: no valid trailer, so recovery scans it as the unsealed tail and stops at the end
  // of the last batch (the bytes after it were never written, or were zeroed by recovery).
  SEGLOG_RETURN_IF_ERROR(file_->Truncate(write_off_ + kSegmentTrailerSize));
  SEGLOG_RETURN_IF_ERROR(file_->WriteAndSync(FileOffset(write_off_), ByteView(buf, sizeof(buf))));
  ++syncs_;
  active_->MarkSealed(t);
  // The index is derived data: if writing it fails, readers rebuild it from the segment.
  (void)active_->WriteIndex(env_.fs);
  file_.reset();
  active_.reset();
  return Status::OK();
}

// ---------------------------------------------------------------- writing

void Log::LeadWriteLocked(std::unique_lock<std::mutex>& l) {
  leader_active_ = true;
  ByteBuffer buf = std::move(pending_);
  pending_ = std::move(spare_);
  pending_.clear();
  const uint64_t off = pending_off_;
  pending_off_ += buf.size();
  const SeqNo target = next_seq_;
  const bool sync = opt_.durability == Durability::kAlways;
  io::WritableFile* f = file_.get();
  std::shared_ptr<Segment> seg = active_;
  uint64_t wb_from = 0, wb_to = 0;
  if (!sync) NextWritebackLocked(off + buf.size(), &wb_from, &wb_to);
  // Not reset while this write is in flight (sealing and closing wait for it).
  io::WritableMapping* wmap = wmap_.get();
  l.unlock();
  Status s;
  if (!buf.empty()) {
    s = sync ? f->WriteAndSync(FileOffset(off), buf) : f->Write(FileOffset(off), buf);
  }
  if (s.ok() && wb_to > wb_from) {
    if (wmap != nullptr) wmap->Release(wb_from, wb_to - wb_from);
    f->StartWriteback(wb_from, wb_to - wb_from);
  }
  l.lock();
  leader_active_ = false;
  ++writes_;
  if (sync) ++syncs_;
  const uint64_t n = buf.size();
  buf.clear();
  spare_ = std::move(buf);
  if (!s.ok() || !error_.ok()) {
    // Also when a concurrent background sync failed meanwhile: nothing written after a failed
    // fdatasync is acknowledged.
    if (error_.ok()) error_ = s;
  } else {
    written_next_ = target;
    written_off_ = off + n;
    if (sync) {
      durable_next_ = target;
      durable_off_ = off + n;
    }
    seg->Publish(FileOffset(off + n));
    published_next_.store(target.value(), std::memory_order_release);
  }
  cv_.notify_all();
}

Status Log::Append(std::span<const Record> records, SeqNo* first_seq) {
  if (records.empty()) return Status::InvalidArgument("append of an empty batch");
  if (records.size() > UINT32_MAX) return Status::TooLarge("too many records in one batch");
  std::unique_lock<std::mutex> l(mu_);
  if (closed_) return Status::Closed("log is closed: " + env_.dir);
  if (env_.read_only) return Status::NotSupported("log is open read-only: " + env_.dir);
  if (!error_.ok()) return error_;

  // inputs_ is reused (no allocation per append once warm) but only while mu_ is held
  // throughout: the roll loop below may release it, so the inputs are filled again after it.
  std::vector<format::RecordInput>& in = inputs_;
  auto fill = [&] {
    const TimestampMs ts = std::max(env_.clock->NowMs(), last_ts_);
    in.resize(records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      in[i] = format::RecordInput{next_seq_ + i, ts, records[i].key, records[i].value,
                                  records[i].attrs};
    }
  };
  fill();
  const size_t max_len = format::MaxEncodedBatchSize(in);
  if (max_len > format::kMaxBatchSize) {
    return Status::TooLarge("batch of " + std::to_string(max_len) + " bytes exceeds the " +
                            std::to_string(format::kMaxBatchSize) + "-byte limit");
  }

  // Roll over when the batch (and a durable mark before it) does not fit the active segment
  // beside room for the trailer; create the active segment when there is none yet.
  bool released = false;
  while (!active_ || write_off_ + kDurableMarkSize + max_len + kSegmentTrailerSize > capacity_) {
    if (leader_active_ || syncing_) {
      cv_.wait(l);
      released = true;
    } else if (!pending_.empty()) {
      LeadWriteLocked(l);
      released = true;
    } else if (!error_.ok()) {
      return error_;
    } else {
      SEGLOG_RETURN_IF_ERROR(RollLocked(kSegmentHeaderSize + kDurableMarkSize + max_len +
                                        kSegmentTrailerSize));
    }
    if (closed_) return Status::Closed("log is closed: " + env_.dir);
    if (!error_.ok()) return error_;
  }
  // Others may have appended (and used inputs_) while the lock was released.
  if (released) fill();
  if (map_pending_) MapRecoveredTailLocked();

  const size_t before = pending_.size();
  const uint64_t marked_before = marked_off_;
  if (durable_off_ > marked_off_) {
    // The last completed sync covered more than any mark says: say so at the start of this
    // write (SPEC.md 8.1), so that recovery can tell damage below it from a torn tail.
    format::EncodeDurableMark({FileOffset(durable_off_), durable_next_}, &pending_);
    marked_off_ = durable_off_;
    write_off_ += kDurableMarkSize;
  }
  size_t len = 0;
  format::BatchEncodeOptions eo;
  eo.compress_min_bytes = opt_.compress_min_bytes;
  Status s = format::EncodeBatch(in, eo, &pending_, &scratch_, &len);
  if (!s.ok()) {
    write_off_ -= pending_.size() - before;
    pending_.resize(before);
    marked_off_ = marked_before;
    return s;
  }
  const SeqNo first = next_seq_;
  const TimestampMs ts = in.front().ts;
  if (seg_records_ == 0 || write_off_ - last_indexed_ >= opt_.index_interval_bytes) {
    active_->AddIndexEntry(IndexEntry{first, FileOffset(write_off_), ts});
    last_indexed_ = write_off_;
  }
  if (seg_records_ == 0) seg_first_ts_ = ts;
  write_off_ += len;
  next_seq_ = next_seq_ + in.size();
  seg_records_ += in.size();
  last_ts_ = ts;
  const SeqNo mine = next_seq_;

  // A small batch is copied into the mapping when nothing is queued or being written before
  // it (it is published at once, so everything before it must be written already). A large one
  // goes through write(2): the syscall is paid once for many bytes, and the kernel copies into
  // the page cache more cheaply than stores through a fresh mapping, page by page, do.
  if (wmap_ && len <= kMaxMappedAppend && before == 0 && !leader_active_) {
    CopyToMappingLocked(write_off_ - pending_.size(), mine);
    ++appends_;
    if (first_seq != nullptr) *first_seq = first;
    return Status::OK();
  }

  // Group commit: whoever finds no write in flight writes everything pending.
  const bool always = opt_.durability == Durability::kAlways;
  for (;;) {
    if ((always ? durable_next_ : written_next_) >= mine) break;
    if (!error_.ok()) return error_;
    if (closed_) return Status::Closed("log was closed before this append was written: " + env_.dir);
    if (!leader_active_) {
      LeadWriteLocked(l);
    } else {
      cv_.wait(l);
    }
  }
  ++appends_;
  if (first_seq != nullptr) *first_seq = first;
  return Status::OK();
}

Status Log::RollLocked(uint64_t need) {
  Status s;
  bool wrote = false;
  if (!active_) {
    s = CreateSegmentLocked(next_seq_, need, &wrote);
  } else if (seg_records_ == 0) {
    // An empty segment too small for this batch grows in place: the file is never removed,
    // so the log never loses track of its next sequence number.
    s = GrowEmptyActiveLocked(need, &wrote);
  } else {
    s = SealActiveLocked();
    wrote = true;
    if (s.ok()) s = CreateSegmentLocked(next_seq_, need, &wrote);
  }
  // Failing to allocate a new segment's space before anything was written to it changes
  // nothing on disk: that append fails, the next one tries again. Anything else is sticky.
  if (!s.ok() && wrote) {
    error_ = s;
    cv_.notify_all();
  }
  return s;
}

void Log::MapRecoveredTailLocked() {
  map_pending_ = false;
  if (!file_ || !env_.mapped_writes || opt_.durability == Durability::kAlways) return;
  // Recovery allocated nothing; the blocks of a preallocated segment are there already, so
  // this needs no space. Where it fails, appends are written instead of copied.
  if (!file_->Allocate(capacity_).ok()) return;
  if (!file_->MapForWrites(capacity_, &wmap_).ok()) wmap_.reset();
  prefaulted_ = write_off_;
}

void Log::NextWritebackLocked(uint64_t end, uint64_t* from, uint64_t* to) {
  // Under kNone and kInterval nothing syncs the active segment until it is sealed (or, under
  // kInterval, until the next background sync): left alone, the kernel would hold up to a
  // whole segment of dirty pages and the appender that seals it would wait for all of them
  // at once. Asking for writeback every few MiB keeps the disk busy while appends go on and
  // leaves the seal's fdatasync little to wait for.
  constexpr uint64_t kWritebackChunk = 4 << 20;
  if (end >= writeback_off_ + kWritebackChunk) {
    *from = writeback_off_;
    *to = end;
    writeback_off_ = end;
  }
}

void Log::CopyToMappingLocked(uint64_t off, SeqNo next) {
  const uint64_t n = pending_.size();
  // Fault the next stretch in ahead of the copies, in one call, rather than one page fault
  // per 4 KiB inside them.
  constexpr uint64_t kPrefaultChunk = 1 << 20;
  if (off + n > prefaulted_) {
    const uint64_t to = std::min<uint64_t>(capacity_, std::max(prefaulted_, off) + kPrefaultChunk);
    wmap_->Prefault(std::max(prefaulted_, off), to - std::max(prefaulted_, off));
    prefaulted_ = std::max(to, off + n);
  }
  std::memcpy(wmap_->data() + off, pending_.data(), n);
  uint64_t wb_from = 0, wb_to = 0;
  NextWritebackLocked(off + n, &wb_from, &wb_to);
  if (wb_to > wb_from) {
    wmap_->Release(wb_from, wb_to - wb_from);
    file_->StartWriteback(wb_from, wb_to - wb_from);
  }
  pending_.clear();
  pending_off_ = off + n;
  ++mapped_appends_;
  // The bytes are in the page cache now: "written" (a process crash keeps them) and, for
  // readers in this process, visible through their own mapping of the same pages.
  written_next_ = next;
  written_off_ = off + n;
  active_->Publish(FileOffset(off + n));
  published_next_.store(next.value(), std::memory_order_release);
  cv_.notify_all();
}

Status Log::SyncLocked(std::unique_lock<std::mutex>& l) {
  while (syncing_ || leader_active_) cv_.wait(l);
  if (!error_.ok()) return error_;
  if (!file_) return Status::OK();
  const SeqNo target = written_next_;
  const uint64_t target_off = written_off_;  // the active segment cannot change meanwhile
  if (durable_next_ >= target) return Status::OK();
  syncing_ = true;
  io::WritableFile* f = file_.get();
  l.unlock();
  Status s = f->Sync();
  l.lock();
  syncing_ = false;
  ++syncs_;
  if (!s.ok()) {
    if (error_.ok()) error_ = s;
  } else if (target > durable_next_) {
    durable_next_ = target;
    durable_off_ = std::max(durable_off_, target_off);
  }
  cv_.notify_all();
  return s;
}

Status Log::WriteCloseMarkLocked(std::unique_lock<std::mutex>& l) {
  while (leader_active_ || syncing_) cv_.wait(l);
  // Everything written is synced now: one last mark protects all of it (SPEC.md 8.1), so that
  // damage anywhere in the active segment after a clean close is reported, never cut off.
  if (!file_ || !error_.ok() || durable_off_ <= marked_off_ || !pending_.empty() ||
      write_off_ != written_off_ ||
      write_off_ + kDurableMarkSize + kSegmentTrailerSize > capacity_) {
    return Status::OK();
  }
  ByteBuffer mark;
  format::EncodeDurableMark({FileOffset(durable_off_), durable_next_}, &mark);
  Status s = file_->WriteAndSync(FileOffset(write_off_), mark);
  ++syncs_;
  if (!s.ok()) return s;
  marked_off_ = durable_off_;
  write_off_ += kDurableMarkSize;
  written_off_ = write_off_;
  return Status::OK();
}

Status Log::Sync() {
  std::unique_lock<std::mutex> l(mu_);
  if (closed_) return Status::Closed("log is closed: " + env_.dir);
  if (env_.read_only) return Status::OK();
  return SyncLocked(l);
}

void Log::IntervalSync() {
  std::unique_lock<std::mutex> l(mu_);
  if (!closed_ && error_.ok()) (void)SyncLocked(l);
}

Status Log::Close() {
  {
    std::unique_lock<std::mutex> l(mu_);
    if (closed_) return Status::Closed("log is already closed: " + env_.dir);
    closed_ = true;
  }
  if (sync_task_ != 0) scheduler_->Cancel(sync_task_);  // waits for a sync in progress
  sync_task_ = 0;
  {
    // Wait for a rewrite or retention call in progress (later rewrites see closed_).
    std::lock_guard<std::mutex> maint(maint_mu_);
  }
  std::unique_lock<std::mutex> l(mu_);
  Status s = error_;
  if (s.ok() && !env_.read_only) s = SyncLocked(l);
  if (s.ok() && !env_.read_only) s = WriteCloseMarkLocked(l);
  while (leader_active_ || syncing_) cv_.wait(l);
  wmap_.reset();
  file_.reset();
  cv_.notify_all();
  return s;
}

Status Log::error() const {
  std::lock_guard<std::mutex> l(mu_);
  return error_;
}

// ---------------------------------------------------------------- retention

Status Log::RemoveSegmentsOlderThan(TimestampMs cutoff, size_t* removed) {
  return RemoveOldestSegmentsWhile(
      [cutoff](const Segment& g) { return g.trailer().max_ts < cutoff; }, removed);
}

Status Log::RemoveSegmentsBefore(SeqNo seq, size_t* removed) {
  return RemoveOldestSegmentsWhile(
      [seq](const Segment& g) { return g.trailer().last_seq < seq; }, removed);
}

Status Log::RemoveOldestSegmentsWhile(const std::function<bool(const Segment&)>& expired,
                                      size_t* removed) {
  if (removed != nullptr) *removed = 0;
  if (env_.read_only) return Status::NotSupported("log is open read-only: " + env_.dir);
  // Not beside a rewrite: it would rename its file back over one removed here.
  std::lock_guard<std::mutex> maint(maint_mu_);
  std::vector<std::shared_ptr<Segment>> victims;
  Status check;
  {
    std::lock_guard<std::mutex> sl(seg_mu_);
    // Decide first (a segment that cannot be checked ends the run), then take them out.
    size_t n = 0;
    while (n + 1 < segments_.size() && segments_[n]->sealed()) {
      check = segments_[n]->Check();
      if (!check.ok() || !expired(*segments_[n])) break;
      ++n;
    }
    if (n == 0) return check;
    for (size_t i = 0; i < n; ++i) {
      victims.push_back(segments_.front());
      segments_.pop_front();
      // Expired from now on, whether or not its file is gone yet: readers move on.
      victims.back()->MarkRemoved();
    }
    first_seq_.store(segments_.front()->base_seq().value(), std::memory_order_release);
  }
  // Oldest first, stopping at the first failure, so that what stays on disk is contiguous
  // (a reopen finds the rest and removes it then).
  for (auto& v : victims) {
    SEGLOG_RETURN_IF_ERROR(env_.fs->Remove(v->path()));
    Status s = env_.fs->Remove(v->index_path());
    if (!s.ok() && s.code() != StatusCode::kNotFound) return s;
    if (removed != nullptr) ++*removed;
  }
  SEGLOG_RETURN_IF_ERROR(env_.fs->SyncDir(env_.dir));
  return check;
}

// ---------------------------------------------------------------- segments list

std::vector<SegmentInfo> Log::Segments() const {
  std::vector<std::shared_ptr<Segment>> list;
  const Segment* active = nullptr;
  TimestampMs active_first_ts, active_max_ts;
  SeqNo published;
  {
    std::lock_guard<std::mutex> l(mu_);
    active = active_.get();
    active_first_ts = seg_first_ts_;
    active_max_ts = last_ts_;
    published = next_seq();  // under mu_: consistent with the active segment's published_end
    std::lock_guard<std::mutex> sl(seg_mu_);
    list.assign(segments_.begin(), segments_.end());
  }
  std::vector<SegmentInfo> out;
  out.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    Segment& g = *list[i];
    SegmentInfo info;
    info.base_seq = g.base_seq();
    info.sealed = g.sealed();
    if (info.sealed) {
      info.status = g.Check();
      if (!info.status.ok()) {
        info.last_seq = i + 1 < list.size() ? list[i + 1]->base_seq() - 1 : g.base_seq();
        out.push_back(std::move(info));
        continue;
      }
      const format::SegmentTrailer& t = g.trailer();
      info.last_seq = t.last_seq;
      info.records = t.record_count;
      info.bytes = t.data_end.value() - kSegmentHeaderSize;
      info.first_ts = t.first_ts;
      info.max_ts = t.max_ts;
    } else {
      // The active segment (or, on a read-only log, the unsealed tail): dense, records up to
      // what is published.
      info.last_seq = published - 1;
      info.records = published > g.base_seq() ? published - g.base_seq() : 0;
      info.bytes = g.published_end().value() - kSegmentHeaderSize;
      if (info.records > 0 && &g == active) {
        info.first_ts = active_first_ts;
        info.max_ts = active_max_ts;
      }
    }
    out.push_back(std::move(info));
  }
  return out;
}

// ---------------------------------------------------------------- compaction

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
  if (env_.read_only) return Status::NotSupported("log is open read-only: " + env_.dir);
  std::lock_guard<std::mutex> maint(maint_mu_);
  {
    std::lock_guard<std::mutex> l(mu_);
    if (closed_) return Status::Closed("log is closed: " + env_.dir);
  }
  std::shared_ptr<Segment> old;
  {
    std::lock_guard<std::mutex> sl(seg_mu_);
    // Never the newest: it may be the active one, and the log's next sequence number hangs on
    // it. The others cannot change but through maint_mu_ (retention, compaction).
    for (size_t i = 0; i + 1 < segments_.size(); ++i) {
      if (segments_[i]->base_seq() == base) {
        if (segments_[i]->sealed()) old = segments_[i];
        break;
      }
    }
  }
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
  auto seg = Segment::Sealed(env_.dir, old->base_seq(), nt, env_.maps, opt_.index_interval_bytes);
  seg->set_file_system(env_.fs);
  seg->set_read_only(env_.read_only);
  seg->InstallIndex(index);
  {
    std::lock_guard<std::mutex> sl(seg_mu_);
    auto it = std::find(segments_.begin(), segments_.end(), old);
    if (it != segments_.end()) *it = seg;
    old->MarkReplaced();  // readers inside it move to `seg`
  }

  // 5. The rename durable; 6. only then the new index (derived, not synced), so that no index
  //    of the new file can outlive a rename lost to power loss.
  SEGLOG_RETURN_IF_ERROR(env_.fs->SyncDir(env_.dir));
  (void)seg->WriteIndex(env_.fs);
  if (kept_bytes != nullptr) *kept_bytes = nt.data_end.value() - kSegmentHeaderSize;
  return Status::OK();
}

// ---------------------------------------------------------------- reading

std::shared_ptr<Segment> Log::SegmentFor(SeqNo seq) const {
  std::lock_guard<std::mutex> sl(seg_mu_);
  if (segments_.empty()) return nullptr;
  auto it = std::upper_bound(segments_.begin(), segments_.end(), seq,
                             [](SeqNo s, const std::shared_ptr<Segment>& g) {
                               return s < g->base_seq();
                             });
  return it == segments_.begin() ? segments_.front() : *(it - 1);
}

std::shared_ptr<Segment> Log::SegmentAfter(const Segment* s) const {
  std::lock_guard<std::mutex> sl(seg_mu_);
  auto it = std::upper_bound(segments_.begin(), segments_.end(), s->base_seq(),
                             [](SeqNo b, const std::shared_ptr<Segment>& g) {
                               return b < g->base_seq();
                             });
  return it == segments_.end() ? nullptr : *it;
}

std::shared_ptr<Segment> Log::SegmentForTime(TimestampMs t) const {
  std::lock_guard<std::mutex> sl(seg_mu_);
  for (const auto& g : segments_) {
    // A segment that fails its check is returned: reading it reports the error.
    if (!g->sealed() || !g->Check().ok() || g->trailer().max_ts >= t) return g;
  }
  return nullptr;
}

Status Log::NewIterator(SeqNo from, std::unique_ptr<LogIterator>* out) {
  out->reset(new LogIterator(this, from));
  return Status::OK();
}

Status Log::NewIteratorAtTime(TimestampMs t, std::unique_ptr<LogIterator>* out) {
  // Find the first record with ts >= t; timestamps never decrease along a log.
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::shared_ptr<Segment> seg = SegmentForTime(t);
    if (!seg) return NewIterator(next_seq(), out);
    std::shared_ptr<const io::MappedFile> map;
    Status s = seg->Pin(&map);
    if (!s.ok() && seg->removed()) continue;
    SEGLOG_RETURN_IF_ERROR(s);
    FileOffset off;
    s = seg->LocateTime(t, &off);
    if (!s.ok() && seg->removed()) continue;
    SEGLOG_RETURN_IF_ERROR(s);
    const uint64_t end = seg->published_end().value();
    if (off.value() >= end) {
      // Nothing at or after t in this segment: start where it ends.
      std::shared_ptr<Segment> after = SegmentAfter(seg.get());
      SeqNo from = after ? after->base_seq() : next_seq();
      if (seg->sealed() && !after) from = seg->trailer().last_seq + 1;
      return NewIterator(from, out);
    }
    BatchHeader h;
    SEGLOG_RETURN_IF_ERROR(format::ReadBatch(map->view(off.value(), end - off.value()), &h)
                               .WithContext(seg->path() + " at offset " +
                                            std::to_string(off.value())));
    format::RecordCursor c;
    ByteBuffer scratch;
    SEGLOG_RETURN_IF_ERROR(c.Init(h, map->view(off.value(), h.length), &scratch));
    RecordView r;
    while ((s = c.Next(&r)).ok()) {
      if (r.ts >= t) return NewIterator(r.seq, out);
    }
    if (!s.IsNoMore()) return s;
    return NewIterator(h.last_seq() + 1, out);
  }
  return Status::IOError("segments kept disappearing while seeking by time");
}

LogStats Log::Stats() const {
  LogStats st;
  {
    std::lock_guard<std::mutex> l(mu_);
    st.appends = appends_;
    st.syncs = syncs_;
    st.writes = writes_;
    st.mapped_appends = mapped_appends_;
    st.max_ts = last_ts_;
  }
  st.next_seq = next_seq();
  st.first_seq = first_seq();
  std::lock_guard<std::mutex> sl(seg_mu_);
  st.segments = segments_.size();
  for (const auto& g : segments_) {
    if (g->Check().ok()) st.bytes += g->published_end().value() - kSegmentHeaderSize;
  }
  if (!segments_.empty() && segments_.front()->sealed() && segments_.front()->Check().ok()) {
    st.first_ts = segments_.front()->trailer().first_ts;
  }
  return st;
}

// ---------------------------------------------------------------- iterator

Status LogIterator::Position() {
  for (int attempt = 0; attempt < 8; ++attempt) {
    next_ = std::max(next_, log_->first_seq());
    seg_ = log_->SegmentFor(next_);
    DropMap();
    in_batch_ = false;
    if (!seg_) return Status::OK();
    Status s = seg_->Pin(&map_);
    if (s.ok()) {
      FileOffset off;
      s = seg_->LocateSeq(next_, &off);
      if (s.ok()) {
        off_ = off.value();
        return Status::OK();
      }
    }
    if (!seg_->removed()) return s;
    // Retention removed it under us: go again from what remains.
  }
  return Status::IOError("segments kept disappearing while positioning an iterator");
}

void LogIterator::DropMap() {
  if (retaining_ && map_) held_maps_.push_back(std::move(map_));
  map_.reset();
}

void LogIterator::ReleaseHeld() {
  held_maps_.clear();
  held_scratch_.clear();
  retaining_ = false;
}

Status LogIterator::Next(RecordView* r) {
  if (retaining_) ReleaseHeld();  // nothing is held otherwise
  return Step(r);
}

Status LogIterator::NextRetaining(RecordView* r) {
  retaining_ = true;
  return Step(r);
}

void LogIterator::Unget(const RecordView& r) {
  unget_ = r;
  has_unget_ = true;
  next_ = r.seq;
}

Status LogIterator::NextRetainingMany(size_t max_records, std::vector<RecordView>* out) {
  retaining_ = true;
  RecordView r;
  // The first record the ordinary way: it moves between batches and segments, verifies each
  // batch's checksum before reading it, and reports errors.
  SEGLOG_RETURN_IF_ERROR(Step(&r));
  out->push_back(r);
  mark_ = cursor_;
  mark_in_batch_ = in_batch_;
  mark_seq_ = r.seq;
  // The rest of that (verified) batch in one tight loop. Its sequence numbers increase from
  // r's, so none is below next_. A segment removed by retention meanwhile is seen by the next
  // Step, as it would be between two NextRetaining calls.
  if (max_records > 1 && in_batch_ && !has_unget_) {
    if (cursor_.NextMany(max_records - 1, out) > 0) next_ = out->back().seq + 1;
  }
  return Status::OK();
}

void LogIterator::Rewind(const RecordView& r) {
  cursor_ = mark_;
  in_batch_ = mark_in_batch_;
  if (r.seq == mark_seq_) {
    Unget(r);
  } else {
    // Step skips the records before next_ that the restored cursor reads again.
    has_unget_ = false;
    next_ = r.seq;
  }
}

Status LogIterator::Step(RecordView* r) {
  if (!sticky_.ok()) return sticky_;
  if (has_unget_) {
    has_unget_ = false;
    *r = unget_;
    next_ = r->seq + 1;
    return Status::OK();
  }
  for (;;) {
    if (seg_ && seg_->removed()) {
      // Retention took this segment: its records are expired, never returned.
      seg_.reset();
      DropMap();
      in_batch_ = false;
    }
    if (in_batch_) {
      Status s = cursor_.Next(r);
      if (s.ok()) {
        if (r->seq < next_) continue;
        next_ = r->seq + 1;
        return Status::OK();
      }
      in_batch_ = false;
      if (!s.IsNoMore()) return sticky_ = s.WithContext(seg_->path());
    }
    if (!seg_) {
      SEGLOG_RETURN_IF_ERROR(Position());
      if (!seg_) return Status::NoMore();
    }
    if (!map_) {
      Status s = seg_->Pin(&map_);  // checks a sealed segment's trailer on first use
      if (!s.ok()) {
        if (seg_->removed()) continue;
        return s;
      }
    }
    const uint64_t end = seg_->published_end().value();
    if (off_ >= end) {
      if (!seg_->sealed()) {
        Status d = seg_->damage();  // acknowledged batches damaged here (recovery found)
        return d.ok() ? Status::NoMore() : (sticky_ = d);
      }
      std::shared_ptr<Segment> after = log_->SegmentAfter(seg_.get());
      if (!after) return Status::NoMore();
      seg_ = std::move(after);
      DropMap();
      off_ = format::kSegmentHeaderSize;
      continue;
    }
    Status s = format::ReadBatch(map_->view(off_, end - off_), &batch_);
    if (s.IsNoMore()) {
      s = Status::Corruption("zeros where a published batch should be");
    }
    if (!s.ok()) {
      // A bad batch is never skipped: every later call reports it again.
      return sticky_ = Status(s.code(), seg_->path() + " at offset " + std::to_string(off_) +
                                            ": " + s.message());
    }
    const uint64_t at = off_;
    off_ += batch_.length;
    if (batch_.type != format::kBatchTypeData || batch_.last_seq() < next_) continue;
    if (batch_.compressed()) {
      // Decompressed records live in scratch_; keep the previous batch's if still promised.
      if (scratch_busy_ && retaining_) {
        held_scratch_.push_back(std::move(scratch_));
        scratch_ = ByteBuffer();
      }
      scratch_busy_ = true;
    }
    s = cursor_.Init(batch_, map_->view(at, batch_.length), &scratch_);
    if (!s.ok()) return sticky_ = s.WithContext(seg_->path() + " at offset " + std::to_string(at));
    in_batch_ = true;
  }
}

}  // namespace seglog
