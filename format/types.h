// The format room (README "Architecture"): every byte layout seglog writes - segments and
// batches, the catalog, indexes, checkpoints, queue records, delete snapshots - with its encode
// and decode, and the rules that read them (the unsealed tail's, the journal's replay): pure
// functions over byte spans, no I/O, no clock, no threads. It uses nothing else of seglog;
// everything else uses it.
//
// This header: strong types for the numbers seglog juggles: a sequence number, a file offset and a timestamp
// are not interchangeable, and the compiler should say so (after Redpanda's model/fundamental.h).
#pragma once

#include <compare>
#include <cstdint>
#include <span>
#include <vector>

namespace seglog {

template <class Tag, class T>
class Strong {
 public:
  using value_type = T;
  constexpr Strong() = default;
  constexpr explicit Strong(T v) : v_(v) {}
  constexpr T value() const { return v_; }
  friend constexpr auto operator<=>(Strong, Strong) = default;
  friend constexpr bool operator==(Strong, Strong) = default;
  constexpr Strong operator+(T d) const { return Strong(v_ + d); }
  constexpr Strong operator-(T d) const { return Strong(v_ - d); }
  constexpr T operator-(Strong o) const { return v_ - o.v_; }
  constexpr Strong& operator+=(T d) { v_ += d; return *this; }

 private:
  T v_{};
};

// Position of a record in its log: 0, 1, 2, ... strictly increasing, no gaps on append.
using SeqNo = Strong<struct SeqNoTag, uint64_t>;
// Byte position inside one file.
using FileOffset = Strong<struct FileOffsetTag, uint64_t>;
// Milliseconds since the Unix epoch.
using TimestampMs = Strong<struct TimestampMsTag, int64_t>;

using ByteView = std::span<const uint8_t>;
using ByteBuffer = std::vector<uint8_t>;

// One record as read back. The views point into a mapping or a decompression buffer; who hands
// out a RecordView says how long they stay valid.
struct RecordView {
  SeqNo seq;
  TimestampMs ts;
  ByteView key;
  ByteView value;
  ByteView attrs;
};

}  // namespace seglog
