// High-throughput FIFO's deduplication scope and fair queues' group ids on standard queues
// (SPEC.md 16.3, 16.8).
#include "tests/support/queue_fixture.h"

#include "engine/log/digest.h"

namespace seglog::testing {
namespace {

class QueueFifoExtrasTest : public QueueTest {
 protected:
  void CreateFifo(const std::string& name, DedupScope scope) {
    QueueConfig c = Config(QueueType::kFifo);
    c.dedup_scope = scope;
    if (scope == DedupScope::kMessageGroup) {
      c.fifo_throughput_limit = FifoThroughputLimit::kPerMessageGroupId;
    }
    Create(name, c);
  }
};

TEST_F(QueueFifoExtrasTest, MessageGroupScopeDeduplicatesWithinAGroupOnly) {
  CreateFifo("h.fifo", DedupScope::kMessageGroup);
  const SendResult a = SendFifo("h.fifo", "one", "g1", "d");
  const SendResult b = SendFifo("h.fifo", "two", "g2", "d");  // same id, other group: new
  const SendResult c = SendFifo("h.fifo", "three", "g1", "d");  // same group: a repeat
  EXPECT_FALSE(a.duplicate);
  EXPECT_FALSE(b.duplicate);
  EXPECT_NE(a.id, b.id);
  EXPECT_TRUE(c.duplicate);
  EXPECT_EQ(c.id, a.id);
  // The window is rebuilt the same way after a reopen.
  Reopen();
  EXPECT_TRUE(SendFifo("h.fifo", "four", "g2", "d").duplicate);
  const SendResult e = SendFifo("h.fifo", "five", "g3", "d");
  EXPECT_FALSE(e.duplicate);
  std::multiset<std::string> got;
  for (const auto& m : Receive("h.fifo", 10)) {
    got.insert(m.body);
    EXPECT_EQ(m.dedup_id, "d");  // the id as sent, not the scoped key
  }
  EXPECT_EQ(got, (std::multiset<std::string>{"one", "two", "five"}));
}

TEST_F(QueueFifoExtrasTest, QueueScopeDeduplicatesAcrossGroups) {
  CreateFifo("q.fifo", DedupScope::kQueue);
  const SendResult a = SendFifo("q.fifo", "one", "g1", "d");
  const SendResult b = SendFifo("q.fifo", "two", "g2", "d");
  EXPECT_TRUE(b.duplicate);
  EXPECT_EQ(b.id, a.id);
  Reopen();
  EXPECT_TRUE(SendFifo("q.fifo", "three", "g3", "d").duplicate);
}

TEST_F(QueueFifoExtrasTest, ContentBasedDedupUnderMessageGroupScope) {
  QueueConfig c = Config(QueueType::kFifo);
  c.content_based_dedup = true;
  c.dedup_scope = DedupScope::kMessageGroup;
  Create("c.fifo", c);
  EXPECT_FALSE(SendFifo("c.fifo", "same", "g1", "").duplicate);
  EXPECT_FALSE(SendFifo("c.fifo", "same", "g2", "").duplicate);
  EXPECT_TRUE(SendFifo("c.fifo", "same", "g1", "").duplicate);
  const auto got = Receive("c.fifo", 10);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].dedup_id, Sha256Hex(View("same")));
}

TEST_F(QueueFifoExtrasTest, StandardQueueKeepsTheGroupIdOfFairQueues) {
  CreateStd("s");
  SendEntry e;
  e.body = View("tenant message");
  e.group_id = "tenant-7";
  SendResult r;
  ASSERT_OK(queues_->Send("s", e, &r));
  Send("s", "no tenant");
  Reopen();
  auto got = Receive("s", 10);
  ASSERT_EQ(got.size(), 2u);
  std::map<std::string, std::string> group_of;
  for (const auto& m : got) group_of[m.body] = m.group_id;
  EXPECT_EQ(group_of["tenant message"], "tenant-7");
  EXPECT_EQ(group_of["no tenant"], "");
  EXPECT_TRUE(got[0].dedup_id.empty());
}

}  // namespace
}  // namespace seglog::testing

namespace seglog::testing {
namespace {

TEST_F(QueueFifoExtrasTest, SecondPurgeWithin60SecondsUnderTheAwsProfile) {
  QueueConfig aws = Config();
  aws.limits = Limits::kAws;
  Create("a", aws);
  CreateStd("r");  // relaxed: no limit
  Send("a", "m1");
  ASSERT_OK(queues_->Purge("a"));
  Send("a", "m2");
  clock_.Advance(59'000);
  const Status s = queues_->Purge("a");
  EXPECT_EQ(s.code(), StatusCode::kBusy);
  EXPECT_EQ(s.message().rfind("PurgeQueueInProgress", 0), 0u) << s.ToString();
  EXPECT_EQ(Stats("a").visible, 1u) << "a refused purge deletes nothing";
  clock_.Advance(1'000);
  ASSERT_OK(queues_->Purge("a"));
  EXPECT_EQ(Stats("a").visible, 0u);
  ASSERT_OK(queues_->Purge("r"));
  ASSERT_OK(queues_->Purge("r"));
}

}  // namespace
}  // namespace seglog::testing
