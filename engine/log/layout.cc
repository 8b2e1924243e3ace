#include "engine/log/layout.h"

namespace seglog {

namespace {
constexpr size_t kSeqDigits = 20;
}  // namespace

std::string SegmentFileName(SeqNo base) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020" PRIu64 ".seg", base.value());
  return buf;
}

std::string IndexFileName(SeqNo base) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020" PRIu64 ".idx", base.value());
  return buf;
}

bool ParseSegmentFileName(const std::string& name, SeqNo* base) {
  if (name.size() != kSeqDigits + 4 || name.compare(kSeqDigits, 4, ".seg") != 0) return false;
  uint64_t v = 0;
  for (size_t i = 0; i < kSeqDigits; ++i) {
    char c = name[i];
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  *base = SeqNo(v);
  return true;
}

}  // namespace seglog
