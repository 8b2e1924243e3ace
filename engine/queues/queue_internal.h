// The queues room's own header (not for other rooms): the Queue class behind Queues, shared by
// the files that implement it - queue.cc (opening, deletes, visibility, the public calls),
// queue_send.cc (sends), queue_receive.cc (receives, deliveries, dead-letter moves),
// queue_wait.cc (receives that hold no thread), queue_redrive.cc (dead-letter moves, redrive,
// move task steps), queue_move_tasks.cc and queue_maintenance.cc (compaction, expiry,
// snapshots).
#pragma once

#include <algorithm>
#include <cassert>
#include <atomic>
#include <chrono>
#include <deque>
#include <random>
#include <shared_mutex>
#include <unordered_map>
#include <utility>

#include "engine/log/clock.h"
#include "engine/log/digest.h"
#include "engine/log/log.h"
#include "engine/log/writer_first_lock.h"
#include "engine/queues/delete_index.h"
#include "engine/queues/delivery_state.h"
#include "engine/queues/message_iterators.h"
#include "engine/queues/queue_receipt.h"
#include "engine/queues/queue_validate.h"
#include "format/catalog_format.h"
#include "engine/queues/queue.h"

namespace seglog {

namespace queue_internal {
inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
// The catalog names of queue q's two logs.
inline std::string MessagesLogName(const std::string& q) { return "queue:" + q + "/messages"; }
inline std::string JournalLogName(const std::string& q) { return "queue:" + q + "/journal"; }
}  // namespace queue_internal

// ---------------------------------------------------------------------------------------
// Queue: one queue's logs, locks and delivery state
//
// Lifetime: created on first use by Queues::Find and kept in Queues::open_ (shared: a call in
// progress holds it) until the queue is deleted or the Queues object goes. Concurrency: every
// call holds op_mu shared (Delete holds it exclusively, so the logs are not dropped under
// one); the delivery state, the dedup waits and long polls are under mu; the log appends and
// journal writes happen outside mu. Durability: a send is durable when its append returns
// (under the queue's durability); deletes, receives (count, time, visibility deadline, first
// receive) and visibility changes are journaled (delete index) before the call returns, and
// Recover rebuilds the in-flight state from them; ReceiveRequestAttemptIds are volatile.
class Queues::Queue : public std::enable_shared_from_this<Queues::Queue> {
 public:
  using Pick = DeliveryState::Pick;
  using Publish = DeliveryState::Publish;

  Queue(Queues* queues, std::string queue_name, const QueueConfig& config, uint64_t message_log_id,
        Clock* queue_clock)
      : name(std::move(queue_name)),
        type(config.type),
        owner_(queues),
        log_id_(message_log_id),
        clock_(queue_clock),
        state_(config.type == QueueType::kFifo,
               [this](uint64_t id) { return del->ReceiveStateOf(SeqNo(id)); }) {
    config_.store(std::make_shared<const QueueConfig>(config));
  }

  // What Queues (open, delete, close) uses.
  const std::string name;
  const QueueType type;  // fixed at creation (the rest of the config may change: config())
  Log* log = nullptr;      // set once by Queues::Find
  Log* journal = nullptr;  // set once by Queues::Find
  std::unique_ptr<DeleteIndex> del;  // null once the queue is deleted (under op_mu exclusive)
  std::mutex mu;
  std::condition_variable cv;        // receivers waiting for a message (long polls)
  std::condition_variable dedup_cv;  // senders waiting for a repeat's outcome
  bool dropped = false;              // guarded by mu
  bool closing = false;              // guarded by mu
  // Held shared by every operation, exclusively by Delete: the logs are not dropped under one.
  // Writer-first, as a stream's: a Delete does not starve behind steady sends and receives.
  WriterFirstLock op_mu;
  MessageIterators iters;

  bool fifo() const { return type == QueueType::kFifo; }

  // The queue's settings: an immutable snapshot that SetConfig (Queues::SetAttributes) replaces
  // whole, so that an operation reads one consistent config however the settings change under
  // it. Take one per operation (an atomic load and a reference count; no lock) and pass it
  // down; never hold one across operations. Any thread.
  std::shared_ptr<const QueueConfig> config() const {
    return config_.load(std::memory_order_acquire);
  }
  // REQUIRES: c->type == type; c is already durable in the catalog.
  void SetConfig(std::shared_ptr<const QueueConfig> c) {
    assert(c->type == type);
    config_.store(std::move(c), std::memory_order_release);
  }
  // SQS CreatedTimestamp and LastModifiedTimestamp, ms since the epoch; 0: unknown (a queue
  // created before 0.2.0). last_modified_ms changes with SetConfig (Queues::SetAttributes).
  int64_t created_ms = 0;  // set once by Queues::Find
  std::atomic<int64_t> last_modified_ms{0};
  int64_t Now() const { return clock_->NowMs().value(); }
  // When the last purge under the aws limits started (Queues::Purge; in memory only).
  std::atomic<int64_t> last_purge_ms{INT64_MIN / 2};

  // ---- Receives that hold no thread (queue_wait.cc; Queues::TryReceive) ----
  Status TryReceive(const ReceiveOptions& opt, std::vector<ReceivedMessage>* out, WakeFn wake,
                    uint64_t* ticket);
  bool CancelWake(uint64_t ticket);
  // Calls the wakes collected by the *Locked functions below. REQUIRES: mu not held. Every
  // public call on the queue ends with it (SEGLOG_QUEUE_OP's guard), and so does a send to
  // another queue (a dead-letter move, a redrive).
  void FireWakes() {
    if (fire_pending_.load(std::memory_order_acquire)) FireWakesSlow();
  }
  // Collects every registered wake (queue deleted, Queues closing, interrupted, clock jump).
  void WakeAllLocked() { CollectWakesLocked(SIZE_MAX); }
  // The wake timer thread's call when the earliest timer armed for this queue is due.
  void OnWakeTimer();

  Status Recover();
  Status Send(std::span<const SendEntry> entries, std::vector<SendResult>* results,
              std::span<const format::QueueMessageHeader> moved = {});
  // SendMessageBatch per entry (Queues::SendBatchEntries; queue_messages.cc).
  Status SendEntries(std::span<const std::string_view> ids, std::span<const SendEntry> entries,
                     std::vector<SendResult>* results, std::vector<BatchEntryOutcome>* outcomes);
  // Fills the SQS fields of results[i] for entries[i], sent here (queue_messages.cc).
  void Identify(std::span<const SendEntry> entries, std::vector<SendResult>* results) const;
  Status Receive(const ReceiveOptions& opt, std::vector<ReceivedMessage>* out);
  // Issue 15, a topic's delivery (queue_deliver.cc; Queues::Deliver): validates every entry
  // as a send, then sends them as one append, entry i tagged origins[i].
  Status DeliverTagged(std::span<const SendEntry> entries,
                       std::span<const format::TopicOrigin> origins,
                       std::vector<SendResult>* results);
  // Queues::LastDelivery's scan. REQUIRES: op_mu held shared.
  Status ScanDeliveries(uint64_t sub_key, uint64_t from_id, SeqNo* next_id,
                        std::optional<SeqNo>* topic_seq);
  Status DeleteMessages(std::span<const std::string_view> receipts, std::vector<Status>* results);
  Status ChangeVisibility(std::string_view receipt, uint32_t timeout_s);
  // The SQS batch calls' entries (queue_batch.cc): (*out)[i] is entry i's outcome, with SQS's
  // code. REQUIRES: 1 .. 10 entries (Queues::CheckBatch passed).
  Status DeleteEntries(std::span<const std::string_view> receipts,
                       std::vector<BatchEntryOutcome>* out);
  Status ChangeVisibilityEntries(std::span<const std::string_view> receipts,
                                 std::span<const uint32_t> timeouts_s,
                                 std::vector<BatchEntryOutcome>* out);
  Status Purge();
  Status Stats(QueueStats* out);
  Status Redrive(const std::string& target, size_t max_messages, size_t* moved);
  // ---- 0.3.0: move tasks (queue_redrive.cc; Queues::MoveTasks drives them) ----
  // One redrive's progress: Redrive runs it in batches, a move task one step at a time.
  struct RedriveRun {
    std::shared_ptr<Queue> fixed;  // every message's destination; null = each one's source
    uint64_t bound = UINT64_MAX;   // moves only messages whose id is below
    bool strict = false;  // a message with no usable destination fails the run (move tasks);
                          // not strict, it stays here (Redrive)
    size_t moved = 0;
    bool drained = false;   // no visible message below the bound was left
    std::string failure;    // strict: why the run failed; "" = it did not
  };
  // Moves up to `want` visible messages below run->bound (a move task's step). Messages it
  // picked but did not move are visible again when it returns. REQUIRES: op_mu held shared.
  Status MoveTaskStep(size_t want, RedriveRun* run);
  // Live messages (visible, delayed or in flight) below id `bound`.
  uint64_t LiveBelow(uint64_t bound);
  // The id the next message sent here will get.
  uint64_t NextId() const { return log->next_seq().value(); }
  // The message log's catalog id (MessageIds derive from it).
  uint64_t incarnation() const { return log_id_; }
  // A delivered message's SQS fields when its header is at hand: as IdentifyReceived, but the
  // MessageId carried by a message moved here as a dead letter (queue_messages.cc).
  void IdentifyReceived(ReceivedMessage* m, const format::QueueMessageHeader& h,
                        Report report) const;
  Status Compact(size_t* rewritten, size_t* removed);
  Status Maintain(const QueuesOptions& opt);

 private:
  // A send's plan: which entries are written, which repeat an earlier one of the batch.
  struct SendPlan {
    std::vector<std::string> keys;  // FIFO dedup ids (user sends only)
    std::vector<format::QueueMessageHeader> headers;
    std::vector<int> dup_of;        // a repeat of an earlier entry of this batch
    std::vector<bool> write;
  };
  // Records read for a receive's picks (by pick index), and the iterators holding their views.
  struct PickedRecords {
    std::vector<RecordView> recs;
    std::vector<bool> found;
    std::vector<std::unique_ptr<LogIterator>> iters;
  };
  // A receive's picks sorted by what happens to them.
  struct Outcome {
    std::vector<size_t> deliver, move, gone;
    std::vector<format::QueueMessageHeader> headers;  // by pick index (deliver and move)
  };
  // Messages on their way to one destination queue.
  struct Moving {
    std::vector<SendEntry> entries;
    std::vector<format::QueueMessageHeader> headers;
  };

  // cfg: the send's config snapshot (config()).
  Status ValidateSend(const QueueConfig& cfg, std::span<const SendEntry> entries) const;
  // Send's work after validation (by ValidateSend, SendEntries, or the source queue of a move),
  // under the config snapshot `cfg`.
  Status SendValidated(const QueueConfig& cfg, std::span<const SendEntry> entries,
                       std::vector<SendResult>* results,
                       std::span<const format::QueueMessageHeader> moved = {});
  void PlanHeaders(const QueueConfig& cfg, std::span<const SendEntry> entries,
                   std::span<const format::QueueMessageHeader> moved, int64_t now,
                   SendPlan* plan) const;
  Status ReserveDedup(int64_t now, SendPlan* plan, std::vector<SendResult>* results);
  Status AppendPlanned(std::span<const SendEntry> entries, const SendPlan& plan, SeqNo* first);
  void FinishSend(std::span<const SendEntry> entries, const SendPlan& plan, bool dedup_check,
                  int64_t now, Status s, SeqNo first, std::vector<SendResult>* results);
  void PublishLocked(uint64_t first, std::vector<Publish> msgs, int64_t now);
  void WakeGroupsLocked();
  void ProcessTimersLocked(int64_t now);
  void ReleaseLocked(std::span<const Pick> picks);

  Status WaitAndPick(const ReceiveOptions& opt, int64_t vt_ms, int64_t deadline,
                     std::vector<Pick>* picks, int64_t* now);
  // cfg: the receive's config snapshot (config()).
  Status Deliver(const QueueConfig& cfg, std::vector<Pick>& picks, int64_t now, Report report,
                 std::vector<ReceivedMessage>* out);
  Status ReadPicked(const std::vector<Pick>& picks, PickedRecords* read);
  Status Classify(const QueueConfig& cfg, const std::vector<Pick>& picks,
                  const PickedRecords& read, int64_t now,
                  bool has_dlq, Outcome* o) const;
  void AppendDelivered(const std::vector<Pick>& picks, const PickedRecords& read,
                       const Outcome& o, Report report,
                       std::vector<ReceivedMessage>* out) const;
  // A delivered message's SQS fields (queue_messages.cc).
  void IdentifyReceived(ReceivedMessage* m, std::span<const format::MessageAttribute> attrs,
                        Report report) const;
  Status MoveToDeadLetter(Queue& dlq, const std::vector<Pick>& picks, const PickedRecords& read,
                          const Outcome& o);
  Status MoveOut(Queue& to, std::span<const SendEntry> entries,
                 std::span<const format::QueueMessageHeader> moved);

  Status RedriveBatch(size_t want, RedriveRun* run, std::vector<Pick>* skipped, Status* result);
  Status RedriveTo(const std::string& dest, RedriveRun* run, Moving& m,
                   const std::vector<Pick>& picks, std::vector<Pick>* skipped);

  // Moves the first n registered wakes to fire_ (FireWakes calls them after mu is released).
  void CollectWakesLocked(size_t n);
  void FireWakesSlow();
  // While wakes are registered, asks the wake timer thread to call OnWakeTimer when the
  // delivery state's next timer (a delay or visibility timeout) is due.
  void ArmWakeTimerLocked();

  Status DecodeReceipt(std::string_view r, QueueReceipt* out) const;
  // InvalidArgument when timeout_s is over 12 hours.
  static Status CheckVisibilityTimeout(uint32_t timeout_s);
  // One receipt's visibility change, due at now + timeout_s: Stale (not in flight under this
  // receipt), InvalidArgument (past 12 h from the receive). The caller runs ProcessTimersLocked
  // when a change is due now, and journals *journal_states (the changed state appended) before it
  // returns, holding vis_mu_ from before this call.
  Status ChangeVisibilityLocked(const QueueReceipt& rc, uint32_t timeout_s, int64_t now,
                                std::vector<std::pair<SeqNo, format::ReceiveState>>* journal_states);
  // ---- ReceiveRequestAttemptId (FIFO; queue_receive.cc) ----
  // A retry of attempt opt.attempt_id whose messages are all still in flight under the
  // receive that returned them: re-arms their visibility (journaled), appends them to *out with
  // the same receipts and sets *served. Otherwise forgets the attempt and serves nothing.
  Status RetryAttempt(const ReceiveOptions& opt, int64_t vt_ms,
                      std::vector<ReceivedMessage>* out, bool* served);
  // Remembers what a receive under attempt `id` returned (got), for 5 minutes.
  void RememberAttempt(std::string_view id, std::span<const ReceivedMessage> got, int64_t vt_ms);
  Status CutoffSeq(int64_t now, uint64_t* cut);
  Status Expire();
  // Compact's writing part: the prefix of wholly dead segments first (it only frees space),
  // then the rewrites, skipped on a full disk (SPEC.md 13.8: a rewrite needs new space first).
  Status ApplyCompaction(const std::vector<std::pair<SeqNo, bool>>& rewrites,
                         uint64_t remove_before, size_t* rw, size_t* rm);
  // Removes the sealed segments wholly below `hi` (purged), but on FIFO queues none inside
  // the dedup window; then refills the store's reserve.
  Status RemovePurged(uint64_t hi);
  bool IsLive(SeqNo q) {
    std::lock_guard<std::mutex> l(mu);
    return state_.IsLive(q.value());
  }

  Queues* const owner_;
  std::atomic<std::shared_ptr<const QueueConfig>> config_{nullptr};  // never null after the ctor
  const uint64_t log_id_;  // the message log's catalog id (receipts are checked against it)
  Clock* const clock_;
  size_t receivers_waiting_ = 0;  // guarded by mu
  // Wake registrations (TryReceive), oldest ticket first; collected wakes waiting to be called.
  std::map<uint64_t, WakeFn> wakes_;   // guarded by mu
  std::vector<WakeFn> fire_;           // guarded by mu
  std::atomic<bool> fire_pending_{false};
  // Bumped (under mu) whenever a message may have become receivable: a TryReceive that saw
  // an older value before it looked registers a wake that fires at once (no lost wake-up).
  uint64_t wake_gen_ = 0;              // guarded by mu
  int64_t armed_due_ = INT64_MAX;      // guarded by mu: the wake timer armed for this queue
  DeliveryState state_;           // guarded by mu
  // Held (before mu) from a visibility change's (or an attempt retry's) change in memory to
  // the end of its journal write, so that the journal keeps such changes of one receive in
  // the order memory made them (replay: the later record wins).
  std::mutex vis_mu_;
  // ReceiveRequestAttemptIds of the last 5 minutes: what each receive returned.
  struct Attempt {
    int64_t expires = 0;       // the first receive + 5 minutes
    std::vector<Pick> picks;   // the messages, as that receive (or its last retry) left them
  };
  std::unordered_map<std::string, Attempt> attempts_;       // guarded by mu
  std::deque<std::pair<int64_t, std::string>> attempt_order_;  // guarded by mu; by expiry
  std::atomic<int64_t> last_expire_ms_{INT64_MIN / 2};
  std::map<uint64_t, uint64_t> compaction_seen_;  // segment base -> live count when last checked
};


}  // namespace seglog
