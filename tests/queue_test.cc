// Queues (engine/queues/queue.h): every SQS rule with an injected clock (no sleeping), FIFO order
// under concurrency, deduplication across restarts, dead-letter queues after a kill -9 loop,
// kill -9 during sends and deletes, power loss during compaction and snapshots, bad input.
#include "engine/queues/queue.h"

#include <unistd.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "engine/log/clock.h"
#include "engine/log/store.h"
#include "tests/support/fault_fs.h"
#include "io/file_util.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using format::AttributeType;
using format::MessageAttribute;
using testing::Str;
using testing::TempDir;
using testing::View;

class QueueTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void TearDown() override { Close(); }

  void Open() {
    StoreOptions so;
    so.clock = &clock_;
    so.file_system = fs_;
    ASSERT_OK(Store::Open(dir_.path(), so, &store_));
    QueuesOptions qo;
    qo.maintenance_interval_ms = 0;
    queues_ = std::make_unique<Queues>(store_.get(), qo);
  }
  void Close() {
    queues_.reset();
    if (store_) {
      EXPECT_OK(store_->Close());
    }
    store_.reset();
  }
  void Reopen() {
    Close();
    Open();
  }

  QueueConfig Config(QueueType t = QueueType::kStandard) {
    QueueConfig c;
    c.type = t;
    c.log.durability = Durability::kNone;
    c.log.segment_size = 64 * 1024;
    return c;
  }
  void Create(const std::string& name, const QueueConfig& c) { ASSERT_OK(queues_->Create(name, c)); }
  void CreateStd(const std::string& name = "q") { Create(name, Config()); }

  uint64_t Send(const std::string& q, const std::string& body, int32_t delay = -1) {
    SendEntry e;
    e.body = View(body);
    e.delay_s = delay;
    SendResult r;
    EXPECT_OK(queues_->Send(q, e, &r));
    return r.id.value();
  }
  SendResult SendFifo(const std::string& q, const std::string& body, const std::string& group,
                      const std::string& dedup) {
    SendEntry e;
    e.body = View(body);
    e.group_id = group;
    e.dedup_id = dedup;
    SendResult r;
    EXPECT_OK(queues_->Send(q, e, &r));
    return r;
  }
  std::vector<ReceivedMessage> Receive(const std::string& q, uint32_t n = 10, int32_t vt = -1,
                                       int32_t wait = 0) {
    ReceiveOptions o;
    o.max_messages = n;
    o.visibility_timeout_s = vt;
    o.wait_s = wait;
    std::vector<ReceivedMessage> out;
    EXPECT_OK(queues_->Receive(q, o, &out));
    return out;
  }
  QueueStats Stats(const std::string& q) {
    QueueStats s;
    EXPECT_OK(queues_->Stats(q, &s));
    return s;
  }

  TempDir dir_;
  ManualClock clock_;
  io::FileSystem* fs_ = nullptr;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Queues> queues_;
};

// ---- basics ----

TEST_F(QueueTest, SendReceiveDeleteWithAttributes) {
  CreateStd();
  const std::string body("hello\0world", 11), bin("\0\1\2\xff", 4);
  MessageAttribute attrs[3] = {{"color", AttributeType::kString, View("blue")},
                               {"n", AttributeType::kNumber, View("-12.5e3")},
                               {"raw", AttributeType::kBinary, View(bin)}};
  SendEntry e;
  e.body = View(body);
  e.attributes = attrs;
  SendResult r;
  ASSERT_OK(queues_->Send("q", e, &r));
  auto got = Receive("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].id, r.id);
  EXPECT_EQ(got[0].body, body);
  ASSERT_EQ(got[0].attributes.size(), 3u);
  EXPECT_EQ(got[0].attributes[0].name, "color");
  EXPECT_EQ(got[0].attributes[0].value, "blue");
  EXPECT_EQ(got[0].attributes[1].type, AttributeType::kNumber);
  EXPECT_EQ(got[0].attributes[2].value, bin);
  EXPECT_EQ(got[0].receive_count, 1u);
  EXPECT_EQ(got[0].sent, clock_.NowMs());
  EXPECT_TRUE(Receive("q").empty()) << "in flight: invisible";
  QueueStats st = Stats("q");
  EXPECT_EQ(st.in_flight, 1u);
  EXPECT_EQ(st.visible, 0u);
  ASSERT_OK(queues_->DeleteMessage("q", got[0].receipt));
  st = Stats("q");
  EXPECT_EQ(st.in_flight, 0u);
  EXPECT_EQ(st.deleted_ids, 1u);
  EXPECT_GT(st.bitmap_bytes, 0u);
  clock_.Advance(3'600'000);
  EXPECT_TRUE(Receive("q").empty()) << "deleted: never again";
  Reopen();
  EXPECT_TRUE(Receive("q").empty()) << "deleted: not after a reopen either";
}

TEST_F(QueueTest, BatchesKeepOrderAndIds) {
  CreateStd();
  std::vector<std::string> bodies;
  std::vector<SendEntry> es;
  for (int i = 0; i < 10; ++i) bodies.push_back("m" + std::to_string(i));
  for (auto& b : bodies) {
    SendEntry e;
    e.body = View(b);
    es.push_back(e);
  }
  std::vector<SendResult> rs;
  ASSERT_OK(queues_->SendBatch("q", es, &rs));
  ASSERT_EQ(rs.size(), 10u);
  for (int i = 1; i < 10; ++i) EXPECT_EQ(rs[i].id.value(), rs[0].id.value() + i);
  auto got = Receive("q", 10);
  ASSERT_EQ(got.size(), 10u);
  std::vector<std::string_view> receipts;
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(got[i].body, bodies[i]);
    receipts.push_back(got[i].receipt);
  }
  std::vector<Status> res;
  ASSERT_OK(queues_->DeleteMessageBatch("q", receipts, &res));
  for (auto& s : res) EXPECT_OK(s);
  EXPECT_EQ(Stats("q").deleted_ids, 10u);
  es.push_back(es[0]);
  EXPECT_EQ(queues_->SendBatch("q", es, &rs).code(), StatusCode::kInvalidArgument) << "11 entries";
}

// ---- visibility ----

TEST_F(QueueTest, VisibilityTimeoutAndChange) {
  CreateStd();
  Send("q", "a");
  auto m1 = Receive("q", 1, 30);
  ASSERT_EQ(m1.size(), 1u);
  clock_.Advance(29'999);
  EXPECT_TRUE(Receive("q").empty());
  clock_.Advance(1);
  auto m2 = Receive("q", 1, 30);
  ASSERT_EQ(m2.size(), 1u) << "visible again when the timeout ran out";
  EXPECT_EQ(m2[0].receive_count, 2u);
  EXPECT_NE(m2[0].receipt, m1[0].receipt) << "a new receipt per receive";
  // Extend, then end early.
  ASSERT_OK(queues_->ChangeVisibility("q", m2[0].receipt, 100));
  clock_.Advance(50'000);
  EXPECT_TRUE(Receive("q").empty()) << "extended to 100 s";
  ASSERT_OK(queues_->ChangeVisibility("q", m2[0].receipt, 0));
  auto m3 = Receive("q", 1, 60);
  ASSERT_EQ(m3.size(), 1u) << "visibility 0: visible at once";
  // Not past 12 h from the receive.
  EXPECT_EQ(queues_->ChangeVisibility("q", m3[0].receipt, 43'200).code(), StatusCode::kOk);
  clock_.Advance(1'000);
  EXPECT_EQ(queues_->ChangeVisibility("q", m3[0].receipt, 43'200).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(queues_->ChangeVisibility("q", m3[0].receipt, 43'201).code(),
            StatusCode::kInvalidArgument);
  // Stale receipts.
  EXPECT_EQ(queues_->ChangeVisibility("q", m1[0].receipt, 10).code(), StatusCode::kStale);
  EXPECT_EQ(queues_->DeleteMessage("q", m1[0].receipt).code(), StatusCode::kStale);
  EXPECT_EQ(Stats("q").in_flight, 1u) << "a stale receipt changes nothing";
  ASSERT_OK(queues_->DeleteMessage("q", m3[0].receipt));
  ASSERT_OK(queues_->DeleteMessage("q", m3[0].receipt)) << "deleting twice is fine";
  EXPECT_EQ(queues_->ChangeVisibility("q", m3[0].receipt, 10).code(), StatusCode::kStale);
}

TEST_F(QueueTest, ReceiveVisibilityZeroAndDefault) {
  QueueConfig c = Config();
  c.visibility_timeout_s = 5;
  Create("q", c);
  Send("q", "x");
  ASSERT_EQ(Receive("q", 1, 0).size(), 1u);
  ASSERT_EQ(Receive("q", 1).size(), 1u) << "visibility 0 made it visible again";
  EXPECT_TRUE(Receive("q").empty());
  clock_.Advance(5'000);
  auto m = Receive("q");
  ASSERT_EQ(m.size(), 1u) << "the queue's default of 5 s";
  EXPECT_EQ(m[0].receive_count, 3u);
}

TEST_F(QueueTest, OldReceiptAfterReopen) {
  CreateStd();
  Send("q", "a");
  Send("q", "b");
  auto m = Receive("q", 10, 600);
  ASSERT_EQ(m.size(), 2u);
  Reopen();
  // After a restart in-flight state is gone: both visible again; receive counts kept.
  QueueStats st = Stats("q");
  EXPECT_EQ(st.visible, 2u);
  EXPECT_EQ(st.in_flight, 0u);
  // The receipt for "a" still deletes it (it was not received since)...
  ASSERT_OK(queues_->DeleteMessage("q", m[0].receipt));
  // ...while "b", received again, makes its old receipt stale.
  auto again = Receive("q");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].body, "b");
  EXPECT_EQ(again[0].receive_count, 2u) << "receive counts survive restarts";
  EXPECT_EQ(queues_->DeleteMessage("q", m[1].receipt).code(), StatusCode::kStale);
  ASSERT_OK(queues_->DeleteMessage("q", again[0].receipt));
}

// Timers of deleted messages are dropped when they pile up; the live ones still fire.
TEST_F(QueueTest, ManyTimersStillFireAfterHeapCompaction) {
  CreateStd();
  std::set<std::string> kept;
  for (int i = 0; i < 12'000; ++i) Send("q", std::to_string(i));
  for (int round = 0; round < 1'200; ++round) {
    auto m = Receive("q", 10, 30 + round % 7);
    ASSERT_EQ(m.size(), 10u);
    std::vector<std::string_view> del;
    for (auto& x : m) {
      if (std::stoi(x.body) % 1000 == 7) {
        kept.insert(x.body);  // left in flight
      } else {
        del.push_back(x.receipt);
      }
    }
    std::vector<Status> res;
    ASSERT_OK(queues_->DeleteMessageBatch("q", del, &res));
  }
  EXPECT_EQ(Stats("q").in_flight, kept.size());
  clock_.Advance(29'999);
  EXPECT_TRUE(Receive("q").empty());
  clock_.Advance(7'000);
  std::set<std::string> back;
  for (auto m = Receive("q"); !m.empty(); m = Receive("q")) {
    for (auto& x : m) back.insert(x.body);
  }
  EXPECT_EQ(back, kept);
}

// A standard queue hands out the lowest visible id first, whether it became visible by being
// sent, by its delay ending or by its visibility timeout running out behind newer ones.
TEST_F(QueueTest, StandardReceivesLowestVisibleIdFirst) {
  CreateStd();
  const uint64_t delayed = Send("q", "d", 20);
  std::vector<uint64_t> ids;
  for (int i = 0; i < 60; ++i) ids.push_back(Send("q", std::to_string(i)));
  auto first = Receive("q", 10, 30);  // skips the delayed one
  ASSERT_EQ(first.size(), 10u);
  for (size_t i = 0; i < 10; ++i) EXPECT_EQ(first[i].id.value(), ids[i]);
  auto second = Receive("q", 10, 600);
  ASSERT_EQ(second.size(), 10u);
  EXPECT_EQ(second[0].id.value(), ids[10]);
  // Delete two of the first batch; the other eight come back after 30 s, with the delayed one.
  std::vector<std::string_view> del = {first[3].receipt, first[7].receipt};
  std::vector<Status> res;
  ASSERT_OK(queues_->DeleteMessageBatch("q", del, &res));
  clock_.Advance(30'000);
  std::vector<uint64_t> want = {delayed};
  for (size_t i = 0; i < 10; ++i) {
    if (i != 3 && i != 7) want.push_back(ids[i]);
  }
  for (size_t i = 20; i < 60; ++i) want.push_back(ids[i]);
  std::vector<uint64_t> got;
  for (auto m = Receive("q", 10, 600); !m.empty(); m = Receive("q", 10, 600)) {
    for (auto& x : m) got.push_back(x.id.value());
  }
  EXPECT_EQ(got, want);
  // Sent now: visible after everything taken so far, and taken once.
  const uint64_t late = Send("q", "late");
  auto m = Receive("q");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].id.value(), late);
  EXPECT_TRUE(Receive("q").empty());
  // A long run of delayed messages is jumped over, and comes back in order.
  std::vector<uint64_t> slow, fast;
  for (int i = 0; i < 300; ++i) slow.push_back(Send("q", "s", 5));
  for (int i = 0; i < 10; ++i) fast.push_back(Send("q", "f"));
  got.clear();
  for (auto& x : Receive("q", 10, 600)) got.push_back(x.id.value());
  EXPECT_EQ(got, fast);
  EXPECT_TRUE(Receive("q").empty());
  clock_.Advance(5'000);
  got.clear();
  for (auto r = Receive("q", 10, 600); !r.empty(); r = Receive("q", 10, 600)) {
    for (auto& x : r) got.push_back(x.id.value());
  }
  EXPECT_EQ(got, slow);
}

// Long stretches of ids in flight or deleted are skipped, across 2^16-id boundaries; every
// message is delivered exactly once.
TEST_F(QueueTest, StandardReceiveSkipsLongGapsAcrossBlocks) {
  CreateStd();
  const int n = 70'000;
  std::vector<SendEntry> batch(10);
  const std::string body = "x";
  for (auto& e : batch) e.body = View(body);
  std::vector<SendResult> sr;
  for (int i = 0; i < n; i += 10) ASSERT_OK(queues_->SendBatch("q", batch, &sr));
  std::vector<bool> seen(n, false);
  std::vector<ReceivedMessage> held;  // every third batch stays in flight for 60 s
  int batches = 0;
  for (auto m = Receive("q", 10, 60); !m.empty(); m = Receive("q", 10, 60), ++batches) {
    for (auto& x : m) {
      ASSERT_LT(x.id.value(), static_cast<uint64_t>(n));
      EXPECT_FALSE(seen[x.id.value()]) << x.id.value();
      seen[x.id.value()] = true;
    }
    if (batches % 3 == 0) {
      for (auto& x : m) held.push_back(std::move(x));
      continue;
    }
    std::vector<std::string_view> del;
    for (auto& x : m) del.push_back(x.receipt);
    std::vector<Status> res;
    ASSERT_OK(queues_->DeleteMessageBatch("q", del, &res));
  }
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true), n);
  EXPECT_EQ(Stats("q").in_flight, held.size());
  clock_.Advance(60'000);
  uint64_t last = 0;
  size_t back = 0;
  for (auto m = Receive("q"); !m.empty(); m = Receive("q")) {
    for (auto& x : m) {
      EXPECT_TRUE(back == 0 || x.id.value() > last) << "lowest first";
      last = x.id.value();
      ++back;
    }
  }
  EXPECT_EQ(back, held.size());
}

// ---- long polling ----

TEST_F(QueueTest, LongPollWokenBySend) {
  CreateStd();
  std::vector<ReceivedMessage> got;
  std::thread t([&] { got = Receive("q", 1, 30, 20); });
  // No clock movement: only the send can end the wait.
  while (true) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (got.empty()) {
      Send("q", "wake");
      break;
    }
  }
  t.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "wake");
}

TEST_F(QueueTest, LongPollWokenByVisibilityTimeout) {
  CreateStd();
  Send("q", "m");
  ASSERT_EQ(Receive("q", 1, 10).size(), 1u);
  std::atomic<bool> done{false};
  std::vector<ReceivedMessage> got;
  std::thread t([&] {
    got = Receive("q", 1, 30, 20);
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(done.load()) << "nothing visible yet: still waiting";
  clock_.Advance(10'000);  // the first receive's visibility runs out
  t.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].receive_count, 2u);
}

TEST_F(QueueTest, LongPollEndsEmptyAtItsDeadline) {
  CreateStd();
  std::atomic<bool> done{false};
  std::vector<ReceivedMessage> got;
  Status st;
  const int64_t begin = clock_.NowMs().value();
  std::thread t([&] {
    ReceiveOptions o;
    o.wait_s = 20;
    st = queues_->Receive("q", o, &got);
    done = true;
  });
  // The receive's deadline is at least 20 s after `start` (the thread may start late: then
  // later). It must not return before the clock reaches it, and must return once it does.
  const int64_t start = begin;
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  clock_.Advance(19'999);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(done.load());
  while (!done.load()) {
    ASSERT_LT(clock_.NowMs().value() - start, 60'000) << "the wait never ended";
    clock_.Advance(1);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  t.join();
  EXPECT_OK(st);
  EXPECT_TRUE(got.empty());
}

TEST_F(QueueTest, LongPollWokenByDelayEnding) {
  CreateStd();
  Send("q", "later", 60);
  std::vector<ReceivedMessage> got;
  std::thread t([&] { got = Receive("q", 1, 30, 20); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  clock_.Advance(60'000);
  t.join();
  ASSERT_EQ(got.size(), 1u);
}

TEST_F(QueueTest, LongPollWokenByDeleteUnlockingFifoGroup) {
  Create("f.fifo", Config(QueueType::kFifo));
  SendFifo("f.fifo", "a0", "A", "0");
  SendFifo("f.fifo", "a1", "A", "1");
  auto m = Receive("f.fifo", 1, 600);
  ASSERT_EQ(m.size(), 1u);
  std::atomic<bool> done{false};
  std::vector<ReceivedMessage> got;
  std::thread t([&] {
    got = Receive("f.fifo", 1, 30, 20);
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(done.load()) << "group A is locked by a0";
  ASSERT_OK(queues_->DeleteMessage("f.fifo", m[0].receipt));  // no clock movement
  t.join();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "a1");
}

// Many long-polling receivers, sends trickling in: each message reaches exactly one of them.
TEST_F(QueueTest, ManyLongPollersEachMessageOnce) {
  CreateStd();
  constexpr int kReceivers = 6, kMessages = 300;
  std::mutex mu;
  std::multiset<std::string> seen;
  std::atomic<int> count{0};
  std::vector<std::thread> ts;
  for (int r = 0; r < kReceivers; ++r) {
    ts.emplace_back([&] {
      while (count.load() < kMessages) {
        ReceiveOptions o;
        o.max_messages = 1 + count.load() % 3;
        o.wait_s = 1;
        o.visibility_timeout_s = 600;
        std::vector<ReceivedMessage> got;
        if (!queues_->Receive("q", o, &got).ok()) return;
        std::lock_guard<std::mutex> l(mu);
        for (auto& g : got) seen.insert(g.body);
        count += static_cast<int>(got.size());
      }
    });
  }
  for (int i = 0; i < kMessages; ++i) Send("q", std::to_string(i));
  // Every message must be taken without the clock moving (sends wake the pollers); then end
  // the remaining waits by moving the clock.
  for (int spin = 0; count.load() < kMessages && spin < 20'000; ++spin) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_EQ(count.load(), kMessages) << "a send did not wake a waiting receiver";
  std::atomic<bool> stop{false};
  std::thread advancer([&] {  // ends the remaining waits
    while (!stop.load()) {
      clock_.Advance(1000);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  for (auto& t : ts) t.join();
  stop = true;
  advancer.join();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kMessages));
  for (int i = 0; i < kMessages; ++i) EXPECT_EQ(seen.count(std::to_string(i)), 1u) << i;
}

// ---- delay, retention ----

TEST_F(QueueTest, DelaysPerQueueAndPerMessage) {
  QueueConfig c = Config();
  c.delay_s = 10;
  Create("q", c);
  Send("q", "queue-delay");
  Send("q", "no-delay", 0);
  Send("q", "long", 900);
  QueueStats st = Stats("q");
  EXPECT_EQ(st.delayed, 2u);
  EXPECT_EQ(st.visible, 1u);
  auto m = Receive("q");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].body, "no-delay");
  clock_.Advance(10'000);
  m = Receive("q");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].body, "queue-delay");
  // Delays survive a restart (from the records' timestamps).
  Reopen();
  EXPECT_EQ(Stats("q").delayed, 1u);
  clock_.Advance(889'999);
  m = Receive("q");
  ASSERT_EQ(m.size(), 2u) << "the restart made the in-flight ones visible again";
  for (auto& x : m) EXPECT_NE(x.body, "long");
  clock_.Advance(1);
  m = Receive("q");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].body, "long");
  SendEntry e;
  e.body = View("x");
  e.delay_s = 901;
  SendResult r;
  EXPECT_EQ(queues_->Send("q", e, &r).code(), StatusCode::kInvalidArgument);
}

TEST_F(QueueTest, RetentionExpiresMessages) {
  QueueConfig c = Config();
  c.retention_s = 60;
  Create("q", c);
  Send("q", "old");
  clock_.Advance(30'000);
  Send("q", "new");
  EXPECT_EQ(Stats("q").oldest_age_ms, 30'000);
  clock_.Advance(30'001);
  auto m = Receive("q");
  ASSERT_EQ(m.size(), 1u) << "an expired message is never delivered";
  EXPECT_EQ(m[0].body, "new");
  QueueStats st = Stats("q");
  EXPECT_EQ(st.visible, 0u);
  EXPECT_EQ(st.in_flight, 1u);
  clock_.Advance(30'000);
  EXPECT_EQ(Stats("q").in_flight, 0u) << "expired while in flight";
  ASSERT_OK(queues_->ChangeVisibility("q", m[0].receipt, 0).code() == StatusCode::kStale
                ? Status::OK()
                : Status::Corruption("an expired message is not in flight"));
  Reopen();
  EXPECT_TRUE(Receive("q").empty());
  EXPECT_EQ(Stats("q").visible, 0u);
}

TEST_F(QueueTest, FifoRetentionUnlocksGroups) {
  QueueConfig c = Config(QueueType::kFifo);
  c.retention_s = 60;
  Create("f.fifo", c);
  SendFifo("f.fifo", "m0", "g", "0");
  clock_.Advance(30'000);
  SendFifo("f.fifo", "m1", "g", "1");
  auto m = Receive("f.fifo", 1, 600);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].body, "m0");
  EXPECT_TRUE(Receive("f.fifo").empty()) << "group g is locked";
  clock_.Advance(30'001);  // m0 expires while in flight: the group is free again
  m = Receive("f.fifo", 10, 600);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].body, "m1");
  QueueStats st = Stats("f.fifo");
  EXPECT_EQ(st.in_flight, 1u);
  EXPECT_EQ(st.groups, 1u);
  clock_.Advance(30'000);
  st = Stats("f.fifo");
  EXPECT_EQ(st.in_flight + st.visible, 0u);
  EXPECT_EQ(st.groups, 0u) << "an empty group is forgotten";
}

// ---- limits and bad input ----

TEST_F(QueueTest, SizeLimitsCountAttributes) {
  QueueConfig c = Config();
  c.max_message_bytes = 1024;
  Create("q", c);
  MessageAttribute a{"k", AttributeType::kString, View("vv")};  // 1 + 6 + 2 = 9 bytes
  std::string body(1024 - 9, 'b');
  SendEntry e;
  e.body = View(body);
  e.attributes = std::span<const MessageAttribute>(&a, 1);
  SendResult r;
  ASSERT_OK(queues_->Send("q", e, &r)) << "exactly the limit";
  body.push_back('b');
  e.body = View(body);
  EXPECT_EQ(queues_->Send("q", e, &r).code(), StatusCode::kTooLarge);
  std::vector<MessageAttribute> many;
  std::vector<std::string> names;
  for (int i = 0; i < 11; ++i) names.push_back("a" + std::to_string(i));
  for (auto& n : names) many.push_back({n, AttributeType::kString, View("v")});
  e.body = View("x");
  e.attributes = many;
  EXPECT_EQ(queues_->Send("q", e, &r).code(), StatusCode::kInvalidArgument);
  e.attributes = std::span<const MessageAttribute>(many.data(), 10);
  EXPECT_OK(queues_->Send("q", e, &r)) << "10 attributes are fine";
  const std::string bad_utf8("\xc3\x28", 2);
  struct Case {
    MessageAttribute a;
    const char* why;
  } cases[] = {
      {{"", AttributeType::kString, View("v")}, "empty name"},
      {{"AWS.x", AttributeType::kString, View("v")}, "reserved prefix"},
      {{"amazon.x", AttributeType::kString, View("v")}, "reserved prefix, any case"},
      {{"a..b", AttributeType::kString, View("v")}, "two dots"},
      {{".a", AttributeType::kString, View("v")}, "leading dot"},
      {{"a b", AttributeType::kString, View("v")}, "space"},
      {{"n", AttributeType::kNumber, View("12a")}, "not a number"},
      {{"n", AttributeType::kNumber, View("123456789012345678901234567890123456789")}, "39 digits"},
      {{"s", AttributeType::kString, View(bad_utf8)}, "bad UTF-8"},
      {{"s", AttributeType::kString, View("")}, "empty value"},
      {{"t", static_cast<AttributeType>(9), View("v")}, "unknown type"},
  };
  const uint64_t before = Stats("q").visible;
  for (auto& cs : cases) {
    e.attributes = std::span<const MessageAttribute>(&cs.a, 1);
    EXPECT_EQ(queues_->Send("q", e, &r).code(), StatusCode::kInvalidArgument) << cs.why;
  }
  e.attributes = {};
  e.body = ByteView();
  EXPECT_EQ(queues_->Send("q", e, &r).code(), StatusCode::kInvalidArgument) << "empty body";
  EXPECT_EQ(Stats("q").visible, before) << "bad input changes nothing";
}

TEST_F(QueueTest, BadInputGetsErrorsAndChangesNothing) {
  CreateStd();
  Create("f.fifo", Config(QueueType::kFifo));
  Send("q", "a");
  auto m = Receive("q", 1, 60);
  ASSERT_EQ(m.size(), 1u);
  // Unknown / malformed receipts.
  for (std::string r : {std::string(""), std::string("zz"), std::string(48, '0'),
                        m[0].receipt.substr(0, 47) + (m[0].receipt[47] == '0' ? "1" : "0")}) {
    EXPECT_EQ(queues_->DeleteMessage("q", r).code(), StatusCode::kInvalidArgument) << r;
    EXPECT_EQ(queues_->ChangeVisibility("q", r, 1).code(), StatusCode::kInvalidArgument) << r;
  }
  // A receipt of another queue.
  CreateStd("q2");
  EXPECT_EQ(queues_->DeleteMessage("q2", m[0].receipt).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Stats("q").in_flight, 1u);
  // Missing queues.
  EXPECT_EQ(queues_->Purge("nope").code(), StatusCode::kNotFound);
  EXPECT_EQ(queues_->Delete("nope").code(), StatusCode::kNotFound);
  SendResult r;
  SendEntry e;
  e.body = View("x");
  EXPECT_EQ(queues_->Send("nope", e, &r).code(), StatusCode::kNotFound);
  // Bad names and configs.
  EXPECT_EQ(queues_->Create("../x", Config()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(queues_->Create("x.fifo", Config()).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(queues_->Create("x", Config(QueueType::kFifo)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(queues_->Create("q", Config()).code(), StatusCode::kAlreadyExists);
  QueueConfig c = Config();
  c.visibility_timeout_s = 43'201;
  EXPECT_EQ(queues_->Create("x", c).code(), StatusCode::kInvalidArgument);
  c = Config();
  c.retention_s = 59;
  EXPECT_EQ(queues_->Create("x", c).code(), StatusCode::kInvalidArgument);
  c = Config();
  c.max_message_bytes = (1u << 20) + 1;
  EXPECT_EQ(queues_->Create("x", c).code(), StatusCode::kInvalidArgument);
  c = Config();
  c.dead_letter_queue = "missing";
  c.max_receive_count = 3;
  EXPECT_EQ(queues_->Create("x", c).code(), StatusCode::kInvalidArgument);
  c.dead_letter_queue = "f.fifo";
  EXPECT_EQ(queues_->Create("x", c).code(), StatusCode::kInvalidArgument) << "type mismatch";
  c.dead_letter_queue = "q2";
  c.max_receive_count = 1001;
  EXPECT_EQ(queues_->Create("x", c).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(queues_->List(), (std::vector<std::string>{"f.fifo", "q", "q2"}));
  // FIFO ids.
  for (std::string g : {std::string(""), std::string(129, 'g'), std::string("a b"),
                        std::string("caf\xc3\xa9")}) {
    SendEntry f;
    f.body = View("x");
    f.group_id = g;
    f.dedup_id = "d";
    EXPECT_EQ(queues_->Send("f.fifo", f, &r).code(), StatusCode::kInvalidArgument) << g;
    f.group_id = "g";
    f.dedup_id = g;
    if (!g.empty()) {
      EXPECT_EQ(queues_->Send("f.fifo", f, &r).code(), StatusCode::kInvalidArgument) << g;
    }
  }
  SendEntry f;
  f.body = View("x");
  f.group_id = "g";
  EXPECT_EQ(queues_->Send("f.fifo", f, &r).code(), StatusCode::kInvalidArgument)
      << "no dedup id and no content-based dedup";
  f.dedup_id = "d";
  f.delay_s = 5;
  EXPECT_EQ(queues_->Send("f.fifo", f, &r).code(), StatusCode::kInvalidArgument)
      << "per-message delay on FIFO";
  e.group_id = "g";
  EXPECT_EQ(queues_->Send("q", e, &r).code(), StatusCode::kInvalidArgument)
      << "group id on a standard queue";
  EXPECT_EQ(Stats("f.fifo").visible, 0u);
  ReceiveOptions o;
  std::vector<ReceivedMessage> out;
  o.max_messages = 11;
  EXPECT_EQ(queues_->Receive("q", o, &out).code(), StatusCode::kInvalidArgument);
  o.max_messages = 0;
  EXPECT_EQ(queues_->Receive("q", o, &out).code(), StatusCode::kInvalidArgument);
  o.max_messages = 1;
  o.wait_s = 21;
  EXPECT_EQ(queues_->Receive("q", o, &out).code(), StatusCode::kInvalidArgument);
  o.wait_s = 0;
  o.visibility_timeout_s = 43'201;
  EXPECT_EQ(queues_->Receive("q", o, &out).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(queues_->ChangeVisibility("q", m[0].receipt, 43'201).code(),
            StatusCode::kInvalidArgument);
}

// ---- purge, stats, delete queue ----

TEST_F(QueueTest, PurgeRemovesEverythingSentBefore) {
  CreateStd();
  for (int i = 0; i < 100; ++i) Send("q", "m" + std::to_string(i));
  Send("q", "delayed", 300);
  auto inflight = Receive("q", 10, 600);
  ASSERT_EQ(inflight.size(), 10u);
  ASSERT_OK(queues_->Purge("q"));
  QueueStats st = Stats("q");
  EXPECT_EQ(st.visible + st.in_flight + st.delayed, 0u);
  EXPECT_GE(st.deleted_ids, 101u);
  Send("q", "after");
  Reopen();
  clock_.Advance(600'000);
  auto m = Receive("q");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].body, "after");
  EXPECT_OK(queues_->DeleteMessage("q", inflight[0].receipt)) << "purged: nothing to do";
}

TEST_F(QueueTest, DeleteQueueAndRecreate) {
  CreateStd();
  Send("q", "a");
  ASSERT_OK(queues_->Delete("q"));
  QueueStats st;
  EXPECT_EQ(queues_->Stats("q", &st).code(), StatusCode::kNotFound);
  CreateStd();
  EXPECT_TRUE(Receive("q").empty()) << "a new queue of the same name starts empty";
  Reopen();
  EXPECT_TRUE(Receive("q").empty());
  EXPECT_EQ(queues_->List(), std::vector<std::string>{"q"});
}

// ---- FIFO ----

TEST_F(QueueTest, FifoGroupsOrderAndLock) {
  Create("f.fifo", Config(QueueType::kFifo));
  for (int i = 0; i < 3; ++i) {
    SendFifo("f.fifo", "a" + std::to_string(i), "A", "a" + std::to_string(i));
    SendFifo("f.fifo", "b" + std::to_string(i), "B", "b" + std::to_string(i));
  }
  auto m = Receive("f.fifo", 2, 30);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].body, "a0");
  EXPECT_EQ(m[1].body, "a1") << "several messages of one group, in order";
  EXPECT_EQ(m[0].group_id, "A");
  auto m2 = Receive("f.fifo", 10, 30);
  ASSERT_EQ(m2.size(), 3u) << "group A is locked while a0/a1 are in flight";
  EXPECT_EQ(m2[0].body, "b0");
  EXPECT_EQ(m2[2].body, "b2");
  EXPECT_TRUE(Receive("f.fifo").empty());
  ASSERT_OK(queues_->DeleteMessage("f.fifo", m[0].receipt));
  EXPECT_TRUE(Receive("f.fifo").empty()) << "a1 still in flight";
  clock_.Advance(30'000);  // a1 and b* come back, at the head of their groups
  // Order across groups is not promised (this one goes by head id); within a group it is.
  auto by_group = [](const std::vector<ReceivedMessage>& ms) {
    std::map<std::string, std::string> g;
    for (auto& x : ms) g[x.group_id] += x.body + ",";
    return g;
  };
  const std::map<std::string, std::string> want = {{"A", "a1,a2,"}, {"B", "b0,b1,b2,"}};
  auto m3 = Receive("f.fifo", 10, 30);
  ASSERT_EQ(m3.size(), 5u);
  EXPECT_EQ(by_group(m3), want);
  for (auto& x : m3) EXPECT_EQ(x.receive_count, x.body == "a2" ? 1u : 2u) << x.body;
  Reopen();
  auto m4 = Receive("f.fifo", 10, 30);
  ASSERT_EQ(m4.size(), 5u);
  EXPECT_EQ(by_group(m4), want) << "after a restart, order within groups is kept";
}

TEST_F(QueueTest, FifoDeduplication) {
  QueueConfig c = Config(QueueType::kFifo);
  c.content_based_dedup = true;
  Create("f.fifo", c);
  SendResult a = SendFifo("f.fifo", "one", "g", "d1");
  EXPECT_FALSE(a.duplicate);
  SendResult b = SendFifo("f.fifo", "other body", "g", "d1");
  EXPECT_TRUE(b.duplicate);
  EXPECT_EQ(b.id, a.id);
  auto m = Receive("f.fifo");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].dedup_id, "d1");
  ASSERT_OK(queues_->DeleteMessage("f.fifo", m[0].receipt));
  EXPECT_TRUE(SendFifo("f.fifo", "again", "g", "d1").duplicate) << "even after the delete";
  // Content-based: the body's SHA-256.
  SendResult c1 = SendFifo("f.fifo", "same body", "g", "");
  SendResult c2 = SendFifo("f.fifo", "same body", "h", "");
  EXPECT_FALSE(c1.duplicate);
  EXPECT_TRUE(c2.duplicate);
  // Within one batch.
  std::vector<SendEntry> es(2);
  for (auto& e : es) {
    e.body = View("batch");
    e.group_id = "g";
    e.dedup_id = "d2";
  }
  std::vector<SendResult> rs;
  ASSERT_OK(queues_->SendBatch("f.fifo", es, &rs));
  EXPECT_FALSE(rs[0].duplicate);
  EXPECT_TRUE(rs[1].duplicate);
  EXPECT_EQ(rs[1].id, rs[0].id);
  // Across a restart.
  clock_.Advance(200'000);
  Reopen();
  EXPECT_TRUE(SendFifo("f.fifo", "x", "g", "d1").duplicate) << "after reopen";
  EXPECT_TRUE(SendFifo("f.fifo", "same body", "g", "").duplicate) << "content, after reopen";
  // 5 minutes after the first send, the id is new again.
  clock_.Advance(100'000);
  SendResult late = SendFifo("f.fifo", "x", "g", "d1");
  EXPECT_FALSE(late.duplicate);
  EXPECT_NE(late.id, a.id);
}

// Many consumers: within each group deliveries follow send order, and never are two messages
// of one group in flight at once.
TEST_F(QueueTest, ConcurrentFifoConsumersKeepGroupOrder) {
  Create("f.fifo", Config(QueueType::kFifo));
  constexpr int kGroups = 8, kPerGroup = 150;
  std::thread producer([&] {
    for (int i = 0; i < kPerGroup; ++i) {
      for (int g = 0; g < kGroups; ++g) {
        SendFifo("f.fifo", std::to_string(i), "g" + std::to_string(g),
                 std::to_string(g) + "-" + std::to_string(i));
      }
    }
  });
  std::mutex mu;
  std::map<std::string, int> next;  // group -> next expected index
  std::map<std::string, bool> busy;
  std::atomic<int> delivered{0}, violations{0};
  std::vector<std::thread> consumers;
  for (int c = 0; c < 4; ++c) {
    consumers.emplace_back([&, c] {
      std::mt19937 rng(c);
      while (delivered.load() < kGroups * kPerGroup) {
        ReceiveOptions o;
        o.max_messages = 1 + rng() % 10;
        o.wait_s = 0;
        std::vector<ReceivedMessage> got;
        if (!queues_->Receive("f.fifo", o, &got).ok()) {
          ++violations;
          return;
        }
        if (got.empty()) {
          std::this_thread::yield();
          continue;
        }
        {
          std::lock_guard<std::mutex> l(mu);
          for (size_t i = 0; i < got.size(); ++i) {
            const std::string& g = got[i].group_id;
            if (i == 0 || got[i - 1].group_id != g) {
              if (busy[g]) ++violations;  // two receives hold one group
              busy[g] = true;
            }
            if (std::stoi(got[i].body) != next[g]) ++violations;
            ++next[g];
          }
        }
        std::vector<std::string_view> receipts;
        for (auto& m : got) receipts.push_back(m.receipt);
        {
          std::lock_guard<std::mutex> l(mu);
          for (auto& m : got) busy[m.group_id] = false;
        }
        std::vector<Status> res;
        if (!queues_->DeleteMessageBatch("f.fifo", receipts, &res).ok()) ++violations;
        for (auto& s : res) {
          if (!s.ok()) ++violations;
        }
        delivered += static_cast<int>(got.size());
      }
    });
  }
  producer.join();
  for (auto& t : consumers) t.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(delivered.load(), kGroups * kPerGroup);
  for (int g = 0; g < kGroups; ++g) EXPECT_EQ(next["g" + std::to_string(g)], kPerGroup);
}

TEST_F(QueueTest, ConcurrentStandardSendReceiveDelete) {
  CreateStd();
  constexpr int kProducers = 3, kEach = 400;
  std::atomic<int> got{0}, errors{0};
  std::mutex mu;
  std::set<std::string> seen;
  std::vector<std::thread> ts;
  for (int p = 0; p < kProducers; ++p) {
    ts.emplace_back([&, p] {
      for (int i = 0; i < kEach; ++i) {
        std::string b = std::to_string(p) + ":" + std::to_string(i);
        SendEntry e;
        e.body = View(b);
        SendResult r;
        if (!queues_->Send("q", e, &r).ok()) ++errors;
      }
    });
  }
  for (int c = 0; c < 3; ++c) {
    ts.emplace_back([&] {
      while (got.load() < kProducers * kEach && errors.load() == 0) {
        ReceiveOptions o;
        o.max_messages = 10;
        std::vector<ReceivedMessage> ms;
        if (!queues_->Receive("q", o, &ms).ok()) ++errors;
        for (auto& m : ms) {
          {
            std::lock_guard<std::mutex> l(mu);
            if (!seen.insert(m.body).second) ++errors;  // delivered twice within 30 s
          }
          if (!queues_->DeleteMessage("q", m.receipt).ok()) ++errors;
          ++got;
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(seen.size(), static_cast<size_t>(kProducers * kEach));
  QueueStats st = Stats("q");
  EXPECT_EQ(st.visible + st.in_flight, 0u);
}

// ---- dead-letter queues ----

TEST_F(QueueTest, DeadLetterAfterMaxReceivesAndRedrive) {
  CreateStd("dlq");
  QueueConfig c = Config();
  c.dead_letter_queue = "dlq";
  c.max_receive_count = 3;
  Create("src", c);
  MessageAttribute a{"k", AttributeType::kString, View("v")};
  SendEntry e;
  e.body = View("poison");
  e.attributes = std::span<const MessageAttribute>(&a, 1);
  SendResult r;
  ASSERT_OK(queues_->Send("src", e, &r));
  const TimestampMs sent = clock_.NowMs();
  Send("src", "fine");
  for (uint32_t i = 1; i <= 3; ++i) {
    auto m = Receive("src", 1, 0);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].body, "poison");
    EXPECT_EQ(m[0].receive_count, i);
  }
  clock_.Advance(1000);
  auto m = Receive("src", 10, 30);
  ASSERT_EQ(m.size(), 1u) << "the 4th receive moves the poison message";
  EXPECT_EQ(m[0].body, "fine");
  auto d = Receive("dlq", 10, 0);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].body, "poison");
  ASSERT_EQ(d[0].attributes.size(), 1u);
  EXPECT_EQ(d[0].attributes[0].value, "v");
  EXPECT_EQ(d[0].sent, sent) << "the first send's time travels with it";
  EXPECT_EQ(Stats("src").visible + Stats("src").in_flight, 1u);
  // Redrive back to the source.
  size_t moved = 0;
  ASSERT_OK(queues_->Redrive("dlq", "", 0, &moved));
  EXPECT_EQ(moved, 1u);
  EXPECT_EQ(Stats("dlq").visible, 0u);
  auto back = Receive("src", 10, 30);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].body, "poison");
  EXPECT_EQ(back[0].receive_count, 1u) << "a new message in the source";
  // Redrive to a named queue; a message with no source stays.
  CreateStd("other");
  Send("dlq", "never-moved");
  ASSERT_OK(queues_->Redrive("dlq", "", 0, &moved));
  EXPECT_EQ(moved, 0u);
  EXPECT_EQ(Stats("dlq").visible, 1u);
  ASSERT_OK(queues_->Redrive("dlq", "other", 0, &moved));
  EXPECT_EQ(moved, 1u);
  EXPECT_EQ(Receive("other").size(), 1u);
  EXPECT_EQ(queues_->Redrive("dlq", "missing", 0, &moved).code(), StatusCode::kNotFound);
}

TEST_F(QueueTest, FifoDeadLetterKeepsGroupAndDedup) {
  Create("dlq.fifo", Config(QueueType::kFifo));
  QueueConfig c = Config(QueueType::kFifo);
  c.dead_letter_queue = "dlq.fifo";
  c.max_receive_count = 1;
  Create("f.fifo", c);
  SendFifo("f.fifo", "p", "G", "dd");
  SendFifo("f.fifo", "q", "G", "ee");
  auto m = Receive("f.fifo", 1, 0);
  ASSERT_EQ(m.size(), 1u);
  m = Receive("f.fifo", 1, 30);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].body, "q") << "p moved; q is next in group G";
  auto d = Receive("dlq.fifo", 10, 30);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].group_id, "G");
  EXPECT_EQ(d[0].dedup_id, "dd");
}

// A consumer that crashes (kill -9) on a poison message every time: its receive count
// survives each restart, and after max_receive_count the message is in the dead-letter queue.
TEST(QueueCrashChild, ReceiveThenHang) {
  const char* dir = std::getenv("SEGLOG_QUEUE_CHILD_DIR");
  const char* fd_s = std::getenv("SEGLOG_CHILD_FD");
  if (dir == nullptr || fd_s == nullptr) GTEST_SKIP() << "parent-driven";
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir, StoreOptions{}, &store));
  QueuesOptions qo;
  qo.maintenance_interval_ms = 0;
  Queues queues(store.get(), qo);
  ReceiveOptions o;
  o.visibility_timeout_s = 3600;
  std::vector<ReceivedMessage> m;
  ASSERT_OK(queues.Receive("src", o, &m));
  uint64_t msg[2] = {m.empty() ? 0 : m[0].id.value() + 1, m.empty() ? 0 : m[0].receive_count};
  if (write(std::atoi(fd_s), msg, sizeof(msg)) != static_cast<ssize_t>(sizeof(msg))) _exit(4);
  for (;;) pause();  // "processing" the poison message, until killed
}

TEST(QueueCrash, DeadLetterAfterKillNineLoop) {
  TempDir dir;
  for (Durability d : {Durability::kNone, Durability::kAlways}) {
    SCOPED_TRACE(DurabilityName(d));
    {
      std::unique_ptr<Store> store;
      ASSERT_OK(Store::Open(dir.path(), StoreOptions{}, &store));
      Queues queues(store.get(), QueuesOptions{0, 16u << 20, true});
      for (const char* n : {"src", "dlq"}) {
        Status s = queues.Delete(n);
        (void)s;
      }
      QueueConfig dc;
      dc.log.durability = d;
      ASSERT_OK(queues.Create("dlq", dc));
      QueueConfig c = dc;
      c.dead_letter_queue = "dlq";
      c.max_receive_count = 3;
      ASSERT_OK(queues.Create("src", c));
      SendEntry e;
      e.body = View("poison");
      SendResult r;
      ASSERT_OK(queues.Send("src", e, &r));
    }
    for (uint64_t round = 1; round <= 3; ++round) {
      testing::KilledChild child = testing::RunChildAndKill(
          "QueueCrashChild.ReceiveThenHang", {{"SEGLOG_QUEUE_CHILD_DIR", dir.path()}}, 2, 1);
      ASSERT_TRUE(child.killed);
      ASSERT_EQ(child.messages.size(), 1u);
      ASSERT_NE(child.messages[0][0], 0u) << "round " << round << ": the message was not delivered";
      EXPECT_EQ(child.messages[0][1], round) << "the receive count survived the kill";
    }
    std::unique_ptr<Store> store;
    ASSERT_OK(Store::Open(dir.path(), StoreOptions{}, &store));
    Queues queues(store.get(), QueuesOptions{0, 16u << 20, true});
    std::vector<ReceivedMessage> m;
    ASSERT_OK(queues.Receive("src", ReceiveOptions{}, &m));
    EXPECT_TRUE(m.empty()) << "the 4th receive moved it";
    ASSERT_OK(queues.Receive("dlq", ReceiveOptions{}, &m));
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].body, "poison");
  }
}

// kill -9 during concurrent sends and deletes (always): every acknowledged send is delivered
// at least once afterwards, and no acknowledged delete is delivered again.
TEST(QueueCrashChild, SendDeleteAndReport) {
  const char* dir = std::getenv("SEGLOG_QUEUE_CHILD_DIR");
  const char* fd_s = std::getenv("SEGLOG_CHILD_FD");
  if (dir == nullptr || fd_s == nullptr) GTEST_SKIP() << "parent-driven";
  const int fd = std::atoi(fd_s);
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir, StoreOptions{}, &store));
  QueuesOptions qo;
  qo.maintenance_interval_ms = 0;
  Queues queues(store.get(), qo);
  std::mutex mu;
  auto report = [&](uint64_t kind, uint64_t id, uint64_t tag) {
    uint64_t msg[3] = {kind, id, tag};
    std::lock_guard<std::mutex> l(mu);
    if (write(fd, msg, sizeof(msg)) != static_cast<ssize_t>(sizeof(msg))) _exit(4);
  };
  std::vector<std::thread> ts;
  const uint64_t pid = static_cast<uint64_t>(getpid());
  for (int t = 0; t < 3; ++t) {
    ts.emplace_back([&, t] {
      for (uint64_t i = 0;; ++i) {
        const uint64_t tag = (pid << 24) | (static_cast<uint64_t>(t) << 20) | i;
        std::string body = std::to_string(tag);
        SendEntry e;
        e.body = View(body);
        SendResult r;
        if (!queues.Send("q", e, &r).ok()) _exit(3);
        report(1, r.id.value(), tag);
      }
    });
  }
  for (int t = 0; t < 2; ++t) {
    ts.emplace_back([&] {
      for (;;) {
        ReceiveOptions o;
        o.max_messages = 10;
        o.visibility_timeout_s = 3600;
        std::vector<ReceivedMessage> m;
        if (!queues.Receive("q", o, &m).ok()) _exit(5);
        for (auto& x : m) {
          report(3, x.id.value(), 0);  // a delete may follow: the message may vanish
          if (!queues.DeleteMessage("q", x.receipt).ok()) _exit(6);
          report(2, x.id.value(), std::stoull(x.body));
        }
      }
    });
  }
  for (auto& t : ts) t.join();
}

TEST(QueueCrash, KillNineDuringSendsAndDeletes) {
  TempDir dir;
  {
    std::unique_ptr<Store> store;
    ASSERT_OK(Store::Open(dir.path(), StoreOptions{}, &store));
    Queues queues(store.get(), QueuesOptions{0, 16u << 20, true});
    QueueConfig c;  // durability: always
    c.log.segment_size = 64 * 1024;
    ASSERT_OK(queues.Create("q", c));
  }
  std::map<uint64_t, uint64_t> sent;  // id -> tag
  std::set<uint64_t> deleted, deleting;
  std::mt19937_64 rng(11);
  for (int round = 0; round < 4; ++round) {
    testing::KilledChild child = testing::RunChildAndKill(
        "QueueCrashChild.SendDeleteAndReport", {{"SEGLOG_QUEUE_CHILD_DIR", dir.path()}}, 3,
        100 + rng() % 300);
    ASSERT_TRUE(child.killed) << "child exited early: " << child.exit_code;
    for (auto& m : child.messages) {
      if (m[0] == 1) sent[m[1]] = m[2];
      if (m[0] == 2) deleted.insert(m[1]);
      if (m[0] == 3) deleting.insert(m[1]);
    }
    // Reopen: drain everything, checking each delivery.
    std::unique_ptr<Store> store;
    ASSERT_OK(Store::Open(dir.path(), StoreOptions{}, &store));
    Queues queues(store.get(), QueuesOptions{0, 16u << 20, true});
    std::set<uint64_t> delivered;
    std::vector<std::string> receipts;
    for (;;) {
      ReceiveOptions o;
      o.max_messages = 10;
      o.visibility_timeout_s = 3600;
      std::vector<ReceivedMessage> m;
      ASSERT_OK(queues.Receive("q", o, &m));
      if (m.empty()) break;
      for (auto& x : m) {
        ASSERT_EQ(deleted.count(x.id.value()), 0u)
            << "round " << round << ": acknowledged delete of " << x.id.value() << " delivered again";
        auto s = sent.find(x.id.value());
        if (s != sent.end()) {
          ASSERT_EQ(x.body, std::to_string(s->second)) << "wrong body for " << x.id.value();
        }
        delivered.insert(x.id.value());
      }
    }
    for (auto& [id, tag] : sent) {
      if (deleted.count(id) == 0 && deleting.count(id) == 0) {
        ASSERT_EQ(delivered.count(id), 1u) << "round " << round << ": acknowledged send " << id << " lost";
      }
    }
  }
  EXPECT_GT(deleted.size(), 0u);
}

// ---- compaction and snapshots ----

TEST_F(QueueTest, CompactionRemovesAndRewritesSegments) {
  CreateStd();
  std::string pad(900, 'p');
  std::vector<uint64_t> ids;
  for (int i = 0; i < 400; ++i) ids.push_back(Send("q", std::to_string(i) + pad));
  // Delete everything in the first ~third, 3 of every 4 in the middle, keep the rest.
  for (int round = 0; round < 40; ++round) {
    auto m = Receive("q", 10, 3600);
    std::vector<std::string_view> del;
    for (auto& x : m) {
      const int i = std::stoi(x.body);
      if (i < 130 || (i < 270 && i % 4 != 0)) del.push_back(x.receipt);
    }
    if (!del.empty()) {
      std::vector<Status> res;
      ASSERT_OK(queues_->DeleteMessageBatch("q", del, &res));
    }
  }
  const QueueStats before = Stats("q");
  size_t rewritten = 0, removed = 0;
  ASSERT_OK(queues_->Compact("q", &rewritten, &removed));
  const QueueStats after = Stats("q");
  EXPECT_GT(removed, 0u);
  EXPECT_GT(rewritten, 0u);
  EXPECT_LT(after.log_bytes, before.log_bytes);
  Reopen();
  std::set<int> left;
  for (;;) {
    auto m = Receive("q", 10, 3600);
    if (m.empty()) break;
    for (auto& x : m) {
      const int i = std::stoi(x.body);
      EXPECT_EQ(x.id.value(), ids[i]) << "ids are preserved";
      EXPECT_EQ(x.body, std::to_string(i) + pad);
      left.insert(i);
    }
  }
  std::set<int> expect;
  for (int i = 0; i < 400; ++i) {
    if (!(i < 130 || (i < 270 && i % 4 != 0))) expect.insert(i);
  }
  EXPECT_EQ(left, expect);
}

TEST_F(QueueTest, SnapshotTrimsJournalAndSurvivesReopen) {
  CreateStd();
  for (int i = 0; i < 300; ++i) Send("q", "m" + std::to_string(i));
  int deleted = 0;
  for (int r = 0; r < 20; ++r) {
    auto m = Receive("q", 10, 3600);
    for (auto& x : m) {
      ASSERT_OK(queues_->DeleteMessage("q", x.receipt));
      ++deleted;
    }
    if (r == 10) {
      ASSERT_OK(queues_->SnapshotDeletes("q"));
    }
  }
  ASSERT_OK(queues_->SnapshotDeletes("q"));
  Reopen();
  QueueStats st = Stats("q");
  EXPECT_EQ(st.visible, static_cast<uint64_t>(300 - deleted));
  EXPECT_EQ(st.deleted_ids, static_cast<uint64_t>(deleted));
}

// Power loss (fault-injection file system) at every step of a compaction and of a delete
// snapshot: afterwards every message not deleted is there, byte-identical, and no deleted one.
TEST(QueuePowerLoss, DuringCompactionAndSnapshot) {
  int rewrote = 0;
  for (uint64_t crash_at = 1; crash_at < 48; crash_at += 2) {
    const bool tear = crash_at % 4 == 1;
    SCOPED_TRACE("crash after op " + std::to_string(crash_at) + (tear ? " torn" : ""));
    TempDir dir;
    ManualClock clock;
    std::unique_ptr<io::FileSystem> base;
    ASSERT_OK(io::NewFileSystem(io::Backend::kPwrite, &base));
    auto fault = std::make_unique<io::FaultFileSystem>(std::move(base));
    std::set<int> expect;
    const std::string pad(700, 'x');
    {
      StoreOptions so;
      so.clock = &clock;
      so.file_system = fault.get();
      std::unique_ptr<Store> store;
      ASSERT_OK(Store::Open(dir.path(), so, &store));
      Queues queues(store.get(), QueuesOptions{0, 16u << 20, true});
      QueueConfig c;  // durability: always
      c.log.segment_size = 32 * 1024;
      ASSERT_OK(queues.Create("q", c));
      for (int i = 0; i < 200; ++i) {
        std::string b = std::to_string(i) + pad;
        SendEntry e;
        e.body = View(b);
        SendResult r;
        ASSERT_OK(queues.Send("q", e, &r));
      }
      for (int r = 0; r < 20; ++r) {
        ReceiveOptions o;
        o.max_messages = 10;
        o.visibility_timeout_s = 3600;
        std::vector<ReceivedMessage> m;
        ASSERT_OK(queues.Receive("q", o, &m));
        for (auto& x : m) {
          const int i = std::stoi(x.body);
          if (i < 60 || (i < 150 && i % 3 != 0)) {
            ASSERT_OK(queues.DeleteMessage("q", x.receipt));
          } else {
            expect.insert(i);
          }
        }
      }
      fault->CrashAfter(crash_at);
      size_t rewritten = 0;
      if (queues.Compact("q", &rewritten).ok() && rewritten > 0) ++rewrote;
      (void)queues.SnapshotDeletes("q");
      fault->Crash();
    }
    ASSERT_OK(fault->SimulatePowerLoss(tear, crash_at));
    StoreOptions so;
    so.clock = &clock;
    std::unique_ptr<Store> store;
    ASSERT_OK(Store::Open(dir.path(), so, &store));
    Queues queues(store.get(), QueuesOptions{0, 16u << 20, true});
    std::set<int> got;
    for (;;) {
      ReceiveOptions o;
      o.max_messages = 10;
      std::vector<ReceivedMessage> m;
      ASSERT_OK(queues.Receive("q", o, &m));
      if (m.empty()) break;
      for (auto& x : m) {
        const int i = std::stoi(x.body);
        ASSERT_EQ(x.body, std::to_string(i) + pad);
        ASSERT_TRUE(got.insert(i).second) << "delivered twice: " << i;
      }
    }
    ASSERT_EQ(got, expect);
  }
  EXPECT_GT(rewrote, 0) << "some runs must get through a whole rewrite";
}

}  // namespace
}  // namespace seglog
