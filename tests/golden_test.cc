// The golden store (tests/golden/store, written once by tests/golden/make_golden.cc; see
// tests/golden/README.md): today's code, and every later version, must read exactly what
// tests/golden/expected.json says it holds. Never regenerate the store to make this pass: a
// format change must keep reading it.
//
// Each test works on a fresh copy. The clock is the generator's last moment plus a minute, so
// nothing has expired (stream and queue retention), every delay and visibility timeout has
// ended, and the FIFO dedup window (5 minutes) is still open.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/log/clock.h"
#include "engine/queues/queue.h"
#include "engine/log/store.h"
#include "engine/streams/stream.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using json = nlohmann::json;
using testing::CloseEngine;
using testing::OpenEngine;
using testing::RunCommand;
using testing::Str;
using testing::TempDir;
using testing::View;


class GoldenTest : public ::testing::TestWithParam<const char*> {
 protected:
  // The store of the version GetParam() names: tests/golden (0.1 to 0.2) or tests/golden/v0.3.
  std::string kGolden = std::string(SEGLOG_SOURCE_DIR) + "/" + GetParam();
  void SetUp() override {
    std::ifstream f(kGolden + "/expected.json");
    ASSERT_TRUE(f.good()) << kGolden << "/expected.json";
    expected_ = json::parse(f);
    std::filesystem::copy(kGolden + "/store", dir(), std::filesystem::copy_options::recursive);
    clock_.Set(expected_["clock_ms"].get<int64_t>() + 60'000);
  }
  void TearDown() override { Close(); }

  std::string dir() const { return tmp_.path() + "/store"; }
  void Open(bool read_only) {
    StoreOptions so;
    so.create_if_missing = false;
    so.read_only = read_only;
    so.clock = &clock_;
    ASSERT_OK(OpenEngine(dir(), so, &store_, &streams_, &queues_));
  }
  void Close() { CloseEngine(&store_, &streams_, &queues_); }

  // Opens the store and checks everything that reading alone can see.
  void OpenAndCheck(bool read_only) {
    ASSERT_NO_FATAL_FAILURE(Open(read_only));
    CheckStreams();
    CheckLogs();
    for (const json& q : expected_["queues"]) {
      SCOPED_TRACE(q["name"].get<std::string>());
      CheckQueueStats(q);
    }
  }

  // Every record of every shard, in order, the segment counts and the checkpoints.
  void CheckStreams() {
    for (const json& want : expected_["streams"]) {
      const std::string name = want["name"];
      StreamDescription d;
      ASSERT_OK(streams_->Describe(name, &d));
      ASSERT_EQ(d.shard_count, want["shard_count"].get<uint32_t>());
      for (uint32_t s = 0; s < d.shard_count; ++s) {
        SCOPED_TRACE(name + " shard " + std::to_string(s));
        const json& recs = want["shards"][s];
        EXPECT_EQ(d.shards[s].first_seq.value(), recs.front()["seq"].get<uint64_t>());
        EXPECT_EQ(d.shards[s].next_seq.value(), recs.back()["seq"].get<uint64_t>() + 1);
        EXPECT_EQ(d.shards[s].segments, want["segments"][s].get<size_t>());
        std::unique_ptr<StreamIterator> it;
        ASSERT_OK(streams_->NewIterator(name, s, IteratorSpec{}, &it));
        json got = json::array();
        std::vector<RecordView> batch;
        Status st;
        while ((st = it->Next(7, 1 << 20, &batch)).ok()) {
          for (const RecordView& r : batch) {
            got.push_back({{"seq", r.seq.value()}, {"key", Str(r.key)}, {"data", Str(r.value)}});
          }
          batch.clear();
        }
        ASSERT_TRUE(st.IsNoMore()) << st.ToString();
        ASSERT_EQ(got.size(), recs.size());
        for (size_t k = 0; k < got.size(); ++k) EXPECT_EQ(got[k], recs[k]) << "record " << k;
      }
      for (const json& c : want["checkpoints"]) {
        SeqNo seq;
        ASSERT_OK(streams_->GetCheckpoint(name, c["consumer"], c["shard"], &seq)) << c;
        EXPECT_EQ(seq.value(), c["seq"].get<uint64_t>()) << c;
      }
      SeqNo none;
      EXPECT_EQ(streams_->GetCheckpoint(name, "audit", 0, &none).code(), StatusCode::kNotFound);
    }
  }

  void CheckLogs() {
    for (const json& want : expected_["logs"]) {
      Log* log = nullptr;
      ASSERT_OK(store_->GetLog(want["name"], &log));
      std::unique_ptr<LogIterator> it;
      ASSERT_OK(log->NewIterator(SeqNo(0), &it));
      json got = json::array();
      RecordView r;
      Status st;
      while ((st = it->Next(&r)).ok()) {
        got.push_back({{"seq", r.seq.value()}, {"key", Str(r.key)}, {"value", Str(r.value)},
                       {"attrs", Str(r.attrs)}});
      }
      ASSERT_TRUE(st.IsNoMore()) << st.ToString();
      EXPECT_EQ(got, want["records"]);
    }
  }

  // The counts of a reopened queue: every undeleted message visible (in-flight state is not
  // kept across opens), none delayed.
  void CheckQueueStats(const json& want) {
    QueueStats st;
    ASSERT_OK(queues_->Stats(want["name"], &st));
    std::set<std::string> groups;
    for (const json& m : want["messages"]) groups.insert(m["group"].get<std::string>());
    EXPECT_EQ(st.visible, want["messages"].size());
    EXPECT_EQ(st.in_flight, 0u);
    EXPECT_EQ(st.delayed, 0u);
    EXPECT_EQ(st.groups, want["fifo"].get<bool>() ? groups.size() : 0u);
  }

  // Receives (and deletes, so that FIFO groups unlock) every message; checks each one and FIFO
  // order within a group.
  void ReceiveAll(const json& want) {
    const std::string name = want["name"];
    std::map<uint64_t, json> expect;
    std::map<std::string, std::vector<uint64_t>> group_order;
    for (const json& m : want["messages"]) {
      json e = m;
      e["receive_count"] = m["receive_count"].get<uint32_t>() + 1;  // this receive
      expect[m["id"].get<uint64_t>()] = e;
      group_order[m["group"]].push_back(m["id"]);
    }
    std::map<uint64_t, json> got;
    std::map<std::string, std::vector<uint64_t>> got_order;
    ReceiveOptions o;
    o.max_messages = 10;
    o.visibility_timeout_s = 600;
    o.wait_s = 0;
    for (std::vector<ReceivedMessage> batch;; batch.clear()) {
      ASSERT_OK(queues_->Receive(name, o, &batch));
      if (batch.empty()) break;
      for (const ReceivedMessage& m : batch) {
        json attrs = json::array();
        for (const ReceivedAttribute& a : m.attributes) {
          attrs.push_back({a.name, format::AttributeTypeName(a.type), a.value});
        }
        EXPECT_FALSE(got.contains(m.id.value())) << "delivered twice: " << m.id.value();
        got[m.id.value()] = {{"id", m.id.value()}, {"body", m.body}, {"group", m.group_id},
                             {"dedup", m.dedup_id}, {"attrs", attrs},
                             {"receive_count", m.receive_count}};
        got_order[m.group_id].push_back(m.id.value());
        ASSERT_OK(queues_->DeleteMessage(name, m.receipt));
      }
    }
    EXPECT_EQ(got.size(), expect.size());
    for (const auto& [id, e] : expect) EXPECT_EQ(got[id], e) << "message " << id;
    if (want["fifo"].get<bool>()) {
      EXPECT_EQ(got_order, group_order);
    }
    QueueStats st;
    ASSERT_OK(queues_->Stats(name, &st));
    EXPECT_EQ(st.visible + st.in_flight + st.delayed, 0u);
  }

  TempDir tmp_;
  ManualClock clock_;
  json expected_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Streams> streams_;
  std::unique_ptr<Queues> queues_;
};

TEST_P(GoldenTest, CoversWhatItShould) {
  const json& shards = expected_["streams"][0]["segments"];
  EXPECT_GE(*std::max_element(shards.begin(), shards.end()), 2) << "a sealed and an active";
  EXPECT_TRUE(std::filesystem::exists(dir() + "/CATALOG"));
  size_t snapshots = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir())) {
    snapshots += e.path().filename() == "DELETES";
  }
  EXPECT_EQ(snapshots, 1u);
  for (const json& q : expected_["queues"]) {
    EXPECT_GT(q["deleted"].get<size_t>(), 0u) << q["name"];
    EXPECT_GT(q["messages"].size(), 0u) << q["name"];
  }
}

// (a) Read-only: streams, checkpoints, the plain log and the queues' counts. (A read-only
// open cannot receive: a receive journals receive counts.)
TEST_P(GoldenTest, ReadOnly) { ASSERT_NO_FATAL_FAILURE(OpenAndCheck(/*read_only=*/true)); }

// (b) Read-write: the same, every queue message received exactly once with its body,
// attributes, ids and journaled receive count, and the store still takes writes.
TEST_P(GoldenTest, ReadWrite) {
  ASSERT_NO_FATAL_FAILURE(OpenAndCheck(/*read_only=*/false));
  for (const json& q : expected_["queues"]) {
    SCOPED_TRACE(q["name"].get<std::string>());
    if (q["fifo"].get<bool>()) {  // the dedup ids of the last 5 minutes were recovered
      const json& m = q["messages"].back();
      SendEntry e;
      const std::string body = "again", group = m["group"], dedup = m["dedup"];
      e.body = View(body);
      e.group_id = group;
      e.dedup_id = dedup;
      SendResult r;
      ASSERT_OK(queues_->Send(q["name"], e, &r));
      EXPECT_TRUE(r.duplicate);
      EXPECT_EQ(r.id.value(), m["id"].get<uint64_t>());
    }
    ReceiveAll(q);
  }
  const json& s = expected_["streams"][0];
  const std::string key = "after", data = "appended by a later version";
  PutResult r;
  ASSERT_OK(streams_->Put(s["name"], PutEntry{View(key), View(data), std::nullopt}, &r));
  EXPECT_EQ(r.seq.value(), s["shards"][r.shard].back()["seq"].get<uint64_t>() + 1);
  Close();
  Open(/*read_only=*/false);
  std::unique_ptr<StreamIterator> it;
  IteratorSpec at{IteratorType::kAtSequenceNumber, r.seq, TimestampMs(0)};
  ASSERT_OK(streams_->NewIterator(s["name"], r.shard, at, &it));
  std::vector<RecordView> got;
  ASSERT_OK(it->Next(10, 1 << 20, &got));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Str(got[0].value), data);
}

// (c) `seglog verify` finds the store sound.
TEST_P(GoldenTest, Verify) {
  std::string out;
  EXPECT_EQ(RunCommand(std::string(SEGLOG_CLI_PATH) + " verify '" + dir() + "'", &out), 0) << out;
}

INSTANTIATE_TEST_SUITE_P(Versions, GoldenTest,
                         ::testing::Values("tests/golden", "tests/golden/v0.3"));

}  // namespace
}  // namespace seglog
