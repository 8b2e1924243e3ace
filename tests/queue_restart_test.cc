// Queue state that survives restarts (issue 14): in-flight messages stay hidden until their
// journaled deadline, visibility changes and receipts outlive reopens, a receipt is stale once
// its message was received again (however many restarts lie between), receive counts and first
// receive times survive; ReceiveRequestAttemptId; the FIFO dedup window past retention.
// Injected clock throughout (tests/support/queue_fixture.h): no sleeping.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/queues/queue_receipt.h"
#include "format/coding.h"
#include "tests/support/queue_fixture.h"

namespace seglog {
namespace {

using testing::QueueTest;
using testing::View;

class QueueRestartTest : public QueueTest {
 protected:
  void CreateFifo(const std::string& name = "f.fifo", uint32_t retention_s = 0) {
    QueueConfig c = Config(QueueType::kFifo);
    if (retention_s > 0) c.retention_s = retention_s;
    Create(name, c);
  }
  static std::vector<std::string> Bodies(const std::vector<ReceivedMessage>& ms) {
    std::vector<std::string> b;
    for (const auto& m : ms) b.push_back(m.body);
    return b;
  }
  static std::vector<std::string> Receipts(const std::vector<ReceivedMessage>& ms) {
    std::vector<std::string> r;
    for (const auto& m : ms) r.push_back(m.receipt);
    return r;
  }
  std::vector<ReceivedMessage> ReceiveAttempt(const std::string& q, const std::string& attempt,
                                              uint32_t n = 10, int32_t vt = -1) {
    ReceiveOptions o;
    o.max_messages = n;
    o.visibility_timeout_s = vt;
    o.wait_s = 0;
    o.attempt_id = attempt;
    std::vector<ReceivedMessage> out;
    EXPECT_OK(queues_->Receive(q, o, &out));
    return out;
  }
};

// ---- in flight across a reopen ----

TEST_F(QueueRestartTest, InFlightStaysHiddenAfterReopenUntilItsDeadline) {
  CreateStd();
  Send("q", "a");
  Send("q", "b");
  auto m = Receive("q", 1, 600);
  ASSERT_EQ(Bodies(m), std::vector<std::string>{"a"});
  clock_.Advance(100'000);
  Reopen();
  QueueStats st = Stats("q");
  EXPECT_EQ(st.in_flight, 1u);
  EXPECT_EQ(st.visible, 1u);
  EXPECT_EQ(Bodies(Receive("q", 10, 1000)), std::vector<std::string>{"b"});
  clock_.Advance(499'999);  // 1 ms before a's deadline (600 s after its receive)
  EXPECT_TRUE(Receive("q").empty());
  Reopen();
  EXPECT_TRUE(Receive("q").empty()) << "still in flight after a second reopen";
  clock_.Advance(1);
  auto again = Receive("q");
  ASSERT_EQ(Bodies(again), std::vector<std::string>{"a"});
  EXPECT_EQ(again[0].receive_count, 2u);
}

TEST_F(QueueRestartTest, FifoGroupStaysBlockedAfterReopen) {
  CreateFifo();
  SendFifo("f.fifo", "a0", "A", "1");
  SendFifo("f.fifo", "a1", "A", "2");
  SendFifo("f.fifo", "b0", "B", "3");
  ASSERT_EQ(Bodies(Receive("f.fifo", 1, 100)), std::vector<std::string>{"a0"});
  Reopen();
  EXPECT_EQ(Stats("f.fifo").in_flight, 1u);
  EXPECT_EQ(Bodies(Receive("f.fifo", 10, 1000)), std::vector<std::string>{"b0"})
      << "group A is blocked while a0 is in flight, restart or not";
  clock_.Advance(99'999);
  EXPECT_TRUE(Receive("f.fifo").empty());
  clock_.Advance(1);
  EXPECT_EQ(Bodies(Receive("f.fifo")), (std::vector<std::string>{"a0", "a1"}));
}

TEST_F(QueueRestartTest, VisibilityChangesSurviveReopen) {
  CreateStd();
  Send("q", "short");
  Send("q", "long");
  Send("q", "batch");
  auto m = Receive("q", 10, 60);
  ASSERT_EQ(m.size(), 3u);
  ASSERT_OK(queues_->ChangeVisibility("q", m[0].receipt, 10));   // shorter
  ASSERT_OK(queues_->ChangeVisibility("q", m[1].receipt, 600));  // longer
  const std::string_view ids[] = {"x"};
  const std::string_view receipts[] = {m[2].receipt};
  const uint32_t timeouts[] = {300};
  std::vector<BatchEntryOutcome> out;
  ASSERT_OK(queues_->ChangeVisibilityBatch("q", ids, receipts, timeouts, &out));
  ASSERT_TRUE(out[0].status.ok()) << out[0].status.ToString();
  Reopen();
  EXPECT_EQ(Stats("q").in_flight, 3u);
  clock_.Advance(10'000);
  EXPECT_EQ(Bodies(Receive("q", 10, 3600)), std::vector<std::string>{"short"});
  clock_.Advance(50'000);  // the original 60 s: the longer ones stay hidden
  EXPECT_TRUE(Receive("q").empty());
  Reopen();
  clock_.Advance(240'000);  // 300 s
  EXPECT_EQ(Bodies(Receive("q", 10, 3600)), std::vector<std::string>{"batch"});
  clock_.Advance(300'000);  // 600 s
  EXPECT_EQ(Bodies(Receive("q", 10, 3600)), std::vector<std::string>{"long"});
}

// ---- receipts across reopens ----

TEST_F(QueueRestartTest, AReceiptIssuedBeforeAReopenDeletesAfterIt) {
  CreateStd();
  Send("q", "in flight");
  Send("q", "visible again");
  auto m = Receive("q", 10, 30);
  ASSERT_EQ(m.size(), 2u);
  Reopen();
  ASSERT_OK(queues_->DeleteMessage("q", m[0].receipt));
  EXPECT_EQ(Stats("q").in_flight, 1u);
  // The other's visibility runs out after the reopen; not received since: its receipt deletes.
  clock_.Advance(30'000);
  Reopen();
  EXPECT_EQ(Stats("q").visible, 1u);
  ASSERT_OK(queues_->DeleteMessage("q", m[1].receipt));
  clock_.Advance(3'600'000);
  Reopen();
  EXPECT_TRUE(Receive("q").empty()) << "both deleted, durably";
  EXPECT_EQ(Stats("q").visible + Stats("q").in_flight, 0u);
}

// The case: a receipt k restarts old must not delete a message re-received meanwhile.
TEST_F(QueueRestartTest, AReceiptIsStaleOnceTheMessageWasReceivedAgainAcrossReopens) {
  for (int reopens = 1; reopens <= 3; ++reopens) {
    SCOPED_TRACE(reopens);
    const std::string q = "q" + std::to_string(reopens);
    CreateStd(q);
    Send(q, "m");
    auto first = Receive(q, 1, 10);
    ASSERT_EQ(first.size(), 1u);
    std::string latest;
    for (int i = 0; i < reopens; ++i) {
      Reopen();
      if (i == 0) {  // received again after the first reopen
        clock_.Advance(10'000);
        auto again = Receive(q, 1, 10);
        ASSERT_EQ(again.size(), 1u);
        EXPECT_EQ(again[0].receive_count, 2u);
        EXPECT_NE(again[0].receipt, first[0].receipt);
        latest = again[0].receipt;
      }
    }
    clock_.Advance(10'000);  // visible again: a delete would take it
    EXPECT_EQ(queues_->DeleteMessage(q, first[0].receipt).code(), StatusCode::kStale);
    EXPECT_EQ(queues_->ChangeVisibility(q, first[0].receipt, 5).code(), StatusCode::kStale);
    EXPECT_EQ(Stats(q).visible, 1u) << "the stale receipt deleted nothing";
    ASSERT_OK(queues_->DeleteMessage(q, latest));
    EXPECT_EQ(Stats(q).visible + Stats(q).in_flight, 0u);
  }
}

TEST_F(QueueRestartTest, ReceiveCountAndFirstReceiveSurvive) {
  CreateStd();
  Send("q", "m");
  const TimestampMs t0 = clock_.NowMs();
  auto a = Receive("q", 1, 5);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].first_receive, t0);
  for (uint32_t k = 2; k <= 4; ++k) {
    clock_.Advance(5'000);
    Reopen();
    auto b = Receive("q", 1, 5);
    ASSERT_EQ(b.size(), 1u);
    EXPECT_EQ(b[0].receive_count, k);
    EXPECT_EQ(b[0].first_receive, t0) << "ApproximateFirstReceiveTimestamp is durable";
  }
}

// A receipt of the layout before issue 14 (id, epoch, gen; salt "Qreceipt") still decodes but
// names no receive: Stale for a live message, OK for a deleted one. Re-signing a current
// receipt's bytes with the old salt does not make it pass as current.
TEST_F(QueueRestartTest, LegacyReceiptsAreStaleNeverCurrent) {
  CreateStd();
  Send("q", "live");
  Send("q", "deleted");
  auto m = Receive("q", 10, 30);
  ASSERT_EQ(m.size(), 2u);
  uint64_t log_id = 0;
  for (const auto& e : store_->CatalogSnapshot().logs) {
    if (e.name == "queue:q/messages") log_id = e.log_id;
  }
  ASSERT_NE(log_id, 0u);
  // The receipt's bytes, re-signed as version 1.
  auto as_v1 = [&](const std::string& receipt) {
    uint8_t b[QueueReceipt::kBytes];
    for (size_t i = 0; i < QueueReceipt::kBytes; ++i) {
      b[i] = static_cast<uint8_t>(std::stoi(receipt.substr(2 * i, 2), nullptr, 16));
    }
    uint8_t k[16];
    format::EncodeFixed64(k, log_id);
    format::EncodeFixed64(k + 8, 0x7465636569657251ull);  // "Qreceipt"
    format::EncodeFixed32(b + 20, static_cast<uint32_t>(format::Checksum2(
                                      ByteView(k, 16), ByteView(b, 20))));
    static const char kHex[] = "0123456789abcdef";
    std::string out;
    for (uint8_t x : b) {
      out += kHex[x >> 4];
      out += kHex[x & 15];
    }
    return out;
  };
  QueueReceipt rc;
  ASSERT_TRUE(QueueReceipt::Decode(as_v1(m[0].receipt), log_id, &rc));
  EXPECT_TRUE(rc.legacy);
  ASSERT_TRUE(QueueReceipt::Decode(m[0].receipt, log_id, &rc));
  EXPECT_FALSE(rc.legacy);
  EXPECT_EQ(rc.count, 1u);
  Reopen();
  EXPECT_EQ(queues_->DeleteMessage("q", as_v1(m[0].receipt)).code(), StatusCode::kStale);
  EXPECT_EQ(queues_->ChangeVisibility("q", as_v1(m[0].receipt), 0).code(), StatusCode::kStale);
  ASSERT_OK(queues_->DeleteMessage("q", m[1].receipt));
  EXPECT_OK(queues_->DeleteMessage("q", as_v1(m[1].receipt))) << "deleted already: OK";
  EXPECT_EQ(Stats("q").in_flight, 1u) << "the legacy receipt deleted nothing";
  ASSERT_OK(queues_->DeleteMessage("q", m[0].receipt));
  // Another queue's log id: not a receipt of this queue at all.
  EXPECT_FALSE(QueueReceipt::Decode(m[0].receipt, log_id + 1, &rc));
}

// ---- ReceiveRequestAttemptId ----

TEST_F(QueueRestartTest, AttemptRetryReturnsTheSameMessagesAndReceipts) {
  CreateFifo();
  SendFifo("f.fifo", "a0", "A", "1");
  SendFifo("f.fifo", "a1", "A", "2");
  SendFifo("f.fifo", "b0", "B", "3");
  auto first = ReceiveAttempt("f.fifo", "try-1", 2, 30);
  ASSERT_EQ(Bodies(first), (std::vector<std::string>{"a0", "a1"}));
  clock_.Advance(20'000);
  auto retry = ReceiveAttempt("f.fifo", "try-1", 2, 30);
  EXPECT_EQ(Bodies(retry), Bodies(first));
  EXPECT_EQ(Receipts(retry), Receipts(first));
  EXPECT_EQ(retry[0].receive_count, 1u) << "a retry is not another receive";
  // The retry restarted the visibility timeout (30 s from the retry) and is journaled.
  clock_.Advance(29'000);
  Reopen();
  EXPECT_EQ(Stats("f.fifo").in_flight, 2u);
  // Through TryReceive too (seglogd's path); the attempt map is volatile: after the reopen
  // "try-1" is a new receive, so retry under a fresh id first.
  std::vector<ReceivedMessage> via_try;
  ReceiveOptions o;
  o.max_messages = 1;
  o.wait_s = 0;
  o.visibility_timeout_s = 30;
  o.attempt_id = "try-2";
  uint64_t ticket = 0;
  ASSERT_OK(queues_->TryReceive("f.fifo", o, &via_try, nullptr, &ticket));
  ASSERT_EQ(Bodies(via_try), std::vector<std::string>{"b0"});
  clock_.Advance(10'000);
  std::vector<ReceivedMessage> via_try2;
  ASSERT_OK(queues_->TryReceive("f.fifo", o, &via_try2, nullptr, &ticket));
  EXPECT_EQ(Receipts(via_try2), Receipts(via_try));
  // The originals' receipts still delete.
  ASSERT_OK(queues_->DeleteMessage("f.fifo", first[0].receipt));
  ASSERT_OK(queues_->DeleteMessage("f.fifo", first[1].receipt));
}

TEST_F(QueueRestartTest, AttemptAfterDeleteOrVisibilityChangeOrFiveMinutesIsANewReceive) {
  CreateFifo();
  for (int i = 0; i < 3; ++i) {
    const std::string g(1, static_cast<char>('A' + i));
    SendFifo("f.fifo", g + "0", g, g + "0");
    SendFifo("f.fifo", g + "1", g, g + "1");
  }
  // After a delete of one of its messages.
  auto a = ReceiveAttempt("f.fifo", "x", 2, 900);
  ASSERT_EQ(Bodies(a), (std::vector<std::string>{"A0", "A1"}));
  ASSERT_OK(queues_->DeleteMessage("f.fifo", a[0].receipt));
  EXPECT_EQ(Bodies(ReceiveAttempt("f.fifo", "x", 2, 900)),
            (std::vector<std::string>{"B0", "B1"}));
  // After a visibility change of one of its messages (now "x" names B0, B1).
  auto b = ReceiveAttempt("f.fifo", "x", 2, 900);
  ASSERT_EQ(Bodies(b), (std::vector<std::string>{"B0", "B1"}));
  ASSERT_OK(queues_->ChangeVisibility("f.fifo", b[1].receipt, 800));
  EXPECT_EQ(Bodies(ReceiveAttempt("f.fifo", "x", 2, 900)),
            (std::vector<std::string>{"C0", "C1"}));
  // Five minutes after the first receive under the id (C0, C1 still in flight).
  clock_.Advance(299'999);
  auto c = ReceiveAttempt("f.fifo", "x", 2, 900);
  EXPECT_EQ(Bodies(c), (std::vector<std::string>{"C0", "C1"}));
  clock_.Advance(1);
  EXPECT_TRUE(ReceiveAttempt("f.fifo", "x", 2, 900).empty()) << "a new receive: all in flight";
}

TEST_F(QueueRestartTest, AttemptIdsAreValidatedAndIgnoredOnStandardQueues) {
  CreateFifo();
  CreateStd();
  for (const std::string& bad : {std::string(129, 'a'), std::string("a b"),
                                std::string("caf\xc3\xa9"), std::string("tab\t")}) {
    ReceiveOptions o;
    o.wait_s = 0;
    o.attempt_id = bad;
    std::vector<ReceivedMessage> out;
    EXPECT_EQ(queues_->Receive("f.fifo", o, &out).code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(queues_->Receive("q", o, &out).code(), StatusCode::kInvalidArgument) << bad;
  }
  SendFifo("f.fifo", "m", "g", "d");
  const std::string longest(128, '~');
  EXPECT_EQ(ReceiveAttempt("f.fifo", longest).size(), 1u);
  EXPECT_EQ(ReceiveAttempt("f.fifo", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~Az09").size(), 0u);
  // A standard queue ignores it (SQS: FIFO only): each receive is a new one.
  Send("q", "1");
  Send("q", "2");
  EXPECT_EQ(Bodies(ReceiveAttempt("q", "x", 1)), std::vector<std::string>{"1"});
  EXPECT_EQ(Bodies(ReceiveAttempt("q", "x", 1)), std::vector<std::string>{"2"});
}

// ---- the FIFO dedup window ----

// A dedup id is remembered for 5 minutes whatever the retention (60 s here), with or without a
// restart, and maintenance keeps the records it is read from.
TEST_F(QueueRestartTest, DedupWindowOutlivesRetentionAndReopen) {
  for (bool reopen : {false, true}) {
    SCOPED_TRACE(reopen);
    const std::string q = reopen ? "r.fifo" : "n.fifo";
    CreateFifo(q, 60);
    const SendResult first = SendFifo(q, "once", "g", "d1");
    clock_.Advance(90'000);
    // Enough later messages to seal the segment holding d1 (64 KiB segments).
    const std::string filler(2000, 'f');
    for (int i = 0; i < 60; ++i) SendFifo(q, filler, "h", "f" + std::to_string(i));
    clock_.Advance(90'000);  // 180 s: d1's segment is past retention
    ASSERT_OK(queues_->RunMaintenance());
    if (reopen) Reopen();
    SendResult again = SendFifo(q, "once", "g", "d1");
    EXPECT_TRUE(again.duplicate) << "within 5 minutes of the first send";
    EXPECT_EQ(again.id, first.id);
    clock_.Advance(120'000);  // 300 s
    if (reopen) Reopen();
    again = SendFifo(q, "once", "g", "d1");
    EXPECT_FALSE(again.duplicate) << "the window is over";
  }
}

}  // namespace
}  // namespace seglog
