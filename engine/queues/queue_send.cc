// Queue: sends (engine/queues/queue_internal.h): validate -> reserve dedup ids -> append ->
// publish. Split out of queue.cc, which keeps opening, deletes, visibility and the public calls.
#include "engine/queues/dedup_key.h"
#include "engine/queues/queue_internal.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "engine/queues/message_shape.h"

namespace seglog {

using queue_internal::AsBytes;
using queue_internal::AsChars;

namespace {

// Sizes *results to n cleared results, reusing the strings' storage (a send resets them on
// every call; assigning fresh SendResults costs five strings each).
void ResetSendResults(size_t n, std::vector<SendResult>* results) {
  results->resize(n);
  for (SendResult& r : *results) {
    r.id = SeqNo();
    r.duplicate = false;
    r.message_id.clear();
    r.md5_of_body.clear();
    r.md5_of_attributes.clear();
    r.md5_of_system_attributes.clear();
    r.sequence_number.clear();
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Queue: sends (validate -> reserve dedup ids -> append -> publish)

Status Queues::Queue::Send(std::span<const SendEntry> entries, std::vector<SendResult>* results,
                           std::span<const format::QueueMessageHeader> moved) {
  if (entries.empty()) return Status::InvalidArgument("no messages to send");
  const std::shared_ptr<const QueueConfig> cfg = config();  // one snapshot for the send
  // A move from another queue was validated there.
  if (moved.empty()) SEGLOG_RETURN_IF_ERROR(ValidateSend(*cfg, entries));
  return SendValidated(*cfg, entries, results, moved);
}

Status Queues::Queue::SendValidated(const QueueConfig& cfg, std::span<const SendEntry> entries,
                                    std::vector<SendResult>* results,
                                    std::span<const format::QueueMessageHeader> moved) {
  const bool internal = !moved.empty();
  const int64_t now = Now();
  SendPlan plan;
  PlanHeaders(cfg, entries, moved, now, &plan);
  ResetSendResults(entries.size(), results);
  const bool dedup_check = fifo() && !internal;
  if (dedup_check) SEGLOG_RETURN_IF_ERROR(ReserveDedup(now, &plan, results));
  SeqNo first;
  const Status s = AppendPlanned(entries, plan, &first);
  FinishSend(entries, plan, dedup_check, now, s, first, results);
  FireWakes();  // also when this is another queue's dead-letter move or redrive
  return s;
}

Status Queues::Queue::ValidateSend(const QueueConfig& cfg,
                                   std::span<const SendEntry> entries) const {
  const size_t n = entries.size();
  if (n > kQueueMaxBatch) {
    return Status::InvalidArgument("a batch holds at most 10 messages, got " + std::to_string(n));
  }
  size_t batch_bytes = 0;
  for (size_t i = 0; i < n; ++i) {
    const std::string what = n == 1 ? "message" : "message " + std::to_string(i);
    size_t size = 0;
    SEGLOG_RETURN_IF_ERROR(ValidateSendEntry(entries[i], cfg, what, &size));
    SEGLOG_RETURN_IF_ERROR(ValidateMessageShape(entries[i], what));
    batch_bytes += size;
  }
  if (batch_bytes > kQueueMaxMessageBytes) {
    return Status::TooLarge("the batch is " + std::to_string(batch_bytes) +
                            " bytes; a batch may hold at most 1 MiB");
  }
  return Status::OK();
}

// The records' headers (a move keeps the one it was given) and FIFO dedup ids.
void Queues::Queue::PlanHeaders(const QueueConfig& cfg, std::span<const SendEntry> entries,
                                std::span<const format::QueueMessageHeader> moved, int64_t now,
                                SendPlan* plan) const {
  const size_t n = entries.size();
  const bool internal = !moved.empty();
  plan->keys.resize(fifo() && !internal ? n : 0);
  plan->headers.resize(n);
  plan->dup_of.assign(n, -1);
  plan->write.assign(n, true);
  for (size_t i = 0; i < n; ++i) {
    const SendEntry& e = entries[i];
    format::QueueMessageHeader& h = plan->headers[i];
    if (internal) {
      h = moved[i];
      h.attributes.assign(e.attributes.begin(), e.attributes.end());
      continue;
    }
    h.delay_s = fifo() || e.delay_s < 0 ? cfg.delay_s : static_cast<uint32_t>(e.delay_s);
    h.sent_ms = now;
    h.sender_id = e.sender_id;
    h.trace_header = e.trace_header;
    h.attributes.assign(e.attributes.begin(), e.attributes.end());
    if (fifo()) {
      const std::string id = e.dedup_id.empty() ? Sha256Hex(e.body) : std::string(e.dedup_id);
      plan->keys[i] = DedupKey(cfg.dedup_scope, e.group_id, id);
      // The header's view points into the key, which ends with the id (plan outlives it).
      h.has_dedup_id = true;
      h.dedup_id = std::string_view(plan->keys[i]).substr(plan->keys[i].size() - id.size());
    }
  }
}

// FIFO: waits out sends of the same dedup ids still being written, then marks the repeats
// (of an earlier send, or of an earlier entry of this batch) and reserves the rest.
Status Queues::Queue::ReserveDedup(int64_t now, SendPlan* plan,
                                   std::vector<SendResult>* results) {
  const std::vector<std::string>& keys = plan->keys;
  const size_t n = keys.size();
  std::unique_lock<std::mutex> l(mu);
  for (;;) {
    if (dropped) return Status::NotFound("queue '" + name + "' was deleted");
    state_.ExpireDedup(Now());
    bool pending = false;
    for (size_t i = 0; i < n && !pending; ++i) pending = state_.DedupPending(keys[i]);
    if (!pending) break;
    dedup_cv.wait(l);  // a send with the same id is being written: its outcome decides
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < i && plan->dup_of[i] < 0; ++j) {
      if (plan->write[j] && keys[j] == keys[i]) plan->dup_of[i] = static_cast<int>(j);
    }
    if (plan->dup_of[i] >= 0) {  // a repeat within this batch
      plan->write[i] = false;
      continue;
    }
    if (uint64_t id = 0; state_.FindDedup(keys[i], &id)) {
      (*results)[i] = SendResult{SeqNo(id), true};
      plan->write[i] = false;
      continue;
    }
    state_.ReserveDedup(keys[i], now);
  }
  return Status::OK();
}

// Appends the entries to be written as one batch (OK, with nothing written, when none is).
Status Queues::Queue::AppendPlanned(std::span<const SendEntry> entries, const SendPlan& plan,
                                    SeqNo* first) {
  const size_t n = entries.size();
  // Every header in one buffer, then the records' views into it.
  ByteBuffer attrs;
  attrs.reserve(48 * n);
  std::vector<size_t> attr_end;
  attr_end.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!plan.write[i]) continue;
    format::EncodeQueueMessageHeader(plan.headers[i], &attrs);
    attr_end.push_back(attrs.size());
  }
  std::vector<Log::Record> recs;
  recs.reserve(attr_end.size());
  for (size_t i = 0, k = 0, at = 0; i < n; ++i) {
    if (!plan.write[i]) continue;
    recs.push_back(Log::Record{AsBytes(entries[i].group_id), entries[i].body,
                               ByteView(attrs.data() + at, attr_end[k] - at)});
    at = attr_end[k++];
  }
  return recs.empty() ? Status::OK() : log->Append(recs, first);
}

// Settles the reserved dedup ids with the append's outcome `s`, fills in the results and, on
// success, publishes the written messages.
void Queues::Queue::FinishSend(std::span<const SendEntry> entries, const SendPlan& plan,
                               bool dedup_check, int64_t now, Status s, SeqNo first,
                               std::vector<SendResult>* results) {
  const size_t n = entries.size();
  std::vector<Publish> pub;
  pub.reserve(n);
  std::lock_guard<std::mutex> l(mu);
  uint64_t id = first.value();
  for (size_t i = 0; i < n; ++i) {
    if (!plan.write[i]) continue;
    if (dedup_check) {
      if (s.ok()) {
        state_.CommitDedup(plan.keys[i], id, now);
      } else {
        state_.AbortDedup(plan.keys[i]);
      }
    }
    if (s.ok()) {
      (*results)[i].id = SeqNo(id);  // (fields, not a SendResult: its strings stay untouched)
      (*results)[i].duplicate = false;
      pub.push_back(Publish{id, now + static_cast<int64_t>(plan.headers[i].delay_s) * 1000,
                            std::string(entries[i].group_id)});
      ++id;
    }
  }
  if (dedup_check) dedup_cv.notify_all();
  if (!s.ok()) return;
  for (size_t i = 0; i < n; ++i) {
    if (plan.dup_of[i] >= 0) {
      (*results)[i].id = (*results)[plan.dup_of[i]].id;
      (*results)[i].duplicate = true;
    }
  }
  if (!pub.empty()) PublishLocked(first.value(), std::move(pub), Now());
}

}  // namespace seglog
