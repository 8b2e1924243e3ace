// The C API's topic callbacks (include/seglog.h, "Topic callbacks", 0.4.0) and what survives a
// reopen: the user pointer, the delivery's fields, retries after a nonzero return, the redrive
// queue after the last try, unregister (the subscription waits, wait_delivered times out) and
// register again; topics, subscriptions and policies after a reopen, through the fixture's
// assembled handle and through seglog_open / seglog_close.
#include <algorithm>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/capi_topics_fixture.h"

namespace seglog {
namespace {

using testing::CapiTopicsTest;

// What a callback saw, and how it answers: nonzero (retry) while fail_first > 0.
struct Recorder {
  std::mutex mu;
  int fail_first = 0;
  struct Call {
    void* user;
    uint32_t attempt;
    std::string topic, subscription_id, message_id, body, subject;
    std::vector<std::string> attrs;  // "name:DataType=value"
    int64_t published_ms;
  };
  std::vector<Call> calls;
};

int Record(const seglog_topic_delivery* d, void* user) {
  auto* r = static_cast<Recorder*>(user);
  std::lock_guard<std::mutex> l(r->mu);
  Recorder::Call c{user,         d->attempt, d->topic, d->subscription_id, d->message_id,
                   std::string(d->body, d->body_len), d->subject, {}, d->published_ms};
  for (size_t i = 0; i < d->n_attrs; ++i) {
    c.attrs.push_back(std::string(d->attrs[i].name) + ":" + d->attrs[i].data_type + "=" +
                      std::string(static_cast<const char*>(d->attrs[i].value),
                                  d->attrs[i].value_len));
  }
  r->calls.push_back(std::move(c));
  if (r->fail_first > 0) {
    --r->fail_first;
    return 1;
  }
  return 0;
}

TEST_F(CapiTopicsTest, CallbackGetsTheUserPointerAndIsRetriedAfterNonzero) {
  Recorder rec;
  rec.fail_first = 1;
  ASSERT_EQ(seglog_topic_register_callback(db_, "audit", Record, &rec), SEGLOG_OK) << Error();
  CreateTopic("t");
  const std::string sub = Subscribe("t", SEGLOG_TOPIC_PROTOCOL_CALLBACK, "audit", false, nullptr);
  const seglog_topic_publish_result pr = Publish("t", "hello", "small", "Hi");
  ASSERT_EQ(seglog_topic_wait_delivered(db_, "t", 10'000), SEGLOG_OK) << Error();
  std::lock_guard<std::mutex> l(rec.mu);
  ASSERT_EQ(rec.calls.size(), 2u) << "a nonzero return is retried";
  for (size_t i = 0; i < 2; ++i) {
    const Recorder::Call& c = rec.calls[i];
    EXPECT_EQ(c.user, &rec);
    EXPECT_EQ(c.attempt, i + 1);
    EXPECT_EQ(c.topic, "t");
    EXPECT_EQ(c.subscription_id, sub);
    EXPECT_EQ(c.message_id, pr.message_id) << "the same MessageId on every attempt";
    EXPECT_EQ(c.subject, "Hi");
    EXPECT_EQ(c.attrs, std::vector<std::string>{"size:String=small"});
    EXPECT_EQ(c.published_ms, clock_.NowMs().value());
    const nlohmann::json env = nlohmann::json::parse(c.body);
    EXPECT_EQ(env.value("Message", ""), "hello");
    EXPECT_EQ(env.value("Type", ""), "Notification");
  }
  EXPECT_EQ(rec.calls[0].body, rec.calls[1].body) << "a retry repeats the same bytes";
  seglog_topic_subscription_info info;
  seglog_topic_subscription_info_init(&info);
  ASSERT_EQ(seglog_topic_get_subscription(db_, sub.c_str(), &info, nullptr, 0), SEGLOG_OK);
  EXPECT_EQ(info.delivered, 1u);
  EXPECT_EQ(info.protocol, SEGLOG_TOPIC_PROTOCOL_CALLBACK);
}

TEST_F(CapiTopicsTest, RawCallbackGetsTheMessageAlone) {
  Recorder rec;
  ASSERT_EQ(seglog_topic_register_callback(db_, "raw.cb:1", Record, &rec), SEGLOG_OK) << Error();
  CreateTopic("t");
  Subscribe("t", SEGLOG_TOPIC_PROTOCOL_CALLBACK, "raw.cb:1", true, R"({"size":["large"]})");
  Publish("t", "small one", "small", nullptr);
  Publish("t", "large one", "large", nullptr);
  ASSERT_EQ(seglog_topic_wait_delivered(db_, "t", 10'000), SEGLOG_OK) << Error();
  std::lock_guard<std::mutex> l(rec.mu);
  ASSERT_EQ(rec.calls.size(), 1u) << "filtered";
  EXPECT_EQ(rec.calls[0].body, "large one");
  EXPECT_EQ(rec.calls[0].subject, "");
}

TEST_F(CapiTopicsTest, LastTryFailedGoesToTheRedriveQueue) {
  Recorder rec;
  rec.fail_first = 1000;
  ASSERT_EQ(seglog_topic_register_callback(db_, "broken", Record, &rec), SEGLOG_OK) << Error();
  CreateTopic("t");
  CreateQueue("dlq");
  const std::string sub =
      Subscribe("t", SEGLOG_TOPIC_PROTOCOL_CALLBACK, "broken", false, nullptr, "dlq");
  Publish("t", "doomed", nullptr, nullptr);
  ASSERT_EQ(seglog_topic_wait_delivered(db_, "t", 10'000), SEGLOG_OK) << Error();
  {
    std::lock_guard<std::mutex> l(rec.mu);
    ASSERT_EQ(rec.calls.size(), 3u) << "the fixture's callback_max_attempts";
    EXPECT_EQ(rec.calls[2].attempt, 3u);
  }
  EXPECT_EQ(ReceiveAll("dlq").size(), 1u);
  seglog_topic_subscription_info info;
  seglog_topic_subscription_info_init(&info);
  ASSERT_EQ(seglog_topic_get_subscription(db_, sub.c_str(), &info, nullptr, 0), SEGLOG_OK);
  EXPECT_EQ(info.redriven, 1u);
  EXPECT_EQ(info.delivered, 0u);
}

TEST_F(CapiTopicsTest, UnregisteredCallbackWaitsUntilRegisteredAgain) {
  Recorder first, second;
  ASSERT_EQ(seglog_topic_register_callback(db_, "cb", Record, &first), SEGLOG_OK) << Error();
  CreateTopic("t");
  const std::string sub = Subscribe("t", SEGLOG_TOPIC_PROTOCOL_CALLBACK, "cb", false, nullptr);
  ASSERT_EQ(seglog_topic_unregister_callback(db_, "cb"), SEGLOG_OK) << Error();
  EXPECT_EQ(seglog_topic_unregister_callback(db_, "cb"), SEGLOG_ENOTFOUND);
  Publish("t", "held", nullptr, nullptr);
  EXPECT_EQ(seglog_topic_wait_delivered(db_, "t", 0), SEGLOG_ETIMEDOUT) << Error();
  EXPECT_STREQ(seglog_strerror(SEGLOG_ETIMEDOUT), "timed out");
  seglog_topic_subscription_info info;
  seglog_topic_subscription_info_init(&info);
  ASSERT_EQ(seglog_topic_get_subscription(db_, sub.c_str(), &info, nullptr, 0), SEGLOG_OK);
  EXPECT_EQ(info.waiting, 1);
  EXPECT_EQ(info.backlog, 1u);
  ASSERT_EQ(seglog_topic_register_callback(db_, "cb", Record, &second), SEGLOG_OK) << Error();
  ASSERT_EQ(seglog_topic_wait_delivered(db_, "t", 10'000), SEGLOG_OK) << Error();
  {
    std::lock_guard<std::mutex> l(first.mu);
    EXPECT_TRUE(first.calls.empty());
  }
  std::lock_guard<std::mutex> l(second.mu);
  ASSERT_EQ(second.calls.size(), 1u);
  EXPECT_EQ(second.calls[0].user, &second) << "the new registration's user pointer";
  ASSERT_EQ(seglog_topic_get_subscription(db_, sub.c_str(), &info, nullptr, 0), SEGLOG_OK);
  EXPECT_EQ(info.waiting, 0);
  EXPECT_EQ(info.backlog, 0u);
}

TEST_F(CapiTopicsTest, ReopenKeepsTopicsSubscriptionsAndPolicies) {
  CreateTopic("t");
  CreateQueue("q");
  const std::string qs = Subscribe("t", SEGLOG_TOPIC_PROTOCOL_SQS, "q", true, R"({"size":["large"]})");
  const std::string cs = Subscribe("t", SEGLOG_TOPIC_PROTOCOL_CALLBACK, "cb", false, nullptr);
  Close();
  Open();
  EXPECT_EQ(TopicNames(), std::vector<std::string>{"t"});
  seglog_topic_subscription_info info;
  seglog_topic_subscription_info_init(&info);
  char policy[64] = {};
  ASSERT_EQ(seglog_topic_get_subscription(db_, qs.c_str(), &info, policy, sizeof policy),
            SEGLOG_OK)
      << Error();
  EXPECT_STREQ(policy, R"({"size":["large"]})");
  EXPECT_EQ(info.raw_delivery, 1);
  Publish("t", "kept", "large", nullptr);
  // The callback is not registered in this handle yet: its subscription waits.
  EXPECT_EQ(seglog_topic_wait_delivered(db_, "t", 0), SEGLOG_ETIMEDOUT);
  Recorder rec;
  ASSERT_EQ(seglog_topic_register_callback(db_, "cb", Record, &rec), SEGLOG_OK) << Error();
  ASSERT_EQ(seglog_topic_wait_delivered(db_, "t", 10'000), SEGLOG_OK) << Error();
  const std::vector<Received> got = ReceiveAll("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "kept");
  std::lock_guard<std::mutex> l(rec.mu);
  ASSERT_EQ(rec.calls.size(), 1u);
  EXPECT_EQ(rec.calls[0].subscription_id, cs);
}

// The handle seglog_open makes owns its Topics; seglog_close ends the fan-out before the queues.
TEST(CapiTopicsOpenTest, SeglogOpenAndCloseOwnTheTopics) {
  testing::TempDir dir;
  seglog_handle* db = nullptr;
  ASSERT_EQ(seglog_open(dir.path().c_str(), nullptr, &db), SEGLOG_OK) << seglog_last_error();
  ASSERT_EQ(seglog_topic_create(db, "t", nullptr, nullptr, nullptr, 0), SEGLOG_OK);
  ASSERT_EQ(seglog_queue_create(db, "q", nullptr), SEGLOG_OK);
  seglog_topic_subscription_config sc;
  seglog_topic_subscription_config_init(&sc);
  sc.endpoint = "q";
  sc.raw_delivery = 1;
  char id[SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX + 1];
  ASSERT_EQ(seglog_topic_subscribe(db, "t", &sc, id, sizeof id), SEGLOG_OK) << seglog_last_error();
  seglog_topic_publish_entry e;
  seglog_topic_publish_entry_init(&e, "one", 3);
  ASSERT_EQ(seglog_topic_publish(db, "t", &e, nullptr), SEGLOG_OK) << seglog_last_error();
  seglog_close(db);  // possibly before the fan-out ran: it resumes after the reopen
  db = nullptr;
  ASSERT_EQ(seglog_open(dir.path().c_str(), nullptr, &db), SEGLOG_OK) << seglog_last_error();
  seglog_topic_publish_entry_init(&e, "two", 3);
  ASSERT_EQ(seglog_topic_publish(db, "t", &e, nullptr), SEGLOG_OK) << seglog_last_error();
  ASSERT_EQ(seglog_topic_wait_delivered(db, "t", 10'000), SEGLOG_OK) << seglog_last_error();
  seglog_queue_receive_options ro;
  seglog_queue_receive_options_init(&ro);
  ro.max_messages = 10;
  ro.wait_s = 0;
  seglog_queue_messages* b = nullptr;
  ASSERT_EQ(seglog_queue_receive(db, "q", &ro, &b), SEGLOG_OK);
  std::vector<std::string> bodies;
  for (size_t i = 0; i < seglog_queue_messages_count(b); ++i) {
    const seglog_queue_message* m = seglog_queue_messages_get(b, i);
    bodies.emplace_back(static_cast<const char*>(m->body), m->body_len);
  }
  seglog_queue_messages_free(b);
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies, (std::vector<std::string>{"one", "two"})) << "exactly once each";
  seglog_close(db);
}

}  // namespace
}  // namespace seglog
