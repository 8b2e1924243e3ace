// Topics (engine/topics/topics.h): the calls' rules and errors - topics, attributes, tags,
// subscriptions, publishing. Fan-out is in topic_fanout_test.cc, callbacks in
// topic_callback_test.cc, the formats in topic_format_test.cc.
#include "tests/topic_fixture.h"

namespace seglog::testing {
namespace {

TEST(TopicConfigTest, NamesAndSettings) {
  TopicConfig c;
  EXPECT_OK(c.Validate("orders_1-a"));
  EXPECT_FALSE(c.Validate("").ok());
  EXPECT_FALSE(c.Validate("a.b").ok());
  EXPECT_FALSE(c.Validate("x.fifo").ok());  // standard topics do not end in .fifo
  EXPECT_OK(c.Validate(std::string(256, 'a')));
  EXPECT_FALSE(c.Validate(std::string(257, 'a')).ok());
  c.type = TopicType::kFifo;
  EXPECT_OK(c.Validate("x.fifo"));
  EXPECT_FALSE(c.Validate("x").ok());
  EXPECT_FALSE(c.Validate(".fifo").ok());
  EXPECT_OK(c.Validate(std::string(251, 'a') + ".fifo"));
  EXPECT_FALSE(c.Validate(std::string(252, 'a') + ".fifo").ok());
  c.content_based_dedup = true;
  EXPECT_OK(c.Validate("x.fifo"));
  c.type = TopicType::kStandard;
  EXPECT_FALSE(c.Validate("x").ok());  // content-based dedup is FIFO's
  c.content_based_dedup = false;
  c.signature_version = 3;
  EXPECT_FALSE(c.Validate("x").ok());
  c.signature_version = 2;
  c.retention_s = 59;
  EXPECT_FALSE(c.Validate("x").ok());
  c.retention_s = 60;
  c.display_name = std::string(101, 'd');
  EXPECT_FALSE(c.Validate("x").ok());
}

using TopicsApiTest = TopicsTest;

TEST_F(TopicsApiTest, CreateIsIdempotentAndComparesSettings) {
  CreateTopic("t");
  EXPECT_OK(topics_->Create("t", Config()));
  TopicConfig other = Config();
  other.display_name = "other";
  const Status s = topics_->Create("t", other);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_NE(s.ToString().find("DisplayName"), std::string::npos);
  EXPECT_OK(topics_->Create("t", other, TopicFieldBit(TopicField::kRetention)));
  EXPECT_EQ(topics_->Create("bad name", Config()).code(), StatusCode::kInvalidArgument);
  TopicDescription d;
  ASSERT_OK(topics_->Describe("t", &d));
  EXPECT_EQ(d.name, "t");
  EXPECT_EQ(d.subscriptions, 0u);
  EXPECT_EQ(d.messages, 0u);
  EXPECT_EQ(d.created_ms, clock_.NowMs().value());
  EXPECT_EQ(topics_->Describe("nope", &d).code(), StatusCode::kNotFound);
  std::string pem;
  ASSERT_OK(topics_->SigningCertificate(&pem));
  EXPECT_NE(pem.find("BEGIN CERTIFICATE"), std::string::npos);
}

TEST_F(TopicsApiTest, ListPagesAndDelete) {
  for (const char* n : {"c", "a", "e", "b", "d"}) CreateTopic(n);
  std::vector<std::string> names, all;
  std::string token;
  do {
    ASSERT_OK(topics_->List(token, 2, &names, &token));
    EXPECT_LE(names.size(), 2u);
    all.insert(all.end(), names.begin(), names.end());
  } while (!token.empty());
  EXPECT_EQ(all, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(topics_->List("", 0, &names, &token).code(), StatusCode::kInvalidArgument);
  ASSERT_OK(topics_->Delete("c"));
  EXPECT_EQ(topics_->Delete("c").code(), StatusCode::kNotFound);
  Reopen();
  ASSERT_OK(topics_->List("", 100, &names, &token));
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "d", "e"}));
}

TEST_F(TopicsApiTest, SetAttributesChangesOnlyWhatMayChange) {
  CreateTopic("t");
  TopicConfig c = Config();
  c.display_name = "Shown";
  c.retention_s = 600;
  ASSERT_OK(topics_->SetAttributes(
      "t", c, TopicFieldBit(TopicField::kDisplayName) | TopicFieldBit(TopicField::kRetention)));
  c.type = TopicType::kFifo;
  EXPECT_EQ(topics_->SetAttributes("t", c, TopicFieldBit(TopicField::kType)).code(),
            StatusCode::kInvalidArgument);
  c = Config();
  c.content_based_dedup = true;  // standard topic: refused
  EXPECT_EQ(topics_->SetAttributes("t", c, TopicFieldBit(TopicField::kContentBasedDedup)).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(topics_->SetAttributes("t", c, 0).code(), StatusCode::kInvalidArgument);
  Reopen();
  TopicDescription d;
  ASSERT_OK(topics_->Describe("t", &d));
  EXPECT_EQ(d.config.display_name, "Shown");
  EXPECT_EQ(d.config.retention_s, 600u);
  EXPECT_FALSE(d.config.content_based_dedup);
}

TEST_F(TopicsApiTest, Tags) {
  ASSERT_OK(topics_->Create("t", Config(), kAllTopicFields, {{"team", "a"}}));
  ASSERT_OK(topics_->Tag("t", {{"env", "prod"}, {"team", "b"}}));
  EXPECT_EQ(topics_->Tag("t", {{"aws:x", "1"}}).code(), StatusCode::kInvalidArgument);
  const std::string gone[] = {"env", "unknown"};
  ASSERT_OK(topics_->Untag("t", gone));
  Reopen();
  TopicTags tags;
  ASSERT_OK(topics_->ListTags("t", &tags));
  EXPECT_EQ(tags, (TopicTags{{"team", "b"}}));
  EXPECT_EQ(topics_->ListTags("nope", &tags).code(), StatusCode::kNotFound);
}

TEST_F(TopicsApiTest, SubscribeRules) {
  CreateTopic("t");
  CreateTopic("f.fifo", true);
  CreateQueue("q");
  CreateQueue("qf.fifo", true);
  std::string id;
  SubscriptionConfig c;
  c.endpoint = "missing";
  EXPECT_EQ(topics_->Subscribe("t", c, &id).code(), StatusCode::kNotFound);
  EXPECT_EQ(topics_->Subscribe("nope", c, &id).code(), StatusCode::kNotFound);
  c.endpoint = "qf.fifo";  // a standard topic delivers to standard queues only
  EXPECT_EQ(topics_->Subscribe("t", c, &id).code(), StatusCode::kInvalidArgument);
  EXPECT_OK(topics_->Subscribe("f.fifo", c, &id));
  c.endpoint = "q";  // a FIFO topic takes standard queues too
  EXPECT_OK(topics_->Subscribe("f.fifo", c, &id));
  c.protocol = SubscriptionProtocol::kCallback;
  c.endpoint = "cb";
  EXPECT_EQ(topics_->Subscribe("f.fifo", c, &id).code(), StatusCode::kInvalidArgument);
  c.endpoint = "bad name";
  EXPECT_EQ(topics_->Subscribe("t", c, &id).code(), StatusCode::kInvalidArgument);
  // The same endpoint again: the same id while the settings agree.
  const std::string a = Subscribe("t", "q", true);
  EXPECT_EQ(Subscribe("t", "q", true), a);
  c = SubscriptionConfig{};
  c.endpoint = "q";
  c.raw_delivery = false;
  EXPECT_EQ(topics_->Subscribe("t", c, &id).code(), StatusCode::kAlreadyExists);
  // A policy is compiled at subscribe: its error names the key.
  CreateQueue("q2");
  c.endpoint = "q2";
  c.filter_policy = R"({"price": [{"numeric": ["=", "x"]}]})";
  const Status s = topics_->Subscribe("t", c, &id);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.ToString().find("price"), std::string::npos) << s.ToString();
  c.filter_policy = "";
  c.redrive_queue = "missing";
  EXPECT_EQ(topics_->Subscribe("t", c, &id).code(), StatusCode::kNotFound);
  c.redrive_queue = "qf.fifo";  // a standard topic's DLQ is a standard queue
  EXPECT_EQ(topics_->Subscribe("t", c, &id).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(topics_->Unsubscribe("no-such-id").code(), StatusCode::kNotFound);
  ASSERT_OK(topics_->Unsubscribe(a));
  EXPECT_EQ(topics_->Unsubscribe(a).code(), StatusCode::kNotFound);
}

TEST_F(TopicsApiTest, ListGetAndSetSubscriptions) {
  CreateTopic("a");
  CreateTopic("b");
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    CreateQueue("q" + std::to_string(i));
    ids.push_back(Subscribe(i == 0 ? "b" : "a", "q" + std::to_string(i)));
  }
  std::vector<SubscriptionInfo> page, all;
  std::string token;
  do {
    ASSERT_OK(topics_->ListSubscriptions("", token, 1, &page, &token));
    all.insert(all.end(), page.begin(), page.end());
  } while (!token.empty());
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].topic, "b");
  EXPECT_LT(all[0].id, all[1].id);
  ASSERT_OK(topics_->ListSubscriptions("b", "", 10, &page, &token));
  ASSERT_EQ(page.size(), 1u);
  EXPECT_EQ(page[0].id, ids[0]);
  SubscriptionConfig c;
  c.raw_delivery = false;
  c.filter_policy = R"({"color": ["red"]})";
  ASSERT_OK(topics_->SetSubscriptionAttributes(
      ids[1], c,
      SubscriptionFieldBit(SubscriptionField::kRawDelivery) |
          SubscriptionFieldBit(SubscriptionField::kFilterPolicy)));
  c.filter_policy = "{";
  EXPECT_EQ(topics_->SetSubscriptionAttributes(
                ids[1], c, SubscriptionFieldBit(SubscriptionField::kFilterPolicy)).code(),
            StatusCode::kInvalidArgument);
  Reopen();
  SubscriptionInfo info;
  ASSERT_OK(topics_->GetSubscription(ids[1], &info));
  EXPECT_EQ(info.topic, "a");
  EXPECT_EQ(info.config.endpoint, "q1");
  EXPECT_FALSE(info.config.raw_delivery);
  EXPECT_EQ(info.config.filter_policy, R"({"color": ["red"]})");
  TopicDescription d;
  ASSERT_OK(topics_->Describe("a", &d));
  EXPECT_EQ(d.subscriptions, 2u);
}

TEST_F(TopicsApiTest, PublishChecks) {
  CreateTopic("t");
  CreateTopic("f.fifo", true);
  PublishResult r;
  PublishEntry e;
  e.message = "";
  EXPECT_EQ(topics_->Publish("t", e, &r).code(), StatusCode::kInvalidArgument);
  e.message = "\xff\xfe";
  EXPECT_EQ(topics_->Publish("t", e, &r).code(), StatusCode::kInvalidArgument);
  e.message = "ok";
  e.subject = "line\nbreak";
  EXPECT_EQ(topics_->Publish("t", e, &r).code(), StatusCode::kInvalidArgument);
  const std::string long_subject(101, 's');
  e.subject = long_subject;
  EXPECT_EQ(topics_->Publish("t", e, &r).code(), StatusCode::kInvalidArgument);
  e.subject = "Fine subject";
  const format::MessageAttribute bad_number[] = {Attr("n", "abc", format::AttributeType::kNumber)};
  e.attributes = bad_number;
  EXPECT_EQ(topics_->Publish("t", e, &r).code(), StatusCode::kInvalidArgument);
  const format::MessageAttribute bad_array[] = {Attr("a", "x", format::AttributeType::kString, "Array")};
  e.attributes = bad_array;
  EXPECT_EQ(topics_->Publish("t", e, &r).code(), StatusCode::kInvalidArgument);
  e.attributes = {};
  const std::string big(kTopicMaxMessageBytes + 1, 'x');
  e.message = big;
  EXPECT_EQ(topics_->Publish("t", e, &r).code(), StatusCode::kTooLarge);
  e.message = "ok";
  e.dedup_id = "d";  // standard topics take no dedup id
  EXPECT_EQ(topics_->Publish("t", e, &r).code(), StatusCode::kInvalidArgument);
  e.dedup_id = "";
  e.group_id = "g";  // but do take a group id
  ASSERT_OK(topics_->Publish("t", e, &r));
  EXPECT_EQ(r.seq.value(), 0u);
  EXPECT_EQ(r.message_id.size(), 36u);
  EXPECT_TRUE(r.sequence_number.empty());
  e.group_id = "";
  EXPECT_EQ(topics_->Publish("f.fifo", e, &r).code(), StatusCode::kInvalidArgument);  // group
  e.group_id = "g";
  EXPECT_EQ(topics_->Publish("f.fifo", e, &r).code(), StatusCode::kInvalidArgument);  // dedup
  e.dedup_id = "d1";
  ASSERT_OK(topics_->Publish("f.fifo", e, &r));
  EXPECT_EQ(r.sequence_number.size(), 20u);
  EXPECT_EQ(topics_->Publish("nope", e, &r).code(), StatusCode::kNotFound);
  e.json_structure = true;
  e.message = "not json";
  EXPECT_EQ(topics_->Publish("f.fifo", e, &r).code(), StatusCode::kInvalidArgument);
}

TEST_F(TopicsApiTest, FifoDedupWindowSurvivesReopen) {
  CreateTopic("f.fifo", true);
  const PublishResult a = Publish("f.fifo", "m", {}, "g", "d");
  const PublishResult b = Publish("f.fifo", "other", {}, "g", "d");
  EXPECT_TRUE(b.duplicate);
  EXPECT_EQ(b.seq, a.seq);
  EXPECT_EQ(b.message_id, a.message_id);
  Reopen();
  EXPECT_TRUE(Publish("f.fifo", "m", {}, "g", "d").duplicate);
  clock_.Advance(kTopicDedupWindowMs + 1);
  EXPECT_FALSE(Publish("f.fifo", "m", {}, "g", "d").duplicate);
}

TEST_F(TopicsApiTest, PublishBatchOutcomes) {
  CreateTopic("t");
  PublishEntry es[3];
  es[0].message = "one";
  es[1].message = "";
  es[2].message = "three";
  const std::string_view ids[] = {"a", "b", "c"};
  std::vector<PublishResult> results;
  std::vector<BatchEntryOutcome> outcomes;
  ASSERT_OK(topics_->PublishBatch("t", ids, es, &results, &outcomes));
  ASSERT_EQ(outcomes.size(), 3u);
  EXPECT_TRUE(outcomes[0].ok());
  EXPECT_FALSE(outcomes[1].ok());
  EXPECT_EQ(outcomes[1].code, "InvalidParameter");
  EXPECT_TRUE(outcomes[2].ok());
  EXPECT_EQ(results[2].seq.value(), results[0].seq.value() + 1);
  const std::string_view dup_ids[] = {"a", "a", "c"};
  EXPECT_EQ(topics_->PublishBatch("t", dup_ids, es, &results, &outcomes).code(),
            StatusCode::kInvalidArgument);
  const std::string big(200'000, 'x');
  PublishEntry two[2];
  two[0].message = big;
  two[1].message = big;
  const std::string_view two_ids[] = {"a", "b"};
  const Status s = topics_->PublishBatch("t", two_ids, two, &results, &outcomes);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.ToString().find("BatchRequestTooLong"), std::string::npos);
}

}  // namespace
}  // namespace seglog::testing
