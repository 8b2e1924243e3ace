// Positions: how far a log's records have got on their way to disk, named once.
//
// A batch moves through these positions, in this order:
//   assigned   its sequence numbers and bytes are taken: encoded, pending or being written;
//   written    in the kernel (written, or copied into the shared mapping): a process crash
//              keeps it, a power loss may not;
//   published  readers may see it: written (kNone, kInterval), or also durable (kAlways);
//   durable    fdatasynced: a power loss keeps it.
// A sequence number counts across the whole log; an offset is a byte offset in the active
// segment, reset when a segment is created or grown. Each position names the first sequence
// number (and offset) *not* yet there: everything below it is.
//
// Durable marks (SPEC.md 8.1): the newest mark written into the active segment says the bytes
// below marked_off are durable. A new mark goes out with the next append whenever
// durable.off > marked_off, so that recovery can tell damage below it from a torn tail.
//
// Always: durable <= written <= assigned (sequence numbers; offsets within one segment), and
// marked_off <= durable.off. published_seq is written.seq or durable.seq as above.
//
// Concurrency: guarded by the log's writer lock (Log::mu_), except published_seq, which
// readers load without it (acquire) and the writer stores (release) only after the bytes
// below it are in place. Durability: none itself; it describes it.
#pragma once

#include <atomic>
#include <cstdint>

#include "format/segment_format.h"
#include "format/types.h"

namespace seglog {

// A sequence number and the offset in the active segment where its batch would start.
struct LogPosition {
  SeqNo seq;
  uint64_t off = 0;
};

struct Positions {
  LogPosition assigned;
  LogPosition written;
  LogPosition durable;
  uint64_t marked_off = 0;
  std::atomic<uint64_t> published_seq{0};

  SeqNo published() const { return SeqNo(published_seq.load(std::memory_order_acquire)); }
  void Publish(SeqNo next) { published_seq.store(next.value(), std::memory_order_release); }

  // A segment was made active with its bytes below `written_end` in the kernel (its header,
  // or what recovery found): nothing in it is claimed durable until this process syncs it.
  void StartSegment(uint64_t written_end) {
    written.off = written_end;
    durable.off = marked_off = format::kSegmentHeaderSize;
  }
};

}  // namespace seglog
