// An embedder killed with SIGKILL while its topic fans out (issue 15): every acknowledged
// publish is in each matching queue exactly once after the restart, and nothing is delivered
// twice - whatever moment the kill hit (between a queue append and the cursor's write, in the
// middle of a batch, before the fan-out reached a message). Unacknowledged publishes (in flight
// at the kill) may be there or not, but then in every matching queue alike, once.
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/log/clock.h"
#include "engine/log/store.h"
#include "engine/queues/queue.h"
#include "engine/topics/topics.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using testing::TempDir;
using testing::View;

constexpr int kPerChild = 3000;
const char* const kQueues[] = {"all", "raw", "picked"};

std::string Body(uint64_t i) { return "m" + std::to_string(i); }
bool Picked(uint64_t i) { return i % 3 == 0; }

// The child: publishes kPerChild messages from $SEGLOG_TOPIC_START and reports each once its
// Publish returned, while the fan-out delivers; then waits to be killed.
TEST(TopicCrashChild, PublishAndReport) {
  const char* dir = std::getenv("SEGLOG_TOPIC_CHILD_DIR");
  const char* fd_s = std::getenv("SEGLOG_CHILD_FD");
  const char* start_s = std::getenv("SEGLOG_TOPIC_START");
  if (dir == nullptr || fd_s == nullptr || start_s == nullptr) GTEST_SKIP() << "parent-driven";
  const int fd = std::atoi(fd_s);
  const uint64_t start = std::strtoull(start_s, nullptr, 10);
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir, StoreOptions{}, &store));
  QueuesOptions qo;
  qo.maintenance_interval_ms = 0;
  Queues queues(store.get(), qo);
  TopicsOptions to;
  to.fanout_threads = 2;
  to.maintenance_interval_ms = 0;
  Topics topics(store.get(), &queues, to);
  for (uint64_t i = start; i < start + kPerChild; ++i) {
    const std::string body = Body(i);
    const format::MessageAttribute attr[] = {
        {"pick", format::AttributeType::kString, View(Picked(i) ? "yes" : "no"), ""}};
    PublishEntry e;
    e.message = body;
    e.attributes = attr;
    PublishResult r;
    if (!topics.Publish("t", e, &r).ok()) _exit(3);
    uint64_t msg[1] = {i};
    if (write(fd, msg, sizeof(msg)) != static_cast<ssize_t>(sizeof(msg))) _exit(5);
  }
  for (;;) pause();
}

void CreateTopicAndQueues(const std::string& dir, Durability d) {
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir, StoreOptions{}, &store));
  QueuesOptions qo;
  qo.maintenance_interval_ms = 0;
  Queues queues(store.get(), qo);
  TopicsOptions to;
  to.maintenance_interval_ms = 0;
  Topics topics(store.get(), &queues, to);
  TopicConfig tc;
  tc.log.durability = d;
  ASSERT_OK(topics.Create("t", tc));
  for (const char* q : kQueues) {
    QueueConfig qc;
    qc.log.durability = d;
    ASSERT_OK(queues.Create(q, qc));
    SubscriptionConfig sc;
    sc.endpoint = q;
    sc.raw_delivery = std::string(q) != "all";  // "all" gets signed envelopes
    if (std::string(q) == "picked") sc.filter_policy = R"({"pick": ["yes"]})";
    std::string id;
    ASSERT_OK(topics.Subscribe("t", sc, &id));
  }
}

// Every message of queue q, by the published number it carries (an envelope's "Message").
std::map<uint64_t, int> Drain(Queues& queues, const char* q) {
  std::map<uint64_t, int> out;
  for (;;) {
    ReceiveOptions o;
    o.max_messages = 10;
    o.visibility_timeout_s = 3600;
    o.wait_s = 0;
    std::vector<ReceivedMessage> got;
    EXPECT_OK(queues.Receive(q, o, &got));
    if (got.empty()) return out;
    for (const ReceivedMessage& m : got) {
      std::string text = m.body;
      if (text[0] == '{') {
        const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
        text = j.is_object() && j.contains("Message") ? j["Message"].get<std::string>() : "";
      }
      if (text.size() < 2 || text[0] != 'm') {
        ADD_FAILURE() << "unexpected body in " << q << ": " << m.body.substr(0, 200);
        continue;
      }
      ++out[std::strtoull(text.c_str() + 1, nullptr, 10)];
    }
  }
}

TEST(TopicCrash, KilledDuringFanOutDeliversEachPublishExactlyOnce) {
  std::mt19937_64 rng(15);
  for (int round = 0; round < 4; ++round) {
    SCOPED_TRACE(round);
    const Durability d = round % 2 == 0 ? Durability::kNone : Durability::kAlways;
    TempDir dir;
    CreateTopicAndQueues(dir.path(), d);
    std::set<uint64_t> acked;
    for (int kill = 0; kill < 2; ++kill) {
      const uint64_t start = static_cast<uint64_t>(kill) * 1'000'000;
      const size_t after = 1 + rng() % (d == Durability::kAlways ? 150 : 1500);
      testing::KilledChild child = testing::RunChildAndKill(
          "TopicCrashChild.PublishAndReport",
          {{"SEGLOG_TOPIC_CHILD_DIR", dir.path()}, {"SEGLOG_TOPIC_START", std::to_string(start)}},
          1, after);
      ASSERT_TRUE(child.killed) << "child exited early: " << child.exit_code;
      for (const auto& m : child.messages) acked.insert(m[0]);
    }
    ASSERT_FALSE(acked.empty());
    std::unique_ptr<Store> store;
    ASSERT_OK(Store::Open(dir.path(), StoreOptions{}, &store));
    QueuesOptions qo;
    qo.maintenance_interval_ms = 0;
    Queues queues(store.get(), qo);
    TopicsOptions to;
    to.maintenance_interval_ms = 0;
    Topics topics(store.get(), &queues, to);
    ASSERT_OK(topics.WaitDelivered("t", 120'000));
    std::map<uint64_t, int> got[3];
    for (int q = 0; q < 3; ++q) got[q] = Drain(queues, kQueues[q]);
    for (int q = 0; q < 3; ++q) {
      for (const auto& [i, n] : got[q]) EXPECT_EQ(n, 1) << kQueues[q] << " got m" << i << " " << n << " times";
    }
    for (uint64_t i : acked) {
      EXPECT_EQ(got[0].count(i), 1u) << "all lost m" << i;
      EXPECT_EQ(got[1].count(i), 1u) << "raw lost m" << i;
      EXPECT_EQ(got[2].count(i), Picked(i) ? 1u : 0u) << "picked: m" << i;
    }
    // Unacknowledged publishes that made it: in every matching queue alike.
    for (const auto& [i, n] : got[0]) {
      EXPECT_EQ(got[1].count(i), 1u) << "m" << i;
      EXPECT_EQ(got[2].count(i), Picked(i) ? 1u : 0u) << "m" << i;
    }
    EXPECT_EQ(got[1].size(), got[0].size());
  }
}

}  // namespace
}  // namespace seglog
