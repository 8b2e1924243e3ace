// Byte layout of a queue message's header: the attrs of its record in the queue's message log
// (the record's key is the FIFO message group id, empty for a standard queue; its value is the
// message body). SPEC.md section 16.2 is the contract for these bytes.
//
//   | version u8 = 1 | flags u8 | delay_s varint | sent_ms varint |
//   | (flags & kHasDedupId)  dedup_len varint, dedup id bytes |
//   | (flags & kMoved)       source_len varint, source queue name, source_id varint |
//   | (flags & kSenderId)    sender_len varint, sender id |
//   | (flags & kTraceHeader) trace_len varint, AWSTraceHeader |
//   | (flags & kOrigin)      origin MessageId (16 bytes), origin_receive_count varint |
//   | (flags & kTopicOrigin) subscription_key varint, topic_seq varint |
//   | attr_count varint | attr: name_len varint, name, type u8,
//   |   (flags & kAttrLabels) label_len varint, label,  value_len varint, value ... |
//
// delay_s: the delay the message was sent with (it becomes visible at the record's timestamp
// plus this). sent_ms: when the message was first sent (kept when it moves to a dead-letter
// queue and back). kMoved: the message was moved here from `source` (a dead-letter move or a
// redrive); source_id is its id there. kSenderId, kTraceHeader, kAttrLabels (0.2.0): set only
// when the message has a sender id given explicitly, an AWSTraceHeader, or an attribute with a
// custom type label, so a message without them has exactly the bytes older seglog wrote (and
// older seglog refuses one with them: an unknown flag is NotSupported). kOrigin (0.3.0): set
// only on a message moved to a dead-letter queue: the MessageId it had before the move (the 16
// bytes of its UUID) and the receive count it had then, so that both carry on in the
// dead-letter queue (SPEC.md 16.14). kTopicOrigin (issue 15): set only on a message a topic's
// fan-out delivered: the subscription's key and the topic message's sequence number, written
// in the same append as the message, so that a reopened store finds what was delivered after
// the subscription's cursor was last written (SPEC.md Part VII). A dead-letter move may
// carry it along; only the subscription's own queue is ever searched for it.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "format/status.h"
#include "format/types.h"

namespace seglog::format {

// Catalog properties of a queue's two logs (SPEC.md section 16): the engine writes them, the
// read-only tools parse them.
namespace queue_props {
inline constexpr char kQueue[] = "queue";  // the queue's name, on both logs
inline constexpr char kPart[] = "part";    // kPartMessages or kPartJournal
inline constexpr char kPartMessages[] = "messages";
inline constexpr char kPartJournal[] = "journal";
inline constexpr char kType[] = "type";  // kTypeStandard or kTypeFifo (messages log only)
inline constexpr char kTypeStandard[] = "standard";
inline constexpr char kTypeFifo[] = "fifo";
inline constexpr char kVisibility[] = "visibility_timeout_s";
inline constexpr char kDelay[] = "delay_s";
inline constexpr char kRetention[] = "retention_s";
inline constexpr char kMaxBytes[] = "max_message_bytes";
inline constexpr char kWait[] = "receive_wait_s";
inline constexpr char kContentDedup[] = "content_based_dedup";  // "0" or "1"
inline constexpr char kDeadLetterQueue[] = "dead_letter_queue";  // "" = none
inline constexpr char kMaxReceiveCount[] = "max_receive_count";
// Added in 0.2.0 (absent from queues created before: the default, and 0 = unknown time):
inline constexpr char kDedupScope[] = "dedup_scope";  // kDedupScopeQueue or ...MessageGroup
inline constexpr char kDedupScopeQueue[] = "queue";
inline constexpr char kDedupScopeMessageGroup[] = "messageGroup";
inline constexpr char kFifoThroughputLimit[] = "fifo_throughput_limit";  // as SQS spells them:
inline constexpr char kThroughputPerQueue[] = "perQueue";
inline constexpr char kThroughputPerMessageGroupId[] = "perMessageGroupId";
inline constexpr char kCreatedMs[] = "created_ms";              // ms since the epoch, decimal
inline constexpr char kLastModifiedMs[] = "last_modified_ms";   // set at create and every change
// Added in 0.3.0 (absent: the default):
inline constexpr char kRedriveAllow[] = "redrive_allow";  // "denyAll", "byQueue:a,b"; absent = allowAll
inline constexpr char kTags[] = "tags";              // the queue's tags (16.16; 0.3.0)
inline constexpr char kMoveTasks[] = "move_tasks";        // the queue's recent move tasks (16.14)
}  // namespace queue_props

inline constexpr uint8_t kQueueHeaderVersion = 1;
inline constexpr uint8_t kQueueHasDedupId = 0x01;
inline constexpr uint8_t kQueueMoved = 0x02;
inline constexpr uint8_t kQueueHasSenderId = 0x04;
inline constexpr uint8_t kQueueHasTraceHeader = 0x08;
inline constexpr uint8_t kQueueAttrLabels = 0x10;  // every attribute carries a label (maybe "")
inline constexpr uint8_t kQueueHasOrigin = 0x20;   // 0.3.0: moved to a dead-letter queue
inline constexpr uint8_t kQueueHasTopicOrigin = 0x40;  // issue 15: delivered by a topic
inline constexpr uint8_t kQueueKnownFlags = kQueueHasDedupId | kQueueMoved | kQueueHasSenderId |
                                            kQueueHasTraceHeader | kQueueAttrLabels |
                                            kQueueHasOrigin | kQueueHasTopicOrigin;

// A topic delivery's tag (kQueueHasTopicOrigin).
struct TopicOrigin {
  uint64_t sub_key = 0;    // the subscription's key (format/topic_catalog_format.h)
  uint64_t topic_seq = 0;  // the message's sequence number in the topic's log
  bool operator==(const TopicOrigin&) const = default;
};

// Message attribute types, as SQS names them.
enum class AttributeType : uint8_t { kString = 1, kNumber = 2, kBinary = 3 };
// "String", "Number", "Binary"; the size rule counts these names.
std::string_view AttributeTypeName(AttributeType t);

struct MessageAttribute {
  std::string_view name;
  AttributeType type = AttributeType::kString;
  ByteView value;
  // SQS's custom type label: DataType "String.json" is type kString, label "json"; "" = none.
  std::string_view type_label = {};
};

struct QueueMessageHeader {
  uint32_t delay_s = 0;
  int64_t sent_ms = 0;
  bool has_dedup_id = false;
  std::string_view dedup_id;
  bool moved = false;
  std::string_view source;
  uint64_t source_id = 0;
  std::string_view sender_id;     // "" = none (the store's default sender)
  std::string_view trace_header;  // SQS AWSTraceHeader; "" = none
  // 0.3.0, a message moved to a dead-letter queue (flag kQueueHasOrigin): its MessageId before
  // the move (the UUID's 16 bytes) and the receive count it had there; carried through further
  // dead-letter moves, dropped by a redrive.
  bool has_origin = false;
  std::array<uint8_t, 16> origin_id{};
  uint32_t origin_receive_count = 0;
  // Issue 15: delivered by a topic subscription (flag kQueueHasTopicOrigin).
  bool has_topic_origin = false;
  TopicOrigin topic_origin;
  std::vector<MessageAttribute> attributes;
};

// Appends the encoding of `h` to *out.
void EncodeQueueMessageHeader(const QueueMessageHeader& h, ByteBuffer* out);
// Views in *h point into `in`. Corruption on malformed input (including trailing bytes or an
// unknown attribute type); NotSupported on a newer version or unknown flags.
Status DecodeQueueMessageHeader(ByteView in, QueueMessageHeader* h);

}  // namespace seglog::format
