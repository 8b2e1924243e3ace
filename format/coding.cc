#include "format/coding.h"

#include <algorithm>
#include <string>

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include <xxhash.h>

namespace seglog::format {

#if defined(SEGLOG_XXH3_AVX2)
uint64_t ChecksumAvx2(const void* data, size_t n);  // checksum_avx2.cc
#endif

namespace {

using HashFn = uint64_t (*)(const void*, size_t);

uint64_t ChecksumPortable(const void* data, size_t n) { return XXH3_64bits(data, n); }

HashFn PickChecksum() {
#if defined(SEGLOG_XXH3_AVX2)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return ChecksumAvx2;
#endif
  return ChecksumPortable;
}

}  // namespace

uint64_t Checksum(ByteView data) {
  static const HashFn hash = PickChecksum();
  return hash(data.data(), data.size());
}

uint64_t Checksum2(ByteView a, ByteView b) {
  // Small inputs: one contiguous one-shot hash is cheaper than setting up streaming state.
  constexpr size_t kSmall = 256;
  if (a.size() + b.size() <= kSmall) {
    uint8_t buf[kSmall];
    if (!a.empty()) std::memcpy(buf, a.data(), a.size());
    if (!b.empty()) std::memcpy(buf + a.size(), b.data(), b.size());
    return XXH3_64bits(buf, a.size() + b.size());
  }
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  XXH3_64bits_update(&state, a.data(), a.size());
  XXH3_64bits_update(&state, b.data(), b.size());
  return XXH3_64bits_digest(&state);
}

Status CheckFileFrame(ByteView in, uint64_t magic, uint32_t known_version, size_t min_size,
                      std::string_view what, size_t* body_end) {
  const std::string w(what);
  if (in.size() < std::max<size_t>(min_size, 8 + 4 + 4 + 8)) {
    return Status::Corruption(w + " too short");
  }
  const size_t body = in.size() - 8;
  if (DecodeFixed64(in.data()) != magic) return Status::Corruption(w + " has a bad magic number");
  if (Checksum(in.first(body)) != DecodeFixed64(in.data() + body)) {
    return Status::Corruption(w + " checksum mismatch");
  }
  const uint32_t version = DecodeFixed32(in.data() + 8);
  if (version == 0) return Status::Corruption(w + " version 0");
  if (version > known_version) {
    return Status::NotSupported(w + " version " + std::to_string(version) +
                                " is newer than this build understands");
  }
  if (DecodeFixed32(in.data() + 12) != 0) {
    return Status::Corruption(w + " reserved field is not zero");
  }
  *body_end = body;
  return Status::OK();
}

}  // namespace seglog::format
