// The 0.2.0 message shapes in the engine (engine/queues/queue.h): Report::kIds against kSqs,
// what a dead-letter move keeps, and SendBatchEntries when its append fails.
#include <cerrno>

#include "engine/queues/message_identity.h"
#include "tests/support/fault_fs.h"
#include "tests/support/queue_fixture.h"

namespace seglog::testing {
namespace {

using format::AttributeType;
using format::MessageAttribute;

TEST_F(QueueTest, ReportIdsLeavesTheSqsFieldsEmpty) {
  CreateStd();
  SendEntry e;
  e.body = View("body");
  e.trace_header = "Root=1-x";
  SendResult plain, sqs;
  ASSERT_OK(queues_->Send("q", e, &plain));
  ASSERT_OK(queues_->Send("q", e, &sqs, Report::kSqs));
  EXPECT_EQ(plain.message_id, "");
  EXPECT_EQ(plain.md5_of_body, "");
  EXPECT_EQ(sqs.message_id.size(), 36u);
  EXPECT_EQ(sqs.md5_of_body, Md5OfBody(View("body")));
  EXPECT_EQ(sqs.md5_of_system_attributes, Md5OfSystemAttributes("Root=1-x"));
  ReceiveOptions o;
  o.max_messages = 10;
  o.wait_s = 0;
  o.visibility_timeout_s = 0;
  std::vector<ReceivedMessage> ids, full;
  ASSERT_OK(queues_->Receive("q", o, &ids));
  o.report = Report::kSqs;
  ASSERT_OK(queues_->Receive("q", o, &full));
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_EQ(full.size(), 2u);
  EXPECT_EQ(ids[0].message_id, "");
  EXPECT_EQ(ids[0].trace_header, "Root=1-x");      // cheap fields are always there
  EXPECT_EQ(ids[0].sender_id, "");                 // the default sender: kSqs fills it in
  EXPECT_EQ(full[0].sender_id, "000000000000");
  EXPECT_EQ(full[0].message_id.size(), 36u);
  EXPECT_EQ(full[1].message_id, sqs.message_id);
  EXPECT_EQ(full[1].md5_of_system_attributes, sqs.md5_of_system_attributes);
  EXPECT_EQ(full[1].first_receive, ids[1].first_receive);  // the first receive's time
}

TEST_F(QueueTest, DeadLetterMoveKeepsSenderTraceLabelsAndTheMessageId) {
  CreateStd("dlq");
  QueueConfig c = Config();
  c.dead_letter_queue = "dlq";
  c.max_receive_count = 1;
  Create("src", c);
  const MessageAttribute attrs[] = {{"n", AttributeType::kNumber, View("1"), "int8"}};
  SendEntry e;
  e.body = View("m");
  e.attributes = attrs;
  e.sender_id = "AIDA1";
  e.trace_header = "Root=1-y";
  SendResult sent;
  ASSERT_OK(queues_->Send("src", e, &sent, Report::kSqs));
  ASSERT_EQ(Receive("src", 10, 0).size(), 1u);
  EXPECT_EQ(Receive("src", 10, 0).size(), 0u);  // the second receive moved it
  ReceiveOptions o;
  o.wait_s = 0;
  o.report = Report::kSqs;
  std::vector<ReceivedMessage> got;
  ASSERT_OK(queues_->Receive("dlq", o, &got));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].sender_id, "AIDA1");
  EXPECT_EQ(got[0].trace_header, "Root=1-y");
  ASSERT_EQ(got[0].attributes.size(), 1u);
  EXPECT_EQ(got[0].attributes[0].type_label, "int8");
  EXPECT_EQ(got[0].md5_of_attributes, sent.md5_of_attributes);
  EXPECT_EQ(got[0].message_id, sent.message_id);  // SPEC.md 16.14: kept by a dead-letter move
}

// A store whose file system fails on demand (appends over 4 KiB go through write(2)).
class QueueFaultTest : public QueueTest {
 protected:
  QueueFaultTest() {
    std::unique_ptr<io::FileSystem> base;
    EXPECT_OK(io::NewFileSystem(io::Backend::kPwrite, &base));
    fault_ = std::make_unique<io::FaultFileSystem>(std::move(base));
    fs_ = fault_.get();
  }
  // The failed write is sticky (the log refuses more), so Close reports it: expected here.
  void TearDown() override {
    queues_.reset();
    if (store_) {
      const Status s = store_->Close();
      EXPECT_EQ(s.code(), StatusCode::kIOError) << s.ToString();
    }
    store_.reset();
  }
  std::unique_ptr<io::FaultFileSystem> fault_;
};

TEST_F(QueueFaultTest, FailedAppendFailsEachWrittenEntryNotTheRefusedOnes) {
  CreateStd();
  const std::string big(5000, 'b');
  SendEntry es[3];
  es[0].body = View(big);
  es[2].body = View(big);  // es[1]: no body, refused on its own
  const std::string_view ids[3] = {"a", "b", "c"};
  fault_->FailNth(io::FsOp::kWrite, fault_->count(io::FsOp::kWrite) + 1, EIO);
  std::vector<SendResult> rs;
  std::vector<BatchEntryOutcome> os;
  ASSERT_OK(queues_->SendBatchEntries("q", ids, es, &rs, &os));
  ASSERT_EQ(os.size(), 3u);
  EXPECT_EQ(os[1].code, "MissingParameter");
  EXPECT_TRUE(os[1].sender_fault);
  for (int i : {0, 2}) {
    EXPECT_EQ(os[i].status.code(), StatusCode::kIOError) << i;
    EXPECT_FALSE(os[i].sender_fault) << i;
    EXPECT_EQ(os[i].code, "InternalError") << i;
  }
  EXPECT_EQ(Stats("q").visible, 0u);
}

}  // namespace
}  // namespace seglog::testing
