// seglog-bench: workload driver. Measures seglog against the disk's own limit in one run.
//
//   seglog-bench append --threads 16 --size 1024 --count 200000 --durability always
//   seglog-bench open --sealed-gib 10 [--after-kill]
//   seglog-bench queue --producers 2 --consumers 2 --batch 10 --durability interval
//   seglog-bench queue-depth --depth 1000000
//   seglog-bench topic --subs 1,10,100 --count 20000 [--raw]
//
// Reports records/s, MB/s, per-append latency percentiles, fdatasync calls per append, CPU
// seconds and peak RSS; --json for machines.
//
// append, stream-put and queue also run the same workload, after seglog and in the same run,
// on SQLite, RocksDB and LMDB (bench/peers.h; --no-peers skips them, and peers this build
// lacks are named as skipped), and report seglog/peer. Under always a peer run stops after
// --peer-max-calls transactions (default 3,000) and says how many records it counted.
#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench/peers.h"
#include "engine/log/log.h"
#include "engine/log/options.h"
#include "engine/log/store.h"
#include "engine/queues/queue.h"
#include "engine/streams/stream.h"
#include "engine/topics/topics.h"

namespace {

using Clock = std::chrono::steady_clock;
using seglog::Status;
using json = nlohmann::json;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }
double Micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

// One timed operation of a workload thread: its latency goes to *lat; a failure is printed
// as "[<who> ]<what>: <status>" and raises *failed. Returns whether it succeeded.
template <class Op>
bool TimedOp(std::string_view who, const char* what, std::vector<double>* lat,
             std::atomic<bool>* failed, Op&& op) {
  const auto s0 = Clock::now();
  const Status st = op();
  if (!st.ok()) {
    const std::string label = who.empty() ? what : std::string(who) + " " + what;
    std::fprintf(stderr, "%s: %s\n", label.c_str(), st.ToString().c_str());
    *failed = true;
    return false;
  }
  lat->push_back(Micros(Clock::now() - s0));
  return true;
}

struct Usage {
  double cpu_s;
  long max_rss_kib;
};
Usage GetUsage() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto tv = [](timeval t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return {tv(ru.ru_utime) + tv(ru.ru_stime), ru.ru_maxrss};
}

json Percentiles(std::vector<double>& us) {
  json j;
  if (us.empty()) return j;
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[std::min(us.size() - 1, static_cast<size_t>(q * us.size()))]; };
  j["p50_us"] = at(0.50);
  j["p99_us"] = at(0.99);
  j["p999_us"] = at(0.999);
  j["max_us"] = us.back();
  return j;
}

[[noreturn]] void Die(const Status& s, const char* what) {
  std::fprintf(stderr, "seglog-bench: %s: %s\n", what, s.ToString().c_str());
  std::exit(2);
}

// Baselines run after seglog in the same run (see "peers" below).
struct PeerOptions {
  bool enabled = true;
  uint64_t max_calls_always = 3000;
};

struct AppendArgs {
  int threads = 1;
  size_t size = 1024;
  uint64_t count = 100000;
  int batch = 1;
  std::string durability = "none";
  std::string backend = "auto";
  std::string dir;
  uint64_t segment_mib = 64;
  bool raw = true;
  PeerOptions peers;
  bool json_out = false;
};

// --write-path syscall: StoreOptions::mapped_writes = false (for A/B runs of the two paths).
bool g_mapped_writes = true;

seglog::StoreOptions BenchStoreOptions() {
  seglog::StoreOptions so;
  so.mapped_writes = g_mapped_writes;
  return so;
}

seglog::io::Backend ParseBackend(const std::string& b) {
  if (b == "uring") return seglog::io::Backend::kUring;
  if (b == "pwrite") return seglog::io::Backend::kPwrite;
  return seglog::io::Backend::kAuto;
}

std::string MakeDir(const std::string& dir) {
  if (!dir.empty()) {
    std::filesystem::create_directories(dir);
    return dir;
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "seglog-bench-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    std::exit(2);
  }
  return tmpl;
}

// The disk's own limit: one thread, sequential pwrite of the same bytes per append (record
// plus seglog's framing), fdatasync after each under "always", into a preallocated file.
json RawLoop(const std::string& dir, const AppendArgs& a, uint64_t appends, size_t bytes_per_append) {
  const std::string path = dir + "/raw.bin";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) { std::perror("open raw"); std::exit(2); }
  const uint64_t total = appends * bytes_per_append;
  if (fallocate(fd, 0, 0, static_cast<off_t>(total)) != 0) { std::perror("fallocate"); }
  std::string buf(bytes_per_append, 'r');
  const bool sync = a.durability == "always";
  std::vector<double> lat;
  lat.reserve(appends);
  auto t0 = Clock::now();
  uint64_t off = 0;
  for (uint64_t i = 0; i < appends; ++i) {
    auto s = Clock::now();
    if (pwrite(fd, buf.data(), buf.size(), static_cast<off_t>(off)) != static_cast<ssize_t>(buf.size())) {
      std::perror("pwrite"); std::exit(2);
    }
    if (sync && fdatasync(fd) != 0) { std::perror("fdatasync"); std::exit(2); }
    off += buf.size();
    lat.push_back(Micros(Clock::now() - s));
  }
  if (!sync) fdatasync(fd);  // not timed as part of appends below; same as seglog's close
  double el = Seconds(Clock::now() - t0);
  close(fd);
  std::filesystem::remove(path);
  json j;
  j["appends_per_s"] = appends / el;
  j["records_per_s"] = appends * a.batch / el;
  j["mb_per_s"] = total / el / 1e6;
  j["latency"] = Percentiles(lat);
  return j;
}

// The disk's own limit for `bytes`: one sequential pass in 1 MiB pwrites into a preallocated
// file, then fdatasync, all timed (as `dd bs=1M conv=fdatasync`): what any writer of these bytes
// must wait for before they are on the disk, whatever the page cache absorbed on the way.
json RawDiskLoop(const std::string& dir, uint64_t bytes) {
  const std::string path = dir + "/raw-disk.bin";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) { std::perror("open raw-disk"); std::exit(2); }
  if (fallocate(fd, 0, 0, static_cast<off_t>(bytes)) != 0) { std::perror("fallocate"); }
  std::string buf(1 << 20, 'r');
  auto t0 = Clock::now();
  for (uint64_t off = 0; off < bytes; off += buf.size()) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), bytes - off));
    if (pwrite(fd, buf.data(), n, static_cast<off_t>(off)) != static_cast<ssize_t>(n)) {
      std::perror("pwrite"); std::exit(2);
    }
  }
  if (fdatasync(fd) != 0) { std::perror("fdatasync"); std::exit(2); }
  const double el = Seconds(Clock::now() - t0);
  close(fd);
  std::filesystem::remove(path);
  json j;
  j["bytes"] = bytes;
  j["seconds"] = el;
  j["mb_per_s"] = bytes / el / 1e6;
  return j;
}

// ---------------------------------------------------------------- peers (issue 5)
//
// The same workload on SQLite, RocksDB and LMDB (bench/peers.h), each after seglog in the same
// run, same records, batch, threads and durability. Under "always" a peer run is bounded to
// --peer-max-calls transactions (each a sync for SQLite and LMDB) to keep runs short; its rate
// is then measured over fewer records, which the report says.

std::string PeerDir(const std::string& dir, const std::string& name) { return dir + "/peer-" + name; }

std::unique_ptr<seglog::bench::Peer> OpenPeer(const std::string& name, const std::string& dir,
                                              const std::string& durability) {
  seglog::Durability d;
  Status s = seglog::ParseDurability(durability, &d);
  if (!s.ok()) Die(s, "durability");
  std::unique_ptr<seglog::bench::Peer> p = seglog::bench::NewPeer(name);
  std::filesystem::remove_all(dir);
  s = p->Open(dir, d);
  if (!s.ok()) Die(s, ("open peer " + name).c_str());
  return p;
}

// The peers' object of the report: one entry per peer run, plus "skipped".
json PeersSkeleton(const PeerOptions& po) {
  json j = json::object();
  json skipped = json::array();
  for (const std::string& s : seglog::bench::SkippedPeers()) skipped.push_back(s);
  if (!po.enabled) {
    for (const std::string& n : seglog::bench::CompiledPeers()) skipped.push_back(n + ": --no-peers");
  }
  j["skipped"] = skipped;
  return j;
}

// Append (and stream-put) on each peer: `threads` threads, each `calls / threads` transactions
// of `batch` values of `size` bytes (the same bytes per thread as seglog's run).
json RunPeersAppend(const std::string& dir, const std::string& durability, int threads, size_t size,
                    int batch, uint64_t calls, double seglog_records_per_s, const PeerOptions& po,
                    bool progress) {
  json peers = PeersSkeleton(po);
  if (!po.enabled) return peers;
  const bool bounded = durability == "always" && calls > po.max_calls_always;
  const uint64_t peer_calls = bounded ? po.max_calls_always : calls;
  const uint64_t per_thread = std::max<uint64_t>(1, peer_calls / static_cast<uint64_t>(threads));
  for (const std::string& name : seglog::bench::CompiledPeers()) {
    if (progress) std::fprintf(stderr, "  %s ...", name.c_str());
    const std::string pdir = PeerDir(dir, name);
    std::unique_ptr<seglog::bench::Peer> peer = OpenPeer(name, pdir, durability);
    std::vector<std::vector<double>> lat(threads);
    std::atomic<bool> failed{false};
    Usage u0 = GetUsage();
    auto t0 = Clock::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t) {
      ts.emplace_back([&, t] {
        std::mt19937_64 rng(t);
        std::string value(size, 'v');
        for (auto& c : value) c = static_cast<char>('a' + rng() % 26);
        std::vector<std::string_view> values(batch, value);
        lat[t].reserve(per_thread);
        for (uint64_t i = 0; i < per_thread && !failed; ++i) {
          if (!TimedOp(name, "append", &lat[t], &failed, [&] {
                return peer->Append(values);
              })) {
            return;
          }
        }
      });
    }
    for (auto& t : ts) t.join();
    const double el = Seconds(Clock::now() - t0);
    Usage u1 = GetUsage();
    if (failed) std::exit(2);
    Status s = peer->Close();
    if (!s.ok()) Die(s, ("close peer " + name).c_str());
    std::vector<double> all;
    for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
    const uint64_t records = all.size() * static_cast<uint64_t>(batch);
    json r;
    r["config"] = peer->Config();
    r["records"] = records;
    r["bounded"] = bounded;
    r["seconds"] = el;
    r["records_per_s"] = records / el;
    r["mb_per_s"] = static_cast<double>(records) * size / el / 1e6;
    r["latency"] = Percentiles(all);
    r["cpu_s"] = u1.cpu_s - u0.cpu_s;
    r["seglog_over_peer"] = seglog_records_per_s / r["records_per_s"].get<double>();
    peers[name] = r;
    peer.reset();
    std::filesystem::remove_all(pdir);
    if (progress) std::fprintf(stderr, "\r%*s\r", 20, "");
  }
  return peers;
}

void PrintPeers(const json& peers, const char* unit, const char* rate_key, const char* lat_key) {
  bool any = false;
  for (const std::string& name : seglog::bench::CompiledPeers()) {
    if (!peers.contains(name)) continue;
    if (!any) std::printf("  peers (same workload and durability, after seglog; seglog/peer > 1: seglog faster):\n");
    any = true;
    const json& r = peers[name];
    const json& l = r[lat_key];
    std::printf("    %-7s %.0f %s, p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us; seglog/%s = %.2f",
                name.c_str(), r[rate_key].get<double>(), unit, l["p50_us"].get<double>(),
                l["p99_us"].get<double>(), l["p999_us"].get<double>(), l["max_us"].get<double>(),
                name.c_str(), r["seglog_over_peer"].get<double>());
    const char* count_key = r.contains("records") ? "records" : "messages";
    if (r["bounded"].get<bool>()) {
      std::printf("  [bounded: %llu %s counted]", static_cast<unsigned long long>(r[count_key].get<uint64_t>()),
                  count_key);
    }
    std::printf("\n        (%s)\n", r["config"].get<std::string>().c_str());
  }
  for (const auto& s : peers["skipped"]) std::printf("  peer skipped: %s\n", s.get<std::string>().c_str());
}

int RunAppend(const AppendArgs& a) {
  const std::string dir = MakeDir(a.dir);
  seglog::StoreOptions so = BenchStoreOptions();
  so.io_backend = ParseBackend(a.backend);
  std::unique_ptr<seglog::Store> store;
  Status s = seglog::Store::Open(dir + "/store", so, &store);
  if (!s.ok()) Die(s, "open");
  seglog::LogOptions lo;
  lo.segment_size = a.segment_mib << 20;
  s = seglog::ParseDurability(a.durability, &lo.durability);
  if (!s.ok()) Die(s, "durability");
  seglog::Log* log = nullptr;
  s = store->CreateLog("bench", lo, &log);
  if (!s.ok()) Die(s, "create");

  const uint64_t appends_total = a.count / static_cast<uint64_t>(a.batch);
  const uint64_t per_thread = appends_total / static_cast<uint64_t>(a.threads);
  std::vector<std::vector<double>> lat(a.threads);
  std::atomic<bool> failed{false};
  std::atomic<uint64_t> done{0};
  Usage u0 = GetUsage();
  auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < a.threads; ++t) {
    ts.emplace_back([&, t] {
      std::mt19937_64 rng(t);
      std::string value(a.size, 'v');
      for (auto& c : value) c = static_cast<char>('a' + rng() % 26);
      std::string key = "key-" + std::to_string(t);
      std::vector<seglog::Log::Record> recs(a.batch);
      for (auto& r : recs) {
        r.key = seglog::ByteView(reinterpret_cast<const uint8_t*>(key.data()), key.size());
        r.value = seglog::ByteView(reinterpret_cast<const uint8_t*>(value.data()), value.size());
      }
      lat[t].reserve(per_thread);
      for (uint64_t i = 0; i < per_thread && !failed; ++i) {
        if (!TimedOp({}, "append", &lat[t], &failed, [&] {
              return log->Append(recs);
            })) {
          return;
        }
        uint64_t d = done.fetch_add(1) + 1;
        if (!a.json_out && d % (appends_total / 10 + 1) == 0) {
          std::fprintf(stderr, "\r  %3.0f%%", 100.0 * d / appends_total);
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  double el = Seconds(Clock::now() - t0);
  Usage u1 = GetUsage();
  if (!a.json_out) std::fprintf(stderr, "\r");
  if (failed) return 2;
  seglog::LogStats st = log->Stats();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  const uint64_t appends = all.size();
  const uint64_t records = appends * a.batch;
  json j;
  j["workload"] = "append";
  j["threads"] = a.threads;
  j["record_bytes"] = a.size;
  j["batch"] = a.batch;
  j["durability"] = a.durability;
  j["backend"] = std::string(store->file_system()->name());
  j["records"] = records;
  j["seconds"] = el;
  j["records_per_s"] = records / el;
  j["mb_per_s"] = static_cast<double>(records) * a.size / el / 1e6;
  j["disk_mb_per_s"] = static_cast<double>(st.bytes) / el / 1e6;
  j["latency"] = Percentiles(all);
  j["syncs"] = st.syncs;
  j["writes"] = st.writes;
  j["syncs_per_append"] = static_cast<double>(st.syncs) / appends;
  j["cpu_s"] = u1.cpu_s - u0.cpu_s;
  j["peak_rss_mib"] = u1.max_rss_kib / 1024.0;
  const size_t framing = st.bytes / std::max<uint64_t>(appends, 1);
  (void)store->Close();
  std::filesystem::remove_all(dir + "/store");
  if (a.raw) {
    // Same bytes per append as seglog put on disk, same sync cadence, one thread.
    uint64_t raw_appends = a.durability == "always" ? std::min<uint64_t>(appends, 5000) : appends;
    json r = RawLoop(dir, a, raw_appends, framing);
    j["raw"] = r;
    j["ratio_vs_raw"] = j["records_per_s"].get<double>() / r["records_per_s"].get<double>();
  }
  j["peers"] = RunPeersAppend(dir, a.durability, a.threads, a.size, a.batch, appends,
                              j["records_per_s"].get<double>(), a.peers, !a.json_out);
  if (a.dir.empty()) std::filesystem::remove_all(dir);
  if (a.json_out) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("append %d thr, %zu B x batch %d, %s, %s: %.0f rec/s, %.1f MB/s, p50 %.1f us, "
                "p99 %.1f us, p99.9 %.1f us, max %.1f us; syncs/append %.4f; cpu %.2f s; rss %.0f MiB\n",
                a.threads, a.size, a.batch, a.durability.c_str(), j["backend"].get<std::string>().c_str(),
                j["records_per_s"].get<double>(), j["mb_per_s"].get<double>(),
                j["latency"]["p50_us"].get<double>(), j["latency"]["p99_us"].get<double>(),
                j["latency"]["p999_us"].get<double>(), j["latency"]["max_us"].get<double>(),
                j["syncs_per_append"].get<double>(), j["cpu_s"].get<double>(),
                j["peak_rss_mib"].get<double>());
    if (a.raw) {
      std::printf("  raw pwrite loop (1 thr, same bytes and sync cadence): %.0f rec/s, p99 %.1f us; "
                  "seglog/raw = %.2f\n",
                  j["raw"]["records_per_s"].get<double>(), j["raw"]["latency"]["p99_us"].get<double>(),
                  j["ratio_vs_raw"].get<double>());
    }
    PrintPeers(j["peers"], "rec/s", "records_per_s", "latency");
  }
  return 0;
}

struct OpenArgs {
  double sealed_gib = 1;
  std::string dir;
  int repeats = 5;
  bool json_out = false;
  bool keep = false;
  bool after_kill = false;
};

double TimeOpenMs(const std::string& dir) {
  auto t0 = Clock::now();
  std::unique_ptr<seglog::Store> store;
  Status s = seglog::Store::Open(dir, BenchStoreOptions(), &store);
  if (!s.ok()) Die(s, "reopen");
  seglog::Log* log = nullptr;
  s = store->GetLog("bench", &log);
  if (!s.ok()) Die(s, "reopen log");
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  (void)store->Close();
  return ms;
}

bool DropCaches() {
  sync();
  int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
  if (fd < 0) return false;
  bool ok = write(fd, "3", 1) == 1;
  close(fd);
  return ok;
}

// open --after-kill: a child process fills the store (sealed_gib GiB sealed) and keeps
// appending until the parent kills it with SIGKILL; the parent then times the reopen, with the
// recovery of the unsealed tail the kill left. Each timed open gets its own kill: a new child
// reopens the store, appends for a moment and is killed again.
int RunOpenAfterKill(const OpenArgs& a) {
  const std::string base = MakeDir(a.dir);
  const std::string dir = base + "/store-killed";
  const uint64_t target = static_cast<uint64_t>(a.sealed_gib * (1ull << 30));
  // Kills a child in the middle of its appends; false when the child failed first.
  auto kill_cycle = [&]() -> bool {
    int fds[2];
    if (pipe(fds) != 0) { std::perror("pipe"); std::exit(2); }
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid < 0) { std::perror("fork"); std::exit(2); }
    if (pid == 0) {
      close(fds[0]);
      // The child inherits this thread's io_uring ring (thread-local, its queues mapped
      // MAP_SHARED): using it from both processes corrupts it. The child's appends are plain
      // pwrites on either backend; it uses the pwrite backend.
      seglog::StoreOptions so = BenchStoreOptions();
      so.io_backend = seglog::io::Backend::kPwrite;
      std::unique_ptr<seglog::Store> store;
      Status s = seglog::Store::Open(dir, so, &store);
      if (!s.ok()) _exit(3);
      seglog::LogOptions lo;
      lo.durability = seglog::Durability::kNone;
      seglog::Log* log = nullptr;
      s = store->CreateLog("bench", lo, &log);
      if (s.code() == seglog::StatusCode::kAlreadyExists) s = store->GetLog("bench", &log);
      if (!s.ok()) _exit(3);
      std::string value(16384, 'k');
      std::vector<seglog::Log::Record> recs(64);
      for (auto& r : recs) r.value = seglog::ByteView(reinterpret_cast<const uint8_t*>(value.data()), value.size());
      uint64_t written = log->Stats().bytes;
      while (written < target) {
        if (!log->Append(recs).ok()) _exit(3);
        written += 64 * 16384;
      }
      if (write(fds[1], "r", 1) != 1) _exit(3);
      std::span<const seglog::Log::Record> tail(recs.data(), 8);
      for (;;) {
        if (!log->Append(tail).ok()) _exit(3);  // until killed
      }
    }
    close(fds[1]);
    char c;
    const bool ready = read(fds[0], &c, 1) == 1;
    close(fds[0]);
    if (ready) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      kill(pid, SIGKILL);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return ready && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  };
  std::vector<double> warm, cold;
  bool can_drop = true;
  for (int i = 0; i < 2 * a.repeats; ++i) {
    const bool want_cold = i >= a.repeats;
    if (want_cold && !can_drop) break;
    if (!kill_cycle()) {
      std::fprintf(stderr, "seglog-bench: the child filling the store failed before it was killed\n");
      return 2;
    }
    if (want_cold) {
      can_drop = DropCaches();
      if (!can_drop) break;
      cold.push_back(TimeOpenMs(dir));
    } else {
      warm.push_back(TimeOpenMs(dir));
    }
  }
  std::sort(warm.begin(), warm.end());
  std::sort(cold.begin(), cold.end());
  json j;
  j["workload"] = "open-after-kill";
  j["sealed_gib"] = a.sealed_gib;
  j["opens"] = warm.size() + cold.size();
  j["open_ms_warm_median"] = warm[warm.size() / 2];
  j["open_ms_warm_max"] = warm.back();
  if (!cold.empty()) {
    j["open_ms_cold_median"] = cold[cold.size() / 2];
    j["open_ms_cold_max"] = cold.back();
  }
  if (a.json_out) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("open after kill -9, %.1f GiB sealed (each open right after its own SIGKILL mid-append, "
                "%d each): page cache as the kill left it (dirty tail written back by recovery's "
                "fdatasync) median %.2f ms, max %.2f ms",
                a.sealed_gib, a.repeats, warm[warm.size() / 2], warm.back());
    if (!cold.empty()) {
      std::printf("; after sync + drop_caches median %.2f ms, max %.2f ms", cold[cold.size() / 2], cold.back());
    } else {
      std::printf("; cold skipped (cannot write /proc/sys/vm/drop_caches)");
    }
    std::printf("\n");
  }
  if (!a.keep) std::filesystem::remove_all(dir);
  if (a.dir.empty() && !a.keep) std::filesystem::remove_all(base);
  return 0;
}

int RunOpen(const OpenArgs& a) {
  if (a.after_kill) return RunOpenAfterKill(a);
  const std::string base = MakeDir(a.dir);
  json j;
  j["workload"] = "open";
  for (double gib : {0.0, a.sealed_gib}) {
    const std::string dir = base + "/store-" + std::to_string(static_cast<int>(gib * 1024)) + "mib";
    {
      std::unique_ptr<seglog::Store> store;
      Status s = seglog::Store::Open(dir, BenchStoreOptions(), &store);
      if (!s.ok()) Die(s, "open");
      seglog::LogOptions lo;
      lo.durability = seglog::Durability::kNone;
      seglog::Log* log = nullptr;
      s = store->CreateLog("bench", lo, &log);
      if (s.code() == seglog::StatusCode::kAlreadyExists) s = store->GetLog("bench", &log);
      if (!s.ok()) Die(s, "create");
      std::string value(16384, 'o');
      std::vector<seglog::Log::Record> recs(64);
      for (auto& r : recs) r.value = seglog::ByteView(reinterpret_cast<const uint8_t*>(value.data()), value.size());
      const uint64_t target = static_cast<uint64_t>(gib * (1ull << 30));
      uint64_t written = log->Stats().bytes;
      while (written < target) {
        s = log->Append(recs);
        if (!s.ok()) Die(s, "append");
        written += 64 * 16384;
      }
      // Leave a partly filled unsealed tail, as a crash would.
      std::vector<seglog::Log::Record> tail(8, recs[0]);
      for (int i = 0; i < 100; ++i) (void)log->Append(tail);
      (void)store->Close();
    }
    std::vector<double> warm, cold;
    for (int i = 0; i < a.repeats; ++i) warm.push_back(TimeOpenMs(dir));
    bool can_drop = DropCaches();
    if (can_drop) {
      for (int i = 0; i < a.repeats; ++i) {
        DropCaches();
        cold.push_back(TimeOpenMs(dir));
      }
    }
    std::sort(warm.begin(), warm.end());
    std::sort(cold.begin(), cold.end());
    json r;
    r["sealed_gib"] = gib;
    r["open_ms_warm_median"] = warm[warm.size() / 2];
    if (!cold.empty()) r["open_ms_cold_median"] = cold[cold.size() / 2];
    j["runs"].push_back(r);
    if (!a.json_out) {
      std::printf("open, %.1f GiB sealed: warm median %.2f ms", gib, warm[warm.size() / 2]);
      if (!cold.empty()) std::printf(", cold (caches dropped) median %.2f ms", cold[cold.size() / 2]);
      std::printf("\n");
    }
    if (!a.keep) std::filesystem::remove_all(dir);
  }
  if (a.json_out) std::cout << j.dump(2) << "\n";
  if (a.dir.empty() && !a.keep) std::filesystem::remove_all(base);
  return 0;
}

// ---------------------------------------------------------------- streams

// A store with its streams, retention left to the benchmark (none runs in the background).
struct BenchStreams {
  std::unique_ptr<seglog::Store> store;
  std::unique_ptr<seglog::Streams> streams;
};
BenchStreams OpenBenchStreams(const std::string& dir) {
  BenchStreams b;
  Status s = seglog::Store::Open(dir, BenchStoreOptions(), &b.store);
  if (!s.ok()) Die(s, "open");
  seglog::StreamsOptions so;
  so.retention_check_interval_ms = 0;
  b.streams = std::make_unique<seglog::Streams>(b.store.get(), so);
  return b;
}

struct StreamPutArgs {
  int producers = 1;
  uint32_t shards = 4;
  size_t size = 1024;
  uint64_t count = 100000;
  int batch = 1;
  std::string durability = "none";
  std::string dir;
  bool raw = true;
  PeerOptions peers;
  bool json_out = false;
};

int RunStreamPut(const StreamPutArgs& a) {
  const std::string dir = MakeDir(a.dir);
  BenchStreams bs = OpenBenchStreams(dir + "/store");
  seglog::Store* store = bs.store.get();
  seglog::Streams& streams = *bs.streams;
  Status s;
  seglog::StreamConfig c;
  c.shard_count = a.shards;
  c.max_record_bytes = std::max<uint32_t>(1024, static_cast<uint32_t>(a.size));
  s = seglog::ParseDurability(a.durability, &c.log.durability);
  if (!s.ok()) Die(s, "durability");
  s = streams.Create("bench", c);
  if (!s.ok()) Die(s, "create");
  const uint64_t calls = a.count / static_cast<uint64_t>(a.batch);
  const uint64_t per = calls / static_cast<uint64_t>(a.producers);
  std::vector<std::vector<double>> lat(a.producers);
  std::atomic<bool> failed{false};
  Usage u0 = GetUsage();
  auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < a.producers; ++t) {
    ts.emplace_back([&, t] {
      std::string value(a.size, static_cast<char>('a' + t % 26));
      std::vector<std::string> keys;
      for (int k = 0; k < 64; ++k) keys.push_back("producer-" + std::to_string(t) + "-" + std::to_string(k));
      std::vector<seglog::PutEntry> batch(a.batch);
      std::vector<seglog::PutResult> results;
      lat[t].reserve(per);
      for (uint64_t i = 0; i < per && !failed; ++i) {
        for (int b = 0; b < a.batch; ++b) {
          const std::string& k = keys[(i * a.batch + b) % keys.size()];
          batch[b] = seglog::PutEntry{seglog::ByteView(reinterpret_cast<const uint8_t*>(k.data()), k.size()),
                                      seglog::ByteView(reinterpret_cast<const uint8_t*>(value.data()), value.size()),
                                      std::nullopt};
        }
        if (!TimedOp({}, "put", &lat[t], &failed, [&] {
              return streams.PutBatch("bench", batch, &results);
            })) {
          return;
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  const double el = Seconds(Clock::now() - t0);
  Usage u1 = GetUsage();
  if (failed) return 2;
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  const uint64_t records = all.size() * a.batch;
  seglog::StreamDescription d;
  (void)streams.Describe("bench", &d);
  uint64_t bytes = 0;
  for (auto& sh : d.shards) bytes += sh.bytes;
  json j;
  j["workload"] = "stream-put";
  j["producers"] = a.producers;
  j["shards"] = a.shards;
  j["record_bytes"] = a.size;
  j["batch"] = a.batch;
  j["durability"] = a.durability;
  j["backend"] = std::string(store->file_system()->name());
  j["records"] = records;
  j["seconds"] = el;
  j["puts_per_s"] = records / el;
  j["mb_per_s"] = static_cast<double>(records) * a.size / el / 1e6;
  j["latency"] = Percentiles(all);
  j["cpu_s"] = u1.cpu_s - u0.cpu_s;
  j["peak_rss_mib"] = u1.max_rss_kib / 1024.0;
  const size_t framing = bytes / std::max<uint64_t>(all.size(), 1);
  // Until everything put is on the disk: Close syncs every shard.
  s = store->Close();
  if (!s.ok()) Die(s, "close");
  const double durable_s = Seconds(Clock::now() - t0);
  j["durable_seconds"] = durable_s;
  j["durable_mb_per_s"] = static_cast<double>(bytes) / durable_s / 1e6;
  std::filesystem::remove_all(dir + "/store");
  if (a.raw && a.durability != "always") {
    // The same bytes to the disk in large chunks, synced at the end, timed to the end.
    json r = RawDiskLoop(dir, bytes);
    j["raw_disk"] = r;
    j["ratio_vs_raw_disk"] = r["seconds"].get<double>() / durable_s;
  }
  if (a.raw) {
    AppendArgs ra;
    ra.durability = a.durability;
    ra.batch = a.batch;
    uint64_t raw_calls = a.durability == "always" ? std::min<uint64_t>(all.size(), 5000) : all.size();
    json r = RawLoop(dir, ra, raw_calls, framing);
    j["raw"] = r;
    j["ratio_vs_raw"] = j["puts_per_s"].get<double>() / r["records_per_s"].get<double>();
  }
  // Peers: the same records, one transaction per PutRecords call, no sharding or routing.
  j["peers"] = RunPeersAppend(dir, a.durability, a.producers, a.size, a.batch, all.size(),
                              j["puts_per_s"].get<double>(), a.peers, !a.json_out);
  if (a.dir.empty()) std::filesystem::remove_all(dir);
  if (a.json_out) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("stream-put %d producers, %u shards, %zu B x batch %d, %s: %.0f puts/s, %.1f MB/s, "
                "p50 %.1f us, p99 %.1f us, max %.1f us",
                a.producers, a.shards, a.size, a.batch, a.durability.c_str(),
                j["puts_per_s"].get<double>(), j["mb_per_s"].get<double>(),
                j["latency"]["p50_us"].get<double>(), j["latency"]["p99_us"].get<double>(),
                j["latency"]["max_us"].get<double>());
    if (a.raw) {
      std::printf("; raw pwrite loop %.0f/s; seglog/raw = %.2f", j["raw"]["records_per_s"].get<double>(),
                  j["ratio_vs_raw"].get<double>());
    }
    if (j.contains("raw_disk")) {
      std::printf("\n  to the disk (puts + final sync): seglog %.1f MB/s in %.2f s; raw 1 MiB pwrites + "
                  "fdatasync %.1f MB/s in %.2f s; seglog/raw = %.2f",
                  j["durable_mb_per_s"].get<double>(), durable_s, j["raw_disk"]["mb_per_s"].get<double>(),
                  j["raw_disk"]["seconds"].get<double>(), j["ratio_vs_raw_disk"].get<double>());
    }
    std::printf("\n");
    PrintPeers(j["peers"], "puts/s", "records_per_s", "latency");
  }
  return 0;
}

struct StreamReadArgs {
  double gib = 1;
  int passes = 5;
  size_t size = 1024;
  std::string dir;
  bool json_out = false;
};

// TRIM_HORIZON scan of one shard holding `gib` GiB, page cache warm, beside memcpy of the
// same bytes.
int RunStreamRead(const StreamReadArgs& a) {
  const std::string dir = MakeDir(a.dir);
  BenchStreams bs = OpenBenchStreams(dir + "/store");
  seglog::Store* store = bs.store.get();
  seglog::Streams& streams = *bs.streams;
  Status s;
  seglog::StreamConfig c;
  c.shard_count = 1;
  c.log.durability = seglog::Durability::kNone;
  s = streams.Create("scan", c);
  if (!s.ok() && s.code() != seglog::StatusCode::kAlreadyExists) Die(s, "create");
  std::string value(a.size, 'r');
  const std::string key = "k";
  std::vector<seglog::PutEntry> batch(
      500, seglog::PutEntry{seglog::ByteView(reinterpret_cast<const uint8_t*>(key.data()), key.size()),
                            seglog::ByteView(reinterpret_cast<const uint8_t*>(value.data()), value.size()),
                            std::nullopt});
  const uint64_t target = static_cast<uint64_t>(a.gib * (1ull << 30));
  uint64_t written = 0;
  std::vector<seglog::PutResult> results;
  while (written < target) {
    s = streams.PutBatch("scan", batch, &results);
    if (!s.ok()) Die(s, "put");
    written += 500 * (a.size + key.size());
  }
  auto scan = [&](uint64_t* records, uint64_t* bytes, uint64_t* sink) {
    std::unique_ptr<seglog::StreamIterator> it;
    Status st = streams.NewIterator("scan", 0, seglog::IteratorSpec{}, &it);
    if (!st.ok()) Die(st, "iterator");
    std::vector<seglog::RecordView> recs;
    for (;;) {
      recs.clear();
      st = it->Next(10000, 0, &recs);
      if (st.IsNoMore()) break;
      if (!st.ok()) Die(st, "scan");
      for (auto& r : recs) {
        *bytes += r.value.size() + r.key.size();
        *sink += r.value[r.value.size() / 2];  // touch the data
      }
      *records += recs.size();
    }
  };
  uint64_t rec = 0, bytes = 0, sink = 0;
  scan(&rec, &bytes, &sink);  // warm the page cache
  // Several timed passes of each, best and median reported: on a virtual machine the first
  // passes over fresh mappings (and over memcpy's fresh buffer) run well below steady state
  // for reasons outside the process (bench/profiles/scan.md). Both sides get the same passes.
  std::vector<double> scan_s, copy_s;
  uint64_t records = 0;
  for (int p = 0; p < a.passes; ++p) {
    rec = bytes = 0;
    auto t0 = Clock::now();
    scan(&rec, &bytes, &sink);
    scan_s.push_back(Seconds(Clock::now() - t0));
    records = rec;
  }
  // memcpy of the same number of bytes, from a buffer as large as the data (not cache-resident).
  std::vector<char> src(bytes, 1), dst(1 << 20);
  for (int p = 0; p < a.passes; ++p) {
    auto m0 = Clock::now();
    for (uint64_t off = 0; off < bytes; off += dst.size()) {
      const size_t n = std::min<uint64_t>(dst.size(), bytes - off);
      std::memcpy(dst.data(), src.data() + off, n);
      sink += static_cast<uint8_t>(dst[n / 2]);
    }
    copy_s.push_back(Seconds(Clock::now() - m0));
  }
  auto best = [](std::vector<double> v) { return *std::min_element(v.begin(), v.end()); };
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  const double el = best(scan_s), mel = best(copy_s);
  json j;
  j["workload"] = "stream-read";
  j["passes"] = a.passes;
  j["records"] = records;
  j["bytes"] = bytes;
  j["seconds"] = el;
  j["records_per_s"] = records / el;
  j["gb_per_s"] = bytes / el / 1e9;
  j["memcpy_gb_per_s"] = bytes / mel / 1e9;
  j["ratio_vs_memcpy"] = mel / el;
  j["median_gb_per_s"] = bytes / median(scan_s) / 1e9;
  j["median_memcpy_gb_per_s"] = bytes / median(copy_s) / 1e9;
  j["median_ratio_vs_memcpy"] = median(copy_s) / median(scan_s);
  j["sink"] = sink;
  (void)store->Close();
  if (a.dir.empty()) std::filesystem::remove_all(dir);
  if (a.json_out) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("stream-read TRIM_HORIZON scan of %.2f GiB (%zu B records), warm, best of %d: %.0f "
                "records/s, %.2f GB/s; memcpy of the same bytes %.2f GB/s; seglog/memcpy = %.2f "
                "(medians %.2f / %.2f GB/s = %.2f)\n",
                bytes / double(1ull << 30), a.size, a.passes, j["records_per_s"].get<double>(),
                j["gb_per_s"].get<double>(), j["memcpy_gb_per_s"].get<double>(),
                j["ratio_vs_memcpy"].get<double>(), j["median_gb_per_s"].get<double>(),
                j["median_memcpy_gb_per_s"].get<double>(), j["median_ratio_vs_memcpy"].get<double>());
  }
  return 0;
}

}  // namespace

// ---- queues ----

struct QueueArgs {
  int producers = 1;
  int consumers = 1;
  size_t size = 1024;
  uint64_t count = 100000;
  int batch = 10;
  std::string durability = "interval";
  std::string dir;
  PeerOptions peers;
  bool json_out = false;
};

struct BenchQueues {
  std::unique_ptr<seglog::Store> store;
  std::unique_ptr<seglog::Queues> queues;
};
BenchQueues OpenBenchQueues(const std::string& dir) {
  BenchQueues b;
  Status s = seglog::Store::Open(dir, BenchStoreOptions(), &b.store);
  if (!s.ok()) Die(s, "open");
  b.queues = std::make_unique<seglog::Queues>(b.store.get());
  return b;
}

seglog::ByteView Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

namespace {

// The queue workload on each peer: `producers` threads send, `consumers` threads receive (a
// 30 s visibility) and delete, batch messages per call; a message counts once deleted. An empty
// receive sleeps 100 us before the next (the peers have no long poll).
json RunPeersQueue(const std::string& dir, const QueueArgs& a, uint64_t total_seglog,
                   double seglog_messages_per_s) {
  json peers = PeersSkeleton(a.peers);
  if (!a.peers.enabled) return peers;
  // Send, receive and delete: about three transactions per batch of messages.
  const uint64_t calls = 3 * (total_seglog / static_cast<uint64_t>(a.batch));
  const bool bounded = a.durability == "always" && calls > a.peers.max_calls_always;
  const uint64_t want = bounded ? a.peers.max_calls_always / 3 * static_cast<uint64_t>(a.batch) : total_seglog;
  const uint64_t per = std::max<uint64_t>(1, want / static_cast<uint64_t>(a.producers));
  const uint64_t total = per * static_cast<uint64_t>(a.producers);
  for (const std::string& name : seglog::bench::CompiledPeers()) {
    if (!a.json_out) std::fprintf(stderr, "  %s ...", name.c_str());
    const std::string pdir = PeerDir(dir, name);
    std::unique_ptr<seglog::bench::Peer> peer = OpenPeer(name, pdir, a.durability);
    std::vector<std::vector<double>> send_lat(a.producers), recv_lat(a.consumers), del_lat(a.consumers);
    std::atomic<uint64_t> done{0};
    std::atomic<bool> failed{false};
    Usage u0 = GetUsage();
    auto t0 = Clock::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < a.producers; ++t) {
      ts.emplace_back([&, t] {
        const std::string body(a.size, static_cast<char>('a' + t % 26));
        std::vector<std::string_view> batch(a.batch, body);
        for (uint64_t i = 0; i < per && !failed; i += a.batch) {
          const size_t n = std::min<uint64_t>(a.batch, per - i);
          if (!TimedOp(name, "send", &send_lat[t], &failed, [&] {
                return peer->QueueSend(std::span(batch.data(), n));
              })) {
            return;
          }
        }
      });
    }
    for (int t = 0; t < a.consumers; ++t) {
      ts.emplace_back([&, t] {
        std::vector<seglog::bench::PeerMessage> got;
        std::vector<uint64_t> ids;
        while (done.load() < total && !failed) {
          got.clear();
          auto s0 = Clock::now();
          Status st = peer->QueueReceive(static_cast<size_t>(a.batch), 30, &got);
          auto s1 = Clock::now();
          if (!st.ok()) {
            std::fprintf(stderr, "%s receive: %s\n", name.c_str(), st.ToString().c_str());
            failed = true;
            return;
          }
          if (got.empty()) {
            std::this_thread::sleep_for(std::chrono::microseconds(100));
            continue;
          }
          recv_lat[t].push_back(Micros(s1 - s0));
          ids.clear();
          for (auto& m : got) ids.push_back(m.id);
          st = peer->QueueDelete(ids);
          if (!st.ok()) {
            std::fprintf(stderr, "%s delete: %s\n", name.c_str(), st.ToString().c_str());
            failed = true;
            return;
          }
          del_lat[t].push_back(Micros(Clock::now() - s1));
          done += got.size();
        }
      });
    }
    for (auto& t : ts) t.join();
    const double el = Seconds(Clock::now() - t0);
    Usage u1 = GetUsage();
    if (failed) std::exit(2);
    Status s = peer->Close();
    if (!s.ok()) Die(s, ("close peer " + name).c_str());
    auto merge = [](std::vector<std::vector<double>>& v) {
      std::vector<double> all;
      for (auto& x : v) all.insert(all.end(), x.begin(), x.end());
      return all;
    };
    std::vector<double> sl = merge(send_lat), rl = merge(recv_lat), dl = merge(del_lat);
    json r;
    r["config"] = peer->Config();
    r["messages"] = total;
    r["bounded"] = bounded;
    r["seconds"] = el;
    r["messages_per_s"] = total / el;
    r["send_latency"] = Percentiles(sl);
    r["receive_latency"] = Percentiles(rl);
    r["delete_latency"] = Percentiles(dl);
    r["cpu_s"] = u1.cpu_s - u0.cpu_s;
    r["seglog_over_peer"] = seglog_messages_per_s / r["messages_per_s"].get<double>();
    peers[name] = r;
    peer.reset();
    std::filesystem::remove_all(pdir);
    if (!a.json_out) std::fprintf(stderr, "\r%*s\r", 20, "");
  }
  return peers;
}

std::string Quad(const json& l) {
  if (l.is_null()) return "-";
  char buf[128];
  std::snprintf(buf, sizeof buf, "%.0f/%.0f/%.0f/%.0f", l["p50_us"].get<double>(), l["p99_us"].get<double>(),
                l["p999_us"].get<double>(), l["max_us"].get<double>());
  return buf;
}

std::string QueueLatencies(const json& r) {
  return "send " + Quad(r["send_latency"]) + ", receive " + Quad(r["receive_latency"]) + ", delete " +
         Quad(r["delete_latency"]);
}

void PrintQueuePeers(const json& peers) {
  bool any = false;
  for (const std::string& name : seglog::bench::CompiledPeers()) {
    if (!peers.contains(name)) continue;
    if (!any) std::printf("  peers (same workload and durability, after seglog; seglog/peer > 1: seglog faster):\n");
    any = true;
    const json& r = peers[name];
    std::printf("    %-7s %.0f messages/s; seglog/%s = %.2f", name.c_str(), r["messages_per_s"].get<double>(),
                name.c_str(), r["seglog_over_peer"].get<double>());
    if (r["bounded"].get<bool>()) {
      std::printf("  [bounded: %llu messages counted]", static_cast<unsigned long long>(r["messages"].get<uint64_t>()));
    }
    std::printf("\n        latency p50/p99/p99.9/max us: %s\n        (%s)\n", QueueLatencies(r).c_str(),
                r["config"].get<std::string>().c_str());
  }
  for (const auto& s : peers["skipped"]) std::printf("  peer skipped: %s\n", s.get<std::string>().c_str());
}

}  // namespace

// Producers send, consumers receive and delete: the whole SQS cycle. A message counts once
// its delete returned.
int RunQueue(const QueueArgs& a) {
  const std::string dir = MakeDir(a.dir);
  BenchQueues bq = OpenBenchQueues(dir + "/store");
  seglog::Queues& queues = *bq.queues;
  seglog::QueueConfig c;
  Status s = seglog::ParseDurability(a.durability, &c.log.durability);
  if (!s.ok()) Die(s, "durability");
  s = queues.Create("bench", c);
  if (!s.ok()) Die(s, "create");
  const uint64_t per = a.count / static_cast<uint64_t>(a.producers);
  const uint64_t total = per * static_cast<uint64_t>(a.producers);
  std::vector<std::vector<double>> send_lat(a.producers), recv_lat(a.consumers), del_lat(a.consumers);
  std::atomic<uint64_t> done{0};
  std::atomic<int64_t> t_end_ns{0};
  std::atomic<bool> failed{false};
  Usage u0 = GetUsage();
  auto t0 = Clock::now();
  std::vector<std::thread> ts;
  for (int t = 0; t < a.producers; ++t) {
    ts.emplace_back([&, t] {
      const std::string body(a.size, static_cast<char>('a' + t % 26));
      std::vector<seglog::SendEntry> batch(a.batch);
      for (auto& e : batch) e.body = Bytes(body);
      std::vector<seglog::SendResult> res;
      for (uint64_t i = 0; i < per && !failed; i += a.batch) {
        const size_t n = std::min<uint64_t>(a.batch, per - i);
        if (!TimedOp({}, "send", &send_lat[t], &failed, [&] {
              return queues.SendBatch("bench", std::span(batch.data(), n), &res);
            })) {
          return;
        }
      }
    });
  }
  for (int t = 0; t < a.consumers; ++t) {
    ts.emplace_back([&, t] {
      seglog::ReceiveOptions o;
      o.max_messages = static_cast<uint32_t>(a.batch);
      o.wait_s = 1;
      std::vector<seglog::ReceivedMessage> got;
      std::vector<std::string_view> receipts;
      std::vector<Status> res;
      while (done.load() < total && !failed) {
        got.clear();
        auto s0 = Clock::now();
        Status st = queues.Receive("bench", o, &got);
        auto s1 = Clock::now();
        if (!st.ok()) {
          std::fprintf(stderr, "receive: %s\n", st.ToString().c_str());
          failed = true;
          return;
        }
        if (got.empty()) continue;
        recv_lat[t].push_back(Micros(s1 - s0));
        receipts.clear();
        for (auto& m : got) receipts.push_back(m.receipt);
        st = queues.DeleteMessageBatch("bench", receipts, &res);
        for (auto& r : res) {
          if (st.ok() && !r.ok()) st = r;
        }
        if (!st.ok()) {
          std::fprintf(stderr, "delete: %s\n", st.ToString().c_str());
          failed = true;
          return;
        }
        del_lat[t].push_back(Micros(Clock::now() - s1));
        // The run ends with the last delete, not when the other consumers' long polls (1 s)
        // give up afterwards.
        if (done.fetch_add(got.size()) + got.size() >= total) t_end_ns = Clock::now().time_since_epoch().count();
      }
    });
  }
  for (auto& t : ts) t.join();
  const double el = t_end_ns.load() != 0
                        ? Seconds(Clock::time_point(Clock::duration(t_end_ns.load())) - t0)
                        : Seconds(Clock::now() - t0);
  Usage u1 = GetUsage();
  if (failed) return 2;
  auto merge = [](std::vector<std::vector<double>>& v) {
    std::vector<double> all;
    for (auto& x : v) all.insert(all.end(), x.begin(), x.end());
    return all;
  };
  std::vector<double> sl = merge(send_lat), rl = merge(recv_lat), dl = merge(del_lat);
  seglog::QueueStats st;
  (void)queues.Stats("bench", &st);
  json j;
  j["workload"] = "queue";
  j["producers"] = a.producers;
  j["consumers"] = a.consumers;
  j["message_bytes"] = a.size;
  j["batch"] = a.batch;
  j["durability"] = a.durability;
  j["backend"] = std::string(bq.store->file_system()->name());
  j["messages"] = total;
  j["seconds"] = el;
  j["messages_per_s"] = total / el;
  j["mb_per_s"] = static_cast<double>(total) * a.size / el / 1e6;
  j["send_latency"] = Percentiles(sl);
  j["receive_latency"] = Percentiles(rl);
  j["delete_latency"] = Percentiles(dl);
  j["cpu_s"] = u1.cpu_s - u0.cpu_s;
  j["peak_rss_mib"] = u1.max_rss_kib / 1024.0;
  j["left_visible"] = st.visible;
  bq.queues.reset();
  (void)bq.store->Close();
  std::filesystem::remove_all(dir + "/store");
  j["peers"] = RunPeersQueue(dir, a, total, j["messages_per_s"].get<double>());
  if (a.dir.empty()) std::filesystem::remove_all(dir);
  if (a.json_out) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::printf("queue %d producers, %d consumers, %zu B x batch %d, %s: %.0f messages/s "
                "(send+receive+delete), cpu %.1f s\n    latency p50/p99/p99.9/max us: %s\n",
                a.producers, a.consumers, a.size, a.batch, a.durability.c_str(),
                j["messages_per_s"].get<double>(), j["cpu_s"].get<double>(), QueueLatencies(j).c_str());
    PrintQueuePeers(j["peers"]);
  }
  return 0;
}

struct QueueDepthArgs {
  std::vector<uint64_t> depths = {1, 1000000};
  size_t size = 1024;
  int samples = 2000;
  std::string dir;
  bool json_out = false;
};

size_t HeapBytes() {
  const struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

// Receive latency with N messages queued (each sample: receive 1, delete it, send 1 back, so
// the depth stays N), and heap bytes per live message, live and after a reopen.
int RunQueueDepth(const QueueDepthArgs& a) {
  json out = json::array();
  for (uint64_t depth : a.depths) {
    const std::string dir = MakeDir(a.dir);
    json j;
    j["workload"] = "queue-depth";
    j["depth"] = depth;
    j["message_bytes"] = a.size;
    const std::string body(a.size, 'q');
    {
      BenchQueues bq = OpenBenchQueues(dir + "/store");
      seglog::QueueConfig c;
      c.log.durability = seglog::Durability::kNone;
      Status s = bq.queues->Create("depth", c);
      if (!s.ok()) Die(s, "create");
      std::vector<seglog::SendEntry> batch(10);
      for (auto& e : batch) e.body = Bytes(body);
      std::vector<seglog::SendResult> res;
      seglog::QueueStats st;
      (void)bq.queues->Stats("depth", &st);  // opens the queue before the heap is measured
      const size_t heap0 = HeapBytes();
      for (uint64_t i = 0; i < depth; i += 10) {
        s = bq.queues->SendBatch("depth", std::span(batch.data(), std::min<uint64_t>(10, depth - i)), &res);
        if (!s.ok()) Die(s, "send");
      }
      const size_t heap1 = HeapBytes();
      j["heap_bytes_per_message_live"] = static_cast<double>(heap1 - heap0) / depth;
      std::vector<double> lat;
      seglog::ReceiveOptions o;
      o.max_messages = 1;
      o.wait_s = 0;
      std::vector<seglog::ReceivedMessage> got;
      for (int i = 0; i < a.samples; ++i) {
        got.clear();
        auto s0 = Clock::now();
        s = bq.queues->Receive("depth", o, &got);
        lat.push_back(Micros(Clock::now() - s0));
        if (!s.ok() || got.size() != 1) Die(s, "receive");
        s = bq.queues->DeleteMessage("depth", got[0].receipt);
        if (!s.ok()) Die(s, "delete");
        s = bq.queues->SendBatch("depth", std::span(batch.data(), 1), &res);
        if (!s.ok()) Die(s, "send");
      }
      j["receive_latency"] = Percentiles(lat);
      bq.queues.reset();
      (void)bq.store->Close();
    }
    {
      const size_t heap0 = HeapBytes();
      auto t0 = Clock::now();
      BenchQueues bq = OpenBenchQueues(dir + "/store");
      seglog::QueueStats st;
      Status s = bq.queues->Stats("depth", &st);
      if (!s.ok()) Die(s, "stats");
      j["reopen_ms"] = Seconds(Clock::now() - t0) * 1e3;
      j["heap_bytes_per_message_reopened"] =
          static_cast<double>(HeapBytes() - heap0) / std::max<uint64_t>(st.visible, 1);
      j["visible_after_reopen"] = st.visible;
    }
    if (a.dir.empty()) std::filesystem::remove_all(dir);
    if (!a.json_out) {
      std::printf("queue-depth %llu x %zu B: receive p50 %.1f us p99 %.1f us max %.1f us; heap "
                  "%.1f B/message live, %.1f B/message after reopen (reopen %.1f ms)\n",
                  static_cast<unsigned long long>(depth), a.size,
                  j["receive_latency"]["p50_us"].get<double>(),
                  j["receive_latency"]["p99_us"].get<double>(),
                  j["receive_latency"]["max_us"].get<double>(),
                  j["heap_bytes_per_message_live"].get<double>(),
                  j["heap_bytes_per_message_reopened"].get<double>(), j["reopen_ms"].get<double>());
    }
    out.push_back(j);
  }
  if (a.json_out) std::cout << out.dump(2) << "\n";
  return 0;
}

// ---- topic: SNS fan-out into queues (issue 15) ----
//
// Publishes --count messages (PublishBatch of --batch) to a topic with S queue subscriptions
// (each of --subs), half of them (S / 2) with a filter policy that matches half the messages
// (attribute kind = "even"), then Topics::WaitDelivered; beside it the same deliveries sent
// straight to those queues with Queues::SendBatch (the baseline). Then, in a fresh store under
// durability none, publish -> visible latency: a receiver thread long-polls the first queue
// (no filter); each message carries its publish time and is published --gap-us after the
// receiver saw the one before (closed loop: the latency of an unloaded fan-out).
struct TopicArgs {
  std::vector<int> subs = {1, 10, 100};
  size_t size = 1024;
  uint64_t count = 20000;
  int batch = 10;
  bool raw = false;
  int fanout_threads = 1;
  std::string durability = "none";
  uint64_t latency_samples = 2000;
  int gap_us = 200;
  std::string dir;
  bool json_out = false;
};

struct BenchTopics {
  std::unique_ptr<seglog::Store> store;
  std::unique_ptr<seglog::Queues> queues;
  std::unique_ptr<seglog::Topics> topics;
  ~BenchTopics() {
    topics.reset();
    queues.reset();
    if (store) (void)store->Close();
  }
};

std::string BenchQueueName(int i) { return "q" + std::to_string(i); }

// A store with S queues and a topic "bench" subscribed to them (the odd ones filtered).
void OpenBenchTopic(const std::string& dir, const TopicArgs& a, int subs, const std::string& durability,
                    BenchTopics* b) {
  Status s = seglog::Store::Open(dir, BenchStoreOptions(), &b->store);
  if (!s.ok()) Die(s, "open");
  b->queues = std::make_unique<seglog::Queues>(b->store.get());
  seglog::TopicsOptions to;
  to.fanout_threads = static_cast<size_t>(a.fanout_threads);
  b->topics = std::make_unique<seglog::Topics>(b->store.get(), b->queues.get(), to);
  seglog::QueueConfig qc;
  if (!(s = seglog::ParseDurability(durability, &qc.log.durability)).ok()) Die(s, "durability");
  seglog::TopicConfig tc;
  tc.log.durability = qc.log.durability;
  if (!(s = b->topics->Create("bench", tc)).ok()) Die(s, "create topic");
  // The store's signing key (RSA key generation) is made here, not in the timed fan-out.
  std::string pem;
  if (!(s = b->topics->SigningCertificate(&pem)).ok()) Die(s, "signing certificate");
  for (int i = 0; i < subs; ++i) {
    if (!(s = b->queues->Create(BenchQueueName(i), qc)).ok()) Die(s, "create queue");
    seglog::SubscriptionConfig sc;
    sc.endpoint = BenchQueueName(i);
    sc.raw_delivery = a.raw;
    if (i % 2 == 1) sc.filter_policy = R"({"kind":["even"]})";
    std::string id;
    if (!(s = b->topics->Subscribe("bench", sc, &id)).ok()) Die(s, "subscribe");
  }
}

// The messages' attributes: kind = even | odd (message i gets kind_of(i)).
const seglog::format::MessageAttribute kKindEven{"kind", seglog::format::AttributeType::kString,
                                                 {reinterpret_cast<const uint8_t*>("even"), 4}};
const seglog::format::MessageAttribute kKindOdd{"kind", seglog::format::AttributeType::kString,
                                                {reinterpret_cast<const uint8_t*>("odd"), 3}};

json TopicThroughput(const std::string& dir, const TopicArgs& a, int subs) {
  const std::string body(a.size, 'm');
  const uint64_t total = a.count / static_cast<uint64_t>(a.batch) * static_cast<uint64_t>(a.batch);
  const int filtered = subs / 2;
  const uint64_t evens = (total + 1) / 2;
  const uint64_t deliveries = total * static_cast<uint64_t>(subs - filtered) + evens * filtered;
  json r;
  r["subscriptions"] = subs;
  r["filtered_subscriptions"] = filtered;
  r["messages"] = total;
  r["deliveries"] = deliveries;
  {
    BenchTopics b;
    OpenBenchTopic(dir + "/fanout", a, subs, a.durability, &b);
    std::vector<std::string> idtext(a.batch);
    std::vector<std::string_view> ids(a.batch);
    for (int i = 0; i < a.batch; ++i) ids[i] = idtext[i] = "e" + std::to_string(i);
    std::vector<seglog::PublishEntry> entries(a.batch);
    std::vector<seglog::PublishResult> results;
    std::vector<seglog::BatchEntryOutcome> outcomes;
    Usage u0 = GetUsage();
    const auto t0 = Clock::now();
    for (uint64_t i = 0; i < total; i += a.batch) {
      for (int k = 0; k < a.batch; ++k) {
        entries[k].message = body;
        entries[k].attributes = std::span((i + k) % 2 == 0 ? &kKindEven : &kKindOdd, 1);
      }
      Status s = b.topics->PublishBatch("bench", ids, entries, &results, &outcomes);
      for (const auto& o : outcomes) {
        if (s.ok() && !o.ok()) s = o.status;
      }
      if (!s.ok()) Die(s, "publish");
    }
    const auto t1 = Clock::now();
    Status s = b.topics->WaitDelivered("bench", 600'000);
    if (!s.ok()) Die(s, "wait delivered");
    const auto t2 = Clock::now();
    Usage u1 = GetUsage();
    uint64_t got = 0;
    for (int i = 0; i < subs; ++i) {
      seglog::QueueStats st;
      if ((s = b.queues->Stats(BenchQueueName(i), &st)).ok()) got += st.visible;
    }
    if (got != deliveries) {
      std::fprintf(stderr, "topic: %llu messages in the queues, %llu expected\n",
                   static_cast<unsigned long long>(got), static_cast<unsigned long long>(deliveries));
      std::exit(2);
    }
    r["publish_s"] = Seconds(t1 - t0);
    r["publishes_per_s"] = total / Seconds(t1 - t0);
    r["delivered_s"] = Seconds(t2 - t0);
    r["deliveries_per_s"] = deliveries / Seconds(t2 - t0);
    r["cpu_s"] = u1.cpu_s - u0.cpu_s;
  }
  std::filesystem::remove_all(dir + "/fanout");
  {
    // The baseline: the same deliveries straight into the queues, batches of a.batch per queue.
    BenchQueues b = OpenBenchQueues(dir + "/direct");
    seglog::QueueConfig qc;
    (void)seglog::ParseDurability(a.durability, &qc.log.durability);
    for (int i = 0; i < subs; ++i) {
      Status s = b.queues->Create(BenchQueueName(i), qc);
      if (!s.ok()) Die(s, "create queue");
    }
    std::vector<seglog::SendEntry> entries(a.batch);
    std::vector<seglog::SendResult> results;
    Usage u0 = GetUsage();
    const auto t0 = Clock::now();
    for (uint64_t i = 0; i < total; i += a.batch) {
      for (int q = 0; q < subs; ++q) {
        size_t n = 0;
        for (int k = 0; k < a.batch; ++k) {
          const bool even = (i + k) % 2 == 0;
          if (q % 2 == 1 && !even) continue;
          entries[n].body = Bytes(body);
          entries[n].attributes = std::span(even ? &kKindEven : &kKindOdd, 1);
          ++n;
        }
        Status s = b.queues->SendBatch(BenchQueueName(q), std::span(entries.data(), n), &results);
        if (!s.ok()) Die(s, "send");
      }
    }
    const double el = Seconds(Clock::now() - t0);
    Usage u1 = GetUsage();
    b.queues.reset();
    (void)b.store->Close();
    r["direct_s"] = el;
    r["direct_deliveries_per_s"] = deliveries / el;
    r["direct_cpu_s"] = u1.cpu_s - u0.cpu_s;
  }
  std::filesystem::remove_all(dir + "/direct");
  // Cost per delivery, fan-out over direct (wall time; 1.0 = as cheap as sending directly).
  r["fanout_over_direct"] = r["direct_deliveries_per_s"].get<double>() / r["deliveries_per_s"].get<double>();
  return r;
}

// Publish -> visible in the first queue, durability none, one message every gap_us.
json TopicLatency(const std::string& dir, const TopicArgs& a, int subs) {
  BenchTopics b;
  OpenBenchTopic(dir + "/latency", a, subs, "none", &b);
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::vector<double> lat;  // the receiver's; read after join
  lat.reserve(a.latency_samples);
  std::atomic<uint64_t> nlat{0};
  std::thread receiver([&] {
    seglog::ReceiveOptions o;
    o.max_messages = 10;
    o.wait_s = 1;
    std::vector<seglog::ReceivedMessage> got;
    std::vector<std::string_view> receipts;
    std::vector<Status> res;
    while (!stop && lat.size() < a.latency_samples) {
      got.clear();
      Status s = b.queues->Receive(BenchQueueName(0), o, &got);
      const int64_t now = Clock::now().time_since_epoch().count();
      if (!s.ok()) {
        std::fprintf(stderr, "receive: %s\n", s.ToString().c_str());
        failed = true;
        return;
      }
      receipts.clear();
      for (const auto& m : got) {
        std::string text = m.body;
        if (!a.raw) text = json::parse(m.body)["Message"].get<std::string>();
        lat.push_back(static_cast<double>(now - std::stoll(text.substr(2))) / 1e3);
        nlat = lat.size();
        receipts.push_back(m.receipt);
      }
      if (!receipts.empty()) (void)b.queues->DeleteMessageBatch(BenchQueueName(0), receipts, &res);
    }
  });
  seglog::PublishResult pr;
  for (uint64_t i = 0; i < a.latency_samples && !failed; ++i) {
    // Closed loop: the next message after the receiver saw this one (unloaded latency).
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    while (nlat.load() < i && !failed && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::microseconds(20));  // no spinning beside the fan-out
    }
    std::string msg = "t=" + std::to_string(Clock::now().time_since_epoch().count());
    msg.resize(std::max(msg.size(), a.size), ' ');
    seglog::PublishEntry e;
    e.message = msg;
    e.attributes = std::span(&kKindEven, 1);
    Status s = b.topics->Publish("bench", e, &pr);
    if (!s.ok()) Die(s, "publish");
    std::this_thread::sleep_for(std::chrono::microseconds(a.gap_us));
  }
  Status s = b.topics->WaitDelivered("bench", 60'000);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!failed && nlat.load() < a.latency_samples && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop = true;
  receiver.join();
  if (!s.ok()) Die(s, "wait delivered");
  if (failed || lat.size() < a.latency_samples) {
    std::fprintf(stderr, "topic latency: %zu of %llu samples\n", lat.size(),
                 static_cast<unsigned long long>(a.latency_samples));
    std::exit(2);
  }
  json r = Percentiles(lat);
  r["samples"] = lat.size();
  b.topics.reset();
  std::filesystem::remove_all(dir + "/latency");
  return r;
}

int RunTopic(const TopicArgs& a) {
  const std::string dir = MakeDir(a.dir);
  json out;
  out["workload"] = "topic";
  out["message_bytes"] = a.size;
  out["batch"] = a.batch;
  out["raw_delivery"] = a.raw;
  out["fanout_threads"] = a.fanout_threads;
  out["durability"] = a.durability;
  out["runs"] = json::array();
  for (int subs : a.subs) {
    json r = TopicThroughput(dir, a, subs);
    r["latency_none"] = TopicLatency(dir, a, subs);
    if (!a.json_out) {
      std::printf("topic %d subs (%d filtered), %llu x %zu B, batch %d, %s, %s: %.0f publishes/s, "
                  "%.0f deliveries/s vs direct SendBatch %.0f/s: fan-out/direct cost per delivery %.2f; "
                  "cpu %.1f s (direct %.1f s)\n    publish->visible (none, closed loop, gap %d us) p50/p99/p99.9/max us: %s\n",
                  subs, r["filtered_subscriptions"].get<int>(),
                  static_cast<unsigned long long>(r["messages"].get<uint64_t>()), a.size, a.batch,
                  a.durability.c_str(), a.raw ? "raw" : "envelope", r["publishes_per_s"].get<double>(),
                  r["deliveries_per_s"].get<double>(), r["direct_deliveries_per_s"].get<double>(),
                  r["fanout_over_direct"].get<double>(), r["cpu_s"].get<double>(),
                  r["direct_cpu_s"].get<double>(), a.gap_us, Quad(r["latency_none"]).c_str());
      std::fflush(stdout);
    }
    out["runs"].push_back(r);
  }
  if (a.dir.empty()) std::filesystem::remove_all(dir);
  if (a.json_out) std::cout << out.dump(2) << "\n";
  return 0;
}

int main(int argc, char** argv) {
  CLI::App app{"seglog-bench: seglog workloads against the disk's own limit"};
  app.require_subcommand(1);
  std::string write_path = "mapped";
  app.add_option("--write-path", write_path,
                 "mapped (default: none/interval appends of up to 4 KiB are copied into the active segment) | syscall (every append written)")
      ->check(CLI::IsMember({"mapped", "syscall"}));
  app.parse_complete_callback([&] { g_mapped_writes = write_path == "mapped"; });
  AppendArgs aa;
  auto* ap = app.add_subcommand("append", "append records to one log from N threads");
  ap->add_option("--threads", aa.threads, "appending threads")->check(CLI::Range(1, 1024));
  ap->add_option("--size", aa.size, "value bytes per record")->check(CLI::Range(1, 10 << 20));
  ap->add_option("--count", aa.count, "records in all");
  ap->add_option("--batch", aa.batch, "records per append")->check(CLI::Range(1, 100000));
  ap->add_option("--durability", aa.durability, "always | interval | none");
  ap->add_option("--backend", aa.backend, "auto | uring | pwrite");
  ap->add_option("--dir", aa.dir, "directory (default: a new temp dir)");
  ap->add_option("--segment-mib", aa.segment_mib, "segment size in MiB");
  ap->add_flag("!--no-raw", aa.raw, "skip the raw pwrite baseline");
  ap->add_flag("--peers,!--no-peers", aa.peers.enabled,
                "also run SQLite, RocksDB and LMDB on the same workload (default on)");
  ap->add_option("--peer-max-calls", aa.peers.max_calls_always,
                  "under always: at most this many peer transactions per peer");
  ap->add_flag("--json", aa.json_out, "JSON output");
  OpenArgs oa;
  auto* op = app.add_subcommand("open", "time reopening a store with N GiB sealed vs empty");
  op->add_option("--sealed-gib", oa.sealed_gib, "GiB of sealed segments");
  op->add_option("--dir", oa.dir, "directory (default: a new temp dir)");
  op->add_option("--repeats", oa.repeats, "opens timed per store");
  op->add_flag("--keep", oa.keep, "keep the stores");
  op->add_flag("--after-kill", oa.after_kill,
               "time the reopen after a child filling the store is killed with SIGKILL");
  op->add_flag("--json", oa.json_out, "JSON output");
  StreamPutArgs sp;
  auto* spp = app.add_subcommand("stream-put", "put records into a sharded stream from N producers (alias: stream-append)");
  spp->alias("stream-append");
  spp->add_option("--producers", sp.producers, "producer threads")->check(CLI::Range(1, 1024));
  spp->add_option("--shards", sp.shards, "shards")->check(CLI::Range(1, 1024));
  spp->add_option("--size", sp.size, "data bytes per record")->check(CLI::Range(1, 1 << 20));
  spp->add_option("--count", sp.count, "records in all");
  spp->add_option("--batch", sp.batch, "records per put (PutRecords)")->check(CLI::Range(1, 500));
  spp->add_option("--durability", sp.durability, "always | interval | none");
  spp->add_option("--dir", sp.dir, "directory (default: a new temp dir)");
  spp->add_flag("!--no-raw", sp.raw, "skip the raw pwrite baseline");
  spp->add_flag("--peers,!--no-peers", sp.peers.enabled,
                "also run SQLite, RocksDB and LMDB on the same workload (default on)");
  spp->add_option("--peer-max-calls", sp.peers.max_calls_always,
                  "under always: at most this many peer transactions per peer");
  spp->add_flag("--json", sp.json_out, "JSON output");
  StreamReadArgs sr;
  auto* srp = app.add_subcommand("stream-read", "TRIM_HORIZON scan of N GiB, warm, vs memcpy");
  srp->add_option("--gib", sr.gib, "GiB to put and scan");
  srp->add_option("--passes", sr.passes, "timed passes of the scan and of memcpy (best reported)")
      ->check(CLI::Range(1, 100));
  srp->add_option("--size", sr.size, "data bytes per record");
  srp->add_option("--dir", sr.dir, "directory (default: a new temp dir)");
  srp->add_flag("--json", sr.json_out, "JSON output");
  QueueArgs qa;
  auto* qp = app.add_subcommand("queue", "producers send, consumers receive and delete");
  qp->add_option("--producers", qa.producers, "sending threads")->check(CLI::Range(1, 1024));
  qp->add_option("--consumers", qa.consumers, "receiving + deleting threads")->check(CLI::Range(1, 1024));
  qp->add_option("--size", qa.size, "body bytes")->check(CLI::Range(1, 1 << 20));
  qp->add_option("--count", qa.count, "messages in all");
  qp->add_option("--batch", qa.batch, "messages per send / receive / delete")->check(CLI::Range(1, 10));
  qp->add_option("--durability", qa.durability, "always | interval | none");
  qp->add_option("--dir", qa.dir, "directory (default: a new temp dir)");
  qp->add_flag("--peers,!--no-peers", qa.peers.enabled,
                "also run SQLite, RocksDB and LMDB on the same workload (default on)");
  qp->add_option("--peer-max-calls", qa.peers.max_calls_always,
                  "under always: at most this many peer transactions per peer");
  qp->add_flag("--json", qa.json_out, "JSON output");
  QueueDepthArgs qd;
  auto* qdp = app.add_subcommand("queue-depth", "receive latency and memory at N queued messages");
  qdp->add_option("--depth", qd.depths, "queued messages (several allowed)");
  qdp->add_option("--size", qd.size, "body bytes");
  qdp->add_option("--samples", qd.samples, "receives timed");
  qdp->add_option("--dir", qd.dir, "directory (default: a new temp dir)");
  qdp->add_flag("--json", qd.json_out, "JSON output");
  TopicArgs ta;
  auto* tp = app.add_subcommand("topic", "publish to a topic fanned out to S queues, vs sending to them directly");
  tp->add_option("--subs", ta.subs, "queue subscriptions, e.g. 1,10,100 (half of them filtered)")
      ->delimiter(',')
      ->check(CLI::Range(1, 1000));
  tp->add_option("--size", ta.size, "message bytes")->check(CLI::Range(24, 1 << 18));
  tp->add_option("--count", ta.count, "messages published");
  tp->add_option("--batch", ta.batch, "messages per PublishBatch / SendBatch")->check(CLI::Range(1, 10));
  tp->add_flag("--raw", ta.raw, "raw delivery (default: SNS's signed JSON envelope)");
  tp->add_option("--fanout-threads", ta.fanout_threads, "TopicsOptions::fanout_threads")->check(CLI::Range(1, 64));
  tp->add_option("--durability", ta.durability, "always | interval | none (topic and queues)");
  tp->add_option("--latency-samples", ta.latency_samples, "publish->visible samples (durability none)");
  tp->add_option("--gap-us", ta.gap_us, "microseconds from one latency sample's receipt to the next publish");
  tp->add_option("--dir", ta.dir, "directory (default: a new temp dir)");
  tp->add_flag("--json", ta.json_out, "JSON output");
  CLI11_PARSE(app, argc, argv);
  if (tp->parsed()) return RunTopic(ta);
  if (qp->parsed()) return RunQueue(qa);
  if (qdp->parsed()) return RunQueueDepth(qd);
  if (spp->parsed()) return RunStreamPut(sp);
  if (srp->parsed()) return RunStreamRead(sr);
  if (ap->parsed()) return RunAppend(aa);
  if (op->parsed()) return RunOpen(oa);
  return 2;
}
