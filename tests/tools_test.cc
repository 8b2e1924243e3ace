// The read-only inspection behind the `seglog` tool (engine/inspect.h), and the tool itself:
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
#include <vector>

#include "engine/clock.h"
#include "engine/inspect.h"
#include "engine/segment.h"
#include "engine/store.h"
#include "format/segment_format.h"
#include "io/file_util.h"
#include "tests/test_util.h"

namespace seglog {
namespace {

using testing::Str;
using testing::TempDir;
using testing::View;

// One appended record, as the test remembers it (independently of the engine's reports).
struct Expected {
  uint64_t seq;
  int64_t ts;
  std::string key, value, attrs;
};

// ---------------------------------------------------------------- file helpers

ByteBuffer ReadWhole(const std::string& path) {
  ByteBuffer b;
  EXPECT_OK(io::ReadFile(path, &b));
  return b;
}

void WriteAt(const std::string& path, uint64_t off, ByteView bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::pwrite(fd, bytes.data(), bytes.size(), static_cast<off_t>(off)),
            static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

void FlipByte(const std::string& path, uint64_t off) {
  ByteBuffer b = ReadWhole(path);
  ASSERT_LT(off, b.size());
  const uint8_t x = static_cast<uint8_t>(b[off] ^ 0x5a);
  WriteAt(path, off, ByteView(&x, 1));
}

struct BatchPos {
  uint64_t offset;
  uint32_t length;
  uint32_t records;
};

// The batches of a segment file, found by walking lengths (not through the code under test).
std::vector<BatchPos> Batches(const std::string& path) {
  ByteBuffer b = ReadWhole(path);
  std::vector<BatchPos> out;
  uint64_t off = format::kSegmentHeaderSize;
  while (off < b.size()) {
    format::BatchHeader h;
    if (!format::ReadBatch(ByteView(b).subspan(off), &h).ok()) break;
    out.push_back({off, h.length, h.record_count});
    off += h.length;
  }
  return out;
}

std::vector<std::string> SegmentsOf(const std::string& log_dir) {
  std::vector<std::string> names, segs;
  EXPECT_OK(io::ListDir(log_dir, &names));
  for (const auto& n : names) {
    SeqNo b;
    if (ParseSegmentFileName(n, &b)) segs.push_back(log_dir + "/" + n);
  }
  std::sort(segs.begin(), segs.end());
  return segs;
}

// Runs a shell command; returns its exit status and stdout.
int RunCommand(const std::string& cmd, std::string* out) {
  out->clear();
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), p)) > 0) out->append(buf, n);
  const int st = ::pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

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

  const std::vector<std::string> files = SegmentsOf(events_dir_);
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
  const size_t segs = SegmentsOf(events_dir_).size();
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
  const std::string seg = SegmentsOf(events_dir_)[1];
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
  for (const BatchPos& b : Batches(SegmentsOf(events_dir_)[0])) before += b.records;
  for (size_t i = 0; i < 3; ++i) before += batches[i].records;
  EXPECT_EQ(got.size(), before);
}

TEST_F(ToolsTest, VerifyFindsABadHeaderAndTrailer) {
  CloseStore();
  const std::vector<std::string> segs = SegmentsOf(events_dir_);
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
  const std::string last = SegmentsOf(events_dir_).back();
  const std::vector<BatchPos> batches = Batches(last);
  ASSERT_GE(batches.size(), 2u);
  const BatchPos tail = batches.back();
  // Half of the last batch reached the disk.
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
  const std::string last = SegmentsOf(events_dir_).back();
  const BatchPos tail = Batches(last).back();
  const ByteBuffer zeros(tail.length - 60, 0);  // the header survived, the payload did not
  WriteAt(last, tail.offset + 60, zeros);
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  EXPECT_TRUE(v.ok());
  EXPECT_EQ(v.count(Severity::kInfo), 1u);
}

TEST_F(ToolsTest, VerifyWarnsOnlyAboutABadIndex) {
  CloseStore();
  const std::vector<std::string> segs = SegmentsOf(events_dir_);
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
  const std::vector<std::string> segs = SegmentsOf(events_dir_);
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
  std::vector<std::string> files = SegmentsOf(events_dir_);
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
  const std::string seg = SegmentsOf(events_dir_)[1];
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
  const size_t segs = SegmentsOf(events_dir_).size();
  ASSERT_EQ(ev["segments"].size(), segs);
  EXPECT_EQ(ev["segment_count"], segs);
  EXPECT_EQ(ev["segments"][0]["sealed"], true);
  EXPECT_EQ(ev["segments"][0]["base_seq"], 0);
  EXPECT_EQ(ev["segments"][segs - 1]["sealed"], false);
  EXPECT_TRUE(ev["segments"][0]["error"].is_null());

  // The human form names every segment.
  ASSERT_EQ(RunCommand(Cli() + " inspect " + Quote(dir_), &out), 0);
  for (const std::string& s : SegmentsOf(events_dir_)) {
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

  const std::string seg = SegmentsOf(events_dir_)[0];
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
TEST(ToolsLiveTest, InspectVerifyDumpBesideAWriter) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/store";
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir, StoreOptions(), &store));
  LogOptions lo;
  lo.segment_size = 8192;
  lo.durability = Durability::kNone;
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

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  int rounds = 0, torn = 0;  // torn: rounds whose verify caught a batch mid-write
  while (std::chrono::steady_clock::now() < deadline || rounds < 10) {
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
    ASSERT_OK(s);
    ASSERT_FALSE(mismatch) << "near seq " << next;
    EXPECT_GE(next, before);
  }
  stop.store(true);
  writer.join();
  EXPECT_GT(SegmentsOf(log_dir).size(), 5u) << "the writer should have rolled segments";
  std::printf("live: %d rounds (%d saw a tail being written), %llu records, %zu segments\n",
              rounds, torn,
              static_cast<unsigned long long>(appended.load()), SegmentsOf(log_dir).size());
  ASSERT_OK(store->Close());

  // Afterwards, clean.
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir, {}, &v));
  EXPECT_TRUE(v.ok());
}

}  // namespace
}  // namespace seglog
