// seglog_make_golden OUT_DIR: writes the golden store (OUT_DIR/store) and what must be read back
// from it (OUT_DIR/expected.json). Run once, by hand, to make tests/golden (see its README.md);
// never by ctest. The contents are deterministic: fixed bodies and keys, and a ManualClock, so
// even the timestamps are; segments are 4 KiB, so logs roll over and the store stays small.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/log/clock.h"
#include "engine/queues/queue.h"
#include "engine/log/store.h"
#include "engine/streams/stream.h"

namespace seglog {
namespace {

using json = nlohmann::json;

constexpr int64_t kStartMs = 1'735'689'600'000;  // 2025-01-01T00:00:00Z
constexpr uint64_t kSegmentSize = 4096;

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "make_golden: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}
#define CHECK_OK(expr) Check((expr), #expr)

ByteView V(const std::string& s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

// Text of `len` bytes, repetitive enough to compress, different for each `tag`.
std::string Text(const std::string& tag, size_t len) {
  std::string s = tag + ":";
  while (s.size() < len) s += " lorem-" + std::to_string(s.size() % 97);
  s.resize(len);
  return s;
}

LogOptions SmallLog(uint32_t compress_min_bytes = 0) {
  LogOptions o;
  o.segment_size = kSegmentSize;
  o.compress_min_bytes = compress_min_bytes;
  return o;
}

// Stream "events": 3 shards of 4 KiB segments (sealed ones and an active one), single puts and
// a batch with records large enough to be compressed, and two consumers' checkpoints.
json MakeStream(Streams* streams, ManualClock* clock) {
  StreamConfig cfg;
  cfg.shard_count = 3;
  cfg.retention_hours = kMaxRetentionHours;
  cfg.log = SmallLog(/*compress_min_bytes=*/512);
  CHECK_OK(streams->Create("events", cfg));
  json shards = json::array({json::array(), json::array(), json::array()});
  auto note = [&](const std::string& key, const std::string& data, const PutResult& r) {
    shards[r.shard].push_back({{"seq", r.seq.value()}, {"key", key}, {"data", data}});
  };
  for (int i = 0; i < 90; ++i) {
    const std::string key = "user-" + std::to_string(i % 13);
    const std::string data = i == 7 ? "" : Text("event-" + std::to_string(i), 10 + (i * 37) % 150);
    PutResult r;
    CHECK_OK(streams->Put("events", PutEntry{V(key), V(data), std::nullopt}, &r));
    note(key, data, r);
    clock->Advance(1);
  }
  std::vector<std::string> keys, datas;
  for (int j = 0; j < 20; ++j) {
    keys.push_back("batch-" + std::to_string(j));
    datas.push_back(Text("batch-" + std::to_string(j), j % 5 == 0 ? 900 : 40 + j));
  }
  std::vector<PutEntry> entries;
  for (int j = 0; j < 20; ++j) entries.push_back(PutEntry{V(keys[j]), V(datas[j]), std::nullopt});
  std::vector<PutResult> results;
  CHECK_OK(streams->PutBatch("events", entries, &results));
  for (int j = 0; j < 20; ++j) note(keys[j], datas[j], results[j]);

  json checkpoints = json::array();
  auto checkpoint = [&](const std::string& consumer, uint32_t shard, uint64_t seq) {
    CHECK_OK(streams->SetCheckpoint("events", consumer, shard, SeqNo(seq)));
    checkpoints.push_back({{"consumer", consumer}, {"shard", shard}, {"seq", seq}});
  };
  for (uint32_t s = 0; s < 3; ++s) {
    checkpoint("billing", s, shards[s][shards[s].size() / 2]["seq"].get<uint64_t>());
  }
  checkpoint("audit", 1, shards[1].back()["seq"].get<uint64_t>());
  checkpoint("billing", 0, shards[0][shards[0].size() - 3]["seq"].get<uint64_t>());  // moved on
  checkpoints.erase(checkpoints.begin());  // the first billing/0 was replaced

  StreamDescription d;
  CHECK_OK(streams->Describe("events", &d));
  json segments = json::array();
  for (const ShardDescription& sd : d.shards) segments.push_back(sd.segments);
  return {{"name", "events"},   {"shard_count", 3},          {"shards", shards},
          {"segments", segments}, {"checkpoints", checkpoints}};
}

// What the generator knows of each message it sent.
struct Sent {
  std::string body, group, dedup;
  json attrs = json::array();
  uint32_t receive_count = 0;
  bool deleted = false;
};

std::vector<ReceivedMessage> Receive(Queues* queues, const std::string& q,
                                     std::map<uint64_t, Sent>* sent) {
  ReceiveOptions o;
  o.max_messages = 10;
  o.wait_s = 0;
  std::vector<ReceivedMessage> got;
  CHECK_OK(queues->Receive(q, o, &got));
  for (const ReceivedMessage& m : got) (*sent)[m.id.value()].receive_count = m.receive_count;
  return got;
}

json QueueExpected(const std::string& name, bool fifo, const std::map<uint64_t, Sent>& sent) {
  json messages = json::array();
  size_t deleted = 0;
  for (const auto& [id, m] : sent) {
    if (m.deleted) {
      ++deleted;
      continue;
    }
    messages.push_back({{"id", id}, {"body", m.body}, {"group", m.group}, {"dedup", m.dedup},
                        {"attrs", m.attrs},
                        {"receive_count", m.receive_count}});
  }
  return {{"name", name}, {"fifo", fifo}, {"sent", sent.size()}, {"deleted", deleted},
          {"messages", messages}};
}

// Standard queue "jobs": 40 messages (some with attributes, one delayed), deletes before and
// after a delete snapshot (so DELETES and journal records after it), undeleted ones left in
// flight, receive counts of 1 and 2.
json MakeStandardQueue(Queues* queues, ManualClock* clock) {
  QueueConfig cfg;
  cfg.log = SmallLog();
  CHECK_OK(queues->Create("jobs", cfg));
  std::map<uint64_t, Sent> sent;
  std::vector<SendEntry> batch;
  std::vector<Sent> pending;
  std::vector<std::string> bodies;
  for (int i = 0; i < 40; ++i) bodies.push_back(Text("job-" + std::to_string(i), 30 + i * 7));
  const std::string number = "42.5", binary("bin\0\x01\x7f", 6);
  const std::vector<format::MessageAttribute> attrs = {
      {"kind", format::AttributeType::kString, V(bodies[0]), {}},
      {"n", format::AttributeType::kNumber, V(number), {}},
      {"raw", format::AttributeType::kBinary, V(binary), {}}};
  for (int i = 0; i < 40; ++i) {
    SendEntry e;
    e.body = V(bodies[i]);
    if (i % 4 == 0) e.attributes = attrs;
    if (i == 5) e.delay_s = 30;
    Sent s;
    s.body = bodies[i];
    if (i % 4 == 0) {
      for (const format::MessageAttribute& a : attrs) {
        const std::string value(reinterpret_cast<const char*>(a.value.data()), a.value.size());
        s.attrs.push_back({a.name, format::AttributeTypeName(a.type), value});
      }
    }
    if (i < 30) {
      SendResult r;
      CHECK_OK(queues->Send("jobs", e, &r));
      sent[r.id.value()] = s;
    } else {  // the last 10 in one batch
      batch.push_back(e);
      pending.push_back(s);
    }
    clock->Advance(1);
  }
  std::vector<SendResult> rs;
  CHECK_OK(queues->SendBatch("jobs", batch, &rs));
  for (size_t k = 0; k < rs.size(); ++k) sent[rs[k].id.value()] = pending[k];
  // Delete every other received message, one by one and in batches.
  for (int round = 0; round < 3; ++round) {
    std::vector<ReceivedMessage> got = Receive(queues, "jobs", &sent);
    std::vector<std::string_view> receipts;
    for (size_t k = 0; k < got.size(); k += 2) {
      if (round == 0) {
        CHECK_OK(queues->DeleteMessage("jobs", got[k].receipt));
      } else {
        receipts.push_back(got[k].receipt);
      }
      sent[got[k].id.value()].deleted = true;
    }
    std::vector<Status> results;
    if (!receipts.empty()) CHECK_OK(queues->DeleteMessageBatch("jobs", receipts, &results));
    for (const Status& s : results) CHECK_OK(s);
  }
  CHECK_OK(queues->SnapshotDeletes("jobs"));
  clock->Advance(40'000);  // the delay and the visibility timeouts end
  std::vector<ReceivedMessage> got = Receive(queues, "jobs", &sent);
  for (size_t k = 0; k < 4 && k < got.size(); ++k) {
    CHECK_OK(queues->DeleteMessage("jobs", got[k].receipt));
    sent[got[k].id.value()].deleted = true;
  }
  return QueueExpected("jobs", false, sent);
}

// FIFO queue "orders.fifo": 3 groups of 8, explicit dedup ids, 3 suppressed duplicates, the
// first 3 of each group deleted, the rest left in flight.
json MakeFifoQueue(Queues* queues, ManualClock* clock) {
  QueueConfig cfg;
  cfg.type = QueueType::kFifo;
  cfg.log = SmallLog();
  CHECK_OK(queues->Create("orders.fifo", cfg));
  std::map<uint64_t, Sent> sent;
  const std::vector<std::string> groups = {"g-a", "g-b", "g-c"};
  for (int k = 0; k < 8; ++k) {
    for (const std::string& g : groups) {
      const std::string body = Text("order-" + g + "-" + std::to_string(k), 50 + k * 11);
      const std::string dedup = "d-" + g + "-" + std::to_string(k);
      SendEntry e;
      e.body = V(body);
      e.group_id = g;
      e.dedup_id = dedup;
      SendResult r;
      CHECK_OK(queues->Send("orders.fifo", e, &r));
      Sent& s = sent[r.id.value()];
      s.body = body;
      s.group = g;
      s.dedup = dedup;
      if (k % 3 == 1 && g == "g-b") {  // a repeat of the dedup id, another body: suppressed
        const std::string other = body + " (again)";
        e.body = V(other);
        SendResult dup;
        CHECK_OK(queues->Send("orders.fifo", e, &dup));
        if (!dup.duplicate || dup.id != r.id) Check(Status::Corruption("no dedup"), "dedup");
      }
      clock->Advance(1);
    }
  }
  std::map<std::string, int> seen;  // per group, messages received so far
  for (std::vector<ReceivedMessage> got; !(got = Receive(queues, "orders.fifo", &sent)).empty();) {
    for (const ReceivedMessage& m : got) {
      if (seen[m.group_id]++ < 3) {
        CHECK_OK(queues->DeleteMessage("orders.fifo", m.receipt));
        sent[m.id.value()].deleted = true;
      }
    }
  }
  return QueueExpected("orders.fifo", true, sent);
}

// User log "plain": batches of 1 to 3 records with keys, values and attrs; some compressed.
json MakePlainLog(Store* store) {
  Log* log = nullptr;
  CHECK_OK(store->CreateLog("plain", SmallLog(/*compress_min_bytes=*/256), &log));
  json records = json::array();
  for (int b = 0; b < 30; ++b) {
    std::vector<std::string> keys, values, attrs;
    for (int r = 0; r <= b % 3; ++r) {
      const std::string tag = std::to_string(b) + "." + std::to_string(r);
      keys.push_back(r == 1 ? "" : "k" + tag);
      values.push_back(Text("v" + tag, b % 7 == 3 ? 700 : 20 + b * 3));
      attrs.push_back(r == 2 ? "attr-" + tag : "");
    }
    std::vector<Log::Record> recs;
    for (size_t r = 0; r < keys.size(); ++r) {
      recs.push_back({V(keys[r]), V(values[r]), V(attrs[r])});
    }
    SeqNo first;
    CHECK_OK(log->Append(recs, &first));
    for (size_t r = 0; r < keys.size(); ++r) {
      records.push_back({{"seq", first.value() + r}, {"key", keys[r]}, {"value", values[r]},
                         {"attrs", attrs[r]}});
    }
  }
  return {{"name", "plain"}, {"records", records}};
}

int Main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT_DIR (writes OUT_DIR/store and OUT_DIR/expected.json)\n",
                 argv[0]);
    return 2;
  }
  const std::string out = argv[1];
  if (std::filesystem::exists(out + "/store")) {
    std::fprintf(stderr, "make_golden: %s/store exists; the golden store is never rewritten\n",
                 out.c_str());
    return 1;
  }
  ManualClock clock(kStartMs);
  StoreOptions so;
  so.clock = &clock;
  std::unique_ptr<Store> store;
  CHECK_OK(Store::Open(out + "/store", so, &store));
  StreamsOptions sto;
  sto.retention_check_interval_ms = 0;
  QueuesOptions qo;
  qo.maintenance_interval_ms = 0;
  qo.compaction = false;
  auto streams = std::make_unique<Streams>(store.get(), sto);
  auto queues = std::make_unique<Queues>(store.get(), qo);
  json expected;
  expected["streams"] = json::array({MakeStream(streams.get(), &clock)});
  expected["queues"] = json::array({MakeStandardQueue(queues.get(), &clock),
                                    MakeFifoQueue(queues.get(), &clock)});
  expected["logs"] = json::array({MakePlainLog(store.get())});
  expected["clock_ms"] = clock.NowMs().value();
  queues.reset();
  streams.reset();
  CHECK_OK(store->Close());
  store.reset();
  std::ofstream f(out + "/expected.json");
  f << expected.dump(1) << "\n";
  return f.good() ? 0 : 1;
}

}  // namespace
}  // namespace seglog

int main(int argc, char** argv) { return seglog::Main(argc, argv); }
