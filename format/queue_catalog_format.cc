#include "format/queue_catalog_format.h"

#include <charconv>

namespace seglog::format {

namespace {


constexpr char kHex[] = "0123456789abcdef";

std::string HexOf(std::string_view s) {
  std::string out;
  out.reserve(2 * s.size());
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    out += kHex[u >> 4];
    out += kHex[u & 15];
  }
  return out;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool Unhex(std::string_view h, std::string* out) {
  if (h.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < h.size(); i += 2) {
    const int hi = HexDigit(h[i]), lo = HexDigit(h[i + 1]);
    if (hi < 0 || lo < 0) return false;
    *out += static_cast<char>(hi * 16 + lo);
  }
  return true;
}

std::string Id16(uint64_t v) {
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[i] = kHex[v & 15];
  return out;
}

bool ParseId16(std::string_view s, uint64_t* v) {
  if (s.size() != 16) return false;
  *v = 0;
  for (char c : s) {
    const int d = HexDigit(c);
    if (d < 0) return false;
    *v = (*v << 4) | static_cast<uint64_t>(d);
  }
  return true;
}

template <typename T>
bool ParseDec(std::string_view s, T* v) {
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *v);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

const char* StatusWord(MoveTaskState s) {
  switch (s) {
    case MoveTaskState::kRunning: return "running";
    case MoveTaskState::kCompleted: return "completed";
    case MoveTaskState::kCancelling: return "cancelling";
    case MoveTaskState::kCancelled: return "cancelled";
    case MoveTaskState::kFailed: return "failed";
  }
  return "?";
}

bool ParseStatusWord(std::string_view w, MoveTaskState* s) {
  for (auto c : {MoveTaskState::kRunning, MoveTaskState::kCompleted,
                 MoveTaskState::kCancelling, MoveTaskState::kCancelled,
                 MoveTaskState::kFailed}) {
    if (w == StatusWord(c)) {
      *s = c;
      return true;
    }
  }
  return false;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const size_t at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s = s.substr(at + 1);
  }
}

// Parses "<decimal>:" at *pos, then takes that many bytes.
bool TakeCounted(std::string_view text, size_t* pos, std::string_view* out) {
  const size_t colon = text.find(':', *pos);
  if (colon == std::string_view::npos || colon == *pos || colon - *pos > 10) return false;
  size_t len = 0;
  const char* b = text.data() + *pos;
  const char* e = text.data() + colon;
  if (*b == '0' && e - b > 1) return false;  // one spelling per number
  auto [p, ec] = std::from_chars(b, e, len);
  if (ec != std::errc() || p != e || len > text.size() - colon - 1) return false;
  *out = text.substr(colon + 1, len);
  *pos = colon + 1 + len;
  return true;
}

}  // namespace

std::string EncodeQueueTags(const TagMap& tags) {
  std::string out;
  for (const auto& kv : tags) {
    out += std::to_string(kv.first.size()) + ":" + kv.first;
    out += std::to_string(kv.second.size()) + ":" + kv.second;
  }
  return out;
}

Status DecodeQueueTags(std::string_view text, TagMap* out) {
  TagMap tags;
  size_t pos = 0;
  while (pos < text.size()) {
    std::string_view key, value;
    if (!TakeCounted(text, &pos, &key) || !TakeCounted(text, &pos, &value)) {
      return Status::Corruption("malformed tags at byte " + std::to_string(pos));
    }
    if (!tags.empty() && key <= std::string_view(tags.rbegin()->first)) {
      return Status::Corruption("tag keys out of order at byte " + std::to_string(pos));
    }
    tags.emplace_hint(tags.end(), std::string(key), std::string(value));
  }
  *out = std::move(tags);
  return Status::OK();
}

std::string EncodeMoveTaskList(const std::vector<MoveTaskEntry>& tasks) {
  std::string out = "1";
  for (const MoveTaskEntry& t : tasks) {
    out += ';';
    out += Id16(t.task_id) + "," + HexOf(t.destination) + "," +
           std::to_string(t.max_per_second) + "," + StatusWord(t.status) + "," +
           std::to_string(t.moved) + "," + std::to_string(t.to_move) + "," + HexOf(t.failure) +
           "," + std::to_string(t.started_ms) + "," + std::to_string(t.bound);
  }
  return out;
}

bool DecodeMoveTaskList(std::string_view text, std::vector<MoveTaskEntry>* tasks) {
  const std::vector<std::string_view> parts = Split(text, ';');
  if (parts[0] != "1") return false;
  std::vector<MoveTaskEntry> out;
  for (size_t i = 1; i < parts.size(); ++i) {
    const std::vector<std::string_view> f = Split(parts[i], ',');
    MoveTaskEntry t;
    if (f.size() != 9 || !ParseId16(f[0], &t.task_id) || !Unhex(f[1], &t.destination) ||
        !ParseDec(f[2], &t.max_per_second) || !ParseStatusWord(f[3], &t.status) ||
        !ParseDec(f[4], &t.moved) || !ParseDec(f[5], &t.to_move) || !Unhex(f[6], &t.failure) ||
        !ParseDec(f[7], &t.started_ms) || !ParseDec(f[8], &t.bound)) {
      return false;
    }
    out.push_back(std::move(t));
  }
  *tasks = std::move(out);
  return true;
}

const char* MoveTaskStateWord(MoveTaskState s) { return StatusWord(s); }

std::string EncodeMoveTaskHandle(std::string_view source, uint64_t task_id) {
  return "mt1." + Id16(task_id) + "." + HexOf(source);
}

bool DecodeMoveTaskHandle(std::string_view handle, std::string* source, uint64_t* task_id) {
  if (handle.size() > 256) return false;
  const std::vector<std::string_view> f = Split(handle, '.');
  std::string name;
  if (f.size() != 3 || f[0] != "mt1" || !ParseId16(f[1], task_id) || !Unhex(f[2], &name)) {
    return false;
  }
  *source = std::move(name);
  return true;
}

}  // namespace seglog::format
