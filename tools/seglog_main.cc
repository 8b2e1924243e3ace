// seglog: look inside a store without opening it for writing.
//
//   seglog inspect DIR [--json] [--no-scan]
//   seglog verify DIR [--json] [--quiet]
//   seglog dump PATH [--log NAME | --queue NAME [--hide-deleted] [--hide-expired] |
//               --topic NAME] [--from SEQ] [--limit N] [--json]
//   seglog repair DIR [--dry-run] [--json]
//
// inspect, verify and dump only read (no LOCK, pread only), so they are safe beside a live
// writer. repair writes: it takes the store's LOCK and refuses a store open elsewhere.
// Exit status: 0 all well; 1 corruption found (repair: records were lost); 2 usage or any
// other error.
// The work is in engine/inspect/inspect.h; this file parses arguments and prints.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <limits>
#include <string>

#include <CLI/CLI.hpp>

#include "engine/log/clock.h"
#include "engine/inspect/inspect.h"
#include "tools/render.h"

namespace seglog::tool {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitCorrupt = 1;
constexpr int kExitError = 2;

// Progress lines only where someone watches, or where the wait is long.
constexpr uint64_t kProgressMinBytes = 256ull << 20;

int Fail(const char* command, const Status& s) {
  std::fprintf(stderr, "seglog %s: %s\n", command, s.ToString().c_str());
  return s.code() == StatusCode::kCorruption ? kExitCorrupt : kExitError;
}

int RunInspect(const std::string& dir, bool as_json, bool no_scan, Clock* clock) {
  StoreReport r;
  InspectOptions opt;
  opt.scan_messages = !no_scan;
  opt.clock = clock;
  Status s = InspectStore(dir, opt, &r);
  if (!s.ok()) return Fail("inspect", s);
  if (as_json) {
    std::printf("%s\n", JsonText(StoreReportToJson(r)).c_str());
  } else {
    PrintStoreReport(r, stdout);
  }
  for (const LogReport& l : r.logs) {
    for (const SegmentReport& g : l.segments) {
      if (!g.error.empty()) return kExitCorrupt;
    }
  }
  for (const QueueReport& q : r.queues) {
    if (!q.errors.empty()) return kExitCorrupt;
  }
  for (const TopicReport& t : r.topics) {
    if (!t.errors.empty()) return kExitCorrupt;
  }
  return kExitOk;
}

int RunVerify(const std::string& dir, bool as_json, bool quiet) {
  const bool tty = ::isatty(STDERR_FILENO) == 1;
  auto last = std::chrono::steady_clock::now();
  bool printed = false;
  auto progress = [&](const VerifyProgress& p) {
    if (quiet || (!tty && p.bytes_total < kProgressMinBytes)) return;
    const auto now = std::chrono::steady_clock::now();
    const bool done = p.segments_done == p.segments_total;
    if (!done && now - last < std::chrono::seconds(1)) return;
    last = now;
    const double pct = p.bytes_total == 0 ? 100.0 : 100.0 * p.bytes_done / p.bytes_total;
    std::fprintf(stderr, "%sverifying: %5.1f%%  %llu / %llu MiB, %zu / %zu segments%s",
                 tty ? "\r" : "", pct, static_cast<unsigned long long>(p.bytes_done >> 20),
                 static_cast<unsigned long long>(p.bytes_total >> 20), p.segments_done,
                 p.segments_total, tty ? "" : "\n");
    std::fflush(stderr);
    printed = true;
  };
  VerifyReport r;
  Status s = VerifyStore(dir, progress, &r);
  if (printed && tty) std::fprintf(stderr, "\n");
  if (!s.ok()) return Fail("verify", s);
  if (as_json) {
    std::printf("%s\n", JsonText(VerifyReportToJson(dir, r)).c_str());
  } else {
    // Quiet: nothing on stdout; the errors, if any, on stderr.
    PrintVerifyReport(dir, r, quiet, quiet ? stderr : stdout);
  }
  if (r.ok()) return kExitOk;
  if (as_json) {
    std::fprintf(stderr, "seglog verify: corruption: %s\n", r.first_error()->ToString().c_str());
  }
  return kExitCorrupt;
}

int RunDump(std::string path, const std::string& log, uint64_t from, uint64_t limit,
            bool as_json) {
  if (!log.empty()) {
    Status s = FindLogDir(path, log, &path);
    if (!s.ok()) return Fail("dump", s);
  }
  uint64_t n = 0;
  if (as_json) {
    // One document, written as it goes: {"path": ..., "records": [...], "error": ...}.
    nlohmann::json head{{"path", path}, {"from", from}};
    std::string h = JsonText(head, -1);
    h.pop_back();  // the closing brace
    std::printf("%s,\"records\":[", h.c_str());
  }
  Status s = DumpRecords(path, SeqNo(from), limit, [&](const RecordView& r) {
    if (as_json) {
      std::printf("%s\n%s", n == 0 ? "" : ",", JsonText(RecordToJson(r), -1).c_str());
    } else {
      std::printf("%s\n", RecordLine(r).c_str());
    }
    ++n;
  });
  if (as_json) {
    nlohmann::json err = s.ok() ? nlohmann::json(nullptr) : nlohmann::json(s.ToString());
    std::printf("],\"count\":%llu,\"error\":%s}\n", static_cast<unsigned long long>(n),
                JsonText(err, -1).c_str());
  }
  if (!s.ok()) return Fail("dump", s);
  return kExitOk;
}

// A dump of one queue's or topic's messages: a line each, or with --json one document written
// as it goes: head's fields, then "messages": [...], "count", "error". `dump(emit)` calls emit
// once per message with its line and its JSON.
template <typename Dump>
int RunStreamedDump(const nlohmann::json& head, bool as_json, Dump dump) {
  uint64_t n = 0;
  if (as_json) {
    std::string h = JsonText(head, -1);
    h.pop_back();
    std::printf("%s,\"messages\":[", h.c_str());
  }
  const Status s = dump([&](const std::string& line, const nlohmann::json& json) {
    if (as_json) {
      std::printf("%s\n%s", n == 0 ? "" : ",", JsonText(json, -1).c_str());
    } else {
      std::printf("%s\n", line.c_str());
    }
    ++n;
  });
  if (as_json) {
    nlohmann::json err = s.ok() ? nlohmann::json(nullptr) : nlohmann::json(s.ToString());
    std::printf("],\"count\":%llu,\"error\":%s}\n", static_cast<unsigned long long>(n),
                JsonText(err, -1).c_str());
  }
  if (!s.ok()) return Fail("dump", s);
  return kExitOk;
}

int RunDumpQueue(const std::string& store, const std::string& queue, const DumpQueueOptions& opt,
                 bool as_json) {
  const nlohmann::json head{{"store", store},
                            {"queue", queue},
                            {"from", opt.from.value()},
                            {"hide_deleted", opt.hide_deleted},
                            {"hide_expired", opt.hide_expired}};
  return RunStreamedDump(head, as_json, [&](const auto& emit) {
    return DumpQueue(store, queue, opt, [&](const QueueMessage& m) {
      emit(as_json ? std::string() : QueueMessageLine(m),
           as_json ? QueueMessageToJson(m) : nlohmann::json());
    });
  });
}

int RunDumpTopic(const std::string& store, const std::string& topic, const DumpTopicOptions& opt,
                 bool as_json) {
  const nlohmann::json head{{"store", store}, {"topic", topic}, {"from", opt.from.value()}};
  return RunStreamedDump(head, as_json, [&](const auto& emit) {
    return DumpTopic(store, topic, opt, [&](const TopicMessage& m) {
      emit(as_json ? std::string() : TopicMessageLine(m),
           as_json ? TopicMessageToJson(m) : nlohmann::json());
    });
  });
}

int RunRepair(const std::string& dir, bool dry_run, bool as_json) {
  RepairOptions opt;
  opt.dry_run = dry_run;
  RepairReport r;
  Status s = RepairStore(dir, opt, &r);
  if (!s.ok()) {
    std::fprintf(stderr, "seglog repair: %s\n", s.ToString().c_str());
    return kExitError;  // nothing to say about lost records: the repair did not run through
  }
  if (as_json) {
    std::printf("%s\n", JsonText(RepairReportToJson(r)).c_str());
  } else {
    PrintRepairReport(r, stdout);
  }
  return r.lost_count() > 0 ? kExitCorrupt : kExitOk;
}

int Main(int argc, char** argv) {
  CLI::App app{"seglog: look inside a seglog store (inspect, verify, dump: read-only, safe beside "
               "a live writer), or repair one.\n"
               "Exit status: 0 all well, 1 corruption found (repair: records lost), 2 usage or "
               "other error."};
  app.name("seglog");
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Help for every command");

  std::string dir, path, log, queue, topic;
  bool as_json = false, quiet = false, no_scan = false, hide_deleted = false,
       hide_expired = false;
  uint64_t from = 0, limit = std::numeric_limits<uint64_t>::max();
  int64_t now_ms = 0;
  const char* const now_help =
      "Judge queue messages expired or delayed as of this time (ms since the epoch; default: "
      "now)";

  CLI::App* inspect = app.add_subcommand(
      "inspect",
      "Logs, segments, sizes, record counts, sequence and time ranges; queues: message counts "
      "(live, deleted, expired), delete bitmap and journal; topics: subscriptions, cursors, "
      "backlogs");
  inspect->add_option("DIR", dir, "Store directory")->required();
  inspect->add_flag("--json", as_json, "One JSON document on stdout");
  inspect->add_flag("--no-scan", no_scan,
                    "Do not read queue messages: no live/deleted/expired counts, no topic "
                    "deliveries (fast)");
  CLI::Option* inspect_now = inspect->add_option("--now", now_ms, now_help);

  CLI::App* verify = app.add_subcommand(
      "verify",
      "Check every checksum, queue and topic record and cursor file; exit 1 naming the first "
      "bad batch (file and offset)");
  verify->add_option("DIR", dir, "Store directory")->required();
  verify->add_flag("--json", as_json, "One JSON document on stdout");
  verify->add_flag("-q,--quiet", quiet, "Nothing on stdout; errors only, on stderr; no progress");

  CLI::App* dump = app.add_subcommand(
      "dump", "Print records: seq, time, key, value, attrs size; or a queue's messages, marked "
              "live, DELETED or EXPIRED; or a topic's messages");
  dump->add_option("PATH", path,
                   "A segment file or a log directory (or a store with --log, --queue or --topic)")
      ->required();
  CLI::Option* log_opt = dump->add_option("--log", log, "Log name: PATH is then the store directory");
  CLI::Option* queue_opt =
      dump->add_option("--queue", queue, "Queue name: PATH is then the store directory");
  queue_opt->excludes(log_opt);
  CLI::Option* topic_opt =
      dump->add_option("--topic", topic, "Topic name: PATH is then the store directory");
  topic_opt->excludes(log_opt)->excludes(queue_opt);
  dump->add_option("--from", from, "First sequence number (message id) to print")
      ->capture_default_str();
  dump->add_option("--limit", limit, "At most this many records (messages)");
  dump->add_flag("--hide-deleted", hide_deleted, "With --queue: leave out deleted messages")
      ->needs(queue_opt);
  dump->add_flag("--hide-expired", hide_expired, "With --queue: leave out expired messages")
      ->needs(queue_opt);
  CLI::Option* dump_now = dump->add_option("--now", now_ms, now_help)->needs(queue_opt);
  dump->add_flag("--json", as_json, "One JSON document on stdout");

  bool dry_run = false;
  CLI::App* repair = app.add_subcommand(
      "repair",
      "Exclusive (takes the LOCK): rewrite damaged segments keeping every intact batch; print "
      "every lost sequence range (message ids); exit 1 when anything was lost");
  repair->add_option("DIR", dir, "Store directory")->required();
  repair->add_flag("--dry-run", dry_run, "Print what would be repaired and lost; write nothing");
  repair->add_flag("--json", as_json, "One JSON document on stdout");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitError;
  }
  ManualClock fixed(now_ms);
  Clock* clock = inspect_now->count() + dump_now->count() > 0 ? &fixed : nullptr;
  if (inspect->parsed()) return RunInspect(dir, as_json, no_scan, clock);
  if (verify->parsed()) return RunVerify(dir, as_json, quiet);
  if (repair->parsed()) return RunRepair(dir, dry_run, as_json);
  if (topic_opt->count() > 0) {
    DumpTopicOptions opt;
    opt.from = SeqNo(from);
    opt.limit = limit;
    return RunDumpTopic(path, topic, opt, as_json);
  }
  if (!queue.empty()) {
    DumpQueueOptions opt;
    opt.from = SeqNo(from);
    opt.limit = limit;
    opt.hide_deleted = hide_deleted;
    opt.hide_expired = hide_expired;
    opt.clock = clock;
    return RunDumpQueue(path, queue, opt, as_json);
  }
  return RunDump(path, log, from, limit, as_json);
}

}  // namespace
}  // namespace seglog::tool

int main(int argc, char** argv) {
  try {
    return seglog::tool::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "seglog: %s\n", e.what());
    return 2;
  }
}
