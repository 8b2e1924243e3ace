// Queues under threads and crashes (moved from tests/queue_test.cc): long polling woken from other
// threads, concurrent FIFO and standard consumers, dead-letter queues after a kill -9 loop, kill -9
// during sends and deletes, power loss during compaction and snapshots.
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
#include "tests/support/queue_fixture.h"

namespace seglog {
namespace {

using testing::TempDir;
using testing::View;
using testing::QueueTest;

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
  // Visible again at once: in-flight state is durable (SPEC.md 16.4), and the next round's
  // child must get the message again.
  o.visibility_timeout_s = 0;
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
    // Reopen: drain everything, checking each delivery. In-flight state is durable (SPEC.md
    // 16.4): the clock is past every earlier receive's hour of visibility (the child's and
    // the earlier drains').
    ManualClock clock(SystemClock::Default()->NowMs().value() + (round + 1) * 7'200'000);
    StoreOptions so;
    so.clock = &clock;
    std::unique_ptr<Store> store;
    ASSERT_OK(Store::Open(dir.path(), so, &store));
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
    clock.Advance(3'600'000);  // the kept ones were received: in flight for an hour (16.4)
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
