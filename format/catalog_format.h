// Byte layout of the store's CATALOG file: the logs of a store and their settings.
// Replaced atomically (temp file, fsync, rename, fsync directory) by the engine.
//
//   | magic u64 | version u32 | reserved u32 | next_log_id u64 | log_count u32 |
//   | log entry ... |
//   | xxh3 u64 over everything before |
// The checksum is the file's last 8 bytes; the entries end exactly where it starts.
//
// Log entry:
//   | log_id u64 | name_len u16 | name | prop_count u16 | (key_len u16 key val_len u32 val) ... |
//
// Settings are string properties ("segment_size" -> "67108864") so that later versions can add
// settings without a format change; a reader keeps properties it does not know.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/status.h"
#include "format/types.h"

namespace seglog::format {

inline constexpr uint64_t kCatalogMagic = 0x3147544353474553ull;  // "SEGSCTG1"
inline constexpr uint32_t kCatalogVersion = 1;

struct CatalogEntry {
  uint64_t log_id = 0;
  std::string name;
  std::vector<std::pair<std::string, std::string>> props;
  friend bool operator==(const CatalogEntry&, const CatalogEntry&) = default;
};

// The value of property `key`, or nullptr.
const std::string* FindProp(const CatalogEntry& e, std::string_view key);
// A property value written by std::to_string of an unsigned 32-bit value: false when `s` is
// null or anything else (a sign, spaces, leading '+', more than 10 digits, above UINT32_MAX).
bool ParsePropU32(const std::string* s, uint32_t* out);

struct Catalog {
  uint64_t next_log_id = 1;
  std::vector<CatalogEntry> logs;
  friend bool operator==(const Catalog&, const Catalog&) = default;
};

// REQUIRES: fewer than 2^32 logs; per log fewer than 2^16 props; names and property keys
// shorter than 2^16 bytes, values shorter than 2^32 bytes (the engine validates names and
// settings before they get here; violating this is a programming error and asserts).
ByteBuffer EncodeCatalog(const Catalog& c);
// Corruption on short input, bad magic, checksum, a nonzero reserved field, version 0, a
// malformed entry or bytes between the last entry and the checksum; NotSupported on a version
// newer than kCatalogVersion.
Status DecodeCatalog(ByteView in, Catalog* c);

}  // namespace seglog::format
