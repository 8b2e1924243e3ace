// A bounded cache of the mappings of sealed segments, shared by all logs of a store.
//
// Sealed segments are mapped lazily, on first read, and at most `capacity` stay mapped because
// of this cache; the least recently used is dropped first. A dropped mapping is unmapped only
// when the last reader holding it (a shared_ptr pin) lets go, so a reader's pointers never
// dangle. Thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "io/mmap.h"

namespace seglog {

class MapCache {
 public:
  explicit MapCache(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Keeps `m` for `owner` (a Segment), evicting the least recently used beyond capacity.
  void Insert(const void* owner, std::shared_ptr<const io::MappedFile> m);
  // Marks `owner` as recently used.
  void Touch(const void* owner);
  // Forgets `owner` (its segment is going away).
  void Erase(const void* owner);
  size_t size() const;

 private:
  struct Entry {
    const void* owner;
    std::shared_ptr<const io::MappedFile> map;
  };
  const size_t capacity_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // front: most recent
  std::unordered_map<const void*, std::list<Entry>::iterator> index_;
};

}  // namespace seglog
