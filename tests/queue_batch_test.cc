// SQS batch calls entry by entry (SPEC.md 16.9): Queues::DeleteMessageBatch with entry ids and
// SQS's codes, Queues::ChangeVisibilityBatch, their batch-level checks (which change nothing),
// and the C binding's results for a failed journal write. The clock is the fixture's fake one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "engine/queues/queue.h"
#include "tests/support/capi_handle.h"
#include "tests/support/fault_fs.h"
#include "tests/support/queue_fixture.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using testing::QueueTest;
using testing::View;

class QueueBatchTest : public QueueTest {
 protected:
  // Ids "e0", "e1", ... (views into ids_).
  std::vector<std::string_view> Ids(size_t n) {
    ids_.clear();
    for (size_t i = 0; i < n; ++i) ids_.push_back("e" + std::to_string(i));
    return {ids_.begin(), ids_.end()};
  }
  static std::vector<std::string_view> Receipts(const std::vector<ReceivedMessage>& ms) {
    std::vector<std::string_view> out;
    for (const ReceivedMessage& m : ms) out.push_back(m.receipt);
    return out;
  }
  // The bodies a receive (visibility vt seconds) gets now, sorted.
  std::vector<std::string> Bodies(int32_t vt = 30) {
    std::vector<std::string> out;
    for (const ReceivedMessage& m : Receive("q", 10, vt)) out.push_back(m.body);
    std::sort(out.begin(), out.end());
    return out;
  }
  static void ExpectFailed(const BatchEntryOutcome& o, StatusCode code, const char* sqs,
                           bool sender_fault = true) {
    EXPECT_EQ(o.status.code(), code) << o.status.ToString();
    EXPECT_EQ(o.code, sqs);
    EXPECT_EQ(o.sender_fault, sender_fault);
    EXPECT_FALSE(o.status.message().empty());
  }
  std::vector<std::string> ids_;
};

// One batch with a valid, a malformed, a stale, another queue's and a second valid receipt:
// the valid ones are deleted, each other one fails with SQS's code.
TEST_F(QueueBatchTest, DeleteBatchReportsEachEntryWithSqsCodes) {
  CreateStd("q");
  CreateStd("other");
  for (const char* b : {"a", "b", "c", "d"}) Send("q", b);
  Send("other", "x");
  auto first = Receive("q", 1, 30);  // "a", then received again: its first receipt is stale
  ASSERT_EQ(first.size(), 1u);
  clock_.Advance(30'000);
  auto ms = Receive("q", 10, 30);
  ASSERT_EQ(ms.size(), 4u);
  auto other = Receive("other", 1, 30);
  ASSERT_EQ(other.size(), 1u);
  // ms (lowest id first): a b c d.
  std::vector<std::string_view> r = {ms[1].receipt, "not-a-receipt", first[0].receipt,
                                     other[0].receipt, ms[2].receipt};
  std::vector<BatchEntryOutcome> out;
  ASSERT_OK(queues_->DeleteMessageBatch("q", Ids(5), r, &out));
  ASSERT_EQ(out.size(), 5u);
  EXPECT_TRUE(out[0].ok());
  EXPECT_EQ(out[0].code, "");
  ExpectFailed(out[1], StatusCode::kInvalidArgument, "ReceiptHandleIsInvalid");
  ExpectFailed(out[2], StatusCode::kStale, "InvalidParameterValue");
  ExpectFailed(out[3], StatusCode::kInvalidArgument, "ReceiptHandleIsInvalid");
  EXPECT_TRUE(out[4].ok());
  EXPECT_EQ(Stats("q").in_flight, 2u) << "b and c deleted; a and d still in flight";
  clock_.Advance(30'000);
  EXPECT_EQ(Bodies(), (std::vector<std::string>{"a", "d"}));
}

// Batch-level failures (ids, counts, receipts per id) attempt nothing and leave *out as it was.
TEST_F(QueueBatchTest, DeleteBatchLevelChecksDeleteNothing) {
  CreateStd("q");
  Send("q", "a");
  Send("q", "b");
  auto ms = Receive("q", 10, 30);
  ASSERT_EQ(ms.size(), 2u);
  const std::vector<std::string_view> r = Receipts(ms);
  std::vector<BatchEntryOutcome> out(1);
  out[0].code = "untouched";
  auto expect_refused = [&](std::vector<std::string_view> ids,
                            std::vector<std::string_view> receipts, const char* sqs_code) {
    Status s = queues_->DeleteMessageBatch("q", ids, receipts, &out);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_EQ(s.message().rfind(sqs_code, 0), 0u) << s.message();
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].code, "untouched");
  };
  expect_refused({"x", "x"}, r, "BatchEntryIdsNotDistinct");
  expect_refused({}, {}, "EmptyBatchRequest");
  expect_refused({"ok", "bad id"}, r, "InvalidBatchEntryId");
  const std::string long_id(81, 'a');
  expect_refused({"ok", long_id}, r, "InvalidBatchEntryId");
  const std::vector<std::string_view> eleven = Ids(11);
  expect_refused(eleven, std::vector<std::string_view>(11, r[0]), "TooManyEntriesInBatchRequest");
  expect_refused({"a", "b", "c"}, r, "a batch needs one receipt per entry id");
  EXPECT_EQ(queues_->DeleteMessageBatch("nope", Ids(2), r, &out).code(), StatusCode::kNotFound);
  EXPECT_EQ(Stats("q").in_flight, 2u);
  clock_.Advance(30'000);
  EXPECT_EQ(Bodies(), (std::vector<std::string>{"a", "b"})) << "nothing was deleted";
}

// Ten entries, one with a bad receipt: the other nine are applied. Timeout 0 makes a message
// receivable at once; a long one keeps it hidden past the receive's 30 s; the bad entry's
// message keeps its 30 s.
TEST_F(QueueBatchTest, ChangeVisibilityBatchAppliesAllButTheBadEntry) {
  CreateStd("q");
  for (int i = 0; i < 10; ++i) Send("q", "m" + std::to_string(i));
  auto ms = Receive("q", 10, 30);
  ASSERT_EQ(ms.size(), 10u);
  std::vector<std::string_view> r = Receipts(ms);
  std::string mangled = ms[9].receipt;
  mangled[0] = mangled[0] == '0' ? '1' : '0';
  r[9] = mangled;
  std::vector<uint32_t> t = {0, 0, 0, 0, 0, 600, 600, 600, 600, 0};
  std::vector<BatchEntryOutcome> out;
  ASSERT_OK(queues_->ChangeVisibilityBatch("q", Ids(10), r, t, &out));
  ASSERT_EQ(out.size(), 10u);
  for (int i = 0; i < 9; ++i) EXPECT_TRUE(out[i].ok()) << i << ": " << out[i].status.ToString();
  ExpectFailed(out[9], StatusCode::kInvalidArgument, "ReceiptHandleIsInvalid");
  EXPECT_EQ(Bodies(3600), (std::vector<std::string>{"m0", "m1", "m2", "m3", "m4"}));
  clock_.Advance(30'000);  // the first receive's timeout ran out: only m9 kept it
  EXPECT_EQ(Bodies(3600), (std::vector<std::string>{"m9"}));
  clock_.Advance(570'000);  // 600 s after the change
  EXPECT_EQ(Bodies(), (std::vector<std::string>{"m5", "m6", "m7", "m8"}));
}

// Each failure with its SQS code: a timeout over 12 h, one ending past 12 h from the receive,
// a stale receipt, a deleted message, another queue's receipt.
TEST_F(QueueBatchTest, ChangeVisibilityBatchCodes) {
  CreateStd("q");
  CreateStd("other");
  for (const char* b : {"a", "b", "c"}) Send("q", b);
  Send("other", "x");
  auto old = Receive("q", 1, 30);  // "a"
  clock_.Advance(30'000);
  auto ms = Receive("q", 10, 30);  // a (again) b c
  ASSERT_EQ(ms.size(), 3u);
  auto other = Receive("other", 1, 30);
  ASSERT_OK(queues_->DeleteMessage("q", ms[2].receipt));
  clock_.Advance(1'000);
  std::vector<std::string_view> r = {ms[0].receipt, ms[0].receipt, old[0].receipt,
                                     ms[2].receipt, other[0].receipt, ms[1].receipt};
  std::vector<uint32_t> t = {43'201, 43'200, 10, 10, 10, 43'199};
  std::vector<BatchEntryOutcome> out;
  ASSERT_OK(queues_->ChangeVisibilityBatch("q", Ids(6), r, t, &out));
  ASSERT_EQ(out.size(), 6u);
  ExpectFailed(out[0], StatusCode::kInvalidArgument, "InvalidParameterValue");
  ExpectFailed(out[1], StatusCode::kInvalidArgument, "InvalidParameterValue");
  ExpectFailed(out[2], StatusCode::kStale, "MessageNotInflight");
  ExpectFailed(out[3], StatusCode::kStale, "MessageNotInflight");
  ExpectFailed(out[4], StatusCode::kInvalidArgument, "ReceiptHandleIsInvalid");
  EXPECT_TRUE(out[5].ok()) << out[5].status.ToString() << ": 43,199 s + the 1 s since the receive";
}

// Batch-level failures change nothing: a timeout-0 entry among them does not apply.
TEST_F(QueueBatchTest, ChangeVisibilityBatchLevelChecksChangeNothing) {
  CreateStd("q");
  Send("q", "a");
  auto ms = Receive("q", 1, 30);
  ASSERT_EQ(ms.size(), 1u);
  const std::string_view r0 = ms[0].receipt;
  std::vector<BatchEntryOutcome> out;
  auto expect_refused = [&](std::vector<std::string_view> ids, size_t receipts, size_t timeouts,
                            const char* msg_start) {
    const std::vector<std::string_view> r(receipts, r0);
    const std::vector<uint32_t> t(timeouts, 0);
    Status s = queues_->ChangeVisibilityBatch("q", ids, r, t, &out);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
    EXPECT_EQ(s.message().rfind(msg_start, 0), 0u) << s.message();
    EXPECT_TRUE(out.empty());
  };
  expect_refused({"x", "x"}, 2, 2, "BatchEntryIdsNotDistinct");
  expect_refused({}, 0, 0, "EmptyBatchRequest");
  expect_refused(Ids(11), 11, 11, "TooManyEntriesInBatchRequest");
  expect_refused({"a.b"}, 1, 1, "InvalidBatchEntryId");
  expect_refused({"a", "b"}, 1, 1, "a batch needs one receipt per entry id");
  expect_refused({"a", "b"}, 2, 1, "a visibility batch needs one timeout per entry");
  EXPECT_TRUE(Receive("q", 10, 30).empty()) << "still hidden: no change was applied";
}

// The C binding over a journal whose write fails: every valid entry reports the I/O error as
// seglog's fault ("InternalError"), a malformed one its own code; nothing is deleted.
TEST_F(QueueBatchTest, CApiDeleteBatchV2JournalWriteFails) {
  Close();
  auto* fault = new io::FaultFileSystem(io::NewPwriteFileSystem());
  std::unique_ptr<io::FileSystem> owned(fault);
  StoreOptions so;
  so.clock = &clock_;
  so.file_system = fault;
  seglog_handle* db = nullptr;
  ASSERT_OK(testing::OpenCHandle(dir_.path(), so, &db));
  ASSERT_OK(db->queues->Create("q", Config()));
  for (const char* b : {"a", "b"}) {
    SendEntry e;
    e.body = View(b);
    SendResult sr;
    ASSERT_OK(db->queues->Send("q", e, &sr));
  }
  seglog_queue_messages* got = nullptr;
  ASSERT_EQ(seglog_queue_receive(db, "q", nullptr, &got), SEGLOG_OK);
  ASSERT_EQ(seglog_queue_messages_count(got), 1u);
  const std::string receipt = seglog_queue_messages_get(got, 0)->receipt;
  seglog_queue_messages_free(got);
  const char* ids[] = {"one", "two"};
  const char* receipts[] = {receipt.c_str(), "zz"};
  seglog_batch_entry_result res[2];
  fault->FailNth(io::FsOp::kWrite, fault->count(io::FsOp::kWrite) + 1, EIO);
  ASSERT_EQ(seglog_queue_delete_message_batch_v2(db, "q", ids, receipts, 2, res), SEGLOG_OK);
  EXPECT_EQ(res[0].code, SEGLOG_EIO);
  EXPECT_EQ(res[0].sender_fault, 0);
  EXPECT_STREQ(res[0].error_code, "InternalError");
  EXPECT_NE(std::strstr(res[0].message, "injected"), nullptr) << res[0].message;
  EXPECT_EQ(res[1].code, SEGLOG_EINVAL);
  EXPECT_EQ(res[1].sender_fault, 1);
  EXPECT_STREQ(res[1].error_code, "ReceiptHandleIsInvalid");
  EXPECT_EQ(testing::CloseCHandle(db).code(), StatusCode::kIOError) << "the journal's error";
  Open();
  const QueueStats st = Stats("q");
  EXPECT_EQ(st.visible + st.in_flight, 2u) << "the failed delete deleted nothing";
  EXPECT_EQ(st.in_flight, 1u) << "the received one is still in flight (SPEC.md 16.4)";
}

// On a read-only store a delete batch is refused whole.
TEST_F(QueueBatchTest, DeleteBatchOnAReadOnlyStore) {
  CreateStd("q");
  Close();
  StoreOptions so;
  so.read_only = true;
  ASSERT_OK(testing::OpenEngine(dir_.path(), so, &store_, nullptr, &queues_));
  std::vector<BatchEntryOutcome> out;
  const std::vector<std::string_view> r = {"r"};
  EXPECT_EQ(queues_->DeleteMessageBatch("q", Ids(1), r, &out).code(), StatusCode::kReadOnly);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace seglog
