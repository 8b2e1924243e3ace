// Log: opening, the write path (group commit, mapped writes, durable marks), syncs and close,
// retention and the read-side entry points. Recovery is in log_recovery.cc, the active
// segment's creation, growth and sealing in log_roll.cc, compaction in compaction.cc.
#include "engine/log/log.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <utility>

#include "engine/log/clock.h"
#include "engine/log/map_cache.h"
#include "io/file_util.h"
#include "io/mmap.h"

namespace seglog {

using format::BatchHeader;
using format::IndexEntry;
using format::kSegmentHeaderSize;
using format::kDurableMarkSize;
using format::kSegmentTrailerSize;

Log::Log(const Env& env, const LogOptions& opt)
    : env_(env),
      opt_(opt),
      seg_params_{env.dir, env.maps, opt.index_interval_bytes, env.fs, env.read_only} {}

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

// ---------------------------------------------------------------- writing

void Log::LeadWriteLocked(std::unique_lock<std::mutex>& l) {
  leader_active_ = true;
  ByteBuffer buf = std::move(pending_);
  pending_ = std::move(spare_);
  pending_.clear();
  const uint64_t off = pending_off_;
  pending_off_ += buf.size();
  const SeqNo target = pos_.assigned.seq;
  const bool sync = opt_.durability == Durability::kAlways;
  io::WritableFile* f = active_file_.file();
  std::shared_ptr<Segment> seg = active_;
  uint64_t wb_from = 0, wb_to = 0;
  if (!sync) active_file_.NextWriteback(off + buf.size(), &wb_from, &wb_to);
  // Not reset while this write is in flight (sealing and closing wait for it).
  io::WritableMapping* wmap = active_file_.mapping();
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
    pos_.written.seq = target;
    pos_.written.off = off + n;
    if (sync) {
      pos_.durable.seq = target;
      pos_.durable.off = off + n;
    }
    seg->Publish(FileOffset(off + n));
    pos_.Publish(target);
  }
  cv_.notify_all();
}

Status Log::Append(std::span<const Record> records, SeqNo* first_seq) {
  if (records.empty()) return Status::InvalidArgument("append of an empty batch");
  if (records.size() > UINT32_MAX) return Status::TooLarge("too many records in one batch");
  std::unique_lock<std::mutex> l(mu_);
  if (closed_) return Status::Closed("log is closed: " + env_.dir);
  if (env_.read_only) return Status::ReadOnly("log is open read-only: " + env_.dir);
  if (!error_.ok()) return error_;

  // inputs_ is reused (no allocation per append once warm) but only while mu_ is held
  // throughout: making room below may release it, so the inputs are filled again after it.
  std::vector<format::RecordInput>& in = inputs_;
  auto fill = [&] {
    const TimestampMs ts = std::max(env_.clock->NowMs(), last_ts_);
    in.resize(records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      in[i] = format::RecordInput{pos_.assigned.seq + i, ts, records[i].key, records[i].value,
                                  records[i].attrs};
    }
  };
  fill();
  const size_t max_len = format::MaxEncodedBatchSize(in);
  if (max_len > format::kMaxBatchSize) {
    return Status::TooLarge("batch of " + std::to_string(max_len) + " bytes exceeds the " +
                            std::to_string(format::kMaxBatchSize) + "-byte limit");
  }
  bool released = false;
  SEGLOG_RETURN_IF_ERROR(MakeRoomLocked(l, max_len, &released));
  // Others may have appended (and used inputs_) while the lock was released.
  if (released) fill();
  if (active_file_.map_deferred()) {
    active_file_.MapDeferred(pos_.assigned.off, MappedWritesApply());
  }

  const size_t before = pending_.size();
  const SeqNo first = pos_.assigned.seq;
  size_t len = 0;
  SEGLOG_RETURN_IF_ERROR(EncodeBatchLocked(in, &len));
  const SeqNo mine = pos_.assigned.seq;

  // A small batch is copied into the mapping when nothing is queued or being written before
  // it (it is published at once, so everything before it must be written already). A large one
  // goes through write(2): the syscall is paid once for many bytes, and the kernel copies into
  // the page cache more cheaply than stores through a fresh mapping, page by page, do.
  if (active_file_.mapping() != nullptr && len <= kMaxMappedAppend && before == 0 &&
      !leader_active_) {
    CopyToMappingLocked(pos_.assigned.off - pending_.size(), mine);
  } else {
    SEGLOG_RETURN_IF_ERROR(GroupCommitLocked(l, mine));
  }
  ++appends_;
  if (first_seq != nullptr) *first_seq = first;
  return Status::OK();
}

Status Log::MakeRoomLocked(std::unique_lock<std::mutex>& l, size_t max_len, bool* released) {
  // Roll over when the batch (and a durable mark before it) does not fit the active segment
  // beside room for the trailer; create the active segment when there is none yet.
  while (!active_ ||
         pos_.assigned.off + kDurableMarkSize + max_len + kSegmentTrailerSize >
             active_file_.capacity()) {
    if (leader_active_ || syncing_) {
      cv_.wait(l);
      *released = true;
    } else if (!pending_.empty()) {
      LeadWriteLocked(l);
      *released = true;
    } else if (!error_.ok()) {
      return error_;
    } else {
      SEGLOG_RETURN_IF_ERROR(RollLocked(kSegmentHeaderSize + kDurableMarkSize + max_len +
                                        kSegmentTrailerSize));
    }
    if (closed_) return Status::Closed("log is closed: " + env_.dir);
    if (!error_.ok()) return error_;
  }
  return Status::OK();
}

Status Log::EncodeBatchLocked(const std::vector<format::RecordInput>& in, size_t* len) {
  const size_t before = pending_.size();
  const uint64_t marked_before = pos_.marked_off;
  if (pos_.durable.off > pos_.marked_off) {
    // The last completed sync covered more than any mark says: say so at the start of this
    // write (SPEC.md 8.1), so that recovery can tell damage below it from a torn tail.
    format::EncodeDurableMark({FileOffset(pos_.durable.off), pos_.durable.seq}, &pending_);
    pos_.marked_off = pos_.durable.off;
    pos_.assigned.off += kDurableMarkSize;
  }
  format::BatchEncodeOptions eo;
  eo.compress_min_bytes = opt_.compress_min_bytes;
  Status s = format::EncodeBatch(in, eo, &pending_, &scratch_, len);
  if (!s.ok()) {
    pos_.assigned.off -= pending_.size() - before;
    pending_.resize(before);
    pos_.marked_off = marked_before;
    return s;
  }
  const SeqNo first = pos_.assigned.seq;
  const TimestampMs ts = in.front().ts;
  if (seg_records_ == 0 || pos_.assigned.off - last_indexed_ >= opt_.index_interval_bytes) {
    active_->AddIndexEntry(IndexEntry{first, FileOffset(pos_.assigned.off), ts});
    last_indexed_ = pos_.assigned.off;
  }
  if (seg_records_ == 0) seg_first_ts_ = ts;
  pos_.assigned.off += *len;
  pos_.assigned.seq = pos_.assigned.seq + in.size();
  seg_records_ += in.size();
  last_ts_ = ts;
  return Status::OK();
}

Status Log::GroupCommitLocked(std::unique_lock<std::mutex>& l, SeqNo mine) {
  // Whoever finds no write in flight writes everything pending.
  const bool always = opt_.durability == Durability::kAlways;
  for (;;) {
    if ((always ? pos_.durable.seq : pos_.written.seq) >= mine) return Status::OK();
    if (!error_.ok()) return error_;
    if (closed_) {
      return Status::Closed("log was closed before this append was written: " + env_.dir);
    }
    if (!leader_active_) {
      LeadWriteLocked(l);
    } else {
      cv_.wait(l);
    }
  }
}

void Log::CopyToMappingLocked(uint64_t off, SeqNo next) {
  const uint64_t n = pending_.size();
  active_file_.CopyIn(off, pending_);
  pending_.clear();
  pending_off_ = off + n;
  ++mapped_appends_;
  // The bytes are in the page cache now: "written" (a process crash keeps them) and, for
  // readers in this process, visible through their own mapping of the same pages.
  pos_.written.seq = next;
  pos_.written.off = off + n;
  active_->Publish(FileOffset(off + n));
  pos_.Publish(next);
  cv_.notify_all();
}

Status Log::SyncLocked(std::unique_lock<std::mutex>& l) {
  while (syncing_ || leader_active_) cv_.wait(l);
  if (!error_.ok()) return error_;
  io::WritableFile* f = active_file_.file();
  if (f == nullptr) return Status::OK();
  const SeqNo target = pos_.written.seq;
  const uint64_t target_off = pos_.written.off;  // the active segment cannot change meanwhile
  if (pos_.durable.seq >= target) return Status::OK();
  syncing_ = true;
  l.unlock();
  Status s = f->Sync();
  l.lock();
  syncing_ = false;
  ++syncs_;
  if (!s.ok()) {
    if (error_.ok()) error_ = s;
  } else if (target > pos_.durable.seq) {
    pos_.durable.seq = target;
    pos_.durable.off = std::max(pos_.durable.off, target_off);
  }
  cv_.notify_all();
  return s;
}

Status Log::WriteCloseMarkLocked(std::unique_lock<std::mutex>& l) {
  while (leader_active_ || syncing_) cv_.wait(l);
  // Everything written is synced now: one last mark protects all of it (SPEC.md 8.1), so that
  // damage anywhere in the active segment after a clean close is reported, never cut off.
  if (active_file_.file() == nullptr || !error_.ok() || pos_.durable.off <= pos_.marked_off ||
      !pending_.empty() || pos_.assigned.off != pos_.written.off ||
      pos_.assigned.off + kDurableMarkSize + kSegmentTrailerSize > active_file_.capacity()) {
    return Status::OK();
  }
  ByteBuffer mark;
  format::EncodeDurableMark({FileOffset(pos_.durable.off), pos_.durable.seq}, &mark);
  Status s = active_file_.file()->WriteAndSync(FileOffset(pos_.assigned.off), mark);
  ++syncs_;
  if (!s.ok()) return s;
  pos_.marked_off = pos_.durable.off;
  pos_.assigned.off += kDurableMarkSize;
  pos_.written.off = pos_.assigned.off;
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
  active_file_.Close();
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
  if (env_.read_only) return Status::ReadOnly("log is open read-only: " + env_.dir);
  // Not beside a rewrite: it would rename its file back over one removed here.
  std::lock_guard<std::mutex> maint(maint_mu_);
  std::vector<std::shared_ptr<Segment>> victims;
  const Status check = segments_.RemoveOldestWhile(expired, &victims);
  if (victims.empty()) return check;
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
    list = segments_.Snapshot();
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

// ---------------------------------------------------------------- reading

Status Log::NewIterator(SeqNo from, std::unique_ptr<LogIterator>* out) {
  out->reset(new LogIterator(this, from));
  return Status::OK();
}

Status Log::NewIteratorAtTime(TimestampMs t, std::unique_ptr<LogIterator>* out) {
  // Find the first record with ts >= t; timestamps never decrease along a log.
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::shared_ptr<Segment> seg = segments_.ForTime(t);
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
      std::shared_ptr<Segment> after = segments_.After(seg.get());
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
    st.durable_seq = pos_.durable.seq;
    st.writes = writes_;
    st.mapped_appends = mapped_appends_;
    st.max_ts = last_ts_;
  }
  st.next_seq = next_seq();
  st.first_seq = first_seq();
  const SegmentSet::Totals totals = segments_.GetTotals();
  st.segments = totals.segments;
  st.bytes = totals.bytes;
  st.first_ts = totals.first_ts;
  return st;
}

}  // namespace seglog
