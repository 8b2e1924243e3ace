// Queue: redrive, moving a dead-letter queue's messages back (Queues::Redrive and the move
// tasks' steps), and the moves to a dead-letter queue (engine/queues/queue_internal.h;
// SPEC.md 16.3, 16.14).
#include "engine/queues/dead_letter.h"
#include "engine/queues/queue_internal.h"

namespace seglog {

using queue_internal::AsBytes;
using queue_internal::AsChars;

// ---------------------------------------------------------------------------------------
// Queue: redrive (a dead-letter queue's messages back to their source, or to a target)

Status Queues::Queue::Redrive(const std::string& target, size_t max_messages, size_t* moved) {
  *moved = 0;
  RedriveRun run;
  if (!target.empty()) {
    SEGLOG_RETURN_IF_ERROR(owner_->Find(target, &run.fixed));
    if (run.fixed->type != type) {
      return Status::InvalidArgument("redrive target '" + target + "' is of the other type");
    }
    if (run.fixed.get() == this) {
      return Status::InvalidArgument("a queue cannot redrive into itself");
    }
  }
  std::vector<Pick> skipped;  // stay here, visible again at the end
  Status result;
  while (!run.drained && (max_messages == 0 || run.moved < max_messages)) {
    size_t want = kQueueMaxBatch;
    if (max_messages != 0) want = std::min(want, max_messages - run.moved);
    // An error reading this queue ends the redrive at once (its picks stay in flight).
    Status s = RedriveBatch(want, &run, &skipped, &result);
    *moved = run.moved;
    SEGLOG_RETURN_IF_ERROR(s);
    if (!result.ok()) break;
  }
  std::lock_guard<std::mutex> l(mu);
  ReleaseLocked(skipped);
  return result;
}

Status Queues::Queue::MoveTaskStep(size_t want, RedriveRun* run) {
  std::vector<Pick> skipped;
  Status result;
  Status s = RedriveBatch(want, run, &skipped, &result);
  {
    std::lock_guard<std::mutex> l(mu);
    ReleaseLocked(skipped);
  }
  SEGLOG_RETURN_IF_ERROR(s);
  return result;
}

uint64_t Queues::Queue::LiveBelow(uint64_t bound) {
  std::lock_guard<std::mutex> l(mu);
  return state_.live_between(0, bound);
}

// Picks up to `want` messages and moves each one below run->bound to its destination.
// Messages at or above the bound, without a destination, or whose destination is missing or
// fails join *skipped (in strict runs the latter two set run->failure); a destination's error
// is *result. No pick below the bound: run->drained.
Status Queues::Queue::RedriveBatch(size_t want, RedriveRun* run, std::vector<Pick>* skipped,
                                   Status* result) {
  std::vector<Pick> picks;
  const int64_t now = Now();
  {
    std::lock_guard<std::mutex> l(mu);
    ProcessTimersLocked(now);
    state_.PickMessages(want, now, 1000ll * kQueueMaxVisibilityS, &picks);
    WakeGroupsLocked();
  }
  std::vector<Pick> mine;
  for (const Pick& p : picks) (p.id < run->bound ? mine : *skipped).push_back(p);
  if (mine.empty()) {
    run->drained = true;  // picks go lowest id first: nothing visible is left below the bound
    return Status::OK();
  }
  const int64_t cutoff = now - static_cast<int64_t>(config()->retention_s) * 1000;
  std::vector<std::unique_ptr<LogIterator>> its;  // hold the records' views
  std::map<std::string, Moving> by_dest;
  std::vector<Pick> gone;
  for (const Pick& p : mine) {
    its.emplace_back();
    SEGLOG_RETURN_IF_ERROR(log->NewIterator(SeqNo(p.id), &its.back()));
    RecordView r;
    Status s = its.back()->Next(&r);
    if (s.IsNoMore() || (s.ok() && r.seq.value() != p.id)) {
      gone.push_back(p);
      continue;
    }
    SEGLOG_RETURN_IF_ERROR(s);
    format::QueueMessageHeader h;
    SEGLOG_RETURN_IF_ERROR(format::DecodeQueueMessageHeader(r.attrs, &h));
    if (RetentionStartMs(type, r.ts.value(), h) < cutoff) {
      gone.push_back(p);  // expired: never moved (nor delivered)
      continue;
    }
    std::string dest = run->fixed != nullptr ? run->fixed->name
                                             : (h.moved ? std::string(h.source) : "");
    if (dest.empty() || dest == name) {
      if (run->strict && run->failure.empty()) {
        run->failure = "message " + MessageIdOf(h, log_id_, p.id) +
                       " has no known source queue (it was not moved here as a dead letter)";
      }
      skipped->push_back(p);
      continue;
    }
    SendEntry e;
    e.body = r.value;
    e.group_id = AsChars(r.key);
    Moving& m = by_dest[dest];
    m.entries.push_back(e);  // attributes set in RedriveTo, once the headers stay put
    format::QueueMessageHeader& mh = m.headers.emplace_back();
    RedriveHeader(h, name, p.id, now, &mh);
    mh.attributes = h.attributes;
  }
  for (auto& [dest, m] : by_dest) {
    if (Status s = RedriveTo(dest, run, m, mine, skipped); !s.ok()) *result = s;
  }
  if (!gone.empty()) {
    std::lock_guard<std::mutex> l(mu);
    for (const Pick& p : gone) {
      state_.Forget(p.id);
      state_.RemoveLive(p.id);
    }
    WakeGroupsLocked();
  }
  return Status::OK();
}

// Moves `m` to queue `dest`. On failure its messages join *skipped; the error is returned
// unless the destination is missing or of the other type (then the messages stay; a strict
// run fails).
Status Queues::Queue::RedriveTo(const std::string& dest, RedriveRun* run, Moving& m,
                                const std::vector<Pick>& picks, std::vector<Pick>* skipped) {
  for (size_t i = 0; i < m.entries.size(); ++i) m.entries[i].attributes = m.headers[i].attributes;
  std::vector<format::QueueMessageHeader> hs = m.headers;
  for (auto& h : hs) h.attributes.clear();
  auto skip_all = [&] {
    for (const auto& h : hs) {
      for (const Pick& p : picks) {
        if (p.id == h.source_id) skipped->push_back(p);
      }
    }
  };
  auto fail = [&](const std::string& why) {
    if (run->strict && run->failure.empty()) run->failure = why;
  };
  std::shared_ptr<Queue> to = run->fixed;
  Status s = to != nullptr ? Status::OK() : owner_->Find(dest, &to);
  if (s.ok() && to->type != type) s = Status::InvalidArgument("type mismatch");
  if (!s.ok()) {
    skip_all();
    const bool stays = s.code() == StatusCode::kNotFound ||
                       s.code() == StatusCode::kInvalidArgument;
    if (s.code() == StatusCode::kNotFound) fail("queue '" + dest + "' does not exist");
    if (s.code() == StatusCode::kInvalidArgument) {
      fail("queue '" + dest + "' is of the other type");
    }
    return stays ? Status::OK() : s;
  }
  s = MoveOut(*to, m.entries, hs);
  if (!s.ok()) {
    skip_all();
    if (s.code() == StatusCode::kNotFound && run->strict) {
      fail("queue '" + dest + "' was deleted");
      return Status::OK();
    }
    return s;
  }
  run->moved += m.entries.size();
  std::lock_guard<std::mutex> l(mu);
  for (const auto& h : hs) state_.RemoveLive(h.source_id);
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// Queue: dead-letter moves (from a receive; queue_receive.cc's Deliver)

Status Queues::Queue::MoveToDeadLetter(Queue& dlq, const std::vector<Pick>& picks,
                                       const PickedRecords& read, const Outcome& o) {
  std::vector<SendEntry> entries;
  std::vector<format::QueueMessageHeader> mh(o.move.size());
  std::vector<std::string> dedup(o.move.size());  // sized once: the headers view these
  const int64_t now = Now();
  for (size_t k = 0; k < o.move.size(); ++k) {
    const size_t i = o.move[k];
    SendEntry e;
    e.body = read.recs[i].value;
    e.attributes = o.headers[i].attributes;
    e.group_id = AsChars(read.recs[i].key);
    entries.push_back(e);
    // picks[i].count counts the receive that moves it, which delivers nothing.
    const uint32_t delivered = picks[i].count > 0 ? picks[i].count - 1 : 0;
    DeadLetterHeader(type, o.headers[i], name, log_id_, picks[i].id, delivered, now, &dedup[k],
                     &mh[k]);
  }
  return MoveOut(dlq, entries, mh);
}

// Sends `entries` (with headers `moved`) to `to`, then deletes them here: a crash in between
// leaves a copy in both queues, never in neither. REQUIRES: the messages are in flight here.
Status Queues::Queue::MoveOut(Queue& to, std::span<const SendEntry> entries,
                              std::span<const format::QueueMessageHeader> moved) {
  std::vector<SendResult> res;
  {
    // A try-lock: the caller holds its own queue's op lock, and a redrive moves the other way
    // (lock order). It fails only while `to` is being deleted; the messages then stay here.
    std::shared_lock<WriterFirstLock> ol(to.op_mu, std::try_to_lock);
    if (!ol.owns_lock() || to.del == nullptr) {
      return Status::NotFound("queue '" + to.name + "' is being deleted");
    }
    SEGLOG_RETURN_IF_ERROR(to.Send(entries, &res, moved));
  }
  std::vector<SeqNo> ids;
  {
    std::lock_guard<std::mutex> l(mu);
    for (const auto& h : moved) {
      ids.push_back(SeqNo(h.source_id));
      state_.Forget(h.source_id);
    }
    WakeGroupsLocked();
  }
  return del->Delete(ids);
}

}  // namespace seglog
