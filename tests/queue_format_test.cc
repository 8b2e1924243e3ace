// format/queue_format.h (message headers), the delete-range journal record, and the roaring
// range helpers of format/roaring_ranges.h.
#include <random>

#include <gtest/gtest.h>

#include "format/roaring_ranges.h"
#include "format/delete_index_format.h"
#include "format/queue_format.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using format::AttributeType;
using format::QueueMessageHeader;
using testing::View;

QueueMessageHeader Full() {
  QueueMessageHeader h;
  h.delay_s = 900;
  h.sent_ms = 1'700'000'000'123;
  h.has_dedup_id = true;
  h.dedup_id = "dedup-1";
  h.moved = true;
  h.source = "source-queue";
  h.source_id = 123456789;
  static const std::string bin("\0\xff\x01", 3);
  h.attributes = {{"a", AttributeType::kString, View("text"), {}},
                  {"b", AttributeType::kNumber, View("42"), {}},
                  {"c", AttributeType::kBinary, View(bin), {}}};
  return h;
}

TEST(QueueFormat, RoundTrip) {
  for (int variant = 0; variant < 4; ++variant) {
    QueueMessageHeader h = Full();
    h.has_dedup_id = variant & 1;
    if (!h.has_dedup_id) h.dedup_id = {};
    h.moved = variant & 2;
    if (!h.moved) {
      h.source = {};
      h.source_id = 0;
    }
    ByteBuffer b;
    format::EncodeQueueMessageHeader(h, &b);
    QueueMessageHeader d;
    ASSERT_OK(format::DecodeQueueMessageHeader(b, &d));
    EXPECT_EQ(d.delay_s, h.delay_s);
    EXPECT_EQ(d.sent_ms, h.sent_ms);
    EXPECT_EQ(d.has_dedup_id, h.has_dedup_id);
    EXPECT_EQ(d.dedup_id, h.dedup_id);
    EXPECT_EQ(d.moved, h.moved);
    EXPECT_EQ(d.source, h.source);
    EXPECT_EQ(d.source_id, h.source_id);
    ASSERT_EQ(d.attributes.size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(d.attributes[i].name, h.attributes[i].name);
      EXPECT_EQ(d.attributes[i].type, h.attributes[i].type);
      EXPECT_TRUE(std::equal(d.attributes[i].value.begin(), d.attributes[i].value.end(),
                             h.attributes[i].value.begin(), h.attributes[i].value.end()));
    }
  }
}

TEST(QueueFormat, EveryTruncationAndBadFieldIsRefused) {
  ByteBuffer b;
  format::EncodeQueueMessageHeader(Full(), &b);
  QueueMessageHeader d;
  for (size_t n = 0; n < b.size(); ++n) {
    EXPECT_FALSE(format::DecodeQueueMessageHeader(ByteView(b.data(), n), &d).ok()) << n;
  }
  ByteBuffer longer = b;
  longer.push_back(0);
  EXPECT_EQ(format::DecodeQueueMessageHeader(longer, &d).code(), StatusCode::kCorruption);
  ByteBuffer v = b;
  v[0] = 2;
  EXPECT_EQ(format::DecodeQueueMessageHeader(v, &d).code(), StatusCode::kNotSupported);
  v[0] = 0;
  EXPECT_EQ(format::DecodeQueueMessageHeader(v, &d).code(), StatusCode::kCorruption);
  ByteBuffer f = b;
  f[1] |= 0x80;
  EXPECT_EQ(format::DecodeQueueMessageHeader(f, &d).code(), StatusCode::kNotSupported);
  // An unknown attribute type (the last attribute's type byte sits before "\x03" + 3 bytes).
  ByteBuffer t = b;
  t[t.size() - 5] = 7;
  EXPECT_EQ(format::DecodeQueueMessageHeader(t, &d).code(), StatusCode::kCorruption);
}

TEST(QueueFormat, DeleteRangeJournalRecord) {
  format::JournalRecord r;
  r.type = format::kJournalDeleteRange;
  r.lo = 5;
  r.hi = 1ull << 40;
  const ByteBuffer b = format::EncodeJournalRecord(r);
  format::JournalRecord d;
  ASSERT_OK(format::DecodeJournalRecord(b, &d));
  EXPECT_EQ(d.type, format::kJournalDeleteRange);
  EXPECT_EQ(d.lo, 5u);
  EXPECT_EQ(d.hi, 1ull << 40);
  r.hi = 5;  // empty range
  EXPECT_EQ(format::DecodeJournalRecord(format::EncodeJournalRecord(r), &d).code(),
            StatusCode::kCorruption);
  for (size_t n = 1; n < b.size(); ++n) {
    EXPECT_FALSE(format::DecodeJournalRecord(ByteView(b.data(), n), &d).ok()) << n;
  }
}

// AddRange/RemoveRange against a plain per-id model, across 2^16 and 2^32 boundaries.
TEST(Bitmap, RangesMatchPerIdModel) {
  std::mt19937_64 rng(3);
  const uint64_t bases[] = {0, 65'530, (1ull << 32) - 70'000, (7ull << 32) - 3};
  for (uint64_t base : bases) {
    for (int round = 0; round < 20; ++round) {
      Roaring64Map bm, model;
      for (int op = 0; op < 6; ++op) {
        const uint64_t lo = base + rng() % 140'000;
        const uint64_t hi = lo + rng() % 140'000;
        const bool add = op % 2 == 0;
        if (add) {
          AddRange(&bm, lo, hi);
          for (uint64_t x = lo; x < hi; ++x) model.add(x);
        } else {
          RemoveRange(&bm, lo, hi);
          for (uint64_t x = lo; x < hi; ++x) model.remove(x);
        }
        ASSERT_EQ(bm.cardinality(), model.cardinality()) << base << " " << lo << " " << hi;
        bool same = true;  // (operator== of CRoaring 0.2 also compares empty containers)
        for (uint64_t x : model) same = same && bm.contains(x);
        ASSERT_TRUE(same) << base << " " << lo << " " << hi;
      }
    }
  }
  Roaring64Map none;
  EXPECT_TRUE(IsEmpty(none));
  EXPECT_EQ(Cardinality(none), 0u);
  none.add(uint64_t{1} << 40);
  EXPECT_FALSE(IsEmpty(none));
  none.add(UINT64_MAX);
  EXPECT_EQ(Cardinality(none), 2u);
  none.remove(uint64_t{1} << 40);
  EXPECT_FALSE(IsEmpty(none));
  Roaring64Map big;
  AddRange(&big, 0, 100'000'000);
  EXPECT_EQ(big.cardinality(), 100'000'000u);
  EXPECT_EQ(Cardinality(big), 100'000'000u);
  EXPECT_LT(big.getSizeInBytes(true), 50'000u) << "run containers, not bitmaps";
  RemoveRange(&big, 1, 99'999'999);
  EXPECT_EQ(big.cardinality(), 2u);
}

}  // namespace
}  // namespace seglog
