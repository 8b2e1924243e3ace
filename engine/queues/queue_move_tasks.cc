// Queues: message move tasks (SQS StartMessageMoveTask, CancelMessageMoveTask,
// ListMessageMoveTasks) and dead-letter source listing. CONTRACT STUBS: the dlq helper
// implements them.
#include "engine/queues/queue_internal.h"

namespace seglog {

Status Queues::ListDeadLetterSources(const std::string& dlq, std::vector<std::string>* sources) {
  (void)dlq;
  sources->clear();
  return Status::NotSupported("ListDeadLetterSources: not yet");
}

Status Queues::StartMoveTask(const std::string& source, const MoveTaskOptions& opt,
                             std::string* handle) {
  (void)source;
  (void)opt;
  handle->clear();
  return Status::NotSupported("StartMoveTask: not yet");
}

Status Queues::CancelMoveTask(std::string_view handle, uint64_t* moved) {
  (void)handle;
  if (moved != nullptr) *moved = 0;
  return Status::NotSupported("CancelMoveTask: not yet");
}

Status Queues::ListMoveTasks(const std::string& source, size_t max_results,
                             std::vector<MoveTaskInfo>* tasks) {
  (void)source;
  (void)max_results;
  tasks->clear();
  return Status::NotSupported("ListMoveTasks: not yet");
}

}  // namespace seglog
