// LogIterator: reads a log in sequence order over the mapped segments (see log_iterator.h).
#include "engine/log/log_iterator.h"

#include <algorithm>
#include <string>
#include <utility>

#include "engine/log/log.h"

namespace seglog {

Status LogIterator::Position() {
  for (int attempt = 0; attempt < 8; ++attempt) {
    next_ = std::max(next_, log_->first_seq());
    seg_ = log_->segments_.For(next_);
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
      std::shared_ptr<Segment> after = log_->segments_.After(seg_.get());
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
