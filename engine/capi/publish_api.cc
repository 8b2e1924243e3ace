// The C API's publishing (include/seglog.h, "Publishing", 0.4.0): publish, publish_batch
// (answered entry by entry, as SNS's PublishBatch), wait_delivered and the signing certificate,
// over seglog::Topics.
#include "engine/capi/topics_capi.h"
#include "engine/queues/message_shape.h"

using seglog::Status;
using seglog::StatusCode;
using namespace seglog::capi;  // NOLINT: the room's own helpers

namespace {

std::string_view OptionalString(const char* s) {
  return s == nullptr ? std::string_view() : std::string_view(s);
}

// The fewest bytes one attribute adds to a message (a 1-byte name, "Binary"'s 6, a 1-byte
// value): more attributes than 256 KiB / 8 cannot fit, and are refused before any copy.
constexpr size_t kMinAttributeBytes = 8;

// One publish entry from C: its pointers, counts and DataTypes (the engine checks the rest).
// The attribute views go to *attrs, which must stay put while *out is used. `which` prefixes
// messages ("entry 'a': ").
Status PublishEntryFromC(const seglog_topic_publish_entry& c, const std::string& which,
                         std::vector<seglog::format::MessageAttribute>* attrs,
                         seglog::PublishEntry* out) {
  if (c.message == nullptr && c.message_len > 0) {
    return Status::InvalidArgument(which + "message is NULL but its length is " +
                                   std::to_string(c.message_len));
  }
  if (c.n_attrs > SEGLOG_TOPIC_MAX_MESSAGE_BYTES / kMinAttributeBytes) {
    return Status::TooLarge(which + std::to_string(c.n_attrs) +
                            " attributes cannot fit in 256 KiB");
  }
  if (c.attrs == nullptr && c.n_attrs > 0) {
    return Status::InvalidArgument(which + "attrs is NULL but n_attrs is " +
                                   std::to_string(c.n_attrs));
  }
  SEGLOG_RETURN_IF_ERROR(CheckBool(c.json_structure, "json_structure"));
  SEGLOG_RETURN_IF_ERROR(AttributesV2FromC(c.attrs, c.n_attrs, which, attrs));
  out->message = c.message == nullptr ? std::string_view()
                                      : std::string_view(c.message, c.message_len);
  out->subject = OptionalString(c.subject);
  out->attributes = std::span<const seglog::format::MessageAttribute>(*attrs);
  out->json_structure = c.json_structure != 0;
  out->group_id = OptionalString(c.group_id);
  out->dedup_id = OptionalString(c.dedup_id);
  return Status::OK();
}

void ResultToC(const seglog::PublishResult& r, seglog_topic_publish_result* out) {
  *out = seglog_topic_publish_result{};
  out->seq = r.seq.value();
  out->duplicate = r.duplicate ? 1 : 0;
  CopyString(out->message_id, r.message_id);
  CopyString(out->sequence_number, r.sequence_number);
}

}  // namespace

extern "C" {

void seglog_topic_publish_entry_init(seglog_topic_publish_entry* e, const char* message,
                                     size_t len) {
  if (e == nullptr) return;
  *e = seglog_topic_publish_entry{};
  e->message = message;
  e->message_len = len;
}

int seglog_topic_publish(seglog_handle* db, const char* topic,
                         const seglog_topic_publish_entry* e,
                         seglog_topic_publish_result* result) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckTopicName(topic, "topic"));
    SEGLOG_RETURN_IF_ERROR(NotNull(e, "e"));
    std::vector<seglog::format::MessageAttribute> attrs;
    seglog::PublishEntry entry;
    SEGLOG_RETURN_IF_ERROR(PublishEntryFromC(*e, "", &attrs, &entry));
    seglog::PublishResult r;
    SEGLOG_RETURN_IF_ERROR(db->topics->Publish(topic, entry, &r));
    if (result != nullptr) ResultToC(r, result);
    return Status::OK();
  });
}

int seglog_topic_publish_batch(seglog_handle* db, const char* topic, const char* const* ids,
                               const seglog_topic_publish_entry* entries, size_t n,
                               seglog_topic_publish_result* results,
                               seglog_batch_entry_result* outcomes) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckTopicName(topic, "topic"));
    if (n == 0) return Status::InvalidArgument("EmptyBatchRequest: n is 0");
    if (n > SEGLOG_TOPIC_MAX_BATCH) {
      return Status::InvalidArgument("TooManyEntriesInBatchRequest: " + std::to_string(n) +
                                     " entries; a batch has at most 10");
    }
    SEGLOG_RETURN_IF_ERROR(NotNull(ids, "ids"));
    SEGLOG_RETURN_IF_ERROR(NotNull(entries, "entries"));
    SEGLOG_RETURN_IF_ERROR(NotNull(results, "results"));
    SEGLOG_RETURN_IF_ERROR(NotNull(outcomes, "outcomes"));
    std::vector<std::string_view> idv(n);
    std::vector<std::vector<seglog::format::MessageAttribute>> attrs(n);
    std::vector<seglog::PublishEntry> es(n);
    for (size_t i = 0; i < n; ++i) {
      if (ids[i] == nullptr) {
        return Status::InvalidArgument("InvalidBatchEntryId: ids[" + std::to_string(i) +
                                       "] is NULL");
      }
      idv[i] = ids[i];
      const std::string which = "entry '" + std::string(idv[i].substr(0, 80)) + "': ";
      SEGLOG_RETURN_IF_ERROR(PublishEntryFromC(entries[i], which, &attrs[i], &es[i]));
    }
    std::vector<seglog::PublishResult> rs;
    std::vector<seglog::BatchEntryOutcome> os;
    SEGLOG_RETURN_IF_ERROR(db->topics->PublishBatch(topic, idv, es, &rs, &os));
    if (rs.size() != n || os.size() != n) {
      return Status(StatusCode::kCorruption,
                    "internal: " + std::to_string(os.size()) + " outcomes and " +
                        std::to_string(rs.size()) + " results for " + std::to_string(n) +
                        " entries");
    }
    for (size_t i = 0; i < n; ++i) {
      OutcomeToC(os[i], &outcomes[i]);
      if (os[i].ok()) {
        ResultToC(rs[i], &results[i]);
      } else {
        results[i] = seglog_topic_publish_result{};
      }
    }
    return Status::OK();
  });
}

int seglog_topic_wait_delivered(seglog_handle* db, const char* topic, int64_t timeout_ms) {
  // Topics::WaitDelivered answers a timeout with Busy ("TimedOut: ..."), its only Busy; the
  // message stays in seglog_last_error().
  bool timed_out = false;
  const int rc = Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckTopicName(topic, "topic"));
    if (timeout_ms < 0 || timeout_ms > 3'600'000) {
      return Status::InvalidArgument("timeout_ms is " + std::to_string(timeout_ms) +
                                     " (expected 0 .. 3,600,000)");
    }
    Status s = db->topics->WaitDelivered(topic, timeout_ms);
    timed_out = s.code() == StatusCode::kBusy;
    return s;
  });
  return timed_out ? SEGLOG_ETIMEDOUT : rc;
}

int seglog_topic_signing_certificate(seglog_handle* db, char* pem, size_t pem_cap,
                                     size_t* len) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(NotNull(len, "len"));
    if (pem_cap > 0) SEGLOG_RETURN_IF_ERROR(NotNull(pem, "pem"));
    std::string text;
    SEGLOG_RETURN_IF_ERROR(db->topics->SigningCertificate(&text));
    SEGLOG_RETURN_IF_ERROR(CopyText(text, pem, pem_cap));
    *len = text.size();
    return Status::OK();
  });
}

}  // extern "C"
