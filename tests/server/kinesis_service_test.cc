// KinesisService in process: a store in a temp dir with a manual clock, its Streams, and JSON
// calls in the shape botocore sends (AWS JSON 1.1), answered synchronously.
#include <gtest/gtest.h>

#include <set>

#include "engine/log/clock.h"
#include "server/kinesis/kinesis_service.h"
#include "server/kinesis/kinesis_wire.h"
#include "tests/support/stream_fixture.h"
#include "tests/support/test_util.h"

namespace seglog::server {
namespace {

using nlohmann::json;
namespace kw = kinesis;
using seglog::testing::TempDir;

constexpr char kMaxHashKey[] = "340282366920938463463374607431768211455";

class KinesisServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    StoreOptions so;
    so.clock = &clock_;
    ASSERT_OK(Store::Open(dir_.path(), so, &store_));
    StreamsOptions o;
    o.retention_check_interval_ms = 0;
    streams_ = std::make_unique<Streams>(store_.get(), o);
    svc_ = MakeService("test-key");
  }
  void TearDown() override {
    svc_.reset();
    streams_.reset();
    if (store_) {
      EXPECT_OK(store_->Close());
    }
  }
  std::unique_ptr<KinesisService> MakeService(std::string key) {
    KinesisServiceOptions opt;
    opt.iterator_key = std::move(key);
    opt.clock = &clock_;
    return std::make_unique<KinesisService>(streams_.get(), opt);
  }

  ServiceOutcome CallOn(KinesisService* svc, const std::string& action, json input) {
    ServiceCall c;
    c.action = action;
    c.input = std::move(input);
    c.ctx.region = "us-east-1";
    c.ctx.account = "000000000000";
    std::optional<ServiceOutcome> got;
    int calls = 0;
    svc->Call(std::move(c), [&](ServiceOutcome o) {
      ++calls;
      got = std::move(o);
    });
    EXPECT_EQ(calls, 1) << action;
    return got ? std::move(*got) : ServiceOutcome::Error(599, "NoAnswer", "");
  }
  ServiceOutcome Call(const std::string& action, json input) {
    return CallOn(svc_.get(), action, std::move(input));
  }
  // The output of a call that must succeed.
  json Ok(const std::string& action, json input) {
    ServiceOutcome o = Call(action, std::move(input));
    EXPECT_FALSE(o.error) << action << ": " << o.error->code << " " << o.error->message;
    return o.output;
  }
  // The error code of a call that must fail.
  std::string Err(const std::string& action, json input) {
    ServiceOutcome o = Call(action, std::move(input));
    EXPECT_TRUE(o.error) << action << " succeeded: " << o.output.dump();
    return o.error ? o.error->code : "";
  }

  void Create(const std::string& name, int shards) {
    Ok("CreateStream", {{"StreamName", name}, {"ShardCount", shards}});
  }
  json Put(const std::string& stream, const std::string& key, const std::string& data) {
    return Ok("PutRecord", {{"StreamName", stream},
                            {"PartitionKey", key},
                            {"Data", kw::Base64Encode(data)}});
  }
  std::string Iter(const std::string& stream, int shard, const std::string& type,
                   json extra = json::object()) {
    extra["StreamName"] = stream;
    extra["ShardId"] = kw::ShardIdOf(shard);
    extra["ShardIteratorType"] = type;
    return Ok("GetShardIterator", extra).value("ShardIterator", "");
  }
  // The data of the records one GetRecords returns; *next gets NextShardIterator.
  std::vector<std::string> Read(const std::string& iterator, std::string* next = nullptr,
                                int limit = 10000, json* out = nullptr) {
    json r = Ok("GetRecords", {{"ShardIterator", iterator}, {"Limit", limit}});
    std::vector<std::string> data;
    for (const json& rec : r["Records"]) {
      std::string d;
      EXPECT_TRUE(kw::Base64Decode(rec["Data"].get<std::string>(), &d));
      data.push_back(d);
    }
    if (next) *next = r.value("NextShardIterator", "");
    if (out) *out = r;
    return data;
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Streams> streams_;
  std::unique_ptr<KinesisService> svc_;
};

// ---- wire values

TEST(KinesisWireTest, Base64RoundTripsAndRejectsBadText) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (size_t n : {0u, 1u, 2u, 3u, 4u, 255u, 256u}) {
    std::string back;
    ASSERT_TRUE(kw::Base64Decode(kw::Base64Encode(all.substr(0, n)), &back)) << n;
    EXPECT_EQ(back, all.substr(0, n));
    ASSERT_TRUE(kw::Base64UrlDecode(kw::Base64UrlEncode(all.substr(0, n)), &back)) << n;
    EXPECT_EQ(back, all.substr(0, n));
  }
  EXPECT_EQ(kw::Base64Encode("hello"), "aGVsbG8=");
  std::string out;
  EXPECT_FALSE(kw::Base64Decode("aGVsbG8", &out));     // length not a multiple of 4
  EXPECT_FALSE(kw::Base64Decode("aGV*bG8=", &out));    // not the alphabet
  EXPECT_FALSE(kw::Base64Decode("a===", &out));
  EXPECT_FALSE(kw::Base64Decode("aGVsbG9=", &out));    // non-zero unused bits
  EXPECT_FALSE(kw::Base64Decode("aG=sbG8=", &out));    // padding inside
}

TEST(KinesisWireTest, SequenceNumbersParseBackAndSortAsNumbers) {
  std::string prev;
  for (uint64_t seq : {0ull, 1ull, 9ull, 10ull, 123456789ull, 18446744073709551615ull}) {
    const std::string s = kw::SequenceNumberOf(7, SeqNo(seq));
    EXPECT_EQ(s.size(), kw::kSequenceNumberDigits) << s;
    EXPECT_LT(prev, s);
    prev = s;
    uint32_t shard = 0;
    SeqNo back;
    ASSERT_OK(kw::ParseSequenceNumber(s, &shard, &back));
    EXPECT_EQ(shard, 7u);
    EXPECT_EQ(back.value(), seq);
  }
  EXPECT_NE(kw::SequenceNumberOf(0, SeqNo(5)), kw::SequenceNumberOf(1, SeqNo(5)));
  uint32_t shard = 0;
  SeqNo seq;
  const std::string good = kw::SequenceNumberOf(1, SeqNo(5));
  EXPECT_FALSE(kw::ParseSequenceNumber(good.substr(1), &shard, &seq).ok());
  EXPECT_FALSE(kw::ParseSequenceNumber("59" + good.substr(2), &shard, &seq).ok());
  std::string letter = good;
  letter[20] = 'x';
  EXPECT_FALSE(kw::ParseSequenceNumber(letter, &shard, &seq).ok());
  std::string huge = good;
  huge[10] = '1';  // beyond 2^64
  EXPECT_FALSE(kw::ParseSequenceNumber(huge, &shard, &seq).ok());
  // A real AWS sequence number is not one of ours.
  EXPECT_FALSE(kw::ParseSequenceNumber(
                   "49590338271490256608559692538361571095921575989136588898", &shard, &seq)
                   .ok());
}

TEST(KinesisWireTest, ShardIdsAndArns) {
  EXPECT_EQ(kw::ShardIdOf(3), "shardId-000000000003");
  uint32_t s = 0;
  EXPECT_TRUE(kw::ParseShardId("shardId-000000000012", &s));
  EXPECT_EQ(s, 12u);
  EXPECT_FALSE(kw::ParseShardId("shardId-12", &s));
  EXPECT_FALSE(kw::ParseShardId("shardid-000000000012", &s));
  EXPECT_FALSE(kw::ParseShardId("shardId-00000000001x", &s));
  EXPECT_EQ(kw::StreamArn("eu-west-1", "123", "s"), "arn:aws:kinesis:eu-west-1:123:stream/s");
  std::string name;
  EXPECT_TRUE(kw::ParseStreamArn("arn:aws:kinesis:eu-west-1:123:stream/my.s-1", &name));
  EXPECT_EQ(name, "my.s-1");
  EXPECT_FALSE(kw::ParseStreamArn("arn:aws:sqs:eu-west-1:123:stream/s", &name));
  EXPECT_FALSE(kw::ParseStreamArn("arn:aws:kinesis:eu-west-1:123:table/s", &name));
  EXPECT_FALSE(kw::ParseStreamArn("arn:aws:kinesis:eu-west-1:123:stream/a|b", &name));
}

TEST(KinesisWireTest, IteratorTokensRoundTripAndRefuseForgery) {
  kw::IteratorSigner a("key-a"), b("key-b");
  kw::IteratorToken t;
  t.stream = "s";
  t.shard = 3;
  t.seq = 42;
  t.issued_ms = 1000;
  const std::string text = a.Encode(t);
  kw::IteratorToken back;
  ASSERT_OK(a.Decode(text, &back));
  EXPECT_EQ(back.stream, "s");
  EXPECT_EQ(back.shard, 3u);
  EXPECT_EQ(back.seq, 42u);
  EXPECT_FALSE(back.at_timestamp);
  EXPECT_EQ(back.issued_ms, 1000);
  EXPECT_EQ(b.Decode(text, &back).code(), StatusCode::kStale);  // another process's key
  // Every one-character change is refused.
  for (size_t i = 0; i < text.size(); ++i) {
    std::string bad = text;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(a.Decode(bad, &back).ok()) << i;
  }
  EXPECT_EQ(a.Decode("not a token", &back).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(a.Decode("", &back).code(), StatusCode::kInvalidArgument);
}

// ---- streams

TEST_F(KinesisServiceTest, CreateDescribeListDelete) {
  Create("s1", 3);
  json d = Ok("DescribeStream", {{"StreamName", "s1"}})["StreamDescription"];
  EXPECT_EQ(d["StreamName"], "s1");
  EXPECT_EQ(d["StreamARN"], "arn:aws:kinesis:us-east-1:000000000000:stream/s1");
  EXPECT_EQ(d["StreamStatus"], "ACTIVE");
  EXPECT_EQ(d["StreamModeDetails"]["StreamMode"], "PROVISIONED");
  EXPECT_EQ(d["HasMoreShards"], false);
  EXPECT_EQ(d["RetentionPeriodHours"], 24);
  EXPECT_EQ(d["EncryptionType"], "NONE");
  EXPECT_DOUBLE_EQ(d["StreamCreationTimestamp"].get<double>(), clock_.NowMs().value() / 1000.0);
  EXPECT_EQ(d["EnhancedMonitoring"], json::parse(R"([{"ShardLevelMetrics":[]}])"));
  ASSERT_EQ(d["Shards"].size(), 3u);
  EXPECT_EQ(d["Shards"][0]["HashKeyRange"]["StartingHashKey"], "0");
  EXPECT_EQ(d["Shards"][2]["HashKeyRange"]["EndingHashKey"], kMaxHashKey);
  for (int i = 0; i < 3; ++i) {
    const json& s = d["Shards"][i];
    EXPECT_EQ(s["ShardId"], kw::ShardIdOf(i));
    uint32_t shard = 99;
    SeqNo seq;
    ASSERT_OK(kw::ParseSequenceNumber(
        s["SequenceNumberRange"]["StartingSequenceNumber"].get<std::string>(), &shard, &seq));
    EXPECT_EQ(shard, static_cast<uint32_t>(i));
  }
  // Kinesis's split of 3: floor(2^128 / 3) starts shard 1.
  EXPECT_EQ(d["Shards"][1]["HashKeyRange"]["StartingHashKey"],
            "113427455640312821154458202477256070485");
  EXPECT_EQ(d["Shards"][0]["HashKeyRange"]["EndingHashKey"],
            "113427455640312821154458202477256070484");

  json page = Ok("DescribeStream", {{"StreamName", "s1"}, {"Limit", 2}})["StreamDescription"];
  EXPECT_EQ(page["Shards"].size(), 2u);
  EXPECT_EQ(page["HasMoreShards"], true);
  page = Ok("DescribeStream", {{"StreamName", "s1"},
                               {"ExclusiveStartShardId", "shardId-000000000001"}})
             ["StreamDescription"];
  ASSERT_EQ(page["Shards"].size(), 1u);
  EXPECT_EQ(page["Shards"][0]["ShardId"], "shardId-000000000002");

  json sum = Ok("DescribeStreamSummary",
                {{"StreamARN", "arn:aws:kinesis:us-east-1:000000000000:stream/s1"}});
  EXPECT_EQ(sum["StreamDescriptionSummary"]["OpenShardCount"], 3);
  EXPECT_EQ(sum["StreamDescriptionSummary"]["StreamStatus"], "ACTIVE");

  EXPECT_EQ(Err("CreateStream", {{"StreamName", "s1"}, {"ShardCount", 1}}),
            "ResourceInUseException");
  Ok("DeleteStream", {{"StreamName", "s1"}, {"EnforceConsumerDeletion", true}});
  ServiceOutcome o = Call("DescribeStream", {{"StreamName", "s1"}});
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.error->code, "ResourceNotFoundException");
  EXPECT_EQ(o.error->message, "Stream s1 under account 000000000000 not found.");
  EXPECT_EQ(Err("DeleteStream", {{"StreamName", "s1"}}), "ResourceNotFoundException");
}

TEST_F(KinesisServiceTest, ListStreamsPages) {
  for (const char* n : {"c", "a", "b", "d"}) Create(n, 1);
  json r = Ok("ListStreams", {{"Limit", 3}});
  EXPECT_EQ(r["StreamNames"], json::parse(R"(["a","b","c"])"));
  EXPECT_EQ(r["HasMoreStreams"], true);
  ASSERT_EQ(r["StreamSummaries"].size(), 3u);
  EXPECT_EQ(r["StreamSummaries"][1]["StreamARN"],
            "arn:aws:kinesis:us-east-1:000000000000:stream/b");
  json r2 = Ok("ListStreams", {{"NextToken", r["NextToken"]}});
  EXPECT_EQ(r2["StreamNames"], json::parse(R"(["d"])"));
  EXPECT_EQ(r2["HasMoreStreams"], false);
  EXPECT_FALSE(r2.contains("NextToken"));
  json r3 = Ok("ListStreams", {{"ExclusiveStartStreamName", "a"}});
  EXPECT_EQ(r3["StreamNames"], json::parse(R"(["b","c","d"])"));
  EXPECT_EQ(Err("ListStreams", {{"NextToken", "!!"}}), "InvalidArgumentException");
}

TEST_F(KinesisServiceTest, ListShardsPagesByToken) {
  Create("s", 5);
  json r = Ok("ListShards", {{"StreamName", "s"}, {"MaxResults", 2}});
  ASSERT_EQ(r["Shards"].size(), 2u);
  std::vector<std::string> ids;
  for (;;) {
    for (const json& s : r["Shards"]) ids.push_back(s["ShardId"]);
    if (!r.contains("NextToken")) break;
    EXPECT_EQ(Err("ListShards", {{"StreamName", "s"}, {"NextToken", r["NextToken"]}}),
              "InvalidArgumentException");
    r = Ok("ListShards", {{"NextToken", r["NextToken"]}, {"MaxResults", 2}});
  }
  ASSERT_EQ(ids.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(ids[i], kw::ShardIdOf(i));
  r = Ok("ListShards", {{"StreamName", "s"}, {"ExclusiveStartShardId", kw::ShardIdOf(3)}});
  ASSERT_EQ(r["Shards"].size(), 1u);
  r = Ok("ListShards", {{"StreamName", "s"},
                        {"ShardFilter", {{"Type", "AFTER_SHARD_ID"}, {"ShardId", kw::ShardIdOf(1)}}}});
  EXPECT_EQ(r["Shards"].size(), 3u);
  r = Ok("ListShards", {{"StreamName", "s"}, {"ExclusiveStartShardId", "shardId-004294967295"}});
  EXPECT_EQ(r["Shards"].size(), 0u);  // the last possible id: nothing after it, no wrap
  EXPECT_EQ(Err("ListShards", {{"StreamName", "nope"}}), "ResourceNotFoundException");
}

TEST_F(KinesisServiceTest, CreateModesAndShardLimits) {
  Ok("CreateStream", {{"StreamName", "od"}, {"StreamModeDetails", {{"StreamMode", "ON_DEMAND"}}}});
  json d = Ok("DescribeStream", {{"StreamName", "od"}})["StreamDescription"];
  EXPECT_EQ(d["Shards"].size(), 4u);
  EXPECT_EQ(d["StreamModeDetails"]["StreamMode"], "ON_DEMAND");
  Ok("CreateStream", {{"StreamName", "plain"}});
  EXPECT_EQ(Ok("DescribeStreamSummary", {{"StreamName", "plain"}})["StreamDescriptionSummary"]
                ["OpenShardCount"],
            4);
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "p"},
                                 {"StreamModeDetails", {{"StreamMode", "PROVISIONED"}}}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "p"}, {"ShardCount", 0}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "p"}, {"ShardCount", 1025}}),
            "LimitExceededException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "p"}, {"ShardCount", "2"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("CreateStream", {{"ShardCount", 1}}), "ValidationException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "bad name"}, {"ShardCount", 1}}),
            "ValidationException");
  EXPECT_EQ(Err("CreateStream", {{"StreamName", std::string(129, 'a')}, {"ShardCount", 1}}),
            "ValidationException");
  EXPECT_EQ(Err("DescribeStream", json::object()), "InvalidArgumentException");
  EXPECT_EQ(Ok("ListStreams", json::object())["StreamNames"].size(), 2u);
}

// ---- records

TEST_F(KinesisServiceTest, PutGetRoundTripsBinaryData) {
  Create("s", 1);
  std::string data;
  for (int i = 0; i < 256; ++i) data += static_cast<char>(255 - i);
  json put = Put("s", "pk-\xc3\xa9", data);
  EXPECT_EQ(put["ShardId"], "shardId-000000000000");
  EXPECT_EQ(put["EncryptionType"], "NONE");
  json r;
  std::vector<std::string> got = Read(Iter("s", 0, "TRIM_HORIZON"), nullptr, 10000, &r);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], data);
  EXPECT_EQ(r["Records"][0]["PartitionKey"], "pk-\xc3\xa9");
  EXPECT_EQ(r["Records"][0]["SequenceNumber"], put["SequenceNumber"]);
  EXPECT_DOUBLE_EQ(r["Records"][0]["ApproximateArrivalTimestamp"].get<double>(),
                   clock_.NowMs().value() / 1000.0);
  EXPECT_EQ(r["MillisBehindLatest"], 0);
  // An empty blob is a record too.
  Put("s", "k", "");
  EXPECT_EQ(Read(Iter("s", 0, "TRIM_HORIZON")).back(), "");
}

TEST_F(KinesisServiceTest, PutRecordsAnswersPerRecord) {
  Create("s", 4);
  json records = json::array();
  for (int i = 0; i < 20; ++i) {
    records.push_back({{"PartitionKey", "key" + std::to_string(i)},
                       {"Data", kw::Base64Encode("v" + std::to_string(i))}});
  }
  records.push_back({{"PartitionKey", "x"}, {"Data", "AA=="}, {"ExplicitHashKey", "0"}});
  records.push_back({{"PartitionKey", "x"}, {"Data", "AA=="}, {"ExplicitHashKey", kMaxHashKey}});
  json r = Ok("PutRecords", {{"StreamName", "s"}, {"Records", records}});
  EXPECT_EQ(r["FailedRecordCount"], 0);
  ASSERT_EQ(r["Records"].size(), 22u);
  std::set<std::string> seqs;
  for (int i = 0; i < 20; ++i) {
    const json& e = r["Records"][i];
    EXPECT_EQ(e["ShardId"], kw::ShardIdOf(seglog::testing::ExpectedShard("key" + std::to_string(i), 4)));
    uint32_t shard = 99;
    SeqNo seq;
    ASSERT_OK(kw::ParseSequenceNumber(e["SequenceNumber"].get<std::string>(), &shard, &seq));
    EXPECT_EQ(kw::ShardIdOf(shard), e["ShardId"]);
    seqs.insert(e["SequenceNumber"].get<std::string>());
  }
  EXPECT_EQ(seqs.size(), 20u);  // unique across shards
  EXPECT_EQ(r["Records"][20]["ShardId"], kw::ShardIdOf(0));
  EXPECT_EQ(r["Records"][21]["ShardId"], kw::ShardIdOf(3));

  // A bad record refuses the whole batch; nothing is written.
  json bad = json::array({{{"PartitionKey", "a"}, {"Data", "AA=="}},
                          {{"PartitionKey", "b"}, {"Data", "A"}}});
  EXPECT_EQ(Err("PutRecords", {{"StreamName", "s"}, {"Records", bad}}),
            "InvalidArgumentException");
  bad = json::array({{{"PartitionKey", ""}, {"Data", "AA=="}}});
  EXPECT_EQ(Err("PutRecords", {{"StreamName", "s"}, {"Records", bad}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("PutRecords", {{"StreamName", "s"}, {"Records", json::array()}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("PutRecords", {{"StreamName", "s"}}), "ValidationException");
  size_t total = 0;
  for (int i = 0; i < 4; ++i) total += Read(Iter("s", i, "TRIM_HORIZON")).size();
  EXPECT_EQ(total, 22u);
}

TEST_F(KinesisServiceTest, SequenceNumbersIncreasePerShard) {
  Create("s", 2);
  std::map<std::string, std::string> last;  // shard id -> last sequence number
  std::set<std::string> all;
  for (int i = 0; i < 40; ++i) {
    json p = Put("s", "k" + std::to_string(i), "d");
    const std::string seq = p["SequenceNumber"], shard = p["ShardId"];
    EXPECT_EQ(seq.size(), 56u);
    EXPECT_LT(last[shard], seq);
    last[shard] = seq;
    EXPECT_TRUE(all.insert(seq).second);
  }
  EXPECT_EQ(last.size(), 2u);
}

TEST_F(KinesisServiceTest, EveryIteratorType) {
  Create("s", 1);
  std::vector<std::string> seqs;
  std::vector<int64_t> times;
  for (int i = 0; i < 5; ++i) {
    times.push_back(clock_.NowMs().value());
    seqs.push_back(Put("s", "k", "r" + std::to_string(i))["SequenceNumber"]);
    clock_.Advance(1000);
  }
  using V = std::vector<std::string>;
  EXPECT_EQ(Read(Iter("s", 0, "TRIM_HORIZON")), (V{"r0", "r1", "r2", "r3", "r4"}));
  EXPECT_EQ(Read(Iter("s", 0, "AT_SEQUENCE_NUMBER", {{"StartingSequenceNumber", seqs[2]}})),
            (V{"r2", "r3", "r4"}));
  EXPECT_EQ(Read(Iter("s", 0, "AFTER_SEQUENCE_NUMBER", {{"StartingSequenceNumber", seqs[2]}})),
            (V{"r3", "r4"}));
  EXPECT_EQ(Read(Iter("s", 0, "AFTER_SEQUENCE_NUMBER", {{"StartingSequenceNumber", seqs[4]}})),
            V{});
  EXPECT_EQ(Read(Iter("s", 0, "AT_TIMESTAMP", {{"Timestamp", times[3] / 1000.0}})),
            (V{"r3", "r4"}));
  EXPECT_EQ(Read(Iter("s", 0, "AT_TIMESTAMP", {{"Timestamp", (times[3] - 1) / 1000.0}})),
            (V{"r3", "r4"}));
  const std::string latest = Iter("s", 0, "LATEST");
  std::string next;
  EXPECT_EQ(Read(latest, &next), V{});
  Put("s", "k", "r5");
  EXPECT_EQ(Read(next), V{"r5"});
  EXPECT_EQ(Read(latest), V{"r5"});
  // A future timestamp reads what arrives at or after it.
  const std::string future =
      Iter("s", 0, "AT_TIMESTAMP", {{"Timestamp", (clock_.NowMs().value() + 5000) / 1000.0}});
  EXPECT_EQ(Read(future, &next), V{});
  Put("s", "k", "early");
  clock_.Advance(6000);
  Put("s", "k", "late");
  EXPECT_EQ(Read(next), V{"late"});
}

TEST_F(KinesisServiceTest, AtSequenceNumberChecksItsShardAndRange) {
  Create("s", 2);
  // The shard's StartingSequenceNumber works while it is empty.
  json d = Ok("DescribeStream", {{"StreamName", "s"}})["StreamDescription"];
  const std::string start = d["Shards"][0]["SequenceNumberRange"]["StartingSequenceNumber"];
  const std::string it = Iter("s", 0, "AT_SEQUENCE_NUMBER", {{"StartingSequenceNumber", start}});
  json p = Ok("PutRecord", {{"StreamName", "s"}, {"PartitionKey", "k"}, {"Data", "AQ=="},
                            {"ExplicitHashKey", "0"}});
  EXPECT_EQ(Read(it), std::vector<std::string>{"\x01"});
  auto err = [&](int shard, const std::string& type, const std::string& seq) {
    return Err("GetShardIterator", {{"StreamName", "s"},
                                    {"ShardId", kw::ShardIdOf(shard)},
                                    {"ShardIteratorType", type},
                                    {"StartingSequenceNumber", seq}});
  };
  const std::string seq = p["SequenceNumber"];
  EXPECT_EQ(err(1, "AT_SEQUENCE_NUMBER", seq), "InvalidArgumentException");  // shard 0's
  EXPECT_EQ(err(0, "AT_SEQUENCE_NUMBER", kw::SequenceNumberOf(0, SeqNo(1000))),
            "InvalidArgumentException");
  EXPECT_EQ(err(0, "AT_SEQUENCE_NUMBER", "12345"), "InvalidArgumentException");
  EXPECT_EQ(err(0, "AT_SEQUENCE_NUMBER",
                "49590338271490256608559692538361571095921575989136588898"),
            "InvalidArgumentException");
  EXPECT_EQ(Err("GetShardIterator", {{"StreamName", "s"},
                                     {"ShardId", kw::ShardIdOf(0)},
                                     {"ShardIteratorType", "AT_SEQUENCE_NUMBER"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("GetShardIterator", {{"StreamName", "s"},
                                     {"ShardId", kw::ShardIdOf(0)},
                                     {"ShardIteratorType", "SOMEWHERE"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("GetShardIterator", {{"StreamName", "s"},
                                     {"ShardId", kw::ShardIdOf(2)},
                                     {"ShardIteratorType", "LATEST"}}),
            "ResourceNotFoundException");
  EXPECT_EQ(Err("GetShardIterator", {{"StreamName", "nope"},
                                     {"ShardId", kw::ShardIdOf(0)},
                                     {"ShardIteratorType", "LATEST"}}),
            "ResourceNotFoundException");
}

TEST_F(KinesisServiceTest, ChainingSeesLaterPutsAndMeasuresLag) {
  Create("s", 1);
  for (int i = 0; i < 5; ++i) Put("s", "k", "a" + std::to_string(i));
  clock_.Advance(7000);
  std::string it = Iter("s", 0, "TRIM_HORIZON"), next;
  json r;
  EXPECT_EQ(Read(it, &next, 2, &r), (std::vector<std::string>{"a0", "a1"}));
  EXPECT_EQ(r["MillisBehindLatest"], 7000);  // the last returned arrived 7 s ago
  EXPECT_EQ(Read(next, &next, 2), (std::vector<std::string>{"a2", "a3"}));
  EXPECT_EQ(Read(next, &next, 2, &r), (std::vector<std::string>{"a4"}));
  EXPECT_EQ(r["MillisBehindLatest"], 0);  // caught up
  EXPECT_EQ(Read(next, &next), std::vector<std::string>{});
  Put("s", "k", "b0");
  Put("s", "k", "b1");
  EXPECT_EQ(Read(next, &next), (std::vector<std::string>{"b0", "b1"}));
  EXPECT_EQ(Read(next, &next), std::vector<std::string>{});
  // No engine iterator outlives a call: the stream can be deleted at once.
  Ok("DeleteStream", {{"StreamName", "s"}});
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", next}}), "ResourceNotFoundException");
}

TEST_F(KinesisServiceTest, RecordsExpiredByRetentionAreSkipped) {
  Create("s", 1);
  const std::string old_seq = Put("s", "k", "old")["SequenceNumber"];
  clock_.Advance(25LL * 3600 * 1000);
  Put("s", "k", "new");
  EXPECT_EQ(Read(Iter("s", 0, "TRIM_HORIZON")), std::vector<std::string>{"new"});
  EXPECT_EQ(Read(Iter("s", 0, "AT_SEQUENCE_NUMBER", {{"StartingSequenceNumber", old_seq}})),
            std::vector<std::string>{"new"});
}

TEST_F(KinesisServiceTest, IteratorsExpireAfterFiveMinutes) {
  Create("s", 1);
  Put("s", "k", "x");
  const std::string it = Iter("s", 0, "TRIM_HORIZON");
  clock_.Advance(300000);
  std::string next;
  EXPECT_EQ(Read(it, &next), std::vector<std::string>{"x"});  // exactly 5 minutes: still good
  clock_.Advance(1);
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", it}}), "ExpiredIteratorException");
  // The next iterator is issued afresh with every answer.
  clock_.Advance(299999);
  EXPECT_EQ(Read(next), std::vector<std::string>{});
}

TEST_F(KinesisServiceTest, MaxRecordSizeAndLongNames) {
  const std::string name(128, 'n');
  Ok("CreateStream", {{"StreamName", name}, {"ShardCount", 1}, {"MaxRecordSizeInKiB", 2048}});
  EXPECT_EQ(Ok("DescribeStreamSummary", {{"StreamName", name}})["StreamDescriptionSummary"]
                ["MaxRecordSizeInKiB"],
            2048);
  const std::string big((1 << 20) + 1, 'b');
  Put(name, "k", big);
  // Kinesis's ShardIterator is at most 512 characters, even for the longest stream name.
  const std::string it = Iter(name, 0, "TRIM_HORIZON");
  EXPECT_LE(it.size(), 512u);
  EXPECT_EQ(Read(it), std::vector<std::string>{big});
  EXPECT_EQ(Err("CreateStream", {{"StreamName", "x"}, {"ShardCount", 1},
                                 {"MaxRecordSizeInKiB", 1023}}),
            "InvalidArgumentException");
}

TEST_F(KinesisServiceTest, TamperedOrForeignIteratorsAreRefused) {
  Create("s", 1);
  Put("s", "k", "x");
  const std::string it = Iter("s", 0, "TRIM_HORIZON");
  std::string raw;
  ASSERT_TRUE(kw::Base64UrlDecode(it, &raw));
  // Point it at another shard, keeping the MAC: refused as invalid.
  const size_t p = raw.find("|s|0|");
  ASSERT_NE(p, std::string::npos) << raw;
  std::string forged = raw;
  forged.replace(p, 5, "|s|1|");
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", kw::Base64UrlEncode(forged)}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", "AAAA"}}), "InvalidArgumentException");
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", 5}}), "InvalidArgumentException");
  EXPECT_EQ(Err("GetRecords", json::object()), "ValidationException");
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", it}, {"Limit", 0}}), "InvalidArgumentException");
  EXPECT_EQ(Err("GetRecords", {{"ShardIterator", it}, {"Limit", 10001}}),
            "InvalidArgumentException");
  // Issued by a process with another key (a restart): expired, as Kinesis says of old ones.
  std::unique_ptr<KinesisService> other = MakeService("other-key");
  ServiceOutcome o = CallOn(other.get(), "GetRecords", {{"ShardIterator", it}});
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.error->code, "ExpiredIteratorException");
  // A random per-process key when none is configured.
  std::unique_ptr<KinesisService> random = MakeService("");
  o = CallOn(random.get(), "GetRecords", {{"ShardIterator", it}});
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.error->code, "ExpiredIteratorException");
}

TEST_F(KinesisServiceTest, RetentionFollowsAwsRules) {
  Create("s", 1);
  auto hours = [&] {
    return Ok("DescribeStreamSummary", {{"StreamName", "s"}})["StreamDescriptionSummary"]
        ["RetentionPeriodHours"].get<int>();
  };
  auto change = [&](const char* action, int h) {
    return Call(action, {{"StreamName", "s"}, {"RetentionPeriodHours", h}});
  };
  EXPECT_FALSE(change("IncreaseStreamRetentionPeriod", 48).error);
  EXPECT_EQ(hours(), 48);
  EXPECT_EQ(change("IncreaseStreamRetentionPeriod", 30).error->code, "InvalidArgumentException");
  EXPECT_FALSE(change("DecreaseStreamRetentionPeriod", 30).error);
  EXPECT_EQ(hours(), 30);
  EXPECT_EQ(change("DecreaseStreamRetentionPeriod", 40).error->code, "InvalidArgumentException");
  EXPECT_EQ(change("DecreaseStreamRetentionPeriod", 12).error->code, "InvalidArgumentException");
  EXPECT_EQ(change("IncreaseStreamRetentionPeriod", 8761).error->code,
            "InvalidArgumentException");
  EXPECT_FALSE(change("IncreaseStreamRetentionPeriod", 8760).error);
  EXPECT_EQ(hours(), 8760);
  EXPECT_EQ(Err("IncreaseStreamRetentionPeriod", {{"StreamName", "s"}}), "ValidationException");
  EXPECT_EQ(Err("IncreaseStreamRetentionPeriod",
                {{"StreamName", "nope"}, {"RetentionPeriodHours", 48}}),
            "ResourceNotFoundException");
}

TEST_F(KinesisServiceTest, BadInputGetsErrorsNotCrashes) {
  Create("s", 1);
  EXPECT_EQ(Err("PutRecord", {{"StreamName", "nope"}, {"PartitionKey", "k"}, {"Data", ""}}),
            "ResourceNotFoundException");
  EXPECT_EQ(Err("PutRecord", {{"StreamName", 5}, {"PartitionKey", "k"}, {"Data", ""}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("PutRecord", {{"StreamName", "s"}, {"PartitionKey", "k"}, {"Data", "@@@@"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("PutRecord", {{"StreamName", "s"}, {"Data", ""}}), "ValidationException");
  EXPECT_EQ(Err("PutRecord", {{"StreamName", "s"}, {"PartitionKey", std::string(257, 'k')},
                              {"Data", ""}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("PutRecord", {{"StreamName", "s"}, {"PartitionKey", "k"}, {"Data", ""},
                              {"ExplicitHashKey", "-1"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("PutRecord", {{"StreamName", "s"}, {"PartitionKey", "k"}, {"Data", ""},
                              {"SequenceNumberForOrdering", "1"}}),
            "InvalidArgumentException");
  // Over the stream's 1 MiB record size.
  EXPECT_EQ(Err("PutRecord", {{"StreamName", "s"}, {"PartitionKey", "k"},
                              {"Data", kw::Base64Encode(std::string((1 << 20) + 1, 'x'))}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("PutRecords", {{"StreamName", "s"}, {"Records", "no"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("PutRecords", {{"StreamName", "s"}, {"Records", json::array({1})}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("DescribeStream", {{"StreamARN", "arn:aws:sqs:us-east-1:0:q"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("DescribeStream", {{"StreamName", "s"},
                                   {"StreamARN", "arn:aws:kinesis:us-east-1:0:stream/t"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("DescribeStream", {{"StreamName", "s"}, {"Limit", 1.5}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("DescribeStream", {{"StreamName", "s"}, {"ExclusiveStartShardId", "x"}}),
            "InvalidArgumentException");
  EXPECT_EQ(Err("SplitShard", json::object()), "UnknownOperationException");
  EXPECT_EQ(Err("ListStreams", json::array()), "InvalidArgumentException");
  EXPECT_EQ(Err("GetShardIterator", {{"StreamName", "s"}, {"ShardId", "shard-0"},
                                     {"ShardIteratorType", "LATEST"}}),
            "ResourceNotFoundException");
  EXPECT_EQ(Err("GetShardIterator", {{"StreamName", "s"}, {"ShardId", kw::ShardIdOf(0)},
                                     {"ShardIteratorType", "AT_TIMESTAMP"},
                                     {"Timestamp", "yesterday"}}),
            "InvalidArgumentException");
}

TEST_F(KinesisServiceTest, RequestSizeLimits) {
  EXPECT_GT(svc_->MaxRequestBytes("PutRecords"), (size_t{5} << 20) * 4 / 3);
  EXPECT_GT(svc_->MaxRequestBytes("PutRecord"), (size_t{10} << 20) * 4 / 3);
  EXPECT_EQ(svc_->MaxRequestBytes("DescribeStream"), 64u * 1024);
  EXPECT_EQ(svc_->MaxRequestBytes("SplitShard"), 0u);
}

}  // namespace
}  // namespace seglog::server
