// Queues: message move tasks (SQS StartMessageMoveTask, CancelMessageMoveTask,
// ListMessageMoveTasks) and dead-letter source listing (SQS ListDeadLetterSourceQueues).
// SPEC.md 16.14 states the rules.
#include "engine/queues/queue_move_tasks.h"

#include <cmath>
#include <random>

#include "engine/queues/queue_internal.h"

namespace seglog {

using queue_internal::MessagesLogName;
namespace qp = format::queue_props;

namespace {

// A pass runs every kPassPeriod (wall time); each task moves at most its rate's budget (by the
// store's clock) per pass, and an unlimited one at most kUnlimitedPerPass: passes stay short.
constexpr std::chrono::milliseconds kPassPeriod{100};
constexpr uint64_t kUnlimitedPerPass = 100;
constexpr int64_t kProgressEveryMs = 1000;  // progress reaches the catalog at most this often

// The names of the queues whose redrive policy names `dlq`, sorted (from the catalog: settings
// are durable there before they apply).
std::vector<std::string> SourcesOf(const format::Catalog& cat, const std::string& dlq) {
  std::vector<std::string> out;
  for (const auto& e : cat.logs) {
    const std::string* q = format::FindProp(e, qp::kQueue);
    const std::string* part = format::FindProp(e, qp::kPart);
    const std::string* d = format::FindProp(e, qp::kDeadLetterQueue);
    if (q != nullptr && part != nullptr && *part == qp::kPartMessages && d != nullptr &&
        *d == dlq) {
      out.push_back(*q);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Queues::MoveTasks: the registry
//
// Lifetime: made with its Queues (resuming the running tasks found in the catalog), destroyed
// first of its members (MoveTasksDeleter). Concurrency: `mu` guards the lists and the running
// set; `step_mu` makes passes (and Cancel) one at a time; `persist_mu` orders the catalog
// writes (each encodes the newest state, so the last write wins with the newest). Durability:
// a source's list is its message log's catalog property `move_tasks`, written when a task
// starts, at most once a second with progress, when it ends, and when the Queues close.
struct Queues::MoveTasks {
  struct List {
    uint64_t log_id = 0;  // the source's incarnation the list belongs to
    std::vector<MoveTaskRecord> tasks;  // newest first, at most kQueueMaxMoveTasksListed
  };
  struct Run {  // a RUNNING task's rate budget
    double budget = 0;
    int64_t last_ms = 0;
    int64_t persisted_ms = 0;
  };

  explicit MoveTasks(Queues* q) : owner(q) {}

  Queues* const owner;
  std::mutex step_mu;
  std::mutex persist_mu;
  std::mutex mu;
  std::map<std::string, List> lists;   // guarded by mu; by source name
  std::map<std::string, Run> running;  // guarded by mu; sources with a RUNNING task
  Scheduler::TaskId pass = 0;          // guarded by mu; 0: not scheduled
  bool stopping = false;               // guarded by mu
  std::mt19937_64 rng{std::random_device{}()};  // guarded by mu

  int64_t Now() const { return owner->store_->clock()->NowMs().value(); }

  // The list of the source whose catalog entry is `e` (read from it when not cached for this
  // incarnation). Corruption when the property is malformed. REQUIRES: mu held.
  Status LoadLocked(const std::string& source, const format::CatalogEntry& e, List** out) {
    List& l = lists[source];
    if (l.log_id != e.log_id) {
      List fresh;
      fresh.log_id = e.log_id;
      const std::string* text = format::FindProp(e, qp::kMoveTasks);
      if (text != nullptr && !DecodeMoveTaskList(*text, &fresh.tasks)) {
        return Status::Corruption("queue '" + source + "' has a malformed move task list");
      }
      l = std::move(fresh);
    }
    *out = &l;
    return Status::OK();
  }

  static MoveTaskRecord* FindRunning(List& l) {
    for (auto& t : l.tasks) {
      if (t.status == MoveTaskStatus::kRunning || t.status == MoveTaskStatus::kCancelling) {
        return &t;
      }
    }
    return nullptr;
  }

  // Schedules the passes if they are not. REQUIRES: mu held.
  void ScheduleLocked() {
    if (pass != 0 || stopping || owner->store_->read_only()) return;
    pass = owner->store_->scheduler()->Every(kPassPeriod, [this] { Pass(/*scheduled=*/true); });
  }

  // Writes source's list to the catalog, unless the source is gone (or is another
  // incarnation of its name).
  Status Persist(const std::string& source) {
    std::lock_guard<std::mutex> pl(persist_mu);
    // No Create, Delete or SetAttributes meanwhile: the incarnation checked is the one written.
    std::lock_guard<std::mutex> cl(owner->create_mu_);
    const format::Catalog cat = owner->store_->CatalogSnapshot();
    const format::CatalogEntry* e = FindQueueEntry(cat, source);
    std::string text;
    {
      std::lock_guard<std::mutex> l(mu);
      auto it = lists.find(source);
      if (e == nullptr || it == lists.end() || it->second.log_id != e->log_id) {
        return Status::NotFound("queue '" + source + "' does not exist");
      }
      text = EncodeMoveTaskList(it->second.tasks);
    }
    const std::string log_name = MessagesLogName(source);
    return owner->store_->SetLogProps(std::span<const std::string>(&log_name, 1), qp::kMoveTasks,
                                      text);
  }

  // Every running task moves its budget's worth. Runs on the scheduler (scheduled: then it
  // unschedules itself when no task runs) or on a test's thread.
  void Pass(bool scheduled) {
    std::lock_guard<std::mutex> sl(step_mu);
    std::vector<std::string> sources;
    {
      std::lock_guard<std::mutex> l(mu);
      if (stopping) return;
      for (const auto& [s, r] : running) sources.push_back(s);
      if (sources.empty() && scheduled && pass != 0) {
        // From its own run Cancel does not wait (from another thread it would wait for a
        // scheduled pass blocked on step_mu).
        owner->store_->scheduler()->Cancel(pass);
        pass = 0;
        return;
      }
    }
    for (const std::string& s : sources) Step(s);
  }

  // Ends source's running task with `status` (and `failure`). REQUIRES: mu held.
  void EndLocked(const std::string& source, MoveTaskRecord* t, MoveTaskStatus status,
                 std::string failure) {
    t->status = status;
    t->failure = std::move(failure);
    running.erase(source);
  }

  void Step(const std::string& source);
};

// One step of source's running task. REQUIRES: step_mu held.
void Queues::MoveTasks::Step(const std::string& source) {
  const int64_t now = Now();
  uint64_t task_id = 0, bound = 0, log_id = 0;
  std::string destination;
  size_t want = 0;
  {
    std::lock_guard<std::mutex> l(mu);
    auto r = running.find(source);
    auto li = lists.find(source);
    MoveTaskRecord* t = li == lists.end() ? nullptr : FindRunning(li->second);
    if (r == running.end() || t == nullptr) {
      running.erase(source);
      return;
    }
    task_id = t->task_id;
    bound = t->bound;
    log_id = li->second.log_id;
    destination = t->destination;
    if (t->max_per_second == 0) {
      want = kUnlimitedPerPass;
    } else {
      const double rate = t->max_per_second;
      const int64_t dt = std::max<int64_t>(0, now - r->second.last_ms);
      r->second.budget = std::min(rate, r->second.budget + rate * static_cast<double>(dt) / 1000);
      r->second.last_ms = now;
      want = static_cast<size_t>(std::floor(r->second.budget));
    }
  }
  Queue::RedriveRun run;
  run.bound = bound;
  run.strict = true;
  Status s;
  std::string failure;
  std::shared_ptr<Queue> q;
  if (want > 0) {
    s = owner->Find(source, &q);
    if (s.ok() && q->incarnation() != log_id) s = Status::NotFound("recreated");
    if (s.code() == StatusCode::kNotFound) {
      failure = "the source queue '" + source + "' was deleted";
      s = Status::OK();
    } else if (s.ok() && !destination.empty()) {
      s = owner->Find(destination, &run.fixed);
      if (s.code() == StatusCode::kNotFound) {
        failure = "the destination queue '" + destination + "' was deleted";
        s = Status::OK();
      } else if (s.ok() && (run.fixed->type != q->type || run.fixed == q)) {
        failure = "the destination queue '" + destination + "' is not of the source's type";
      }
    }
  }
  if (s.code() == StatusCode::kClosed) return;  // the Queues are closing: resumed at the next open
  if (want > 0 && s.ok() && failure.empty()) {
    std::shared_lock<WriterFirstLock> op_lock(q->op_mu);
    if (q->del == nullptr) {
      failure = "the source queue '" + source + "' was deleted";
    } else {
      while (s.ok() && run.moved < want && !run.drained && run.failure.empty()) {
        s = q->MoveTaskStep(std::min<size_t>(kQueueMaxBatch, want - run.moved), &run);
      }
    }
    op_lock.unlock();
    q->FireWakes();
    if (failure.empty()) failure = run.failure;
    if (s.code() == StatusCode::kClosed) s = Status::OK();  // resumed at the next open
  }
  bool persist = false;
  {
    std::lock_guard<std::mutex> l(mu);
    auto li = lists.find(source);
    MoveTaskRecord* t = li == lists.end() ? nullptr : FindRunning(li->second);
    auto r = running.find(source);
    if (t == nullptr || t->task_id != task_id || r == running.end()) return;
    t->moved += run.moved;
    r->second.budget = std::max(0.0, r->second.budget - static_cast<double>(run.moved));
    if (!s.ok()) {
      EndLocked(source, t, MoveTaskStatus::kFailed, s.ToString());
    } else if (!failure.empty()) {
      EndLocked(source, t, MoveTaskStatus::kFailed, failure);
    } else if (run.drained) {
      EndLocked(source, t, MoveTaskStatus::kCompleted, "");
    }
    persist = t->status != MoveTaskStatus::kRunning;
    if (!persist && run.moved > 0 && now - r->second.persisted_ms >= kProgressEveryMs) {
      persist = true;
      r->second.persisted_ms = now;
    }
  }
  if (persist) (void)Persist(source);  // a source gone has no list to write
}

Queues::MoveTasks* Queues::NewMoveTasks(Queues* owner) {
  auto m = std::make_unique<MoveTasks>(owner);
  // Resume the tasks the catalog says are running: a task does not wait for someone to touch
  // its queue. (The first pass comes one period after this, with the Queues constructed.)
  const format::Catalog cat = owner->store_->CatalogSnapshot();
  const int64_t now = m->Now();
  std::lock_guard<std::mutex> l(m->mu);
  for (const auto& e : cat.logs) {
    const std::string* q = format::FindProp(e, qp::kQueue);
    const std::string* part = format::FindProp(e, qp::kPart);
    if (q == nullptr || part == nullptr || *part != qp::kPartMessages ||
        format::FindProp(e, qp::kMoveTasks) == nullptr) {
      continue;
    }
    MoveTasks::List* list = nullptr;
    if (!m->LoadLocked(*q, e, &list).ok()) continue;  // ListMoveTasks reports the corruption
    if (MoveTaskRecord* t = MoveTasks::FindRunning(*list); t != nullptr) {
      t->status = MoveTaskStatus::kRunning;
      m->running[*q] = MoveTasks::Run{static_cast<double>(t->max_per_second), now, now};
    }
  }
  if (!m->running.empty()) m->ScheduleLocked();
  return m.release();
}

void Queues::MoveTasksDeleter::operator()(MoveTasks* m) const {
  Scheduler::TaskId id = 0;
  std::vector<std::string> sources;
  {
    std::lock_guard<std::mutex> l(m->mu);
    m->stopping = true;
    id = std::exchange(m->pass, 0);
    for (const auto& [s, r] : m->running) sources.push_back(s);
  }
  if (id != 0) m->owner->store_->scheduler()->Cancel(id);  // waits for a pass in progress
  // The running tasks' progress, so that a reopened store resumes them from it (best effort:
  // a crash resumes them from the last write, and they move what is still there).
  if (!m->owner->store_->read_only()) {
    for (const std::string& s : sources) (void)m->Persist(s);
  }
  delete m;
}

void Queues::RunMoveTasksOnce() { move_tasks_->Pass(/*scheduled=*/false); }

// ---------------------------------------------------------------------------------------
// Queues: the public calls

Status Queues::ListDeadLetterSources(const std::string& dlq, std::vector<std::string>* sources) {
  sources->clear();
  SEGLOG_RETURN_IF_ERROR(ValidateName("queue", dlq));
  const format::Catalog cat = store_->CatalogSnapshot();
  if (FindQueueEntry(cat, dlq) == nullptr) {
    return Status::NotFound("queue '" + dlq + "' does not exist");
  }
  *sources = SourcesOf(cat, dlq);
  return Status::OK();
}

Status Queues::StartMoveTask(const std::string& source, const MoveTaskOptions& opt,
                             std::string* handle) {
  handle->clear();
  if (opt.max_per_second > kQueueMaxMovePerSecond) {
    return Status::InvalidArgument("MaxNumberOfMessagesPerSecond must be 1 to 500, got " +
                                   std::to_string(opt.max_per_second));
  }
  if (!opt.destination.empty()) SEGLOG_RETURN_IF_ERROR(ValidateName("queue", opt.destination));
  std::shared_ptr<Queue> q, dest;
  SEGLOG_RETURN_IF_ERROR(Find(source, &q));
  if (store_->read_only()) return Status::ReadOnly("the store is open read-only");
  const format::Catalog cat = store_->CatalogSnapshot();
  if (SourcesOf(cat, source).empty()) {
    return Status::InvalidArgument("Source queue '" + source + "' must be configured as a "
                                   "Dead Letter Queue (no queue's redrive policy names it)");
  }
  if (!opt.destination.empty()) {
    SEGLOG_RETURN_IF_ERROR(Find(opt.destination, &dest));
    if (dest == q) {
      return Status::InvalidArgument("the destination queue must not be the source queue");
    }
    if (dest->type != q->type) {
      return Status::InvalidArgument("the destination queue '" + opt.destination +
                                     "' is not of the source queue's type");
    }
  }
  MoveTaskRecord t;
  t.destination = opt.destination;
  t.max_per_second = opt.max_per_second;
  t.started_ms = move_tasks_->Now();
  {
    std::shared_lock<WriterFirstLock> op_lock(q->op_mu);
    if (q->del == nullptr) return Status::NotFound("queue '" + source + "' was deleted");
    t.bound = q->NextId();
    t.to_move = q->LiveBelow(t.bound);
  }
  MoveTasks& m = *move_tasks_;
  {
    std::lock_guard<std::mutex> l(m.mu);
    const format::CatalogEntry* e = FindQueueEntry(cat, source);
    if (e == nullptr || e->log_id != q->incarnation()) {
      return Status::NotFound("queue '" + source + "' was deleted");
    }
    MoveTasks::List* list = nullptr;
    SEGLOG_RETURN_IF_ERROR(m.LoadLocked(source, *e, &list));
    if (MoveTasks::FindRunning(*list) != nullptr) {
      return Status::AlreadyExists("queue '" + source + "': a message move task is running");
    }
    t.task_id = m.rng();
    list->tasks.insert(list->tasks.begin(), t);
    if (list->tasks.size() > kQueueMaxMoveTasksListed) list->tasks.resize(kQueueMaxMoveTasksListed);
  }
  // Durable before it runs: a failed write starts nothing.
  if (Status s = m.Persist(source); !s.ok()) {
    std::lock_guard<std::mutex> l(m.mu);
    auto& tasks = m.lists[source].tasks;
    tasks.erase(std::remove(tasks.begin(), tasks.end(), t), tasks.end());
    return s;
  }
  {
    std::lock_guard<std::mutex> l(m.mu);
    const int64_t now = m.Now();
    m.running[source] = MoveTasks::Run{static_cast<double>(t.max_per_second), now, now};
    m.ScheduleLocked();
  }
  *handle = EncodeMoveTaskHandle(source, t.task_id);
  return Status::OK();
}

Status Queues::CancelMoveTask(std::string_view handle, uint64_t* moved) {
  if (moved != nullptr) *moved = 0;
  std::string source;
  uint64_t id = 0;
  const Status not_found = Status::NotFound("no running message move task has handle '" +
                                            std::string(handle.substr(0, 64)) + "'");
  if (!DecodeMoveTaskHandle(handle, &source, &id)) return not_found;
  if (store_->read_only()) return Status::ReadOnly("the store is open read-only");
  MoveTasks& m = *move_tasks_;
  std::lock_guard<std::mutex> sl(m.step_mu);  // between two steps
  const format::Catalog cat = store_->CatalogSnapshot();
  const format::CatalogEntry* e = FindQueueEntry(cat, source);
  if (e == nullptr) return not_found;
  MoveTaskRecord before;
  {
    std::lock_guard<std::mutex> l(m.mu);
    MoveTasks::List* list = nullptr;
    SEGLOG_RETURN_IF_ERROR(m.LoadLocked(source, *e, &list));
    MoveTaskRecord* t = MoveTasks::FindRunning(*list);
    if (t == nullptr || t->task_id != id) return not_found;
    before = *t;
    t->status = MoveTaskStatus::kCancelled;
    m.running.erase(source);
    if (moved != nullptr) *moved = t->moved;
  }
  if (Status s = m.Persist(source); !s.ok()) {
    // Not durable: the task goes on (a restart would resume it).
    std::lock_guard<std::mutex> l(m.mu);
    for (auto& t : m.lists[source].tasks) {
      if (t.task_id == id) t = before;
    }
    const int64_t now = m.Now();
    m.running[source] = MoveTasks::Run{0, now, now};
    m.ScheduleLocked();
    return s;
  }
  return Status::OK();
}

Status Queues::ListMoveTasks(const std::string& source, size_t max_results,
                             std::vector<MoveTaskInfo>* tasks) {
  tasks->clear();
  if (max_results < 1 || max_results > kQueueMaxMoveTasksListed) {
    return Status::InvalidArgument("MaxResults must be 1 to 10, got " +
                                   std::to_string(max_results));
  }
  SEGLOG_RETURN_IF_ERROR(ValidateName("queue", source));
  const format::Catalog cat = store_->CatalogSnapshot();
  const format::CatalogEntry* e = FindQueueEntry(cat, source);
  if (e == nullptr) return Status::NotFound("queue '" + source + "' does not exist");
  MoveTasks& m = *move_tasks_;
  std::lock_guard<std::mutex> l(m.mu);
  MoveTasks::List* list = nullptr;
  SEGLOG_RETURN_IF_ERROR(m.LoadLocked(source, *e, &list));
  for (const MoveTaskRecord& t : list->tasks) {
    if (tasks->size() == max_results) break;
    MoveTaskInfo& i = tasks->emplace_back();
    i.handle = EncodeMoveTaskHandle(source, t.task_id);
    i.source = source;
    i.destination = t.destination;
    i.max_per_second = t.max_per_second;
    i.status = t.status;
    i.moved = t.moved;
    i.to_move = t.to_move;
    i.failure_reason = t.failure;
    i.started_ms = t.started_ms;
  }
  return Status::OK();
}

}  // namespace seglog
