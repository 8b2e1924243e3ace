#include "engine/inspect/verify_checkpoints.h"

#include <utility>

#include "engine/inspect/segment_reader.h"
#include "engine/log/layout.h"
#include "io/file_util.h"

namespace seglog::inspect_internal {

void CheckpointFiles::Read(const std::string& store_dir, const format::Catalog& catalog,
                           std::vector<Problem>* problems) {
  for (const StreamLogs& s : FindStreams(catalog)) {
    auto zero = s.shards.find(0);
    if (zero == s.shards.end()) continue;  // without shard 0 the stream has no checkpoints
    File f;
    f.path = LogDirPath(store_dir, zero->second->log_id) + "/" + kCheckpointFile;
    f.stream = s.name;
    for (const auto& [shard, e] : s.shards) f.shard_logs[shard] = e->log_id;
    ByteBuffer bytes;
    Status st = io::ReadFile(f.path, &bytes);
    if (st.code() == StatusCode::kNotFound) continue;  // no consumer has checkpointed yet
    if (st.ok()) st = format::DecodeCheckpoints(bytes, &f.entries);
    if (!st.ok()) {
      AddProblem(problems, Severity::kError, f.path,
          std::string("bad checkpoints of stream '") + s.name + "'" +
              (st.code() == StatusCode::kNotSupported ? " (not supported by this build)" : "") +
              ": " + st.message());
      continue;
    }
    files_.push_back(std::move(f));
  }
}

void CheckpointFiles::Check(const std::map<uint64_t, SeqNo>& next_seq,
                            std::vector<Problem>* problems) const {
  for (const File& f : files_) {
    for (const format::CheckpointEntry& e : f.entries) {
      const std::string what = "consumer '" + e.consumer + "' checkpoint on shard " +
                               std::to_string(e.shard) + " at sequence " +
                               std::to_string(e.seq.value());
      auto log = f.shard_logs.find(e.shard);
      if (log == f.shard_logs.end()) {
        AddProblem(problems, Severity::kError, f.path,
            what + ": stream '" + f.stream + "' has no shard " + std::to_string(e.shard) +
                " (it has " + std::to_string(f.shard_logs.size()) + ")");
        continue;
      }
      auto next = next_seq.find(log->second);
      if (next != next_seq.end() && e.seq >= next->second) {
        AddProblem(problems, Severity::kWarning, f.path,
            what + ": the shard's next sequence number is " +
                std::to_string(next->second.value()) +
                " (records acknowledged without a sync were lost in a power loss; the consumer "
                "resumes past the shard's end)");
      }
    }
  }
}

}  // namespace seglog::inspect_internal
