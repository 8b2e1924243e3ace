// Queues: tags (SQS TagQueue, UntagQueue, ListQueueTags; CreateQueue with tags). CONTRACT
// STUBS: the capi helper implements them.
#include "engine/queues/queue_internal.h"

namespace seglog {

Status Queues::Create(const std::string& name, const QueueConfig& config, QueueFields compare,
                      const QueueTags& tags) {
  if (!tags.empty()) return Status::NotSupported("tags: not yet");
  return Create(name, config, compare);
}

Status Queues::TagQueue(const std::string& name, const QueueTags& tags) {
  (void)name;
  (void)tags;
  return Status::NotSupported("TagQueue: not yet");
}

Status Queues::UntagQueue(const std::string& name, std::span<const std::string> keys) {
  (void)name;
  (void)keys;
  return Status::NotSupported("UntagQueue: not yet");
}

Status Queues::ListTags(const std::string& name, QueueTags* out) {
  (void)name;
  out->clear();
  return Status::NotSupported("ListTags: not yet");
}

}  // namespace seglog
