// A bounds-checked reader over encoded bytes (format/coding.h's varints): what the record
// headers' decoders (queue_format.cc, topic_format.cc) read fields with. Every call returns false
// instead of reading past the end; views point into the input.
#pragma once

#include <cstdint>
#include <string_view>

#include "format/coding.h"
#include "format/types.h"

namespace seglog::format {

class ByteReader {
 public:
  explicit ByteReader(ByteView in) : p_(in.data()), end_(in.data() + in.size()) {}
  bool Byte(uint8_t* v) {
    if (p_ == end_) return false;
    *v = *p_++;
    return true;
  }
  bool Varint(uint64_t* v) {
    const uint8_t* q = GetVarint64(p_, end_, v);
    if (q == nullptr) return false;
    p_ = q;
    return true;
  }
  // A length-prefixed (varint) run of bytes.
  bool Bytes(ByteView* v) {
    uint64_t n = 0;
    if (!Varint(&n) || n > static_cast<uint64_t>(end_ - p_)) return false;
    *v = ByteView(p_, n);
    p_ += n;
    return true;
  }
  bool Bytes(std::string_view* v) {
    ByteView b;
    if (!Bytes(&b)) return false;
    *v = std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
    return true;
  }
  bool done() const { return p_ == end_; }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

}  // namespace seglog::format
