// SegmentSet: the segments of one log, oldest first, and the lookups over them (by sequence
// number, by time, the one after another), oldest-first removal (retention), replacement of
// one segment by its rewrite (compaction), and the totals Log::Stats reports.
//
// Lifetime: owned by its Log. The set holds one shared_ptr per segment; readers hold more, so a
// segment taken out of the set (removed or replaced) lives on while a reader is inside it.
//
// Concurrency: every method is thread-safe, under the set's own mutex. That mutex is a leaf:
// callers may hold the log's writer lock or its maintenance lock when calling, and the set
// never calls back into the log nor takes another lock of it. The only I/O done under it is
// Segment::Check of sealed segments (two small reads, once per segment), as the lookups that
// need a trailer (by time, removal, totals) must.
//
// Invariants (kept by the Log, not checked here): base sequence numbers strictly increase;
// every segment but the newest is sealed. first_seq() is the base of the oldest segment, or
// what ResetFirstSeq was given while the set is empty.
//
// Durability: none of its own; it only describes files the log created, removes or renames.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "engine/log/segment.h"
#include "format/status.h"
#include "format/types.h"

namespace seglog {

class SegmentSet {
 public:
  SegmentSet() = default;
  SegmentSet(const SegmentSet&) = delete;
  SegmentSet& operator=(const SegmentSet&) = delete;

  // The oldest retained sequence number (acquire; lock-free).
  SeqNo first_seq() const { return SeqNo(first_seq_.load(std::memory_order_acquire)); }
  // Sets first_seq() to the oldest segment's base, or to `when_empty` without one.
  void ResetFirstSeq(SeqNo when_empty);

  // Appends the newest segment. REQUIRES: its base is above every other's.
  void PushBack(std::shared_ptr<Segment> seg);
  // Drops the newest segment (an empty active segment about to be replaced by a larger one).
  void PopBack();
  // The newest segment; nullptr when empty.
  std::shared_ptr<Segment> Newest() const;
  size_t size() const;
  // All segments, oldest first: a snapshot.
  std::vector<std::shared_ptr<Segment>> Snapshot() const;

  // The segment holding `seq`, or the first after it (the oldest when `seq` is below all);
  // nullptr when empty.
  std::shared_ptr<Segment> For(SeqNo seq) const;
  // The segment after `s` (by base sequence); nullptr when `s` is the newest.
  std::shared_ptr<Segment> After(const Segment* s) const;
  // The first segment that may hold a record with timestamp >= t: the active one, one that
  // fails its check (reading it reports the error), or a sealed one whose max_ts >= t.
  std::shared_ptr<Segment> ForTime(TimestampMs t) const;
  // The sealed segment with base `base`, never the newest; nullptr when none.
  std::shared_ptr<Segment> SealedOlderThanNewest(SeqNo base) const;

  // Takes out the oldest sealed segments (never the newest) while expired(segment) holds,
  // checking each first: one that fails its check ends the run, and that error is returned.
  // Removed segments are marked removed (readers move on) and appended to *victims, oldest
  // first; first_seq() moves to the oldest segment left. Deletes no file.
  Status RemoveOldestWhile(const std::function<bool(const Segment&)>& expired,
                           std::vector<std::shared_ptr<Segment>>* victims);
  // Puts `seg` where `old` is (if it still is there) and marks `old` replaced, atomically for
  // lookups: a reader that sees `old` removed finds `seg`.
  void Replace(const std::shared_ptr<Segment>& old, std::shared_ptr<Segment> seg);

  struct Totals {
    size_t segments = 0;
    uint64_t bytes = 0;    // published batch bytes of every segment that passes its check
    TimestampMs first_ts;  // the oldest segment's, when it is sealed and checks; else 0
  };
  Totals GetTotals() const;

 private:
  mutable std::mutex mu_;
  std::deque<std::shared_ptr<Segment>> segments_;  // guarded by mu_
  std::atomic<uint64_t> first_seq_{0};              // stored under mu_
};

}  // namespace seglog
