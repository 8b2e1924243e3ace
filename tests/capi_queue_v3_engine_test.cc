// The C API's 0.3.0 queue calls end to end over the engine work of issue 14 that lands beside
// the C layer: dead-letter sources, message move tasks (start, list, cancel), the receive
// attempt id, the redrive allow policy stored and enforced, dead_letter_queue_missing, and
// purge's PurgeQueueInProgress. Through include/seglog.h only (as capi_core_test.cc). Move
// tasks run on the store's scheduler in real time: a test waits for a task's end with a
// generous bound (a liveness check, no speed goal).
#include <seglog.h>

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace {

class CapiQueueV3EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/seglog-capi-v3-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Open();
  }
  void TearDown() override {
    seglog_close(db_);
    ASSERT_EQ(system(("rm -rf '" + dir_ + "'").c_str()), 0);
  }
  void Open() {
    ASSERT_EQ(seglog_open((dir_ + "/db").c_str(), nullptr, &db_), SEGLOG_OK) << Error();
  }
  void Reopen() {
    seglog_close(db_);
    db_ = nullptr;
    Open();
  }
  std::string Error() const { return seglog_last_error(); }

  void Create(const char* name, const char* dlq = nullptr, int type = SEGLOG_QUEUE_STANDARD) {
    seglog_queue_config c;
    seglog_queue_config_init(&c);
    c.type = type;
    if (dlq != nullptr) {
      c.dead_letter_queue = dlq;
      c.max_receive_count = 1;
    }
    ASSERT_EQ(seglog_queue_create(db_, name, &c), SEGLOG_OK) << name << ": " << Error();
  }
  void Send(const char* q, const std::string& body) {
    seglog_queue_send_entry e;
    seglog_queue_send_entry_init(&e, body.data(), body.size());
    ASSERT_EQ(seglog_queue_send(db_, q, &e, nullptr, nullptr), SEGLOG_OK) << Error();
  }
  // Receives up to 10 with visibility `vt`: the bodies and the MessageIds.
  std::vector<std::pair<std::string, std::string>> Receive(const char* q, int32_t vt,
                                                           const char* attempt = nullptr,
                                                           std::vector<std::string>* receipts =
                                                               nullptr) {
    seglog_queue_receive_options o;
    seglog_queue_receive_options_init(&o);
    o.max_messages = 10;
    o.wait_s = 0;
    o.visibility_timeout_s = vt;
    o.attempt_id = attempt;
    seglog_queue_messages* b = nullptr;
    EXPECT_EQ(seglog_queue_receive(db_, q, &o, &b), SEGLOG_OK) << Error();
    std::vector<std::pair<std::string, std::string>> out;
    for (size_t i = 0; i < seglog_queue_messages_count(b); ++i) {
      const seglog_queue_message_v2* m = seglog_queue_messages_get_v2(b, i);
      out.emplace_back(std::string(static_cast<const char*>(m->body), m->body_len),
                       m->message_id);
      if (receipts != nullptr) receipts->push_back(m->receipt);
    }
    seglog_queue_messages_free(b);
    return out;
  }
  uint64_t Visible(const char* q) {
    seglog_queue_statistics st;
    seglog_queue_stats_init(&st);
    EXPECT_EQ(seglog_queue_stats(db_, q, &st), SEGLOG_OK) << Error();
    return st.visible + st.in_flight + st.delayed;
  }
  // Moves every message of `src` (max_receive_count 1) to its dead-letter queue: one receive
  // with visibility 0, then one more receive finds them past the count.
  void Dead(const char* src, size_t n) {
    ASSERT_EQ(Receive(src, 0).size(), n);
    EXPECT_TRUE(Receive(src, 0).empty());
  }
  std::vector<seglog_move_task_info> Tasks(const char* source) {
    std::vector<seglog_move_task_info> t(SEGLOG_MOVE_TASK_LIST_MAX);
    for (auto& i : t) seglog_move_task_info_init(&i);
    size_t n = 0;
    EXPECT_EQ(seglog_queue_move_task_list(db_, source, t.data(), t.size(), &n), SEGLOG_OK)
        << Error();
    t.resize(n);
    return t;
  }
  // The newest task of `source` once it is no longer running (or cancelling), within 60 s.
  seglog_move_task_info WaitForEnd(const char* source) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    for (;;) {
      std::vector<seglog_move_task_info> t = Tasks(source);
      EXPECT_FALSE(t.empty());
      if (t.empty()) return {};
      if ((t[0].status != SEGLOG_MOVE_TASK_RUNNING &&
           t[0].status != SEGLOG_MOVE_TASK_CANCELLING) ||
          std::chrono::steady_clock::now() > deadline) {
        return t[0];
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  std::string dir_;
  seglog* db_ = nullptr;
};

TEST_F(CapiQueueV3EngineTest, DeadLetterSources) {
  Create("d");
  Create("b", "d");
  Create("a", "d");
  Create("c");
  seglog_name names[4];
  size_t n = 0;
  ASSERT_EQ(seglog_queue_list_dead_letter_sources(db_, "d", names, 4, &n), SEGLOG_OK) << Error();
  ASSERT_EQ(n, 2u);
  EXPECT_STREQ(names[0].name, "a");
  EXPECT_STREQ(names[1].name, "b");
  ASSERT_EQ(seglog_queue_list_dead_letter_sources(db_, "d", names, 1, &n), SEGLOG_OK) << Error();
  EXPECT_EQ(n, 2u);
  ASSERT_EQ(seglog_queue_list_dead_letter_sources(db_, "c", names, 4, &n), SEGLOG_OK) << Error();
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(seglog_queue_list_dead_letter_sources(db_, "none", names, 4, &n), SEGLOG_ENOTFOUND);
}

TEST_F(CapiQueueV3EngineTest, MoveTaskMovesEveryMessageBackWithNewMessageIds) {
  Create("d");
  Create("src", "d");
  for (const char* b : {"m1", "m2", "m3"}) Send("src", b);
  std::set<std::string> first_ids;
  for (const auto& m : Receive("src", 0)) first_ids.insert(m.second);
  ASSERT_EQ(first_ids.size(), 3u);
  EXPECT_TRUE(Receive("src", 0).empty()) << "moved to d";
  ASSERT_EQ(Visible("d"), 3u);

  char handle[SEGLOG_MOVE_TASK_HANDLE_MAX + 1];
  ASSERT_EQ(seglog_queue_move_task_start(db_, "d", nullptr, handle, sizeof handle), SEGLOG_OK)
      << Error();
  EXPECT_GT(std::strlen(handle), 0u);
  const seglog_move_task_info t = WaitForEnd("d");
  EXPECT_EQ(t.status, SEGLOG_MOVE_TASK_COMPLETED) << t.failure_reason;
  EXPECT_STREQ(t.handle, handle);
  EXPECT_STREQ(t.source, "d");
  EXPECT_STREQ(t.destination, "");
  EXPECT_EQ(t.moved, 3u);
  EXPECT_EQ(t.to_move, 3u);
  EXPECT_GT(t.started_ms, 0);
  EXPECT_EQ(Visible("d"), 0u);
  std::set<std::string> bodies;
  for (const auto& m : Receive("src", 30)) {
    bodies.insert(m.first);
    EXPECT_EQ(first_ids.count(m.second), 0u) << "a moved message gets a new MessageId";
  }
  EXPECT_EQ(bodies, (std::set<std::string>{"m1", "m2", "m3"}));
  uint64_t moved = 99;
  EXPECT_EQ(seglog_queue_move_task_cancel(db_, handle, &moved), SEGLOG_ENOTFOUND)
      << "a finished task cannot be cancelled";
}

TEST_F(CapiQueueV3EngineTest, MoveTaskToADestinationAtARate) {
  Create("d");
  Create("src", "d");
  Create("other");
  Send("src", "x");
  Dead("src", 1);
  seglog_move_task_options o;
  seglog_move_task_options_init(&o);
  o.destination = "other";
  o.max_per_second = 50;
  char handle[SEGLOG_MOVE_TASK_HANDLE_MAX + 1];
  ASSERT_EQ(seglog_queue_move_task_start(db_, "d", &o, handle, sizeof handle), SEGLOG_OK)
      << Error();
  const seglog_move_task_info t = WaitForEnd("d");
  EXPECT_EQ(t.status, SEGLOG_MOVE_TASK_COMPLETED) << t.failure_reason;
  EXPECT_STREQ(t.destination, "other");
  EXPECT_EQ(t.max_per_second, 50u);
  EXPECT_EQ(Visible("other"), 1u);
  EXPECT_EQ(Visible("src"), 0u);
}

TEST_F(CapiQueueV3EngineTest, CancelAndOneTaskAtATime) {
  Create("d");
  Create("src", "d");
  for (int i = 0; i < 6; ++i) Send("src", "m" + std::to_string(i));
  Dead("src", 6);
  seglog_move_task_options o;
  seglog_move_task_options_init(&o);
  o.max_per_second = 1;  // 6 messages take seconds: the task is running below
  char handle[SEGLOG_MOVE_TASK_HANDLE_MAX + 1];
  ASSERT_EQ(seglog_queue_move_task_start(db_, "d", &o, handle, sizeof handle), SEGLOG_OK)
      << Error();
  char second[SEGLOG_MOVE_TASK_HANDLE_MAX + 1];
  EXPECT_EQ(seglog_queue_move_task_start(db_, "d", &o, second, sizeof second), SEGLOG_EEXIST);
  uint64_t moved = 99;
  ASSERT_EQ(seglog_queue_move_task_cancel(db_, handle, &moved), SEGLOG_OK) << Error();
  EXPECT_LE(moved, 6u);
  const seglog_move_task_info t = WaitForEnd("d");
  EXPECT_EQ(t.status, SEGLOG_MOVE_TASK_CANCELLED);
  EXPECT_EQ(Visible("src") + Visible("d"), 6u) << "a cancelled move loses nothing";
  EXPECT_EQ(seglog_queue_move_task_cancel(db_, "not-a-handle", nullptr), SEGLOG_ENOTFOUND);
  size_t n = 0;
  ASSERT_EQ(seglog_queue_move_task_list(db_, "d", nullptr, 0, &n), SEGLOG_OK) << Error();
  EXPECT_EQ(n, 1u);
}

TEST_F(CapiQueueV3EngineTest, MoveTaskRefusals) {
  Create("d");
  Create("src", "d");
  Create("plain");
  Create("f.fifo", nullptr, SEGLOG_QUEUE_FIFO);
  char handle[SEGLOG_MOVE_TASK_HANDLE_MAX + 1];
  EXPECT_EQ(seglog_queue_move_task_start(db_, "plain", nullptr, handle, sizeof handle),
            SEGLOG_EINVAL) << "not a dead-letter queue";
  EXPECT_EQ(seglog_queue_move_task_start(db_, "none", nullptr, handle, sizeof handle),
            SEGLOG_ENOTFOUND);
  seglog_move_task_options o;
  seglog_move_task_options_init(&o);
  o.destination = "f.fifo";
  EXPECT_EQ(seglog_queue_move_task_start(db_, "d", &o, handle, sizeof handle), SEGLOG_EINVAL);
  o.destination = "d";
  EXPECT_EQ(seglog_queue_move_task_start(db_, "d", &o, handle, sizeof handle), SEGLOG_EINVAL);
  o.destination = "nowhere";
  EXPECT_EQ(seglog_queue_move_task_start(db_, "d", &o, handle, sizeof handle), SEGLOG_ENOTFOUND);
  size_t n = 0;
  EXPECT_EQ(seglog_queue_move_task_list(db_, "none", nullptr, 0, &n), SEGLOG_ENOTFOUND);
}

TEST_F(CapiQueueV3EngineTest, AttemptIdRepeatsAReceive) {
  Create("f.fifo", nullptr, SEGLOG_QUEUE_FIFO);
  for (const char* b : {"a", "b"}) {
    seglog_queue_send_entry e;
    seglog_queue_send_entry_init(&e, b, 1);
    e.group_id = "g";
    e.dedup_id = b;
    ASSERT_EQ(seglog_queue_send(db_, "f.fifo", &e, nullptr, nullptr), SEGLOG_OK) << Error();
  }
  std::vector<std::string> r1, r2;
  const auto first = Receive("f.fifo", 30, "try-1", &r1);
  ASSERT_EQ(first.size(), 2u);
  const auto again = Receive("f.fifo", 30, "try-1", &r2);
  EXPECT_EQ(again, first) << "the same messages";
  EXPECT_EQ(r2, r1) << "with the same receipts";
  EXPECT_TRUE(Receive("f.fifo", 30, "try-2").empty()) << "a new attempt: the group is in flight";
  seglog_queue_receive_options o;
  seglog_queue_receive_options_init(&o);
  o.wait_s = 0;
  seglog_queue_messages* b = nullptr;
  const std::string too_long(SEGLOG_QUEUE_ATTEMPT_ID_MAX + 1, 'x');
  for (const char* bad : {too_long.c_str(), "has space", "tab\there"}) {
    o.attempt_id = bad;
    EXPECT_EQ(seglog_queue_receive(db_, "f.fifo", &o, &b), SEGLOG_EINVAL) << bad;
    EXPECT_EQ(b, nullptr);
  }
}

TEST_F(CapiQueueV3EngineTest, RedriveAllowIsStoredAndEnforced) {
  Create("a");
  seglog_queue_config c;
  seglog_queue_config_init(&c);
  const char* sources[] = {"a"};
  c.redrive_allow = SEGLOG_REDRIVE_ALLOW_BY_QUEUE;
  c.redrive_allow_sources = sources;
  c.redrive_allow_source_count = 1;
  ASSERT_EQ(seglog_queue_create(db_, "by", &c), SEGLOG_OK) << Error();
  seglog_queue_config_init(&c);
  c.redrive_allow = SEGLOG_REDRIVE_ALLOW_DENY_ALL;
  ASSERT_EQ(seglog_queue_create(db_, "deny", &c), SEGLOG_OK) << Error();
  Reopen();
  seglog_queue_info info;
  seglog_queue_info_init(&info);
  ASSERT_EQ(seglog_queue_describe(db_, "by", &info), SEGLOG_OK) << Error();
  EXPECT_EQ(info.redrive_allow, SEGLOG_REDRIVE_ALLOW_BY_QUEUE);
  ASSERT_EQ(info.redrive_allow_source_count, 1u);
  EXPECT_STREQ(info.redrive_allow_sources[0], "a");
  seglog_queue_config_init(&c);
  c.dead_letter_queue = "deny";
  c.max_receive_count = 3;
  EXPECT_EQ(seglog_queue_create(db_, "x", &c), SEGLOG_EINVAL) << "denyAll";
  c.dead_letter_queue = "by";
  EXPECT_EQ(seglog_queue_create(db_, "x", &c), SEGLOG_EINVAL) << "x is not among by's sources";
  EXPECT_EQ(seglog_queue_set_attributes(db_, "a", &c, SEGLOG_QUEUE_FIELD_REDRIVE_POLICY),
            SEGLOG_OK)
      << Error();
}

TEST_F(CapiQueueV3EngineTest, DeadLetterQueueMissing) {
  Create("d");
  Create("src", "d");
  seglog_queue_info info;
  seglog_queue_info_init(&info);
  ASSERT_EQ(seglog_queue_describe(db_, "src", &info), SEGLOG_OK) << Error();
  EXPECT_EQ(info.dead_letter_queue_missing, 0);
  ASSERT_EQ(seglog_queue_delete(db_, "d"), SEGLOG_OK) << Error();
  seglog_queue_info_init(&info);
  ASSERT_EQ(seglog_queue_describe(db_, "src", &info), SEGLOG_OK) << Error();
  EXPECT_EQ(info.dead_letter_queue_missing, 1);
  EXPECT_STREQ(info.dead_letter_queue, "d");
}

TEST_F(CapiQueueV3EngineTest, PurgeInProgressIsEbusy) {
  seglog_queue_config c;
  seglog_queue_config_init(&c);
  c.limits = SEGLOG_LIMITS_AWS;
  ASSERT_EQ(seglog_queue_create(db_, "aws", &c), SEGLOG_OK) << Error();
  Create("relaxed");
  ASSERT_EQ(seglog_queue_purge(db_, "aws"), SEGLOG_OK) << Error();
  EXPECT_EQ(seglog_queue_purge(db_, "aws"), SEGLOG_EBUSY);
  EXPECT_NE(Error().find("PurgeQueueInProgress"), std::string::npos) << Error();
  ASSERT_EQ(seglog_queue_purge(db_, "relaxed"), SEGLOG_OK) << Error();
  EXPECT_EQ(seglog_queue_purge(db_, "relaxed"), SEGLOG_OK) << "relaxed queues have no limit";
}

}  // namespace
