// Message move tasks' durable form (SPEC.md 16.14): a source queue's recent tasks as the catalog
// property `move_tasks` of its message log, and the tasks' handles. Pure functions of their
// arguments: no Log, no Store, no clock; safe from any thread. Queues::MoveTasks
// (queue_move_tasks.cc) runs the tasks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/queues/queue.h"

namespace seglog {

// One task as the catalog keeps it.
struct MoveTaskRecord {
  uint64_t task_id = 0;          // random; with the source's name it makes the handle
  std::string destination;       // "" = each message's source queue
  uint32_t max_per_second = 0;   // 0 = unlimited
  MoveTaskStatus status = MoveTaskStatus::kRunning;
  uint64_t moved = 0;
  uint64_t to_move = 0;          // live messages below `bound` at the start
  std::string failure;           // kFailed only
  int64_t started_ms = 0;
  uint64_t bound = 0;            // moves only messages whose id is below (the source's next id at
                                 // the start): the task ends
  bool operator==(const MoveTaskRecord&) const = default;
};

// `move_tasks` := "1" (";" task)*, newest first; task := task_id (16 hex) "," hex(destination)
// "," max_per_second "," status ("running", "completed", "cancelling", "cancelled", "failed")
// "," moved "," to_move "," hex(failure) "," started_ms "," bound (decimal numbers).
std::string EncodeMoveTaskList(const std::vector<MoveTaskRecord>& tasks);
// False when malformed.
bool DecodeMoveTaskList(std::string_view text, std::vector<MoveTaskRecord>* tasks);

// A task's handle: "mt1." task_id (16 hex) "." hex(source name): ASCII, at most 181 bytes.
std::string EncodeMoveTaskHandle(std::string_view source, uint64_t task_id);
// False when `handle` is not one EncodeMoveTaskHandle makes (with a valid queue name).
bool DecodeMoveTaskHandle(std::string_view handle, std::string* source, uint64_t* task_id);

// SQS's Status text: "RUNNING", "COMPLETED", "CANCELLING", "CANCELLED", "FAILED".
const char* MoveTaskStatusName(MoveTaskStatus s);

}  // namespace seglog
