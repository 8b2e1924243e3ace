// The SQS actions on queue tags (TagQueue, UntagQueue, ListQueueTags) and on message move tasks
// (StartMessageMoveTask, ListMessageMoveTasks, CancelMessageMoveTask), over the engine's
// Queues (tags and tasks are the engine's, durable there; nothing is kept here).
//
// Move tasks are addressed by queue ARNs (arn:aws:sqs:REGION:ACCOUNT:NAME; another region or
// account, or a malformed ARN: InvalidParameterValue). The engine's task handle (opaque ASCII,
// at most 256 bytes) is SQS's TaskHandle as it is. Errors as SQS answers them: an unknown
// source or destination queue or task is ResourceNotFoundException; a second task for a source
// that has one running is InvalidParameterValue ("There is already a task running...").
#include "server/sqs/sqs_internal.h"

namespace seglog::server::sqs {

using nlohmann::json;

namespace {

// ---- tags ----

json TagQueue(const ActionEnv& env, const json& in) {
  const std::string name = QueueNameIn(in, env.ctx);
  const QueueTags tags = StringMap(in, "Tags", /*required=*/true);
  Check(env.queues->TagQueue(name, tags));
  return json::object();
}

json UntagQueue(const ActionEnv& env, const json& in) {
  const std::string name = QueueNameIn(in, env.ctx);
  RequiredArray(in, "TagKeys");  // MissingParameter when absent
  const std::vector<std::string> keys = StringList(in, "TagKeys");
  Check(env.queues->UntagQueue(name, keys));
  return json::object();
}

// No Tags member when the queue has none (as SQS).
json ListQueueTags(const ActionEnv& env, const json& in) {
  QueueTags tags;
  Check(env.queues->ListTags(QueueNameIn(in, env.ctx), &tags));
  json out = json::object();
  if (!tags.empty()) out["Tags"] = tags;
  return out;
}

// ---- move tasks ----

[[noreturn]] void FailResource(const char* param) {
  Fail("ResourceNotFoundException", std::string("The resource that you specified for the ") +
                                        param + " parameter doesn't exist.");
}

bool QueueExists(Queues* queues, const std::string& name) {
  QueueConfig c;  // the settings alone: no statistics pass
  return queues->GetConfig(name, &c).ok();
}

json StartMessageMoveTask(const ActionEnv& env, const json& in) {
  const std::string source = QueueNameOfArn(RequiredString(in, "SourceArn"), env.ctx, "SourceArn");
  MoveTaskOptions opt;
  if (auto d = OptionalString(in, "DestinationArn")) {
    opt.destination = QueueNameOfArn(*d, env.ctx, "DestinationArn");
  }
  opt.max_per_second = static_cast<uint32_t>(
      OptionalInt(in, "MaxNumberOfMessagesPerSecond", 1, kQueueMaxMovePerSecond).value_or(0));
  std::string handle;
  Status s = env.queues->StartMoveTask(source, opt, &handle);
  if (s.code() == StatusCode::kNotFound) {
    FailResource(QueueExists(env.queues, source) ? "DestinationArn" : "SourceArn");
  }
  if (s.code() == StatusCode::kAlreadyExists) {
    FailValue("There is already a task running. Only one active task is allowed for a source "
              "queue arn at a given time.");
  }
  Check(s);
  return json{{"TaskHandle", handle}};
}

json TaskJson(const MoveTaskInfo& t, const RequestContext& ctx) {
  json e{{"Status", MoveTaskStatusName(t.status)},
         {"SourceArn", QueueArnOf(t.source, ctx)},
         {"ApproximateNumberOfMessagesMoved", t.moved},
         {"ApproximateNumberOfMessagesToMove", t.to_move},
         {"StartedTimestamp", t.started_ms}};
  if (t.status == MoveTaskStatus::kRunning) e["TaskHandle"] = t.handle;  // as SQS: running only
  if (!t.destination.empty()) e["DestinationArn"] = QueueArnOf(t.destination, ctx);
  if (t.max_per_second != 0) e["MaxNumberOfMessagesPerSecond"] = t.max_per_second;
  if (t.status == MoveTaskStatus::kFailed) e["FailureReason"] = t.failure_reason;
  return e;
}

// MaxResults 1 .. 10, default 1 (the most recent task), as SQS.
json ListMessageMoveTasks(const ActionEnv& env, const json& in) {
  const std::string source = QueueNameOfArn(RequiredString(in, "SourceArn"), env.ctx, "SourceArn");
  const auto max = OptionalInt(in, "MaxResults", 1, kQueueMaxMoveTasksListed).value_or(1);
  std::vector<MoveTaskInfo> tasks;
  Status s = env.queues->ListMoveTasks(source, static_cast<size_t>(max), &tasks);
  if (s.code() == StatusCode::kNotFound) FailResource("SourceArn");
  Check(s);
  json results = json::array();
  for (const MoveTaskInfo& t : tasks) results.push_back(TaskJson(t, env.ctx));
  return json{{"Results", std::move(results)}};
}

json CancelMessageMoveTask(const ActionEnv& env, const json& in) {
  const std::string handle = RequiredString(in, "TaskHandle");
  uint64_t moved = 0;
  Status s = env.queues->CancelMoveTask(handle, &moved);
  if (s.code() == StatusCode::kNotFound) Fail("ResourceNotFoundException", "Task does not exist.");
  Check(s);
  return json{{"ApproximateNumberOfMessagesMoved", moved}};
}

}  // namespace

SyncAction FindTagMoveAction(std::string_view action) {
  static const std::pair<std::string_view, SyncAction> kActions[] = {
      {"TagQueue", TagQueue},
      {"UntagQueue", UntagQueue},
      {"ListQueueTags", ListQueueTags},
      {"StartMessageMoveTask", StartMessageMoveTask},
      {"ListMessageMoveTasks", ListMessageMoveTasks},
      {"CancelMessageMoveTask", CancelMessageMoveTask},
  };
  for (const auto& [n, f] : kActions) {
    if (n == action) return f;
  }
  return nullptr;
}

}  // namespace seglog::server::sqs
