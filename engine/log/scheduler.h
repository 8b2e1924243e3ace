// Scheduler: one background thread that runs periodic tasks from a deadline heap. A store owns
// two, so that it has two background threads however many logs it holds (a 1,024-shard
// INTERVAL stream used to start 1,024 sync threads, each with its own io_uring ring): one runs
// the interval syncs of INTERVAL logs (each an fdatasync: short), the other stream retention
// and queue maintenance (file removal, compaction rewrites: seconds at worst), which must never
// hold back a sync and so stretch INTERVAL's window of loss.
//
// Lifetime: owned by the Store (a Log opened without a store owns one of its own); the thread
// starts with the first task and stops in the destructor, after every task was cancelled.
// Concurrency: thread-safe. Tasks run one at a time on the scheduler thread with no scheduler
// lock held; a task may schedule or cancel tasks, its own included. A period is measured from
// the end of one run to the start of the next (a slow run delays, never piles up). A task that
// runs long delays the others: tasks do bounded work (one sync, one retention pass).
// Durability: none of its own; the tasks carry it (an INTERVAL log's sync runs every
// sync_interval_ms after the previous one ends).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace seglog {

class Scheduler {
 public:
  using TaskId = uint64_t;
  using Duration = std::chrono::steady_clock::duration;

  // `name` names the thread (at most 15 characters: "seglog-sync").
  explicit Scheduler(const char* name) : name_(name) {}
  // REQUIRES: every task cancelled.
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Runs fn every `period` (the first run one period from now) until Cancel(id).
  TaskId Every(Duration period, std::function<void()> fn);
  // After Cancel returns, fn is not running (unless Cancel was called from fn itself) and never
  // runs again. Cancelling an unknown or cancelled id does nothing.
  void Cancel(TaskId id);
  // The number of scheduled tasks (tests).
  size_t size() const;

 private:
  struct Task {
    Duration period;
    std::function<void()> fn;
    bool cancelled = false;  // cancelled from inside its own run: erased when it returns
  };
  using Deadline = std::pair<std::chrono::steady_clock::time_point, TaskId>;

  void Run();

  const char* const name_;
  mutable std::mutex mu_;
  std::condition_variable wake_;  // a new earliest deadline, or stop
  std::condition_variable done_;  // a run finished (Cancel waits for it)
  std::unordered_map<TaskId, Task> tasks_;  // guarded by mu_; node-based: a running Task stays put
  // Earliest first; entries of cancelled tasks are dropped when they come up.
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> heap_;  // guarded by mu_
  TaskId next_id_ = 1;  // guarded by mu_
  TaskId running_ = 0;  // guarded by mu_: the task whose fn runs now, 0 when none
  bool stop_ = false;   // guarded by mu_
  std::thread thread_;  // started by the first Every()
};

}  // namespace seglog
