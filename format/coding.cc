#include "format/coding.h"

#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t on the stack
#include <xxhash.h>

namespace seglog::format {

uint64_t Checksum(ByteView data) { return XXH3_64bits(data.data(), data.size()); }

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

}  // namespace seglog::format
