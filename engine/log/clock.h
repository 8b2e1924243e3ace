// Where a log's timestamps come from. Injectable so that tests control time without sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

#include "format/types.h"

namespace seglog {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimestampMs NowMs() = 0;

  // Waiters for a moment in clock time (long polls, visibility timeouts) sleep in real time
  // and are also woken by the listeners of a clock that jumps (ManualClock). A listener runs
  // after every jump, on the jumping thread; it must not call AddListener/RemoveListener.
  // RemoveListener returns only once the listener is not running. Real clocks never call them.
  virtual uint64_t AddListener(std::function<void()> /*f*/) { return 0; }
  virtual void RemoveListener(uint64_t /*id*/) {}
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
  TimestampMs NowMs() override { return TimestampMs(now_.load(std::memory_order_acquire)); }
  void Advance(int64_t ms) {
    now_.fetch_add(ms, std::memory_order_acq_rel);
    Notify();
  }
  void Set(int64_t ms) {
    now_.store(ms, std::memory_order_release);
    Notify();
  }
  uint64_t AddListener(std::function<void()> f) override {
    std::lock_guard<std::mutex> l(listeners_mu_);
    listeners_.emplace(++last_id_, std::move(f));
    return last_id_;
  }
  void RemoveListener(uint64_t id) override {
    std::lock_guard<std::mutex> l(listeners_mu_);
    listeners_.erase(id);
  }

 private:
  void Notify() {
    std::lock_guard<std::mutex> l(listeners_mu_);
    for (auto& [id, f] : listeners_) f();
  }

  std::atomic<int64_t> now_;
  std::mutex listeners_mu_;
  std::map<uint64_t, std::function<void()>> listeners_;
  uint64_t last_id_ = 0;
};

}  // namespace seglog
