// Queue: what SQS reports about a message besides its body (MessageId, SequenceNumber, the MD5
// digests; engine/queues/message_identity.h), and SendMessageBatch's per-entry sends
// (engine/queues/queue_internal.h; SPEC.md 16.10).
#include "engine/queues/dead_letter.h"
#include "engine/queues/message_identity.h"
#include "engine/queues/message_shape.h"
#include "engine/queues/queue_internal.h"

namespace seglog {

using queue_internal::AsBytes;

void Queues::Queue::Identify(std::span<const SendEntry> entries,
                             std::vector<SendResult>* results) const {
  for (size_t i = 0; i < entries.size(); ++i) {
    const SendEntry& e = entries[i];
    SendResult& r = (*results)[i];
    r.message_id = MessageIdFor(log_id_, r.id.value());
    r.md5_of_body = Md5OfBody(e.body);
    r.md5_of_attributes = Md5OfAttributes(e.attributes);
    r.md5_of_system_attributes = Md5OfSystemAttributes(e.trace_header);
    if (fifo()) r.sequence_number = SequenceNumberFor(r.id.value());
  }
}

void Queues::Queue::IdentifyReceived(ReceivedMessage* m,
                                     std::span<const format::MessageAttribute> attrs,
                                     Report report) const {
  m->message_id = MessageIdFor(log_id_, m->id.value());
  if (fifo()) m->sequence_number = SequenceNumberFor(m->id.value());
  if (report != Report::kSqs) return;
  m->md5_of_body = Md5OfBody(AsBytes(m->body));
  m->md5_of_attributes = Md5OfAttributes(attrs);
  m->md5_of_system_attributes = Md5OfSystemAttributes(m->trace_header);
}

void Queues::Queue::IdentifyReceived(ReceivedMessage* m, const format::QueueMessageHeader& h,
                                     Report report) const {
  IdentifyReceived(m, h.attributes, report);
  if (h.has_origin) m->message_id = MessageIdOf(h, log_id_, m->id.value());
}

namespace {

// SQS's code for an entry whose append failed with `s`.
std::string AppendErrorCode(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound: return "AWS.SimpleQueueService.NonExistentQueue";
    case StatusCode::kInvalidArgument: return "InvalidParameterValue";
    default: return "InternalError";
  }
}

}  // namespace

Status Queues::Queue::SendEntries(std::span<const std::string_view> ids,
                                  std::span<const SendEntry> entries,
                                  std::vector<SendResult>* results,
                                  std::vector<BatchEntryOutcome>* outcomes) {
  SEGLOG_RETURN_IF_ERROR(ValidateBatchEntryIds(ids));
  const size_t n = entries.size();
  if (ids.size() != n) {
    return Status::InvalidArgument(std::to_string(ids.size()) + " entry ids for " +
                                   std::to_string(n) + " entries");
  }
  size_t total = 0;
  for (const SendEntry& e : entries) total += MessageSize(e.body, e.attributes);
  if (total > kQueueMaxMessageBytes) {
    return Status::TooLarge("BatchRequestTooLong: the batch's messages are " +
                            std::to_string(total) + " bytes in all, at most 1 MiB");
  }
  results->assign(n, SendResult{});
  outcomes->assign(n, BatchEntryOutcome{});
  std::vector<SendEntry> valid;
  std::vector<size_t> which;
  valid.reserve(n);
  which.reserve(n);
  const std::shared_ptr<const QueueConfig> cfg = config();
  for (size_t i = 0; i < n; ++i) {
    const std::string what = "entry '" + std::string(ids[i]) + "'";
    size_t size = 0;
    Status s = ValidateSendEntry(entries[i], *cfg, what, &size);
    if (s.ok()) s = ValidateMessageShape(entries[i], what);
    if (!s.ok()) {
      const std::string code = SendEntryErrorCode(entries[i], fifo(), s);
      (*outcomes)[i] = BatchEntryOutcome::Error(std::move(s), code);
      continue;
    }
    valid.push_back(entries[i]);
    which.push_back(i);
  }
  if (valid.empty()) return Status::OK();
  std::vector<SendResult> sent;
  if (Status s = SendValidated(*cfg, valid, &sent); !s.ok()) {
    for (size_t i : which) (*outcomes)[i] = BatchEntryOutcome::Error(s, AppendErrorCode(s));
    return Status::OK();
  }
  Identify(valid, &sent);
  for (size_t k = 0; k < which.size(); ++k) (*results)[which[k]] = std::move(sent[k]);
  return Status::OK();
}

}  // namespace seglog
