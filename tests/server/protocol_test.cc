// The wire codecs (server/protocol/): Query decoding against hand-written JSON, the Query
// XML and JSON 1.0/1.1 encodings, and (the real oracle) botocore's own parsers reading what
// the encoders write (tests/server/parse_with_botocore.py).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "server/protocol/form.h"
#include "server/protocol/json_codec.h"
#include "server/protocol/query_codec.h"
#include "server/protocol/service_model.h"
#include "server/protocol/xml.h"

namespace seglog::server::protocol {
namespace {

using nlohmann::json;

struct Decoded {
  std::optional<ServiceError> error;
  std::string action;
  json input;
};

Decoded DecodeForm(const std::string& form, std::string_view path = "/",
                   const ServiceModel& model = SqsModel()) {
  Decoded d;
  FormParams params;
  d.error = ParseForm(form, &params);
  if (!d.error) d.error = DecodeQueryRequest(model, params, path, &d.action, &d.input);
  return d;
}

json MustDecode(const std::string& form, std::string_view path = "/") {
  Decoded d = DecodeForm(form, path);
  EXPECT_FALSE(d.error) << (d.error ? d.error->code + ": " + d.error->message : "");
  return d.input;
}

TEST(QueryDecode, SendMessageWithMessageAttributes) {
  const json in = MustDecode(
      "Action=SendMessage&Version=2012-11-05&QueueUrl=http%3A%2F%2Fh%2F000000000000%2Fq1"
      "&MessageBody=hello+world%21&DelaySeconds=5"
      "&MessageAttribute.1.Name=color&MessageAttribute.1.Value.StringValue=blue"
      "&MessageAttribute.1.Value.DataType=String"
      "&MessageAttribute.2.Name=raw&MessageAttribute.2.Value.BinaryValue=AAEC"
      "&MessageAttribute.2.Value.DataType=Binary"
      "&MessageAttribute.3.Name=list&MessageAttribute.3.Value.DataType=String"
      "&MessageAttribute.3.Value.StringListValue.1=a&MessageAttribute.3.Value.StringListValue.2=b"
      "&MessageSystemAttribute.1.Name=AWSTraceHeader"
      "&MessageSystemAttribute.1.Value.StringValue=Root%3D1"
      "&MessageSystemAttribute.1.Value.DataType=String");
  const json want = json::parse(R"({
    "QueueUrl": "http://h/000000000000/q1", "MessageBody": "hello world!", "DelaySeconds": 5,
    "MessageAttributes": {
      "color": {"StringValue": "blue", "DataType": "String"},
      "raw": {"BinaryValue": "AAEC", "DataType": "Binary"},
      "list": {"DataType": "String", "StringListValues": ["a", "b"]}},
    "MessageSystemAttributes": {
      "AWSTraceHeader": {"StringValue": "Root=1", "DataType": "String"}}})");
  EXPECT_EQ(in, want) << in.dump();
}

TEST(QueryDecode, ReceiveMessageFlattenedLists) {
  const json in = MustDecode(
      "Action=ReceiveMessage&QueueUrl=q&AttributeName.1=All&AttributeName.2=SenderId"
      "&MessageAttributeName.1=.%2A&MaxNumberOfMessages=10&WaitTimeSeconds=20"
      "&VisibilityTimeout=0");
  EXPECT_EQ(in, json::parse(R"({"QueueUrl": "q", "AttributeNames": ["All", "SenderId"],
      "MessageAttributeNames": [".*"], "MaxNumberOfMessages": 10, "WaitTimeSeconds": 20,
      "VisibilityTimeout": 0})"))
      << in.dump();
}

TEST(QueryDecode, ListIndicesInNumericOrderWithGaps) {
  const json in = MustDecode(
      "Action=GetQueueAttributes&QueueUrl=q&AttributeName.10=C&AttributeName.2=B"
      "&AttributeName.1=A&AttributeName.x=ignored&AttributeName.01=ignored");
  EXPECT_EQ(in["AttributeNames"], json::parse(R"(["A", "B", "C"])"));
}

TEST(QueryDecode, CreateQueueAttributesAndTags) {
  const json in = MustDecode(
      "Action=CreateQueue&QueueName=q1.fifo&Attribute.1.Name=FifoQueue&Attribute.1.Value=true"
      "&Attribute.2.Name=VisibilityTimeout&Attribute.2.Value=60"
      "&Tag.1.Key=team&Tag.1.Value=core&Tag.2.Key=env&Tag.2.Value=");
  EXPECT_EQ(in, json::parse(R"({"QueueName": "q1.fifo",
      "Attributes": {"FifoQueue": "true", "VisibilityTimeout": "60"},
      "tags": {"team": "core", "env": ""}})"))
      << in.dump();
}

TEST(QueryDecode, TagQueueAndUntag) {
  EXPECT_EQ(MustDecode("Action=TagQueue&QueueUrl=q&Tag.1.Key=k&Tag.1.Value=v"),
            json::parse(R"({"QueueUrl": "q", "Tags": {"k": "v"}})"));
  EXPECT_EQ(MustDecode("Action=UntagQueue&QueueUrl=q&TagKey.1=a&TagKey.2=b"),
            json::parse(R"({"QueueUrl": "q", "TagKeys": ["a", "b"]})"));
}

TEST(QueryDecode, BatchEntries) {
  const json send = MustDecode(
      "Action=SendMessageBatch&QueueUrl=q"
      "&SendMessageBatchRequestEntry.1.Id=m1&SendMessageBatchRequestEntry.1.MessageBody=one"
      "&SendMessageBatchRequestEntry.1.DelaySeconds=3"
      "&SendMessageBatchRequestEntry.2.Id=m2&SendMessageBatchRequestEntry.2.MessageBody=two"
      "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Name=n"
      "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.StringValue=7"
      "&SendMessageBatchRequestEntry.2.MessageAttribute.1.Value.DataType=Number"
      "&SendMessageBatchRequestEntry.2.MessageGroupId=g");
  EXPECT_EQ(send, json::parse(R"({"QueueUrl": "q", "Entries": [
      {"Id": "m1", "MessageBody": "one", "DelaySeconds": 3},
      {"Id": "m2", "MessageBody": "two", "MessageGroupId": "g",
       "MessageAttributes": {"n": {"StringValue": "7", "DataType": "Number"}}}]})"))
      << send.dump();
  EXPECT_EQ(MustDecode("Action=DeleteMessageBatch&QueueUrl=q"
                       "&DeleteMessageBatchRequestEntry.1.Id=a"
                       "&DeleteMessageBatchRequestEntry.1.ReceiptHandle=r%2B1"),
            json::parse(R"({"QueueUrl": "q", "Entries": [{"Id": "a", "ReceiptHandle": "r+1"}]})"));
  EXPECT_EQ(MustDecode("Action=ChangeMessageVisibilityBatch&QueueUrl=q"
                       "&ChangeMessageVisibilityBatchRequestEntry.1.Id=a"
                       "&ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle=r"
                       "&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=45"),
            json::parse(R"({"QueueUrl": "q", "Entries":
                [{"Id": "a", "ReceiptHandle": "r", "VisibilityTimeout": 45}]})"));
}

TEST(QueryDecode, QueueUrlFromPath) {
  EXPECT_EQ(MustDecode("Action=DeleteMessage&ReceiptHandle=r", "/000000000000/q1"),
            json::parse(R"({"QueueUrl": "/000000000000/q1", "ReceiptHandle": "r"})"));
  // An explicit QueueUrl wins; ListQueues has no QueueUrl member.
  EXPECT_EQ(MustDecode("Action=PurgeQueue&QueueUrl=x", "/000000000000/q1")["QueueUrl"], "x");
  EXPECT_EQ(MustDecode("Action=ListQueues", "/000000000000/q1"), json::object());
  const Decoded d = DecodeForm("Action=PurgeQueue", "/");
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->code, "MissingParameter");
  EXPECT_NE(d.error->message.find("QueueUrl"), std::string::npos);
}

TEST(QueryDecode, TypeErrorsNameTheParameter) {
  for (const char* bad : {"ten", "", "1.5", "99999999999", "-", "12a"}) {
    const Decoded d =
        DecodeForm(std::string("Action=ReceiveMessage&QueueUrl=q&MaxNumberOfMessages=") + bad);
    ASSERT_TRUE(d.error) << bad;
    EXPECT_EQ(d.error->code, "InvalidParameterValue");
    EXPECT_EQ(d.error->http_status, 400);
    EXPECT_NE(d.error->message.find("MaxNumberOfMessages"), std::string::npos);
  }
  const Decoded entry = DecodeForm(
      "Action=ChangeMessageVisibilityBatch&QueueUrl=q"
      "&ChangeMessageVisibilityBatchRequestEntry.1.Id=a"
      "&ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout=x");
  ASSERT_TRUE(entry.error);
  EXPECT_NE(
      entry.error->message.find("ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout"),
      std::string::npos);
}

TEST(QueryDecode, ActionErrors) {
  Decoded d = DecodeForm("Version=2012-11-05");
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->code, "MissingAction");
  d = DecodeForm("Action=FlyToTheMoon");
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->code, "InvalidAction");
  d = DecodeForm("Action=CreateQueue&QueueName=q&Attribute.1.Value=v");
  ASSERT_TRUE(d.error);
  EXPECT_EQ(d.error->code, "MissingParameter");
  EXPECT_NE(d.error->message.find("Attribute.1.Name"), std::string::npos);
}

// A model with what SQS lacks: non-flattened lists and maps, booleans, longs, doubles,
// timestamps, nested structures (SNS's shape of things).
const ServiceModel& MiniModel() {
  static const ServiceModel m = ServiceModel::Parse(R"({
    "meta": {"ns": "urn:test", "version": "1"},
    "ops": {"Op": {"in": "In", "out": "Out", "wrap": "OpResult"}},
    "shapes": {
      "In": {"t": "structure", "m": {"Flag": {"s": "B"}, "Big": {"s": "L"}, "Ratio": {"s": "D"},
             "When": {"s": "T"}, "Names": {"s": "SL"}, "Attrs": {"s": "M"},
             "Inner": {"s": "Inner"}}},
      "Out": {"t": "structure", "m": {"Names": {"s": "SL"}, "Attrs": {"s": "M"},
              "Flag": {"s": "B"}, "When": {"s": "T"}, "Inner": {"s": "Inner"}}},
      "Inner": {"t": "structure", "m": {"X": {"s": "S"}}},
      "SL": {"t": "list", "e": {"s": "S"}},
      "M": {"t": "map", "k": {"s": "S"}, "v": {"s": "S"}},
      "S": {"t": "string"}, "B": {"t": "boolean"}, "L": {"t": "long"}, "D": {"t": "double"},
      "T": {"t": "timestamp"}},
    "errors": {}})");
  return m;
}

TEST(QueryDecode, GenericShapes) {
  const Decoded d = DecodeForm(
      "Action=Op&Flag=TRUE&Big=-9007199254740993&Ratio=0.25&When=1700000000"
      "&Names.member.1=a&Names.member.2=b&Attrs.entry.1.key=k&Attrs.entry.1.value=v"
      "&Inner.X=x",
      "/", MiniModel());
  ASSERT_FALSE(d.error) << d.error->message;
  EXPECT_EQ(d.input, json::parse(R"({"Flag": true, "Big": -9007199254740993, "Ratio": 0.25,
      "When": 1700000000, "Names": ["a", "b"], "Attrs": {"k": "v"}, "Inner": {"X": "x"}})"))
      << d.input.dump();
  for (const char* bad : {"Flag=yes", "Ratio=abc", "Ratio=inf", "When=yesterday",
                          "Big=99999999999999999999"}) {
    const Decoded e = DecodeForm(std::string("Action=Op&") + bad, "/", MiniModel());
    ASSERT_TRUE(e.error) << bad;
    EXPECT_EQ(e.error->code, "InvalidParameterValue") << bad;
  }
  // botocore's empty list.
  EXPECT_EQ(DecodeForm("Action=Op&Names=", "/", MiniModel()).input["Names"], json::array());
}

TEST(Form, PercentDecoding) {
  std::string out;
  EXPECT_TRUE(PercentDecode("a%20b+c%2B%e2%82%ac", &out));
  EXPECT_EQ(out, "a b c+\xe2\x82\xac");
  for (const char* bad : {"%", "%4", "%zz", "a%g0", "%%"}) {
    EXPECT_FALSE(PercentDecode(bad, &out)) << bad;
    FormParams p;
    const auto e = ParseForm(std::string("Action=SendMessage&MessageBody=") + bad, &p);
    ASSERT_TRUE(e) << bad;
    EXPECT_EQ(e->code, "MalformedQueryString");
    EXPECT_EQ(e->http_status, 400);
  }
  FormParams p;
  EXPECT_FALSE(ParseForm("&&a=1&&b&c=x=y&a=2", &p));
  EXPECT_EQ(p, (FormParams{{"a", "2"}, {"b", ""}, {"c", "x=y"}}));
}

TEST(Form, LimitsRefuseHugeInput) {
  std::string many;
  for (int i = 0; i < 5000; ++i) many += "AttributeName." + std::to_string(i + 1) + "=x&";
  FormParams p;
  auto e = ParseForm(many, &p);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "MalformedQueryString");
  EXPECT_LE(p.size(), FormLimits{}.max_params);
  // The same name repeated is one parameter, not many.
  std::string repeats;
  for (int i = 0; i < 5000; ++i) repeats += "a=1&";
  p.clear();
  EXPECT_FALSE(ParseForm(repeats, &p));
  p.clear();
  e = ParseForm(std::string(600, 'k') + "=v", &p);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, "MalformedQueryString");
}

// ---- XML

std::string Result(std::string_view action, const json& out) {
  return EncodeQueryResult(SqsModel(), action, out, "rid-1");
}

TEST(QueryEncode, CreateQueueExactDocument) {
  EXPECT_EQ(Result("CreateQueue", json{{"QueueUrl", "http://h/000000000000/q"}}),
            "<?xml version=\"1.0\"?><CreateQueueResponse "
            "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><CreateQueueResult>"
            "<QueueUrl>http://h/000000000000/q</QueueUrl></CreateQueueResult>"
            "<ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata>"
            "</CreateQueueResponse>");
  // No output shape: just the metadata.
  EXPECT_EQ(Result("DeleteQueue", json::object()),
            "<?xml version=\"1.0\"?><DeleteQueueResponse "
            "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><ResponseMetadata>"
            "<RequestId>rid-1</RequestId></ResponseMetadata></DeleteQueueResponse>");
}

const char* kReceiveOutput = R"({"Messages": [
  {"MessageId": "m-1", "ReceiptHandle": "rh+/=", "MD5OfBody": "abc",
   "Body": "<x a=\"1\">&amp; 'q'\r\nline2\t\u00e9\u20ac\ud83d\ude00",
   "Attributes": {"SenderId": "AIDA", "SentTimestamp": "1700000000000",
                  "ApproximateReceiveCount": "1"},
   "MD5OfMessageAttributes": "def",
   "MessageAttributes": {
     "color": {"StringValue": "blue", "DataType": "String"},
     "raw": {"BinaryValue": "AAEC/w==", "DataType": "Binary"},
     "n": {"StringValue": "-1.5", "DataType": "Number.float"}}},
  {"MessageId": "m-2", "ReceiptHandle": "r2", "MD5OfBody": "x", "Body": ""}]})";

TEST(QueryEncode, ReceiveMessage) {
  const std::string xml = Result("ReceiveMessage", json::parse(kReceiveOutput));
  EXPECT_NE(xml.find("<ReceiveMessageResult><Message><Attribute>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<MessageId>m-1</MessageId><ReceiptHandle>rh+/=</ReceiptHandle></Message>"
                     "<Message>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<Attribute><Name>SenderId</Name><Value>AIDA</Value></Attribute>"),
            std::string::npos);
  EXPECT_NE(xml.find("<MessageAttribute><Name>color</Name><Value><DataType>String</DataType>"
                     "<StringValue>blue</StringValue></Value></MessageAttribute>"),
            std::string::npos);
  EXPECT_NE(xml.find("<Body>&lt;x a=\"1\"&gt;&amp;amp; 'q'&#xD;\nline2\t"),
            std::string::npos);
  EXPECT_NE(xml.find("<Body></Body>"), std::string::npos);
  EXPECT_EQ(xml.find("\r"), std::string::npos);
}

const char* kBatchOutput = R"({
  "Successful": [{"Id": "a", "MessageId": "m1", "MD5OfMessageBody": "x", "SequenceNumber": "1"}],
  "Failed": [{"Id": "b", "SenderFault": true, "Code": "InvalidParameterValue",
              "Message": "too <long>"}]})";

TEST(QueryEncode, SendMessageBatchListsAndBooleans) {
  const std::string xml = Result("SendMessageBatch", json::parse(kBatchOutput));
  EXPECT_NE(xml.find("<SendMessageBatchResultEntry><Id>a</Id>"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<BatchResultErrorEntry><Code>InvalidParameterValue</Code><Id>b</Id>"
                     "<Message>too &lt;long&gt;</Message><SenderFault>true</SenderFault>"),
            std::string::npos)
      << xml;
}

TEST(QueryEncode, AttributesQueuesAndTags) {
  EXPECT_NE(Result("GetQueueAttributes",
                   json::parse(R"({"Attributes": {"DelaySeconds": "0"}})"))
                .find("<GetQueueAttributesResult><Attribute><Name>DelaySeconds</Name>"
                      "<Value>0</Value></Attribute></GetQueueAttributesResult>"),
            std::string::npos);
  EXPECT_NE(Result("ListQueues", json::parse(R"({"QueueUrls": ["u1", "u2"], "NextToken": "t"})"))
                .find("<ListQueuesResult><NextToken>t</NextToken><QueueUrl>u1</QueueUrl>"
                      "<QueueUrl>u2</QueueUrl></ListQueuesResult>"),
            std::string::npos);
  EXPECT_NE(Result("ListQueueTags", json::parse(R"({"Tags": {"k": "v"}})"))
                .find("<Tag><Key>k</Key><Value>v</Value></Tag>"),
            std::string::npos);
}

TEST(QueryEncode, GenericNonFlattenedShapes) {
  const std::string xml = EncodeQueryResult(
      MiniModel(), "Op",
      json::parse(R"({"Names": ["a"], "Attrs": {"k": "v"}, "Flag": false, "When": 0,
                     "Inner": {"X": "x"}})"),
      "r");
  EXPECT_NE(xml.find("<OpResult><Attrs><entry><key>k</key><value>v</value></entry></Attrs>"
                     "<Flag>false</Flag><Inner><X>x</X></Inner><Names><member>a</member>"
                     "</Names><When>1970-01-01T00:00:00Z</When></OpResult>"),
            std::string::npos)
      << xml;
}

TEST(QueryEncode, WrongOutputTypesThrow) {
  EXPECT_THROW(Result("ReceiveMessage", json::parse(R"({"Messages": {"x": 1}})")),
               std::invalid_argument);
  EXPECT_THROW(Result("CreateQueue", json::parse(R"({"QueueUrl": ["x"]})")),
               std::invalid_argument);
  EXPECT_THROW(Result("CreateQueue", json::array()), std::invalid_argument);
}

TEST(QueryEncode, ErrorDocument) {
  const std::string xml = EncodeQueryError(
      SqsModel(), ServiceError{400, "QueueDoesNotExist", "The queue <q> does not exist.", true},
      "rid");
  EXPECT_EQ(xml,
            "<?xml version=\"1.0\"?><ErrorResponse "
            "xmlns=\"http://queue.amazonaws.com/doc/2012-11-05/\"><Error><Type>Sender</Type>"
            "<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"
            "<Message>The queue &lt;q&gt; does not exist.</Message><Detail/></Error>"
            "<RequestId>rid</RequestId></ErrorResponse>");
  const HttpResponse r = EncodeQueryOutcome(
      SqsModel(), "SendMessage", ServiceOutcome::Error(500, "InternalFailure", "oops", false),
      "rid");
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("<Type>Receiver</Type><Code>InternalFailure</Code>"),
            std::string::npos);
}

TEST(Xml, NeverEmitsInvalidXml) {
  std::string out;
  AppendXmlEscaped(&out, std::string("a\x01\x1f\x7f\xff\xc3(\xed\xa0\x80\xef\xbf\xbe\xc3\xa9", 15));
  EXPECT_EQ(out, "a\xEF\xBF\xBD\xEF\xBF\xBD\x7f\xEF\xBF\xBD\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD"
                 "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xc3\xa9");
}

// ---- JSON 1.0 / 1.1

std::string HeaderOf(const HttpResponse& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return "<none>";
}

TEST(JsonCodec, SqsErrorsCarryTheQueryCode) {
  const JsonProtocol sqs = SqsJsonProtocol();
  HttpResponse r = EncodeJsonError(sqs, ServiceError{400, "QueueDoesNotExist", "gone", true}, "id");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-amz-json-1.0");
  EXPECT_EQ(HeaderOf(r, "x-amzn-RequestId"), "id");
  EXPECT_EQ(HeaderOf(r, "x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
  EXPECT_EQ(json::parse(r.body),
            json::parse(R"({"__type": "com.amazonaws.sqs#QueueDoesNotExist", "message": "gone"})"));
  r = EncodeJsonError(sqs, ServiceError{400, "QueueNameExists", "m", true}, "id");
  EXPECT_EQ(HeaderOf(r, "x-amzn-query-error"), "QueueAlreadyExists;Sender");
  r = EncodeJsonError(sqs, ServiceError{400, "MissingParameter", "m", true}, "id");
  EXPECT_EQ(HeaderOf(r, "x-amzn-query-error"), "MissingParameter;Sender");
  r = EncodeJsonError(sqs, ServiceError{500, "InternalFailure", "m", false}, "id");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(HeaderOf(r, "x-amzn-query-error"), "InternalFailure;Receiver");
}

TEST(JsonCodec, KinesisErrorsAreBare) {
  const HttpResponse r = EncodeJsonOutcome(
      KinesisJsonProtocol(),
      ServiceOutcome::Error(400, "ResourceNotFoundException", "no stream \xff"), "id");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(HeaderOf(r, "x-amzn-query-error"), "<none>");
  const json body = json::parse(r.body);
  EXPECT_EQ(body["__type"], "ResourceNotFoundException");
  EXPECT_EQ(body["message"], "no stream \xEF\xBF\xBD");
}

TEST(JsonCodec, SuccessBodyIsTheOutput) {
  ServiceOutcome o;
  o.output = json::parse(R"({"MessageId": "m", "N": 3})");
  const HttpResponse r = EncodeJsonOutcome(SqsJsonProtocol(), o, "id");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body), o.output);
}

TEST(JsonCodec, DecodeRequests) {
  json in;
  EXPECT_FALSE(DecodeJsonRequest(SqsJsonProtocol(), "", &in));
  EXPECT_EQ(in, json::object());
  EXPECT_FALSE(DecodeJsonRequest(SqsJsonProtocol(), R"({"QueueName": "q"})", &in));
  EXPECT_EQ(in["QueueName"], "q");
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  for (const std::string& bad : {std::string("[1]"), std::string("{"), std::string("\"x\""),
                                std::string("{\"a\": \"\xff\"}"), deep,
                                std::string("{\"a\":1} x")}) {
    auto e = DecodeJsonRequest(SqsJsonProtocol(), bad, &in);
    ASSERT_TRUE(e) << bad.substr(0, 20);
    EXPECT_EQ(e->code, "InvalidParameterValue");
    e = DecodeJsonRequest(KinesisJsonProtocol(), bad, &in);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->code, "SerializationException");
    EXPECT_EQ(e->http_status, 400);
  }
}

// ---- botocore's own parsers as the oracle

TEST(BotocoreOracle, ParsersReadWhatWeWrite) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("seglog_proto_oracle_" +
                                                    std::to_string(::getpid()));
  fs::create_directories(dir);
  json cases = json::array();
  auto add = [&](std::string proto, std::string op, const HttpResponse& r, json expected,
                 std::string exception = "") {
    const std::string file = (dir / ("case" + std::to_string(cases.size()))).string();
    std::ofstream(file, std::ios::binary) << r.body;
    json headers = json::object();
    for (const auto& [k, v] : r.headers) headers[k] = v;
    cases.push_back({{"protocol", proto}, {"operation", op}, {"status", r.status},
                     {"headers", headers}, {"body_file", file}, {"expected", expected},
                     {"exception", exception}});
  };
  auto ok = [](json out) {
    ServiceOutcome o;
    o.output = std::move(out);
    return o;
  };
  const json outputs = {
      {"ReceiveMessage", json::parse(kReceiveOutput)},
      {"SendMessageBatch", json::parse(kBatchOutput)},
      {"GetQueueAttributes", json::parse(R"({"Attributes": {"DelaySeconds": "0", "A": "x&y"}})")},
      {"ListQueues", json::parse(R"({"QueueUrls": ["u1", "u2"], "NextToken": "t"})")},
      {"CreateQueue", json::parse(R"({"QueueUrl": "http://h/0/q"})")},
      {"ListQueueTags", json::parse(R"({"Tags": {"k": "v", "k2": ""}})")},
      {"SendMessage", json::parse(R"({"MessageId": "m", "MD5OfMessageBody": "x"})")}};
  for (const auto& [op, out] : outputs.items()) {
    add("query", op, EncodeQueryOutcome(SqsModel(), op, ok(out), "rid"), out);
    add("json", op, EncodeJsonOutcome(SqsJsonProtocol(), ok(out), "rid"), out);
  }
  const ServiceError errors[] = {{400, "QueueDoesNotExist", "no <queue>", true},
                                 {400, "QueueNameExists", "exists", true},
                                 {400, "InvalidParameterValue", "bad", true},
                                 {500, "InternalFailure", "oops", false}};
  for (const auto& e : errors) {
    const json expected = {{"Code", SqsModel().LegacyCode(e.code)}, {"Message", e.message},
                           {"Type", e.sender_fault ? "Sender" : "Receiver"}};
    const std::string exception = SqsModel().FindError(e.code) ? e.code : "";
    add("query", "SendMessage", EncodeQueryOutcome(SqsModel(), "SendMessage",
                                                   ServiceOutcome{json::object(), e}, "rid"),
        expected, exception);
    add("json", "SendMessage",
        EncodeJsonOutcome(SqsJsonProtocol(), ServiceOutcome{json::object(), e}, "rid"), expected,
        exception);
  }
  const fs::path manifest = dir / "cases.json";
  std::ofstream(manifest) << cases.dump(1);
  const std::string script =
      std::string(SEGLOG_SOURCE_DIR) + "/tests/server/parse_with_botocore.py";
  std::string skipped;
  using Run = std::pair<std::string, std::string>;  // interpreter, protocol
  for (const auto& [python, proto] : {Run{"/usr/bin/python3", "query"}, Run{"python3", "json"}}) {
    const std::string cmd = python + " " + script + " " + proto + " " + manifest.string();
    const int rc = std::system(cmd.c_str());
    ASSERT_NE(rc, -1);
    const int status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
    if (status == 77) {
      skipped += proto + " ";
      continue;
    }
    EXPECT_EQ(status, 0) << cmd;
  }
  fs::remove_all(dir);
  if (!skipped.empty()) GTEST_SKIP() << "botocore missing for: " << skipped;
}

// The request side: botocore's Query serializer (Debian's, which still speaks Query) writes
// the forms; the decoder must give back exactly the parameters botocore was given.
TEST(BotocoreOracle, DecoderReadsWhatBotocoreWrites) {
  namespace fs = std::filesystem;
  const fs::path out = fs::temp_directory_path() /
                       ("seglog_proto_requests_" + std::to_string(::getpid()) + ".json");
  const std::string cmd = "/usr/bin/python3 " + std::string(SEGLOG_SOURCE_DIR) +
                          "/tests/server/parse_with_botocore.py serialize-query " + out.string();
  const int rc = std::system(cmd.c_str());
  ASSERT_NE(rc, -1);
  const int status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
  if (status == 77) GTEST_SKIP() << "Debian's botocore (Query protocol) is not installed";
  ASSERT_EQ(status, 0) << cmd;
  std::ifstream in(out);
  const json cases = json::parse(in);
  fs::remove(out);
  ASSERT_GE(cases.size(), 10u);
  for (const auto& c : cases) {
    const Decoded d = DecodeForm(c["body"].get<std::string>());
    ASSERT_FALSE(d.error) << c["operation"] << ": " << d.error->message;
    EXPECT_EQ(d.action, c["operation"]);
    EXPECT_EQ(d.input, c["params"]) << c["operation"] << "\n" << c["body"];
  }
}

}  // namespace
}  // namespace seglog::server::protocol

namespace seglog::server {
namespace {

// Client text in an error message is cut to 64 bytes, never inside a UTF-8 character.
TEST(ClipClientText, CutsAt64BytesOnACharacterBoundary) {
  EXPECT_EQ(ClipClientText("short"), "short");
  EXPECT_EQ(ClipClientText(std::string(64, 'a')), std::string(64, 'a'));
  EXPECT_EQ(ClipClientText(std::string(200, 'a')), std::string(64, 'a') + "...");
  // 63 ASCII bytes then "é" (2 bytes) straddling byte 64: the whole character goes.
  const std::string s = std::string(63, 'a') + "\xc3\xa9" + "tail";
  EXPECT_EQ(ClipClientText(s), std::string(63, 'a') + "...");
}

}  // namespace
}  // namespace seglog::server
