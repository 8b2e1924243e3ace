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

ByteView Bytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// "1 id", "2 ids".
std::string Plural(uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// A queue's own settings, not its logs' (those are shown per log).
bool IsQueueProp(const std::string& k) {
  static const char* const kKeys[] = {"queue",          "part",
                                      "type",           "visibility_timeout_s",
                                      "delay_s",        "retention_s",
                                      "max_message_bytes", "receive_wait_s",
                                      "content_based_dedup", "dead_letter_queue",
                                      "max_receive_count", "tags",
                                      "redrive_allow",  "move_tasks"};
  for (const char* q : kKeys) {
    if (k == q) return true;
  }
  return false;
}

}  // namespace

std::string JsonText(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

// ---------------------------------------------------------------- inspect

namespace {

json SegmentJson(const SegmentReport& g) {
  return json{
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
  };
}

json LogJson(const LogReport& l) {
  json settings = json::object();
  for (const auto& [k, v] : l.props) settings[k] = v;
  json segments = json::array();
  for (const SegmentReport& g : l.segments) segments.push_back(SegmentJson(g));
  const bool empty = l.records == 0;
  return json{
      {"name", l.name},
      {"id", l.id},
      {"queue", OrNull(l.queue)},
      {"queue_part", OrNull(l.queue_part)},
      {"topic", OrNull(l.topic)},
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
  };
}

// A queue's settings (null when they do not parse) and its DELETES snapshot (null without one).
json QueueSettingsJson(const QueueReport& q) {
  if (!q.settings_valid) return nullptr;
  const QueueSettings& c = q.settings;
  return json{{"visibility_timeout_s", c.visibility_timeout_s},
              {"delay_s", c.delay_s},
              {"retention_s", c.retention_s},
              {"max_message_bytes", c.max_message_bytes},
              {"receive_wait_s", c.receive_wait_s},
              {"content_based_dedup", c.content_based_dedup},
              {"dead_letter_queue", OrNull(c.dead_letter_queue)},
              {"max_receive_count", c.max_receive_count}};
}
json SnapshotJson(const QueueReport& q) {
  if (!q.snapshot) return nullptr;
  return json{{"path", q.snapshot->path},
              {"file_bytes", q.snapshot->file_bytes},
              {"covered", q.snapshot->covered.value()},
              {"deleted_ids", q.snapshot->deleted_ids},
              {"bitmap_bytes", q.snapshot->bitmap_bytes},
              {"receive_counts", q.snapshot->receive_counts}};
}

json MoveTasksJson(const QueueReport& q) {
  json tasks = json::array();
  for (const format::MoveTaskEntry& t : q.move_tasks) {
    tasks.push_back(json{{"task_id", t.task_id},
                         {"status", format::MoveTaskStateWord(t.status)},
                         {"destination", OrNull(t.destination)},
                         {"max_per_second", t.max_per_second},
                         {"moved", t.moved},
                         {"to_move", t.to_move},
                         {"failure", OrNull(t.failure)},
                         {"started_ts", t.started_ms},
                         {"started_time", FormatTimestamp(TimestampMs(t.started_ms))}});
  }
  return tasks;
}

json QueueJson(const StoreReport& r, const QueueReport& q) {
  const QueueSettings& c = q.settings;
  auto log_json = [&](const std::optional<size_t>& i) {
    if (!i) return json(nullptr);
    const LogReport& l = r.logs[*i];
    return json{{"name", l.name},
                {"id", l.id},
                {"segments", l.segments.size()},
                {"file_bytes", l.file_bytes},
                {"data_bytes", l.data_bytes},
                {"records", l.records}};
  };
  auto counted = [&](uint64_t n) { return q.scanned ? json(n) : json(nullptr); };
  const bool no_oldest = !q.oldest_live.has_value();
  const TimestampMs oldest = q.oldest_live.value_or(TimestampMs(0));
  return json{
      {"name", q.name},
      {"type", q.settings_valid ? json(c.fifo ? "fifo" : "standard") : json(nullptr)},
      {"settings", QueueSettingsJson(q)},
      {"messages_log", log_json(q.messages_log)},
      {"journal_log", log_json(q.journal_log)},
      {"now_ts", q.now.value()},
      {"now_time", FormatTimestamp(q.now)},
      {"scanned", q.scanned},
      {"messages", counted(q.messages)},
      {"live", counted(q.live)},
      {"deleted", counted(q.deleted)},
      {"expired", counted(q.expired)},
      {"delayed", counted(q.delayed)},
      {"malformed", counted(q.malformed)},
      {"oldest_live_ts", TimeJson(no_oldest, oldest)},
      {"oldest_live_time", TimeTextJson(no_oldest, oldest)},
      {"groups", q.scanned && c.fifo ? json(q.groups) : json(nullptr)},
      {"deleted_ids", q.deleted_ids},
      {"bitmap_bytes", q.bitmap_bytes},
      {"receive_counts", q.receive_counts},
      {"in_flight", q.in_flight},
      {"in_flight_earliest_ts", q.in_flight > 0 ? json(q.in_flight_earliest_ms) : json(nullptr)},
      {"in_flight_latest_ts", q.in_flight > 0 ? json(q.in_flight_latest_ms) : json(nullptr)},
      {"journal_records_since_snapshot", q.journal_records},
      {"snapshot", SnapshotJson(q)},
      {"tags", q.tags},
      {"redrive_allow", q.redrive_allow.empty() ? json("allowAll") : json(q.redrive_allow)},
      {"move_tasks", MoveTasksJson(q)},
      {"errors", q.errors},
  };
}

}  // namespace

json StoreReportToJson(const StoreReport& r) {
  json logs = json::array();
  for (const LogReport& l : r.logs) logs.push_back(LogJson(l));
  json queues = json::array();
  for (const QueueReport& q : r.queues) queues.push_back(QueueJson(r, q));
  json topics = json::array();
  for (const TopicReport& t : r.topics) topics.push_back(TopicJson(r, t));
  return json{{"dir", r.dir},       {"next_log_id", r.next_log_id}, {"logs", logs},
              {"queues", queues},   {"topics", topics}};
}

// One log: its summary lines, then its segments. `heading` starts the first line.
void PrintLog(const LogReport& l, const std::string& heading, const char* indent,
              std::FILE* out) {
  const bool empty = l.records == 0;
  size_t sealed = 0;
  for (const SegmentReport& g : l.segments) sealed += g.sealed ? 1 : 0;
  std::string settings;
  for (const auto& [k, v] : l.props) {
    if (!l.queue.empty() && IsQueueProp(k)) continue;  // shown with the queue
    if (!l.topic.empty() && IsTopicProp(k)) continue;  // shown with the topic
    settings += (settings.empty() ? "" : " ") + k + "=" + v;
  }
  std::fprintf(out, "\n%s%s %s (id %llu)\n", indent, heading.c_str(), Quoted(l.name).c_str(),
               static_cast<unsigned long long>(l.id));
  std::fprintf(out, "%s  dir       %s%s\n", indent, l.dir.c_str(),
               l.dir_missing ? "  (missing: log being created or dropped)" : "");
  std::fprintf(out, "%s  settings  %s\n", indent, settings.c_str());
  std::fprintf(out, "%s  segments  %zu (%zu sealed), %llu bytes on disk, %llu bytes of batches\n",
               indent, l.segments.size(), sealed, static_cast<unsigned long long>(l.file_bytes),
               static_cast<unsigned long long>(l.data_bytes));
  std::fprintf(out, "%s  records   %llu, seq %s (next %llu)\n", indent,
               static_cast<unsigned long long>(l.records),
               SeqRange(empty, l.first_seq, l.next_seq).c_str(),
               static_cast<unsigned long long>(l.next_seq.value()));
  std::fprintf(out, "%s  time      %s .. %s\n", indent, TimeOrDash(empty, l.first_ts).c_str(),
               TimeOrDash(empty, l.max_ts).c_str());
  if (l.segments.empty()) return;
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
  t.Print(out, (std::string(indent) + "  ").c_str());
}

namespace {

std::string Num(uint64_t n) { return std::to_string(n); }

// One line per move task, newest first.
std::string MoveTaskText(const format::MoveTaskEntry& t) {
  std::string s = std::string(format::MoveTaskStateWord(t.status)) + ": " + Num(t.moved) +
                  " of " + Num(t.to_move) + " moved to " +
                  (t.destination.empty() ? std::string("their source queues")
                                         : Quoted(t.destination)) +
                  (t.max_per_second > 0 ? " at " + Num(t.max_per_second) + "/s" : "") +
                  ", started " + FormatTimestamp(TimestampMs(t.started_ms));
  if (!t.failure.empty()) s += "; failed: " + t.failure;
  return s;
}

void PrintQueue(const StoreReport& r, const QueueReport& q, std::FILE* out) {
  const QueueSettings& c = q.settings;
  std::fprintf(out, "\nqueue %s (%s)\n", Quoted(q.name).c_str(),
               !q.settings_valid ? "bad settings" : c.fifo ? "fifo" : "standard");
  auto line = [&](const char* label, const std::string& text) {
    std::fprintf(out, "  %-10s %s\n", label, text.c_str());
  };
  if (q.settings_valid) {
    line("settings", "visibility_timeout_s=" + Num(c.visibility_timeout_s) +
                         " delay_s=" + Num(c.delay_s) + " retention_s=" + Num(c.retention_s) +
                         " max_message_bytes=" + Num(c.max_message_bytes) +
                         " receive_wait_s=" + Num(c.receive_wait_s) +
                         (c.fifo ? " content_based_dedup=" + Num(c.content_based_dedup) : ""));
    line("dlq", c.dead_letter_queue.empty()
                    ? std::string("none")
                    : Quoted(c.dead_letter_queue) + " after " +
                          Plural(c.max_receive_count, "receive", "receives") +
                          " (max_receive_count)");
  }
  if (q.scanned) {
    line("messages", Num(q.messages) + " in the log: " + Num(q.live) + " live (" +
                         Num(q.delayed) + " delayed), " + Num(q.deleted) + " deleted, " +
                         Num(q.expired) + " expired" +
                         (q.malformed > 0 ? "; " + Num(q.malformed) + " with a bad header" : ""));
    line("oldest", q.oldest_live ? "live message enqueued " + FormatTimestamp(*q.oldest_live)
                                 : std::string("- (no live message)"));
    if (c.fifo) line("groups", Num(q.groups) + " with live messages");
  } else {
    line("messages", "not counted");
  }
  line("deletes", Plural(q.deleted_ids, "id", "ids") + " in the bitmap, " +
                      Num(q.bitmap_bytes) + " bytes serialized; " +
                      Plural(q.receive_counts, "receive count", "receive counts"));
  if (q.in_flight > 0) {
    line("in flight", Num(q.in_flight) + " per the journal, visible again from " +
                          FormatTimestamp(TimestampMs(q.in_flight_earliest_ms)) + " to " +
                          FormatTimestamp(TimestampMs(q.in_flight_latest_ms)));
  }
  if (q.snapshot) {
    const DeleteSnapshotReport& s = *q.snapshot;
    line("snapshot", "DELETES " + Num(s.file_bytes) + " bytes, covers journal seq < " +
                         Num(s.covered.value()) + ": " + Plural(s.deleted_ids, "id", "ids") +
                         " (bitmap " + Num(s.bitmap_bytes) + " bytes), " +
                         Plural(s.receive_counts, "receive count", "receive counts"));
  } else {
    line("snapshot", "none (the journal holds everything)");
  }
  line("journal", Plural(q.journal_records, "record", "records") + " since the snapshot");
  if (!q.tags.empty()) {
    std::string t;
    for (const auto& [k, v] : q.tags) t += (t.empty() ? "" : " ") + Quoted(k) + "=" + Quoted(v);
    line("tags", t);
  }
  if (!q.redrive_allow.empty()) line("allow", "redrive " + q.redrive_allow);
  for (const format::MoveTaskEntry& t : q.move_tasks) line("move task", MoveTaskText(t));
  line("now", FormatTimestamp(q.now) + " (expired and delayed are judged against it)");
  for (const std::string& e : q.errors) line("error", e);
  if (q.messages_log) PrintLog(r.logs[*q.messages_log], "messages log", "  ", out);
  if (q.journal_log) PrintLog(r.logs[*q.journal_log], "journal log", "  ", out);
}

}  // namespace

void PrintStoreReport(const StoreReport& r, std::FILE* out) {
  std::string kinds;
  if (!r.queues.empty()) kinds = Count(r.queues.size(), "queue");
  if (!r.topics.empty()) kinds += (kinds.empty() ? "" : ", ") + Count(r.topics.size(), "topic");
  std::fprintf(out, "store %s: %s%s\n", r.dir.c_str(), Count(r.logs.size(), "log").c_str(),
               kinds.empty() ? "" : (" (" + kinds + ")").c_str());
  for (const LogReport& l : r.logs) {
    if (l.queue.empty() && l.topic.empty()) PrintLog(l, "log", "", out);
  }
  for (const QueueReport& q : r.queues) PrintQueue(r, q, out);
  for (const TopicReport& t : r.topics) PrintTopic(r, t, out);
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
              {"queues", r.queues},
              {"queue_messages", r.queue_messages},
              {"journal_records", r.journal_records},
              {"delete_snapshots", r.delete_snapshots},
              {"topic_deliveries", r.topic_deliveries},
              {"topics", r.topics},
              {"topic_messages", r.topic_messages},
              {"cursor_files", r.cursor_files},
              {"errors", r.count(Severity::kError)},
              {"warnings", r.count(Severity::kWarning)},
              {"first_error", first != nullptr ? json(first->ToString()) : json(nullptr)},
              {"problems", problems}};
}

void PrintVerifyReport(const std::string& dir, const VerifyReport& r, bool quiet,
                       std::FILE* out) {
  if (!quiet) {
    std::string queues;
    if (r.queues > 0) {
      queues = "; " + Count(r.queues, "queue") + ": " +
               Count(r.queue_messages, "message header") + ", " +
               Count(r.journal_records, "journal record") + ", " +
               Count(r.delete_snapshots, "delete snapshot");
    }
    if (r.topics > 0) {
      queues += "; " + Count(r.topics, "topic") + ": " +
                Count(r.topic_messages, "message header") + ", " +
                Count(r.cursor_files, "cursor file") + ", " +
                Count(r.topic_deliveries, "delivery", "deliveries") + " in queues";
    }
    std::fprintf(out, "verified %s: %s, %s, %s, %s, %s, %s%s\n", dir.c_str(),
                 Count(r.logs, "log").c_str(), Count(r.segments, "segment").c_str(),
                 Count(r.index_files, "index file").c_str(), Count(r.bytes, "byte").c_str(),
                 Count(r.batches, "batch", "batches").c_str(), Count(r.records, "record").c_str(),
                 queues.c_str());
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

// ---------------------------------------------------------------- repair

namespace {

// "sequence numbers 4..7", "message ids 4..7", "journal records 4..7".
std::string LostWhat(const LogRepair& l) {
  switch (l.kind) {
    case LogKind::kQueueMessages: return "message ids";
    case LogKind::kQueueJournal: return "journal records";
    case LogKind::kPlain:
    case LogKind::kStreamShard: break;
  }
  return "sequence numbers";
}

std::string Ranges(const std::vector<LostRange>& lost) {
  std::string s;
  for (const LostRange& r : lost) {
    if (!s.empty()) s += ", ";
    s += std::to_string(r.first.value());
    if (r.last != r.first) s += ".." + std::to_string(r.last.value());
  }
  return s;
}

void PrintSegmentRepair(const LogRepair& l, const SegmentRepair& g, bool dry_run,
                        std::FILE* out) {
  std::string what = g.was_active ? "active segment, sealed at sequence " +
                                        std::to_string(g.last_seq.value())
                                  : "sealed segment";
  const std::string marks =
      g.marks_dropped > 0
          ? ", " + Plural(g.marks_dropped, "durable mark", "durable marks") + " dropped"
          : "";
  std::fprintf(out, "  %s  %s: %s %s, %s kept%s\n", Base(g.path).c_str(), what.c_str(),
               dry_run ? "would be rewritten with" : "rewritten with",
               Plural(g.batches_kept, "batch", "batches").c_str(),
               Plural(g.records_kept, "record", "records").c_str(), marks.c_str());
  for (const Damage& d : g.damage) {
    std::fprintf(out, "    damaged at offset %llu (%llu bytes): %s\n",
                 static_cast<unsigned long long>(d.offset),
                 static_cast<unsigned long long>(d.length), d.why.c_str());
  }
  if (!g.lost.empty()) {
    std::fprintf(out, "    lost %s %s\n", LostWhat(l).c_str(), Ranges(g.lost).c_str());
  }
}

}  // namespace

void PrintRepairReport(const RepairReport& r, std::FILE* out) {
  std::fprintf(out, "repair %s: %s, %s checked%s\n", r.dir.c_str(),
               Plural(r.logs_checked, "log", "logs").c_str(),
               Plural(r.segments_checked, "segment", "segments").c_str(),
               r.dry_run ? " (dry run: nothing written)" : "");
  for (const LogRepair& l : r.logs) {
    const std::string catalog_name =
        l.kind == LogKind::kPlain ? "" : "log " + Quoted(l.name) + ", ";
    std::fprintf(out, "%s (%sid %llu)\n", DescribeLog(l).c_str(), catalog_name.c_str(),
                 static_cast<unsigned long long>(l.id));
    for (const SegmentRepair& g : l.segments) PrintSegmentRepair(l, g, r.dry_run, out);
    if (l.kind == LogKind::kQueueJournal && l.lost_count() > 0) {
      std::fprintf(out, "  (the deletes and receive counts in those records are forgotten: "
                        "those messages may be delivered again)\n");
    }
  }
  if (!r.damaged()) {
    std::fprintf(out, "OK: no damage found\n");
    return;
  }
  if (r.lost_count() == 0) {
    std::fprintf(out, "%s: no record lost\n", r.dry_run ? "DAMAGED" : "REPAIRED");
    return;
  }
  std::string summary;
  for (const LogRepair& l : r.logs) {
    if (l.lost_count() == 0) continue;
    summary += (summary.empty() ? ": " : "; ") + DescribeLog(l) + ": " + LostWhat(l) + " " +
               Ranges(l.lost());
  }
  std::fprintf(out, "LOST %s%s\n",
               Plural(r.lost_count(), "sequence number", "sequence numbers").c_str(),
               summary.c_str());
}

json RepairReportToJson(const RepairReport& r) {
  json logs = json::array();
  for (const LogRepair& l : r.logs) {
    json segs = json::array();
    for (const SegmentRepair& g : l.segments) {
      json damage = json::array();
      for (const Damage& d : g.damage) {
        damage.push_back({{"offset", d.offset}, {"length", d.length}, {"why", d.why}});
      }
      json lost = json::array();
      for (const LostRange& x : g.lost) lost.push_back({x.first.value(), x.last.value()});
      segs.push_back({{"path", g.path}, {"base_seq", g.base_seq.value()},
                      {"was_active", g.was_active}, {"header_rewritten", g.header_rewritten},
                      {"damage", damage}, {"batches_kept", g.batches_kept},
                      {"records_kept", g.records_kept}, {"marks_dropped", g.marks_dropped},
                      {"last_seq", g.last_seq.value()}, {"lost", lost}, {"written", g.written}});
    }
    json lost = json::array();
    for (const LostRange& x : l.lost()) lost.push_back({x.first.value(), x.last.value()});
    logs.push_back({{"name", l.name}, {"id", l.id}, {"describe", DescribeLog(l)},
                    {"lost_what", LostWhat(l)}, {"lost", lost}, {"lost_count", l.lost_count()},
                    {"segments", segs}});
  }
  return {{"dir", r.dir}, {"dry_run", r.dry_run}, {"logs_checked", r.logs_checked},
          {"segments_checked", r.segments_checked}, {"damaged", r.damaged()},
          {"lost_count", r.lost_count()}, {"logs", logs}};
}

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

namespace seglog::tool {

json QueueMessageToJson(const QueueMessage& m) {
  const RecordView& r = m.record;
  const bool ok = m.header_status.ok();
  const format::QueueMessageHeader& h = m.header;
  json attributes = json::array();
  if (ok) {
    for (const format::MessageAttribute& a : h.attributes) {
      attributes.push_back({{"name", std::string(a.name)},
                            {"type", std::string(format::AttributeTypeName(a.type))},
                            {"value", PreviewJson(a.value)}});
    }
  }
  const TimestampMs visible = r.ts + static_cast<int64_t>(ok ? h.delay_s : 0) * 1000;
  return json{
      {"id", r.seq.value()},
      {"ts", r.ts.value()},
      {"time", FormatTimestamp(r.ts)},
      {"state", std::string(MessageStateName(m.state))},
      {"delayed", m.delayed},
      {"receive_count", m.receive_count},
      {"group_id", m.fifo || !r.key.empty() ? PreviewJson(r.key) : json(nullptr)},
      {"dedup_id", ok && h.has_dedup_id ? PreviewJson(Bytes(h.dedup_id)) : json(nullptr)},
      {"delay_s", ok ? json(h.delay_s) : json(nullptr)},
      {"visible_ts", ok ? json(visible.value()) : json(nullptr)},
      {"visible_time", ok ? json(FormatTimestamp(visible)) : json(nullptr)},
      {"sent_ts", ok ? json(h.sent_ms) : json(nullptr)},
      {"sent_time", ok ? json(FormatTimestamp(TimestampMs(h.sent_ms))) : json(nullptr)},
      {"moved", ok && h.moved ? json{{"source", std::string(h.source)},
                                     {"source_id", h.source_id}}
                              : json(nullptr)},
      {"attribute_count", ok ? json(h.attributes.size()) : json(nullptr)},
      {"attributes", ok ? attributes : json(nullptr)},
      {"body", PreviewJson(r.value)},
      {"header_error", ok ? json(nullptr) : json(m.header_status.ToString())},
  };
}

std::string QueueMessageLine(const QueueMessage& m) {
  const RecordView& r = m.record;
  const char* state = m.state == MessageState::kDeleted   ? "DELETED"
                      : m.state == MessageState::kExpired ? "EXPIRED"
                                                          : "live   ";
  std::string s = std::to_string(r.seq.value()) + "  " + FormatTimestamp(r.ts) + "  " + state;
  const format::QueueMessageHeader& h = m.header;
  if (m.fifo || !r.key.empty()) s += "  group " + PreviewText(r.key);
  if (!m.header_status.ok()) {
    s += "  bad header (" + m.header_status.ToString() + ")";
  } else {
    if (h.has_dedup_id) s += "  dedup " + PreviewText(Bytes(h.dedup_id));
    s += "  delay " + std::to_string(h.delay_s) + "s";
    s += "  attrs " + std::to_string(h.attributes.size());
  }
  s += "  body " + PreviewText(r.value);
  if (m.receive_count > 0) s += "  received " + std::to_string(m.receive_count);
  if (m.header_status.ok() && h.moved) {
    s += "  moved from " + Quoted(std::string(h.source)) + " #" + std::to_string(h.source_id);
  }
  if (m.delayed) {
    s += "  delayed until " + FormatTimestamp(r.ts + static_cast<int64_t>(h.delay_s) * 1000);
  }
  return s;
}

}  // namespace seglog::tool
