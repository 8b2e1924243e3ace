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
#include "tests/support/compact_fixture.h"

namespace seglog {
namespace {

using testing::Str;
using testing::TempDir;
using testing::View;

using testing::MakeFs;

using testing::Rec;
using testing::FromView;
using testing::Model;
using testing::CompactTest;

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
  EXPECT_EQ(l->RewriteSegment(segs[0].base_seq, keep_none).code(), StatusCode::kReadOnly);
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

// "CompactBackends/CompactTest.Compact...": --gtest_filter='Compact*' selects them all.
INSTANTIATE_TEST_SUITE_P(CompactBackends, CompactTest,
                         ::testing::Values(io::Backend::kPwrite, io::Backend::kUring),
                         [](const auto& p) { return std::string(io::BackendName(p.param)); });

}  // namespace
}  // namespace seglog
