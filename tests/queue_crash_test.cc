// An embedder killed with SIGKILL while it receives (issue 14): every message it was handed is
// still hidden after the restart (its receive was journaled before the receive returned), its
// receipt still deletes it, and no message is lost.
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/log/clock.h"
#include "engine/log/store.h"
#include "engine/queues/queue.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using testing::TempDir;
using testing::View;

constexpr size_t kReceiptWords = 6;  // 48 characters
constexpr size_t kWords = 1 + kReceiptWords;
constexpr int kMessages = 200;

// The child: receives (60 s visibility) and reports each message, id and receipt, once the
// receive returned; when the queue looks empty it waits to be killed.
TEST(QueueReceiveCrashChild, ReceiveAndReport) {
  const char* dir = std::getenv("SEGLOG_QUEUE_CHILD_DIR");
  const char* fd_s = std::getenv("SEGLOG_CHILD_FD");
  if (dir == nullptr || fd_s == nullptr) GTEST_SKIP() << "parent-driven";
  const int fd = std::atoi(fd_s);
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir, StoreOptions{}, &store));
  QueuesOptions qo;
  qo.maintenance_interval_ms = 0;
  Queues queues(store.get(), qo);
  for (;;) {
    ReceiveOptions o;
    o.max_messages = 1 + static_cast<uint32_t>(getpid() % 10);
    o.visibility_timeout_s = 60;
    o.wait_s = 0;
    std::vector<ReceivedMessage> m;
    if (!queues.Receive("q", o, &m).ok()) _exit(3);
    if (m.empty()) break;
    for (const ReceivedMessage& x : m) {
      uint64_t msg[kWords] = {x.id.value()};
      if (x.receipt.size() != 8 * kReceiptWords) _exit(4);
      std::memcpy(&msg[1], x.receipt.data(), 8 * kReceiptWords);
      if (write(fd, msg, sizeof(msg)) != static_cast<ssize_t>(sizeof(msg))) _exit(5);
    }
  }
  for (;;) pause();
}

TEST(QueueReceiveCrash, ReceivedMessagesStayHiddenAndTheirReceiptsDelete) {
  std::mt19937_64 rng(14);
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE(round);
    TempDir dir;
    std::set<uint64_t> sent;
    {
      std::unique_ptr<Store> store;
      ASSERT_OK(Store::Open(dir.path(), StoreOptions{}, &store));
      Queues queues(store.get(), QueuesOptions{0, 16u << 20, true});
      QueueConfig c;
      c.log.durability = round == 1 ? Durability::kAlways : Durability::kNone;
      ASSERT_OK(queues.Create("q", c));
      for (int i = 0; i < kMessages; ++i) {
        const std::string body = "m" + std::to_string(i);
        SendEntry e;
        e.body = View(body);
        SendResult r;
        ASSERT_OK(queues.Send("q", e, &r));
        sent.insert(r.id.value());
      }
    }
    testing::KilledChild child = testing::RunChildAndKill(
        "QueueReceiveCrashChild.ReceiveAndReport", {{"SEGLOG_QUEUE_CHILD_DIR", dir.path()}},
        kWords, 1 + rng() % (kMessages - 20));
    ASSERT_TRUE(child.killed) << "child exited early: " << child.exit_code;
    std::map<uint64_t, std::string> reported;  // id -> receipt
    for (const auto& m : child.messages) {
      std::string receipt(8 * kReceiptWords, '\0');
      std::memcpy(receipt.data(), &m[1], receipt.size());
      EXPECT_TRUE(sent.count(m[0]) == 1 && reported.emplace(m[0], receipt).second) << m[0];
    }
    ASSERT_FALSE(reported.empty());

    // Reopen at the real time (the child's clock): what the child got is hidden.
    ManualClock clock(SystemClock::Default()->NowMs().value());
    StoreOptions so;
    so.clock = &clock;
    std::unique_ptr<Store> store;
    ASSERT_OK(Store::Open(dir.path(), so, &store));
    Queues queues(store.get(), QueuesOptions{0, 16u << 20, true});
    std::set<uint64_t> seen;  // delivered after the restart
    auto drain = [&] {
      for (;;) {
        ReceiveOptions o;
        o.max_messages = 10;
        o.visibility_timeout_s = 3600;
        o.wait_s = 0;
        std::vector<ReceivedMessage> m;
        ASSERT_OK(queues.Receive("q", o, &m));
        if (m.empty()) return;
        for (const ReceivedMessage& x : m) {
          EXPECT_EQ(reported.count(x.id.value()), 0u)
              << "message " << x.id.value() << " was received before the kill: in flight";
          EXPECT_TRUE(seen.insert(x.id.value()).second) << "delivered twice";
          ASSERT_OK(queues.DeleteMessage("q", x.receipt));
        }
      }
    };
    drain();
    QueueStats st;
    ASSERT_OK(queues.Stats("q", &st));
    EXPECT_GE(st.in_flight, reported.size());  // and any received but not yet reported
    // The child's receipts are current: each deletes its message.
    for (const auto& [id, receipt] : reported) {
      ASSERT_OK(queues.DeleteMessage("q", receipt)) << id;
    }
    // Past the child's 60 s: the ones it received but did not report come back; none is lost.
    clock.Advance(61'000);
    drain();
    for (uint64_t id : sent) {
      EXPECT_EQ(reported.count(id) + seen.count(id), 1u) << "message " << id;
    }
    ASSERT_OK(queues.Stats("q", &st));
    EXPECT_EQ(st.visible + st.in_flight + st.delayed, 0u);
  }
}

}  // namespace
}  // namespace seglog
