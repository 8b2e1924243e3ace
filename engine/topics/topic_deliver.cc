// Topics: deliveries into queues (SPEC.md Part VII, "Fan-out"): a subscription's matching
// messages of a pass go into its queue as runs of tagged appends (Queues::Deliver); what a
// queue refuses (deleted, too large, a raw message with too many attributes) goes to the
// redrive queue or is dropped. The cursor moves after each run; a crash between a run's append
// and the cursor's write is repaired at open from the run's tags (topic_cursor.cc).
#include "engine/topics/topic_fanout.h"

namespace seglog {

using topics_internal::AsBytes;

namespace {

struct Pending {
  const FanoutMessage* m = nullptr;
  std::string body;
  std::vector<format::MessageAttribute> attrs;
};

bool Refused(const Status& s) {
  return s.code() == StatusCode::kInvalidArgument || s.code() == StatusCode::kTooLarge ||
         s.code() == StatusCode::kNotFound;
}

}  // namespace

void Topics::Impl::Advance(TopicSub& s, uint64_t cursor) {
  {
    std::lock_guard<std::mutex> l(mu);
    if (cursor > s.cursor) s.cursor = cursor;
  }
  done_cv.notify_all();
}

void Topics::Impl::ServeQueue(const FanoutContext& ctx, TopicSub& s, const TopicSub::Settings& st) {
  const std::string& queue = st.entry.endpoint;
  QueueConfig qc;
  const Status qs = queues->GetConfig(queue, &qc);
  if (!qs.ok() && qs.code() != StatusCode::kNotFound) {
    std::lock_guard<std::mutex> l(mu);
    s.hold_until_ms = Now() + 1000;
    return;
  }
  const bool fifo_queue = qs.ok() && qc.type == QueueType::kFifo;
  uint64_t cursor = 0;
  {
    std::lock_guard<std::mutex> l(mu);
    cursor = s.cursor;
  }
  std::vector<Pending> run;
  // Delivers `run`; false when the queue could not be written (s holds at the first of it).
  auto flush = [&]() -> bool {
    if (run.empty()) return true;
    std::vector<SendEntry> entries(run.size());
    std::vector<format::TopicOrigin> origins(run.size());
    for (size_t i = 0; i < run.size(); ++i) {
      entries[i].body = AsBytes(run[i].body);
      entries[i].attributes = run[i].attrs;
      entries[i].group_id = run[i].m->key;
      if (fifo_queue) entries[i].dedup_id = run[i].m->header.dedup_id;
      origins[i] = {s.key, run[i].m->seq};
    }
    std::vector<SendResult> results;
    Status d = queues->Deliver(queue, entries, origins, &results);
    // 0: not delivered, 1: delivered, 2: redriven or dropped.
    std::vector<char> done(run.size(), d.ok() ? 1 : 0);
    if (!d.ok() && Refused(d)) {
      // Find which: one at a time.
      for (size_t i = 0; i < run.size(); ++i) {
        std::vector<SendResult> one;
        d = queues->Deliver(queue, std::span(&entries[i], 1), std::span(&origins[i], 1), &one);
        if (d.ok()) {
          results.resize(run.size());
          results[i] = one[0];
          done[i] = 1;
        } else if (Refused(d)) {
          done[i] = 2;
          Redrive(ctx, s, st, *run[i].m, "sqs");
          Advance(s, run[i].m->seq + 1);
        } else {
          break;
        }
      }
    }
    uint64_t qnext = 0, delivered = 0;
    for (size_t i = 0; i < run.size() && i < results.size(); ++i) {
      if (done[i] != 1) continue;
      ++delivered;
      if (!results[i].duplicate) qnext = std::max(qnext, results[i].id.value() + 1);
    }
    {
      std::lock_guard<std::mutex> l(mu);
      s.delivered += delivered;
      s.queue_next_id = std::max(s.queue_next_id, qnext);
    }
    if (!d.ok() && !Refused(d)) {
      // Hold at the first message not delivered; retried after a while.
      size_t first = 0;
      while (first < run.size() && done[first] != 0) ++first;
      if (first < run.size()) {
        Advance(s, run[first].m->seq);
        std::lock_guard<std::mutex> l(mu);
        s.hold_until_ms = Now() + 1000;
        run.clear();
        return false;
      }
    }
    Advance(s, run.back().m->seq + 1);
    run.clear();
    return true;
  };
  uint64_t filtered = 0;
  for (FanoutMessage& m : ctx.msgs) {
    if (m.seq < cursor) continue;
    if (!Matches(st, m)) {
      ++filtered;
      continue;
    }
    Pending p;
    p.m = &m;
    const bool ok = BuildDelivery(ctx, st, m, "sqs", &p.body, &p.attrs);
    if (ok && qs.ok() && run.size() < kQueueMaxDeliverBatch) {
      run.push_back(std::move(p));
      continue;
    }
    if (!flush()) return;
    if (ok && qs.ok()) {
      run.push_back(std::move(p));
      continue;
    }
    Redrive(ctx, s, st, m, "sqs");
    Advance(s, m.seq + 1);
    (void)WriteCursor(s, /*sync=*/false);
  }
  if (!flush()) return;
  {
    std::lock_guard<std::mutex> l(mu);
    s.filtered += filtered;
  }
  Advance(s, ctx.msgs.back().seq + 1);
}

}  // namespace seglog
