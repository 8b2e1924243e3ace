// Queue: redrive, moving a dead-letter queue's messages back (engine/queues/queue_internal.h).
#include "engine/queues/queue_internal.h"

namespace seglog {

using queue_internal::AsBytes;
using queue_internal::AsChars;

// ---------------------------------------------------------------------------------------
// Queue: redrive (a dead-letter queue's messages back to their source, or to a target)

Status Queues::Queue::Redrive(const std::string& target, size_t max_messages, size_t* moved) {
  *moved = 0;
  std::shared_ptr<Queue> fixed;
  if (!target.empty()) {
    SEGLOG_RETURN_IF_ERROR(owner_->Find(target, &fixed));
    if (fixed->type != type) {
      return Status::InvalidArgument("redrive target '" + target + "' is of the other type");
    }
    if (fixed.get() == this) return Status::InvalidArgument("a queue cannot redrive into itself");
  }
  std::vector<Pick> skipped;  // stay here, visible again at the end
  Status result;
  bool drained = false;
  while (!drained && (max_messages == 0 || *moved < max_messages)) {
    size_t want = kQueueMaxBatch;
    if (max_messages != 0) want = std::min(want, max_messages - *moved);
    // An error reading this queue ends the redrive at once (its picks stay in flight).
    SEGLOG_RETURN_IF_ERROR(RedriveBatch(fixed, want, &skipped, moved, &result, &drained));
    if (!result.ok()) break;
  }
  std::lock_guard<std::mutex> l(mu);
  ReleaseLocked(skipped);
  return result;
}

// Picks up to `want` messages and moves each to its destination. Messages without one (or
// whose destination is missing or fails) join *skipped; a destination's failure is *result.
Status Queues::Queue::RedriveBatch(const std::shared_ptr<Queue>& fixed, size_t want,
                                   std::vector<Pick>* skipped, size_t* moved, Status* result,
                                   bool* drained) {
  std::vector<Pick> picks;
  const int64_t now = Now();
  {
    std::lock_guard<std::mutex> l(mu);
    ProcessTimersLocked(now);
    state_.PickMessages(want, now, 1000ll * kQueueMaxVisibilityS, &picks);
    WakeGroupsLocked();
  }
  if (picks.empty()) {
    *drained = true;
    return Status::OK();
  }
  std::vector<std::unique_ptr<LogIterator>> its;  // hold the records' views
  std::map<std::string, Moving> by_dest;
  std::vector<Pick> gone;
  for (const Pick& p : picks) {
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
    std::string dest = fixed != nullptr ? fixed->name : (h.moved ? std::string(h.source) : "");
    if (dest.empty() || dest == name) {
      skipped->push_back(p);
      continue;
    }
    SendEntry e;
    e.body = r.value;
    e.group_id = AsChars(r.key);
    Moving& m = by_dest[dest];
    m.entries.push_back(e);  // attributes set in RedriveTo, once the headers stay put
    m.headers.push_back(h);
    format::QueueMessageHeader& mh = m.headers.back();
    mh.moved = true;
    mh.source = name;
    mh.source_id = p.id;
    mh.delay_s = 0;
  }
  for (auto& [dest, m] : by_dest) {
    if (Status s = RedriveTo(dest, fixed, m, picks, skipped, moved); !s.ok()) *result = s;
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
// unless the destination is missing or of the other type (then the messages just stay).
Status Queues::Queue::RedriveTo(const std::string& dest, const std::shared_ptr<Queue>& fixed,
                                Moving& m, const std::vector<Pick>& picks,
                                std::vector<Pick>* skipped, size_t* moved) {
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
  std::shared_ptr<Queue> to = fixed;
  Status s = to != nullptr ? Status::OK() : owner_->Find(dest, &to);
  if (s.ok() && to->type != type) s = Status::InvalidArgument("type mismatch");
  if (!s.ok()) {
    skip_all();
    const bool stays = s.code() == StatusCode::kNotFound ||
                       s.code() == StatusCode::kInvalidArgument;
    return stays ? Status::OK() : s;
  }
  s = MoveOut(*to, m.entries, hs);
  if (!s.ok()) {
    skip_all();
    return s;
  }
  *moved += m.entries.size();
  std::lock_guard<std::mutex> l(mu);
  for (const auto& h : hs) state_.RemoveLive(h.source_id);
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// Queue: dead-letter moves (from a receive; queue_receive.cc's Deliver)

Status Queues::Queue::MoveToDeadLetter(Queue& dlq, const std::vector<Pick>& picks,
                                       const PickedRecords& read, const Outcome& o) {
  std::vector<SendEntry> entries;
  std::vector<format::QueueMessageHeader> mh;
  for (size_t i : o.move) {
    SendEntry e;
    e.body = read.recs[i].value;
    e.attributes = o.headers[i].attributes;
    e.group_id = AsChars(read.recs[i].key);
    entries.push_back(e);
    format::QueueMessageHeader h = o.headers[i];
    h.moved = true;
    h.source = name;
    h.source_id = picks[i].id;
    h.delay_s = 0;
    h.attributes.clear();
    mh.push_back(h);
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
