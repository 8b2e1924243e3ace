// DeleteIndex: which messages of a queue are deleted, and for each live one that was received
// its receive state (count, latest receive, visibility deadline, first receive) - durable
// beside the queue's message log (issue 4's storage; receive states: issue 14).
//
// Deletes and receive states are written to a journal (a Log of the store, so group commit and
// the durability modes apply) and kept in memory as a roaring bitmap (CRoaring) and a map.
// Snapshot() writes both, from a copy taken under the lock and encoded outside it, to DELETES in
// the journal's directory (replaced atomically), then drops the journal segments it covers.
// Opening loads the newest snapshot and replays the journal after it. Never capped.
//
// Ordering: a change is applied in memory before it is journaled, so a snapshot taken at any
// moment reflects every journal record below the journal position it notes (and perhaps
// changes still being journaled, which replay applies again: replay is idempotent). A change
// whose journal append fails was not acknowledged; it may be in effect until a restart.
//
// Full disk (SPEC.md 13.8): with a SpaceReserve, a journal append that fails for lack of space
// (its journal could not create a segment, even with the reserve's room) writes a snapshot,
// which removes the journal segments it covers, and tries once more; a snapshot that cannot be
// written for lack of space releases room for it from the reserve and tries once more. After
// a snapshot removed segments the reserve is refilled. The reserve is told how large a
// snapshot may grow (NeedSnapshotRoom) at open and after every snapshot.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/log/layout.h"
#include "engine/log/log.h"
#include "engine/log/space_reserve.h"
#include "format/delete_index_format.h"
#include "format/status.h"
#include "format/types.h"
#include "io/file_system.h"

namespace seglog {

class DeleteIndex {
 public:
  // Recovers the index whose journal is `journal` (kept open by the caller, outliving this).
  // Corruption when the snapshot is bad or the journal no longer reaches back to it.
  // `reserve` (optional, not owned, outliving this): the store's, for a full disk.
  static Status Open(Log* journal, io::FileSystem* fs, std::unique_ptr<DeleteIndex>* out,
                     SpaceReserve* reserve = nullptr);

  // Marks messages deleted; returns once journaled under the journal's durability mode.
  // Ids already deleted are fine (idempotent).
  Status Delete(std::span<const SeqNo> ids);
  // Records receive states (a receive, or a visibility change of one): one type-4 journal
  // record each, all in one journal write (one batch: after a crash all of them or none).
  // Applied by format::ApplyJournalRecord's rule: a count never decreases. (A deleted
  // message's state is forgotten: a delete implies it.)
  Status SetReceiveStates(std::span<const std::pair<SeqNo, format::ReceiveState>> states);
  // Marks every id in [lo, hi) deleted (a queue purge). REQUIRES: lo < hi.
  Status DeleteRange(SeqNo lo, SeqNo hi);
  // Forgets, in memory, deletes and counts of ids below `seq`: ids the message log no longer
  // holds (REQUIRES: seq <= the message log's first_seq). Not journaled; the next snapshot
  // is smaller. Journal replay of older records may bring some back, harmlessly.
  void ForgetBelow(SeqNo seq);

  bool IsDeleted(SeqNo id) const;
  uint32_t ReceiveCount(SeqNo id) const;
  // The message's receive state (all zero: never received, or deleted).
  format::ReceiveState ReceiveStateOf(SeqNo id) const;
  // Every message whose journaled visibility deadline is after `now_ms` (not deleted, not
  // forgotten), in no particular order: the messages in flight at a restart.
  std::vector<std::pair<uint64_t, format::ReceiveState>> InFlightAt(int64_t now_ms) const;
  uint64_t deleted_count() const;
  // Deleted ids in [lo, hi).
  uint64_t DeletedInRange(SeqNo lo, SeqNo hi) const;
  // A copy of the deleted ids (for recovery of the queue above).
  Roaring64Map DeletedCopy() const;
  size_t receive_count_entries() const;
  // Bytes of the bitmap in its serialized (portable) form.
  size_t bitmap_bytes() const;

  // Writes a snapshot and removes the journal segments it covers.
  Status Snapshot();
  // An upper bound on the size of a snapshot of the index as it is now (format: 44 bytes of
  // header, count and checksum, each chunk's 8-byte header and bitmap, 36 bytes per state).
  uint64_t SnapshotBound() const;

  const std::string& snapshot_path() const { return path_; }

 private:
  DeleteIndex(Log* journal, io::FileSystem* fs, std::string path, SpaceReserve* reserve)
      : journal_(journal), fs_(fs), path_(std::move(path)), reserve_(reserve) {}
  Status Recover();
  void ApplyLocked(const format::JournalRecord& r);
  Status Journal(std::span<const format::JournalRecord> records);

  Log* const journal_;
  io::FileSystem* const fs_;
  const std::string path_;
  SpaceReserve* const reserve_;
  mutable std::mutex mu_;
  Roaring64Map deleted_;
  format::ReceiveStates states_;
  std::mutex snapshot_mu_;  // one snapshot at a time
};

}  // namespace seglog
