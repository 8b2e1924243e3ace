// engine/capi/limits.cc: every limit include/seglog.h publishes, checked at compile time
// against the engine constant that enforces it, so that the header cannot drift from the
// engine. Nothing here runs.
#include "engine/capi/capi.h"
#include "engine/queues/batch_entry.h"
#include "engine/queues/queue_config.h"
#include "engine/queues/queue_tags.h"
#include "engine/topics/topics.h"

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

// 0.4.0: topics (SNS's limits).
static_assert(SEGLOG_TOPIC_NAME_MAX == kTopicMaxNameChars);
static_assert(SEGLOG_TOPIC_MAX_MESSAGE_BYTES == kTopicMaxMessageBytes);
static_assert(SEGLOG_TOPIC_MAX_BATCH == kTopicMaxBatch);
static_assert(SEGLOG_TOPIC_MAX_SUBJECT == kTopicMaxSubjectChars);
static_assert(SEGLOG_TOPIC_DISPLAY_NAME_MAX == 4 * kTopicMaxDisplayNameChars);
static_assert(SEGLOG_TOPIC_MAX_TAGS == kTopicMaxTags && SEGLOG_TOPIC_MAX_TAGS == kQueueMaxTags,
              "topics take tags through the queues' TagsFromC");
static_assert(SEGLOG_TOPIC_MAX_FILTER_POLICIES == kTopicMaxFilterPolicies);
static_assert(SEGLOG_TOPIC_MAX_FILTER_POLICY_BYTES == kFilterMaxPolicyBytes);
static_assert(SEGLOG_TOPIC_MAX_RAW_ATTRS == kTopicMaxRawAttributes);
static_assert(SEGLOG_TOPIC_MAX_RETENTION_S == kTopicDefaultRetentionS);
static_assert(SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX == sizeof("xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx") - 1);
static_assert(SEGLOG_TOPIC_MESSAGE_ID_MAX == SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX, "both UUIDs");
// The field bits are the engine's, one to one (passed through unchanged).
static_assert(SEGLOG_TOPIC_FIELD_DISPLAY_NAME == TopicFieldBit(TopicField::kDisplayName) &&
              SEGLOG_TOPIC_FIELD_CONTENT_BASED_DEDUP ==
                  TopicFieldBit(TopicField::kContentBasedDedup) &&
              SEGLOG_TOPIC_FIELD_SIGNATURE_VERSION ==
                  TopicFieldBit(TopicField::kSignatureVersion) &&
              SEGLOG_TOPIC_FIELD_RETENTION == TopicFieldBit(TopicField::kRetention) &&
              SEGLOG_TOPIC_FIELD_TYPE == TopicFieldBit(TopicField::kType) &&
              SEGLOG_TOPIC_FIELD_LIMITS == TopicFieldBit(TopicField::kLimits) &&
              SEGLOG_TOPIC_FIELD_DURABILITY == TopicFieldBit(TopicField::kDurability) &&
              SEGLOG_TOPIC_FIELD_SYNC_INTERVAL == TopicFieldBit(TopicField::kSyncInterval) &&
              SEGLOG_TOPIC_FIELD_SEGMENT_SIZE == TopicFieldBit(TopicField::kSegmentSize) &&
              SEGLOG_TOPIC_FIELDS_ALL == kAllTopicFields);
static_assert(
    SEGLOG_SUBSCRIPTION_FIELD_RAW_DELIVERY ==
        SubscriptionFieldBit(SubscriptionField::kRawDelivery) &&
    SEGLOG_SUBSCRIPTION_FIELD_FILTER_POLICY ==
        SubscriptionFieldBit(SubscriptionField::kFilterPolicy) &&
    SEGLOG_SUBSCRIPTION_FIELD_FILTER_SCOPE == SubscriptionFieldBit(SubscriptionField::kFilterScope) &&
    SEGLOG_SUBSCRIPTION_FIELD_REDRIVE_POLICY ==
        SubscriptionFieldBit(SubscriptionField::kRedrivePolicy) &&
    SEGLOG_SUBSCRIPTION_FIELDS_ALL ==
        (1u << static_cast<uint32_t>(SubscriptionField::kCount)) - 1);

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
static_assert(sizeof(seglog_topic_name) == SEGLOG_TOPIC_NAME_MAX + 1);
#if UINTPTR_MAX == 0xffffffffffffffffu
static_assert(sizeof(seglog_topic_publish_entry) == 64 &&
              offsetof(seglog_topic_publish_entry, dedup_id) == 56);
static_assert(sizeof(seglog_topic_publish_result) == 72);
static_assert(sizeof(seglog_topic_delivery) == 80);
#endif
static_assert(sizeof(seglog_queue_tag_entry) ==
              SEGLOG_QUEUE_TAG_KEY_MAX + 1 + SEGLOG_QUEUE_TAG_VALUE_MAX + 1);

}  // namespace seglog::capi
