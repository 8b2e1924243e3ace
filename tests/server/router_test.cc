// The router (server/router.h) over fake services that record their calls and answer canned
// outcomes: protocol detection, health and metrics, errors in each request's protocol,
// QueueUrl from the path, exceptions -> 500, and body limits.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "server/protocol/service_model.h"
#include "server/router.h"

namespace seglog::server {
namespace {

using nlohmann::json;

class FakeService : public Service {
 public:
  void Call(ServiceCall call, ServiceDone done) override {
    calls.push_back(call);
    if (throw_in_call) throw std::runtime_error("boom");
    if (later) {
      pending = std::move(done);
      return;
    }
    done(next);
  }
  size_t MaxRequestBytes(std::string_view action) const override {
    if (action == "SendMessageBatch") return 2000000;
    if (action == "SendMessage" || action == "PutRecords") return 300000;
    if (action == "ReceiveMessage" || action == "PutRecord" || action == "CreateQueue") return 1000;
    return 0;
  }
  std::vector<ServiceCall> calls;
  ServiceOutcome next;
  bool throw_in_call = false;
  bool later = false;
  ServiceDone pending;
};

std::string HeaderOf(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<none>";
}

class RouterTest : public ::testing::Test {
 protected:
  std::unique_ptr<Router> Make(RouterOptions opt = {}) {
    if (!opt.metrics) opt.metrics = &metrics;
    return std::make_unique<Router>(std::move(opt), &sqs, &kinesis);
  }
  HttpResponse Run(Router& r, HttpRequest req) {
    std::optional<HttpResponse> got;
    int answers = 0;
    r.Handle(std::move(req), [&](HttpResponse resp) {
      got = std::move(resp);
      ++answers;
    });
    EXPECT_EQ(answers, 1);
    return got.value_or(HttpResponse{-1, {}, "", false});
  }
  static HttpRequest Json(std::string target, std::string body) {
    HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"host", "h:9324"}, {"x-amz-target", std::move(target)},
                 {"content-type", "application/x-amz-json-1.0"}};
    r.body = std::move(body);
    return r;
  }
  static HttpRequest Form(std::string path, std::string body) {
    HttpRequest r;
    r.method = "POST";
    r.target = std::move(path);
    r.headers = {{"host", "h:9324"},
                 {"content-type", "application/x-www-form-urlencoded; charset=utf-8"}};
    r.body = std::move(body);
    return r;
  }
  FakeService sqs, kinesis;
  Metrics metrics;
};

TEST_F(RouterTest, HealthAndMetrics) {
  auto r = Make();
  HttpRequest h;
  h.method = "GET";
  h.target = "/health";
  const HttpResponse health = Run(*r, h);
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok");
  Run(*r, Json("AmazonSQS.SendMessage", R"({"QueueUrl": "q", "MessageBody": "b"})"));
  h.target = "/metrics";
  const HttpResponse m = Run(*r, h);
  EXPECT_EQ(m.status, 200);
  EXPECT_EQ(HeaderOf(m, "Content-Type"), "text/plain; version=0.0.4");
  EXPECT_NE(m.body.find("SendMessage"), std::string::npos) << m.body;
  EXPECT_TRUE(sqs.calls.size() == 1 && kinesis.calls.empty());
}

TEST_F(RouterTest, SqsJsonCall) {
  sqs.next.output = {{"MessageId", "m1"}};
  auto r = Make();
  HttpRequest req = Json("AmazonSQS.SendMessage", R"({"QueueUrl": "q", "MessageBody": "b"})");
  req.tls = true;
  const HttpResponse resp = Run(*r, req);
  ASSERT_EQ(sqs.calls.size(), 1u);
  const ServiceCall c = sqs.calls[0];  // a copy: later calls grow the vector
  EXPECT_EQ(c.action, "SendMessage");
  EXPECT_EQ(c.input, json::parse(R"({"QueueUrl": "q", "MessageBody": "b"})"));
  EXPECT_EQ(c.ctx.scheme, "https");
  EXPECT_EQ(c.ctx.host, "h:9324");
  EXPECT_EQ(c.ctx.path, "/");
  EXPECT_EQ(c.ctx.request_id.size(), 36u);
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(HeaderOf(resp, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(HeaderOf(resp, "x-amzn-RequestId"), c.ctx.request_id);
  EXPECT_EQ(json::parse(resp.body), sqs.next.output);
  // Request ids differ; a configured public host wins over Host.
  RouterOptions opt;
  opt.public_host = "queues.example:443";
  opt.region = "eu-west-1";
  auto r2 = Make(opt);
  Run(*r2, Json("AmazonSQS.ListQueues", ""));
  ASSERT_EQ(sqs.calls.size(), 2u);
  EXPECT_EQ(sqs.calls[1].ctx.host, "queues.example:443");
  EXPECT_EQ(sqs.calls[1].ctx.region, "eu-west-1");
  EXPECT_EQ(sqs.calls[1].input, json::object());
  EXPECT_NE(sqs.calls[1].ctx.request_id, c.ctx.request_id);
}

TEST_F(RouterTest, KinesisJsonCall) {
  kinesis.next.output = {{"ShardId", "shardId-000000000000"}};
  auto r = Make();
  HttpRequest req = Json("Kinesis_20131202.PutRecord", R"({"StreamName": "s"})");
  const HttpResponse resp = Run(*r, req);
  ASSERT_EQ(kinesis.calls.size(), 1u);
  EXPECT_TRUE(sqs.calls.empty());
  EXPECT_EQ(kinesis.calls[0].action, "PutRecord");
  EXPECT_EQ(HeaderOf(resp, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(json::parse(resp.body), kinesis.next.output);
  // Errors render bare; malformed bodies are SerializationException.
  kinesis.next = ServiceOutcome::Error(400, "ResourceNotFoundException", "no stream");
  EXPECT_EQ(json::parse(Run(*r, req).body)["__type"], "ResourceNotFoundException");
  const HttpResponse bad = Run(*r, Json("Kinesis_20131202.PutRecord", "[1,2]"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(json::parse(bad.body)["__type"], "SerializationException");
  EXPECT_EQ(kinesis.calls.size(), 2u);
}

TEST_F(RouterTest, SqsJsonErrors) {
  sqs.next = ServiceOutcome::Error(400, "QueueDoesNotExist", "gone");
  auto r = Make();
  HttpResponse resp = Run(*r, Json("AmazonSQS.GetQueueUrl", R"({"QueueName": "x"})"));
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(HeaderOf(resp, "x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
  EXPECT_EQ(json::parse(resp.body)["__type"], "com.amazonaws.sqs#QueueDoesNotExist");
  resp = Run(*r, Json("AmazonSQS.GetQueueUrl", "{nope"));
  EXPECT_EQ(resp.status, 400);
  EXPECT_EQ(json::parse(resp.body)["__type"], "com.amazonaws.sqs#InvalidParameterValue");
  EXPECT_EQ(sqs.calls.size(), 1u);
}

TEST_F(RouterTest, UnknownTargetsAndProtocols) {
  auto r = Make();
  for (const char* target :
       {"Foo.Bar", "AmazonSQS.LaunchRocket", "AmazonSQS.", "Kinesis_20131202."}) {
    const HttpResponse resp = Run(*r, Json(target, "{}"));
    EXPECT_EQ(resp.status, 400) << target;
    // Kinesis answers in JSON 1.1; SQS and unknown targets sent as 1.0 in 1.0.
    EXPECT_EQ(HeaderOf(resp, "Content-Type"),
              std::string_view(target).substr(0, 7) == "Kinesis" ? "application/x-amz-json-1.1"
                                                                 : "application/x-amz-json-1.0")
        << target;
    EXPECT_NE(json::parse(resp.body)["__type"].get<std::string>().find("UnknownOperationException"),
              std::string::npos)
        << target;
  }
  HttpRequest plain;
  plain.method = "POST";
  plain.target = "/";
  plain.body = "hello";
  const HttpResponse xml = Run(*r, plain);
  EXPECT_EQ(xml.status, 400);
  EXPECT_NE(xml.body.find("<Code>InvalidAction</Code>"), std::string::npos) << xml.body;
  EXPECT_TRUE(sqs.calls.empty());
  EXPECT_TRUE(kinesis.calls.empty());
  // A service that is not configured.
  Router no_kinesis(RouterOptions{}, &sqs, nullptr);
  const HttpResponse k = Run(no_kinesis, Json("Kinesis_20131202.ListStreams", "{}"));
  EXPECT_EQ(k.status, 400);
  EXPECT_EQ(json::parse(k.body)["__type"], "UnknownOperationException");
}

TEST_F(RouterTest, QueryCallsWithQueueUrlFromPath) {
  sqs.next.output = json::parse(R"({"Messages": [{"MessageId": "m", "Body": "b"}]})");
  auto r = Make();
  HttpRequest get;
  get.method = "GET";
  get.target = "/000000000000/q1?Action=ReceiveMessage&MaxNumberOfMessages=2&AttributeName.1=All";
  get.headers = {{"host", "h"}};
  HttpResponse resp = Run(*r, get);
  ASSERT_EQ(sqs.calls.size(), 1u);
  EXPECT_EQ(sqs.calls[0].action, "ReceiveMessage");
  EXPECT_EQ(sqs.calls[0].input, json::parse(R"({"QueueUrl": "/000000000000/q1",
      "MaxNumberOfMessages": 2, "AttributeNames": ["All"]})"));
  EXPECT_EQ(sqs.calls[0].ctx.path, "/000000000000/q1");
  EXPECT_EQ(resp.status, 200);
  EXPECT_EQ(HeaderOf(resp, "Content-Type"), "text/xml");
  EXPECT_NE(resp.body.find("<ReceiveMessageResult><Message><Body>b</Body><MessageId>m</MessageId>"
                           "</Message></ReceiveMessageResult>"),
            std::string::npos)
      << resp.body;
  // POSTed form to the queue URL path; a service error as an XML error document.
  sqs.next = ServiceOutcome::Error(400, "QueueDoesNotExist", "gone");
  resp = Run(*r, Form("/000000000000/q2", "Action=SendMessage&MessageBody=x"));
  ASSERT_EQ(sqs.calls.size(), 2u);
  EXPECT_EQ(sqs.calls[1].input["QueueUrl"], "/000000000000/q2");
  EXPECT_EQ(resp.status, 400);
  EXPECT_NE(resp.body.find("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"),
            std::string::npos);
  // Decoding errors never reach the service.
  resp = Run(*r, Form("/", "Action=SendMessage&QueueUrl=q&MessageBody=%zz"));
  EXPECT_EQ(resp.status, 400);
  EXPECT_NE(resp.body.find("<Code>MalformedQueryString</Code>"), std::string::npos);
  resp = Run(*r, Form("/", "Action=ReceiveMessage&QueueUrl=q&WaitTimeSeconds=soon"));
  EXPECT_NE(resp.body.find("<Code>InvalidParameterValue</Code>"), std::string::npos);
  resp = Run(*r, Form("/", "Action=Explode"));
  EXPECT_NE(resp.body.find("<Code>InvalidAction</Code>"), std::string::npos);
  EXPECT_EQ(sqs.calls.size(), 2u);
}

TEST_F(RouterTest, ExceptionsBecome500) {
  auto r = Make();
  sqs.throw_in_call = true;
  HttpResponse resp = Run(*r, Json("AmazonSQS.ListQueues", "{}"));
  EXPECT_EQ(resp.status, 500);
  EXPECT_EQ(json::parse(resp.body)["__type"], "com.amazonaws.sqs#InternalFailure");
  resp = Run(*r, Form("/", "Action=ListQueues"));
  EXPECT_EQ(resp.status, 500);
  EXPECT_NE(resp.body.find("<Code>InternalFailure</Code>"), std::string::npos);
  // An output that does not fit the model's shape cannot be encoded as XML.
  sqs.throw_in_call = false;
  sqs.next.output = json::parse(R"({"QueueUrls": "not-a-list"})");
  resp = Run(*r, Form("/", "Action=ListQueues"));
  EXPECT_EQ(resp.status, 500);
  EXPECT_NE(resp.body.find("<Type>Receiver</Type><Code>InternalFailure</Code>"), std::string::npos);
}

TEST_F(RouterTest, AnswersFromAnotherThreadOnce) {
  sqs.later = true;
  auto r = Make();
  std::optional<HttpResponse> got;
  int answers = 0;
  r->Handle(Json("AmazonSQS.ListQueues", "{}"), [&](HttpResponse resp) {
    got = std::move(resp);
    ++answers;
  });
  EXPECT_EQ(answers, 0);
  ASSERT_TRUE(sqs.pending);
  ServiceOutcome o;
  o.output = {{"QueueUrls", json::array()}};
  std::thread([&] { sqs.pending(o); }).join();
  EXPECT_EQ(answers, 1);
  ASSERT_TRUE(got);
  EXPECT_EQ(json::parse(got->body), o.output);
}

TEST_F(RouterTest, AuthenticationRefusesUnsignedRequests) {
  CredentialSet creds;
  creds.Add("AKIDEXAMPLE", "secret");
  RouterOptions opt;
  opt.credentials = &creds;
  opt.now_unix_s = [] { return int64_t{1700000000}; };
  auto r = Make(opt);
  HttpResponse resp = Run(*r, Json("AmazonSQS.ListQueues", "{}"));
  EXPECT_EQ(resp.status, 403);
  EXPECT_EQ(json::parse(resp.body)["__type"], "com.amazonaws.sqs#MissingAuthenticationToken");
  resp = Run(*r, Form("/", "Action=ListQueues"));
  EXPECT_EQ(resp.status, 403);
  EXPECT_NE(resp.body.find("<Code>MissingAuthenticationToken</Code>"), std::string::npos);
  EXPECT_TRUE(sqs.calls.empty());
  HttpRequest h;
  h.method = "GET";
  h.target = "/health";
  h.remote = "203.0.113.7:5000";
  EXPECT_EQ(Run(*r, h).status, 200);
  // /metrics names every queue: with authentication on, a remote peer must sign for it; a
  // loopback scraper need not.
  h.target = "/metrics";
  EXPECT_EQ(Run(*r, h).status, 403);
  h.remote = "127.0.0.1:5000";
  EXPECT_EQ(Run(*r, h).status, 200);
  h.remote = "[::1]:5000";
  EXPECT_EQ(Run(*r, h).status, 200);
}

TEST_F(RouterTest, BodyLimits) {
  auto r = Make();
  EXPECT_EQ(r->BodyLimit(Json("AmazonSQS.SendMessage", "")), 300000u);
  EXPECT_EQ(r->BodyLimit(Json("AmazonSQS.Nope", "")), 64u * 1024);
  EXPECT_EQ(r->BodyLimit(Json("Kinesis_20131202.PutRecords", "")), 300000u);
  EXPECT_EQ(r->BodyLimit(Json("Other.Thing", "")), 64u * 1024);
  EXPECT_EQ(r->BodyLimit(Form("/", "")), 2000000u);  // the largest of SQS's actions
  HttpRequest get;
  get.method = "GET";
  get.target = "/?Action=ListQueues";
  EXPECT_EQ(r->BodyLimit(get), 64u * 1024);
}

}  // namespace
}  // namespace seglog::server
