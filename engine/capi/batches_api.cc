// The C API: the SQS batch calls that answer entry by entry (include/seglog.h, "Batch entries"):
// seglog_queue_delete_message_batch_v2 and seglog_queue_change_visibility_batch.
#include "engine/capi/capi.h"

#include <array>
#include <span>

using seglog::Status;
using namespace seglog::capi;  // NOLINT: the room's own helpers

namespace {

// Up to 10 entries' ids and receipts, viewed in place.
struct EntryViews {
  std::array<std::string_view, seglog::kQueueMaxBatch> ids;
  std::array<std::string_view, seglog::kQueueMaxBatch> receipts;
  size_t n = 0;
  std::span<const std::string_view> id_span() const { return {ids.data(), n}; }
  std::span<const std::string_view> receipt_span() const { return {receipts.data(), n}; }
};

// The ids and receipts of a batch from C. Over 10 entries is the engine's
// TooManyEntriesInBatchRequest, said here before anything past the 10th is read; none is its
// EmptyBatchRequest (the arrays may then be NULL).
Status EntriesFromC(const char* const* ids, const char* const* receipts, size_t n,
                    EntryViews* v) {
  if (n > seglog::kQueueMaxBatch) {
    return Status::InvalidArgument("TooManyEntriesInBatchRequest: " + std::to_string(n) +
                                   " entries, at most 10");
  }
  if (n > 0) {
    SEGLOG_RETURN_IF_ERROR(NotNull(ids, "ids"));
    SEGLOG_RETURN_IF_ERROR(NotNull(receipts, "receipts"));
  }
  for (size_t i = 0; i < n; ++i) {
    if (ids[i] == nullptr) return Status::InvalidArgument("id " + std::to_string(i) + " is NULL");
    if (receipts[i] == nullptr) {
      return Status::InvalidArgument("receipt " + std::to_string(i) + " is NULL");
    }
    v->ids[i] = ids[i];
    v->receipts[i] = receipts[i];
  }
  v->n = n;
  return Status::OK();
}

// Copies the engine's outcomes out, once it attempted the batch.
Status OutcomesToC(const std::vector<seglog::BatchEntryOutcome>& out, size_t n,
                   seglog_batch_entry_result* results) {
  if (out.size() != n) {
    return Status(seglog::StatusCode::kCorruption,
                  "internal: " + std::to_string(out.size()) + " outcomes for " +
                      std::to_string(n) + " entries");
  }
  for (size_t i = 0; i < n; ++i) OutcomeToC(out[i], &results[i]);
  return Status::OK();
}

}  // namespace

extern "C" {

int seglog_queue_delete_message_batch_v2(seglog_handle* db, const char* queue,
                                         const char* const* ids, const char* const* receipts,
                                         size_t n, seglog_batch_entry_result* results) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(queue, "queue"));
    if (n > 0) SEGLOG_RETURN_IF_ERROR(NotNull(results, "results"));
    EntryViews v;
    SEGLOG_RETURN_IF_ERROR(EntriesFromC(ids, receipts, n, &v));
    thread_local std::vector<seglog::BatchEntryOutcome> out;  // reused: no allocation once warm
    SEGLOG_RETURN_IF_ERROR(
        db->queues->DeleteMessageBatch(queue, v.id_span(), v.receipt_span(), &out));
    return OutcomesToC(out, n, results);
  });
}

int seglog_queue_change_visibility_batch(seglog_handle* db, const char* queue,
                                         const char* const* ids, const char* const* receipts,
                                         const uint32_t* timeouts_s, size_t n,
                                         seglog_batch_entry_result* results) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(queue, "queue"));
    if (n > 0) {
      SEGLOG_RETURN_IF_ERROR(NotNull(timeouts_s, "timeouts_s"));
      SEGLOG_RETURN_IF_ERROR(NotNull(results, "results"));
    }
    EntryViews v;
    SEGLOG_RETURN_IF_ERROR(EntriesFromC(ids, receipts, n, &v));
    thread_local std::vector<seglog::BatchEntryOutcome> out;  // reused: no allocation once warm
    SEGLOG_RETURN_IF_ERROR(db->queues->ChangeVisibilityBatch(
        queue, v.id_span(), v.receipt_span(), std::span<const uint32_t>(timeouts_s, n), &out));
    return OutcomesToC(out, n, results);
  });
}

}  // extern "C"
