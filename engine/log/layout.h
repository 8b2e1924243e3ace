// Where things live in a store directory (SPEC.md section 12): the one definition of every
// file name, used by the engine's rooms and by the read-only tools alike.
//
//   DIR/LOCK, DIR/CATALOG, DIR/RESERVE               the store's own files
//   DIR/logs/<log id, 16 hex>/                        one directory per log
//     <base seq, 20 digits>.seg / .idx                a segment and its sparse index
//     DELETES                                         a queue journal's delete snapshot
//     CHECKPOINTS                                     a stream's checkpoints (shard 0's log)
#pragma once

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>

#include "format/types.h"

namespace seglog {

inline std::string CatalogPath(const std::string& store_dir) { return store_dir + "/CATALOG"; }
inline std::string LockPath(const std::string& store_dir) { return store_dir + "/LOCK"; }
inline std::string ReservePath(const std::string& store_dir) { return store_dir + "/RESERVE"; }
inline std::string LogsPath(const std::string& store_dir) { return store_dir + "/logs"; }
// 16 lowercase hex digits: log names never become paths, ids do.
inline std::string LogDirName(uint64_t log_id) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, log_id);
  return buf;
}
inline std::string LogDirPath(const std::string& store_dir, uint64_t log_id) {
  return LogsPath(store_dir) + "/" + LogDirName(log_id);
}

// "00000000000000000042.seg": 20 digits, so that `ls` sorts segments by sequence.
std::string SegmentFileName(SeqNo base);
std::string IndexFileName(SeqNo base);
// Parses a segment file name; false for anything else.
bool ParseSegmentFileName(const std::string& name, SeqNo* base);

// A queue journal's delete-index snapshot, in the journal log's directory.
inline constexpr char kDeleteSnapshotFile[] = "DELETES";
// A stream's consumer checkpoints, in shard 0's log directory.
inline constexpr char kCheckpointFile[] = "CHECKPOINTS";

}  // namespace seglog
