// LogIterator: reads one Log in sequence order, zero-copy over its mapped segments.
//
// Lifetime: made by Log::NewIterator / NewIteratorAtTime; must be destroyed before its Log.
// Concurrency: not thread-safe, one per reader; runs concurrently with the log's writer,
// retention and compaction (it sees a batch only once the log published it, and moves on from
// a segment that retention removed or compaction replaced). Durability: reads only what is
// published (written; under kAlways also synced).
#pragma once

#include <memory>
#include <vector>

#include "engine/log/segment.h"
#include "format/segment_format.h"
#include "format/status.h"
#include "format/types.h"
#include "io/mmap.h"

namespace seglog {

class Log;

// Reads a log in sequence order. Not thread-safe; one per reader.
// The views in a returned RecordView stay valid until the next call to Next() or the
// iterator's destruction (the segment stays mapped meanwhile, even if retention removes it).
class LogIterator {
 public:
  // OK with *r filled; NoMore when caught up (a later call sees later appends); Corruption
  // naming file and offset on a bad batch.
  Status Next(RecordView* r);
  // Like Next, but the views of every record returned by NextRetaining since the last Next()
  // or ReleaseHeld() stay valid too (their mappings and buffers are held): for returning
  // a batch of records at once.
  Status NextRetaining(RecordView* r);
  void ReleaseHeld();
  // Gives back `r`, the record just returned: the next call returns it again (its views stay
  // valid until then). For callers that read one record too many.
  void Unget(const RecordView& r);
  // NextRetaining in bulk: appends to *out up to `max_records` (>= 1) records: the one
  // NextRetaining would return and, in one go, those after it in the same batch. OK with at
  // least one appended; else what NextRetaining returns, with nothing appended. A malformed
  // record ends the run early; the next call reports it.
  Status NextRetainingMany(size_t max_records, std::vector<RecordView>* out);
  // Goes back to `r`, one of the records the last NextRetainingMany appended: the next call
  // returns it and those after it again (their views stay valid until then).
  void Rewind(const RecordView& r);
  // Sequence number the next record will have at least.
  SeqNo position() const { return next_; }

 private:
  friend class Log;
  LogIterator(Log* log, SeqNo from) : log_(log), next_(from) {}
  Status Position();  // finds the segment and batch for next_
  Status Step(RecordView* r);
  void DropMap();  // lets go of map_, or holds it while retaining

  Log* log_;
  SeqNo next_;
  std::shared_ptr<Segment> seg_;
  std::shared_ptr<const io::MappedFile> map_;
  uint64_t off_ = 0;  // next batch in seg_
  format::BatchHeader batch_;
  format::RecordCursor cursor_;
  bool in_batch_ = false;
  ByteBuffer scratch_;
  bool scratch_busy_ = false;  // scratch_ holds the current (compressed) batch's records
  bool retaining_ = false;
  bool has_unget_ = false;
  Status sticky_;  // a bad batch: reported by every later call
  RecordView unget_;
  // Where the last NextRetainingMany's bulk run started, for Rewind: the cursor just after its
  // first record, and that record's sequence number.
  format::RecordCursor mark_;
  bool mark_in_batch_ = false;
  SeqNo mark_seq_;
  std::vector<std::shared_ptr<const io::MappedFile>> held_maps_;
  std::vector<ByteBuffer> held_scratch_;
};

}  // namespace seglog
