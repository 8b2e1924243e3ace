#include "format/delete_index_format.h"

#include <algorithm>
#include <map>

#include "format/coding.h"
#include "format/roaring_ranges.h"

namespace seglog::format {

namespace {
constexpr size_t kHeaderSize = 8 + 4 + 4 + 8;
}  // namespace

ByteBuffer EncodeDeleteSnapshot(const DeleteSnapshot& s) {
  ByteBuffer out;
  out.reserve(64);
  PutFixed64(&out, kDeleteIndexMagic);
  PutFixed32(&out, kDeleteIndexVersion);
  PutFixed32(&out, 0);
  PutFixed64(&out, s.covered.value());
  // Split the 64-bit set into 32-bit chunks by high half.
  std::map<uint32_t, Roaring> chunks;
  for (auto it = s.deleted.begin(); it != s.deleted.end(); ++it) {
    const uint64_t v = *it;
    chunks[static_cast<uint32_t>(v >> 32)].add(static_cast<uint32_t>(v));
  }
  PutFixed32(&out, static_cast<uint32_t>(chunks.size()));
  for (auto& [high, bm] : chunks) {
    bm.runOptimize();
    const size_t n = bm.getSizeInBytes(/*portable=*/true);
    PutFixed32(&out, high);
    PutFixed32(&out, static_cast<uint32_t>(n));
    const size_t at = out.size();
    out.resize(at + n);
    bm.write(reinterpret_cast<char*>(out.data() + at), /*portable=*/true);
  }
  // Receive states in id order, so that equal states encode to equal bytes.
  std::vector<uint64_t> ids;
  ids.reserve(s.receive_states.size());
  for (const auto& kv : s.receive_states) ids.push_back(kv.first);
  std::sort(ids.begin(), ids.end());
  PutFixed64(&out, ids.size());
  for (uint64_t id : ids) {
    const ReceiveState& st = s.receive_states.at(id);
    PutFixed64(&out, id);
    PutFixed32(&out, st.count);
    PutFixed64(&out, static_cast<uint64_t>(st.received_ms));
    PutFixed64(&out, static_cast<uint64_t>(st.visible_ms));
    PutFixed64(&out, static_cast<uint64_t>(st.first_ms));
  }
  PutFixed64(&out, Checksum(out));
  return out;
}

Status DecodeDeleteSnapshot(ByteView in, DeleteSnapshot* s) {
  size_t body = 0;
  SEGLOG_RETURN_IF_ERROR(CheckFileFrame(in, kDeleteIndexMagic, kDeleteIndexVersion,
                                        kHeaderSize + 4 + 8 + 8, "delete snapshot", &body));
  DeleteSnapshot out;
  out.covered = SeqNo(DecodeFixed64(in.data() + 16));
  size_t p = kHeaderSize;
  const uint32_t chunks = DecodeFixed32(in.data() + p);
  p += 4;
  int64_t prev_high = -1;
  for (uint32_t i = 0; i < chunks; ++i) {
    if (body - p < 8) return Status::Corruption("delete snapshot chunk runs past the end");
    const uint32_t high = DecodeFixed32(in.data() + p);
    const uint32_t n = DecodeFixed32(in.data() + p + 4);
    p += 8;
    if (static_cast<int64_t>(high) <= prev_high) {
      return Status::Corruption("delete snapshot chunks out of order");
    }
    prev_high = high;
    if (body - p < n) return Status::Corruption("delete snapshot chunk runs past the end");
    const char* buf = reinterpret_cast<const char*>(in.data() + p);
    if (roaring_bitmap_portable_deserialize_size(buf, n) != n) {
      return Status::Corruption("delete snapshot chunk is not a valid bitmap");
    }
    Roaring bm = Roaring::readSafe(buf, n);
    for (auto it = bm.begin(); it != bm.end(); ++it) {
      out.deleted.add((static_cast<uint64_t>(high) << 32) | *it);
    }
    p += n;
  }
  if (body - p < 8) return Status::Corruption("delete snapshot counts run past the end");
  const uint64_t entries = DecodeFixed64(in.data() + p);
  p += 8;
  const uint32_t version = DecodeFixed32(in.data() + 8);
  const size_t entry = version >= 2 ? 36 : 12;
  if (entries > (body - p) / entry || (body - p) != entries * entry) {
    return Status::Corruption("delete snapshot receive counts do not fill the file");
  }
  for (uint64_t i = 0; i < entries; ++i) {
    ReceiveState st;
    st.count = DecodeFixed32(in.data() + p + 8);
    if (version >= 2) {
      st.received_ms = static_cast<int64_t>(DecodeFixed64(in.data() + p + 12));
      st.visible_ms = static_cast<int64_t>(DecodeFixed64(in.data() + p + 20));
      st.first_ms = static_cast<int64_t>(DecodeFixed64(in.data() + p + 28));
    }
    out.receive_states[DecodeFixed64(in.data() + p)] = st;
    p += entry;
  }
  *s = std::move(out);
  return Status::OK();
}

ByteBuffer EncodeJournalRecord(const JournalRecord& r) {
  ByteBuffer out;
  out.reserve(1 + kMaxVarint64Bytes * (2 + r.ids.size()));
  out.push_back(r.type);
  if (r.type == kJournalDeletes) {
    PutVarint64(&out, r.ids.size());
    uint64_t prev = 0;
    for (size_t i = 0; i < r.ids.size(); ++i) {
      PutVarint64(&out, i == 0 ? r.ids[0] : r.ids[i] - prev);
      prev = r.ids[i];
    }
  } else if (r.type == kJournalDeleteRange) {
    PutVarint64(&out, r.lo);
    PutVarint64(&out, r.hi);
  } else {
    PutVarint64(&out, r.ids.empty() ? 0 : r.ids[0]);
    PutVarint64(&out, r.count);
    if (r.type == kJournalReceive) {
      PutVarint64(&out, static_cast<uint64_t>(r.received_ms));
      PutVarint64(&out, static_cast<uint64_t>(r.visible_ms - r.received_ms));
      PutVarint64(&out, static_cast<uint64_t>(r.received_ms - r.first_ms));
    }
  }
  return out;
}

Status DecodeJournalRecord(ByteView in, JournalRecord* r) {
  if (in.empty()) return Status::Corruption("empty journal record");
  const uint8_t* p = in.data() + 1;
  const uint8_t* limit = in.data() + in.size();
  JournalRecord out;
  out.type = in[0];
  uint64_t a = 0, b = 0;
  switch (out.type) {
    case kJournalDeletes: {
      if ((p = GetVarint64(p, limit, &a)) == nullptr || a == 0 ||
          a > static_cast<uint64_t>(limit - p)) {
        return Status::Corruption("journal delete record has a bad count");
      }
      uint64_t prev = 0;
      for (uint64_t i = 0; i < a; ++i) {
        if ((p = GetVarint64(p, limit, &b)) == nullptr) {
          return Status::Corruption("journal delete record is cut short");
        }
        if (i > 0 && (b == 0 || prev + b < prev)) {
          return Status::Corruption("journal delete ids are not increasing");
        }
        prev = i == 0 ? b : prev + b;
        out.ids.push_back(prev);
      }
      break;
    }
    case kJournalReceiveCount:
      if ((p = GetVarint64(p, limit, &a)) == nullptr || (p = GetVarint64(p, limit, &b)) == nullptr ||
          b > UINT32_MAX) {
        return Status::Corruption("journal receive-count record is malformed");
      }
      out.ids.push_back(a);
      out.count = static_cast<uint32_t>(b);
      break;
    case kJournalReceive: {
      uint64_t t = 0, vd = 0, fd = 0;
      if ((p = GetVarint64(p, limit, &a)) == nullptr || (p = GetVarint64(p, limit, &b)) == nullptr ||
          (p = GetVarint64(p, limit, &t)) == nullptr || (p = GetVarint64(p, limit, &vd)) == nullptr ||
          (p = GetVarint64(p, limit, &fd)) == nullptr || b == 0 || b > UINT32_MAX ||
          t > static_cast<uint64_t>(INT64_MAX) || vd > static_cast<uint64_t>(INT64_MAX) - t ||
          fd > t) {
        return Status::Corruption("journal receive record is malformed");
      }
      out.ids.push_back(a);
      out.count = static_cast<uint32_t>(b);
      out.received_ms = static_cast<int64_t>(t);
      out.visible_ms = static_cast<int64_t>(t + vd);
      out.first_ms = static_cast<int64_t>(t - fd);
      break;
    }
    case kJournalDeleteRange:
      if ((p = GetVarint64(p, limit, &a)) == nullptr || (p = GetVarint64(p, limit, &b)) == nullptr ||
          a >= b) {
        return Status::Corruption("journal delete-range record is malformed");
      }
      out.lo = a;
      out.hi = b;
      break;
    default:
      return Status::NotSupported("journal record type " + std::to_string(out.type) +
                                  " is unknown to this build");
  }
  if (p != limit) return Status::Corruption("journal record has trailing bytes");
  *r = std::move(out);
  return Status::OK();
}

JournalRecord ReceiveRecord(uint64_t id, const ReceiveState& st) {
  JournalRecord r;
  r.type = kJournalReceive;
  r.ids.push_back(id);
  r.count = st.count;
  r.received_ms = st.received_ms;
  r.visible_ms = st.visible_ms;
  r.first_ms = st.first_ms;
  return r;
}

void ApplyJournalRecord(const JournalRecord& r, Roaring64Map* deleted, ReceiveStates* states) {
  switch (r.type) {
    case kJournalDeletes:
      for (uint64_t id : r.ids) {
        deleted->add(id);
        states->erase(id);
      }
      return;
    case kJournalReceiveCount:
    case kJournalReceive: {
      if (deleted->contains(r.ids[0])) return;
      ReceiveState& st = (*states)[r.ids[0]];
      const bool timed = r.type == kJournalReceive;
      if (r.count > st.count) {
        st.count = r.count;
        st.received_ms = timed ? r.received_ms : 0;
        st.visible_ms = timed ? r.visible_ms : 0;
        st.first_ms = timed ? r.first_ms : 0;
      } else if (timed && r.count == st.count && r.received_ms == st.received_ms) {
        st.visible_ms = r.visible_ms;  // a visibility change of that receive
      }
      return;
    }
    case kJournalDeleteRange:
      AddRange(deleted, r.lo, r.hi);
      std::erase_if(*states,
                    [&](const auto& kv) { return kv.first >= r.lo && kv.first < r.hi; });
      return;
  }
}

}  // namespace seglog::format
