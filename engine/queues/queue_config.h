// The queues' settings and limits, and one message to send: plain values, used by the queue
// itself (engine/queues/queue.h), by the validators (queue_validate.h) and by the in-memory
// delivery state (delivery_state.h), none of which needs a Log or a Store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/log/options.h"
#include "format/queue_format.h"
#include "format/status.h"
#include "format/types.h"

namespace seglog {

// The limits (SQS's, as of 2025).
inline constexpr uint32_t kQueueMaxVisibilityS = 43'200;        // 12 h
inline constexpr uint32_t kQueueDefaultVisibilityS = 30;
inline constexpr uint32_t kQueueMaxDelayS = 900;
inline constexpr uint32_t kQueueMinRetentionS = 60;
inline constexpr uint32_t kQueueMaxRetentionS = 1'209'600;      // 14 days
inline constexpr uint32_t kQueueDefaultRetentionS = 345'600;    // 4 days
inline constexpr uint32_t kQueueMinMessageBytes = 1024;
inline constexpr uint32_t kQueueMaxMessageBytes = 1u << 20;     // 1 MiB, also the default
inline constexpr size_t kQueueMaxAttributes = 10;
inline constexpr size_t kQueueMaxAttributeNameBytes = 256;
inline constexpr size_t kQueueMaxBatch = 10;                    // send, receive, delete
inline constexpr uint32_t kQueueMaxWaitS = 20;
inline constexpr uint32_t kQueueMaxReceiveCount = 1000;         // maxReceiveCount's bound
inline constexpr size_t kQueueMaxGroupIdBytes = 128;            // also dedup ids
inline constexpr int64_t kQueueDedupWindowMs = 300'000;         // 5 minutes
inline constexpr size_t kQueueMaxInFlight = 120'000;            // receive returns no more
inline constexpr int64_t kQueuePurgeIntervalMs = 60'000;        // aws profile: one purge per

enum class QueueType { kStandard, kFifo };

// FIFO queues only (SQS DeduplicationScope, FifoThroughputLimit; high-throughput FIFO). Stored
// and returned; their delivery semantics come in a later issue (SPEC.md 16.8).
enum class DedupScope { kQueue, kMessageGroup };
enum class FifoThroughputLimit { kPerQueue, kPerMessageGroupId };  // per group needs kMessageGroup

// SQS RedriveAllowPolicy: which queues may name this one as their dead-letter queue. Checked
// when a redrive policy naming this queue is set (CreateQueue, SetQueueAttributes); changing
// it later does not undo existing policies (as SQS). SPEC.md 16.14.
enum class RedriveAllow { kAllowAll, kDenyAll, kByQueue };
inline constexpr size_t kQueueMaxRedriveSources = 10;  // byQueue: 1 .. 10 source queues
struct RedriveAllowPolicy {
  RedriveAllow permission = RedriveAllow::kAllowAll;
  std::vector<std::string> sources;  // kByQueue only: queue names (not ARNs), 1 .. 10, unique
  bool operator==(const RedriveAllowPolicy&) const = default;
};

struct QueueConfig {
  QueueType type = QueueType::kStandard;  // a FIFO queue's name ends in ".fifo", others' not
  uint32_t visibility_timeout_s = kQueueDefaultVisibilityS;  // 0 .. 43,200
  uint32_t delay_s = 0;                                      // 0 .. 900
  uint32_t retention_s = kQueueDefaultRetentionS;            // 60 .. 1,209,600
  uint32_t max_message_bytes = kQueueMaxMessageBytes;        // 1,024 .. 1,048,576
  uint32_t receive_wait_s = 0;         // default long-poll wait of a receive, 0 .. 20
  bool content_based_dedup = false;    // FIFO only: dedup id = SHA-256 of the body
  std::string dead_letter_queue;       // "" = none; must exist and be of the same type
  uint32_t max_receive_count = 0;      // 1 .. 1,000 with a dead-letter queue, else 0
  LogOptions log;                      // durability etc. of both logs
  Limits limits = Limits::kRelaxed;    // kAws: SQS's exact checks (names, body characters, ...)
  DedupScope dedup_scope = DedupScope::kQueue;                            // FIFO only
  FifoThroughputLimit fifo_throughput_limit = FifoThroughputLimit::kPerQueue;  // FIFO only
  RedriveAllowPolicy redrive_allow;    // 0.3.0: who may use this queue as a dead-letter queue

  Status Validate(std::string_view name) const;
};

// The settings of a QueueConfig one call names (Queues::Create compares them with an existing
// queue's, Queues::SetAttributes changes them): a set of QueueField bits. The values are the
// bits' positions, and the C API's SEGLOG_QUEUE_FIELD_* bits are 1 << these.
enum class QueueField : uint32_t {
  kVisibilityTimeout,    // visibility_timeout_s            (SQS VisibilityTimeout)
  kDelay,                // delay_s                         (DelaySeconds)
  kRetention,            // retention_s                     (MessageRetentionPeriod)
  kMaxMessageBytes,      // max_message_bytes               (MaximumMessageSize)
  kReceiveWait,          // receive_wait_s                  (ReceiveMessageWaitTimeSeconds)
  kRedrivePolicy,        // dead_letter_queue + max_receive_count (RedrivePolicy)
  kContentBasedDedup,    // content_based_dedup             (ContentBasedDeduplication)
  kDedupScope,           // dedup_scope                     (DeduplicationScope)
  kFifoThroughputLimit,  // fifo_throughput_limit           (FifoThroughputLimit)
  // Fixed at creation (SetAttributes accepts them only unchanged):
  kType,                 // type                            (FifoQueue)
  kLimits,               // limits
  kDurability,           // log.durability
  kSyncInterval,         // log.sync_interval_ms
  kSegmentSize,          // log.segment_size
  // 0.3.0 (changeable; after the fixed ones so that the C API's bits keep their values):
  kRedriveAllowPolicy,   // redrive_allow                   (RedriveAllowPolicy)
  kCount,                // not a field
};

class QueueFields {
 public:
  static constexpr uint32_t kAllBits = (1u << static_cast<uint32_t>(QueueField::kCount)) - 1;

  constexpr QueueFields() = default;
  // REQUIRES: (bits & ~kAllBits) == 0 (callers check input first).
  constexpr explicit QueueFields(uint32_t bits) : bits_(bits) {}
  static constexpr QueueFields All() { return QueueFields(kAllBits); }

  constexpr QueueFields& Add(QueueField f) {
    bits_ |= 1u << static_cast<uint32_t>(f);
    return *this;
  }
  constexpr QueueFields& Remove(QueueField f) {
    bits_ &= ~(1u << static_cast<uint32_t>(f));
    return *this;
  }
  constexpr bool Has(QueueField f) const {
    return (bits_ & (1u << static_cast<uint32_t>(f))) != 0;
  }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr uint32_t bits() const { return bits_; }

 private:
  uint32_t bits_ = 0;
};

// One message to send. Views must stay valid for the call.
struct SendEntry {
  ByteView body;                                        // 1 byte .. max_message_bytes in all
  std::span<const format::MessageAttribute> attributes; // up to 10, counted in the size
  int32_t delay_s = -1;          // 0 .. 900; -1 = the queue's. Standard queues only.
  std::string_view group_id;     // FIFO: required, 1..128 of ASCII 33..126; standard: empty
  std::string_view dedup_id;     // FIFO: 1..128 as above; empty = content-based (if enabled)
  // 0.2.0 (SPEC.md 16.10). Both are stored only when given, so a message without them costs
  // no byte more than before.
  // SQS SenderId: 1..256 of ASCII 33..126; "" = the store's default
  // (QueuesOptions::default_sender_id).
  std::string_view sender_id = {};
  // SQS AWSTraceHeader: 1..1,024 of ASCII 32..126; "" = none. Not counted in the message's
  // size (as SQS).
  std::string_view trace_header = {};
};

// The limits of SendEntry's 0.2.0 fields and of an attribute's DataType (type name, '.',
// custom label), SQS's where SQS states one.
inline constexpr size_t kQueueMaxSenderIdBytes = 256;
inline constexpr size_t kQueueMaxTraceHeaderBytes = 1024;
inline constexpr size_t kQueueMaxDataTypeChars = 256;

}  // namespace seglog
