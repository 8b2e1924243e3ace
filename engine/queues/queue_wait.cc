// Receives that hold no thread (Queues::TryReceive / CancelWake; SPEC.md 16.13): a receive
// that finds nothing leaves a one-shot wake registration instead of a blocked thread, and the
// queue calls it when a message may have become receivable.
//
// Who calls a wake: the thread that made a message receivable (a sender, a receive that gave
// messages back, ChangeVisibility) at the end of its call; the wake timer thread below when a
// delay or visibility timeout ends; Delete, Interrupt, a clock jump and ~Queues for every
// registration. Always with no queue lock held (collected under mu into fire_, called after).
#include <condition_variable>
#include <thread>

#include "engine/queues/queue_internal.h"

namespace seglog {

// One thread per Queues, started by the first registration that needs a timer: it sleeps
// until the earliest armed due time (store clock) and runs that queue's OnWakeTimer.
// Lifetime: owned by Queues; its destructor stops and joins the thread. Concurrency: Arm is
// called under a queue's mu (lock order: queue mu, then this mu); the thread never holds this
// mu while it calls into a queue.
struct Queues::WakeTimers {
  explicit WakeTimers(Clock* c) : clock(c) {}
  ~WakeTimers() { Stop(); }
  // Ends the thread (after a timer call in progress); later Arm calls do nothing.
  void Stop() {
    {
      std::lock_guard<std::mutex> l(mu);
      stop = true;
    }
    cv.notify_all();
    if (thread.joinable()) thread.join();
  }
  void Arm(int64_t due_ms, std::weak_ptr<Queue> q) {
    {
      std::lock_guard<std::mutex> l(mu);
      if (stop) return;
      due.emplace(due_ms, std::move(q));
      if (!thread.joinable()) thread = std::thread([this] { Run(); });
    }
    cv.notify_all();
  }
  void Run() {
    std::unique_lock<std::mutex> l(mu);
    while (!stop) {
      if (due.empty()) {
        cv.wait(l);
        continue;
      }
      const int64_t now = clock->NowMs().value();
      auto it = due.begin();
      if (it->first <= now) {
        std::shared_ptr<Queue> q = it->second.lock();
        due.erase(it);
        l.unlock();
        if (q) q->OnWakeTimer();
        l.lock();
        continue;
      }
      // At most a second at a time: a test clock may jump without a real second passing.
      cv.wait_for(l, std::chrono::milliseconds(std::min<int64_t>(it->first - now, 1000)));
    }
  }

  Clock* const clock;
  std::mutex mu;
  std::condition_variable cv;
  std::multimap<int64_t, std::weak_ptr<Queue>> due;  // guarded by mu
  bool stop = false;                                  // guarded by mu
  std::thread thread;
};

Status Queues::Queue::TryReceive(const ReceiveOptions& opt, std::vector<ReceivedMessage>* out,
                                 WakeFn wake, uint64_t* ticket) {
  *ticket = 0;
  uint64_t gen;
  {
    std::lock_guard<std::mutex> l(mu);
    gen = wake_gen_;
  }
  ReceiveOptions now_only = opt;
  now_only.wait_s = 0;
  const size_t before = out->size();
  SEGLOG_RETURN_IF_ERROR(Receive(now_only, out));
  if (out->size() > before || !wake) return Status::OK();
  const uint64_t t = owner_->next_wake_ticket_.fetch_add(1);
  {
    std::lock_guard<std::mutex> l(mu);
    wakes_.emplace(t, std::move(wake));
    // Something changed since this receive looked (or will never change again): the wake
    // fires at once and the owner looks again.
    if (gen != wake_gen_ || dropped || closing || owner_->interrupted_.load()) {
      auto it = wakes_.find(t);
      fire_.push_back(std::move(it->second));
      wakes_.erase(it);
      fire_pending_.store(true, std::memory_order_release);
    } else {
      ArmWakeTimerLocked();
    }
  }
  *ticket = t;
  FireWakes();
  return Status::OK();
}

bool Queues::Queue::CancelWake(uint64_t ticket) {
  {
    std::lock_guard<std::mutex> l(mu);
    if (wakes_.erase(ticket) > 0) return true;
    // It fired (or is firing) and its owner gives up: pass the wake on, so that a message it
    // was meant for does not wait for another receiver's deadline.
    if (!wakes_.empty()) CollectWakesLocked(1);
  }
  FireWakes();
  return false;
}

void Queues::Queue::CollectWakesLocked(size_t n) {
  for (auto it = wakes_.begin(); n > 0 && it != wakes_.end(); --n) {
    fire_.push_back(std::move(it->second));
    it = wakes_.erase(it);
  }
  if (!fire_.empty()) fire_pending_.store(true, std::memory_order_release);
}

void Queues::Queue::FireWakesSlow() {
  std::vector<WakeFn> fire;
  {
    std::lock_guard<std::mutex> l(mu);
    fire.swap(fire_);
    fire_pending_.store(false, std::memory_order_release);
  }
  for (WakeFn& w : fire) w();
}

void Queues::Queue::ArmWakeTimerLocked() {
  if (wakes_.empty()) return;
  int64_t due = 0;
  if (!state_.NextTimer(&due) || due >= armed_due_) return;
  armed_due_ = due;
  owner_->wake_timers_->Arm(due, weak_from_this());
}

void Queues::Queue::OnWakeTimer() {
  {
    std::lock_guard<std::mutex> l(mu);
    armed_due_ = INT64_MAX;
    ProcessTimersLocked(Now());  // collects the wakes when a timer made something visible
    ArmWakeTimerLocked();        // the next one, while registrations remain
  }
  FireWakes();
}

Queues::WakeTimers* Queues::NewWakeTimers(Clock* clock) { return new WakeTimers(clock); }

void Queues::StopWakeTimers() { wake_timers_->Stop(); }

Queues::WakeTimersDeleter::~WakeTimersDeleter() = default;
void Queues::WakeTimersDeleter::operator()(WakeTimers* w) const { delete w; }

}  // namespace seglog
