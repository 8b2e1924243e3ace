// Kinesis-style streams: routing, puts, every iterator type, bounds, retention, checkpoints
// (threads and kill -9: tests/concurrency/stream_concurrency_test.cc).
#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <map>
#include <random>
#include <thread>

#include "engine/log/clock.h"
#include "engine/streams/stream.h"
#include "io/file_util.h"
#include "tests/support/test_util.h"
#include "tests/support/stream_fixture.h"

namespace seglog {
namespace {

using testing::Str;
using testing::TempDir;
using testing::View;

using testing::ExpectedShard;
using testing::StreamTest;

TEST_F(StreamTest, CreateDescribeListDelete) {
  ASSERT_OK(streams_->Create("orders", Config(4)));
  EXPECT_EQ(streams_->Create("orders", Config(2)).code(), StatusCode::kAlreadyExists);
  ASSERT_OK(streams_->Create("b", Config(1)));
  EXPECT_EQ(streams_->List(), (std::vector<std::string>{"b", "orders"}));
  EXPECT_TRUE(store_->ListLogs().empty());  // shard logs are not user logs
  StreamDescription d;
  ASSERT_OK(streams_->Describe("orders", &d));
  ASSERT_EQ(d.shards.size(), 4u);
  EXPECT_EQ(d.retention_hours, 24u);
  EXPECT_EQ(HashKeyToString(d.shards[0].hash_range.start), "0");
  EXPECT_EQ(HashKeyToString(d.shards[3].hash_range.end), "340282366920938463463374607431768211455");
  EXPECT_EQ(HashKeyToString(d.shards[1].hash_range.start), "85070591730234615865843651857942052864");
  Put("orders", "k", "v");
  Open();  // settings and data come back from disk
  ASSERT_OK(streams_->Describe("orders", &d));
  uint64_t total = 0;
  for (auto& s : d.shards) total += s.next_seq.value();
  EXPECT_EQ(total, 1u);
  ASSERT_OK(streams_->Delete("orders"));
  EXPECT_EQ(streams_->Describe("orders", &d).code(), StatusCode::kNotFound);
  EXPECT_EQ(streams_->Delete("orders").code(), StatusCode::kNotFound);
  EXPECT_EQ(streams_->List(), std::vector<std::string>{"b"});
  ASSERT_OK(streams_->Create("orders", Config(2)));  // the name is free again
  ASSERT_OK(streams_->Describe("orders", &d));
  EXPECT_EQ(d.shards.size(), 2u);
  EXPECT_EQ(d.shards[0].next_seq.value(), 0u);
}

TEST_F(StreamTest, BadConfigsAndNamesAreRejected) {
  for (uint32_t n : {0u, 1025u}) {
    EXPECT_EQ(streams_->Create("s", Config(n)).code(), StatusCode::kInvalidArgument) << n;
  }
  StreamConfig c = Config(1);
  for (uint32_t h : {0u, 8761u}) {
    c.retention_hours = h;
    EXPECT_EQ(streams_->Create("s", c).code(), StatusCode::kInvalidArgument) << h;
  }
  c = Config(1);
  for (uint32_t m : {512u, (10u << 20) + 1}) {
    c.max_record_bytes = m;
    EXPECT_EQ(streams_->Create("s", c).code(), StatusCode::kInvalidArgument) << m;
  }
  for (const char* bad : {"", "..", "a/b", "a:b", "x y"}) {
    EXPECT_EQ(streams_->Create(bad, Config(1)).code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_TRUE(streams_->List().empty());
  ASSERT_OK(streams_->Create("s", Config(2)));
  EXPECT_EQ(streams_->SetRetention("s", 0).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(streams_->SetRetention("nope", 5).code(), StatusCode::kNotFound);
  std::unique_ptr<StreamIterator> it;
  Status s = streams_->NewIterator("s", 2, IteratorSpec{}, &it);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("out of range"), std::string::npos) << s.message();
}

TEST_F(StreamTest, PartitionKeysRouteLikeKinesisAndExplicitHashKeysOverride) {
  ASSERT_OK(streams_->Create("r", Config(5)));
  std::map<uint32_t, std::vector<std::string>> per_shard;
  for (int i = 0; i < 300; ++i) {
    const std::string key = "user-" + std::to_string(i);
    PutResult r = Put("r", key, "data-" + std::to_string(i));
    ASSERT_EQ(r.shard, ExpectedShard(key, 5)) << key;
    per_shard[r.shard].push_back("data-" + std::to_string(i));
  }
  for (uint32_t sh = 0; sh < 5; ++sh) {
    auto it = Iter("r", sh, IteratorType::kTrimHorizon);
    auto got = Drain(it.get());
    ASSERT_EQ(got.size(), per_shard[sh].size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].first, i);  // per-shard sequences from 0, no gaps
      EXPECT_EQ(got[i].second, per_shard[sh][i]);
    }
  }
  // An explicit hash key picks the shard whatever the partition key.
  HashKey k;
  ASSERT_OK(ParseHashKey("340282366920938463463374607431768211455", &k));
  PutEntry e{View("user-0"), View("x"), k};
  PutResult r;
  ASSERT_OK(streams_->Put("r", e, &r));
  EXPECT_EQ(r.shard, 4u);
  ASSERT_OK(ParseHashKey("0", &k));
  e.explicit_hash_key = k;
  ASSERT_OK(streams_->Put("r", e, &r));
  EXPECT_EQ(r.shard, 0u);
}

TEST_F(StreamTest, BadPutsChangeNothing) {
  StreamConfig c = Config(2);
  c.max_record_bytes = 2048;
  ASSERT_OK(streams_->Create("p", c));
  auto next_total = [&] {
    StreamDescription d;
    EXPECT_OK(streams_->Describe("p", &d));
    uint64_t n = 0;
    for (auto& s : d.shards) n += s.next_seq.value();
    return n;
  };
  PutResult r;
  std::string big(2049, 'x'), key257(257, 'k'), ok(10, 'o');
  EXPECT_EQ(streams_->Put("p", PutEntry{View(""), View(ok), std::nullopt}, &r).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(streams_->Put("p", PutEntry{View(key257), View(ok), std::nullopt}, &r).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(streams_->Put("p", PutEntry{View("k"), View(big), std::nullopt}, &r).code(),
            StatusCode::kTooLarge);
  const std::string key256(256, 'k'), data2048(2048, 'x');
  EXPECT_OK(streams_->Put("p", PutEntry{View(key256), View(data2048), std::nullopt}, &r));
  EXPECT_EQ(next_total(), 1u);
  // A batch with one bad record writes none of it.
  std::vector<PutEntry> batch(10, PutEntry{View("k"), View(ok), std::nullopt});
  batch[7].data = View(big);
  std::vector<PutResult> results;
  EXPECT_EQ(streams_->PutBatch("p", batch, &results).code(), StatusCode::kTooLarge);
  EXPECT_EQ(next_total(), 1u);
  std::vector<PutEntry> too_many(501, PutEntry{View("k"), View(ok), std::nullopt});
  EXPECT_EQ(streams_->PutBatch("p", too_many, &results).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(streams_->PutBatch("p", {}, &results).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(streams_->PutBatch("nope", batch, &results).code(), StatusCode::kNotFound);
  EXPECT_EQ(next_total(), 1u);
}

TEST_F(StreamTest, BatchOverFiveMiBIsRefused) {
  StreamConfig c = Config(1);
  c.max_record_bytes = 1 << 20;
  c.log.segment_size = 64 << 20;
  ASSERT_OK(streams_->Create("big", c));
  std::string mib(1 << 20, 'm');
  std::vector<PutEntry> batch(5, PutEntry{View("k"), View(mib), std::nullopt});
  std::vector<PutResult> results;
  EXPECT_EQ(streams_->PutBatch("big", batch, &results).code(), StatusCode::kTooLarge);
  // A single put may carry a record up to the stream's limit, beyond the batch bound.
  StreamConfig c10 = Config(1);
  c10.max_record_bytes = 10u << 20;
  c10.log.segment_size = 64 << 20;
  ASSERT_OK(streams_->Create("huge", c10));
  std::string ten(10u << 20, 't');
  PutResult one;
  ASSERT_OK(streams_->Put("huge", PutEntry{View("k"), View(ten), std::nullopt}, &one));
  std::vector<RecordView> got;
  auto it = Iter("huge", 0, IteratorType::kTrimHorizon);
  ASSERT_OK(it->Next(1, 0, &got));
  EXPECT_EQ(got[0].value.size(), ten.size());
  batch.resize(4);
  ASSERT_OK(streams_->PutBatch("big", batch, &results));
  ASSERT_EQ(results.size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(results[i].seq.value(), i);
}

TEST_F(StreamTest, PutBatchIsOneAtomicBatchPerShard) {
  ASSERT_OK(streams_->Create("b", Config(3)));
  std::vector<std::string> keys, vals;
  for (int i = 0; i < 500; ++i) {
    keys.push_back("key" + std::to_string(i));
    vals.push_back("val" + std::to_string(i));
  }
  std::vector<PutEntry> batch;
  for (int i = 0; i < 500; ++i) batch.push_back(PutEntry{View(keys[i]), View(vals[i]), std::nullopt});
  std::vector<PutResult> results;
  ASSERT_OK(streams_->PutBatch("b", batch, &results));
  std::map<uint32_t, uint64_t> expect_next;
  for (int i = 0; i < 500; ++i) {
    EXPECT_EQ(results[i].shard, ExpectedShard(keys[i], 3));
    // In each shard, the batch's records are consecutive and in the order given.
    EXPECT_EQ(results[i].seq.value(), expect_next[results[i].shard]++);
  }
  for (uint32_t sh = 0; sh < 3; ++sh) {
    auto got = Drain(Iter("b", sh, IteratorType::kTrimHorizon).get());
    ASSERT_EQ(got.size(), expect_next[sh]);
  }
}

TEST_F(StreamTest, EveryIteratorType) {
  ASSERT_OK(streams_->Create("it", Config(1)));
  const int64_t t0 = clock_.NowMs().value();
  for (int i = 0; i < 400; ++i) {
    Put("it", "k", "v" + std::to_string(i) + std::string(100, '.'));
    clock_.Advance(10);  // record i at t0 + 10 i
  }
  StreamDescription d;
  ASSERT_OK(streams_->Describe("it", &d));
  ASSERT_GT(d.shards[0].segments, 3u);
  auto first_value = [&](std::unique_ptr<StreamIterator> it) -> int64_t {
    std::vector<RecordView> recs;
    Status s = it->Next(1, 0, &recs);
    if (s.IsNoMore()) return -1;
    EXPECT_OK(s);
    return static_cast<int64_t>(recs[0].seq.value());
  };
  EXPECT_EQ(first_value(Iter("it", 0, IteratorType::kTrimHorizon)), 0);
  for (uint64_t s : {0ull, 1ull, 137ull, 399ull}) {
    EXPECT_EQ(first_value(Iter("it", 0, IteratorType::kAtSequenceNumber, s)), static_cast<int64_t>(s));
    EXPECT_EQ(first_value(Iter("it", 0, IteratorType::kAfterSequenceNumber, s)),
              s == 399 ? -1 : static_cast<int64_t>(s + 1));
  }
  // AFTER_SEQUENCE_NUMBER at each segment boundary: the last record of a segment.
  std::vector<std::string> names;
  ASSERT_OK(io::ListDir(store_->dir() + "/logs", &names));
  for (uint64_t s = 0; s < 400; ++s) {
    auto it = Iter("it", 0, IteratorType::kAfterSequenceNumber, s);
    auto got = Drain(it.get());
    ASSERT_EQ(got.size(), 399 - s);
    if (!got.empty()) {
      ASSERT_EQ(got.front().first, s + 1);
    }
  }
  // AT/AFTER a sequence number that does not exist yet.
  std::unique_ptr<StreamIterator> bad;
  EXPECT_EQ(streams_->NewIterator("it", 0, {IteratorType::kAtSequenceNumber, SeqNo(400), {}}, &bad).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(streams_->NewIterator("it", 0, {IteratorType::kAfterSequenceNumber, SeqNo(400), {}}, &bad).code(),
            StatusCode::kInvalidArgument);
  // AT_TIMESTAMP exactly on, between records, before all and past the end.
  EXPECT_EQ(first_value(Iter("it", 0, IteratorType::kAtTimestamp, 0, t0 + 50)), 5);
  EXPECT_EQ(first_value(Iter("it", 0, IteratorType::kAtTimestamp, 0, t0 + 51)), 6);
  EXPECT_EQ(first_value(Iter("it", 0, IteratorType::kAtTimestamp, 0, t0 - 1000)), 0);
  auto past = Iter("it", 0, IteratorType::kAtTimestamp, 0, t0 + 100000);
  auto latest = Iter("it", 0, IteratorType::kLatest);
  std::vector<RecordView> recs;
  EXPECT_TRUE(past->Next(10, 0, &recs).IsNoMore());
  EXPECT_TRUE(latest->Next(10, 0, &recs).IsNoMore());
  Put("it", "k", "later");
  ASSERT_OK(past->Next(10, 0, &recs));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(Str(recs[0].value), "later");
  recs.clear();
  ASSERT_OK(latest->Next(10, 0, &recs));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].seq.value(), 400u);
}

// The bounds cut inside a batch too (Streams reads a batch's records in one go and gives back
// the ones past a bound).
TEST_F(StreamTest, BoundsCutInsideABatch) {
  ASSERT_OK(streams_->Create("bat", Config(1)));
  std::vector<std::string> data;
  for (int i = 0; i < 12; ++i) data.push_back(std::string(1000, static_cast<char>('a' + i)));
  std::vector<PutEntry> batch;
  const std::string key = "k";
  for (auto& d : data) batch.push_back(PutEntry{View(key), View(d), std::nullopt});
  std::vector<PutResult> res;
  ASSERT_OK(streams_->PutBatch("bat", batch, &res));
  ASSERT_OK(streams_->PutBatch("bat", batch, &res));
  auto it = Iter("bat", 0, IteratorType::kTrimHorizon);
  std::vector<RecordView> recs;
  ASSERT_OK(it->Next(5, 0, &recs));
  ASSERT_EQ(recs.size(), 5u);
  // 1001 bytes per record: 3,500 bytes hold 3.
  ASSERT_OK(it->Next(1000, 3500, &recs));
  ASSERT_EQ(recs.size(), 8u);
  // Across the batch boundary, cut in the second batch.
  ASSERT_OK(it->Next(1000, 9000, &recs));
  ASSERT_EQ(recs.size(), 16u);
  ASSERT_OK(it->Next(1, 0, &recs));
  ASSERT_EQ(recs.size(), 17u);
  ASSERT_OK(it->Next(1000, 0, &recs));
  ASSERT_EQ(recs.size(), 24u);
  for (size_t i = 0; i < recs.size(); ++i) {
    ASSERT_EQ(recs[i].seq.value(), i);
    ASSERT_EQ(Str(recs[i].value), data[i % 12]);
  }
  EXPECT_TRUE(it->Next(1000, 0, &recs).IsNoMore());
}

TEST_F(StreamTest, ReadsAreBoundedByCountAndBytesAndStayValid) {
  ASSERT_OK(streams_->Create("bnd", Config(1)));
  for (int i = 0; i < 100; ++i) Put("bnd", "k", std::string(1000, static_cast<char>('a' + i % 26)));
  auto it = Iter("bnd", 0, IteratorType::kTrimHorizon);
  std::vector<RecordView> recs;
  ASSERT_OK(it->Next(7, 0, &recs));
  EXPECT_EQ(recs.size(), 7u);
  recs.clear();
  // 1001 bytes per record (key + data): 10,000 bytes hold 9.
  ASSERT_OK(it->Next(1000, 10000, &recs));
  EXPECT_EQ(recs.size(), 9u);
  EXPECT_EQ(recs.front().seq.value(), 7u);
  recs.clear();
  // A record larger than the byte bound still comes, alone.
  ASSERT_OK(it->Next(1000, 10, &recs));
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].seq.value(), 16u);
  recs.clear();
  // One call across many segments: every view is still valid at the end.
  ASSERT_OK(it->Next(1000, 0, &recs));
  ASSERT_EQ(recs.size(), 83u);
  for (auto& r : recs) {
    ASSERT_EQ(Str(r.value), std::string(1000, static_cast<char>('a' + r.seq.value() % 26)));
  }
}

TEST_F(StreamTest, RetentionRemovesExpiredDataAndReadersNeverSeeIt) {
  StreamConfig c = Config(1);
  c.retention_hours = 2;
  ASSERT_OK(streams_->Create("ret", c));
  // Three hours of records, one a minute.
  for (int i = 0; i < 180; ++i) {
    Put("ret", "k", std::to_string(i) + std::string(300, '.'));
    clock_.Advance(60'000);
  }
  // A reader positioned in the oldest segment (at a record made before retention was due).
  TimestampMs cutoff;
  ASSERT_OK(streams_->RetentionCutoff("ret", &cutoff));
  auto reader = Iter("ret", 0, IteratorType::kAtSequenceNumber, 1);
  std::vector<RecordView> recs;
  clock_.Advance(-3 * 3'600'000);  // back when nothing had expired
  ASSERT_OK(reader->Next(1, 0, &recs));
  ASSERT_EQ(recs[0].seq.value(), 1u);
  clock_.Advance(3 * 3'600'000);
  StreamDescription before;
  ASSERT_OK(streams_->Describe("ret", &before));
  ASSERT_OK(streams_->EnforceRetention());
  StreamDescription after;
  ASSERT_OK(streams_->Describe("ret", &after));
  EXPECT_LT(after.shards[0].segments, before.shards[0].segments);
  EXPECT_GT(after.shards[0].first_seq.value(), 0u);
  ASSERT_OK(streams_->RetentionCutoff("ret", &cutoff));
  auto check_fresh = [&](StreamIterator* it) {
    uint64_t n = 0;
    for (;;) {
      std::vector<RecordView> rs;
      Status s = it->Next(50, 0, &rs);
      if (s.IsNoMore()) break;
      ASSERT_OK(s);
      for (auto& r : rs) {
        ASSERT_GE(r.ts, cutoff) << "expired record " << r.seq.value() << " returned";
        ++n;
      }
    }
    // Records of the last two hours: 120 (minus none), all returned.
    EXPECT_EQ(n, 120u);
  };
  check_fresh(reader.get());
  check_fresh(Iter("ret", 0, IteratorType::kTrimHorizon).get());
  // Raising retention on the live stream keeps what is left; lowering it expires more.
  ASSERT_OK(streams_->SetRetention("ret", 1));
  ASSERT_OK(streams_->EnforceRetention());
  uint64_t n = Drain(Iter("ret", 0, IteratorType::kTrimHorizon).get()).size();
  EXPECT_EQ(n, 60u);
  reader.reset();  // iterators end before their store
  Open();
  StreamDescription d;
  ASSERT_OK(streams_->Describe("ret", &d));
  EXPECT_EQ(d.retention_hours, 1u);
}

// Checkpoints live in shard 0's directory, which appears only with shard 0's first record
// (SPEC.md 12): a checkpoint on another shard must not depend on it.
TEST_F(StreamTest, CheckpointOnAShardWhenShardZeroHasNoRecord) {
  ASSERT_OK(streams_->Create("c1", Config(2)));
  uint32_t shard1 = 0;
  std::string key;
  for (int i = 0; shard1 != 1 && i < 1000; ++i) {
    key = "k" + std::to_string(i);
    PutResult r = Put("c1", key, "v");
    shard1 = r.shard;
    if (r.shard == 0) {
      ASSERT_OK(streams_->Delete("c1"));  // start again until the first record goes to shard 1
      ASSERT_OK(streams_->Create("c1", Config(2)));
    }
  }
  ASSERT_EQ(shard1, 1u);
  ASSERT_OK(streams_->SetCheckpoint("c1", "app", 1, SeqNo(0)));
  Open();
  SeqNo s;
  ASSERT_OK(streams_->GetCheckpoint("c1", "app", 1, &s));
  EXPECT_EQ(s.value(), 0u);
}

TEST_F(StreamTest, CheckpointsAreDurablePerConsumerAndShard) {
  ASSERT_OK(streams_->Create("c", Config(2)));
  for (int i = 0; i < 50; ++i) Put("c", "key" + std::to_string(i), "v");
  SeqNo s;
  EXPECT_EQ(streams_->GetCheckpoint("c", "app", 0, &s).code(), StatusCode::kNotFound);
  ASSERT_OK(streams_->SetCheckpoint("c", "app", 0, SeqNo(3)));
  ASSERT_OK(streams_->SetCheckpoint("c", "app", 1, SeqNo(5)));
  ASSERT_OK(streams_->SetCheckpoint("c", "other", 0, SeqNo(1)));
  ASSERT_OK(streams_->SetCheckpoint("c", "app", 0, SeqNo(7)));
  StreamDescription d;
  ASSERT_OK(streams_->Describe("c", &d));
  EXPECT_EQ(streams_->SetCheckpoint("c", "app", 0, d.shards[0].next_seq).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(streams_->SetCheckpoint("c", "app", 2, SeqNo(0)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(streams_->SetCheckpoint("c", "a/b", 0, SeqNo(0)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(streams_->SetCheckpoint("nope", "app", 0, SeqNo(0)).code(), StatusCode::kNotFound);
  Open();
  ASSERT_OK(streams_->GetCheckpoint("c", "app", 0, &s));
  EXPECT_EQ(s.value(), 7u);
  ASSERT_OK(streams_->GetCheckpoint("c", "app", 1, &s));
  EXPECT_EQ(s.value(), 5u);
  ASSERT_OK(streams_->GetCheckpoint("c", "other", 0, &s));
  EXPECT_EQ(s.value(), 1u);
  EXPECT_EQ(streams_->GetCheckpoint("c", "other", 1, &s).code(), StatusCode::kNotFound);
  // Resume after the checkpoint.
  auto it = Iter("c", 0, IteratorType::kAfterSequenceNumber, 7);
  std::vector<RecordView> recs;
  ASSERT_OK(it->Next(1, 0, &recs));
  EXPECT_EQ(recs[0].seq.value(), 8u);
}

}  // namespace
}  // namespace seglog
