// SqsService in process: a store in a temp dir, its Queues, an Executor of 2 threads; every call
// goes through SqsService::Call with JSON-protocol input, as the codecs hand it over.
#include "server/sqs/sqs_service.h"

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/log/digest.h"
#include "engine/queues/message_identity.h"
#include "server/executor.h"
#include "server/protocol/form.h"
#include "server/protocol/query_codec.h"
#include "server/sqs/sqs_internal.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/test_util.h"

namespace seglog::server {
namespace {

using nlohmann::json;
using std::chrono::seconds;

std::string Md5Hex(std::string_view s) {
  return HexOf(Md5(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size())));
}

class SqsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(Limits::kAws); }
  void TearDown() override { Close(); }

  void Open(Limits limits) {
    ASSERT_TRUE(testing::OpenEngine(dir_.path(), StoreOptions{}, &store_, nullptr, &queues_).ok());
    exec_ = std::make_unique<Executor>(2);
    SqsServiceOptions opt;
    opt.limits = limits;
    svc_ = std::make_unique<SqsService>(queues_.get(), exec_.get(), opt);
  }
  void Close() {
    if (svc_) svc_->Shutdown();
    if (exec_) exec_->Stop();
    svc_.reset();
    exec_.reset();
    testing::CloseEngine(&store_, nullptr, &queues_);
  }

  RequestContext Ctx() const {
    RequestContext c;
    c.host = "localhost:9324";
    return c;
  }

  // Starts a call; the future gets its outcome.
  std::future<ServiceOutcome> Start(const std::string& action, json input) {
    auto p = std::make_shared<std::promise<ServiceOutcome>>();
    auto calls = std::make_shared<std::atomic<int>>(0);
    std::future<ServiceOutcome> f = p->get_future();
    svc_->Call(ServiceCall{action, std::move(input), Ctx()}, [p, calls](ServiceOutcome o) {
      if (calls->fetch_add(1) == 0) {
        p->set_value(std::move(o));
      } else {
        ADD_FAILURE() << "done called twice";
      }
    });
    return f;
  }
  static ServiceOutcome Wait(std::future<ServiceOutcome>& f) {
    if (f.wait_for(seconds(60)) != std::future_status::ready) {
      ADD_FAILURE() << "no answer";
      return ServiceOutcome::Error(0, "Timeout", "");
    }
    return f.get();
  }
  ServiceOutcome CallSync(const std::string& action, json input) {
    auto f = Start(action, std::move(input));
    return Wait(f);
  }
  json Ok(const std::string& action, json input) {
    ServiceOutcome o = CallSync(action, std::move(input));
    EXPECT_FALSE(o.error) << action << ": " << o.error->code << " " << o.error->message;
    return o.output;
  }
  std::string Err(const std::string& action, json input) {
    ServiceOutcome o = CallSync(action, std::move(input));
    if (!o.error) return "(no error)";
    return o.error->code;
  }
  std::string Url(const std::string& name) const { return "http://localhost:9324/000000000000/" + name; }
  std::string CreateQueue(const std::string& name, json attrs = json::object()) {
    json out = Ok("CreateQueue", {{"QueueName", name}, {"Attributes", attrs}});
    return out.value("QueueUrl", "");
  }
  json Receive(const std::string& url, json extra = json::object()) {
    json in = {{"QueueUrl", url}, {"MaxNumberOfMessages", 10}, {"WaitTimeSeconds", 0}};
    in.update(extra);
    return Ok("ReceiveMessage", in);
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Queues> queues_;
  std::unique_ptr<Executor> exec_;
  std::unique_ptr<SqsService> svc_;
};

TEST_F(SqsTest, CreateGetListDelete) {
  EXPECT_EQ(CreateQueue("q1"), Url("q1"));
  EXPECT_EQ(CreateQueue("q2"), Url("q2"));
  EXPECT_EQ(CreateQueue("other"), Url("other"));
  EXPECT_EQ(CreateQueue("q1"), Url("q1"));  // idempotent
  EXPECT_EQ(Err("CreateQueue", {{"QueueName", "q1"}, {"Attributes", {{"VisibilityTimeout", "45"}}}}),
            "QueueNameExists");
  EXPECT_EQ(Ok("GetQueueUrl", {{"QueueName", "q2"}})["QueueUrl"], Url("q2"));
  EXPECT_EQ(Err("GetQueueUrl", {{"QueueName", "nope"}}), "QueueDoesNotExist");

  json all = Ok("ListQueues", json::object());
  EXPECT_EQ(all["QueueUrls"], json({Url("other"), Url("q1"), Url("q2")}));
  EXPECT_FALSE(all.contains("NextToken"));
  json page1 = Ok("ListQueues", {{"QueueNamePrefix", "q"}, {"MaxResults", 1}});
  EXPECT_EQ(page1["QueueUrls"], json({Url("q1")}));
  ASSERT_TRUE(page1.contains("NextToken"));
  json page2 = Ok("ListQueues", {{"QueueNamePrefix", "q"}, {"MaxResults", 1},
                                 {"NextToken", page1["NextToken"]}});
  EXPECT_EQ(page2["QueueUrls"], json({Url("q2")}));
  EXPECT_EQ(Err("ListQueues", {{"MaxResults", 0}}), "InvalidParameterValue");

  Ok("DeleteQueue", {{"QueueUrl", "/000000000000/q1"}});  // a path addresses it too
  EXPECT_EQ(Err("GetQueueUrl", {{"QueueName", "q1"}}), "QueueDoesNotExist");
  EXPECT_EQ(Err("DeleteQueue", {{"QueueUrl", "q1"}}), "QueueDoesNotExist");
  EXPECT_EQ(Err("CreateQueue", {{"QueueName", "q1"}}), "QueueDeletedRecently");
  Ok("DeleteQueue", {{"QueueUrl", "https://elsewhere.example/000000000000/q2"}});
  EXPECT_EQ(Ok("ListQueues", json::object())["QueueUrls"], json({Url("other")}));
}

TEST_F(SqsTest, SendReceiveDeleteWithAttributes) {
  const std::string url = CreateQueue("q");
  const std::string bin("\x00\xff\x10", 3);
  json attrs = {
      {"pre.a", {{"DataType", "String"}, {"StringValue", "héllo"}}},
      {"pre.b", {{"DataType", "Number"}, {"StringValue", "42"}}},
      {"bin", {{"DataType", "Binary"}, {"BinaryValue", "AP8Q"}}},
      {"doc", {{"DataType", "String.json"}, {"StringValue", "{}"}}},
  };
  json sent = Ok("SendMessage", {{"QueueUrl", url},
                                 {"MessageBody", "the body"},
                                 {"MessageAttributes", attrs},
                                 {"MessageSystemAttributes",
                                  {{"AWSTraceHeader", {{"DataType", "String"},
                                                       {"StringValue", "Root=1-abc"}}}}}});
  EXPECT_EQ(sent["MD5OfMessageBody"], Md5Hex("the body"));
  ASSERT_TRUE(sent.contains("MD5OfMessageAttributes"));
  ASSERT_TRUE(sent.contains("MD5OfMessageSystemAttributes"));
  EXPECT_EQ(sent["MD5OfMessageSystemAttributes"], Md5OfSystemAttributes("Root=1-abc"));
  EXPECT_EQ(sent["MessageId"].get<std::string>().size(), 36u);
  EXPECT_FALSE(sent.contains("SequenceNumber"));

  json got = Receive(url, {{"MessageAttributeNames", {"All"}}, {"AttributeNames", {"All"}}});
  ASSERT_EQ(got["Messages"].size(), 1u);
  json m = got["Messages"][0];
  EXPECT_EQ(m["Body"], "the body");
  EXPECT_EQ(m["MessageId"], sent["MessageId"]);
  EXPECT_EQ(m["MD5OfBody"], Md5Hex("the body"));
  EXPECT_EQ(m["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"]);
  EXPECT_EQ(m["MessageAttributes"]["bin"]["BinaryValue"], "AP8Q");
  EXPECT_EQ(m["MessageAttributes"]["bin"]["DataType"], "Binary");
  EXPECT_EQ(m["MessageAttributes"]["doc"]["DataType"], "String.json");
  EXPECT_EQ(m["MessageAttributes"]["pre.a"]["StringValue"], "héllo");
  EXPECT_EQ(m["Attributes"]["ApproximateReceiveCount"], "1");
  EXPECT_EQ(m["Attributes"]["AWSTraceHeader"], "Root=1-abc");
  EXPECT_EQ(m["Attributes"]["SenderId"], "000000000000");
  EXPECT_FALSE(m["Attributes"].contains("MessageGroupId"));
  const int64_t sent_s = std::stoll(m["Attributes"]["SentTimestamp"].get<std::string>()) / 1000;
  EXPECT_NEAR(sent_s, std::time(nullptr), 60);

  // Make it visible again, receive only some attributes: the digest covers what is returned.
  Ok("ChangeMessageVisibility", {{"QueueUrl", url}, {"ReceiptHandle", m["ReceiptHandle"]},
                                 {"VisibilityTimeout", 0}});
  json some = Receive(url, {{"MessageAttributeNames", {"pre.*"}},
                            {"MessageSystemAttributeNames", {"ApproximateReceiveCount"}}});
  ASSERT_EQ(some["Messages"].size(), 1u);
  json m2 = some["Messages"][0];
  EXPECT_EQ(m2["MessageAttributes"].size(), 2u);
  EXPECT_TRUE(m2["MessageAttributes"].contains("pre.a"));
  EXPECT_EQ(m2["Attributes"], json({{"ApproximateReceiveCount", "2"}}));
  const std::string a = "héllo", n = "42";
  std::vector<format::MessageAttribute> two = {
      {"pre.a", format::AttributeType::kString,
       ByteView(reinterpret_cast<const uint8_t*>(a.data()), a.size())},
      {"pre.b", format::AttributeType::kNumber,
       ByteView(reinterpret_cast<const uint8_t*>(n.data()), n.size())}};
  EXPECT_EQ(m2["MD5OfMessageAttributes"], Md5OfAttributes(two));
  EXPECT_NE(m2["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"]);
  EXPECT_NE(m2["ReceiptHandle"], m["ReceiptHandle"]);

  Ok("DeleteMessage", {{"QueueUrl", url}, {"ReceiptHandle", m2["ReceiptHandle"]}});
  EXPECT_EQ(Err("ChangeMessageVisibility", {{"QueueUrl", url}, {"ReceiptHandle", m2["ReceiptHandle"]},
                                            {"VisibilityTimeout", 0}}),
            "MessageNotInflight");
  EXPECT_FALSE(Receive(url).contains("Messages"));
}

TEST_F(SqsTest, EmptyReceiveHasNoMessagesKey) {
  const std::string url = CreateQueue("q");
  json got = Receive(url);
  EXPECT_FALSE(got.contains("Messages"));
  EXPECT_TRUE(got.is_object());
}

TEST_F(SqsTest, Fifo) {
  const std::string url = CreateQueue("f.fifo", {{"FifoQueue", "true"}});
  json a = Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "one"},
                              {"MessageGroupId", "g1"}, {"MessageDeduplicationId", "d1"}});
  ASSERT_TRUE(a.contains("SequenceNumber"));
  EXPECT_EQ(a["SequenceNumber"].get<std::string>().size(), 20u);
  json dup = Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "one again"},
                                {"MessageGroupId", "g1"}, {"MessageDeduplicationId", "d1"}});
  EXPECT_EQ(dup["MessageId"], a["MessageId"]);
  EXPECT_EQ(Err("SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"},
                                {"MessageDeduplicationId", "d2"}}),
            "MissingParameter");
  json got = Receive(url, {{"AttributeNames", {"All"}}});
  ASSERT_EQ(got["Messages"].size(), 1u);
  json attrs = got["Messages"][0]["Attributes"];
  EXPECT_EQ(attrs["MessageGroupId"], "g1");
  EXPECT_EQ(attrs["MessageDeduplicationId"], "d1");
  EXPECT_EQ(attrs["SequenceNumber"], a["SequenceNumber"]);
  json qa = Ok("GetQueueAttributes", {{"QueueUrl", url}, {"AttributeNames", {"All"}}});
  EXPECT_EQ(qa["Attributes"]["FifoQueue"], "true");
  EXPECT_EQ(qa["Attributes"]["ContentBasedDeduplication"], "false");
  EXPECT_EQ(qa["Attributes"]["DeduplicationScope"], "queue");
  EXPECT_EQ(qa["Attributes"]["FifoThroughputLimit"], "perQueue");
}

TEST_F(SqsTest, SendMessageBatchWithInvalidEntries) {
  const std::string url = CreateQueue("q");
  json entries = json::array({
      {{"Id", "a"}, {"MessageBody", "first"}},
      {{"Id", "bad_type"}, {"MessageBody", "x"},
       {"MessageAttributes", {{"k", {{"DataType", "Foo"}, {"StringValue", "v"}}}}}},
      {{"Id", "reserved"}, {"MessageBody", "x"},
       {"MessageAttributes", {{"AWS.k", {{"DataType", "String"}, {"StringValue", "v"}}}}}},
      {{"Id", "b"}, {"MessageBody", "second"}},
  });
  json out = Ok("SendMessageBatch", {{"QueueUrl", url}, {"Entries", entries}});
  ASSERT_EQ(out["Successful"].size(), 2u);
  EXPECT_EQ(out["Successful"][0]["Id"], "a");
  EXPECT_EQ(out["Successful"][0]["MD5OfMessageBody"], Md5Hex("first"));
  EXPECT_EQ(out["Successful"][1]["Id"], "b");
  ASSERT_EQ(out["Failed"].size(), 2u);
  for (const json& f : out["Failed"]) {
    EXPECT_TRUE(f["Id"] == "bad_type" || f["Id"] == "reserved") << f;
    EXPECT_EQ(f["SenderFault"], true);
    EXPECT_EQ(f["Code"], "InvalidParameterValue");
    EXPECT_FALSE(f["Message"].get<std::string>().empty());
  }
  json got = Receive(url);
  EXPECT_EQ(got["Messages"].size(), 2u);

  EXPECT_EQ(Err("SendMessageBatch", {{"QueueUrl", url}, {"Entries", json::array()}}),
            "EmptyBatchRequest");
  json twice = json::array({{{"Id", "x"}, {"MessageBody", "1"}}, {{"Id", "x"}, {"MessageBody", "2"}}});
  EXPECT_EQ(Err("SendMessageBatch", {{"QueueUrl", url}, {"Entries", twice}}),
            "BatchEntryIdsNotDistinct");
  EXPECT_EQ(Err("SendMessageBatch", {{"QueueUrl", url}}), "MissingParameter");
  json big = json::array();
  for (int i = 0; i < 6; ++i) {
    big.push_back({{"Id", "e" + std::to_string(i)}, {"MessageBody", std::string(200 << 10, 'b')}});
  }
  EXPECT_EQ(Err("SendMessageBatch", {{"QueueUrl", url}, {"Entries", big}}), "BatchRequestTooLong");

}

TEST_F(SqsTest, DeleteAndChangeVisibilityBatches) {
  const std::string url = CreateQueue("q");
  Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "1"}});
  Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "2"}});
  json got = Receive(url);
  ASSERT_EQ(got["Messages"].size(), 2u);
  const json r0 = got["Messages"][0]["ReceiptHandle"], r1 = got["Messages"][1]["ReceiptHandle"];

  json cv = Ok("ChangeMessageVisibilityBatch",
               {{"QueueUrl", url},
                {"Entries", json::array({{{"Id", "a"}, {"ReceiptHandle", r1}, {"VisibilityTimeout", 60}},
                                         {{"Id", "b"}, {"ReceiptHandle", "junk"}, {"VisibilityTimeout", 5}}})}});
  ASSERT_EQ(cv["Successful"].size(), 1u);
  ASSERT_EQ(cv["Failed"].size(), 1u);
  EXPECT_EQ(cv["Failed"][0]["Id"], "b");
  EXPECT_EQ(cv["Failed"][0]["Code"], "ReceiptHandleIsInvalid");

  json del = Ok("DeleteMessageBatch",
                {{"QueueUrl", url},
                 {"Entries", json::array({{{"Id", "ok"}, {"ReceiptHandle", r0}},
                                          {{"Id", "bad"}, {"ReceiptHandle", "not-a-receipt"}}})}});
  ASSERT_EQ(del["Successful"].size(), 1u);
  EXPECT_EQ(del["Successful"][0]["Id"], "ok");
  ASSERT_EQ(del["Failed"].size(), 1u);
  EXPECT_EQ(del["Failed"][0]["Id"], "bad");
  EXPECT_EQ(del["Failed"][0]["Code"], "ReceiptHandleIsInvalid");
  EXPECT_EQ(del["Failed"][0]["SenderFault"], true);

  EXPECT_EQ(Err("DeleteMessage", {{"QueueUrl", url}, {"ReceiptHandle", "zz"}}),
            "ReceiptHandleIsInvalid");
  EXPECT_EQ(Err("ChangeMessageVisibility", {{"QueueUrl", url}, {"ReceiptHandle", r0},
                                            {"VisibilityTimeout", 10}}),
            "MessageNotInflight");  // deleted above
  EXPECT_EQ(Err("ChangeMessageVisibility", {{"QueueUrl", url}, {"ReceiptHandle", r1}}),
            "MissingParameter");
  Ok("PurgeQueue", {{"QueueUrl", url}});
  json attrs = Ok("GetQueueAttributes", {{"QueueUrl", url}, {"AttributeNames", {"All"}}});
  EXPECT_EQ(attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"], "0");
}

TEST_F(SqsTest, GetQueueAttributes) {
  const std::string url = CreateQueue("q", {{"VisibilityTimeout", "45"}, {"DelaySeconds", "0"}});
  Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "1"}});
  Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "2"}, {"DelaySeconds", 600}});
  json all = Ok("GetQueueAttributes", {{"QueueUrl", url}, {"AttributeNames", {"All"}}})["Attributes"];
  EXPECT_EQ(all["QueueArn"], "arn:aws:sqs:us-east-1:000000000000:q");
  EXPECT_EQ(all["VisibilityTimeout"], "45");
  EXPECT_EQ(all["ApproximateNumberOfMessages"], "1");
  EXPECT_EQ(all["ApproximateNumberOfMessagesDelayed"], "1");
  EXPECT_EQ(all["ApproximateNumberOfMessagesNotVisible"], "0");
  EXPECT_EQ(all["MaximumMessageSize"], "1048576");
  EXPECT_EQ(all["MessageRetentionPeriod"], "345600");
  EXPECT_EQ(all["SqsManagedSseEnabled"], "false");
  EXPECT_NEAR(std::stoll(all["CreatedTimestamp"].get<std::string>()), std::time(nullptr), 60);
  EXPECT_FALSE(all.contains("FifoQueue"));
  EXPECT_FALSE(all.contains("RedrivePolicy"));

  json some = Ok("GetQueueAttributes", {{"QueueUrl", url}, {"AttributeNames", {"VisibilityTimeout", "DelaySeconds"}}});
  EXPECT_EQ(some["Attributes"], json({{"VisibilityTimeout", "45"}, {"DelaySeconds", "0"}}));
  EXPECT_FALSE(Ok("GetQueueAttributes", {{"QueueUrl", url}}).contains("Attributes"));
  EXPECT_EQ(Err("GetQueueAttributes", {{"QueueUrl", url}, {"AttributeNames", {"Bogus"}}}),
            "InvalidAttributeName");
}

TEST_F(SqsTest, SetQueueAttributesAndRedrivePolicy) {
  const std::string dlq = CreateQueue("dlq");
  const std::string src = CreateQueue("src");
  CreateQueue("unrelated");
  const std::string arn = Ok("GetQueueAttributes", {{"QueueUrl", dlq}, {"AttributeNames", {"QueueArn"}}})
                              ["Attributes"]["QueueArn"];
  json policy = {{"deadLetterTargetArn", arn}, {"maxReceiveCount", 3}};
  Ok("SetQueueAttributes", {{"QueueUrl", src},
                            {"Attributes", {{"RedrivePolicy", policy.dump()}, {"VisibilityTimeout", "7"}}}});
  json got = Ok("GetQueueAttributes", {{"QueueUrl", src}, {"AttributeNames", {"All"}}})["Attributes"];
  EXPECT_EQ(got["VisibilityTimeout"], "7");
  EXPECT_EQ(json::parse(got["RedrivePolicy"].get<std::string>()), policy);
  // ListDeadLetterSourceQueues (the engine's ListDeadLetterSources): sqs_v3_test.cc.

  json other_region = {{"deadLetterTargetArn", "arn:aws:sqs:eu-west-1:000000000000:dlq"}, {"maxReceiveCount", 3}};
  EXPECT_EQ(Err("SetQueueAttributes", {{"QueueUrl", src}, {"Attributes", {{"RedrivePolicy", other_region.dump()}}}}),
            "InvalidParameterValue");
  EXPECT_EQ(Err("SetQueueAttributes", {{"QueueUrl", src}, {"Attributes", {{"RedrivePolicy", "{not json"}}}}),
            "InvalidAttributeValue");
  EXPECT_EQ(Err("SetQueueAttributes", {{"QueueUrl", src}, {"Attributes", {{"VisibilityTimeout", "abc"}}}}),
            "InvalidAttributeValue");
  EXPECT_EQ(Err("SetQueueAttributes", {{"QueueUrl", src}, {"Attributes", {{"Nope", "1"}}}}),
            "InvalidAttributeName");
  EXPECT_EQ(Err("SetQueueAttributes", {{"QueueUrl", src}, {"Attributes", {{"VisibilityTimeout", "50000"}}}}),
            "InvalidParameterValue");
  EXPECT_EQ(Err("SetQueueAttributes", {{"QueueUrl", src}}), "MissingParameter");

  Ok("SetQueueAttributes", {{"QueueUrl", src}, {"Attributes", {{"RedrivePolicy", ""}}}});
  got = Ok("GetQueueAttributes", {{"QueueUrl", src}, {"AttributeNames", {"All"}}})["Attributes"];
  EXPECT_FALSE(got.contains("RedrivePolicy"));
}

TEST_F(SqsTest, Errors) {
  const std::string url = CreateQueue("q");
  ServiceOutcome missing = CallSync("SendMessage", {{"MessageBody", "x"}});
  ASSERT_TRUE(missing.error);
  EXPECT_EQ(missing.error->code, "MissingParameter");
  EXPECT_EQ(missing.error->message, "The request must contain the parameter QueueUrl.");
  EXPECT_EQ(missing.error->http_status, 400);

  {  // a Query call posted to the queue's URL may leave QueueUrl out
    RequestContext ctx = Ctx();
    ctx.path = "/000000000000/q";
    std::promise<ServiceOutcome> p;
    svc_->Call(ServiceCall{"SendMessage", {{"MessageBody", "by path"}}, ctx},
               [&p](ServiceOutcome o) { p.set_value(std::move(o)); });
    ServiceOutcome o = p.get_future().get();
    EXPECT_FALSE(o.error);
    EXPECT_EQ(o.output["MD5OfMessageBody"], Md5Hex("by path"));
  }
  ServiceOutcome none = CallSync("SendMessage", {{"QueueUrl", Url("nope")}, {"MessageBody", "x"}});
  ASSERT_TRUE(none.error);
  EXPECT_EQ(none.error->code, "QueueDoesNotExist");
  EXPECT_EQ(none.error->message, "The specified queue does not exist.");
  EXPECT_EQ(Err("SendMessage", {{"QueueUrl", "http://h/111111111111/q"}, {"MessageBody", "x"}}),
            "QueueDoesNotExist");

  EXPECT_EQ(Err("SendMessage", {{"QueueUrl", 5}, {"MessageBody", "x"}}), "InvalidParameterValue");
  EXPECT_EQ(Err("SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}, {"MessageAttributes", json::array()}}),
            "InvalidParameterValue");
  EXPECT_EQ(Err("ReceiveMessage", {{"QueueUrl", url}, {"MaxNumberOfMessages", "abc"}}), "InvalidParameterValue");
  EXPECT_EQ(Err("ReceiveMessage", {{"QueueUrl", url}, {"MaxNumberOfMessages", 11}}), "InvalidParameterValue");
  EXPECT_EQ(Err("ReceiveMessage", {{"QueueUrl", url}, {"AttributeNames", "All"}}), "InvalidParameterValue");
  EXPECT_EQ(Err("SendMessage", json::array({1, 2})), "InvalidParameterValue");
  EXPECT_EQ(Err("SendMessage", {{"QueueUrl", url}, {"MessageBody", std::string((1 << 20) + 1, 'x')}}),
            "InvalidParameterValue");
  EXPECT_EQ(Err("SendMessage", {{"QueueUrl", url}, {"MessageBody", "bad \x01 char"}}),
            "InvalidMessageContents");
  EXPECT_EQ(Err("SendMessage", {{"QueueUrl", url}, {"MessageBody", ""}}), "MissingParameter");
  EXPECT_EQ(Err("Frobnicate", json::object()), "InvalidAction");
  ServiceOutcome perm = CallSync("AddPermission", {{"QueueUrl", url}});
  ASSERT_TRUE(perm.error);
  EXPECT_EQ(perm.error->code, "UnsupportedOperation");
  EXPECT_EQ(perm.error->message, "seglog does not support AddPermission yet.");
  EXPECT_EQ(Err("RemovePermission", {{"QueueUrl", url}}), "UnsupportedOperation");

  EXPECT_GE(svc_->MaxRequestBytes("SendMessage"), 6u << 20);
  EXPECT_GE(svc_->MaxRequestBytes("SendMessageBatch"), 6u << 20);
  EXPECT_EQ(svc_->MaxRequestBytes("DeleteQueue"), 64u << 10);
  EXPECT_EQ(svc_->MaxRequestBytes("Frobnicate"), 0u);
}

TEST_F(SqsTest, RelaxedQueueBinaryBodyComesBackBase64) {
  Close();
  Open(Limits::kRelaxed);
  const std::string url = CreateQueue("q");
  const std::string body("\xff\x00z", 3);
  Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", body}});
  json got = Receive(url);
  ASSERT_EQ(got["Messages"].size(), 1u);
  json m = got["Messages"][0];
  EXPECT_EQ(m["Body"], "/wB6");
  EXPECT_EQ(m["MD5OfBody"], Md5Hex("/wB6"));
  EXPECT_EQ(m["MessageAttributes"]["SeglogBodyEncoding"]["StringValue"], "base64");
  EXPECT_TRUE(m.contains("MD5OfMessageAttributes"));
}

TEST_F(SqsTest, LongPollWokenBySend) {
  const std::string url = CreateQueue("q");
  auto poll = Start("ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 20}});
  EXPECT_EQ(poll.wait_for(std::chrono::milliseconds(200)), std::future_status::timeout);
  Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "wake up"}});
  ServiceOutcome o = Wait(poll);
  ASSERT_FALSE(o.error);
  ASSERT_EQ(o.output["Messages"].size(), 1u);
  EXPECT_EQ(o.output["Messages"][0]["Body"], "wake up");
}

TEST_F(SqsTest, LongPollWokenByVisibilityTimeoutRunningOut) {
  const std::string url = CreateQueue("q");
  Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "again"}});
  ASSERT_EQ(Receive(url, {{"VisibilityTimeout", 1}})["Messages"].size(), 1u);
  auto poll = Start("ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 20},
                                       {"AttributeNames", {"ApproximateReceiveCount"}}});
  ServiceOutcome o = Wait(poll);
  ASSERT_FALSE(o.error);
  ASSERT_EQ(o.output["Messages"].size(), 1u);
  EXPECT_EQ(o.output["Messages"][0]["Attributes"]["ApproximateReceiveCount"], "2");
}

TEST_F(SqsTest, LongPollOnADeletedQueue) {
  const std::string url = CreateQueue("q");
  auto poll = Start("ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 20}});
  Ok("DeleteQueue", {{"QueueUrl", url}});
  ServiceOutcome o = Wait(poll);
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.error->code, "QueueDoesNotExist");
}

TEST_F(SqsTest, LongPollUsesTheQueuesWaitAndEndsEmpty) {
  const std::string url = CreateQueue("q", {{"ReceiveMessageWaitTimeSeconds", "1"}});
  auto poll = Start("ReceiveMessage", {{"QueueUrl", url}});  // the queue's 1 s
  ServiceOutcome o = Wait(poll);
  ASSERT_FALSE(o.error);
  EXPECT_FALSE(o.output.contains("Messages"));
}

TEST_F(SqsTest, ManyLongPollsOneSend) {
  const std::string url = CreateQueue("q");
  std::vector<std::future<ServiceOutcome>> polls;
  for (int i = 0; i < 200; ++i) {
    polls.push_back(Start("ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 3}}));
  }
  Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "only one"}});
  int with = 0, empty = 0, errors = 0;
  for (auto& f : polls) {
    ServiceOutcome o = Wait(f);
    if (o.error) {
      ++errors;
    } else if (o.output.contains("Messages")) {
      ++with;
      EXPECT_EQ(o.output["Messages"][0]["Body"], "only one");
    } else {
      ++empty;
    }
  }
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(with, 1);
  EXPECT_EQ(empty, 199);
}

TEST_F(SqsTest, ShutdownAnswersWaitingPolls) {
  const std::string url = CreateQueue("q");
  std::vector<std::future<ServiceOutcome>> polls;
  for (int i = 0; i < 5; ++i) {
    polls.push_back(Start("ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 20}}));
  }
  svc_->Shutdown();
  for (auto& f : polls) {
    // Well before the 20 s wait: Shutdown answered them.
    ASSERT_EQ(f.wait_for(seconds(10)), std::future_status::ready);
    ServiceOutcome o = f.get();
    EXPECT_FALSE(o.error);
    EXPECT_FALSE(o.output.contains("Messages"));
  }
  auto later = Start("ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 20}});
  ASSERT_EQ(later.wait_for(seconds(10)), std::future_status::ready);
  EXPECT_FALSE(later.get().error);
}

TEST_F(SqsTest, InterruptAnswersPollsEmpty) {
  const std::string url = CreateQueue("q");
  auto poll = Start("ReceiveMessage", {{"QueueUrl", url}, {"WaitTimeSeconds", 20}});
  queues_->Interrupt();
  ASSERT_EQ(poll.wait_for(seconds(10)), std::future_status::ready);
  ServiceOutcome o = poll.get();
  EXPECT_FALSE(o.error);
  EXPECT_FALSE(o.output.contains("Messages"));
  EXPECT_FALSE(Receive(url).contains("Messages"));
}

TEST(SqsInternals, Base64RoundTripsAndRefusesMalformed) {
  std::mt19937 rng(7);
  for (size_t n = 0; n < 40; ++n) {
    std::string bytes(n, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    std::string back;
    const std::string text = sqs::Base64Encode(bytes);
    EXPECT_EQ(text.size() % 4, 0u);
    ASSERT_TRUE(sqs::Base64Decode(text, &back)) << text;
    EXPECT_EQ(back, bytes);
  }
  EXPECT_EQ(sqs::Base64Encode("foob"), "Zm9vYg==");
  std::string out;
  for (const char* bad : {"Zm9", "Zm9v!A==", "Zm=vYg==", "Zg=a", "Z===", " Zm9v"}) {
    EXPECT_FALSE(sqs::Base64Decode(bad, &out)) << bad;
  }
}

TEST(SqsInternals, QueueAddressing) {
  RequestContext ctx;
  ctx.host = "h:1";
  EXPECT_EQ(sqs::QueueNameOf("https://any.host:443/000000000000/q-1", ctx), "q-1");
  EXPECT_EQ(sqs::QueueNameOf("/000000000000/q.fifo", ctx), "q.fifo");
  EXPECT_EQ(sqs::QueueNameOf("bare", ctx), "bare");
  for (const char* bad : {"", "http://h", "http://h/", "/000000000000/", "/111111111111/q",
                          "/000000000000/a/b", "a/b", "http://h/000000000000"}) {
    EXPECT_THROW(sqs::QueueNameOf(bad, ctx), sqs::SqsError) << bad;
  }
  EXPECT_EQ(sqs::QueueUrlOf("q", ctx), "http://h:1/000000000000/q");
  EXPECT_EQ(sqs::QueueNameOfArn(sqs::QueueArnOf("d", ctx), ctx), "d");
  for (const char* bad : {"arn:aws:sqs:us-east-1:000000000000:", "arn:aws:sns:us-east-1:000000000000:d",
                          "arn:aws:sqs:us-east-1:1:d", "arn:aws:sqs:us-east-1:000000000000:d:x", "d"}) {
    EXPECT_THROW(sqs::QueueNameOfArn(bad, ctx), sqs::SqsError) << bad;
  }
}

}  // namespace
}  // namespace seglog::server

namespace seglog::server {
namespace {

// SQS answers success for a standard queue's stale receipt (the message was received again
// since) and deletes nothing; a FIFO queue's stale receipt is an error.
TEST_F(SqsTest, StaleReceiptSucceedsOnStandardQueuesOnly) {
  const std::string std_url = CreateQueue("std");
  Ok("SendMessage", {{"QueueUrl", std_url}, {"MessageBody", "m"}});
  json first = Receive(std_url, {{"VisibilityTimeout", 0}});
  ASSERT_EQ(first["Messages"].size(), 1u);
  json second = Receive(std_url, {{"VisibilityTimeout", 30}});
  ASSERT_EQ(second["Messages"].size(), 1u);
  const std::string old_receipt = first["Messages"][0]["ReceiptHandle"];
  Ok("DeleteMessage", {{"QueueUrl", std_url}, {"ReceiptHandle", old_receipt}});
  json batch = Ok("DeleteMessageBatch",
                  {{"QueueUrl", std_url},
                   {"Entries", json::array({{{"Id", "a"}, {"ReceiptHandle", old_receipt}}})}});
  EXPECT_EQ(batch["Successful"].size(), 1u);
  EXPECT_TRUE(batch["Failed"].empty());
  // Nothing was deleted: the newer receipt still deletes the message.
  Ok("DeleteMessage", {{"QueueUrl", std_url},
                       {"ReceiptHandle", second["Messages"][0]["ReceiptHandle"]}});
  EXPECT_FALSE(Receive(std_url, {{"VisibilityTimeout", 0}}).contains("Messages"));

  const std::string fifo_url =
      CreateQueue("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  Ok("SendMessage", {{"QueueUrl", fifo_url}, {"MessageBody", "m"}, {"MessageGroupId", "g"}});
  json f1 = Receive(fifo_url, {{"VisibilityTimeout", 0}});
  ASSERT_EQ(f1["Messages"].size(), 1u);
  ASSERT_EQ(Receive(fifo_url, {{"VisibilityTimeout", 30}})["Messages"].size(), 1u);
  EXPECT_EQ(Err("DeleteMessage", {{"QueueUrl", fifo_url},
                                  {"ReceiptHandle", f1["Messages"][0]["ReceiptHandle"]}}),
            "InvalidParameterValue");
}

}  // namespace
}  // namespace seglog::server

namespace seglog::server {
namespace {

// Issue 14's actions and attributes, the parts the adapter decides alone (input checks that
// fail before the engine is called, error mapping, attribute text); what needs the engine's
// tags, move tasks and dead-letter sources is in sqs_v3_test.cc.
TEST_F(SqsTest, TagAndMoveTaskInputIsCheckedBeforeTheEngine) {
  const std::string url = CreateQueue("q");
  const std::string arn = "arn:aws:sqs:us-east-1:000000000000:q";
  EXPECT_EQ(Err("TagQueue", {{"QueueUrl", url}}), "MissingParameter");
  EXPECT_EQ(Err("TagQueue", {{"QueueUrl", url}, {"Tags", {{"k", 1}}}}), "InvalidParameterValue");
  EXPECT_EQ(Err("TagQueue", {{"QueueUrl", url}, {"Tags", json::array({"k"})}}),
            "InvalidParameterValue");
  EXPECT_EQ(Err("UntagQueue", {{"QueueUrl", url}}), "MissingParameter");
  EXPECT_EQ(Err("UntagQueue", {{"QueueUrl", url}, {"TagKeys", "k"}}), "InvalidParameterValue");
  EXPECT_EQ(Err("ListQueueTags", json::object()), "MissingParameter");
  // A bad tags map refuses the whole CreateQueue: no queue.
  EXPECT_EQ(Err("CreateQueue", {{"QueueName", "tagged"}, {"tags", {{"k", true}}}}),
            "InvalidParameterValue");
  EXPECT_EQ(Err("GetQueueUrl", {{"QueueName", "tagged"}}), "QueueDoesNotExist");

  EXPECT_EQ(Err("StartMessageMoveTask", json::object()), "MissingParameter");
  ServiceOutcome bad = CallSync("StartMessageMoveTask", {{"SourceArn", "q"}});
  ASSERT_TRUE(bad.error);
  EXPECT_EQ(bad.error->code, "InvalidParameterValue");
  EXPECT_NE(bad.error->message.find("for parameter SourceArn"), std::string::npos) << bad.error->message;
  EXPECT_EQ(Err("StartMessageMoveTask", {{"SourceArn", "arn:aws:sqs:eu-west-1:000000000000:q"}}),
            "InvalidParameterValue");
  EXPECT_EQ(Err("StartMessageMoveTask", {{"SourceArn", "arn:aws:sqs:us-east-1:111111111111:q"}}),
            "InvalidParameterValue");
  ServiceOutcome bad_dest =
      CallSync("StartMessageMoveTask", {{"SourceArn", arn}, {"DestinationArn", "arn:x"}});
  ASSERT_TRUE(bad_dest.error);
  EXPECT_NE(bad_dest.error->message.find("for parameter DestinationArn"), std::string::npos);
  for (int rate : {0, 501, -1}) {
    EXPECT_EQ(Err("StartMessageMoveTask", {{"SourceArn", arn}, {"MaxNumberOfMessagesPerSecond", rate}}),
              "InvalidParameterValue") << rate;
  }
  EXPECT_EQ(Err("ListMessageMoveTasks", json::object()), "MissingParameter");
  for (int max : {0, 11}) {
    EXPECT_EQ(Err("ListMessageMoveTasks", {{"SourceArn", arn}, {"MaxResults", max}}),
              "InvalidParameterValue") << max;
  }
  EXPECT_EQ(Err("CancelMessageMoveTask", json::object()), "MissingParameter");
  EXPECT_EQ(Err("CancelMessageMoveTask", {{"TaskHandle", 5}}), "InvalidParameterValue");
  EXPECT_EQ(Err("ReceiveMessage", {{"QueueUrl", url}, {"ReceiveRequestAttemptId", 5}}),
            "InvalidParameterValue");

  for (const char* a : {"TagQueue", "UntagQueue", "ListQueueTags", "StartMessageMoveTask",
                        "ListMessageMoveTasks", "CancelMessageMoveTask", "AddPermission"}) {
    EXPECT_EQ(svc_->MaxRequestBytes(a), 64u << 10) << a;
  }
  // Still not supported: permissions, Policy, KMS.
  EXPECT_EQ(Err("SetQueueAttributes", {{"QueueUrl", url}, {"Attributes", {{"Policy", "{}"}}}}),
            "UnsupportedOperation");
  EXPECT_EQ(Err("SetQueueAttributes", {{"QueueUrl", url}, {"Attributes", {{"KmsMasterKeyId", "k"}}}}),
            "UnsupportedOperation");
}

TEST_F(SqsTest, RedriveAllowPolicyRoundTripsAndIsValidated) {
  const std::string url = CreateQueue("dlq");
  CreateQueue("a");
  auto get = [&] {
    return Ok("GetQueueAttributes", {{"QueueUrl", url}, {"AttributeNames", {"All"}}})["Attributes"];
  };
  EXPECT_FALSE(get().contains("RedriveAllowPolicy"));  // the default (allowAll) is not shown
  EXPECT_FALSE(Ok("GetQueueAttributes", {{"QueueUrl", url}, {"AttributeNames", {"RedriveAllowPolicy"}}})
                   .contains("Attributes"));
  json by_queue = {{"redrivePermission", "byQueue"},
                   {"sourceQueueArns", {"arn:aws:sqs:us-east-1:000000000000:a",
                                        "arn:aws:sqs:us-east-1:000000000000:b"}}};
  Ok("SetQueueAttributes", {{"QueueUrl", url}, {"Attributes", {{"RedriveAllowPolicy", by_queue.dump()}}}});
  EXPECT_EQ(json::parse(get()["RedriveAllowPolicy"].get<std::string>()), by_queue);
  Ok("SetQueueAttributes", {{"QueueUrl", url},
                            {"Attributes", {{"RedriveAllowPolicy", R"({"redrivePermission":"denyAll"})"}}}});
  EXPECT_EQ(json::parse(get()["RedriveAllowPolicy"].get<std::string>()),
            json({{"redrivePermission", "denyAll"}}));

  // Refused, and nothing changes.
  std::vector<std::string> bad = {
      "{", "[]", R"({"redrivePermission":"some"})", R"({"sourceQueueArns":[]})",
      R"({"redrivePermission":"byQueue"})", R"({"redrivePermission":"byQueue","sourceQueueArns":[]})",
      R"({"redrivePermission":"allowAll","sourceQueueArns":["arn:aws:sqs:us-east-1:000000000000:a"]})",
      R"({"redrivePermission":"byQueue","sourceQueueArns":[1]})",
      R"({"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:us-east-1:000000000000:a","arn:aws:sqs:us-east-1:000000000000:a"]})",
      R"({"redrivePermission":"denyAll","other":1})"};
  json eleven = {{"redrivePermission", "byQueue"}, {"sourceQueueArns", json::array()}};
  for (int i = 0; i < 11; ++i) {
    eleven["sourceQueueArns"].push_back("arn:aws:sqs:us-east-1:000000000000:s" + std::to_string(i));
  }
  bad.push_back(eleven.dump());
  for (const std::string& v : bad) {
    EXPECT_EQ(Err("SetQueueAttributes", {{"QueueUrl", url}, {"Attributes", {{"RedriveAllowPolicy", v}}}}),
              "InvalidAttributeValue") << v;
  }
  EXPECT_EQ(Err("SetQueueAttributes",
                {{"QueueUrl", url},
                 {"Attributes", {{"RedriveAllowPolicy",
                                  R"({"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:eu-west-1:000000000000:a"]})"}}}}),
            "InvalidParameterValue");
  EXPECT_EQ(json::parse(get()["RedriveAllowPolicy"].get<std::string>()),
            json({{"redrivePermission", "denyAll"}}));

  Ok("SetQueueAttributes", {{"QueueUrl", url}, {"Attributes", {{"RedriveAllowPolicy", ""}}}});
  EXPECT_FALSE(get().contains("RedriveAllowPolicy"));

  // At creation (the engine's catalog keeps it): sqs_v3_test.cc.
}

// SQS keeps showing a RedrivePolicy whose dead-letter queue was deleted.
TEST_F(SqsTest, RedrivePolicyOutlivesItsDeadLetterQueue) {
  CreateQueue("dlq");
  const std::string policy = json({{"deadLetterTargetArn", "arn:aws:sqs:us-east-1:000000000000:dlq"},
                                    {"maxReceiveCount", 2}}).dump();
  const std::string src = CreateQueue("src", {{"RedrivePolicy", policy}});
  Ok("DeleteQueue", {{"QueueUrl", Url("dlq")}});
  json got = Ok("GetQueueAttributes", {{"QueueUrl", src}, {"AttributeNames", {"RedrivePolicy"}}});
  EXPECT_EQ(json::parse(got["Attributes"]["RedrivePolicy"].get<std::string>()), json::parse(policy));
}

TEST(SqsInternals, EngineBusyAndUnknownStatusesMap) {
  ServiceError purge = sqs::ErrorOf(Status::Busy("PurgeQueueInProgress: q was purged 3 s ago"));
  EXPECT_EQ(purge.code, "PurgeQueueInProgress");
  EXPECT_EQ(purge.http_status, 403);
  EXPECT_TRUE(purge.sender_fault);
  ServiceError other = sqs::ErrorOf(Status::Busy("/some/path is busy"));
  EXPECT_EQ(other.code, "InternalError");
  EXPECT_EQ(other.http_status, 500);
  EXPECT_EQ(other.message.find("/some/path"), std::string::npos);
  EXPECT_EQ(sqs::ErrorOf(Status::NotSupported("x")).http_status, 500);
}

TEST(SqsInternals, StringMapAndArnParameterNames) {
  json in = {{"m", {{"a", "1"}, {"b", ""}}}};
  auto m = sqs::StringMap(in, "m", false);
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(m["a"], "1");
  EXPECT_EQ(m["b"], "");
  EXPECT_TRUE(sqs::StringMap(in, "absent", false).empty());
  EXPECT_THROW(sqs::StringMap(in, "absent", true), sqs::SqsError);
  RequestContext ctx;
  try {
    sqs::QueueNameOfArn("nope", ctx, "SourceArn");
    ADD_FAILURE() << "no throw";
  } catch (const sqs::SqsError& e) {
    EXPECT_EQ(e.error().code, "InvalidParameterValue");
    EXPECT_NE(e.error().message.find("SourceArn"), std::string::npos);
  }
}

}  // namespace
}  // namespace seglog::server

namespace seglog::server {
namespace {

json QueryInput(const std::string& form, std::string* action) {
  protocol::FormParams params;
  EXPECT_FALSE(protocol::ParseForm(form, &params));
  json in;
  auto err = protocol::DecodeQueryRequest(protocol::SqsModel(), params, "/", action, &in);
  EXPECT_FALSE(err) << form << ": " << err->code << " " << err->message;
  return in;
}

// Issue 14's members over the Query protocol, as Debian's botocore sends them, arrive in the
// JSON shape the adapter reads; its outputs encode as XML.
TEST(SqsQueryWire, NewMembersDecodeAndOutputsEncode) {
  std::string action;
  json in = QueryInput("Action=CreateQueue&QueueName=q&Tag.1.Key=team&Tag.1.Value=a&"
                       "Tag.2.Key=env&Tag.2.Value=", &action);
  EXPECT_EQ(action, "CreateQueue");
  EXPECT_EQ(in["tags"], json({{"team", "a"}, {"env", ""}}));
  EXPECT_EQ(sqs::StringMap(in, "tags", false).size(), 2u);
  in = QueryInput("Action=TagQueue&QueueUrl=u&Tag.1.Key=k&Tag.1.Value=v", &action);
  EXPECT_EQ(in["Tags"], json({{"k", "v"}}));
  in = QueryInput("Action=UntagQueue&QueueUrl=u&TagKey.1=a&TagKey.2=b", &action);
  EXPECT_EQ(in["TagKeys"], json({"a", "b"}));
  in = QueryInput("Action=ReceiveMessage&QueueUrl=u&ReceiveRequestAttemptId=try-1", &action);
  EXPECT_EQ(in["ReceiveRequestAttemptId"], "try-1");
  in = QueryInput("Action=StartMessageMoveTask&SourceArn=a&DestinationArn=b&"
                  "MaxNumberOfMessagesPerSecond=5", &action);
  EXPECT_EQ(in["MaxNumberOfMessagesPerSecond"], 5);

  const std::string tags = protocol::EncodeQueryResult(
      protocol::SqsModel(), "ListQueueTags", json({{"Tags", {{"k", "v"}}}}), "r");
  EXPECT_NE(tags.find("<Tag><Key>k</Key><Value>v</Value></Tag>"), std::string::npos) << tags;
  const json task = {{"Status", "RUNNING"}, {"SourceArn", "arn:aws:sqs:us-east-1:000000000000:d"},
                     {"TaskHandle", "h"}, {"ApproximateNumberOfMessagesMoved", uint64_t{3}},
                     {"ApproximateNumberOfMessagesToMove", uint64_t{9}},
                     {"MaxNumberOfMessagesPerSecond", 1u}, {"StartedTimestamp", int64_t{1700000000123}}};
  const std::string list = protocol::EncodeQueryResult(
      protocol::SqsModel(), "ListMessageMoveTasks", json({{"Results", json::array({task})}}), "r");
  EXPECT_NE(list.find("<StartedTimestamp>1700000000123</StartedTimestamp>"), std::string::npos) << list;
  EXPECT_NE(list.find("<TaskHandle>h</TaskHandle>"), std::string::npos) << list;
  const std::string cancel = protocol::EncodeQueryResult(
      protocol::SqsModel(), "CancelMessageMoveTask",
      json({{"ApproximateNumberOfMessagesMoved", uint64_t{3}}}), "r");
  EXPECT_NE(cancel.find("<ApproximateNumberOfMessagesMoved>3</ApproximateNumberOfMessagesMoved>"),
            std::string::npos) << cancel;
  const std::string purge = protocol::EncodeQueryError(
      protocol::SqsModel(), sqs::ErrorOf(Status::Busy("PurgeQueueInProgress: q")), "r");
  EXPECT_NE(purge.find("<Code>AWS.SimpleQueueService.PurgeQueueInProgress</Code>"), std::string::npos)
      << purge;
}

}  // namespace
}  // namespace seglog::server
