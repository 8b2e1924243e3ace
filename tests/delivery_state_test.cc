// DeliveryState (engine/queues/delivery_state.h) on its own: no Log, no Store, the time passed
// in. Every step is followed by the invariant check.
#include "engine/queues/delivery_state.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

namespace seglog {
namespace {

using Pick = DeliveryState::Pick;
using Publish = DeliveryState::Publish;
using ReceiptMatch = DeliveryState::ReceiptMatch;
using VisibilityChange = DeliveryState::VisibilityChange;

constexpr int64_t kT0 = 1'000'000;

class DeliveryStateTest : public ::testing::Test {
 protected:
  void Make(bool fifo) {
    state_ = std::make_unique<DeliveryState>(fifo, [this](uint64_t id) {
      auto it = stored_.find(id);
      return it == stored_.end() ? format::ReceiveState{} : it->second;
    });
    state_->Reset(0, 0, Roaring64Map());
    state_->FinishRecovery(0);
    Check();
  }
  void Check() {
    Status s = state_->CheckInvariants();
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // Publishes ids [first, first + groups.size()), group i (FIFO) or none, visible at `due`.
  size_t Send(uint64_t first, std::vector<std::string> groups, int64_t due = kT0,
              int64_t now = kT0) {
    std::vector<Publish> msgs;
    for (size_t i = 0; i < groups.size(); ++i) msgs.push_back(Publish{first + i, due, groups[i]});
    const size_t n = state_->PublishBatch(first, std::move(msgs), now);
    Check();
    return n;
  }
  std::vector<Pick> Take(size_t n, int64_t now = kT0, int64_t vt_ms = 30'000) {
    std::vector<Pick> picks;
    state_->ProcessTimers(now);
    state_->PickMessages(n, now, vt_ms, &picks);
    Check();
    return picks;
  }
  static std::vector<uint64_t> Ids(const std::vector<Pick>& picks) {
    std::vector<uint64_t> ids;
    for (const Pick& p : picks) ids.push_back(p.id);
    return ids;
  }

  std::map<uint64_t, format::ReceiveState> stored_;  // journaled receive states
  std::unique_ptr<DeliveryState> state_;
};

TEST_F(DeliveryStateTest, StandardPicksLowestFirstAndCountsInFlight) {
  Make(false);
  EXPECT_EQ(Send(0, {"", "", "", ""}), 4u);
  EXPECT_EQ(state_->live_count(), 4u);
  EXPECT_EQ(Ids(Take(2)), (std::vector<uint64_t>{0, 1}));
  EXPECT_EQ(state_->in_flight(), 2u);
  EXPECT_EQ(Ids(Take(10)), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(state_->in_flight(), 4u);
  EXPECT_TRUE(Take(10).empty());
}

TEST_F(DeliveryStateTest, BatchesPublishInIdOrder) {
  Make(false);
  EXPECT_EQ(Send(2, {"", ""}), 0u);  // waits for ids 0 and 1
  EXPECT_EQ(state_->published_end(), 0u);
  EXPECT_TRUE(Take(10).empty());
  EXPECT_EQ(Send(0, {"", ""}), 4u);  // both batches
  EXPECT_EQ(state_->published_end(), 4u);
  EXPECT_EQ(Ids(Take(10)), (std::vector<uint64_t>{0, 1, 2, 3}));
}

TEST_F(DeliveryStateTest, VisibilityTimeoutMakesVisibleAgainWithNewGeneration) {
  Make(false);
  stored_[0] = format::ReceiveState{3, kT0 - 9000, kT0 - 8000, kT0 - 20000};  // before a restart
  Send(0, {""});
  const std::vector<Pick> first = Take(1, kT0, 1000);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].count, 4u);
  EXPECT_EQ(first[0].received_at, kT0);
  EXPECT_EQ(first[0].visible_at, kT0 + 1000);
  EXPECT_EQ(first[0].first_received_at, kT0 - 20000);  // the journaled first receive
  // The journaled receive's receipt is stale once the message was received again.
  EXPECT_EQ(state_->ForgetByReceipt(0, 3, kT0 - 9000), ReceiptMatch::kReceivedAgain);
  EXPECT_TRUE(Take(1, kT0 + 999, 1000).empty());
  const std::vector<Pick> again = Take(1, kT0 + 1000, 1000);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, 0u);
  EXPECT_EQ(again[0].count, 5u);
  EXPECT_EQ(again[0].received_at, kT0 + 1000);
  // The first receipt is stale now; the second deletes.
  EXPECT_EQ(state_->ForgetByReceipt(0, first[0].count, first[0].received_at),
            ReceiptMatch::kReceivedAgain);
  EXPECT_EQ(state_->ForgetByReceipt(0, again[0].count, again[0].received_at - 1),
            ReceiptMatch::kReceivedAgain);
  EXPECT_EQ(state_->ForgetByReceipt(0, again[0].count, again[0].received_at),
            ReceiptMatch::kForgotten);
  state_->RemoveLive(0);
  Check();
  EXPECT_EQ(state_->in_flight(), 0u);
  EXPECT_TRUE(Take(1, kT0 + 5000).empty());
  EXPECT_EQ(state_->ForgetByReceipt(0, again[0].count, again[0].received_at),
            ReceiptMatch::kNothingToDo);
}

TEST_F(DeliveryStateTest, DelayedMessagesWaitForTheirTimer) {
  Make(false);
  Send(0, {""}, kT0 + 5000);  // delayed 5 s
  Send(1, {""});
  EXPECT_EQ(state_->delayed_count(), 1u);
  EXPECT_EQ(Ids(Take(10)), (std::vector<uint64_t>{1}));
  int64_t due = 0;
  ASSERT_TRUE(state_->NextTimer(&due));
  EXPECT_EQ(due, kT0 + 5000);
  EXPECT_TRUE(Take(10, kT0 + 4999).empty());
  EXPECT_EQ(Ids(Take(10, kT0 + 5000)), (std::vector<uint64_t>{0}));  // behind the cursor
  EXPECT_EQ(state_->delayed_count(), 0u);
}

TEST_F(DeliveryStateTest, ChangeVisibilityAndRelease) {
  Make(false);
  Send(0, {"", ""});
  const std::vector<Pick> p = Take(2, kT0, 60'000);
  ASSERT_EQ(p.size(), 2u);
  format::ReceiveState js;
  EXPECT_EQ(state_->ChangeVisibility(0, p[0].count + 100, p[0].received_at, kT0, &js),
            VisibilityChange::kReceivedAgain);
  EXPECT_EQ(state_->ChangeVisibility(0, p[0].count, p[0].received_at + 1, kT0, &js),
            VisibilityChange::kReceivedAgain);
  EXPECT_EQ(state_->ChangeVisibility(0, 0, 0, kT0, &js), VisibilityChange::kReceivedAgain);
  EXPECT_EQ(state_->ChangeVisibility(0, p[0].count, p[0].received_at, kT0 + 43'200'001, &js),
            VisibilityChange::kPastMaximum);
  EXPECT_EQ(state_->ChangeVisibility(0, p[0].count, p[0].received_at, kT0 + 10, &js),
            VisibilityChange::kChanged);
  // What the journal gets: the same receive, the new deadline.
  EXPECT_EQ(js, (format::ReceiveState{1, kT0, kT0 + 10, kT0}));
  EXPECT_TRUE(state_->InFlightAs(0, 1, kT0, kT0 + 10));
  EXPECT_FALSE(state_->InFlightAs(0, 1, kT0, kT0 + 60'000));
  Check();
  EXPECT_TRUE(Take(10, kT0 + 9).empty());
  EXPECT_EQ(Ids(Take(10, kT0 + 10)), (std::vector<uint64_t>{0}));
  // Release: message 1 (still under its pick) is visible at once.
  EXPECT_TRUE(state_->Release(std::span<const Pick>(&p[1], 1), kT0 + 20));
  Check();
  EXPECT_EQ(state_->ChangeVisibility(1, p[1].count, p[1].received_at, kT0 + 30, &js),
            VisibilityChange::kNotInFlight);
  EXPECT_EQ(Ids(Take(10, kT0 + 20)), (std::vector<uint64_t>{1}));
}

TEST_F(DeliveryStateTest, FifoGroupIsLockedWhileAMessageIsInFlight) {
  Make(true);
  Send(0, {"a", "a", "b", "a"});
  EXPECT_EQ(state_->nonempty_groups(), 2u);
  state_->TakeWakeups();
  const std::vector<Pick> p = Take(1);
  EXPECT_EQ(Ids(p), (std::vector<uint64_t>{0}));  // group a's head, the oldest head
  EXPECT_EQ(Ids(Take(10)), (std::vector<uint64_t>{2}));  // a is locked: only b
  EXPECT_TRUE(Take(10).empty());
  // Deleting a's head unlocks a: one receiver to wake, and the rest of a in order.
  EXPECT_EQ(state_->ForgetByReceipt(0, p[0].count, p[0].received_at), ReceiptMatch::kForgotten);
  state_->RemoveLive(0);
  Check();
  EXPECT_EQ(state_->TakeWakeups(), 1u);
  EXPECT_EQ(Ids(Take(10)), (std::vector<uint64_t>{1, 3}));
}

TEST_F(DeliveryStateTest, FifoVisibilityTimeoutRedeliversTheGroupInOrder) {
  Make(true);
  Send(0, {"g", "g", "g"});
  const std::vector<Pick> p = Take(2, kT0, 1000);
  EXPECT_EQ(Ids(p), (std::vector<uint64_t>{0, 1}));
  EXPECT_TRUE(Take(10, kT0 + 500, 1000).empty());  // 2 waits behind the group's in-flight ones
  const std::vector<Pick> q = Take(10, kT0 + 1000, 1000);
  EXPECT_EQ(Ids(q), (std::vector<uint64_t>{0, 1, 2}));
  EXPECT_EQ(q[0].count, 2u);
  EXPECT_EQ(q[2].count, 1u);
}

TEST_F(DeliveryStateTest, FifoDelayedHeadHoldsItsGroup) {
  Make(true);
  Send(0, {"g"}, kT0 + 2000);
  Send(1, {"g"});
  Send(2, {"h"});
  EXPECT_EQ(Ids(Take(10)), (std::vector<uint64_t>{2}));
  EXPECT_EQ(Ids(Take(10, kT0 + 2000)), (std::vector<uint64_t>{0, 1}));
}

TEST_F(DeliveryStateTest, JournaledReceiptDeletesAnUnreceivedFifoMessage) {
  Make(true);
  stored_[0] = format::ReceiveState{2, kT0 - 5000, kT0 - 4000, kT0 - 9000};
  stored_[1] = format::ReceiveState{1, kT0 - 5000, kT0 - 4000, kT0 - 5000};
  Send(0, {"g", "g"});
  // A receipt of an earlier open naming the journaled latest receive: it deletes.
  EXPECT_EQ(state_->ForgetByReceipt(0, 1, kT0 - 5000), ReceiptMatch::kReceivedAgain);
  EXPECT_EQ(state_->ForgetByReceipt(0, 2, kT0 - 5000), ReceiptMatch::kForgotten);
  state_->RemoveLive(0);
  Check();
  EXPECT_EQ(Ids(Take(10)), (std::vector<uint64_t>{1}));
  // An earlier open's receipt for a message received since: stale; a legacy one (count 0)
  // always.
  EXPECT_EQ(state_->ForgetByReceipt(1, 1, kT0 - 5000), ReceiptMatch::kReceivedAgain);
  EXPECT_EQ(state_->ForgetByReceipt(1, 0, 0), ReceiptMatch::kReceivedAgain);
  // A receipt for a message no longer live: nothing to do.
  EXPECT_EQ(state_->ForgetByReceipt(0, 2, kT0 - 5000), ReceiptMatch::kNothingToDo);
}

TEST_F(DeliveryStateTest, RecoverInFlightHidesUntilTheJournaledDeadline) {
  for (bool fifo : {false, true}) {
    SCOPED_TRACE(fifo);
    state_ = std::make_unique<DeliveryState>(fifo, [](uint64_t) { return format::ReceiveState{}; });
    state_->Reset(0, 4, Roaring64Map());
    for (uint64_t id = 0; id < 4; ++id) state_->RecoverMessage(id, "g", kT0 - 1, kT0);
    // 0 in flight until kT0 + 500 (received twice, first long ago).
    state_->RecoverInFlight(0, "g", format::ReceiveState{2, kT0 - 100, kT0 + 500, kT0 - 9000});
    state_->FinishRecovery(0);
    Check();
    EXPECT_EQ(state_->in_flight(), 1u);
    // Standard: the others are visible; FIFO: the group stays blocked.
    EXPECT_EQ(Ids(Take(10, kT0 + 499)),
              fifo ? std::vector<uint64_t>{} : (std::vector<uint64_t>{1, 2, 3}));
    // The journaled receive's receipt is current; a visibility change keeps the receive.
    format::ReceiveState js;
    EXPECT_EQ(state_->ChangeVisibility(0, 2, kT0 - 100, kT0 + 499, &js),
              VisibilityChange::kChanged);
    EXPECT_EQ(js, (format::ReceiveState{2, kT0 - 100, kT0 + 499, kT0 - 9000}));
    const std::vector<Pick> p = Take(10, kT0 + 499, 1000);
    ASSERT_FALSE(p.empty());
    EXPECT_EQ(p[0].id, 0u);
    EXPECT_EQ(p[0].count, 3u);
    EXPECT_EQ(p[0].first_received_at, kT0 - 9000);
    if (fifo) {
      EXPECT_EQ(Ids(p), (std::vector<uint64_t>{0, 1, 2, 3}));
    }
  }
}

TEST_F(DeliveryStateTest, DedupWindowExpires) {
  Make(true);
  uint64_t id = 0;
  state_->ReserveDedup("k", kT0);
  EXPECT_TRUE(state_->DedupPending("k"));
  state_->AbortDedup("k");
  EXPECT_FALSE(state_->FindDedup("k", &id));
  state_->ReserveDedup("k", kT0);
  state_->CommitDedup("k", 42, kT0);
  Check();
  EXPECT_FALSE(state_->DedupPending("k"));
  ASSERT_TRUE(state_->FindDedup("k", &id));
  EXPECT_EQ(id, 42u);
  state_->ExpireDedup(kT0 + kQueueDedupWindowMs - 1);
  EXPECT_TRUE(state_->FindDedup("k", &id));
  state_->ExpireDedup(kT0 + kQueueDedupWindowMs);
  EXPECT_FALSE(state_->FindDedup("k", &id));
  Check();
  // A pending reservation outlives the window (its send is still being written).
  state_->ReserveDedup("p", kT0);
  state_->ExpireDedup(kT0 + 2 * kQueueDedupWindowMs);
  EXPECT_TRUE(state_->DedupPending("p"));
}

TEST_F(DeliveryStateTest, ExpireBelowDropsInFlightAndFreesGroups) {
  Make(true);
  Send(0, {"a", "a", "b", "c"});
  Take(10);  // 0 and 1 (a), 2 (b), 3 (c) in flight
  EXPECT_EQ(state_->in_flight(), 4u);
  state_->ExpireBelow(3);
  Check();
  EXPECT_EQ(state_->in_flight(), 1u);
  EXPECT_EQ(state_->live_count(), 1u);
  EXPECT_EQ(state_->nonempty_groups(), 1u);
  EXPECT_EQ(state_->live_between(0, 4), 1u);
  uint64_t oldest = 0;
  ASSERT_TRUE(state_->OldestLive(&oldest));
  EXPECT_EQ(oldest, 3u);
  Send(4, {"a"});
  EXPECT_EQ(Ids(Take(10)), (std::vector<uint64_t>{4}));
}

TEST_F(DeliveryStateTest, StaleDelayTimersAreCompactedAway) {
  Make(true);
  // Many delayed messages in their own groups, then deleted: their timers stay in the heap
  // (holding their groups) until a pick compacts it.
  std::vector<std::string> groups;
  for (int i = 0; i < 5000; ++i) groups.push_back("g" + std::to_string(i));
  Send(0, groups, kT0 + 100'000);
  for (uint64_t id = 0; id < 5000; ++id) {
    stored_[id] = format::ReceiveState{1, kT0, kT0, kT0};  // received before a restart
    EXPECT_EQ(state_->ForgetByReceipt(id, 1, kT0), ReceiptMatch::kForgotten);
    state_->RemoveLive(id);
  }
  Check();
  EXPECT_EQ(state_->timer_count(), 5000u);
  Send(5000, {"x"});
  EXPECT_EQ(Ids(Take(1)), (std::vector<uint64_t>{5000}));
  EXPECT_LT(state_->timer_count(), 10u);
  EXPECT_EQ(state_->nonempty_groups(), 1u);
}

TEST_F(DeliveryStateTest, InFlightIsCappedAtTheLimit) {
  Make(false);
  const uint64_t n = kQueueMaxInFlight + 5;
  std::vector<Publish> msgs;
  for (uint64_t id = 0; id < n; ++id) msgs.push_back(Publish{id, kT0, ""});
  state_->PublishBatch(0, std::move(msgs), kT0);
  size_t picked = 0;
  for (uint64_t k = 0; k < n / 10 + 2; ++k) {
    std::vector<Pick> picks;
    state_->PickMessages(10, kT0, 30'000, &picks);
    picked += picks.size();
  }
  EXPECT_EQ(picked, kQueueMaxInFlight);
  EXPECT_EQ(state_->in_flight(), kQueueMaxInFlight);
  Check();
}

TEST_F(DeliveryStateTest, RecoveryRebuildsFromRecords) {
  std::unique_ptr<DeliveryState> s = std::make_unique<DeliveryState>(true, [](uint64_t) {
    return format::ReceiveState{};
  });
  Roaring64Map deleted;
  deleted.add(uint64_t{11});
  s->Reset(10, 14, deleted);  // ids 10..13 were sent, 11 deleted, below 10 expired
  s->RecoverDedup("d", 10, kT0 + 1000);
  for (uint64_t id : {10, 12, 13}) {
    ASSERT_TRUE(s->IsLive(id));
    s->RecoverMessage(id, id == 13 ? "late" : "g", id == 13 ? kT0 + 50 : kT0 - 1, kT0);
  }
  EXPECT_FALSE(s->IsLive(11));
  s->FinishRecovery(10);
  ASSERT_TRUE(s->CheckInvariants().ok()) << s->CheckInvariants().ToString();
  std::vector<Pick> picks;
  s->PickMessages(10, kT0, 1000, &picks);
  EXPECT_EQ(Ids(picks), (std::vector<uint64_t>{10, 12}));
  uint64_t id = 0;
  EXPECT_TRUE(s->FindDedup("d", &id));
  EXPECT_EQ(s->published_end(), 14u);
  ASSERT_TRUE(s->CheckInvariants().ok());
}

}  // namespace
}  // namespace seglog
