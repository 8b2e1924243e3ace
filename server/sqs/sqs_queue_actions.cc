// The SQS actions on queues as a whole: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue,
// GetQueueAttributes, SetQueueAttributes, PurgeQueue, ListDeadLetterSourceQueues. The queue
// attributes' text forms (RedrivePolicy, RedriveAllowPolicy) are read and written here.
#include <algorithm>
#include <charconv>

#include "engine/queues/queue_attributes.h"
#include "server/sqs/sqs_internal.h"

namespace seglog::server::sqs {

using nlohmann::json;

namespace {

[[noreturn]] void FailAttrValue(const std::string& name) {
  Fail("InvalidAttributeValue", "Invalid value for the parameter " + Clip(name) + ".");
}

uint32_t AttrUint(const std::string& name, const std::string& v) {
  uint32_t x = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || r.ec != std::errc() || r.ptr != v.data() + v.size()) FailAttrValue(name);
  return x;
}

bool AttrBool(const std::string& name, const std::string& v) {
  if (v == "true") return true;
  if (v == "false") return false;
  FailAttrValue(name);
}

// RedrivePolicy: "" removes it; else {"deadLetterTargetArn": ARN, "maxReceiveCount": N}.
void ParseRedrivePolicy(const std::string& v, const RequestContext& ctx, QueueConfig* c) {
  c->dead_letter_queue.clear();
  c->max_receive_count = 0;
  if (v.empty()) return;
  json p = json::parse(v, nullptr, /*allow_exceptions=*/false);
  if (!p.is_object()) FailAttrValue("RedrivePolicy");
  auto arn = OptionalString(p, "deadLetterTargetArn");
  auto count = OptionalInt(p, "maxReceiveCount", 1, kQueueMaxReceiveCount);
  if (!arn || !count) {
    FailAttrValue("RedrivePolicy");
  }
  c->dead_letter_queue = QueueNameOfArn(*arn, ctx);
  c->max_receive_count = static_cast<uint32_t>(*count);
}

[[noreturn]] void FailRedriveAllow(const std::string& reason) {
  Fail("InvalidAttributeValue",
       "Invalid value for the parameter RedriveAllowPolicy. Reason: " + reason);
}

// RedriveAllowPolicy: "" resets it (allowAll); else {"redrivePermission": "allowAll" |
// "denyAll" | "byQueue", "sourceQueueArns": [ARN, ...]}, the ARNs with byQueue only (1 .. 10).
void ParseRedriveAllowPolicy(const std::string& v, const RequestContext& ctx, QueueConfig* c) {
  c->redrive_allow = RedriveAllowPolicy{};
  if (v.empty()) return;
  json p = json::parse(v, nullptr, /*allow_exceptions=*/false);
  if (!p.is_object()) FailRedriveAllow("the policy must be a JSON object.");
  for (auto it = p.begin(); it != p.end(); ++it) {
    if (it.key() != "redrivePermission" && it.key() != "sourceQueueArns") {
      FailRedriveAllow("unknown key " + Clip(it.key()) + ".");
    }
  }
  auto perm = p.find("redrivePermission");
  if (perm == p.end() || !perm->is_string()) {
    FailRedriveAllow("redrivePermission must be allowAll, denyAll or byQueue.");
  }
  const std::string& pv = perm->get_ref<const std::string&>();
  RedriveAllowPolicy r;
  if (pv == "allowAll") {
    r.permission = RedriveAllow::kAllowAll;
  } else if (pv == "denyAll") {
    r.permission = RedriveAllow::kDenyAll;
  } else if (pv == "byQueue") {
    r.permission = RedriveAllow::kByQueue;
  } else {
    FailRedriveAllow("redrivePermission must be allowAll, denyAll or byQueue.");
  }
  auto arns = p.find("sourceQueueArns");
  if (r.permission != RedriveAllow::kByQueue) {
    if (arns != p.end()) FailRedriveAllow("sourceQueueArns is allowed with byQueue only.");
    c->redrive_allow = std::move(r);
    return;
  }
  if (arns == p.end() || !arns->is_array() || arns->empty() ||
      arns->size() > kQueueMaxRedriveSources) {
    FailRedriveAllow("byQueue needs sourceQueueArns, a list of 1 to " +
                     std::to_string(kQueueMaxRedriveSources) + " queue ARNs.");
  }
  for (const json& a : *arns) {
    if (!a.is_string()) FailRedriveAllow("sourceQueueArns must be queue ARNs.");
    std::string name = QueueNameOfArn(a.get<std::string>(), ctx, "sourceQueueArns");
    if (std::find(r.sources.begin(), r.sources.end(), name) != r.sources.end()) {
      FailRedriveAllow("sourceQueueArns names " + Clip(name) + " twice.");
    }
    r.sources.push_back(std::move(name));
  }
  c->redrive_allow = std::move(r);
}

// SQS attribute names a queue may have that seglog does not support yet.
bool IsUnsupportedAttribute(const std::string& k) {
  return k == "Policy" || k == "KmsMasterKeyId" || k == "KmsDataKeyReusePeriodSeconds";
}

// One attribute of CreateQueue / SetQueueAttributes into *c, its field into *fields.
void ParseQueueAttribute(const std::string& k, const std::string& v, const RequestContext& ctx,
                         QueueConfig* c, QueueFields* fields) {
  if (k == "VisibilityTimeout") {
    c->visibility_timeout_s = AttrUint(k, v), fields->Add(QueueField::kVisibilityTimeout);
  } else if (k == "DelaySeconds") {
    c->delay_s = AttrUint(k, v), fields->Add(QueueField::kDelay);
  } else if (k == "MessageRetentionPeriod") {
    c->retention_s = AttrUint(k, v), fields->Add(QueueField::kRetention);
  } else if (k == "MaximumMessageSize") {
    c->max_message_bytes = AttrUint(k, v), fields->Add(QueueField::kMaxMessageBytes);
  } else if (k == "ReceiveMessageWaitTimeSeconds") {
    c->receive_wait_s = AttrUint(k, v), fields->Add(QueueField::kReceiveWait);
  } else if (k == "RedrivePolicy") {
    ParseRedrivePolicy(v, ctx, c), fields->Add(QueueField::kRedrivePolicy);
  } else if (k == "RedriveAllowPolicy") {
    ParseRedriveAllowPolicy(v, ctx, c), fields->Add(QueueField::kRedriveAllowPolicy);
  } else if (k == "ContentBasedDeduplication") {
    c->content_based_dedup = AttrBool(k, v), fields->Add(QueueField::kContentBasedDedup);
  } else if (k == "FifoQueue") {
    c->type = AttrBool(k, v) ? QueueType::kFifo : QueueType::kStandard;
    fields->Add(QueueField::kType);
  } else if (k == "DeduplicationScope") {
    if (v != "queue" && v != "messageGroup") FailAttrValue(k);
    c->dedup_scope = v == "queue" ? DedupScope::kQueue : DedupScope::kMessageGroup;
    fields->Add(QueueField::kDedupScope);
  } else if (k == "FifoThroughputLimit") {
    if (v != "perQueue" && v != "perMessageGroupId") FailAttrValue(k);
    c->fifo_throughput_limit = v == "perQueue" ? FifoThroughputLimit::kPerQueue
                                               : FifoThroughputLimit::kPerMessageGroupId;
    fields->Add(QueueField::kFifoThroughputLimit);
  } else if (k == "SqsManagedSseEnabled") {
    if (AttrBool(k, v)) {
      Fail("InvalidAttributeValue", "seglog does not support SqsManagedSseEnabled true yet.");
    }
  } else if (IsUnsupportedAttribute(k)) {
    Fail("UnsupportedOperation", "seglog does not support the queue attribute " + Clip(k) + " yet.");
  } else {
    Fail("InvalidAttributeName", "Unknown Attribute " + Clip(k) + ".");
  }
}

void ParseQueueAttributes(const json& attrs, const RequestContext& ctx, QueueConfig* c,
                          QueueFields* fields) {
  for (auto it = attrs.begin(); it != attrs.end(); ++it) {
    if (!it->is_string()) FailAttrValue(it.key());
    ParseQueueAttribute(it.key(), it->get<std::string>(), ctx, c, fields);
  }
}

bool Exists(Queues* queues, const std::string& name) {
  std::vector<std::string> names;
  std::string next;
  Status s = queues->List(name, 1, "", &names, &next);
  return s.ok() && !names.empty() && names[0] == name;
}

json CreateQueue(const ActionEnv& env, const json& in) {
  const std::string name = RequiredString(in, "QueueName");
  const QueueTags tags = StringMap(in, "tags", /*required=*/false);
  QueueConfig c;
  c.limits = env.limits;
  c.log.durability = env.durability;
  QueueFields fields;
  ParseQueueAttributes(OptionalObject(in, "Attributes"), env.ctx, &c, &fields);
  if (tags.empty()) {
    Check(env.queues->Create(name, c, fields));
  } else {
    Check(env.queues->Create(name, c, fields, tags));
  }
  return json{{"QueueUrl", QueueUrlOf(name, env.ctx)}};
}

json GetQueueUrl(const ActionEnv& env, const json& in) {
  const std::string name = RequiredString(in, "QueueName");
  auto owner = OptionalString(in, "QueueOwnerAWSAccountId");
  if ((owner && *owner != env.ctx.account) || !Exists(env.queues, name)) {
    FailStatus(Status::NotFound(name));
  }
  return json{{"QueueUrl", QueueUrlOf(name, env.ctx)}};
}

json ListQueues(const ActionEnv& env, const json& in) {
  const std::string prefix = OptionalString(in, "QueueNamePrefix").value_or("");
  auto max = OptionalInt(in, "MaxResults", 1, kQueueListMaxResults);
  const std::string token = OptionalString(in, "NextToken").value_or("");
  std::vector<std::string> names;
  std::string next;
  Check(env.queues->List(prefix, max.value_or(kQueueListMaxResults), token, &names, &next));
  json out = json::object();
  if (!names.empty()) {
    json urls = json::array();
    for (const auto& n : names) urls.push_back(QueueUrlOf(n, env.ctx));
    out["QueueUrls"] = std::move(urls);
  }
  if (max && !next.empty()) out["NextToken"] = next;
  return out;
}

json DeleteQueue(const ActionEnv& env, const json& in) {
  Check(env.queues->Delete(QueueNameIn(in, env.ctx)));
  return json::object();
}

json PurgeQueue(const ActionEnv& env, const json& in) {
  const std::string name = QueueNameIn(in, env.ctx);
  Status s = env.queues->Purge(name);
  if (s.code() == StatusCode::kBusy && s.message().rfind("PurgeQueueInProgress:", 0) == 0) {
    Fail("PurgeQueueInProgress",
         "Only one PurgeQueue operation on " + Clip(name) + " is allowed every 60 seconds.", 403);
  }
  Check(s);
  return json::object();
}

std::string RedrivePolicyText(const QueueConfig& c, const RequestContext& ctx) {
  json p{{"deadLetterTargetArn", QueueArnOf(c.dead_letter_queue, ctx)},
         {"maxReceiveCount", c.max_receive_count}};
  return p.dump();
}

// The default (allowAll, as a queue has before any RedriveAllowPolicy) is not returned.
std::string RedriveAllowPolicyText(const RedriveAllowPolicy& r, const RequestContext& ctx) {
  static const char* const kNames[] = {"allowAll", "denyAll", "byQueue"};
  json p{{"redrivePermission", kNames[static_cast<int>(r.permission)]}};
  if (r.permission == RedriveAllow::kByQueue) {
    json arns = json::array();
    for (const std::string& q : r.sources) arns.push_back(QueueArnOf(q, ctx));
    p["sourceQueueArns"] = std::move(arns);
  }
  return p.dump();
}

// Every attribute GetQueueAttributes can return for `d`.
json AllAttributes(const QueueDescription& d, const RequestContext& ctx) {
  const QueueConfig& c = d.config;
  json a{
      {"QueueArn", QueueArnOf(d.name, ctx)},
      {"ApproximateNumberOfMessages", std::to_string(d.stats.visible)},
      {"ApproximateNumberOfMessagesNotVisible", std::to_string(d.stats.in_flight)},
      {"ApproximateNumberOfMessagesDelayed", std::to_string(d.stats.delayed)},
      {"CreatedTimestamp", std::to_string(d.created_ms / 1000)},
      {"LastModifiedTimestamp", std::to_string(d.last_modified_ms / 1000)},
      {"VisibilityTimeout", std::to_string(c.visibility_timeout_s)},
      {"DelaySeconds", std::to_string(c.delay_s)},
      {"MessageRetentionPeriod", std::to_string(c.retention_s)},
      {"MaximumMessageSize", std::to_string(c.max_message_bytes)},
      {"ReceiveMessageWaitTimeSeconds", std::to_string(c.receive_wait_s)},
      {"SqsManagedSseEnabled", "false"},
  };
  // Still returned when the dead-letter queue was deleted (d.dead_letter_queue_missing), as SQS.
  if (!c.dead_letter_queue.empty()) a["RedrivePolicy"] = RedrivePolicyText(c, ctx);
  if (c.redrive_allow != RedriveAllowPolicy{}) {
    a["RedriveAllowPolicy"] = RedriveAllowPolicyText(c.redrive_allow, ctx);
  }
  if (c.type == QueueType::kFifo) {
    a["FifoQueue"] = "true";
    a["ContentBasedDeduplication"] = c.content_based_dedup ? "true" : "false";
    a["DeduplicationScope"] = c.dedup_scope == DedupScope::kQueue ? "queue" : "messageGroup";
    a["FifoThroughputLimit"] = c.fifo_throughput_limit == FifoThroughputLimit::kPerQueue
                                   ? "perQueue"
                                   : "perMessageGroupId";
  }
  return a;
}

bool IsKnownAttributeName(const std::string& n) {
  static const char* const kNames[] = {
      "All", "QueueArn", "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
      "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp",
      "VisibilityTimeout", "DelaySeconds", "MessageRetentionPeriod", "MaximumMessageSize",
      "ReceiveMessageWaitTimeSeconds", "SqsManagedSseEnabled", "RedrivePolicy",
      "RedriveAllowPolicy", "FifoQueue",
      "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"};
  return std::find(std::begin(kNames), std::end(kNames), n) != std::end(kNames) ||
         IsUnsupportedAttribute(n);
}

json GetQueueAttributes(const ActionEnv& env, const json& in) {
  const std::string name = QueueNameIn(in, env.ctx);
  const std::vector<std::string> wanted = StringList(in, "AttributeNames");
  for (const auto& n : wanted) {
    if (!IsKnownAttributeName(n)) Fail("InvalidAttributeName", "Unknown Attribute " + Clip(n) + ".");
  }
  QueueDescription d;
  Check(env.queues->Describe(name, &d));
  json all = AllAttributes(d, env.ctx);
  const bool every = std::find(wanted.begin(), wanted.end(), "All") != wanted.end();
  json out = json::object();
  if (every) {
    out["Attributes"] = std::move(all);
    return out;
  }
  json picked = json::object();
  for (const auto& n : wanted) {
    if (all.contains(n)) picked[n] = all[n];
  }
  if (!picked.empty()) out["Attributes"] = std::move(picked);
  return out;
}

json SetQueueAttributes(const ActionEnv& env, const json& in) {
  const std::string name = QueueNameIn(in, env.ctx);
  const json& attrs = OptionalObject(in, "Attributes");
  if (attrs.empty()) {
    Fail("MissingParameter", "The request must contain the parameter Attributes.");
  }
  QueueDescription d;
  Check(env.queues->Describe(name, &d));
  QueueConfig c = d.config;
  QueueFields fields;
  ParseQueueAttributes(attrs, env.ctx, &c, &fields);
  if (!fields.empty()) Check(env.queues->SetAttributes(name, c, fields));
  return json::object();
}

// The engine lists the sources (sorted); pages are cut here, NextToken naming the last queue
// of a page, as ListQueues' tokens do.
json ListDeadLetterSourceQueues(const ActionEnv& env, const json& in) {
  const std::string name = QueueNameIn(in, env.ctx);
  auto max = OptionalInt(in, "MaxResults", 1, kQueueListMaxResults);
  const std::string token = OptionalString(in, "NextToken").value_or("");
  std::string after;
  if (!token.empty()) Check(DecodeListToken(token, "", &after));
  std::vector<std::string> sources;
  Check(env.queues->ListDeadLetterSources(name, &sources));
  const size_t limit = max.value_or(kQueueListMaxResults);
  json urls = json::array();
  std::string last;
  bool more = false;
  for (const std::string& q : sources) {
    if (!after.empty() && q <= after) continue;
    if (urls.size() == limit) {
      more = true;
      break;
    }
    urls.push_back(QueueUrlOf(q, env.ctx));
    last = q;
  }
  json out{{"queueUrls", std::move(urls)}};
  if (more && max) out["NextToken"] = EncodeListToken("", last);
  return out;
}

}  // namespace

// Defined in sqs_message_actions.cc and sqs_tag_move_actions.cc.
SyncAction FindMessageAction(std::string_view action);
SyncAction FindTagMoveAction(std::string_view action);

SyncAction FindSyncAction(std::string_view action) {
  static const std::pair<std::string_view, SyncAction> kActions[] = {
      {"CreateQueue", CreateQueue},
      {"GetQueueUrl", GetQueueUrl},
      {"ListQueues", ListQueues},
      {"DeleteQueue", DeleteQueue},
      {"PurgeQueue", PurgeQueue},
      {"GetQueueAttributes", GetQueueAttributes},
      {"SetQueueAttributes", SetQueueAttributes},
      {"ListDeadLetterSourceQueues", ListDeadLetterSourceQueues},
  };
  for (const auto& [n, f] : kActions) {
    if (n == action) return f;
  }
  if (SyncAction f = FindTagMoveAction(action)) return f;
  return FindMessageAction(action);
}

bool IsUnsupportedAction(std::string_view action) {
  static const std::string_view kNames[] = {"AddPermission", "RemovePermission"};
  return std::find(std::begin(kNames), std::end(kNames), action) != std::end(kNames);
}

}  // namespace seglog::server::sqs
