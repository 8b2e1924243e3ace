// UTF-8 decoding shared by the rooms that check text (stream partition keys, queue bodies and
// attributes). Pure functions: no state, any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace seglog {

// Calls f(code_point) for each code point of `s` in order; false as soon as `s` is not
// well-formed UTF-8 (an overlong form, a surrogate, past U+10FFFF, a bad or missing
// continuation byte) or f returns false; true when all of `s` was decoded and accepted.
template <class F>
bool ForEachCodePoint(std::string_view s, F&& f) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = c;
    if (c < 0x80) {
      n = 0;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    if (!f(cp)) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace seglog
