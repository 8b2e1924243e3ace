// Damage is corruption, never the end (SPEC.md 8.1, 13.3): damaged batches inside a sealed
// segment, whichever way a reader reaches them; damaged batches below a durable mark in the
// active segment; and opening a log writes and allocates nothing.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/log/clock.h"
#include "engine/log/log.h"
#include "engine/log/map_cache.h"
#include "engine/queues/queue.h"
#include "engine/repair/repair.h"
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

struct BatchAt {
  uint64_t offset;
  format::BatchHeader h;
};

// Every batch ReadBatch accepts from the header on, until the first one it does not.
std::vector<BatchAt> BatchesOf(const ByteBuffer& image) {
  std::vector<BatchAt> out;
  uint64_t off = format::kSegmentHeaderSize;
  format::BatchHeader h;
  while (off < image.size() && format::ReadBatch(ByteView(image).subspan(off), &h).ok()) {
    out.push_back({off, h});
    off += h.length;
  }
  return out;
}

void WriteImage(const std::string& path, const ByteBuffer& image) {
  auto fs = io::NewPwriteFileSystem();
  ASSERT_OK(io::WriteFileAtomically(fs.get(), path, image));
}

class LogDamageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs_ = io::NewPwriteFileSystem();
    opt_.index_interval_bytes = 1;  // every batch indexed: positioning jumps straight to it
  }

  Status Open(bool read_only = false) {
    log_.reset();
    Log::Env env{fs_.get(), &clock_, &maps_, 7, dir_.path() + "/log", read_only, true};
    return Log::Open(env, opt_, &log_);
  }

  // `batches` appends of `per` records of `size` bytes; the clock moves 10 ms per append.
  void Fill(int batches, int per, size_t size) {
    for (int b = 0; b < batches; ++b) {
      std::vector<std::string> vals;
      for (int i = 0; i < per; ++i) vals.push_back(std::string(size, static_cast<char>('a' + (b * per + i) % 26)));
      std::vector<Log::Record> recs;
      for (auto& v : vals) recs.push_back({{}, View(v), {}});
      ASSERT_OK(log_->Append(recs));
      clock_.Advance(10);
    }
  }

  std::vector<std::string> Segments() { return testing::SegmentFilesIn(dir_.path() + "/log"); }

  // Reads from `from` until not OK: the sequence numbers read and the final status.
  Status ReadFrom(SeqNo from, std::vector<uint64_t>* seqs) {
    std::unique_ptr<LogIterator> it;
    SEGLOG_RETURN_IF_ERROR(log_->NewIterator(from, &it));
    RecordView r;
    Status s;
    while ((s = it->Next(&r)).ok()) seqs->push_back(r.seq.value());
    return s;
  }

  TempDir dir_;
  std::unique_ptr<io::FileSystem> fs_;
  ManualClock clock_;
  MapCache maps_{16};
  LogOptions opt_;
  std::unique_ptr<Log> log_;
};

// Issue 10 A: zeros inside a sealed segment are corruption whichever way the reader gets there;
// a reader positioned past the damage by the index reads the intact records after it.
TEST_F(LogDamageTest, SealedSegmentDamageIsCorruptionForPositionedReaders) {
  opt_.segment_size = 16 * 1024;
  opt_.durability = Durability::kNone;
  ASSERT_OK(Open());
  Fill(30, 4, 900);
  ASSERT_OK(log_->Close());
  const std::string first = Segments().front();
  ByteBuffer image;
  ASSERT_OK(io::ReadFile(first, &image));
  std::vector<BatchAt> b = BatchesOf(image);
  ASSERT_GE(b.size(), 3u);
  ASSERT_EQ(b[1].h.base_seq.value(), 4u);
  std::fill(image.begin() + static_cast<ptrdiff_t>(b[1].offset),
            image.begin() + static_cast<ptrdiff_t>(b[1].offset + b[1].h.length), 0);
  WriteImage(first, image);

  ASSERT_OK(Open());
  for (uint64_t from : {4u, 5u, 7u}) {
    std::vector<uint64_t> seqs;
    Status s = ReadFrom(SeqNo(from), &seqs);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << "from " << from << ": " << s.ToString();
    EXPECT_TRUE(seqs.empty()) << "from " << from << " returned seq " << seqs.front();
    EXPECT_NE(s.message().find(first), std::string::npos) << s.ToString();
  }
  // By time: the damaged batch's records were appended 10 ms after the first batch's.
  std::unique_ptr<LogIterator> it;
  Status s = log_->NewIteratorAtTime(TimestampMs(1'700'000'000'000 + 10), &it);
  if (s.ok()) {
    RecordView r;
    s = it->Next(&r);
    EXPECT_FALSE(s.ok()) << "returned seq " << r.seq.value();
  }
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  // From the start: 0..3, then the damage.
  std::vector<uint64_t> seqs;
  EXPECT_EQ(ReadFrom(SeqNo(0), &seqs).code(), StatusCode::kCorruption);
  EXPECT_EQ(seqs, (std::vector<uint64_t>{0, 1, 2, 3}));
  // Positioned by the index at the next intact batch: nothing is skipped.
  seqs.clear();
  Status after = ReadFrom(SeqNo(8), &seqs);
  EXPECT_TRUE(after.IsNoMore()) << after.ToString();
  ASSERT_FALSE(seqs.empty());
  EXPECT_EQ(seqs.front(), 8u);
  EXPECT_EQ(seqs.back(), 119u);
}

// Issue 10 B: damage anywhere below the newest durable mark of the active segment is reported
// (reads reaching it and appends fail, naming file and offset), never cut off as a torn tail.
TEST_F(LogDamageTest, ActiveSegmentDamageBelowAMarkIsCorruptionNotATornTail) {
  opt_.segment_size = 1 << 20;
  opt_.durability = Durability::kAlways;
  ASSERT_OK(Open());
  Fill(12, 3, 200);
  ASSERT_OK(log_->Close());
  log_.reset();
  const std::string seg = Segments().back();
  ByteBuffer image;
  ASSERT_OK(io::ReadFile(seg, &image));
  std::vector<BatchAt> batches = BatchesOf(image);
  int data = 0, marks = 0;
  for (const BatchAt& b : batches) (b.h.type == format::kBatchTypeData ? data : marks)++;
  ASSERT_EQ(data, 12);
  ASSERT_EQ(marks, 12);  // one per append after the first (each synced), and the close's
  ASSERT_EQ(batches.back().h.type, format::kBatchTypeDurableMark);

  for (size_t i = 0; i < batches.size(); ++i) {
    const BatchAt& b = batches[i];
    if (b.h.type != format::kBatchTypeData) continue;
    for (int how = 0; how < 2; ++how) {
      ByteBuffer bad = image;
      if (how == 0) {
        bad[b.offset + b.h.length / 2] ^= 0x10;  // one flipped bit
      } else {
        // A 4 KiB range of zeros from the batch on (it covers the next few batches too).
        const uint64_t to = std::min<uint64_t>(b.offset + 4096, batches.back().offset);
        std::fill(bad.begin() + static_cast<ptrdiff_t>(b.offset),
                  bad.begin() + static_cast<ptrdiff_t>(to), 0);
      }
      WriteImage(seg, bad);
      ASSERT_OK(Open()) << "batch " << i << " how " << how;
      std::vector<uint64_t> seqs;
      Status s = ReadFrom(SeqNo(0), &seqs);
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << "batch " << i << " how " << how;
      EXPECT_NE(s.message().find(seg), std::string::npos) << s.ToString();
      EXPECT_NE(s.message().find("offset " + std::to_string(b.offset)), std::string::npos)
          << s.ToString();
      ASSERT_EQ(seqs.size(), b.h.base_seq.value()) << "records before the damage are readable";
      std::string v = "x";
      Log::Record r{View(v), View(v), {}};
      EXPECT_EQ(log_->Append(std::span<const Log::Record>(&r, 1)).code(),
                StatusCode::kCorruption);
      (void)log_->Close();
      log_.reset();
      // Opening did not cut anything: the damaged file is as it was.
      ByteBuffer now;
      ASSERT_OK(io::ReadFile(seg, &now));
      EXPECT_TRUE(now == bad) << "batch " << i << " how " << how << ": the damage was cut off";
    }
  }
  // Read-only opens report it the same way.
  ByteBuffer bad = image;
  bad[batches[2].offset + 70] ^= 1;
  WriteImage(seg, bad);
  ASSERT_OK(Open(/*read_only=*/true));
  std::vector<uint64_t> seqs;
  EXPECT_EQ(ReadFrom(SeqNo(0), &seqs).code(), StatusCode::kCorruption);
}

// A bad batch after the newest mark is a torn tail: cut, and appends continue after it.
TEST_F(LogDamageTest, BadBatchAfterTheLastMarkIsATornTail) {
  opt_.segment_size = 1 << 20;
  opt_.durability = Durability::kAlways;
  ASSERT_OK(Open());
  Fill(5, 2, 100);
  ASSERT_OK(log_->Close());
  log_.reset();
  const std::string seg = Segments().back();
  ByteBuffer image;
  ASSERT_OK(io::ReadFile(seg, &image));
  std::vector<BatchAt> b = BatchesOf(image);
  // ... data4, close mark: a power loss during the last write loses the close mark and tears
  // the last batch (the mark before it covers only the batches before).
  ASSERT_EQ(b.back().h.type, format::kBatchTypeDurableMark);
  const BatchAt last_data = b[b.size() - 2];
  ASSERT_EQ(last_data.h.type, format::kBatchTypeData);
  std::fill(image.begin() + static_cast<ptrdiff_t>(b.back().offset),
            image.begin() + static_cast<ptrdiff_t>(b.back().offset + b.back().h.length), 0);
  image[last_data.offset + 60] ^= 0xff;
  WriteImage(seg, image);
  ASSERT_OK(Open());
  EXPECT_EQ(log_->next_seq().value(), 8u);
  std::string v = "after";
  Log::Record r{View(v), View(v), {}};
  SeqNo seq;
  ASSERT_OK(log_->Append(std::span<const Log::Record>(&r, 1), &seq));
  EXPECT_EQ(seq.value(), 8u);
  std::vector<uint64_t> seqs;
  EXPECT_TRUE(ReadFrom(SeqNo(0), &seqs).IsNoMore());
  EXPECT_EQ(seqs.size(), 9u);
}

// Issue 10 C: opening and reading never write nor allocate; the next active segment (and the
// log's directory) come with the first append.
TEST_F(LogDamageTest, OpeningAndReadingWriteNothing) {
  opt_.segment_size = 64 * 1024;
  opt_.durability = Durability::kAlways;
  ASSERT_OK(Open());
  EXPECT_FALSE(io::PathExists(dir_.path() + "/log")) << "opening created the directory";
  std::vector<uint64_t> seqs;
  EXPECT_TRUE(ReadFrom(SeqNo(0), &seqs).IsNoMore());
  Fill(200, 1, 1000);  // several sealed segments
  ASSERT_OK(log_->Close());
  auto snapshot = [&] {
    std::map<std::string, std::string> files;
    std::vector<std::string> names;
    EXPECT_OK(io::ListDir(dir_.path() + "/log", &names));
    for (auto& n : names) {
      ByteBuffer b;
      EXPECT_OK(io::ReadFile(dir_.path() + "/log/" + n, &b));
      files[n] = Str(b);
    }
    return files;
  };
  const auto before = snapshot();
  for (int round = 0; round < 2; ++round) {
    ASSERT_OK(Open());
    seqs.clear();
    EXPECT_TRUE(ReadFrom(SeqNo(0), &seqs).IsNoMore());
    EXPECT_EQ(seqs.size(), 200u);
    ASSERT_OK(log_->Close());
    log_.reset();
    EXPECT_TRUE(snapshot() == before) << "round " << round << ": open + read + close wrote";
  }
}

// Issue 10 C/D: a segment whose space cannot be allocated fails that append only (nothing was
// written); the next append creates it.
TEST_F(LogDamageTest, NoSpaceCreatingASegmentIsNotSticky) {
  auto fault = std::make_unique<io::FaultFileSystem>(io::NewPwriteFileSystem());
  io::FaultFileSystem* f = fault.get();
  fs_ = std::move(fault);
  opt_.segment_size = 16 * 1024;
  opt_.durability = Durability::kAlways;
  ASSERT_OK(Open());
  Fill(3, 1, 100);  // segment 0 created (allocate #1)
  f->FailNth(io::FsOp::kAllocate, f->count(io::FsOp::kAllocate) + 1, ENOSPC);
  std::string big(16000, 'b');  // does not fit beside the first three
  Log::Record r{View(big), {}, {}};
  Status s = log_->Append(std::span<const Log::Record>(&r, 1));
  EXPECT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
  SeqNo seq;
  ASSERT_OK(log_->Append(std::span<const Log::Record>(&r, 1), &seq));
  EXPECT_EQ(seq.value(), 3u);
  ASSERT_OK(log_->Close());
  ASSERT_OK(Open());
  std::vector<uint64_t> seqs;
  EXPECT_TRUE(ReadFrom(SeqNo(0), &seqs).IsNoMore());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{0, 1, 2, 3}));
}

// Issue 10 B at the queue level: a damaged message log is reported by every queue call,
// naming file and offset; no message is silently left out.
TEST(QueueDamageTest, DamagedMessageLogFailsSendReceiveDeleteWithCorruption) {
  TempDir dir;
  ManualClock clock;
  auto open = [&](std::unique_ptr<Store>* store, std::unique_ptr<Queues>* queues) {
    StoreOptions so;
    so.clock = &clock;
    ASSERT_OK(Store::Open(dir.path(), so, store));
    QueuesOptions qo;
    qo.maintenance_interval_ms = 0;
    *queues = std::make_unique<Queues>(store->get(), qo);
  };
  std::unique_ptr<Store> store;
  std::unique_ptr<Queues> queues;
  open(&store, &queues);
  QueueConfig c;
  c.log.durability = Durability::kAlways;
  ASSERT_OK(queues->Create("q", c));
  for (int i = 0; i < 50; ++i) {
    std::string body = "message " + std::to_string(i) + std::string(300, 'm');
    SendEntry e;
    e.body = View(body);
    SendResult r;
    ASSERT_OK(queues->Send("q", e, &r));
  }
  ReceiveOptions ro;
  ro.max_messages = 1;
  ro.wait_s = 0;
  std::vector<ReceivedMessage> got;
  ASSERT_OK(queues->Receive("q", ro, &got));
  ASSERT_EQ(got.size(), 1u);
  const std::string receipt = got[0].receipt;
  queues.reset();
  ASSERT_OK(store->Close());
  store.reset();

  // The messages log is the one whose segments hold the bodies: zero its 20th batch's bytes.
  std::string seg;
  std::vector<std::string> dirs;
  ASSERT_OK(io::ListDir(dir.path() + "/logs", &dirs));
  for (const std::string& d : dirs) {
    std::vector<std::string> names;
    ASSERT_OK(io::ListDir(dir.path() + "/logs/" + d, &names));
    for (const std::string& n : names) {
      ByteBuffer b;
      SeqNo base;
      if (!ParseSegmentFileName(n, &base)) continue;
      ASSERT_OK(io::ReadFile(dir.path() + "/logs/" + d + "/" + n, &b));
      if (Str(b).find("message 49") != std::string::npos) seg = dir.path() + "/logs/" + d + "/" + n;
    }
  }
  ASSERT_FALSE(seg.empty());
  ByteBuffer image;
  ASSERT_OK(io::ReadFile(seg, &image));
  std::vector<BatchAt> batches = BatchesOf(image);
  std::vector<BatchAt> data;
  for (const BatchAt& b : batches) {
    if (b.h.type == format::kBatchTypeData) data.push_back(b);
  }
  ASSERT_EQ(data.size(), 50u);
  const BatchAt victim = data[20];
  std::fill(image.begin() + static_cast<ptrdiff_t>(victim.offset),
            image.begin() + static_cast<ptrdiff_t>(victim.offset + victim.h.length), 0);
  WriteImage(seg, image);

  open(&store, &queues);
  auto is_damage = [&](const Status& s) {
    return s.code() == StatusCode::kCorruption && s.message().find(seg) != std::string::npos &&
           s.message().find("offset " + std::to_string(victim.offset)) != std::string::npos;
  };
  std::string body = "after";
  SendEntry e;
  e.body = View(body);
  SendResult r;
  Status s = queues->Send("q", e, &r);
  EXPECT_TRUE(is_damage(s)) << s.ToString();
  got.clear();
  s = queues->Receive("q", ro, &got);
  EXPECT_TRUE(is_damage(s)) << s.ToString();
  s = queues->DeleteMessage("q", receipt);
  EXPECT_TRUE(is_damage(s)) << s.ToString();
  queues.reset();
  (void)store->Close();
  store.reset();

  // `seglog repair` keeps every intact message and names the lost one; afterwards the queue
  // works again and delivers every message but that one, exactly once.
  RepairReport report;
  ASSERT_OK(RepairStore(dir.path(), {}, &report));
  ASSERT_EQ(report.lost_count(), 1u);
  open(&store, &queues);
  // Message 0, received before the damage, is in flight still (SPEC.md 16.4): its receipt
  // deletes it.
  ASSERT_OK(queues->DeleteMessage("q", receipt));
  std::set<std::string> bodies = {"message 0" + std::string(300, 'm')};
  for (int round = 0; round < 20; ++round) {
    got.clear();
    ReceiveOptions all;
    all.max_messages = 10;
    all.wait_s = 0;
    ASSERT_OK(queues->Receive("q", all, &got));
    if (got.empty()) break;
    for (const ReceivedMessage& m : got) {
      EXPECT_TRUE(bodies.insert(m.body).second) << "delivered twice: " << m.body.substr(0, 12);
      ASSERT_OK(queues->DeleteMessage("q", m.receipt));
    }
  }
  EXPECT_EQ(bodies.size(), 49u);
  EXPECT_EQ(bodies.count("message 20" + std::string(300, 'm')), 0u);
  ASSERT_OK(queues->Send("q", e, &r));
  queues.reset();
  ASSERT_OK(store->Close());
}

}  // namespace
}  // namespace seglog
