// The read-only inspection behind the `seglog` tool (engine/inspect/inspect.h), and the tool itself:
// inspect, verify and dump over real stores — clean, corrupted, torn and live.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <roaring/roaring.hh>
#include <roaring/roaring64map.hh>

#include "engine/log/clock.h"
#include "engine/queues/delete_index.h"
#include "engine/inspect/inspect.h"
#include "engine/log/layout.h"
#include "engine/log/segment.h"
#include "engine/inspect/segment_reader.h"
#include "engine/log/store.h"
#include "engine/streams/stream.h"
#include "format/checkpoint_format.h"
#include "format/delete_index_format.h"
#include "format/queue_format.h"
#include "format/segment_format.h"
#include "io/file_util.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

// Journals a receive state for `id`: `count` receives, in flight until visible_ms (0: not).
Status SetReceive(DeleteIndex* index, SeqNo id, uint32_t count, int64_t visible_ms = 0) {
  const int64_t at = visible_ms > 0 ? visible_ms - 30'000 : 0;
  const std::pair<SeqNo, format::ReceiveState> one(id, {count, at, visible_ms, at});
  return index->SetReceiveStates(std::span(&one, 1));
}

using testing::Str;
using testing::TempDir;
using testing::View;
using testing::BatchPos;
using testing::Batches;
using testing::FlipByte;
using testing::ReadWhole;
using testing::WriteAt;
using testing::RunCommand;

// One appended record, as the test remembers it (independently of the engine's reports).
struct Expected {
  uint64_t seq;
  int64_t ts;
  std::string key, value, attrs;
};

std::string Cli() { return SEGLOG_CLI_PATH; }
std::string Quote(const std::string& s) { return "'" + s + "'"; }

// ---------------------------------------------------------------- fixture

// A store with two logs: "events" (many small segments) and "small" (one unsealed segment).
class ToolsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/store";
    StoreOptions so;
    so.clock = &clock_;
    ASSERT_OK(Store::Open(dir_, so, &store_));
    LogOptions lo;
    lo.segment_size = 16384;
    lo.index_interval_bytes = 1024;
    lo.durability = Durability::kNone;  // the files are the same; the tests are faster
    ASSERT_OK(store_->CreateLog("events", lo, &events_));
    ASSERT_OK(store_->CreateLog("small", lo, &small_));
    // Batches of 1 to 5 records; values of varied sizes, some binary, some with attrs.
    for (int i = 0; i < 240; ++i) {
      const int n = 1 + i % 5;
      std::vector<std::string> keys, values, attrs;
      for (int j = 0; j < n; ++j) {
        const uint64_t seq = expected_["events"].size() + static_cast<uint64_t>(j);
        keys.push_back("key-" + std::to_string(seq % 13));
        values.push_back(seq % 7 == 0 ? std::string(90, static_cast<char>(seq & 0xff))
                                      : "value " + std::to_string(seq) +
                                            std::string(seq % 50, 'x'));
        attrs.push_back(seq % 3 == 0 ? "a=" + std::to_string(seq) : "");
      }
      Append("events", events_, keys, values, attrs);
      clock_.Advance(1 + i % 3);
    }
    Append("small", small_, {"k"}, {"only"}, {""});
    ASSERT_OK(store_->LogInfo("events", &events_id_, &events_dir_));
    std::string unused;
    ASSERT_OK(store_->LogInfo("small", &small_id_, &unused));
  }

  void Append(const std::string& name, Log* log, const std::vector<std::string>& keys,
              const std::vector<std::string>& values, const std::vector<std::string>& attrs) {
    std::vector<Log::Record> recs;
    for (size_t i = 0; i < keys.size(); ++i) {
      recs.push_back({View(keys[i]), View(values[i]), View(attrs[i])});
    }
    SeqNo first;
    ASSERT_OK(log->Append(recs, &first));
    auto& exp = expected_[name];
    ASSERT_EQ(first.value(), exp.size());
    for (size_t i = 0; i < keys.size(); ++i) {
      exp.push_back({first.value() + i, clock_.NowMs().value(), keys[i], values[i], attrs[i]});
    }
  }

  // Closes the store: the files stay as they are (the last segment stays unsealed).
  void CloseStore() {
    ASSERT_OK(store_->Close());
    store_.reset();
  }

  std::vector<Expected> Dump(const std::string& path, uint64_t from, uint64_t limit,
                             Status* status = nullptr) {
    std::vector<Expected> got;
    Status s = DumpRecords(path, SeqNo(from), limit, [&](const RecordView& r) {
      got.push_back({r.seq.value(), r.ts.value(), Str(r.key), Str(r.value), Str(r.attrs)});
    });
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_OK(s);
    }
    return got;
  }

  static void ExpectSame(const std::vector<Expected>& got, const std::vector<Expected>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].seq, want[i].seq) << i;
      EXPECT_EQ(got[i].ts, want[i].ts) << i;
      EXPECT_EQ(got[i].key, want[i].key) << i;
      EXPECT_EQ(got[i].value, want[i].value) << i;
      EXPECT_EQ(got[i].attrs, want[i].attrs) << i;
    }
  }

  ManualClock clock_;
  TempDir tmp_;
  std::string dir_;
  std::unique_ptr<Store> store_;
  Log* events_ = nullptr;
  Log* small_ = nullptr;
  uint64_t events_id_ = 0, small_id_ = 0;
  std::string events_dir_;
  std::map<std::string, std::vector<Expected>> expected_;
};

// ---------------------------------------------------------------- inspect

TEST_F(ToolsTest, InspectReportsCountsAndRanges) {
  CloseStore();
  StoreReport r;
  ASSERT_OK(InspectStore(dir_, &r));
  ASSERT_EQ(r.logs.size(), 2u);
  const LogReport& ev = r.logs[0];
  const auto& exp = expected_["events"];
  EXPECT_EQ(ev.name, "events");
  EXPECT_EQ(ev.id, events_id_);
  EXPECT_EQ(ev.dir, events_dir_);
  EXPECT_FALSE(ev.dir_missing);
  EXPECT_NE(std::find(ev.props.begin(), ev.props.end(),
                      std::pair<std::string, std::string>("segment_size", "16384")),
            ev.props.end());
  EXPECT_EQ(ev.records, exp.size());
  EXPECT_EQ(ev.first_seq, SeqNo(0));
  EXPECT_EQ(ev.next_seq, SeqNo(exp.size()));
  EXPECT_EQ(ev.first_ts.value(), exp.front().ts);
  EXPECT_EQ(ev.max_ts.value(), exp.back().ts);

  const std::vector<std::string> files = testing::SegmentFilesIn(events_dir_);
  ASSERT_EQ(ev.segments.size(), files.size());
  ASSERT_GE(files.size(), 3u) << "the test wants sealed segments";
  uint64_t records = 0, file_bytes = 0;
  for (size_t i = 0; i < ev.segments.size(); ++i) {
    const SegmentReport& g = ev.segments[i];
    SCOPED_TRACE(g.path);
    EXPECT_EQ(g.path, files[i]);
    EXPECT_TRUE(g.error.empty()) << g.error;
    EXPECT_TRUE(g.tail.empty()) << g.tail;
    EXPECT_EQ(g.sealed, i + 1 < files.size());
    EXPECT_EQ(g.has_index, g.sealed);
    uint64_t size = 0;
    ASSERT_OK(io::FileSize(files[i], &size));
    EXPECT_EQ(g.file_size, size);
    // Contiguous, and what the test appended there.
    EXPECT_EQ(g.base_seq.value(), records);
    std::vector<BatchPos> batches = Batches(files[i]);
    uint64_t n = 0;
    for (const BatchPos& b : batches) n += b.records;
    EXPECT_EQ(g.records, n);
    EXPECT_EQ(g.next_seq.value(), records + n);
    EXPECT_EQ(g.data_end.value(), batches.back().offset + batches.back().length);
    EXPECT_EQ(g.first_ts.value(), exp[records].ts);
    EXPECT_EQ(g.max_ts.value(), exp[records + n - 1].ts);
    records += n;
    file_bytes += size;
  }
  EXPECT_EQ(records, exp.size());
  EXPECT_EQ(ev.file_bytes, file_bytes);

  const LogReport& sm = r.logs[1];
  EXPECT_EQ(sm.name, "small");
  EXPECT_EQ(sm.id, small_id_);
  ASSERT_EQ(sm.segments.size(), 1u);
  EXPECT_FALSE(sm.segments[0].sealed);
  EXPECT_EQ(sm.records, 1u);
  EXPECT_EQ(sm.next_seq, SeqNo(1));
  EXPECT_EQ(sm.first_ts.value(), expected_["small"][0].ts);
}

TEST_F(ToolsTest, InspectRefusesWhatIsNotAStore) {
  StoreReport r;
  Status s = InspectStore(tmp_.path() + "/missing", &r);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_NE(s.message().find("no store at"), std::string::npos);
  s = InspectStore(tmp_.path(), &r);  // a directory, but no CATALOG
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  VerifyReport v;
  EXPECT_EQ(VerifyStore(tmp_.path(), {}, &v).code(), StatusCode::kNotFound);
  // A CATALOG of garbage.
  CloseStore();
  const std::string garbage = "this is not a catalog";
  WriteAt(dir_ + "/CATALOG", 0, View(garbage));
  EXPECT_EQ(InspectStore(dir_, &r).code(), StatusCode::kCorruption);
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.first_error()->path, dir_ + "/CATALOG");
}

// ---------------------------------------------------------------- verify

TEST_F(ToolsTest, VerifyPassesOnACleanStore) {
  CloseStore();
  std::vector<VerifyProgress> progress;
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, [&](const VerifyProgress& p) { progress.push_back(p); }, &v));
  for (const Problem& p : v.problems) ADD_FAILURE() << p.ToString();
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.logs, 2u);
  const size_t segs = testing::SegmentFilesIn(events_dir_).size();
  EXPECT_EQ(v.segments, segs + 1);
  EXPECT_EQ(v.index_files, segs - 1);
  EXPECT_EQ(v.records, expected_["events"].size() + 1);
  ASSERT_EQ(progress.size(), segs + 1);  // one per segment for a store this small
  EXPECT_EQ(progress.back().segments_done, segs + 1);
  EXPECT_EQ(progress.back().bytes_done, progress.back().bytes_total);
}

TEST_F(ToolsTest, VerifyPassesOnAnOpenStore) {
  // The writer holds the LOCK and the files stay open and preallocated; nothing is flushed
  // beyond what an append already wrote.
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  for (const Problem& p : v.problems) ADD_FAILURE() << p.ToString();
  EXPECT_EQ(v.records, expected_["events"].size() + 1);
}

TEST_F(ToolsTest, VerifyNamesTheBadBatchOfASealedSegment) {
  CloseStore();
  const std::string seg = testing::SegmentFilesIn(events_dir_)[1];
  const std::vector<BatchPos> batches = Batches(seg);
  ASSERT_GE(batches.size(), 4u);
  const BatchPos bad = batches[3];
  FlipByte(seg, bad.offset + format::kBatchHeaderSize + (bad.length - format::kBatchHeaderSize) / 2);

  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  EXPECT_FALSE(v.ok());
  const Problem* first = v.first_error();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->path, seg);
  ASSERT_TRUE(first->offset.has_value());
  EXPECT_EQ(first->offset->value(), bad.offset);
  EXPECT_NE(first->ToString().find(seg + " at offset " + std::to_string(bad.offset)),
            std::string::npos)
      << first->ToString();
  EXPECT_EQ(v.count(Severity::kError), 1u) << "one bad batch, one error";

  // Dump yields what comes before, then names the same batch.
  Status s;
  std::vector<Expected> got = Dump(events_dir_, 0, UINT64_MAX, &s);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find(seg + " at offset " + std::to_string(bad.offset)), std::string::npos)
      << s.ToString();
  uint64_t before = 0;
  for (const BatchPos& b : Batches(testing::SegmentFilesIn(events_dir_)[0])) before += b.records;
  for (size_t i = 0; i < 3; ++i) before += batches[i].records;
  EXPECT_EQ(got.size(), before);
}

TEST_F(ToolsTest, VerifyFindsABadHeaderAndTrailer) {
  CloseStore();
  const std::vector<std::string> segs = testing::SegmentFilesIn(events_dir_);
  FlipByte(segs[0], 20);  // the header's log id
  uint64_t size = 0;
  ASSERT_OK(io::FileSize(segs[1], &size));
  FlipByte(segs[1], size - 20);  // the trailer
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  ASSERT_EQ(v.count(Severity::kError), 2u);
  EXPECT_EQ(v.problems[0].path, segs[0]);
  EXPECT_NE(v.problems[0].message.find("header"), std::string::npos);
  EXPECT_EQ(v.problems[1].path, segs[1]);
  EXPECT_NE(v.problems[1].message.find("trailer"), std::string::npos);
}

TEST_F(ToolsTest, VerifyTakesATornTailForTheEnd) {
  CloseStore();
  const std::string last = testing::SegmentFilesIn(events_dir_).back();
  std::vector<BatchPos> batches = Batches(last);
  ASSERT_GE(batches.size(), 3u);
  ASSERT_EQ(batches.back().records, 0u) << "the close's durable mark";
  batches.pop_back();
  const BatchPos tail = batches.back();
  // Half of the last batch reached the disk, and nothing after it (no close).
  ASSERT_EQ(::truncate(last.c_str(), static_cast<off_t>(tail.offset + tail.length / 2)), 0);

  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  EXPECT_TRUE(v.ok()) << v.first_error()->ToString();
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0].severity, Severity::kInfo);
  EXPECT_EQ(v.problems[0].path, last);
  EXPECT_EQ(v.problems[0].offset, FileOffset(tail.offset));
  EXPECT_NE(v.problems[0].message.find("tail"), std::string::npos);

  StoreReport r;
  ASSERT_OK(InspectStore(dir_, &r));
  const SegmentReport& g = r.logs[0].segments.back();
  EXPECT_FALSE(g.tail.empty());
  EXPECT_TRUE(g.error.empty());
  EXPECT_EQ(g.data_end.value(), tail.offset);
  const auto& exp = expected_["events"];
  EXPECT_EQ(r.logs[0].next_seq.value(), exp.size() - tail.records);

  std::vector<Expected> want(exp.begin(), exp.end() - tail.records);
  ExpectSame(Dump(events_dir_, 0, UINT64_MAX), want);
}

TEST_F(ToolsTest, VerifyTakesAZeroedTailForTheEnd) {
  CloseStore();
  const std::string last = testing::SegmentFilesIn(events_dir_).back();
  // A clean close ends the segment in a durable mark over everything: without it (a crash
  // before the close), the last batch's write may tear.
  const BatchPos mark = Batches(last).back();
  ASSERT_EQ(mark.records, 0u) << "the close's durable mark";
  WriteAt(last, mark.offset, ByteBuffer(mark.length, 0));
  const BatchPos tail = Batches(last).back();
  const ByteBuffer zeros(tail.length - 60, 0);  // the header survived, the payload did not
  WriteAt(last, tail.offset + 60, zeros);
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.count(Severity::kInfo), 1u);
}

// A sealed segment ends at its trailer's data end: a stretch of zeros before it (a lost page,
// here 4 KiB from a batch boundary) is corruption at that batch, for verify and dump alike.
TEST_F(ToolsTest, VerifyReportsZerosInsideASealedSegment) {
  CloseStore();
  const std::string seg = testing::SegmentFilesIn(events_dir_)[1];
  const std::vector<BatchPos> batches = Batches(seg);
  ASSERT_GE(batches.size(), 4u);
  const BatchPos& last = batches.back();
  const uint64_t data_end = last.offset + last.length;
  const uint64_t at = batches[2].offset;
  WriteAt(seg, at, ByteBuffer(std::min<uint64_t>(4096, data_end - at), 0));

  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.first_error()->path, seg);
  EXPECT_EQ(v.first_error()->offset, FileOffset(at)) << v.first_error()->ToString();
  EXPECT_NE(v.first_error()->message.find("zeros"), std::string::npos);

  Status s;
  const std::vector<Expected> got = Dump(events_dir_, 0, UINT64_MAX, &s);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find(seg + " at offset " + std::to_string(at)), std::string::npos)
      << s.ToString();
  EXPECT_EQ(got.size(), batches[2].base_seq);
}

// A new segment's header is synced before any batch is written to it. A reader beside the
// writer can read the header before the writer wrote it and the first batch after: that is a
// segment being created, not a corrupt header. (The flake of ToolsLiveTest: reproduced here by
// writing the header between the reader's two reads.)
TEST_F(ToolsTest, AHeaderWrittenBetweenTwoReadsIsNoCorruption) {
  CloseStore();
  const std::string seg = testing::SegmentFilesIn(events_dir_).back();  // the active segment, with batches
  const ByteBuffer whole = ReadWhole(seg);
  const ByteBuffer header(whole.begin(), whole.begin() + 48);
  auto look = [&](bool write_header_on_second_read) {
    WriteAt(seg, 0, ByteBuffer(48, 0));  // not written yet
    int reads = 0;
    inspect_internal::ReadOnlyFile::SetReadHookForTesting(
        [&](const std::string& path, uint64_t, size_t) {
          if (path == seg && ++reads == 2 && write_header_on_second_read) WriteAt(seg, 0, header);
        });
    VerifyReport v;
    EXPECT_OK(VerifyStore(dir_, {}, &v));
    reads = 0;
    StoreReport r;
    EXPECT_OK(InspectStore(dir_, &r));
    reads = 0;
    Status s;
    const size_t n = Dump(events_dir_, 0, UINT64_MAX, &s).size();
    inspect_internal::ReadOnlyFile::SetReadHookForTesting({});
    WriteAt(seg, 0, header);
    return std::make_tuple(v, r.logs[0].segments.back().error, s, n);
  };
  {
    const auto [v, inspect_error, dump_status, dumped] = look(true);
    for (const Problem& p : v.problems) ADD_FAILURE() << p.ToString();
    EXPECT_EQ(inspect_error, "");
    EXPECT_OK(dump_status);
    EXPECT_EQ(dumped, expected_["events"].size());
  }
  {  // Really gone: a bad header with batches after it is corruption.
    const auto [v, inspect_error, dump_status, dumped] = look(false);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.first_error()->path, seg);
    EXPECT_NE(v.first_error()->message.find("bad segment header"), std::string::npos);
    EXPECT_NE(inspect_error.find("bad segment header"), std::string::npos) << inspect_error;
    EXPECT_EQ(dump_status.code(), StatusCode::kCorruption);
  }
}

TEST_F(ToolsTest, VerifyWarnsOnlyAboutABadIndex) {
  CloseStore();
  const std::vector<std::string> segs = testing::SegmentFilesIn(events_dir_);
  const std::string idx0 = events_dir_ + "/" + IndexFileName(SeqNo(0));
  ASSERT_TRUE(io::PathExists(idx0));
  FlipByte(idx0, 45);
  // A well-formed index that points at the wrong batch.
  SeqNo base1;
  ASSERT_TRUE(ParseSegmentFileName(segs[1].substr(segs[1].rfind('/') + 1), &base1));
  const std::vector<BatchPos> b1 = Batches(segs[1]);
  const BatchPos end1 = b1.back();
  std::vector<format::IndexEntry> entries = {
      {base1, FileOffset(format::kSegmentHeaderSize), TimestampMs(0)},
      {base1 + 1000, FileOffset(b1[1].offset + 1), TimestampMs(0)}};
  const ByteBuffer idx = format::EncodeIndex({base1, FileOffset(end1.offset + end1.length)},
                                             entries);
  const std::string idx1 = events_dir_ + "/" + IndexFileName(base1);
  ASSERT_EQ(::truncate(idx1.c_str(), 0), 0);
  WriteAt(idx1, 0, idx);

  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  EXPECT_TRUE(v.ok()) << v.first_error()->ToString();
  ASSERT_EQ(v.count(Severity::kWarning), 2u);
  EXPECT_EQ(v.problems[0].path, idx0);
  EXPECT_EQ(v.problems[1].path, idx1);

  // An index whose segment is gone (the oldest segment, as retention removes it).
  ASSERT_EQ(::unlink(segs[0].c_str()), 0);
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  EXPECT_TRUE(v.ok()) << v.first_error()->ToString();
  ASSERT_EQ(v.count(Severity::kWarning), 2u);
  EXPECT_EQ(v.problems.back().path, idx0);
  EXPECT_NE(v.problems.back().message.find("without its segment"), std::string::npos);
}

// Every byte of a sealed segment is under a checksum (header, batches, trailer): flipping any
// one of them must fail verification, naming that segment.
TEST_F(ToolsTest, VerifyCatchesAnyFlippedByteInASealedSegment) {
  CloseStore();
  const std::vector<std::string> segs = testing::SegmentFilesIn(events_dir_);
  std::mt19937_64 rng(42);
  for (size_t i = 0; i + 1 < segs.size(); ++i) {
    const ByteBuffer original = ReadWhole(segs[i]);
    const uint64_t size = original.size();
    std::vector<uint64_t> offsets = {0, 7, 8, 40, 47, 48, 55, 56, 60, size - 57, size - 56,
                                     size - 9, size - 8, size - 1};
    for (const BatchPos& b : Batches(segs[i])) offsets.push_back(b.offset + 12);  // type
    for (int k = 0; k < 20; ++k) offsets.push_back(rng() % size);
    for (uint64_t off : offsets) {
      SCOPED_TRACE(segs[i] + " byte " + std::to_string(off));
      FlipByte(segs[i], off);
      VerifyReport v;
      ASSERT_OK(VerifyStore(dir_, {}, &v));
      ASSERT_FALSE(v.ok());
      EXPECT_EQ(v.first_error()->path, segs[i]) << v.first_error()->ToString();
      WriteAt(segs[i], 0, original);
    }
  }
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  EXPECT_TRUE(v.ok());
}

// Damaged files of every kind: the functions report, and never crash or throw.
TEST_F(ToolsTest, InspectVerifyDumpSurviveGarbage) {
  CloseStore();
  std::vector<std::string> files = testing::SegmentFilesIn(events_dir_);
  files.push_back(dir_ + "/CATALOG");
  files.push_back(events_dir_ + "/" + IndexFileName(SeqNo(0)));
  std::map<std::string, ByteBuffer> originals;
  for (const auto& f : files) originals[f] = ReadWhole(f);
  std::mt19937_64 rng(7);
  for (int round = 0; round < 150; ++round) {
    const std::string& f = files[rng() % files.size()];
    ByteBuffer b = originals[f];
    switch (rng() % 4) {
      case 0:  // truncate
        b.resize(rng() % (b.size() + 1));
        break;
      case 1:  // random bytes over a range
        for (uint64_t n = rng() % 200, at = rng() % b.size(); n > 0 && at < b.size(); --n, ++at) {
          b[at] = static_cast<uint8_t>(rng());
        }
        break;
      case 2:  // zeros over a range
        for (uint64_t n = rng() % 5000, at = rng() % b.size(); n > 0 && at < b.size(); --n, ++at) {
          b[at] = 0;
        }
        break;
      default:  // a few flipped bits
        for (int n = 0; n < 3; ++n) b[rng() % b.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
    }
    ASSERT_EQ(::truncate(f.c_str(), 0), 0);
    WriteAt(f, 0, b);
    StoreReport r;
    Status s = InspectStore(dir_, &r);
    EXPECT_TRUE(s.ok() || s.code() == StatusCode::kCorruption) << s.ToString();
    VerifyReport v;
    EXPECT_OK(VerifyStore(dir_, {}, &v));
    (void)Dump(events_dir_, 0, UINT64_MAX, &s);
    ASSERT_EQ(::truncate(f.c_str(), 0), 0);
    WriteAt(f, 0, originals[f]);
  }
}

// ---------------------------------------------------------------- dump

TEST_F(ToolsTest, DumpReturnsTheAppendedRecords) {
  CloseStore();
  const auto& exp = expected_["events"];
  ExpectSame(Dump(events_dir_, 0, UINT64_MAX), exp);
  for (uint64_t from : {0ul, 1ul, 77ul, 300ul, 500ul, 719ul}) {
    for (uint64_t limit : {0ul, 1ul, 10ul, 250ul}) {
      SCOPED_TRACE(std::to_string(from) + " limit " + std::to_string(limit));
      const size_t b = std::min<size_t>(from, exp.size());
      const size_t e = std::min<size_t>(b + limit, exp.size());
      ExpectSame(Dump(events_dir_, from, limit), {exp.begin() + b, exp.begin() + e});
    }
  }
  EXPECT_TRUE(Dump(events_dir_, exp.size(), 10).empty());
  EXPECT_TRUE(Dump(events_dir_, 1u << 30, 10).empty());

  // One segment file alone: its records only.
  const std::string seg = testing::SegmentFilesIn(events_dir_)[1];
  const std::vector<Expected> one = Dump(seg, 0, UINT64_MAX);
  ASSERT_FALSE(one.empty());
  ExpectSame(one, {exp.begin() + static_cast<long>(one.front().seq),
                   exp.begin() + static_cast<long>(one.back().seq) + 1});

  // Through the catalog, by name.
  std::string d;
  ASSERT_OK(FindLogDir(dir_, "small", &d));
  ExpectSame(Dump(d, 0, 5), expected_["small"]);
  EXPECT_EQ(FindLogDir(dir_, "nope", &d).code(), StatusCode::kNotFound);
}

TEST_F(ToolsTest, DumpRefusesWhatIsNotALog) {
  Status s;
  Dump(tmp_.path() + "/missing", 0, 10, &s);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  Dump(dir_, 0, 10, &s);  // a store, not a log
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  const std::string junk = tmp_.path() + "/junk";
  const std::string js(1000, 'j');
  WriteAt(junk, 0, View(js));
  Dump(junk, 0, 10, &s);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
}

TEST(ToolsFormatTest, PreviewAndTime) {
  EXPECT_EQ(FormatTimestamp(TimestampMs(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatTimestamp(TimestampMs(1714564800123)), "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(FormatTimestamp(TimestampMs(-1)), "1969-12-31T23:59:59.999Z");
  BytesPreview p = PreviewBytes(View("hello"));
  EXPECT_FALSE(p.hex);
  EXPECT_FALSE(p.truncated);
  EXPECT_EQ(p.text, "hello");
  const std::string bin("\x00\x01\xff", 3);
  p = PreviewBytes(View(bin));
  EXPECT_TRUE(p.hex);
  EXPECT_EQ(p.text, "0001ff");
  const std::string as(100, 'a'), hs(100, '\x80');
  p = PreviewBytes(View(as));
  EXPECT_TRUE(p.truncated);
  EXPECT_EQ(p.text, std::string(64, 'a'));
  p = PreviewBytes(View(hs));
  EXPECT_TRUE(p.truncated);
  EXPECT_EQ(p.text.size(), 64u);
}

// ---------------------------------------------------------------- the CLI

class ToolsCliTest : public ToolsTest {
 protected:
  void SetUp() override {
    if (Cli().empty()) GTEST_SKIP() << "seglog CLI not built";
    ToolsTest::SetUp();
  }
};

TEST_F(ToolsCliTest, InspectJson) {
  CloseStore();
  std::string out;
  ASSERT_EQ(RunCommand(Cli() + " inspect --json " + Quote(dir_), &out), 0) << out;
  const nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j["dir"], dir_);
  ASSERT_EQ(j["logs"].size(), 2u);
  const auto& ev = j["logs"][0];
  EXPECT_EQ(ev["name"], "events");
  EXPECT_EQ(ev["id"], events_id_);
  EXPECT_EQ(ev["records"], expected_["events"].size());
  EXPECT_EQ(ev["first_seq"], 0);
  EXPECT_EQ(ev["next_seq"], expected_["events"].size());
  EXPECT_EQ(ev["first_ts"], expected_["events"].front().ts);
  EXPECT_EQ(ev["max_ts"], expected_["events"].back().ts);
  EXPECT_EQ(ev["settings"]["segment_size"], "16384");
  const size_t segs = testing::SegmentFilesIn(events_dir_).size();
  ASSERT_EQ(ev["segments"].size(), segs);
  EXPECT_EQ(ev["segment_count"], segs);
  EXPECT_EQ(ev["segments"][0]["sealed"], true);
  EXPECT_EQ(ev["segments"][0]["base_seq"], 0);
  EXPECT_EQ(ev["segments"][segs - 1]["sealed"], false);
  EXPECT_TRUE(ev["segments"][0]["error"].is_null());

  // The human form names every segment.
  ASSERT_EQ(RunCommand(Cli() + " inspect " + Quote(dir_), &out), 0);
  for (const std::string& s : testing::SegmentFilesIn(events_dir_)) {
    EXPECT_NE(out.find(s.substr(s.rfind('/') + 1)), std::string::npos) << out;
  }
}

TEST_F(ToolsCliTest, VerifyExitCodes) {
  CloseStore();
  std::string out;
  EXPECT_EQ(RunCommand(Cli() + " verify " + Quote(dir_), &out), 0) << out;
  EXPECT_NE(out.find("OK"), std::string::npos) << out;
  EXPECT_EQ(RunCommand(Cli() + " verify --quiet " + Quote(dir_), &out), 0);
  EXPECT_EQ(out, "");
  EXPECT_EQ(RunCommand(Cli() + " verify --json " + Quote(dir_), &out), 0);
  EXPECT_EQ(nlohmann::json::parse(out)["ok"], true);

  const std::string seg = testing::SegmentFilesIn(events_dir_)[0];
  const BatchPos bad = Batches(seg)[2];
  FlipByte(seg, bad.offset + 60);
  EXPECT_EQ(RunCommand(Cli() + " verify " + Quote(dir_) + " 2>/dev/null", &out), 1);
  EXPECT_NE(out.find(seg + " at offset " + std::to_string(bad.offset)), std::string::npos)
      << out;
  EXPECT_EQ(RunCommand(Cli() + " verify --json " + Quote(dir_) + " 2>/dev/null", &out), 1);
  const nlohmann::json j = nlohmann::json::parse(out);
  EXPECT_EQ(j["ok"], false);
  EXPECT_EQ(j["problems"][0]["path"], seg);
  EXPECT_EQ(j["problems"][0]["offset"], bad.offset);

  // Usage and other errors: 2.
  EXPECT_EQ(RunCommand(Cli() + " verify " + Quote(tmp_.path() + "/missing") + " 2>&1", &out), 2);
  EXPECT_NE(out.find("no store at"), std::string::npos) << out;
  EXPECT_EQ(RunCommand(Cli() + " verify 2>/dev/null", &out), 2);
  EXPECT_EQ(RunCommand(Cli() + " frobnicate 2>/dev/null", &out), 2);
}

TEST_F(ToolsCliTest, DumpLimit) {
  CloseStore();
  std::string out;
  ASSERT_EQ(RunCommand(Cli() + " dump --from 5 --limit 3 " + Quote(events_dir_), &out), 0);
  std::vector<std::string> lines;
  for (size_t p = 0, e; (e = out.find('\n', p)) != std::string::npos; p = e + 1) {
    lines.push_back(out.substr(p, e - p));
  }
  ASSERT_EQ(lines.size(), 3u) << out;
  EXPECT_EQ(lines[0].rfind("5  ", 0), 0u) << lines[0];
  EXPECT_EQ(lines[2].rfind("7  ", 0), 0u) << lines[2];

  ASSERT_EQ(RunCommand(Cli() + " dump --json --limit 4 --log events " + Quote(dir_), &out), 0);
  const nlohmann::json j = nlohmann::json::parse(out);
  ASSERT_EQ(j["records"].size(), 4u);
  EXPECT_EQ(j["count"], 4);
  EXPECT_TRUE(j["error"].is_null());
  const auto& exp = expected_["events"];
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(j["records"][i]["seq"], i);
    EXPECT_EQ(j["records"][i]["ts"], exp[i].ts);
    EXPECT_EQ(j["records"][i]["value"]["size"], exp[i].value.size());
  }
  EXPECT_EQ(j["records"][1]["key"]["data"], exp[1].key);
  EXPECT_EQ(j["records"][0]["value"]["encoding"], "hex");  // seq 0 holds binary bytes

  EXPECT_EQ(RunCommand(Cli() + " dump " + Quote(tmp_.path() + "/missing") + " 2>/dev/null",
                       &out),
            2);
}

// ---------------------------------------------------------------- a live store

// A writer appends (small segments, no syncs) while inspect, verify and dump run over and over:
// they must never fail, report corruption, or return anything but a prefix of what was written.
// Under `always` every write but a segment's first starts with a durable mark: a batch read
// half-copied with a mark after it read whole must not be called damage (the re-read rule).
void LookBesideAWriter(Durability durability) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/store";
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir, StoreOptions(), &store));
  LogOptions lo;
  lo.segment_size = 8192;
  lo.durability = durability;
  lo.index_interval_bytes = 512;
  Log* log = nullptr;
  ASSERT_OK(store->CreateLog("live", lo, &log));
  std::string log_dir;
  uint64_t id = 0;
  ASSERT_OK(store->LogInfo("live", &id, &log_dir));

  auto value_of = [](uint64_t seq) { return "value-" + std::to_string(seq) + std::string(seq % 97, '.'); };
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> appended{0};
  std::thread writer;
  // Stops the writer however the test leaves (an ASSERT returns early).
  struct Joiner {
    std::atomic<bool>* stop;
    std::thread* t;
    ~Joiner() {
      stop->store(true);
      if (t->joinable()) t->join();
    }
  } joiner{&stop, &writer};
  writer = std::thread([&] {
    uint64_t seq = 0;
    while (!stop.load()) {
      const int n = 1 + static_cast<int>(seq % 4);
      std::vector<std::string> values;
      for (int i = 0; i < n; ++i) values.push_back(value_of(seq + static_cast<uint64_t>(i)));
      std::vector<Log::Record> recs;
      for (const auto& v : values) recs.push_back({View(v), View(v), {}});
      Status s = log->Append(recs);
      if (!s.ok()) {
        ADD_FAILURE() << s.ToString();
        return;
      }
      seq += static_cast<uint64_t>(n);
      appended.store(seq);
    }
  });

  // Long enough to look while segments roll, however slow the machine: at least 10 rounds,
  // 2 seconds and 6 segments (the writer is given up to a minute for those).
  const auto start = std::chrono::steady_clock::now();
  auto more = [&](int done) {
    const auto t = std::chrono::steady_clock::now() - start;
    return done < 10 || t < std::chrono::seconds(2) ||
           (testing::SegmentFilesIn(log_dir).size() < 6 && t < std::chrono::seconds(60));
  };
  int rounds = 0, torn = 0;  // torn: rounds whose verify caught a batch mid-write
  while (more(rounds)) {
    ++rounds;
    const uint64_t before = appended.load();
    StoreReport r;
    ASSERT_OK(InspectStore(dir, &r));
    ASSERT_EQ(r.logs.size(), 1u);
    for (const SegmentReport& g : r.logs[0].segments) {
      ASSERT_TRUE(g.error.empty()) << g.path << ": " << g.error;
    }
    EXPECT_GE(r.logs[0].next_seq.value(), before);

    VerifyReport v;
    ASSERT_OK(VerifyStore(dir, {}, &v));
    for (const Problem& p : v.problems) {
      ASSERT_EQ(p.severity, Severity::kInfo) << p.ToString();
    }
    torn += v.problems.empty() ? 0 : 1;

    uint64_t next = 0;
    bool mismatch = false;
    Status s = DumpRecords(log_dir, SeqNo(0), UINT64_MAX, [&](const RecordView& rec) {
      if (rec.seq.value() != next || Str(rec.value) != value_of(next)) mismatch = true;
      ++next;
    });
    // The log's directory is made at its first append.
    ASSERT_TRUE(s.ok() || (s.code() == StatusCode::kNotFound && before == 0)) << s.ToString();
    ASSERT_FALSE(mismatch) << "near seq " << next;
    EXPECT_GE(next, before);
  }
  stop.store(true);
  writer.join();
  EXPECT_GT(testing::SegmentFilesIn(log_dir).size(), 5u) << "the writer should have rolled segments";
  std::printf("live: %d rounds (%d saw a tail being written), %llu records, %zu segments\n",
              rounds, torn,
              static_cast<unsigned long long>(appended.load()), testing::SegmentFilesIn(log_dir).size());
  ASSERT_OK(store->Close());

  // Afterwards, clean.
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir, {}, &v));
  EXPECT_TRUE(v.ok());
}

TEST(ToolsLiveTest, InspectVerifyDumpBesideAWriter) { LookBesideAWriter(Durability::kNone); }

TEST(ToolsLiveTest, InspectVerifyDumpBesideAnAlwaysWriter) {
  LookBesideAWriter(Durability::kAlways);
}

// ---------------------------------------------------------------- queues

// A queue laid out by hand exactly as engine/queues/queue.cc writes one: two logs created in one
// catalog write ("queue:Q/messages", "queue:Q/journal"), messages with their header in attrs,
// deletes and receive counts through a DeleteIndex on the journal.
struct HandQueue {
  std::string name;
  bool fifo = false;
  Log* messages = nullptr;
  Log* journal = nullptr;
  std::unique_ptr<DeleteIndex> index;
  std::string messages_dir, journal_dir;
};

struct QueueSpec {
  bool fifo = false;
  uint32_t retention_s = 345'600;
  std::string dlq;
  uint32_t max_receive_count = 0;
  uint32_t segment_size = 65536;
};

void CreateHandQueue(Store* store, const std::string& name, const QueueSpec& spec,
                     HandQueue* q) {
  LogOptions lo;
  lo.segment_size = spec.segment_size;
  lo.index_interval_bytes = 1024;
  lo.durability = Durability::kNone;
  std::vector<Store::LogSpec> specs(2);
  specs[0].name = "queue:" + name + "/messages";
  specs[0].options = lo;
  specs[0].props = {{"queue", name},
                    {"part", "messages"},
                    {"type", spec.fifo ? "fifo" : "standard"},
                    {"visibility_timeout_s", "30"},
                    {"delay_s", "0"},
                    {"retention_s", std::to_string(spec.retention_s)},
                    {"max_message_bytes", "1048576"},
                    {"receive_wait_s", "0"},
                    {"content_based_dedup", "0"},
                    {"dead_letter_queue", spec.dlq},
                    {"max_receive_count", std::to_string(spec.max_receive_count)}};
  specs[1].name = "queue:" + name + "/journal";
  specs[1].options = lo;
  specs[1].props = {{"queue", name}, {"part", "journal"}};
  ASSERT_OK(store->CreateLogGroup(specs));
  q->name = name;
  q->fifo = spec.fifo;
  ASSERT_OK(store->OpenLog(specs[0].name, &q->messages));
  ASSERT_OK(store->OpenLog(specs[1].name, &q->journal));
  q->messages_dir = q->messages->dir();
  q->journal_dir = q->journal->dir();
  ASSERT_OK(DeleteIndex::Open(q->journal, store->file_system(), &q->index));
}

struct SendSpec {
  std::string body = "hello";
  std::string group;       // FIFO
  std::string dedup;       // FIFO ("" = none)
  uint32_t delay_s = 0;
  int attributes = 0;      // that many String attributes "a0", "a1", ...
  std::string raw_header;  // when not empty: the attrs bytes as they are (a bad header)
};

uint64_t Send(HandQueue& q, Clock* clock, const SendSpec& m) {
  ByteBuffer attrs;
  std::vector<std::string> names, values;
  if (!m.raw_header.empty()) {
    attrs.assign(m.raw_header.begin(), m.raw_header.end());
  } else {
    format::QueueMessageHeader h;
    h.delay_s = m.delay_s;
    h.sent_ms = clock->NowMs().value();
    h.has_dedup_id = !m.dedup.empty();
    h.dedup_id = m.dedup;
    for (int i = 0; i < m.attributes; ++i) {
      names.push_back("a" + std::to_string(i));
      values.push_back("v" + std::to_string(i));
    }
    for (int i = 0; i < m.attributes; ++i) {
      h.attributes.push_back({names[static_cast<size_t>(i)], format::AttributeType::kString,
                              View(values[static_cast<size_t>(i)]), {}});
    }
    format::EncodeQueueMessageHeader(h, &attrs);
  }
  Log::Record rec{View(m.group), View(m.body), ByteView(attrs)};
  SeqNo id;
  EXPECT_OK(q.messages->Append(std::span<const Log::Record>(&rec, 1), &id));
  return id.value();
}

void AppendJournal(HandQueue& q, const ByteBuffer& value) {
  Log::Record rec{{}, ByteView(value), {}};
  EXPECT_OK(q.journal->Append(std::span<const Log::Record>(&rec, 1)));
}

Status DeleteIds(HandQueue& q, std::vector<uint64_t> ids) {
  std::vector<SeqNo> s;
  for (uint64_t id : ids) s.push_back(SeqNo(id));
  return q.index->Delete(s);
}

const QueueReport* FindQueue(const StoreReport& r, const std::string& name) {
  for (const QueueReport& q : r.queues) {
    if (q.name == name) return &q;
  }
  return nullptr;
}

std::vector<std::string> Lines(const std::string& out) {
  std::vector<std::string> lines;
  for (size_t p = 0, e; (e = out.find('\n', p)) != std::string::npos; p = e + 1) {
    lines.push_back(out.substr(p, e - p));
  }
  return lines;
}

// Three queues and a plain log:
//   "orders"     standard, retention 60 s, DLQ "orders-dlq" after 5 receives: 10 messages sent
//                at T0, then (61 s later) 20 more, some delayed; deletes and receive counts.
//   "orders-dlq" standard, empty.
//   "jobs.fifo"  FIFO, groups a, b, c; every message of group c deleted.
//   "events"     a plain log, to show that plain logs still show as logs.
class ToolsQueueTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/store";
    StoreOptions so;
    so.clock = &clock_;
    ASSERT_OK(Store::Open(dir_, so, &store_));
    LogOptions lo;
    lo.durability = Durability::kNone;
    Log* events = nullptr;
    ASSERT_OK(store_->CreateLog("events", lo, &events));
    const std::string e = "an event";
    Log::Record rec{View(e), View(e), {}};
    ASSERT_OK(events->Append(std::span<const Log::Record>(&rec, 1)));

    QueueSpec orders;
    orders.retention_s = 60;
    orders.dlq = "orders-dlq";
    orders.max_receive_count = 5;
    orders.segment_size = 4096;  // several segments
    ASSERT_NO_FATAL_FAILURE(CreateHandQueue(store_.get(), "orders", orders, &orders_));
    ASSERT_NO_FATAL_FAILURE(CreateHandQueue(store_.get(), "orders-dlq", QueueSpec(), &dlq_));
    QueueSpec jobs;
    jobs.fifo = true;
    ASSERT_NO_FATAL_FAILURE(CreateHandQueue(store_.get(), "jobs.fifo", jobs, &jobs_));

    t0_ = clock_.NowMs().value();
    for (int i = 0; i < 10; ++i) {
      SendSpec m;
      m.body = "old message " + std::to_string(i) + std::string(100, 'o');
      Send(orders_, &clock_, m);
    }
    clock_.Advance(61'000);  // the first ten are past retention from now on
    for (int i = 10; i < 30; ++i) {
      SendSpec m;
      m.body = "message " + std::to_string(i) + std::string(100, 'x');
      m.delay_s = i % 5 == 0 ? 30 : 0;  // 10, 15, 20, 25
      m.attributes = i % 3;
      Send(orders_, &clock_, m);
      clock_.Advance(10);
    }
    // Deleted: 1 and 2 (also past retention: deleted wins), 15, 16, 17.
    ASSERT_OK(DeleteIds(orders_, {1, 2}));
    ASSERT_OK(SetReceive(orders_.index.get(), SeqNo(3), 2));
    ASSERT_OK(SetReceive(orders_.index.get(), SeqNo(20), 1));
    ASSERT_OK(SetReceive(orders_.index.get(), SeqNo(15), 4));  // forgotten when deleted
    // 20: in flight until 45 s from now (per the journal).
    in_flight_until_ = clock_.NowMs().value() + 45'000;
    ASSERT_OK(SetReceive(orders_.index.get(), SeqNo(20), 3, in_flight_until_));
    ASSERT_OK(DeleteIds(orders_, {15, 16, 17}));
    orders_deleted_ = {1, 2, 15, 16, 17};

    const char* groups[] = {"a", "b", "c"};
    for (int i = 0; i < 9; ++i) {
      SendSpec m;
      m.body = "job " + std::to_string(i);
      m.group = groups[i % 3];
      m.dedup = "d-" + std::to_string(i);
      Send(jobs_, &clock_, m);
    }
    ASSERT_OK(DeleteIds(jobs_, {2, 5, 8}));  // all of group c
    now_ = clock_.NowMs().value();
  }

  void CloseStore() {
    orders_.index.reset();
    dlq_.index.reset();
    jobs_.index.reset();
    ASSERT_OK(store_->Close());
    store_.reset();
  }

  StoreReport Inspect() {
    StoreReport r;
    InspectOptions opt;
    opt.clock = &clock_;
    EXPECT_OK(InspectStore(dir_, opt, &r));
    return r;
  }

  std::vector<QueueMessage> DumpAll(const std::string& queue, DumpQueueOptions opt = {},
                                    Status* status = nullptr) {
    opt.clock = &clock_;
    std::vector<QueueMessage> got;
    std::vector<std::string> bodies;
    Status s = DumpQueue(dir_, queue, opt, [&](const QueueMessage& m) {
      QueueMessage c = m;
      c.record.key = c.record.value = c.record.attrs = {};  // the views die with the call
      c.header = format::QueueMessageHeader();
      if (m.header_status.ok()) {
        c.header.delay_s = m.header.delay_s;
        c.header.has_dedup_id = m.header.has_dedup_id;
        c.header.sent_ms = m.header.sent_ms;
        c.header.attributes.resize(m.header.attributes.size());
      }
      got.push_back(c);
    });
    if (status != nullptr) {
      *status = s;
    } else {
      EXPECT_OK(s);
    }
    return got;
  }

  std::string NowArg() { return " --now " + std::to_string(clock_.NowMs().value()); }

  ManualClock clock_;
  TempDir tmp_;
  std::string dir_;
  std::unique_ptr<Store> store_;
  HandQueue orders_, dlq_, jobs_;
  std::vector<uint64_t> orders_deleted_;
  int64_t in_flight_until_ = 0;
  int64_t t0_ = 0, now_ = 0;
};

TEST_F(ToolsQueueTest, InspectCountsLiveDeletedExpired) {
  const StoreReport r = Inspect();
  ASSERT_EQ(r.queues.size(), 3u);
  EXPECT_EQ(r.queues[0].name, "orders");
  EXPECT_EQ(r.queues[1].name, "orders-dlq");
  EXPECT_EQ(r.queues[2].name, "jobs.fifo");
  const QueueReport& q = r.queues[0];
  for (const std::string& e : q.errors) ADD_FAILURE() << e;
  ASSERT_TRUE(q.settings_valid);
  EXPECT_FALSE(q.settings.fifo);
  EXPECT_EQ(q.settings.retention_s, 60u);
  EXPECT_EQ(q.settings.visibility_timeout_s, 30u);
  EXPECT_EQ(q.settings.dead_letter_queue, "orders-dlq");
  EXPECT_EQ(q.settings.max_receive_count, 5u);
  EXPECT_EQ(q.now.value(), now_);
  ASSERT_TRUE(q.scanned);
  EXPECT_EQ(q.messages, 30u);
  EXPECT_EQ(q.deleted, 5u);
  EXPECT_EQ(q.expired, 8u);  // 0..9 less the deleted 1 and 2
  EXPECT_EQ(q.live, 17u);
  EXPECT_EQ(q.delayed, 3u);  // 10, 20 and 25 (15 is deleted)
  EXPECT_EQ(q.malformed, 0u);
  ASSERT_TRUE(q.oldest_live.has_value());
  EXPECT_EQ(q.oldest_live->value(), t0_ + 61'000);  // message 10
  EXPECT_EQ(q.deleted_ids, 5u);
  EXPECT_EQ(q.receive_counts, 2u);  // 3 and 20; 15's went with its delete
  EXPECT_EQ(q.in_flight, 1u);       // 20
  EXPECT_EQ(q.in_flight_earliest_ms, in_flight_until_);
  EXPECT_EQ(q.in_flight_latest_ms, in_flight_until_);
  EXPECT_EQ(q.journal_records, 6u);
  EXPECT_FALSE(q.snapshot.has_value());

  // The logs are grouped under their queue.
  ASSERT_TRUE(q.messages_log && q.journal_log);
  EXPECT_EQ(r.logs[*q.messages_log].name, "queue:orders/messages");
  EXPECT_EQ(r.logs[*q.messages_log].queue, "orders");
  EXPECT_EQ(r.logs[*q.messages_log].queue_part, "messages");
  EXPECT_EQ(r.logs[*q.journal_log].queue_part, "journal");
  EXPECT_EQ(r.logs[*q.messages_log].records, 30u);
  EXPECT_GT(r.logs[*q.messages_log].segments.size(), 1u);
  EXPECT_EQ(r.logs[*q.journal_log].records, 6u);
  EXPECT_EQ(r.logs[0].name, "events");
  EXPECT_EQ(r.logs[0].queue, "");

  const QueueReport& f = r.queues[2];
  EXPECT_TRUE(f.settings.fifo);
  EXPECT_EQ(f.messages, 9u);
  EXPECT_EQ(f.deleted, 3u);
  EXPECT_EQ(f.live, 6u);
  EXPECT_EQ(f.groups, 2u);  // c has no live message
  EXPECT_EQ(r.queues[1].messages, 0u);
  EXPECT_TRUE(r.queues[1].settings.dead_letter_queue.empty());

  // Time passes: the delays run out, then everything expires.
  clock_.Advance(30'000);
  StoreReport later = Inspect();
  EXPECT_EQ(later.queues[0].delayed, 0u);
  EXPECT_EQ(later.queues[0].live, 17u);
  clock_.Advance(61'000);
  later = Inspect();
  EXPECT_EQ(later.queues[0].live, 0u);
  EXPECT_EQ(later.queues[0].expired, 25u);
  EXPECT_FALSE(later.queues[0].oldest_live.has_value());

  // Without the scan: the index, no counts.
  InspectOptions fast;
  fast.scan_messages = false;
  StoreReport nf;
  ASSERT_OK(InspectStore(dir_, fast, &nf));
  EXPECT_FALSE(nf.queues[0].scanned);
  EXPECT_EQ(nf.queues[0].messages, 0u);
  EXPECT_EQ(nf.queues[0].deleted_ids, 5u);
}

TEST_F(ToolsQueueTest, BitmapSizesMatchRoaring) {
  StoreReport r = Inspect();
  const QueueReport* q = FindQueue(r, "orders");
  ASSERT_NE(q, nullptr);
  // As the engine holds it, and as Roaring computes it independently.
  EXPECT_EQ(q->deleted_ids, orders_.index->deleted_count());
  EXPECT_EQ(q->bitmap_bytes, orders_.index->bitmap_bytes());
  Roaring64Map want;
  for (uint64_t id : orders_deleted_) want.add(id);
  EXPECT_EQ(q->bitmap_bytes, want.getSizeInBytes(true));

  // Many deletes (a bitmap container), a snapshot, then more deletes in the journal.
  std::vector<uint64_t> many;
  for (uint64_t id = 1000; id < 1000 + 6000; id += 1) many.push_back(id);
  ASSERT_OK(DeleteIds(orders_, many));
  ASSERT_OK(orders_.index->Snapshot());
  const uint64_t covered = orders_.journal->next_seq().value();
  for (uint64_t id : many) want.add(id);
  Roaring snap32;  // all ids are below 2^32: one chunk
  for (auto it = want.begin(); it != want.end(); ++it) snap32.add(static_cast<uint32_t>(*it));
  snap32.runOptimize();
  ASSERT_OK(DeleteIds(orders_, {20, 21}));
  ASSERT_OK(SetReceive(orders_.index.get(), SeqNo(22), 7));
  want.add(uint64_t{20});
  want.add(uint64_t{21});

  r = Inspect();
  q = FindQueue(r, "orders");
  for (const std::string& e : q->errors) ADD_FAILURE() << e;
  ASSERT_TRUE(q->snapshot.has_value());
  EXPECT_EQ(q->snapshot->path, orders_.journal_dir + "/DELETES");
  EXPECT_EQ(q->snapshot->covered.value(), covered);
  EXPECT_EQ(q->snapshot->deleted_ids, 5u + 6000u);
  EXPECT_EQ(q->snapshot->bitmap_bytes, snap32.getSizeInBytes(true));
  EXPECT_EQ(q->snapshot->receive_counts, 2u);
  uint64_t size = 0;
  ASSERT_OK(io::FileSize(q->snapshot->path, &size));
  EXPECT_EQ(q->snapshot->file_bytes, size);
  EXPECT_EQ(q->journal_records, 2u);
  EXPECT_EQ(q->deleted_ids, want.cardinality());
  EXPECT_EQ(q->deleted_ids, orders_.index->deleted_count());
  EXPECT_EQ(q->bitmap_bytes, orders_.index->bitmap_bytes());
  EXPECT_EQ(q->bitmap_bytes, want.getSizeInBytes(true));
  EXPECT_EQ(q->receive_counts, 2u);  // 3 and 22 (20 was deleted)
  EXPECT_EQ(q->deleted, 7u);         // of the messages in the log
  EXPECT_EQ(q->live, 15u);

  // What the engine loads from the same files agrees.
  CloseStore();
  std::unique_ptr<Store> reopened;
  ASSERT_OK(Store::Open(dir_, StoreOptions(), &reopened));
  Log* journal = nullptr;
  ASSERT_OK(reopened->OpenLog("queue:orders/journal", &journal));
  std::unique_ptr<DeleteIndex> index;
  ASSERT_OK(DeleteIndex::Open(journal, reopened->file_system(), &index));
  EXPECT_EQ(q->deleted_ids, index->deleted_count());
  EXPECT_EQ(q->bitmap_bytes, index->bitmap_bytes());
  index.reset();
  ASSERT_OK(reopened->Close());
}

// A purge journals one delete range (type 3): every id in [lo, hi).
TEST_F(ToolsQueueTest, DeleteRangeRecords) {
  format::JournalRecord jr;
  jr.type = format::kJournalDeleteRange;
  jr.lo = 20;
  jr.hi = 26;
  AppendJournal(orders_, format::EncodeJournalRecord(jr));
  ASSERT_OK(SetReceive(orders_.index.get(), SeqNo(27), 1));
  const StoreReport r = Inspect();
  const QueueReport* q = FindQueue(r, "orders");
  for (const std::string& e : q->errors) ADD_FAILURE() << e;
  EXPECT_EQ(q->deleted_ids, 5u + 6u);
  EXPECT_EQ(q->deleted, 11u);
  EXPECT_EQ(q->live, 11u);
  EXPECT_EQ(q->receive_counts, 2u);  // 20's went with the range; 3 and 27 stay
  Roaring64Map want;
  for (uint64_t id : orders_deleted_) want.add(id);
  for (uint64_t id = 20; id < 26; ++id) want.add(id);
  EXPECT_EQ(q->deleted_ids, want.cardinality());
  for (const QueueMessage& m : DumpAll("orders")) {
    const uint64_t id = m.record.seq.value();
    EXPECT_EQ(m.state == MessageState::kDeleted, want.contains(id)) << id;
    if (id >= 20 && id < 26) {
      EXPECT_EQ(m.receive_count, 0u) << id;
    }
  }
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  for (const Problem& p : v.problems) ADD_FAILURE() << p.ToString();
}

TEST_F(ToolsQueueTest, DumpMarksEachMessage) {
  const std::vector<QueueMessage> all = DumpAll("orders");
  ASSERT_EQ(all.size(), 30u);
  for (size_t i = 0; i < all.size(); ++i) {
    const QueueMessage& m = all[i];
    const uint64_t id = m.record.seq.value();
    SCOPED_TRACE(id);
    EXPECT_EQ(id, i);
    EXPECT_OK(m.header_status);
    EXPECT_FALSE(m.fifo);
    const bool deleted =
        std::find(orders_deleted_.begin(), orders_deleted_.end(), id) != orders_deleted_.end();
    const MessageState want = deleted ? MessageState::kDeleted
                              : id < 10 ? MessageState::kExpired
                                        : MessageState::kLive;
    EXPECT_EQ(m.state, want);
    EXPECT_EQ(m.receive_count, id == 3 ? 2u : id == 20 ? 3u : 0u);
    EXPECT_EQ(m.header.delay_s, id >= 10 && id % 5 == 0 ? 30u : 0u);
    EXPECT_EQ(m.delayed, (id == 10 || id == 20 || id == 25));
    EXPECT_EQ(m.header.attributes.size(), id >= 10 ? id % 3 : 0u);
    EXPECT_EQ(m.path.rfind(orders_.messages_dir, 0), 0u) << m.path;
  }
  // Hiding, from, limit (hidden ones do not count).
  DumpQueueOptions opt;
  opt.hide_deleted = true;
  EXPECT_EQ(DumpAll("orders", opt).size(), 25u);
  opt.hide_expired = true;
  const std::vector<QueueMessage> live = DumpAll("orders", opt);
  ASSERT_EQ(live.size(), 17u);
  for (const QueueMessage& m : live) EXPECT_EQ(m.state, MessageState::kLive);
  opt.from = SeqNo(14);
  opt.limit = 3;
  const std::vector<QueueMessage> some = DumpAll("orders", opt);
  ASSERT_EQ(some.size(), 3u);
  EXPECT_EQ(some[0].record.seq.value(), 14u);
  EXPECT_EQ(some[1].record.seq.value(), 18u);
  EXPECT_EQ(some[2].record.seq.value(), 19u);

  const std::vector<QueueMessage> jobs = DumpAll("jobs.fifo");
  ASSERT_EQ(jobs.size(), 9u);
  EXPECT_TRUE(jobs[0].fifo);
  EXPECT_TRUE(jobs[0].header.has_dedup_id);
  EXPECT_EQ(jobs[2].state, MessageState::kDeleted);

  Status s;
  DumpAll("nope", {}, &s);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
}

// Compaction (being added to Log) drops records and whole segments but keeps ids: sequence
// numbers jump inside and between a queue's segments. Laid out by hand here.
TEST_F(ToolsQueueTest, MessageIdsWithGaps) {
  const std::string dir = orders_.messages_dir;
  CloseStore();
  format::Catalog catalog;
  {
    ByteBuffer b = ReadWhole(dir_ + "/CATALOG");
    ASSERT_OK(format::DecodeCatalog(b, &catalog));
  }
  uint64_t log_id = 0;
  for (const auto& e : catalog.logs) {
    if (e.name == "queue:orders/messages") log_id = e.log_id;
  }
  ASSERT_NE(log_id, 0u);
  std::vector<std::string> names;
  ASSERT_OK(io::ListDir(dir, &names));
  for (const std::string& n : names) ASSERT_EQ(::unlink((dir + "/" + n).c_str()), 0);

  format::QueueMessageHeader h;
  ByteBuffer attrs;
  format::EncodeQueueMessageHeader(h, &attrs);
  const std::string body = "kept";
  // Writes a segment of log `id` in `dir` at `base` holding `ids` (one batch); sealed: with a
  // trailer, else preallocated like an active one.
  auto write_segment = [&](const std::string& seg_dir, uint64_t id, uint64_t base,
                           std::vector<uint64_t> ids, bool sealed) {
    std::vector<format::RecordInput> recs;
    for (uint64_t i : ids) {
      recs.push_back({SeqNo(i), TimestampMs(now_), {}, View(body), ByteView(attrs)});
    }
    ByteBuffer file(format::kSegmentHeaderSize);
    format::SegmentHeader sh;
    sh.log_id = id;
    sh.base_seq = SeqNo(base);
    sh.created = TimestampMs(now_);
    format::EncodeSegmentHeader(sh, file.data());
    ByteBuffer scratch;
    size_t len = 0;
    ASSERT_OK(format::EncodeBatch(recs, {}, &file, &scratch, &len));
    if (sealed) {
      format::SegmentTrailer t;
      t.record_count = ids.size();
      t.last_seq = SeqNo(ids.back());
      t.first_ts = t.max_ts = TimestampMs(now_);
      t.data_end = FileOffset(file.size());
      const size_t at = file.size();
      file.resize(at + format::kSegmentTrailerSize);
      format::EncodeSegmentTrailer(t, file.data() + at);
    } else {
      file.resize(file.size() + 4096, 0);  // preallocated
    }
    WriteAt(seg_dir + "/" + SegmentFileName(SeqNo(base)), 0, file);
  };
  write_segment(dir, log_id, 0, {0, 3, 4}, true);  // 1, 2 compacted away (they were deleted)
  write_segment(dir, log_id, 10, {12, 15, 29}, false);  // a segment 5..9 removed whole

  const StoreReport r = Inspect();
  const QueueReport* q = FindQueue(r, "orders");
  for (const std::string& e : q->errors) ADD_FAILURE() << e;
  EXPECT_EQ(q->messages, 6u);
  EXPECT_EQ(q->deleted, 1u);  // 15
  EXPECT_EQ(q->deleted_ids, 5u);  // 1 and 2 still in the bitmap
  EXPECT_EQ(q->live, 5u);  // all written at now_, within retention
  std::vector<uint64_t> ids;
  for (const QueueMessage& m : DumpAll("orders")) ids.push_back(m.record.seq.value());
  EXPECT_EQ(ids, (std::vector<uint64_t>{0, 3, 4, 12, 15, 29}));
  DumpQueueOptions opt;
  opt.from = SeqNo(5);
  ids.clear();
  for (const QueueMessage& m : DumpAll("orders", opt)) ids.push_back(m.record.seq.value());
  EXPECT_EQ(ids, (std::vector<uint64_t>{12, 15, 29}));
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  for (const Problem& p : v.problems) ADD_FAILURE() << p.ToString();
  EXPECT_EQ(v.queue_messages, 6u + 9u);

  // The same gap between the segments of a plain log is still an error.
  const uint64_t events_id = catalog.logs[0].log_id;
  const std::string events_dir = LogDirPath(dir_, events_id);
  ASSERT_OK(io::ListDir(events_dir, &names));
  for (const std::string& n : names) ASSERT_EQ(::unlink((events_dir + "/" + n).c_str()), 0);
  write_segment(events_dir, events_id, 0, {0, 3, 4}, true);
  write_segment(events_dir, events_id, 10, {12}, false);
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  ASSERT_EQ(v.count(Severity::kError), 1u);
  EXPECT_EQ(v.first_error()->path, events_dir + "/" + SegmentFileName(SeqNo(10)));
  EXPECT_NE(v.first_error()->message.find("previous segment ends at 4"), std::string::npos)
      << v.first_error()->message;
}

TEST_F(ToolsQueueTest, VerifyReportsBadHeaderAndJournalRecord) {
  SendSpec bad;
  bad.raw_header = std::string("\x01\x00\x05", 3);  // cut short after the delay
  const uint64_t bad_id = Send(orders_, &clock_, bad);
  AppendJournal(jobs_, ByteBuffer{format::kJournalDeletes, 0});  // a delete of no ids
  const uint64_t bad_journal_seq = jobs_.journal->next_seq().value() - 1;
  AppendJournal(jobs_, ByteBuffer{9, 1, 2});  // an unknown type
  CloseStore();

  auto batch_of = [](const std::string& log_dir, uint64_t seq, std::string* seg) {
    for (const std::string& f : testing::SegmentFilesIn(log_dir)) {
      for (const BatchPos& b : Batches(f)) {
        if (b.base_seq <= seq && seq <= b.last_seq) {
          *seg = f;
          return b.offset;
        }
      }
    }
    return uint64_t{0};
  };
  std::string msg_seg, jr_seg;
  const uint64_t msg_at = batch_of(orders_.messages_dir, bad_id, &msg_seg);
  const uint64_t jr_at = batch_of(jobs_.journal_dir, bad_journal_seq, &jr_seg);
  ASSERT_FALSE(msg_seg.empty());
  ASSERT_FALSE(jr_seg.empty());

  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  EXPECT_FALSE(v.ok());
  ASSERT_EQ(v.count(Severity::kError), 3u);
  std::vector<const Problem*> errors;
  for (const Problem& p : v.problems) {
    if (p.severity == Severity::kError) errors.push_back(&p);
  }
  EXPECT_EQ(errors[0]->path, msg_seg);
  EXPECT_EQ(errors[0]->offset, FileOffset(msg_at));
  EXPECT_NE(errors[0]->message.find("message " + std::to_string(bad_id)), std::string::npos)
      << errors[0]->message;
  EXPECT_EQ(errors[1]->path, jr_seg);
  EXPECT_EQ(errors[1]->offset, FileOffset(jr_at));
  EXPECT_NE(errors[1]->message.find("journal record " + std::to_string(bad_journal_seq)),
            std::string::npos)
      << errors[1]->message;
  EXPECT_NE(errors[2]->message.find("not supported"), std::string::npos) << errors[2]->message;
  EXPECT_EQ(v.queues, 3u);
  EXPECT_EQ(v.queue_messages, 31u + 9u);

  // inspect: the bad header is counted and named; the bad journal record makes the deletes
  // unknown, so that queue has no counts.
  const StoreReport r = Inspect();
  const QueueReport* q = FindQueue(r, "orders");
  EXPECT_EQ(q->malformed, 1u);
  EXPECT_EQ(q->messages, 31u);
  ASSERT_EQ(q->errors.size(), 1u);
  EXPECT_NE(q->errors[0].find(msg_seg + " at offset " + std::to_string(msg_at)),
            std::string::npos)
      << q->errors[0];
  const QueueReport* j = FindQueue(r, "jobs.fifo");
  ASSERT_FALSE(j->errors.empty());
  EXPECT_NE(j->errors[0].find(jr_seg + " at offset " + std::to_string(jr_at)), std::string::npos)
      << j->errors[0];
  EXPECT_FALSE(j->scanned);

  // dump: every message, the bad one flagged, then Corruption naming it.
  Status s;
  const std::vector<QueueMessage> all = DumpAll("orders", {}, &s);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find(msg_seg + " at offset " + std::to_string(msg_at)),
            std::string::npos)
      << s.ToString();
  ASSERT_EQ(all.size(), 31u);
  EXPECT_FALSE(all.back().header_status.ok());
  DumpAll("jobs.fifo", {}, &s);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();

  if (!Cli().empty()) {
    std::string out;
    EXPECT_EQ(RunCommand(Cli() + " verify " + Quote(dir_) + " 2>/dev/null", &out), 1) << out;
    EXPECT_NE(out.find(msg_seg + " at offset " + std::to_string(msg_at)), std::string::npos)
        << out;
    EXPECT_EQ(RunCommand(Cli() + " inspect " + Quote(dir_) + " 2>/dev/null", &out), 1) << out;
    EXPECT_EQ(RunCommand(Cli() + " dump --queue orders " + Quote(dir_) + NowArg() +
                             " 2>/dev/null",
                         &out),
              1);
    EXPECT_NE(out.find("bad header"), std::string::npos) << out;
  }
}

TEST_F(ToolsQueueTest, VerifyReportsATornSnapshot) {
  // A journal of small segments, so that a snapshot removes some of them.
  ASSERT_OK(orders_.index->Snapshot());
  for (uint64_t id = 100; id < 2000; ++id) ASSERT_OK(DeleteIds(orders_, {id}));
  ASSERT_OK(orders_.index->Snapshot());
  ASSERT_OK(DeleteIds(orders_, {29}));
  CloseStore();
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  for (const Problem& p : v.problems) ADD_FAILURE() << p.ToString();
  EXPECT_EQ(v.delete_snapshots, 1u);
  const std::vector<std::string> segs = testing::SegmentFilesIn(orders_.journal_dir);
  ASSERT_FALSE(segs.empty());
  ASSERT_NE(segs.front(), orders_.journal_dir + "/" + SegmentFileName(SeqNo(0)))
      << "the snapshot should have removed the journal's first segments";

  const std::string snap = orders_.journal_dir + "/DELETES";
  const ByteBuffer whole = ReadWhole(snap);
  ASSERT_EQ(::truncate(snap.c_str(), static_cast<off_t>(whole.size() / 2)), 0);
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  ASSERT_EQ(v.count(Severity::kError), 1u);
  EXPECT_EQ(v.first_error()->path, snap);
  EXPECT_NE(v.first_error()->message.find("bad delete snapshot"), std::string::npos)
      << v.first_error()->message;
  StoreReport r = Inspect();
  const QueueReport* q = FindQueue(r, "orders");
  ASSERT_EQ(q->errors.size(), 1u);
  EXPECT_NE(q->errors[0].find(snap), std::string::npos) << q->errors[0];
  EXPECT_FALSE(q->scanned);
  Status s;
  DumpAll("orders", {}, &s);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find(snap), std::string::npos) << s.ToString();

  // No snapshot at all, while the journal no longer starts at 0: deletes are lost.
  ASSERT_EQ(::unlink(snap.c_str()), 0);
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  ASSERT_EQ(v.count(Severity::kError), 1u);
  EXPECT_EQ(v.first_error()->path, orders_.journal_dir);
  EXPECT_NE(v.first_error()->message.find("no delete snapshot"), std::string::npos)
      << v.first_error()->message;
  r = Inspect();
  ASSERT_EQ(FindQueue(r, "orders")->errors.size(), 1u);
}

// Damaged DELETES and journal files of every kind: always reported, never a crash or a throw.
TEST_F(ToolsQueueTest, QueueFilesSurviveGarbage) {
  ASSERT_OK(orders_.index->Snapshot());
  ASSERT_OK(DeleteIds(orders_, {20}));
  CloseStore();
  const std::string snap = orders_.journal_dir + "/DELETES";
  const std::string journal = testing::SegmentFilesIn(orders_.journal_dir).back();
  const std::map<std::string, ByteBuffer> originals = {{snap, ReadWhole(snap)},
                                                       {journal, ReadWhole(journal)}};
  std::mt19937_64 rng(11);
  for (int round = 0; round < 120; ++round) {
    const std::string& f = round % 2 == 0 ? snap : journal;
    ByteBuffer b = originals.at(f);
    if (rng() % 2 == 0) {
      b.resize(rng() % b.size());
    } else {
      const size_t limit = f == snap ? b.size() : std::min<size_t>(b.size(), 2048);
      for (int n = 0; n < 3; ++n) b[rng() % limit] ^= static_cast<uint8_t>(1u << (rng() % 8));
    }
    ASSERT_EQ(::truncate(f.c_str(), 0), 0);
    WriteAt(f, 0, b);
    SCOPED_TRACE(f + " round " + std::to_string(round));
    StoreReport r = Inspect();
    VerifyReport v;
    ASSERT_OK(VerifyStore(dir_, {}, &v));
    Status s;
    DumpAll("orders", {}, &s);
    if (f == snap) {  // one checksummed frame: any damage is found
      EXPECT_FALSE(FindQueue(r, "orders")->errors.empty());
      EXPECT_FALSE(v.ok());
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
    }
    ASSERT_EQ(::truncate(f.c_str(), 0), 0);
    WriteAt(f, 0, originals.at(f));
  }
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  EXPECT_TRUE(v.ok());
}

TEST_F(ToolsQueueTest, CliInspectAndDump) {
  if (Cli().empty()) GTEST_SKIP() << "seglog CLI not built";
  CloseStore();
  std::string out;
  ASSERT_EQ(RunCommand(Cli() + " inspect --json " + Quote(dir_) + NowArg(), &out), 0) << out;
  const nlohmann::json j = nlohmann::json::parse(out);
  ASSERT_EQ(j["queues"].size(), 3u);
  const auto& q = j["queues"][0];
  EXPECT_EQ(q["name"], "orders");
  EXPECT_EQ(q["type"], "standard");
  EXPECT_EQ(q["settings"]["retention_s"], 60);
  EXPECT_EQ(q["settings"]["dead_letter_queue"], "orders-dlq");
  EXPECT_EQ(q["settings"]["max_receive_count"], 5);
  EXPECT_EQ(q["messages"], 30);
  EXPECT_EQ(q["live"], 17);
  EXPECT_EQ(q["deleted"], 5);
  EXPECT_EQ(q["expired"], 8);
  EXPECT_EQ(q["delayed"], 3);
  EXPECT_EQ(q["deleted_ids"], 5);
  EXPECT_EQ(q["receive_counts"], 2);
  EXPECT_EQ(q["in_flight"], 1);
  EXPECT_EQ(q["in_flight_earliest_ts"], in_flight_until_);
  EXPECT_EQ(q["journal_records_since_snapshot"], 6);
  EXPECT_TRUE(q["snapshot"].is_null());
  EXPECT_TRUE(q["groups"].is_null());
  EXPECT_EQ(q["messages_log"]["name"], "queue:orders/messages");
  EXPECT_EQ(q["now_ts"], now_);
  EXPECT_TRUE(q["errors"].empty());
  EXPECT_EQ(j["queues"][1]["settings"]["dead_letter_queue"], nullptr);
  EXPECT_EQ(j["queues"][2]["type"], "fifo");
  EXPECT_EQ(j["queues"][2]["groups"], 2);
  bool saw = false;
  for (const auto& l : j["logs"]) {
    if (l["name"] == "queue:orders/journal") {
      EXPECT_EQ(l["queue"], "orders");
      EXPECT_EQ(l["queue_part"], "journal");
      saw = true;
    }
    if (l["name"] == "events") {
      EXPECT_TRUE(l["queue"].is_null());
    }
  }
  EXPECT_TRUE(saw);

  // Text: queues grouped with their logs; the plain log as before.
  ASSERT_EQ(RunCommand(Cli() + " inspect " + Quote(dir_) + NowArg(), &out), 0) << out;
  EXPECT_NE(out.find("store " + dir_ + ": 7 logs (3 queues)"), std::string::npos) << out;
  EXPECT_NE(out.find("\nlog \"events\""), std::string::npos) << out;
  EXPECT_EQ(out.find("\nlog \"queue:"), std::string::npos) << out;
  EXPECT_NE(out.find("queue \"orders\" (standard)"), std::string::npos) << out;
  EXPECT_NE(out.find("30 in the log: 17 live (3 delayed), 5 deleted, 8 expired"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("messages log \"queue:orders/messages\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"orders-dlq\" after 5 receives"), std::string::npos) << out;
  EXPECT_NE(out.find("2 with live messages"), std::string::npos) << out;

  // dump: one line per message, marked.
  ASSERT_EQ(RunCommand(Cli() + " dump --queue orders " + Quote(dir_) + NowArg(), &out), 0) << out;
  std::vector<std::string> lines = Lines(out);
  ASSERT_EQ(lines.size(), 30u) << out;
  for (size_t id = 0; id < lines.size(); ++id) {
    SCOPED_TRACE(lines[id]);
    EXPECT_EQ(lines[id].rfind(std::to_string(id) + "  ", 0), 0u);
    const bool deleted = std::find(orders_deleted_.begin(), orders_deleted_.end(), id) !=
                         orders_deleted_.end();
    const char* mark = deleted ? "  DELETED  " : id < 10 ? "  EXPIRED  " : "  live     ";
    EXPECT_NE(lines[id].find(mark), std::string::npos);
  }
  EXPECT_NE(lines[3].find("received 2"), std::string::npos) << lines[3];
  EXPECT_NE(lines[20].find("received 3"), std::string::npos) << lines[20];
  EXPECT_NE(lines[10].find("delay 30s"), std::string::npos) << lines[10];
  EXPECT_NE(lines[10].find("delayed until"), std::string::npos) << lines[10];
  EXPECT_NE(lines[11].find("attrs 2"), std::string::npos) << lines[11];
  ASSERT_EQ(RunCommand(Cli() + " dump --queue orders --hide-deleted --hide-expired " +
                           Quote(dir_) + NowArg(),
                       &out),
            0);
  EXPECT_EQ(Lines(out).size(), 17u) << out;
  ASSERT_EQ(RunCommand(Cli() + " dump --queue jobs.fifo --limit 3 " + Quote(dir_) + NowArg(),
                       &out),
            0);
  lines = Lines(out);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[2].find("DELETED  group \"c\"  dedup \"d-2\""), std::string::npos) << lines[2];

  ASSERT_EQ(RunCommand(Cli() + " dump --json --queue orders --from 14 --limit 2 " + Quote(dir_) +
                           NowArg(),
                       &out),
            0)
      << out;
  const nlohmann::json d = nlohmann::json::parse(out);
  EXPECT_EQ(d["queue"], "orders");
  EXPECT_EQ(d["count"], 2);
  EXPECT_TRUE(d["error"].is_null());
  ASSERT_EQ(d["messages"].size(), 2u);
  const auto& m0 = d["messages"][0];
  EXPECT_EQ(m0["id"], 14);
  EXPECT_EQ(m0["state"], "live");
  EXPECT_EQ(m0["delay_s"], 0);
  EXPECT_EQ(m0["attribute_count"], 2);
  EXPECT_EQ(m0["attributes"][1]["name"], "a1");
  EXPECT_EQ(m0["attributes"][1]["type"], "String");
  EXPECT_EQ(m0["receive_count"], 0);
  EXPECT_TRUE(m0["group_id"].is_null());
  EXPECT_TRUE(m0["dedup_id"].is_null());
  EXPECT_TRUE(m0["header_error"].is_null());
  EXPECT_EQ(m0["body"]["size"], std::string("message 14").size() + 100);
  EXPECT_EQ(d["messages"][1]["id"], 15);
  EXPECT_EQ(d["messages"][1]["state"], "deleted");

  // Usage: --queue and --log together, --hide-deleted without --queue; a missing queue.
  EXPECT_EQ(RunCommand(Cli() + " dump --queue orders --log events " + Quote(dir_) +
                           " 2>/dev/null",
                       &out),
            2);
  EXPECT_EQ(RunCommand(Cli() + " dump --hide-deleted --log events " + Quote(dir_) +
                           " 2>/dev/null",
                       &out),
            2);
  EXPECT_EQ(RunCommand(Cli() + " dump --queue nope " + Quote(dir_) + " 2>&1", &out), 2);
  EXPECT_NE(out.find("no queue named 'nope'"), std::string::npos) << out;

  // verify: clean, with the queue counts.
  ASSERT_EQ(RunCommand(Cli() + " verify --json " + Quote(dir_), &out), 0) << out;
  const nlohmann::json v = nlohmann::json::parse(out);
  EXPECT_EQ(v["queues"], 3);
  EXPECT_EQ(v["queue_messages"], 39);
  EXPECT_EQ(v["journal_records"], 6 + 1);
  EXPECT_EQ(v["delete_snapshots"], 0);
}

// A writer sends, receives (receive counts), deletes and snapshots while inspect, verify and
// dump run over and over: never an error, counts that add up, never fewer deletes than were
// acknowledged before the look began.
TEST(ToolsQueueLiveTest, InspectVerifyDumpBesideAWriter) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/store";
  ManualClock clock;
  StoreOptions so;
  so.clock = &clock;
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir, so, &store));
  HandQueue q;
  QueueSpec spec;
  spec.segment_size = 4096;  // the journal rolls (and snapshots remove segments) often
  ASSERT_NO_FATAL_FAILURE(CreateHandQueue(store.get(), "live", spec, &q));

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> sent{0}, deleted{0};
  std::atomic<int> snapshots{0};
  std::thread writer;
  struct Joiner {
    std::atomic<bool>* stop;
    std::thread* t;
    ~Joiner() {
      stop->store(true);
      if (t->joinable()) t->join();
    }
  } joiner{&stop, &writer};
  std::thread snapshotter;
  struct Joiner2 {
    std::atomic<bool>* stop;
    std::thread* t;
    ~Joiner2() {
      stop->store(true);
      if (t->joinable()) t->join();
    }
  } joiner2{&stop, &snapshotter};
  writer = std::thread([&] {
    uint64_t n = 0, dels = 0;
    while (!stop.load()) {
      SendSpec m;
      m.body = "live message " + std::to_string(n) + std::string(n % 61, '.');
      const uint64_t id = Send(q, &clock, m);
      if (id != n) {
        ADD_FAILURE() << "id " << id << " for message " << n;
        return;
      }
      sent.store(++n);
      if (n % 3 == 0) {
        Status s = SetReceive(q.index.get(), SeqNo(n - 2), 1);
        if (s.ok()) s = DeleteIds(q, {n - 3, n - 2});  // two of every three
        if (!s.ok()) {
          ADD_FAILURE() << s.ToString();
          return;
        }
        dels += 2;
        deleted.store(dels);
      }
    }
  });
  // Snapshots all the time, each removing the journal segments it covers: a reader that took
  // a snapshot's `covered` and then found those segments gone must notice and read again.
  snapshotter = std::thread([&] {
    // The journal log gets its directory at its first append; a snapshot before that fails
    // (NotFound on DELETES.tmp: reported to the engine's owner), so start after it.
    while (!stop.load() && !io::PathExists(q.journal_dir)) {
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    while (!stop.load()) {
      Status s = q.index->Snapshot();
      if (!s.ok()) {
        ADD_FAILURE() << s.ToString();
        return;
      }
      ++snapshots;
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
  });

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  int rounds = 0;
  while (std::chrono::steady_clock::now() < deadline || rounds < 10) {
    ++rounds;
    const uint64_t sent_before = sent.load(), deleted_before = deleted.load();
    StoreReport r;
    InspectOptions opt;
    opt.clock = &clock;
    ASSERT_OK(InspectStore(dir, opt, &r));
    ASSERT_EQ(r.queues.size(), 1u);
    const QueueReport& qr = r.queues[0];
    for (const std::string& e : qr.errors) ASSERT_TRUE(false) << e;
    for (const LogReport& l : r.logs) {
      for (const SegmentReport& g : l.segments) ASSERT_TRUE(g.error.empty()) << g.error;
    }
    ASSERT_TRUE(qr.scanned);
    EXPECT_GE(qr.messages, sent_before);
    EXPECT_EQ(qr.live + qr.deleted + qr.expired, qr.messages);
    EXPECT_EQ(qr.expired, 0u);
    EXPECT_GE(qr.deleted_ids, deleted_before);
    EXPECT_LE(qr.deleted, qr.deleted_ids);

    VerifyReport v;
    ASSERT_OK(VerifyStore(dir, {}, &v));
    for (const Problem& p : v.problems) ASSERT_NE(p.severity, Severity::kError) << p.ToString();

    const uint64_t acked = deleted.load();  // ids 0 .. acked/2*3 - 1: two of three deleted
    uint64_t next = 0, n = 0;
    bool bad = false;
    DumpQueueOptions dopt;
    dopt.clock = &clock;
    Status s = DumpQueue(dir, "live", dopt, [&](const QueueMessage& m) {
      const uint64_t id = m.record.seq.value();
      if (id != next || !m.header_status.ok()) bad = true;
      const bool should_be_deleted = id < acked / 2 * 3 && id % 3 != 2;
      if (should_be_deleted && m.state != MessageState::kDeleted) bad = true;
      ++next;
      ++n;
    });
    ASSERT_OK(s);
    ASSERT_FALSE(bad) << "near id " << next;
    EXPECT_GE(n, sent_before);
  }
  stop.store(true);
  writer.join();
  snapshotter.join();
  std::printf("queue live: %d rounds, %llu messages, %llu deleted, %d snapshots\n", rounds,
              static_cast<unsigned long long>(sent.load()),
              static_cast<unsigned long long>(deleted.load()), snapshots.load());
  EXPECT_GT(snapshots.load(), 3);

  // At rest: exact.
  StoreReport r;
  InspectOptions opt;
  opt.clock = &clock;
  ASSERT_OK(InspectStore(dir, opt, &r));
  EXPECT_EQ(r.queues[0].messages, sent.load());
  EXPECT_EQ(r.queues[0].deleted, deleted.load());
  EXPECT_EQ(r.queues[0].deleted_ids, q.index->deleted_count());
  EXPECT_EQ(r.queues[0].bitmap_bytes, q.index->bitmap_bytes());
  q.index.reset();
  ASSERT_OK(store->Close());
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir, {}, &v));
  EXPECT_TRUE(v.ok());
}

// ---------------------------------------------------------------- stream checkpoints

// A closed store with a stream of two shards (5 records on each) and a consumer's checkpoints
// on both; `ckpt_` is its CHECKPOINTS file, in shard 0's log directory.
class ToolsCheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/store";
    std::unique_ptr<Store> store;
    ASSERT_OK(Store::Open(dir_, StoreOptions(), &store));
    {
      Streams streams(store.get(), StreamsOptions());
      StreamConfig c;
      c.shard_count = 2;
      c.log.durability = Durability::kNone;
      ASSERT_OK(streams.Create("clicks", c));
      const std::vector<HashKeyRange> shards = SplitHashKeySpace(2);
      for (int i = 0; i < 10; ++i) {
        PutEntry e{View("k"), View("v"), shards[i % 2].start};
        PutResult r;
        ASSERT_OK(streams.Put("clicks", e, &r));
      }
      ASSERT_OK(streams.SetCheckpoint("clicks", "app", 0, SeqNo(3)));
      ASSERT_OK(streams.SetCheckpoint("clicks", "app", 1, SeqNo(4)));
    }
    uint64_t id = 0;
    std::string log_dir;
    ASSERT_OK(store->LogInfo("stream:clicks/0", &id, &log_dir));
    ckpt_ = log_dir + "/" + kCheckpointFile;
    ASSERT_OK(store->Close());
  }

  // Replaces CHECKPOINTS with a well-formed file holding `entries`.
  void Rewrite(const std::vector<format::CheckpointEntry>& entries) {
    const ByteBuffer bytes = format::EncodeCheckpoints(entries);
    ASSERT_EQ(::truncate(ckpt_.c_str(), 0), 0);
    WriteAt(ckpt_, 0, bytes);
  }

  // `seglog verify`'s exit status and output (stdout and stderr).
  int Cli(std::string* out) {
    return RunCommand(::seglog::Cli() + " verify " + Quote(dir_) + " 2>&1", out);
  }

  TempDir tmp_;
  std::string dir_, ckpt_;
};

TEST_F(ToolsCheckpointTest, GoodCheckpointsPass) {
  ASSERT_TRUE(io::PathExists(ckpt_));
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  for (const Problem& p : v.problems) ADD_FAILURE() << p.ToString();
  // The newest record of shard 1 is at 4: a checkpoint may name it.
  Rewrite({{"app", 0, SeqNo(4)}, {"app", 1, SeqNo(4)}, {"other", 1, SeqNo(0)}});
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  for (const Problem& p : v.problems) ADD_FAILURE() << p.ToString();
}

TEST_F(ToolsCheckpointTest, ACheckpointsFileThatDoesNotDecodeIsAnErrorNamingIt) {
  ByteBuffer good;
  ASSERT_OK(io::ReadFile(ckpt_, &good));
  for (uint64_t at : {uint64_t{0}, uint64_t{20}, uint64_t{good.size() - 1}}) {
    SCOPED_TRACE(at);
    FlipByte(ckpt_, at);
    VerifyReport v;
    ASSERT_OK(VerifyStore(dir_, {}, &v));
    ASSERT_NE(v.first_error(), nullptr);
    EXPECT_EQ(v.first_error()->path, ckpt_);
    EXPECT_NE(v.first_error()->message.find("bad checkpoints of stream 'clicks'"),
              std::string::npos) << v.first_error()->message;
    if (!::seglog::Cli().empty()) {
      std::string out;
      EXPECT_EQ(Cli(&out), 1) << out;
      EXPECT_NE(out.find("error    " + ckpt_ + ": bad checkpoints"), std::string::npos) << out;
    }
    FlipByte(ckpt_, at);  // back as it was
  }
  // Cut short.
  ASSERT_EQ(::truncate(ckpt_.c_str(), 10), 0);
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  ASSERT_NE(v.first_error(), nullptr);
  EXPECT_EQ(v.first_error()->path, ckpt_);
}

TEST_F(ToolsCheckpointTest, ACheckpointOnAShardTheStreamLacksIsAnError) {
  Rewrite({{"app", 0, SeqNo(3)}, {"app", 2, SeqNo(1)}});
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  ASSERT_EQ(v.count(Severity::kError), 1u);
  EXPECT_EQ(v.first_error()->path, ckpt_);
  EXPECT_NE(v.first_error()->message.find("consumer 'app' checkpoint on shard 2"),
            std::string::npos) << v.first_error()->message;
  EXPECT_NE(v.first_error()->message.find("has no shard 2"), std::string::npos);
  if (!::seglog::Cli().empty()) {
    std::string out;
    EXPECT_EQ(Cli(&out), 1) << out;
    EXPECT_NE(out.find(ckpt_), std::string::npos) << out;
  }
}

TEST_F(ToolsCheckpointTest, ACheckpointPastTheShardsEndIsAWarning) {
  // Shard 1's next sequence number is 5: what a crash that lost unsynced records leaves.
  Rewrite({{"app", 0, SeqNo(3)}, {"app", 1, SeqNo(5)}});
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  EXPECT_TRUE(v.ok());
  ASSERT_EQ(v.count(Severity::kWarning), 1u);
  const Problem& p = v.problems.back();
  EXPECT_EQ(p.path, ckpt_);
  EXPECT_NE(p.message.find("shard 1 at sequence 5: the shard's next sequence number is 5"),
            std::string::npos) << p.message;
  if (!::seglog::Cli().empty()) {
    std::string out;
    EXPECT_EQ(Cli(&out), 0) << out;
    EXPECT_NE(out.find("warning  " + ckpt_), std::string::npos) << out;
  }
}

}  // namespace
}  // namespace seglog
