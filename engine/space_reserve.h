// SpaceReserve: disk space a store sets aside at open so that, on a full disk, the operations
// that free space can still run (SPEC.md 13.8): catalog writes, queue journal segments, deletes
// and purges. A log given one (Log::Env::reserve) asks it for room when creating a segment
// fails for lack of space, and tries once more.
//
// Thread-safety: implementations are called from any thread, with no lock of the caller held.
#pragma once

#include <cstdint>

namespace seglog {

class SpaceReserve {
 public:
  virtual ~SpaceReserve() = default;
  // Gives back at least `bytes` of the reserved space (all of it when less is left) to the file
  // system. True when anything was freed (then a retry may succeed).
  virtual bool Release(uint64_t bytes) = 0;
};

}  // namespace seglog
