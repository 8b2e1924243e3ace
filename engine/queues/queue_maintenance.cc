// Queue: compaction and maintenance (engine/queues/queue_internal.h).
#include "engine/queues/queue_internal.h"

namespace seglog {

using queue_internal::AsBytes;
using queue_internal::AsChars;

// ---------------------------------------------------------------------------------------
// Queue: compaction and maintenance

// Removes segments whose messages are all deleted or expired, rewrites older ones with under
// half their bytes live. `live` only loses an id once its delete is journaled; the journal is
// synced first, so every record dropped here is durably deleted (or expired).
Status Queues::Queue::Compact(size_t* rewritten, size_t* removed) {
  SEGLOG_RETURN_IF_ERROR(Expire());
  const int64_t now = Now();
  auto is_live = [this](SeqNo q) { return IsLive(q); };
  // Plan first (reading only), so that an idle queue costs no sync.
  std::vector<std::pair<SeqNo, bool>> rewrites;  // (base, keep live records; false: none)
  uint64_t remove_before = 0;
  bool prefix = true;
  const std::vector<SegmentInfo> segs = log->Segments();
  for (size_t i = 0; i + 1 < segs.size(); ++i) {
    const SegmentInfo& sg = segs[i];
    if (!sg.sealed || !sg.status.ok()) break;
    // FIFO recovery reads the dedup ids of the last 5 minutes from the records themselves.
    if (fifo() && sg.max_ts.value() + kQueueDedupWindowMs > now) break;
    const uint64_t lo = sg.base_seq.value(), hi = sg.last_seq.value() + 1;
    // Sends publish to memory after their append returns: a segment holding a message not
    // published yet would look dead. Only segments wholly below publish_next are judged.
    if (hi > state_.published_end()) break;
    uint64_t live_n = 0;
    {
      std::lock_guard<std::mutex> l(mu);
      live_n = state_.live_between(lo, hi);
    }
    if (live_n == 0) {
      if (sg.records == 0) continue;
      if (prefix) {
        remove_before = hi;
      } else {
        rewrites.emplace_back(sg.base_seq, false);
      }
      continue;
    }
    prefix = false;
    if (live_n >= sg.records) continue;
    {
      std::lock_guard<std::mutex> l(mu);
      auto [it, fresh] = compaction_seen_.emplace(lo, live_n);
      if (!fresh && it->second == live_n) continue;  // judged before, nothing changed since
      it->second = live_n;
    }
    // Live bytes: the records' sizes, read from the mapping.
    uint64_t live_bytes = 0, all_bytes = 0;
    std::unique_ptr<LogIterator> it;
    SEGLOG_RETURN_IF_ERROR(log->NewIterator(sg.base_seq, &it));
    RecordView r;
    Status s;
    while ((s = it->Next(&r)).ok() && r.seq.value() < hi) {
      const uint64_t b = r.key.size() + r.value.size() + r.attrs.size() + 8;
      all_bytes += b;
      if (is_live(r.seq)) live_bytes += b;
    }
    if (!s.ok() && !s.IsNoMore()) return s;
    if (live_bytes * 2 < all_bytes) rewrites.emplace_back(sg.base_seq, true);
  }
  size_t rw = 0, rm = 0;
  Status s = ApplyCompaction(rewrites, remove_before, &rw, &rm);
  if (rm > 0) owner_->store_->RefillReserve();
  if (rewritten != nullptr) *rewritten = rw;
  if (removed != nullptr) *removed = rm;
  return s;
}

Status Queues::Queue::ApplyCompaction(const std::vector<std::pair<SeqNo, bool>>& rewrites,
                                      uint64_t remove_before, size_t* rw, size_t* rm) {
  if (rewrites.empty() && remove_before == 0) return Status::OK();
  iters.Drop();  // an idle one would keep the old segment mapped
  // An id leaves `live` only after its delete was appended to the journal; synced now, every
  // record dropped below is durably deleted (or expired, which needs no record).
  SEGLOG_RETURN_IF_ERROR(journal->Sync());
  if (remove_before > 0) {
    size_t n = 0;
    SEGLOG_RETURN_IF_ERROR(log->RemoveSegmentsBefore(SeqNo(remove_before), &n));
    *rm += n;
  }
  auto is_live = [this](SeqNo q) { return IsLive(q); };
  for (const auto& [base, keep_live] : rewrites) {
    // A rewrite writes the new segment before the old one goes: not on a full disk. (One that
    // keeps nothing needs only a header and a trailer: tried, and skipped if even that fails.)
    if (keep_live && owner_->store_->SpaceIsShort()) break;
    Status s = keep_live ? log->RewriteSegment(base, is_live)
                         : log->RewriteSegment(base, [](SeqNo) { return false; });
    if (s.code() == StatusCode::kNoSpace) continue;
    SEGLOG_RETURN_IF_ERROR(s);
    ++*(keep_live ? rw : rm);
  }
  return Status::OK();
}

Status Queues::Queue::Maintain(const QueuesOptions& opt) {
  iters.Drop();  // an idle one would keep a removed segment mapped
  SEGLOG_RETURN_IF_ERROR(Expire());
  const int64_t now = Now();
  {
    std::lock_guard<std::mutex> l(mu);
    state_.ExpireDedup(now);
  }
  // FIFO recovery reads the dedup ids of the last 5 minutes from the records themselves: a
  // FIFO queue keeps them that long whatever its retention (60 s at least).
  int64_t keep_ms = static_cast<int64_t>(config()->retention_s) * 1000;
  if (fifo()) keep_ms = std::max(keep_ms, kQueueDedupWindowMs);
  size_t expired = 0;
  SEGLOG_RETURN_IF_ERROR(log->RemoveSegmentsOlderThan(TimestampMs(now - keep_ms), &expired));
  if (expired > 0) owner_->store_->RefillReserve();
  if (opt.compaction) SEGLOG_RETURN_IF_ERROR(Compact(nullptr, nullptr));
  if (journal->Stats().bytes > opt.journal_snapshot_bytes) {
    del->ForgetBelow(log->first_seq());
    SEGLOG_RETURN_IF_ERROR(del->Snapshot());
  }
  return Status::OK();
}

}  // namespace seglog
