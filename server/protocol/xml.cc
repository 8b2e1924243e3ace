#include "server/protocol/xml.h"

#include <cstdint>

namespace seglog::server::protocol {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the well-formed UTF-8 sequence at s[i] (2-4 bytes) whose code point XML 1.0
// may carry, else 0.
size_t ValidMultiByte(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    n = 1, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 2, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 3, cp = c & 0x07;
  } else {
    return 0;
  }
  if (s.size() - i <= n) return 0;
  for (size_t k = 1; k <= n; ++k) {
    const auto d = static_cast<unsigned char>(s[i + k]);
    if ((d & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (d & 0x3F);
  }
  if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
      cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) {
    return 0;
  }
  return n + 1;
}

}  // namespace

void AppendXmlEscaped(std::string* out, std::string_view text) {
  out->reserve(out->size() + text.size());
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const size_t n = ValidMultiByte(text, i);
      if (n == 0) {
        out->append(kReplacement);
        ++i;
      } else {
        out->append(text.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '&': out->append("&amp;"); break;
      case '<': out->append("&lt;"); break;
      case '>': out->append("&gt;"); break;
      // Text nodes only (seglog writes no attribute values from data): quotes stay as they
      // are, so an answer is at most 5 bytes per input byte ('&' -> "&amp;"), not 6.
      case '\r': out->append("&#xD;"); break;
      case '\t':
      case '\n': out->push_back(c); break;
      default:
        if (u < 0x20) {
          out->append(kReplacement);
        } else {
          out->push_back(c);
        }
    }
    ++i;
  }
}

void AppendXmlElement(std::string* out, std::string_view name, std::string_view text) {
  out->push_back('<');
  out->append(name);
  out->push_back('>');
  AppendXmlEscaped(out, text);
  out->append("</");
  out->append(name);
  out->push_back('>');
}

}  // namespace seglog::server::protocol
