// The C API: the 0.2.0 message shapes (include/seglog.h, "Queue messages, 0.2.0"): sends with
// labels, sender ids and trace headers, SQS's fields in their results, per-entry send batches,
// and the v2 view of a receive's batch (built by queues_api.cc's NewBatch).
#include "engine/capi/capi.h"
#include "engine/queues/batch_entry.h"
#include "engine/queues/message_shape.h"

using seglog::Status;
using seglog::StatusCode;
using namespace seglog::capi;  // NOLINT: the room's own helpers

namespace seglog::capi {

Status AttributesV2FromC(const seglog_queue_attr_v2* attrs, size_t n, const std::string& which,
                         std::vector<seglog::format::MessageAttribute>* out) {
  out->assign(n, seglog::format::MessageAttribute{});
  for (size_t i = 0; i < n; ++i) {
    const seglog_queue_attr_v2& a = attrs[i];
    const std::string w = which + "attribute " + std::to_string(i);
    if (a.name == nullptr) return Status::InvalidArgument(w + ": name is NULL");
    if (a.data_type == nullptr) return Status::InvalidArgument(w + ": data_type is NULL");
    if (a.value == nullptr && a.value_len > 0) {
      return Status::InvalidArgument(w + ": value is NULL but its length is " +
                                     std::to_string(a.value_len));
    }
    seglog::format::MessageAttribute& m = (*out)[i];
    SEGLOG_RETURN_IF_ERROR(seglog::ParseDataType(a.data_type, w, &m.type, &m.type_label));
    m.name = a.name;
    m.value = a.value == nullptr ? seglog::ByteView()
                                 : seglog::ByteView(static_cast<const uint8_t*>(a.value),
                                                    a.value_len);
  }
  return Status::OK();
}

}  // namespace seglog::capi

namespace {

std::string_view OptionalString(const char* s) {
  return s == nullptr ? std::string_view() : std::string_view(s);
}

// One v2 send entry from C: its pointers, counts and DataTypes (the engine checks the rest).
// The attribute views go to *attrs, which must stay put while *out is used. `which` prefixes
// messages ("entry 'a': ").
Status SendEntryV2FromC(const seglog_queue_send_entry_v2& c, const std::string& which,
                        std::vector<seglog::format::MessageAttribute>* attrs,
                        seglog::SendEntry* out) {
  SEGLOG_RETURN_IF_ERROR(SendEntryCommonFromC(c, which, out));
  SEGLOG_RETURN_IF_ERROR(AttributesV2FromC(c.attrs, c.n_attrs, which, attrs));
  out->attributes = std::span<const seglog::format::MessageAttribute>(*attrs);
  out->trace_header = OptionalString(c.trace_header);
  out->sender_id = OptionalString(c.sender_id);
  return Status::OK();
}

void ResultToC(const seglog::SendResult& r, seglog_queue_send_result_v2* out) {
  *out = seglog_queue_send_result_v2{};
  out->id = r.id.value();
  out->duplicate = r.duplicate ? 1 : 0;
  CopyString(out->message_id, r.message_id);
  CopyString(out->md5_of_body, r.md5_of_body);
  CopyString(out->md5_of_attributes, r.md5_of_attributes);
  CopyString(out->md5_of_system_attributes, r.md5_of_system_attributes);
  CopyString(out->sequence_number, r.sequence_number);
}

}  // namespace

extern "C" {

void seglog_queue_send_entry_v2_init(seglog_queue_send_entry_v2* e, const void* body,
                                     size_t len) {
  if (e == nullptr) return;
  *e = seglog_queue_send_entry_v2{};
  e->body = body;
  e->body_len = len;
  e->delay_s = -1;
}

int seglog_queue_send_v2(seglog_handle* db, const char* queue,
                         const seglog_queue_send_entry_v2* e,
                         seglog_queue_send_result_v2* result) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(queue, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(e, "e"));
    std::vector<seglog::format::MessageAttribute> attrs;
    seglog::SendEntry se;
    SEGLOG_RETURN_IF_ERROR(SendEntryV2FromC(*e, "", &attrs, &se));
    seglog::SendResult r;
    SEGLOG_RETURN_IF_ERROR(db->queues->Send(queue, se, &r, seglog::Report::kSqs));
    if (result != nullptr) ResultToC(r, result);
    return Status::OK();
  });
}

int seglog_queue_send_batch_v2(seglog_handle* db, const char* queue, const char* const* ids,
                               const seglog_queue_send_entry_v2* entries, size_t n,
                               seglog_queue_send_result_v2* results,
                               seglog_batch_entry_result* outcomes) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
    SEGLOG_RETURN_IF_ERROR(CheckName(queue, "queue"));
    SEGLOG_RETURN_IF_ERROR(NotNull(ids, "ids"));
    SEGLOG_RETURN_IF_ERROR(NotNull(entries, "entries"));
    SEGLOG_RETURN_IF_ERROR(NotNull(results, "results"));
    SEGLOG_RETURN_IF_ERROR(NotNull(outcomes, "outcomes"));
    if (n > seglog::kQueueMaxBatch) n = seglog::kQueueMaxBatch + 1;  // read no more than that
    std::vector<std::string_view> id(n);
    for (size_t i = 0; i < n; ++i) {
      if (ids[i] == nullptr) return Status::InvalidArgument("ids[" + std::to_string(i) + "] is NULL");
      id[i] = ids[i];
    }
    SEGLOG_RETURN_IF_ERROR(seglog::ValidateBatchEntryIds(id));
    std::vector<std::vector<seglog::format::MessageAttribute>> attrs(n);
    std::vector<seglog::SendEntry> es(n);
    for (size_t i = 0; i < n; ++i) {
      SEGLOG_RETURN_IF_ERROR(SendEntryV2FromC(entries[i], "entry '" + std::string(id[i]) + "': ",
                                              &attrs[i], &es[i]));
    }
    std::vector<seglog::SendResult> rs;
    std::vector<seglog::BatchEntryOutcome> os;
    SEGLOG_RETURN_IF_ERROR(db->queues->SendBatchEntries(queue, id, es, &rs, &os));
    if (rs.size() != n || os.size() != n) {
      return Status(StatusCode::kCorruption, "internal: SendBatchEntries returned " +
                                                 std::to_string(os.size()) + " outcomes for " +
                                                 std::to_string(n) + " entries");
    }
    for (size_t i = 0; i < n; ++i) {
      ResultToC(rs[i], &results[i]);
      OutcomeToC(os[i], &outcomes[i]);
    }
    return Status::OK();
  });
}

const seglog_queue_message_v2* seglog_queue_messages_get_v2(const seglog_queue_messages* batch,
                                                            size_t i) {
  if (batch == nullptr || i >= batch->count) return nullptr;
  return &batch->msgs_v2[i];
}

}  // extern "C"
