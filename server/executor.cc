#include "server/executor.h"

namespace seglog::server {

Executor::Executor(size_t threads) {
  if (threads == 0) threads = 1;
  threads_.reserve(threads);
  for (size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { Run(); });
}

Executor::~Executor() { Stop(); }

void Executor::Post(Task task) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stop_) return;
    ready_.push_back(std::move(task));
  }
  cv_.notify_one();
}

Executor::TimerId Executor::After(std::chrono::milliseconds delay, Task task) {
  TimerId id;
  {
    std::lock_guard<std::mutex> l(mu_);
    id = next_id_++;
    if (stop_) return id;
    const Clock::time_point due = Clock::now() + delay;
    timers_.emplace(std::make_pair(due, id), std::move(task));
    ids_.emplace(id, due);
  }
  // Every worker waits until the earliest timer at most; a new earliest one must wake one.
  cv_.notify_all();
  return id;
}

bool Executor::Cancel(TimerId id) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = ids_.find(id);
  if (it == ids_.end()) return false;
  timers_.erase(std::make_pair(it->second, id));
  ids_.erase(it);
  return true;
}

size_t Executor::Pending() const {
  std::lock_guard<std::mutex> l(mu_);
  return ready_.size();
}

void Executor::Stop() {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (stop_ && threads_.empty()) return;
    stop_ = true;
    timers_.clear();
    ids_.clear();
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable() && t.get_id() != std::this_thread::get_id()) t.join();
  }
  std::lock_guard<std::mutex> l(mu_);
  ready_.clear();
}

void Executor::Run() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    if (stop_) return;
    const Clock::time_point now = Clock::now();
    if (!timers_.empty() && timers_.begin()->first.first <= now) {
      auto node = timers_.extract(timers_.begin());
      ids_.erase(node.key().second);
      ready_.push_back(std::move(node.mapped()));
    }
    if (!ready_.empty()) {
      Task task = std::move(ready_.front());
      ready_.pop_front();
      l.unlock();
      task();
      l.lock();
      continue;
    }
    if (timers_.empty()) {
      cv_.wait(l);
    } else {
      // A copy: the timer may be cancelled (its node freed) while this thread waits.
      const Clock::time_point due = timers_.begin()->first.first;
      cv_.wait_until(l, due);
    }
  }
}

}  // namespace seglog::server
