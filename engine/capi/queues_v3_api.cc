// The C API's 0.3.0 queue calls (include/seglog.h, "Queue tags" and "Dead-letter sources and
// message move tasks"): tags, create with tags, dead-letter sources, move tasks. The 0.3.0
// fields of the existing structs are mapped in queues_api.cc.
#include "engine/capi/capi.h"

using seglog::Status;
using seglog::StatusCode;
using namespace seglog::capi;  // NOLINT: the room's own helpers

namespace seglog::capi {

Status TagsFromC(const char* const* keys, const char* const* values, size_t n,
                 const char* owner, std::map<std::string, std::string>* out) {
  if (n == 0) return Status::OK();
  if (n > seglog::kQueueMaxTags) {
    return Status::InvalidArgument(std::to_string(n) + " tags; " + owner + " has at most 50");
  }
  SEGLOG_RETURN_IF_ERROR(NotNull(keys, "keys"));
  SEGLOG_RETURN_IF_ERROR(NotNull(values, "values"));
  for (size_t i = 0; i < n; ++i) {
    if (keys[i] == nullptr) {
      return Status::InvalidArgument("keys[" + std::to_string(i) + "] is NULL");
    }
    if (values[i] == nullptr) {
      return Status::InvalidArgument("values[" + std::to_string(i) + "] is NULL");
    }
    if (!out->emplace(keys[i], values[i]).second) {
      return Status::InvalidArgument("tag key '" + std::string(keys[i]).substr(0, 128) +
                                     "' is given twice");
    }
  }
  return Status::OK();
}

}  // namespace seglog::capi

namespace {

// Names into the caller's seglog_name array, as seglog_queue_list.
Status CopyNames(const std::vector<std::string>& all, seglog_name* names, size_t cap,
                 size_t* n) {
  for (size_t i = 0; i < all.size() && i < cap; ++i) CopyString(names[i].name, all[i]);
  *n = all.size();
  return Status::OK();
}

int MoveTaskStatusToC(seglog::MoveTaskStatus s) {
  switch (s) {
    case seglog::MoveTaskStatus::kRunning: return SEGLOG_MOVE_TASK_RUNNING;
    case seglog::MoveTaskStatus::kCompleted: return SEGLOG_MOVE_TASK_COMPLETED;
    case seglog::MoveTaskStatus::kCancelling: return SEGLOG_MOVE_TASK_CANCELLING;
    case seglog::MoveTaskStatus::kCancelled: return SEGLOG_MOVE_TASK_CANCELLED;
    case seglog::MoveTaskStatus::kFailed: return SEGLOG_MOVE_TASK_FAILED;
  }
  return SEGLOG_MOVE_TASK_FAILED;
}

// Element i of the caller's array of seglog_move_task_info, whose stride is `stride` (the
// struct_size every element has).
seglog_move_task_info* TaskAt(seglog_move_task_info* tasks, size_t stride, size_t i) {
  return reinterpret_cast<seglog_move_task_info*>(reinterpret_cast<char*>(tasks) + i * stride);
}

// Checks the first `k` elements' struct_size: a known size (or a newer header's, per
// convention 6), the same in all.
Status CheckTaskArray(seglog_move_task_info* tasks, size_t k) {
  if (k == 0) return Status::OK();
  SEGLOG_RETURN_IF_ERROR(CheckStructSize(tasks, kMoveTaskInfoSizes, "seglog_move_task_info"));
  const size_t stride = tasks->struct_size;
  for (size_t i = 1; i < k; ++i) {
    if (TaskAt(tasks, stride, i)->struct_size != stride) {
      return Status::InvalidArgument("tasks[" + std::to_string(i) + "].struct_size is " +
                                     std::to_string(TaskAt(tasks, stride, i)->struct_size) +
                                     ", not tasks[0]'s " + std::to_string(stride) +
                                     ": call seglog_move_task_info_init on each");
    }
  }
  return Status::OK();
}

seglog_move_task_info TaskToC(const seglog::MoveTaskInfo& t) {
  seglog_move_task_info o;
  seglog_move_task_info_init(&o);
  CopyString(o.handle, t.handle);
  CopyString(o.source, t.source);
  CopyString(o.destination, t.destination);
  o.max_per_second = t.max_per_second;
  o.status = MoveTaskStatusToC(t.status);
  o.moved = t.moved;
  o.to_move = t.to_move;
  CopyString(o.failure_reason, t.failure_reason);
  o.started_ms = t.started_ms;
  return o;
}

}  // namespace

extern "C" {

int seglog_queue_create_with_tags(seglog_handle* db, const char* name,
                                  const seglog_queue_config* cfg, const char* const* keys,
                                  const char* const* values, size_t n) {
  return Guard(__func__, [&]() -> Status {
    seglog::QueueTags tags;
    SEGLOG_RETURN_IF_ERROR(TagsFromC(keys, values, n, "a queue", &tags));
    return CreateQueueFromC(db, name, cfg, tags);
  });
}

int seglog_queue_tag(seglog_handle* db, const char* queue, const char* const* keys,
                     const char* const* values, size_t n) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(queue, "queue"));
    if (n == 0) return Status::InvalidArgument("n is 0: no tags to add");
    seglog::QueueTags tags;
    SEGLOG_RETURN_IF_ERROR(TagsFromC(keys, values, n, "a queue", &tags));
    return db->queues->TagQueue(queue, tags);
  });
}

int seglog_queue_untag(seglog_handle* db, const char* queue, const char* const* keys, size_t n) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(queue, "queue"));
    if (n == 0) return Status::InvalidArgument("n is 0: no tag keys to remove");
    SEGLOG_RETURN_IF_ERROR(NotNull(keys, "keys"));
    std::vector<std::string> ks;
    ks.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      if (keys[i] == nullptr) {
      return Status::InvalidArgument("keys[" + std::to_string(i) + "] is NULL");
    }
      ks.emplace_back(keys[i]);
    }
    return db->queues->UntagQueue(queue, ks);
  });
}

int seglog_queue_list_tags(seglog_handle* db, const char* queue, seglog_queue_tag_entry* tags,
                           size_t cap, size_t* n) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(queue, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(n, "n"));
    if (cap > 0) SEGLOG_RETURN_IF_ERROR(NotNull(tags, "tags"));
    seglog::QueueTags all;
    SEGLOG_RETURN_IF_ERROR(db->queues->ListTags(queue, &all));
    size_t i = 0;
    for (const auto& kv : all) {  // a std::map: sorted by key, bytewise
      if (i == cap) break;
      if (kv.first.size() > SEGLOG_QUEUE_TAG_KEY_MAX ||
          kv.second.size() > SEGLOG_QUEUE_TAG_VALUE_MAX) {
        return Status(StatusCode::kCorruption, "internal: a tag over the C API's sizes");
      }
      CopyString(tags[i].key, kv.first);
      CopyString(tags[i].value, kv.second);
      ++i;
    }
    *n = all.size();
    return Status::OK();
  });
}

int seglog_queue_list_dead_letter_sources(seglog_handle* db, const char* dlq, seglog_name* names,
                                          size_t cap, size_t* n) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(dlq, "dead-letter queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(n, "n"));
    if (cap > 0) SEGLOG_RETURN_IF_ERROR(NotNull(names, "names"));
    std::vector<std::string> all;
    SEGLOG_RETURN_IF_ERROR(db->queues->ListDeadLetterSources(dlq, &all));
    return CopyNames(all, names, cap, n);
  });
}

void seglog_move_task_options_init(seglog_move_task_options* opt) {
  if (opt == nullptr) return;
  *opt = seglog_move_task_options{};
  opt->struct_size = sizeof(seglog_move_task_options);
  opt->destination = nullptr;
  opt->max_per_second = 0;
}

void seglog_move_task_info_init(seglog_move_task_info* info) {
  if (info == nullptr) return;
  std::memset(static_cast<void*>(info), 0, sizeof(*info));  // the padding too: list copies it
  info->struct_size = sizeof(seglog_move_task_info);
  info->status = SEGLOG_MOVE_TASK_RUNNING;
}

int seglog_queue_move_task_start(seglog_handle* db, const char* source,
                                 const seglog_move_task_options* opt, char* handle,
                                 size_t handle_cap) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(source, "source queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(handle, "handle"));
    if (handle_cap < SEGLOG_MOVE_TASK_HANDLE_MAX + 1) {
      return Status::InvalidArgument("handle_cap is " + std::to_string(handle_cap) +
                                     ", below SEGLOG_MOVE_TASK_HANDLE_MAX + 1 (" +
                                     std::to_string(SEGLOG_MOVE_TASK_HANDLE_MAX + 1) + ")");
    }
    seglog_move_task_options o;
    seglog_move_task_options_init(&o);
    if (opt != nullptr) {
      SEGLOG_RETURN_IF_ERROR(
          ReadVersioned(opt, kMoveTaskOptionsSizes, "seglog_move_task_options", &o));
    }
    seglog::MoveTaskOptions mo;
    if (o.destination != nullptr && o.destination[0] != '\0') {
      SEGLOG_RETURN_IF_ERROR(CheckName(o.destination, "destination queue"));
      mo.destination = o.destination;
    }
    if (o.max_per_second > seglog::kQueueMaxMovePerSecond) {
      return Status::InvalidArgument("max_per_second is " + std::to_string(o.max_per_second) +
                                     ": 0 (as fast as it goes) or 1 to 500");
    }
    mo.max_per_second = o.max_per_second;
    std::string h;
    SEGLOG_RETURN_IF_ERROR(db->queues->StartMoveTask(source, mo, &h));
    if (h.size() > SEGLOG_MOVE_TASK_HANDLE_MAX) {
      // The task runs; the caller can find its handle with seglog_queue_move_task_list.
      return Status(StatusCode::kCorruption, "internal: a move task handle of " +
                                                 std::to_string(h.size()) + " bytes");
    }
    std::memcpy(handle, h.c_str(), h.size() + 1);
    return Status::OK();
  });
}

int seglog_queue_move_task_cancel(seglog_handle* db, const char* handle, uint64_t* moved) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(NotNull(handle, "handle"));
    uint64_t m = 0;
    SEGLOG_RETURN_IF_ERROR(db->queues->CancelMoveTask(handle, &m));
    if (moved != nullptr) *moved = m;
    return Status::OK();
  });
}

int seglog_queue_move_task_list(seglog_handle* db, const char* source,
                                seglog_move_task_info* tasks, size_t cap, size_t* n) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(source, "source queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(n, "n"));
    const size_t k = std::min(cap, seglog::kQueueMaxMoveTasksListed);
    if (k > 0) SEGLOG_RETURN_IF_ERROR(NotNull(tasks, "tasks"));
    SEGLOG_RETURN_IF_ERROR(CheckTaskArray(tasks, k));
    std::vector<seglog::MoveTaskInfo> all;
    SEGLOG_RETURN_IF_ERROR(
        db->queues->ListMoveTasks(source, seglog::kQueueMaxMoveTasksListed, &all));
    if (all.size() > seglog::kQueueMaxMoveTasksListed) all.resize(seglog::kQueueMaxMoveTasksListed);
    const size_t stride = k > 0 ? tasks->struct_size : 0;
    for (size_t i = 0; i < all.size() && i < k; ++i) {
      WriteVersioned(TaskAt(tasks, stride, i), TaskToC(all[i]));
    }
    *n = all.size();
    return Status::OK();
  });
}

}  // extern "C"
