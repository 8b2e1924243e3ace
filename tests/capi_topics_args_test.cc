// The C API's topics (include/seglog.h, "Topics", 0.4.0): every function's argument checks.
// Each bad input returns its code, leaves a message naming the function and the problem, and
// changes nothing (the topic's description and subscription list stay as they were).
#include <cstring>
#include <string>
#include <vector>

#include "tests/support/capi_topics_fixture.h"

namespace seglog {
namespace {

using testing::CapiTopicsTest;

class CapiTopicsArgsTest : public CapiTopicsTest {
 protected:
  void SetUp() override {
    CapiTopicsTest::SetUp();
    CreateTopic("t");
    CreateQueue("q");
    sub_ = Subscribe("t", SEGLOG_TOPIC_PROTOCOL_SQS, "q", false, nullptr);
  }
  // `rc` is `want` and the message starts with "fn: " and holds `needle`.
  void ExpectErr(int rc, int want, const char* fn, const char* needle) {
    EXPECT_EQ(rc, want) << Error();
    EXPECT_EQ(Error().rfind(std::string(fn) + ": ", 0), 0u) << Error();
    EXPECT_NE(Error().find(needle), std::string::npos) << Error() << " lacks " << needle;
  }
  // Nothing changed: one topic, one subscription, no message.
  void ExpectUnchanged() {
    EXPECT_EQ(TopicNames(), std::vector<std::string>{"t"});
    seglog_topic_info info;
    seglog_topic_info_init(&info);
    ASSERT_EQ(seglog_topic_describe(db_, "t", &info), SEGLOG_OK) << Error();
    EXPECT_EQ(info.subscriptions, 1u);
    EXPECT_EQ(info.messages, 0u);
    EXPECT_STREQ(info.display_name, "");
  }
  std::string sub_;
};

TEST_F(CapiTopicsArgsTest, TopicAdmin) {
  seglog_topic_config cfg;
  seglog_topic_config_init(&cfg);
  ExpectErr(seglog_topic_create(nullptr, "x", &cfg, nullptr, nullptr, 0), SEGLOG_EINVAL,
            "seglog_topic_create", "db is NULL");
  ExpectErr(seglog_topic_create(db_, nullptr, &cfg, nullptr, nullptr, 0), SEGLOG_EINVAL,
            "seglog_topic_create", "topic is NULL");
  ExpectErr(seglog_topic_create(db_, "", &cfg, nullptr, nullptr, 0), SEGLOG_EINVAL,
            "seglog_topic_create", "empty");
  const std::string long_name(257, 'a');
  ExpectErr(seglog_topic_create(db_, long_name.c_str(), &cfg, nullptr, nullptr, 0),
            SEGLOG_EINVAL, "seglog_topic_create", "at most 256");
  EXPECT_EQ(seglog_topic_create(db_, "bad/name", &cfg, nullptr, nullptr, 0), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_create(db_, "x.fifo", &cfg, nullptr, nullptr, 0), SEGLOG_EINVAL)
      << "a standard topic named .fifo";
  seglog_topic_config bad = cfg;
  bad.struct_size = 0;
  ExpectErr(seglog_topic_create(db_, "x", &bad, nullptr, nullptr, 0), SEGLOG_EINVAL,
            "seglog_topic_create", "seglog_topic_config_init");
  bad = cfg;
  bad.struct_size = sizeof cfg - 1;
  EXPECT_EQ(seglog_topic_create(db_, "x", &bad, nullptr, nullptr, 0), SEGLOG_EINVAL);
  bad = cfg;
  bad.type = 7;
  ExpectErr(seglog_topic_create(db_, "x", &bad, nullptr, nullptr, 0), SEGLOG_EINVAL,
            "seglog_topic_create", "unknown topic type 7");
  bad = cfg;
  bad.content_based_dedup = 2;
  EXPECT_EQ(seglog_topic_create(db_, "x", &bad, nullptr, nullptr, 0), SEGLOG_EINVAL);
  bad = cfg;
  bad.content_based_dedup = 1;  // on a standard topic
  EXPECT_EQ(seglog_topic_create(db_, "x", &bad, nullptr, nullptr, 0), SEGLOG_EINVAL);
  bad = cfg;
  bad.durability = 9;
  EXPECT_EQ(seglog_topic_create(db_, "x", &bad, nullptr, nullptr, 0), SEGLOG_EINVAL);
  bad = cfg;
  bad.limits = 5;
  EXPECT_EQ(seglog_topic_create(db_, "x", &bad, nullptr, nullptr, 0), SEGLOG_EINVAL);
  bad = cfg;
  bad.signature_version = 3;
  EXPECT_EQ(seglog_topic_create(db_, "x", &bad, nullptr, nullptr, 0), SEGLOG_EINVAL);
  bad = cfg;
  bad.retention_s = 59;
  EXPECT_EQ(seglog_topic_create(db_, "x", &bad, nullptr, nullptr, 0), SEGLOG_EINVAL);
  // A larger struct from a newer header: a non-zero unknown byte is ENOTSUP, zeros are fine.
  struct Newer {
    seglog_topic_config c;
    uint64_t extra;
  } newer{};
  seglog_topic_config_init(&newer.c);
  newer.c.struct_size = sizeof newer;
  newer.extra = 1;
  EXPECT_EQ(seglog_topic_create(db_, "x", &newer.c, nullptr, nullptr, 0), SEGLOG_ENOTSUP);
  const char* k[] = {"a", "a"};
  const char* v[] = {"1", "2"};
  ExpectErr(seglog_topic_create(db_, "x", &cfg, k, v, 2), SEGLOG_EINVAL, "seglog_topic_create",
            "given twice");
  ExpectErr(seglog_topic_create(db_, "x", &cfg, nullptr, v, 1), SEGLOG_EINVAL,
            "seglog_topic_create", "keys is NULL");
  ExpectUnchanged();

  ExpectErr(seglog_topic_delete(db_, nullptr), SEGLOG_EINVAL, "seglog_topic_delete", "NULL");
  EXPECT_EQ(seglog_topic_delete(db_, "nope"), SEGLOG_ENOTFOUND);

  cfg.display_name = "changed";
  ExpectErr(seglog_topic_set_attributes(db_, "t", &cfg, 0), SEGLOG_EINVAL,
            "seglog_topic_set_attributes", "SEGLOG_TOPIC_FIELD_");
  EXPECT_EQ(seglog_topic_set_attributes(db_, "t", &cfg, SEGLOG_TOPIC_FIELDS_ALL + 1),
            SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_set_attributes(db_, "t", nullptr, SEGLOG_TOPIC_FIELD_DISPLAY_NAME),
            SEGLOG_EINVAL);
  cfg.type = 3;
  EXPECT_EQ(seglog_topic_set_attributes(db_, "t", &cfg, SEGLOG_TOPIC_FIELD_DISPLAY_NAME),
            SEGLOG_EINVAL) << "every enum must be valid";
  EXPECT_EQ(seglog_topic_set_attributes(db_, "nope", &cfg, SEGLOG_TOPIC_FIELD_DISPLAY_NAME),
            SEGLOG_EINVAL);
  ExpectUnchanged();

  seglog_topic_info info;
  seglog_topic_info_init(&info);
  EXPECT_EQ(seglog_topic_describe(db_, "t", nullptr), SEGLOG_EINVAL);
  info.struct_size = 3;
  EXPECT_EQ(seglog_topic_describe(db_, "t", &info), SEGLOG_EINVAL);
  seglog_topic_info_init(&info);
  EXPECT_EQ(seglog_topic_describe(db_, "nope", &info), SEGLOG_ENOTFOUND);
}

TEST_F(CapiTopicsArgsTest, ListsAndTags) {
  seglog_topic_name names[4];
  size_t n = 77;
  char token[SEGLOG_TOPIC_LIST_TOKEN_MAX];
  ExpectErr(seglog_topic_list(db_, 0, nullptr, names, 4, &n, token, sizeof token), SEGLOG_EINVAL,
            "seglog_topic_list", "max_results is 0");
  EXPECT_EQ(seglog_topic_list(db_, 1001, nullptr, names, 2000, &n, token, sizeof token),
            SEGLOG_EINVAL);
  ExpectErr(seglog_topic_list(db_, 4, nullptr, names, 3, &n, token, sizeof token), SEGLOG_EINVAL,
            "seglog_topic_list", "below max_results");
  ExpectErr(seglog_topic_list(db_, 4, nullptr, names, 4, &n, token, 10), SEGLOG_EINVAL,
            "seglog_topic_list", "SEGLOG_TOPIC_LIST_TOKEN_MAX");
  EXPECT_EQ(seglog_topic_list(db_, 4, nullptr, nullptr, 4, &n, token, sizeof token),
            SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_list(db_, 4, nullptr, names, 4, nullptr, token, sizeof token),
            SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_list(db_, 4, nullptr, names, 4, &n, nullptr, sizeof token),
            SEGLOG_EINVAL);
  EXPECT_EQ(n, 77u) << "untouched on failure";

  seglog_topic_subscription_entry e[2];
  EXPECT_EQ(seglog_topic_list_subscriptions(db_, "t", 0, nullptr, e, 2, &n, token, sizeof token),
            SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_list_subscriptions(db_, "t", 2, nullptr, e, 1, &n, token, sizeof token),
            SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_list_subscriptions(nullptr, "t", 2, nullptr, e, 2, &n, token,
                                            sizeof token),
            SEGLOG_EINVAL);

  const char* k[] = {"a"};
  const char* v[] = {"b"};
  ExpectErr(seglog_topic_tag(db_, "t", k, v, 0), SEGLOG_EINVAL, "seglog_topic_tag", "n is 0");
  EXPECT_EQ(seglog_topic_tag(db_, "t", nullptr, v, 1), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_tag(db_, "t", k, nullptr, 1), SEGLOG_EINVAL);
  ExpectErr(seglog_topic_tag(db_, "t", k, v, 51), SEGLOG_EINVAL, "seglog_topic_tag",
            "a topic has at most 50");
  const char* null_key[] = {nullptr};
  EXPECT_EQ(seglog_topic_untag(db_, "t", null_key, 1), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_untag(db_, "t", k, 0), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_list_tags(db_, "t", nullptr, 1, &n), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_list_tags(db_, "t", nullptr, 0, nullptr), SEGLOG_EINVAL);
  ASSERT_EQ(seglog_topic_list_tags(db_, "t", nullptr, 0, &n), SEGLOG_OK) << "count only";
  EXPECT_EQ(n, 0u);
}

TEST_F(CapiTopicsArgsTest, Subscriptions) {
  seglog_topic_subscription_config sc;
  seglog_topic_subscription_config_init(&sc);
  sc.endpoint = "q2";
  char id[SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX + 1];
  ExpectErr(seglog_topic_subscribe(db_, "t", nullptr, id, sizeof id), SEGLOG_EINVAL,
            "seglog_topic_subscribe", "cfg is NULL");
  ExpectErr(seglog_topic_subscribe(db_, "t", &sc, id, 36), SEGLOG_EINVAL,
            "seglog_topic_subscribe", "id_cap");
  EXPECT_EQ(seglog_topic_subscribe(db_, "t", &sc, nullptr, sizeof id), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_subscribe(db_, "t", &sc, id, sizeof id), SEGLOG_ENOTFOUND)
      << "no queue q2";
  CreateQueue("q2");
  seglog_topic_subscription_config bad = sc;
  bad.endpoint = nullptr;
  ExpectErr(seglog_topic_subscribe(db_, "t", &bad, id, sizeof id), SEGLOG_EINVAL,
            "seglog_topic_subscribe", "endpoint is NULL");
  bad = sc;
  bad.protocol = 2;
  ExpectErr(seglog_topic_subscribe(db_, "t", &bad, id, sizeof id), SEGLOG_EINVAL,
            "seglog_topic_subscribe", "unknown protocol 2");
  bad = sc;
  bad.filter_scope = 2;
  EXPECT_EQ(seglog_topic_subscribe(db_, "t", &bad, id, sizeof id), SEGLOG_EINVAL);
  bad = sc;
  bad.raw_delivery = 5;
  EXPECT_EQ(seglog_topic_subscribe(db_, "t", &bad, id, sizeof id), SEGLOG_EINVAL);
  bad = sc;
  bad.struct_size = 1;
  EXPECT_EQ(seglog_topic_subscribe(db_, "t", &bad, id, sizeof id), SEGLOG_EINVAL);
  bad = sc;
  bad.filter_policy = R"({"price": [{"numeric": ["=", "x"]}]})";
  ExpectErr(seglog_topic_subscribe(db_, "t", &bad, id, sizeof id), SEGLOG_EINVAL,
            "seglog_topic_subscribe", "price");
  bad = sc;
  bad.filter_policy = "not json";
  EXPECT_EQ(seglog_topic_subscribe(db_, "t", &bad, id, sizeof id), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_subscribe(db_, "nope", &sc, id, sizeof id), SEGLOG_ENOTFOUND);
  ExpectUnchanged();

  ExpectErr(seglog_topic_unsubscribe(db_, nullptr), SEGLOG_EINVAL, "seglog_topic_unsubscribe",
            "subscription_id is NULL");
  EXPECT_EQ(seglog_topic_unsubscribe(db_, ""), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_unsubscribe(db_, "00000000-0000-0000-0000-000000000000"),
            SEGLOG_ENOTFOUND);

  seglog_topic_subscription_info info;
  seglog_topic_subscription_info_init(&info);
  EXPECT_EQ(seglog_topic_get_subscription(db_, sub_.c_str(), nullptr, nullptr, 0),
            SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_get_subscription(db_, sub_.c_str(), &info, nullptr, 8), SEGLOG_EINVAL);
  info.struct_size = 8;
  EXPECT_EQ(seglog_topic_get_subscription(db_, sub_.c_str(), &info, nullptr, 0), SEGLOG_EINVAL);

  seglog_topic_subscription_config_init(&sc);
  sc.filter_policy = "[1]";
  EXPECT_EQ(seglog_topic_set_subscription_attributes(db_, sub_.c_str(), &sc, 0), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_set_subscription_attributes(db_, sub_.c_str(), &sc, 1u << 4),
            SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_set_subscription_attributes(db_, sub_.c_str(), nullptr,
                                                     SEGLOG_SUBSCRIPTION_FIELD_RAW_DELIVERY),
            SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_set_subscription_attributes(db_, sub_.c_str(), &sc,
                                                     SEGLOG_SUBSCRIPTION_FIELD_FILTER_POLICY),
            SEGLOG_EINVAL)
      << "not a JSON object";
  seglog_topic_subscription_info_init(&info);
  ASSERT_EQ(seglog_topic_get_subscription(db_, sub_.c_str(), &info, nullptr, 0), SEGLOG_OK);
  EXPECT_EQ(info.filter_policy_len, 0u) << "unchanged";

  EXPECT_EQ(seglog_topic_register_callback(db_, "cb", nullptr, nullptr), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_register_callback(db_, nullptr, nullptr, nullptr), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_register_callback(db_, "bad name!",
                                           [](const seglog_topic_delivery*, void*) { return 0; },
                                           nullptr),
            SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_unregister_callback(db_, "never"), SEGLOG_ENOTFOUND);
  EXPECT_EQ(seglog_topic_unregister_callback(nullptr, "never"), SEGLOG_EINVAL);
}

TEST_F(CapiTopicsArgsTest, Publishing) {
  seglog_topic_publish_entry e;
  seglog_topic_publish_entry_init(&e, "m", 1);
  ExpectErr(seglog_topic_publish(db_, "t", nullptr, nullptr), SEGLOG_EINVAL,
            "seglog_topic_publish", "e is NULL");
  seglog_topic_publish_entry bad = e;
  bad.message = nullptr;
  ExpectErr(seglog_topic_publish(db_, "t", &bad, nullptr), SEGLOG_EINVAL,
            "seglog_topic_publish", "message is NULL");
  bad = e;
  bad.message_len = 0;
  EXPECT_EQ(seglog_topic_publish(db_, "t", &bad, nullptr), SEGLOG_EINVAL) << "empty";
  bad = e;
  bad.n_attrs = 2;
  ExpectErr(seglog_topic_publish(db_, "t", &bad, nullptr), SEGLOG_EINVAL,
            "seglog_topic_publish", "attrs is NULL");
  seglog_queue_attr_v2 a{"k", "Bogus", "v", 1};
  bad = e;
  bad.attrs = &a;
  bad.n_attrs = 1;
  EXPECT_EQ(seglog_topic_publish(db_, "t", &bad, nullptr), SEGLOG_EINVAL) << "a bad DataType";
  a = seglog_queue_attr_v2{"k", nullptr, "v", 1};
  ExpectErr(seglog_topic_publish(db_, "t", &bad, nullptr), SEGLOG_EINVAL,
            "seglog_topic_publish", "data_type is NULL");
  bad.n_attrs = size_t{1} << 40;
  EXPECT_EQ(seglog_topic_publish(db_, "t", &bad, nullptr), SEGLOG_ETOOLARGE)
      << "refused before reading the array";
  bad = e;
  bad.json_structure = 2;
  EXPECT_EQ(seglog_topic_publish(db_, "t", &bad, nullptr), SEGLOG_EINVAL);
  bad.json_structure = 1;  // "m" is no JSON object with "default"
  EXPECT_EQ(seglog_topic_publish(db_, "t", &bad, nullptr), SEGLOG_EINVAL);
  bad = e;
  bad.subject = " starts with a space";
  EXPECT_EQ(seglog_topic_publish(db_, "t", &bad, nullptr), SEGLOG_EINVAL);
  bad = e;
  bad.dedup_id = "d";  // on a standard topic
  EXPECT_EQ(seglog_topic_publish(db_, "t", &bad, nullptr), SEGLOG_EINVAL);
  const std::string big(SEGLOG_TOPIC_MAX_MESSAGE_BYTES + 1, 'x');
  seglog_topic_publish_entry_init(&bad, big.data(), big.size());
  EXPECT_EQ(seglog_topic_publish(db_, "t", &bad, nullptr), SEGLOG_ETOOLARGE);
  EXPECT_EQ(seglog_topic_publish(db_, "nope", &e, nullptr), SEGLOG_ENOTFOUND);

  const char* ids[] = {"a", "b"};
  seglog_topic_publish_entry es[2] = {e, e};
  seglog_topic_publish_result rs[2];
  seglog_batch_entry_result os[2];
  std::memset(os, 0x5a, sizeof os);
  ExpectErr(seglog_topic_publish_batch(db_, "t", ids, es, 0, rs, os), SEGLOG_EINVAL,
            "seglog_topic_publish_batch", "EmptyBatchRequest");
  ExpectErr(seglog_topic_publish_batch(db_, "t", ids, es, 11, rs, os), SEGLOG_EINVAL,
            "seglog_topic_publish_batch", "TooManyEntriesInBatchRequest");
  EXPECT_EQ(seglog_topic_publish_batch(db_, "t", nullptr, es, 2, rs, os), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_publish_batch(db_, "t", ids, nullptr, 2, rs, os), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_publish_batch(db_, "t", ids, es, 2, nullptr, os), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_publish_batch(db_, "t", ids, es, 2, rs, nullptr), SEGLOG_EINVAL);
  const char* bad_ids[] = {"a", "no spaces"};
  ExpectErr(seglog_topic_publish_batch(db_, "t", bad_ids, es, 2, rs, os), SEGLOG_EINVAL,
            "seglog_topic_publish_batch", "InvalidBatchEntryId");
  es[1].message = nullptr;
  ExpectErr(seglog_topic_publish_batch(db_, "t", ids, es, 2, rs, os), SEGLOG_EINVAL,
            "seglog_topic_publish_batch", "entry 'b'");
  EXPECT_EQ(os[0].code, 0x5a5a5a5a) << "outcomes untouched by a batch-level failure";
  ExpectUnchanged();

  ExpectErr(seglog_topic_wait_delivered(db_, "t", -1), SEGLOG_EINVAL,
            "seglog_topic_wait_delivered", "timeout_ms");
  EXPECT_EQ(seglog_topic_wait_delivered(db_, "nope", 0), SEGLOG_ENOTFOUND);
  EXPECT_EQ(seglog_topic_wait_delivered(db_, "t", 0), SEGLOG_OK) << "nothing to deliver";
  size_t len = 0;
  EXPECT_EQ(seglog_topic_signing_certificate(db_, nullptr, 0, nullptr), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_topic_signing_certificate(db_, nullptr, 5, &len), SEGLOG_EINVAL);
}

// A handle whose Topics is missing (assembled by a test from older rooms) answers, never
// crashes; the *_init functions take NULL.
TEST_F(CapiTopicsArgsTest, NoTopicsAndNullInits) {
  std::unique_ptr<Topics> saved = std::move(db_->topics);
  EXPECT_EQ(seglog_topic_delete(db_, "t"), SEGLOG_ENOTSUP);
  EXPECT_EQ(seglog_topic_publish(db_, "t", nullptr, nullptr), SEGLOG_ENOTSUP);
  db_->topics = std::move(saved);
  seglog_topic_config_init(nullptr);
  seglog_topic_info_init(nullptr);
  seglog_topic_subscription_config_init(nullptr);
  seglog_topic_subscription_info_init(nullptr);
  seglog_topic_publish_entry_init(nullptr, "x", 1);
  ExpectUnchanged();
}

}  // namespace
}  // namespace seglog
