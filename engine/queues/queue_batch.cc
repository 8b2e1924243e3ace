// The SQS batch calls' per-entry answers: DeleteMessageBatch and ChangeMessageVisibilityBatch
// (SPEC.md 16.9). The batch-level checks come first and attempt nothing when they fail; every
// entry then succeeds or fails on its own, and its failure carries SQS's error code.
#include "engine/queues/queue.h"
#include "engine/queues/queue_internal.h"

#include <array>

namespace seglog {

namespace {

// SQS's codes for an entry's failure.
constexpr char kReceiptHandleIsInvalid[] = "ReceiptHandleIsInvalid";
constexpr char kInvalidParameterValue[] = "InvalidParameterValue";
constexpr char kMessageNotInflight[] = "MessageNotInflight";
constexpr char kInternalError[] = "InternalError";

// A delete's outcome as DeleteMessageBatch reports it. Stale: SQS accepts an old receipt for a
// delete (and may not delete); seglog refuses it, with the code SQS gives an expired one on a
// FIFO queue ("The receipt handle has expired").
BatchEntryOutcome DeleteOutcome(Status s) {
  if (s.ok()) return BatchEntryOutcome{};
  const StatusCode c = s.code();
  if (c == StatusCode::kInvalidArgument) {
    return BatchEntryOutcome::Error(std::move(s), kReceiptHandleIsInvalid);
  }
  if (c == StatusCode::kStale) return BatchEntryOutcome::Error(std::move(s), kInvalidParameterValue);
  // Otherwise the journal write failed (I/O, space, a closed store): not the sender's fault.
  return BatchEntryOutcome::Error(std::move(s), kInternalError);
}

}  // namespace

Status Queues::CheckBatch(std::span<const std::string_view> ids, size_t receipts) const {
  SEGLOG_RETURN_IF_ERROR(ValidateBatchEntryIds(ids));
  if (receipts != ids.size()) {
    return Status::InvalidArgument("a batch needs one receipt per entry id: " +
                                   std::to_string(ids.size()) + " ids, " +
                                   std::to_string(receipts) + " receipts");
  }
  return Status::OK();
}

Status Queues::Queue::DeleteEntries(std::span<const std::string_view> receipts,
                                    std::vector<BatchEntryOutcome>* out) {
  thread_local std::vector<Status> st;  // reused: no allocation per batch once warm
  SEGLOG_RETURN_IF_ERROR(DeleteMessages(receipts, &st));
  out->resize(st.size());
  for (size_t i = 0; i < st.size(); ++i) (*out)[i] = DeleteOutcome(std::move(st[i]));
  return Status::OK();
}

Status Queues::Queue::ChangeVisibilityEntries(std::span<const std::string_view> receipts,
                                              std::span<const uint32_t> timeouts_s,
                                              std::vector<BatchEntryOutcome>* out) {
  const size_t n = receipts.size();
  if (n == 0 || n > kQueueMaxBatch || timeouts_s.size() != n) {
    return Status::InvalidArgument("a visibility batch holds 1 to 10 receipts, each with a "
                                   "timeout, got " + std::to_string(n));
  }
  out->assign(n, BatchEntryOutcome{});
  // Each entry as ChangeVisibility checks it (timeout, then receipt), outside the lock.
  std::array<QueueReceipt, kQueueMaxBatch> rc;
  std::array<bool, kQueueMaxBatch> valid{};
  for (size_t i = 0; i < n; ++i) {
    Status s = CheckVisibilityTimeout(timeouts_s[i]);
    if (!s.ok()) {
      (*out)[i] = BatchEntryOutcome::Error(std::move(s), kInvalidParameterValue);
      continue;
    }
    s = DecodeReceipt(receipts[i], &rc[i]);
    if (!s.ok()) {
      (*out)[i] = BatchEntryOutcome::Error(std::move(s), kReceiptHandleIsInvalid);
      continue;
    }
    valid[i] = true;
  }
  // Then the valid ones under one lock, in entry order (a receipt named twice: the last wins),
  // and the changes journaled in one write before the call returns.
  std::lock_guard<std::mutex> vl(vis_mu_);
  std::vector<std::pair<SeqNo, format::ReceiveState>> journal_states;
  std::array<size_t, kQueueMaxBatch> changed_entry{};  // of journal_states[k]
  {
    std::lock_guard<std::mutex> l(mu);
    const int64_t now = Now();
    bool due_now = false;
    for (size_t i = 0; i < n; ++i) {
      if (!valid[i]) continue;
      const size_t before = journal_states.size();
      Status s = ChangeVisibilityLocked(rc[i], timeouts_s[i], now, &journal_states);
      if (journal_states.size() > before) changed_entry[before] = i;
      if (s.ok()) {
        due_now = due_now || timeouts_s[i] == 0;
      } else {
        const bool stale = s.code() == StatusCode::kStale;
        (*out)[i] = BatchEntryOutcome::Error(std::move(s), stale ? kMessageNotInflight
                                                                 : kInvalidParameterValue);
      }
    }
    if (due_now) ProcessTimersLocked(now);
  }
  if (Status s = del->SetReceiveStates(journal_states); !s.ok()) {
    // Not durable: those entries fail (the journal's fault, not the caller's).
    for (size_t k = 0; k < journal_states.size(); ++k) {
      (*out)[changed_entry[k]] = BatchEntryOutcome::Error(s, kInternalError);
    }
  }
  return Status::OK();
}

}  // namespace seglog
