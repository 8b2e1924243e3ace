// The queue delete index: roaring-bitmap snapshots plus a journal, recovered after restarts,
// crashes and power loss in the middle of a snapshot.
#include <gtest/gtest.h>

#include <unistd.h>

#include <random>
#include <set>
#include <thread>

#include "engine/log/clock.h"
#include "engine/queues/delete_index.h"
#include "engine/log/store.h"
#include "format/coding.h"
#include "format/delete_index_format.h"
#include "tests/support/fault_fs.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using testing::TempDir;

TEST(DeleteIndexFormatTest, SnapshotRoundTripAndEveryFlipDetected) {
  format::DeleteSnapshot s;
  s.covered = SeqNo(12345);
  for (uint64_t id : {0ull, 1ull, 2ull, 1000ull, (1ull << 32) + 7, (5ull << 40) | 3, ~0ull}) {
    s.deleted.add(id);
  }
  for (uint64_t i = 100000; i < 200000; i += 3) s.deleted.add(i);
  s.receive_states = {{5, {1, 1'700'000'000'000, 1'700'000'030'000, 1'700'000'000'000}},
                      {9, {1000, 0, 0, 0}},
                      {(1ull << 33), {2, 1'700'000'000'500, 1'700'043'200'500, 7}}};
  ByteBuffer b = format::EncodeDeleteSnapshot(s);
  format::DeleteSnapshot out;
  ASSERT_OK(format::DecodeDeleteSnapshot(b, &out));
  EXPECT_EQ(out.covered, s.covered);
  EXPECT_TRUE(out.deleted == s.deleted);
  EXPECT_EQ(out.receive_states, s.receive_states);
  EXPECT_EQ(format::DecodeFixed32(b.data() + 8), 2u);  // version 2 is written
  for (size_t i = 0; i < b.size(); i += (i < 64 || i + 64 > b.size()) ? 1 : 7) {
    ByteBuffer c = b;
    c[i] ^= 0x10;
    EXPECT_FALSE(format::DecodeDeleteSnapshot(c, &out).ok()) << "flip at " << i;
  }
  for (size_t n : {size_t{0}, size_t{10}, b.size() / 2, b.size() - 1}) {
    EXPECT_FALSE(format::DecodeDeleteSnapshot(ByteView(b).first(n), &out).ok()) << n;
  }
  // A chunk whose bytes are not a bitmap is refused even with a valid checksum.
  ByteBuffer bad = b;
  bad[24 + 4 + 8] ^= 0xff;  // first byte of the first chunk's bitmap
  format::EncodeFixed64(bad.data() + bad.size() - 8,
                        format::Checksum(ByteView(bad).first(bad.size() - 8)));
  EXPECT_EQ(format::DecodeDeleteSnapshot(bad, &out).code(), StatusCode::kCorruption);
}

// A version-1 snapshot (before issue 14: counts only) still reads, its times unknown (0).
TEST(DeleteIndexFormatTest, VersionOneSnapshotStillReads) {
  ByteBuffer b;
  format::PutFixed64(&b, format::kDeleteIndexMagic);
  format::PutFixed32(&b, 1);
  format::PutFixed32(&b, 0);
  format::PutFixed64(&b, 77);  // covered
  format::PutFixed32(&b, 0);   // no chunks
  format::PutFixed64(&b, 2);   // two counts
  format::PutFixed64(&b, 5);
  format::PutFixed32(&b, 3);
  format::PutFixed64(&b, 9);
  format::PutFixed32(&b, 1);
  format::PutFixed64(&b, format::Checksum(b));
  format::DeleteSnapshot out;
  ASSERT_OK(format::DecodeDeleteSnapshot(b, &out));
  EXPECT_EQ(out.covered, SeqNo(77));
  EXPECT_EQ(out.receive_states,
            (format::ReceiveStates{{5, {3, 0, 0, 0}}, {9, {1, 0, 0, 0}}}));
  // A version this build does not know is NotSupported, not Corruption.
  ByteBuffer v3 = b;
  format::EncodeFixed32(v3.data() + 8, 3);
  format::EncodeFixed64(v3.data() + v3.size() - 8,
                        format::Checksum(ByteView(v3).first(v3.size() - 8)));
  EXPECT_EQ(format::DecodeDeleteSnapshot(v3, &out).code(), StatusCode::kNotSupported);
}

TEST(DeleteIndexFormatTest, ReceiveRecordRoundTripAndMalformed) {
  const format::ReceiveState st{7, 1'700'000'000'000, 1'700'000'030'000, 1'699'999'000'000};
  ByteBuffer b = format::EncodeJournalRecord(format::ReceiveRecord(1ull << 40, st));
  EXPECT_EQ(b[0], format::kJournalReceive);
  format::JournalRecord out;
  ASSERT_OK(format::DecodeJournalRecord(b, &out));
  EXPECT_EQ(out.type, format::kJournalReceive);
  EXPECT_EQ(out.ids, std::vector<uint64_t>{1ull << 40});
  EXPECT_EQ(out.count, 7u);
  EXPECT_EQ(out.received_ms, st.received_ms);
  EXPECT_EQ(out.visible_ms, st.visible_ms);
  EXPECT_EQ(out.first_ms, st.first_ms);
  for (size_t n = 0; n < b.size(); ++n) {
    EXPECT_FALSE(format::DecodeJournalRecord(ByteView(b).first(n), &out).ok()) << n;
  }
  // count 0, and a first receive after the receive (first delta > received_ms): malformed.
  ByteBuffer zero = {format::kJournalReceive, 1, 0, 10, 0, 0};
  EXPECT_EQ(format::DecodeJournalRecord(zero, &out).code(), StatusCode::kCorruption);
  ByteBuffer late = {format::kJournalReceive, 1, 1, 10, 0, 11};
  EXPECT_EQ(format::DecodeJournalRecord(late, &out).code(), StatusCode::kCorruption);
}

// The replay rule (SPEC.md 15.4), record by record.
TEST(DeleteIndexFormatTest, ReplayRule) {
  Roaring64Map deleted;
  format::ReceiveStates st;
  auto apply = [&](const format::JournalRecord& r) {
    format::ApplyJournalRecord(r, &deleted, &st);
  };
  apply(format::ReceiveRecord(1, {1, 1000, 31000, 1000}));
  EXPECT_EQ(st[1], (format::ReceiveState{1, 1000, 31000, 1000}));
  // The same receive (count and time) again: a visibility change, the later record wins,
  // shorter or longer.
  apply(format::ReceiveRecord(1, {1, 1000, 5000, 1000}));
  EXPECT_EQ(st[1].visible_ms, 5000);
  apply(format::ReceiveRecord(1, {1, 1000, 90000, 1000}));
  EXPECT_EQ(st[1].visible_ms, 90000);
  // The same count at another time: not that receive, ignored.
  apply(format::ReceiveRecord(1, {1, 2000, 2000, 2000}));
  EXPECT_EQ(st[1], (format::ReceiveState{1, 1000, 90000, 1000}));
  // A higher count replaces it all; a lower one is ignored.
  apply(format::ReceiveRecord(1, {3, 95000, 125000, 1000}));
  EXPECT_EQ(st[1], (format::ReceiveState{3, 95000, 125000, 1000}));
  apply(format::ReceiveRecord(1, {2, 99000, 999000, 1000}));
  EXPECT_EQ(st[1], (format::ReceiveState{3, 95000, 125000, 1000}));
  // A type-2 record (count only): a higher count replaces, times unknown.
  apply(format::JournalRecord{format::kJournalReceiveCount, {1}, 4});
  EXPECT_EQ(st[1], (format::ReceiveState{4, 0, 0, 0}));
  apply(format::JournalRecord{format::kJournalReceiveCount, {1}, 4});
  EXPECT_EQ(st[1], (format::ReceiveState{4, 0, 0, 0}));
  // A delete wins: the state goes, and later receive records of it are ignored.
  apply(format::JournalRecord{format::kJournalDeletes, {1}, 0});
  EXPECT_EQ(st.count(1), 0u);
  apply(format::ReceiveRecord(1, {9, 1, 1, 1}));
  EXPECT_EQ(st.count(1), 0u);
  apply(format::ReceiveRecord(5, {1, 1, 1, 1}));
  format::JournalRecord range{format::kJournalDeleteRange, {}, 0};
  range.lo = 4;
  range.hi = 6;
  apply(range);
  EXPECT_TRUE(st.empty());
}

TEST(DeleteIndexFormatTest, JournalRecords) {
  format::JournalRecord d{format::kJournalDeletes, {3, 4, 100, 1ull << 40}, 0};
  format::JournalRecord out;
  ASSERT_OK(format::DecodeJournalRecord(format::EncodeJournalRecord(d), &out));
  EXPECT_EQ(out.ids, d.ids);
  format::JournalRecord c{format::kJournalReceiveCount, {77}, 5};
  ASSERT_OK(format::DecodeJournalRecord(format::EncodeJournalRecord(c), &out));
  EXPECT_EQ(out.ids, std::vector<uint64_t>{77});
  EXPECT_EQ(out.count, 5u);
  ByteBuffer b = format::EncodeJournalRecord(d);
  for (size_t n = 0; n < b.size(); ++n) {
    EXPECT_FALSE(format::DecodeJournalRecord(ByteView(b).first(n), &out).ok()) << n;
  }
  b.push_back(0);
  EXPECT_EQ(format::DecodeJournalRecord(b, &out).code(), StatusCode::kCorruption);
  ByteBuffer unknown = {9, 1, 1};
  EXPECT_EQ(format::DecodeJournalRecord(unknown, &out).code(), StatusCode::kNotSupported);
}

class DeleteIndexTest : public ::testing::Test {
 protected:
  Status Open(io::FileSystem* fs = nullptr, Durability d = Durability::kAlways) {
    index_.reset();
    store_.reset();
    StoreOptions so;
    so.clock = &clock_;
    so.file_system = fs;
    SEGLOG_RETURN_IF_ERROR(Store::Open(dir_.path(), so, &store_));
    Status s = store_->GetLog("journal", &journal_);
    if (s.code() == StatusCode::kNotFound) {
      LogOptions lo;
      lo.durability = d;
      lo.segment_size = 8192;  // many journal segments, so trimming shows
      s = store_->CreateLog("journal", lo, &journal_);
    }
    SEGLOG_RETURN_IF_ERROR(s);
    return DeleteIndex::Open(journal_, store_->file_system(), &index_);
  }
  TempDir dir_;
  // A receive state for `count`: received at 1000 + count - 1, first at 1000, 30 s visibility.
  Status SetReceive(SeqNo id, uint32_t count) {
    const int64_t at = 1000 + count - 1;
    const std::pair<SeqNo, format::ReceiveState> one(id, {count, at, at + 30000, 1000});
    return index_->SetReceiveStates(std::span(&one, 1));
  }
  ManualClock clock_;
  std::unique_ptr<Store> store_;
  Log* journal_ = nullptr;
  std::unique_ptr<DeleteIndex> index_;
};

TEST_F(DeleteIndexTest, DeletesAndCountsSurviveReopenAndSnapshots) {
  ASSERT_OK(Open(nullptr, Durability::kNone));
  std::set<uint64_t> deleted;
  std::mt19937_64 rng(3);
  for (int round = 0; round < 4; ++round) {
    for (int i = 0; i < 300; ++i) {
      std::vector<SeqNo> ids;
      for (int k = 0; k < 3; ++k) {
        uint64_t id = rng() % 5000 + (k == 2 ? (1ull << 35) : 0);
        ids.push_back(SeqNo(id));
        deleted.insert(id);
      }
      ASSERT_OK(index_->Delete(ids));
      ASSERT_OK(SetReceive(SeqNo(100000 + i), 1 + round));
    }
    if (round % 2 == 1) {
      const size_t before = journal_->Stats().segments;
      ASSERT_OK(index_->Snapshot());
      EXPECT_LT(journal_->Stats().segments, before);  // the journal was trimmed
    }
    ASSERT_OK(Open());
    EXPECT_EQ(index_->deleted_count(), deleted.size());
    for (uint64_t id : deleted) ASSERT_TRUE(index_->IsDeleted(SeqNo(id))) << id;
    EXPECT_FALSE(index_->IsDeleted(SeqNo(4999999)));
    EXPECT_EQ(index_->ReceiveCount(SeqNo(100000)), static_cast<uint32_t>(1 + round));
    EXPECT_EQ(index_->ReceiveStateOf(SeqNo(100000)),
              (format::ReceiveState{static_cast<uint32_t>(1 + round), 1000 + round,
                                    31000 + round, 1000}));
  }
  EXPECT_GT(index_->bitmap_bytes(), 0u);
  // Deleting forgets the receive count; counts never go down.
  ASSERT_OK(SetReceive(SeqNo(100001), 2));
  EXPECT_EQ(index_->ReceiveCount(SeqNo(100001)), 4u);
  const SeqNo gone(100001);
  ASSERT_OK(index_->Delete(std::span<const SeqNo>(&gone, 1)));
  EXPECT_EQ(index_->ReceiveCount(gone), 0u);
  EXPECT_EQ(index_->Delete({}).code(), StatusCode::kInvalidArgument);
}

TEST_F(DeleteIndexTest, CorruptSnapshotIsReportedNotIgnored) {
  ASSERT_OK(Open());
  const SeqNo id(5);
  ASSERT_OK(index_->Delete(std::span<const SeqNo>(&id, 1)));
  ASSERT_OK(index_->Snapshot());
  const std::string path = index_->snapshot_path();
  index_.reset();
  store_.reset();
  ASSERT_EQ(truncate(path.c_str(), 20), 0);
  Status s = Open();
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("DELETES"), std::string::npos) << s.message();
}

// Power loss at every point of a snapshot (and of the deletes around it): after reopening,
// every acknowledged delete is still in effect.
TEST_F(DeleteIndexTest, PowerLossDuringSnapshotLosesNoAcknowledgedDelete) {
  uint64_t calls = 0;
  for (uint64_t crash_after = 1; crash_after < 40; ++crash_after) {
    TempDir dir;
    std::unique_ptr<io::FileSystem> base;
    ASSERT_OK(io::NewFileSystem(io::Backend::kPwrite, &base));
    auto fault = std::make_unique<io::FaultFileSystem>(std::move(base));
    std::set<uint64_t> acked;
    {
      StoreOptions so;
      so.clock = &clock_;
      so.file_system = fault.get();
      std::unique_ptr<Store> store;
      ASSERT_OK(Store::Open(dir.path(), so, &store));
      LogOptions lo;
      lo.segment_size = 4096;
      Log* journal = nullptr;
      ASSERT_OK(store->CreateLog("journal", lo, &journal));
      std::unique_ptr<DeleteIndex> index;
      ASSERT_OK(DeleteIndex::Open(journal, store->file_system(), &index));
      for (uint64_t i = 0; i < 120; ++i) {
        const SeqNo id(i * 7);
        ASSERT_OK(index->Delete(std::span<const SeqNo>(&id, 1)));
        acked.insert(i * 7);
      }
      ASSERT_OK(index->Snapshot());
      fault->CrashAfter(crash_after);
      for (uint64_t i = 0; i < 40; ++i) {
        const SeqNo id(100000 + i);
        if (!index->Delete(std::span<const SeqNo>(&id, 1)).ok()) break;
        acked.insert(100000 + i);
        if (i == 20 && !index->Snapshot().ok()) break;
      }
      (void)index->Snapshot();
      fault->Crash();
      calls = fault->count(io::FsOp::kWrite);
    }
    ASSERT_OK(fault->SimulatePowerLoss(/*tear=*/crash_after % 2 == 0, crash_after));
    std::unique_ptr<Store> store;
    StoreOptions so;
    so.clock = &clock_;
    ASSERT_OK(Store::Open(dir.path(), so, &store)) << crash_after;
    Log* journal = nullptr;
    ASSERT_OK(store->GetLog("journal", &journal));
    std::unique_ptr<DeleteIndex> index;
    ASSERT_OK(DeleteIndex::Open(journal, store->file_system(), &index)) << crash_after;
    for (uint64_t id : acked) {
      ASSERT_TRUE(index->IsDeleted(SeqNo(id))) << "crash after " << crash_after << ": id " << id;
    }
  }
  EXPECT_GT(calls, 0u);
}

}  // namespace
}  // namespace seglog
