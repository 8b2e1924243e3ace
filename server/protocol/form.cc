#include "server/protocol/form.h"

namespace seglog::server::protocol {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

ServiceError Malformed(std::string message) {
  return ServiceError{400, "MalformedQueryString", std::move(message), true};
}

}  // namespace

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '+') {
      out->push_back(' ');
    } else if (c != '%') {
      out->push_back(c);
    } else {
      if (in.size() - i < 3) return false;
      const int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    }
  }
  return true;
}

std::optional<ServiceError> ParseForm(std::string_view text, FormParams* out,
                                      const FormLimits& limits) {
  std::string key, value;
  while (!text.empty()) {
    const size_t amp = text.find('&');
    const std::string_view piece = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (piece.empty()) continue;
    const size_t eq = piece.find('=');
    const std::string_view raw_key = piece.substr(0, eq);
    const std::string_view raw_value =
        eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
    if (raw_key.size() > limits.max_key_bytes * 3) {
      return Malformed("A parameter name is longer than " +
                       std::to_string(limits.max_key_bytes) + " bytes.");
    }
    if (!PercentDecode(raw_key, &key) || !PercentDecode(raw_value, &value)) {
      return Malformed("The request contains a malformed percent-encoding (a '%' not "
                       "followed by two hexadecimal digits).");
    }
    if (key.size() > limits.max_key_bytes) {
      return Malformed("A parameter name is longer than " +
                       std::to_string(limits.max_key_bytes) + " bytes.");
    }
    if (out->size() >= limits.max_params && out->find(key) == out->end()) {
      return Malformed("The request has more than " + std::to_string(limits.max_params) +
                       " parameters.");
    }
    (*out)[key] = value;
  }
  return std::nullopt;
}

}  // namespace seglog::server::protocol
