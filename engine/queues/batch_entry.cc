#include "engine/queues/batch_entry.h"

#include <set>

namespace seglog {

namespace {
bool IdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-';
}
}  // namespace

Status ValidateBatchEntryIds(std::span<const std::string_view> ids) {
  if (ids.empty()) return Status::InvalidArgument("EmptyBatchRequest: the batch has no entries");
  if (ids.size() > 10) {
    return Status::InvalidArgument("TooManyEntriesInBatchRequest: " + std::to_string(ids.size()) +
                                   " entries, at most 10");
  }
  std::set<std::string_view> seen;
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string_view id = ids[i];
    bool ok = !id.empty() && id.size() <= kBatchEntryIdMaxBytes;
    for (char c : id) ok = ok && IdChar(c);
    if (!ok) {
      return Status::InvalidArgument("InvalidBatchEntryId: entry " + std::to_string(i) +
                                     "'s id must be 1 .. 80 characters of A-Z a-z 0-9 _ -");
    }
    if (!seen.insert(id).second) {
      return Status::InvalidArgument("BatchEntryIdsNotDistinct: id '" + std::string(id) +
                                     "' appears twice");
    }
  }
  return Status::OK();
}

BatchEntryOutcome BatchEntryOutcome::Error(Status s, std::string sqs_code) {
  BatchEntryOutcome o;
  const StatusCode c = s.code();
  o.sender_fault = !(c == StatusCode::kIOError || c == StatusCode::kNoSpace ||
                     c == StatusCode::kCorruption || c == StatusCode::kClosed);
  o.status = std::move(s);
  o.code = std::move(sqs_code);
  return o;
}

}  // namespace seglog
