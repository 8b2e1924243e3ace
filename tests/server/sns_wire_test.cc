// SNS on the wire, without the engine: SNS's Query model (server/protocol/sns_model.inc)
// decoding what botocore's serializer writes, the XML botocore's parser reads back (results,
// maps, lists, errors with SNS's codes and HTTP statuses), and the router telling SNS's Query
// calls from SQS's (SigV4 scope, Version, action), the unsigned UnsubscribeURL and the signing
// certificate.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "server/protocol/form.h"
#include "server/protocol/query_codec.h"
#include "server/protocol/service_model.h"
#include "server/router.h"

namespace seglog::server {
namespace {

using nlohmann::json;
using protocol::SnsModel;
namespace fs = std::filesystem;

struct Decoded {
  std::optional<ServiceError> error;
  std::string action;
  json input;
};

Decoded DecodeSns(const std::string& form) {
  Decoded d;
  protocol::FormParams params;
  d.error = protocol::ParseForm(form, &params);
  if (!d.error) d.error = protocol::DecodeQueryRequest(SnsModel(), params, "/", &d.action, &d.input);
  return d;
}

// Runs the oracle script under `python`; its exit status (77: botocore missing).
int Oracle(const std::string& python, const std::string& mode, const std::string& path) {
  const std::string cmd = python + " " + std::string(SEGLOG_SOURCE_DIR) +
                          "/tests/server/clients/sns_botocore_oracle.py " + mode + " " + path;
  const int rc = std::system(cmd.c_str());
  return rc == -1 ? -1 : WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

const char* const kPythons[] = {"python3", "/usr/bin/python3"};  // pip's, Debian's

TEST(SnsModel, IsSnsQueryModel) {
  EXPECT_EQ(SnsModel().xml_namespace(), "http://sns.amazonaws.com/doc/2010-03-31/");
  EXPECT_EQ(SnsModel().api_version(), "2010-03-31");
  ASSERT_TRUE(SnsModel().FindOperation("PublishBatch"));
  EXPECT_EQ(SnsModel().FindOperation("Publish")->result_wrapper, "PublishResult");
  EXPECT_EQ(SnsModel().LegacyCode("NotFoundException"), "NotFound");
  EXPECT_EQ(SnsModel().FindError("NotFoundException")->http_status, 404);
  EXPECT_EQ(SnsModel().LegacyCode("InvalidParameterException"), "InvalidParameter");
  EXPECT_EQ(SnsModel().LegacyCode("InvalidParameterValueException"), "ParameterValueInvalid");
  EXPECT_EQ(SnsModel().FindError("AuthorizationErrorException")->http_status, 403);
  // No SQS action is in SNS's model but the two both have (the router's routing rule).
  EXPECT_FALSE(SnsModel().FindOperation("SendMessage"));
  EXPECT_TRUE(SnsModel().FindOperation("AddPermission"));
}

TEST(SnsDecode, MapsListsAndNestedEntries) {
  const Decoded d = DecodeSns(
      "Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A0%3At&Message=hi"
      "&MessageAttributes.entry.1.Name=color&MessageAttributes.entry.1.Value.DataType=String"
      "&MessageAttributes.entry.1.Value.StringValue=blue"
      "&MessageAttributes.entry.2.Name=raw&MessageAttributes.entry.2.Value.DataType=Binary"
      "&MessageAttributes.entry.2.Value.BinaryValue=AAEC");
  ASSERT_FALSE(d.error) << d.error->message;
  EXPECT_EQ(d.action, "Publish");
  EXPECT_EQ(d.input, json::parse(R"({"TopicArn": "arn:aws:sns:us-east-1:0:t", "Message": "hi",
      "MessageAttributes": {"color": {"DataType": "String", "StringValue": "blue"},
                            "raw": {"DataType": "Binary", "BinaryValue": "AAEC"}}})"));
  const Decoded c = DecodeSns(
      "Action=CreateTopic&Name=t&Attributes.entry.1.key=DisplayName"
      "&Attributes.entry.1.value=d&Tags.member.1.Key=k&Tags.member.1.Value=v");
  ASSERT_FALSE(c.error);
  EXPECT_EQ(c.input, json::parse(R"({"Name": "t", "Attributes": {"DisplayName": "d"},
                                     "Tags": [{"Key": "k", "Value": "v"}]})"));
  // A map entry without its key, a missing required member, an unknown action.
  Decoded e = DecodeSns("Action=CreateTopic&Name=t&Attributes.entry.1.value=d");
  ASSERT_TRUE(e.error);
  EXPECT_EQ(e.error->code, "MissingParameter");
  e = DecodeSns("Action=Publish&TopicArn=x");
  ASSERT_TRUE(e.error);
  EXPECT_EQ(e.error->code, "MissingParameter");
  EXPECT_NE(e.error->message.find("Message"), std::string::npos);
  e = DecodeSns("Action=SendMessage&QueueUrl=q&MessageBody=b");
  ASSERT_TRUE(e.error);
  EXPECT_EQ(e.error->code, "InvalidAction");
}

// botocore (pip's and Debian's) serializes; the decoder must give back exactly its parameters.
TEST(SnsOracle, DecoderReadsWhatBotocoreWrites) {
  int ran = 0;
  for (const std::string python : kPythons) {
    const fs::path out = fs::temp_directory_path() /
                         ("seglog_sns_req_" + std::to_string(::getpid()) + ".json");
    const int status = Oracle(python, "serialize", out.string());
    if (status == 77) continue;
    ASSERT_EQ(status, 0) << python;
    std::ifstream in(out);
    const json cases = json::parse(in);
    fs::remove(out);
    ASSERT_GE(cases.size(), 8u);
    for (const auto& c : cases) {
      const Decoded d = DecodeSns(c["body"].get<std::string>());
      ASSERT_FALSE(d.error) << c["operation"] << ": " << d.error->message;
      EXPECT_EQ(d.action, c["operation"]);
      EXPECT_EQ(d.input, c["params"]) << python << " " << c["operation"] << "\n" << c["body"];
    }
    ++ran;
  }
  if (ran == 0) GTEST_SKIP() << "no botocore";
}

TEST(SnsEncode, ResultAndErrorDocuments) {
  ServiceOutcome ok;
  ok.output = {{"TopicArn", "arn:aws:sns:us-east-1:0:t<1>"}};
  HttpResponse r = protocol::EncodeQueryOutcome(SnsModel(), "CreateTopic", ok, "rid-1");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\"?><CreateTopicResponse "
            "xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><CreateTopicResult><TopicArn>"
            "arn:aws:sns:us-east-1:0:t&lt;1&gt;</TopicArn></CreateTopicResult><ResponseMetadata>"
            "<RequestId>rid-1</RequestId></ResponseMetadata></CreateTopicResponse>");
  ok.output = {{"Attributes", {{"A", "1"}}}};
  r = protocol::EncodeQueryOutcome(SnsModel(), "GetTopicAttributes", ok, "r");
  EXPECT_NE(r.body.find("<GetTopicAttributesResult><Attributes><entry><key>A</key><value>1"
                        "</value></entry></Attributes></GetTopicAttributesResult>"),
            std::string::npos)
      << r.body;
  ServiceOutcome err = ServiceOutcome::Error(404, "NotFoundException", "Topic does not exist");
  r = protocol::EncodeQueryOutcome(SnsModel(), "Publish", err, "rid-2");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\"?><ErrorResponse "
            "xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type>"
            "<Code>NotFound</Code><Message>Topic does not exist</Message></Error>"
            "<RequestId>rid-2</RequestId></ErrorResponse>");
}

// botocore (pip's and Debian's) parses what the encoder writes.
TEST(SnsOracle, ParsersReadWhatWeWrite) {
  const fs::path dir = fs::temp_directory_path() / ("seglog_sns_oracle_" +
                                                    std::to_string(::getpid()));
  fs::create_directories(dir);
  json cases = json::array();
  auto add = [&](const std::string& op, const HttpResponse& r, json expected,
                 std::string exception = "") {
    const std::string file = (dir / ("case" + std::to_string(cases.size()))).string();
    std::ofstream(file, std::ios::binary) << r.body;
    json headers = json::object();
    for (const auto& [k, v] : r.headers) headers[k] = v;
    cases.push_back({{"operation", op}, {"status", r.status}, {"headers", headers},
                     {"body_file", file}, {"expected", expected}, {"exception", exception}});
  };
  const json outputs = json::parse(R"({
    "CreateTopic": {"TopicArn": "arn:aws:sns:us-east-1:0:t"},
    "Publish": {"MessageId": "m-1", "SequenceNumber": "10000000000000000001"},
    "PublishBatch": {"Successful": [{"Id": "1", "MessageId": "m"}],
                     "Failed": [{"Id": "2", "Code": "InvalidParameter", "Message": "bad &",
                                 "SenderFault": true}]},
    "GetTopicAttributes": {"Attributes": {"TopicArn": "a", "Policy": "{\"x\": \"<y>\"}"}},
    "GetSubscriptionAttributes": {"Attributes": {"RawMessageDelivery": "true"}},
    "ListTopics": {"Topics": [{"TopicArn": "a"}, {"TopicArn": "b"}], "NextToken": "n"},
    "ListSubscriptionsByTopic": {"Subscriptions": [{"SubscriptionArn": "s", "Owner": "0",
        "Protocol": "sqs", "Endpoint": "arn:aws:sqs:us-east-1:0:q", "TopicArn": "a"}]},
    "ListTagsForResource": {"Tags": [{"Key": "k", "Value": ""}]},
    "Subscribe": {"SubscriptionArn": "arn:aws:sns:us-east-1:0:t:id"}})");
  for (const auto& [op, out] : outputs.items()) {
    ServiceOutcome o;
    o.output = out;
    add(op, protocol::EncodeQueryOutcome(SnsModel(), op, o, "rid"), out);
  }
  for (const auto& [shape, code] :
       std::vector<std::pair<std::string, std::string>>{{"NotFoundException", "NotFound"},
                                                        {"InvalidParameterException",
                                                         "InvalidParameter"},
                                                        {"AuthorizationErrorException",
                                                         "AuthorizationError"}}) {
    const protocol::ErrorInfo* info = SnsModel().FindError(shape);
    ASSERT_TRUE(info);
    ServiceOutcome e = ServiceOutcome::Error(info->http_status, shape, "why <" + code + ">");
    add("Publish", protocol::EncodeQueryOutcome(SnsModel(), "Publish", e, "rid"),
        {{"Code", code}, {"Message", "why <" + code + ">"}, {"Type", "Sender"}}, shape);
  }
  const fs::path manifest = dir / "cases.json";
  std::ofstream(manifest) << cases.dump(1);
  int ran = 0;
  for (const std::string python : kPythons) {
    const int status = Oracle(python, "parse", manifest.string());
    if (status == 77) continue;
    EXPECT_EQ(status, 0) << python;
    ++ran;
  }
  fs::remove_all(dir);
  if (ran == 0) GTEST_SKIP() << "no botocore";
}

// ---- routing

class Recorder : public Service {
 public:
  void Call(ServiceCall call, ServiceDone done) override {
    calls.push_back(call);
    done(next);
  }
  size_t MaxRequestBytes(std::string_view action) const override {
    return action == "Publish" ? 5'000'000 : action.empty() ? 0 : 1000;
  }
  std::vector<ServiceCall> calls;
  ServiceOutcome next;
};

class SnsRouterTest : public ::testing::Test {
 protected:
  std::unique_ptr<Router> Make(RouterOptions opt = {}) {
    return std::make_unique<Router>(std::move(opt), &sqs, &kinesis, &sns);
  }
  static HttpResponse Run(Router& r, HttpRequest req) {
    std::optional<HttpResponse> got;
    r.Handle(std::move(req), [&](HttpResponse resp) { got = std::move(resp); });
    return got.value_or(HttpResponse{-1, {}, "", false});
  }
  static HttpRequest Form(std::string body, std::string service = "") {
    HttpRequest r;
    r.method = "POST";
    r.target = "/";
    r.headers = {{"host", "h:9324"},
                 {"content-type", "application/x-www-form-urlencoded; charset=utf-8"}};
    if (!service.empty()) {
      r.headers.emplace_back("authorization",
                             "AWS4-HMAC-SHA256 Credential=AK/20261207/us-east-1/" + service +
                                 "/aws4_request, SignedHeaders=host;x-amz-date, Signature=" +
                                 std::string(64, 'a'));
    }
    r.body = std::move(body);
    return r;
  }
  Recorder sqs, kinesis, sns;
};

TEST_F(SnsRouterTest, TellsSnsFromSqs) {
  auto r = Make();
  // The credential scope decides, whatever the action.
  Run(*r, Form("Action=AddPermission&TopicArn=t&Label=l&AWSAccountId.member.1=1"
               "&ActionName.member.1=Publish", "sns"));
  ASSERT_EQ(sns.calls.size(), 1u);
  EXPECT_EQ(sns.calls[0].action, "AddPermission");
  Run(*r, Form("Action=AddPermission&QueueUrl=q&Label=l&AWSAccountId.1=1&ActionName.1=x", "sqs"));
  EXPECT_EQ(sqs.calls.size(), 1u);
  // Unsigned: the API version, then an action only SNS has.
  Run(*r, Form("Action=ListTopics&Version=2010-03-31"));
  Run(*r, Form("Action=Publish&TopicArn=t&Message=m"));
  EXPECT_EQ(sns.calls.size(), 3u);
  EXPECT_EQ(sns.calls[2].input, json::parse(R"({"TopicArn": "t", "Message": "m"})"));
  Run(*r, Form("Action=ListQueues"));
  EXPECT_EQ(sqs.calls.size(), 2u);
  // SNS's errors come in SNS's namespace.
  sns.next = ServiceOutcome::Error(404, "NotFoundException", "Topic does not exist");
  const HttpResponse resp = Run(*r, Form("Action=Publish&TopicArn=t&Message=m", "sns"));
  EXPECT_EQ(resp.status, 404);
  EXPECT_NE(resp.body.find("xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\""),
            std::string::npos);
  EXPECT_NE(resp.body.find("<Code>NotFound</Code>"), std::string::npos) << resp.body;
  // An SQS action signed for SNS: SNS's InvalidAction.
  const HttpResponse bad = Run(*r, Form("Action=SendMessage&QueueUrl=q&MessageBody=b", "sns"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("<Code>InvalidAction</Code>"), std::string::npos) << bad.body;
  EXPECT_EQ(sns.calls.size(), 4u);
  // Without an SNS service every Query call is SQS's, as before.
  auto plain = std::make_unique<Router>(RouterOptions{}, &sqs, &kinesis);
  Run(*plain, Form("Action=ListTopics&Version=2010-03-31"));
  EXPECT_EQ(sns.calls.size(), 4u);
}

TEST_F(SnsRouterTest, UnsubscribeUrlNeedsNoSignatureAndCertificateIsServed) {
  CredentialSet creds;
  creds.Add("AKIDEXAMPLE", "secret");
  RouterOptions opt;
  opt.credentials = &creds;
  opt.now_unix_s = [] { return int64_t{1700000000}; };
  opt.signing_cert_path = "/cert.pem";
  bool ready = false;
  opt.signing_certificate = [&ready](std::string* pem) {
    *pem = "-----BEGIN CERTIFICATE-----\n";
    return ready;
  };
  auto r = Make(opt);
  HttpRequest get;
  get.method = "GET";
  get.target = "/?Action=Unsubscribe&SubscriptionArn=arn%3Aaws%3Asns%3Aus-east-1%3A0%3At%3Aid";
  get.headers = {{"host", "h"}};
  EXPECT_EQ(Run(*r, get).status, 200);
  ASSERT_EQ(sns.calls.size(), 1u);
  EXPECT_EQ(sns.calls[0].action, "Unsubscribe");
  EXPECT_EQ(sns.calls[0].input["SubscriptionArn"], "arn:aws:sns:us-east-1:0:t:id");
  // Any other unsigned SNS call is refused.
  get.target = "/?Action=ListTopics&Version=2010-03-31";
  EXPECT_EQ(Run(*r, get).status, 403);
  EXPECT_EQ(Run(*r, Form("Action=Unsubscribe&SubscriptionArn=x")).status, 403);
  EXPECT_EQ(sns.calls.size(), 1u);
  get.target = "/cert.pem";
  EXPECT_EQ(Run(*r, get).status, 503);
  ready = true;
  const HttpResponse cert = Run(*r, get);
  EXPECT_EQ(cert.status, 200);
  EXPECT_EQ(cert.body, "-----BEGIN CERTIFICATE-----\n");
}

TEST_F(SnsRouterTest, FormBodyLimitCoversSns) {
  auto r = Make();
  EXPECT_EQ(r->BodyLimit(Form("")), 5'000'000u);
}

}  // namespace
}  // namespace seglog::server
