// The forms of a queue's catalog properties that are more than one value (SPEC.md 16.14,
// 16.16): its tags (`tags`) and its recent message move tasks (`move_tasks`), and move task
// handles. Pure functions over text: no I/O, any thread. The queues room writes and reads them;
// `seglog inspect` reads them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "format/status.h"

namespace seglog::format {

// ---- tags: for each tag in key order "<key bytes>:<key><value bytes>:<value>" (decimal
// counts; "" for none) ----
using TagMap = std::map<std::string, std::string>;
std::string EncodeQueueTags(const TagMap& tags);
// Corruption when malformed (a count that is not decimal, has a leading 0 or runs past the
// end; keys not strictly increasing). *out unchanged then.
Status DecodeQueueTags(std::string_view text, TagMap* out);

// ---- move tasks ----
enum class MoveTaskState : uint8_t { kRunning, kCompleted, kCancelling, kCancelled, kFailed };
// One task as the catalog keeps it.
struct MoveTaskEntry {
  uint64_t task_id = 0;          // random; with the source's name it makes the handle
  std::string destination;       // "" = each message's source queue
  uint32_t max_per_second = 0;   // 0 = unlimited
  MoveTaskState status = MoveTaskState::kRunning;
  uint64_t moved = 0;
  uint64_t to_move = 0;          // live messages below `bound` at the start
  std::string failure;           // kFailed only
  int64_t started_ms = 0;
  uint64_t bound = 0;            // moves only messages whose id is below (the source's next
                                 // id at the start): the task ends
  bool operator==(const MoveTaskEntry&) const = default;
};
// `move_tasks` := "1" (";" task)*, newest first; task := task_id (16 hex) "," hex(destination)
// "," max_per_second "," status ("running", "completed", "cancelling", "cancelled", "failed")
// "," moved "," to_move "," hex(failure) "," started_ms "," bound (decimal numbers).
std::string EncodeMoveTaskList(const std::vector<MoveTaskEntry>& tasks);
// False when malformed (*tasks unchanged then).
bool DecodeMoveTaskList(std::string_view text, std::vector<MoveTaskEntry>* tasks);
// The status word of the catalog form ("running", ...).
const char* MoveTaskStateWord(MoveTaskState s);

// A task's handle: "mt1." task_id (16 hex) "." hex(source name): ASCII.
std::string EncodeMoveTaskHandle(std::string_view source, uint64_t task_id);
// False when `handle` is not of that form (the name is not checked here) or over 256 bytes.
bool DecodeMoveTaskHandle(std::string_view handle, std::string* source, uint64_t* task_id);

}  // namespace seglog::format
