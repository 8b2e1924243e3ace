// Wake registrations under concurrency (SPEC.md 16.13): consumers that only ever TryReceive
// and wait for their wake, racing senders, lose no wake-up: every message is received without
// any consumer waiting out a long fallback timeout.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/queues/queue.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

TEST(QueueWaitConcurrency, RacingSendersLoseNoWakeUp) {
  testing::TempDir dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<Queues> queues;
  ASSERT_OK(testing::OpenEngine(dir.path(), StoreOptions(), &store, nullptr, &queues));
  QueueConfig c;
  c.log.durability = Durability::kNone;
  ASSERT_OK(queues->Create("q", c));
  constexpr int kMessages = 2000, kConsumers = 4, kSenders = 2;
  std::atomic<int> received{0}, stalls{0};
  std::mutex seen_mu;
  std::set<std::string> seen;
  auto consumer = [&] {
    std::mutex mu;
    std::condition_variable cv;
    bool woken = false;
    while (received.load() < kMessages) {
      std::vector<ReceivedMessage> out;
      uint64_t ticket = 0;
      {
        std::lock_guard<std::mutex> l(mu);
        woken = false;
      }
      ReceiveOptions o;
      o.max_messages = 3;
      ASSERT_OK(queues->TryReceive("q", o, &out,
                                   [&] {
                                     std::lock_guard<std::mutex> l(mu);
                                     woken = true;
                                     cv.notify_all();
                                   },
                                   &ticket));
      for (const ReceivedMessage& m : out) {
        ASSERT_OK(queues->DeleteMessage("q", m.receipt));
        std::lock_guard<std::mutex> l(seen_mu);
        EXPECT_TRUE(seen.insert(m.body).second) << m.body;
        received.fetch_add(1);
      }
      if (ticket == 0) continue;
      std::unique_lock<std::mutex> l(mu);
      // A lost wake-up would leave the message waiting: count fallbacks instead of hanging.
      if (!cv.wait_for(l, std::chrono::seconds(2), [&] { return woken; })) {
        l.unlock();
        if (!queues->CancelWake("q", ticket)) {
          // It fired as we gave up: fine.
        } else if (received.load() < kMessages) {
          stalls.fetch_add(1);
        }
      }
    }
  };
  std::vector<std::thread> ts;
  for (int i = 0; i < kConsumers; ++i) ts.emplace_back(consumer);
  std::vector<std::thread> ss;
  for (int s = 0; s < kSenders; ++s) {
    ss.emplace_back([&, s] {
      for (int i = s; i < kMessages; i += kSenders) {
        std::string body = "m" + std::to_string(i);
        SendEntry e;
        e.body = testing::View(body);
        SendResult r;
        ASSERT_OK(queues->Send("q", e, &r));
        if (i % 64 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
  }
  for (auto& t : ss) t.join();
  // Consumers end when everything is received; a stalled one would only end after its
  // fallback, which the stall counter reports.
  for (auto& t : ts) t.join();
  EXPECT_EQ(received.load(), kMessages);
  EXPECT_EQ(stalls.load(), 0) << "a consumer waited out its fallback with messages ready";
  testing::CloseEngine(&store, nullptr, &queues);
}

}  // namespace
}  // namespace seglog
