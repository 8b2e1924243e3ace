// Topics' callback subscriptions: the fan-out thread calls them with no lock held, retries a
// false return on SNS's schedule measured on the store's (manual) clock, waits while the
// callback is not registered, and redrives after callback_max_attempts.
#include <atomic>
#include <mutex>
#include <thread>

#include "engine/topics/notification.h"
#include "tests/topic_fixture.h"

namespace seglog::testing {
namespace {

class CallbackTest : public TopicsTest {
 protected:
  std::string SubscribeCallback(const std::string& topic, const std::string& name,
                                const std::string& redrive = "") {
    SubscriptionConfig c;
    c.protocol = SubscriptionProtocol::kCallback;
    c.endpoint = name;
    c.raw_delivery = true;
    c.redrive_queue = redrive;
    std::string id;
    EXPECT_OK(topics_->Subscribe(topic, c, &id));
    return id;
  }
  struct Log {
    std::mutex mu;
    std::vector<std::pair<std::string, uint32_t>> calls;  // body, attempt
    std::thread::id thread;
  };
};

TEST_F(CallbackTest, CalledOnAFanoutThreadAndMayCallTopics) {
  CreateTopic("t");
  const std::string id = SubscribeCallback("t", "cb");
  Log log;
  auto fn = [&](const CallbackDelivery& d) {
    std::lock_guard<std::mutex> l(log.mu);
    log.calls.emplace_back(std::string(d.body), d.attempt);
    log.thread = std::this_thread::get_id();
    EXPECT_EQ(d.topic, "t");
    EXPECT_EQ(d.subscription_id, id);
    SubscriptionInfo info;  // no seglog lock is held: calling back in works
    EXPECT_OK(topics_->GetSubscription(id, &info));
    return true;
  };
  ASSERT_OK(topics_->RegisterCallback("cb", fn));
  Publish("t", "one");
  Publish("t", "two");
  Drain("t");
  std::lock_guard<std::mutex> l(log.mu);
  ASSERT_EQ(log.calls.size(), 2u);
  EXPECT_EQ(log.calls[0].first, "one");
  EXPECT_EQ(log.calls[1].first, "two");
  EXPECT_NE(log.thread, std::this_thread::get_id());
}

TEST_F(CallbackTest, RetriesOnTheScheduleWithTheStoreClock) {
  CreateTopic("t");
  SubscribeCallback("t", "cb");
  Log log;
  std::atomic<int> fail{5};
  ASSERT_OK(topics_->RegisterCallback("cb", [&](const CallbackDelivery& d) {
    std::lock_guard<std::mutex> l(log.mu);
    log.calls.emplace_back(std::string(d.body), d.attempt);
    return fail.fetch_sub(1) <= 0;
  }));
  Publish("t", "m");
  // Attempts 1 .. 4 are immediate (3 immediate retries); the 5th waits 1 s of store time.
  EXPECT_FALSE(topics_->WaitDelivered("t", 200).ok());
  {
    std::lock_guard<std::mutex> l(log.mu);
    EXPECT_EQ(log.calls.size(), 4u);
  }
  clock_.Advance(CallbackRetryDelayMs(5, topts_.callback_max_attempts));
  EXPECT_FALSE(topics_->WaitDelivered("t", 200).ok());  // the 5th failed too; 6th at +1 s
  clock_.Advance(CallbackRetryDelayMs(6, topts_.callback_max_attempts));
  Drain("t");
  std::lock_guard<std::mutex> l(log.mu);
  ASSERT_EQ(log.calls.size(), 6u);
  for (uint32_t i = 0; i < 6; ++i) EXPECT_EQ(log.calls[i].second, i + 1);
}

TEST_F(CallbackTest, WaitsWhileUnregisteredThenResumes) {
  CreateTopic("t");
  const std::string id = SubscribeCallback("t", "later");
  Publish("t", "held");
  EXPECT_FALSE(topics_->WaitDelivered("t", 100).ok());
  SubscriptionInfo info;
  ASSERT_OK(topics_->GetSubscription(id, &info));
  EXPECT_TRUE(info.waiting);
  EXPECT_EQ(info.backlog, 1u);
  std::atomic<int> calls{0};
  ASSERT_OK(topics_->RegisterCallback("later", [&](const CallbackDelivery&) {
    ++calls;
    return true;
  }));
  Drain("t");
  EXPECT_EQ(calls.load(), 1);
  ASSERT_OK(topics_->UnregisterCallback("later"));
  EXPECT_EQ(topics_->UnregisterCallback("later").code(), StatusCode::kNotFound);
  EXPECT_EQ(topics_->RegisterCallback("bad name", [](const CallbackDelivery&) { return true; })
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(topics_->RegisterCallback("x", DeliveryCallback()).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(CallbackTest, RedrivesAfterMaxAttempts) {
  Close();
  topts_.callback_max_attempts = 2;
  Open();
  CreateTopic("t");
  CreateQueue("dlq");
  const std::string id = SubscribeCallback("t", "cb", "dlq");
  std::atomic<int> calls{0};
  ASSERT_OK(topics_->RegisterCallback("cb", [&](const CallbackDelivery&) {
    ++calls;
    return false;
  }));
  Publish("t", "undeliverable");
  Drain("t");
  EXPECT_EQ(calls.load(), 2);
  EXPECT_EQ(Bodies("dlq"), (std::vector<std::string>{"undeliverable"}));
  SubscriptionInfo info;
  ASSERT_OK(topics_->GetSubscription(id, &info));
  EXPECT_EQ(info.redriven, 1u);
}

// Retention by age removes what a subscription that waits (its callback unregistered) has not
// taken: it skips those messages, counted as expired, and takes the rest.
TEST_F(CallbackTest, RetentionSkipsWhatALaggingSubscriptionMissed) {
  TopicConfig c = Config();
  c.retention_s = 60;
  ASSERT_OK(topics_->Create("t", c));
  const std::string id = SubscribeCallback("t", "slow");
  const std::string body(4000, 'x');
  for (int i = 0; i < 100; ++i) Publish("t", body);
  clock_.Advance(61'000);
  Publish("t", "fresh");
  ASSERT_OK(topics_->RunMaintenance());
  std::atomic<int> calls{0};
  ASSERT_OK(topics_->RegisterCallback("slow", [&](const CallbackDelivery&) {
    ++calls;
    return true;
  }));
  Drain("t");
  SubscriptionInfo info;
  ASSERT_OK(topics_->GetSubscription(id, &info));
  EXPECT_GT(info.expired, 0u);
  EXPECT_GE(calls.load(), 1);
  EXPECT_EQ(info.expired + static_cast<uint64_t>(calls.load()), 101u);
  EXPECT_EQ(info.delivered, static_cast<uint64_t>(calls.load()));
}

}  // namespace
}  // namespace seglog::testing
