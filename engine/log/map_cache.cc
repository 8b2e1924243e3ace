#include "engine/log/map_cache.h"

#include <utility>
#include <vector>

namespace seglog {

void MapCache::Insert(const void* owner, std::shared_ptr<const io::MappedFile> m) {
  std::vector<std::shared_ptr<const io::MappedFile>> dropped;  // unmapped outside the lock
  std::lock_guard<std::mutex> l(mu_);
  if (auto it = index_.find(owner); it != index_.end()) {
    dropped.push_back(std::move(it->second->map));
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front(Entry{owner, std::move(m)});
  index_[owner] = lru_.begin();
  while (lru_.size() > capacity_) {
    dropped.push_back(std::move(lru_.back().map));
    index_.erase(lru_.back().owner);
    lru_.pop_back();
  }
}

void MapCache::Touch(const void* owner) {
  std::lock_guard<std::mutex> l(mu_);
  if (auto it = index_.find(owner); it != index_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second);
  }
}

void MapCache::Erase(const void* owner) {
  std::shared_ptr<const io::MappedFile> dropped;
  std::lock_guard<std::mutex> l(mu_);
  if (auto it = index_.find(owner); it != index_.end()) {
    dropped = std::move(it->second->map);
    lru_.erase(it->second);
    index_.erase(it);
  }
}

size_t MapCache::size() const {
  std::lock_guard<std::mutex> l(mu_);
  return lru_.size();
}

}  // namespace seglog
