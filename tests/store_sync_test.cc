// Store::SyncAll (seglog_sync): every open log's appends become durable at the call, whatever
// its durability mode.
#include <string>

#include <gtest/gtest.h>

#include "engine/log/store.h"
#include "engine/streams/stream.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/test_util.h"

namespace seglog::testing {
namespace {

TEST(StoreSyncTest, SyncAllMakesIntervalAndNoneLogsDurable) {
  TempDir dir;
  std::unique_ptr<Store> store;
  std::unique_ptr<Streams> streams;
  ASSERT_OK(OpenEngine(dir.path(), StoreOptions{}, &store, &streams, nullptr));
  for (Durability mode : {Durability::kNone, Durability::kInterval}) {
    const std::string name = mode == Durability::kNone ? "none" : "interval";
    StreamConfig c;
    c.log.durability = mode;
    c.log.sync_interval_ms = 3'600'000;  // no background sync during the test
    ASSERT_OK(streams->Create(name, c));
    PutEntry e;
    e.partition_key = View("k");
    e.data = View("data");
    PutResult r;
    for (int i = 0; i < 3; ++i) ASSERT_OK(streams->Put(name, e, &r));
    Log* log = nullptr;
    ASSERT_OK(store->OpenLog("stream:" + name + "/0", &log));
    const LogStats before = log->Stats();
    EXPECT_EQ(before.next_seq.value(), 3u);
    EXPECT_LT(before.durable_seq.value(), 3u) << name << ": durable before any sync";
    ASSERT_OK(store->SyncAll());
    EXPECT_EQ(log->Stats().durable_seq.value(), 3u) << name;
  }
  CloseEngine(&store, &streams, nullptr);
}

TEST(StoreSyncTest, SyncAllOnAReadOnlyOrClosedStore) {
  TempDir dir;
  std::unique_ptr<Store> store;
  ASSERT_OK(Store::Open(dir.path(), StoreOptions{}, &store));
  ASSERT_OK(store->CreateLog("l", LogOptions{}));
  ASSERT_OK(store->Close());
  EXPECT_EQ(store->SyncAll().code(), StatusCode::kClosed);
  StoreOptions ro;
  ro.read_only = true;
  std::unique_ptr<Store> r;
  ASSERT_OK(Store::Open(dir.path(), ro, &r));
  Log* l = nullptr;
  ASSERT_OK(r->GetLog("l", &l));
  EXPECT_OK(r->SyncAll());  // nothing was written: nothing to sync
}

}  // namespace
}  // namespace seglog::testing
