#include "engine/queues/queue_receipt.h"

#include <array>
#include <cstring>

#include "format/coding.h"
#include "format/types.h"

namespace seglog {

namespace {

constexpr uint64_t kReceiptSaltV1 = 0x7465636569657251ull;  // "Qreceipt"
constexpr uint64_t kReceiptSalt = 0x3270696563657251ull;    // "Qreceip2"
constexpr size_t kCheckOffset = 8 + 4 + 8;

// Lowercase hex: a byte's two digits, and a character's value (16 = not a digit).
constexpr auto kHexPairs = [] {
  std::array<std::array<char, 2>, 256> t{};
  constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < 256; ++i) t[i] = {kHex[i >> 4], kHex[i & 15]};
  return t;
}();
constexpr auto kHexValue = [] {
  std::array<uint8_t, 256> t{};
  for (size_t i = 0; i < 256; ++i) t[i] = 16;
  for (uint8_t i = 0; i < 10; ++i) t['0' + i] = i;
  for (uint8_t i = 0; i < 6; ++i) t['a' + i] = static_cast<uint8_t>(10 + i);
  return t;
}();

uint32_t ReceiptCheck(uint64_t log_id, const uint8_t* b, uint64_t salt = kReceiptSalt) {
  uint8_t k[16];
  format::EncodeFixed64(k, log_id);
  format::EncodeFixed64(k + 8, salt);
  return static_cast<uint32_t>(format::Checksum2(ByteView(k, 16), ByteView(b, kCheckOffset)));
}

}  // namespace

std::string QueueReceipt::Encode(uint64_t log_id) const {
  uint8_t b[kBytes];
  format::EncodeFixed64(b, id);
  format::EncodeFixed32(b + 8, count);
  format::EncodeFixed64(b + 12, static_cast<uint64_t>(received_ms));
  format::EncodeFixed32(b + kCheckOffset, ReceiptCheck(log_id, b));
  std::string s(kChars, '0');
  for (size_t i = 0; i < kBytes; ++i) std::memcpy(&s[2 * i], kHexPairs[b[i]].data(), 2);
  return s;
}

bool QueueReceipt::Decode(std::string_view r, uint64_t log_id, QueueReceipt* out) {
  if (r.size() != kChars) return false;
  uint8_t b[kBytes];
  uint8_t invalid = 0;  // bit 4 of a digit's value: not a lowercase hex digit
  for (size_t i = 0; i < kBytes; ++i) {
    const uint8_t hi = kHexValue[static_cast<unsigned char>(r[2 * i])];
    const uint8_t lo = kHexValue[static_cast<unsigned char>(r[2 * i + 1])];
    invalid |= hi | lo;
    b[i] = static_cast<uint8_t>((hi << 4) | (lo & 15));
  }
  if ((invalid & 16) != 0) return false;
  const uint32_t check = format::DecodeFixed32(b + kCheckOffset);
  QueueReceipt rc;
  rc.id = format::DecodeFixed64(b);
  if (check == ReceiptCheck(log_id, b)) {
    rc.count = format::DecodeFixed32(b + 8);
    rc.received_ms = static_cast<int64_t>(format::DecodeFixed64(b + 12));
  } else if (check == ReceiptCheck(log_id, b, kReceiptSaltV1)) {
    rc.legacy = true;
  } else {
    return false;
  }
  *out = rc;
  return true;
}

}  // namespace seglog
