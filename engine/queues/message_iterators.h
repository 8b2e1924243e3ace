// MessageIterators: message-log iterators kept between a queue's receives. Receivers mostly
// read the log in id order; a fresh iterator must first locate its batch (an index lookup and
// a checksummed scan), which costs more than the read itself.
//
// Lifetime: owned by its queue; the log must outlive every iterator here, so the queue calls
// Drop() before its logs go, and maintenance and compaction call it too (an idle iterator pins
// its segment's mapping). Concurrency: thread-safe (its own mutex, held for a scan of at most
// kPool entries). Durability: none; it only reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/log/log.h"
#include "format/status.h"

namespace seglog {

class MessageIterators {
 public:
  static constexpr size_t kPool = 4;
  static constexpr uint64_t kReach = 64;  // records an iterator skips rather than relocate

  // An iterator of `log` positioned at or before `id`, at most kReach records before it: a
  // pooled one when one fits, else a new one.
  Status Take(Log* log, uint64_t id, std::unique_ptr<LogIterator>* out);
  // Takes back iterators that returned no error (the views they handed out are released);
  // when the pool is full, keeps the ones furthest ahead. Clears *its.
  void Return(std::vector<std::unique_ptr<LogIterator>>* its);
  // Forgets every pooled iterator.
  void Drop();

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<LogIterator>> pool_;  // guarded by mu_
};

}  // namespace seglog
