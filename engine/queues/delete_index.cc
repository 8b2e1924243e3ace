#include "engine/queues/delete_index.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "format/roaring_ranges.h"
#include "engine/log/log.h"
#include "io/file_util.h"

namespace seglog {

Status DeleteIndex::Open(Log* journal, io::FileSystem* fs, std::unique_ptr<DeleteIndex>* out,
                         SpaceReserve* reserve) {
  if (journal == nullptr || fs == nullptr) return Status::InvalidArgument("no journal");
  std::unique_ptr<DeleteIndex> d(
      new DeleteIndex(journal, fs, journal->dir() + "/" + kDeleteSnapshotFile, reserve));
  SEGLOG_RETURN_IF_ERROR(d->Recover().WithContext("recovering delete index " + d->path_));
  if (reserve != nullptr) reserve->NeedSnapshotRoom(d->SnapshotBound());
  *out = std::move(d);
  return Status::OK();
}

void DeleteIndex::ApplyLocked(const format::JournalRecord& r) {
  format::ApplyJournalRecord(r, &deleted_, &states_);
}

Status DeleteIndex::Recover() {
  SeqNo from(0);
  if (io::PathExists(path_)) {
    ByteBuffer bytes;
    SEGLOG_RETURN_IF_ERROR(io::ReadFile(path_, &bytes));
    format::DeleteSnapshot snap;
    SEGLOG_RETURN_IF_ERROR(format::DecodeDeleteSnapshot(bytes, &snap));
    deleted_ = std::move(snap.deleted);
    states_ = std::move(snap.receive_states);
    from = snap.covered;
  }
  if (journal_->first_seq() > from) {
    return Status::Corruption("the journal starts at " +
                              std::to_string(journal_->first_seq().value()) +
                              " but the snapshot covers only up to " +
                              std::to_string(from.value()));
  }
  std::unique_ptr<LogIterator> it;
  SEGLOG_RETURN_IF_ERROR(journal_->NewIterator(from, &it));
  RecordView r;
  Status s;
  std::lock_guard<std::mutex> l(mu_);
  while ((s = it->Next(&r)).ok()) {
    format::JournalRecord jr;
    SEGLOG_RETURN_IF_ERROR(format::DecodeJournalRecord(r.value, &jr).WithContext(
        "journal record " + std::to_string(r.seq.value())));
    ApplyLocked(jr);
  }
  return s.IsNoMore() ? Status::OK() : s;
}

Status DeleteIndex::Journal(std::span<const format::JournalRecord> records) {
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& r : records) ApplyLocked(r);  // before the journal: see the header
  }
  std::vector<ByteBuffer> values;
  std::vector<Log::Record> recs;
  values.reserve(records.size());
  recs.reserve(records.size());
  for (const auto& r : records) {
    values.push_back(format::EncodeJournalRecord(r));
    recs.push_back(Log::Record{{}, values.back(), {}});
  }
  Status s = journal_->Append(recs);
  if (reserve_ == nullptr) return s;
  if (s.code() == StatusCode::kNoSpace) {
    // The journal could not get a new segment even with the reserve's room: a snapshot frees
    // the segments it covers (and refills the reserve). The change is in memory, so the
    // snapshot may hold it already; journaling it again is harmless (replay is idempotent).
    if (!Snapshot().ok()) return s;
    return journal_->Append(recs);
  }
  if (s.ok() && reserve_->Depleted() && journal_->Stats().segments > 1) {
    // The disk is full and the journal took the reserve's room for its new segment: give the
    // sealed ones back now, before the next roll needs it again. Best effort: the change is
    // journaled already.
    (void)Snapshot();
  }
  return s;
}

Status DeleteIndex::Delete(std::span<const SeqNo> ids) {
  if (ids.empty()) return Status::InvalidArgument("no ids to delete");
  format::JournalRecord jr;
  jr.type = format::kJournalDeletes;
  for (SeqNo id : ids) jr.ids.push_back(id.value());
  std::sort(jr.ids.begin(), jr.ids.end());
  jr.ids.erase(std::unique(jr.ids.begin(), jr.ids.end()), jr.ids.end());
  return Journal(std::span<const format::JournalRecord>(&jr, 1));
}

Status DeleteIndex::DeleteRange(SeqNo lo, SeqNo hi) {
  if (!(lo < hi)) return Status::InvalidArgument("empty delete range");
  format::JournalRecord jr;
  jr.type = format::kJournalDeleteRange;
  jr.lo = lo.value();
  jr.hi = hi.value();
  return Journal(std::span<const format::JournalRecord>(&jr, 1));
}

Status DeleteIndex::SetReceiveStates(
    std::span<const std::pair<SeqNo, format::ReceiveState>> states) {
  if (states.empty()) return Status::OK();
  std::vector<format::JournalRecord> records;
  records.reserve(states.size());
  for (const auto& [id, st] : states) records.push_back(format::ReceiveRecord(id.value(), st));
  return Journal(records);
}

void DeleteIndex::ForgetBelow(SeqNo seq) {
  std::lock_guard<std::mutex> l(mu_);
  RemoveRange(&deleted_, 0, seq.value());
  std::erase_if(states_, [&](const auto& kv) { return kv.first < seq.value(); });
}

uint64_t DeleteIndex::DeletedInRange(SeqNo lo, SeqNo hi) const {
  if (!(lo < hi)) return 0;
  std::lock_guard<std::mutex> l(mu_);
  if (IsEmpty(deleted_)) return 0;
  // rank(x) = ids <= x.
  const uint64_t below_hi = deleted_.rank(hi.value() - 1);
  const uint64_t below_lo = lo.value() == 0 ? 0 : deleted_.rank(lo.value() - 1);
  return below_hi - below_lo;
}

Roaring64Map DeleteIndex::DeletedCopy() const {
  std::lock_guard<std::mutex> l(mu_);
  return deleted_;
}

size_t DeleteIndex::receive_count_entries() const {
  std::lock_guard<std::mutex> l(mu_);
  return states_.size();
}

bool DeleteIndex::IsDeleted(SeqNo id) const {
  std::lock_guard<std::mutex> l(mu_);
  return deleted_.contains(id.value());
}

uint32_t DeleteIndex::ReceiveCount(SeqNo id) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = states_.find(id.value());
  return it == states_.end() ? 0 : it->second.count;
}

format::ReceiveState DeleteIndex::ReceiveStateOf(SeqNo id) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = states_.find(id.value());
  return it == states_.end() ? format::ReceiveState{} : it->second;
}

std::vector<std::pair<uint64_t, format::ReceiveState>> DeleteIndex::InFlightAt(
    int64_t now_ms) const {
  std::vector<std::pair<uint64_t, format::ReceiveState>> out;
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& kv : states_) {
    if (kv.second.visible_ms > now_ms) out.push_back(kv);
  }
  return out;
}

uint64_t DeleteIndex::deleted_count() const {
  std::lock_guard<std::mutex> l(mu_);
  return Cardinality(deleted_);
}

size_t DeleteIndex::bitmap_bytes() const {
  std::lock_guard<std::mutex> l(mu_);
  return deleted_.getSizeInBytes(/*portable=*/true);
}

Status DeleteIndex::Snapshot() {
  std::lock_guard<std::mutex> sl(snapshot_mu_);
  format::DeleteSnapshot snap;
  {
    // Only the copy is made under the lock; encoding and I/O happen outside it.
    std::lock_guard<std::mutex> l(mu_);
    snap.covered = journal_->next_seq();
    snap.deleted = deleted_;
    snap.receive_states = states_;
  }
  // Everything the journal holds below `covered` must be durable before the snapshot claims
  // to cover it (under kNone/kInterval the journal may not have synced it yet).
  SEGLOG_RETURN_IF_ERROR(journal_->Sync());
  const ByteBuffer bytes = format::EncodeDeleteSnapshot(snap);
  SEGLOG_RETURN_IF_ERROR(WriteFileAtomicallyWithReserve(fs_, reserve_, path_, bytes));
  // Only now may the journal forget what the snapshot covers.
  size_t removed = 0;
  Status s = journal_->RemoveSegmentsBefore(snap.covered, &removed);
  if (reserve_ != nullptr) {
    reserve_->NeedSnapshotRoom(bytes.size());
    if (removed > 0) reserve_->Refill();
  }
  return s;
}

uint64_t DeleteIndex::SnapshotBound() const {
  std::lock_guard<std::mutex> l(mu_);
  // The portable 64-bit form holds 8 bytes plus, per chunk, a 4-byte key and the bitmap; the
  // snapshot 8 bytes per chunk instead of 4: at most twice the portable size.
  return 44 + 2 * static_cast<uint64_t>(deleted_.getSizeInBytes(/*portable=*/true)) +
         36 * static_cast<uint64_t>(states_.size());
}

}  // namespace seglog
