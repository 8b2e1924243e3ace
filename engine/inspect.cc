// InspectStore, DumpRecords and the formatting helpers (VerifyStore is in verify.cc).
#include "engine/inspect.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <optional>

#include "engine/segment.h"
#include "engine/segment_reader.h"
#include "io/file_util.h"

namespace seglog {

using format::kSegmentHeaderSize;
using inspect_internal::AtOffset;
using inspect_internal::BatchWalker;
using inspect_internal::ListLogDir;
using inspect_internal::LogDirListing;
using inspect_internal::OpenSegmentFile;
using inspect_internal::SegmentFile;

uint64_t SegmentReport::data_bytes() const {
  return data_end.value() > kSegmentHeaderSize ? data_end.value() - kSegmentHeaderSize : 0;
}

// ---------------------------------------------------------------- inspect

namespace {

// Fills `r` from the trailer (sealed) or by scanning the batches (the last, unsealed one).
void InspectSegment(const std::string& path, SeqNo base, uint64_t log_id, bool last,
                    SegmentReport* r) {
  r->path = path;
  r->base_seq = base;
  r->next_seq = base;
  r->data_end = FileOffset(kSegmentHeaderSize);
  SegmentFile seg;
  Status s = OpenSegmentFile(path, base, log_id, &seg);
  if (s.code() == StatusCode::kNotFound) {
    r->removed = true;
    return;
  }
  if (!s.ok()) {
    r->error = s.ToString();
    return;
  }
  r->file_size = seg.file->size();
  if (!seg.header_status.ok()) {
    if (last && seg.header_status.code() == StatusCode::kCorruption &&
        !inspect_internal::HoldsData(seg)) {
      r->tail = "header incomplete: creation never finished (" +
                seg.header_status.message() + ")";
    } else {
      r->error = "bad segment header: " + seg.header_status.message();
    }
    return;
  }
  if (seg.sealed()) {
    const format::SegmentTrailer& t = *seg.trailer;
    r->sealed = true;
    r->records = t.record_count;
    if (t.record_count > 0) {
      r->next_seq = t.last_seq + 1;
      r->first_ts = t.first_ts;
      r->max_ts = t.max_ts;
    }
    r->data_end = t.data_end;
    return;
  }
  if (!last) {
    r->error = "sealed segment has no valid trailer: " + seg.trailer_status.message();
    return;
  }
  BatchWalker w(seg.file.get(), kSegmentHeaderSize, seg.file->size());
  format::BatchHeader h;
  ByteView batch;
  while ((s = w.Next(&h, &batch)).ok()) {
    r->data_end = FileOffset(w.position());
    ++r->batches;
    if (h.type != format::kBatchTypeData) continue;
    if (r->records == 0) r->first_ts = r->max_ts = h.first_ts;
    r->records += h.record_count;
    r->max_ts = std::max(r->max_ts, h.max_ts);
    r->next_seq = h.last_seq() + 1;
  }
  if (s.code() == StatusCode::kCorruption) {
    r->tail = s.message();
  } else if (!s.IsNoMore()) {
    r->error = AtOffset(path, w.offset(), s.ToString());
  }
}

void SumUp(LogReport* lr) {
  bool any = false;
  for (const SegmentReport& g : lr->segments) {
    lr->file_bytes += g.file_size;
    lr->data_bytes += g.data_bytes();
    lr->records += g.records;
    if (g.records > 0) {
      if (!any) lr->first_ts = lr->max_ts = g.first_ts;
      lr->max_ts = std::max(lr->max_ts, g.max_ts);
      any = true;
    }
  }
  // Segments removed while we looked (retention takes the oldest) no longer count.
  auto first = std::find_if(lr->segments.begin(), lr->segments.end(),
                            [](const SegmentReport& g) { return !g.removed; });
  if (first != lr->segments.end()) {
    lr->first_seq = first->base_seq;
    lr->next_seq = lr->segments.back().next_seq;
  }
}

}  // namespace

Status InspectStore(const std::string& dir, StoreReport* out) {
  *out = StoreReport();
  out->dir = dir;
  format::Catalog catalog;
  SEGLOG_RETURN_IF_ERROR(inspect_internal::ReadCatalog(dir, &catalog));
  out->next_log_id = catalog.next_log_id;
  for (const format::CatalogEntry& e : catalog.logs) {
    LogReport lr;
    lr.name = e.name;
    lr.id = e.log_id;
    lr.props = e.props;
    lr.dir = inspect_internal::LogDirPath(dir, e.log_id);
    LogDirListing files;
    Status s = ListLogDir(lr.dir, &files);
    if (s.code() == StatusCode::kNotFound) {
      lr.dir_missing = true;
    } else {
      SEGLOG_RETURN_IF_ERROR(s);
    }
    size_t i = 0;
    for (const auto& [base, path] : files.segments) {
      SegmentReport r;
      InspectSegment(path, base, e.log_id, ++i == files.segments.size(), &r);
      r.has_index = files.indexes.count(base) != 0;
      lr.segments.push_back(std::move(r));
    }
    SumUp(&lr);
    out->logs.push_back(std::move(lr));
  }
  return Status::OK();
}

Status FindLogDir(const std::string& store_dir, const std::string& name, std::string* dir) {
  format::Catalog catalog;
  SEGLOG_RETURN_IF_ERROR(inspect_internal::ReadCatalog(store_dir, &catalog));
  for (const format::CatalogEntry& e : catalog.logs) {
    if (e.name == name) {
      *dir = inspect_internal::LogDirPath(store_dir, e.log_id);
      return Status::OK();
    }
  }
  return Status::NotFound("no log named '" + name + "' in " + store_dir);
}

// ---------------------------------------------------------------- dump

namespace {

// Where DumpSegment's segment comes from.
enum class Source { kLogDir, kNamedFile };

// Dumps one segment; *left counts down the limit. `base`: from the file's name, when it has a
// segment's name. `last`: the log may end in a torn tail here.
Status DumpSegment(const std::string& path, Source src, std::optional<SeqNo> base, bool last,
                   SeqNo from, uint64_t* left,
                   const std::function<void(const RecordView&)>& fn) {
  SegmentFile seg;
  Status s = OpenSegmentFile(path, base, 0, &seg);
  if (s.code() == StatusCode::kNotFound && src == Source::kLogDir) {
    return Status::OK();  // removed since the directory was listed (retention)
  }
  SEGLOG_RETURN_IF_ERROR(s);
  if (!seg.header_status.ok()) {
    if (!base) {
      return Status::InvalidArgument(path + " is not a segment file (" +
                                     seg.header_status.message() + ")");
    }
    // The log's newest segment, still being created: nothing in it yet.
    if (src == Source::kLogDir && last &&
        seg.header_status.code() == StatusCode::kCorruption && !inspect_internal::HoldsData(seg)) {
      return Status::OK();
    }
    return seg.header_status.WithContext(path + ": bad segment header");
  }
  uint64_t limit = seg.file->size();
  if (seg.sealed()) {
    const format::SegmentTrailer& t = *seg.trailer;
    if (t.record_count > 0 && t.last_seq < from) return Status::OK();
    limit = t.data_end.value();
  } else if (!last) {
    return Status::Corruption(path + ": sealed segment has no valid trailer: " +
                              seg.trailer_status.message());
  }
  BatchWalker w(seg.file.get(), kSegmentHeaderSize, limit);
  format::BatchHeader h;
  ByteView batch;
  ByteBuffer scratch;
  while (*left > 0 && (s = w.Next(&h, &batch)).ok()) {
    if (h.type != format::kBatchTypeData || h.last_seq() < from) continue;
    format::RecordCursor c;
    s = c.Init(h, batch, &scratch);
    RecordView r;
    while (s.ok() && *left > 0 && (s = c.Next(&r)).ok()) {
      if (r.seq < from) continue;
      fn(r);
      --*left;
    }
    if (!s.ok() && !s.IsNoMore()) return Status(s.code(), AtOffset(path, w.offset(), s.message()));
  }
  if (*left == 0 || s.ok()) return Status::OK();
  if (s.IsNoMore()) {
    if (!seg.sealed() || w.offset() >= limit) return Status::OK();
    return Status::Corruption(AtOffset(path, w.offset(), "zeros before the trailer's data end " +
                                                             std::to_string(limit)));
  }
  // A torn tail of the last, unsealed segment is where the log ends.
  if (!seg.sealed() && s.code() == StatusCode::kCorruption) return Status::OK();
  return Status(s.code(), AtOffset(path, w.offset(), s.message()));
}

}  // namespace

Status DumpRecords(const std::string& path, SeqNo from, uint64_t limit,
                   const std::function<void(const RecordView&)>& fn) {
  uint64_t left = limit;
  if (io::IsDirectory(path)) {
    if (io::PathExists(inspect_internal::CatalogPath(path))) {
      return Status::InvalidArgument(path +
                                     " is a store; name a log directory (STORE/logs/<id>) "
                                     "or a segment file");
    }
    LogDirListing files;
    SEGLOG_RETURN_IF_ERROR(ListLogDir(path, &files));
    if (files.segments.empty()) return Status::NotFound("no segment files in " + path);
    size_t i = 0;
    for (const auto& [base, seg_path] : files.segments) {
      const bool last = ++i == files.segments.size();
      SEGLOG_RETURN_IF_ERROR(
          DumpSegment(seg_path, Source::kLogDir, base, last, from, &left, fn));
      if (left == 0) break;
    }
    return Status::OK();
  }
  if (!io::PathExists(path)) return Status::NotFound("no such file or directory: " + path);
  // One segment file. Named like one, it must be one; otherwise its header says what it is.
  const size_t slash = path.rfind('/');
  SeqNo base;
  const bool named =
      ParseSegmentFileName(slash == std::string::npos ? path : path.substr(slash + 1), &base);
  return DumpSegment(path, Source::kNamedFile, named ? std::optional<SeqNo>(base) : std::nullopt,
                     true, from, &left, fn);
}

// ---------------------------------------------------------------- formatting

std::string FormatTimestamp(TimestampMs t) {
  const int64_t ms = t.value();
  int64_t secs = ms / 1000;
  int64_t frac = ms % 1000;
  if (frac < 0) {
    frac += 1000;
    --secs;
  }
  const std::time_t tt = static_cast<std::time_t>(secs);
  std::tm tm{};
  if (gmtime_r(&tt, &tm) == nullptr) return std::to_string(ms) + "ms";
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(frac));
  return buf;
}

BytesPreview PreviewBytes(ByteView b, size_t max_bytes) {
  BytesPreview p;
  p.hex = !std::all_of(b.begin(), b.end(), [](uint8_t c) { return c >= 0x20 && c < 0x7f; });
  const size_t shown = std::min(b.size(), p.hex ? std::max<size_t>(max_bytes / 2, 1) : max_bytes);
  p.truncated = shown < b.size();
  if (p.hex) {
    static constexpr char kDigits[] = "0123456789abcdef";
    p.text.reserve(2 * shown);
    for (size_t i = 0; i < shown; ++i) {
      p.text += kDigits[b[i] >> 4];
      p.text += kDigits[b[i] & 0xf];
    }
  } else {
    p.text.assign(reinterpret_cast<const char*>(b.data()), shown);
  }
  return p;
}

}  // namespace seglog
