// engine/capi/limits.cc: every limit include/seglog.h publishes, checked at compile time
// against the engine constant that enforces it, so that the header cannot drift from the
// engine. Nothing here runs.
#include "engine/capi/capi.h"
#include "engine/queues/batch_entry.h"
#include "engine/queues/queue_config.h"

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

// Enums whose C values the engine's enums mirror one to one (converted in capi.cc).
static_assert(SEGLOG_LIMITS_RELAXED == 0, "0 must be the default of every new field");

// Frozen layouts: a field moved or resized would break every program built before.
static_assert(sizeof(seglog_batch_entry_result) == 2 * sizeof(int) + 64 + 256);

}  // namespace seglog::capi
