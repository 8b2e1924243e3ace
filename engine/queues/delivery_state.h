// DeliveryState: one queue's in-memory delivery state, the part of a queue that decides which
// message a receive gets. It holds
//   live         ids sent, not (durably) deleted, not known to be expired
//   ready        standard queues' visible ids, walked by a cursor (see TakeReady), and
//   ready_below  those visible again behind the cursor
//   delayed      ids whose delay is not over
//   timers       a heap of delay ends and visibility timeouts
//   received     one entry per message received since the open (or in flight at the open):
//                its latest receive (receive count and time: the receive's identity, as the
//                journal holds it), first receive time, visibility deadline, whether in flight
//   groups/avail FIFO: each group's live ids in send order, and the groups that may deliver
//                (none of theirs in flight, head not delayed), by head id
//   dedup        FIFO: the deduplication ids of the last 5 minutes, and those being written
// and the publishing order of sends (ids become visible in id order).
//
// Lifetime: owned by its queue (engine/queues/queue.cc), for as long as the queue is open.
// Concurrency: not thread-safe; the queue calls every method under its own mutex, except
// published_end(), which may be read without it. Durability: none here; everything is rebuilt
// from the logs when the queue opens: the receive states come from the delete index's journal
// (the queue journals each receive and visibility change; a message whose journaled deadline
// is still ahead is in flight again, RecoverInFlight). It knows no Log, no Store and no clock:
// `now` (milliseconds) is passed to every call that needs the time.
//
// Waking receivers is the caller's: TakeWakeups() counts the FIFO groups that became able to
// deliver, PublishBatch() and ProcessTimers() say what they made visible.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <memory_resource>
#include <queue>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <roaring/roaring64map.hh>

#include "engine/queues/queue_config.h"
#include "format/delete_index_format.h"
#include "format/status.h"

namespace seglog {

class DeliveryState {
 public:
  struct Group {
    std::string id;
    std::deque<uint64_t> ids;  // live messages, in send order; those in flight come first
    uint32_t in_flight = 0;
    uint32_t refs = 0;         // delay timers and receive records pointing here
    bool available = false;    // in avail_ (under its head id)
    uint64_t avail_key = 0;
  };
  struct Received {
    int64_t visible_at = 0;   // in flight until then
    int64_t received_at = 0;  // the latest receive (with count: its identity)
    int64_t first_received_at = 0;  // the first receive (journaled; else the first of this open)
    uint32_t count = 0;       // receive count, the latest receive included (>= 1)
    bool in_flight = false;
    Group* group = nullptr;   // FIFO
  };
  // A message chosen by a receive, delivered or moved once its record is read.
  struct Pick {
    uint64_t id;
    uint32_t count;             // after this receive: with received_at, the receive's identity
    int64_t received_at;        // this receive's time
    int64_t visible_at;         // its visibility deadline
    int64_t first_received_at;  // SQS ApproximateFirstReceiveTimestamp
    // The state the journal records for this receive.
    format::ReceiveState State() const {
      return format::ReceiveState{count, received_at, visible_at, first_received_at};
    }
  };
  // A sent message on its way into the in-memory state.
  struct Publish {
    uint64_t id;
    int64_t due;        // the end of its delay
    std::string group;  // FIFO
  };
  // A message's receive state as stored (journaled): the delete index's.
  using StoredStateFn = std::function<format::ReceiveState(uint64_t id)>;

  DeliveryState(bool fifo, StoredStateFn stored_state);
  DeliveryState(const DeliveryState&) = delete;
  DeliveryState& operator=(const DeliveryState&) = delete;

  bool fifo() const { return fifo_; }

  // ---- opening: Reset, then RecoverDedup / RecoverMessage per record, then FinishRecovery --
  // live = [cut, next) less `deleted`; ids below `next` count as published.
  void Reset(uint64_t cut, uint64_t next, const Roaring64Map& deleted);
  // FIFO: `dedup_id` was sent as message `id` and is remembered until `expires`.
  void RecoverDedup(std::string_view dedup_id, uint64_t id, int64_t expires);
  // A live message: joins its FIFO group (in id order) and stays delayed until `due`.
  void RecoverMessage(uint64_t id, std::string_view group, int64_t due, int64_t now);
  // A live message in flight at the open under journaled receive `st` (st.visible_ms > now):
  // hidden until st.visible_ms; FIFO: after RecoverMessage put it in `group`, which stays
  // blocked. REQUIRES: st.count >= 1.
  void RecoverInFlight(uint64_t id, std::string_view group, const format::ReceiveState& st);
  // Every live message neither delayed nor in flight is visible; standard queues' cursor
  // starts at `cut`.
  void FinishRecovery(uint64_t cut);

  // ---- sends ----
  // Applies a batch of sends that starts at id `first`, in id order: a batch whose
  // predecessors are still being written waits for them. Returns how many messages became
  // live (each may satisfy one waiting receiver).
  size_t PublishBatch(uint64_t first, std::vector<Publish> msgs, int64_t now);
  // Every id below was published (or is being published by the call holding the lock).
  uint64_t published_end() const { return publish_next_.load(); }

  // FIFO deduplication. An id is pending while the send that reserved it is being written.
  void ExpireDedup(int64_t now);
  bool DedupPending(const std::string& key) const;
  // True when `key` is known (sent within the window, or pending); *id: the message's id.
  bool FindDedup(const std::string& key, uint64_t* id) const;
  void ReserveDedup(const std::string& key, int64_t now);
  void CommitDedup(const std::string& key, uint64_t id, int64_t now);
  void AbortDedup(const std::string& key);

  // ---- receives ----
  // Runs the timers due at `now`; true when a message became visible again.
  bool ProcessTimers(int64_t now);
  // The next timer's due time; false when there is none.
  bool NextTimer(int64_t* due) const;
  // Chooses up to n messages (fewer when kQueueMaxInFlight are in flight) and puts them in
  // flight until now + vt_ms; appends them to *picks.
  void PickMessages(size_t n, int64_t now, int64_t vt_ms, std::vector<Pick>* picks);
  // Makes picked messages still in flight under their pick visible again at once (a receive
  // that could not complete). True when one became visible. (Not journaled: the receive
  // whose journal write failed left no record, or one a restart finds in flight.)
  bool Release(std::span<const Pick> picks, int64_t now);

  // ---- deletes, visibility, expiry ----
  enum class ReceiptMatch {
    kForgotten,       // the message is forgotten here: journal its delete, then RemoveLive
    kReceivedAgain,   // the receipt is stale: the message was received again since
    kNothingToDo,     // already deleted, expired, purged or being deleted
  };
  // A delete by the receipt of the receive (count, received_at) of `id`: current when that is
  // the message's latest receive, here or as journaled (count 0, a legacy receipt: never).
  ReceiptMatch ForgetByReceipt(uint64_t id, uint32_t count, int64_t received_at);
  enum class VisibilityChange { kChanged, kReceivedAgain, kNotInFlight, kPastMaximum };
  // Makes `id`, in flight under receive (count, received_at), visible again at `due` (the
  // caller runs ProcessTimers when due is now); on kChanged *journal is the state to journal.
  VisibilityChange ChangeVisibility(uint64_t id, uint32_t count, int64_t received_at,
                                    int64_t due, format::ReceiveState* journal);
  // True when `id` is in flight under receive (count, received_at) with deadline visible_at.
  bool InFlightAs(uint64_t id, uint32_t count, int64_t received_at, int64_t visible_at) const;
  // Forgets `id` (deleted, expired or moved) in every structure but `live`.
  void Forget(uint64_t id);
  // Forgets and drops `id` when it is still in flight under its receive numbered `count`.
  void DropIfReceivedAs(uint64_t id, uint32_t count);
  bool IsLive(uint64_t id) const { return live_.contains(id); }
  void RemoveLive(uint64_t id) { live_.remove(id); }
  // Drops every message below `cut` (expired by retention, or purged), in flight or not.
  void ExpireBelow(uint64_t cut);

  // ---- counts ----
  uint64_t live_count() const;
  uint64_t live_between(uint64_t lo, uint64_t hi) const;  // live ids in [lo, hi)
  bool OldestLive(uint64_t* id) const;                    // false when none is live
  uint64_t in_flight() const { return in_flight_; }
  uint64_t delayed_count() const;
  size_t nonempty_groups() const;
  size_t timer_count() const { return timers_.size(); }

  // How many FIFO groups became able to deliver since the last call (one receiver each).
  size_t TakeWakeups() { return std::exchange(wakeups_, 0); }

  // Checks the structures against each other (counts, group references, avail entries,
  // ready/delayed/in-flight disjointness): OK, or Corruption naming the first mismatch. O(n):
  // for tests, and asserted in debug builds at the quiet points of a queue (open, purge).
  Status CheckInvariants() const;

 private:
  struct Timer {
    int64_t due;
    uint64_t id;
    uint32_t count;  // 0: the message's delay ends; else the visibility timeout of the receive
                     // that made the receive count `count`
    Group* group;  // FIFO delay timers: the message's group (holds a reference)
    bool operator>(const Timer& o) const { return due > o.due; }
  };
  // A min-heap of timers whose items can be filtered in place (see MaybeCompactTimers).
  struct TimerHeap : std::priority_queue<Timer, std::vector<Timer>, std::greater<>> {
    // Keeps the timers for which keep(t) is true, in O(n).
    template <typename F>
    void Filter(F keep);
    const std::vector<Timer>& items() const { return c; }
  };
  struct Dedup {
    uint64_t id = 0;
    int64_t expires = 0;
    bool pending = true;
  };

  Group* GetGroup(const std::string& id);
  void UpdateGroup(Group* g);  // in avail_ when it may deliver, not when not; frees it unused
  void RemoveFromGroup(Group* g, uint64_t id);
  Group* FindGroupOf(uint64_t id);
  void ForgetIn(uint64_t id, Group* g);
  void PublishOne(const Publish& m, int64_t now);
  void AddReady(uint64_t id);
  void Unready(uint64_t id);
  bool TakeReady(uint64_t* id);
  void Take(uint64_t id, Group* g, int64_t now, int64_t vt_ms, std::vector<Pick>* picks);
  void PickFifo(size_t n, int64_t now, int64_t vt_ms, std::vector<Pick>* picks);
  bool RunTimer(const Timer& t);
  // Whether (count, received_at) is `id`'s latest receive: in memory, else as journaled.
  bool IsLatest(uint64_t id, uint32_t count, int64_t received_at) const;
  bool TimerValid(const Timer& t) const;
  void MaybeCompactTimers();
  Status CheckReceived() const;
  Status CheckGroups() const;
  Status CheckReady() const;

  const bool fifo_;
  const StoredStateFn stored_state_;
  Roaring64Map live_;
  // Standard queues' visible messages, taken lowest id first. Receives walk a cursor through
  // the ids instead of taking ready.minimum() out of a bitmap (minimum() scans the first
  // container from its start, and removing the front of an array container shifts it all):
  //   ready_        ids at or above ready_cursor_ that are visible (published, or their delay
  //                 ended); those below the cursor are stale (taken) and trimmed in whole
  //                 containers as the cursor moves on
  //   ready_below_  ids below the cursor visible again (a visibility timeout ran out, a release)
  // Change them through AddReady / Unready / TakeReady only.
  Roaring64Map ready_;
  uint64_t ready_cursor_ = 0;
  std::set<uint64_t> ready_below_;
  Roaring64Map delayed_;
  TimerHeap timers_;
  // A node per receive, recycled through a pool.
  std::pmr::unsynchronized_pool_resource received_pool_;
  std::pmr::unordered_map<uint64_t, Received> received_{&received_pool_};
  uint64_t in_flight_ = 0;
  uint64_t expired_below_ = 0;  // every id below was expired from memory
  size_t timer_compaction_at_ = 4096;
  size_t wakeups_ = 0;
  // FIFO
  std::unordered_map<std::string, std::unique_ptr<Group>> groups_;
  std::map<uint64_t, Group*> avail_;  // groups that may deliver, by head id
  std::unordered_map<std::string, Dedup> dedup_;
  std::deque<std::pair<int64_t, std::string>> dedup_order_;  // by expiry
  // Sends publish in id order (a receive never sees a message before an older one of the
  // same group): batches that finished appending wait in unpublished_ for the ones before.
  std::atomic<uint64_t> publish_next_{0};  // written under the queue's mutex
  std::map<uint64_t, std::vector<Publish>> unpublished_;
};

}  // namespace seglog
