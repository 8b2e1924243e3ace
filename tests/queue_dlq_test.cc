// Dead-letter queues as SQS has them (SPEC.md 16.14): a dead letter keeps its MessageId and
// receive count, a standard one its enqueue time, a FIFO one gets its MessageId as dedup id; a
// redrive makes a new message; RedriveAllowPolicy; ListDeadLetterSources; a deleted
// dead-letter queue reported by Describe.
#include <gtest/gtest.h>

#include "engine/queues/queue.h"
#include "engine/queues/queue_attributes.h"
#include "tests/support/queue_fixture.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using testing::QueueTest;
using testing::View;

class DlqTest : public QueueTest {
 protected:
  // A source queue `src` whose messages go to `dlq` after max_receive receives.
  void CreatePair(const std::string& src, const std::string& dlq, uint32_t max_receive,
                  QueueType t = QueueType::kStandard) {
    QueueConfig c = Config(t);
    c.dead_letter_queue = dlq;
    c.max_receive_count = max_receive;
    Create(src, c);
  }
  SendResult SendSqs(const std::string& q, const std::string& body, const std::string& group = "",
                     const std::string& dedup = "") {
    SendEntry e;
    e.body = View(body);
    e.group_id = group;
    e.dedup_id = dedup;
    SendResult r;
    EXPECT_OK(queues_->Send(q, e, &r, Report::kSqs));
    return r;
  }
  std::vector<ReceivedMessage> ReceiveSqs(const std::string& q, int32_t vt) {
    ReceiveOptions o;
    o.max_messages = 10;
    o.visibility_timeout_s = vt;
    o.wait_s = 0;
    o.report = Report::kSqsIds;
    std::vector<ReceivedMessage> out;
    EXPECT_OK(queues_->Receive(q, o, &out));
    return out;
  }
  QueueConfig GetConfig(const std::string& q) {
    QueueConfig c;
    EXPECT_OK(queues_->GetConfig(q, &c));
    return c;
  }
};

TEST_F(DlqTest, StandardDeadLetterKeepsMessageIdAndCountKeepsCounting) {
  // dlq has a redrive policy of its own (to dlq2, after 2 receives there): it counts only its
  // own receives.
  CreateStd("dlq2");
  CreatePair("dlq", "dlq2", 2);
  CreatePair("src", "dlq", 2);
  const SendResult sent = SendSqs("src", "poison");
  ASSERT_EQ(sent.message_id.size(), 36u);
  EXPECT_EQ(ReceiveSqs("src", 0).size(), 1u);
  EXPECT_EQ(ReceiveSqs("src", 0).size(), 1u);
  EXPECT_TRUE(ReceiveSqs("src", 0).empty()) << "the third receive moves it";
  auto d = ReceiveSqs("dlq", 0);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message_id, sent.message_id) << "the MessageId survives the move";
  EXPECT_EQ(d[0].receive_count, 3u) << "2 receives in the source, then 1 here";
  EXPECT_EQ(d[0].dead_letter_source, "src");  // SQS DeadLetterQueueSourceArn
  d = ReceiveSqs("dlq", 0);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].receive_count, 4u);
  EXPECT_TRUE(ReceiveSqs("dlq", 0).empty()) << "dlq's own 3rd receive moves it on";
  auto d2 = ReceiveSqs("dlq2", 30);
  ASSERT_EQ(d2.size(), 1u);
  EXPECT_EQ(d2[0].message_id, sent.message_id) << "and through a second move";
  EXPECT_EQ(d2[0].dead_letter_source, "dlq") << "the queue it came from last";
  EXPECT_EQ(d2[0].receive_count, 5u);
  // Survives a restart (it is in the record's header).
  Reopen();
  clock_.Advance(31'000);
  d2 = ReceiveSqs("dlq2", 30);
  ASSERT_EQ(d2.size(), 1u);
  EXPECT_EQ(d2[0].message_id, sent.message_id);
  EXPECT_EQ(d2[0].receive_count, 6u);
}

TEST_F(DlqTest, StandardDeadLetterExpiresAtItsFirstSendsTime) {
  QueueConfig dc = Config();
  dc.retention_s = 120;
  Create("dlq", dc);
  CreatePair("src", "dlq", 1);
  const TimestampMs t0 = clock_.NowMs();
  SendSqs("src", "old");
  clock_.Advance(100'000);
  EXPECT_EQ(ReceiveSqs("src", 0).size(), 1u);
  EXPECT_TRUE(ReceiveSqs("src", 0).empty());  // moved at t0 + 100 s
  auto d = ReceiveSqs("dlq", 0);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].sent, t0);
  // 121 s after the first send: past the dead-letter queue's retention counted from it (a
  // count from the move would keep it until t0 + 220 s).
  clock_.Advance(21'000);
  EXPECT_TRUE(ReceiveSqs("dlq", 0).empty());
}

TEST_F(DlqTest, FifoDeadLetterRestartsItsEnqueueTimeAndDedupsByMessageId) {
  QueueConfig dc = Config(QueueType::kFifo);
  dc.retention_s = 120;
  Create("dlq.fifo", dc);
  CreatePair("f.fifo", "dlq.fifo", 1, QueueType::kFifo);
  const SendResult sent = SendSqs("f.fifo", "p", "G", "dd");
  clock_.Advance(100'000);
  EXPECT_EQ(ReceiveSqs("f.fifo", 0).size(), 1u);
  EXPECT_TRUE(ReceiveSqs("f.fifo", 0).empty());
  const TimestampMs moved_at = clock_.NowMs();
  auto d = ReceiveSqs("dlq.fifo", 0);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].message_id, sent.message_id);
  EXPECT_EQ(d[0].group_id, "G");
  EXPECT_EQ(d[0].dedup_id, sent.message_id) << "SQS: the dedup id becomes the MessageId";
  EXPECT_EQ(d[0].sent, moved_at) << "a FIFO dead letter's enqueue time starts again";
  EXPECT_EQ(d[0].receive_count, 2u);
  clock_.Advance(21'000);  // 121 s after the send, 21 s after the move: still there
  EXPECT_EQ(ReceiveSqs("dlq.fifo", 0).size(), 1u);
}

TEST_F(DlqTest, RedriveMakesANewMessage) {
  CreateStd("dlq");
  CreatePair("src", "dlq", 1);
  const SendResult sent = SendSqs("src", "poison");
  EXPECT_EQ(ReceiveSqs("src", 0).size(), 1u);
  EXPECT_TRUE(ReceiveSqs("src", 0).empty());
  clock_.Advance(5'000);
  size_t moved = 0;
  ASSERT_OK(queues_->Redrive("dlq", "", 0, &moved));
  EXPECT_EQ(moved, 1u);
  const TimestampMs redriven_at = clock_.NowMs();
  auto m = ReceiveSqs("src", 30);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].body, "poison");
  EXPECT_NE(m[0].message_id, sent.message_id) << "a redrive gives a new MessageId";
  EXPECT_EQ(m[0].receive_count, 1u);
  EXPECT_EQ(m[0].sent, redriven_at) << "and a new enqueue time";
}

TEST_F(DlqTest, RedriveAllowPolicyRefusesAndAllows) {
  QueueConfig deny = Config();
  deny.redrive_allow.permission = RedriveAllow::kDenyAll;
  Create("deny", deny);
  QueueConfig by = Config();
  by.redrive_allow = {RedriveAllow::kByQueue, {"a", "c"}};
  Create("by", by);
  CreateStd("all");

  QueueConfig c = Config();
  c.dead_letter_queue = "deny";
  c.max_receive_count = 1;
  Status s = queues_->Create("a", c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_NE(s.message().find("does not allow"), std::string::npos) << s.ToString();
  c.dead_letter_queue = "by";
  EXPECT_OK(queues_->Create("a", c));
  EXPECT_EQ(queues_->Create("b", c).code(), StatusCode::kInvalidArgument) << "not listed";
  c.dead_letter_queue = "all";
  EXPECT_OK(queues_->Create("b", c));
  // SetAttributes checks it too; a refusal changes nothing.
  QueueFields f;
  f.Add(QueueField::kRedrivePolicy);
  c.dead_letter_queue = "by";
  EXPECT_EQ(queues_->SetAttributes("b", c, f).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(GetConfig("b").dead_letter_queue, "all");
  // Changing the dead-letter queue's policy later does not undo a's policy (SQS).
  QueueConfig now_deny = Config();
  now_deny.redrive_allow.permission = RedriveAllow::kDenyAll;
  QueueFields af;
  af.Add(QueueField::kRedriveAllowPolicy);
  ASSERT_OK(queues_->SetAttributes("by", now_deny, af));
  EXPECT_EQ(GetConfig("a").dead_letter_queue, "by");
  Send("a", "x");
  EXPECT_EQ(Receive("a", 10, 0).size(), 1u);
  EXPECT_TRUE(Receive("a", 10, 0).empty());
  EXPECT_EQ(Receive("by").size(), 1u) << "a's messages still move to it";
  // The policy persists in the catalog.
  Reopen();
  EXPECT_EQ(GetConfig("by").redrive_allow.permission, RedriveAllow::kDenyAll);
  EXPECT_EQ(GetConfig("deny").redrive_allow.permission, RedriveAllow::kDenyAll);
  EXPECT_EQ(GetConfig("all").redrive_allow, RedriveAllowPolicy{});
}

TEST_F(DlqTest, RedriveAllowPolicyValidation) {
  auto create = [&](const RedriveAllowPolicy& p) {
    QueueConfig c = Config();
    c.redrive_allow = p;
    return queues_->Create("v", c).code();
  };
  EXPECT_EQ(create({RedriveAllow::kByQueue, {}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(create({RedriveAllow::kAllowAll, {"x"}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(create({RedriveAllow::kDenyAll, {"x"}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(create({RedriveAllow::kByQueue, {"x", "x"}}), StatusCode::kInvalidArgument);
  EXPECT_EQ(create({RedriveAllow::kByQueue, {"bad name!"}}), StatusCode::kInvalidArgument);
  std::vector<std::string> eleven;
  for (int i = 0; i < 11; ++i) eleven.push_back("q" + std::to_string(i));
  EXPECT_EQ(create({RedriveAllow::kByQueue, eleven}), StatusCode::kInvalidArgument);
  EXPECT_EQ(queues_->List().size(), 0u) << "nothing was created";
  eleven.pop_back();
  EXPECT_EQ(create({RedriveAllow::kByQueue, eleven}), StatusCode::kOk);
  // A queue with the default policy has no catalog property: the bytes 0.2.0 wrote.
  CreateStd("plain");
  for (const auto& e : store_->CatalogSnapshot().logs) {
    if (e.name == "queue:plain/messages") {
      EXPECT_EQ(format::FindProp(e, format::queue_props::kRedriveAllow), nullptr);
    }
  }
}

TEST_F(DlqTest, ListDeadLetterSources) {
  CreateStd("dlq");
  CreateStd("lonely");
  CreatePair("b", "dlq", 3);
  CreatePair("a", "dlq", 3);
  CreatePair("c", "lonely", 3);
  std::vector<std::string> s;
  ASSERT_OK(queues_->ListDeadLetterSources("dlq", &s));
  EXPECT_EQ(s, (std::vector<std::string>{"a", "b"}));
  ASSERT_OK(queues_->ListDeadLetterSources("a", &s));
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(queues_->ListDeadLetterSources("nope", &s).code(), StatusCode::kNotFound);
  // A policy removed stops counting.
  QueueConfig none = Config();
  QueueFields f;
  f.Add(QueueField::kRedrivePolicy);
  ASSERT_OK(queues_->SetAttributes("b", none, f));
  ASSERT_OK(queues_->ListDeadLetterSources("dlq", &s));
  EXPECT_EQ(s, (std::vector<std::string>{"a"}));
}

TEST_F(DlqTest, DescribeReportsADeletedDeadLetterQueue) {
  CreateStd("dlq");
  CreatePair("src", "dlq", 1);
  QueueDescription d;
  ASSERT_OK(queues_->Describe("src", &d));
  EXPECT_FALSE(d.dead_letter_queue_missing);
  ASSERT_OK(queues_->Delete("dlq"));
  ASSERT_OK(queues_->Describe("src", &d));
  EXPECT_TRUE(d.dead_letter_queue_missing);
  EXPECT_EQ(d.config.dead_letter_queue, "dlq") << "the policy stays";
  // Delivered as if there were no policy.
  Send("src", "x");
  EXPECT_EQ(Receive("src", 10, 0).size(), 1u);
  EXPECT_EQ(Receive("src", 10, 0).size(), 1u);
  // SetAttributes still refuses to name a missing one.
  QueueConfig c = Config();
  c.dead_letter_queue = "dlq";
  c.max_receive_count = 2;
  QueueFields f;
  f.Add(QueueField::kRedrivePolicy);
  EXPECT_EQ(queues_->SetAttributes("src", c, f).code(), StatusCode::kInvalidArgument);
  CreateStd("dlq");
  ASSERT_OK(queues_->Describe("src", &d));
  EXPECT_FALSE(d.dead_letter_queue_missing);
  EXPECT_TRUE(Receive("src", 10, 0).empty()) << "moves again once it exists";
  EXPECT_EQ(Receive("dlq").size(), 1u);
}

}  // namespace
}  // namespace seglog
