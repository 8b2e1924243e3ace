// SQS batch entries (SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch): the
// caller's entry ids, their batch-level checks, and one entry's outcome. Pure values: no Log,
// no Store. SPEC.md 16 ("Batches") states the rules.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "format/status.h"

namespace seglog {

inline constexpr size_t kBatchEntryIdMaxBytes = 80;

// The batch-level checks every SQS batch call makes before it attempts any entry: 1 .. 10
// entries, each id 1 .. 80 characters of [A-Za-z0-9_-], no id twice. InvalidArgument naming
// the first failure; its message starts with SQS's error code (BatchEntryIdsNotDistinct,
// EmptyBatchRequest, TooManyEntriesInBatchRequest, InvalidBatchEntryId) and ": ".
Status ValidateBatchEntryIds(std::span<const std::string_view> ids);

// One entry's outcome: ok, or SQS's BatchResultErrorEntry (Id is the caller's, kept by it).
struct BatchEntryOutcome {
  Status status;            // OK, or the entry's error as the single call would return it
  bool sender_fault = false;
  std::string code;         // SQS's error code; "" when ok
  // Fills an error outcome: sender_fault is true unless `s` is an I/O, space or internal
  // error (the caller could not have avoided it).
  static BatchEntryOutcome Error(Status s, std::string sqs_code);
  bool ok() const { return status.ok(); }
};

}  // namespace seglog
