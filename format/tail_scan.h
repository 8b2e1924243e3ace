// How the written part of an unsealed (active) segment ends: the torn-tail vs corruption rule
// of SPEC.md 8.1, as one pure function over the segment's bytes, shared by recovery
// (engine/log/log.cc), `seglog verify` (engine/inspect/verify.cc) and `seglog inspect` (engine/inspect/inspect.cc).
//
//   | header | good batches ... | B: first bad batch (or zeros) | ... | intact mark M | ... | zeros |
//                                ^ end                                               ^ dirty_end
//
// The contiguous run of good batches from the header ends at `end`. Past it, later intact
// batches are found by FindNextBatch. If an intact durable mark anywhere says that bytes at or
// above `end` were synced (durable_end > end), the bad batch at `end` was acknowledged and
// damaged afterwards: Corruption. Otherwise it is a torn tail (power loss tears only what was
// never synced), which recovery cuts at `end`, zeroing [end, dirty_end).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "format/segment_format.h"
#include "format/status.h"
#include "format/types.h"

namespace seglog::format {

struct TailScan {
  uint64_t end = 0;        // after the last good batch of the run from `start`
  // Why the run stopped at `end`: OK for zeros or the image's end; else ReadBatch's refusal
  // ("PATH at offset N: ..."). NotSupported (a newer writer's batch) must never be cut off.
  Status stop;
  uint64_t dirty_end = 0;  // after the last nonzero byte at or after `end` (== end: none)
  SeqNo next_seq;          // after the run's last data batch (`base` when none)
  bool has_mark = false;   // an intact durable mark was seen (in the run or after it)
  DurableMark mark;        // the one with the largest durable_end
  // The bytes at `end` are below a durable mark: Corruption (`damage` says where and why).
  bool damaged = false;
  Status damage;
  // When damaged: one past the largest sequence number an intact batch after the damage, or
  // a mark, names (>= next_seq): records in [next_seq, lost_until) may be lost.
  SeqNo lost_until;
};

// Byte ranges [begin, end) of a file that may hold nonzero bytes, in order; everything
// outside them is known to read as zero (io::DataRegions: holes, and preallocated space never
// written).
using DataRanges = std::vector<std::pair<uint64_t, uint64_t>>;

// Scans image[start, image.size()) of the unsealed segment at `path` (for messages), whose
// first record is `base`. `fn(offset, header)` is called for each good batch of the run (data
// and safe-to-ignore types; marks included), in order. `data` (optional): the ranges that may
// hold data, so that the search for nonzero bytes past the run reads only those (a fresh
// segment is mostly preallocated space never written); null: the whole image may.
TailScan ScanUnsealedTail(ByteView image, uint64_t start, SeqNo base, const std::string& path,
                          const std::function<void(uint64_t, const BatchHeader&)>& fn,
                          const DataRanges* data = nullptr);

}  // namespace seglog::format
