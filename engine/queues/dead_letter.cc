#include "engine/queues/dead_letter.h"

#include <algorithm>

#include "engine/queues/message_identity.h"

namespace seglog {

namespace {

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsDashAt(size_t i) { return i == 8 || i == 13 || i == 18 || i == 23; }

}  // namespace

bool MessageIdBytes(std::string_view text, std::array<uint8_t, 16>* out) {
  if (text.size() != 36) return false;
  size_t k = 0;
  for (size_t i = 0; i < text.size();) {
    if (IsDashAt(i)) {
      if (text[i] != '-') return false;
      ++i;
      continue;
    }
    const int hi = Hex(text[i]), lo = Hex(text[i + 1]);
    if (hi < 0 || lo < 0 || IsDashAt(i + 1)) return false;
    (*out)[k++] = static_cast<uint8_t>(hi * 16 + lo);
    i += 2;
  }
  return k == 16;
}

std::string MessageIdText(const std::array<uint8_t, 16>& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 15];
  }
  return out;
}

std::string MessageIdOf(const format::QueueMessageHeader& h, uint64_t queue_incarnation,
                        uint64_t id) {
  return h.has_origin ? MessageIdText(h.origin_id) : MessageIdFor(queue_incarnation, id);
}

uint32_t ReportedReceiveCount(const format::QueueMessageHeader& h, uint32_t count_here) {
  if (!h.has_origin) return count_here;
  const uint64_t sum = uint64_t{h.origin_receive_count} + count_here;
  return static_cast<uint32_t>(std::min<uint64_t>(sum, UINT32_MAX));
}

int64_t RetentionStartMs(QueueType type, int64_t record_ts_ms,
                         const format::QueueMessageHeader& h) {
  if (type == QueueType::kStandard && h.has_origin) return std::min(record_ts_ms, h.sent_ms);
  return record_ts_ms;
}

void DeadLetterHeader(QueueType type, const format::QueueMessageHeader& in,
                      std::string_view source, uint64_t incarnation, uint64_t id,
                      uint32_t delivered, int64_t now_ms, std::string* storage,
                      format::QueueMessageHeader* out) {
  *out = in;
  out->attributes.clear();
  out->moved = true;
  out->source = source;
  out->source_id = id;
  out->delay_s = 0;
  if (!in.has_origin) {
    // A first move: the MessageId is derived (MessageIdFor), so its text always parses.
    (void)MessageIdBytes(MessageIdFor(incarnation, id), &out->origin_id);
  }
  out->origin_receive_count = ReportedReceiveCount(in, delivered);
  out->has_origin = true;
  if (type == QueueType::kFifo) {
    out->sent_ms = now_ms;
    *storage = MessageIdText(out->origin_id);
    out->has_dedup_id = true;
    out->dedup_id = *storage;
  }
}

void RedriveHeader(const format::QueueMessageHeader& in, std::string_view dlq, uint64_t id,
                   int64_t now_ms, format::QueueMessageHeader* out) {
  *out = in;
  out->attributes.clear();
  out->moved = true;
  out->source = dlq;
  out->source_id = id;
  out->delay_s = 0;
  out->sent_ms = now_ms;
  out->has_origin = false;
  out->origin_id = {};
  out->origin_receive_count = 0;
}

}  // namespace seglog
