// A receipt handle: the value a receive hands out with each message, and Delete /
// ChangeVisibility take back. 24 bytes written as 48 lowercase hex digits:
//
//   | id (8, LE) | epoch (4, LE) | gen (8, LE) | check (4, LE) |
//
//   id     the message id (its sequence number in the message log)
//   epoch  random per open of the queue: a receipt of an earlier open names no receive of this
//   gen    which receive of this open issued it (a message received again gets a new gen)
//   check  the low 32 bits of Checksum2(log id (8, LE) | salt "Qreceipt" (8, LE), bytes 0..19):
//          a receipt of another queue (another log id) or a typo does not decode
//
// Receipts are never stored: only the bytes above are a compatibility promise (a receipt issued
// before an upgrade must still decode after it). A value type: no state, any thread.
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
  uint32_t epoch = 0;
  uint64_t gen = 0;

  // The handle, for the queue whose message log is `log_id`.
  std::string Encode(uint64_t log_id) const;
  // False when `r` is not a handle issued for `log_id`: wrong length, a character that is not
  // a lowercase hex digit, or a check value that does not match.
  static bool Decode(std::string_view r, uint64_t log_id, QueueReceipt* out);
};

}  // namespace seglog
