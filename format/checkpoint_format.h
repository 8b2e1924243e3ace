// Byte layout of a stream's CHECKPOINTS file: each consumer's durable sequence number per
// shard. Replaced atomically (temp file, fdatasync, rename, fsync directory) by the engine.
//
//   | magic u64 | version u32 | reserved u32 | count u32 |
//   | entry: consumer_len u16 | consumer | shard u32 | seq u64 | ...
//   | xxh3 u64 over everything before |
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "format/status.h"
#include "format/types.h"

namespace seglog::format {

inline constexpr uint64_t kCheckpointMagic = 0x3150434b53474553ull;  // "SEGSKCP1"
inline constexpr uint32_t kCheckpointVersion = 1;

struct CheckpointEntry {
  std::string consumer;  // at most 65,535 bytes (the engine allows 128)
  uint32_t shard = 0;
  SeqNo seq;
  friend bool operator==(const CheckpointEntry&, const CheckpointEntry&) = default;
};

ByteBuffer EncodeCheckpoints(const std::vector<CheckpointEntry>& entries);
// Corruption on short input, bad magic, checksum, reserved bits, entries running past the end
// or bytes left over; NotSupported on a newer version.
Status DecodeCheckpoints(ByteView in, std::vector<CheckpointEntry>* entries);

}  // namespace seglog::format
