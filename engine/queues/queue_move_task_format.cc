// Move task handles (with the queue name checked) and SQS's status names; the catalog form of
// the task list is format/queue_catalog_format.h's.
#include "engine/queues/queue_move_tasks.h"

#include "engine/log/store.h"

namespace seglog {

std::string EncodeMoveTaskHandle(std::string_view source, uint64_t task_id) {
  return format::EncodeMoveTaskHandle(source, task_id);
}

bool DecodeMoveTaskHandle(std::string_view handle, std::string* source, uint64_t* task_id) {
  std::string name;
  if (!format::DecodeMoveTaskHandle(handle, &name, task_id) ||
      !ValidateName("queue", name).ok()) {
    return false;
  }
  *source = std::move(name);
  return true;
}

const char* MoveTaskStatusName(MoveTaskStatus s) {
  switch (s) {
    case MoveTaskStatus::kRunning: return "RUNNING";
    case MoveTaskStatus::kCompleted: return "COMPLETED";
    case MoveTaskStatus::kCancelling: return "CANCELLING";
    case MoveTaskStatus::kCancelled: return "CANCELLED";
    case MoveTaskStatus::kFailed: return "FAILED";
  }
  return "?";
}

}  // namespace seglog
