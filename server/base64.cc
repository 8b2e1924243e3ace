#include "server/base64.h"

#include <array>
#include <cstdint>

namespace seglog::server {
namespace {

constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char kUrl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Encode64(std::string_view in, const char* alphabet, bool pad) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (uint32_t{static_cast<uint8_t>(in[i])} << 16) |
                       (uint32_t{static_cast<uint8_t>(in[i + 1])} << 8) |
                       static_cast<uint8_t>(in[i + 2]);
    out += alphabet[v >> 18];
    out += alphabet[(v >> 12) & 63];
    out += alphabet[(v >> 6) & 63];
    out += alphabet[v & 63];
  }
  const size_t rest = in.size() - i;
  if (rest == 0) return out;
  uint32_t v = uint32_t{static_cast<uint8_t>(in[i])} << 16;
  if (rest == 2) v |= uint32_t{static_cast<uint8_t>(in[i + 1])} << 8;
  out += alphabet[v >> 18];
  out += alphabet[(v >> 12) & 63];
  if (rest == 2) out += alphabet[(v >> 6) & 63];
  if (pad) out.append(rest == 1 ? "==" : "=");
  return out;
}

// Decodes unpadded text (length % 4 != 1). Unused low bits must be zero (canonical).
bool Decode64(std::string_view in, const char* alphabet, std::string* out) {
  if (in.size() % 4 == 1) return false;
  std::array<int, 256> map{};
  map.fill(-1);
  for (int i = 0; i < 64; ++i) map[static_cast<uint8_t>(alphabet[i])] = i;
  out->clear();
  out->reserve(in.size() / 4 * 3 + 2);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = map[static_cast<uint8_t>(c)];
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out->push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return (acc & ((1u << bits) - 1)) == 0;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) { return Encode64(bytes, kStd, true); }

bool Base64Decode(std::string_view text, std::string* out) {
  if (text.size() % 4 != 0) return false;
  size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  return Decode64(text.substr(0, text.size() - pad), kStd, out);
}

std::string Base64UrlEncode(std::string_view bytes) { return Encode64(bytes, kUrl, false); }

bool Base64UrlDecode(std::string_view text, std::string* out) {
  return Decode64(text, kUrl, out);
}

}  // namespace seglog::server
