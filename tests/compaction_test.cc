// Compaction: Log::RewriteSegment keeps a chosen subset of a sealed segment's records (their
// sequence numbers unchanged) and swaps the new file in crash-safely, beside appends, readers
// and retention; recovery, iterators, Segments(), Stats and the tools accept the result.
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

namespace seglog {
namespace {

using testing::Str;
using testing::TempDir;
using testing::View;

using testing::MakeFs;

// A record as appended or read back, compared field by field.
struct Rec {
  uint64_t seq = 0;
  int64_t ts = 0;
  std::string key, value, attrs;
  friend bool operator==(const Rec&, const Rec&) = default;
};

std::ostream& operator<<(std::ostream& os, const Rec& r) {
  return os << "{seq " << r.seq << " ts " << r.ts << " key " << r.key << " value("
            << r.value.size() << ") attrs(" << r.attrs.size() << ")}";
}

Rec FromView(const RecordView& r) {
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

TEST_P(CompactTest, CompactKeepEveryOther) {
  ASSERT_OK(OpenStore());
  Fill(700);
  std::vector<SegmentInfo> sealed = Sealed();
  ASSERT_GE(sealed.size(), 4u);
  ExpectMatchesModel("before");
  // Read the victim once so that its mapping (and index) are cached before the rewrite.
  const SegmentInfo g = sealed[1];
  ASSERT_EQ(ReadFrom(g.base_seq, 5), Want(g.base_seq.value(), 5));

  uint64_t kept_bytes = 0;
  ASSERT_OK(Rewrite(g.base_seq, [](uint64_t q) { return q % 2 == 0; }, &kept_bytes));
  EXPECT_LT(kept_bytes, g.bytes);
  const SegmentInfo after = log_->Segments()[1];
  EXPECT_EQ(after.base_seq, g.base_seq);
  EXPECT_EQ(after.last_seq, g.last_seq);
  EXPECT_EQ(after.bytes, kept_bytes);
  EXPECT_TRUE(after.sealed);
  EXPECT_LT(after.records, g.records);
  ExpectMatchesModel("after");
  ExpectReadersFromEverySeq(g.base_seq.value() - 2, g.last_seq.value() + 2);
  // The trailer on disk: the same range, the kept count, the kept records' times.
  format::SegmentTrailer t;
  ASSERT_OK(ReadSegmentTrailer(SegPath(g.base_seq), &t));
  EXPECT_EQ(t.last_seq, g.last_seq);
  EXPECT_EQ(t.record_count, after.records);
  EXPECT_EQ(t.data_end.value(), format::kSegmentHeaderSize + kept_bytes);
  EXPECT_TRUE(FilesEndingIn(".tmp").empty());

  ASSERT_OK(store_->Close());
  ASSERT_OK(OpenStore());
  ExpectMatchesModel("reopened");
  ExpectReadersFromEverySeq(g.base_seq.value() - 2, g.last_seq.value() + 2);
  Fill(50);  // appends go on after it
  ExpectMatchesModel("appended");
}

TEST_P(CompactTest, CompactKeepEveryOtherCompressedAndTwice) {
  opt_.compress_min_bytes = 64;
  ASSERT_OK(OpenStore());
  Fill(700);
  std::vector<SegmentInfo> sealed = Sealed();
  ASSERT_GE(sealed.size(), 3u);
  const SegmentInfo g = sealed[1];
  ASSERT_OK(Rewrite(g.base_seq, [](uint64_t q) { return q % 2 == 1; }));
  ExpectMatchesModel("once");
  // Again, on the rewritten segment: a third of what is left.
  ASSERT_OK(Rewrite(g.base_seq, [](uint64_t q) { return q % 3 != 0; }));
  ExpectMatchesModel("twice");
  ExpectReadersFromEverySeq(g.base_seq.value() - 1, g.last_seq.value() + 1);
  ASSERT_OK(store_->Close());
  ASSERT_OK(OpenStore());
  ExpectMatchesModel("reopened");
}

TEST_P(CompactTest, CompactKeepNoneInTheMiddle) {
  ASSERT_OK(OpenStore());
  Fill(700);
  std::vector<SegmentInfo> sealed = Sealed();
  ASSERT_GE(sealed.size(), 4u);
  const SegmentInfo g = sealed[2];
  uint64_t kept_bytes = 99;
  ASSERT_OK(Rewrite(g.base_seq, [](uint64_t) { return false; }, &kept_bytes));
  EXPECT_EQ(kept_bytes, 0u);
  const SegmentInfo e = log_->Segments()[2];
  EXPECT_EQ(e.records, 0u);
  EXPECT_EQ(e.bytes, 0u);
  EXPECT_EQ(e.last_seq, g.last_seq);
  // An empty segment keeps the replaced one's times (retention by time treats it alike).
  EXPECT_EQ(e.first_ts, g.first_ts);
  EXPECT_EQ(e.max_ts, g.max_ts);
  uint64_t size = 0;
  ASSERT_OK(io::FileSize(SegPath(g.base_seq), &size));
  EXPECT_EQ(size, format::kSegmentHeaderSize + format::kSegmentTrailerSize);
  ExpectMatchesModel("emptied");
  ExpectReadersFromEverySeq(g.base_seq.value() - 2, g.last_seq.value() + 2);
  ASSERT_OK(store_->Close());
  ASSERT_OK(OpenStore());
  ExpectMatchesModel("reopened");
  ExpectReadersFromEverySeq(g.base_seq.value() - 2, g.last_seq.value() + 2);
  // Rewriting an empty segment again is a no-op; retention takes it like any other.
  ASSERT_OK(Rewrite(g.base_seq, [](uint64_t) { return false; }));
  size_t removed = 0;
  ASSERT_OK(log_->RemoveSegmentsBefore(g.last_seq + 1, &removed));
  EXPECT_EQ(removed, 3u);
  for (auto it = model_.begin(); it != model_.end() && it->first <= g.last_seq.value();) {
    it = model_.erase(it);
  }
  ExpectMatchesModel("retention");
}

TEST_P(CompactTest, CompactKeepNoneOldest) {
  ASSERT_OK(OpenStore());
  Fill(500);
  const SegmentInfo g = Sealed().front();
  ASSERT_OK(Rewrite(g.base_seq, [](uint64_t) { return false; }));
  EXPECT_EQ(log_->first_seq(), g.base_seq);  // the range stays; it just holds nothing
  ExpectMatchesModel("emptied");
  ExpectReadersFromEverySeq(0, g.last_seq.value() + 2);
  // Time: before everything, the first record is the next segment's first.
  {
    std::unique_ptr<LogIterator> it;
    ASSERT_OK(log_->NewIteratorAtTime(TimestampMs(0), &it));
    RecordView r;
    ASSERT_OK(it->Next(&r));
    EXPECT_EQ(FromView(r), model_.begin()->second);
  }
  ASSERT_OK(store_->Close());
  ASSERT_OK(OpenStore());
  ExpectMatchesModel("reopened");
  // The caller then drops it with retention.
  size_t removed = 0;
  ASSERT_OK(log_->RemoveSegmentsBefore(g.last_seq + 1, &removed));
  EXPECT_EQ(removed, 1u);
  EXPECT_EQ(log_->first_seq(), g.last_seq + 1);
  ExpectMatchesModel("removed");
}

TEST_P(CompactTest, CompactKeepAllIsANoOp) {
  ASSERT_OK(OpenStore());
  Fill(400);
  const SegmentInfo g = Sealed()[1];
  ByteBuffer before, idx_before, after, idx_after;
  ASSERT_OK(io::ReadFile(SegPath(g.base_seq), &before));
  const std::vector<std::string> files = FilesEndingIn("");
  uint64_t kept_bytes = 0;
  ASSERT_OK(Rewrite(g.base_seq, [](uint64_t) { return true; }, &kept_bytes));
  EXPECT_EQ(kept_bytes, g.bytes);
  ASSERT_OK(io::ReadFile(SegPath(g.base_seq), &after));
  EXPECT_EQ(before, after);
  EXPECT_EQ(FilesEndingIn(""), files);
  ExpectMatchesModel("no-op");
}

TEST_P(CompactTest, CompactRefusesWhatItCannotRewrite) {
  ASSERT_OK(OpenStore());
  Fill(300);
  std::vector<SegmentInfo> segs = log_->Segments();
  ASSERT_GE(segs.size(), 2u);
  auto keep_none = [](SeqNo) { return false; };
  // The newest (active) segment, a base that is no segment's, a sequence inside one.
  EXPECT_EQ(log_->RewriteSegment(segs.back().base_seq, keep_none).code(), StatusCode::kNotFound);
  EXPECT_EQ(log_->RewriteSegment(segs[0].base_seq + 1, keep_none).code(), StatusCode::kNotFound);
  EXPECT_EQ(log_->RewriteSegment(SeqNo(1'000'000), keep_none).code(), StatusCode::kNotFound);
  ExpectMatchesModel("unchanged");
  // Read-only logs are never rewritten.
  ASSERT_OK(store_->Close());
  StoreOptions so;
  so.read_only = true;
  so.io_backend = GetParam();
  std::unique_ptr<Store> ro;
  ASSERT_OK(Store::Open(dir_->path(), so, &ro));
  Log* l = nullptr;
  ASSERT_OK(ro->GetLog("c", &l));
  EXPECT_EQ(l->RewriteSegment(segs[0].base_seq, keep_none).code(), StatusCode::kNotSupported);
  ro.reset();
  // Closed.
  ASSERT_OK(OpenStore());
  Log* log = log_;
  ASSERT_OK(log->Close());
  EXPECT_EQ(log->RewriteSegment(segs[0].base_seq, keep_none).code(), StatusCode::kClosed);
}

// A reader inside the segment when it is rewritten: what it holds stays valid, and it goes on
// with exactly the kept records after its position.
TEST_P(CompactTest, CompactReaderInsideTheSegmentKeepsWorking) {
  ASSERT_OK(OpenStore(nullptr, /*max_maps=*/1));  // mappings evicted as soon as unpinned
  Fill(700);
  const SegmentInfo g = Sealed()[1];
  const uint64_t mid = (g.base_seq.value() + g.last_seq.value()) / 2;
  // One reader with a single view, one retaining several, one positioned before the segment,
  // one created but not yet positioned, one at a seq that is about to become a gap.
  std::unique_ptr<LogIterator> single, retaining, before, fresh, at_gap;
  ASSERT_OK(log_->NewIterator(SeqNo(mid), &single));
  ASSERT_OK(log_->NewIterator(SeqNo(mid - 5), &retaining));
  ASSERT_OK(log_->NewIterator(g.base_seq - 3, &before));
  ASSERT_OK(log_->NewIterator(SeqNo(mid + 1), &fresh));
  ASSERT_OK(log_->NewIterator(SeqNo(mid + 3), &at_gap));
  RecordView r1;
  ASSERT_OK(single->Next(&r1));
  const Rec held1 = FromView(r1);
  std::vector<RecordView> held;
  std::vector<Rec> held_copy;
  for (int i = 0; i < 4; ++i) {
    RecordView r;
    ASSERT_OK(retaining->NextRetaining(&r));
    held.push_back(r);
    held_copy.push_back(FromView(r));
  }
  RecordView rb;
  ASSERT_OK(before->Next(&rb));
  const uint64_t before_pos = rb.seq.value();
  RecordView rg;
  ASSERT_OK(at_gap->Next(&rg));  // positioned; its next is mid + 4 or later
  const uint64_t gap_pos = rg.seq.value();

  // Drop every record of odd sequence, in this segment only.
  ASSERT_OK(Rewrite(g.base_seq, [](uint64_t q) { return q % 2 == 0; }));

  // Views handed out before the rewrite still read the old bytes.
  EXPECT_EQ(FromView(r1), held1);
  for (size_t i = 0; i < held.size(); ++i) EXPECT_EQ(FromView(held[i]), held_copy[i]);

  auto rest = [&](LogIterator* it) {
    std::vector<Rec> out;
    RecordView r;
    Status s;
    while ((s = it->Next(&r)).ok()) out.push_back(FromView(r));
    EXPECT_TRUE(s.IsNoMore()) << s.ToString();
    return out;
  };
  EXPECT_EQ(rest(single.get()), Want(held1.seq + 1));
  EXPECT_EQ(rest(retaining.get()), Want(held_copy.back().seq + 1));
  EXPECT_EQ(rest(before.get()), Want(before_pos + 1));
  EXPECT_EQ(rest(fresh.get()), Want(mid + 1));
  EXPECT_EQ(rest(at_gap.get()), Want(gap_pos + 1));
  ExpectMatchesModel("after");
}

// A leftover "<base>.seg.tmp" (a rewrite cut short) is never a segment: opening removes it.
TEST_P(CompactTest, CompactRecoveryRemovesLeftoverTempFiles) {
  ASSERT_OK(OpenStore());
  Fill(400);
  const SegmentInfo g = Sealed()[1];
  const std::string dir = LogDir();
  ASSERT_OK(store_->Close());
  ByteBuffer copy;
  ASSERT_OK(io::ReadFile(dir + "/" + SegmentFileName(g.base_seq), &copy));
  {
    // A whole copy of a segment, and a torn one under a name after the newest segment.
    std::unique_ptr<io::FileSystem> fs = MakeFs(GetParam());
    std::unique_ptr<io::WritableFile> f;
    ASSERT_OK(fs->OpenWritable(dir + "/" + SegmentFileName(g.base_seq) + ".tmp",
                               io::OpenMode::kCreateNew, &f));
    ASSERT_OK(f->Write(FileOffset(0), copy));
    ASSERT_OK(fs->OpenWritable(dir + "/" + SegmentFileName(SeqNo(100000)) + ".tmp",
                               io::OpenMode::kCreateNew, &f));
    ASSERT_OK(f->Write(FileOffset(0), ByteView(copy).first(100)));
  }
  ASSERT_OK(OpenStore());
  EXPECT_TRUE(FilesEndingIn(".tmp").empty());
  ExpectMatchesModel("reopened");
  Fill(10);
  ExpectMatchesModel("appended");
}

// The index the rewrite writes is the one a rebuild makes; verify and inspect accept the
// rewritten segments (gaps, empty ones) without a single problem.
TEST_P(CompactTest, CompactToolsAcceptRewrittenSegments) {
  opt_.compress_min_bytes = 200;
  ASSERT_OK(OpenStore());
  Fill(2000);
  std::vector<SegmentInfo> sealed = Sealed();
  ASSERT_GE(sealed.size(), 6u);
  ASSERT_OK(Rewrite(sealed[0].base_seq, [](uint64_t) { return false; }));
  ASSERT_OK(Rewrite(sealed[1].base_seq, [](uint64_t q) { return q % 2 == 0; }));
  ASSERT_OK(Rewrite(sealed[2].base_seq, [](uint64_t) { return false; }));
  ASSERT_OK(Rewrite(sealed[3].base_seq, [&](uint64_t q) { return q != sealed[3].last_seq.value(); }));
  ASSERT_OK(Rewrite(sealed[4].base_seq, [&](uint64_t q) { return q != sealed[4].base_seq.value(); }));
  ExpectMatchesModel("rewritten");
  const std::string dir = LogDir();
  ASSERT_OK(store_->Close());
  log_ = nullptr;

  auto check_tools = [&](const std::string& what) {
    VerifyReport rep;
    ASSERT_OK(VerifyStore(dir_->path(), nullptr, &rep));
    for (const Problem& p : rep.problems) ADD_FAILURE() << what << ": " << p.ToString();
    EXPECT_TRUE(rep.ok());
    EXPECT_EQ(rep.records, model_.size()) << what;
    StoreReport sr;
    ASSERT_OK(InspectStore(dir_->path(), &sr));
    ASSERT_EQ(sr.logs.size(), 1u);
    const LogReport& lr = sr.logs[0];
    EXPECT_EQ(lr.records, model_.size()) << what;
    ASSERT_EQ(lr.segments.size(), sealed.size() + 1);
    for (size_t i = 0; i + 1 < lr.segments.size(); ++i) {
      EXPECT_EQ(lr.segments[i].next_seq, lr.segments[i + 1].base_seq) << what << " " << i;
      EXPECT_TRUE(lr.segments[i].error.empty()) << lr.segments[i].error;
    }
    std::vector<Rec> dumped;
    ASSERT_OK(DumpRecords(dir, SeqNo(0), UINT64_MAX,
                          [&](const RecordView& r) { dumped.push_back(FromView(r)); }));
    std::vector<Rec> want;
    for (auto& [q, r] : model_) want.push_back(r);
    EXPECT_EQ(dumped, want) << what;
    // The command line says the same: exit 0 (all well) for verify and inspect.
    const std::string cli = SEGLOG_CLI_PATH;
    if (!cli.empty() && io::PathExists(cli)) {  // (a build of the tests alone has no CLI)
      for (const char* cmd : {" verify ", " inspect "}) {
        const std::string line = cli + cmd + "'" + dir_->path() + "' >/dev/null 2>&1";
        const int st = std::system(line.c_str());
        EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << what << ": " << line;
      }
    }
  };
  check_tools("as rewritten");

  // Index files are derived data: remove them all, read (rebuilds them), and they come back
  // byte for byte as the rewrite wrote them.
  std::vector<std::string> names;
  ASSERT_OK(io::ListDir(dir, &names));
  std::map<std::string, ByteBuffer> written;
  for (const auto& n : names) {
    if (n.size() > 4 && n.compare(n.size() - 4, 4, ".idx") == 0) {
      ASSERT_OK(io::ReadFile(dir + "/" + n, &written[n]));
      ASSERT_EQ(std::remove((dir + "/" + n).c_str()), 0);
    }
  }
  EXPECT_EQ(written.size(), sealed.size());
  ASSERT_OK(OpenStore());
  ExpectReadersFromEverySeq(0, log_->next_seq().value());
  ExpectMatchesModel("rebuilt");
  ASSERT_OK(store_->Close());
  for (const auto& [n, bytes] : written) {
    ByteBuffer rebuilt;
    ASSERT_OK(io::ReadFile(dir + "/" + n, &rebuilt)) << n;
    EXPECT_EQ(rebuilt, bytes) << n;
  }
  check_tools("rebuilt indexes");
}

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
