// A receipt handle: the value a receive hands out with each message, and Delete /
// ChangeVisibility take back. 24 bytes written as 48 lowercase hex digits:
//
//   version 2 (written): | id (8, LE) | count (4, LE) | received_ms (8, LE) | check (4, LE) |
//   version 1 (read):    | id (8, LE) | epoch (4, LE) | gen (8, LE)         | check (4, LE) |
//
//   id           the message id (its sequence number in the message log)
//   count        the message's receive count after the receive that issued it
//   received_ms  when that receive happened (ms since the epoch): with count, the receive's
//                identity, journaled (delete index record type 4) so that it outlives restarts
//   check        the low 32 bits of Checksum2(log id (8, LE) | salt (8, LE), bytes 0..19), salt
//                "Qreceip2" (version 2) or "Qreceipt" (version 1): a receipt of another queue
//                (another log id) or a typo does not decode, and the two versions never pass
//                for each other
//
// A version-1 receipt (issued before issue 14) still decodes, as `legacy`: its epoch was random
// per open, so it names no receive that can be matched any more (the queue answers Stale, and
// the message is received again when its visibility ends: never lost). Receipts are never
// stored: only the bytes above are a compatibility promise. A value type: no state, any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace seglog {

struct QueueReceipt {
  static constexpr size_t kBytes = 8 + 4 + 8 + 4;
  static constexpr size_t kChars = 2 * kBytes;

  uint64_t id = 0;
  uint32_t count = 0;
  int64_t received_ms = 0;
  bool legacy = false;  // a version-1 receipt (Decode only; Encode writes version 2)

  // The handle, for the queue whose message log is `log_id`.
  std::string Encode(uint64_t log_id) const;
  // False when `r` is not a handle issued for `log_id`: wrong length, a character that is not
  // a lowercase hex digit, or a check value that matches neither version.
  static bool Decode(std::string_view r, uint64_t log_id, QueueReceipt* out);
};

}  // namespace seglog
