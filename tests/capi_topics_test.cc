// The C API's topics (include/seglog.h, "Topics", 0.4.0), end to end through the C functions:
// create / describe / list / set attributes / tags / delete, subscriptions (queue and callback,
// filtered, raw), publish and publish_batch received through seglog_queue_receive, FIFO topics
// into FIFO queues, callbacks (user pointer, retries, redrive, unregister and register again,
// a waiting subscription), reopen. The argument checks of every function are in
// tests/capi_topics_args_test.cc. The handle is assembled from the engine's rooms with a manual
// clock and a Topics whose callbacks give up after 3 tries (all immediate in SNS's schedule).
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/support/capi_topics_fixture.h"

namespace seglog {
namespace {

using testing::CapiTopicsTest;

TEST_F(CapiTopicsTest, CreateDescribeSetAttributesDelete) {
  seglog_topic_config cfg;
  seglog_topic_config_init(&cfg);
  EXPECT_EQ(cfg.struct_size, sizeof cfg);
  EXPECT_EQ(cfg.signature_version, 1u);
  EXPECT_EQ(cfg.retention_s, uint32_t{SEGLOG_TOPIC_MAX_RETENTION_S});
  cfg.display_name = "Orders";
  const char* keys[] = {"team"};
  const char* values[] = {"shop"};
  ASSERT_EQ(seglog_topic_create(db_, "orders", &cfg, keys, values, 1), SEGLOG_OK) << Error();
  // Again with the same settings: OK; with another display name: EEXIST naming it.
  EXPECT_EQ(seglog_topic_create(db_, "orders", &cfg, nullptr, nullptr, 0), SEGLOG_OK) << Error();
  cfg.display_name = "Other";
  EXPECT_EQ(seglog_topic_create(db_, "orders", &cfg, nullptr, nullptr, 0), SEGLOG_EEXIST);
  EXPECT_NE(Error().find("seglog_topic_create: "), std::string::npos) << Error();

  seglog_topic_info info;
  seglog_topic_info_init(&info);
  ASSERT_EQ(seglog_topic_describe(db_, "orders", &info), SEGLOG_OK) << Error();
  EXPECT_STREQ(info.name, "orders");
  EXPECT_EQ(info.type, SEGLOG_TOPIC_STANDARD);
  EXPECT_STREQ(info.display_name, "Orders");
  EXPECT_EQ(info.signature_version, 1u);
  EXPECT_EQ(info.subscriptions, 0u);
  EXPECT_EQ(info.messages, 0u);
  EXPECT_EQ(info.durability, SEGLOG_DURABILITY_ALWAYS) << "the store options'";
  EXPECT_EQ(info.limits, SEGLOG_LIMITS_RELAXED);

  cfg.display_name = "Renamed";
  cfg.signature_version = 2;
  ASSERT_EQ(seglog_topic_set_attributes(
                db_, "orders", &cfg,
                SEGLOG_TOPIC_FIELD_DISPLAY_NAME | SEGLOG_TOPIC_FIELD_SIGNATURE_VERSION),
            SEGLOG_OK)
      << Error();
  ASSERT_EQ(seglog_topic_describe(db_, "orders", &info), SEGLOG_OK) << Error();
  EXPECT_STREQ(info.display_name, "Renamed");
  EXPECT_EQ(info.signature_version, 2u);
  // A fixed field changed: EINVAL, nothing changed.
  cfg.type = SEGLOG_TOPIC_FIFO;
  cfg.display_name = "Not applied";
  EXPECT_EQ(seglog_topic_set_attributes(db_, "orders", &cfg,
                                        SEGLOG_TOPIC_FIELD_TYPE | SEGLOG_TOPIC_FIELD_DISPLAY_NAME),
            SEGLOG_EINVAL);
  ASSERT_EQ(seglog_topic_describe(db_, "orders", &info), SEGLOG_OK) << Error();
  EXPECT_STREQ(info.display_name, "Renamed");

  EXPECT_EQ(Tags("orders"), (Pairs{{"team", "shop"}}));
  ASSERT_EQ(seglog_topic_delete(db_, "orders"), SEGLOG_OK) << Error();
  EXPECT_EQ(seglog_topic_describe(db_, "orders", &info), SEGLOG_ENOTFOUND);
  EXPECT_EQ(seglog_topic_delete(db_, "orders"), SEGLOG_ENOTFOUND);
  EXPECT_EQ(TopicNames(), std::vector<std::string>{});
}

TEST_F(CapiTopicsTest, ListPagesAndTags) {
  for (const char* t : {"c", "a", "b"}) CreateTopic(t);
  seglog_topic_name names[2];
  size_t n = 0;
  char token[SEGLOG_TOPIC_LIST_TOKEN_MAX];
  ASSERT_EQ(seglog_topic_list(db_, 2, nullptr, names, 2, &n, token, sizeof token), SEGLOG_OK)
      << Error();
  ASSERT_EQ(n, 2u);
  EXPECT_STREQ(names[0].name, "a");
  EXPECT_STREQ(names[1].name, "b");
  ASSERT_NE(token[0], '\0') << "a next page";
  const std::string t1 = token;
  ASSERT_EQ(seglog_topic_list(db_, 2, t1.c_str(), names, 2, &n, token, sizeof token), SEGLOG_OK)
      << Error();
  ASSERT_EQ(n, 1u);
  EXPECT_STREQ(names[0].name, "c");
  EXPECT_STREQ(token, "") << "the last page";

  const char* k[] = {"env", "cost"};
  const char* v[] = {"prod", ""};
  ASSERT_EQ(seglog_topic_tag(db_, "a", k, v, 2), SEGLOG_OK) << Error();
  EXPECT_EQ(Tags("a"), (Pairs{{"cost", ""}, {"env", "prod"}}));
  const char* rm[] = {"env", "absent"};
  ASSERT_EQ(seglog_topic_untag(db_, "a", rm, 2), SEGLOG_OK) << Error();
  EXPECT_EQ(Tags("a"), (Pairs{{"cost", ""}}));
  const char* bad[] = {"aws:reserved"};
  EXPECT_EQ(seglog_topic_tag(db_, "a", bad, v, 1), SEGLOG_EINVAL);
  EXPECT_EQ(Tags("a"), (Pairs{{"cost", ""}})) << "a refused tag changes nothing";
  EXPECT_EQ(seglog_topic_tag(db_, "zz", k, v, 2), SEGLOG_ENOTFOUND);
}

TEST_F(CapiTopicsTest, FanOutToTwoQueuesOneFilteredAndRaw) {
  CreateTopic("orders");
  CreateQueue("all");
  CreateQueue("big");
  const std::string all = Subscribe("orders", SEGLOG_TOPIC_PROTOCOL_SQS, "all", false, nullptr);
  const std::string big =
      Subscribe("orders", SEGLOG_TOPIC_PROTOCOL_SQS, "big", true, R"({"size": ["large"]})");
  EXPECT_NE(all, big);
  Publish("orders", "order 1", "small", "First");
  Publish("orders", "order 2", "large", nullptr);
  ASSERT_EQ(seglog_topic_wait_delivered(db_, "orders", 10'000), SEGLOG_OK) << Error();

  const std::vector<Received> got_all = ReceiveAll("all");
  ASSERT_EQ(got_all.size(), 2u);
  std::vector<nlohmann::json> env;
  for (const Received& r : got_all) {
    env.push_back(nlohmann::json::parse(r.body));
    EXPECT_EQ(env.back().value("Type", ""), "Notification") << r.body;
    EXPECT_NE(env.back().value("TopicArn", ""), "") << r.body;
    EXPECT_NE(env.back().value("Signature", ""), "") << r.body;
    EXPECT_TRUE(r.attrs.empty()) << "the envelope carries the attributes, not the queue";
  }
  EXPECT_EQ(env[0].value("Message", ""), "order 1");
  EXPECT_EQ(env[0].value("Subject", ""), "First");
  EXPECT_EQ(env[0]["MessageAttributes"]["size"]["Type"], "String") << got_all[0].body;
  EXPECT_EQ(env[0]["MessageAttributes"]["size"]["Value"], "small");
  EXPECT_EQ(env[1].value("Message", ""), "order 2");
  EXPECT_FALSE(env[1].contains("Subject")) << "published without one";

  const std::vector<Received> got_big = ReceiveAll("big");
  ASSERT_EQ(got_big.size(), 1u) << "the filter lets only size=large through";
  EXPECT_EQ(got_big[0].body, "order 2") << "raw delivery: the message alone";
  ASSERT_EQ(got_big[0].attrs.size(), 1u);
  EXPECT_EQ(got_big[0].attrs[0], "size:String=large");

  seglog_topic_subscription_info info;
  seglog_topic_subscription_info_init(&info);
  char policy[64];
  ASSERT_EQ(seglog_topic_get_subscription(db_, big.c_str(), &info, policy, sizeof policy),
            SEGLOG_OK)
      << Error();
  EXPECT_STREQ(info.id, big.c_str());
  EXPECT_STREQ(info.topic, "orders");
  EXPECT_EQ(info.protocol, SEGLOG_TOPIC_PROTOCOL_SQS);
  EXPECT_STREQ(info.endpoint, "big");
  EXPECT_EQ(info.raw_delivery, 1);
  EXPECT_EQ(info.filter_scope, SEGLOG_FILTER_SCOPE_MESSAGE_ATTRIBUTES);
  EXPECT_STREQ(policy, R"({"size": ["large"]})");
  EXPECT_EQ(info.filter_policy_len, std::strlen(policy));
  EXPECT_EQ(info.delivered, 1u);
  EXPECT_EQ(info.filtered, 1u);
  EXPECT_EQ(info.backlog, 0u);
  EXPECT_EQ(info.waiting, 0);
  // A buffer too small gets "" and the length says how much to allocate.
  char tiny[4] = "xyz";
  ASSERT_EQ(seglog_topic_get_subscription(db_, big.c_str(), &info, tiny, sizeof tiny), SEGLOG_OK);
  EXPECT_STREQ(tiny, "");
  EXPECT_EQ(info.filter_policy_len, std::strlen(R"({"size": ["large"]})"));

  // Drop the filter and raw delivery: the next message reaches "big" as an envelope.
  seglog_topic_subscription_config sc;
  seglog_topic_subscription_config_init(&sc);
  ASSERT_EQ(seglog_topic_set_subscription_attributes(
                db_, big.c_str(), &sc,
                SEGLOG_SUBSCRIPTION_FIELD_FILTER_POLICY | SEGLOG_SUBSCRIPTION_FIELD_RAW_DELIVERY),
            SEGLOG_OK)
      << Error();
  Publish("orders", "order 3", "small", nullptr);
  ASSERT_EQ(seglog_topic_wait_delivered(db_, "orders", 10'000), SEGLOG_OK) << Error();
  const std::vector<Received> again = ReceiveAll("big");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(again[0].body).value("Message", ""), "order 3");

  seglog_topic_info ti;
  seglog_topic_info_init(&ti);
  ASSERT_EQ(seglog_topic_describe(db_, "orders", &ti), SEGLOG_OK) << Error();
  EXPECT_EQ(ti.subscriptions, 2u);
}

TEST_F(CapiTopicsTest, ListSubscriptionsByTopicAndAll) {
  CreateTopic("t1");
  CreateTopic("t2");
  CreateQueue("q");
  const std::string a = Subscribe("t1", SEGLOG_TOPIC_PROTOCOL_SQS, "q", false, nullptr);
  const std::string b = Subscribe("t2", SEGLOG_TOPIC_PROTOCOL_CALLBACK, "cb", false, nullptr);
  // The same protocol and endpoint again: the same id.
  EXPECT_EQ(Subscribe("t1", SEGLOG_TOPIC_PROTOCOL_SQS, "q", false, nullptr), a);
  seglog_topic_subscription_entry e[4];
  size_t n = 0;
  char token[SEGLOG_TOPIC_LIST_TOKEN_MAX];
  ASSERT_EQ(seglog_topic_list_subscriptions(db_, "t2", 4, nullptr, e, 4, &n, token, sizeof token),
            SEGLOG_OK)
      << Error();
  ASSERT_EQ(n, 1u);
  EXPECT_STREQ(e[0].id, b.c_str());
  EXPECT_STREQ(e[0].topic, "t2");
  EXPECT_EQ(e[0].protocol, SEGLOG_TOPIC_PROTOCOL_CALLBACK);
  EXPECT_STREQ(e[0].endpoint, "cb");
  ASSERT_EQ(seglog_topic_list_subscriptions(db_, nullptr, 1, nullptr, e, 4, &n, token,
                                            sizeof token),
            SEGLOG_OK)
      << Error();
  ASSERT_EQ(n, 1u);
  EXPECT_STREQ(e[0].topic, "t1") << "sorted by topic";
  ASSERT_NE(token[0], '\0');
  const std::string next = token;
  ASSERT_EQ(seglog_topic_list_subscriptions(db_, "", 1, next.c_str(), e, 4, &n, token,
                                            sizeof token),
            SEGLOG_OK)
      << Error();
  ASSERT_EQ(n, 1u);
  EXPECT_STREQ(e[0].topic, "t2");
  ASSERT_EQ(seglog_topic_unsubscribe(db_, a.c_str()), SEGLOG_OK) << Error();
  EXPECT_EQ(seglog_topic_unsubscribe(db_, a.c_str()), SEGLOG_ENOTFOUND);
  ASSERT_EQ(seglog_topic_list_subscriptions(db_, "t1", 4, nullptr, e, 4, &n, token, sizeof token),
            SEGLOG_OK);
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(seglog_topic_list_subscriptions(db_, "none", 4, nullptr, e, 4, &n, token,
                                            sizeof token),
            SEGLOG_ENOTFOUND);
}

TEST_F(CapiTopicsTest, FifoTopicIntoFifoQueueKeepsGroupOrderAndDedups) {
  seglog_topic_config cfg;
  seglog_topic_config_init(&cfg);
  cfg.type = SEGLOG_TOPIC_FIFO;
  ASSERT_EQ(seglog_topic_create(db_, "t.fifo", &cfg, nullptr, nullptr, 0), SEGLOG_OK) << Error();
  seglog_queue_config qc;
  seglog_queue_config_init(&qc);
  qc.type = SEGLOG_QUEUE_FIFO;
  ASSERT_EQ(seglog_queue_create(db_, "q.fifo", &qc), SEGLOG_OK) << Error();
  Subscribe("t.fifo", SEGLOG_TOPIC_PROTOCOL_SQS, "q.fifo", true, nullptr);
  // A callback on a FIFO topic is refused.
  seglog_topic_subscription_config sc;
  seglog_topic_subscription_config_init(&sc);
  sc.protocol = SEGLOG_TOPIC_PROTOCOL_CALLBACK;
  sc.endpoint = "cb";
  char id[SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX + 1];
  EXPECT_EQ(seglog_topic_subscribe(db_, "t.fifo", &sc, id, sizeof id), SEGLOG_EINVAL);

  seglog_topic_publish_result r[4];
  const char* bodies[] = {"g1-a", "g2-a", "g1-b", "g1-a"};
  const char* groups[] = {"g1", "g2", "g1", "g1"};
  const char* dedups[] = {"d1", "d2", "d3", "d1"};
  for (int i = 0; i < 4; ++i) {
    seglog_topic_publish_entry e;
    seglog_topic_publish_entry_init(&e, bodies[i], std::strlen(bodies[i]));
    e.group_id = groups[i];
    e.dedup_id = dedups[i];
    ASSERT_EQ(seglog_topic_publish(db_, "t.fifo", &e, &r[i]), SEGLOG_OK) << Error();
    EXPECT_EQ(std::strlen(r[i].sequence_number), 20u);
  }
  EXPECT_EQ(r[3].duplicate, 1) << "d1 again within 5 minutes";
  EXPECT_STREQ(r[3].message_id, r[0].message_id);
  EXPECT_EQ(r[0].duplicate, 0);
  // Without a group id: refused.
  seglog_topic_publish_entry e;
  seglog_topic_publish_entry_init(&e, "x", 1);
  e.dedup_id = "d9";
  EXPECT_EQ(seglog_topic_publish(db_, "t.fifo", &e, nullptr), SEGLOG_EINVAL);

  ASSERT_EQ(seglog_topic_wait_delivered(db_, "t.fifo", 10'000), SEGLOG_OK) << Error();
  std::vector<std::string> g1, g2;
  for (const Received& m : ReceiveAll("q.fifo")) (m.group == "g1" ? g1 : g2).push_back(m.body);
  EXPECT_EQ(g1, (std::vector<std::string>{"g1-a", "g1-b"})) << "group order, no duplicate";
  EXPECT_EQ(g2, (std::vector<std::string>{"g2-a"}));
}

TEST_F(CapiTopicsTest, PublishBatchAnswersEntryByEntry) {
  CreateTopic("t");
  CreateQueue("q");
  Subscribe("t", SEGLOG_TOPIC_PROTOCOL_SQS, "q", true, nullptr);
  seglog_topic_publish_entry es[3];
  seglog_topic_publish_entry_init(&es[0], "one", 3);
  seglog_topic_publish_entry_init(&es[1], "", 0);  // empty: refused on its own
  seglog_topic_publish_entry_init(&es[2], "three", 5);
  const char* ids[] = {"a", "b", "c"};
  seglog_topic_publish_result rs[3];
  seglog_batch_entry_result os[3];
  ASSERT_EQ(seglog_topic_publish_batch(db_, "t", ids, es, 3, rs, os), SEGLOG_OK) << Error();
  EXPECT_EQ(os[0].code, SEGLOG_OK);
  EXPECT_EQ(os[1].code, SEGLOG_EINVAL);
  EXPECT_EQ(os[1].sender_fault, 1);
  EXPECT_NE(os[1].error_code[0], '\0');
  EXPECT_NE(os[1].message[0], '\0');
  EXPECT_EQ(os[2].code, SEGLOG_OK);
  EXPECT_EQ(std::strlen(rs[0].message_id), 36u);
  EXPECT_STRNE(rs[0].message_id, rs[2].message_id);
  EXPECT_LT(rs[0].seq, rs[2].seq);
  ASSERT_EQ(seglog_topic_wait_delivered(db_, "t", 10'000), SEGLOG_OK) << Error();
  std::vector<std::string> bodies;
  for (const Received& m : ReceiveAll("q")) bodies.push_back(m.body);
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(bodies, (std::vector<std::string>{"one", "three"}));
  // A repeated id fails the whole batch, with SNS's code, and publishes nothing.
  const char* dup[] = {"a", "a"};
  EXPECT_EQ(seglog_topic_publish_batch(db_, "t", dup, es, 2, rs, os), SEGLOG_EINVAL);
  EXPECT_NE(Error().find("BatchEntryIdsNotDistinct"), std::string::npos) << Error();
  seglog_topic_info ti;
  seglog_topic_info_init(&ti);
  ASSERT_EQ(seglog_topic_describe(db_, "t", &ti), SEGLOG_OK);
  EXPECT_EQ(ti.messages, 2u);
}

TEST_F(CapiTopicsTest, SigningCertificate) {
  CreateTopic("t");
  size_t len = 0;
  ASSERT_EQ(seglog_topic_signing_certificate(db_, nullptr, 0, &len), SEGLOG_OK) << Error();
  ASSERT_GT(len, 100u);
  std::string pem(len + 1, 'x');
  ASSERT_EQ(seglog_topic_signing_certificate(db_, pem.data(), pem.size(), &len), SEGLOG_OK);
  EXPECT_EQ(pem.substr(0, 27), "-----BEGIN CERTIFICATE-----");
  EXPECT_EQ(pem[len], '\0');
  char small[8] = "xxxxxxx";
  ASSERT_EQ(seglog_topic_signing_certificate(db_, small, sizeof small, &len), SEGLOG_OK);
  EXPECT_STREQ(small, "") << "too small: \"\", and len says how much";
}

}  // namespace
}  // namespace seglog
