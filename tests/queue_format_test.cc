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

// Decoded `d` has `h`'s attributes: names, types, labels and values.
void ExpectSameAttributes(const QueueMessageHeader& d, const QueueMessageHeader& h) {
  ASSERT_EQ(d.attributes.size(), h.attributes.size());
  for (size_t i = 0; i < h.attributes.size(); ++i) {
    EXPECT_EQ(d.attributes[i].name, h.attributes[i].name);
    EXPECT_EQ(d.attributes[i].type, h.attributes[i].type);
    EXPECT_EQ(d.attributes[i].type_label, h.attributes[i].type_label);
    EXPECT_TRUE(std::equal(d.attributes[i].value.begin(), d.attributes[i].value.end(),
                           h.attributes[i].value.begin(), h.attributes[i].value.end()));
  }
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
    ExpectSameAttributes(d, h);
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

// 0.2.0's optional parts: the sender id, the AWSTraceHeader and attribute type labels, each
// alone and together, on top of the full 0.1 header.
TEST(QueueFormat, SenderTraceAndLabelsRoundTrip) {
  for (int variant = 1; variant < 8; ++variant) {
    QueueMessageHeader h = Full();
    if (variant & 1) h.sender_id = "AIDAEXAMPLE:session";
    if (variant & 2) h.trace_header = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
    if (variant & 4) h.attributes[1].type_label = "int64";  // only one attribute has one
    ByteBuffer b;
    format::EncodeQueueMessageHeader(h, &b);
    EXPECT_EQ(b[1] & 0x1c, (variant & 1 ? 0x04 : 0) | (variant & 2 ? 0x08 : 0) |
                               (variant & 4 ? 0x10 : 0));
    QueueMessageHeader d;
    ASSERT_OK(format::DecodeQueueMessageHeader(b, &d));
    EXPECT_EQ(d.sender_id, h.sender_id);
    EXPECT_EQ(d.trace_header, h.trace_header);
    EXPECT_EQ(d.dedup_id, h.dedup_id);
    EXPECT_EQ(d.source, h.source);
    EXPECT_EQ(d.source_id, h.source_id);
    ExpectSameAttributes(d, h);
    for (size_t n = 0; n < b.size(); ++n) {
      EXPECT_EQ(format::DecodeQueueMessageHeader(ByteView(b.data(), n), &d).code(),
                StatusCode::kCorruption) << variant << " " << n;
    }
  }
}

// A header as seglog 0.1 wrote it decodes unchanged, and a message without the new parts is
// encoded to exactly those bytes (new flags only when a new part is present).
TEST(QueueFormat, OldBytesDecodeAndStayByteIdentical) {
  // version 1, flags 0x01 (dedup), delay 5, sent 300, dedup "d", one String attribute a = "x"
  const uint8_t old[] = {0x01, 0x01, 0x05, 0xac, 0x02, 0x01, 'd', 0x01, 0x01, 'a', 0x01, 0x01, 'x'};
  QueueMessageHeader d;
  ASSERT_OK(format::DecodeQueueMessageHeader(ByteView(old, sizeof(old)), &d));
  EXPECT_EQ(d.delay_s, 5u);
  EXPECT_EQ(d.sent_ms, 300);
  EXPECT_EQ(d.dedup_id, "d");
  EXPECT_TRUE(d.sender_id.empty());
  EXPECT_TRUE(d.trace_header.empty());
  ASSERT_EQ(d.attributes.size(), 1u);
  EXPECT_EQ(d.attributes[0].name, "a");
  EXPECT_TRUE(d.attributes[0].type_label.empty());
  ByteBuffer again;
  format::EncodeQueueMessageHeader(d, &again);
  EXPECT_EQ(again, ByteBuffer(old, old + sizeof(old)));
}

// SPEC.md 16.2's worked example: sender "S", attribute n = "7" of DataType "Number.i".
TEST(QueueFormat, SpecWorkedExample) {
  QueueMessageHeader h;
  h.sent_ms = 300;
  h.sender_id = "S";
  h.attributes = {{"n", AttributeType::kNumber, View("7"), "i"}};
  ByteBuffer b;
  format::EncodeQueueMessageHeader(h, &b);
  const uint8_t want[] = {0x01, 0x14, 0x00, 0xac, 0x02, 0x01, 'S', 0x01,
                          0x01, 'n',  0x02, 0x01, 'i',  0x01, '7'};
  EXPECT_EQ(b, ByteBuffer(want, want + sizeof(want)));
}

TEST(QueueFormat, UnknownFlagIsNotSupportedAndEmptyPartsAreCorrupt) {
  QueueMessageHeader h = Full();
  h.sender_id = "s";
  h.trace_header = "t";
  ByteBuffer b;
  format::EncodeQueueMessageHeader(h, &b);
  QueueMessageHeader d;
  for (uint8_t bit : {0x80}) {  // 0x20: the origin (0.3.0); 0x40: the topic origin (issue 15)
    ByteBuffer f = b;
    f[1] |= bit;
    EXPECT_EQ(format::DecodeQueueMessageHeader(f, &d).code(), StatusCode::kNotSupported) << +bit;
  }
  // version 1, flags 0x04 (sender id) with an empty one, delay 0, sent 0, no attributes
  const uint8_t empty_sender[] = {0x01, 0x04, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(format::DecodeQueueMessageHeader(ByteView(empty_sender, sizeof(empty_sender)), &d)
                .code(),
            StatusCode::kCorruption);
  // flags 0x10 (labels): the label's length runs past the end
  const uint8_t long_label[] = {0x01, 0x10, 0x00, 0x00, 0x01, 0x01, 'a', 0x01, 0x09, 'x'};
  EXPECT_EQ(format::DecodeQueueMessageHeader(ByteView(long_label, sizeof(long_label)), &d)
                .code(),
            StatusCode::kCorruption);
}

TEST(QueueFormat, OriginRoundTripsAndOnlyItsMessagesCarryIt) {
  QueueMessageHeader h = Full();
  ByteBuffer plain;
  format::EncodeQueueMessageHeader(h, &plain);
  EXPECT_EQ(plain[1] & format::kQueueHasOrigin, 0) << "no origin: no flag, the old bytes";
  h.has_origin = true;
  for (size_t i = 0; i < 16; ++i) h.origin_id[i] = static_cast<uint8_t>(0xa0 + i);
  h.origin_receive_count = 300;
  ByteBuffer b;
  format::EncodeQueueMessageHeader(h, &b);
  EXPECT_EQ(b[1] & format::kQueueHasOrigin, format::kQueueHasOrigin);
  EXPECT_EQ(b.size(), plain.size() + 16 + 2) << "16 id bytes and a 2-byte varint";
  QueueMessageHeader d;
  ASSERT_OK(format::DecodeQueueMessageHeader(b, &d));
  EXPECT_TRUE(d.has_origin);
  EXPECT_EQ(d.origin_id, h.origin_id);
  EXPECT_EQ(d.origin_receive_count, 300u);
  EXPECT_EQ(d.source, "source-queue");
  ExpectSameAttributes(d, h);
  ByteBuffer again;
  format::EncodeQueueMessageHeader(d, &again);
  EXPECT_EQ(again, b);
  // Every truncation is refused.
  for (size_t n = 0; n < b.size(); ++n) {
    EXPECT_FALSE(format::DecodeQueueMessageHeader(ByteView(b.data(), n), &d).ok()) << n;
  }
  // A header without the flag decodes without an origin.
  ASSERT_OK(format::DecodeQueueMessageHeader(plain, &d));
  EXPECT_FALSE(d.has_origin);
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
