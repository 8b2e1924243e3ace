// Settings of a log and of a store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "format/status.h"
#include "io/file_system.h"

namespace seglog {

class Clock;

// Which checks a queue's or stream's input gets (a catalog property "limits"; absent =
// relaxed, so stores written before it open unchanged): kAws enforces exactly AWS's limits
// (what seglogd creates), kRelaxed seglog's wider embedded-use ones (binary bodies, retention
// from 1 h). SPEC.md 16 ("Limits profiles") lists both.
enum class Limits { kRelaxed, kAws };
// The catalog property that holds a non-default profile, and its one value ("aws"); a log
// without it is relaxed. LimitsFromProp: an unknown value is NotSupported (a newer seglog's
// profile: refusing beats applying laxer checks than its creator asked for).
inline constexpr char kLimitsProp[] = "limits";
inline constexpr char kLimitsAws[] = "aws";
Status LimitsFromProp(const std::string* value, Limits* out);

enum class Durability {
  // An append returns only after an fdatasync that covers it (group commit: one sync covers
  // every append waiting at that moment). Survives power loss.
  kAlways,
  // An append returns once its bytes are in the kernel; a background sync runs every
  // sync_interval_ms. Survives a process crash; power loss loses at most the last interval.
  kInterval,
  // An append returns once its bytes are in the kernel. Survives a process crash only.
  kNone,
};
std::string_view DurabilityName(Durability d);
Status ParseDurability(std::string_view s, Durability* d);

// LogOptions' bounds (SEGLOG_* in include/seglog.h must match: engine/capi/limits.cc).
inline constexpr uint64_t kMinSegmentSize = 4096;
inline constexpr uint64_t kMaxSegmentSize = 1ull << 40;
inline constexpr uint32_t kMaxSyncIntervalMs = 3'600'000;

struct LogOptions {
  // A segment rolls over when the next batch would not fit; a batch larger than this gets a
  // segment of its own, sized to fit it.
  uint64_t segment_size = 64ull << 20;
  Durability durability = Durability::kAlways;
  uint32_t sync_interval_ms = 200;  // 1 .. 3,600,000; used under kInterval only
  // Try zstd on batches whose records take at least this many bytes; 0 = never compress.
  // Compressed batches are still read correctly, but not zero-copy.
  uint32_t compress_min_bytes = 0;
  // One sparse-index entry per this many bytes of batches.
  uint32_t index_interval_bytes = 4096;

  // InvalidArgument naming the field when a value is out of range (every field, whatever the
  // durability mode: sync_interval_ms too).
  Status Validate() const;
  // For settings read back from a catalog: Validate, after replacing a sync_interval_ms out of
  // range under a mode that does not use it (catalogs written before every field was checked
  // may hold 0 there) by the default. Under kInterval it stays an error.
  Status ValidateStored();
};

struct StoreOptions {
  bool create_if_missing = true;
  // Read-only: no LOCK taken, nothing written, no recovery writes (a torn tail is only
  // skipped). Allowed beside a read-write open in another process.
  bool read_only = false;
  io::Backend io_backend = io::Backend::kAuto;
  // Logs under kNone or kInterval write by memcpy into a shared writable mapping of their
  // active segment instead of one write(2) per append (same guarantees: the bytes are in the
  // kernel when the append returns; SPEC.md section 9). Only where the file's blocks are
  // allocated (fallocate); false: always write(2).
  bool mapped_writes = true;
  // Bound on how many sealed segments stay mapped at once across the store (active segments
  // are always mapped). Keeps thousands of logs within vm.max_map_count.
  size_t max_mapped_segments = 1024;
  // Injected clock (tests); nullptr = SystemClock.
  Clock* clock = nullptr;
  // Injected file system (tests: fault injection); nullptr = NewFileSystem(io_backend).
  // Not owned; must outlive the store.
  io::FileSystem* file_system = nullptr;
};

}  // namespace seglog
