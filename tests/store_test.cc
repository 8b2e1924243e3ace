// The store: catalog, lock, names, read-only opens, dropping logs; plus log-level behaviours
// that need a store around them (mapping bound, interval syncs).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <set>
#include <thread>

#include "engine/clock.h"
#include "engine/store.h"
#include "io/file_util.h"
#include "tests/test_util.h"

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
  EXPECT_NE(s.message().find("locked"), std::string::npos);
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
  EXPECT_EQ(Put(rl, "x").code(), StatusCode::kNotSupported);
  EXPECT_EQ(r->CreateLog("m", LogOptions{}).code(), StatusCode::kNotSupported);
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

TEST(StoreTest, IntervalModeSyncsInTheBackground) {
  TempDir dir;
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir.path(), StoreOptions{}, &store));
  LogOptions o;
  o.durability = Durability::kInterval;
  o.sync_interval_ms = 5;
  Log* log = nullptr;
  ASSERT_OK(store->CreateLog("l", o, &log));
  ASSERT_OK(Put(log, "a"));
  const uint64_t syncs_before = log->Stats().syncs;
  // Appends return before any sync; the background syncer catches up without further appends.
  for (int i = 0; i < 2000 && log->Stats().syncs == syncs_before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_GT(log->Stats().syncs, syncs_before);
  ASSERT_OK(log->Sync());
}

}  // namespace
}  // namespace seglog
