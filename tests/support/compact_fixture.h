// CompactTest: a one-log store over a chosen I/O backend (the test parameter) with a model of what
// the log must hold; shared by tests/compaction_test.cc and
// tests/concurrency/compaction_concurrency_test.cc.
#pragma once

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

namespace seglog::testing {

// A record as appended or read back, compared field by field.
struct Rec {
  uint64_t seq = 0;
  int64_t ts = 0;
  std::string key, value, attrs;
  friend bool operator==(const Rec&, const Rec&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const Rec& r) {
  return os << "{seq " << r.seq << " ts " << r.ts << " key " << r.key << " value("
            << r.value.size() << ") attrs(" << r.attrs.size() << ")}";
}

inline Rec FromView(const RecordView& r) {
  return Rec{r.seq.value(), r.ts.value(), Str(r.key), Str(r.value), Str(r.attrs)};
}

using Model = std::map<uint64_t, Rec>;

class CompactTest : public ::testing::TestWithParam<io::Backend> {
 protected:
  void SetUp() override {
    if (!MakeFs(GetParam())) GTEST_SKIP() << "backend unavailable: " << io::BackendName(GetParam());
    opt_.segment_size = 16 * 1024;
    opt_.index_interval_bytes = 512;
    opt_.durability = Durability::kNone;
  }

  // A fresh directory, clock and model (for tests that build the same log many times).
  void Fresh() {
    log_ = nullptr;
    store_.reset();
    dir_ = std::make_unique<TempDir>();
    clock_.Set(1'700'000'000'000);
    model_.clear();
    rng_.seed(7);
  }

  Status OpenStore(io::FileSystem* fs = nullptr, size_t max_maps = 4) {
    log_ = nullptr;
    store_.reset();
    StoreOptions so;
    so.clock = &clock_;
    so.io_backend = GetParam();
    so.file_system = fs;
    so.max_mapped_segments = max_maps;
    SEGLOG_RETURN_IF_ERROR(Store::Open(dir_->path(), so, &store_));
    Status s = store_->GetLog("c", &log_);
    if (s.code() == StatusCode::kNotFound) s = store_->CreateLog("c", opt_, &log_);
    return s;
  }

  std::string LogDir() {
    uint64_t id = 0;
    std::string dir;
    EXPECT_OK(store_->LogInfo("c", &id, &dir));
    return dir;
  }

  // Appends n records in batches of 1 to 4, the clock moving 7 ms per batch; values of 0 to
  // 400 bytes (compressible runs), keys and attrs varying (attrs often empty).
  void Fill(int n) {
    int done = 0;
    while (done < n) {
      const int k = std::min<int>(n - done, 1 + static_cast<int>(rng_() % 4));
      std::vector<std::string> keys, values, attrs;
      for (int i = 0; i < k; ++i) {
        keys.push_back("key-" + std::to_string(rng_() % 1000));
        const size_t len = rng_() % 400;
        std::string v;
        while (v.size() < len) v += std::string(1 + rng_() % 20, static_cast<char>('a' + rng_() % 26));
        v.resize(len);
        values.push_back(v);
        attrs.push_back(rng_() % 2 ? "" : "attr" + std::to_string(rng_() % 100));
      }
      std::vector<Log::Record> recs;
      for (int i = 0; i < k; ++i) recs.push_back({View(keys[i]), View(values[i]), View(attrs[i])});
      SeqNo first;
      ASSERT_OK(log_->Append(recs, &first));
      for (int i = 0; i < k; ++i) {
        const uint64_t seq = first.value() + i;
        model_[seq] = Rec{seq, clock_.NowMs().value(), keys[i], values[i], attrs[i]};
      }
      done += k;
      clock_.Advance(7);
    }
  }

  std::vector<Rec> ReadFrom(SeqNo from, size_t max = SIZE_MAX) {
    std::vector<Rec> out;
    std::unique_ptr<LogIterator> it;
    EXPECT_OK(log_->NewIterator(from, &it));
    RecordView r;
    Status s;
    while (out.size() < max && (s = it->Next(&r)).ok()) out.push_back(FromView(r));
    if (out.size() < max) {
      EXPECT_TRUE(s.IsNoMore()) << s.ToString();
    }
    return out;
  }

  // The records of the model from `from` on (at most max).
  std::vector<Rec> Want(uint64_t from, size_t max = SIZE_MAX) {
    std::vector<Rec> out;
    for (auto it = model_.lower_bound(std::max(from, log_->first_seq().value()));
         it != model_.end() && out.size() < max; ++it) {
      out.push_back(it->second);
    }
    return out;
  }

  // The whole log equals the model, record by record; Segments() and Stats agree with it.
  void ExpectMatchesModel(const std::string& what) {
    std::vector<Rec> got = ReadFrom(SeqNo(0));
    std::vector<Rec> want = Want(0);
    ASSERT_EQ(got.size(), want.size()) << what;
    for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], want[i]) << what << " at " << i;
    std::vector<SegmentInfo> segs = log_->Segments();
    ASSERT_FALSE(segs.empty());
    uint64_t bytes = 0;
    for (size_t i = 0; i < segs.size(); ++i) {
      const SegmentInfo& g = segs[i];
      ASSERT_OK(g.status) << what;
      EXPECT_EQ(g.sealed, i + 1 < segs.size()) << what;
      if (i + 1 < segs.size()) {
        EXPECT_EQ(g.last_seq + 1, segs[i + 1].base_seq) << what << " segment " << i;
      } else {
        EXPECT_EQ(g.last_seq + 1, log_->next_seq()) << what;
      }
      uint64_t n = 0;
      TimestampMs first_ts, max_ts;
      for (auto it = model_.lower_bound(g.base_seq.value());
           it != model_.end() && it->first <= g.last_seq.value(); ++it) {
        if (n == 0) first_ts = TimestampMs(it->second.ts);
        max_ts = std::max(max_ts, TimestampMs(it->second.ts));
        ++n;
      }
      EXPECT_EQ(g.records, n) << what << " segment " << i;
      if (n > 0) {
        EXPECT_EQ(g.first_ts, first_ts) << what << " segment " << i;
        EXPECT_EQ(g.max_ts, max_ts) << what << " segment " << i;
      }
      bytes += g.bytes;
    }
    LogStats st = log_->Stats();
    EXPECT_EQ(st.bytes, bytes) << what;
    EXPECT_EQ(st.segments, segs.size()) << what;
    EXPECT_EQ(st.first_seq, segs.front().base_seq) << what;
  }

  // Iterators starting at every sequence number of [lo, hi] (by seq) return the model's next
  // records; iterators at the time of every record there return the first at or after it.
  void ExpectReadersFromEverySeq(uint64_t lo, uint64_t hi) {
    for (uint64_t from = lo; from <= hi; ++from) {
      std::vector<Rec> got = ReadFrom(SeqNo(from), 3);
      std::vector<Rec> want = Want(from, 3);
      ASSERT_EQ(got, want) << "from " << from;
    }
    for (auto it = model_.lower_bound(lo); it != model_.end() && it->first <= hi; ++it) {
      for (int64_t t : {it->second.ts - 1, it->second.ts}) {
        std::unique_ptr<LogIterator> li;
        ASSERT_OK(log_->NewIteratorAtTime(TimestampMs(t), &li));
        RecordView r;
        ASSERT_OK(li->Next(&r)) << "at time " << t;
        auto w = std::find_if(model_.begin(), model_.end(),
                              [&](const auto& e) { return e.second.ts >= t; });
        ASSERT_NE(w, model_.end());
        EXPECT_EQ(FromView(r), w->second) << "at time " << t;
      }
    }
  }

  // Rewrites the segment at `base` keeping keep(seq); on OK drops the rest from the model.
  Status Rewrite(SeqNo base, const std::function<bool(uint64_t)>& keep,
                 uint64_t* kept_bytes = nullptr) {
    const std::vector<SegmentInfo> segs = log_->Segments();
    auto g = std::find_if(segs.begin(), segs.end(),
                          [&](const SegmentInfo& x) { return x.base_seq == base; });
    std::vector<uint64_t> asked;
    Status s = log_->RewriteSegment(
        base,
        [&](SeqNo q) {
          asked.push_back(q.value());
          return keep(q.value());
        },
        kept_bytes);
    if (!s.ok()) return s;
    // keep() was asked once per record the segment held, in order.
    std::vector<uint64_t> held;
    if (g != segs.end()) {
      for (auto it = model_.lower_bound(base.value());
           it != model_.end() && it->first <= g->last_seq.value(); ++it) {
        held.push_back(it->first);
      }
    }
    EXPECT_EQ(asked, held);
    for (uint64_t q : held) {
      if (!keep(q)) model_.erase(q);
    }
    return s;
  }

  std::vector<std::string> FilesEndingIn(const std::string& suffix) {
    std::vector<std::string> names, out;
    EXPECT_OK(io::ListDir(LogDir(), &names));
    for (auto& n : names) {
      if (n.size() >= suffix.size() && n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0) {
        out.push_back(n);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  std::string SegPath(SeqNo base) { return LogDir() + "/" + SegmentFileName(base); }

  // Sealed segments (not the newest), as Segments() lists them.
  std::vector<SegmentInfo> Sealed() {
    std::vector<SegmentInfo> s = log_->Segments();
    s.pop_back();
    return s;
  }

  std::unique_ptr<TempDir> dir_ = std::make_unique<TempDir>();
  ManualClock clock_;
  LogOptions opt_;
  std::unique_ptr<Store> store_;
  Log* log_ = nullptr;
  Model model_;
  std::mt19937_64 rng_{7};
};

}  // namespace seglog::testing
