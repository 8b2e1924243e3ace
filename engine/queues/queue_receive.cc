// Queue: receives and deliveries (engine/queues/queue_internal.h); the moves to a dead-letter
// queue are queue_redrive.cc's.
#include "engine/queues/dead_letter.h"
#include "engine/queues/queue_internal.h"

namespace seglog {

using queue_internal::AsBytes;
using queue_internal::AsChars;

namespace {

// SQS ReceiveRequestAttemptId: 1 .. 128 characters, each printable ASCII but the space
// ([A-Za-z0-9] and !"#$%&'()*+,-./:;<=>?@[\]^_`{|}~).
Status ValidateAttemptId(std::string_view id) {
  bool ok = id.size() <= 128;
  for (char c : id) ok = ok && c >= 0x21 && c <= 0x7e;
  if (ok) return Status::OK();
  return Status::InvalidArgument("ReceiveRequestAttemptId must be 1 to 128 characters of "
                                 "A-Z, a-z, 0-9 and punctuation, got '" +
                                 std::string(id.substr(0, 130)) + "'");
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Queue: receives (wait and pick -> read the records -> deliver, drop or move)

Status Queues::Queue::Receive(const ReceiveOptions& opt, std::vector<ReceivedMessage>* out) {
  if (opt.max_messages < 1 || opt.max_messages > kQueueMaxBatch) {
    return Status::InvalidArgument("max_messages must be 1 to 10, got " +
                                   std::to_string(opt.max_messages));
  }
  if (opt.visibility_timeout_s < -1 ||
      opt.visibility_timeout_s > static_cast<int32_t>(kQueueMaxVisibilityS)) {
    return Status::InvalidArgument("visibility timeout must be 0 to 43200 seconds, got " +
                                   std::to_string(opt.visibility_timeout_s));
  }
  if (opt.wait_s < -1 || opt.wait_s > static_cast<int32_t>(kQueueMaxWaitS)) {
    return Status::InvalidArgument("wait must be 0 to 20 seconds, got " +
                                   std::to_string(opt.wait_s));
  }
  SEGLOG_RETURN_IF_ERROR(ValidateAttemptId(opt.attempt_id));
  const std::shared_ptr<const QueueConfig> cfg = config();  // one snapshot for the receive
  const int64_t vt_ms = 1000ll * (opt.visibility_timeout_s >= 0 ? opt.visibility_timeout_s
                                                                 : cfg->visibility_timeout_s);
  const int64_t wait_ms = 1000ll * (opt.wait_s >= 0 ? opt.wait_s : cfg->receive_wait_s);
  const int64_t deadline = Now() + wait_ms;
  const size_t before = out->size();
  // SQS: the attempt id applies to FIFO queues only (a standard queue ignores it).
  const bool attempt = fifo() && !opt.attempt_id.empty();
  if (attempt) {
    bool served = false;
    SEGLOG_RETURN_IF_ERROR(RetryAttempt(opt, vt_ms, out, &served));
    if (served) return Status::OK();
  }
  for (;;) {
    // Expired messages are never delivered (Deliver checks each record's time); expiring them
    // from memory too, at most once a second, frees FIFO groups held by an expired message.
    if (const int64_t t = Now(); t - last_expire_ms_.load(std::memory_order_relaxed) >= 1000) {
      last_expire_ms_.store(t, std::memory_order_relaxed);
      SEGLOG_RETURN_IF_ERROR(Expire());
    }
    std::vector<Pick> picks;
    picks.reserve(opt.max_messages);
    int64_t now = 0;
    SEGLOG_RETURN_IF_ERROR(WaitAndPick(opt, vt_ms, deadline, &picks, &now));
    if (picks.empty()) return Status::OK();
    SEGLOG_RETURN_IF_ERROR(Deliver(*cfg, picks, now, opt.report, out));
    if (out->size() > before) {
      if (attempt) {
        RememberAttempt(opt.attempt_id, std::span<const ReceivedMessage>(*out).subspan(before),
                        vt_ms);
      }
      return Status::OK();
    }
    // Every pick was expired or moved to the dead-letter queue: look again (each pass takes
    // at least one message out of the queue, so this ends), then wait out the deadline.
  }
}

// Picks messages, waiting until `deadline` for the first (none picked: the wait ended).
Status Queues::Queue::WaitAndPick(const ReceiveOptions& opt, int64_t vt_ms, int64_t deadline,
                                  std::vector<Pick>* picks, int64_t* now) {
  std::unique_lock<std::mutex> l(mu);
  for (;;) {
    if (dropped) return Status::NotFound("queue '" + name + "' was deleted");
    if (closing) return Status::Closed("the store's queues are closing");
    if (owner_->interrupted_.load()) {
      return Status::Canceled("receives on this handle were interrupted (seglog_interrupt)");
    }
    *now = Now();
    ProcessTimersLocked(*now);
    state_.PickMessages(opt.max_messages, *now, vt_ms, picks);
    WakeGroupsLocked();
    if (!picks->empty()) ArmWakeTimerLocked();  // their visibility timeouts
    if (!picks->empty() || *now >= deadline) return Status::OK();
    // Woken by a send, a clock jump, or the next timer (a delay or visibility timeout).
    int64_t until = deadline;
    if (int64_t due = 0; state_.NextTimer(&due)) until = std::min(until, due);
    ++receivers_waiting_;
    cv.wait_for(l, std::chrono::milliseconds(std::max<int64_t>(1, until - *now)));
    --receivers_waiting_;
  }
}

// Reads the picked messages' records, then delivers them, drops the expired ones and moves
// those received too often to the dead-letter queue.
Status Queues::Queue::Deliver(const QueueConfig& cfg, std::vector<Pick>& picks, int64_t now,
                              Report report, std::vector<ReceivedMessage>* out) {
  auto fail = [&](Status s) {
    std::lock_guard<std::mutex> l(mu);
    ReleaseLocked(picks);
    return s;
  };
  PickedRecords read;
  if (Status s = ReadPicked(picks, &read); !s.ok()) return fail(s);
  std::shared_ptr<Queue> dlq;
  if (!cfg.dead_letter_queue.empty()) {
    Status s = owner_->Find(cfg.dead_letter_queue, &dlq);
    if (!s.ok() && s.code() != StatusCode::kNotFound) return fail(s);
  }
  Outcome o;
  if (Status s = Classify(cfg, picks, read, now, dlq != nullptr, &o); !s.ok()) return fail(s);
  // Receive states are durable before anyone sees the message: a consumer that crashes on it
  // every time still drives it to the dead-letter queue, and a restart keeps it in flight
  // under the same receipt.
  if (!o.deliver.empty()) {
    std::vector<std::pair<SeqNo, format::ReceiveState>> states;
    states.reserve(o.deliver.size());
    for (size_t i : o.deliver) states.emplace_back(SeqNo(picks[i].id), picks[i].State());
    if (Status s = del->SetReceiveStates(states); !s.ok()) return fail(s);
  }
  AppendDelivered(picks, read, o, report, out);
  const Status move_status = o.move.empty() ? Status::OK()
                                            : MoveToDeadLetter(*dlq, picks, read, o);
  iters.Return(&read.iters);  // the views in read.recs are not used past here
  std::lock_guard<std::mutex> l(mu);
  for (size_t i : o.gone) state_.DropIfReceivedAs(picks[i].id, picks[i].count);
  if (move_status.ok()) {
    for (size_t i : o.move) state_.RemoveLive(picks[i].id);
  } else {
    std::vector<Pick> back;
    for (size_t i : o.move) back.push_back(picks[i]);
    ReleaseLocked(back);
  }
  WakeGroupsLocked();
  // The dead-letter queue being deleted is not the receiver's error: the messages stay here.
  return move_status.code() == StatusCode::kNotFound ? Status::OK() : move_status;
}

// Reads the picks' records in id order, reusing pooled iterators. Views stay valid while their
// iterator lives (NextRetaining holds every mapping it read).
Status Queues::Queue::ReadPicked(const std::vector<Pick>& picks, PickedRecords* read) {
  const size_t n = picks.size();
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return picks[a].id < picks[b].id; });
  read->recs.resize(n);
  read->found.assign(n, false);
  auto& its = read->iters;
  for (size_t idx : order) {
    const uint64_t id = picks[idx].id;
    if (its.empty() || its.back()->position().value() > id ||
        id - its.back()->position().value() > MessageIterators::kReach) {
      its.emplace_back();
      SEGLOG_RETURN_IF_ERROR(iters.Take(log, id, &its.back()));
    }
    LogIterator& it = *its.back();
    RecordView r;
    Status s;
    while ((s = it.NextRetaining(&r)).ok() && r.seq.value() < id) {
    }
    if (s.ok()) {
      if (r.seq.value() == id) {
        read->recs[idx] = r;
        read->found[idx] = true;
      } else {
        it.Unget(r);
      }
    } else if (!s.IsNoMore()) {
      return s;
    }
  }
  return Status::OK();
}

// Sorts the picks: gone (expired, their record maybe removed), to move (received more than
// max_receive_count times, with a dead-letter queue), or to deliver.
Status Queues::Queue::Classify(const QueueConfig& cfg, const std::vector<Pick>& picks,
                               const PickedRecords& read, int64_t now, bool has_dlq,
                               Outcome* o) const {
  const size_t n = picks.size();
  const int64_t cutoff = now - static_cast<int64_t>(cfg.retention_s) * 1000;
  o->deliver.reserve(n);
  o->headers.resize(n);
  const uint64_t first_retained = log->first_seq().value();
  for (size_t i = 0; i < n; ++i) {
    if (!read.found[i] && picks[i].id >= first_retained) {
      // A live message's record is only ever removed with its segment (retention) or by a
      // compaction that keeps every live id: never drop it silently.
      return Status::Corruption("queue '" + name + "': message " + std::to_string(picks[i].id) +
                                " is live but its record was not found in the message log");
    }
    if (!read.found[i]) {
      o->gone.push_back(i);  // expired (its segment may already be gone)
      continue;
    }
    Status s = format::DecodeQueueMessageHeader(read.recs[i].attrs, &o->headers[i]);
    if (!s.ok()) return s.WithContext("message " + std::to_string(picks[i].id));
    // A standard queue's dead letter keeps its first send's enqueue time (SPEC.md 16.14).
    if (RetentionStartMs(type, read.recs[i].ts.value(), o->headers[i]) < cutoff) {
      o->gone.push_back(i);  // expired
      continue;
    }
    if (has_dlq && picks[i].count > cfg.max_receive_count) {
      o->move.push_back(i);
    } else {
      o->deliver.push_back(i);
    }
  }
  return Status::OK();
}

void Queues::Queue::AppendDelivered(const std::vector<Pick>& picks, const PickedRecords& read,
                                    const Outcome& o, Report report,
                                    std::vector<ReceivedMessage>* out) const {
  for (size_t i : o.deliver) {
    const RecordView& r = read.recs[i];
    const format::QueueMessageHeader& h = o.headers[i];
    ReceivedMessage& m = out->emplace_back();  // built in place: no move of its strings
    m.id = r.seq;
    m.receipt = QueueReceipt{picks[i].id, picks[i].count, picks[i].received_at}.Encode(log_id_);
    m.body.assign(AsChars(r.value));
    for (const auto& a : h.attributes) {
      m.attributes.push_back(ReceivedAttribute{std::string(a.name), a.type,
                                               std::string(AsChars(a.value)),
                                               std::string(a.type_label)});
    }
    m.group_id.assign(AsChars(r.key));
    if (h.has_dedup_id) m.dedup_id.assign(h.dedup_id);
    m.receive_count = ReportedReceiveCount(h, picks[i].count);  // counts on past a DLQ move
    m.sent = TimestampMs(h.sent_ms);
    m.enqueued = r.ts;
    m.first_receive = TimestampMs(picks[i].first_received_at);
    if (!h.sender_id.empty()) {
      m.sender_id.assign(h.sender_id);
    } else if (report != Report::kIds) {
      m.sender_id = owner_->opt_.default_sender_id;
    }
    m.trace_header.assign(h.trace_header);
    if (h.has_origin && h.moved) m.dead_letter_source.assign(h.source);
    if (report != Report::kIds) IdentifyReceived(&m, h, report);  // a dead letter's MessageId
  }
}


// ---------------------------------------------------------------------------------------
// Queue: ReceiveRequestAttemptId (FIFO; SPEC.md 16.15)

Status Queues::Queue::RetryAttempt(const ReceiveOptions& opt, int64_t vt_ms,
                                   std::vector<ReceivedMessage>* out, bool* served) {
  *served = false;
  const std::string key(opt.attempt_id);
  std::vector<Pick> picks;
  {
    std::lock_guard<std::mutex> vl(vis_mu_);  // the re-arm is a visibility change
    std::vector<std::pair<SeqNo, format::ReceiveState>> states;
    {
      std::lock_guard<std::mutex> l(mu);
      const int64_t now = Now();
      while (!attempt_order_.empty() && attempt_order_.front().first <= now) {
        auto it = attempts_.find(attempt_order_.front().second);
        if (it != attempts_.end() && it->second.expires <= now) attempts_.erase(it);
        attempt_order_.pop_front();
      }
      auto it = attempts_.find(key);
      if (it == attempts_.end()) return Status::OK();
      // Every message still in flight under exactly that receive (none deleted, none had its
      // visibility changed, none received again), and the re-arm within the 12-hour cap.
      const int64_t due = now + vt_ms;
      for (const Pick& p : it->second.picks) {
        if (!state_.InFlightAs(p.id, p.count, p.received_at, p.visible_at) ||
            due > p.received_at + 1000ll * kQueueMaxVisibilityS) {
          attempts_.erase(it);
          return Status::OK();  // a new receive
        }
      }
      for (Pick& p : it->second.picks) {
        format::ReceiveState st;
        // Checked just above, under the same lock: it changes.
        [[maybe_unused]] const auto c =
            state_.ChangeVisibility(p.id, p.count, p.received_at, due, &st);
        assert(c == DeliveryState::VisibilityChange::kChanged);
        p.visible_at = due;
        states.emplace_back(SeqNo(p.id), st);
      }
      picks = it->second.picks;
      ArmWakeTimerLocked();
    }
    SEGLOG_RETURN_IF_ERROR(del->SetReceiveStates(states));
  }
  // The same messages again, read from the log, with the same receipts.
  PickedRecords read;
  Status s = ReadPicked(picks, &read);
  Outcome o;
  o.headers.resize(picks.size());
  const int64_t cutoff = Now() - static_cast<int64_t>(config()->retention_s) * 1000;
  for (size_t i = 0; s.ok() && i < picks.size(); ++i) {
    // Expired since (its record perhaps removed): not returned, as a receive would not.
    if (!read.found[i] || read.recs[i].ts.value() < cutoff) continue;
    s = format::DecodeQueueMessageHeader(read.recs[i].attrs, &o.headers[i]);
    if (!s.ok()) s = s.WithContext("message " + std::to_string(picks[i].id));
    o.deliver.push_back(i);
  }
  if (s.ok()) AppendDelivered(picks, read, o, opt.report, out);
  iters.Return(&read.iters);
  *served = s.ok();
  return s;
}

void Queues::Queue::RememberAttempt(std::string_view id, std::span<const ReceivedMessage> got,
                                    int64_t vt_ms) {
  Attempt a;
  for (const ReceivedMessage& m : got) {
    QueueReceipt rc;
    if (!QueueReceipt::Decode(m.receipt, log_id_, &rc)) continue;  // cannot happen: ours
    a.picks.push_back(Pick{rc.id, rc.count, rc.received_ms, rc.received_ms + vt_ms,
                           m.first_receive.value()});
  }
  std::lock_guard<std::mutex> l(mu);
  a.expires = Now() + kQueueDedupWindowMs;  // SQS: 5 minutes, as the dedup window
  attempt_order_.emplace_back(a.expires, std::string(id));
  attempts_[std::string(id)] = std::move(a);
}

}  // namespace seglog
