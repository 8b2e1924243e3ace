// The segment log: append, read, roll, recover, retention, group commit — on both backends.
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

using testing::RandomBytes;
using testing::Str;
using testing::TempDir;
using testing::View;

using testing::MakeFs;

using testing::LogTest;

TEST_P(LogTest, AppendReadBackAcrossSegmentsAndReopen) {
  ASSERT_OK(Open());
  std::mt19937_64 rng(1);
  std::vector<std::string> values;
  for (int i = 0; i < 2000; ++i) {
    values.push_back(RandomBytes(rng, rng() % 300));
    SeqNo s;
    ASSERT_OK(Put("k" + std::to_string(i), values.back(), &s));
    ASSERT_EQ(s.value(), static_cast<uint64_t>(i));
    clock_.Advance(1);
  }
  EXPECT_GT(SegmentFiles().size(), 3u);
  auto check = [&] {
    auto got = ReadAll();
    ASSERT_EQ(got.size(), values.size());
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].first, i);
      ASSERT_EQ(got[i].second, values[i]);
    }
  };
  check();
  ASSERT_OK(log_->Close());
  ASSERT_OK(Open());
  check();
  SeqNo s;
  ASSERT_OK(Put("again", "x", &s));
  EXPECT_EQ(s.value(), 2000u);
}

TEST_P(LogTest, BatchesGetConsecutiveSequencesAndOneTimestamp) {
  ASSERT_OK(Open());
  std::vector<std::string> vals = {"a", "bb", "ccc"};
  std::vector<Log::Record> recs;
  for (auto& v : vals) recs.push_back({View(v), View(v), View(v)});
  SeqNo first;
  ASSERT_OK(log_->Append(recs, &first));
  ASSERT_OK(log_->Append(recs, &first));
  EXPECT_EQ(first.value(), 3u);
  std::unique_ptr<LogIterator> it;
  ASSERT_OK(log_->NewIterator(SeqNo(0), &it));
  RecordView r;
  for (int i = 0; i < 6; ++i) {
    ASSERT_OK(it->Next(&r));
    EXPECT_EQ(r.seq.value(), static_cast<uint64_t>(i));
    EXPECT_EQ(Str(r.key), vals[i % 3]);
    EXPECT_EQ(Str(r.attrs), vals[i % 3]);
    EXPECT_EQ(r.ts, clock_.NowMs());
  }
  EXPECT_TRUE(it->Next(&r).IsNoMore());
}

TEST_P(LogTest, IteratorFromEverySequenceIncludingSegmentBoundaries) {
  ASSERT_OK(Open());
  for (int i = 0; i < 600; ++i) ASSERT_OK(Put("k", std::string(200, 'a' + i % 26)));
  ASSERT_GT(SegmentFiles().size(), 2u);
  for (uint64_t from = 0; from <= 600; from += 7) {
    auto got = ReadAll(SeqNo(from));
    ASSERT_EQ(got.size(), 600 - from) << from;
    if (!got.empty()) {
      EXPECT_EQ(got.front().first, from);
    }
  }
  // Exactly at each segment's base, and just before it.
  for (const auto& p : SegmentFiles()) {
    SeqNo base;
    ASSERT_TRUE(ParseSegmentFileName(p.substr(p.rfind('/') + 1), &base));
    for (uint64_t from : {base.value(), base.value() == 0 ? 0 : base.value() - 1}) {
      auto got = ReadAll(SeqNo(from));
      ASSERT_EQ(got.size(), 600 - from);
      if (!got.empty()) {
        EXPECT_EQ(got.front().first, from);
      }
    }
  }
}

TEST_P(LogTest, IteratorAtTime) {
  ASSERT_OK(Open());
  const int64_t t0 = clock_.NowMs().value();
  for (int i = 0; i < 500; ++i) {
    ASSERT_OK(Put("k", std::string(150, 'x')));
    clock_.Advance(10);  // record i has ts t0 + 10 i
  }
  for (int64_t t = t0 - 5; t <= t0 + 5100; t += 37) {
    std::unique_ptr<LogIterator> it;
    ASSERT_OK(log_->NewIteratorAtTime(TimestampMs(t), &it));
    int64_t want = t <= t0 ? 0 : (t - t0 + 9) / 10;  // first i with t0 + 10 i >= t
    RecordView r;
    Status s = it->Next(&r);
    if (want >= 500) {
      EXPECT_TRUE(s.IsNoMore()) << t;
      // A later append is seen.
      continue;
    }
    ASSERT_OK(s);
    EXPECT_EQ(r.seq.value(), static_cast<uint64_t>(want)) << "t=" << t;
    EXPECT_GE(r.ts.value(), t);
  }
  std::unique_ptr<LogIterator> it;
  ASSERT_OK(log_->NewIteratorAtTime(TimestampMs(t0 + 999999), &it));
  RecordView r;
  EXPECT_TRUE(it->Next(&r).IsNoMore());
  ASSERT_OK(Put("late", "v"));
  ASSERT_OK(it->Next(&r));
  EXPECT_EQ(Str(r.value), "v");
}

TEST_P(LogTest, TimestampsNeverGoBackwards) {
  ASSERT_OK(Open());
  ASSERT_OK(Put("a", "1"));
  clock_.Advance(-1000);
  ASSERT_OK(Put("b", "2"));
  std::unique_ptr<LogIterator> it;
  ASSERT_OK(log_->NewIterator(SeqNo(0), &it));
  RecordView a, b;
  ASSERT_OK(it->Next(&a));
  TimestampMs ta = a.ts;
  ASSERT_OK(it->Next(&b));
  EXPECT_GE(b.ts, ta);
}

TEST_P(LogTest, SealedSegmentsAreTrustedButCorruptionIsReportedOnRead) {
  ASSERT_OK(Open());
  for (int i = 0; i < 1000; ++i) ASSERT_OK(Put("k", std::string(100, 'v')));
  ASSERT_OK(log_->Close());
  log_.reset();
  auto segs = SegmentFiles();
  ASSERT_GT(segs.size(), 2u);
  // Flip a byte in the middle of the first (sealed) segment's batches.
  {
    std::fstream f(segs[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(format::kSegmentHeaderSize + 1000);
    char c;
    f.read(&c, 1);
    f.seekp(format::kSegmentHeaderSize + 1000);
    c ^= 0x40;
    f.write(&c, 1);
  }
  // Remove the index so the read path has to scan (it is derived data).
  std::remove((segs[0].substr(0, segs[0].size() - 4) + ".idx").c_str());
  ASSERT_OK(Open());  // open trusts the trailer, does not scan
  std::unique_ptr<LogIterator> it;
  ASSERT_OK(log_->NewIterator(SeqNo(0), &it));
  RecordView r;
  Status s;
  while ((s = it->Next(&r)).ok()) {
  }
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find(segs[0]), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("offset"), std::string::npos) << s.message();
  // Never skipped: the next call reports it again instead of moving past the bad batch.
  EXPECT_EQ(it->Next(&r).code(), StatusCode::kCorruption);
}

TEST_P(LogTest, EmptySegmentGrowsInPlaceForALargeBatch) {
  ASSERT_OK(Open());
  std::string big(200 * 1024, 'G');
  ASSERT_OK(Put("big", big));  // the empty first segment is too small: it grows
  EXPECT_EQ(SegmentFiles().size(), 1u);
  ASSERT_OK(Put("small", "s"));
  ASSERT_OK(log_->Close());
  ASSERT_OK(Open());
  auto got = ReadAll();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].second, big);
  EXPECT_EQ(log_->next_seq().value(), 2u);
}

TEST_P(LogTest, SealedSegmentWithoutTrailerIsCorruption) {
  ASSERT_OK(Open());
  for (int i = 0; i < 1000; ++i) ASSERT_OK(Put("k", std::string(100, 'v')));
  ASSERT_OK(log_->Close());
  log_.reset();
  auto segs = SegmentFiles();
  ASSERT_GT(segs.size(), 2u);
  uint64_t size;
  ASSERT_OK(io::FileSize(segs[0], &size));
  ASSERT_EQ(truncate(segs[0].c_str(), static_cast<off_t>(size - 3)), 0);
  // Opening reads no sealed trailer (it costs the same however much is sealed); the first
  // use of the segment checks it and reports the corruption, naming the file.
  ASSERT_OK(Open());
  std::unique_ptr<LogIterator> it;
  ASSERT_OK(log_->NewIterator(SeqNo(0), &it));
  RecordView r;
  Status s = it->Next(&r);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find(segs[0]), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("trailer"), std::string::npos) << s.message();
  // Reading from a later segment still works.
  ASSERT_OK(log_->NewIterator(SeqNo(log_->next_seq().value() - 1), &it));
  ASSERT_OK(it->Next(&r));
  // Retention cannot decide about a segment it cannot read: it says so.
  EXPECT_EQ(log_->RemoveSegmentsOlderThan(TimestampMs(INT64_MAX)).code(), StatusCode::kCorruption);
}

// A tail torn at every byte of the last batch recovers to the batch before, and appending
// afterwards never resurrects stale bytes.
TEST_P(LogTest, TornTailAtEveryByteRecoversToPreviousBatch) {
  ASSERT_OK(Open());
  for (int i = 0; i < 5; ++i) ASSERT_OK(Put("k" + std::to_string(i), std::string(40, 'a' + i)));
  ASSERT_OK(log_->Close());
  log_.reset();
  const std::string seg = SegmentFiles().back();
  ByteBuffer image;
  ASSERT_OK(io::ReadFile(seg, &image));
  // Find the offset of the last data batch. A torn tail is what a crash leaves of writes that
  // were never synced; the clean close's durable mark (after them) says they were, so take
  // it away: this is the disk as a power loss before that close would have left it.
  uint64_t off = format::kSegmentHeaderSize, last = 0;
  for (;;) {
    format::BatchHeader h;
    if (!format::ReadBatch(ByteView(image).subspan(off), &h).ok()) break;
    if (h.type == format::kBatchTypeDurableMark) {
      std::fill(image.begin() + static_cast<ptrdiff_t>(off),
                image.begin() + static_cast<ptrdiff_t>(off + h.length), 0);
      break;
    }
    last = off;
    off += h.length;
  }
  const uint64_t end = off;
  ASSERT_GT(last, 0u);
  for (uint64_t cut = last; cut < end; ++cut) {
    for (int mode = 0; mode < 2; ++mode) {
      ByteBuffer torn = image;
      // mode 0: the rest of the batch never reached the disk (zeros); mode 1: garbage.
      for (uint64_t i = cut; i < end; ++i) torn[i] = mode == 0 ? 0 : static_cast<uint8_t>(i * 31);
      {
        std::ofstream f(seg, std::ios::binary | std::ios::trunc);
        f.write(reinterpret_cast<const char*>(torn.data()), static_cast<std::streamsize>(torn.size()));
      }
      ASSERT_OK(Open());
      auto got = ReadAll();
      // Zeroing bytes that were zero already (a trailing empty attrs length) tears nothing.
      const size_t want = torn == image ? 5u : 4u;
      ASSERT_EQ(got.size(), want) << "cut at " << cut << " mode " << mode;
      EXPECT_EQ(got.back().second, std::string(40, want == 5 ? 'e' : 'd'));
      EXPECT_EQ(log_->next_seq().value(), want);
      ASSERT_OK(log_->Close());
      log_.reset();
    }
  }
  // After a recovery, a shorter append must not make the stale bytes after it readable.
  ByteBuffer torn = image;
  torn[last + 20] ^= 1;  // corrupt batch 4, keep it otherwise whole
  {
    std::ofstream f(seg, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(torn.data()), static_cast<std::streamsize>(torn.size()));
  }
  ASSERT_OK(Open());
  ASSERT_OK(Put("k4", std::string(40, 'e')));
  ASSERT_OK(log_->Close());
  ASSERT_OK(Open());
  auto got = ReadAll();
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got.back().second, std::string(40, 'e'));
}

TEST_P(LogTest, RetentionRemovesOldSegmentsAndMovesReadersOn) {
  ASSERT_OK(Open());
  for (int i = 0; i < 1500; ++i) {
    ASSERT_OK(Put("k", std::string(200, 'r')));
    clock_.Advance(1000);
  }
  const size_t before = SegmentFiles().size();
  ASSERT_GT(before, 4u);
  // A reader positioned at the very start.
  std::unique_ptr<LogIterator> it;
  ASSERT_OK(log_->NewIterator(SeqNo(0), &it));
  RecordView r;
  ASSERT_OK(it->Next(&r));
  const ByteView held = r.value;  // valid until the next call, even after removal
  size_t removed = 0;
  ASSERT_OK(log_->RemoveSegmentsOlderThan(TimestampMs(clock_.NowMs().value() - 700'000), &removed));
  EXPECT_GT(removed, 0u);
  EXPECT_EQ(SegmentFiles().size(), before - removed);
  EXPECT_EQ(Str(held), std::string(200, 'r'));
  const uint64_t first = log_->first_seq().value();
  EXPECT_GT(first, 0u);
  ASSERT_OK(it->Next(&r));
  EXPECT_EQ(r.seq.value(), first);  // skipped to what remains; nothing expired returned
  auto got = ReadAll(SeqNo(0));
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.front().first, first);
  EXPECT_EQ(got.back().first, 1499u);
  // Everything left is newer than the cutoff's segment boundary; reopen agrees.
  ASSERT_OK(log_->Close());
  ASSERT_OK(Open());
  EXPECT_EQ(log_->first_seq().value(), first);
  // Removing everything keeps the newest segment.
  ASSERT_OK(log_->RemoveSegmentsOlderThan(TimestampMs(clock_.NowMs().value() + 1)));
  EXPECT_GE(SegmentFiles().size(), 1u);
  SeqNo s;
  ASSERT_OK(Put("k", "after", &s));
  EXPECT_EQ(s.value(), 1500u);
}

TEST_P(LogTest, BatchLargerThanSegmentGetsItsOwnSegment) {
  ASSERT_OK(Open());
  ASSERT_OK(Put("small", "x"));
  std::string big(200 * 1024, 'B');
  ASSERT_OK(Put("big", big));
  ASSERT_OK(Put("small2", "y"));
  auto got = ReadAll();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1].second, big);
  ASSERT_OK(log_->Close());
  ASSERT_OK(Open());
  EXPECT_EQ(ReadAll().size(), 3u);
}

TEST_P(LogTest, MappedWritesCanBeTurnedOffAndAreNeverUsedUnderAlways) {
  for (bool mapped : {false, true}) {
    mapped_writes_ = mapped;
    opt_.durability = mapped ? Durability::kAlways : Durability::kNone;
    log_.reset();
    std::filesystem::remove_all(dir_.path() + "/log");
    ASSERT_OK(Open());
    for (int i = 0; i < 50; ++i) ASSERT_OK(Put("k", std::to_string(i)));
    LogStats st = log_->Stats();
    EXPECT_EQ(st.mapped_appends, 0u);
    EXPECT_EQ(st.writes, 50u);
    EXPECT_EQ(ReadAll().size(), 50u);
  }
}

// The fault-injecting file system must see every write: it offers no writable mapping, so a
// log over it writes everything with write(2) (and power-loss tests mean what they say).
TEST(LogMappedWrites, FaultFileSystemIsNeverWrittenThroughAMapping) {
  TempDir dir;
  io::FaultFileSystem fs(io::NewPwriteFileSystem());
  ManualClock clock;
  MapCache maps(4);
  LogOptions opt;
  opt.durability = Durability::kNone;
  std::unique_ptr<Log> log;
  ASSERT_OK(Log::Open(Log::Env{&fs, &clock, &maps, 1, dir.path() + "/log", false, true}, opt, &log));
  for (int i = 0; i < 20; ++i) {
    Log::Record r{View("k"), View("v"), {}};
    ASSERT_OK(log->Append(std::span<const Log::Record>(&r, 1)));
  }
  EXPECT_EQ(log->Stats().mapped_appends, 0u);
  EXPECT_EQ(log->Stats().writes, 20u);
}

// NextRetainingMany + Rewind (the bulk read of Streams) return exactly what Next would, across
// batch and segment boundaries, compressed batches included, and every view of one run of
// calls stays valid until ReleaseHeld.
TEST_P(LogTest, NextRetainingManyAndRewindReturnWhatNextReturns) {
  opt_.compress_min_bytes = 256;
  ASSERT_OK(Open());
  std::mt19937_64 rng(5);
  std::vector<std::string> values;
  while (values.size() < 3000) {
    const size_t n = 1 + rng() % 40;
    const bool compressible = rng() % 2 == 0;
    std::vector<std::string> vals;
    for (size_t i = 0; i < n; ++i) {
      vals.push_back(compressible ? std::string(10 + rng() % 200, 'a' + rng() % 26)
                                  : RandomBytes(rng, rng() % 200));
    }
    std::vector<Log::Record> recs;
    for (auto& v : vals) recs.push_back({View(v), View(v), {}});
    ASSERT_OK(log_->Append(recs));
    for (auto& v : vals) values.push_back(v);
  }
  ASSERT_GT(SegmentFiles().size(), 3u);
  for (uint64_t from : {uint64_t{0}, uint64_t{17}, uint64_t{1501}}) {
    std::unique_ptr<LogIterator> it;
    ASSERT_OK(log_->NewIterator(SeqNo(from), &it));
    uint64_t next = from;
    std::vector<RecordView> held;  // views promised valid until ReleaseHeld
    for (;;) {
      if (rng() % 8 == 0) {
        for (auto& r : held) ASSERT_EQ(Str(r.value), values[r.seq.value()]);
        held.clear();
        it->ReleaseHeld();
      }
      std::vector<RecordView> got;
      Status s = it->NextRetainingMany(1 + rng() % 60, &got);
      if (s.IsNoMore()) break;
      ASSERT_OK(s);
      ASSERT_FALSE(got.empty());
      size_t keep = got.size();
      if (rng() % 3 == 0) {
        keep = rng() % got.size();  // 0: give back the whole run
        it->Rewind(got[keep]);
      }
      for (size_t i = 0; i < keep; ++i) {
        ASSERT_EQ(got[i].seq.value(), next) << "from " << from;
        ASSERT_EQ(Str(got[i].key), values[next]);
        ASSERT_EQ(Str(got[i].value), values[next]);
        held.push_back(got[i]);
        ++next;
      }
      ASSERT_EQ(it->position().value(), next);
    }
    EXPECT_EQ(next, values.size());
    for (auto& r : held) ASSERT_EQ(Str(r.value), values[r.seq.value()]);
  }
}

TEST_P(LogTest, InvalidInputIsRejectedAndChangesNothing) {
  ASSERT_OK(Open());
  EXPECT_EQ(log_->Append({}).code(), StatusCode::kInvalidArgument);
  LogOptions bad = opt_;
  bad.segment_size = 10;
  EXPECT_EQ(bad.Validate().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log_->next_seq().value(), 0u);
}

INSTANTIATE_TEST_SUITE_P(Backends, LogTest,
                         ::testing::Values(io::Backend::kPwrite, io::Backend::kUring),
                         [](const auto& p) { return std::string(io::BackendName(p.param)); });

}  // namespace
}  // namespace seglog
