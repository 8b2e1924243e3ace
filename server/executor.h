// seglogd's worker pool: storage calls run here, never on the event loop, and long polls wait
// here as timers, holding no thread.
//
// Lifetime: Stop() (or the destructor) runs no new task, drops pending timers without running
// them, and joins the threads; tasks already running finish first. Concurrency: every method
// may be called from any thread, including from inside a task.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace seglog::server {

class Executor {
 public:
  using Task = std::function<void()>;
  using TimerId = uint64_t;

  explicit Executor(size_t threads);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Runs `task` on a worker thread, in FIFO order of posting (started in order; with several
  // threads they overlap). Ignored after Stop.
  void Post(Task task);
  // Runs `task` on a worker `delay` from now (a steady clock). Returns its id (never 0).
  TimerId After(std::chrono::milliseconds delay, Task task);
  // True when the timer was pending and now will not run; false when it ran, is running, or
  // is unknown.
  bool Cancel(TimerId id);
  // Tasks waiting to start (a gauge for /metrics).
  size_t Pending() const;
  size_t Threads() const { return threads_.size(); }
  void Stop();

 private:
  using Clock = std::chrono::steady_clock;
  void Run();

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> ready_;
  // Pending timers by (due, id); ids_ maps an id back to its due time.
  std::map<std::pair<Clock::time_point, TimerId>, Task> timers_;
  std::map<TimerId, Clock::time_point> ids_;
  TimerId next_id_ = 1;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace seglog::server
