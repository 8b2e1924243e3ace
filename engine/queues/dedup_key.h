// The key under which a FIFO queue remembers a deduplication id for 5 minutes (SPEC.md 16.3):
// the id itself under DeduplicationScope queue; under messageGroup (high-throughput FIFO) the
// group id and the id, so that the same id in two groups is two messages. Used by sends and by
// the recovery of the dedup window, which must agree. A pure function; any thread.
#pragma once

#include <string>
#include <string_view>

#include "engine/queues/queue_config.h"

namespace seglog {

inline std::string DedupKey(DedupScope scope, std::string_view group, std::string_view dedup_id) {
  if (scope == DedupScope::kQueue) return std::string(dedup_id);
  // Group ids are ASCII 33 to 126: a '\n' cannot occur in one, so the key is unambiguous.
  std::string key;
  key.reserve(group.size() + 1 + dedup_id.size());
  key.append(group).push_back('\n');
  key.append(dedup_id);
  return key;
}

}  // namespace seglog
