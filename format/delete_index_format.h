// Byte layouts of a queue's delete index (issue 4): the snapshot file (DELETES) and the
// records of its journal (a log). See SPEC.md section 15.
//
// Snapshot (replaced atomically):
//   | magic u64 | version u32 | reserved u32 | covered u64 |
//   | chunk_count u32 | chunk: high u32, len u32, CRoaring portable bitmap (len bytes) ... |
//   | count_entries u64 | entry: id u64, receive_count u32 ... |
//   | xxh3 u64 over everything before |
// A chunk holds the deleted ids whose high 32 bits are `high`, as a 32-bit roaring bitmap of
// their low 32 bits (CRoaring's portable serialization, read with its bounds-checked reader).
// `covered`: every journal record with a sequence number below it is reflected here.
//
// Journal record value (the log record's value; key and attrs empty):
//   type u8 = 1 (deletes):       varint n, then n varints: the first id, then increasing deltas
//   type u8 = 2 (receive count): varint id, varint count
//   type u8 = 3 (delete range):  varint lo, varint hi (lo < hi): every id in [lo, hi)
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include <roaring/roaring64map.hh>

#include "format/status.h"
#include "format/types.h"

namespace seglog::format {

inline constexpr uint64_t kDeleteIndexMagic = 0x314c454453474553ull;  // "SEGSDEL1"
inline constexpr uint32_t kDeleteIndexVersion = 1;

struct DeleteSnapshot {
  SeqNo covered;
  Roaring64Map deleted;
  std::unordered_map<uint64_t, uint32_t> receive_counts;
};

ByteBuffer EncodeDeleteSnapshot(const DeleteSnapshot& s);
// Corruption on any malformation (checked before and while parsing the bitmaps: a bad
// snapshot is reported, never silently treated as empty); NotSupported on a newer version.
Status DecodeDeleteSnapshot(ByteView in, DeleteSnapshot* s);

inline constexpr uint8_t kJournalDeletes = 1;
inline constexpr uint8_t kJournalReceiveCount = 2;
inline constexpr uint8_t kJournalDeleteRange = 3;

struct JournalRecord {
  uint8_t type = kJournalDeletes;
  std::vector<uint64_t> ids;  // kJournalDeletes: sorted, unique; kJournalReceiveCount: one id
  uint32_t count = 0;         // kJournalReceiveCount
  uint64_t lo = 0, hi = 0;    // kJournalDeleteRange: [lo, hi), lo < hi
};

// REQUIRES for deletes: ids sorted ascending and unique, at least one; for a range: lo < hi.
ByteBuffer EncodeJournalRecord(const JournalRecord& r);
// Corruption on malformed input; NotSupported on an unknown type.
Status DecodeJournalRecord(ByteView in, JournalRecord* r);

// The journal replay rule (SPEC.md 15.4): what record `r` does to a delete index's state. The one
// definition, used by the queues' DeleteIndex and by inspect/verify. Idempotent: replaying a
// record the snapshot already holds changes nothing.
void ApplyJournalRecord(const JournalRecord& r, Roaring64Map* deleted,
                        std::unordered_map<uint64_t, uint32_t>* receive_counts);

}  // namespace seglog::format
