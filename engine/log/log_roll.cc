// The active segment's life in a Log: created (with the log's directory) at the first append,
// grown in place while empty, sealed with a trailer and followed by the next one (rolling).
#include <algorithm>
#include <memory>
#include <string>
#include <utility>

#include "engine/log/clock.h"
#include "engine/log/log.h"
#include "engine/log/space_reserve.h"
#include "io/file_util.h"
#include "io/mmap.h"

namespace seglog {

using format::kSegmentHeaderSize;
using format::kSegmentTrailerSize;

void Log::InstallActiveLocked(std::shared_ptr<Segment> seg, std::unique_ptr<io::WritableFile> file,
                              uint64_t capacity) {
  segments_.PushBack(seg);
  pos_.assigned.off = pending_off_ = seg->published_end().value();
  active_ = std::move(seg);
  active_file_.Reset(std::move(file), capacity, pos_.assigned.off, MappedWritesApply());
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
  if (env_.read_only) return Status::ReadOnly("log is open read-only: " + env_.dir);
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
  InstallActiveLocked(
      Segment::Active(seg_params_, base, std::move(map), FileOffset(kSegmentHeaderSize), {}),
      std::move(f), capacity);
  last_indexed_ = 0;
  seg_records_ = 0;
  pos_.StartSegment(kSegmentHeaderSize);
  return Status::OK();
}

Status Log::GrowEmptyActiveLocked(uint64_t capacity, bool* wrote) {
  *wrote = false;
  active_file_.Unmap();
  SEGLOG_RETURN_IF_ERROR(AllocateNewSegment(active_file_.file(), capacity));
  *wrote = true;
  SEGLOG_RETURN_IF_ERROR(active_file_.file()->Sync());
  std::shared_ptr<io::MappedFile> map;
  SEGLOG_RETURN_IF_ERROR(io::MappedFile::Open(active_->path(), capacity, &map));
  segments_.PopBack();
  active_->MarkRemoved();  // readers holding the old object move to the new one
  InstallActiveLocked(Segment::Active(seg_params_, active_->base_seq(), std::move(map),
                                      FileOffset(kSegmentHeaderSize), {}),
                      active_file_.TakeFile(), capacity);
  last_indexed_ = 0;
  pos_.StartSegment(kSegmentHeaderSize);
  return Status::OK();
}

Status Log::SealActiveLocked() {
  format::SegmentTrailer t;
  t.record_count = seg_records_;
  t.last_seq = pos_.assigned.seq - 1;
  t.first_ts = seg_first_ts_;
  t.max_ts = last_ts_;
  t.data_end = FileOffset(pos_.assigned.off);
  uint8_t buf[kSegmentTrailerSize];
  format::EncodeSegmentTrailer(t, buf);
  const bool data_durable = pos_.durable.off >= pos_.assigned.off;
  SEGLOG_RETURN_IF_ERROR(active_file_.SealWithTrailer(pos_.assigned.off,
                                                      ByteView(buf, sizeof(buf)), data_durable));
  syncs_ += data_durable ? 1 : 2;
  active_->MarkSealed(t);
  // The index is derived data: if writing it fails, readers rebuild it from the segment.
  (void)active_->WriteIndex(env_.fs);
  active_file_.Close();
  active_.reset();
  return Status::OK();
}

Status Log::RollLocked(uint64_t need) {
  Status s;
  bool wrote = false;
  if (!active_) {
    s = CreateSegmentLocked(pos_.assigned.seq, need, &wrote);
  } else if (seg_records_ == 0) {
    // An empty segment too small for this batch grows in place: the file is never removed,
    // so the log never loses track of its next sequence number.
    s = GrowEmptyActiveLocked(need, &wrote);
  } else {
    s = SealActiveLocked();
    wrote = true;
    if (s.ok()) s = CreateSegmentLocked(pos_.assigned.seq, need, &wrote);
  }
  // Failing to allocate a new segment's space before anything was written to it changes
  // nothing on disk: that append fails, the next one tries again. Anything else is sticky.
  if (!s.ok() && wrote) {
    error_ = s;
    cv_.notify_all();
  }
  return s;
}

}  // namespace seglog
