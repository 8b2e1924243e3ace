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

// One task as the catalog keeps it (its form: format/queue_catalog_format.h).
using MoveTaskRecord = format::MoveTaskEntry;
using format::DecodeMoveTaskList;
using format::EncodeMoveTaskList;

// A task's handle: "mt1." task_id (16 hex) "." hex(source name): ASCII, at most 181 bytes.
std::string EncodeMoveTaskHandle(std::string_view source, uint64_t task_id);
// False when `handle` is not one EncodeMoveTaskHandle makes (with a valid queue name).
bool DecodeMoveTaskHandle(std::string_view handle, std::string* source, uint64_t* task_id);

}  // namespace seglog
