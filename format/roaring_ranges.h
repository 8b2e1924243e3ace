// Range operations on 64-bit roaring bitmaps (CRoaring 0.2.x's Roaring64Map has none that
// stay cheap for large ranges: flip() across 2^32 boundaries misses an id, and a large flip
// materializes whole bitmap containers). Each step covers at most one 2^16-id container, run-
// compressed before it is merged, so memory stays proportional to the result.
#pragma once

#include <algorithm>
#include <cstdint>

#include <roaring/roaring64map.hh>

namespace seglog {

// Roaring64Map::isEmpty() and cardinality() in CRoaring 0.2.66 copy every 2^32-id bucket (their
// lambdas take the map's pairs by a mismatched type): use these instead.
inline bool IsEmpty(const Roaring64Map& bm) {
  return bm.minimum() == UINT64_MAX && !bm.contains(UINT64_MAX);
}
inline uint64_t Cardinality(const Roaring64Map& bm) { return bm.rank(UINT64_MAX); }

namespace bitmap_internal {
// Calls f(chunk) for [lo, hi) split at 2^16 boundaries, chunk holding that part's ids.
template <typename F>
void ForEachChunk(uint64_t lo, uint64_t hi, F f) {
  while (lo < hi) {
    const uint64_t b = std::min<uint64_t>(hi, (lo | 0xFFFFull) + 1);  // the end of lo's 2^16 block
    Roaring64Map chunk;
    if ((b & 0xFFFFFFFFull) == 0) {  // ends on a 2^32 boundary: flip() must stay in one high
      if (b - 1 > lo) chunk.flip(lo, b - 1);
      chunk.add(static_cast<uint64_t>(b - 1));
    } else {
      chunk.flip(lo, b);
    }
    chunk.runOptimize();
    f(chunk);
    lo = b;
  }
}
}  // namespace bitmap_internal

// Adds every id in [lo, hi).
inline void AddRange(Roaring64Map* bm, uint64_t lo, uint64_t hi) {
  bitmap_internal::ForEachChunk(lo, hi, [bm](const Roaring64Map& c) { *bm |= c; });
}

// Removes every id in [lo, hi).
inline void RemoveRange(Roaring64Map* bm, uint64_t lo, uint64_t hi) {
  if (IsEmpty(*bm)) return;
  lo = std::max(lo, bm->minimum());
  hi = std::min(hi, bm->maximum() + 1);
  bitmap_internal::ForEachChunk(lo, hi, [bm](const Roaring64Map& c) { *bm -= c; });
}

}  // namespace seglog
