#include "engine/log/segment_set.h"

#include <algorithm>
#include <utility>

namespace seglog {

void SegmentSet::ResetFirstSeq(SeqNo when_empty) {
  std::lock_guard<std::mutex> l(mu_);
  first_seq_.store(segments_.empty() ? when_empty.value() : segments_.front()->base_seq().value(),
                   std::memory_order_release);
}

void SegmentSet::PushBack(std::shared_ptr<Segment> seg) {
  std::lock_guard<std::mutex> l(mu_);
  segments_.push_back(std::move(seg));
}

void SegmentSet::PopBack() {
  std::lock_guard<std::mutex> l(mu_);
  segments_.pop_back();
}

std::shared_ptr<Segment> SegmentSet::Newest() const {
  std::lock_guard<std::mutex> l(mu_);
  return segments_.empty() ? nullptr : segments_.back();
}

size_t SegmentSet::size() const {
  std::lock_guard<std::mutex> l(mu_);
  return segments_.size();
}

std::vector<std::shared_ptr<Segment>> SegmentSet::Snapshot() const {
  std::lock_guard<std::mutex> l(mu_);
  return {segments_.begin(), segments_.end()};
}

std::shared_ptr<Segment> SegmentSet::For(SeqNo seq) const {
  std::lock_guard<std::mutex> l(mu_);
  if (segments_.empty()) return nullptr;
  auto it = std::upper_bound(segments_.begin(), segments_.end(), seq,
                             [](SeqNo s, const std::shared_ptr<Segment>& g) {
                               return s < g->base_seq();
                             });
  return it == segments_.begin() ? segments_.front() : *(it - 1);
}

std::shared_ptr<Segment> SegmentSet::After(const Segment* s) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = std::upper_bound(segments_.begin(), segments_.end(), s->base_seq(),
                             [](SeqNo b, const std::shared_ptr<Segment>& g) {
                               return b < g->base_seq();
                             });
  return it == segments_.end() ? nullptr : *it;
}

std::shared_ptr<Segment> SegmentSet::ForTime(TimestampMs t) const {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& g : segments_) {
    // A segment that fails its check is returned: reading it reports the error.
    if (!g->sealed() || !g->Check().ok() || g->trailer().max_ts >= t) return g;
  }
  return nullptr;
}

std::shared_ptr<Segment> SegmentSet::SealedOlderThanNewest(SeqNo base) const {
  std::lock_guard<std::mutex> l(mu_);
  for (size_t i = 0; i + 1 < segments_.size(); ++i) {
    if (segments_[i]->base_seq() == base) {
      return segments_[i]->sealed() ? segments_[i] : nullptr;
    }
  }
  return nullptr;
}

Status SegmentSet::RemoveOldestWhile(const std::function<bool(const Segment&)>& expired,
                                     std::vector<std::shared_ptr<Segment>>* victims) {
  std::lock_guard<std::mutex> l(mu_);
  Status check;
  // Decide first (a segment that cannot be checked ends the run), then take them out.
  size_t n = 0;
  while (n + 1 < segments_.size() && segments_[n]->sealed()) {
    check = segments_[n]->Check();
    if (!check.ok() || !expired(*segments_[n])) break;
    ++n;
  }
  if (n == 0) return check;
  for (size_t i = 0; i < n; ++i) {
    victims->push_back(segments_.front());
    segments_.pop_front();
    // Expired from now on, whether or not its file is gone yet: readers move on.
    victims->back()->MarkRemoved();
  }
  first_seq_.store(segments_.front()->base_seq().value(), std::memory_order_release);
  return check;
}

void SegmentSet::Replace(const std::shared_ptr<Segment>& old, std::shared_ptr<Segment> seg) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = std::find(segments_.begin(), segments_.end(), old);
  if (it != segments_.end()) *it = std::move(seg);
  old->MarkReplaced();  // readers inside it move to `seg`
}

SegmentSet::Totals SegmentSet::GetTotals() const {
  std::lock_guard<std::mutex> l(mu_);
  Totals t;
  t.segments = segments_.size();
  for (const auto& g : segments_) {
    if (g->Check().ok()) t.bytes += g->published_end().value() - format::kSegmentHeaderSize;
  }
  if (!segments_.empty() && segments_.front()->sealed() && segments_.front()->Check().ok()) {
    t.first_ts = segments_.front()->trailer().first_ts;
  }
  return t;
}

}  // namespace seglog
