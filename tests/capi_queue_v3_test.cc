// The C API's 0.3.0 queue additions (include/seglog.h) that work without the engine's move
// tasks: tags (create with tags, tag, untag, list), the argument checks of every new call,
// the 0.3.0 struct fields and sizes (redrive_allow into QueueConfig and back out of describe,
// 0.2.0-sized structs), the version. Move tasks, dead-letter sources and attempt ids end to end:
// tests/capi_queue_v3_engine_test.cc. A handle over an engine with a manual clock
// (tests/support/capi_handle.h).
#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/log/clock.h"
#include "tests/support/capi_handle.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

class CapiQueueV3Test : public ::testing::Test {
 protected:
  void SetUp() override { Open(false); }
  void TearDown() override { Close(); }
  void Open(bool read_only) {
    StoreOptions so;
    so.clock = &clock_;
    so.read_only = read_only;
    ASSERT_OK(testing::OpenCHandle(dir_.path(), so, &db_));
  }
  void Close() {
    if (db_ != nullptr) {
      EXPECT_OK(testing::CloseCHandle(db_));
    }
    db_ = nullptr;
  }
  std::string Error() const { return seglog_last_error(); }
  void CreateQueue(const char* name) {
    ASSERT_EQ(seglog_queue_create(db_, name, nullptr), SEGLOG_OK) << Error();
  }
  std::vector<std::pair<std::string, std::string>> Tags(const char* q) {
    std::vector<seglog_queue_tag_entry> t(SEGLOG_QUEUE_MAX_TAGS);
    size_t n = 99;
    EXPECT_EQ(seglog_queue_list_tags(db_, q, t.data(), t.size(), &n), SEGLOG_OK) << Error();
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t i = 0; i < n && i < t.size(); ++i) out.emplace_back(t[i].key, t[i].value);
    return out;
  }
  using Pairs = std::vector<std::pair<std::string, std::string>>;

  testing::TempDir dir_;
  ManualClock clock_;
  seglog_handle* db_ = nullptr;
};

// ---- tags ----

TEST_F(CapiQueueV3Test, CreateWithTagsTagUntagList) {
  const char* keys[] = {"team", "env"};
  const char* values[] = {"a", "prod"};
  ASSERT_EQ(seglog_queue_create_with_tags(db_, "q", nullptr, keys, values, 2), SEGLOG_OK)
      << Error();
  EXPECT_EQ(Tags("q"), (Pairs{{"env", "prod"}, {"team", "a"}})) << "sorted by key";
  const char* k2[] = {"env", "cost"};
  const char* v2[] = {"test", ""};
  ASSERT_EQ(seglog_queue_tag(db_, "q", k2, v2, 2), SEGLOG_OK) << Error();
  EXPECT_EQ(Tags("q"), (Pairs{{"cost", ""}, {"env", "test"}, {"team", "a"}}));
  const char* rm[] = {"team", "absent"};
  ASSERT_EQ(seglog_queue_untag(db_, "q", rm, 2), SEGLOG_OK) << Error();
  EXPECT_EQ(Tags("q"), (Pairs{{"cost", ""}, {"env", "test"}}));
  // Count only, and a short array: *n is the total, cap entries are written.
  size_t n = 0;
  ASSERT_EQ(seglog_queue_list_tags(db_, "q", nullptr, 0, &n), SEGLOG_OK) << Error();
  EXPECT_EQ(n, 2u);
  seglog_queue_tag_entry one[2];
  std::memset(one, 'x', sizeof one);
  ASSERT_EQ(seglog_queue_list_tags(db_, "q", one, 1, &n), SEGLOG_OK) << Error();
  EXPECT_EQ(n, 2u);
  EXPECT_STREQ(one[0].key, "cost");
  EXPECT_EQ(one[1].key[0], 'x') << "past cap: untouched";
  // Tags with no keys (n 0) is a plain create.
  ASSERT_EQ(seglog_queue_create_with_tags(db_, "r", nullptr, nullptr, nullptr, 0), SEGLOG_OK)
      << Error();
  EXPECT_TRUE(Tags("r").empty());
}

TEST_F(CapiQueueV3Test, LongestKeyAndValueFitTheirArrays) {
  CreateQueue("q");
  std::string key, value;
  for (int i = 0; i < 128; ++i) key += "\xf0\x9f\x98\x80";  // U+1F600, 4 bytes
  for (int i = 0; i < 256; ++i) value += "\xf0\x9f\x98\x80";
  ASSERT_EQ(key.size(), size_t{SEGLOG_QUEUE_TAG_KEY_MAX});
  const char* k[] = {key.c_str()};
  const char* v[] = {value.c_str()};
  ASSERT_EQ(seglog_queue_tag(db_, "q", k, v, 1), SEGLOG_OK) << Error();
  EXPECT_EQ(Tags("q"), (Pairs{{key, value}}));
  const std::string longer = key + "a";
  const char* k2[] = {longer.c_str()};
  EXPECT_EQ(seglog_queue_tag(db_, "q", k2, v, 1), SEGLOG_EINVAL);
}

TEST_F(CapiQueueV3Test, TagArgumentsAreCheckedAndChangeNothing) {
  CreateQueue("q");
  const char* k[] = {"env"};
  const char* v[] = {"prod"};
  ASSERT_EQ(seglog_queue_tag(db_, "q", k, v, 1), SEGLOG_OK) << Error();
  const char* null_key[] = {"a", nullptr};
  const char* two_values[] = {"1", "2"};
  const char* null_value[] = {"1", nullptr};
  const char* dup[] = {"a", "a"};
  const char* bad_key[] = {"ok", "aws:cost"};
  EXPECT_EQ(seglog_queue_tag(nullptr, "q", k, v, 1), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_tag(db_, nullptr, k, v, 1), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_tag(db_, "bad/name", k, v, 1), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_tag(db_, "q", nullptr, v, 1), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_tag(db_, "q", k, nullptr, 1), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_tag(db_, "q", k, v, 0), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_tag(db_, "q", null_key, two_values, 2), SEGLOG_EINVAL);
  EXPECT_NE(Error().find("keys[1]"), std::string::npos) << Error();
  EXPECT_EQ(seglog_queue_tag(db_, "q", dup, null_value, 2), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_tag(db_, "q", dup, two_values, 2), SEGLOG_EINVAL);
  EXPECT_NE(Error().find("twice"), std::string::npos) << Error();
  EXPECT_EQ(seglog_queue_tag(db_, "q", bad_key, two_values, 2), SEGLOG_EINVAL);
  EXPECT_NE(Error().find("aws:cost"), std::string::npos) << "names the key: " << Error();
  std::vector<std::string> many_k(51), many_v(51, "v");
  std::vector<const char*> kp, vp;
  for (size_t i = 0; i < 51; ++i) {
    many_k[i] = "k" + std::to_string(i);
    kp.push_back(many_k[i].c_str());
    vp.push_back(many_v[i].c_str());
  }
  EXPECT_EQ(seglog_queue_tag(db_, "q", kp.data(), vp.data(), 51), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_tag(db_, "q", kp.data(), vp.data(), 50), SEGLOG_EINVAL)
      << "50 more and env make 51";
  EXPECT_EQ(Tags("q"), (Pairs{{"env", "prod"}})) << "every refusal changed nothing";
  EXPECT_EQ(seglog_queue_untag(db_, "q", nullptr, 1), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_untag(db_, "q", k, 0), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_untag(db_, "q", null_key, 2), SEGLOG_EINVAL);
  EXPECT_EQ(Tags("q"), (Pairs{{"env", "prod"}}));
  size_t n = 0;
  seglog_queue_tag_entry t[1];
  EXPECT_EQ(seglog_queue_list_tags(db_, "q", t, 1, nullptr), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_list_tags(db_, "q", nullptr, 1, &n), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_list_tags(db_, "none", t, 1, &n), SEGLOG_ENOTFOUND);
  EXPECT_EQ(seglog_queue_tag(db_, "none", k, v, 1), SEGLOG_ENOTFOUND);
  EXPECT_EQ(seglog_queue_untag(db_, "none", k, 1), SEGLOG_ENOTFOUND);
  // A bad tag fails the create: no queue.
  EXPECT_EQ(seglog_queue_create_with_tags(db_, "r", nullptr, bad_key, two_values, 2),
            SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_create_with_tags(db_, "r", nullptr, nullptr, two_values, 1),
            SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_list_tags(db_, "r", t, 1, &n), SEGLOG_ENOTFOUND);
}

TEST_F(CapiQueueV3Test, ExistingQueueKeepsItsTags) {
  const char* k[] = {"env"};
  const char* v1[] = {"prod"};
  const char* v2[] = {"test"};
  ASSERT_EQ(seglog_queue_create_with_tags(db_, "q", nullptr, k, v1, 1), SEGLOG_OK) << Error();
  ASSERT_EQ(seglog_queue_create_with_tags(db_, "q", nullptr, k, v2, 1), SEGLOG_OK) << Error();
  EXPECT_EQ(Tags("q"), (Pairs{{"env", "prod"}}));
  seglog_queue_config c;
  seglog_queue_config_init(&c);
  c.delay_s = 9;
  EXPECT_EQ(seglog_queue_create_with_tags(db_, "q", &c, k, v2, 1), SEGLOG_EEXIST);
}

TEST_F(CapiQueueV3Test, ReadOnlyStoreListsTagsAndRefusesChanges) {
  const char* k[] = {"env"};
  const char* v[] = {"prod"};
  ASSERT_EQ(seglog_queue_create_with_tags(db_, "q", nullptr, k, v, 1), SEGLOG_OK) << Error();
  Close();
  Open(true);
  EXPECT_EQ(Tags("q"), (Pairs{{"env", "prod"}}));
  EXPECT_EQ(seglog_queue_tag(db_, "q", k, v, 1), SEGLOG_EREADONLY);
  EXPECT_EQ(seglog_queue_untag(db_, "q", k, 1), SEGLOG_EREADONLY);
  EXPECT_EQ(seglog_queue_create_with_tags(db_, "r", nullptr, k, v, 1), SEGLOG_EREADONLY);
}

// ---- redrive_allow: C config -> QueueConfig -> describe ----

TEST_F(CapiQueueV3Test, ConfigInitDefaults) {
  seglog_queue_config c;
  std::memset(&c, 0x5a, sizeof c);
  seglog_queue_config_init(&c);
  EXPECT_EQ(c.redrive_allow, SEGLOG_REDRIVE_ALLOW_ALL);
  EXPECT_EQ(c.redrive_allow_sources, nullptr);
  EXPECT_EQ(c.redrive_allow_source_count, 0u);
  seglog_queue_receive_options o;
  std::memset(&o, 0x5a, sizeof o);
  seglog_queue_receive_options_init(&o);
  EXPECT_EQ(o.attempt_id, nullptr);
  seglog_move_task_options m;
  std::memset(&m, 0x5a, sizeof m);
  seglog_move_task_options_init(&m);
  EXPECT_EQ(m.struct_size, sizeof m);
  EXPECT_EQ(m.destination, nullptr);
  EXPECT_EQ(m.max_per_second, 0u);
  seglog_move_task_info info;
  std::memset(&info, 0x5a, sizeof info);
  seglog_move_task_info_init(&info);
  EXPECT_EQ(info.struct_size, sizeof info);
  EXPECT_STREQ(info.handle, "");
  EXPECT_STREQ(info.failure_reason, "");
  EXPECT_EQ(info.moved, 0u);
  EXPECT_EQ(seglog_version(), 4000);
  EXPECT_STREQ(SEGLOG_VERSION_STRING, "0.4.0");
}

TEST_F(CapiQueueV3Test, RedriveAllowLandsInTheQueueConfigAndDescribe) {
  CreateQueue("dlq");
  CreateQueue("a");
  CreateQueue("b");
  seglog_queue_config c;
  seglog_queue_config_init(&c);
  const char* sources[] = {"a", "b"};
  c.redrive_allow = SEGLOG_REDRIVE_ALLOW_BY_QUEUE;
  c.redrive_allow_sources = sources;
  c.redrive_allow_source_count = 2;
  ASSERT_EQ(seglog_queue_set_attributes(db_, "dlq", &c, SEGLOG_QUEUE_FIELD_REDRIVE_ALLOW_POLICY),
            SEGLOG_OK)
      << Error();
  QueueConfig qc;
  ASSERT_OK(db_->queues->GetConfig("dlq", &qc));
  EXPECT_EQ(qc.redrive_allow.permission, RedriveAllow::kByQueue);
  EXPECT_EQ(qc.redrive_allow.sources, (std::vector<std::string>{"a", "b"}));
  seglog_queue_info info;
  seglog_queue_info_init(&info);
  ASSERT_EQ(seglog_queue_describe(db_, "dlq", &info), SEGLOG_OK) << Error();
  EXPECT_EQ(info.redrive_allow, SEGLOG_REDRIVE_ALLOW_BY_QUEUE);
  ASSERT_EQ(info.redrive_allow_source_count, 2u);
  EXPECT_STREQ(info.redrive_allow_sources[0], "a");
  EXPECT_STREQ(info.redrive_allow_sources[1], "b");
  EXPECT_EQ(info.dead_letter_queue_missing, 0);

  c.redrive_allow = SEGLOG_REDRIVE_ALLOW_DENY_ALL;
  c.redrive_allow_sources = nullptr;
  c.redrive_allow_source_count = 0;
  ASSERT_EQ(seglog_queue_set_attributes(db_, "dlq", &c, SEGLOG_QUEUE_FIELD_REDRIVE_ALLOW_POLICY),
            SEGLOG_OK)
      << Error();
  ASSERT_OK(db_->queues->GetConfig("dlq", &qc));
  EXPECT_EQ(qc.redrive_allow.permission, RedriveAllow::kDenyAll);
  EXPECT_TRUE(qc.redrive_allow.sources.empty());
  seglog_queue_info_init(&info);
  ASSERT_EQ(seglog_queue_describe(db_, "dlq", &info), SEGLOG_OK) << Error();
  EXPECT_EQ(info.redrive_allow, SEGLOG_REDRIVE_ALLOW_DENY_ALL);
  EXPECT_EQ(info.redrive_allow_source_count, 0u);
}

TEST_F(CapiQueueV3Test, BadRedriveAllowIsRefusedAndChangesNothing) {
  CreateQueue("dlq");
  const char* one[] = {"a"};
  const char* null_one[] = {nullptr};
  const char* bad_name[] = {"a/b"};
  const char* eleven[11] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"};
  struct Case {
    int permission;
    const char* const* sources;
    size_t count;
  } cases[] = {
      {3, nullptr, 0},                                // unknown enum
      {-1, nullptr, 0},
      {SEGLOG_REDRIVE_ALLOW_ALL, one, 1},             // sources without byQueue
      {SEGLOG_REDRIVE_ALLOW_DENY_ALL, one, 1},
      {SEGLOG_REDRIVE_ALLOW_BY_QUEUE, nullptr, 0},    // byQueue without sources
      {SEGLOG_REDRIVE_ALLOW_BY_QUEUE, nullptr, 1},    // NULL array
      {SEGLOG_REDRIVE_ALLOW_BY_QUEUE, null_one, 1},   // NULL name
      {SEGLOG_REDRIVE_ALLOW_BY_QUEUE, bad_name, 1},
      {SEGLOG_REDRIVE_ALLOW_BY_QUEUE, eleven, 11},
  };
  for (const Case& k : cases) {
    seglog_queue_config c;
    seglog_queue_config_init(&c);
    c.redrive_allow = k.permission;
    c.redrive_allow_sources = k.sources;
    c.redrive_allow_source_count = k.count;
    EXPECT_EQ(seglog_queue_set_attributes(db_, "dlq", &c, SEGLOG_QUEUE_FIELD_REDRIVE_ALLOW_POLICY),
              SEGLOG_EINVAL)
        << k.permission << " " << k.count;
    EXPECT_EQ(seglog_queue_create(db_, "new", &c), SEGLOG_EINVAL) << k.permission;
  }
  QueueConfig qc;
  ASSERT_OK(db_->queues->GetConfig("dlq", &qc));
  EXPECT_EQ(qc.redrive_allow.permission, RedriveAllow::kAllowAll);
  size_t n = 0;
  ASSERT_EQ(seglog_queue_list(db_, nullptr, 0, &n), SEGLOG_OK);
  EXPECT_EQ(n, 1u) << "no queue 'new'";
}

// ---- struct sizes (convention 6) ----

TEST_F(CapiQueueV3Test, StructsOf020AreReadWithTheNewFieldsAtTheirDefaults) {
  // 0.2.0's sizes: where the 0.3.0 fields begin, rounded up to the struct's alignment.
  const size_t cfg020 = offsetof(seglog_queue_config, redrive_allow_sources);
  const size_t info020 = (offsetof(seglog_queue_info, dead_letter_queue_missing) +
                          alignof(seglog_queue_info) - 1) /
                         alignof(seglog_queue_info) * alignof(seglog_queue_info);
  const size_t recv020 = offsetof(seglog_queue_receive_options, attempt_id);
#if UINTPTR_MAX == 0xffffffffffffffffu
  EXPECT_EQ(cfg020, 88u);
  EXPECT_EQ(info020, 376u);
  EXPECT_EQ(recv020, 24u);
#endif
  // A 0.2.0 config whose memory past its size is garbage: the new fields are not read.
  seglog_queue_config c;
  std::memset(&c, 0x7f, sizeof c);
  seglog_queue_config_init(&c);
  std::memset(reinterpret_cast<char*>(&c) + cfg020, 0x7f, sizeof c - cfg020);
  c.struct_size = cfg020;
  ASSERT_EQ(seglog_queue_create(db_, "q", &c), SEGLOG_OK) << Error();
  c.struct_size = cfg020 + 4;  // between two versions
  EXPECT_EQ(seglog_queue_create(db_, "q2", &c), SEGLOG_EINVAL);

  seglog_queue_info info;
  std::memset(&info, 0x33, sizeof info);
  info.struct_size = info020;
  ASSERT_EQ(seglog_queue_describe(db_, "q", &info), SEGLOG_OK) << Error();
  EXPECT_STREQ(info.name, "q");
  const auto* tail = reinterpret_cast<const unsigned char*>(&info);
  for (size_t off = info020; off < sizeof info; ++off) {
    ASSERT_EQ(tail[off], 0x33) << "byte " << off << " past a 0.2.0 struct was written";
  }
  seglog_queue_info_init(&info);
  info.struct_size = info020 - 4;
  EXPECT_EQ(seglog_queue_describe(db_, "q", &info), SEGLOG_EINVAL);

  seglog_queue_receive_options o;
  std::memset(&o, 0x7f, sizeof o);
  seglog_queue_receive_options_init(&o);
  std::memset(reinterpret_cast<char*>(&o) + recv020, 0x7f, sizeof o - recv020);
  o.struct_size = recv020;
  o.wait_s = 0;
  seglog_queue_messages* batch = nullptr;
  ASSERT_EQ(seglog_queue_receive(db_, "q", &o, &batch), SEGLOG_OK) << Error();
  seglog_queue_messages_free(batch);
}

// ---- move tasks, dead-letter sources: the C layer's own checks ----

TEST_F(CapiQueueV3Test, MoveTaskArgumentsAreChecked) {
  CreateQueue("dlq");
  char handle[SEGLOG_MOVE_TASK_HANDLE_MAX + 1];
  seglog_move_task_options o;
  seglog_move_task_options_init(&o);
  EXPECT_EQ(seglog_queue_move_task_start(nullptr, "dlq", &o, handle, sizeof handle),
            SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_move_task_start(db_, nullptr, &o, handle, sizeof handle), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_move_task_start(db_, "bad/name", &o, handle, sizeof handle),
            SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_move_task_start(db_, "dlq", &o, nullptr, sizeof handle), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_move_task_start(db_, "dlq", &o, handle, SEGLOG_MOVE_TASK_HANDLE_MAX),
            SEGLOG_EINVAL);
  EXPECT_NE(Error().find("handle_cap"), std::string::npos) << Error();
  o.max_per_second = SEGLOG_MOVE_TASK_MAX_PER_SECOND + 1;
  EXPECT_EQ(seglog_queue_move_task_start(db_, "dlq", &o, handle, sizeof handle), SEGLOG_EINVAL);
  seglog_move_task_options_init(&o);
  o.destination = "no/such";
  EXPECT_EQ(seglog_queue_move_task_start(db_, "dlq", &o, handle, sizeof handle), SEGLOG_EINVAL);
  seglog_move_task_options_init(&o);
  o.struct_size = 3;
  EXPECT_EQ(seglog_queue_move_task_start(db_, "dlq", &o, handle, sizeof handle), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_move_task_cancel(db_, nullptr, nullptr), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_move_task_cancel(nullptr, "h", nullptr), SEGLOG_EINVAL);

  size_t n = 0;
  seglog_move_task_info tasks[3];
  for (auto& t : tasks) seglog_move_task_info_init(&t);
  EXPECT_EQ(seglog_queue_move_task_list(db_, "dlq", tasks, 3, nullptr), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_move_task_list(db_, "dlq", nullptr, 3, &n), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_move_task_list(db_, "bad/name", tasks, 3, &n), SEGLOG_EINVAL);
  tasks[2].struct_size = 0;
  EXPECT_EQ(seglog_queue_move_task_list(db_, "dlq", tasks, 3, &n), SEGLOG_EINVAL);
  EXPECT_NE(Error().find("tasks[2]"), std::string::npos) << Error();
  tasks[0].struct_size = 0;
  EXPECT_EQ(seglog_queue_move_task_list(db_, "dlq", tasks, 3, &n), SEGLOG_EINVAL);
}

TEST_F(CapiQueueV3Test, DeadLetterSourcesArgumentsAreChecked) {
  seglog_name names[2];
  size_t n = 0;
  EXPECT_EQ(seglog_queue_list_dead_letter_sources(nullptr, "d", names, 2, &n), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_list_dead_letter_sources(db_, nullptr, names, 2, &n), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_list_dead_letter_sources(db_, "a/b", names, 2, &n), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_list_dead_letter_sources(db_, "d", names, 2, nullptr), SEGLOG_EINVAL);
  EXPECT_EQ(seglog_queue_list_dead_letter_sources(db_, "d", nullptr, 2, &n), SEGLOG_EINVAL);
}

TEST_F(CapiQueueV3Test, BusyIsEbusy) {
  // The engine's Purge answers Busy for an aws queue purged under 60 s ago (PurgeQueueInProgress).
  EXPECT_EQ(capi::ReturnCode(StatusCode::kBusy), SEGLOG_EBUSY);
  EXPECT_EQ(capi::Finish("seglog_queue_purge", Status::Busy("PurgeQueueInProgress: x")),
            SEGLOG_EBUSY);
  EXPECT_NE(Error().find("PurgeQueueInProgress"), std::string::npos) << Error();
}

}  // namespace
}  // namespace seglog
