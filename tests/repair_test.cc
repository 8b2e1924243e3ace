// Damaged stores: how `seglog verify`, `inspect` and `dump` report damage below a durable mark in
// the active segment (and re-read before they call it damage), and how `seglog repair`
// (engine/repair/repair.h) recovers: exact lost ranges, every intact record kept, appends continuing
// above every earlier sequence number, a dry run that changes no byte.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "engine/inspect/inspect.h"
#include "engine/log/log.h"
#include "engine/repair/repair.h"
#include "engine/log/segment.h"
#include "engine/inspect/segment_reader.h"
#include "engine/log/store.h"
#include "format/coding.h"
#include "format/queue_format.h"
#include "format/segment_format.h"
#include "io/file_util.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using testing::Str;
using testing::TempDir;
using testing::View;
using testing::BatchPos;
using testing::Batches;
using testing::DataBatches;
using testing::FlipByte;
using testing::ReadWhole;
using testing::WriteAt;
using testing::RunCommand;

// Every file under `dir` (recursively) and the checksum of its bytes.
void HashTree(const std::string& dir, std::map<std::string, uint64_t>* out) {
  std::vector<std::string> names;
  ASSERT_OK(io::ListDir(dir, &names));
  for (const std::string& n : names) {
    const std::string p = dir + "/" + n;
    if (io::IsDirectory(p)) {
      HashTree(p, out);
    } else {
      (*out)[p] = format::Checksum(ReadWhole(p));
    }
  }
}

std::string Cli() { return SEGLOG_CLI_PATH; }

std::string ValueOf(uint64_t seq) {
  return "value " + std::to_string(seq) + " " + std::string(900, static_cast<char>('a' + seq % 26));
}

// ---------------------------------------------------------------- fixture

// A store whose log "events" (durability always: every write after the first starts with a
// durable mark, and the close ends the active segment in one) holds 30 batches of 4 records of
// ~900 bytes in 16 KiB segments: several sealed segments and an active one with a few batches.
class DamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/store";
    ASSERT_OK(Store::Open(dir_, StoreOptions(), &store_));
    LogOptions lo;
    lo.segment_size = 16384;
    lo.durability = Durability::kAlways;
    Log* log = nullptr;
    ASSERT_OK(store_->CreateLog("events", lo, &log));
    for (int i = 0; i < kBatches; ++i) Append(log, 4);
    uint64_t id = 0;
    ASSERT_OK(store_->LogInfo("events", &id, &log_dir_));
    CloseStore();
    segs_ = testing::SegmentFilesIn(log_dir_);
    ASSERT_GE(segs_.size(), 3u);
    active_ = segs_.back();
    ASSERT_GE(DataBatches(active_).size(), 2u) << "the active segment needs a few batches";
  }

  void Append(Log* log, int n) {
    std::vector<std::string> values;
    for (int j = 0; j < n; ++j) values.push_back(ValueOf(next_ + static_cast<uint64_t>(j)));
    std::vector<Log::Record> recs;
    for (const auto& v : values) recs.push_back({View("k"), View(v), {}});
    SeqNo first;
    ASSERT_OK(log->Append(recs, &first));
    ASSERT_EQ(first.value(), next_);
    next_ += static_cast<uint64_t>(n);
  }

  void CloseStore() {
    if (store_ == nullptr) return;
    ASSERT_OK(store_->Close());
    store_.reset();
  }

  // The records a dump of the log returns, and its status.
  std::vector<uint64_t> DumpSeqs(Status* s) {
    std::vector<uint64_t> seqs;
    *s = DumpRecords(log_dir_, SeqNo(0), UINT64_MAX, [&](const RecordView& r) {
      seqs.push_back(r.seq.value());
      EXPECT_EQ(Str(r.value), ValueOf(r.seq.value())) << r.seq.value();
    });
    return seqs;
  }

  static constexpr int kBatches = 30;
  TempDir tmp_;
  std::string dir_, log_dir_, active_;
  std::vector<std::string> segs_;
  std::unique_ptr<Store> store_;
  uint64_t next_ = 0;
};

// ---------------------------------------------------------------- verify, inspect, dump

// Any batch below the close's durable mark that does not read is acknowledged data damaged:
// verify names the file and the batch's offset (exit 1), inspect shows it as the segment's
// error, dump stops there with Corruption after the records before it.
TEST_F(DamageTest, DamageAtEveryBatchBelowTheMarkIsReported) {
  const ByteBuffer original = ReadWhole(active_);
  for (const BatchPos& b : DataBatches(active_)) {
    SCOPED_TRACE("batch at " + std::to_string(b.offset));
    FlipByte(active_, b.offset + b.length / 2);
    VerifyReport v;
    ASSERT_OK(VerifyStore(dir_, {}, &v));
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.first_error()->path, active_);
    EXPECT_EQ(v.first_error()->offset, FileOffset(b.offset)) << v.first_error()->ToString();
    EXPECT_NE(v.first_error()->message.find("durable mark"), std::string::npos);

    StoreReport r;
    ASSERT_OK(InspectStore(dir_, &r));
    const std::string& err = r.logs[0].segments.back().error;
    EXPECT_NE(err.find(active_ + " at offset " + std::to_string(b.offset)), std::string::npos)
        << err;

    Status s;
    const std::vector<uint64_t> seqs = DumpSeqs(&s);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
    EXPECT_NE(s.message().find(active_ + " at offset " + std::to_string(b.offset)),
              std::string::npos);
    EXPECT_EQ(seqs.size(), b.base_seq) << "every record before the damage, none after";
    WriteAt(active_, 0, original);
  }
}

TEST_F(DamageTest, AZeroedRangeBelowTheMarkIsReported) {
  const std::vector<BatchPos> data = DataBatches(active_);
  const uint64_t at = data[0].offset + 100;
  WriteAt(active_, at, ByteBuffer(std::min<uint64_t>(4096, data.back().offset - at), 0));
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.first_error()->offset, FileOffset(data[0].offset));
  std::string out;
  if (!Cli().empty()) {
    EXPECT_EQ(RunCommand(Cli() + " verify '" + dir_ + "' 2>/dev/null", &out), 1) << out;
    EXPECT_NE(out.find(active_ + " at offset " + std::to_string(data[0].offset)),
              std::string::npos)
        << out;
  }
}

// Past the newest mark a bad batch is a torn tail (its write was never synced): the end.
TEST_F(DamageTest, ATornTailAfterTheLastMarkIsTheEnd) {
  std::vector<BatchPos> all = Batches(active_);
  ASSERT_FALSE(all.back().data()) << "the close's durable mark";
  WriteAt(active_, all.back().offset, ByteBuffer(all.back().length, 0));  // a crash, no close
  const BatchPos last = DataBatches(active_).back();
  FlipByte(active_, last.offset + last.length / 2);
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  EXPECT_TRUE(v.ok()) << v.first_error()->ToString();
  ASSERT_EQ(v.count(Severity::kInfo), 1u);
  EXPECT_NE(v.problems.back().message.find("tail ends here"), std::string::npos);
  Status s;
  EXPECT_EQ(DumpSeqs(&s).size(), last.base_seq);
  EXPECT_OK(s);
}

// The tools are not the writer: a batch read torn while a mark after it read intact may be one
// the writer was still copying. Damage counts only when a second read finds it at the same
// offset. Here a "writer" finishes the batch between the reads (ReadOnlyFile's test hook).
TEST_F(DamageTest, DamageIsReadTwiceBeforeItCounts) {
  const ByteBuffer original = ReadWhole(active_);
  const std::vector<BatchPos> data = DataBatches(active_);
  const uint64_t size = original.size();
  // Whole-image reads of the active segment (not the header or trailer reads).
  int image_reads = 0;
  std::function<void(int)> on_image_read;
  inspect_internal::ReadOnlyFile::SetReadHookForTesting(
      [&](const std::string& path, uint64_t off, size_t n) {
        if (path == active_ && off == 0 && n == size && on_image_read) on_image_read(++image_reads);
      });
  struct Unhook {
    ~Unhook() { inspect_internal::ReadOnlyFile::SetReadHookForTesting({}); }
  } unhook;
  auto verify = [&] {
    image_reads = 0;
    VerifyReport v;
    EXPECT_OK(VerifyStore(dir_, {}, &v));
    return v;
  };

  // Torn at the first read, whole at the second: no damage.
  on_image_read = [&](int i) {
    if (i == 1) FlipByte(active_, data[0].offset + 70);
    if (i == 2) WriteAt(active_, 0, original);
  };
  VerifyReport v = verify();
  for (const Problem& p : v.problems) ADD_FAILURE() << p.ToString();
  EXPECT_EQ(image_reads, 2);

  // Damage that stays: reported after two reads.
  FlipByte(active_, data[0].offset + 70);
  on_image_read = [](int) {};
  v = verify();
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(image_reads, 2);
  WriteAt(active_, 0, original);

  // Damage somewhere else at every read (a writer racing ahead): never agreed, not reported.
  on_image_read = [&](int i) {
    WriteAt(active_, 0, original);
    FlipByte(active_, data[static_cast<size_t>(i) % data.size()].offset + 70);
  };
  v = verify();
  EXPECT_TRUE(v.ok()) << v.first_error()->ToString();
  EXPECT_EQ(image_reads, inspect_internal::kMaxActiveReads);
  on_image_read = nullptr;
  WriteAt(active_, 0, original);
}

// ---------------------------------------------------------------- repair

// The example, both kinds: a 4 KiB zeroed range inside a sealed segment and a bad
// batch in the active segment below a mark.
TEST_F(DamageTest, RepairKeepsEveryIntactRecordAndNamesWhatWasLost) {
  // Sealed: zero 4 KiB from inside its second data batch; every batch it touches is lost.
  const std::string sealed = segs_[1];
  const std::vector<BatchPos> sb = DataBatches(sealed);
  ASSERT_GE(sb.size(), 3u);
  const uint64_t zero_at = sb[1].offset + 100, zero_end = zero_at + 4096;
  ASSERT_LT(zero_end, sb.back().offset + sb.back().length);
  WriteAt(sealed, zero_at, ByteBuffer(4096, 0));
  std::vector<LostRange> want;
  uint64_t lost_first = UINT64_MAX, lost_last = 0;
  for (const BatchPos& b : sb) {
    if (b.offset < zero_end && b.offset + b.length > zero_at) {
      lost_first = std::min(lost_first, b.base_seq);
      lost_last = std::max(lost_last, b.last_seq);
    }
  }
  want.push_back({SeqNo(lost_first), SeqNo(lost_last)});
  // Active: the first batch, below the marks after it.
  const BatchPos ab = DataBatches(active_)[0];
  FlipByte(active_, ab.offset + ab.length / 2);
  want.push_back({SeqNo(ab.base_seq), SeqNo(ab.last_seq)});

  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  ASSERT_EQ(v.count(Severity::kError), 2u);

  // A dry run reports the same and changes no byte.
  std::map<std::string, uint64_t> before, after;
  HashTree(dir_, &before);
  RepairOptions dry;
  dry.dry_run = true;
  RepairReport r;
  ASSERT_OK(RepairStore(dir_, dry, &r));
  HashTree(dir_, &after);
  EXPECT_EQ(before, after);
  ASSERT_EQ(r.logs.size(), 1u);
  auto ranges = [](const std::vector<LostRange>& l) {
    std::vector<std::pair<uint64_t, uint64_t>> out;
    for (const LostRange& x : l) out.emplace_back(x.first.value(), x.last.value());
    return out;
  };
  EXPECT_EQ(ranges(r.logs[0].lost()), ranges(want));
  EXPECT_FALSE(r.logs[0].segments[0].written);

  ASSERT_OK(RepairStore(dir_, RepairOptions(), &r));
  ASSERT_EQ(r.logs.size(), 1u);
  EXPECT_EQ(ranges(r.logs[0].lost()), ranges(want));
  ASSERT_EQ(r.logs[0].segments.size(), 2u);
  EXPECT_TRUE(r.logs[0].segments[1].was_active);
  EXPECT_EQ(r.logs[0].segments[1].last_seq, SeqNo(next_ - 1));
  EXPECT_TRUE(r.logs[0].segments[1].written);

  ASSERT_OK(VerifyStore(dir_, {}, &v));
  for (const Problem& p : v.problems) ADD_FAILURE() << p.ToString();

  // Read-write: every intact record, in order; appends go on above every earlier number.
  ASSERT_OK(Store::Open(dir_, StoreOptions(), &store_));
  Log* log = nullptr;
  ASSERT_OK(store_->GetLog("events", &log));
  std::unique_ptr<LogIterator> it;
  ASSERT_OK(log->NewIterator(SeqNo(0), &it));
  std::vector<uint64_t> got;
  RecordView rec;
  Status s;
  while ((s = it->Next(&rec)).ok()) {
    got.push_back(rec.seq.value());
    EXPECT_EQ(Str(rec.value), ValueOf(rec.seq.value()));
  }
  EXPECT_TRUE(s.IsNoMore()) << s.ToString();
  it.reset();
  std::vector<uint64_t> expect;
  for (uint64_t q = 0; q < next_; ++q) {
    if (!((q >= want[0].first.value() && q <= want[0].last.value()) ||
          (q >= want[1].first.value() && q <= want[1].last.value()))) {
      expect.push_back(q);
    }
  }
  EXPECT_EQ(got, expect);
  const uint64_t old_next = next_;
  Append(log, 2);
  EXPECT_GE(next_ - 2, old_next);
  CloseStore();

  // Nothing left to repair.
  ASSERT_OK(RepairStore(dir_, RepairOptions(), &r));
  EXPECT_FALSE(r.damaged());
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  EXPECT_TRUE(v.ok());
}

// A segment before the last without a valid trailer: rewritten with one (its range ends where
// the next segment begins); its batches are intact, so nothing is lost (exit 0).
TEST_F(DamageTest, RepairGivesASealedSegmentANewTrailer) {
  const std::string seg = segs_[1];
  const ByteBuffer original = ReadWhole(seg);
  FlipByte(seg, original.size() - 20);
  VerifyReport v;
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  ASSERT_FALSE(v.ok());
  RepairReport r;
  ASSERT_OK(RepairStore(dir_, RepairOptions(), &r));
  ASSERT_EQ(r.logs.size(), 1u);
  ASSERT_EQ(r.logs[0].segments.size(), 1u);
  EXPECT_EQ(r.logs[0].segments[0].path, seg);
  EXPECT_EQ(r.lost_count(), 0u);
  ASSERT_OK(VerifyStore(dir_, {}, &v));
  for (const Problem& p : v.problems) ADD_FAILURE() << p.ToString();
  // Every record is still there.
  Status s;
  std::vector<uint64_t> seqs = DumpSeqs(&s);
  EXPECT_OK(s);
  EXPECT_EQ(seqs.size(), next_);
}

TEST_F(DamageTest, RepairLeavesATornTailAlone) {
  std::vector<BatchPos> all = Batches(active_);
  WriteAt(active_, all.back().offset, ByteBuffer(all.back().length, 0));  // no close mark
  const BatchPos last = DataBatches(active_).back();
  FlipByte(active_, last.offset + 60);
  std::map<std::string, uint64_t> before, after;
  HashTree(dir_, &before);
  RepairReport r;
  ASSERT_OK(RepairStore(dir_, RepairOptions(), &r));
  EXPECT_FALSE(r.damaged());
  HashTree(dir_, &after);
  EXPECT_EQ(before, after);
}

TEST_F(DamageTest, RepairRefusesAStoreOpenElsewhere) {
  ASSERT_OK(Store::Open(dir_, StoreOptions(), &store_));
  RepairReport r;
  Status s = RepairStore(dir_, RepairOptions(), &r);
  EXPECT_EQ(s.code(), StatusCode::kLocked) << s.ToString();
  EXPECT_NE(s.message().find("close it"), std::string::npos) << s.ToString();
  if (!Cli().empty()) {
    std::string out;
    EXPECT_EQ(RunCommand(Cli() + " repair '" + dir_ + "' 2>&1", &out), 2) << out;
    EXPECT_NE(out.find("LOCK"), std::string::npos) << out;
  }
}

// The command line: queue message ids and stream shards named as `seglog inspect` names them,
// exit 1 when something was lost, 0 when nothing was damaged.
TEST(RepairCliTest, NamesStreamShardsAndQueueMessageIds) {
  if (Cli().empty()) GTEST_SKIP() << "seglog CLI not built";
  TempDir tmp;
  const std::string dir = tmp.path() + "/store";
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir, StoreOptions(), &store));
  LogOptions lo;
  lo.segment_size = 8192;
  lo.durability = Durability::kAlways;
  std::vector<Store::LogSpec> specs(3);
  specs[0] = {"stream:clicks/0", lo, {{"stream", "clicks"}, {"shard", "0"}, {"shard_count", "1"}}};
  specs[1] = {"queue:jobs/messages", lo,
              {{"queue", "jobs"}, {"part", "messages"}, {"type", "standard"},
               {"visibility_timeout_s", "30"}, {"delay_s", "0"}, {"retention_s", "345600"},
               {"max_message_bytes", "1048576"}, {"receive_wait_s", "0"},
               {"content_based_dedup", "0"}, {"max_receive_count", "0"}}};
  specs[2] = {"queue:jobs/journal", lo, {{"queue", "jobs"}, {"part", "journal"}}};
  ASSERT_OK(store->CreateLogGroup(specs));
  for (const Store::LogSpec& spec : specs) {
    if (spec.name == "queue:jobs/journal") continue;
    Log* log = nullptr;
    ASSERT_OK(store->OpenLog(spec.name, &log));
    ByteBuffer header;  // a queue message's (format/queue_format.h); harmless on a stream
    format::QueueMessageHeader qh;
    qh.sent_ms = 1'700'000'000'000;
    format::EncodeQueueMessageHeader(qh, &header);
    for (int i = 0; i < 5; ++i) {
      const std::string v = "message " + std::to_string(i);
      Log::Record rec{View("g"), View(v), header};
      ASSERT_OK(log->Append(std::span(&rec, 1)));
    }
  }
  std::string out;
  EXPECT_EQ(RunCommand(Cli() + " repair '" + dir + "' 2>&1", &out), 2) << "open elsewhere";
  ASSERT_OK(store->Close());
  store.reset();
  EXPECT_EQ(RunCommand(Cli() + " repair '" + dir + "'", &out), 0) << out;
  EXPECT_NE(out.find("OK: no damage found"), std::string::npos) << out;

  // Damage batch 2 (sequence 2) of each log, below later marks.
  std::map<std::string, std::string> dirs;
  for (const format::CatalogEntry& e : [&] {
         format::Catalog c;
         EXPECT_OK(inspect_internal::ReadCatalog(dir, &c));
         return c.logs;
       }()) {
    if (e.name == "queue:jobs/journal") continue;
    const std::string seg = testing::SegmentFilesIn(inspect_internal::LogDirPath(dir, e.log_id)).back();
    const BatchPos b = DataBatches(seg)[2];
    ASSERT_EQ(b.base_seq, 2u);
    FlipByte(seg, b.offset + b.length - 3);
  }
  EXPECT_EQ(RunCommand(Cli() + " repair --dry-run '" + dir + "'", &out), 1) << out;
  EXPECT_NE(out.find("dry run"), std::string::npos) << out;
  EXPECT_EQ(RunCommand(Cli() + " repair '" + dir + "'", &out), 1) << out;
  EXPECT_NE(out.find("stream \"clicks\" shard 0"), std::string::npos) << out;
  EXPECT_NE(out.find("queue \"jobs\" messages"), std::string::npos) << out;
  EXPECT_NE(out.find("lost message ids 2"), std::string::npos) << out;
  EXPECT_NE(out.find("lost sequence numbers 2"), std::string::npos) << out;
  EXPECT_NE(out.find("LOST 2 sequence numbers"), std::string::npos) << out;
  EXPECT_EQ(RunCommand(Cli() + " verify --quiet '" + dir + "' 2>&1", &out), 0) << out;
  EXPECT_EQ(RunCommand(Cli() + " repair '" + dir + "'", &out), 0) << out;
}

}  // namespace
}  // namespace seglog
