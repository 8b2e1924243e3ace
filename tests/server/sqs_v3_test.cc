// SqsService over issue 14's engine work (0.3.0): tags, message move tasks, dead-letter
// sources, RedriveAllowPolicy kept by the catalog, ReceiveRequestAttemptId, PurgeQueueInProgress,
// and dead-letter moves that keep MessageId and ApproximateReceiveCount. In process, like
// sqs_service_test.cc: a store in a temp dir, its Queues, an Executor, calls in the JSON
// protocol's shape.
#include <chrono>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "server/executor.h"
#include "server/sqs/sqs_service.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/test_util.h"

namespace seglog::server {
namespace {

using nlohmann::json;

constexpr char kArnPrefix[] = "arn:aws:sqs:us-east-1:000000000000:";

class SqsV3Test : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(testing::OpenEngine(dir_.path(), StoreOptions{}, &store_, nullptr, &queues_).ok());
    exec_ = std::make_unique<Executor>(2);
    svc_ = std::make_unique<SqsService>(queues_.get(), exec_.get(), SqsServiceOptions{});
  }
  void TearDown() override {
    svc_->Shutdown();
    exec_->Stop();
    svc_.reset();
    exec_.reset();
    testing::CloseEngine(&store_, nullptr, &queues_);
  }

  ServiceOutcome Call(const std::string& action, json input) {
    std::promise<ServiceOutcome> p;
    std::future<ServiceOutcome> f = p.get_future();
    RequestContext ctx;
    ctx.host = "localhost:9324";
    svc_->Call(ServiceCall{action, std::move(input), ctx},
               [&p](ServiceOutcome o) { p.set_value(std::move(o)); });
    if (f.wait_for(std::chrono::seconds(60)) != std::future_status::ready) {
      ADD_FAILURE() << action << ": no answer";
      return ServiceOutcome::Error(0, "Timeout", "");
    }
    return f.get();
  }
  json Ok(const std::string& action, json input) {
    ServiceOutcome o = Call(action, std::move(input));
    EXPECT_FALSE(o.error) << action << ": " << o.error->code << " " << o.error->message;
    return o.output;
  }
  std::string Err(const std::string& action, json input) {
    ServiceOutcome o = Call(action, std::move(input));
    return o.error ? o.error->code : "(no error)";
  }
  static std::string Url(const std::string& name) {
    return "http://localhost:9324/000000000000/" + name;
  }
  static std::string Arn(const std::string& name) { return kArnPrefix + name; }
  std::string Create(const std::string& name, json attrs = json::object()) {
    return Ok("CreateQueue", {{"QueueName", name}, {"Attributes", attrs}}).value("QueueUrl", "");
  }
  static std::string Policy(const std::string& dlq, int max_receives) {
    return json({{"deadLetterTargetArn", Arn(dlq)}, {"maxReceiveCount", max_receives}}).dump();
  }
  json Receive(const std::string& url, json extra = json::object()) {
    json in = {{"QueueUrl", url}, {"MaxNumberOfMessages", 10}, {"WaitTimeSeconds", 0},
               {"AttributeNames", json::array({"All"})}};
    in.update(extra);
    return Ok("ReceiveMessage", in).value("Messages", json::array());
  }
  std::string Count(const std::string& url, const char* attr) {
    return Ok("GetQueueAttributes", {{"QueueUrl", url}, {"AttributeNames", {attr}}})["Attributes"][attr];
  }
  // Sends n messages to src and receives each max_receives + 1 times (visibility 0), so that
  // all of them end in src's dead-letter queue. Their MessageIds.
  std::set<std::string> FillDeadLetterQueue(const std::string& src, int n, int max_receives) {
    std::set<std::string> ids;
    for (int i = 0; i < n; ++i) {
      ids.insert(Ok("SendMessage", {{"QueueUrl", src}, {"MessageBody", "m" + std::to_string(i)}})
                     ["MessageId"].get<std::string>());
    }
    for (int r = 0; r <= max_receives + 1; ++r) {
      for (int k = 0; k < n / 10 + 2; ++k) Receive(src, {{"VisibilityTimeout", 0}});
    }
    return ids;
  }
  // Waits (a bound, not a goal) until the source's newest move task is no longer RUNNING.
  json WaitTaskDone(const std::string& source) {
    for (int i = 0; i < 600; ++i) {
      json r = Ok("ListMessageMoveTasks", {{"SourceArn", Arn(source)}})["Results"];
      if (!r.empty() && r[0]["Status"] != "RUNNING" && r[0]["Status"] != "CANCELLING") return r[0];
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "the move task of " << source << " did not end";
    return json::object();
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Queues> queues_;
  std::unique_ptr<Executor> exec_;
  std::unique_ptr<SqsService> svc_;
};

TEST_F(SqsV3Test, Tags) {
  const std::string url = Ok("CreateQueue", {{"QueueName", "t"}, {"tags", {{"team", "a"}, {"env", "dev"}}}})
                              ["QueueUrl"];
  EXPECT_EQ(Ok("ListQueueTags", {{"QueueUrl", url}})["Tags"], json({{"team", "a"}, {"env", "dev"}}));
  // CreateQueue of an existing queue neither compares nor changes its tags (SQS).
  Ok("CreateQueue", {{"QueueName", "t"}, {"tags", {{"other", "x"}}}});
  EXPECT_EQ(Ok("ListQueueTags", {{"QueueUrl", url}})["Tags"], json({{"team", "a"}, {"env", "dev"}}));

  Ok("TagQueue", {{"QueueUrl", url}, {"Tags", {{"team", "b"}, {"cost", ""}}}});
  EXPECT_EQ(Ok("ListQueueTags", {{"QueueUrl", url}})["Tags"],
            json({{"team", "b"}, {"env", "dev"}, {"cost", ""}}));
  Ok("UntagQueue", {{"QueueUrl", url}, {"TagKeys", {"env", "never-set"}}});
  EXPECT_EQ(Ok("ListQueueTags", {{"QueueUrl", url}})["Tags"], json({{"team", "b"}, {"cost", ""}}));
  Ok("UntagQueue", {{"QueueUrl", url}, {"TagKeys", {"team", "cost"}}});
  EXPECT_FALSE(Ok("ListQueueTags", {{"QueueUrl", url}}).contains("Tags"));  // none: no member

  EXPECT_EQ(Err("TagQueue", {{"QueueUrl", url}, {"Tags", {{"aws:reserved", "x"}}}}), "InvalidParameterValue");
  EXPECT_EQ(Err("TagQueue", {{"QueueUrl", url}, {"Tags", {{"", "x"}}}}), "InvalidParameterValue");
  EXPECT_EQ(Err("TagQueue", {{"QueueUrl", url}, {"Tags", {{std::string(129, 'k'), "x"}}}}),
            "InvalidParameterValue");
  json many = json::object();
  for (int i = 0; i < 51; ++i) many["k" + std::to_string(i)] = "v";
  EXPECT_EQ(Err("TagQueue", {{"QueueUrl", url}, {"Tags", many}}), "InvalidParameterValue");
  EXPECT_FALSE(Ok("ListQueueTags", {{"QueueUrl", url}}).contains("Tags"));  // nothing changed
  EXPECT_EQ(Err("CreateQueue", {{"QueueName", "t2"}, {"tags", many}}), "InvalidParameterValue");
  EXPECT_EQ(Err("GetQueueUrl", {{"QueueName", "t2"}}), "QueueDoesNotExist");

  EXPECT_EQ(Err("TagQueue", {{"QueueUrl", Url("nope")}, {"Tags", {{"a", "b"}}}}), "QueueDoesNotExist");
  EXPECT_EQ(Err("UntagQueue", {{"QueueUrl", Url("nope")}, {"TagKeys", {"a"}}}), "QueueDoesNotExist");
  EXPECT_EQ(Err("ListQueueTags", {{"QueueUrl", Url("nope")}}), "QueueDoesNotExist");
}

TEST_F(SqsV3Test, ListDeadLetterSourceQueuesPages) {
  const std::string dlq = Create("dlq");
  Create("other");
  for (const char* s : {"s3", "s1", "s2"}) Create(s, {{"RedrivePolicy", Policy("dlq", 3)}});
  Create("unrelated", {{"RedrivePolicy", Policy("other", 3)}});
  EXPECT_EQ(Ok("ListDeadLetterSourceQueues", {{"QueueUrl", dlq}})["queueUrls"],
            json({Url("s1"), Url("s2"), Url("s3")}));
  json p1 = Ok("ListDeadLetterSourceQueues", {{"QueueUrl", dlq}, {"MaxResults", 2}});
  EXPECT_EQ(p1["queueUrls"], json({Url("s1"), Url("s2")}));
  ASSERT_TRUE(p1.contains("NextToken"));
  json p2 = Ok("ListDeadLetterSourceQueues",
               {{"QueueUrl", dlq}, {"MaxResults", 2}, {"NextToken", p1["NextToken"]}});
  EXPECT_EQ(p2["queueUrls"], json({Url("s3")}));
  EXPECT_FALSE(p2.contains("NextToken"));
  Ok("SetQueueAttributes", {{"QueueUrl", Url("s2")}, {"Attributes", {{"RedrivePolicy", ""}}}});
  EXPECT_EQ(Ok("ListDeadLetterSourceQueues", {{"QueueUrl", dlq}})["queueUrls"], json({Url("s1"), Url("s3")}));
  EXPECT_EQ(Ok("ListDeadLetterSourceQueues", {{"QueueUrl", Url("s1")}})["queueUrls"], json::array());
  EXPECT_EQ(Err("ListDeadLetterSourceQueues", {{"QueueUrl", Url("nope")}}), "QueueDoesNotExist");
}

TEST_F(SqsV3Test, RedriveAllowPolicyAtCreationAndEnforced) {
  const std::string d = Create("d", {{"RedriveAllowPolicy", R"({"redrivePermission":"denyAll"})"}});
  EXPECT_EQ(json::parse(Ok("GetQueueAttributes", {{"QueueUrl", d}, {"AttributeNames", {"RedriveAllowPolicy"}}})
                            ["Attributes"]["RedriveAllowPolicy"].get<std::string>()),
            json({{"redrivePermission", "denyAll"}}));
  EXPECT_EQ(Err("CreateQueue", {{"QueueName", "d"},
                                {"Attributes", {{"RedriveAllowPolicy", R"({"redrivePermission":"allowAll"})"}}}}),
            "QueueNameExists");
  EXPECT_EQ(Err("CreateQueue", {{"QueueName", "s"}, {"Attributes", {{"RedrivePolicy", Policy("d", 2)}}}}),
            "InvalidParameterValue");
  const json by_queue = {{"redrivePermission", "byQueue"}, {"sourceQueueArns", json::array({Arn("ok")})}};
  Ok("SetQueueAttributes", {{"QueueUrl", d}, {"Attributes", {{"RedriveAllowPolicy", by_queue.dump()}}}});
  Create("ok", {{"RedrivePolicy", Policy("d", 2)}});
  EXPECT_EQ(Err("CreateQueue", {{"QueueName", "no"}, {"Attributes", {{"RedrivePolicy", Policy("d", 2)}}}}),
            "InvalidParameterValue");
  // Kept across a reopen (the catalog).
  TearDown();
  SetUp();
  EXPECT_EQ(json::parse(Ok("GetQueueAttributes", {{"QueueUrl", d}, {"AttributeNames", {"All"}}})
                            ["Attributes"]["RedriveAllowPolicy"].get<std::string>()),
            by_queue);
}

TEST_F(SqsV3Test, DeadLetterMoveKeepsMessageIdAndReceiveCount) {
  const std::string dlq = Create("dlq");
  const std::string src = Create("src", {{"RedrivePolicy", Policy("dlq", 2)}});
  const std::string id = Ok("SendMessage", {{"QueueUrl", src}, {"MessageBody", "x"}})["MessageId"];
  for (int i = 0; i < 2; ++i) ASSERT_EQ(Receive(src, {{"VisibilityTimeout", 0}}).size(), 1u);
  EXPECT_TRUE(Receive(src, {{"VisibilityTimeout", 0}}).empty());  // the third receive moves it
  json m = Receive(dlq);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0]["MessageId"], id);
  EXPECT_EQ(m[0]["Body"], "x");
  // SQS keeps counting: 2 receives in src, then this one.
  EXPECT_EQ(m[0]["Attributes"]["ApproximateReceiveCount"], "3");
  EXPECT_EQ(m[0]["Attributes"]["DeadLetterQueueSourceArn"], Arn("src"));
}

TEST_F(SqsV3Test, MessageMoveTaskBackToSources) {
  const std::string dlq = Create("dlq");
  const std::string src = Create("src", {{"RedrivePolicy", Policy("dlq", 1)}});
  const std::set<std::string> ids = FillDeadLetterQueue(src, 5, 1);
  ASSERT_EQ(Count(dlq, "ApproximateNumberOfMessages"), "5");

  EXPECT_EQ(Ok("ListMessageMoveTasks", {{"SourceArn", Arn("dlq")}})["Results"], json::array());
  const std::string handle = Ok("StartMessageMoveTask", {{"SourceArn", Arn("dlq")}})["TaskHandle"];
  EXPECT_FALSE(handle.empty());
  EXPECT_LE(handle.size(), 256u);
  json done = WaitTaskDone("dlq");
  EXPECT_EQ(done["Status"], "COMPLETED");
  EXPECT_EQ(done["SourceArn"], Arn("dlq"));
  EXPECT_FALSE(done.contains("TaskHandle"));      // SQS: only while RUNNING
  EXPECT_FALSE(done.contains("DestinationArn"));  // back to the sources
  EXPECT_FALSE(done.contains("MaxNumberOfMessagesPerSecond"));
  EXPECT_FALSE(done.contains("FailureReason"));
  EXPECT_EQ(done["ApproximateNumberOfMessagesMoved"], 5);
  EXPECT_EQ(done["ApproximateNumberOfMessagesToMove"], 5);
  EXPECT_NEAR(done["StartedTimestamp"].get<double>(),
              std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now().time_since_epoch()).count(), 600000.0);
  std::set<std::string> bodies;
  for (int i = 0; i < 3 && bodies.size() < 5; ++i) {
    for (const json& m : Receive(src, {{"VisibilityTimeout", 60}})) {
      bodies.insert(m["Body"]);
      EXPECT_FALSE(m["Attributes"].contains("DeadLetterQueueSourceArn")) << "redriven: new";
    }
  }
  EXPECT_EQ(bodies.size(), 5u);
  EXPECT_EQ(Count(dlq, "ApproximateNumberOfMessages"), "0");
  EXPECT_EQ(Err("CancelMessageMoveTask", {{"TaskHandle", handle}}), "ResourceNotFoundException");
}

TEST_F(SqsV3Test, MessageMoveTaskToADestinationCancelledAndErrors) {
  const std::string dlq = Create("dlq");
  const std::string src = Create("src", {{"RedrivePolicy", Policy("dlq", 1)}});
  const std::string dest = Create("dest");
  FillDeadLetterQueue(src, 40, 1);
  ASSERT_EQ(Count(dlq, "ApproximateNumberOfMessages"), "40");

  // At 1 message a second the task runs for ~40 s: long enough to see it RUNNING and cancel it.
  const std::string handle = Ok("StartMessageMoveTask", {{"SourceArn", Arn("dlq")},
                                                         {"DestinationArn", Arn("dest")},
                                                         {"MaxNumberOfMessagesPerSecond", 1}})
                                 ["TaskHandle"];
  ServiceOutcome again = Call("StartMessageMoveTask", {{"SourceArn", Arn("dlq")}});
  ASSERT_TRUE(again.error);
  EXPECT_EQ(again.error->code, "InvalidParameterValue");
  EXPECT_NE(again.error->message.find("already a task running"), std::string::npos);
  json running = Ok("ListMessageMoveTasks", {{"SourceArn", Arn("dlq")}, {"MaxResults", 10}})["Results"];
  ASSERT_EQ(running.size(), 1u);
  EXPECT_EQ(running[0]["Status"], "RUNNING");
  EXPECT_EQ(running[0]["TaskHandle"], handle);
  EXPECT_EQ(running[0]["DestinationArn"], Arn("dest"));
  EXPECT_EQ(running[0]["MaxNumberOfMessagesPerSecond"], 1);
  EXPECT_EQ(running[0]["ApproximateNumberOfMessagesToMove"], 40);

  json cancel = Ok("CancelMessageMoveTask", {{"TaskHandle", handle}});
  ASSERT_TRUE(cancel.contains("ApproximateNumberOfMessagesMoved"));
  const uint64_t moved = cancel["ApproximateNumberOfMessagesMoved"];
  EXPECT_LT(moved, 40u);
  json ended = WaitTaskDone("dlq");
  EXPECT_EQ(ended["Status"], "CANCELLED");
  EXPECT_FALSE(ended.contains("TaskHandle"));
  // Moved messages stay moved; the rest stay in the dead-letter queue; none lost.
  const uint64_t in_dest = std::stoull(Count(dest, "ApproximateNumberOfMessages"));
  const uint64_t in_dlq = std::stoull(Count(dlq, "ApproximateNumberOfMessages"));
  EXPECT_EQ(in_dest + in_dlq, 40u);
  EXPECT_GE(in_dest, moved);

  EXPECT_EQ(Err("CancelMessageMoveTask", {{"TaskHandle", handle}}), "ResourceNotFoundException");
  EXPECT_EQ(Err("CancelMessageMoveTask", {{"TaskHandle", "not-a-handle"}}), "ResourceNotFoundException");
  EXPECT_EQ(Err("StartMessageMoveTask", {{"SourceArn", Arn("nope")}}), "ResourceNotFoundException");
  ServiceOutcome no_dest =
      Call("StartMessageMoveTask", {{"SourceArn", Arn("dlq")}, {"DestinationArn", Arn("nope")}});
  ASSERT_TRUE(no_dest.error);
  EXPECT_EQ(no_dest.error->code, "ResourceNotFoundException");
  EXPECT_NE(no_dest.error->message.find("DestinationArn"), std::string::npos);
  EXPECT_EQ(Err("StartMessageMoveTask", {{"SourceArn", Arn("dest")}}), "InvalidParameterValue");  // not a DLQ
  EXPECT_EQ(Err("StartMessageMoveTask", {{"SourceArn", Arn("dlq")}, {"DestinationArn", Arn("dlq")}}),
            "InvalidParameterValue");
  EXPECT_EQ(Err("ListMessageMoveTasks", {{"SourceArn", Arn("nope")}}), "ResourceNotFoundException");
}

TEST_F(SqsV3Test, ReceiveRequestAttemptIdRepeatsAReceive) {
  const std::string f = Create("f.fifo", {{"FifoQueue", "true"}, {"ContentBasedDeduplication", "true"}});
  for (int i = 0; i < 3; ++i) {
    Ok("SendMessage", {{"QueueUrl", f}, {"MessageBody", "b" + std::to_string(i)}, {"MessageGroupId", "g"}});
  }
  json first = Receive(f, {{"ReceiveRequestAttemptId", "attempt-1"}, {"VisibilityTimeout", 60}});
  ASSERT_EQ(first.size(), 3u);
  json retry = Receive(f, {{"ReceiveRequestAttemptId", "attempt-1"}, {"VisibilityTimeout", 60}});
  ASSERT_EQ(retry.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(retry[i]["MessageId"], first[i]["MessageId"]);
    EXPECT_EQ(retry[i]["ReceiptHandle"], first[i]["ReceiptHandle"]);
  }
  EXPECT_TRUE(Receive(f, {{"ReceiveRequestAttemptId", "attempt-2"}}).empty());  // the group is busy
  EXPECT_EQ(Err("ReceiveMessage", {{"QueueUrl", f}, {"ReceiveRequestAttemptId", std::string(129, 'a')}}),
            "InvalidParameterValue");
  EXPECT_EQ(Err("ReceiveMessage", {{"QueueUrl", f}, {"ReceiveRequestAttemptId", "bad id"}}),
            "InvalidParameterValue");

  // Standard queues ignore it (SQS): a repeat is a new receive.
  const std::string s = Create("s");
  Ok("SendMessage", {{"QueueUrl", s}, {"MessageBody", "x"}});
  ASSERT_EQ(Receive(s, {{"ReceiveRequestAttemptId", "a"}, {"VisibilityTimeout", 60}}).size(), 1u);
  EXPECT_TRUE(Receive(s, {{"ReceiveRequestAttemptId", "a"}}).empty());
}

TEST_F(SqsV3Test, PurgeQueueInProgress) {
  const std::string url = Create("p");  // SqsServiceOptions' default: the aws limits profile
  Ok("SendMessage", {{"QueueUrl", url}, {"MessageBody", "x"}});
  Ok("PurgeQueue", {{"QueueUrl", url}});
  ServiceOutcome again = Call("PurgeQueue", {{"QueueUrl", url}});
  ASSERT_TRUE(again.error);
  EXPECT_EQ(again.error->code, "PurgeQueueInProgress");
  EXPECT_EQ(again.error->http_status, 403);
  EXPECT_EQ(again.error->message, "Only one PurgeQueue operation on p is allowed every 60 seconds.");
  EXPECT_EQ(Count(url, "ApproximateNumberOfMessages"), "0");
}

}  // namespace
}  // namespace seglog::server
