// Byte layouts of a segment file: header, batches of records, trailer; and of its sparse index.
// SPEC.md is the contract for every byte here; change both together.
//
// A segment file:
//
//   +----------------+---------+---------+-----+---------+ - - - - - - - - +---------+
//   | SegmentHeader  | Batch 0 | Batch 1 | ... | Batch n | zeros (unsealed) | Trailer |
//   +----------------+---------+---------+-----+---------+ - - - - - - - - +---------+
//                                                         ^ data_end   (sealed only) ^ EOF
//
// An unsealed (active) segment is preallocated and zero-filled past its last batch: a zero
// length / zero type reads as end of log. A sealed segment is truncated so that the trailer
// is its last kSegmentTrailerSize bytes.
//
// SegmentHeader (48 bytes):
//   | magic u64 | version u32 | reserved u32 | log_id u64 | base_seq u64 | created_ms i64 | xxh3 u64 |
//   xxh3 covers the 40 bytes before it.
//
// Batch (56-byte header + payload):
//   | xxh3 u64 | length u32 | type u8 | flags u8 | reserved u16 | base_seq u64 | record_count u32 |
//   | last_seq_delta u32 | first_ts i64 | max_ts i64 | payload_size u32 | reserved u32 | payload |
//   xxh3 covers bytes [8, length): the rest of the header and the stored payload.
//   length = header + stored payload. payload_size is the records area's size before
//   compression (== stored size when not compressed); it is at most
//   kMaxBatchSize - kBatchHeaderSize whether compressed or not, so that a reader's
//   decompression buffer is bounded too. Both reserved fields are zero.
//
// Record, inside the (decompressed) payload, varints unless noted:
//   | seq_delta | ts_delta (zigzag, from first_ts) | key_len | key | value_len | value |
//   | attrs_len | attrs |
//   seq_delta is strictly increasing within a batch (0 for the first record); gaps are allowed
//   (compaction keeps ids), so seq = base_seq + seq_delta.
//
// SegmentTrailer (56 bytes):
//   | magic u64 | record_count u64 | last_seq u64 | first_ts i64 | max_ts i64 | data_end u64 | xxh3 u64 |
//   The segment covers [base_seq, last_seq]; record_count counts the records present. As
//   appended these are all of them; after compaction (Log::RewriteSegment) fewer, maybe none
//   (data_end == kSegmentHeaderSize), and last_seq still ends the range.
//
// Index file (<base>.idx), derived data, rebuilt from the segment when missing or wrong:
//   | magic u64 | version u32 | reserved u32 | base_seq u64 | data_end u64 | entry_count u64 |
//   | entries: seq u64, offset u64, ts i64 (24 bytes each) ... | xxh3 u64 over all before |
//   The file is exactly 40 + 24 * entry_count + 8 bytes. Entries are strictly increasing in seq
//   and offset and non-decreasing in ts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "format/status.h"
#include "format/types.h"

namespace seglog::format {

inline constexpr uint32_t kFormatVersion = 1;

// ---- segment header ----
inline constexpr uint64_t kSegmentMagic = 0x314745534C474553ull;  // "SEGLSEG1" little-endian
inline constexpr size_t kSegmentHeaderSize = 8 + 4 + 4 + 8 + 8 + 8 + 8;
static_assert(kSegmentHeaderSize == 48);

struct SegmentHeader {
  uint32_t version = kFormatVersion;
  uint64_t log_id = 0;
  SeqNo base_seq;
  TimestampMs created;
};

// Writes exactly kSegmentHeaderSize bytes at out.
void EncodeSegmentHeader(const SegmentHeader& h, uint8_t* out);
// Corruption on a short input, wrong magic or checksum, version 0 or a nonzero reserved field;
// NotSupported on a version newer than kFormatVersion (the reader refuses the file rather than
// guessing). The checksum is checked before the version: the 48-byte header layout is frozen
// for all versions, so a flipped bit never reads as "newer version".
Status DecodeSegmentHeader(ByteView in, SegmentHeader* h);

// ---- batches ----
inline constexpr size_t kBatchHeaderSize = 8 + 4 + 1 + 1 + 2 + 8 + 4 + 4 + 8 + 8 + 4 + 4;
static_assert(kBatchHeaderSize == 56);
// Type 0 is never valid: zero-filled space is end of log, not a record.
inline constexpr uint8_t kBatchTypeData = 1;
// A type with this bit set may be skipped by a reader that does not know it.
inline constexpr uint8_t kBatchTypeSafeIgnoreBit = 0x80;
inline constexpr uint8_t kBatchFlagZstd = 0x01;
inline constexpr uint8_t kBatchKnownFlags = kBatchFlagZstd;
// Upper bound on one batch, so that a corrupt length cannot make a reader allocate gigabytes.
inline constexpr uint32_t kMaxBatchSize = 256u << 20;

struct BatchHeader {
  uint64_t checksum = 0;
  uint32_t length = 0;  // header + stored payload
  uint8_t type = kBatchTypeData;
  uint8_t flags = 0;
  SeqNo base_seq;
  uint32_t record_count = 0;
  uint32_t last_seq_delta = 0;
  TimestampMs first_ts;
  TimestampMs max_ts;
  uint32_t payload_size = 0;  // records area, uncompressed

  SeqNo last_seq() const { return base_seq + last_seq_delta; }
  bool compressed() const { return (flags & kBatchFlagZstd) != 0; }
};

// One record to encode. Views must stay valid for the call.
struct RecordInput {
  SeqNo seq;  // within a batch strictly increasing
  TimestampMs ts;
  ByteView key;
  ByteView value;
  ByteView attrs;
};

struct BatchEncodeOptions {
  // Try zstd when the records area is at least this big; 0 disables compression.
  size_t compress_min_bytes = 0;
  int zstd_level = 1;
};

// Bytes EncodeBatch will need at most for these records (uncompressed size).
size_t MaxEncodedBatchSize(std::span<const RecordInput> records);

// Appends one whole batch to *dst. REQUIRES: records non-empty, seqs strictly increasing and
// last - first < 2^32. The batch is compressed only when it pays (stored size < 7/8 of raw).
// Returns the encoded batch's length. `scratch` is reused between calls to avoid allocation.
Status EncodeBatch(std::span<const RecordInput> records, const BatchEncodeOptions& opt,
                   ByteBuffer* dst, ByteBuffer* scratch, size_t* encoded_len);

// Parses and verifies the batch starting at in[0] (in may extend past it). Checks, in order:
//   NoMore        - end of log: fewer than kBatchHeaderSize bytes that are all zero, or a
//                   header whose length and type are both zero (zero-filled preallocated space).
//   Corruption    - fewer than kBatchHeaderSize bytes not all zero ("truncated batch header");
//                   a length < kBatchHeaderSize, > kMaxBatchSize or beyond `in`; a bad checksum;
//                   type 0; a nonzero reserved field.
//   NotSupported  - a good checksum but an unknown flag, or an unknown type without
//                   kBatchTypeSafeIgnoreBit.
//   OK            - an unknown type WITH kBatchTypeSafeIgnoreBit: *h is filled (h->type tells)
//                   and the caller skips h->length bytes without looking at the payload.
//   Corruption    - (data batches) record_count 0, a payload_size out of range or, uncompressed,
//                   != length - kBatchHeaderSize, last_seq_delta < record_count - 1,
//                   first_ts > max_ts.
//   OK            - a whole data batch with a good checksum; *h is filled.
// A torn tail (a batch cut short, or zeros after part of it) reads as NoMore or Corruption,
// never as a batch; callers at the unsealed tail treat both as end of log. *h is written only
// on OK. Callers add the file and offset to the message.
Status ReadBatch(ByteView in, BatchHeader* h);

// ---- durable marks (SPEC.md 8.1) ----
// A metadata batch the log writes, at the start of its next write, after each fdatasync of the
// active segment completed: "every byte of this file below durable_end, and every record below
// next_seq, was synced". Recovery uses the newest intact mark to tell damage (a bad batch below
// it: Corruption) from a torn tail (at or after it: the end). Safe to ignore (type 0x81), so a
// reader that does not know it skips it.
//   | batch header: type 0x81, flags 0, base_seq = next_seq, record_count 0, last_seq_delta 0,
//   |               first_ts 0, max_ts 0, payload_size 8 | durable_end u64 |
inline constexpr uint8_t kBatchTypeDurableMark = 0x81;
inline constexpr size_t kDurableMarkSize = kBatchHeaderSize + 8;
static_assert(kDurableMarkSize == 64);

struct DurableMark {
  FileOffset durable_end;  // every byte of the segment file below it was synced
  SeqNo next_seq;          // every record below it was synced
};
// Appends one encoded mark (kDurableMarkSize bytes) to *dst.
void EncodeDurableMark(const DurableMark& m, ByteBuffer* dst);
// `batch` is a whole batch ReadBatch accepted with h.type == kBatchTypeDurableMark. Corruption
// when its fields are not a mark's (checksummed bytes, so only a writer bug gets here).
Status DecodeDurableMark(const BatchHeader& h, ByteView batch, DurableMark* m);

// Resynchronising after a bad batch: format version 1 has no batch magic, so later batches are
// found by trying each offset. Looks in image[from, image.size()) for the first offset where a
// batch of a type this build knows (data or durable mark) starts and ReadBatch accepts it; cheap
// filters (length in range, known type and flags, zero reserved fields, a data batch's base_seq
// at least `min_seq`) come before the checksum, and runs of zero bytes are skipped a word at a
// time. Only offsets below `limit` are tried; the batch may extend past it. True with *at and
// *h set; false when none. A false match needs a 64-bit checksum collision on bytes that pass
// every filter.
bool FindNextBatch(ByteView image, uint64_t from, uint64_t limit, SeqNo min_seq, uint64_t* at,
                   BatchHeader* h);

// Offset just after the last nonzero byte of image[from, image.size()), or `from` when all of it
// is zero (or from >= size).
uint64_t EndOfNonZero(ByteView image, uint64_t from);

// Walks the records of one batch. The views it returns point into `batch` (uncompressed) or
// into `*scratch` (decompressed), and stay valid while those do (and `*scratch` is not reused).
// The cursor copies what it needs from `h`; `h` need not outlive it. Not thread-safe.
class RecordCursor {
 public:
  // `batch` is the whole batch (header included) as verified by ReadBatch.
  // REQUIRES: h.type == kBatchTypeData (else InvalidArgument), batch.size() >= h.length.
  // Corruption when a compressed payload does not decompress to exactly h.payload_size bytes.
  Status Init(const BatchHeader& h, ByteView batch, ByteBuffer* scratch);
  // OK with *r filled; NoMore after the last record; Corruption on a malformed record (bad
  // varint, a length past the payload, seq_delta not 0 first / strictly increasing after, a last
  // delta != h.last_seq_delta, bytes after the last record). After Corruption it stays Corruption.
  Status Next(RecordView* r);
  // Appends to *out up to `max` records, as that many Next() calls would return them, in one
  // tight loop; stops early at the batch's end or before a malformed record (which the next
  // Next() then reports). Returns how many it appended.
  size_t NextMany(size_t max, std::vector<RecordView>* out);
  uint32_t remaining() const { return remaining_; }

 private:
  // Parses the next record into *r and advances, or returns what is wrong (nothing changed).
  // REQUIRES: remaining_ > 0.
  const char* Parse(RecordView* r);

  SeqNo base_seq_;
  TimestampMs first_ts_;
  uint32_t last_seq_delta_ = 0;
  const uint8_t* p_ = nullptr;
  const uint8_t* limit_ = nullptr;
  uint32_t remaining_ = 0;
  uint64_t prev_delta_ = 0;
  bool first_ = true;
  bool corrupt_ = false;
};

// ---- segment trailer ----
inline constexpr uint64_t kTrailerMagic = 0x314C525453474553ull;  // "SEGSTRL1"
inline constexpr size_t kSegmentTrailerSize = 8 + 8 + 8 + 8 + 8 + 8 + 8;
static_assert(kSegmentTrailerSize == 56);

struct SegmentTrailer {
  uint64_t record_count = 0;  // records present (<= last_seq - base_seq + 1)
  SeqNo last_seq;             // last sequence number covered (the next segment starts after it)
  TimestampMs first_ts;       // of the records present; with none, the replaced segment's
  TimestampMs max_ts;
  FileOffset data_end;  // where the trailer starts
};

void EncodeSegmentTrailer(const SegmentTrailer& t, uint8_t* out);
// Corruption on short input, wrong magic or checksum.
Status DecodeSegmentTrailer(ByteView in, SegmentTrailer* t);

// ---- sparse index ----
inline constexpr uint64_t kIndexMagic = 0x3158444953474553ull;  // "SEGSIDX1"
inline constexpr size_t kIndexHeaderSize = 8 + 4 + 4 + 8 + 8 + 8;
inline constexpr size_t kIndexEntrySize = 8 + 8 + 8;
static_assert(kIndexHeaderSize == 40);

// Points at the batch at `offset`, whose first record has sequence `seq`. `ts` is a timestamp
// for searching by time; entries must be non-decreasing in it (DecodeIndex checks). Record
// timestamps may go backwards, so a writer cannot store the raw first_ts: it stores a running
// maximum, e.g. the largest timestamp of any record before the batch (so that every record
// before entry i is at most entries[i].ts), or first_ts for the first entry.
struct IndexEntry {
  SeqNo seq;
  FileOffset offset;
  TimestampMs ts;
  friend bool operator==(const IndexEntry&, const IndexEntry&) = default;
};

struct IndexInfo {
  SeqNo base_seq;        // of the segment it indexes
  FileOffset data_end;   // of the segment it indexes (a mismatch means: rebuild)
};

ByteBuffer EncodeIndex(const IndexInfo& info, std::span<const IndexEntry> entries);
// Corruption on a size other than 48 + 24 * entry_count, bad magic, checksum, a nonzero reserved
// field, or entries not strictly increasing in seq and offset or decreasing in ts; NotSupported
// on a version newer than kFormatVersion.
Status DecodeIndex(ByteView in, IndexInfo* info, std::vector<IndexEntry>* entries);

// The one rule for a segment whose header is bad (SPEC.md 13.3), used by recovery, verify,
// inspect and repair alike: a writer appends to a segment only after its header is synced, so
// when the newest segment of a log has a bad header (Corruption, not a newer version) and no
// whole batch follows the header, its creation never finished - it holds no data, and recovery
// removes it. Any other bad header is corruption. `first_batch_ok`: a whole, valid batch
// starts right after the header's space.
inline bool CreationNeverFinished(const Status& header_status, bool newest, bool first_batch_ok) {
  return newest && header_status.code() == StatusCode::kCorruption && !first_batch_ok;
}

}  // namespace seglog::format
