// The store: catalog, lock, names, read-only opens, dropping logs; plus log-level behaviours
// that need a store around them (mapping bound, interval settings; the background syncs are in
// tests/concurrency/scheduler_test.cc).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "engine/log/clock.h"
#include "engine/queues/queue.h"
#include "engine/log/store.h"
#include "engine/streams/stream.h"
#include "io/file_util.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using testing::Str;
using testing::TempDir;
using testing::View;

Status Put(Log* log, const std::string& v) {
  Log::Record r{View("k"), View(v), {}};
  return log->Append(std::span<const Log::Record>(&r, 1));
}

std::set<std::string> AllFiles(const std::string& root) {
  std::set<std::string> out;
  for (auto& e : std::filesystem::recursive_directory_iterator(root)) out.insert(e.path().string());
  return out;
}

TEST(StoreTest, CreateReopenListDrop) {
  TempDir dir;
  const std::string root = dir.path() + "/s";
  {
    std::unique_ptr<Store> store;
    ASSERT_OK(Store::Open(root, StoreOptions{}, &store));
    LogOptions o;
    o.durability = Durability::kInterval;
    o.sync_interval_ms = 50;
    o.segment_size = 1 << 20;
    Log* a = nullptr;
    ASSERT_OK(store->CreateLog("a", o, &a));
    ASSERT_OK(Put(a, "hello"));
    Log* b = nullptr;
    ASSERT_OK(store->CreateLog("b.2-x_y", LogOptions{}, &b));
    EXPECT_EQ(store->CreateLog("a", o).code(), StatusCode::kAlreadyExists);
    EXPECT_EQ(store->ListLogs().size(), 2u);
  }
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(root, StoreOptions{}, &store));
  Log* a = nullptr;
  ASSERT_OK(store->GetLog("a", &a));
  // Settings came back from the catalog.
  EXPECT_EQ(a->options().durability, Durability::kInterval);
  EXPECT_EQ(a->options().sync_interval_ms, 50u);
  EXPECT_EQ(a->options().segment_size, 1u << 20);
  EXPECT_EQ(a->next_seq().value(), 1u);
  uint64_t id;
  std::string adir;
  ASSERT_OK(store->LogInfo("a", &id, &adir));
  ASSERT_TRUE(io::IsDirectory(adir));
  ASSERT_OK(store->DropLog("a"));
  EXPECT_FALSE(io::IsDirectory(adir));
  Log* none = nullptr;
  EXPECT_EQ(store->GetLog("a", &none).code(), StatusCode::kNotFound);
  EXPECT_EQ(store->DropLog("a").code(), StatusCode::kNotFound);
  EXPECT_EQ(store->ListLogs(), std::vector<std::string>{"b.2-x_y"});
}

TEST(StoreTest, SecondWriterIsLockedReadOnlyIsAllowed) {
  TempDir dir;
  std::unique_ptr<Store> w;
  ASSERT_OK(Store::Open(dir.path(), StoreOptions{}, &w));
  Log* log = nullptr;
  ASSERT_OK(w->CreateLog("l", LogOptions{}, &log));
  ASSERT_OK(Put(log, "v1"));
  std::unique_ptr<Store> w2;
  Status s = Store::Open(dir.path(), StoreOptions{}, &w2);
  EXPECT_EQ(s.code(), StatusCode::kLocked) << s.ToString();
  // The holder is this process: the message says so instead of blaming another one.
  EXPECT_NE(s.message().find("this process already has it open"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find("another process"), std::string::npos) << s.message();
  // The same store by another spelling of its path is the same store.
  EXPECT_EQ(Store::Open(dir.path() + "/.", StoreOptions{}, &w2).code(), StatusCode::kLocked);
  StoreOptions ro;
  ro.read_only = true;
  std::unique_ptr<Store> r;
  ASSERT_OK(Store::Open(dir.path(), ro, &r));
  Log* rl = nullptr;
  ASSERT_OK(r->GetLog("l", &rl));
  std::unique_ptr<LogIterator> it;
  ASSERT_OK(rl->NewIterator(SeqNo(0), &it));
  RecordView rec;
  ASSERT_OK(it->Next(&rec));
  EXPECT_EQ(Str(rec.value), "v1");
  it.reset();
  EXPECT_EQ(Put(rl, "x").code(), StatusCode::kReadOnly);
  EXPECT_EQ(r->CreateLog("m", LogOptions{}).code(), StatusCode::kReadOnly);
  // After the writer closes, a new writer may open.
  ASSERT_OK(w->Close());
  w.reset();
  ASSERT_OK(Store::Open(dir.path(), StoreOptions{}, &w2));
}

TEST(StoreTest, BadNamesAreRejectedAndNothingIsWrittenOutsideTheStore) {
  TempDir dir;
  const std::string root = dir.path() + "/store";
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(root, StoreOptions{}, &store));
  const auto before = AllFiles(dir.path());
  const std::vector<std::string> bads = {"", ".", "..", "../evil", "a/b", "/abs", "sp ace",
                                         "tab\t", std::string("nul\0x", 5), std::string(129, 'a'),
                                         "ünïcode", "a\\b"};
  for (const std::string& bad : bads) {
    Status s = store->CreateLog(bad, LogOptions{});
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << "'" << bad << "': " << s.ToString();
    Log* l = nullptr;
    EXPECT_EQ(store->GetLog(bad, &l).code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store->DropLog(bad).code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(AllFiles(dir.path()), before);
  EXPECT_TRUE(store->ListLogs().empty());
  EXPECT_OK(store->CreateLog(std::string(128, 'a'), LogOptions{}));
  LogOptions bad;
  bad.segment_size = 1;
  EXPECT_EQ(store->CreateLog("ok", bad).code(), StatusCode::kInvalidArgument);
  Log* l = nullptr;
  EXPECT_EQ(store->GetLog("ok", &l).code(), StatusCode::kNotFound);
}

TEST(StoreTest, OpenMissingOrForeignDirectory) {
  TempDir dir;
  StoreOptions o;
  o.create_if_missing = false;
  std::unique_ptr<Store> s;
  EXPECT_EQ(Store::Open(dir.path() + "/missing", o, &s).code(), StatusCode::kNotFound);
  StoreOptions ro;
  ro.read_only = true;
  EXPECT_EQ(Store::Open(dir.path(), ro, &s).code(), StatusCode::kNotFound);
  // A garbage CATALOG is corruption, not a crash.
  {
    std::unique_ptr<Store> st;
    ASSERT_OK(Store::Open(dir.path() + "/g", StoreOptions{}, &st));
  }
  ASSERT_EQ(truncate((dir.path() + "/g/CATALOG").c_str(), 10), 0);
  EXPECT_EQ(Store::Open(dir.path() + "/g", StoreOptions{}, &s).code(), StatusCode::kCorruption);
}

TEST(StoreTest, SealedMappingsStayWithinTheBound) {
  TempDir dir;
  StoreOptions so;
  so.max_mapped_segments = 3;
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir.path(), so, &store));
  LogOptions o;
  o.segment_size = 8192;
  o.durability = Durability::kNone;
  Log* log = nullptr;
  ASSERT_OK(store->CreateLog("l", o, &log));
  for (int i = 0; i < 600; ++i) ASSERT_OK(Put(log, std::string(200, 'm')));
  ASSERT_GT(log->Stats().segments, 10u);
  EXPECT_LE(store->map_cache()->size(), 3u);
  std::unique_ptr<LogIterator> it;
  ASSERT_OK(log->NewIterator(SeqNo(0), &it));
  RecordView r;
  uint64_t n = 0;
  Status s;
  while ((s = it->Next(&r)).ok()) {
    ++n;
    EXPECT_LE(store->map_cache()->size(), 3u);
  }
  EXPECT_TRUE(s.IsNoMore());
  EXPECT_EQ(n, 600u);
}

TEST(StoreTest, SyncIntervalIsCheckedWhateverTheDurability) {
  for (Durability d : {Durability::kAlways, Durability::kInterval, Durability::kNone}) {
    for (uint32_t ms : {0u, 3'600'001u}) {
      LogOptions o;
      o.durability = d;
      o.sync_interval_ms = ms;
      Status s = o.Validate();
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << DurabilityName(d) << " " << ms;
      EXPECT_NE(s.message().find("sync_interval_ms"), std::string::npos) << s.message();
    }
  }
  TempDir dir;
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir.path(), StoreOptions{}, &store));
  LogOptions o;
  o.sync_interval_ms = 0;  // kAlways does not use it; it is still never stored
  EXPECT_EQ(store->CreateLog("l", o).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store->CreateLogGroup(std::vector<Store::LogSpec>{{"g", o, {}}}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(store->CatalogSnapshot().logs.empty());
}

// Catalogs written before the interval was checked under every mode may hold 0 where it was
// unused: such a log still opens (with the default), while under kInterval 0 stays an error.
TEST(StoreTest, StoredUnusedSyncIntervalStillOpens) {
  TempDir dir;
  {
    std::unique_ptr<Store> store;
    ASSERT_OK(Store::Open(dir.path(), StoreOptions{}, &store));
    LogOptions interval;
    interval.durability = Durability::kInterval;
    ASSERT_OK(store->CreateLogGroup(std::vector<Store::LogSpec>{
        {"always", LogOptions{}, {}}, {"interval", interval, {}}}));
    const std::string names[] = {"always", "interval"};
    ASSERT_OK(store->SetLogProps(names, "sync_interval_ms", "0"));
  }
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir.path(), StoreOptions{}, &store));
  Log* log = nullptr;
  ASSERT_OK(store->GetLog("always", &log));
  EXPECT_EQ(log->options().sync_interval_ms, LogOptions{}.sync_interval_ms);
  EXPECT_EQ(store->GetLog("interval", &log).code(), StatusCode::kInvalidArgument);
}

// Every file and directory under `root` with its bytes: what "nothing changed on disk" compares.
std::map<std::string, std::string> TreeBytes(const std::string& root) {
  std::map<std::string, std::string> out;
  for (auto& e : std::filesystem::recursive_directory_iterator(root)) {
    const std::string rel = e.path().string().substr(root.size());
    if (e.is_directory()) {
      out[rel + "/"] = "";
      continue;
    }
    std::ifstream f(e.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << f.rdbuf();
    out[rel] = bytes.str();
  }
  return out;
}

// The paths and sizes that differ between two trees, for a failure message.
std::string TreeDiff(const std::map<std::string, std::string>& a,
                     const std::map<std::string, std::string>& b) {
  std::string out;
  for (const auto& [p, bytes] : a) {
    auto it = b.find(p);
    if (it == b.end()) out += " -" + p;
    else if (it->second != bytes) out += " ~" + p + " (" + std::to_string(bytes.size()) + " -> " +
                                         std::to_string(it->second.size()) + " bytes)";
  }
  for (const auto& [p, bytes] : b) {
    if (a.count(p) == 0) out += " +" + p + " (" + std::to_string(bytes.size()) + " bytes)";
  }
  return out;
}

// A rejected call changes nothing on disk, even the first call on a queue or stream never used
// since it was created (whose logs are opened, lazily, by that call).
TEST(StoreTest, RejectedCallsOnNeverUsedLogsChangeNothingOnDisk) {
  TempDir dir;
  QueuesOptions qo;
  qo.maintenance_interval_ms = 0;  // nothing in the background: only the call acts
  StreamsOptions so;
  so.retention_check_interval_ms = 0;
  // A store with a queue and a 2-shard stream, created and closed, never used.
  auto make_store = [&](const std::string& root) {
    std::unique_ptr<Store> store;
    ASSERT_OK(Store::Open(root, StoreOptions{}, &store));
    Queues queues(store.get(), qo);
    QueueConfig qc;
    qc.max_message_bytes = kQueueMinMessageBytes;
    qc.log.segment_size = 64 * 1024;
    ASSERT_OK(queues.Create("q", qc));
    Streams streams(store.get(), so);
    StreamConfig sc;
    sc.shard_count = 2;
    sc.max_record_bytes = 1024;
    sc.log.segment_size = 64 * 1024;
    ASSERT_OK(streams.Create("s", sc));
  };
  const std::string big(4096, 'b');
  using Call = std::function<Status(Queues&, Streams&)>;
  const std::vector<std::pair<std::string, Call>> calls = {
      {"send too large", [&](Queues& q, Streams&) {
         SendEntry e;
         e.body = View(big);
         SendResult r;
         return q.Send("q", e, &r);
       }},
      {"send with a bad delay", [&](Queues& q, Streams&) {
         SendEntry e;
         e.body = View("x");
         e.delay_s = 901;
         SendResult r;
         return q.Send("q", e, &r);
       }},
      {"delete a malformed receipt", [](Queues& q, Streams&) {
         return q.DeleteMessage("q", "not-a-receipt");
       }},
      {"change visibility of a malformed receipt", [](Queues& q, Streams&) {
         return q.ChangeVisibility("q", "not-a-receipt", 5);
       }},
      {"receive too many", [](Queues& q, Streams&) {
         ReceiveOptions ro;
         ro.max_messages = 11;
         std::vector<ReceivedMessage> out;
         return q.Receive("q", ro, &out);
       }},
      {"put too large", [&](Queues&, Streams& s) {
         PutEntry e{View("k"), View(big), {}};
         PutResult r;
         return s.Put("s", e, &r);
       }},
      {"iterator at an unwritten seq", [](Queues&, Streams& s) {
         IteratorSpec spec;
         spec.type = IteratorType::kAtSequenceNumber;
         spec.seq = SeqNo(5);
         std::unique_ptr<StreamIterator> it;
         return s.NewIterator("s", 1, spec, &it);
       }},
  };
  int n = 0;
  for (const auto& [what, call] : calls) {
    const std::string root = dir.path() + "/store" + std::to_string(n++);
    make_store(root);
    if (HasFatalFailure()) return;
    const auto before = TreeBytes(root);
    {
      std::unique_ptr<Store> store;
      ASSERT_OK(Store::Open(root, StoreOptions{}, &store));
      Queues queues(store.get(), qo);
      Streams streams(store.get(), so);
      Status s = call(queues, streams);
      EXPECT_FALSE(s.ok()) << what;
      EXPECT_NE(s.code(), StatusCode::kIOError) << what << ": " << s.ToString();
    }
    const auto after = TreeBytes(root);
    EXPECT_TRUE(after == before) << what << " changed the store:" << TreeDiff(before, after);
  }
}

}  // namespace
}  // namespace seglog
