// The C API 0.2 core through include/seglog.h only (no engine header: in C++ the handle type
// `seglog` would meet namespace seglog): structs from a newer header, seglog_sync,
// seglog_interrupt, the EBUSY / EREADONLY codes, and the stream config's 0.2.0 fields.
#include <seglog.h>

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <future>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace {

class CapiCoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/seglog-capi-core-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_EQ(seglog_open((dir_ + "/db").c_str(), nullptr, &db_), SEGLOG_OK) << seglog_last_error();
  }
  void TearDown() override {
    seglog_close(db_);
    ASSERT_EQ(system(("rm -rf '" + dir_ + "'").c_str()), 0);
  }
  std::string Error() const { return seglog_last_error(); }
  size_t StreamCount() {
    size_t n = 0;
    EXPECT_EQ(seglog_stream_list(db_, nullptr, 0, &n), SEGLOG_OK);
    return n;
  }

  std::string dir_;
  seglog* db_ = nullptr;
};

// A struct as a newer seglog.h would have it: this library's fields, then more.
template <class T>
struct Newer {
  T t;
  unsigned char tail[16];
};

// A Newer<T> after T's init function, its struct_size the newer one and its tail all 0.
template <class T>
Newer<T> MakeNewer(void (*init)(T*)) {
  Newer<T> n{};
  init(&n.t);
  n.t.struct_size = sizeof n;
  return n;
}

// ---- structs from a newer header (convention 6) ----

TEST_F(CapiCoreTest, NewerStructWithZeroTailIsAccepted) {
  auto c = MakeNewer<seglog_stream_config>(seglog_stream_config_init);
  c.t.shard_count = 3;
  ASSERT_EQ(seglog_stream_create(db_, "s", &c.t), SEGLOG_OK) << Error();

  auto info = MakeNewer<seglog_stream_info>(seglog_stream_info_init);
  size_t n = 0;
  ASSERT_EQ(seglog_stream_describe(db_, "s", &info.t, nullptr, 0, &n), SEGLOG_OK) << Error();
  EXPECT_EQ(info.t.shard_count, 3u);
  EXPECT_EQ(info.t.struct_size, sizeof info);  // the caller's, kept
  for (unsigned char b : info.tail) EXPECT_EQ(b, 0);  // the tail is not written

  auto io = MakeNewer<seglog_iter_options>(seglog_iter_options_init);
  seglog_iter* it = nullptr;
  ASSERT_EQ(seglog_iter_open(db_, "s", 0, &io.t, &it), SEGLOG_OK) << Error();
  seglog_iter_close(it);

  auto qc = MakeNewer<seglog_queue_config>(seglog_queue_config_init);
  ASSERT_EQ(seglog_queue_create(db_, "q", &qc.t), SEGLOG_OK) << Error();
  auto ro = MakeNewer<seglog_queue_receive_options>(seglog_queue_receive_options_init);
  ro.t.wait_s = 0;
  seglog_queue_messages* batch = nullptr;
  ASSERT_EQ(seglog_queue_receive(db_, "q", &ro.t, &batch), SEGLOG_OK) << Error();
  seglog_queue_messages_free(batch);
  auto st = MakeNewer<seglog_queue_statistics>(seglog_queue_stats_init);
  EXPECT_EQ(seglog_queue_stats(db_, "q", &st.t), SEGLOG_OK) << Error();
  auto qi = MakeNewer<seglog_queue_info>(seglog_queue_info_init);
  EXPECT_EQ(seglog_queue_describe(db_, "q", &qi.t), SEGLOG_OK) << Error();

  seglog_close(db_);
  db_ = nullptr;
  auto o = MakeNewer<seglog_options>(seglog_options_init);
  ASSERT_EQ(seglog_open((dir_ + "/db").c_str(), &o.t, &db_), SEGLOG_OK) << Error();
}

TEST_F(CapiCoreTest, NewerStructWithNonZeroTailIsNotSupportedAndChangesNothing) {
  auto c = MakeNewer<seglog_stream_config>(seglog_stream_config_init);
  c.tail[5] = 1;
  EXPECT_EQ(seglog_stream_create(db_, "s", &c.t), SEGLOG_ENOTSUP);
  EXPECT_NE(Error().find("byte " + std::to_string(sizeof c.t + 5)), std::string::npos) << Error();
  EXPECT_NE(Error().find("newer seglog.h"), std::string::npos) << Error();
  EXPECT_EQ(StreamCount(), 0u);

  auto ro = MakeNewer<seglog_queue_receive_options>(seglog_queue_receive_options_init);
  ro.tail[0] = 0x80;
  ASSERT_EQ(seglog_queue_create(db_, "q", nullptr), SEGLOG_OK);
  seglog_queue_messages* batch = reinterpret_cast<seglog_queue_messages*>(&ro);
  EXPECT_EQ(seglog_queue_receive(db_, "q", &ro.t, &batch), SEGLOG_ENOTSUP);
  EXPECT_EQ(batch, nullptr);
}

TEST_F(CapiCoreTest, InBetweenSizesStayInvalidAndTheOldSizeGetsDefaults) {
  // 0.1.0's seglog_stream_config ended before segment_size.
  const size_t old_size = offsetof(seglog_stream_config, segment_size);
  for (size_t size = old_size + 1; size < sizeof(seglog_stream_config); ++size) {
    seglog_stream_config c;
    seglog_stream_config_init(&c);
    c.struct_size = size;
    EXPECT_EQ(seglog_stream_create(db_, "s", &c), SEGLOG_EINVAL) << size;
    EXPECT_NE(Error().find("no version's size"), std::string::npos) << Error();
  }
  seglog_stream_config c;
  seglog_stream_config_init(&c);
  c.struct_size = old_size;
  c.limits = 77;  // past the caller's struct: never read
  ASSERT_EQ(seglog_stream_create(db_, "s", &c), SEGLOG_OK) << Error();
  seglog_stream_info info;
  seglog_stream_info_init(&info);
  size_t n = 0;
  ASSERT_EQ(seglog_stream_describe(db_, "s", &info, nullptr, 0, &n), SEGLOG_OK);
  EXPECT_EQ(info.limits, SEGLOG_LIMITS_RELAXED);
  // 0.1.0's seglog_stream_info ended before limits: describe leaves the rest alone.
  seglog_stream_info_init(&info);
  info.struct_size = offsetof(seglog_stream_info, limits);
  info.limits = 55;
  ASSERT_EQ(seglog_stream_describe(db_, "s", &info, nullptr, 0, &n), SEGLOG_OK) << Error();
  EXPECT_EQ(info.limits, 55);
  EXPECT_EQ(info.shard_count, 1u);
}

// ---- stream config 0.2.0 fields ----

TEST_F(CapiCoreTest, StreamConfigSegmentSizeSyncIntervalAndLimits) {
  seglog_stream_config c;
  seglog_stream_config_init(&c);
  EXPECT_EQ(c.segment_size, 0u);
  EXPECT_EQ(c.sync_interval_ms, 0u);
  EXPECT_EQ(c.limits, SEGLOG_LIMITS_RELAXED);
  c.segment_size = 1 << 20;
  c.sync_interval_ms = 750;
  c.limits = SEGLOG_LIMITS_AWS;
  c.durability = SEGLOG_DURABILITY_INTERVAL;
  ASSERT_EQ(seglog_stream_create(db_, "aws", &c), SEGLOG_OK) << Error();
  seglog_stream_info info;
  seglog_stream_info_init(&info);
  size_t n = 0;
  ASSERT_EQ(seglog_stream_describe(db_, "aws", &info, nullptr, 0, &n), SEGLOG_OK);
  EXPECT_EQ(info.segment_size, 1u << 20);
  EXPECT_EQ(info.sync_interval_ms, 750u);
  EXPECT_EQ(info.limits, SEGLOG_LIMITS_AWS);
  // 0 means the store's (64 MiB, 200 ms).
  seglog_stream_config_init(&c);
  ASSERT_EQ(seglog_stream_create(db_, "dflt", &c), SEGLOG_OK) << Error();
  ASSERT_EQ(seglog_stream_describe(db_, "dflt", &info, nullptr, 0, &n), SEGLOG_OK);
  EXPECT_EQ(info.segment_size, 64u << 20);
  EXPECT_EQ(info.sync_interval_ms, 200u);
  EXPECT_EQ(info.limits, SEGLOG_LIMITS_RELAXED);
  // Out of range, or an unknown profile: EINVAL, nothing created.
  seglog_stream_config bad[3];
  for (auto& b : bad) seglog_stream_config_init(&b);
  bad[0].segment_size = 4095;
  bad[1].sync_interval_ms = 3'600'001;
  bad[2].limits = 2;
  for (const auto& b : bad) EXPECT_EQ(seglog_stream_create(db_, "bad", &b), SEGLOG_EINVAL);
  EXPECT_EQ(StreamCount(), 2u);
  // The aws profile through the C API: retention 24 .. 8,760, keys of UTF-8.
  EXPECT_EQ(seglog_stream_set_retention(db_, "aws", 23), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_stream_set_retention(db_, "dflt", 23), SEGLOG_OK);
  EXPECT_EQ(seglog_stream_put(db_, "aws", "\xFF", 1, nullptr, "d", 1, nullptr, nullptr),
            SEGLOG_EINVAL);
  EXPECT_EQ(seglog_stream_put(db_, "dflt", "\xFF", 1, nullptr, "d", 1, nullptr, nullptr),
            SEGLOG_OK);
  seglog_stream_config_init(&c);
  c.limits = SEGLOG_LIMITS_AWS;
  c.retention_hours = 1;
  EXPECT_EQ(seglog_stream_create(db_, "short", &c), SEGLOG_EINVAL);
}

// ---- seglog_sync ----

TEST_F(CapiCoreTest, SyncSucceedsOnWritableAndReadOnlyStores) {
  EXPECT_EQ(seglog_sync(nullptr), SEGLOG_EINVAL);
  seglog_stream_config c;
  seglog_stream_config_init(&c);
  c.durability = SEGLOG_DURABILITY_NONE;
  ASSERT_EQ(seglog_stream_create(db_, "s", &c), SEGLOG_OK);
  ASSERT_EQ(seglog_stream_put(db_, "s", "k", 1, nullptr, "v", 1, nullptr, nullptr), SEGLOG_OK);
  EXPECT_EQ(seglog_sync(db_), SEGLOG_OK) << Error();
  EXPECT_STREQ(seglog_last_error(), "");
  seglog_options o;
  seglog_options_init(&o);
  o.read_only = 1;
  seglog* ro = nullptr;
  ASSERT_EQ(seglog_open((dir_ + "/db").c_str(), &o, &ro), SEGLOG_OK) << Error();
  EXPECT_EQ(seglog_sync(ro), SEGLOG_OK) << Error();
  seglog_close(ro);
}

// ---- EREADONLY and EBUSY ----

TEST_F(CapiCoreTest, WritesToAReadOnlyStoreAreEReadOnly) {
  ASSERT_EQ(seglog_stream_create(db_, "s", nullptr), SEGLOG_OK);
  ASSERT_EQ(seglog_queue_create(db_, "q", nullptr), SEGLOG_OK);
  seglog_options o;
  seglog_options_init(&o);
  o.read_only = 1;
  seglog* ro = nullptr;
  ASSERT_EQ(seglog_open((dir_ + "/db").c_str(), &o, &ro), SEGLOG_OK) << Error();
  EXPECT_EQ(seglog_stream_create(ro, "t", nullptr), SEGLOG_EREADONLY);
  EXPECT_NE(Error().find("read-only"), std::string::npos) << Error();
  EXPECT_EQ(seglog_stream_put(ro, "s", "k", 1, nullptr, "v", 1, nullptr, nullptr),
            SEGLOG_EREADONLY);
  EXPECT_EQ(seglog_checkpoint_set(ro, "s", "c", 0, 0), SEGLOG_EREADONLY);
  EXPECT_EQ(seglog_stream_set_retention(ro, "s", 48), SEGLOG_EREADONLY);
  EXPECT_EQ(seglog_queue_create(ro, "new", nullptr), SEGLOG_EREADONLY);
  seglog_queue_send_entry e;
  seglog_queue_send_entry_init(&e, "b", 1);
  EXPECT_EQ(seglog_queue_send(ro, "q", &e, nullptr, nullptr), SEGLOG_EREADONLY);
  EXPECT_EQ(seglog_queue_purge(ro, "q"), SEGLOG_EREADONLY);
  EXPECT_EQ(seglog_queue_delete(ro, "q"), SEGLOG_EREADONLY);
  EXPECT_STREQ(seglog_strerror(SEGLOG_EREADONLY), "read-only store");
  seglog_close(ro);
}

TEST_F(CapiCoreTest, DeletingAStreamWithOpenIteratorsIsEBusy) {
  ASSERT_EQ(seglog_stream_create(db_, "s", nullptr), SEGLOG_OK);
  seglog_iter* it = nullptr;
  ASSERT_EQ(seglog_iter_open(db_, "s", 0, nullptr, &it), SEGLOG_OK);
  EXPECT_EQ(seglog_stream_delete(db_, "s"), SEGLOG_EBUSY);
  EXPECT_NE(Error().find("open iterator"), std::string::npos) << Error();
  EXPECT_EQ(StreamCount(), 1u);
  seglog_iter_close(it);
  EXPECT_EQ(seglog_stream_delete(db_, "s"), SEGLOG_OK) << Error();
}

// ---- seglog_interrupt ----

int ReceiveOnce(seglog* db, const char* q, int wait_s, size_t* count) {
  seglog_queue_receive_options o;
  seglog_queue_receive_options_init(&o);
  o.wait_s = wait_s;
  seglog_queue_messages* batch = nullptr;
  const int rc = seglog_queue_receive(db, q, &o, &batch);
  *count = seglog_queue_messages_count(batch);
  seglog_queue_messages_free(batch);
  return rc;
}

TEST_F(CapiCoreTest, InterruptEndsALongPollAndLaterReceives) {
  EXPECT_EQ(seglog_interrupt(nullptr), SEGLOG_EINVAL);
  ASSERT_EQ(seglog_queue_create(db_, "q", nullptr), SEGLOG_OK);
  ASSERT_EQ(seglog_queue_create(db_, "other", nullptr), SEGLOG_OK);
  // A receiver in a 20 s long poll on an empty queue.
  std::promise<void> started;
  auto poll = std::async(std::launch::async, [&] {
    size_t n = 99;
    started.set_value();
    const int rc = ReceiveOnce(db_, "q", 20, &n);
    return std::make_pair(rc, n);
  });
  started.get_future().wait();
  // Let it reach its wait (it returns ECANCELED either way: before or during the wait).
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_EQ(seglog_interrupt(db_), SEGLOG_OK);
  ASSERT_EQ(poll.wait_for(std::chrono::seconds(10)), std::future_status::ready)
      << "the long poll was not woken";
  const auto [rc, n] = poll.get();
  EXPECT_EQ(rc, SEGLOG_ECANCELED);
  EXPECT_EQ(n, 0u);
  // Idempotent; sends still work; receives started later are canceled at once, even with a
  // message ready, and leave it visible.
  EXPECT_EQ(seglog_interrupt(db_), SEGLOG_OK);
  seglog_queue_send_entry e;
  seglog_queue_send_entry_init(&e, "m", 1);
  ASSERT_EQ(seglog_queue_send(db_, "other", &e, nullptr, nullptr), SEGLOG_OK) << Error();
  size_t got = 99;
  EXPECT_EQ(ReceiveOnce(db_, "other", 0, &got), SEGLOG_ECANCELED);
  EXPECT_NE(Error().find("seglog_interrupt"), std::string::npos) << Error();
  EXPECT_EQ(got, 0u);
  EXPECT_EQ(ReceiveOnce(db_, "q", 20, &got), SEGLOG_ECANCELED);  // at once, not after 20 s
  seglog_queue_statistics st;
  seglog_queue_stats_init(&st);
  ASSERT_EQ(seglog_queue_stats(db_, "other", &st), SEGLOG_OK);
  EXPECT_EQ(st.visible, 1u);
  EXPECT_EQ(st.in_flight, 0u);
  EXPECT_EQ(seglog_queue_purge(db_, "other"), SEGLOG_OK);
  // Another handle is not affected.
  seglog_close(db_);
  db_ = nullptr;
  ASSERT_EQ(seglog_open((dir_ + "/db").c_str(), nullptr, &db_), SEGLOG_OK);
  ASSERT_EQ(seglog_queue_send(db_, "q", &e, nullptr, nullptr), SEGLOG_OK);
  EXPECT_EQ(ReceiveOnce(db_, "q", 0, &got), SEGLOG_OK) << Error();
  EXPECT_EQ(got, 1u);
}

}  // namespace
