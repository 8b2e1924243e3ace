// Reading and judging subscription cursor files (format/topic_format.h), read-only; see
// engine/inspect/inspect_topics.h.
#include <cinttypes>
#include <algorithm>
#include <cstdio>
#include <memory>

#include "engine/inspect/inspect_topics.h"
#include "engine/inspect/segment_reader.h"
#include "format/coding.h"
#include "io/file_util.h"

namespace seglog {

namespace {

using State = CursorSlotReport::State;

std::string Hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%016" PRIx64, v);
  return buf;
}

// Slot i of `file`, judged as the engine's reader would (DecodeCursorFile), with the reason.
CursorSlotReport JudgeSlot(ByteView file, size_t i, uint64_t sub_key) {
  CursorSlotReport r;
  if (file.size() < (i + 1) * format::kCursorSlotBytes) return r;  // kMissing
  const uint8_t* b = file.data() + i * format::kCursorSlotBytes;
  bool zeros = true;
  for (size_t k = 0; k < format::kCursorSlotBytes; ++k) zeros = zeros && b[k] == 0;
  if (zeros) {
    r.state = State::kEmpty;
    return r;
  }
  r.slot = format::CursorSlot{format::DecodeFixed64(b + 8), format::DecodeFixed64(b + 16),
                              format::DecodeFixed64(b + 24), format::DecodeFixed64(b + 32)};
  r.state = State::kInvalid;
  const uint32_t magic = format::DecodeFixed32(b), version = format::DecodeFixed32(b + 4);
  if (magic != format::kCursorMagic) {
    r.why = "bad magic " + Hex(magic);
  } else if (version != format::kCursorVersion) {
    r.why = "version " + std::to_string(version) + " (this build reads " +
            std::to_string(format::kCursorVersion) + ")";
  } else if (format::DecodeFixed64(b + 40) != format::Checksum(ByteView(b, 40))) {
    r.why = "checksum mismatch";
  } else if (r.slot.sub_key != sub_key) {
    r.why = "written for subscription key " + Hex(r.slot.sub_key) + ", not " + Hex(sub_key);
  } else if (format::CursorSlotOffset(r.slot.generation) != i * format::kCursorSlotBytes) {
    r.why = "generation " + std::to_string(r.slot.generation) + " belongs in slot " +
            std::to_string(r.slot.generation % 2);
  } else {
    r.state = State::kValid;
  }
  return r;
}

std::string SlotText(const CursorSlotReport& s) {
  switch (s.state) {
    case State::kMissing: return "missing (the file ends before it)";
    case State::kEmpty: return "never written (zeros)";
    case State::kInvalid: return "invalid (" + s.why + ")";
    case State::kValid:
      return "generation " + std::to_string(s.slot.generation) + ", next seq " +
             std::to_string(s.slot.next_seq);
  }
  return "?";
}

}  // namespace

std::string_view CursorSlotStateName(CursorSlotReport::State s) {
  switch (s) {
    case State::kMissing: return "missing";
    case State::kEmpty: return "empty";
    case State::kValid: return "valid";
    case State::kInvalid: return "invalid";
  }
  return "unknown";
}

void ReadCursorFile(const std::string& path, uint64_t sub_key, CursorReport* out) {
  *out = CursorReport();
  out->path = path;
  std::unique_ptr<inspect_internal::ReadOnlyFile> f;
  Status s = inspect_internal::ReadOnlyFile::Open(path, &f);
  if (s.code() == StatusCode::kNotFound) return;
  out->exists = true;
  ByteBuffer bytes;
  // One read of the file (bounded: a cursor file is 96 bytes; one more shows trailing bytes).
  if (s.ok()) s = f->Read(0, format::kCursorFileBytes + 1, &bytes);
  if (!s.ok()) {
    out->read_error = s.ToString();
    return;
  }
  out->file_bytes = f->size();
  for (size_t i = 0; i < 2; ++i) out->slots[i] = JudgeSlot(bytes, i, sub_key);
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()),
                              std::min(bytes.size(), format::kCursorFileBytes));
  out->cursor = format::DecodeCursorFile(text, sub_key);
  if (out->cursor) out->current_slot = out->cursor->generation % 2;
}

std::vector<std::pair<bool, std::string>> JudgeCursorFile(const CursorReport& c) {
  std::vector<std::pair<bool, std::string>> out;
  if (!c.read_error.empty()) {
    out.emplace_back(true, "cannot read the cursor file: " + c.read_error);
    return out;
  }
  if (!c.exists) return out;
  if (c.file_bytes > format::kCursorFileBytes) {
    out.emplace_back(false, std::to_string(c.file_bytes) + " bytes, a cursor file has " +
                                std::to_string(format::kCursorFileBytes) +
                                " (the bytes after them are ignored)");
  }
  if (!c.cursor) {
    out.emplace_back(true, "no valid slot: the subscription's cursor is lost (slot 0: " +
                               SlotText(c.slots[0]) + "; slot 1: " + SlotText(c.slots[1]) + ")");
    return out;
  }
  const size_t cur = *c.current_slot, other = 1 - cur;
  const CursorSlotReport& o = c.slots[other];
  if (o.state == State::kInvalid) {
    out.emplace_back(false, "slot " + std::to_string(other) + " " + SlotText(o) +
                                ": a torn write or damage; the cursor is slot " +
                                std::to_string(cur) + " (" + SlotText(c.slots[cur]) + ")");
  }
  if (o.state == State::kValid && o.slot.next_seq > c.cursor->next_seq) {
    out.emplace_back(false, "the cursor went backwards: slot " + std::to_string(cur) + " (" +
                                SlotText(c.slots[cur]) + ") is below slot " +
                                std::to_string(other) + " (" + SlotText(o) +
                                "): a reopen clamped it to a topic log that lost its unsynced "
                                "tail (or the file is damaged)");
  }
  return out;
}

Status ListCursorFiles(const std::string& log_dir, std::map<uint64_t, std::string>* out) {
  out->clear();
  std::vector<std::string> names;
  SEGLOG_RETURN_IF_ERROR(io::ListDir(log_dir, &names));
  for (const std::string& n : names) {
    // "sub-" 16 lower-case hex ".cursor", exactly as format::CursorFileName writes it.
    if (n.size() != 4 + 16 + 7 || n.compare(0, 4, "sub-") != 0 ||
        n.compare(20, 7, ".cursor") != 0) {
      continue;
    }
    uint64_t key = 0;
    bool hex = true;
    for (size_t i = 4; i < 20 && hex; ++i) {
      const char ch = n[i];
      hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
      key = key * 16 + static_cast<uint64_t>(ch <= '9' ? ch - '0' : ch - 'a' + 10);
    }
    if (hex && n == format::CursorFileName(key)) (*out)[key] = log_dir + "/" + n;
  }
  return Status::OK();
}

}  // namespace seglog
