#include "format/segment_format.h"

#include <zstd.h>

#include <algorithm>
#include <cassert>
#include <cstring>
#include <limits>
#include <memory>
#include <string>

#include "format/coding.h"

namespace seglog::format {
namespace {

// ---- field offsets (see the layouts in segment_format.h) ----
constexpr size_t kHdrMagic = 0, kHdrVersion = 8, kHdrReserved = 12, kHdrLogId = 16,
                 kHdrBaseSeq = 24, kHdrCreated = 32, kHdrChecksum = 40;
static_assert(kHdrChecksum + 8 == kSegmentHeaderSize);

constexpr size_t kBatChecksum = 0, kBatLength = 8, kBatType = 12, kBatFlags = 13,
                 kBatReserved1 = 14, kBatBaseSeq = 16, kBatCount = 24, kBatLastDelta = 28,
                 kBatFirstTs = 32, kBatMaxTs = 40, kBatPayloadSize = 48, kBatReserved2 = 52;
static_assert(kBatReserved2 + 4 == kBatchHeaderSize);

constexpr size_t kTrlMagic = 0, kTrlCount = 8, kTrlLastSeq = 16, kTrlFirstTs = 24,
                 kTrlMaxTs = 32, kTrlDataEnd = 40, kTrlChecksum = 48;
static_assert(kTrlChecksum + 8 == kSegmentTrailerSize);

constexpr size_t kIdxMagic = 0, kIdxVersion = 8, kIdxReserved = 12, kIdxBaseSeq = 16,
                 kIdxDataEnd = 24, kIdxCount = 32;
static_assert(kIdxCount + 8 == kIndexHeaderSize);

// The records area of one batch, compressed or not, is bounded like the batch itself.
constexpr size_t kMaxPayloadSize = kMaxBatchSize - kBatchHeaderSize;
// A record is at least five one-byte varints (seq_delta, ts_delta, three zero lengths).
constexpr uint64_t kMinRecordSize = 5;

// ts - first as a zigzag varint value; wraps (and unwraps in TsFromDelta) for any int64 pair.
inline uint64_t TsDelta(TimestampMs ts, TimestampMs first) {
  return ZigZagEncode(static_cast<int64_t>(static_cast<uint64_t>(ts.value()) -
                                           static_cast<uint64_t>(first.value())));
}
inline TimestampMs TsFromDelta(TimestampMs first, uint64_t zz) {
  return TimestampMs(static_cast<int64_t>(static_cast<uint64_t>(first.value()) +
                                          static_cast<uint64_t>(ZigZagDecode(zz))));
}

inline size_t EncodedRecordSize(const RecordInput& r, uint64_t seq_delta, uint64_t ts_delta) {
  return VarintLength(seq_delta) + VarintLength(ts_delta) + VarintLength(r.key.size()) +
         r.key.size() + VarintLength(r.value.size()) + r.value.size() +
         VarintLength(r.attrs.size()) + r.attrs.size();
}

inline uint8_t* PutLengthPrefixed(uint8_t* p, ByteView v) {
  p = EncodeVarint64(p, v.size());
  if (!v.empty()) std::memcpy(p, v.data(), v.size());
  return p + v.size();
}

// Parses a varint with fast paths for the common one- and two-byte cases (lengths under
// 16 KiB); the same values and errors as GetVarint64.
inline const uint8_t* ParseVarint(const uint8_t* p, const uint8_t* limit, uint64_t* v) {
  if (p < limit && *p < 0x80) {
    *v = *p;
    return p + 1;
  }
  if (limit - p >= 2 && p[1] < 0x80) {
    *v = (p[0] & 0x7fu) | (uint64_t{p[1]} << 7);
    return p + 2;
  }
  return GetVarint64(p, limit, v);
}

// Validates `records` and computes the records area's size and the largest timestamp.
Status CheckRecords(std::span<const RecordInput> records, size_t* raw_size, TimestampMs* max_ts) {
  if (records.empty()) return Status::InvalidArgument("empty batch");
  if (records.size() > std::numeric_limits<uint32_t>::max()) {
    return Status::TooLarge("too many records in one batch");
  }
  const SeqNo first_seq = records[0].seq;
  const TimestampMs first_ts = records[0].ts;
  TimestampMs mx = first_ts;
  size_t size = 0;
  for (size_t i = 0; i < records.size(); ++i) {
    const RecordInput& r = records[i];
    if (i > 0 && r.seq <= records[i - 1].seq) {
      return Status::InvalidArgument("sequence numbers not strictly increasing in batch: " +
                                     std::to_string(records[i - 1].seq.value()) + " then " +
                                     std::to_string(r.seq.value()));
    }
    const uint64_t seq_delta = r.seq - first_seq;
    if (seq_delta > std::numeric_limits<uint32_t>::max()) {
      return Status::InvalidArgument("batch spans 2^32 or more sequence numbers");
    }
    if (r.ts > mx) mx = r.ts;
    size += EncodedRecordSize(r, seq_delta, TsDelta(r.ts, first_ts));
    if (size > kMaxPayloadSize) {
      return Status::TooLarge("batch larger than " + std::to_string(kMaxBatchSize) + " bytes");
    }
  }
  *raw_size = size;
  *max_ts = mx;
  return Status::OK();
}

// Per-thread zstd contexts: ZSTD_compress/ZSTD_decompress would allocate one per call.
struct ZstdCCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct ZstdDCtxDeleter {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};
ZSTD_CCtx* ThreadCCtx() {
  thread_local std::unique_ptr<ZSTD_CCtx, ZstdCCtxDeleter> ctx(ZSTD_createCCtx());
  return ctx.get();
}
ZSTD_DCtx* ThreadDCtx() {
  thread_local std::unique_ptr<ZSTD_DCtx, ZstdDCtxDeleter> ctx(ZSTD_createDCtx());
  return ctx.get();
}

// Compresses [src, src + n) into *scratch; returns the compressed size, or 0 when it does not
// pay (not under 7/8 of n) or zstd fails.
size_t CompressIfItPays(const uint8_t* src, size_t n, int level, ByteBuffer* scratch) {
  ZSTD_CCtx* cctx = ThreadCCtx();
  if (cctx == nullptr) return 0;
  const size_t bound = ZSTD_compressBound(n);
  if (scratch->size() < bound) scratch->resize(bound);
  const size_t c = ZSTD_compressCCtx(cctx, scratch->data(), bound, src, n, level);
  if (ZSTD_isError(c) || c * 8 >= n * 7) return 0;
  return c;
}

// Parses one record's fields from [*pp, limit) and advances *pp past it. Returns nullptr, or
// what is wrong.
[[gnu::always_inline]] inline const char* ParseRecord(const uint8_t** pp, const uint8_t* limit,
                                                     uint64_t* seq_delta, uint64_t* ts_delta,
                                                     RecordView* r) {
  const uint8_t* p = *pp;
  if ((p = ParseVarint(p, limit, seq_delta)) == nullptr) return "bad seq_delta";
  if ((p = ParseVarint(p, limit, ts_delta)) == nullptr) return "bad ts_delta";
  uint64_t len = 0;
  if ((p = ParseVarint(p, limit, &len)) == nullptr || len > static_cast<uint64_t>(limit - p)) {
    return "bad key length";
  }
  r->key = ByteView(p, len);
  p += len;
  if ((p = ParseVarint(p, limit, &len)) == nullptr || len > static_cast<uint64_t>(limit - p)) {
    return "bad value length";
  }
  r->value = ByteView(p, len);
  p += len;
  if ((p = ParseVarint(p, limit, &len)) == nullptr || len > static_cast<uint64_t>(limit - p)) {
    return "bad attrs length";
  }
  r->attrs = ByteView(p, len);
  p += len;
  *pp = p;
  return nullptr;
}

}  // namespace

// ---- segment header ----

void EncodeSegmentHeader(const SegmentHeader& h, uint8_t* out) {
  EncodeFixed64(out + kHdrMagic, kSegmentMagic);
  EncodeFixed32(out + kHdrVersion, h.version);
  EncodeFixed32(out + kHdrReserved, 0);
  EncodeFixed64(out + kHdrLogId, h.log_id);
  EncodeFixed64(out + kHdrBaseSeq, h.base_seq.value());
  EncodeFixed64(out + kHdrCreated, static_cast<uint64_t>(h.created.value()));
  EncodeFixed64(out + kHdrChecksum, Checksum(ByteView(out, kHdrChecksum)));
}

Status DecodeSegmentHeader(ByteView in, SegmentHeader* h) {
  if (in.size() < kSegmentHeaderSize) return Status::Corruption("truncated segment header");
  const uint8_t* p = in.data();
  if (DecodeFixed64(p + kHdrMagic) != kSegmentMagic) {
    return Status::Corruption("bad segment header magic");
  }
  if (DecodeFixed64(p + kHdrChecksum) != Checksum(ByteView(p, kHdrChecksum))) {
    return Status::Corruption("segment header checksum mismatch");
  }
  const uint32_t version = DecodeFixed32(p + kHdrVersion);
  if (version > kFormatVersion) {
    return Status::NotSupported("segment format version " + std::to_string(version) +
                                " is newer than this build's " +
                                std::to_string(kFormatVersion));
  }
  if (version == 0) return Status::Corruption("segment format version 0");
  if (DecodeFixed32(p + kHdrReserved) != 0) {
    return Status::Corruption("nonzero reserved field in segment header");
  }
  h->version = version;
  h->log_id = DecodeFixed64(p + kHdrLogId);
  h->base_seq = SeqNo(DecodeFixed64(p + kHdrBaseSeq));
  h->created = TimestampMs(static_cast<int64_t>(DecodeFixed64(p + kHdrCreated)));
  return Status::OK();
}

// ---- batches ----

size_t MaxEncodedBatchSize(std::span<const RecordInput> records) {
  size_t size = kBatchHeaderSize;
  if (records.empty()) return size;
  const SeqNo first_seq = records[0].seq;
  const TimestampMs first_ts = records[0].ts;
  for (const RecordInput& r : records) {
    size += EncodedRecordSize(r, r.seq - first_seq, TsDelta(r.ts, first_ts));
  }
  return size;
}

Status EncodeBatch(std::span<const RecordInput> records, const BatchEncodeOptions& opt,
                   ByteBuffer* dst, ByteBuffer* scratch, size_t* encoded_len) {
  size_t raw = 0;
  TimestampMs max_ts;
  SEGLOG_RETURN_IF_ERROR(CheckRecords(records, &raw, &max_ts));
  const SeqNo base_seq = records[0].seq;
  const TimestampMs first_ts = records[0].ts;

  // Encode the records straight into their final place after the header.
  const size_t start = dst->size();
  dst->resize(start + kBatchHeaderSize + raw);
  uint8_t* const payload = dst->data() + start + kBatchHeaderSize;
  uint8_t* p = payload;
  for (const RecordInput& r : records) {
    p = EncodeVarint64(p, r.seq - base_seq);
    p = EncodeVarint64(p, TsDelta(r.ts, first_ts));
    p = PutLengthPrefixed(p, r.key);
    p = PutLengthPrefixed(p, r.value);
    p = PutLengthPrefixed(p, r.attrs);
  }
  assert(p == payload + raw);

  uint8_t flags = 0;
  size_t stored = raw;
  if (opt.compress_min_bytes > 0 && raw >= opt.compress_min_bytes) {
    ByteBuffer local;
    ByteBuffer* buf = scratch != nullptr ? scratch : &local;
    const size_t c = CompressIfItPays(payload, raw, opt.zstd_level, buf);
    if (c > 0) {
      std::memcpy(payload, buf->data(), c);
      stored = c;
      flags |= kBatchFlagZstd;
      dst->resize(start + kBatchHeaderSize + stored);  // shrinking keeps `payload` valid
    }
  }

  const uint32_t length = static_cast<uint32_t>(kBatchHeaderSize + stored);
  uint8_t* const h = dst->data() + start;
  EncodeFixed32(h + kBatLength, length);
  h[kBatType] = kBatchTypeData;
  h[kBatFlags] = flags;
  EncodeFixed16(h + kBatReserved1, 0);
  EncodeFixed64(h + kBatBaseSeq, base_seq.value());
  EncodeFixed32(h + kBatCount, static_cast<uint32_t>(records.size()));
  EncodeFixed32(h + kBatLastDelta, static_cast<uint32_t>(records.back().seq - base_seq));
  EncodeFixed64(h + kBatFirstTs, static_cast<uint64_t>(first_ts.value()));
  EncodeFixed64(h + kBatMaxTs, static_cast<uint64_t>(max_ts.value()));
  EncodeFixed32(h + kBatPayloadSize, static_cast<uint32_t>(raw));
  EncodeFixed32(h + kBatReserved2, 0);
  EncodeFixed64(h + kBatChecksum, Checksum(ByteView(h + kBatLength, length - kBatLength)));
  if (encoded_len != nullptr) *encoded_len = length;
  return Status::OK();
}

Status ReadBatch(ByteView in, BatchHeader* h) {
  const uint8_t* p = in.data();
  if (in.size() < kBatchHeaderSize) {
    for (uint8_t b : in) {
      if (b != 0) return Status::Corruption("truncated batch header");
    }
    return Status::NoMore();
  }
  const uint32_t length = DecodeFixed32(p + kBatLength);
  const uint8_t type = p[kBatType];
  if (length == 0 && type == 0) return Status::NoMore();
  if (length < kBatchHeaderSize || length > kMaxBatchSize || length > in.size()) {
    return Status::Corruption("bad batch length " + std::to_string(length));
  }
  const uint64_t checksum = DecodeFixed64(p + kBatChecksum);
  if (checksum != Checksum(ByteView(p + kBatLength, length - kBatLength))) {
    return Status::Corruption("batch checksum mismatch");
  }
  if (type == 0) return Status::Corruption("batch type 0");
  if (DecodeFixed16(p + kBatReserved1) != 0 || DecodeFixed32(p + kBatReserved2) != 0) {
    return Status::Corruption("nonzero reserved field in batch header");
  }
  const uint8_t flags = p[kBatFlags];
  if ((flags & ~kBatchKnownFlags) != 0) {
    return Status::NotSupported("unknown batch flags " + std::to_string(flags));
  }
  BatchHeader r;
  r.checksum = checksum;
  r.length = length;
  r.type = type;
  r.flags = flags;
  r.base_seq = SeqNo(DecodeFixed64(p + kBatBaseSeq));
  r.record_count = DecodeFixed32(p + kBatCount);
  r.last_seq_delta = DecodeFixed32(p + kBatLastDelta);
  r.first_ts = TimestampMs(static_cast<int64_t>(DecodeFixed64(p + kBatFirstTs)));
  r.max_ts = TimestampMs(static_cast<int64_t>(DecodeFixed64(p + kBatMaxTs)));
  r.payload_size = DecodeFixed32(p + kBatPayloadSize);
  if (type != kBatchTypeData) {
    if ((type & kBatchTypeSafeIgnoreBit) != 0) {
      *h = r;  // the caller skips it by length
      return Status::OK();
    }
    return Status::NotSupported("unknown batch type " + std::to_string(type));
  }
  if (r.record_count == 0) return Status::Corruption("batch with no records");
  if (r.payload_size > kMaxPayloadSize ||
      r.payload_size < kMinRecordSize * r.record_count) {
    return Status::Corruption("bad batch payload size " + std::to_string(r.payload_size));
  }
  if (!r.compressed() && r.payload_size != length - kBatchHeaderSize) {
    return Status::Corruption("batch payload size does not match its length");
  }
  if (r.last_seq_delta < r.record_count - 1) {
    return Status::Corruption("batch last_seq_delta smaller than record_count - 1");
  }
  if (r.first_ts > r.max_ts) return Status::Corruption("batch first_ts after max_ts");
  *h = r;
  return Status::OK();
}

void EncodeDurableMark(const DurableMark& m, ByteBuffer* dst) {
  const size_t start = dst->size();
  dst->resize(start + kDurableMarkSize);
  uint8_t* const h = dst->data() + start;
  std::memset(h, 0, kDurableMarkSize);
  EncodeFixed32(h + kBatLength, static_cast<uint32_t>(kDurableMarkSize));
  h[kBatType] = kBatchTypeDurableMark;
  EncodeFixed64(h + kBatBaseSeq, m.next_seq.value());
  EncodeFixed32(h + kBatPayloadSize, 8);
  EncodeFixed64(h + kBatchHeaderSize, m.durable_end.value());
  EncodeFixed64(h + kBatChecksum,
                Checksum(ByteView(h + kBatLength, kDurableMarkSize - kBatLength)));
}

Status DecodeDurableMark(const BatchHeader& h, ByteView batch, DurableMark* m) {
  if (h.type != kBatchTypeDurableMark || h.length != kDurableMarkSize ||
      batch.size() < kDurableMarkSize || h.flags != 0 || h.record_count != 0 ||
      h.last_seq_delta != 0 || h.payload_size != 8) {
    return Status::Corruption("malformed durable mark");
  }
  m->next_seq = h.base_seq;
  m->durable_end = FileOffset(DecodeFixed64(batch.data() + kBatchHeaderSize));
  return Status::OK();
}

namespace {

// The filters FindNextBatch applies before the checksum, on the header at p (>= 56 bytes
// readable) with `avail` bytes from p to the image's end.
inline bool PlausibleBatch(const uint8_t* p, uint64_t avail, SeqNo min_seq) {
  const uint32_t length = DecodeFixed32(p + kBatLength);
  if (length < kBatchHeaderSize || length > kMaxBatchSize || length > avail) return false;
  const uint8_t type = p[kBatType];
  if (type != kBatchTypeData && type != kBatchTypeDurableMark) return false;
  if ((p[kBatFlags] & ~kBatchKnownFlags) != 0) return false;
  if (DecodeFixed16(p + kBatReserved1) != 0 || DecodeFixed32(p + kBatReserved2) != 0) {
    return false;
  }
  if (type == kBatchTypeDurableMark) return length == kDurableMarkSize;
  return DecodeFixed64(p + kBatBaseSeq) >= min_seq.value();
}

}  // namespace

bool FindNextBatch(ByteView image, uint64_t from, uint64_t limit, SeqNo min_seq, uint64_t* at,
                   BatchHeader* h) {
  const uint64_t size = image.size();
  const uint8_t* const base = image.data();
  uint64_t off = from;
  while (off < limit && off + kBatchHeaderSize <= size) {
    // A batch's length (bytes 8-11) is never zero: with the two words at off + 8 and off + 16
    // zero, no batch starts in [off, off + 8), whose length fields all lie inside them.
    if ((off & 7) == 0 && off + 24 <= size && DecodeFixed64(base + off + 8) == 0 &&
        DecodeFixed64(base + off + 16) == 0) {
      off += 8;
      continue;
    }
    if (PlausibleBatch(base + off, size - off, min_seq)) {
      BatchHeader bh;
      if (ReadBatch(image.subspan(off), &bh).ok()) {
        *at = off;
        *h = bh;
        return true;
      }
    }
    ++off;
  }
  return false;
}

uint64_t EndOfNonZero(ByteView image, uint64_t from) {
  uint64_t end = image.size();
  const uint8_t* const p = image.data();
  while (end > from && (end & 7) != 0 && p[end - 1] == 0) --end;
  while (end >= from + 8 && (end & 7) == 0 && DecodeFixed64(p + end - 8) == 0) end -= 8;
  while (end > from && p[end - 1] == 0) --end;
  return end;
}

Status RecordCursor::Init(const BatchHeader& h, ByteView batch, ByteBuffer* scratch) {
  *this = RecordCursor();
  if (h.type != kBatchTypeData) {
    return Status::InvalidArgument("not a data batch: type " + std::to_string(h.type));
  }
  if (batch.size() < h.length || h.length < kBatchHeaderSize) {
    return Status::InvalidArgument("batch view shorter than the batch");
  }
  const uint8_t* stored = batch.data() + kBatchHeaderSize;
  const size_t stored_size = h.length - kBatchHeaderSize;
  if (h.compressed()) {
    if (scratch == nullptr) return Status::InvalidArgument("compressed batch needs a scratch");
    ZSTD_DCtx* dctx = ThreadDCtx();
    if (dctx == nullptr) return Status::NoSpace("cannot allocate a zstd context");
    if (scratch->size() < h.payload_size) scratch->resize(h.payload_size);
    const size_t n =
        ZSTD_decompressDCtx(dctx, scratch->data(), h.payload_size, stored, stored_size);
    if (ZSTD_isError(n) || n != h.payload_size) {
      return Status::Corruption("batch payload does not decompress to its payload_size");
    }
    p_ = scratch->data();
  } else {
    if (stored_size != h.payload_size) {
      return Status::Corruption("batch payload size does not match its length");
    }
    p_ = stored;
  }
  limit_ = p_ + h.payload_size;
  base_seq_ = h.base_seq;
  first_ts_ = h.first_ts;
  last_seq_delta_ = h.last_seq_delta;
  remaining_ = h.record_count;
  return Status::OK();
}

[[gnu::always_inline]] inline const char* RecordCursor::Parse(RecordView* r) {
  const uint8_t* p = p_;
  uint64_t seq_delta = 0, ts_delta = 0;
  const char* what = ParseRecord(&p, limit_, &seq_delta, &ts_delta, r);
  if (what != nullptr) return what;
  if (first_ ? seq_delta != 0 : seq_delta <= prev_delta_) return "seq_delta not increasing";
  if (seq_delta > last_seq_delta_) return "seq_delta past the header's last_seq_delta";
  if (remaining_ == 1) {
    if (seq_delta != last_seq_delta_) return "last record's seq_delta differs from the header's";
    if (p != limit_) return "bytes after the last record";
  }
  r->seq = base_seq_ + seq_delta;
  r->ts = TsFromDelta(first_ts_, ts_delta);
  p_ = p;
  prev_delta_ = seq_delta;
  first_ = false;
  --remaining_;
  return nullptr;
}

Status RecordCursor::Next(RecordView* r) {
  if (corrupt_) return Status::Corruption("malformed record in batch");
  if (remaining_ == 0) return Status::NoMore();
  if (const char* what = Parse(r); what != nullptr) {
    corrupt_ = true;
    return Status::Corruption(std::string("malformed record in batch: ") + what);
  }
  return Status::OK();
}

size_t RecordCursor::NextMany(size_t max, std::vector<RecordView>* out) {
  if (corrupt_) return 0;
  const size_t n = std::min<size_t>(max, remaining_);
  if (n == 0) return 0;
  const size_t need = out->size() + n;
  if (out->capacity() < need) out->reserve(std::max(need, 2 * out->capacity()));
  size_t i = 0;
  for (; i < n; ++i) {
    RecordView r;
    if (Parse(&r) != nullptr) break;  // left for Next() to report; the cursor stays before it
    out->push_back(r);
  }
  return i;
}

// ---- segment trailer ----

void EncodeSegmentTrailer(const SegmentTrailer& t, uint8_t* out) {
  EncodeFixed64(out + kTrlMagic, kTrailerMagic);
  EncodeFixed64(out + kTrlCount, t.record_count);
  EncodeFixed64(out + kTrlLastSeq, t.last_seq.value());
  EncodeFixed64(out + kTrlFirstTs, static_cast<uint64_t>(t.first_ts.value()));
  EncodeFixed64(out + kTrlMaxTs, static_cast<uint64_t>(t.max_ts.value()));
  EncodeFixed64(out + kTrlDataEnd, t.data_end.value());
  EncodeFixed64(out + kTrlChecksum, Checksum(ByteView(out, kTrlChecksum)));
}

Status DecodeSegmentTrailer(ByteView in, SegmentTrailer* t) {
  if (in.size() < kSegmentTrailerSize) return Status::Corruption("truncated segment trailer");
  const uint8_t* p = in.data();
  if (DecodeFixed64(p + kTrlMagic) != kTrailerMagic) {
    return Status::Corruption("bad segment trailer magic");
  }
  if (DecodeFixed64(p + kTrlChecksum) != Checksum(ByteView(p, kTrlChecksum))) {
    return Status::Corruption("segment trailer checksum mismatch");
  }
  t->record_count = DecodeFixed64(p + kTrlCount);
  t->last_seq = SeqNo(DecodeFixed64(p + kTrlLastSeq));
  t->first_ts = TimestampMs(static_cast<int64_t>(DecodeFixed64(p + kTrlFirstTs)));
  t->max_ts = TimestampMs(static_cast<int64_t>(DecodeFixed64(p + kTrlMaxTs)));
  t->data_end = FileOffset(DecodeFixed64(p + kTrlDataEnd));
  return Status::OK();
}

// ---- sparse index ----

ByteBuffer EncodeIndex(const IndexInfo& info, std::span<const IndexEntry> entries) {
  ByteBuffer out(kIndexHeaderSize + entries.size() * kIndexEntrySize + 8);
  uint8_t* p = out.data();
  EncodeFixed64(p + kIdxMagic, kIndexMagic);
  EncodeFixed32(p + kIdxVersion, kFormatVersion);
  EncodeFixed32(p + kIdxReserved, 0);
  EncodeFixed64(p + kIdxBaseSeq, info.base_seq.value());
  EncodeFixed64(p + kIdxDataEnd, info.data_end.value());
  EncodeFixed64(p + kIdxCount, entries.size());
  p += kIndexHeaderSize;
  for (const IndexEntry& e : entries) {
    EncodeFixed64(p, e.seq.value());
    EncodeFixed64(p + 8, e.offset.value());
    EncodeFixed64(p + 16, static_cast<uint64_t>(e.ts.value()));
    p += kIndexEntrySize;
  }
  EncodeFixed64(p, Checksum(ByteView(out.data(), out.size() - 8)));
  return out;
}

Status DecodeIndex(ByteView in, IndexInfo* info, std::vector<IndexEntry>* entries) {
  if (in.size() < kIndexHeaderSize + 8) return Status::Corruption("truncated index");
  const uint8_t* p = in.data();
  if (DecodeFixed64(p + kIdxMagic) != kIndexMagic) return Status::Corruption("bad index magic");
  const size_t body = in.size() - 8;
  if (DecodeFixed64(p + body) != Checksum(ByteView(p, body))) {
    return Status::Corruption("index checksum mismatch");
  }
  const uint32_t version = DecodeFixed32(p + kIdxVersion);
  if (version > kFormatVersion) {
    return Status::NotSupported("index format version " + std::to_string(version));
  }
  if (version == 0) return Status::Corruption("index format version 0");
  if (DecodeFixed32(p + kIdxReserved) != 0) {
    return Status::Corruption("nonzero reserved field in index header");
  }
  const uint64_t count = DecodeFixed64(p + kIdxCount);
  if ((body - kIndexHeaderSize) % kIndexEntrySize != 0 ||
      count != (body - kIndexHeaderSize) / kIndexEntrySize) {
    return Status::Corruption("index size does not match its entry count");
  }
  std::vector<IndexEntry> out;
  out.reserve(count);
  const uint8_t* e = p + kIndexHeaderSize;
  for (uint64_t i = 0; i < count; ++i, e += kIndexEntrySize) {
    IndexEntry x{SeqNo(DecodeFixed64(e)), FileOffset(DecodeFixed64(e + 8)),
                 TimestampMs(static_cast<int64_t>(DecodeFixed64(e + 16)))};
    if (!out.empty()) {
      const IndexEntry& prev = out.back();
      if (x.seq <= prev.seq || x.offset <= prev.offset || x.ts < prev.ts) {
        return Status::Corruption("index entry " + std::to_string(i) + " out of order");
      }
    }
    out.push_back(x);
  }
  info->base_seq = SeqNo(DecodeFixed64(p + kIdxBaseSeq));
  info->data_end = FileOffset(DecodeFixed64(p + kIdxDataEnd));
  *entries = std::move(out);
  return Status::OK();
}

}  // namespace seglog::format
