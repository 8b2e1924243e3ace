// Full disk (SPEC.md 13.8; issue 10, C and D): fill a small file system with stream puts or
// queue sends until the engine says NoSpace, then prove that everything acknowledged can still
// be read, received and deleted, and that deleting or purging a stream or queue frees space
// (statvfs says so) — with no outside help.
//
// The file systems are made by tests/full_disk_test.sh (an 8 MiB tmpfs and a loop-mounted ext4
// image, as root), which names the mount point in SEGLOG_FULL_DISK_DIR and unmounts it however
// the run ends. Without that variable every case is skipped: they must never fill the disk of
// the machine that runs the plain suite.
#include <sys/statvfs.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/queues/queue.h"
#include "engine/log/space_reserve.h"
#include "engine/log/store.h"
#include "engine/streams/stream.h"
#include "io/file_util.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using testing::CloseEngine;
using testing::OpenEngine;
using testing::View;

constexpr char kEnv[] = "SEGLOG_FULL_DISK_DIR";

// A body that names its index in its first 8 bytes, then filler.
std::string Body(uint64_t index, size_t size) {
  std::string b(size, static_cast<char>('a' + index % 26));
  std::memcpy(b.data(), &index, sizeof(index));
  return b;
}

class FullDisk : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* mount = std::getenv(kEnv);
    if (mount == nullptr || *mount == '\0') {
      GTEST_SKIP() << kEnv << " is not set: run through tests/full_disk_test.sh (ctest full_disk)";
    }
    mount_ = mount;
    dir_ = mount_ + "/" + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    ballast_ = dir_ + ".ballast";
    std::filesystem::remove_all(dir_);
    std::filesystem::remove(ballast_);
    Open();
  }
  void TearDown() override {
    Close();
    if (!dir_.empty()) {
      std::filesystem::remove_all(dir_);
      std::filesystem::remove(ballast_);
    }
  }

  // Takes what the engine left free (up to a segment: it stops at the first segment it cannot
  // allocate) with a file of its own, as another program filling the disk would: afterwards
  // not one block is free, and whatever the engine still does needs its reserve.
  void FillTheRest() {
    const int fd = ::open(ballast_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    ASSERT_GE(fd, 0) << std::strerror(errno);
    const std::string chunk(64 << 10, 'b');
    for (size_t size : {size_t{64} << 10, size_t{4096}, size_t{1024}, size_t{1}}) {
      while (::write(fd, chunk.data(), size) == static_cast<ssize_t>(size)) {
      }
    }
    (void)::fsync(fd);
    ::close(fd);
    EXPECT_LT(FreeBytes(), 4096u) << "the disk is full";
  }

  void Open() {
    ASSERT_OK(OpenEngine(dir_, StoreOptions{}, &store_, &streams_, &queues_));
  }
  void Close() { CloseEngine(&store_, &streams_, &queues_); }
  void Reopen() {
    Close();
    Open();
  }

  // Free bytes of the file system for an unprivileged writer, after syncing it (ext4 makes
  // freed blocks reusable when its journal commits).
  uint64_t FreeBytes() const {
    const int fd = ::open(mount_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      (void)::syncfs(fd);
      ::close(fd);
    }
    struct statvfs st;
    EXPECT_EQ(::statvfs(mount_.c_str(), &st), 0);
    return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
  }

  QueueConfig QueueCfg(uint64_t segment_size) {
    QueueConfig c;
    c.log.durability = Durability::kNone;
    c.log.segment_size = segment_size;
    c.visibility_timeout_s = 3600;  // nothing comes back while a test drains
    return c;
  }

  // Sends batches of 10 until a send fails; that failure must be NoSpace. id -> index.
  void FillQueue(const std::string& q, size_t body_bytes, std::map<uint64_t, uint64_t>* sent) {
    std::vector<std::string> bodies(kQueueMaxBatch);
    std::vector<SendEntry> batch(kQueueMaxBatch);
    Status s;
    for (uint64_t n = 0; n < 10'000'000; n += kQueueMaxBatch) {
      for (size_t i = 0; i < batch.size(); ++i) {
        bodies[i] = Body(n + i, body_bytes);
        batch[i].body = View(bodies[i]);
      }
      std::vector<SendResult> results;
      s = queues_->SendBatch(q, batch, &results);
      if (!s.ok()) break;
      for (size_t i = 0; i < results.size(); ++i) (*sent)[results[i].id.value()] = n + i;
    }
    ASSERT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
    ASSERT_GT(sent->size(), 1000u);
  }

  // Receives and deletes (one receipt per call when `one_by_one`, else in batches) until a
  // receive comes back empty; every message must arrive exactly once, with its body, and
  // every delete succeed. `maintain_every`: run maintenance after so many deletes (0: never).
  void Drain(const std::string& q, const std::map<uint64_t, uint64_t>& sent, size_t body_bytes,
             bool one_by_one, size_t maintain_every) {
    std::set<uint64_t> got;
    size_t deletes = 0;
    for (;;) {
      std::vector<ReceivedMessage> msgs;
      ReceiveOptions ro;
      ro.max_messages = kQueueMaxBatch;
      ro.wait_s = 0;
      ASSERT_OK(queues_->Receive(q, ro, &msgs)) << "after " << got.size() << " received";
      if (msgs.empty()) break;
      std::vector<std::string_view> receipts;
      for (const ReceivedMessage& m : msgs) {
        auto it = sent.find(m.id.value());
        ASSERT_NE(it, sent.end()) << "message " << m.id.value() << " was never sent";
        ASSERT_EQ(m.body, Body(it->second, body_bytes)) << "message " << m.id.value();
        ASSERT_TRUE(got.insert(m.id.value()).second) << "message " << m.id.value() << " twice";
        receipts.push_back(m.receipt);
      }
      if (one_by_one) {
        for (std::string_view r : receipts) {
          ASSERT_OK(queues_->DeleteMessage(q, r)) << "delete " << deletes;
          ++deletes;
        }
      } else {
        std::vector<Status> results;
        ASSERT_OK(queues_->DeleteMessageBatch(q, receipts, &results));
        for (const Status& s : results) ASSERT_OK(s) << "delete " << deletes;
        deletes += receipts.size();
      }
      if (maintain_every != 0 && deletes % maintain_every < receipts.size()) {
        ASSERT_OK(queues_->RunMaintenance()) << "after " << deletes << " deletes";
      }
    }
    EXPECT_EQ(got.size(), sent.size()) << "every acknowledged message, once";
  }

  std::string mount_;
  std::string dir_;
  std::string ballast_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Streams> streams_;
  std::unique_ptr<Queues> queues_;
};

// The reserve file itself, on any disk (no mount needed): sizes, release, refill, shrink.
TEST(SpaceReserve, ReleaseGivesBackWholeBlocksAndRefillRestoresTheTarget) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/RESERVE";
  std::unique_ptr<FileSpaceReserve> r;
  ASSERT_OK(FileSpaceReserve::Open(path, &r));
  EXPECT_EQ(r->target(), 0u);
  r->SetSizes(/*journal_segment=*/64 << 10, /*catalog_bytes=*/100);
  r->NeedSnapshotRoom(5000);
  // 2 x 64 KiB + 2 x one block (the catalog) + two blocks (5,000 bytes of snapshot).
  EXPECT_EQ(r->target(), (128u << 10) + 4 * 4096u);
  EXPECT_FALSE(r->Depleted());
  r->Refill();
  EXPECT_EQ(r->reserved(), r->target());
  uint64_t size = 0;
  ASSERT_OK(io::FileSize(path, &size));
  EXPECT_EQ(size, r->target());

  EXPECT_TRUE(r->Release(5000));  // rounded to whole blocks: at least what was asked
  EXPECT_EQ(r->reserved(), r->target() - 8192);
  EXPECT_TRUE(r->Depleted());
  r->Refill();
  EXPECT_EQ(r->reserved(), r->target());
  EXPECT_FALSE(r->Depleted());

  EXPECT_TRUE(r->Release(1u << 30));  // more than there is: all of it
  EXPECT_EQ(r->reserved(), 0u);
  EXPECT_FALSE(r->Release(1)) << "nothing left to give";
  r->SetSizes(0, 100);  // the queue is gone: no journal, no snapshot room
  r->Refill();
  EXPECT_EQ(r->reserved(), 8192u);
  r.reset();
  // A later open finds the file and its size.
  ASSERT_OK(FileSpaceReserve::Open(path, &r));
  EXPECT_EQ(r->reserved(), 8192u);
}

TEST_F(FullDisk, ReserveIsAllocatedAtOpen) {
  QueueConfig c = QueueCfg(1 << 20);
  ASSERT_OK(queues_->Create("q", c));
  // Two journal segments (1 MiB each: min(segment size, 8 MiB)) + twice the catalog (a block
  // each) + a snapshot's room (a block).
  EXPECT_EQ(store_->reserve_target(), (2u << 20) + 3 * 4096u);
  EXPECT_EQ(store_->reserve_bytes(), store_->reserve_target());
  uint64_t size = 0;
  ASSERT_OK(io::FileSize(dir_ + "/RESERVE", &size));
  EXPECT_EQ(size, store_->reserve_target());
  ASSERT_OK(queues_->Delete("q"));
  EXPECT_LT(store_->reserve_target(), 1u << 20) << "no queue: no journal segment kept";
  EXPECT_EQ(store_->reserve_bytes(), store_->reserve_target());
}

// Issue 10 C + D for streams: reopening a full disk reads every acknowledged record, and
// deleting the stream (a catalog write on a full disk) frees the space.
TEST_F(FullDisk, StreamFilledReopenedReadsEverythingAndDeleteFreesSpace) {
  StreamConfig c;
  c.log.segment_size = 1 << 20;
  c.log.durability = Durability::kNone;
  ASSERT_OK(streams_->Create("s", c));
  constexpr size_t kBytes = 1000;
  std::vector<uint64_t> acked;  // seq of record i
  Status s;
  for (uint64_t i = 0; i < 10'000'000; ++i) {
    const std::string data = Body(i, kBytes);
    PutEntry e;
    e.partition_key = View("k");
    e.data = View(data);
    PutResult r;
    s = streams_->Put("s", e, &r);
    if (!s.ok()) break;
    acked.push_back(r.seq.value());
  }
  ASSERT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
  ASSERT_GT(acked.size(), 1000u);
  ASSERT_NO_FATAL_FAILURE(FillTheRest());

  Reopen();
  {
    std::unique_ptr<StreamIterator> it;
    ASSERT_OK(streams_->NewIterator("s", 0, IteratorSpec{}, &it));
    size_t n = 0;
    for (;;) {
      std::vector<RecordView> out;
      Status st = it->Next(1000, 1 << 20, &out);
      if (st.IsNoMore()) break;
      ASSERT_OK(st) << "after " << n << " records";
      for (const RecordView& r : out) {
        ASSERT_LT(n, acked.size());
        ASSERT_EQ(r.seq.value(), acked[n]);
        ASSERT_EQ(testing::Str(r.value), Body(n, kBytes)) << "record " << n;
        ++n;
      }
    }
    EXPECT_EQ(n, acked.size()) << "every acknowledged record, after the reopen";
  }
  const uint64_t before = FreeBytes();
  ASSERT_OK(streams_->Delete("s"));
  const uint64_t after = FreeBytes();
  EXPECT_GT(after, before + acked.size() * kBytes / 2) << "before " << before;
  // And the disk is usable again.
  ASSERT_OK(streams_->Create("t", c));
  PutEntry e;
  e.partition_key = View("k");
  e.data = View("after");
  PutResult r;
  EXPECT_OK(streams_->Put("t", e, &r));
}

// Issue 10 C + D for queues: after a reopen on a full disk a consumer receives and deletes
// every message exactly once; compaction then removes the dead segments, deleting the queue
// frees the rest.
TEST_F(FullDisk, QueueFilledReopenedDrainsExactlyOnceThenCompactAndDeleteFreeSpace) {
  ASSERT_OK(queues_->Create("q", QueueCfg(1 << 20)));
  constexpr size_t kBytes = 1000;
  std::map<uint64_t, uint64_t> sent;
  ASSERT_NO_FATAL_FAILURE(FillQueue("q", kBytes, &sent));
  ASSERT_NO_FATAL_FAILURE(FillTheRest());
  Reopen();
  QueueStats st;
  ASSERT_OK(queues_->Stats("q", &st));
  EXPECT_EQ(st.visible, sent.size());
  ASSERT_NO_FATAL_FAILURE(Drain("q", sent, kBytes, /*one_by_one=*/false, 0));

  const uint64_t before = FreeBytes();
  size_t rewritten = 0, removed = 0;
  ASSERT_OK(queues_->Compact("q", &rewritten, &removed));
  EXPECT_GT(removed, 0u);
  const uint64_t compacted = FreeBytes();
  EXPECT_GT(compacted, before + (1u << 20)) << "before " << before;
  ASSERT_OK(queues_->Delete("q"));
  EXPECT_GT(FreeBytes(), compacted) << "deleting the queue frees its active segments";
}

// Purge on a full disk: journaled through the reserve, and the purged segments go at once.
TEST_F(FullDisk, QueuePurgeOnFullDiskFreesSpaceAndSendsWorkAgain) {
  ASSERT_OK(queues_->Create("q", QueueCfg(1 << 20)));
  constexpr size_t kBytes = 1000;
  std::map<uint64_t, uint64_t> sent;
  ASSERT_NO_FATAL_FAILURE(FillQueue("q", kBytes, &sent));
  ASSERT_NO_FATAL_FAILURE(FillTheRest());
  Reopen();
  std::vector<ReceivedMessage> msgs;
  ReceiveOptions ro;
  ro.max_messages = 10;
  ASSERT_OK(queues_->Receive("q", ro, &msgs));
  ASSERT_EQ(msgs.size(), 10u);
  ASSERT_OK(queues_->DeleteMessage("q", msgs[0].receipt));

  const uint64_t before = FreeBytes();
  ASSERT_OK(queues_->Purge("q"));
  const uint64_t after = FreeBytes();
  EXPECT_GT(after, before + (1u << 20)) << "before " << before;
  msgs.clear();
  ASSERT_OK(queues_->Receive("q", ro, &msgs));
  EXPECT_TRUE(msgs.empty()) << "purged";
  const std::string body = Body(0, kBytes);
  SendEntry e;
  e.body = View(body);
  SendResult r;
  EXPECT_OK(queues_->Send("q", e, &r)) << "the purge gave the space back";
  ASSERT_OK(queues_->Delete("q"));
  EXPECT_GT(FreeBytes(), after);
}

// Deleting a queue on a full disk, reopened and untouched: one catalog write, from the reserve.
TEST_F(FullDisk, QueueDeleteOnFullDiskFreesSpace) {
  ASSERT_OK(queues_->Create("q", QueueCfg(1 << 20)));
  std::map<uint64_t, uint64_t> sent;
  ASSERT_NO_FATAL_FAILURE(FillQueue("q", 1000, &sent));
  ASSERT_NO_FATAL_FAILURE(FillTheRest());
  Reopen();
  const uint64_t before = FreeBytes();
  ASSERT_OK(queues_->Delete("q"));
  EXPECT_GT(FreeBytes(), before + sent.size() * 1000 / 2) << "before " << before;
  EXPECT_TRUE(queues_->List().empty());
  Reopen();
  EXPECT_TRUE(queues_->List().empty()) << "the delete is durable";
}

// Deletes keep working after the journal's active segment fills on a full disk: its next
// segment comes from the reserve, and the delete index then snapshots and trims its journal
// (and the reserve is refilled) before the next roll needs room again. The first part runs
// no maintenance at all; the rest runs it every 1,000 deletes, as the background task would.
TEST_F(FullDisk, QueueDeletesGoOnAfterTheJournalSegmentFills) {
  ASSERT_OK(queues_->Create("q", QueueCfg(64 << 10)));  // journal segments of 64 KiB
  constexpr size_t kBytes = 200;
  std::map<uint64_t, uint64_t> sent;
  ASSERT_NO_FATAL_FAILURE(FillQueue("q", kBytes, &sent));
  ASSERT_NO_FATAL_FAILURE(FillTheRest());
  // Without maintenance: about 4 journal segments of deletes (about 70 bytes each).
  std::map<uint64_t, uint64_t> first;
  for (auto it = sent.begin(); it != sent.end() && first.size() < 4000; ++it) first.insert(*it);
  std::set<uint64_t> got;
  size_t depleted = 0;  // deletes after which the reserve was below its full size
  while (got.size() < first.size()) {
    std::vector<ReceivedMessage> msgs;
    ReceiveOptions ro;
    ro.max_messages = 10;
    ASSERT_OK(queues_->Receive("q", ro, &msgs)) << "after " << got.size();
    ASSERT_FALSE(msgs.empty());
    for (const ReceivedMessage& m : msgs) {
      ASSERT_TRUE(got.insert(m.id.value()).second);
      ASSERT_OK(queues_->DeleteMessage("q", m.receipt)) << "delete " << got.size();
      if (store_->reserve_bytes() < store_->reserve_target()) ++depleted;
    }
  }
  EXPECT_GT(depleted, 0u) << "the journal's segments came from the reserve";
  std::map<uint64_t, uint64_t> rest;
  for (const auto& [id, i] : sent) {
    if (got.count(id) == 0) rest.emplace(id, i);
  }
  ASSERT_NO_FATAL_FAILURE(Drain("q", rest, kBytes, /*one_by_one=*/true, 1000));
  Reopen();
  QueueStats st;
  ASSERT_OK(queues_->Stats("q", &st));
  EXPECT_EQ(st.visible, 0u) << "every delete was journaled";
  const uint64_t before = FreeBytes();
  ASSERT_OK(queues_->Delete("q"));
  EXPECT_GT(FreeBytes(), before);
}

}  // namespace
}  // namespace seglog
