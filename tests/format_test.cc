// Tests of the on-disk format: coding helpers, segment header/trailer, batches and records,
// the sparse index and the catalog. Byte mutators over encoded data (after leveldb log_test.cc).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include <xxhash.h>

#include "format/catalog_format.h"
#include "format/coding.h"
#include "format/segment_format.h"
#include "format/tail_scan.h"

namespace seglog::format {
namespace {

// ---- helpers ----

ByteView View(const std::string& s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
ByteView View(const ByteBuffer& b) { return ByteView(b.data(), b.size()); }
std::string Str(ByteView v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size());
}

// A record that owns its bytes, for building inputs and comparing outputs.
struct Rec {
  uint64_t seq;
  int64_t ts;
  std::string key, value, attrs;
  friend bool operator==(const Rec&, const Rec&) = default;
};

std::ostream& operator<<(std::ostream& os, const Rec& r) {
  return os << "{seq=" << r.seq << " ts=" << r.ts << " key.size=" << r.key.size()
            << " value.size=" << r.value.size() << " attrs.size=" << r.attrs.size() << "}";
}

std::vector<RecordInput> Inputs(const std::vector<Rec>& recs) {
  std::vector<RecordInput> in;
  for (const Rec& r : recs) {
    in.push_back({SeqNo(r.seq), TimestampMs(r.ts), View(r.key), View(r.value), View(r.attrs)});
  }
  return in;
}

ByteBuffer Encode(const std::vector<Rec>& recs, BatchEncodeOptions opt = {}) {
  ByteBuffer out, scratch;
  size_t len = 0;
  auto in = Inputs(recs);
  Status s = EncodeBatch(in, opt, &out, &scratch, &len);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(len, out.size());
  return out;
}

// Reads every record of the batch at the start of `batch`.
Status DecodeRecords(ByteView batch, BatchHeader* h, std::vector<Rec>* out) {
  SEGLOG_RETURN_IF_ERROR(ReadBatch(batch, h));
  ByteBuffer scratch;
  RecordCursor c;
  SEGLOG_RETURN_IF_ERROR(c.Init(*h, batch, &scratch));
  out->clear();
  for (;;) {
    RecordView r;
    Status s = c.Next(&r);
    if (s.IsNoMore()) return Status::OK();
    SEGLOG_RETURN_IF_ERROR(s);
    out->push_back({r.seq.value(), r.ts.value(), Str(r.key), Str(r.value), Str(r.attrs)});
  }
}

// Recomputes a batch's checksum after a test edited its header.
void FixBatchChecksum(ByteBuffer* b, size_t off = 0) {
  uint8_t* p = b->data() + off;
  uint32_t length = DecodeFixed32(p + 8);
  EncodeFixed64(p, Checksum(ByteView(p + 8, length - 8)));
}

// Recomputes the trailing xxh3 of an index or catalog.
void FixTrailingChecksum(ByteBuffer* b) {
  EncodeFixed64(b->data() + b->size() - 8, Checksum(ByteView(b->data(), b->size() - 8)));
}

std::string RandomBytes(std::mt19937_64* rng, size_t n) {
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>((*rng)() & 0xff);
  return s;
}

std::vector<Rec> SmallBatch() {
  return {{100, 1700000000000, "k1", "hello", ""},
          {101, 1700000000005, "k2", "world", "a=1"},
          {102, 1699999999990, "", "", ""}};
}

// Compressible: repetitive text.
std::vector<Rec> CompressibleBatch(size_t n = 200) {
  std::vector<Rec> recs;
  for (size_t i = 0; i < n; ++i) {
    recs.push_back({1000 + i, 1700000000000 + static_cast<int64_t>(i),
                    "user-" + std::to_string(i % 7),
                    std::string(100, 'a' + static_cast<char>(i % 3)) + "the quick brown fox",
                    "content-type=text/plain"});
  }
  return recs;
}

constexpr uint8_t kFlipMasks[] = {0x01, 0x80, 0xff};

// ---- coding ----

TEST(FormatCodingTest, FixedRoundTrip) {
  const uint64_t values64[] = {0, 1, 0xff, 0x100, 0x0102030405060708ull,
                               std::numeric_limits<uint64_t>::max(), 1ull << 63};
  for (uint64_t v : values64) {
    uint8_t b[8];
    EncodeFixed64(b, v);
    EXPECT_EQ(DecodeFixed64(b), v);
    uint8_t c[4];
    EncodeFixed32(c, static_cast<uint32_t>(v));
    EXPECT_EQ(DecodeFixed32(c), static_cast<uint32_t>(v));
    uint8_t d[2];
    EncodeFixed16(d, static_cast<uint16_t>(v));
    EXPECT_EQ(DecodeFixed16(d), static_cast<uint16_t>(v));
  }
  // Little-endian: the least significant byte comes first.
  uint8_t b[8];
  EncodeFixed64(b, 0x0807060504030201ull);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(b[i], i + 1);
  ByteBuffer buf;
  PutFixed32(&buf, 0x04030201u);
  PutFixed64(&buf, 0x0c0b0a0908070605ull);
  ASSERT_EQ(buf.size(), 12u);
  for (int i = 0; i < 12; ++i) EXPECT_EQ(buf[i], i + 1);
}

TEST(FormatCodingTest, VarintRoundTrip) {
  std::vector<uint64_t> values = {0, 1, 127, 128, 255, 256, 16383, 16384, (1ull << 21) - 1,
                                  1ull << 21, 0xffffffffull, 1ull << 32, (1ull << 63) - 1,
                                  1ull << 63, std::numeric_limits<uint64_t>::max()};
  for (int shift = 0; shift < 64; ++shift) {
    values.push_back(1ull << shift);
    values.push_back((1ull << shift) - 1);
  }
  ByteBuffer buf;
  for (uint64_t v : values) PutVarint64(&buf, v);
  const uint8_t* p = buf.data();
  const uint8_t* limit = buf.data() + buf.size();
  for (uint64_t v : values) {
    uint64_t got = 0;
    const uint8_t* q = GetVarint64(p, limit, &got);
    ASSERT_NE(q, nullptr) << v;
    EXPECT_EQ(got, v);
    EXPECT_EQ(q - p, VarintLength(v)) << v;
    p = q;
  }
  EXPECT_EQ(p, limit);
  EXPECT_EQ(VarintLength(0), 1);
  EXPECT_EQ(VarintLength(127), 1);
  EXPECT_EQ(VarintLength(128), 2);
  EXPECT_EQ(VarintLength(std::numeric_limits<uint64_t>::max()), kMaxVarint64Bytes);
}

TEST(FormatCodingTest, VarintTruncatedIsNull) {
  for (uint64_t v : {uint64_t{128}, uint64_t{1} << 40, std::numeric_limits<uint64_t>::max()}) {
    ByteBuffer buf;
    PutVarint64(&buf, v);
    for (size_t n = 0; n < buf.size(); ++n) {
      uint64_t got = 0;
      EXPECT_EQ(GetVarint64(buf.data(), buf.data() + n, &got), nullptr) << v << " cut at " << n;
    }
  }
}

TEST(FormatCodingTest, VarintOverlongIsNull) {
  // Eleven continuation bytes: longer than any uint64 varint.
  ByteBuffer buf(11, 0x80);
  buf.push_back(0x00);
  uint64_t got = 0;
  EXPECT_EQ(GetVarint64(buf.data(), buf.data() + buf.size(), &got), nullptr);
  // Ten continuation bytes then a terminator: 11 bytes, still too long.
  ByteBuffer ten(10, 0xff);
  ten.push_back(0x01);
  EXPECT_EQ(GetVarint64(ten.data(), ten.data() + ten.size(), &got), nullptr);
}

TEST(FormatCodingTest, ZigZag) {
  const int64_t values[] = {0, 1, -1, 2, -2, 63, -64, 1700000000000, -1700000000000,
                            std::numeric_limits<int64_t>::max(),
                            std::numeric_limits<int64_t>::min()};
  for (int64_t v : values) EXPECT_EQ(ZigZagDecode(ZigZagEncode(v)), v) << v;
  // Small magnitudes of either sign stay small (one varint byte).
  EXPECT_EQ(ZigZagEncode(0), 0u);
  EXPECT_EQ(ZigZagEncode(-1), 1u);
  EXPECT_EQ(ZigZagEncode(1), 2u);
  EXPECT_EQ(ZigZagEncode(-64), 127u);
  EXPECT_EQ(ZigZagEncode(std::numeric_limits<int64_t>::min()),
            std::numeric_limits<uint64_t>::max());
}

TEST(FormatCodingTest, ChecksumAndChecksum2) {
  std::mt19937_64 rng(1);
  const std::string data = RandomBytes(&rng, 1000);
  const uint64_t whole = Checksum(View(data));
  for (size_t split : {size_t{0}, size_t{1}, size_t{8}, size_t{100}, size_t{255}, size_t{256},
                       size_t{257}, size_t{999}, size_t{1000}}) {
    EXPECT_EQ(Checksum2(View(data).first(split), View(data).subspan(split)), whole) << split;
  }
  const std::string small = data.substr(0, 40);
  EXPECT_EQ(Checksum2(View(small).first(10), View(small).subspan(10)), Checksum(View(small)));
  std::string changed = data;
  changed[500] ^= 1;
  EXPECT_NE(Checksum(View(changed)), whole);
  EXPECT_NE(Checksum(View(data).first(999)), whole);
}

// Checksum may run a CPU-specific build of XXH3 (checksum_avx2.cc): it must agree with the
// reference XXH3-64 (libxxhash's XXH3_64bits, seed 0) on every length class the algorithm
// treats differently (0, 1-3, 4-8, 9-16, 17-128, 129-240, stripes, 1 KiB blocks, a last partial
// stripe) and at any alignment, or old segments would read as corrupt.
TEST(FormatCodingTest, ChecksumIsReferenceXxh3) {
  EXPECT_EQ(Checksum(ByteView()), 0x2D06800538D394C2ull);  // XXH3_64bits("", 0)
  std::mt19937_64 rng(7);
  const std::string data = RandomBytes(&rng, (1u << 20) + 64);
  const auto* base = reinterpret_cast<const uint8_t*>(data.data());
  for (size_t align = 0; align < 8; ++align) {
    for (size_t n = 0; n <= 4200; n += (n < 300 ? 1 : 7)) {
      ASSERT_EQ(Checksum(ByteView(base + align, n)), XXH3_64bits(base + align, n))
          << "length " << n << " at alignment " << align;
    }
  }
  for (size_t n : {size_t{65536}, size_t{65537}, size_t{500 * 1030 + 13}, size_t{1} << 20}) {
    EXPECT_EQ(Checksum(ByteView(base + 3, n)), XXH3_64bits(base + 3, n)) << n;
  }
}

// ---- segment header and trailer ----

TEST(FormatSegmentHeaderTest, RoundTrip) {
  SegmentHeader h;
  h.log_id = 42;
  h.base_seq = SeqNo(123456789012ull);
  h.created = TimestampMs(-5);  // before the epoch still round-trips
  uint8_t buf[kSegmentHeaderSize];
  EncodeSegmentHeader(h, buf);
  EXPECT_EQ(DecodeFixed64(buf), kSegmentMagic);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), 8), "SEGLSEG1");
  SegmentHeader got;
  ASSERT_TRUE(DecodeSegmentHeader(ByteView(buf, sizeof buf), &got).ok());
  EXPECT_EQ(got.version, kFormatVersion);
  EXPECT_EQ(got.log_id, 42u);
  EXPECT_EQ(got.base_seq, h.base_seq);
  EXPECT_EQ(got.created, h.created);
}

TEST(FormatSegmentHeaderTest, EveryFlippedByteIsDetected) {
  SegmentHeader h;
  h.log_id = 7;
  h.base_seq = SeqNo(1000);
  h.created = TimestampMs(1700000000000);
  uint8_t good[kSegmentHeaderSize];
  EncodeSegmentHeader(h, good);
  for (size_t i = 0; i < kSegmentHeaderSize; ++i) {
    for (uint8_t mask : kFlipMasks) {
      uint8_t bad[kSegmentHeaderSize];
      std::memcpy(bad, good, sizeof bad);
      bad[i] ^= mask;
      SegmentHeader got;
      Status s = DecodeSegmentHeader(ByteView(bad, sizeof bad), &got);
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << "byte " << i << " mask " << int(mask);
    }
  }
}

TEST(FormatSegmentHeaderTest, ShortZeroAndVersions) {
  SegmentHeader h;
  uint8_t buf[kSegmentHeaderSize];
  EncodeSegmentHeader(h, buf);
  SegmentHeader got;
  for (size_t n = 0; n < kSegmentHeaderSize; ++n) {
    EXPECT_EQ(DecodeSegmentHeader(ByteView(buf, n), &got).code(), StatusCode::kCorruption) << n;
  }
  uint8_t zeros[kSegmentHeaderSize] = {};
  EXPECT_EQ(DecodeSegmentHeader(ByteView(zeros, sizeof zeros), &got).code(),
            StatusCode::kCorruption);

  auto with_checksum = [](uint8_t* b) { EncodeFixed64(b + 40, Checksum(ByteView(b, 40))); };
  uint8_t newer[kSegmentHeaderSize];
  std::memcpy(newer, buf, sizeof buf);
  EncodeFixed32(newer + 8, kFormatVersion + 1);
  with_checksum(newer);
  EXPECT_EQ(DecodeSegmentHeader(ByteView(newer, sizeof newer), &got).code(),
            StatusCode::kNotSupported);

  uint8_t v0[kSegmentHeaderSize];
  std::memcpy(v0, buf, sizeof buf);
  EncodeFixed32(v0 + 8, 0);
  with_checksum(v0);
  EXPECT_EQ(DecodeSegmentHeader(ByteView(v0, sizeof v0), &got).code(), StatusCode::kCorruption);

  uint8_t reserved[kSegmentHeaderSize];
  std::memcpy(reserved, buf, sizeof buf);
  reserved[12] = 1;
  with_checksum(reserved);
  EXPECT_EQ(DecodeSegmentHeader(ByteView(reserved, sizeof reserved), &got).code(),
            StatusCode::kCorruption);
}

TEST(FormatSegmentTrailerTest, RoundTripAndFlips) {
  SegmentTrailer t;
  t.record_count = 12345;
  t.last_seq = SeqNo(99999);
  t.first_ts = TimestampMs(-1);
  t.max_ts = TimestampMs(std::numeric_limits<int64_t>::max());
  t.data_end = FileOffset(64ull << 20);
  uint8_t buf[kSegmentTrailerSize];
  EncodeSegmentTrailer(t, buf);
  SegmentTrailer got;
  ASSERT_TRUE(DecodeSegmentTrailer(ByteView(buf, sizeof buf), &got).ok());
  EXPECT_EQ(got.record_count, t.record_count);
  EXPECT_EQ(got.last_seq, t.last_seq);
  EXPECT_EQ(got.first_ts, t.first_ts);
  EXPECT_EQ(got.max_ts, t.max_ts);
  EXPECT_EQ(got.data_end, t.data_end);
  for (size_t n = 0; n < kSegmentTrailerSize; ++n) {
    EXPECT_FALSE(DecodeSegmentTrailer(ByteView(buf, n), &got).ok()) << n;
  }
  for (size_t i = 0; i < kSegmentTrailerSize; ++i) {
    for (uint8_t mask : kFlipMasks) {
      uint8_t bad[kSegmentTrailerSize];
      std::memcpy(bad, buf, sizeof bad);
      bad[i] ^= mask;
      EXPECT_EQ(DecodeSegmentTrailer(ByteView(bad, sizeof bad), &got).code(),
                StatusCode::kCorruption)
          << "byte " << i;
    }
  }
  uint8_t zeros[kSegmentTrailerSize] = {};
  EXPECT_FALSE(DecodeSegmentTrailer(ByteView(zeros, sizeof zeros), &got).ok());
}

// ---- batches ----

TEST(FormatBatchTest, OneRecordRoundTrip) {
  std::vector<Rec> recs = {{7, 1700000000000, "key", "value", "attr"}};
  ByteBuffer b = Encode(recs);
  BatchHeader h;
  std::vector<Rec> got;
  ASSERT_TRUE(DecodeRecords(View(b), &h, &got).ok());
  EXPECT_EQ(got, recs);
  EXPECT_EQ(h.length, b.size());
  EXPECT_EQ(h.type, kBatchTypeData);
  EXPECT_EQ(h.flags, 0);
  EXPECT_EQ(h.base_seq, SeqNo(7));
  EXPECT_EQ(h.last_seq(), SeqNo(7));
  EXPECT_EQ(h.record_count, 1u);
  EXPECT_EQ(h.first_ts, TimestampMs(1700000000000));
  EXPECT_EQ(h.max_ts, TimestampMs(1700000000000));
  EXPECT_EQ(h.payload_size, b.size() - kBatchHeaderSize);
}

TEST(FormatBatchTest, ManyRecordsRoundTrip) {
  std::mt19937_64 rng(2);
  std::vector<Rec> recs;
  for (uint64_t i = 0; i < 1000; ++i) {
    recs.push_back({5000 + i, 1700000000000 + static_cast<int64_t>(rng() % 100000),
                    RandomBytes(&rng, rng() % 20), RandomBytes(&rng, rng() % 300),
                    RandomBytes(&rng, rng() % 4)});
  }
  ByteBuffer b = Encode(recs);
  BatchHeader h;
  std::vector<Rec> got;
  ASSERT_TRUE(DecodeRecords(View(b), &h, &got).ok());
  EXPECT_EQ(got, recs);
  EXPECT_EQ(h.record_count, 1000u);
  EXPECT_EQ(h.last_seq(), SeqNo(5999));
  int64_t mx = recs[0].ts;
  for (const Rec& r : recs) mx = std::max(mx, r.ts);
  EXPECT_EQ(h.max_ts, TimestampMs(mx));
  EXPECT_LE(b.size(), MaxEncodedBatchSize(Inputs(recs)));
}

TEST(FormatBatchTest, EmptyFieldsGapsAndBackwardTimestamps) {
  std::vector<Rec> recs = {{5, 1000, "", "", ""},
                           {9, 900, "k", "", ""},
                           {100, -50, "", "v", ""},
                           {101, std::numeric_limits<int64_t>::max(), "", "", "a"},
                           {200, std::numeric_limits<int64_t>::min(), "", "", ""}};
  ByteBuffer b = Encode(recs);
  BatchHeader h;
  std::vector<Rec> got;
  ASSERT_TRUE(DecodeRecords(View(b), &h, &got).ok());
  EXPECT_EQ(got, recs);
  EXPECT_EQ(h.base_seq, SeqNo(5));
  EXPECT_EQ(h.last_seq_delta, 195u);
  EXPECT_EQ(h.first_ts, TimestampMs(1000));
  EXPECT_EQ(h.max_ts, TimestampMs(std::numeric_limits<int64_t>::max()));
}

TEST(FormatBatchTest, LargeValues) {
  std::mt19937_64 rng(3);
  // Sizes around varint length boundaries and a few MiB.
  std::vector<Rec> recs;
  uint64_t seq = 0;
  for (size_t n : {size_t{127}, size_t{128}, size_t{16383}, size_t{16384}, size_t{1} << 20,
                   (size_t{3} << 20) + 17}) {
    recs.push_back({seq++, 1, RandomBytes(&rng, n % 1000), RandomBytes(&rng, n), ""});
  }
  ByteBuffer b = Encode(recs);
  BatchHeader h;
  std::vector<Rec> got;
  ASSERT_TRUE(DecodeRecords(View(b), &h, &got).ok());
  EXPECT_EQ(got, recs);
}

TEST(FormatBatchTest, CompressedRoundTrip) {
  std::vector<Rec> recs = CompressibleBatch();
  BatchEncodeOptions opt;
  opt.compress_min_bytes = 64;
  ByteBuffer raw = Encode(recs);
  ByteBuffer b = Encode(recs, opt);
  BatchHeader h;
  std::vector<Rec> got;
  ASSERT_TRUE(DecodeRecords(View(b), &h, &got).ok());
  EXPECT_TRUE(h.compressed());
  EXPECT_EQ(h.flags, kBatchFlagZstd);
  EXPECT_LT((b.size() - kBatchHeaderSize) * 8, (raw.size() - kBatchHeaderSize) * 7);
  EXPECT_EQ(h.payload_size, raw.size() - kBatchHeaderSize);
  EXPECT_EQ(got, recs);
  // Under the threshold, or with compression off, it stays raw.
  opt.compress_min_bytes = raw.size();
  BatchHeader h2;
  ASSERT_TRUE(DecodeRecords(View(Encode(recs, opt)), &h2, &got).ok());
  EXPECT_FALSE(h2.compressed());
  EXPECT_EQ(got, recs);
}

TEST(FormatBatchTest, IncompressibleStaysRaw) {
  std::mt19937_64 rng(4);
  std::vector<Rec> recs;
  for (uint64_t i = 0; i < 50; ++i) recs.push_back({i, 0, "", RandomBytes(&rng, 200), ""});
  BatchEncodeOptions opt;
  opt.compress_min_bytes = 1;
  ByteBuffer b = Encode(recs, opt);
  BatchHeader h;
  std::vector<Rec> got;
  ASSERT_TRUE(DecodeRecords(View(b), &h, &got).ok());
  EXPECT_FALSE(h.compressed());
  EXPECT_EQ(h.payload_size, b.size() - kBatchHeaderSize);
  EXPECT_EQ(got, recs);
}

TEST(FormatBatchTest, EncodeAppendsToDst) {
  ByteBuffer dst = {1, 2, 3};
  ByteBuffer scratch;
  auto recs = SmallBatch();
  auto in = Inputs(recs);
  size_t len1 = 0, len2 = 0;
  ASSERT_TRUE(EncodeBatch(in, {}, &dst, &scratch, &len1).ok());
  BatchEncodeOptions opt;
  opt.compress_min_bytes = 1;
  auto crecs = CompressibleBatch();
  auto cin = Inputs(crecs);
  ASSERT_TRUE(EncodeBatch(cin, opt, &dst, &scratch, &len2).ok());
  ASSERT_EQ(dst.size(), 3 + len1 + len2);
  EXPECT_EQ(dst[0], 1);
  EXPECT_EQ(dst[1], 2);
  EXPECT_EQ(dst[2], 3);
  EXPECT_EQ(len1, MaxEncodedBatchSize(in));
  BatchHeader h;
  std::vector<Rec> got;
  ASSERT_TRUE(DecodeRecords(View(dst).subspan(3), &h, &got).ok());
  EXPECT_EQ(got, recs);
  ASSERT_TRUE(DecodeRecords(View(dst).subspan(3 + len1), &h, &got).ok());
  EXPECT_TRUE(h.compressed());
  EXPECT_EQ(got, crecs);
}

TEST(FormatBatchTest, EncodeRejectsBadInput) {
  ByteBuffer dst, scratch;
  size_t len = 0;
  EXPECT_EQ(EncodeBatch({}, {}, &dst, &scratch, &len).code(), StatusCode::kInvalidArgument);
  std::vector<Rec> same = {{5, 0, "", "", ""}, {5, 0, "", "", ""}};
  EXPECT_EQ(EncodeBatch(Inputs(same), {}, &dst, &scratch, &len).code(),
            StatusCode::kInvalidArgument);
  std::vector<Rec> down = {{5, 0, "", "", ""}, {6, 0, "", "", ""}, {4, 0, "", "", ""}};
  EXPECT_EQ(EncodeBatch(Inputs(down), {}, &dst, &scratch, &len).code(),
            StatusCode::kInvalidArgument);
  std::vector<Rec> span = {{10, 0, "", "", ""}, {10 + (1ull << 32), 0, "", "", ""}};
  EXPECT_EQ(EncodeBatch(Inputs(span), {}, &dst, &scratch, &len).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(dst.empty());
  // The widest allowed span: last - first == 2^32 - 1.
  std::vector<Rec> widest = {{10, 0, "", "", ""}, {10 + 0xffffffffull, 0, "", "", ""}};
  ASSERT_TRUE(EncodeBatch(Inputs(widest), {}, &dst, &scratch, &len).ok());
  BatchHeader h;
  std::vector<Rec> got;
  ASSERT_TRUE(DecodeRecords(View(dst), &h, &got).ok());
  EXPECT_EQ(got, widest);
  EXPECT_EQ(h.last_seq_delta, 0xffffffffu);
}

TEST(FormatBatchTest, EncodeRejectsTooLarge) {
  // Uninitialized and never touched by a rejecting EncodeBatch, so cheap.
  const size_t n = kMaxBatchSize;
  std::unique_ptr<uint8_t[]> big(new uint8_t[n]);
  std::vector<RecordInput> in = {{SeqNo(0), TimestampMs(0), {}, ByteView(big.get(), n), {}}};
  ByteBuffer dst, scratch;
  size_t len = 0;
  EXPECT_EQ(EncodeBatch(in, {}, &dst, &scratch, &len).code(), StatusCode::kTooLarge);
  EXPECT_TRUE(dst.empty());
}

// Flips every byte of `batch` with several masks; ReadBatch must never accept the result.
void ExpectEveryFlipDetected(const ByteBuffer& batch) {
  ByteBuffer scratch;
  for (size_t i = 0; i < batch.size(); ++i) {
    for (uint8_t mask : kFlipMasks) {
      ByteBuffer bad = batch;
      bad[i] ^= mask;
      BatchHeader h;
      Status s = ReadBatch(View(bad), &h);
      ASSERT_FALSE(s.ok()) << "flip of byte " << i << " with mask " << int(mask)
                           << " was not detected";
    }
  }
}

TEST(FormatBatchTest, EveryFlippedByteIsDetectedUncompressed) {
  ByteBuffer b = Encode(SmallBatch());
  ExpectEveryFlipDetected(b);
}

TEST(FormatBatchTest, EveryFlippedByteIsDetectedCompressed) {
  BatchEncodeOptions opt;
  opt.compress_min_bytes = 1;
  ByteBuffer b = Encode(CompressibleBatch(40), opt);
  BatchHeader h;
  ASSERT_TRUE(ReadBatch(View(b), &h).ok());
  ASSERT_TRUE(h.compressed());
  ExpectEveryFlipDetected(b);
}

// Walks `buf` batch by batch; returns the status that ended the walk.
Status Walk(ByteView buf, std::vector<ByteBuffer>* batches) {
  batches->clear();
  size_t off = 0;
  for (;;) {
    BatchHeader h;
    Status s = ReadBatch(buf.subspan(off), &h);
    if (!s.ok()) return s;
    batches->emplace_back(buf.begin() + off, buf.begin() + off + h.length);
    off += h.length;
  }
}

TEST(FormatBatchTest, WalkThenZerosIsNoMore) {
  ByteBuffer buf;
  std::vector<ByteBuffer> want;
  BatchEncodeOptions opt;
  opt.compress_min_bytes = 256;
  for (int i = 0; i < 4; ++i) {
    auto recs = i == 2 ? CompressibleBatch(30) : SmallBatch();
    for (Rec& r : recs) r.seq += 1000 * i;
    want.push_back(Encode(recs, opt));
    buf.insert(buf.end(), want.back().begin(), want.back().end());
  }
  std::vector<ByteBuffer> got;
  EXPECT_TRUE(Walk(View(buf), &got).IsNoMore());  // exactly at the end
  EXPECT_EQ(got, want);
  buf.resize(buf.size() + 4096, 0);  // preallocated zeros
  EXPECT_TRUE(Walk(View(buf), &got).IsNoMore());
  EXPECT_EQ(got, want);
  // A short non-zero tail is not a batch.
  buf.resize(buf.size() - 4096);
  buf.push_back(1);
  EXPECT_EQ(Walk(View(buf), &got).code(), StatusCode::kCorruption);
  EXPECT_EQ(got, want);
}

TEST(FormatBatchTest, TornTailNeverYieldsPhantomBatch) {
  std::mt19937_64 rng(5);
  BatchEncodeOptions opt;
  opt.compress_min_bytes = 256;
  for (bool compressed_last : {false, true}) {
    ByteBuffer prefix;
    std::vector<ByteBuffer> want;
    for (int i = 0; i < 2; ++i) {
      auto recs = SmallBatch();
      for (Rec& r : recs) r.seq += 1000 * i;
      want.push_back(Encode(recs, opt));
      prefix.insert(prefix.end(), want.back().begin(), want.back().end());
    }
    auto last_recs = compressed_last ? CompressibleBatch(30) : SmallBatch();
    for (Rec& r : last_recs) r.seq += 5000;
    const ByteBuffer last = Encode(last_recs, opt);
    BatchHeader lh;
    ASSERT_TRUE(ReadBatch(View(last), &lh).ok());
    ASSERT_EQ(lh.compressed(), compressed_last);
    const size_t tail_room = last.size() + 512;
    for (size_t k = 0; k < last.size(); ++k) {
      ByteBuffer cut = prefix;
      cut.insert(cut.end(), last.begin(), last.begin() + k);
      ByteBuffer zeroed = cut;
      zeroed.resize(prefix.size() + tail_room, 0);
      ByteBuffer garbage = cut;
      for (size_t j = k; j < tail_room; ++j) garbage.push_back(static_cast<uint8_t>(rng()));
      ByteBuffer stale = zeroed;  // the rest of the batch is there but one byte is stale
      std::copy(last.begin(), last.end(), stale.begin() + prefix.size());
      stale[prefix.size() + k] ^= 0x5a;
      int variant = 0;
      for (const ByteBuffer* buf : {&cut, &zeroed, &garbage, &stale}) {
        // Zeroing the rest of a batch whose last bytes were zero anyway leaves it whole: then
        // it is a real batch, not a phantom one.
        std::vector<ByteBuffer> expect = want;
        if (buf->size() >= prefix.size() + last.size() &&
            std::equal(last.begin(), last.end(), buf->begin() + prefix.size())) {
          expect.push_back(last);
        }
        std::vector<ByteBuffer> got;
        Status s = Walk(View(*buf), &got);
        EXPECT_FALSE(s.ok());
        ASSERT_EQ(got, expect) << "torn at " << k << " variant " << variant
                               << " compressed=" << compressed_last;
        EXPECT_TRUE(s.IsNoMore() || s.code() == StatusCode::kCorruption) << s.ToString();
        ++variant;
      }
    }
  }
}

// Takes an encoded batch, changes header bytes through `edit`, fixes the checksum.
ByteBuffer Edited(ByteBuffer b, const std::function<void(uint8_t*)>& edit) {
  edit(b.data());
  FixBatchChecksum(&b);
  return b;
}

TEST(FormatBatchTest, TypesAndFlags) {
  const ByteBuffer good = Encode(SmallBatch());
  BatchHeader h;
  // Layout facts: type at byte 12, flags at 13.
  ByteBuffer ignorable = Edited(good, [](uint8_t* p) { p[12] = 0x81; });
  ASSERT_TRUE(ReadBatch(View(ignorable), &h).ok());
  EXPECT_EQ(h.type, 0x81);
  EXPECT_EQ(h.length, good.size());
  RecordCursor c;
  ByteBuffer scratch;
  EXPECT_FALSE(c.Init(h, View(ignorable), &scratch).ok());  // not a data batch

  EXPECT_EQ(ReadBatch(View(Edited(good, [](uint8_t* p) { p[12] = 0x02; })), &h).code(),
            StatusCode::kNotSupported);
  EXPECT_EQ(ReadBatch(View(Edited(good, [](uint8_t* p) { p[12] = 0x7f; })), &h).code(),
            StatusCode::kNotSupported);
  EXPECT_EQ(ReadBatch(View(Edited(good, [](uint8_t* p) { p[12] = 0x00; })), &h).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(ReadBatch(View(Edited(good, [](uint8_t* p) { p[13] |= 0x02; })), &h).code(),
            StatusCode::kNotSupported);
  EXPECT_EQ(ReadBatch(View(Edited(good, [](uint8_t* p) { p[13] |= 0x80; })), &h).code(),
            StatusCode::kNotSupported);
  // Reserved fields (bytes 14-15 and 52-55) must be zero.
  EXPECT_EQ(ReadBatch(View(Edited(good, [](uint8_t* p) { p[15] = 1; })), &h).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(ReadBatch(View(Edited(good, [](uint8_t* p) { p[52] = 1; })), &h).code(),
            StatusCode::kCorruption);
}

TEST(FormatBatchTest, BadHeaderFieldsWithGoodChecksum) {
  const ByteBuffer good = Encode(SmallBatch());  // 3 records, deltas 0, 1, 2
  BatchHeader h;
  ASSERT_TRUE(ReadBatch(View(good), &h).ok());
  // record_count (byte 24) 0.
  EXPECT_EQ(ReadBatch(View(Edited(good, [](uint8_t* p) { EncodeFixed32(p + 24, 0); })), &h)
                .code(),
            StatusCode::kCorruption);
  // payload_size (byte 48) != length - header for an uncompressed batch.
  EXPECT_EQ(ReadBatch(View(Edited(good, [](uint8_t* p) {
                        EncodeFixed32(p + 48, DecodeFixed32(p + 48) - 1);
                      })),
                      &h)
                .code(),
            StatusCode::kCorruption);
  // first_ts (32) after max_ts (40).
  EXPECT_EQ(ReadBatch(View(Edited(good, [](uint8_t* p) {
                        EncodeFixed64(p + 32, DecodeFixed64(p + 40) + 1);
                      })),
                      &h)
                .code(),
            StatusCode::kCorruption);
  // Length smaller than a header, and beyond the input.
  EXPECT_EQ(ReadBatch(View(Edited(good, [](uint8_t* p) { EncodeFixed32(p + 8, 55); })), &h)
                .code(),
            StatusCode::kCorruption);
  ByteBuffer longer = good;
  EncodeFixed32(longer.data() + 8, static_cast<uint32_t>(good.size() + 1));
  EXPECT_EQ(ReadBatch(View(longer), &h).code(), StatusCode::kCorruption);
}

// Cursor-level checks: header and records disagree but the checksum is good.
Status ReadAllOf(const ByteBuffer& b) {
  BatchHeader h;
  std::vector<Rec> got;
  return DecodeRecords(View(b), &h, &got);
}

TEST(FormatBatchTest, CursorDetectsInconsistentRecords) {
  const ByteBuffer good = Encode(SmallBatch());  // deltas 0, 1, 2
  ASSERT_TRUE(ReadAllOf(good).ok());
  // One more record than there is.
  EXPECT_EQ(ReadAllOf(Edited(good, [](uint8_t* p) { EncodeFixed32(p + 24, 4); })).code(),
            StatusCode::kCorruption);
  // One fewer: trailing bytes after the last record (and a wrong last delta).
  EXPECT_EQ(ReadAllOf(Edited(good, [](uint8_t* p) { EncodeFixed32(p + 24, 2); })).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(ReadAllOf(Edited(good, [](uint8_t* p) {
                        EncodeFixed32(p + 24, 2);
                        EncodeFixed32(p + 28, 1);
                      })).code(),
            StatusCode::kCorruption);
  // last_seq_delta larger than the last record's.
  EXPECT_EQ(ReadAllOf(Edited(good, [](uint8_t* p) { EncodeFixed32(p + 28, 3); })).code(),
            StatusCode::kCorruption);
  // First record's seq_delta (first payload byte) not 0.
  EXPECT_EQ(ReadAllOf(Edited(good, [](uint8_t* p) { p[kBatchHeaderSize] = 1; })).code(),
            StatusCode::kCorruption);
  // A key length past the end of the payload.
  EXPECT_EQ(ReadAllOf(Edited(good, [](uint8_t* p) { p[kBatchHeaderSize + 2] = 0x7f; })).code(),
            StatusCode::kCorruption);
  // A non-increasing seq_delta: a batch of two records both with delta 0.
  std::vector<Rec> two = {{1, 0, "", "", ""}, {2, 0, "", "", ""}};
  ByteBuffer b2 = Encode(two);
  ASSERT_EQ(b2.size(), kBatchHeaderSize + 10);  // five one-byte varints per record
  EXPECT_EQ(ReadAllOf(Edited(b2, [](uint8_t* p) {
                        p[kBatchHeaderSize + 5] = 0;
                        EncodeFixed32(p + 28, 0);
                      })).code(),
            StatusCode::kCorruption);
}

TEST(FormatBatchTest, CompressedPayloadSizeMismatch) {
  BatchEncodeOptions opt;
  opt.compress_min_bytes = 1;
  const ByteBuffer good = Encode(CompressibleBatch(40), opt);
  ASSERT_TRUE(ReadAllOf(good).ok());
  for (int d : {-1, 1}) {
    ByteBuffer bad = Edited(good, [d](uint8_t* p) {
      EncodeFixed32(p + 48, static_cast<uint32_t>(DecodeFixed32(p + 48) + d));
    });
    EXPECT_EQ(ReadAllOf(bad).code(), StatusCode::kCorruption) << d;
  }
}

TEST(FormatBatchTest, CursorViewsPointIntoBatchWhenUncompressed) {
  const ByteBuffer b = Encode(SmallBatch());
  BatchHeader h;
  ASSERT_TRUE(ReadBatch(View(b), &h).ok());
  RecordCursor c;
  ByteBuffer scratch;
  ASSERT_TRUE(c.Init(h, View(b), &scratch).ok());
  EXPECT_EQ(c.remaining(), 3u);
  RecordView r;
  ASSERT_TRUE(c.Next(&r).ok());
  EXPECT_GE(r.value.data(), b.data());
  EXPECT_LT(r.value.data(), b.data() + b.size());
  EXPECT_EQ(c.remaining(), 2u);
  ASSERT_TRUE(c.Next(&r).ok());
  ASSERT_TRUE(c.Next(&r).ok());
  EXPECT_TRUE(c.Next(&r).IsNoMore());
  EXPECT_TRUE(c.Next(&r).IsNoMore());
}

// ---- index ----

std::vector<IndexEntry> SomeEntries(size_t n) {
  std::vector<IndexEntry> e;
  for (size_t i = 0; i < n; ++i) {
    e.push_back({SeqNo(100 + 10 * i), FileOffset(48 + 4096 * i),
                 TimestampMs(1700000000000 + static_cast<int64_t>(i / 2))});
  }
  return e;
}

TEST(FormatIndexTest, RoundTrip) {
  for (size_t n : {0, 1, 2, 500}) {
    IndexInfo info{SeqNo(100), FileOffset(12345)};
    auto entries = SomeEntries(n);
    ByteBuffer b = EncodeIndex(info, entries);
    EXPECT_EQ(b.size(), kIndexHeaderSize + n * kIndexEntrySize + 8);
    IndexInfo got_info;
    std::vector<IndexEntry> got;
    ASSERT_TRUE(DecodeIndex(View(b), &got_info, &got).ok());
    EXPECT_EQ(got_info.base_seq, info.base_seq);
    EXPECT_EQ(got_info.data_end, info.data_end);
    EXPECT_EQ(got, entries);
  }
}

TEST(FormatIndexTest, FlipsTruncationAndTrailingBytes) {
  IndexInfo info{SeqNo(100), FileOffset(999)};
  const ByteBuffer good = EncodeIndex(info, SomeEntries(4));
  IndexInfo gi;
  std::vector<IndexEntry> ge;
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t mask : kFlipMasks) {
      ByteBuffer bad = good;
      bad[i] ^= mask;
      EXPECT_EQ(DecodeIndex(View(bad), &gi, &ge).code(), StatusCode::kCorruption) << i;
    }
  }
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(DecodeIndex(View(good).first(n), &gi, &ge).ok()) << n;
  }
  ByteBuffer longer = good;
  longer.push_back(0);
  EXPECT_FALSE(DecodeIndex(View(longer), &gi, &ge).ok());
  // Extra bytes with a good checksum: the size no longer matches the entry count.
  ByteBuffer extra = good;
  extra.insert(extra.end() - 8, kIndexEntrySize, 0xee);
  FixTrailingChecksum(&extra);
  EXPECT_EQ(DecodeIndex(View(extra), &gi, &ge).code(), StatusCode::kCorruption);
}

TEST(FormatIndexTest, OrderAndVersionChecks) {
  IndexInfo info{SeqNo(0), FileOffset(0)};
  IndexInfo gi;
  std::vector<IndexEntry> ge;
  auto decode = [&](std::vector<IndexEntry> e) {
    return DecodeIndex(View(EncodeIndex(info, e)), &gi, &ge).code();
  };
  auto e = SomeEntries(3);
  EXPECT_EQ(decode(e), StatusCode::kOk);
  auto same_seq = e;
  same_seq[2].seq = same_seq[1].seq;
  EXPECT_EQ(decode(same_seq), StatusCode::kCorruption);
  auto same_off = e;
  same_off[1].offset = same_off[0].offset;
  EXPECT_EQ(decode(same_off), StatusCode::kCorruption);
  auto back_ts = e;
  back_ts[2].ts = back_ts[1].ts - 1;
  EXPECT_EQ(decode(back_ts), StatusCode::kCorruption);
  auto equal_ts = e;
  equal_ts[2].ts = equal_ts[1].ts;
  EXPECT_EQ(decode(equal_ts), StatusCode::kOk);

  ByteBuffer newer = EncodeIndex(info, e);
  EncodeFixed32(newer.data() + 8, kFormatVersion + 1);
  FixTrailingChecksum(&newer);
  EXPECT_EQ(DecodeIndex(View(newer), &gi, &ge).code(), StatusCode::kNotSupported);
  ByteBuffer reserved = EncodeIndex(info, e);
  reserved[12] = 1;
  FixTrailingChecksum(&reserved);
  EXPECT_EQ(DecodeIndex(View(reserved), &gi, &ge).code(), StatusCode::kCorruption);
  ByteBuffer huge_count = EncodeIndex(info, e);
  EncodeFixed64(huge_count.data() + 32, std::numeric_limits<uint64_t>::max());
  FixTrailingChecksum(&huge_count);
  EXPECT_EQ(DecodeIndex(View(huge_count), &gi, &ge).code(), StatusCode::kCorruption);
}

// ---- catalog ----

Catalog SomeCatalog() {
  Catalog c;
  c.next_log_id = 17;
  c.logs.push_back({1, "orders", {{"segment_size", "67108864"}, {"retention_ms", "86400000"}}});
  c.logs.push_back({2, "", {}});
  c.logs.push_back({16, std::string("bin\0ary", 7), {{"", ""}, {"k", std::string(1000, 'v')}}});
  return c;
}

TEST(FormatCatalogTest, RoundTrip) {
  for (const Catalog& c : {Catalog{}, SomeCatalog()}) {
    ByteBuffer b = EncodeCatalog(c);
    Catalog got;
    got.logs.push_back({99, "stale", {}});  // overwritten
    ASSERT_TRUE(DecodeCatalog(View(b), &got).ok());
    EXPECT_EQ(got, c);
  }
}

TEST(FormatCatalogTest, FlipsAndTruncation) {
  const ByteBuffer good = EncodeCatalog(SomeCatalog());
  Catalog got;
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t mask : kFlipMasks) {
      ByteBuffer bad = good;
      bad[i] ^= mask;
      EXPECT_EQ(DecodeCatalog(View(bad), &got).code(), StatusCode::kCorruption) << i;
    }
  }
  for (size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(DecodeCatalog(View(good).first(n), &got).ok()) << n;
  }
}

TEST(FormatCatalogTest, MalformedWithGoodChecksum) {
  const ByteBuffer good = EncodeCatalog(SomeCatalog());
  Catalog got;
  // Layout facts: version at 8, reserved at 12, log_count at 24, first entry's name_len at 36.
  ByteBuffer newer = good;
  EncodeFixed32(newer.data() + 8, kCatalogVersion + 1);
  FixTrailingChecksum(&newer);
  EXPECT_EQ(DecodeCatalog(View(newer), &got).code(), StatusCode::kNotSupported);
  ByteBuffer reserved = good;
  reserved[12] = 1;
  FixTrailingChecksum(&reserved);
  EXPECT_EQ(DecodeCatalog(View(reserved), &got).code(), StatusCode::kCorruption);
  for (uint32_t count : {0u, 2u, 4u, 0xffffffffu}) {
    ByteBuffer b = good;
    EncodeFixed32(b.data() + 24, count);
    FixTrailingChecksum(&b);
    EXPECT_EQ(DecodeCatalog(View(b), &got).code(), StatusCode::kCorruption) << count;
  }
  for (uint16_t name_len : {uint16_t{5}, uint16_t{7}, uint16_t{0xffff}}) {
    ByteBuffer b = good;
    EncodeFixed16(b.data() + 36, name_len);
    FixTrailingChecksum(&b);
    EXPECT_EQ(DecodeCatalog(View(b), &got).code(), StatusCode::kCorruption) << name_len;
  }
  ByteBuffer extra = good;
  extra.insert(extra.end() - 8, 0);
  FixTrailingChecksum(&extra);
  EXPECT_EQ(DecodeCatalog(View(extra), &got).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace seglog::format

namespace seglog::format {
namespace {

// ---- durable marks, resynchronising, the unsealed tail (SPEC.md 8.1) ----

TEST(FormatDurableMarkTest, RoundTripsAndIsSafeToIgnore) {
  ByteBuffer b;
  EncodeDurableMark({FileOffset(123456), SeqNo(789)}, &b);
  ASSERT_EQ(b.size(), kDurableMarkSize);
  BatchHeader h;
  ASSERT_TRUE(ReadBatch(View(b), &h).ok());
  EXPECT_EQ(h.type, kBatchTypeDurableMark);
  EXPECT_NE(h.type & kBatchTypeSafeIgnoreBit, 0);
  DurableMark m;
  ASSERT_TRUE(DecodeDurableMark(h, View(b), &m).ok());
  EXPECT_EQ(m.durable_end.value(), 123456u);
  EXPECT_EQ(m.next_seq.value(), 789u);
}

TEST(FormatResyncTest, EndOfNonZeroAtEveryLength) {
  for (size_t size : {0u, 1u, 7u, 8u, 9u, 4095u, 4096u, 4097u, 12289u}) {
    for (size_t last = 0; last <= size; last += std::max<size_t>(1, size / 13)) {
      ByteBuffer b(size, 0);
      if (last > 0) b[last - 1] = 1;
      for (size_t from = 0; from <= size; from += std::max<size_t>(1, size / 5)) {
        const uint64_t want = last > from ? last : from;
        EXPECT_EQ(EndOfNonZero(View(b), from), want) << size << " " << last << " " << from;
      }
    }
  }
}

TEST(FormatResyncTest, FindsTheNextBatchAtAnyOffsetAfterZerosAndGarbage) {
  const ByteBuffer batch = Encode({{100, 5, "k", std::string(300, 'v'), ""}});
  for (size_t gap : {1u, 5u, 8u, 13u, 4096u, 4099u}) {
    for (int garbage = 0; garbage < 2; ++garbage) {
      ByteBuffer img(gap, 0);
      if (garbage) {
        for (size_t i = 0; i < gap; ++i) img[i] = static_cast<uint8_t>(i * 37 + 1);
      }
      img.insert(img.end(), batch.begin(), batch.end());
      img.insert(img.end(), 100, 0);
      uint64_t at = 0;
      BatchHeader h;
      ASSERT_TRUE(FindNextBatch(View(img), 0, img.size(), SeqNo(0), &at, &h)) << gap;
      EXPECT_EQ(at, gap);
      EXPECT_EQ(h.base_seq.value(), 100u);
      // Not before `min_seq`, not past `limit`.
      EXPECT_FALSE(FindNextBatch(View(img), 0, img.size(), SeqNo(101), &at, &h));
      EXPECT_FALSE(FindNextBatch(View(img), 0, gap, SeqNo(0), &at, &h));
    }
  }
}

// The rule: a bad batch is damage only when an intact mark after it says it was synced.
TEST(FormatTailScanTest, TornTailVersusDamageBelowAMark) {
  ByteBuffer img(kSegmentHeaderSize, 0xAA);  // the header is not looked at
  const ByteBuffer b0 = Encode({{0, 1, "", "zero", ""}});
  const ByteBuffer b1 = Encode({{1, 1, "", "one", ""}});
  img.insert(img.end(), b0.begin(), b0.end());
  const uint64_t at1 = img.size();
  img.insert(img.end(), b1.begin(), b1.end());
  const uint64_t synced = img.size();
  ByteBuffer tail = img;
  EncodeDurableMark({FileOffset(synced), SeqNo(2)}, &tail);
  tail.insert(tail.end(), 256, 0);
  auto scan = [](const ByteBuffer& b) {
    return ScanUnsealedTail(View(b), kSegmentHeaderSize, SeqNo(0), "seg",
                            [](uint64_t, const BatchHeader&) {});
  };
  TailScan clean = scan(tail);
  EXPECT_TRUE(clean.stop.ok());
  EXPECT_FALSE(clean.damaged);
  EXPECT_EQ(clean.next_seq.value(), 2u);
  EXPECT_EQ(clean.end, synced + kDurableMarkSize);
  // Batch 1 damaged: the mark after it covers it.
  ByteBuffer bad = tail;
  bad[at1 + 60] ^= 1;
  TailScan d = scan(bad);
  EXPECT_TRUE(d.damaged);
  EXPECT_EQ(d.end, at1);
  EXPECT_EQ(d.next_seq.value(), 1u);
  EXPECT_EQ(d.lost_until.value(), 2u);
  EXPECT_NE(d.damage.message().find("seg at offset " + std::to_string(at1)), std::string::npos)
      << d.damage.ToString();
  // Zeroed instead: the same.
  ByteBuffer zeroed = tail;
  std::fill(zeroed.begin() + static_cast<ptrdiff_t>(at1),
            zeroed.begin() + static_cast<ptrdiff_t>(synced), 0);
  EXPECT_TRUE(scan(zeroed).damaged);
  // Without the mark (it never reached the disk): a torn tail, cut at batch 1.
  ByteBuffer torn = bad;
  std::fill(torn.begin() + static_cast<ptrdiff_t>(synced),
            torn.begin() + static_cast<ptrdiff_t>(synced + kDurableMarkSize), 0);
  TailScan t = scan(torn);
  EXPECT_FALSE(t.damaged);
  EXPECT_EQ(t.end, at1);
  EXPECT_GT(t.dirty_end, at1);  // the torn batch's bytes: zeroed by recovery
  EXPECT_LE(t.dirty_end, synced);
  // A mark that covers less than the bad batch: still a torn tail.
  ByteBuffer old_mark = img;
  old_mark[at1 + 60] ^= 1;
  EncodeDurableMark({FileOffset(at1), SeqNo(1)}, &old_mark);
  EXPECT_FALSE(scan(old_mark).damaged);
}

}  // namespace
}  // namespace seglog::format
