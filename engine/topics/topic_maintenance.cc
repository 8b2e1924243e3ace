// Topics: WaitDelivered and retention (SPEC.md Part VII, "Retention"): a topic's sealed
// segments go once every subscription's durable cursor (its last fdatasynced slot) is past
// them, or once they are older than the topic's retention (a FIFO topic keeps the last 5
// minutes whatever: its dedup window is recovered from them).
#include "engine/topics/topics_internal.h"

namespace seglog {

Status Topics::WaitDelivered(const std::string& topic, int64_t timeout_ms) {
  Impl& m = *impl_;
  std::shared_ptr<TopicState> t;
  SEGLOG_RETURN_IF_ERROR(m.Find(topic, &t));
  const uint64_t target = t->log->next_seq().value();
  m.work_cv.notify_all();
  std::unique_lock<std::mutex> l(m.mu);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto done = [&] {
    if (t->deleted || m.stop) return true;
    for (const auto& s : t->subs) {
      if (!s->removed && s->cursor < target) return false;
    }
    return true;
  };
  if (!m.done_cv.wait_until(l, deadline, done)) {
    return Status::Busy("TimedOut: topic '" + topic + "': deliveries still pending");
  }
  return Status::OK();
}

Status Topics::Impl::RunRetention(const std::shared_ptr<TopicState>& t) {
  // Make the cursors durable first: an idle subscription's last slot may not be synced yet.
  std::vector<std::shared_ptr<TopicSub>> subs;
  {
    std::lock_guard<std::mutex> l(mu);
    subs = t->subs;
  }
  for (const auto& s : subs) SEGLOG_RETURN_IF_ERROR(WriteCursor(*s, /*sync=*/true));
  uint64_t bound = UINT64_MAX;
  uint32_t retention_s = 0;
  bool fifo = false;
  {
    std::lock_guard<std::mutex> l(mu);
    if (t->deleted) return Status::OK();
    for (const auto& s : t->subs) bound = std::min(bound, s->synced_cursor);
    retention_s = t->config.retention_s;
    fifo = t->config.type == TopicType::kFifo;
    ++t->readers;  // the log is not dropped under us
  }
  const int64_t now = Now();
  int64_t cutoff = now - static_cast<int64_t>(retention_s) * 1000;
  Status s;
  if (fifo) {
    // Keep the dedup window: by time only, and not within the last 5 minutes.
    bound = 0;
    cutoff = std::min(cutoff, now - kTopicDedupWindowMs);
  }
  if (bound == UINT64_MAX) bound = t->log->next_seq().value();  // no subscription
  if (bound > 0) s = t->log->RemoveSegmentsBefore(SeqNo(bound));
  if (s.ok()) s = t->log->RemoveSegmentsOlderThan(TimestampMs(cutoff));
  {
    std::lock_guard<std::mutex> l(mu);
    --t->readers;
  }
  done_cv.notify_all();
  return s;
}

Status Topics::RunMaintenance() {
  SEGLOG_RETURN_IF_ERROR(impl_->open_status);
  std::vector<std::shared_ptr<TopicState>> all;
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    for (auto& [name, t] : impl_->topics) all.push_back(t);
  }
  Status first;
  for (const auto& t : all) {
    Status s = impl_->RunRetention(t);
    if (first.ok() && !s.ok()) first = s;
  }
  return first;
}

}  // namespace seglog
