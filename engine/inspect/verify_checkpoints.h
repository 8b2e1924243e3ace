// `seglog verify`'s check of stream checkpoints (SPEC.md 14.5): each stream's CHECKPOINTS file,
// in shard 0's log directory, read-only. Used by VerifyStore (engine/inspect/verify.cc).
//
// The files are read before the logs are verified (CheckpointFiles::Read, then Check): a live
// writer only moves a shard's next sequence number forward, so a checkpoint it wrote before the
// read is below the next sequence number the segments show afterwards.
//
// Not thread-safe; one object per verification.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/inspect/inspect.h"
#include "format/catalog_format.h"
#include "format/checkpoint_format.h"
#include "format/types.h"

namespace seglog::inspect_internal {

class CheckpointFiles {
 public:
  // Reads and decodes the CHECKPOINTS file of every stream in `catalog` that has one; a file
  // that cannot be read or does not decode is an error in *problems (naming the file).
  void Read(const std::string& store_dir, const format::Catalog& catalog,
            std::vector<Problem>* problems);

  // Checks every decoded checkpoint against its stream: a shard the stream does not have is an
  // error (no engine write makes one); a sequence number at or past the shard's next one (from
  // `next_seq`, by log id; a log missing from it is not checked) is a warning (records
  // acknowledged without a sync may be lost in a power loss; the checkpoint, synced, survives).
  void Check(const std::map<uint64_t, SeqNo>& next_seq, std::vector<Problem>* problems) const;

  size_t files() const { return files_.size(); }

 private:
  struct File {
    std::string path;
    std::string stream;
    std::map<uint32_t, uint64_t> shard_logs;  // shard -> log id, from the catalog
    std::vector<format::CheckpointEntry> entries;
  };
  std::vector<File> files_;  // those that decoded
};

}  // namespace seglog::inspect_internal
