#include "engine/inspect/segment_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "engine/log/segment.h"
#include "format/coding.h"
#include "format/queue_format.h"
#include "io/file_util.h"

namespace seglog::inspect_internal {

using format::kBatchHeaderSize;
using format::kSegmentHeaderSize;
using format::kSegmentTrailerSize;

namespace {
// Bytes read at a time while walking batches.
constexpr size_t kReadChunk = 4u << 20;

ReadOnlyFile::ReadHook& TestReadHook() {
  static ReadOnlyFile::ReadHook hook;
  return hook;
}
}  // namespace

// ---------------------------------------------------------------- layout

Status ReadCatalog(const std::string& store_dir, format::Catalog* c) {
  const std::string path = CatalogPath(store_dir);
  if (!io::IsDirectory(store_dir) || !io::PathExists(path)) {
    return Status::NotFound("no store at " + store_dir);
  }
  ByteBuffer bytes;
  SEGLOG_RETURN_IF_ERROR(io::ReadFile(path, &bytes));
  return format::DecodeCatalog(bytes, c).WithContext(path);
}

Status ListLogDir(const std::string& dir, LogDirListing* out) {
  *out = LogDirListing();
  std::vector<std::string> names;
  SEGLOG_RETURN_IF_ERROR(io::ListDir(dir, &names));
  for (const std::string& n : names) {
    SeqNo base;
    if (ParseSegmentFileName(n, &base)) {
      out->segments[base] = dir + "/" + n;
    } else if (n.size() > 4 && n.compare(n.size() - 4, 4, ".idx") == 0 &&
               ParseSegmentFileName(n.substr(0, n.size() - 4) + ".seg", &base) &&
               n == IndexFileName(base)) {
      out->indexes[base] = dir + "/" + n;
    }
  }
  return Status::OK();
}

// ---------------------------------------------------------------- queues

LogRole RoleOf(const format::CatalogEntry& e) {
  namespace qp = format::queue_props;
  const std::string* q = format::FindProp(e, qp::kQueue);
  const std::string* part = format::FindProp(e, qp::kPart);
  if (q == nullptr || part == nullptr) return LogRole::kPlain;
  if (*part == qp::kPartMessages) return LogRole::kQueueMessages;
  if (*part == qp::kPartJournal) return LogRole::kQueueJournal;
  return LogRole::kPlain;
}

std::string QueueOf(const format::CatalogEntry& e) {
  if (RoleOf(e) == LogRole::kPlain) return "";
  return *format::FindProp(e, format::queue_props::kQueue);
}

std::vector<QueueLogs> FindQueues(const format::Catalog& c) {
  std::vector<QueueLogs> out;
  for (const format::CatalogEntry& e : c.logs) {
    const LogRole role = RoleOf(e);
    if (role == LogRole::kPlain) continue;
    const std::string name = QueueOf(e);
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const QueueLogs& q) { return q.name == name; });
    if (it == out.end()) {
      out.push_back(QueueLogs{name, nullptr, nullptr});
      it = out.end() - 1;
    }
    (role == LogRole::kQueueMessages ? it->messages : it->journal) = &e;
  }
  return out;
}

// ---------------------------------------------------------------- streams

bool StreamShardOf(const format::CatalogEntry& e, std::string* stream, uint32_t* shard) {
  // The properties engine/streams/stream.cc gives each shard log.
  const std::string* name = format::FindProp(e, "stream");
  if (name == nullptr || !format::ParsePropU32(format::FindProp(e, "shard"), shard)) return false;
  *stream = *name;
  return true;
}

std::vector<StreamLogs> FindStreams(const format::Catalog& c) {
  std::vector<StreamLogs> out;
  for (const format::CatalogEntry& e : c.logs) {
    std::string name;
    uint32_t shard = 0;
    if (!StreamShardOf(e, &name, &shard)) continue;
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const StreamLogs& s) { return s.name == name; });
    if (it == out.end()) {
      out.push_back(StreamLogs{name, {}});
      it = out.end() - 1;
    }
    it->shards[shard] = &e;
  }
  return out;
}

// ---------------------------------------------------------------- files

Status ReadOnlyFile::Open(const std::string& path, std::unique_ptr<ReadOnlyFile>* out) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return Status::FromErrno(errno, "open " + path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status s = Status::FromErrno(errno, "fstat " + path);
    ::close(fd);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + " is not a regular file");
  }
  out->reset(new ReadOnlyFile(path, fd, static_cast<uint64_t>(st.st_size)));
  return Status::OK();
}

ReadOnlyFile::~ReadOnlyFile() { ::close(fd_); }

void ReadOnlyFile::SetReadHookForTesting(ReadHook hook) { TestReadHook() = std::move(hook); }

Status ReadOnlyFile::Read(uint64_t offset, size_t n, ByteBuffer* out) const {
  if (TestReadHook()) TestReadHook()(path_, offset, n);
  out->resize(n);
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd_, out->data() + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0) {
      if (errno == EINTR) continue;
      out->clear();
      return Status::FromErrno(errno, "pread " + path_);
    }
    if (r == 0) break;  // end of file
    got += static_cast<size_t>(r);
  }
  out->resize(got);
  return Status::OK();
}

Status ReadOnlyFile::ReadExact(uint64_t offset, size_t n, ByteBuffer* out) const {
  SEGLOG_RETURN_IF_ERROR(Read(offset, n, out));
  if (out->size() != n) {
    return Status::Corruption("short read of " + path_ + ": " + std::to_string(n) +
                              " bytes at offset " + std::to_string(offset) + ", got " +
                              std::to_string(out->size()));
  }
  return Status::OK();
}

// ---------------------------------------------------------------- batches

Status BatchWalker::Fill(size_t n, ByteView* view) {
  const uint64_t want = std::min<uint64_t>(n, limit_ - pos_);
  const bool have = pos_ >= buf_off_ && pos_ + want <= buf_off_ + buf_.size();
  if (!have) {
    // Read at least a chunk, never past limit_: most batches are far smaller than a chunk.
    const uint64_t len = std::min<uint64_t>(std::max<uint64_t>(want, kReadChunk), limit_ - pos_);
    buf_off_ = pos_;
    SEGLOG_RETURN_IF_ERROR(file_->Read(pos_, static_cast<size_t>(len), &buf_));
  }
  const size_t start = static_cast<size_t>(pos_ - buf_off_);
  const size_t avail = buf_.size() > start ? buf_.size() - start : 0;
  *view = ByteView(buf_.data() + start, std::min<size_t>(avail, static_cast<size_t>(want)));
  return Status::OK();
}

Status BatchWalker::Next(format::BatchHeader* h, ByteView* batch) {
  off_ = pos_;
  if (pos_ >= limit_) return Status::NoMore();
  ByteView v;
  SEGLOG_RETURN_IF_ERROR(Fill(kBatchHeaderSize, &v));
  uint32_t length = 0;
  if (v.size() >= kBatchHeaderSize) {
    // Bring in the whole batch when its length is plausible; ReadBatch refuses the others
    // from the header alone, so a corrupt length never makes us read (or allocate) much.
    length = format::DecodeFixed32(v.data() + 8);
    if (length > kBatchHeaderSize && length <= format::kMaxBatchSize) {
      SEGLOG_RETURN_IF_ERROR(Fill(length, &v));
    }
  }
  Status s = format::ReadBatch(v, h);
  if (s.code() == StatusCode::kCorruption && length >= kBatchHeaderSize &&
      length <= format::kMaxBatchSize && length > v.size()) {
    // Say what a torn write looks like, rather than "bad batch length".
    return Status::Corruption("batch of " + std::to_string(length) + " bytes cut short: " +
                              std::to_string(v.size()) + " bytes left before " +
                              (limit_ < file_->size() ? "the data end" : "the end of the file"));
  }
  SEGLOG_RETURN_IF_ERROR(s);
  *batch = v.first(h->length);
  pos_ += h->length;
  return Status::OK();
}

// ---------------------------------------------------------------- segments

namespace {

// Reads and checks the header (and that it matches the name and the log).
Status ReadHeader(const ReadOnlyFile& f, std::optional<SeqNo> expect_base, uint64_t expect_log_id,
                  format::SegmentHeader* h) {
  ByteBuffer b;
  Status hs = f.ReadExact(0, kSegmentHeaderSize, &b);
  if (hs.ok()) hs = format::DecodeSegmentHeader(b, h);
  if (hs.ok() && expect_base && h->base_seq != *expect_base) {
    hs = Status::Corruption("header says base sequence " + std::to_string(h->base_seq.value()) +
                            ", name says " + std::to_string(expect_base->value()));
  }
  if (hs.ok() && expect_log_id != 0 && h->log_id != expect_log_id) {
    hs = Status::Corruption("header says log " + std::to_string(h->log_id) + ", not " +
                            std::to_string(expect_log_id));
  }
  return hs;
}

}  // namespace

Status OpenSegmentFile(const std::string& path, std::optional<SeqNo> expect_base,
                       uint64_t expect_log_id, SegmentFile* out) {
  *out = SegmentFile();
  SEGLOG_RETURN_IF_ERROR(ReadOnlyFile::Open(path, &out->file));
  const ReadOnlyFile& f = *out->file;

  out->header_status = ReadHeader(f, expect_base, expect_log_id, &out->header);
  if (!out->header_status.ok()) {
    out->holds_data = HoldsData(*out);
    // A writer syncs a new segment's header before it writes a batch: having seen a batch, a
    // second read of the header sees what the writer wrote (a first read may have come before).
    if (out->holds_data) {
      out->header_status = ReadHeader(f, expect_base, expect_log_id, &out->header);
    }
  }
  ByteBuffer b;

  // Sealed iff the last kSegmentTrailerSize bytes are a valid trailer whose data end is
  // exactly where it starts (as Log recovery decides).
  const uint64_t size = f.size();
  if (size < kSegmentHeaderSize + kSegmentTrailerSize) {
    out->trailer_status = Status::Corruption("too short for a sealed segment (" +
                                             std::to_string(size) + " bytes)");
    return Status::OK();
  }
  Status ts = f.ReadExact(size - kSegmentTrailerSize, kSegmentTrailerSize, &b);
  format::SegmentTrailer t;
  if (ts.ok()) {
    out->damaged_trailer = format::DecodeFixed64(b.data()) == format::kTrailerMagic;
    ts = format::DecodeSegmentTrailer(b, &t);
    if (ts.ok() && (t.data_end.value() + kSegmentTrailerSize != size ||
                    t.data_end.value() < kSegmentHeaderSize)) {
      ts = Status::Corruption("trailer's data end " + std::to_string(t.data_end.value()) +
                              " does not match the file size " + std::to_string(size));
    }
  }
  if (ts.ok()) {
    out->damaged_trailer = false;
    out->trailer = t;
  } else {
    out->trailer_status = ts;
  }
  return Status::OK();
}

bool HoldsData(const SegmentFile& seg) {
  BatchWalker w(seg.file.get(), kSegmentHeaderSize, seg.file->size());
  format::BatchHeader h;
  ByteView batch;
  return w.Next(&h, &batch).ok();
}

std::string AtOffset(const std::string& path, uint64_t offset, const std::string& message) {
  return path + " at offset " + std::to_string(offset) + ": " + message;
}

std::string WithoutAt(const std::string& message, const std::string& path, uint64_t offset) {
  const std::string prefix = AtOffset(path, offset, "");
  return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

// ---------------------------------------------------------------- the unsealed segment

namespace {

// Where the file's nonzero bytes end: an active segment is preallocated and mostly zeros, so
// its end is found reading backwards a chunk at a time into one small buffer, only inside the
// file's data regions (io::DataRegions: never-written preallocated space is a hole to
// SEEK_DATA), and only what lies before it is read into the image (a fresh buffer of a whole
// segment costs page faults and zeroing for every page, each time a tool looks).
Status NonZeroEnd(const ReadOnlyFile& file, uint64_t* end) {
  constexpr uint64_t kChunk = 1u << 20;
  std::vector<std::pair<uint64_t, uint64_t>> regions;
  if (!io::DataRegions(file.path(), &regions).ok()) regions = {{0, file.size()}};
  ByteBuffer chunk;
  for (auto r = regions.rbegin(); r != regions.rend(); ++r) {
    uint64_t to = std::min(r->second, file.size());
    while (to > r->first) {
      const uint64_t from = std::max(r->first, to > kChunk ? to - kChunk : 0);
      SEGLOG_RETURN_IF_ERROR(file.Read(from, static_cast<size_t>(to - from), &chunk));
      const uint64_t e = format::EndOfNonZero(chunk, 0);
      if (e > 0) {
        *end = from + e;
        return Status::OK();
      }
      to = from;
    }
  }
  *end = 0;
  return Status::OK();
}

// Bytes read past the last nonzero one: a batch (or mark) may end in zero bytes (a record
// without attrs ends in a zero length).
constexpr uint64_t kZeroSlack = 64u << 10;

// The length a batch header at image[at] claims, when plausible and past the image's end.
uint64_t CutShortEnd(ByteView image, uint64_t at) {
  if (at + kBatchHeaderSize > image.size()) return 0;
  const uint32_t length = format::DecodeFixed32(image.data() + at + 8);
  if (length <= kBatchHeaderSize || length > format::kMaxBatchSize) return 0;
  return at + length > image.size() ? at + length : 0;
}

Status ReadAndScan(const ReadOnlyFile& file, SeqNo base, ActiveScan* out) {
  uint64_t want = file.size();
  if (want > kZeroSlack) {  // else the slack covers the whole file anyway
    SEGLOG_RETURN_IF_ERROR(NonZeroEnd(file, &want));
    want = std::min(file.size(), want + kZeroSlack);
  }
  for (;;) {
    SEGLOG_RETURN_IF_ERROR(file.Read(0, static_cast<size_t>(want), &out->image));
    out->run.clear();
    out->scan = format::ScanUnsealedTail(
        out->image, kSegmentHeaderSize, base, file.path(),
        [out](uint64_t off, const format::BatchHeader& h) { out->run.emplace_back(off, h); });
    // A batch with a long run of zeros at its end may reach past what was read: read it whole.
    const uint64_t need = CutShortEnd(out->image, out->scan.end);
    if (out->scan.stop.ok() || need == 0 || out->image.size() < want || want >= file.size()) {
      break;
    }
    want = std::min(file.size(), need + kZeroSlack);
  }
  // Reading preallocated space cached zero pages, which SEEK_DATA then counts as data: let
  // them go, so that the next look's regions stay tight (as recovery does).
  const uint64_t page_end =
      (std::max(out->scan.dirty_end, out->scan.end) + 4095) & ~uint64_t{4095};
  if (file.size() > kZeroSlack && page_end < file.size()) {
    io::DropCache(file.path(), page_end, file.size() - page_end);
  }
  ++out->reads;
  return Status::OK();
}

}  // namespace

Status ScanActiveSegment(const ReadOnlyFile& file, SeqNo base, ActiveScan* out) {
  *out = ActiveScan();
  SEGLOG_RETURN_IF_ERROR(ReadAndScan(file, base, out));
  uint64_t prev_end = out->scan.end;
  while (out->scan.damaged) {
    if (out->reads >= kMaxActiveReads) {
      // Every read saw damage somewhere else: a writer is still moving; not damage.
      out->scan.damaged = false;
      out->scan.lost_until = out->scan.next_seq;
      break;
    }
    SEGLOG_RETURN_IF_ERROR(ReadAndScan(file, base, out));
    if (out->scan.damaged && out->scan.end == prev_end) break;  // two reads agree: damage
    prev_end = out->scan.end;
  }
  return Status::OK();
}

std::string TailReason(const ActiveScan& a, const std::string& path) {
  const format::TailScan& t = a.scan;
  if (t.stop.ok()) return "";
  const ByteView rest = t.end < a.image.size() ? ByteView(a.image).subspan(t.end) : ByteView();
  if (t.stop.code() == StatusCode::kCorruption && rest.size() >= kBatchHeaderSize) {
    const uint32_t length = format::DecodeFixed32(rest.data() + 8);
    if (length > kBatchHeaderSize && length <= format::kMaxBatchSize && length > rest.size()) {
      return "batch of " + std::to_string(length) + " bytes cut short: " +
             std::to_string(rest.size()) + " bytes left before the end of the file";
    }
  }
  return WithoutAt(t.stop.message(), path, t.end);
}

}  // namespace seglog::inspect_internal
