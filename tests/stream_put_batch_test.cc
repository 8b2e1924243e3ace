// Stream put batches and their failures (SPEC.md 14.2): Streams::PutBatchEach and
// seglog_stream_put_batch_v2 report each record (a shard whose append fails does not stop the
// others, and its records are not written), and what the old PutBatch leaves behind when a
// shard's append fails mid-batch. I/O errors come from the fault-injecting file system.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "engine/log/clock.h"
#include "engine/streams/stream.h"
#include "tests/support/capi_handle.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/fault_fs.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using testing::Str;
using testing::TempDir;
using testing::View;

constexpr uint32_t kShards = 4;
constexpr int kPerShard = 3;

// A 4-shard stream "s" over a fault-injecting file system; every shard holds one record
// ("warm", seq 0) so that its segment exists before a test injects a failure.
class StreamPutBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fault_ = new io::FaultFileSystem(io::NewPwriteFileSystem());
    fs_.reset(fault_);
    Open(fs_.get());
    StreamConfig c;
    c.shard_count = kShards;
    c.log.durability = Durability::kNone;
    ASSERT_OK(streams_->Create("s", c));
    const std::vector<HashKeyRange> ranges = SplitHashKeySpace(kShards);
    for (uint32_t i = 0; i < kShards; ++i) keys_.push_back(HashKeyToString(ranges[i].start));
    for (uint32_t i = 0; i < kShards; ++i) {
      std::vector<PutResult> r;
      ASSERT_OK(streams_->PutBatch("s", Batch({i}, "warm"), &r));
    }
  }
  void TearDown() override { (void)Close(); }

  void Open(io::FileSystem* fs) {
    StoreOptions so;
    so.clock = &clock_;
    so.file_system = fs;
    ASSERT_OK(testing::OpenEngine(dir_.path(), so, &store_, &streams_, nullptr));
  }
  // The store's close status: the sticky error of a log whose write failed, else OK.
  Status Close() {
    streams_.reset();
    Status s;
    if (store_) s = store_->Close();
    store_.reset();
    return s;
  }
  // After a failure: reopen over a healthy file system (recovery reads what is on disk).
  void Reopen() {
    (void)Close();
    plain_ = io::NewPwriteFileSystem();
    Open(plain_.get());
  }

  // kPerShard records for each shard in `shards`, interleaved (entry order is not shard
  // order): data "<tag>-<shard>-<k>".
  std::vector<PutEntry> Batch(const std::vector<uint32_t>& shards, const std::string& tag) {
    std::vector<PutEntry> out;
    const int per = tag == "warm" ? 1 : kPerShard;
    for (int k = 0; k < per; ++k) {
      for (uint32_t s : shards) {
        data_.push_back(tag + "-" + std::to_string(s) + "-" + std::to_string(k));
        HashKey h;
        EXPECT_OK(ParseHashKey(keys_[s], &h));
        out.push_back(PutEntry{View(kKey), View(data_.back()), h});
      }
    }
    return out;
  }
  // Every record of a shard, seq -> data.
  std::map<uint64_t, std::string> Read(uint32_t shard) {
    std::unique_ptr<StreamIterator> it;
    EXPECT_OK(streams_->NewIterator("s", shard, IteratorSpec{}, &it));
    std::map<uint64_t, std::string> out;
    for (;;) {
      std::vector<RecordView> recs;
      Status s = it->Next(1000, 1 << 20, &recs);
      if (s.IsNoMore()) break;
      EXPECT_OK(s);
      if (!s.ok()) break;
      for (const RecordView& r : recs) out[r.seq.value()] = Str(r.value);
    }
    return out;
  }
  // Makes the `n`-th write from now fail with EIO. Under kNone a shard's append is one write
  // (the fault file system offers no mapping), which the first put below checks.
  void FailNthWriteFromNow(uint64_t n) {
    fault_->FailNth(io::FsOp::kWrite, fault_->count(io::FsOp::kWrite) + n, EIO);
  }

  static constexpr const char* kKey = "pk";
  TempDir dir_;
  ManualClock clock_;
  io::FaultFileSystem* fault_ = nullptr;
  std::unique_ptr<io::FileSystem> fs_;
  std::unique_ptr<io::FileSystem> plain_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Streams> streams_;
  std::vector<std::string> keys_;   // an explicit hash key inside each shard
  std::deque<std::string> data_;    // the records' bytes (views point here; a deque keeps them)
};

// The second shard's append fails: exactly the other shards' records are reported OK, with
// seqs that read back (before and after reopening); the failed shard's records carry the error
// and are not there.
TEST_F(StreamPutBatchTest, PutBatchEachReportsEachRecordAndWritesTheOtherShards) {
  const uint64_t writes = fault_->count(io::FsOp::kWrite);
  std::vector<PutOutcome> ok_run;
  size_t failed = 99;
  ASSERT_OK(streams_->PutBatchEach("s", Batch({0, 1, 2, 3}, "a"), &ok_run, &failed));
  for (const PutOutcome& o : ok_run) ASSERT_OK(o.status);
  ASSERT_EQ(fault_->count(io::FsOp::kWrite) - writes, kShards) << "one write per shard";
  EXPECT_EQ(failed, 0u);

  FailNthWriteFromNow(2);  // shards are appended in index order: shard 1's append fails
  const std::vector<uint32_t> order = {3, 1, 0, 2};
  const std::vector<PutEntry> batch = Batch(order, "b");
  std::vector<PutOutcome> out;
  ASSERT_OK(streams_->PutBatchEach("s", batch, &out, &failed));
  ASSERT_EQ(out.size(), batch.size());
  EXPECT_EQ(failed, static_cast<size_t>(kPerShard));
  std::map<uint32_t, std::map<uint64_t, std::string>> want;  // shard -> seq -> data
  for (uint32_t s = 0; s < kShards; ++s) {
    want[s][0] = "warm-" + std::to_string(s) + "-0";
    for (int k = 0; k < kPerShard; ++k) {
      want[s][1 + k] = "a-" + std::to_string(s) + "-" + std::to_string(k);
    }
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    const uint32_t shard = order[i % kShards];
    EXPECT_EQ(out[i].shard, shard) << i;
    if (shard == 1) {
      EXPECT_EQ(out[i].status.code(), StatusCode::kIOError) << i;
      continue;
    }
    ASSERT_OK(out[i].status);
    EXPECT_EQ(out[i].seq.value(), 1 + kPerShard + i / kShards) << i;
    want[shard][out[i].seq.value()] = Str(batch[i].data);
  }
  for (int round = 0; round < 2; ++round) {
    for (uint32_t s = 0; s < kShards; ++s) EXPECT_EQ(Read(s), want[s]) << "shard " << s;
    if (round == 0) Reopen();
  }
}

// The old PutBatch stops at the failed shard: shards below it were written (their records
// read back), the failed one was not, those above were not tried; it returns the error.
TEST_F(StreamPutBatchTest, PutBatchStopsAtTheFailedShard) {
  FailNthWriteFromNow(2);
  std::vector<PutResult> r;
  EXPECT_EQ(streams_->PutBatch("s", Batch({2, 0, 3, 1}, "b"), &r).code(), StatusCode::kIOError);
  std::map<uint64_t, std::string> shard0 = {{0, "warm-0-0"}};
  for (int k = 0; k < kPerShard; ++k) shard0[1 + k] = "b-0-" + std::to_string(k);
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(Read(0), shard0);
    for (uint32_t s = 1; s < kShards; ++s) {
      EXPECT_EQ(Read(s), (std::map<uint64_t, std::string>{{0, "warm-" + std::to_string(s) + "-0"}}))
          << "shard " << s;
    }
    if (round == 0) Reopen();
  }
}

// Request-level checks are the old ones, and write nothing.
TEST_F(StreamPutBatchTest, PutBatchEachChecksTheWholeRequestFirst) {
  std::vector<PutEntry> batch = Batch({0, 1, 2, 3}, "c");
  batch[5].partition_key = ByteView();
  std::vector<PutOutcome> out;
  size_t failed = 7;
  EXPECT_EQ(streams_->PutBatchEach("s", batch, &out, &failed).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(failed, 7u);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(streams_->PutBatchEach("s", {}, &out, &failed).code(), StatusCode::kInvalidArgument);
  std::vector<PutEntry> many(kMaxPutBatchRecords + 1, batch[0]);
  EXPECT_EQ(streams_->PutBatchEach("s", many, &out, &failed).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(streams_->PutBatchEach("nope", batch, &out, &failed).code(), StatusCode::kNotFound);
  for (uint32_t s = 0; s < kShards; ++s) EXPECT_EQ(Read(s).size(), 1u) << "shard " << s;
}

// The C binding: per-record codes, Kinesis's error code, FailedRecordCount; bad input leaves
// results untouched.
TEST_F(StreamPutBatchTest, CApiPutBatchV2) {
  (void)Close();
  seglog_handle* db = nullptr;
  StoreOptions so;
  so.clock = &clock_;
  so.file_system = fs_.get();
  ASSERT_OK(testing::OpenCHandle(dir_.path(), so, &db));
  std::vector<seglog_put_entry> es(2 * kShards);
  std::vector<std::string> data(es.size());
  for (size_t i = 0; i < es.size(); ++i) {
    data[i] = "d" + std::to_string(i);
    es[i] = seglog_put_entry{kKey, 2, keys_[i % kShards].c_str(), data[i].data(),
                             data[i].size(), 0, 0};
  }
  std::vector<seglog_put_result> res(es.size());
  std::memset(res.data(), 0xab, res.size() * sizeof(res[0]));
  const std::vector<seglog_put_result> before = res;
  size_t failed = 42;
  // Bad input: untouched.
  es[3].partition_key_len = 0;
  EXPECT_EQ(seglog_stream_put_batch_v2(db, "s", es.data(), es.size(), res.data(), &failed),
            SEGLOG_EINVAL);
  EXPECT_NE(std::strstr(seglog_last_error(), "record 3"), nullptr) << seglog_last_error();
  es[3].partition_key_len = 2;
  EXPECT_EQ(seglog_stream_put_batch_v2(db, "s", es.data(), es.size(), nullptr, &failed),
            SEGLOG_EINVAL);
  EXPECT_EQ(seglog_stream_put_batch_v2(db, "s", es.data(), 0, res.data(), &failed),
            SEGLOG_EINVAL);
  EXPECT_EQ(std::memcmp(res.data(), before.data(), res.size() * sizeof(res[0])), 0);
  EXPECT_EQ(failed, 42u);
  // Shard 2's append fails (shards 0, 1 succeed first).
  FailNthWriteFromNow(3);
  ASSERT_EQ(seglog_stream_put_batch_v2(db, "s", es.data(), es.size(), res.data(), &failed),
            SEGLOG_OK);
  EXPECT_STREQ(seglog_last_error(), "");
  EXPECT_EQ(failed, 2u);
  for (size_t i = 0; i < es.size(); ++i) {
    const uint32_t shard = i % kShards;
    EXPECT_EQ(res[i].shard, shard);
    if (shard == 2) {
      EXPECT_EQ(res[i].code, SEGLOG_EIO) << i;
      EXPECT_STREQ(res[i].error_code, "InternalFailure");
      EXPECT_NE(std::strstr(res[i].message, "injected"), nullptr) << res[i].message;
      EXPECT_EQ(res[i].seq, 0u);
    } else {
      EXPECT_EQ(res[i].code, SEGLOG_OK) << i;
      EXPECT_STREQ(res[i].error_code, "");
      EXPECT_STREQ(res[i].message, "");
      EXPECT_EQ(res[i].seq, 1 + i / kShards) << "after the warm record";
    }
  }
  EXPECT_EQ(testing::CloseCHandle(db).code(), StatusCode::kIOError) << "shard 2's sticky error";
  Reopen();
  EXPECT_EQ(Read(2).size(), 1u);
  EXPECT_EQ(Read(3), (std::map<uint64_t, std::string>{{0, "warm-3-0"}, {1, "d3"}, {2, "d7"}}));
}

// A read-only store refuses the request as a whole.
TEST_F(StreamPutBatchTest, PutBatchEachOnAReadOnlyStore) {
  (void)Close();
  StoreOptions so;
  so.read_only = true;
  ASSERT_OK(testing::OpenEngine(dir_.path(), so, &store_, &streams_, nullptr));
  std::vector<PutOutcome> out;
  EXPECT_EQ(streams_->PutBatchEach("s", Batch({0}, "r"), &out, nullptr).code(),
            StatusCode::kReadOnly);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace seglog
