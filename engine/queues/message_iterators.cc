#include "engine/queues/message_iterators.h"

#include <utility>

namespace seglog {

Status MessageIterators::Take(Log* log, uint64_t id, std::unique_ptr<LogIterator>* out) {
  {
    std::lock_guard<std::mutex> l(mu_);
    size_t best = pool_.size();
    uint64_t best_pos = 0;
    for (size_t i = 0; i < pool_.size(); ++i) {
      const uint64_t pos = pool_[i]->position().value();
      if (pos <= id && id - pos <= kReach && (best == pool_.size() || pos > best_pos)) {
        best = i;
        best_pos = pos;
      }
    }
    if (best < pool_.size()) {
      *out = std::move(pool_[best]);
      pool_[best] = std::move(pool_.back());
      pool_.pop_back();
      return Status::OK();
    }
  }
  return log->NewIterator(SeqNo(id), out);
}

void MessageIterators::Return(std::vector<std::unique_ptr<LogIterator>>* its) {
  std::unique_ptr<LogIterator> evicted;
  std::lock_guard<std::mutex> l(mu_);
  for (auto& it : *its) {
    it->ReleaseHeld();
    if (pool_.size() < kPool) {
      pool_.push_back(std::move(it));
      continue;
    }
    // Full: replace the one furthest behind (the newest positions serve the next receives).
    size_t low = 0;
    for (size_t i = 1; i < pool_.size(); ++i) {
      if (pool_[i]->position() < pool_[low]->position()) low = i;
    }
    if (pool_[low]->position() < it->position()) std::swap(pool_[low], it);
  }
  its->clear();
}

void MessageIterators::Drop() {
  std::vector<std::unique_ptr<LogIterator>> old;
  std::lock_guard<std::mutex> l(mu_);
  old.swap(pool_);
}

}  // namespace seglog
