// SegmentSet on its own: lookups by sequence number and time, oldest-first removal, replacement
// and totals, over segments made in memory (no Log, no files but where a check must fail).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "engine/log/map_cache.h"
#include "engine/log/segment.h"
#include "engine/log/segment_set.h"
#include "format/segment_format.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using format::kSegmentHeaderSize;

class SegmentSetTest : public ::testing::Test {
 protected:
  SegmentSetTest() : maps_(8) { params_ = {dir_.path(), &maps_, 512, nullptr, true}; }

  // A sealed segment covering [base, last] with `bytes` of batches and timestamps [first, max].
  std::shared_ptr<Segment> Sealed(uint64_t base, uint64_t last, int64_t first_ts,
                                  int64_t max_ts, uint64_t bytes = 100) {
    format::SegmentTrailer t;
    t.record_count = last - base + 1;
    t.last_seq = SeqNo(last);
    t.first_ts = TimestampMs(first_ts);
    t.max_ts = TimestampMs(max_ts);
    t.data_end = FileOffset(kSegmentHeaderSize + bytes);
    return Segment::Sealed(params_, SeqNo(base), t);
  }
  // The active segment, with `bytes` published (never mapped: lookups do not pin).
  std::shared_ptr<Segment> Active(uint64_t base, uint64_t bytes = 0) {
    return Segment::Active(params_, SeqNo(base), nullptr, FileOffset(kSegmentHeaderSize + bytes),
                           {});
  }

  // Three segments: [0, 9] ts 100-150, [10, 19] ts 150-200, active from 20.
  void FillThree() {
    set_.PushBack(Sealed(0, 9, 100, 150));
    set_.PushBack(Sealed(10, 19, 150, 200));
    set_.PushBack(Active(20, 40));
    set_.ResetFirstSeq(SeqNo(0));
  }

  testing::TempDir dir_;
  MapCache maps_;
  Segment::Params params_;
  SegmentSet set_;
};

TEST_F(SegmentSetTest, EmptySet) {
  set_.ResetFirstSeq(SeqNo(42));
  EXPECT_EQ(set_.first_seq(), SeqNo(42));
  EXPECT_EQ(set_.size(), 0u);
  EXPECT_EQ(set_.Newest(), nullptr);
  EXPECT_EQ(set_.For(SeqNo(0)), nullptr);
  EXPECT_EQ(set_.ForTime(TimestampMs(0)), nullptr);
  EXPECT_EQ(set_.SealedOlderThanNewest(SeqNo(0)), nullptr);
  EXPECT_EQ(set_.GetTotals().segments, 0u);
}

TEST_F(SegmentSetTest, ForFindsTheSegmentHoldingASequenceNumber) {
  FillThree();
  EXPECT_EQ(set_.first_seq(), SeqNo(0));
  EXPECT_EQ(set_.For(SeqNo(0))->base_seq(), SeqNo(0));
  EXPECT_EQ(set_.For(SeqNo(9))->base_seq(), SeqNo(0));
  EXPECT_EQ(set_.For(SeqNo(10))->base_seq(), SeqNo(10));
  EXPECT_EQ(set_.For(SeqNo(25))->base_seq(), SeqNo(20));
  EXPECT_EQ(set_.Newest()->base_seq(), SeqNo(20));
}

TEST_F(SegmentSetTest, ForBelowTheOldestGivesTheOldest) {
  set_.PushBack(Sealed(5, 9, 1, 2));
  set_.PushBack(Active(10));
  EXPECT_EQ(set_.For(SeqNo(2))->base_seq(), SeqNo(5));
}

TEST_F(SegmentSetTest, AfterWalksForward) {
  FillThree();
  auto first = set_.For(SeqNo(0));
  auto second = set_.After(first.get());
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->base_seq(), SeqNo(10));
  EXPECT_EQ(set_.After(second.get())->base_seq(), SeqNo(20));
  EXPECT_EQ(set_.After(set_.Newest().get()), nullptr);
}

TEST_F(SegmentSetTest, ForTimeSkipsSealedSegmentsOlderThanT) {
  FillThree();
  EXPECT_EQ(set_.ForTime(TimestampMs(0))->base_seq(), SeqNo(0));
  EXPECT_EQ(set_.ForTime(TimestampMs(150))->base_seq(), SeqNo(0));
  EXPECT_EQ(set_.ForTime(TimestampMs(151))->base_seq(), SeqNo(10));
  EXPECT_EQ(set_.ForTime(TimestampMs(1000))->base_seq(), SeqNo(20));  // the active one
}

TEST_F(SegmentSetTest, ForTimeWithOnlySealedSegmentsCanFindNone) {
  set_.PushBack(Sealed(0, 9, 100, 150));
  EXPECT_EQ(set_.ForTime(TimestampMs(151)), nullptr);
}

TEST_F(SegmentSetTest, SealedOlderThanNewestNeverGivesTheNewest) {
  FillThree();
  EXPECT_EQ(set_.SealedOlderThanNewest(SeqNo(10))->base_seq(), SeqNo(10));
  EXPECT_EQ(set_.SealedOlderThanNewest(SeqNo(20)), nullptr);
  EXPECT_EQ(set_.SealedOlderThanNewest(SeqNo(5)), nullptr);  // not a base
  // A sealed newest segment (a log whose active segment is not created yet) is not given.
  SegmentSet sealed_only;
  sealed_only.PushBack(Sealed(0, 9, 1, 2));
  EXPECT_EQ(sealed_only.SealedOlderThanNewest(SeqNo(0)), nullptr);
}

TEST_F(SegmentSetTest, RemoveOldestWhileStopsAtTheFirstKeptAndNeverTakesTheNewest) {
  FillThree();
  auto oldest = set_.For(SeqNo(0));
  std::vector<std::shared_ptr<Segment>> victims;
  auto before_160 = [](const Segment& g) { return g.trailer().max_ts < TimestampMs(160); };
  ASSERT_TRUE(set_.RemoveOldestWhile(before_160, &victims).ok());
  ASSERT_EQ(victims.size(), 1u);
  EXPECT_EQ(victims[0], oldest);
  EXPECT_TRUE(oldest->removed());
  EXPECT_EQ(set_.first_seq(), SeqNo(10));
  EXPECT_EQ(set_.size(), 2u);

  victims.clear();
  ASSERT_TRUE(set_.RemoveOldestWhile([](const Segment&) { return true; }, &victims).ok());
  ASSERT_EQ(victims.size(), 1u);
  EXPECT_EQ(set_.first_seq(), SeqNo(20));
  EXPECT_EQ(set_.size(), 1u);  // the newest stays

  victims.clear();
  ASSERT_TRUE(set_.RemoveOldestWhile([](const Segment&) { return true; }, &victims).ok());
  EXPECT_TRUE(victims.empty());
}

TEST_F(SegmentSetTest, RemoveOldestWhileEndsAtASegmentThatFailsItsCheck) {
  // Known by name only, and there is no file: its check fails, nothing is removed.
  set_.PushBack(Segment::SealedUnchecked(params_, SeqNo(0), SeqNo(9), 0));
  set_.PushBack(Active(10));
  set_.ResetFirstSeq(SeqNo(0));
  std::vector<std::shared_ptr<Segment>> victims;
  EXPECT_FALSE(set_.RemoveOldestWhile([](const Segment&) { return true; }, &victims).ok());
  EXPECT_TRUE(victims.empty());
  EXPECT_EQ(set_.first_seq(), SeqNo(0));
  EXPECT_EQ(set_.size(), 2u);
}

TEST_F(SegmentSetTest, ReplaceSwapsInPlaceAndMarksTheOldReplaced) {
  FillThree();
  auto old = set_.For(SeqNo(10));
  auto rewritten = Sealed(10, 19, 150, 200, 40);
  set_.Replace(old, rewritten);
  EXPECT_TRUE(old->removed());
  EXPECT_EQ(set_.For(SeqNo(15)), rewritten);
  EXPECT_EQ(set_.After(set_.For(SeqNo(0)).get()), rewritten);
  EXPECT_EQ(set_.size(), 3u);
}

TEST_F(SegmentSetTest, TotalsCountPublishedBytesAndTheOldestFirstTs) {
  FillThree();
  SegmentSet::Totals t = set_.GetTotals();
  EXPECT_EQ(t.segments, 3u);
  EXPECT_EQ(t.bytes, 100u + 100u + 40u);
  EXPECT_EQ(t.first_ts, TimestampMs(100));
}

TEST_F(SegmentSetTest, PopBackDropsTheNewest) {
  FillThree();
  set_.PopBack();
  EXPECT_EQ(set_.Newest()->base_seq(), SeqNo(10));
}

}  // namespace
}  // namespace seglog
