#include "engine/log/active_segment.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace seglog {

void ActiveSegmentFile::Reset(std::unique_ptr<io::WritableFile> file, uint64_t capacity,
                              uint64_t end, bool map) {
  file_ = std::move(file);
  capacity_ = capacity;
  writeback_off_ = end;
  wmap_.reset();
  if (file_ && map) {
    // NotSupported (no blocks allocated, fault injection, ...) just means writing through the
    // file; a failing mmap too: nothing is lost by not mapping.
    if (!file_->MapForWrites(capacity, &wmap_).ok()) wmap_.reset();
    prefaulted_ = end;
  }
}

void ActiveSegmentFile::MapDeferred(uint64_t end, bool map) {
  map_deferred_ = false;
  if (!file_ || !map) return;
  // Recovery allocated nothing; the blocks of a preallocated segment are there already, so
  // this needs no space. Where it fails, appends are written instead of copied.
  if (!file_->Allocate(capacity_).ok()) return;
  if (!file_->MapForWrites(capacity_, &wmap_).ok()) wmap_.reset();
  prefaulted_ = end;
}

void ActiveSegmentFile::NextWriteback(uint64_t end, uint64_t* from, uint64_t* to) {
  // Under kNone and kInterval nothing syncs the active segment until it is sealed (or, under
  // kInterval, until the next background sync): left alone, the kernel would hold up to a
  // whole segment of dirty pages and the appender that seals it would wait for all of them
  // at once. Asking for writeback every few MiB keeps the disk busy while appends go on and
  // leaves the seal's fdatasync little to wait for.
  constexpr uint64_t kWritebackChunk = 4 << 20;
  if (end >= writeback_off_ + kWritebackChunk) {
    *from = writeback_off_;
    *to = end;
    writeback_off_ = end;
  }
}

void ActiveSegmentFile::CopyIn(uint64_t off, ByteView bytes) {
  const uint64_t n = bytes.size();
  // Fault the next stretch in ahead of the copies, in one call, rather than one page fault
  // per 4 KiB inside them.
  constexpr uint64_t kPrefaultChunk = 1 << 20;
  if (off + n > prefaulted_) {
    const uint64_t to = std::min<uint64_t>(capacity_, std::max(prefaulted_, off) + kPrefaultChunk);
    wmap_->Prefault(std::max(prefaulted_, off), to - std::max(prefaulted_, off));
    prefaulted_ = std::max(to, off + n);
  }
  std::memcpy(wmap_->data() + off, bytes.data(), n);
  uint64_t wb_from = 0, wb_to = 0;
  NextWriteback(off + n, &wb_from, &wb_to);
  if (wb_to > wb_from) {
    wmap_->Release(wb_from, wb_to - wb_from);
    file_->StartWriteback(wb_from, wb_to - wb_from);
  }
}

Status ActiveSegmentFile::SealWithTrailer(uint64_t data_end, ByteView trailer,
                                          bool data_durable) {
  wmap_.reset();  // no store may reach the file once it is cut
  // A valid trailer makes recovery trust the whole segment without reading it (SPEC.md 13.3),
  // so no trailer may reach the disk before the data it ends: a power loss can keep any
  // subset of the pages written since the last fdatasync, the trailer's among them. So the
  // data is synced first (kInterval and kNone; under kAlways it already is).
  if (!data_durable) SEGLOG_RETURN_IF_ERROR(file_->Sync());
  // Then cut the file so that the trailer will end it, write the trailer and sync. A crash
  // before that sync completes leaves a file ending in zeros or in a torn trailer: no valid
  // trailer, so recovery scans it as the unsealed tail, all of whose batches are durable now.
  SEGLOG_RETURN_IF_ERROR(file_->Truncate(data_end + trailer.size()));
  return file_->WriteAndSync(FileOffset(data_end), trailer);
}

void ActiveSegmentFile::Close() {
  wmap_.reset();
  file_.reset();
}

}  // namespace seglog
