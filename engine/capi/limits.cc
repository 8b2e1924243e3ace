// engine/capi/limits.cc: every limit include/seglog.h publishes, checked at compile time
// against the engine constant that enforces it, so that the header cannot drift from the
// engine. Nothing here runs.
#include "engine/capi/capi.h"
#include "engine/queues/batch_entry.h"
#include "engine/queues/queue_config.h"
#include "engine/queues/queue_tags.h"

namespace seglog::capi {

// Names and hash keys.
static_assert(SEGLOG_NAME_MAX == kMaxNameBytes);
static_assert(SEGLOG_HASH_KEY_MAX == sizeof("340282366920938463463374607431768211455"),
              "the longest hash key (2^128 - 1 in decimal) and its NUL");

// Streams.
static_assert(SEGLOG_MAX_SHARDS == kMaxShards);
static_assert(SEGLOG_MAX_PARTITION_KEY == kMaxPartitionKeyBytes);
static_assert(SEGLOG_MAX_RECORD_BYTES == kMaxMaxRecordBytes);
static_assert(SEGLOG_MAX_BATCH_RECORDS == kMaxPutBatchRecords);
static_assert(SEGLOG_MAX_BATCH_BYTES == kMaxPutBatchBytes);
static_assert(SEGLOG_MAX_READ_RECORDS == kMaxGetRecords);
static_assert(SEGLOG_MAX_READ_BYTES == kMaxGetBytes);

// Queues.
static_assert(SEGLOG_QUEUE_MAX_BATCH == kQueueMaxBatch);
static_assert(SEGLOG_QUEUE_MAX_ATTRS == kQueueMaxAttributes);
static_assert(SEGLOG_QUEUE_MAX_ATTR_NAME == kQueueMaxAttributeNameBytes);
static_assert(SEGLOG_QUEUE_MAX_ID == kQueueMaxGroupIdBytes);
static_assert(SEGLOG_QUEUE_MIN_MESSAGE_BYTES == kQueueMinMessageBytes);
static_assert(SEGLOG_QUEUE_MAX_MESSAGE_BYTES == kQueueMaxMessageBytes);
static_assert(SEGLOG_QUEUE_MAX_VISIBILITY_S == kQueueMaxVisibilityS);
static_assert(SEGLOG_QUEUE_MAX_DELAY_S == kQueueMaxDelayS);
static_assert(SEGLOG_QUEUE_MAX_WAIT_S == kQueueMaxWaitS);
static_assert(SEGLOG_QUEUE_MIN_RETENTION_S == kQueueMinRetentionS);
static_assert(SEGLOG_QUEUE_MAX_RETENTION_S == kQueueMaxRetentionS);
static_assert(SEGLOG_QUEUE_MAX_RECEIVE_COUNT == kQueueMaxReceiveCount);
static_assert(SEGLOG_QUEUE_MAX_IN_FLIGHT == kQueueMaxInFlight);
static_assert(SEGLOG_BATCH_ID_MAX == kBatchEntryIdMaxBytes);
// 0.3.0. A tag's characters are UTF-8, at most 4 bytes each.
static_assert(SEGLOG_QUEUE_MAX_TAGS == kQueueMaxTags);
static_assert(SEGLOG_QUEUE_TAG_KEY_MAX == 4 * kQueueTagKeyMaxChars);
static_assert(SEGLOG_QUEUE_TAG_VALUE_MAX == 4 * kQueueTagValueMaxChars);
static_assert(SEGLOG_QUEUE_MAX_REDRIVE_SOURCES == kQueueMaxRedriveSources);
static_assert(SEGLOG_MOVE_TASK_MAX_PER_SECOND == kQueueMaxMovePerSecond);
static_assert(SEGLOG_MOVE_TASK_LIST_MAX == kQueueMaxMoveTasksListed);
static_assert(SEGLOG_QUEUE_ATTEMPT_ID_MAX == 128);  // ReceiveOptions::attempt_id's bound

// Enums whose C values the engine's enums mirror one to one (converted in capi.cc).
static_assert(SEGLOG_LIMITS_RELAXED == 0, "0 must be the default of every new field");
static_assert(SEGLOG_REDRIVE_ALLOW_ALL == 0, "0 must be the default of every new field");
static_assert(SEGLOG_MOVE_TASK_RUNNING == static_cast<int>(MoveTaskStatus::kRunning) &&
              SEGLOG_MOVE_TASK_COMPLETED == static_cast<int>(MoveTaskStatus::kCompleted) &&
              SEGLOG_MOVE_TASK_CANCELLING == static_cast<int>(MoveTaskStatus::kCancelling) &&
              SEGLOG_MOVE_TASK_CANCELLED == static_cast<int>(MoveTaskStatus::kCancelled) &&
              SEGLOG_MOVE_TASK_FAILED == static_cast<int>(MoveTaskStatus::kFailed));

// Frozen layouts: a field moved or resized would break every program built before.
static_assert(sizeof(seglog_batch_entry_result) == 2 * sizeof(int) + 64 + 256);
static_assert(sizeof(seglog_queue_tag_entry) ==
              SEGLOG_QUEUE_TAG_KEY_MAX + 1 + SEGLOG_QUEUE_TAG_VALUE_MAX + 1);

}  // namespace seglog::capi
