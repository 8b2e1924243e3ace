// Compaction under threads and crashes (moved from tests/compaction_test.cc): appenders, a
// compactor, retention and tailing readers at once; power loss and injected I/O errors at every step.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "engine/log/clock.h"
#include "engine/inspect/inspect.h"
#include "engine/log/log.h"
#include "engine/log/segment.h"
#include "engine/log/store.h"
#include "format/segment_format.h"
#include "tests/support/fault_fs.h"
#include "io/file_util.h"
#include "tests/support/test_util.h"
#include "tests/support/compact_fixture.h"

namespace seglog {
namespace {

using testing::Str;
using testing::View;
using testing::MakeFs;
using testing::Rec;
using testing::FromView;
using testing::Model;
using testing::CompactTest;

// ---- concurrency ----

// Two appenders, a compactor rewriting every sealed segment (dropping seq % 3 == 0), retention
// trimming the front, and two tailing readers, all at once. Readers see strictly increasing
// sequences and each appender's records in its order; at the end (and after a reopen) the log
// holds every acknowledged record not dropped, byte for byte.
TEST_P(CompactTest, CompactConcurrentAppendsReadersRetention) {
  opt_.segment_size = 8 * 1024;
  ASSERT_OK(OpenStore(nullptr, /*max_maps=*/3));
  constexpr int kAppenders = 2, kPer = 1500;
  std::mutex mu;
  std::map<uint64_t, std::string> acked;
  std::atomic<int> appenders_left{kAppenders};
  std::atomic<bool> failed{false};
  auto value_of = [](int t, int i) {
    return std::to_string(t) + "/" + std::to_string(i) + "/" + std::string(static_cast<size_t>(i % 97), 'v');
  };
  auto drop = [](uint64_t q) { return q % 3 == 0; };
  std::vector<std::thread> threads;
  for (int t = 0; t < kAppenders; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPer && !failed; ++i) {
        const std::string v = value_of(t, i);
        Log::Record rec{View("k"), View(v), {}};
        SeqNo seq;
        Status s = log_->Append(std::span<const Log::Record>(&rec, 1), &seq);
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          failed = true;
          break;
        }
        std::lock_guard<std::mutex> l(mu);
        acked[seq.value()] = v;
      }
      --appenders_left;
    });
  }
  std::atomic<int> rewrites{0};
  threads.emplace_back([&] {  // compactor
    while (appenders_left > 0 && !failed) {
      for (const SegmentInfo& g : log_->Segments()) {
        if (!g.sealed) continue;
        Status s = log_->RewriteSegment(g.base_seq, [&](SeqNo q) { return !drop(q.value()); });
        if (s.ok()) {
          ++rewrites;
        } else if (s.code() != StatusCode::kNotFound) {  // retention may have taken it
          ADD_FAILURE() << s.ToString();
          failed = true;
        }
      }
      std::this_thread::yield();
    }
  });
  threads.emplace_back([&] {  // retention: keep about the last 2000 sequence numbers
    while (appenders_left > 0 && !failed) {
      const uint64_t next = log_->next_seq().value();
      if (next > 2000) {
        Status s = log_->RemoveSegmentsBefore(SeqNo(next - 2000));
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          failed = true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  for (int reader = 0; reader < 2; ++reader) {
    threads.emplace_back([&] {
      std::unique_ptr<LogIterator> it;
      if (!log_->NewIterator(SeqNo(0), &it).ok()) {
        failed = true;
        return;
      }
      std::optional<uint64_t> last;
      int last_i[kAppenders] = {-1, -1};
      for (;;) {
        // Caught up after the appenders finished: done (the newest records are in the active
        // segment, never dropped).
        const bool done = appenders_left == 0;
        RecordView r;
        Status s = it->Next(&r);
        if (s.IsNoMore()) {
          if (done || failed) break;
          std::this_thread::yield();
          continue;
        }
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          failed = true;
          return;
        }
        const std::string v = Str(r.value);
        const int t = v[0] - '0';
        const int i = std::atoi(v.c_str() + 2);
        if ((last && r.seq.value() <= *last) || t < 0 || t >= kAppenders || i <= last_i[t] ||
            v != value_of(t, i)) {
          ADD_FAILURE() << "reader got seq " << r.seq.value() << " value " << v.substr(0, 12)
                        << " after seq " << (last ? *last : 0);
          failed = true;
          return;
        }
        last = r.seq.value();
        last_i[t] = i;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_FALSE(failed);
  EXPECT_GT(rewrites.load(), 0);

  auto check = [&](const std::string& what) {
    // Segments rewritten (fewer records than they cover) hold no dropped record; every record
    // from the first retained on is there unless dropped; what is there is what was acked.
    std::vector<Rec> got = ReadFrom(SeqNo(0));
    const uint64_t first = log_->first_seq().value();
    std::set<uint64_t> present;
    for (const Rec& r : got) {
      ASSERT_TRUE(acked.count(r.seq)) << what << ": phantom " << r.seq;
      ASSERT_EQ(r.value, acked[r.seq]) << what << " at " << r.seq;
      present.insert(r.seq);
    }
    for (const auto& [q, v] : acked) {
      if (q >= first && !drop(q)) {
        ASSERT_TRUE(present.count(q)) << what << ": lost " << q;
      }
    }
    for (const SegmentInfo& g : log_->Segments()) {
      if (!g.sealed || g.records == g.last_seq - g.base_seq + 1) continue;
      for (uint64_t q = g.base_seq.value(); q <= g.last_seq.value(); ++q) {
        ASSERT_FALSE(drop(q) && present.count(q)) << what << ": dropped " << q << " still there";
      }
    }
  };
  check("live");
  ASSERT_OK(store_->Close());
  ASSERT_OK(OpenStore());
  check("reopened");
}

// ---- crashes and I/O errors ----

// What the segment at `base` must hold after a crash: everything it had, or exactly the kept.
// Every other record is as appended.
void ExpectOldOrKept(Log* log, const Model& model, SeqNo base, SeqNo last,
                     const std::function<bool(uint64_t)>& keep, const std::string& what,
                     bool* is_new) {
  std::vector<Rec> got;
  std::unique_ptr<LogIterator> it;
  ASSERT_OK(log->NewIterator(SeqNo(0), &it)) << what;
  RecordView r;
  Status s;
  while ((s = it->Next(&r)).ok()) got.push_back(FromView(r));
  ASSERT_TRUE(s.IsNoMore()) << what << ": " << s.ToString();
  std::vector<Rec> old_state, new_state;
  for (const auto& [q, rec] : model) {
    old_state.push_back(rec);
    if (q < base.value() || q > last.value() || keep(q)) new_state.push_back(rec);
  }
  *is_new = got == new_state;
  ASSERT_TRUE(got == old_state || got == new_state)
      << what << ": " << got.size() << " records, old " << old_state.size() << ", kept "
      << new_state.size();
}

// Power loss after every mutating file-system call of a rewrite (and before the first), with
// and without a torn last write: the reopened log has the old segment or the new one, every
// other record, no temporary file, and appends and reads on.
TEST_P(CompactTest, CompactPowerLossAtEveryStep) {
  auto keep = [](uint64_t q) { return q % 4 == 1; };
  SegmentInfo g;
  auto build = [&](io::FaultFileSystem* fault) {
    Fresh();
    ASSERT_OK(OpenStore(fault));
    Fill(400);
    ASSERT_OK(log_->Sync());  // everything appended survives the power loss
    g = Sealed()[1];
    // The victim's index file exists (as after a seal), so its removal is a step too.
    ASSERT_EQ(ReadFrom(g.base_seq, 1).size(), 1u);
  };
  uint64_t steps = 0;
  {
    io::FaultFileSystem fault(MakeFs(GetParam()));
    build(&fault);
    if (HasFatalFailure()) return;
    uint64_t before = 0, after = 0;
    for (int op = 0; op < io::kFsOpCount; ++op) before += fault.count(static_cast<io::FsOp>(op));
    ASSERT_OK(log_->RewriteSegment(g.base_seq, [&](SeqNo q) { return keep(q.value()); }));
    for (int op = 0; op < io::kFsOpCount; ++op) after += fault.count(static_cast<io::FsOp>(op));
    steps = after - before;
    log_ = nullptr;
    store_.reset();
  }
  ASSERT_GE(steps, 6u);  // open, write (+sync), remove idx, sync dir, rename, sync dir, ...
  int old_states = 0, new_states = 0;
  for (uint64_t k = 0; k <= steps; ++k) {
    for (bool tear : {false, true}) {
      const std::string what = "crash after " + std::to_string(k) + " of " +
                               std::to_string(steps) + (tear ? " torn" : "");
      auto fault = std::make_unique<io::FaultFileSystem>(MakeFs(GetParam()));
      build(fault.get());
      if (HasFatalFailure()) return;
      fault->CrashAfter(k);
      Status s = log_->RewriteSegment(g.base_seq, [&](SeqNo q) { return keep(q.value()); });
      fault->Crash();
      log_ = nullptr;
      store_.reset();
      ASSERT_OK(fault->SimulatePowerLoss(tear, k));

      ASSERT_OK(OpenStore()) << what;
      EXPECT_TRUE(FilesEndingIn(".tmp").empty()) << what;
      bool is_new = false;
      ExpectOldOrKept(log_, model_, g.base_seq, g.last_seq, keep, what, &is_new);
      if (HasFatalFailure()) return;
      if (s.ok()) {
        EXPECT_TRUE(is_new) << what;  // OK means the rename was made durable
      }
      (is_new ? new_states : old_states)++;
      if (is_new) {
        for (auto it = model_.begin(); it != model_.end();) {
          const bool in = it->first >= g.base_seq.value() && it->first <= g.last_seq.value();
          it = in && !keep(it->first) ? model_.erase(it) : std::next(it);
        }
      }
      ExpectMatchesModel(what);
      Fill(20);
      ExpectMatchesModel(what + ", appended");
      // The rewrite can be done (again) after recovery.
      ASSERT_OK(Rewrite(g.base_seq, keep)) << what;
      ExpectMatchesModel(what + ", rewritten");
      ASSERT_OK(store_->Close());
      VerifyReport rep;
      ASSERT_OK(VerifyStore(dir_->path(), nullptr, &rep));
      EXPECT_TRUE(rep.ok()) << what << ": " << (rep.first_error() ? rep.first_error()->ToString() : "");
    }
  }
  // Both outcomes occurred: the crash points straddle the rename.
  EXPECT_GT(old_states, 0);
  EXPECT_GT(new_states, 0);
}

// EIO and ENOSPC injected into each file-system call of a rewrite in turn (and each write made
// short): the call reports it, the log goes on serving the old segment (or, when only the last
// directory sync failed, the new one), appends are unaffected, and a retry succeeds.
TEST_P(CompactTest, CompactInjectedErrorAtEachStep) {
  auto keep = [](uint64_t q) { return q % 3 != 2; };
  SegmentInfo g;
  auto build = [&](io::FaultFileSystem* fault) {
    Fresh();
    ASSERT_OK(OpenStore(fault));
    Fill(400);
    g = Sealed()[1];
    ASSERT_EQ(ReadFrom(g.base_seq, 1).size(), 1u);
  };
  uint64_t calls[io::kFsOpCount] = {};
  {
    io::FaultFileSystem fault(MakeFs(GetParam()));
    build(&fault);
    if (HasFatalFailure()) return;
    uint64_t before[io::kFsOpCount];
    for (int op = 0; op < io::kFsOpCount; ++op) before[op] = fault.count(static_cast<io::FsOp>(op));
    ASSERT_OK(log_->RewriteSegment(g.base_seq, [&](SeqNo q) { return keep(q.value()); }));
    for (int op = 0; op < io::kFsOpCount; ++op) {
      calls[op] = fault.count(static_cast<io::FsOp>(op)) - before[op];
    }
    log_ = nullptr;
    store_.reset();
  }
  int runs = 0, failures = 0;
  for (int op = 0; op < io::kFsOpCount; ++op) {
    for (uint64_t n = 1; n <= calls[op]; ++n) {
      for (int kind = 0; kind < 3; ++kind) {
        if (kind == 2 && static_cast<io::FsOp>(op) != io::FsOp::kWrite) continue;
        const std::string what = std::string(io::FsOpName(static_cast<io::FsOp>(op))) + " #" +
                                 std::to_string(n) + " kind " + std::to_string(kind);
        auto fault = std::make_unique<io::FaultFileSystem>(MakeFs(GetParam()));
        build(fault.get());
        if (HasFatalFailure()) return;
        const uint64_t at = fault->count(static_cast<io::FsOp>(op)) + n;
        if (kind == 2) {
          fault->ShortWriteNth(at);
        } else {
          fault->FailNth(static_cast<io::FsOp>(op), at, kind == 0 ? EIO : ENOSPC);
        }
        Status s = log_->RewriteSegment(g.base_seq, [&](SeqNo q) { return keep(q.value()); });
        if (!s.ok()) {
          ++failures;
          EXPECT_NE(s.message().find("injected"), std::string::npos) << what << ": " << s.ToString();
        }
        bool is_new = false;
        ExpectOldOrKept(log_, model_, g.base_seq, g.last_seq, keep, what, &is_new);
        if (HasFatalFailure()) return;
        if (s.ok()) {
          EXPECT_TRUE(is_new) << what;
        } else if (is_new) {
          // Only the directory sync after the rename may fail once the new file is in place.
          EXPECT_EQ(static_cast<io::FsOp>(op), io::FsOp::kSyncDir) << what << ": " << s.ToString();
        }
        EXPECT_OK(log_->error()) << what;  // compaction never stops appends
        if (is_new) {
          for (auto it = model_.begin(); it != model_.end();) {
            const bool in = it->first >= g.base_seq.value() && it->first <= g.last_seq.value();
            it = in && !keep(it->first) ? model_.erase(it) : std::next(it);
          }
        }
        ExpectMatchesModel(what);
        Fill(10);
        ASSERT_OK(Rewrite(g.base_seq, keep)) << what;  // the retry
        ExpectMatchesModel(what + ", retried");
        ASSERT_OK(store_->Close());
        ASSERT_OK(OpenStore());
        EXPECT_TRUE(FilesEndingIn(".tmp").empty()) << what;
        ExpectMatchesModel(what + ", reopened");
        ++runs;
      }
    }
  }
  EXPECT_GT(runs, 10);
  EXPECT_GT(failures, 5);
}

// "CompactBackends/CompactTest.Compact...": --gtest_filter='Compact*' selects them all.
INSTANTIATE_TEST_SUITE_P(CompactBackends, CompactTest,
                         ::testing::Values(io::Backend::kPwrite, io::Backend::kUring),
                         [](const auto& p) { return std::string(io::BackendName(p.param)); });

}  // namespace
}  // namespace seglog
