// Message move tasks (SPEC.md 16.14): start, list, cancel, the rate per pass (by the injected
// clock), one task per source, the checks, durability across a reopen, failures.
#include <atomic>
#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "engine/queues/queue.h"
#include "engine/queues/queue_move_tasks.h"
#include "tests/support/queue_fixture.h"
#include "tests/support/test_util.h"

namespace seglog {

// Runs a pass of the move tasks on the test's thread (Queues' friend).
struct MoveTaskTestPeer {
  static void RunPass(Queues* q) { q->RunMoveTasksOnce(); }
};

namespace {

using testing::QueueTest;
using testing::View;

class MoveTaskTest : public QueueTest {
 protected:
  // "dlq" is the dead-letter queue of "src" (and of "src2"); n messages dead-lettered from src.
  void SetUpDlq(int n, QueueType t = QueueType::kStandard) {
    const bool fifo = t == QueueType::kFifo;
    dlq_ = fifo ? "dlq.fifo" : "dlq";
    src_ = fifo ? "src.fifo" : "src";
    Create(dlq_, Config(t));
    QueueConfig c = Config(t);
    c.dead_letter_queue = dlq_;
    c.max_receive_count = 1;
    Create(src_, c);
    for (int i = 0; i < n; ++i) {
      if (fifo) {
        SendFifo(src_, "m" + std::to_string(i), "g" + std::to_string(i), "d" + std::to_string(i));
      } else {
        Send(src_, "m" + std::to_string(i));
      }
    }
    size_t got = 0;
    while (got < static_cast<size_t>(n)) {
      const size_t k = Receive(src_, 10, 0).size();
      ASSERT_GT(k, 0u);
      got += k;
    }
    EXPECT_TRUE(Receive(src_, 10, 0).empty());  // every message moves
    ASSERT_EQ(Stats(dlq_).visible, static_cast<uint64_t>(n));
  }
  MoveTaskInfo Newest(const std::string& source) {
    std::vector<MoveTaskInfo> t;
    EXPECT_OK(queues_->ListMoveTasks(source, 10, &t));
    return t.empty() ? MoveTaskInfo{} : t[0];
  }
  // Polls (bounded: the scheduler's passes come every 100 ms) until pred holds; advances the
  // injected clock by advance_ms between looks.
  bool WaitFor(const std::function<bool()>& pred, int64_t advance_ms = 0) {
    for (int i = 0; i < 4000; ++i) {
      if (pred()) return true;
      if (advance_ms > 0) clock_.Advance(advance_ms);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return pred();
  }
  std::string Start(const std::string& source, uint32_t rate, const std::string& dest = "") {
    MoveTaskOptions o;
    o.max_per_second = rate;
    o.destination = dest;
    std::string h;
    EXPECT_OK(queues_->StartMoveTask(source, o, &h));
    return h;
  }
  std::string dlq_, src_;
};

TEST_F(MoveTaskTest, RateIsABudgetPerSecondOfTheClock) {
  SetUpDlq(10);
  const std::string h = Start(dlq_, 3);
  EXPECT_LE(h.size(), 256u);
  // The clock stands still: the first second's budget (3) moves, and no pass moves more.
  ASSERT_TRUE(WaitFor([&] { return Newest(dlq_).moved == 3; }));
  MoveTaskTestPeer::RunPass(queues_.get());
  MoveTaskTestPeer::RunPass(queues_.get());
  MoveTaskInfo t = Newest(dlq_);
  EXPECT_EQ(t.moved, 3u);
  EXPECT_EQ(t.status, MoveTaskStatus::kRunning);
  EXPECT_EQ(t.to_move, 10u);
  EXPECT_EQ(t.max_per_second, 3u);
  EXPECT_EQ(t.handle, h);
  EXPECT_EQ(t.source, dlq_);
  EXPECT_EQ(Stats(src_).visible, 3u);
  clock_.Advance(1000);
  ASSERT_TRUE(WaitFor([&] { return Newest(dlq_).moved == 6; }));
  MoveTaskTestPeer::RunPass(queues_.get());
  EXPECT_EQ(Newest(dlq_).moved, 6u);
  ASSERT_TRUE(WaitFor([&] { return Newest(dlq_).status == MoveTaskStatus::kCompleted; }, 1000));
  EXPECT_EQ(Newest(dlq_).moved, 10u);
  EXPECT_EQ(Stats(src_).visible, 10u);
  EXPECT_EQ(Stats(dlq_).visible, 0u);
  auto back = Receive(src_, 10, 30);
  EXPECT_EQ(back.size(), 10u);
  for (const auto& m : back) EXPECT_EQ(m.receive_count, 1u) << "new messages in the source";
}

TEST_F(MoveTaskTest, MovesOnlyWhatTheSourceHeldAtTheStart) {
  SetUpDlq(3);
  Start(dlq_, 0);
  Send(dlq_, "later");  // sent after the start: above the task's bound
  ASSERT_TRUE(WaitFor([&] { return Newest(dlq_).status == MoveTaskStatus::kCompleted; }));
  EXPECT_EQ(Newest(dlq_).moved, 3u);
  EXPECT_EQ(Stats(dlq_).visible, 1u) << "the later message stays";
}

TEST_F(MoveTaskTest, CancelStopsItAndMovedStayMoved) {
  SetUpDlq(5);
  const std::string h = Start(dlq_, 2);
  ASSERT_TRUE(WaitFor([&] { return Newest(dlq_).moved == 2; }));
  uint64_t moved = 0;
  ASSERT_OK(queues_->CancelMoveTask(h, &moved));
  EXPECT_EQ(moved, 2u);
  clock_.Advance(5000);
  MoveTaskTestPeer::RunPass(queues_.get());
  MoveTaskInfo t = Newest(dlq_);
  EXPECT_EQ(t.status, MoveTaskStatus::kCancelled);
  EXPECT_EQ(t.moved, 2u);
  EXPECT_EQ(Stats(src_).visible, 2u);
  EXPECT_EQ(Stats(dlq_).visible, 3u);
  EXPECT_EQ(queues_->CancelMoveTask(h, &moved).code(), StatusCode::kNotFound) << "not running";
  EXPECT_EQ(queues_->CancelMoveTask("garbage", &moved).code(), StatusCode::kNotFound);
  EXPECT_EQ(queues_->CancelMoveTask(EncodeMoveTaskHandle(dlq_, 12345), &moved).code(),
            StatusCode::kNotFound);
  // A new task may start now.
  Start(dlq_, 0);
  ASSERT_TRUE(WaitFor([&] { return Newest(dlq_).status == MoveTaskStatus::kCompleted; }));
  EXPECT_EQ(Stats(src_).visible, 5u);
}

TEST_F(MoveTaskTest, OnePerSourceAndTheChecks) {
  SetUpDlq(3);
  CreateStd("other");
  Create("f.fifo", Config(QueueType::kFifo));
  MoveTaskOptions o;
  std::string h;
  o.max_per_second = 501;
  EXPECT_EQ(queues_->StartMoveTask(dlq_, o, &h).code(), StatusCode::kInvalidArgument);
  o.max_per_second = 1;
  EXPECT_EQ(queues_->StartMoveTask("other", o, &h).code(), StatusCode::kInvalidArgument)
      << "not a dead-letter queue";
  EXPECT_EQ(queues_->StartMoveTask("nope", o, &h).code(), StatusCode::kNotFound);
  o.destination = "nope";
  EXPECT_EQ(queues_->StartMoveTask(dlq_, o, &h).code(), StatusCode::kNotFound);
  o.destination = "f.fifo";
  EXPECT_EQ(queues_->StartMoveTask(dlq_, o, &h).code(), StatusCode::kInvalidArgument);
  o.destination = dlq_;
  EXPECT_EQ(queues_->StartMoveTask(dlq_, o, &h).code(), StatusCode::kInvalidArgument);
  std::vector<MoveTaskInfo> tasks;
  ASSERT_OK(queues_->ListMoveTasks(dlq_, 10, &tasks));
  EXPECT_TRUE(tasks.empty()) << "refusals start nothing";
  o.destination = "";
  ASSERT_OK(queues_->StartMoveTask(dlq_, o, &h));
  std::string h2;
  EXPECT_EQ(queues_->StartMoveTask(dlq_, o, &h2).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(queues_->ListMoveTasks(dlq_, 0, &tasks).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(queues_->ListMoveTasks(dlq_, 11, &tasks).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(queues_->ListMoveTasks("nope", 1, &tasks).code(), StatusCode::kNotFound);
}

TEST_F(MoveTaskTest, ToADestination) {
  SetUpDlq(4);
  CreateStd("other");
  Start(dlq_, 0, "other");
  ASSERT_TRUE(WaitFor([&] { return Newest(dlq_).status == MoveTaskStatus::kCompleted; }));
  EXPECT_EQ(Newest(dlq_).destination, "other");
  EXPECT_EQ(Stats("other").visible, 4u);
  EXPECT_EQ(Stats(src_).visible, 0u);
}

TEST_F(MoveTaskTest, FifoBackToItsSource) {
  SetUpDlq(4, QueueType::kFifo);
  Start(dlq_, 0);
  ASSERT_TRUE(WaitFor([&] { return Newest(dlq_).status == MoveTaskStatus::kCompleted; }));
  EXPECT_EQ(Newest(dlq_).moved, 4u);
  EXPECT_EQ(Receive(src_, 10, 30).size(), 4u);
}

TEST_F(MoveTaskTest, ResumesAfterReopen) {
  SetUpDlq(6);
  const std::string h = Start(dlq_, 2);
  ASSERT_TRUE(WaitFor([&] { return Newest(dlq_).moved == 2; }));
  Reopen();  // mid-task: nobody touches the queue after this but to look
  MoveTaskInfo t = Newest(dlq_);
  EXPECT_EQ(t.handle, h);
  EXPECT_EQ(t.status, MoveTaskStatus::kRunning);
  EXPECT_EQ(t.moved, 2u) << "progress written when the queues closed";
  ASSERT_TRUE(WaitFor([&] { return Newest(dlq_).status == MoveTaskStatus::kCompleted; }, 1000));
  EXPECT_EQ(Newest(dlq_).moved, 6u);
  EXPECT_EQ(Stats(src_).visible, 6u);
  EXPECT_EQ(Stats(dlq_).visible, 0u);
  Reopen();
  EXPECT_EQ(Newest(dlq_).status, MoveTaskStatus::kCompleted) << "the end is durable";
}

TEST_F(MoveTaskTest, AMessageWithNoSourceFailsTheTask) {
  SetUpDlq(0);
  Send(dlq_, "sent straight here");
  Start(dlq_, 0);
  ASSERT_TRUE(WaitFor([&] { return Newest(dlq_).status == MoveTaskStatus::kFailed; }));
  EXPECT_NE(Newest(dlq_).failure_reason.find("no known source"), std::string::npos)
      << Newest(dlq_).failure_reason;
  EXPECT_EQ(Stats(dlq_).visible, 1u) << "it stays, visible";
}

TEST_F(MoveTaskTest, DestinationDeletedMidTaskFailsIt) {
  SetUpDlq(5);
  CreateStd("other");
  Start(dlq_, 1, "other");
  ASSERT_TRUE(WaitFor([&] { return Newest(dlq_).moved == 1; }));
  ASSERT_OK(queues_->Delete("other"));
  ASSERT_TRUE(WaitFor([&] { return Newest(dlq_).status == MoveTaskStatus::kFailed; }, 1000));
  EXPECT_NE(Newest(dlq_).failure_reason.find("other"), std::string::npos);
  EXPECT_EQ(Stats(dlq_).visible, 4u) << "nothing lost";
}

TEST_F(MoveTaskTest, SourceDeletedMidTaskEndsIt) {
  SetUpDlq(5);
  Start(dlq_, 1);
  ASSERT_TRUE(WaitFor([&] { return Newest(dlq_).moved == 1; }));
  ASSERT_OK(queues_->Delete(dlq_));
  clock_.Advance(1000);
  MoveTaskTestPeer::RunPass(queues_.get());  // no crash, no hang
  Create(dlq_, Config());
  std::vector<MoveTaskInfo> tasks;
  ASSERT_OK(queues_->ListMoveTasks(dlq_, 10, &tasks));
  EXPECT_TRUE(tasks.empty()) << "a new queue of that name has no tasks";
  EXPECT_EQ(Stats(src_).visible, 1u);
}

TEST_F(MoveTaskTest, TheListKeepsTheTenNewest) {
  SetUpDlq(0);
  std::vector<std::string> handles;
  for (int i = 0; i < 11; ++i) {
    handles.push_back(Start(dlq_, 0));
    ASSERT_TRUE(WaitFor([&] { return Newest(dlq_).status == MoveTaskStatus::kCompleted; }));
    clock_.Advance(10);
  }
  std::vector<MoveTaskInfo> tasks;
  ASSERT_OK(queues_->ListMoveTasks(dlq_, 10, &tasks));
  ASSERT_EQ(tasks.size(), 10u);
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(tasks[i].handle, handles[10 - i]) << i;
  ASSERT_OK(queues_->ListMoveTasks(dlq_, 3, &tasks));
  EXPECT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0].handle, handles[10]);
}

TEST_F(MoveTaskTest, ReceivesBesideATaskLoseAndRepeatNothing) {
  const int n = 300;
  SetUpDlq(n);
  std::vector<std::string> from_dlq;
  std::atomic<bool> stop{false};
  std::thread consumer([&] {
    while (!stop.load()) {
      ReceiveOptions o;
      o.max_messages = 10;
      o.visibility_timeout_s = 30;
      o.wait_s = 0;
      std::vector<ReceivedMessage> got;
      if (!queues_->Receive(dlq_, o, &got).ok()) return;
      for (const auto& m : got) {
        from_dlq.push_back(m.body);
        EXPECT_OK(queues_->DeleteMessage(dlq_, m.receipt));
      }
      if (got.empty()) std::this_thread::yield();
    }
  });
  Start(dlq_, 0);
  const bool done = WaitFor([&] { return Newest(dlq_).status == MoveTaskStatus::kCompleted; });
  stop.store(true);
  consumer.join();
  ASSERT_TRUE(done);
  EXPECT_EQ(Stats(dlq_).visible + Stats(dlq_).in_flight, 0u);
  std::multiset<std::string> all(from_dlq.begin(), from_dlq.end());
  for (;;) {
    auto m = Receive(src_, 10, 300);
    if (m.empty()) break;
    for (const auto& x : m) all.insert(x.body);
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(n)) << "each message once: moved or consumed";
  for (int i = 0; i < n; ++i) EXPECT_EQ(all.count("m" + std::to_string(i)), 1u) << i;
  EXPECT_EQ(Newest(dlq_).moved + from_dlq.size(), static_cast<uint64_t>(n));
}

TEST(MoveTaskFormat, ListAndHandleRoundTrip) {
  MoveTaskRecord a;
  a.task_id = 0x0123456789abcdefull;
  a.destination = "d";
  a.max_per_second = 7;
  a.status = MoveTaskStatus::kFailed;
  a.moved = 3;
  a.to_move = 9;
  a.failure = "why, exactly; this";
  a.started_ms = 1'700'000'000'000;
  a.bound = 42;
  MoveTaskRecord b;
  b.task_id = 1;
  const std::vector<MoveTaskRecord> list = {a, b};
  std::vector<MoveTaskRecord> back;
  ASSERT_TRUE(DecodeMoveTaskList(EncodeMoveTaskList(list), &back));
  EXPECT_EQ(back, list);
  EXPECT_FALSE(DecodeMoveTaskList("2", &back));
  EXPECT_FALSE(DecodeMoveTaskList("1;zz", &back));
  std::string s;
  uint64_t id = 0;
  ASSERT_TRUE(DecodeMoveTaskHandle(EncodeMoveTaskHandle("q-1.fifo", 99), &s, &id));
  EXPECT_EQ(s, "q-1.fifo");
  EXPECT_EQ(id, 99u);
  EXPECT_FALSE(DecodeMoveTaskHandle("mt1.0000000000000063.2f", &s, &id)) << "'/' is no name";
  EXPECT_FALSE(DecodeMoveTaskHandle("", &s, &id));
}

}  // namespace
}  // namespace seglog
