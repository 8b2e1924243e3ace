#include "engine/queues/delivery_state.h"

#include <algorithm>

#include "format/roaring_ranges.h"

namespace seglog {

template <typename F>
void DeliveryState::TimerHeap::Filter(F keep) {
  c.erase(std::remove_if(c.begin(), c.end(), [&](const Timer& t) { return !keep(t); }), c.end());
  std::make_heap(c.begin(), c.end(), comp);
}

DeliveryState::DeliveryState(bool fifo, StoredStateFn stored_state)
    : fifo_(fifo), stored_state_(std::move(stored_state)) {}

// ---------------------------------------------------------------------------------------
// Opening

void DeliveryState::Reset(uint64_t cut, uint64_t next, const Roaring64Map& deleted) {
  publish_next_ = next;
  expired_below_ = cut;
  if (cut < next) AddRange(&live_, cut, next);
  live_ -= deleted;
  live_.runOptimize();
}

void DeliveryState::RecoverDedup(std::string_view dedup_id, uint64_t id, int64_t expires) {
  std::string key(dedup_id);
  dedup_[key] = Dedup{id, expires, false};
  dedup_order_.emplace_back(expires, std::move(key));
}

void DeliveryState::RecoverMessage(uint64_t id, std::string_view group, int64_t due,
                                   int64_t now) {
  Group* g = nullptr;
  if (fifo_) {
    g = GetGroup(std::string(group));
    g->ids.push_back(id);
  }
  if (due > now) {
    delayed_.add(id);
    if (g != nullptr) ++g->refs;
    timers_.push(Timer{due, id, 0, g});
  }
}

void DeliveryState::RecoverInFlight(uint64_t id, std::string_view group,
                                    const format::ReceiveState& st) {
  Group* g = fifo_ ? GetGroup(std::string(group)) : nullptr;
  delayed_.remove(id);  // received, so its delay was over (its delay timer finds it so)
  Received& r = received_[id];
  r.count = st.count;
  r.received_at = st.received_ms;
  r.visible_at = st.visible_ms;
  r.first_received_at = st.first_ms != 0 ? st.first_ms : st.received_ms;
  r.in_flight = true;
  r.group = g;
  if (g != nullptr) {
    ++g->refs;
    ++g->in_flight;
  }
  ++in_flight_;
  timers_.push(Timer{r.visible_at, id, r.count, nullptr});
}

void DeliveryState::FinishRecovery(uint64_t cut) {
  if (fifo_) {
    std::vector<Group*> all;
    for (auto& [id, g] : groups_) all.push_back(g.get());
    for (Group* g : all) UpdateGroup(g);
  } else {
    ready_ = live_;
    ready_ -= delayed_;
    for (const auto& [id, r] : received_) {
      if (r.in_flight) ready_.remove(id);
    }
    ready_cursor_ = cut;
  }
}

// ---------------------------------------------------------------------------------------
// FIFO groups

DeliveryState::Group* DeliveryState::GetGroup(const std::string& id) {
  auto& g = groups_[id];
  if (!g) {
    g = std::make_unique<Group>();
    g->id = id;
  }
  return g.get();
}

void DeliveryState::UpdateGroup(Group* g) {
  const bool can = g->in_flight == 0 && !g->ids.empty() && !delayed_.contains(g->ids.front());
  if (g->available && (!can || g->avail_key != g->ids.front())) {
    avail_.erase(g->avail_key);
    g->available = false;
  }
  if (can && !g->available) {
    g->avail_key = g->ids.front();
    avail_.emplace(g->avail_key, g);
    g->available = true;
    ++wakeups_;  // e.g. a delete unlocked the group
  }
  if (g->ids.empty() && g->in_flight == 0 && g->refs == 0) groups_.erase(g->id);  // frees g
}

void DeliveryState::RemoveFromGroup(Group* g, uint64_t id) {
  auto it = std::lower_bound(g->ids.begin(), g->ids.end(), id);
  if (it != g->ids.end() && *it == id) g->ids.erase(it);
}

DeliveryState::Group* DeliveryState::FindGroupOf(uint64_t id) {
  Group* found = nullptr;
  for (auto& [gid, grp] : groups_) {
    auto pos = std::lower_bound(grp->ids.begin(), grp->ids.end(), id);
    if (pos != grp->ids.end() && *pos == id) found = grp.get();
  }
  return found;
}

// ---------------------------------------------------------------------------------------
// Sends

size_t DeliveryState::PublishBatch(uint64_t first, std::vector<Publish> msgs, int64_t now) {
  size_t published = 0;
  // Usually the batch is next in line: published at once, without a stop in `unpublished_`.
  bool direct = first == publish_next_;
  if (!direct) unpublished_.emplace(first, std::move(msgs));
  while (direct || (!unpublished_.empty() && unpublished_.begin()->first == publish_next_)) {
    std::vector<Publish> batch;
    if (direct) {
      batch = std::move(msgs);
      direct = false;
    } else {
      batch = std::move(unpublished_.begin()->second);
      unpublished_.erase(unpublished_.begin());
    }
    for (const Publish& m : batch) {
      publish_next_ = m.id + 1;
      if (m.id < expired_below_) continue;
      PublishOne(m, now);
      ++published;
    }
  }
  return published;
}

void DeliveryState::PublishOne(const Publish& m, int64_t now) {
  live_.add(m.id);
  Group* g = fifo_ ? GetGroup(m.group) : nullptr;
  if (g != nullptr) g->ids.push_back(m.id);
  if (m.due > now) {
    delayed_.add(m.id);
    if (g != nullptr) ++g->refs;
    timers_.push(Timer{m.due, m.id, 0, g});
  } else if (g == nullptr) {
    AddReady(m.id);
  }
  if (g != nullptr) UpdateGroup(g);
}

void DeliveryState::ExpireDedup(int64_t now) {
  while (!dedup_order_.empty() && dedup_order_.front().first <= now) {
    auto it = dedup_.find(dedup_order_.front().second);
    if (it != dedup_.end() && !it->second.pending && it->second.expires <= now) dedup_.erase(it);
    dedup_order_.pop_front();
  }
}

bool DeliveryState::DedupPending(const std::string& key) const {
  auto it = dedup_.find(key);
  return it != dedup_.end() && it->second.pending;
}

bool DeliveryState::FindDedup(const std::string& key, uint64_t* id) const {
  auto it = dedup_.find(key);
  if (it == dedup_.end()) return false;
  *id = it->second.id;
  return true;
}

void DeliveryState::ReserveDedup(const std::string& key, int64_t now) {
  dedup_[key] = Dedup{0, now + kQueueDedupWindowMs, true};
}

void DeliveryState::CommitDedup(const std::string& key, uint64_t id, int64_t now) {
  dedup_[key] = Dedup{id, now + kQueueDedupWindowMs, false};
  dedup_order_.emplace_back(now + kQueueDedupWindowMs, key);
}

void DeliveryState::AbortDedup(const std::string& key) { dedup_.erase(key); }

// ---------------------------------------------------------------------------------------
// Standard queues' ready ids

void DeliveryState::AddReady(uint64_t id) {
  if (id >= ready_cursor_) {
    ready_.add(id);
  } else {
    ready_below_.insert(id);
  }
}

void DeliveryState::Unready(uint64_t id) {
  if (id >= ready_cursor_) {
    ready_.remove(id);
  } else {
    ready_below_.erase(id);
  }
}

// Takes the lowest visible id; false when none is.
bool DeliveryState::TakeReady(uint64_t* id) {
  if (!ready_below_.empty()) {  // below the cursor, so the lowest
    *id = *ready_below_.begin();
    ready_below_.erase(ready_below_.begin());
    return true;
  }
  // Every id the cursor passes is published; it passes each once (amortized O(1) a take).
  const uint64_t end = publish_next_.load(std::memory_order_relaxed);
  const uint64_t from = ready_cursor_;
  bool found = false;
  for (int steps = 0; ready_cursor_ < end; ++steps) {
    if (ready_.contains(ready_cursor_)) {
      *id = ready_cursor_++;
      found = true;
      break;
    }
    ++ready_cursor_;
    if (steps == 64 && ready_cursor_ < end) {
      // A long gap (in flight, delayed or deleted ids): jump to the next visible one.
      uint64_t next = 0;
      ready_cursor_ =
          ready_.select(ready_.rank(ready_cursor_ - 1), &next) ? std::min(next, end) : end;
    }
  }
  // Drop the containers the cursor left behind (they hold only stale ids).
  if ((ready_cursor_ >> 16) != (from >> 16)) RemoveRange(&ready_, 0, ready_cursor_ & ~0xFFFFull);
  return found;
}

// ---------------------------------------------------------------------------------------
// Timers and receives

bool DeliveryState::ProcessTimers(int64_t now) {
  bool any = false;
  while (!timers_.empty() && timers_.top().due <= now) {
    const Timer t = timers_.top();
    timers_.pop();
    any |= RunTimer(t);
  }
  return any;
}

// One due timer: a delay ends, or a visibility timeout runs out. True when a message became
// visible.
bool DeliveryState::RunTimer(const Timer& t) {
  Group* g = t.group;
  if (t.count == 0) {
    bool any = false;
    if (delayed_.contains(t.id)) {
      delayed_.remove(t.id);
      if (g == nullptr && live_.contains(t.id)) AddReady(t.id);
      any = true;
    }
    if (g != nullptr) {
      --g->refs;
      UpdateGroup(g);
    }
    return any;
  }
  auto it = received_.find(t.id);
  if (it == received_.end() || it->second.count != t.count || !it->second.in_flight ||
      it->second.visible_at != t.due) {
    return false;  // deleted, received again, or its visibility was changed
  }
  it->second.in_flight = false;
  --in_flight_;
  if (Group* rg = it->second.group; rg != nullptr) {
    --rg->in_flight;
    UpdateGroup(rg);
  } else if (live_.contains(t.id)) {
    AddReady(t.id);
  }
  return true;
}

bool DeliveryState::NextTimer(int64_t* due) const {
  if (timers_.empty()) return false;
  *due = timers_.top().due;
  return true;
}

void DeliveryState::Take(uint64_t id, Group* g, int64_t now, int64_t vt_ms,
                         std::vector<Pick>* picks) {
  Received& r = received_[id];
  if (r.count == 0) {  // new entry: the journaled state, if any
    const format::ReceiveState st = stored_state_(id);
    r.count = st.count;
    r.group = g;
    r.first_received_at = st.count > 0 && st.first_ms != 0 ? st.first_ms : now;
    if (g != nullptr) ++g->refs;
  }
  r.count = std::min<uint32_t>(r.count, UINT32_MAX - 1) + 1;
  r.in_flight = true;
  r.received_at = now;
  r.visible_at = now + vt_ms;
  ++in_flight_;
  MaybeCompactTimers();
  timers_.push(Timer{r.visible_at, id, r.count, nullptr});
  picks->push_back(Pick{id, r.count, now, r.visible_at, r.first_received_at});
}

void DeliveryState::PickMessages(size_t n, int64_t now, int64_t vt_ms,
                                 std::vector<Pick>* picks) {
  if (fifo_) return PickFifo(n, now, vt_ms, picks);
  uint64_t id = 0;
  while (picks->size() < n && in_flight_ < kQueueMaxInFlight && TakeReady(&id)) {
    Take(id, nullptr, now, vt_ms, picks);
  }
}

// Takes the group whose head is oldest, and as many of its messages as fit; then the next.
void DeliveryState::PickFifo(size_t n, int64_t now, int64_t vt_ms, std::vector<Pick>* picks) {
  while (picks->size() < n && !avail_.empty() && in_flight_ < kQueueMaxInFlight) {
    Group* g = avail_.begin()->second;
    avail_.erase(avail_.begin());
    g->available = false;
    for (uint64_t id : g->ids) {
      if (picks->size() >= n || delayed_.contains(id) || in_flight_ >= kQueueMaxInFlight) break;
      ++g->in_flight;
      Take(id, g, now, vt_ms, picks);
    }
    UpdateGroup(g);
  }
}

bool DeliveryState::TimerValid(const Timer& t) const {
  if (t.count == 0) return delayed_.contains(t.id);
  auto it = received_.find(t.id);
  return it != received_.end() && it->second.count == t.count && it->second.in_flight &&
         it->second.visible_at == t.due;
}

// Timers of deleted or re-received messages stay in the heap until due; when they outnumber
// the live ones, the heap is rebuilt without them (amortized O(1) per timer).
void DeliveryState::MaybeCompactTimers() {
  if (timers_.size() < timer_compaction_at_) return;
  timers_.Filter([&](const Timer& t) {
    const bool valid = TimerValid(t);
    if (!valid && t.count == 0 && t.group != nullptr) {
      --t.group->refs;
      UpdateGroup(t.group);
    }
    return valid;
  });
  timer_compaction_at_ = std::max<size_t>(4096, 2 * timers_.size());
}

bool DeliveryState::Release(std::span<const Pick> picks, int64_t now) {
  for (const Pick& p : picks) {
    auto it = received_.find(p.id);
    if (it == received_.end() || it->second.count != p.count || !it->second.in_flight) continue;
    it->second.visible_at = now;
    timers_.push(Timer{now, p.id, p.count, nullptr});
  }
  return ProcessTimers(now);
}

// ---------------------------------------------------------------------------------------
// Deletes, visibility, expiry

void DeliveryState::Forget(uint64_t id) { ForgetIn(id, nullptr); }

// Forgets `id` in every structure but `live_`; `g`: its group when no receive names it.
void DeliveryState::ForgetIn(uint64_t id, Group* g) {
  auto it = received_.find(id);
  if (it == received_.end() || !it->second.in_flight) {  // in flight: neither visible nor delayed
    Unready(id);
    delayed_.remove(id);
  }
  if (it != received_.end()) {
    if (it->second.in_flight) {
      --in_flight_;
      if (it->second.group != nullptr) --it->second.group->in_flight;
    }
    if (g == nullptr) g = it->second.group;
    if (it->second.group != nullptr) --it->second.group->refs;
    received_.erase(it);
  }
  if (g != nullptr) {
    RemoveFromGroup(g, id);
    UpdateGroup(g);
  }
}

bool DeliveryState::IsLatest(uint64_t id, uint32_t count, int64_t received_at) const {
  if (count == 0) return false;  // a legacy receipt names no receive that can be matched
  auto it = received_.find(id);
  if (it != received_.end()) {
    return it->second.count == count && it->second.received_at == received_at;
  }
  const format::ReceiveState st = stored_state_(id);
  return st.count == count && st.received_ms == received_at;
}

DeliveryState::ReceiptMatch DeliveryState::ForgetByReceipt(uint64_t id, uint32_t count,
                                                           int64_t received_at) {
  // Not live: deleted, expired, purged or moved (a delete is idempotent).
  if (!live_.contains(id)) return ReceiptMatch::kNothingToDo;
  if (!IsLatest(id, count, received_at)) return ReceiptMatch::kReceivedAgain;
  // The latest receive's receipt, in flight or not (SQS deletes after the visibility ended).
  const bool known = received_.count(id) != 0;
  ForgetIn(id, !known && fifo_ ? FindGroupOf(id) : nullptr);
  return ReceiptMatch::kForgotten;
}

DeliveryState::VisibilityChange DeliveryState::ChangeVisibility(uint64_t id, uint32_t count,
                                                                int64_t received_at, int64_t due,
                                                                format::ReceiveState* journal) {
  if (!live_.contains(id)) return VisibilityChange::kNotInFlight;
  if (!IsLatest(id, count, received_at)) return VisibilityChange::kReceivedAgain;
  auto it = received_.find(id);
  if (it == received_.end() || !it->second.in_flight) return VisibilityChange::kNotInFlight;
  Received& r = it->second;
  if (due > r.received_at + 1000ll * kQueueMaxVisibilityS) {
    return VisibilityChange::kPastMaximum;
  }
  r.visible_at = due;
  timers_.push(Timer{due, id, r.count, nullptr});
  *journal = format::ReceiveState{r.count, r.received_at, due, r.first_received_at};
  return VisibilityChange::kChanged;
}

bool DeliveryState::InFlightAs(uint64_t id, uint32_t count, int64_t received_at,
                               int64_t visible_at) const {
  auto it = received_.find(id);
  return it != received_.end() && it->second.in_flight && it->second.count == count &&
         it->second.received_at == received_at && it->second.visible_at == visible_at &&
         live_.contains(id);
}

void DeliveryState::DropIfReceivedAs(uint64_t id, uint32_t count) {
  auto it = received_.find(id);
  if (it == received_.end() || it->second.count != count) return;
  ForgetIn(id, nullptr);
  live_.remove(id);
}

void DeliveryState::ExpireBelow(uint64_t cut) {
  if (cut <= expired_below_) return;
  expired_below_ = cut;
  RemoveRange(&live_, 0, cut);
  ready_cursor_ = std::max(ready_cursor_, cut);
  RemoveRange(&ready_, 0, ready_cursor_);
  ready_below_.erase(ready_below_.begin(), ready_below_.lower_bound(cut));
  RemoveRange(&delayed_, 0, cut);
  std::set<Group*> touched;
  for (auto it = received_.begin(); it != received_.end();) {
    if (it->first >= cut) {
      ++it;
      continue;
    }
    Group* g = it->second.group;
    if (it->second.in_flight) {
      --in_flight_;
      if (g != nullptr) --g->in_flight;
    }
    if (g != nullptr) {
      --g->refs;
      touched.insert(g);
    }
    it = received_.erase(it);
  }
  for (auto& [gid, g] : groups_) {
    if (!g->ids.empty() && g->ids.front() < cut) {
      while (!g->ids.empty() && g->ids.front() < cut) g->ids.pop_front();
      touched.insert(g.get());
    }
  }
  for (Group* g : touched) UpdateGroup(g);  // may free g
}

// ---------------------------------------------------------------------------------------
// Counts

uint64_t DeliveryState::live_count() const { return Cardinality(live_); }

uint64_t DeliveryState::live_between(uint64_t lo, uint64_t hi) const {
  if (IsEmpty(live_)) return 0;
  return live_.rank(hi - 1) - (lo == 0 ? 0 : live_.rank(lo - 1));
}

bool DeliveryState::OldestLive(uint64_t* id) const {
  if (IsEmpty(live_)) return false;
  *id = live_.minimum();
  return true;
}

uint64_t DeliveryState::delayed_count() const { return Cardinality(delayed_); }

size_t DeliveryState::nonempty_groups() const {
  size_t n = 0;
  for (const auto& [gid, g] : groups_) n += g->ids.empty() ? 0 : 1;
  return n;
}

// ---------------------------------------------------------------------------------------
// Invariants

namespace {

Status Broken(const std::string& what) {
  return Status::Corruption("delivery state: " + what);
}

}  // namespace

Status DeliveryState::CheckInvariants() const {
  if (!IsEmpty(live_) &&
      (live_.minimum() < expired_below_ || live_.maximum() >= publish_next_.load())) {
    return Broken("a live id outside [expired_below, publish_next)");
  }
  if (in_flight_ > kQueueMaxInFlight) return Broken("more than kQueueMaxInFlight in flight");
  SEGLOG_RETURN_IF_ERROR(CheckReceived());
  SEGLOG_RETURN_IF_ERROR(CheckGroups());
  SEGLOG_RETURN_IF_ERROR(CheckReady());
  for (const auto& entry : dedup_) {
    const auto& key = entry.first;  // named references: clang 14's lambdas cannot capture
    const auto& d = entry.second;   // structured bindings (scripts/fuzz.sh builds with it)
    if (d.pending) continue;
    const bool ordered = std::any_of(dedup_order_.begin(), dedup_order_.end(), [&](const auto& o) {
      return o.second == key && o.first == d.expires;
    });
    if (!ordered) return Broken("dedup id '" + key + "' has no expiry entry");
  }
  return Status::OK();
}

// in_flight_ counts the in-flight receive entries; an in-flight message is neither visible
// nor delayed; FIFO entries name a group, standard ones none.
Status DeliveryState::CheckReceived() const {
  uint64_t in_flight = 0;
  for (const auto& [id, r] : received_) {
    if (r.count == 0) return Broken("a receive entry with receive count 0");
    if ((r.group != nullptr) != fifo_) return Broken("a receive entry's group does not fit");
    if (!r.in_flight) continue;
    ++in_flight;
    if (delayed_.contains(id)) {
      return Broken("message " + std::to_string(id) + " in flight and delayed");
    }
    if (ready_below_.count(id) != 0 || (id >= ready_cursor_ && ready_.contains(id))) {
      return Broken("message " + std::to_string(id) + " in flight and visible");
    }
  }
  if (in_flight != in_flight_) {
    return Broken("in_flight is " + std::to_string(in_flight_) + ", " +
                  std::to_string(in_flight) + " entries are in flight");
  }
  return Status::OK();
}

// Each group's in_flight and refs match the entries and delay timers pointing at it, its ids
// are live and ascending, and avail_ holds exactly the groups that may deliver.
Status DeliveryState::CheckGroups() const {
  std::unordered_map<const Group*, std::pair<uint32_t, uint32_t>> seen;  // in flight, refs
  for (const auto& [id, r] : received_) {
    if (r.group == nullptr) continue;
    ++seen[r.group].second;
    if (r.in_flight) ++seen[r.group].first;
  }
  for (const Timer& t : timers_.items()) {
    if (t.count == 0 && t.group != nullptr) ++seen[t.group].second;
  }
  size_t available = 0;
  for (const auto& [gid, gp] : groups_) {
    const Group* g = gp.get();
    const std::string name = "group '" + gid + "'";
    if (g->in_flight != seen[g].first) return Broken(name + ": in_flight does not match");
    if (g->refs != seen[g].second) return Broken(name + ": refs do not match");
    if (g->ids.empty() && g->in_flight == 0 && g->refs == 0) return Broken(name + " is unused");
    if (!std::is_sorted(g->ids.begin(), g->ids.end())) return Broken(name + ": ids out of order");
    for (uint64_t id : g->ids) {
      if (!live_.contains(id)) return Broken(name + ": id " + std::to_string(id) + " not live");
    }
    const bool can = g->in_flight == 0 && !g->ids.empty() && !delayed_.contains(g->ids.front());
    if (can != g->available) return Broken(name + ": available is " + (can ? "false" : "true"));
    if (!g->available) continue;
    ++available;
    auto it = avail_.find(g->avail_key);
    if (g->avail_key != g->ids.front() || it == avail_.end() || it->second != g) {
      return Broken(name + ": not in avail under its head id");
    }
  }
  if (available != avail_.size()) return Broken("avail holds a group that may not deliver");
  if (seen.size() > groups_.size()) return Broken("a receive or timer names a freed group");
  return Status::OK();
}

// Standard queues: the visible ids (at or past the cursor, and behind it) are live and not
// delayed.
Status DeliveryState::CheckReady() const {
  for (uint64_t id : ready_below_) {
    if (id >= ready_cursor_) return Broken("ready_below holds an id past the cursor");
    if (!live_.contains(id) || delayed_.contains(id)) {
      return Broken("visible message " + std::to_string(id) + " is not live or is delayed");
    }
  }
  for (auto it = ready_.begin(); it != ready_.end(); ++it) {
    const uint64_t id = *it;
    if (id < ready_cursor_) continue;  // stale, trimmed as the cursor moves on
    if (!live_.contains(id) || delayed_.contains(id)) {
      return Broken("visible message " + std::to_string(id) + " is not live or is delayed");
    }
  }
  return Status::OK();
}

}  // namespace seglog
