// Byte layouts of a queue's delete index (issue 4): the snapshot file (DELETES) and the
// records of its journal (a log). See SPEC.md section 15.
//
// Snapshot (replaced atomically):
//   | magic u64 | version u32 | reserved u32 | covered u64 |
//   | chunk_count u32 | chunk: high u32, len u32, CRoaring portable bitmap (len bytes) ... |
//   | count_entries u64 | entry ... |
//   | xxh3 u64 over everything before |
//   entry, version 2: id u64, count u32, received_ms i64, visible_ms i64, first_ms i64
//   entry, version 1: id u64, count u32 (times read as 0: unknown)
// Version 2 is written; version 1 stays readable.
// A chunk holds the deleted ids whose high 32 bits are `high`, as a 32-bit roaring bitmap of
// their low 32 bits (CRoaring's portable serialization, read with its bounds-checked reader).
// `covered`: every journal record with a sequence number below it is reflected here.
//
// Journal record value (the log record's value; key and attrs empty):
//   type u8 = 1 (deletes):       varint n, then n varints: the first id, then increasing deltas
//   type u8 = 2 (receive count): varint id, varint count
//   type u8 = 3 (delete range):  varint lo, varint hi (lo < hi): every id in [lo, hi)
//   type u8 = 4 (receive):       varint id, varint count, varint received_ms,
//                                varint visible_delta_ms, varint first_delta_ms
//                                (visible_ms = received_ms + visible_delta_ms,
//                                 first_ms = received_ms - first_delta_ms)
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include <roaring/roaring64map.hh>

#include "format/status.h"
#include "format/types.h"

namespace seglog::format {

inline constexpr uint64_t kDeleteIndexMagic = 0x314c454453474553ull;  // "SEGSDEL1"
inline constexpr uint32_t kDeleteIndexVersion = 2;

// What the journal says about one undeleted message's receives. Times are ms since the epoch;
// 0 = unknown (a type-2 record or a version-1 snapshot, written before receives kept them).
struct ReceiveState {
  uint32_t count = 0;        // receives so far (SQS ApproximateReceiveCount)
  int64_t received_ms = 0;   // when the latest receive happened (with count: which receive)
  int64_t visible_ms = 0;    // in flight until then (that receive's visibility timeout)
  int64_t first_ms = 0;      // the first receive (SQS ApproximateFirstReceiveTimestamp)
  bool operator==(const ReceiveState&) const = default;
};
using ReceiveStates = std::unordered_map<uint64_t, ReceiveState>;

struct DeleteSnapshot {
  SeqNo covered;
  Roaring64Map deleted;
  ReceiveStates receive_states;
};

ByteBuffer EncodeDeleteSnapshot(const DeleteSnapshot& s);
// Corruption on any malformation (checked before and while parsing the bitmaps: a bad
// snapshot is reported, never silently treated as empty); NotSupported on a newer version.
Status DecodeDeleteSnapshot(ByteView in, DeleteSnapshot* s);

inline constexpr uint8_t kJournalDeletes = 1;
inline constexpr uint8_t kJournalReceiveCount = 2;
inline constexpr uint8_t kJournalDeleteRange = 3;
inline constexpr uint8_t kJournalReceive = 4;

struct JournalRecord {
  uint8_t type = kJournalDeletes;
  std::vector<uint64_t> ids;  // kJournalDeletes: sorted, unique; kJournalReceive(Count): one id
  uint32_t count = 0;         // kJournalReceiveCount, kJournalReceive
  // kJournalReceive: REQUIRES received_ms >= first_ms >= 0 and visible_ms >= received_ms.
  int64_t received_ms = 0, visible_ms = 0, first_ms = 0;
  uint64_t lo = 0, hi = 0;    // kJournalDeleteRange: [lo, hi), lo < hi
};

// A type-4 record for message `id` in state `st`.
JournalRecord ReceiveRecord(uint64_t id, const ReceiveState& st);

// REQUIRES for deletes: ids sorted ascending and unique, at least one; for a range: lo < hi.
ByteBuffer EncodeJournalRecord(const JournalRecord& r);
// Corruption on malformed input; NotSupported on an unknown type.
Status DecodeJournalRecord(ByteView in, JournalRecord* r);

// The journal replay rule (SPEC.md 15.4): what record `r` does to a delete index's state. The one
// definition, used by the queues' DeleteIndex and by inspect/verify. Idempotent: replaying a
// record the snapshot already holds changes nothing. For a receive record (types 2 and 4) of an
// id not deleted: a higher count replaces the state; the same count with the same received_ms
// replaces visible_ms (a visibility change: the later record wins); anything else is ignored.
// (A type-2 record carries no times: it replaces only with a higher count, times 0.)
void ApplyJournalRecord(const JournalRecord& r, Roaring64Map* deleted, ReceiveStates* states);

}  // namespace seglog::format
