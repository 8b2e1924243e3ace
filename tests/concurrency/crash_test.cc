// Crash safety: simulated power loss at random points, injected I/O errors at every call,
// and real kill -9 of a child process. After each, the reopened log must be a gap-free prefix
// of what was appended, holding every acknowledged record byte-identical, with no duplicate
// and no corrupt record.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "engine/log/clock.h"
#include "engine/log/log.h"
#include "engine/log/store.h"
#include "tests/support/fault_fs.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using testing::Str;
using testing::TempDir;
using testing::View;

using testing::MakeFs;

// What a workload was told: acknowledged seq -> value, and every value it ever tried.
struct Ledger {
  std::mutex mu;
  std::map<uint64_t, std::string> acked;
  std::set<std::string> attempted;
};

// Checks the reopened log against the ledger.
void VerifyLog(Log* log, Ledger& ledger, const std::string& what) {
  std::unique_ptr<LogIterator> it;
  ASSERT_OK(log->NewIterator(SeqNo(0), &it));
  RecordView r;
  Status s;
  uint64_t expect = 0;
  std::set<std::string> seen;
  while ((s = it->Next(&r)).ok()) {
    ASSERT_EQ(r.seq.value(), expect) << what << ": gap";
    ++expect;
    std::string v = Str(r.value);
    ASSERT_TRUE(ledger.attempted.count(v)) << what << ": phantom record at " << r.seq.value();
    ASSERT_TRUE(seen.insert(v).second) << what << ": duplicate record at " << r.seq.value();
    auto a = ledger.acked.find(r.seq.value());
    if (a != ledger.acked.end()) {
      ASSERT_EQ(a->second, v) << what << ": acknowledged record changed at " << r.seq.value();
    }
  }
  ASSERT_TRUE(s.IsNoMore()) << what << ": " << s.ToString();
  if (!ledger.acked.empty()) {
    ASSERT_LT(ledger.acked.rbegin()->first, expect)
        << what << ": acknowledged record " << ledger.acked.rbegin()->first << " lost (log has "
        << expect << ")";
  }
}

// Appends from `threads` threads until an append fails or `per_thread` are done.
void RunAppenders(Log* log, Ledger* ledger, int threads, int per_thread, uint64_t seed) {
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([=] {
      std::mt19937_64 rng(seed * 131 + t);
      for (int i = 0; i < per_thread; ++i) {
        std::string v = "t" + std::to_string(t) + "-" + std::to_string(i) + "-" +
                         std::string(rng() % 700, static_cast<char>('a' + rng() % 26));
        {
          std::lock_guard<std::mutex> l(ledger->mu);
          ledger->attempted.insert(v);
        }
        Log::Record rec{View("key"), View(v), {}};
        SeqNo seq;
        if (!log->Append(std::span<const Log::Record>(&rec, 1), &seq).ok()) return;
        std::lock_guard<std::mutex> l(ledger->mu);
        ledger->acked[seq.value()] = v;
      }
    });
  }
  for (auto& t : ts) t.join();
}

class CrashTest : public ::testing::TestWithParam<io::Backend> {
 protected:
  void SetUp() override {
    if (!MakeFs(GetParam())) GTEST_SKIP() << "backend unavailable";
  }
  LogOptions Options() {
    LogOptions o;
    o.segment_size = 16 * 1024;  // many rolls: seal and create are crash points too
    o.durability = Durability::kAlways;
    o.index_interval_bytes = 1024;
    return o;
  }
  Log::Env Env(io::FileSystem* fs, const std::string& dir) {
    return Log::Env{fs, &clock_, &maps_, 1, dir + "/log", false};
  }
  ManualClock clock_;
  MapCache maps_{64};
};

TEST_P(CrashTest, PowerLossAtRandomPointsUnderConcurrentAppends) {
  constexpr int kPoints = 100;  // per backend; both backends together: 200 points
  std::mt19937_64 rng(2024);
  for (int point = 0; point < kPoints; ++point) {
    TempDir dir;
    auto fault = std::make_unique<io::FaultFileSystem>(MakeFs(GetParam()));
    const uint64_t crash_after = 3 + rng() % 300;
    Ledger ledger;
    {
      std::unique_ptr<Log> log;
      ASSERT_OK(Log::Open(Env(fault.get(), dir.path()), Options(), &log));
      fault->CrashAfter(crash_after);
      RunAppenders(log.get(), &ledger, 4, 60, point);
      fault->Crash();
      (void)log->Close();
    }
    // Every way of losing power in turn: all unsynced changes, a torn last write, any pages.
    constexpr io::PowerLoss kModes[] = {io::PowerLoss::kRevertAll, io::PowerLoss::kTearLastWrite,
                                        io::PowerLoss::kAnyPages};
    ASSERT_OK(fault->SimulatePowerLoss(kModes[point % 3], point));
    auto fs = MakeFs(GetParam());
    std::unique_ptr<Log> log;
    ASSERT_OK(Log::Open(Env(fs.get(), dir.path()), Options(), &log))
        << "point " << point << " crash_after " << crash_after;
    VerifyLog(log.get(), ledger, "point " + std::to_string(point));
    if (::testing::Test::HasFatalFailure()) return;
    // The recovered log takes appends again, and they survive another reopen.
    Log::Record rec{View("k"), View("after-recovery"), {}};
    ASSERT_OK(log->Append(std::span<const Log::Record>(&rec, 1)));
  }
}

// Every write, sync, rename, fallocate, truncate and directory call of a workload that
// creates a store, rolls segments and reopens, failed in turn with EIO and with ENOSPC (and
// every write made short): a clear error, then a clean reopen holding everything acknowledged.
TEST_P(CrashTest, InjectedErrorAtEveryCall) {
  auto workload = [&](io::FileSystem* fs, const std::string& dir, Ledger* ledger) -> Status {
    StoreOptions so;
    so.file_system = fs;
    so.clock = &clock_;
    std::unique_ptr<Store> store;
    SEGLOG_RETURN_IF_ERROR(Store::Open(dir, so, &store));
    Log* log = nullptr;
    Status s = store->CreateLog("l", Options(), &log);
    if (s.code() == StatusCode::kAlreadyExists) s = store->GetLog("l", &log);
    SEGLOG_RETURN_IF_ERROR(s);
    for (int i = 0; i < 80; ++i) {
      std::string v = "v" + std::to_string(i) + std::string(300, 'x');
      ledger->attempted.insert(v);
      Log::Record rec{View("k"), View(v), {}};
      SeqNo seq;
      SEGLOG_RETURN_IF_ERROR(log->Append(std::span<const Log::Record>(&rec, 1), &seq));
      ledger->acked[seq.value()] = v;
    }
    return store->Close();
  };

  // Count the calls of a clean run.
  uint64_t counts[io::kFsOpCount] = {};
  {
    TempDir dir;
    io::FaultFileSystem fault(MakeFs(GetParam()));
    Ledger ledger;
    ASSERT_OK(workload(&fault, dir.path(), &ledger));
    for (int op = 0; op < io::kFsOpCount; ++op) counts[op] = fault.count(static_cast<io::FsOp>(op));
  }
  ASSERT_GT(counts[static_cast<int>(io::FsOp::kWrite)], 20u);
  ASSERT_GT(counts[static_cast<int>(io::FsOp::kRename)], 1u);

  int runs = 0;
  for (io::FsOp op : {io::FsOp::kOpen, io::FsOp::kWrite, io::FsOp::kSync, io::FsOp::kAllocate,
                      io::FsOp::kTruncate, io::FsOp::kRename, io::FsOp::kRemove,
                      io::FsOp::kCreateDir, io::FsOp::kSyncDir}) {
    const uint64_t n_calls = counts[static_cast<int>(op)];
    // Every call for the rarer ops; a spread of them for writes and syncs.
    const uint64_t step = n_calls > 25 ? n_calls / 25 : 1;
    for (uint64_t n = 1; n <= n_calls; n += step) {
      for (int kind = 0; kind < 3; ++kind) {
        if (kind == 2 && op != io::FsOp::kWrite) continue;
        TempDir dir;
        auto fault = std::make_unique<io::FaultFileSystem>(MakeFs(GetParam()));
        if (kind == 2) {
          fault->ShortWriteNth(n);
        } else {
          fault->FailNth(op, n, kind == 0 ? EIO : ENOSPC);
        }
        Ledger ledger;
        Status s = workload(fault.get(), dir.path(), &ledger);
        const std::string what = std::string(io::FsOpName(op)) + " #" + std::to_string(n) +
                                 " kind " + std::to_string(kind);
        if (!s.ok()) {
          EXPECT_FALSE(s.message().empty()) << what;
          if (kind == 1 && op != io::FsOp::kTruncate) {
            // ENOSPC surfaces as "no space", not as a generic error.
            EXPECT_TRUE(s.code() == StatusCode::kNoSpace || s.code() == StatusCode::kIOError)
                << what << ": " << s.ToString();
          }
        }
        // Reopen without faults: everything acknowledged is there.
        StoreOptions so;
        so.clock = &clock_;
        so.io_backend = GetParam();
        std::unique_ptr<Store> store;
        ASSERT_OK(Store::Open(dir.path(), so, &store)) << what;
        Log* log = nullptr;
        Status g = store->GetLog("l", &log);
        if (g.code() == StatusCode::kNotFound) {
          ASSERT_TRUE(ledger.acked.empty()) << what;
          continue;
        }
        ASSERT_OK(g) << what;
        VerifyLog(log, ledger, what);
        if (::testing::Test::HasFatalFailure()) return;
        ++runs;
      }
    }
  }
  EXPECT_GT(runs, 50);
}

// ---- power loss that keeps any subset of the unsynced pages ----
//
// A disk may write back dirty pages in any order, so after a power loss any subset of what was
// written since the last fdatasync may be there (tests/support/fault_fs.h, PowerLoss::kAnyPages). Ordinary
// power loss must never read as damage: under each durability mode, appenders on several
// threads roll many small segments, the machine dies at a random point, any subset of the
// unsynced pages survives, and the reopened log must open, read to its end without an error,
// hold a gap-free run of sequence numbers, no phantom and no partial batch, and keep what its
// mode promised: under kAlways every acknowledged record; under every mode, every record
// acknowledged before a Log::Sync that returned OK. The same directory goes through all the
// rounds, so recovery also meets logs that earlier recoveries cut.

// What one round's appenders were told. Values are "<round>.<thread>.<i>/<n>#<k>:" + filler:
// record k of an n-record batch.
struct PageLossLedger {
  std::mutex mu;
  std::map<uint64_t, std::string> acked;  // seq -> value, every round so far
  std::set<std::string> attempted;
  uint64_t durable_end = 0;  // every seq below is promised to survive
  uint64_t max_acked_end = 0;
};

std::string BatchOf(const std::string& v) { return v.substr(0, v.find('#')); }
size_t BatchSize(const std::string& v) {
  const size_t slash = v.find('/'), hash = v.find('#');
  return static_cast<size_t>(std::stoul(v.substr(slash + 1, hash - slash - 1)));
}

// Appends batches of 1-3 records from `threads` threads until one fails or each did `n`.
void AppendBatches(Log* log, PageLossLedger* ledger, Durability d, int round, int threads,
                   int n, uint64_t seed) {
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([=] {
      std::mt19937_64 rng(seed * 131 + t);
      for (int i = 0; i < n; ++i) {
        const size_t count = 1 + rng() % 3;
        std::vector<std::string> vs;
        for (size_t k = 0; k < count; ++k) {
          vs.push_back(std::to_string(round) + "." + std::to_string(t) + "." + std::to_string(i) +
                       "/" + std::to_string(count) + "#" + std::to_string(k) + ":" +
                       std::string(rng() % 1500, static_cast<char>('a' + rng() % 26)));
        }
        std::vector<Log::Record> recs;
        for (const auto& v : vs) recs.push_back(Log::Record{View("k"), View(v), {}});
        {
          std::lock_guard<std::mutex> l(ledger->mu);
          ledger->attempted.insert(vs.begin(), vs.end());
        }
        SeqNo first;
        if (!log->Append(recs, &first).ok()) return;
        uint64_t acked_end;
        {
          std::lock_guard<std::mutex> l(ledger->mu);
          for (size_t k = 0; k < count; ++k) ledger->acked[first.value() + k] = vs[k];
          ledger->max_acked_end = std::max(ledger->max_acked_end, first.value() + count);
          if (d == Durability::kAlways) ledger->durable_end = ledger->max_acked_end;
          acked_end = ledger->max_acked_end;
        }
        // Now and then a producer flushes: what was acknowledged before a Log::Sync that
        // returned OK is durable, whatever the mode.
        if (d != Durability::kAlways && rng() % 8 == 0) {
          if (!log->Sync().ok()) return;
          std::lock_guard<std::mutex> l(ledger->mu);
          ledger->durable_end = std::max(ledger->durable_end, acked_end);
        }
      }
    });
  }
  for (auto& t : ts) t.join();
}

// Reads the whole reopened log and checks it against the ledger; then makes what it holds the
// ledger's baseline (all of it on disk now, so durable for the next round).
void CheckAfterPageLoss(Log* log, PageLossLedger* ledger) {
  std::unique_ptr<LogIterator> it;
  ASSERT_OK(log->NewIterator(SeqNo(0), &it));
  RecordView r;
  Status s;
  uint64_t next = 0;
  std::map<uint64_t, std::string> held;
  std::map<std::string, size_t> batches;  // batch -> records of it present
  while ((s = it->Next(&r)).ok()) {
    ASSERT_EQ(r.seq.value(), next) << "gap";
    ++next;
    const std::string v = Str(r.value);
    ASSERT_TRUE(ledger->attempted.count(v)) << "phantom record at " << r.seq.value();
    auto a = ledger->acked.find(r.seq.value());
    if (a != ledger->acked.end()) {
      ASSERT_EQ(a->second, v) << "acknowledged record changed at " << r.seq.value();
    }
    ++batches[BatchOf(v)];
    held[r.seq.value()] = v;
  }
  ASSERT_TRUE(s.IsNoMore()) << "reading after power loss: " << s.ToString();
  ASSERT_GE(next, ledger->durable_end) << "durable record " << ledger->durable_end - 1
                                       << " lost (log ends at " << next << ")";
  for (const auto& [seq, v] : held) {
    ASSERT_EQ(batches[BatchOf(v)], BatchSize(v)) << "part of batch " << BatchOf(v) << " at " << seq;
  }
  ledger->acked = held;
  ledger->attempted.clear();
  for (const auto& [seq, v] : held) ledger->attempted.insert(v);
  ledger->durable_end = ledger->max_acked_end = next;
}

class PageLossTest : public ::testing::TestWithParam<Durability> {
 protected:
  LogOptions Options() {
    LogOptions o;
    // Many rolls: sealing and creating are crash points too. A seal syncs what its segment
    // holds, so under the modes that count on Log::Sync the active segment is made larger,
    // for the syncs' promise to be the one a round tests.
    o.segment_size = GetParam() == Durability::kAlways ? 32 * 1024 : 64 * 1024;
    o.durability = GetParam();
    o.sync_interval_ms = 2;
    o.index_interval_bytes = 1024;
    return o;
  }
  Log::Env Env(io::FileSystem* fs, const std::string& dir) {
    return Log::Env{fs, &clock_, &maps_, 1, dir + "/log", false};
  }
  // One round: open on a fault FS that dies after a random number of calls (now and then
  // during the open itself), append (and now and then sync) from 4 threads, lose power, keep
  // any subset of the unsynced pages.
  void CrashRound(const std::string& dir, io::Backend backend, int round, uint64_t seed,
                  PageLossLedger* ledger) {
    std::mt19937_64 rng(seed);
    auto fault = std::make_unique<io::FaultFileSystem>(MakeFs(backend));
    const bool during_open = rng() % 5 == 0;
    if (during_open) fault->CrashAfter(rng() % 12);
    std::unique_ptr<Log> log;
    Status s = Log::Open(Env(fault.get(), dir), Options(), &log);
    if (s.ok()) {
      if (!during_open) fault->CrashAfter(rng() % 400);
      // Under kAlways only a group commit's write that its fdatasync did not cover can lose
      // pages: more threads make those writes span more pages.
      const bool always = GetParam() == Durability::kAlways;
      AppendBatches(log.get(), ledger, GetParam(), round, always ? 8 : 4, always ? 25 : 50, seed);
      fault->Crash();
      (void)log->Close();
      log.reset();
    } else {
      ASSERT_TRUE(fault->crashed()) << "open failed without a crash: " << s.ToString();
    }
    ASSERT_OK(fault->SimulatePowerLoss(io::PowerLoss::kAnyPages, seed));
  }
  ManualClock clock_;
  MapCache maps_{64};
};

TEST_P(PageLossTest, PowerLossNeverReadsAsDamageNorLosesWhatWasPromised) {
  // kAlways syncs every append, so its rounds take longest.
  const int kRounds = GetParam() == Durability::kAlways ? 40 : 80;
  const uint64_t base = 7000 + static_cast<uint64_t>(GetParam()) * 1000;
  TempDir dir;
  PageLossLedger ledger;
  for (int round = 0; round < kRounds; ++round) {
    const uint64_t seed = base + static_cast<uint64_t>(round);
    // Both backends (io_uring where the kernel allows it): its write+sync path differs.
    io::Backend backend = round % 2 == 0 ? io::Backend::kPwrite : io::Backend::kUring;
    if (MakeFs(backend) == nullptr) backend = io::Backend::kPwrite;
    SCOPED_TRACE("round " + std::to_string(round) + " seed " + std::to_string(seed) + " " +
                 std::string(io::BackendName(backend)) + " " +
                 std::string(DurabilityName(GetParam())));
    CrashRound(dir.path(), backend, round, seed, &ledger);
    if (HasFatalFailure()) return;
    auto fs = MakeFs(io::Backend::kPwrite);
    std::unique_ptr<Log> log;
    ASSERT_OK(Log::Open(Env(fs.get(), dir.path()), Options(), &log)) << "reopen after power loss";
    CheckAfterPageLoss(log.get(), &ledger);
    if (HasFatalFailure()) return;
    // The recovered log takes appends (a log that found damage would refuse them).
    const std::string v = std::to_string(round) + ".r.0/1#0:after-recovery";
    Log::Record rec{View("k"), View(v), {}};
    SeqNo seq;
    ASSERT_OK(log->Append(std::span<const Log::Record>(&rec, 1), &seq)) << "append after recovery";
    ASSERT_OK(log->Close());
    ledger.acked[seq.value()] = v;
    ledger.attempted.insert(v);
    ledger.durable_end = ledger.max_acked_end = seq.value() + 1;
  }
  EXPECT_GT(ledger.durable_end, static_cast<uint64_t>(kRounds));  // the rounds did append
}

INSTANTIATE_TEST_SUITE_P(Durability, PageLossTest,
                         ::testing::Values(Durability::kAlways, Durability::kInterval,
                                           Durability::kNone),
                         [](const auto& p) { return std::string(DurabilityName(p.param)); });

// ---- real kill -9 ----

// Mostly small records (under kNone/kInterval copied into the segment's mapping), every 50th
// larger than a page (written with write(2)), so that a kill lands between both kinds.
std::string ChildValue(uint64_t epoch, uint64_t t, uint64_t i) {
  return std::to_string(epoch) + "/" + std::to_string(t) + "/" + std::to_string(i) +
         std::string(i % 50 == 49 ? 6000 : i % 500, 'z');
}

// The child side: runs only when the parent re-executes this binary with the variables set.
// Appends from 4 threads in kAlways mode and reports each acknowledged (seq, thread, i) on fd.
TEST(CrashChild, AppendAndReport) {
  const char* dir = std::getenv("SEGLOG_CRASH_CHILD_DIR");
  const char* fd_s = std::getenv("SEGLOG_CHILD_FD");
  const char* backend = std::getenv("SEGLOG_CRASH_CHILD_BACKEND");
  if (dir == nullptr || fd_s == nullptr || backend == nullptr) GTEST_SKIP() << "parent-driven";
  const int fd = std::atoi(fd_s);
  const char* durability = std::getenv("SEGLOG_CRASH_CHILD_DURABILITY");
  StoreOptions so;
  so.io_backend = std::string(backend) == "pwrite" ? io::Backend::kPwrite : io::Backend::kUring;
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir, so, &store));
  Log* log = nullptr;
  LogOptions lo;
  lo.segment_size = 256 * 1024;
  if (durability != nullptr) {
    ASSERT_OK(ParseDurability(durability, &lo.durability));
  }
  Status s = store->GetLog("crash", &log);
  if (s.code() == StatusCode::kNotFound) s = store->CreateLog("crash", lo, &log);
  ASSERT_OK(s);
  std::mutex mu;
  std::vector<std::thread> ts;
  const uint64_t epoch = log->next_seq().value();
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      for (uint64_t i = 0;; ++i) {
        std::string v = ChildValue(epoch, static_cast<uint64_t>(t), i);
        Log::Record rec{View("k"), View(v), {}};
        SeqNo seq;
        if (!log->Append(std::span<const Log::Record>(&rec, 1), &seq).ok()) _exit(3);
        uint64_t msg[3] = {seq.value(), static_cast<uint64_t>(t), i};
        std::lock_guard<std::mutex> l(mu);
        if (write(fd, msg, sizeof(msg)) != static_cast<ssize_t>(sizeof(msg))) _exit(4);
      }
    });
  }
  for (auto& t : ts) t.join();
}


// Kills a child appending under `durability` `rounds` times; after each, every acknowledged
// record must be there. A process crash keeps what was written to the kernel, so this holds
// for every durability mode, not only kAlways.
void KillNineRounds(io::Backend backend, Durability durability, int rounds) {
  const int kRounds = rounds;
  TempDir dir;
  std::mt19937_64 rng(99);
  std::map<uint64_t, std::string> acked;  // across all rounds
  for (int round = 0; round < kRounds; ++round) {
    // The epoch the child will use: the log's next sequence when it starts.
    uint64_t epoch = 0;
    {
      StoreOptions so;
      so.io_backend = backend;
      std::unique_ptr<Store> store;
      ASSERT_OK(Store::Open(dir.path(), so, &store));
      Log* log = nullptr;
      if (store->GetLog("crash", &log).ok()) epoch = log->next_seq().value();
    }
    // Let it acknowledge a random number of appends, then kill it mid-flight.
    const size_t kill_after = 20 + rng() % 400;
    testing::KilledChild child = testing::RunChildAndKill(
        "CrashChild.AppendAndReport",
        {{"SEGLOG_CRASH_CHILD_DIR", dir.path()},
         {"SEGLOG_CRASH_CHILD_BACKEND", std::string(io::BackendName(backend))},
         {"SEGLOG_CRASH_CHILD_DURABILITY", std::string(DurabilityName(durability))}},
        3, kill_after);
    ASSERT_TRUE(child.killed) << "child exited early with " << child.exit_code;
    ASSERT_GE(child.messages.size(), kill_after) << "child stopped before being killed";
    const auto& msgs = child.messages;
    for (auto& m : msgs) acked[m[0]] = ChildValue(epoch, m[1], m[2]);

    StoreOptions so;
    so.io_backend = backend;
    std::unique_ptr<Store> store;
    ASSERT_OK(Store::Open(dir.path(), so, &store));
    Log* log = nullptr;
    ASSERT_OK(store->GetLog("crash", &log));
    std::unique_ptr<LogIterator> it;
    ASSERT_OK(log->NewIterator(SeqNo(0), &it));
    RecordView r;
    Status s;
    uint64_t expect = 0;
    while ((s = it->Next(&r)).ok()) {
      ASSERT_EQ(r.seq.value(), expect++) << "round " << round;
      auto a = acked.find(r.seq.value());
      if (a != acked.end()) {
        ASSERT_EQ(Str(r.value), a->second) << "round " << round;
      }
    }
    ASSERT_TRUE(s.IsNoMore()) << s.ToString();
    ASSERT_GT(expect, acked.rbegin()->first) << "round " << round << ": acknowledged record lost";
  }
}

TEST_P(CrashTest, KillNineDuringAppends) {
  KillNineRounds(GetParam(), Durability::kAlways, 12);  // per backend: 24 kills in all
}

TEST_P(CrashTest, KillNineDuringUnsyncedAppends) {
  KillNineRounds(GetParam(), Durability::kNone, 6);
}

TEST_P(CrashTest, KillNineDuringIntervalAppends) {
  KillNineRounds(GetParam(), Durability::kInterval, 4);
}

INSTANTIATE_TEST_SUITE_P(Backends, CrashTest,
                         ::testing::Values(io::Backend::kPwrite, io::Backend::kUring),
                         [](const auto& p) { return std::string(io::BackendName(p.param)); });

}  // namespace
}  // namespace seglog
