// The limits profiles (SPEC.md 16.11) at the engine level: what Limits::kAws refuses and
// Limits::kRelaxed keeps accepting, for queues (Queues::Create / Send) and streams
// (Streams::Create / SetRetention / Put), and the profile's persistence in the catalog across
// a reopen.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/log/store.h"
#include "engine/queues/queue.h"
#include "engine/queues/queue_validate.h"
#include "engine/streams/stream.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/test_util.h"

namespace seglog::testing {
namespace {

class LimitsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void TearDown() override { CloseEngine(&store_, &streams_, &queues_); }
  void Open() { ASSERT_OK(OpenEngine(dir_.path(), StoreOptions{}, &store_, &streams_, &queues_)); }
  void Reopen() {
    CloseEngine(&store_, &streams_, &queues_);
    Open();
  }

  static QueueConfig Queue(Limits l, QueueType t = QueueType::kStandard) {
    QueueConfig c;
    c.type = t;
    c.limits = l;
    c.log.durability = Durability::kNone;
    return c;
  }
  static StreamConfig Stream(Limits l, uint32_t hours = 24) {
    StreamConfig c;
    c.limits = l;
    c.retention_hours = hours;
    c.log.durability = Durability::kNone;
    return c;
  }
  Status SendBody(const std::string& q, const std::string& body,
                  std::span<const format::MessageAttribute> attrs = {}) {
    SendEntry e;
    e.body = View(body);
    e.attributes = attrs;
    SendResult r;
    return queues_->Send(q, e, &r);
  }
  Status SendAttr(const std::string& q, format::AttributeType t, const std::string& value) {
    format::MessageAttribute a;
    a.name = "a";
    a.type = t;
    a.value = View(value);
    return SendBody(q, "body", std::span<const format::MessageAttribute>(&a, 1));
  }
  Status PutKey(const std::string& s, const std::string& key) {
    PutEntry e;
    e.partition_key = View(key);
    e.data = View("d");
    PutResult r;
    return streams_->Put(s, e, &r);
  }
  uint64_t QueueMessages(const std::string& q) {
    QueueStats st;
    EXPECT_OK(queues_->Stats(q, &st));
    return st.visible + st.delayed + st.in_flight;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Streams> streams_;
  std::unique_ptr<Queues> queues_;
};

// ---- queues ----

TEST_F(LimitsTest, AwsQueueNamesAreSqsNames) {
  EXPECT_OK(queues_->Create(std::string(80, 'a'), Queue(Limits::kAws)));
  EXPECT_OK(queues_->Create(std::string(75, 'b') + ".fifo", Queue(Limits::kAws, QueueType::kFifo)));
  EXPECT_OK(queues_->Create("A-z_09", Queue(Limits::kAws)));
  for (const std::string& bad : {std::string(81, 'c'), std::string("a.b"), std::string(".fifo")}) {
    Status s = queues_->Create(bad, Queue(Limits::kAws, EndsWithFifo(bad) ? QueueType::kFifo
                                                                         : QueueType::kStandard));
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("aws limits"), std::string::npos) << s.ToString();
  }
  Status s = queues_->Create(std::string(76, 'd') + ".fifo", Queue(Limits::kAws, QueueType::kFifo));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << "81 with .fifo";
  // Relaxed keeps the store's name rule: dots, and up to 128.
  EXPECT_OK(queues_->Create("a.b", Queue(Limits::kRelaxed)));
  EXPECT_OK(queues_->Create(std::string(128, 'e'), Queue(Limits::kRelaxed)));
  EXPECT_EQ(queues_->List().size(), 5u);  // the refused ones created nothing
}

TEST_F(LimitsTest, AwsQueueBodyMustBeSqsText) {
  ASSERT_OK(queues_->Create("aws", Queue(Limits::kAws)));
  ASSERT_OK(queues_->Create("rel", Queue(Limits::kRelaxed)));
  const std::string ok_bodies[] = {"plain", "tab\there\r\n", "\xE2\x82\xAC euro",
                                   "\xF0\x9F\x98\x80 emoji", "\xEE\x80\x80 private use"};
  for (const auto& b : ok_bodies) EXPECT_OK(SendBody("aws", b)) << b;
  const std::string bad_bodies[] = {std::string("nul\0in", 6), "bell\x07", "\xFF\xFE binary",
                                    "\xEF\xBF\xBE U+FFFE", "\xED\xA0\x80 surrogate"};
  for (const auto& b : bad_bodies) {
    Status s = SendBody("aws", b);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message().rfind("InvalidMessageContents: ", 0), 0u) << s.ToString();
    EXPECT_OK(SendBody("rel", b));  // relaxed: any bytes
  }
  Status s = SendBody("aws", std::string("ab\x01", 3));
  EXPECT_NE(s.message().find("U+0001"), std::string::npos) << s.ToString();
  EXPECT_EQ(QueueMessages("aws"), std::size(ok_bodies));
  EXPECT_EQ(QueueMessages("rel"), std::size(bad_bodies));
}

TEST_F(LimitsTest, AwsStringAttributeValuesAreSqsText) {
  ASSERT_OK(queues_->Create("aws", Queue(Limits::kAws)));
  ASSERT_OK(queues_->Create("rel", Queue(Limits::kRelaxed)));
  EXPECT_OK(SendAttr("aws", format::AttributeType::kString, "fine \xE2\x82\xAC"));
  Status s = SendAttr("aws", format::AttributeType::kString, "ctrl\x1F");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("InvalidMessageContents: ", 0), 0u) << s.ToString();
  EXPECT_NE(s.message().find("attribute 'a'"), std::string::npos) << s.ToString();
  EXPECT_OK(SendAttr("rel", format::AttributeType::kString, "ctrl\x1F"));
  // Binary values stay any bytes under both.
  EXPECT_OK(SendAttr("aws", format::AttributeType::kBinary, std::string("\0\xFF", 2)));
  EXPECT_EQ(QueueMessages("aws"), 2u);
}

TEST_F(LimitsTest, AwsNumberAttributesStayInSqsRange) {
  ASSERT_OK(queues_->Create("aws", Queue(Limits::kAws)));
  ASSERT_OK(queues_->Create("rel", Queue(Limits::kRelaxed)));
  const char* in_range[] = {"0",     "-0.000",  "1E126", "1.000E+126", "10E125", "-1e-128",
                            "0.1e-127", "9.99E125", "12345678901234567890123456789012345678",
                            "0.00001E-123"};
  for (const char* v : in_range) {
    EXPECT_OK(SendAttr("aws", format::AttributeType::kNumber, v)) << v;
  }
  const char* out_of_range[] = {"1.1E126", "2E126", "1E127", "9e-129", "0.01E-127",
                                "100E125", "0.000001E-123"};
  for (const char* v : out_of_range) {
    Status s = SendAttr("aws", format::AttributeType::kNumber, v);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << v;
    EXPECT_NE(s.message().find("10^-128"), std::string::npos) << s.ToString();
    EXPECT_OK(SendAttr("rel", format::AttributeType::kNumber, v)) << v;  // relaxed: syntax only
  }
  // 39 significant digits is refused under both (the syntax rule).
  EXPECT_EQ(SendAttr("aws", format::AttributeType::kNumber, std::string(39, '7')).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(LimitsTest, QueueProfileIsPersistedAndOldQueuesAreRelaxed) {
  ASSERT_OK(queues_->Create("aws", Queue(Limits::kAws)));
  ASSERT_OK(queues_->Create("rel", Queue(Limits::kRelaxed)));
  Reopen();
  QueueDescription d;
  ASSERT_OK(queues_->Describe("aws", &d));
  EXPECT_EQ(d.config.limits, Limits::kAws);
  ASSERT_OK(queues_->Describe("rel", &d));
  EXPECT_EQ(d.config.limits, Limits::kRelaxed);
  EXPECT_EQ(SendBody("aws", std::string("\0", 1)).code(), StatusCode::kInvalidArgument);
  EXPECT_OK(SendBody("rel", std::string("\0", 1)));
  // Only an aws queue carries the property: a relaxed one's catalog entry is as before 0.2.0.
  size_t with_prop = 0;
  for (const auto& e : store_->CatalogSnapshot().logs) {
    if (const std::string* v = format::FindProp(e, kLimitsProp)) {
      EXPECT_EQ(*v, "aws");
      ++with_prop;
    }
  }
  EXPECT_EQ(with_prop, 1u);
}

// ---- streams ----

TEST_F(LimitsTest, AwsStreamRetentionStartsAt24Hours) {
  EXPECT_EQ(streams_->Create("a", Stream(Limits::kAws, 23)).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(streams_->List().empty());
  ASSERT_OK(streams_->Create("a", Stream(Limits::kAws, 24)));
  ASSERT_OK(streams_->Create("r", Stream(Limits::kRelaxed, 1)));
  Status s = streams_->SetRetention("a", 23);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("24 to 8760"), std::string::npos) << s.ToString();
  EXPECT_OK(streams_->SetRetention("a", 8760));
  EXPECT_EQ(streams_->SetRetention("a", 8761).code(), StatusCode::kInvalidArgument);
  EXPECT_OK(streams_->SetRetention("r", 1));
  StreamDescription d;
  ASSERT_OK(streams_->Describe("a", &d));
  EXPECT_EQ(d.retention_hours, 8760u);
}

TEST_F(LimitsTest, AwsPartitionKeysAreUpTo256Characters) {
  ASSERT_OK(streams_->Create("a", Stream(Limits::kAws)));
  ASSERT_OK(streams_->Create("r", Stream(Limits::kRelaxed)));
  std::string euros;  // 256 characters, 768 bytes
  for (int i = 0; i < 256; ++i) euros += "\xE2\x82\xAC";
  EXPECT_OK(PutKey("a", euros));
  EXPECT_EQ(PutKey("r", euros).code(), StatusCode::kInvalidArgument);  // relaxed: 256 bytes
  EXPECT_EQ(PutKey("a", euros + "x").code(), StatusCode::kInvalidArgument);  // 257 characters
  EXPECT_OK(PutKey("a", std::string(256, 'k')));
  Status s = PutKey("a", "\xC3\x28");  // invalid UTF-8
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("UTF-8"), std::string::npos) << s.ToString();
  EXPECT_OK(PutKey("r", "\xC3\x28"));
  EXPECT_EQ(PutKey("a", "").code(), StatusCode::kInvalidArgument);
  StreamDescription d;
  ASSERT_OK(streams_->Describe("a", &d));
  EXPECT_EQ(d.shards[0].next_seq.value(), 2u);  // the refused puts wrote nothing
}

TEST_F(LimitsTest, StreamProfileIsPersisted) {
  ASSERT_OK(streams_->Create("a", Stream(Limits::kAws)));
  ASSERT_OK(streams_->Create("r", Stream(Limits::kRelaxed)));
  Reopen();
  StreamDescription d;
  ASSERT_OK(streams_->Describe("a", &d));
  EXPECT_EQ(d.limits, Limits::kAws);
  ASSERT_OK(streams_->Describe("r", &d));
  EXPECT_EQ(d.limits, Limits::kRelaxed);
  EXPECT_EQ(streams_->SetRetention("a", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_OK(streams_->SetRetention("r", 1));
}

TEST_F(LimitsTest, UnknownProfileValueIsNotSupported) {
  Limits l = Limits::kAws;
  ASSERT_OK(LimitsFromProp(nullptr, &l));
  EXPECT_EQ(l, Limits::kRelaxed);
  const std::string aws = "aws", newer = "strict";
  ASSERT_OK(LimitsFromProp(&aws, &l));
  EXPECT_EQ(l, Limits::kAws);
  EXPECT_EQ(LimitsFromProp(&newer, &l).code(), StatusCode::kNotSupported);
}

}  // namespace
}  // namespace seglog::testing
