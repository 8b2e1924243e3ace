// Little-endian fixed-width and varint encoding over byte buffers (after leveldb util/coding.h).
// Everything on disk is encoded field by field through these; no struct is ever copied to disk.
#pragma once

#include <cstdint>
#include <cstring>

#include <string_view>

#include "format/status.h"
#include "format/types.h"

namespace seglog::format {

inline void EncodeFixed16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
inline void EncodeFixed32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void EncodeFixed64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint16_t DecodeFixed16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}
inline uint32_t DecodeFixed32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline uint64_t DecodeFixed64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

inline void PutFixed32(ByteBuffer* dst, uint32_t v) {
  uint8_t b[4];
  EncodeFixed32(b, v);
  dst->insert(dst->end(), b, b + 4);
}
inline void PutFixed64(ByteBuffer* dst, uint64_t v) {
  uint8_t b[8];
  EncodeFixed64(b, v);
  dst->insert(dst->end(), b, b + 8);
}

inline constexpr int kMaxVarint64Bytes = 10;

// Writes v as an unsigned LEB128 varint at p; returns the byte after it.
inline uint8_t* EncodeVarint64(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<uint8_t>(v);
  return p;
}
inline int VarintLength(uint64_t v) {
  int n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}
inline void PutVarint64(ByteBuffer* dst, uint64_t v) {
  uint8_t b[kMaxVarint64Bytes];
  uint8_t* e = EncodeVarint64(b, v);
  dst->insert(dst->end(), b, e);
}

// Parses a varint from [p, limit). Returns the byte after it, or nullptr when the bytes end
// first or the varint is longer than 10 bytes (malformed).
inline const uint8_t* GetVarint64(const uint8_t* p, const uint8_t* limit, uint64_t* v) {
  uint64_t result = 0;
  for (uint32_t shift = 0; shift <= 63 && p < limit; shift += 7) {
    uint64_t byte = *p++;
    if (byte & 0x80) {
      result |= (byte & 0x7f) << shift;
    } else {
      result |= byte << shift;
      *v = result;
      return p;
    }
  }
  return nullptr;
}

inline uint64_t ZigZagEncode(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t ZigZagDecode(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

// The frame shared by small whole-file structures (checkpoints, delete snapshots):
//   | magic u64 | version u32 | reserved u32 (0) | ... | xxh3 u64 over everything before |
// Checks, in order: at least `min_size` bytes, magic, checksum (Corruption), version 0
// (Corruption), a newer version than `known_version` (NotSupported), reserved (Corruption).
// On OK, *body_end is where the checksum starts. `what` names the file in messages.
Status CheckFileFrame(ByteView in, uint64_t magic, uint32_t known_version, size_t min_size,
                      std::string_view what, size_t* body_end);

// XXH3-64 with seed 0: the checksum of every checksummed structure on disk.
uint64_t Checksum(ByteView data);
// Checksum of the concatenation a || b without copying.
uint64_t Checksum2(ByteView a, ByteView b);

}  // namespace seglog::format
