// SnsService in process over a real store: its Queues and Topics in a temp dir; every call goes
// through SnsService::Call with JSON-protocol input, as the Query codec hands it over. Checks
// SNS's answers (ARNs, attributes, error codes and HTTP statuses) and what the queues receive.
#include "server/sns/sns_service.h"

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server/protocol/query_codec.h"
#include "server/protocol/service_model.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/test_util.h"

namespace seglog::server {
namespace {

using nlohmann::json;

constexpr const char* kArn = "arn:aws:sns:us-east-1:000000000000:";
constexpr const char* kQueueArn = "arn:aws:sqs:us-east-1:000000000000:";

class SnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::OpenEngine(dir_.path(), StoreOptions{}, &store_, nullptr, &queues_).ok());
    TopicsOptions to;
    to.maintenance_interval_ms = 0;
    topics_ = std::make_unique<Topics>(store_.get(), queues_.get(), to);
    svc_ = std::make_unique<SnsService>(queues_.get());
    svc_->SetTopics(topics_.get());
  }
  void TearDown() override {
    svc_.reset();
    topics_.reset();
    testing::CloseEngine(&store_, nullptr, &queues_);
  }

  ServiceOutcome Call(const std::string& action, json input) {
    RequestContext ctx;
    ctx.host = "localhost:9324";
    ServiceOutcome got;
    int answers = 0;
    svc_->Call(ServiceCall{action, std::move(input), ctx}, [&](ServiceOutcome o) {
      got = std::move(o);
      ++answers;
    });
    EXPECT_EQ(answers, 1);
    // Every answer must encode (a service bug would throw here).
    EXPECT_NO_THROW(protocol::EncodeQueryOutcome(protocol::SnsModel(), action, got, "r"));
    return got;
  }
  json Ok(const std::string& action, json input) {
    ServiceOutcome o = Call(action, std::move(input));
    EXPECT_FALSE(o.error) << action << ": " << (o.error ? o.error->code + " " + o.error->message
                                                        : "");
    return o.output;
  }
  // The error's wire code (SNS's), status and message.
  static void ExpectError(const ServiceOutcome& o, const std::string& code, int status,
                          const std::string& in_message = "") {
    ASSERT_TRUE(o.error) << "expected " << code << ", got " << o.output.dump();
    EXPECT_EQ(protocol::SnsModel().LegacyCode(o.error->code), code) << o.error->message;
    EXPECT_EQ(o.error->http_status, status) << code;
    EXPECT_NE(o.error->message.find(in_message), std::string::npos) << o.error->message;
  }
  void MakeQueue(const std::string& name) {
    QueueConfig c;
    if (name.size() > 5 && name.substr(name.size() - 5) == ".fifo") c.type = QueueType::kFifo;
    ASSERT_TRUE(queues_->Create(name, c).ok());
  }
  std::vector<ReceivedMessage> Drain(const std::string& queue) {
    std::vector<ReceivedMessage> all;
    for (;;) {
      std::vector<ReceivedMessage> got;
      ReceiveOptions o;
      o.max_messages = 10;
      o.wait_s = 0;
      o.report = Report::kSqs;
      EXPECT_TRUE(queues_->Receive(queue, o, &got).ok());
      if (got.empty()) return all;
      for (auto& m : got) all.push_back(std::move(m));
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Queues> queues_;
  std::unique_ptr<Topics> topics_;
  std::unique_ptr<SnsService> svc_;
};

TEST_F(SnsTest, CreateTopicIsIdempotentAndChecksAttributes) {
  const json out = Ok("CreateTopic", {{"Name", "t1"}, {"Attributes", {{"DisplayName", "D"}}}});
  EXPECT_EQ(out["TopicArn"], std::string(kArn) + "t1");
  EXPECT_EQ(Ok("CreateTopic", {{"Name", "t1"}})["TopicArn"], std::string(kArn) + "t1");
  ExpectError(Call("CreateTopic", {{"Name", "t1"}, {"Attributes", {{"DisplayName", "E"}}}}),
              "InvalidParameter", 400, "already exists");
  ExpectError(Call("CreateTopic", {{"Name", "bad name"}}), "InvalidParameter", 400,
              "Topic Name");
  ExpectError(Call("CreateTopic", {{"Name", "f.fifo"}}), "InvalidParameter", 400, "Topic Name");
  ExpectError(Call("CreateTopic", {{"Name", "f"}, {"Attributes", {{"FifoTopic", "true"}}}}),
              "InvalidParameter", 400, ".fifo");
  ExpectError(Call("CreateTopic", {{"Name", "t2"}, {"Attributes", {{"Bogus", "1"}}}}),
              "InvalidParameter", 400, "AttributeName");
  ExpectError(Call("CreateTopic", {{"Name", "t2"}, {"Attributes", {{"ArchivePolicy", "{}"}}}}),
              "InvalidParameter", 400, "ArchivePolicy");
  // Nothing of the refused calls was created.
  EXPECT_EQ(Ok("ListTopics", json::object())["Topics"].size(), 1u);
}

TEST_F(SnsTest, TopicAttributes) {
  Ok("CreateTopic", {{"Name", "f.fifo"},
                     {"Attributes", {{"FifoTopic", "true"}, {"ContentBasedDeduplication", "true"},
                                     {"Policy", "{}"}}}});
  const std::string arn = std::string(kArn) + "f.fifo";
  json a = Ok("GetTopicAttributes", {{"TopicArn", arn}})["Attributes"];
  EXPECT_EQ(a["TopicArn"], arn);
  EXPECT_EQ(a["Owner"], "000000000000");
  EXPECT_EQ(a["FifoTopic"], "true");
  EXPECT_EQ(a["ContentBasedDeduplication"], "true");
  EXPECT_EQ(a["SubscriptionsConfirmed"], "0");
  EXPECT_EQ(a["SubscriptionsPending"], "0");
  const json policy = json::parse(a["Policy"].get<std::string>());
  EXPECT_EQ(policy["Statement"][0]["Resource"], arn);
  EXPECT_TRUE(json::parse(a["EffectiveDeliveryPolicy"].get<std::string>()).is_object());
  Ok("SetTopicAttributes", {{"TopicArn", arn}, {"AttributeName", "DisplayName"},
                            {"AttributeValue", "shown"}});
  Ok("SetTopicAttributes", {{"TopicArn", arn}, {"AttributeName", "SignatureVersion"},
                            {"AttributeValue", "2"}});
  a = Ok("GetTopicAttributes", {{"TopicArn", arn}})["Attributes"];
  EXPECT_EQ(a["DisplayName"], "shown");
  EXPECT_EQ(a["SignatureVersion"], "2");
  ExpectError(Call("SetTopicAttributes", {{"TopicArn", arn}, {"AttributeName", "FifoTopic"},
                                          {"AttributeValue", "false"}}),
              "InvalidParameter", 400, "AttributeName");
  ExpectError(Call("SetTopicAttributes", {{"TopicArn", arn}, {"AttributeName", "SignatureVersion"},
                                          {"AttributeValue", "3"}}),
              "InvalidParameter", 400, "SignatureVersion");
  ExpectError(Call("GetTopicAttributes", {{"TopicArn", std::string(kArn) + "nope"}}), "NotFound",
              404, "Topic does not exist");
  ExpectError(Call("GetTopicAttributes", {{"TopicArn", "arn:aws:sns:us-east-1:111111111111:f"}}),
              "AuthorizationError", 403);
  ExpectError(Call("GetTopicAttributes", {{"TopicArn", "not-an-arn"}}), "InvalidParameter", 400,
              "TopicArn");
  // DeleteTopic of a missing topic succeeds, as SNS's.
  Ok("DeleteTopic", {{"TopicArn", arn}});
  Ok("DeleteTopic", {{"TopicArn", arn}});
  ExpectError(Call("GetTopicAttributes", {{"TopicArn", arn}}), "NotFound", 404);
}

TEST_F(SnsTest, TagsAndListPages) {
  for (int i = 0; i < 105; ++i) Ok("CreateTopic", {{"Name", "t" + std::to_string(1000 + i)}});
  json page = Ok("ListTopics", json::object());
  ASSERT_EQ(page["Topics"].size(), 100u);
  ASSERT_TRUE(page.contains("NextToken"));
  page = Ok("ListTopics", {{"NextToken", page["NextToken"]}});
  EXPECT_EQ(page["Topics"].size(), 5u);
  EXPECT_FALSE(page.contains("NextToken"));
  EXPECT_EQ(page["Topics"][4]["TopicArn"], std::string(kArn) + "t1104");
  const std::string arn = std::string(kArn) + "t1000";
  Ok("TagResource", {{"ResourceArn", arn},
                     {"Tags", json::array({{{"Key", "a"}, {"Value", "1"}},
                                           {{"Key", "b"}, {"Value", ""}}})}});
  Ok("UntagResource", {{"ResourceArn", arn}, {"TagKeys", json::array({"a"})}});
  EXPECT_EQ(Ok("ListTagsForResource", {{"ResourceArn", arn}})["Tags"],
            json::parse(R"([{"Key": "b", "Value": ""}])"));
  ExpectError(Call("ListTagsForResource", {{"ResourceArn", std::string(kArn) + "none"}}),
              "ResourceNotFound", 404);
  json many = json::array();
  for (int i = 0; i < 51; ++i) many.push_back({{"Key", "k" + std::to_string(i)}, {"Value", "v"}});
  ExpectError(Call("TagResource", {{"ResourceArn", arn}, {"Tags", many}}), "TagLimitExceeded",
              400);
}

TEST_F(SnsTest, SubscriptionsAndTheirAttributes) {
  Ok("CreateTopic", {{"Name", "t"}});
  MakeQueue("q1");
  MakeQueue("dlq");
  const std::string topic = std::string(kArn) + "t";
  const json sub = Ok("Subscribe", {{"TopicArn", topic}, {"Protocol", "sqs"},
                                    {"Endpoint", std::string(kQueueArn) + "q1"},
                                    {"Attributes", {{"RawMessageDelivery", "true"},
                                                    {"FilterPolicy", R"({"color": ["red"]})"}}}});
  const std::string sarn = sub["SubscriptionArn"];
  ASSERT_EQ(sarn.rfind(topic + ":", 0), 0u) << sarn;
  EXPECT_EQ(sarn.size(), topic.size() + 1 + 36);  // ":" + a UUID
  json a = Ok("GetSubscriptionAttributes", {{"SubscriptionArn", sarn}})["Attributes"];
  EXPECT_EQ(a["SubscriptionArn"], sarn);
  EXPECT_EQ(a["TopicArn"], topic);
  EXPECT_EQ(a["Protocol"], "sqs");
  EXPECT_EQ(a["Endpoint"], std::string(kQueueArn) + "q1");
  EXPECT_EQ(a["PendingConfirmation"], "false");
  EXPECT_EQ(a["RawMessageDelivery"], "true");
  EXPECT_EQ(json::parse(a["FilterPolicy"].get<std::string>()), json::parse(R"({"color": ["red"]})"));
  EXPECT_EQ(a["FilterPolicyScope"], "MessageAttributes");
  EXPECT_FALSE(a.contains("RedrivePolicy"));
  const std::string redrive = json{{"deadLetterTargetArn", std::string(kQueueArn) + "dlq"}}.dump();
  Ok("SetSubscriptionAttributes",
     {{"SubscriptionArn", sarn}, {"AttributeName", "RedrivePolicy"}, {"AttributeValue", redrive}});
  Ok("SetSubscriptionAttributes", {{"SubscriptionArn", sarn}, {"AttributeName", "FilterPolicy"},
                                   {"AttributeValue", ""}});
  a = Ok("GetSubscriptionAttributes", {{"SubscriptionArn", sarn}})["Attributes"];
  EXPECT_EQ(json::parse(a["RedrivePolicy"].get<std::string>())["deadLetterTargetArn"],
            std::string(kQueueArn) + "dlq");
  EXPECT_FALSE(a.contains("FilterPolicy"));
  const json list = Ok("ListSubscriptionsByTopic", {{"TopicArn", topic}})["Subscriptions"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["SubscriptionArn"], sarn);
  EXPECT_EQ(Ok("ListSubscriptions", json::object())["Subscriptions"], list);
  EXPECT_EQ(Ok("GetTopicAttributes", {{"TopicArn", topic}})["Attributes"]["SubscriptionsConfirmed"],
            "1");
  // Refusals.
  ExpectError(Call("Subscribe", {{"TopicArn", topic}, {"Protocol", "http"},
                                 {"Endpoint", "http://x/"}}),
              "InvalidParameter", 400, "http");
  ExpectError(Call("Subscribe", {{"TopicArn", topic}, {"Protocol", "sqs"},
                                 {"Endpoint", "arn:aws:sqs:eu-west-1:000000000000:q1"}}),
              "InvalidParameter", 400, "SQS endpoint");
  ExpectError(Call("Subscribe", {{"TopicArn", topic}, {"Protocol", "sqs"},
                                 {"Endpoint", std::string(kQueueArn) + "q1"},
                                 {"Attributes", {{"FilterPolicy", R"({"price": [{"numeric": ["=", "x"]}]})"}}}}),
              "InvalidParameter", 400, "price");
  ExpectError(Call("Subscribe", {{"TopicArn", std::string(kArn) + "none"}, {"Protocol", "sqs"},
                                 {"Endpoint", std::string(kQueueArn) + "q1"}}),
              "NotFound", 404);
  ExpectError(Call("ConfirmSubscription", {{"TopicArn", topic}, {"Token", "x"}}),
              "InvalidParameter", 400, "Token");
  Ok("Unsubscribe", {{"SubscriptionArn", sarn}});
  ExpectError(Call("GetSubscriptionAttributes", {{"SubscriptionArn", sarn}}), "NotFound", 404,
              "Subscription does not exist");
  ExpectError(Call("Unsubscribe", {{"SubscriptionArn", sarn}}), "NotFound", 404);
}

TEST_F(SnsTest, PublishFansOutToQueues) {
  Ok("CreateTopic", {{"Name", "t"}});
  MakeQueue("env");
  MakeQueue("raw");
  MakeQueue("red");
  const std::string topic = std::string(kArn) + "t";
  auto subscribe = [&](const std::string& q, json attrs) {
    Ok("Subscribe", {{"TopicArn", topic}, {"Protocol", "sqs"},
                     {"Endpoint", std::string(kQueueArn) + q}, {"Attributes", attrs}});
  };
  subscribe("env", json::object());
  subscribe("raw", {{"RawMessageDelivery", "true"}});
  subscribe("red", {{"FilterPolicy", R"({"color": ["red"]})"}});
  const json one = Ok("Publish", {{"TopicArn", topic}, {"Message", "m1"}, {"Subject", "s"},
                                  {"MessageAttributes",
                                   {{"color", {{"DataType", "String"}, {"StringValue", "red"}}}}}});
  const json batch = Ok("PublishBatch",
                        {{"TopicArn", topic},
                         {"PublishBatchRequestEntries",
                          json::array({{{"Id", "a"}, {"Message", "m2"}},
                                       {{"Id", "b"}, {"Message", "m3"},
                                        {"MessageAttributes",
                                         {{"color", {{"DataType", "String"}}}}}}})}});
  ASSERT_EQ(batch["Successful"].size(), 1u);
  EXPECT_EQ(batch["Successful"][0]["Id"], "a");
  ASSERT_EQ(batch["Failed"].size(), 1u);
  EXPECT_EQ(batch["Failed"][0]["Id"], "b");
  EXPECT_EQ(batch["Failed"][0]["Code"], "ParameterValueInvalid");
  EXPECT_EQ(batch["Failed"][0]["SenderFault"], true);
  ASSERT_TRUE(topics_->WaitDelivered("t", 60'000).ok());
  const auto env = Drain("env");
  ASSERT_EQ(env.size(), 2u);
  std::vector<std::string> messages;
  for (const auto& m : env) {
    const json e = json::parse(m.body);
    EXPECT_EQ(e["Type"], "Notification");
    EXPECT_EQ(e["TopicArn"], topic);
    messages.push_back(e["Message"]);
    if (e["Message"] == "m1") {
      EXPECT_EQ(e["MessageId"], one["MessageId"]);
      EXPECT_EQ(e["Subject"], "s");
      EXPECT_EQ(e["MessageAttributes"]["color"]["Value"], "red");
    } else {
      EXPECT_EQ(e["MessageId"], batch["Successful"][0]["MessageId"]);
    }
  }
  std::sort(messages.begin(), messages.end());
  EXPECT_EQ(messages, (std::vector<std::string>{"m1", "m2"}));
  const auto raw = Drain("raw");
  ASSERT_EQ(raw.size(), 2u);
  for (const auto& m : raw) EXPECT_TRUE(m.body == "m1" || m.body == "m2") << m.body;
  const auto red = Drain("red");
  ASSERT_EQ(red.size(), 1u);
  EXPECT_EQ(json::parse(red[0].body)["Message"], "m1");
}

TEST_F(SnsTest, PublishRefusals) {
  Ok("CreateTopic", {{"Name", "t"}});
  Ok("CreateTopic", {{"Name", "f.fifo"}, {"Attributes", {{"FifoTopic", "true"}}}});
  const std::string topic = std::string(kArn) + "t";
  ExpectError(Call("Publish", {{"Message", "m"}}), "InvalidParameter", 400, "TopicArn");
  ExpectError(Call("Publish", {{"PhoneNumber", "+15550100"}, {"Message", "m"}}),
              "InvalidParameter", 400, "PhoneNumber");
  ExpectError(Call("Publish", {{"TopicArn", std::string(kArn) + "none"}, {"Message", "m"}}),
              "NotFound", 404);
  ExpectError(Call("Publish", {{"TopicArn", topic}, {"Message", ""}}), "InvalidParameter", 400,
              "Empty message");
  ExpectError(Call("Publish", {{"TopicArn", topic}, {"Message", "m"}, {"MessageStructure", "x"}}),
              "InvalidParameter", 400, "MessageStructure");
  ExpectError(Call("Publish", {{"TopicArn", topic}, {"Message", "m"},
                               {"MessageAttributes", {{"a", {{"DataType", "Blob"},
                                                             {"StringValue", "x"}}}}}}),
              "ParameterValueInvalid", 400, "type");
  ExpectError(Call("Publish", {{"TopicArn", std::string(kArn) + "f.fifo"}, {"Message", "m"}}),
              "InvalidParameter", 400);
  const json fifo = Ok("Publish", {{"TargetArn", std::string(kArn) + "f.fifo"}, {"Message", "m"},
                                   {"MessageGroupId", "g"}, {"MessageDeduplicationId", "d"}});
  EXPECT_EQ(fifo["SequenceNumber"].get<std::string>().size(), 20u);
  ExpectError(Call("PublishBatch", {{"TopicArn", topic},
                                    {"PublishBatchRequestEntries",
                                     json::array({{{"Id", "a"}, {"Message", "x"}},
                                                  {{"Id", "a"}, {"Message", "y"}}})}}),
              "BatchEntryIdsNotDistinct", 400);
  ExpectError(Call("PublishBatch", {{"TopicArn", topic},
                                    {"PublishBatchRequestEntries", json::array()}}),
              "EmptyBatchRequest", 400);
  ExpectError(Call("CreatePlatformApplication", {{"Name", "n"}, {"Platform", "GCM"},
                                                 {"Attributes", json::object()}}),
              "UnsupportedOperation", 400);
}

TEST_F(SnsTest, BeforeTopicsAreSetAnswers503) {
  svc_->SetTopics(nullptr);
  ExpectError(Call("ListTopics", json::object()), "ServiceUnavailable", 503);
  std::string pem;
  EXPECT_FALSE(svc_->SigningCertificate(&pem));
  svc_->SetTopics(topics_.get());
  Ok("CreateTopic", {{"Name", "t"}});
  ASSERT_TRUE(svc_->SigningCertificate(&pem));
  EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE-----", 0), 0u);
}

}  // namespace
}  // namespace seglog::server
