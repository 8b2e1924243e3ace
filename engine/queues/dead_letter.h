// What a dead-letter move carries and what a receive reports about a moved message (SPEC.md
// 16.14): a message moved to a dead-letter queue keeps its MessageId and its receive count
// (header flag kQueueHasOrigin); a standard queue's message keeps its enqueue time (retention
// counts from the first send), a FIFO queue's starts again; a redrive (Queues::Redrive, move
// tasks) gives the message a new MessageId and enqueue time. Pure functions of their arguments:
// no Log, no Store, no clock; safe from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "engine/queues/queue_config.h"
#include "format/queue_format.h"

namespace seglog {

// The 16 bytes of a MessageId's UUID text (MessageIdFor's form); false when `text` is not
// 36 characters of 8-4-4-4-12 hex.
bool MessageIdBytes(std::string_view text, std::array<uint8_t, 16>* out);
// The UUID text (lower-case, 8-4-4-4-12) of 16 bytes.
std::string MessageIdText(const std::array<uint8_t, 16>& bytes);

// The MessageId of message `id` of the queue whose message log is `queue_incarnation`: the
// carried one when the header has it (a dead-letter move), else MessageIdFor's.
std::string MessageIdOf(const format::QueueMessageHeader& h, uint64_t queue_incarnation,
                        uint64_t id);

// SQS ApproximateReceiveCount of a message received `count_here` times in this queue (this
// receive included): the count it carried into the queue plus count_here (saturating). A
// dead-letter queue's own maxReceiveCount counts count_here only.
uint32_t ReportedReceiveCount(const format::QueueMessageHeader& h, uint32_t count_here);

// When the retention of a message whose record was written at record_ts_ms counts from: on a
// standard queue a message moved to it as a dead letter keeps its original enqueue time
// (h.sent_ms, the first send); otherwise the record's time (FIFO dead letters start again).
int64_t RetentionStartMs(QueueType type, int64_t record_ts_ms,
                         const format::QueueMessageHeader& h);

// The header of message `id` of queue (type, incarnation) on its way to a dead-letter queue of
// the same type, received `delivered` times here (not counting the receive that moves it):
// flag 0x02 naming `source`, its MessageId and receive count carried (already carried ones
// kept and added to), delay 0, attributes cleared (the send takes them from the entry). FIFO:
// sent_ms = now (the enqueue time starts again) and the dedup id becomes the MessageId, held
// in *storage (the header views it: keep *storage alive as long as the header).
void DeadLetterHeader(QueueType type, const format::QueueMessageHeader& in,
                      std::string_view source, uint64_t incarnation, uint64_t id,
                      uint32_t delivered, int64_t now_ms, std::string* storage,
                      format::QueueMessageHeader* out);

// The header of a message redriven out of dead-letter queue `dlq` (where its id is `id`): a
// new message (no carried MessageId or count, sent_ms = now), flag 0x02 naming the dead-letter
// queue, delay 0, attributes cleared.
void RedriveHeader(const format::QueueMessageHeader& in, std::string_view dlq, uint64_t id,
                   int64_t now_ms, format::QueueMessageHeader* out);

}  // namespace seglog
