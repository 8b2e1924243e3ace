#include "engine/log/scheduler.h"

#include <pthread.h>

namespace seglog {

Scheduler::~Scheduler() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Scheduler::TaskId Scheduler::Every(Duration period, std::function<void()> fn) {
  std::lock_guard<std::mutex> l(mu_);
  const TaskId id = next_id_++;
  tasks_.emplace(id, Task{period, std::move(fn)});
  const auto when = std::chrono::steady_clock::now() + period;
  const bool earliest = heap_.empty() || when < heap_.top().first;
  heap_.emplace(when, id);
  if (!thread_.joinable()) {
    thread_ = std::thread([this] { Run(); });
    pthread_setname_np(thread_.native_handle(), name_);
  } else if (earliest) {
    wake_.notify_one();
  }
  return id;
}

void Scheduler::Cancel(TaskId id) {
  std::unique_lock<std::mutex> l(mu_);
  auto it = tasks_.find(id);
  if (it == tasks_.end()) return;
  if (running_ == id && std::this_thread::get_id() == thread_.get_id()) {
    it->second.cancelled = true;  // from inside its own run: Run() erases it afterwards
    return;
  }
  done_.wait(l, [&] { return running_ != id; });
  tasks_.erase(id);  // its heap entry is dropped when it comes up
}

size_t Scheduler::size() const {
  std::lock_guard<std::mutex> l(mu_);
  size_t n = 0;
  for (const auto& [id, t] : tasks_) n += t.cancelled ? 0 : 1;
  return n;
}

void Scheduler::Run() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_) {
    if (heap_.empty()) {
      wake_.wait(l);
      continue;
    }
    const auto [when, id] = heap_.top();
    auto it = tasks_.find(id);
    if (it == tasks_.end()) {
      heap_.pop();  // cancelled
      continue;
    }
    if (std::chrono::steady_clock::now() < when) {
      wake_.wait_until(l, when);
      continue;
    }
    heap_.pop();
    Task& task = it->second;
    running_ = id;
    l.unlock();
    task.fn();
    l.lock();
    running_ = 0;
    if (task.cancelled) {
      tasks_.erase(id);
    } else {  // nobody else erases a running task: Cancel waits for the run to end
      heap_.emplace(std::chrono::steady_clock::now() + task.period, id);
    }
    done_.notify_all();
  }
}

}  // namespace seglog
