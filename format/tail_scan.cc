#include "format/tail_scan.h"

#include <algorithm>
#include <string>

namespace seglog::format {

namespace {

std::string At(const std::string& path, uint64_t off) {
  return path + " at offset " + std::to_string(off);
}

// Takes a mark into the scan if it is newer than the one held.
void NoteMark(const BatchHeader& h, ByteView batch, TailScan* t) {
  DurableMark m;
  if (!DecodeDurableMark(h, batch, &m).ok()) return;
  if (!t->has_mark || m.durable_end > t->mark.durable_end) {
    t->mark = m;
    t->has_mark = true;
  }
}

// After the last nonzero byte at or after `from`, reading only the ranges that may hold data.
uint64_t DirtyEnd(ByteView image, uint64_t from, const DataRanges* data) {
  if (data == nullptr) return EndOfNonZero(image, from);
  uint64_t end = from;
  for (const auto& [b, e] : *data) {
    const uint64_t lo = std::max(b, from), hi = std::min<uint64_t>(e, image.size());
    if (lo >= hi) continue;
    const uint64_t nz = EndOfNonZero(image.subspan(0, hi), lo);  // lo when all zero
    if (nz > lo) end = std::max(end, nz);
  }
  return end;
}

}  // namespace

TailScan ScanUnsealedTail(ByteView image, uint64_t start, SeqNo base, const std::string& path,
                          const std::function<void(uint64_t, const BatchHeader&)>& fn,
                          const DataRanges* data) {
  TailScan t;
  t.next_seq = base;
  uint64_t off = start;
  const uint64_t size = image.size();
  // 1. The run of good batches.
  while (off < size) {
    BatchHeader h;
    Status s = ReadBatch(image.subspan(off), &h);
    if (s.IsNoMore()) break;
    if (s.ok() && h.type == kBatchTypeData && h.base_seq < t.next_seq) {
      s = Status::Corruption("batch sequence " + std::to_string(h.base_seq.value()) +
                             " goes backwards (expected at least " +
                             std::to_string(t.next_seq.value()) + ")");
    }
    if (!s.ok()) {
      t.stop = Status(s.code(), At(path, off) + ": " + s.message());
      break;
    }
    if (h.type == kBatchTypeData) t.next_seq = h.last_seq() + 1;
    if (h.type == kBatchTypeDurableMark) NoteMark(h, image.subspan(off, h.length), &t);
    fn(off, h);
    off += h.length;
  }
  t.end = std::min(off, size);
  t.lost_until = t.next_seq;
  if (t.stop.code() == StatusCode::kNotSupported) return t;
  // 2. What lies after it: nothing but zeros is a clean end.
  t.dirty_end = DirtyEnd(image, t.end, data);
  if (t.dirty_end == t.end) return t;
  // 3. Intact batches after the stop, and the newest mark among them.
  // (A batch may end in zero bytes, past dirty_end: only its start must lie before it.)
  uint64_t at = t.end + 1;
  BatchHeader h;
  SeqNo min_seq = t.next_seq;
  while (FindNextBatch(image, at, t.dirty_end, min_seq, &at, &h)) {
    if (h.type == kBatchTypeDurableMark) {
      NoteMark(h, image.subspan(at, h.length), &t);
      t.lost_until = std::max(t.lost_until, h.base_seq);
    } else {
      t.lost_until = std::max(t.lost_until, h.last_seq() + 1);
      min_seq = h.last_seq() + 1;
    }
    at += h.length;
  }
  if (t.has_mark && t.mark.durable_end.value() > t.end) {
    t.damaged = true;
    // t.stop's message names the file and offset already.
    const std::string what =
        t.stop.ok() ? At(path, t.end) + ": zeros where a batch should be" : t.stop.message();
    t.damage = Status::Corruption(
        what +
        ", below the durable mark at offset " + std::to_string(t.mark.durable_end.value()) +
        ": acknowledged records from sequence " + std::to_string(t.next_seq.value()) +
        " are damaged (run `seglog repair`)");
  } else {
    t.lost_until = t.next_seq;
  }
  return t;
}

}  // namespace seglog::format
