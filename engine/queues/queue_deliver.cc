// Queues: the topic fan-out's calls (issue 15; queue.h "Topic deliveries"): tagged deliveries
// of up to 256 messages in one append, and the scan that finds the newest delivery of a
// subscription after a crash. Sends reuse queue_send.cc's plan -> reserve -> append -> finish
// steps unchanged; only the headers gain the topic origin.
#include "engine/queues/message_shape.h"
#include "engine/queues/queue_internal.h"

namespace seglog {

namespace {
// As queue.cc's guard: fires the queue's collected wakes when the call ends (after op_lock).
struct DeliverWakes {
  Queues::Queue* q;
  ~DeliverWakes() { q->FireWakes(); }
};
}  // namespace

Status Queues::Deliver(const std::string& name, std::span<const SendEntry> entries,
                       std::span<const format::TopicOrigin> origins,
                       std::vector<SendResult>* results) {
  if (entries.empty() || entries.size() != origins.size() ||
      entries.size() > kQueueMaxDeliverBatch) {
    return Status::InvalidArgument("a delivery holds 1 .. 256 messages, each with its origin");
  }
  std::shared_ptr<Queue> q;
  SEGLOG_RETURN_IF_ERROR(Find(name, &q));
  DeliverWakes wakes{q.get()};
  std::shared_lock<WriterFirstLock> op_lock(q->op_mu);
  if (q->del == nullptr) return Status::NotFound("queue '" + name + "' was deleted");
  if (store_->read_only()) return Status::ReadOnly("the store is open read-only");
  return q->DeliverTagged(entries, origins, results);
}

Status Queues::LastDelivery(const std::string& name, uint64_t sub_key, SeqNo from_id,
                            SeqNo* next_id_out, std::optional<SeqNo>* topic_seq) {
  std::shared_ptr<Queue> q;
  SEGLOG_RETURN_IF_ERROR(Find(name, &q));
  std::shared_lock<WriterFirstLock> op_lock(q->op_mu);
  if (q->del == nullptr) return Status::NotFound("queue '" + name + "' was deleted");
  return q->ScanDeliveries(sub_key, from_id.value(), next_id_out, topic_seq);
}

Status Queues::NextMessageId(const std::string& name, SeqNo* out) {
  std::shared_ptr<Queue> q;
  SEGLOG_RETURN_IF_ERROR(Find(name, &q));
  std::shared_lock<WriterFirstLock> op_lock(q->op_mu);
  if (q->del == nullptr) return Status::NotFound("queue '" + name + "' was deleted");
  *out = SeqNo(q->NextId());
  return Status::OK();
}

Status Queues::Queue::DeliverTagged(std::span<const SendEntry> entries,
                                    std::span<const format::TopicOrigin> origins,
                                    std::vector<SendResult>* results) {
  const std::shared_ptr<const QueueConfig> cfg = config();
  const size_t n = entries.size();
  for (size_t i = 0; i < n; ++i) {
    const std::string what = "message " + std::to_string(i);
    size_t size = 0;
    SEGLOG_RETURN_IF_ERROR(ValidateSendEntry(entries[i], *cfg, what, &size));
    SEGLOG_RETURN_IF_ERROR(ValidateMessageShape(entries[i], what));
  }
  const int64_t now = Now();
  SendPlan plan;
  PlanHeaders(*cfg, entries, {}, now, &plan);
  for (size_t i = 0; i < n; ++i) {
    plan.headers[i].has_topic_origin = true;
    plan.headers[i].topic_origin = origins[i];
  }
  results->assign(n, SendResult{});
  const bool dedup_check = fifo();
  if (dedup_check) SEGLOG_RETURN_IF_ERROR(ReserveDedup(now, &plan, results));
  SeqNo first;
  const Status s = AppendPlanned(entries, plan, &first);
  FinishSend(entries, plan, dedup_check, now, s, first, results);
  FireWakes();
  return s;
}

Status Queues::Queue::ScanDeliveries(uint64_t sub_key, uint64_t from_id, SeqNo* next_id,
                                     std::optional<SeqNo>* topic_seq) {
  const uint64_t end = NextId();
  if (from_id > end) from_id = 0;  // another incarnation of the queue: read it all
  std::unique_ptr<LogIterator> it;
  SEGLOG_RETURN_IF_ERROR(log->NewIterator(SeqNo(from_id), &it));
  std::optional<SeqNo> best;
  RecordView r;
  for (;;) {
    Status s = it->Next(&r);
    if (s.code() == StatusCode::kNoMore) break;
    SEGLOG_RETURN_IF_ERROR(s);
    if (r.seq.value() >= end) break;
    format::QueueMessageHeader h;
    SEGLOG_RETURN_IF_ERROR(format::DecodeQueueMessageHeader(r.attrs, &h)
                               .WithContext("queue '" + name + "' message " +
                                            std::to_string(r.seq.value())));
    if (h.has_topic_origin && h.topic_origin.sub_key == sub_key &&
        (!best || h.topic_origin.topic_seq > best->value())) {
      best = SeqNo(h.topic_origin.topic_seq);
    }
  }
  *next_id = SeqNo(end);
  *topic_seq = best;
  return Status::OK();
}

}  // namespace seglog
