// The queues room (engine/queues/) owns SQS-like queues on top of the storage core: this
// interface (Queues), the queue's orchestration (queue.cc), the pure validators
// (queue_validate.h), the receipt handle's format (queue_receipt.h), the in-memory delivery
// state (delivery_state.h), the pooled message-log readers (message_iterators.h) and the
// delete index with its journal (delete_index.h). It may use engine/log (Store, Log, clock,
// scheduler, digests), io and format, and nothing else; engine/capi and engine/repair use it.
//
// Queues: Amazon SQS semantics (standard and FIFO queues, visibility timeouts, long polling,
// delays, dead-letter queues, redrive, purge, FIFO groups and deduplication) on the storage
// core. SPEC.md Part V states every rule; this header states the interface.
//
// A queue is two logs of the store, created and dropped in one catalog write:
//   "queue:<name>/messages"  one record per message: key = FIFO group id, value = body,
//                            attrs = header (format/queue_format.h)
//   "queue:<name>/journal"   the delete index's journal (engine/queues/delete_index.h): deletes and
//                            receive counts; its snapshot DELETES lives beside it
// A message's id is its sequence number in the message log. Settings are catalog properties.
//
// In memory, per queue (engine/queues/delivery_state.h): the live ids (a roaring bitmap), the
// ready ids (standard: a roaring bitmap walked by a cursor, and a set of those visible again
// behind it; FIFO: the groups whose head may be delivered, by head id), a timer heap for
// delays and visibility timeouts, and the received messages' receipts. Receive never scans
// the log.
// In-flight state is durable (0.3.0): each receive journals its messages' receive count,
// receive time and visibility deadline before it returns, and each visibility change its new
// deadline, so a reopened queue keeps them hidden until then and their receipts keep working
// (SPEC.md 16.3, 16.4).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/log/options.h"
#include "engine/log/store.h"
#include "engine/queues/queue_attributes.h"
#include "engine/queues/batch_entry.h"
#include "engine/queues/queue_config.h"
#include "format/queue_catalog_format.h"
#include "format/queue_format.h"
#include "format/status.h"
#include "format/types.h"

namespace seglog {

// How much a send or a receive reports. The SQS fields (engine/queues/message_identity.h) cost
// a SHA-256 per message for the MessageId and an MD5 over each body for the digests, so the
// calls that do not need them skip them.
enum class Report : uint8_t {
  kIds,     // ids only (SendResult/ReceivedMessage's SQS fields stay "")
  kSqsIds,  // receive only: also MessageId and SequenceNumber, not the MD5 digests
  kSqs,     // every SQS field
};

struct SendResult {
  SendResult() = default;
  SendResult(SeqNo i, bool dup) : id(i), duplicate(dup) {}

  SeqNo id;                 // the message id (for a suppressed duplicate: the original's)
  bool duplicate = false;   // FIFO: suppressed as a repeat of `id` within 5 minutes
  // Report::kSqs only; a duplicate's MessageId and SequenceNumber are the original's, its
  // digests those of what this call sent. "" where SQS omits the field.
  std::string message_id;                // SQS MessageId (UUID text)
  std::string md5_of_body;               // hex
  std::string md5_of_attributes;         // "" without attributes
  std::string md5_of_system_attributes;  // "" without an AWSTraceHeader
  std::string sequence_number;           // FIFO only: 20 digits
};

struct ReceiveOptions {
  uint32_t max_messages = 1;       // 1 .. 10
  int32_t visibility_timeout_s = -1;  // 0 .. 43,200; -1 = the queue's
  int32_t wait_s = -1;                // 0 .. 20; -1 = the queue's receive_wait_s
  Report report = Report::kIds;       // kSqsIds / kSqs: fill ReceivedMessage's SQS fields
  // 0.3.0, SQS ReceiveRequestAttemptId (FIFO queues; ignored on standard queues, as SQS):
  // "" = none; else 1 .. 128 of [A-Za-z0-9!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~] (InvalidArgument
  // otherwise). A receive that repeats an attempt id within 5 minutes of the first one returns
  // the same messages with the same receipts, and restarts their visibility timeout, while
  // none of them was deleted or had its visibility changed since; otherwise it is a new
  // receive. Remembered in memory (SPEC.md 16.15).
  std::string_view attempt_id = {};
};

struct ReceivedAttribute {
  std::string name;
  format::AttributeType type = format::AttributeType::kString;
  std::string value;
  std::string type_label;  // SQS custom type label ("json" of "String.json"); "" = none
};

// A received message owns its bytes.
struct ReceivedMessage {
  SeqNo id;
  std::string receipt;        // for Delete / ChangeVisibility; a new one on every receive
  std::string body;
  std::vector<ReceivedAttribute> attributes;
  std::string group_id;       // FIFO
  std::string dedup_id;       // FIFO
  uint32_t receive_count = 0; // including this receive (SQS ApproximateReceiveCount)
  TimestampMs sent;           // when first sent (kept through dead-letter moves)
  TimestampMs enqueued;       // when it entered this queue
  // SQS ApproximateFirstReceiveTimestamp: the message's first receive (journaled: survives
  // restarts; for receives journaled before 0.3.0, the first receive after the upgrade).
  TimestampMs first_receive;
  std::string sender_id;      // as sent; else "" (Report::kIds) or QueuesOptions::default_sender_id (kSqs)
  std::string trace_header;   // AWSTraceHeader; "" = none
  // 0.3.0: a dead letter's source queue (SQS DeadLetterQueueSourceArn names it); "" for a
  // message that was not moved here by a dead-letter move (sent, or redriven).
  std::string dead_letter_source;
  // ReceiveOptions::report kSqsIds or kSqs ("" under kIds, and where SQS omits the field):
  std::string message_id;
  std::string sequence_number;  // FIFO
  // ReceiveOptions::report == kSqs only:
  std::string md5_of_body;
  std::string md5_of_attributes;
  std::string md5_of_system_attributes;
};

struct QueueStats {
  uint64_t visible = 0;     // live, not in flight, not delayed (FIFO: also behind a locked group)
  uint64_t in_flight = 0;
  uint64_t delayed = 0;
  int64_t oldest_age_ms = 0;  // age of the oldest live message (0 when empty)
  uint64_t deleted_ids = 0;   // ids in the delete bitmap (not yet compacted away)
  size_t bitmap_bytes = 0;    // the delete bitmap's portable serialized size
  uint64_t log_bytes = 0;     // bytes of message batches on disk
  size_t log_segments = 0;
  uint64_t journal_bytes = 0;
  size_t groups = 0;          // FIFO: groups with live messages
};

struct QueueDescription {
  std::string name;
  QueueConfig config;
  QueueStats stats;
  int64_t created_ms = 0;        // SQS CreatedTimestamp (ms); 0: unknown (created before 0.2.0)
  int64_t last_modified_ms = 0;  // SQS LastModifiedTimestamp (ms): creation or the last change;
                                 // 0: unknown (not changed since a creation before 0.2.0)
  // 0.3.0: config.dead_letter_queue names a queue that does not exist (deleted after the
  // policy was set). Messages past max_receive_count are then delivered as if there were no
  // redrive policy, until a queue of that name exists again (SPEC.md 16.14).
  bool dead_letter_queue_missing = false;
};

// SQS queue tags (TagQueue, UntagQueue, ListQueueTags; CreateQueue's tags). Keys 1 .. 128 and
// values 0 .. 256 Unicode characters (UTF-8) of letters, digits, spaces and _ . : / = + - @;
// keys do not start with "aws:" (any case); at most 50 tags per queue (SQS's limits). Stored in
// the catalog with the queue. SPEC.md 16.16.
using QueueTags = std::map<std::string, std::string>;
inline constexpr size_t kQueueMaxTags = 50;

// A message move task (SQS StartMessageMoveTask / ListMessageMoveTasks /
// CancelMessageMoveTask): moves the messages a dead-letter queue held when the task started to
// their source queues (or one destination), asynchronously, on the store's scheduler; resumed
// after a restart. SPEC.md 16.14.
using MoveTaskStatus = format::MoveTaskState;  // kRunning, kCompleted, kCancelling, kCancelled, kFailed
struct MoveTaskOptions {
  std::string destination;        // "" = each message back to the queue it came from
  uint32_t max_per_second = 0;    // 0 = as fast as it goes (SQS: system-optimized); 1 .. 500
};
struct MoveTaskInfo {
  std::string handle;             // opaque, ASCII, <= 256 bytes; names the task and its source
  std::string source;             // the dead-letter queue
  std::string destination;        // "" = the messages' source queues
  uint32_t max_per_second = 0;    // 0 = unlimited
  MoveTaskStatus status = MoveTaskStatus::kRunning;
  uint64_t moved = 0;             // SQS ApproximateNumberOfMessagesMoved
  uint64_t to_move = 0;           // SQS ApproximateNumberOfMessagesToMove (at the start)
  std::string failure_reason;     // kFailed only
  int64_t started_ms = 0;         // ms since the epoch
};
// SQS's Status text: "RUNNING", "COMPLETED", "CANCELLING", "CANCELLED", "FAILED".
const char* MoveTaskStatusName(MoveTaskStatus s);
inline constexpr uint32_t kQueueMaxMovePerSecond = 500;
inline constexpr size_t kQueueMaxMoveTasksListed = 10;  // ListMessageMoveTasks' MaxResults

// Queues::Deliver's most entries per call.
inline constexpr size_t kQueueMaxDeliverBatch = 256;

struct QueuesOptions {
  // How often the background task expires messages, snapshots delete indexes whose journal
  // passed journal_snapshot_bytes, and compacts; 0 = never (call RunMaintenance).
  uint32_t maintenance_interval_ms = 1'000;
  uint64_t journal_snapshot_bytes = 16ull << 20;
  bool compaction = true;
  // The SenderId reported for a message sent without one (SendEntry::sender_id ""): SQS's is
  // the sender's account or principal. Not stored with such messages, so a change applies to
  // them too.
  std::string default_sender_id = "000000000000";
};

// The queues of one store. Owns a background maintenance task.
class Queues {
 public:
  // REQUIRES: store outlives this object.
  explicit Queues(Store* store, const QueuesOptions& opt = {});
  ~Queues();
  Queues(const Queues&) = delete;
  Queues& operator=(const Queues&) = delete;

  // SQS CreateQueue: InvalidArgument (bad name or config, a dead-letter queue missing or of
  // the other type). When the queue exists: OK, changing nothing, if its settings among
  // `compare` (and its type) equal config's; else AlreadyExists naming the first that differs.
  // DeletedRecently: a queue of that name under the aws limits was deleted less than 60 s ago
  // (remembered in memory only).
  Status Create(const std::string& name, const QueueConfig& config,
                QueueFields compare = QueueFields::All());
  // 0.3.0: creates the queue with `tags` (checked as TagQueue does, before anything is
  // written). When the queue exists already the tags are neither compared nor changed (SQS).
  Status Create(const std::string& name, const QueueConfig& config, QueueFields compare,
                const QueueTags& tags);
  // NotFound. Messages being received when it is deleted are lost with it.
  Status Delete(const std::string& name);
  // Every queue's name, sorted.
  std::vector<std::string> List() const;
  // SQS ListQueues: the sorted names starting with `prefix` ("" = all) after the page that
  // `token` ends ("" = from the first), at most max_results (1 .. 1,000) into *names;
  // *next_token is "" when no name follows, else the token of the next page. A page starts
  // after the last name of the one before, so creates and deletes between pages neither
  // repeat nor skip a name that exists throughout. InvalidArgument: a bad prefix or
  // max_results, a malformed token or one issued for another prefix.
  Status List(std::string_view prefix, size_t max_results, std::string_view token,
              std::vector<std::string>* names, std::string* next_token) const;
  // SQS SetQueueAttributes: sets the settings among `fields` to config's, durably (one catalog
  // write) and then on the live queue. Changeable: visibility timeout, delay, retention, max
  // message size, receive wait (each for later operations; a shorter retention expires older
  // messages at the next maintenance, receive or stats), the redrive policy (dead-letter queue
  // and max receive count together; "" and 0 remove it), content-based deduplication, dedup
  // scope and throughput limit. The settings fixed at creation (type, limits, log settings)
  // may be named only with their current values. InvalidArgument (nothing changed): no
  // fields, a fixed setting changed, or a result Create would refuse. NotFound.
  Status SetAttributes(const std::string& name, const QueueConfig& config, QueueFields fields);
  Status Describe(const std::string& name, QueueDescription* out);
  // The queue's settings alone (no statistics: no expiry pass, no log reads). NotFound.
  Status GetConfig(const std::string& name, QueueConfig* out);
  Status Stats(const std::string& name, QueueStats* out);

  // Sends one message: returns once it is as durable as the queue's durability says.
  // InvalidArgument (bad attribute, group id, dedup id, delay), TooLarge (body + attributes).
  Status Send(const std::string& name, const SendEntry& entry, SendResult* result,
              Report report = Report::kIds);
  // Up to 10 messages, validated whole before anything is written, written as one batch.
  Status SendBatch(const std::string& name, std::span<const SendEntry> entries,
                   std::vector<SendResult>* results, Report report = Report::kIds);
  // SQS SendMessageBatch (SPEC.md 16.10): entry i is named ids[i]. Batch-level checks
  // (ValidateBatchEntryIds, ids and entries of one size, all the entries over 1 MiB:
  // InvalidArgument "BatchRequestTooLong: ...") fail the call and write nothing. Otherwise
  // each entry is checked on its own; the valid ones are written as one append, in entry
  // order, and (*outcomes)[i] says how entry i fared ((*results)[i], with Report::kSqs's
  // fields, is meaningful when it is ok). An append that fails fails each of its entries
  // (sender_fault false); the call still returns OK.
  Status SendBatchEntries(const std::string& name, std::span<const std::string_view> ids,
                          std::span<const SendEntry> entries, std::vector<SendResult>* results,
                          std::vector<BatchEntryOutcome>* outcomes);

  // ---- Topic deliveries (issue 15; engine/topics' fan-out; queue_deliver.cc) ----
  // Appends up to kQueueMaxDeliverBatch messages as ONE append (after a crash all of them are
  // there or none), entry i's header tagged with origins[i] (format::TopicOrigin: the
  // subscription's key and the topic message's sequence number). Each entry is validated as
  // SendBatch validates it (the queue's size limit, attributes, FIFO group and dedup ids; no
  // 10-entry or 1 MiB batch limit): the first invalid one fails the call, writing nothing
  // (InvalidArgument, TooLarge). A FIFO queue deduplicates as for a send ((*results)[i]
  // .duplicate, and that entry is not written). NotFound, ReadOnly.
  Status Deliver(const std::string& name, std::span<const SendEntry> entries,
                 std::span<const format::TopicOrigin> origins, std::vector<SendResult>* results);
  // Reads the queue's message log from id `from_id` (deleted, expired and purged messages
  // included, while their segments remain) to its end: *topic_seq = the highest topic sequence
  // number among the messages tagged with subscription `sub_key`, nullopt when none is;
  // *next_id_out = the id the next message will get. A from_id past the end (the queue was
  // deleted and made again since it was taken) reads the whole log. NotFound.
  Status LastDelivery(const std::string& name, uint64_t sub_key, SeqNo from_id,
                      SeqNo* next_id_out, std::optional<SeqNo>* topic_seq);
  // The id the next message sent to the queue will get. NotFound.
  Status NextMessageId(const std::string& name, SeqNo* out);

  // Receives up to max_messages (appended to *out; OK with none when the wait ends empty).
  // Waits up to wait_s for a first message, woken by a send or a timeout running out.
  Status Receive(const std::string& name, const ReceiveOptions& opt,
                 std::vector<ReceivedMessage>* out);

  // ---- Receives that hold no thread (seglogd's long polls; SPEC.md 16.13) ----
  // Called once when a message may have become receivable in the queue: a send, a message
  // made visible again (ChangeVisibility, a visibility timeout or a delay running out, a
  // purge or redrive that changes what is ready), or when the queue is deleted, the Queues
  // close, or Interrupt is called. It runs on the thread that caused it (a sender, the store's
  // scheduler), with no seglog lock held; it must not block and must not call into Queues
  // (post the retry elsewhere).
  using WakeFn = std::function<void()>;
  // Receive with no wait (opt.wait_s is ignored): appends what is ready now to *out. When it
  // returns OK with nothing and `wake` is set, `wake` is registered and *ticket (never 0)
  // names the registration; otherwise *ticket is 0 and `wake` is dropped uncalled. The owner
  // of a ticket whose wake fired either calls TryReceive again or CancelWake: a send wakes as
  // many registrations as it published messages (not all of them), so a fired wake that is
  // abandoned must be passed on. Errors as Receive (Canceled after Interrupt: nothing is
  // registered).
  Status TryReceive(const std::string& name, const ReceiveOptions& opt,
                    std::vector<ReceivedMessage>* out, WakeFn wake, uint64_t* ticket);
  // Withdraws a registration (the deadline passed, the client went away). True when `wake` will
  // not be called. False when it has fired (or is firing) or the ticket is unknown: then one
  // other registration of the queue, if any, is woken in its place.
  bool CancelWake(const std::string& name, uint64_t ticket);

  // Deletes the message the receipt was issued for. InvalidArgument for a malformed receipt or
  // one of another queue; Stale when the message was received again since. Deleting a message
  // already deleted (or expired, or purged) is OK.
  Status DeleteMessage(const std::string& name, std::string_view receipt);
  // Up to 10 receipts; (*results)[i] is receipt i's outcome; the valid ones are deleted in one
  // journal write. The returned Status is an error only when nothing could be attempted.
  Status DeleteMessageBatch(const std::string& name, std::span<const std::string_view> receipts,
                            std::vector<Status>* results);
  // Makes the message visible again after timeout_s from now (0 = at once). Stale when the
  // message is no longer in flight under this receipt; InvalidArgument when the visibility
  // would end more than 12 h after the receive.
  Status ChangeVisibility(const std::string& name, std::string_view receipt, uint32_t timeout_s);

  // The batch calls as SQS answers them (DeleteMessageBatch, ChangeMessageVisibilityBatch).
  // First the batch-level checks: `ids` as ValidateBatchEntryIds wants them (1 .. 10, well
  // formed, distinct), one receipt (and timeout) per id, and for deletes a store open for
  // writing (else ReadOnly); a failure there attempts nothing and leaves *out untouched. Then
  // every entry is tried on its own and (*out)[i] is entry i's outcome, with SQS's code.
  // Delete: each as DeleteMessage, the valid ones in one journal write; ReceiptHandleIsInvalid
  // (malformed, or of another queue), InvalidParameterValue (stale: received again since;
  // SQS would accept it), InternalError (the journal write failed; not the sender's fault).
  Status DeleteMessageBatch(const std::string& name, std::span<const std::string_view> ids,
                            std::span<const std::string_view> receipts,
                            std::vector<BatchEntryOutcome>* out);
  // Change visibility: each as ChangeVisibility, under one lock acquisition;
  // InvalidParameterValue (a timeout over 12 h, or ending more than 12 h after the receive),
  // ReceiptHandleIsInvalid (malformed, or of another queue), MessageNotInflight (stale).
  Status ChangeVisibilityBatch(const std::string& name, std::span<const std::string_view> ids,
                               std::span<const std::string_view> receipts,
                               std::span<const uint32_t> timeouts_s,
                               std::vector<BatchEntryOutcome>* out);

  // Deletes every message sent before the call, in flight or not. 0.3.0: Busy
  // ("PurgeQueueInProgress: ...") for a queue under the aws limits purged less than 60 s ago
  // (remembered in memory; SQS PurgeQueueInProgress).
  Status Purge(const std::string& name);

  // ---- 0.3.0: dead-letter sources, move tasks, tags ----
  // SQS ListDeadLetterSourceQueues: the sorted names of the queues whose redrive policy names
  // `dlq`. NotFound when dlq does not exist.
  Status ListDeadLetterSources(const std::string& dlq, std::vector<std::string>* sources);
  // SQS StartMessageMoveTask. InvalidArgument: `source` is not any queue's dead-letter queue, a
  // rate out of 1 .. 500, a destination of the other type or `source` itself; NotFound: no such
  // source or destination; AlreadyExists ("...: a task is running"): one task per source at
  // a time. *handle receives the task's handle.
  Status StartMoveTask(const std::string& source, const MoveTaskOptions& opt,
                       std::string* handle);
  // SQS CancelMessageMoveTask: stops a running task (moved messages stay moved). *moved
  // (optional): how many it moved. NotFound: no such task (malformed, unknown, or not running:
  // SQS ResourceNotFoundException).
  Status CancelMoveTask(std::string_view handle, uint64_t* moved);
  // SQS ListMessageMoveTasks: the source's most recent tasks, newest first, at most
  // max_results (1 .. 10). NotFound: no such queue.
  Status ListMoveTasks(const std::string& source, size_t max_results,
                       std::vector<MoveTaskInfo>* tasks);
  // Tags (QueueTags' rules): TagQueue adds or replaces, UntagQueue removes (unknown keys are
  // fine), ListTags reads. InvalidArgument naming the bad key or the count; NotFound.
  Status TagQueue(const std::string& name, const QueueTags& tags);
  Status UntagQueue(const std::string& name, std::span<const std::string> keys);
  Status ListTags(const std::string& name, QueueTags* out);

  // Deprecated in 0.3.0 (StartMoveTask): synchronous. Moves up to max_messages (0 = all)
  // visible messages of dead-letter queue `dlq` back to the queue each came from (or to
  // `target` when not empty), each with a new MessageId and enqueue time (as a move task). A message whose source no
  // longer exists stays. A crash mid-move may duplicate a message, never lose one.
  Status Redrive(const std::string& dlq, const std::string& target, size_t max_messages,
                 size_t* moved);

  // Expires messages past retention, snapshots big journals, compacts segments. Runs every
  // maintenance_interval_ms in the background; callable directly.
  Status RunMaintenance();
  // One queue's compaction: removes segments whose messages are all deleted or expired and
  // rewrites older ones with under half their bytes live. *rewritten / *removed optional.
  Status Compact(const std::string& name, size_t* rewritten = nullptr, size_t* removed = nullptr);
  // Writes the delete index's snapshot now.
  Status SnapshotDeletes(const std::string& name);

  // Cancels receives: every Receive waiting now, on any queue, and every Receive started
  // later returns Canceled at once (before picking anything), for the rest of this object's
  // life. Nothing else is affected (sends, deletes, visibility changes, purges go on).
  // Idempotent; any thread. Not async-signal-safe: it takes the queues' mutexes to wake the
  // waiters (set a flag of your own in a signal handler and call this from a thread).
  void Interrupt();

  class Queue;  // engine/queues/queue.cc

 private:
  Status Find(const std::string& name, std::shared_ptr<Queue>* out);
  void WakeEveryQueue(bool closing);
  // The thread that fires wake registrations when a delay or visibility timeout ends
  // (queue_wait.cc); started with the first registration that needs it.
  struct WakeTimers;
  struct WakeTimersDeleter {  // WakeTimers is complete only in queue_wait.cc
    ~WakeTimersDeleter();
    void operator()(WakeTimers* w) const;
  };
  static WakeTimers* NewWakeTimers(Clock* clock);
  void StopWakeTimers();
  std::unique_ptr<WakeTimers, WakeTimersDeleter> wake_timers_;
  std::atomic<uint64_t> next_wake_ticket_{1};
  // InvalidArgument unless config.redrive_allow is valid and, when check_dlq and config names
  // a dead-letter queue, that queue exists, is of config.type and its RedriveAllowPolicy lets
  // queue `source` use it. REQUIRES: create_mu_ held.
  Status CheckDeadLetterQueue(const std::string& source, const QueueConfig& config,
                              bool check_dlq);
  // The catalog entry of queue `name`'s message log in `cat`; null when there is none.
  static const format::CatalogEntry* FindQueueEntry(const format::Catalog& cat,
                                                    const std::string& name);
  // The batch-level checks of DeleteMessageBatch / ChangeVisibilityBatch (queue_batch.cc).
  Status CheckBatch(std::span<const std::string_view> ids, size_t receipts) const;

  Store* const store_;
  const QueuesOptions opt_;
  mutable std::mutex mu_;
  // Serialises Create, Delete and SetAttributes (dead-letter queue checks, create-or-compare).
  std::mutex create_mu_;
  RecentlyDeleted recently_deleted_;  // guarded by create_mu_
  std::map<std::string, std::shared_ptr<Queue>> open_;
  uint64_t clock_listener_ = 0;
  Scheduler::TaskId maintenance_task_ = 0;  // on the store's scheduler; 0: none
  bool stop_ = false;  // guarded by mu_
  // Set once by Interrupt; read by receivers under their queue's mu (no lost wake-up: Interrupt
  // sets it before taking each queue's mu to notify).
  std::atomic<bool> interrupted_{false};

  // 0.3.0: message move tasks (queue_move_tasks.cc): the sources' task lists and the runs on
  // the store's scheduler. Made when this object is (it resumes the tasks the catalog says are
  // running) and declared last, so that it is destroyed first: its deleter cancels the
  // scheduled runs (waiting for one in progress) and records their progress while every other
  // member is still there.
  struct MoveTasks;
  struct MoveTasksDeleter {  // MoveTasks is complete only in queue_move_tasks.cc
    void operator()(MoveTasks* m) const;
  };
  static MoveTasks* NewMoveTasks(Queues* owner);
  // Runs one pass of every running move task now, on the calling thread (tests).
  void RunMoveTasksOnce();
  friend struct MoveTaskTestPeer;
  std::unique_ptr<MoveTasks, MoveTasksDeleter> move_tasks_{NewMoveTasks(this)};
};

}  // namespace seglog
