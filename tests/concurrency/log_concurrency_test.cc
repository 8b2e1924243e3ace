// The segment log under threads (moved from tests/log_test.cc): a reader tailing a writer, close
// racing appends, group commit, mapped and written appends interleaving — on both backends.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "engine/log/clock.h"
#include "engine/log/log.h"
#include "engine/log/map_cache.h"
#include "engine/log/store.h"
#include "format/segment_format.h"
#include "tests/support/fault_fs.h"
#include "io/file_util.h"
#include "tests/support/test_util.h"
#include "tests/support/log_fixture.h"

namespace seglog {
namespace {

using testing::Str;
using testing::View;
using testing::LogTest;

TEST_P(LogTest, ReaderTailsConcurrentWriter) {
  opt_.durability = Durability::kNone;
  ASSERT_OK(Open());
  constexpr int kN = 20000;
  std::atomic<bool> failed{false};
  std::thread reader([&] {
    std::unique_ptr<LogIterator> it;
    if (!log_->NewIterator(SeqNo(0), &it).ok()) { failed = true; return; }
    uint64_t expect = 0;
    while (expect < kN) {
      RecordView r;
      Status s = it->Next(&r);
      if (s.IsNoMore()) { std::this_thread::yield(); continue; }
      if (!s.ok() || r.seq.value() != expect || Str(r.value) != std::to_string(expect)) {
        failed = true;
        return;
      }
      ++expect;
    }
  });
  for (int i = 0; i < kN; ++i) ASSERT_OK(Put("k", std::to_string(i)));
  reader.join();
  EXPECT_FALSE(failed);
}

TEST_P(LogTest, CloseRacingAppendsNeverAcknowledgesUnwrittenData) {
  opt_.durability = Durability::kAlways;
  ASSERT_OK(Open());
  std::mutex mu;
  std::map<uint64_t, std::string> acked;
  std::atomic<int> bad{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 6; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0;; ++i) {
        const std::string v = std::to_string(t) + "/" + std::to_string(i);
        SeqNo seq;
        Status st = Put("k", v, &seq);
        if (st.code() == StatusCode::kClosed) return;
        if (!st.ok()) {
          ++bad;
          return;
        }
        std::lock_guard<std::mutex> l(mu);
        acked[seq.value()] = v;
      }
    });
  }
  while (true) {
    {
      std::lock_guard<std::mutex> l(mu);
      if (acked.size() > 50) break;
    }
    std::this_thread::yield();
  }
  ASSERT_OK(log_->Close());
  for (auto& t : ts) t.join();
  EXPECT_EQ(bad.load(), 0);
  ASSERT_OK(Open());
  auto got = ReadAll();
  for (auto& [seq, v] : acked) {
    ASSERT_LT(seq, got.size());
    EXPECT_EQ(got[seq].second, v);
  }
}

TEST_P(LogTest, GroupCommitUsesFarFewerSyncsThanAppends) {
  opt_.durability = Durability::kAlways;
  opt_.segment_size = 64 << 20;
  ASSERT_OK(Open());
  constexpr int kThreads = 16, kPer = 200;
  std::vector<std::thread> ts;
  std::atomic<int> errors{0};
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < kPer; ++i) {
        if (!Put("t" + std::to_string(t), std::string(1024, 'g')).ok()) ++errors;
      }
    });
  }
  for (auto& t : ts) t.join();
  ASSERT_EQ(errors.load(), 0);
  LogStats st = log_->Stats();
  EXPECT_EQ(st.appends, static_cast<uint64_t>(kThreads * kPer));
  // Each sync covers every append waiting at that moment.
  EXPECT_LT(st.syncs * 3, st.appends) << "syncs=" << st.syncs << " appends=" << st.appends;
  EXPECT_EQ(ReadAll().size(), static_cast<size_t>(kThreads * kPer));
}

// Under kNone and kInterval small batches are copied into the active segment's mapping and
// large ones written with write(2); from several threads at once, with a reader tailing, across
// segment rolls and a reopen, the log must hold exactly what was acknowledged, in order.
TEST_P(LogTest, MappedAndWrittenAppendsInterleave) {
  for (Durability d : {Durability::kNone, Durability::kInterval}) {
    SCOPED_TRACE(DurabilityName(d));
    opt_.durability = d;
    opt_.segment_size = 256 * 1024;
    log_.reset();
    std::filesystem::remove_all(dir_.path() + "/log");
    ASSERT_OK(Open());
    constexpr int kThreads = 4, kPer = 600;
    auto value = [](int t, int i, int r) {
      const size_t pad = i % 10 == 9 ? 5000 : static_cast<size_t>((i * 37 + r) % 200);
      return std::to_string(t) + "/" + std::to_string(i) + "/" + std::to_string(r) + "/" +
             std::string(pad, static_cast<char>('a' + t));
    };
    std::atomic<int> errors{0};
    std::atomic<bool> done{false};
    std::atomic<uint64_t> seen{0};
    // The reader checks that every record it sees is well-formed and per thread in order.
    std::thread reader([&] {
      std::unique_ptr<LogIterator> it;
      if (!log_->NewIterator(SeqNo(0), &it).ok()) { ++errors; return; }
      std::vector<int> next(kThreads, 0);
      std::vector<int> next_r(kThreads, 0);
      for (;;) {
        RecordView r;
        Status st = it->Next(&r);
        if (st.IsNoMore()) {
          if (done.load()) break;
          std::this_thread::yield();
          continue;
        }
        if (!st.ok()) { ++errors; return; }
        const std::string v = Str(r.value);
        const int t = v[0] - '0';
        if (t < 0 || t >= kThreads) { ++errors; return; }
        // Batches of 1..3 records: (i, r) advance as r = 0.. within i.
        const std::string want_same = value(t, next[t], next_r[t]);
        const std::string want_next = value(t, next[t] + 1, 0);
        if (v == want_same) {
          ++next_r[t];
        } else if (v == want_next && next_r[t] > 0) {
          ++next[t];
          next_r[t] = 1;
        } else {
          ++errors;
          return;
        }
        ++seen;
      }
    });
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; ++t) {
      ts.emplace_back([&, t] {
        for (int i = 0; i < kPer; ++i) {
          std::vector<std::string> vals;
          for (int r = 0; r < 1 + i % 3; ++r) vals.push_back(value(t, i, r));
          std::vector<Log::Record> recs;
          for (auto& v : vals) recs.push_back(Log::Record{View("k"), View(v), {}});
          if (!log_->Append(recs).ok()) ++errors;
        }
      });
    }
    for (auto& t : ts) t.join();
    // Let the reader reach the end, then stop it.
    uint64_t total = 0;
    for (int i = 0; i < kPer; ++i) total += 1 + i % 3;
    total *= kThreads;
    while (seen.load() < total && errors.load() == 0) std::this_thread::yield();
    done = true;
    reader.join();
    ASSERT_EQ(errors.load(), 0);
    EXPECT_EQ(seen.load(), total);
    LogStats st = log_->Stats();
    // Both paths were taken (the backends here offer writable mappings).
    EXPECT_GT(st.mapped_appends, 0u);
    EXPECT_GT(st.writes, 0u);
    EXPECT_GT(SegmentFiles().size(), 3u);
    auto before = ReadAll();
    ASSERT_EQ(before.size(), total);
    ASSERT_OK(log_->Close());
    ASSERT_OK(Open());
    auto after = ReadAll();
    ASSERT_EQ(after, before);
    ASSERT_OK(log_->Close());
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LogTest,
                         ::testing::Values(io::Backend::kPwrite, io::Backend::kUring),
                         [](const auto& p) { return std::string(io::BackendName(p.param)); });

}  // namespace
}  // namespace seglog
