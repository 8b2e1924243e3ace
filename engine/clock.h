// Where a log's timestamps come from. Injectable so that tests control time without sleeping.
#pragma once

#include <atomic>
#include <chrono>

#include "format/types.h"

namespace seglog {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimestampMs NowMs() = 0;
};

// Wall clock (CLOCK_REALTIME), milliseconds since the epoch.
class SystemClock final : public Clock {
 public:
  TimestampMs NowMs() override {
    auto d = std::chrono::system_clock::now().time_since_epoch();
    return TimestampMs(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
  }
  static SystemClock* Default() {
    static SystemClock c;
    return &c;
  }
};

// A clock that moves only when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_ms = 1'700'000'000'000) : now_(start_ms) {}
  TimestampMs NowMs() override { return TimestampMs(now_.load(std::memory_order_relaxed)); }
  void Advance(int64_t ms) { now_.fetch_add(ms, std::memory_order_relaxed); }
  void Set(int64_t ms) { now_.store(ms, std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace seglog
