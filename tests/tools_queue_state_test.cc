// `seglog inspect` shows a queue's 0.3.0 catalog state: tags, redrive allow policy and move
// tasks (SPEC.md 16.14, 16.16), decoded, in the text and the JSON report.
#include <nlohmann/json.hpp>

#include "engine/inspect/inspect.h"
#include "tests/support/queue_fixture.h"

namespace seglog::testing {
namespace {

class ToolsQueueStateTest : public QueueTest {
 protected:
  // dlq (denyAll but for "work") <- work (tags, max 1 receive); one message dead-lettered and
  // moved back by a completed task.
  void Build() {
    QueueConfig d = Config();
    d.redrive_allow.permission = RedriveAllow::kByQueue;
    d.redrive_allow.sources = {"work"};
    Create("dlq", d);
    QueueConfig w = Config();
    w.dead_letter_queue = "dlq";
    w.max_receive_count = 1;
    ASSERT_OK(queues_->Create("work", w, QueueFields::All(), {{"env", "prod"}, {"team", "a b"}}));
    Send("work", "poison");
    ASSERT_EQ(Receive("work", 1, 0).size(), 1u);
    ASSERT_TRUE(Receive("work", 1, 0).empty());  // moved to dlq
    ASSERT_OK(queues_->StartMoveTask("dlq", {}, &handle_));
    for (int i = 0; i < 500; ++i) {  // bounded: the task runs on the store's scheduler
      std::vector<MoveTaskInfo> tasks;
      ASSERT_OK(queues_->ListMoveTasks("dlq", 1, &tasks));
      if (tasks[0].status != MoveTaskStatus::kRunning) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    Close();
  }
  std::string handle_;
};

TEST_F(ToolsQueueStateTest, InspectDecodesTagsAllowPolicyAndMoveTasks) {
  Build();
  StoreReport r;
  InspectOptions opt;
  opt.clock = &clock_;
  ASSERT_OK(InspectStore(dir_.path(), opt, &r));
  ASSERT_EQ(r.queues.size(), 2u);
  const QueueReport& dlq = r.queues[0].name == "dlq" ? r.queues[0] : r.queues[1];
  const QueueReport& work = r.queues[0].name == "dlq" ? r.queues[1] : r.queues[0];
  EXPECT_TRUE(dlq.errors.empty());
  EXPECT_TRUE(work.errors.empty());
  EXPECT_EQ(work.tags, (format::TagMap{{"env", "prod"}, {"team", "a b"}}));
  EXPECT_TRUE(dlq.tags.empty());
  EXPECT_EQ(dlq.redrive_allow, "byQueue:work");
  ASSERT_EQ(dlq.move_tasks.size(), 1u);
  EXPECT_EQ(dlq.move_tasks[0].status, format::MoveTaskState::kCompleted);
  EXPECT_EQ(dlq.move_tasks[0].moved, 1u);
  EXPECT_EQ(dlq.move_tasks[0].to_move, 1u);
  EXPECT_TRUE(work.move_tasks.empty());
}

TEST_F(ToolsQueueStateTest, CliShowsThemInTextAndJson) {
  const std::string cli = SEGLOG_CLI_PATH;
  if (cli.empty()) GTEST_SKIP() << "seglog CLI not built";
  Build();
  std::string out;
  ASSERT_EQ(RunCommand(cli + " inspect '" + dir_.path() + "'", &out), 0) << out;
  EXPECT_NE(out.find("tags       \"env\"=\"prod\" \"team\"=\"a b\""), std::string::npos) << out;
  EXPECT_NE(out.find("allow      redrive byQueue:work"), std::string::npos) << out;
  EXPECT_NE(out.find("move task  completed: 1 of 1 moved to their source queues"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("move_tasks="), std::string::npos) << "shown decoded, not raw";
  ASSERT_EQ(RunCommand(cli + " inspect --json '" + dir_.path() + "'", &out), 0) << out;
  const nlohmann::json j = nlohmann::json::parse(out);
  for (const auto& q : j["queues"]) {
    if (q["name"] == "work") {
      EXPECT_EQ(q["tags"]["team"], "a b");
      EXPECT_EQ(q["redrive_allow"], "allowAll");
    } else {
      EXPECT_EQ(q["redrive_allow"], "byQueue:work");
      ASSERT_EQ(q["move_tasks"].size(), 1u);
      EXPECT_EQ(q["move_tasks"][0]["status"], "completed");
      EXPECT_EQ(q["move_tasks"][0]["moved"], 1);
    }
  }
}

}  // namespace
}  // namespace seglog::testing
