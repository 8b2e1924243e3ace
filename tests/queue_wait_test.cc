// Receives that hold no thread (SPEC.md 16.13): Queues::TryReceive registers a one-shot wake
// when it finds nothing, and the queue calls it when a message may have become receivable:
// sends (one wake per message), visibility changes, timers, deletes, interrupts, close.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "engine/queues/queue.h"
#include "tests/support/queue_fixture.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using testing::QueueTest;
using testing::View;

// A wake registration's observable side: how often it fired.
struct Waker {
  std::shared_ptr<std::atomic<int>> fired = std::make_shared<std::atomic<int>>(0);
  Queues::WakeFn Fn() const {
    auto f = fired;
    return [f] { f->fetch_add(1); };
  }
  int count() const { return fired->load(); }
};

class QueueWaitTest : public QueueTest {
 protected:
  // TryReceive of up to 10 messages; *ticket as it returned.
  std::vector<ReceivedMessage> Try(const std::string& q, const Waker& w, uint64_t* ticket,
                                   int32_t vt = -1) {
    ReceiveOptions o;
    o.max_messages = 10;
    o.visibility_timeout_s = vt;
    o.wait_s = 20;  // ignored: TryReceive never waits
    std::vector<ReceivedMessage> out;
    EXPECT_OK(queues_->TryReceive(q, o, &out, w.Fn(), ticket));
    return out;
  }
};

TEST_F(QueueWaitTest, MessagesReadyAreReturnedWithoutARegistration) {
  CreateStd();
  Send("q", "a");
  Waker w;
  uint64_t ticket = 99;
  const auto got = Try("q", w, &ticket);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "a");
  EXPECT_EQ(ticket, 0u);
  Send("q", "b");
  EXPECT_EQ(w.count(), 0) << "a wake that was not registered must never be called";
}

TEST_F(QueueWaitTest, ASendWakesTheRegistrationOnceAndTheRetryGetsTheMessage) {
  CreateStd();
  Waker w;
  uint64_t ticket = 0;
  EXPECT_TRUE(Try("q", w, &ticket).empty());
  ASSERT_NE(ticket, 0u);
  EXPECT_EQ(w.count(), 0);
  Send("q", "a");
  EXPECT_EQ(w.count(), 1);
  Send("q", "b");
  EXPECT_EQ(w.count(), 1) << "a wake is one-shot";
  uint64_t again = 0;
  const auto got = Try("q", w, &again);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_EQ(again, 0u);
}

TEST_F(QueueWaitTest, OneMessageWakesOneOfManyAndACancelledFiredWakeIsPassedOn) {
  CreateStd();
  Waker w[3];
  uint64_t t[3];
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(Try("q", w[i], &t[i]).empty());
    ASSERT_NE(t[i], 0u);
  }
  Send("q", "a");
  EXPECT_EQ(w[0].count() + w[1].count() + w[2].count(), 1) << "one message, one wake";
  EXPECT_EQ(w[0].count(), 1) << "the oldest registration goes first";
  // Its owner gives up instead of receiving: the wake goes to the next registration.
  EXPECT_FALSE(queues_->CancelWake("q", t[0]));
  EXPECT_EQ(w[1].count(), 1);
  EXPECT_EQ(w[2].count(), 0);
  // A pending registration is withdrawn and never called.
  EXPECT_TRUE(queues_->CancelWake("q", t[2]));
  Send("q", "b");
  Send("q", "c");
  EXPECT_EQ(w[2].count(), 0);
}

TEST_F(QueueWaitTest, ABatchWakesAsManyRegistrationsAsItHasMessages) {
  CreateStd();
  std::vector<Waker> w(5);
  for (auto& x : w) {
    uint64_t t = 0;
    EXPECT_TRUE(Try("q", x, &t).empty());
  }
  std::vector<std::string> bodies = {"a", "b", "c"};
  std::vector<SendEntry> es(3);
  for (size_t i = 0; i < 3; ++i) es[i].body = View(bodies[i]);
  std::vector<SendResult> rs;
  ASSERT_OK(queues_->SendBatch("q", es, &rs));
  int fired = 0;
  for (auto& x : w) fired += x.count();
  EXPECT_EQ(fired, 3);
}

TEST_F(QueueWaitTest, AMessageMadeVisibleAgainWakes) {
  CreateStd();
  Send("q", "a");
  const auto first = Receive("q", 1, 30);
  ASSERT_EQ(first.size(), 1u);
  Waker w;
  uint64_t t = 0;
  EXPECT_TRUE(Try("q", w, &t).empty());
  ASSERT_OK(queues_->ChangeVisibility("q", first[0].receipt, 0));
  EXPECT_EQ(w.count(), 1);
  EXPECT_EQ(Try("q", w, &t).size(), 1u);
}

TEST_F(QueueWaitTest, DeleteInterruptAndCloseCallEveryRegistration) {
  CreateStd("a");
  CreateStd("b");
  Waker wa, wb1, wb2;
  uint64_t t = 0;
  EXPECT_TRUE(Try("a", wa, &t).empty());
  EXPECT_TRUE(Try("b", wb1, &t).empty());
  EXPECT_TRUE(Try("b", wb2, &t).empty());
  ASSERT_OK(queues_->Delete("a"));
  EXPECT_EQ(wa.count(), 1);
  queues_->Interrupt();
  EXPECT_EQ(wb1.count(), 1);
  EXPECT_EQ(wb2.count(), 1);
  // After the interruption a TryReceive fails at once and registers nothing.
  ReceiveOptions o;
  std::vector<ReceivedMessage> out;
  Waker w3;
  EXPECT_EQ(queues_->TryReceive("b", o, &out, w3.Fn(), &t).code(), StatusCode::kCanceled);
  EXPECT_EQ(t, 0u);
  Close();
  EXPECT_EQ(w3.count(), 0);
}

TEST_F(QueueWaitTest, CloseCallsPendingRegistrations) {
  CreateStd();
  Waker w;
  uint64_t t = 0;
  EXPECT_TRUE(Try("q", w, &t).empty());
  Close();
  EXPECT_EQ(w.count(), 1);
}

TEST_F(QueueWaitTest, AClockJumpCallsRegistrationsAndADelayEndingIsSeen) {
  CreateStd();
  Send("q", "later", /*delay=*/5);
  Waker w;
  uint64_t t = 0;
  EXPECT_TRUE(Try("q", w, &t).empty());
  clock_.Advance(6000);
  EXPECT_GE(w.count(), 1);
  EXPECT_EQ(Try("q", w, &t).size(), 1u);
}

// With the real clock: the wake timer thread fires a registration when a visibility timeout
// or a delay ends, with nobody calling the queue.
class QueueWaitRealClockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(testing::OpenEngine(dir_.path(), StoreOptions(), &store_, nullptr, &queues_));
    QueueConfig c;
    c.log.durability = Durability::kNone;
    ASSERT_OK(queues_->Create("q", c));
  }
  void TearDown() override { testing::CloseEngine(&store_, nullptr, &queues_); }
  // Registers a wake and waits up to 10 s for it.
  bool RegisterAndWait() {
    auto mu = std::make_shared<std::mutex>();
    auto cv = std::make_shared<std::condition_variable>();
    auto fired = std::make_shared<bool>(false);
    ReceiveOptions o;
    std::vector<ReceivedMessage> out;
    uint64_t t = 0;
    EXPECT_OK(queues_->TryReceive("q", o, &out,
                                  [mu, cv, fired] {
                                    std::lock_guard<std::mutex> l(*mu);
                                    *fired = true;
                                    cv->notify_all();
                                  },
                                  &t));
    EXPECT_TRUE(out.empty());
    std::unique_lock<std::mutex> l(*mu);
    return cv->wait_for(l, std::chrono::seconds(10), [&] { return *fired; });
  }
  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Queues> queues_;
};

TEST_F(QueueWaitRealClockTest, AVisibilityTimeoutEndingWakes) {
  SendEntry e;
  std::string body = "m";
  e.body = View(body);
  SendResult r;
  ASSERT_OK(queues_->Send("q", e, &r));
  ReceiveOptions o;
  o.visibility_timeout_s = 1;
  std::vector<ReceivedMessage> got;
  ASSERT_OK(queues_->Receive("q", o, &got));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(RegisterAndWait());
  std::vector<ReceivedMessage> again;
  ASSERT_OK(queues_->Receive("q", ReceiveOptions(), &again));
  EXPECT_EQ(again.size(), 1u);
}

TEST_F(QueueWaitRealClockTest, ADelayEndingWakes) {
  SendEntry e;
  std::string body = "m";
  e.body = View(body);
  e.delay_s = 1;
  SendResult r;
  ASSERT_OK(queues_->Send("q", e, &r));
  EXPECT_TRUE(RegisterAndWait());
}

}  // namespace
}  // namespace seglog
