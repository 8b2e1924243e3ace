#include "tools/render.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

namespace seglog::tool {

using nlohmann::json;

namespace {

// ---------------------------------------------------------------- text helpers

std::string Base(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// "1 log", "2 logs".
std::string Count(uint64_t n, const std::string& one, const std::string& many = "") {
  return std::to_string(n) + " " + (n == 1 ? one : many.empty() ? one + "s" : many);
}

std::string TimeOrDash(bool empty, TimestampMs t) { return empty ? "-" : FormatTimestamp(t); }

std::string SeqRange(bool empty, SeqNo first, SeqNo next) {
  if (empty) return "-";
  return std::to_string(first.value()) + ".." + std::to_string(next.value() - 1);
}

// Columns padded to their widest cell; `right[i]` right-aligns column i (numbers).
class Table {
 public:
  Table(std::vector<std::string> header, std::vector<bool> right)
      : right_(std::move(right)) {
    rows_.push_back(std::move(header));
  }
  void Add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // A line under the previous row, not part of the columns.
  void Note(std::string note) { notes_[rows_.size() - 1].push_back(std::move(note)); }

  void Print(std::FILE* out, const char* indent) const {
    std::vector<size_t> w(rows_.front().size(), 0);
    for (const auto& row : rows_) {
      for (size_t i = 0; i < row.size(); ++i) w[i] = std::max(w[i], row[i].size());
    }
    for (size_t r = 0; r < rows_.size(); ++r) {
      std::string line = indent;
      for (size_t i = 0; i < rows_[r].size(); ++i) {
        const std::string& c = rows_[r][i];
        const std::string pad(w[i] - c.size(), ' ');
        if (i > 0) line += "  ";
        line += right_[i] ? pad + c : (i + 1 == rows_[r].size() ? c : c + pad);
      }
      std::fprintf(out, "%s\n", line.c_str());
      if (auto it = notes_.find(r); it != notes_.end()) {
        for (const auto& n : it->second) std::fprintf(out, "%s    %s\n", indent, n.c_str());
      }
    }
  }

 private:
  std::vector<std::vector<std::string>> rows_;
  std::vector<bool> right_;
  std::map<size_t, std::vector<std::string>> notes_;
};

std::string Quoted(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + '"';
}

// "user-1" or 0x00ff12…(300 bytes).
std::string PreviewText(ByteView b) {
  const BytesPreview p = PreviewBytes(b);
  std::string s = p.hex ? "0x" + p.text : Quoted(p.text);
  if (p.truncated) s += "\u2026(" + std::to_string(b.size()) + " bytes)";
  return s;
}

json PreviewJson(ByteView b) {
  const BytesPreview p = PreviewBytes(b);
  return json{{"size", b.size()},
              {"encoding", p.hex ? "hex" : "text"},
              {"data", p.text},
              {"truncated", p.truncated}};
}

json TimeJson(bool empty, TimestampMs t) { return empty ? json(nullptr) : json(t.value()); }
json TimeTextJson(bool empty, TimestampMs t) {
  return empty ? json(nullptr) : json(FormatTimestamp(t));
}
json OrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

}  // namespace

std::string JsonText(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

// ---------------------------------------------------------------- inspect

json StoreReportToJson(const StoreReport& r) {
  json logs = json::array();
  for (const LogReport& l : r.logs) {
    json settings = json::object();
    for (const auto& [k, v] : l.props) settings[k] = v;
    json segments = json::array();
    for (const SegmentReport& g : l.segments) {
      segments.push_back({
          {"file", Base(g.path)},
          {"path", g.path},
          {"base_seq", g.base_seq.value()},
          {"file_size", g.file_size},
          {"data_bytes", g.data_bytes()},
          {"sealed", g.sealed},
          {"records", g.records},
          {"last_seq", g.empty() ? json(nullptr) : json(g.next_seq.value() - 1)},
          {"next_seq", g.next_seq.value()},
          {"first_ts", TimeJson(g.empty(), g.first_ts)},
          {"max_ts", TimeJson(g.empty(), g.max_ts)},
          {"first_time", TimeTextJson(g.empty(), g.first_ts)},
          {"max_time", TimeTextJson(g.empty(), g.max_ts)},
          {"data_end", g.data_end.value()},
          {"has_index", g.has_index},
          {"removed", g.removed},
          {"tail", OrNull(g.tail)},
          {"error", OrNull(g.error)},
      });
    }
    const bool empty = l.records == 0;
    logs.push_back({
        {"name", l.name},
        {"id", l.id},
        {"dir", l.dir},
        {"dir_missing", l.dir_missing},
        {"settings", settings},
        {"segment_count", l.segments.size()},
        {"file_bytes", l.file_bytes},
        {"data_bytes", l.data_bytes},
        {"records", l.records},
        {"first_seq", l.first_seq.value()},
        {"next_seq", l.next_seq.value()},
        {"first_ts", TimeJson(empty, l.first_ts)},
        {"max_ts", TimeJson(empty, l.max_ts)},
        {"first_time", TimeTextJson(empty, l.first_ts)},
        {"max_time", TimeTextJson(empty, l.max_ts)},
        {"segments", segments},
    });
  }
  return json{{"dir", r.dir}, {"next_log_id", r.next_log_id}, {"logs", logs}};
}

void PrintStoreReport(const StoreReport& r, std::FILE* out) {
  std::fprintf(out, "store %s: %s\n", r.dir.c_str(), Count(r.logs.size(), "log").c_str());
  for (const LogReport& l : r.logs) {
    const bool empty = l.records == 0;
    size_t sealed = 0;
    for (const SegmentReport& g : l.segments) sealed += g.sealed ? 1 : 0;
    std::string settings;
    for (const auto& [k, v] : l.props) settings += (settings.empty() ? "" : " ") + k + "=" + v;
    std::fprintf(out, "\nlog %s (id %llu)\n", Quoted(l.name).c_str(),
                 static_cast<unsigned long long>(l.id));
    std::fprintf(out, "  dir       %s%s\n", l.dir.c_str(),
                 l.dir_missing ? "  (missing: log being created or dropped)" : "");
    std::fprintf(out, "  settings  %s\n", settings.c_str());
    std::fprintf(out, "  segments  %zu (%zu sealed), %llu bytes on disk, %llu bytes of batches\n",
                 l.segments.size(), sealed, static_cast<unsigned long long>(l.file_bytes),
                 static_cast<unsigned long long>(l.data_bytes));
    std::fprintf(out, "  records   %llu, seq %s (next %llu)\n",
                 static_cast<unsigned long long>(l.records),
                 SeqRange(empty, l.first_seq, l.next_seq).c_str(),
                 static_cast<unsigned long long>(l.next_seq.value()));
    std::fprintf(out, "  time      %s .. %s\n", TimeOrDash(empty, l.first_ts).c_str(),
                 TimeOrDash(empty, l.max_ts).c_str());
    if (l.segments.empty()) continue;
    Table t({"SEGMENT", "STATE", "FILE BYTES", "RECORDS", "SEQ", "FIRST TS", "MAX TS"},
            {false, false, true, true, false, false, false});
    for (const SegmentReport& g : l.segments) {
      const char* state = g.removed          ? "removed"
                          : !g.error.empty() ? "error"
                          : g.sealed         ? "sealed"
                                             : "active";
      t.Add({Base(g.path), state, std::to_string(g.file_size), std::to_string(g.records),
             SeqRange(g.empty(), g.base_seq, g.next_seq), TimeOrDash(g.empty(), g.first_ts),
             TimeOrDash(g.empty(), g.max_ts)});
      if (!g.tail.empty()) {
        t.Note("tail at offset " + std::to_string(g.data_end.value()) + ": " + g.tail);
      }
      if (!g.error.empty()) t.Note("error: " + g.error);
    }
    std::fprintf(out, "\n");
    t.Print(out, "  ");
  }
}

// ---------------------------------------------------------------- verify

json VerifyReportToJson(const std::string& dir, const VerifyReport& r) {
  json problems = json::array();
  for (const Problem& p : r.problems) {
    problems.push_back({{"severity", SeverityName(p.severity)},
                        {"path", p.path},
                        {"offset", p.offset ? json(p.offset->value()) : json(nullptr)},
                        {"message", p.message}});
  }
  const Problem* first = r.first_error();
  return json{{"dir", dir},
              {"ok", r.ok()},
              {"logs", r.logs},
              {"segments", r.segments},
              {"index_files", r.index_files},
              {"bytes", r.bytes},
              {"batches", r.batches},
              {"records", r.records},
              {"errors", r.count(Severity::kError)},
              {"warnings", r.count(Severity::kWarning)},
              {"first_error", first != nullptr ? json(first->ToString()) : json(nullptr)},
              {"problems", problems}};
}

void PrintVerifyReport(const std::string& dir, const VerifyReport& r, bool quiet,
                       std::FILE* out) {
  if (!quiet) {
    std::fprintf(out, "verified %s: %s, %s, %s, %s, %s, %s\n", dir.c_str(),
                 Count(r.logs, "log").c_str(), Count(r.segments, "segment").c_str(),
                 Count(r.index_files, "index file").c_str(), Count(r.bytes, "byte").c_str(),
                 Count(r.batches, "batch", "batches").c_str(), Count(r.records, "record").c_str());
  }
  for (const Problem& p : r.problems) {
    if (quiet && p.severity != Severity::kError) continue;
    std::fprintf(out, "%-8s %s\n", std::string(SeverityName(p.severity)).c_str(),
                 p.ToString().c_str());
  }
  if (quiet) return;
  const Problem* first = r.first_error();
  if (first == nullptr) {
    std::fprintf(out, "OK: no corruption found (%s)\n",
                 Count(r.count(Severity::kWarning), "warning").c_str());
  } else {
    std::fprintf(out, "CORRUPT: %s; the first: %s\n",
                 Count(r.count(Severity::kError), "error").c_str(), first->ToString().c_str());
  }
}

// ---------------------------------------------------------------- dump

json RecordToJson(const RecordView& r) {
  return json{{"seq", r.seq.value()},
              {"ts", r.ts.value()},
              {"time", FormatTimestamp(r.ts)},
              {"key", PreviewJson(r.key)},
              {"value", PreviewJson(r.value)},
              {"attrs_size", r.attrs.size()}};
}

std::string RecordLine(const RecordView& r) {
  return std::to_string(r.seq.value()) + "  " + FormatTimestamp(r.ts) + "  key " +
         PreviewText(r.key) + "  value " + PreviewText(r.value) + "  attrs " +
         std::to_string(r.attrs.size()) + " bytes";
}

}  // namespace seglog::tool
