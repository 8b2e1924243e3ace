// SNS topic actions: CreateTopic, DeleteTopic, ListTopics, GetTopicAttributes,
// SetTopicAttributes, TagResource, UntagResource, ListTagsForResource.
//
// Topic attributes (SPEC.md Part VII, seglogd): DisplayName, FifoTopic (at creation only),
// ContentBasedDeduplication, SignatureVersion are the engine's; Policy, DeliveryPolicy,
// KmsMasterKeyId, TracingConfig, FifoThroughputScope and the delivery-status logging ones
// (*FeedbackRoleArn, *FeedbackSampleRate) are accepted and ignored (not stored, not returned);
// ArchivePolicy (message archiving and replay) is refused; any other name is InvalidParameter.
#include <set>

#include "server/sns/sns_internal.h"

namespace seglog::server::sns {
namespace {

using nlohmann::json;

constexpr size_t kPage = 100;  // SNS: 100 topics per ListTopics page

bool Ignored(const std::string& name) {
  static const std::set<std::string, std::less<>> kIgnored = {
      "Policy", "DeliveryPolicy", "KmsMasterKeyId", "TracingConfig", "FifoThroughputScope"};
  if (kIgnored.count(name)) return true;
  auto ends = [&](std::string_view suffix) {
    return name.size() > suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return ends("FeedbackRoleArn") || ends("FeedbackSampleRate");
}

// Applies one attribute to `cfg`; returns the engine field it sets (kCount: ignored).
TopicField Apply(const std::string& name, const std::string& value, TopicConfig* cfg) {
  if (name == "DisplayName") {
    cfg->display_name = value;
    return TopicField::kDisplayName;
  }
  if (name == "FifoTopic") {
    cfg->type = ParseBool(name, value) ? TopicType::kFifo : TopicType::kStandard;
    return TopicField::kType;
  }
  if (name == "ContentBasedDeduplication") {
    cfg->content_based_dedup = ParseBool(name, value);
    return TopicField::kContentBasedDedup;
  }
  if (name == "SignatureVersion") {
    if (value != "1" && value != "2") {
      FailParam("Attributes Reason: SignatureVersion: Invalid value [" + Clip(value) +
                "]. Must be 1 or 2.");
    }
    cfg->signature_version = value == "1" ? 1 : 2;
    return TopicField::kSignatureVersion;
  }
  if (name == "ArchivePolicy") FailParam("ArchivePolicy: seglog does not archive messages");
  if (Ignored(name)) return TopicField::kCount;
  FailParam("AttributeName");
}

TopicTags TagsOf(const json& in) {
  TopicTags tags;
  const auto it = in.find("Tags");
  if (it == in.end() || it->is_null()) return tags;
  if (!it->is_array()) FailParam("Tags");
  for (const json& t : *it) {
    if (!t.is_object()) FailParam("Tags");
    tags[RequiredString(t, "Key")] = OptionalString(t, "Value").value_or("");
  }
  return tags;
}

// SNS's name rule: 1 .. 256 characters of [A-Za-z0-9_-], a FIFO topic's ending in ".fifo"
// (which counts); a ".fifo" name without FifoTopic=true is refused as SNS does.
void CheckName(const std::string& name, bool fifo) {
  std::string_view base = name;
  const bool suffix = base.size() > 5 && base.substr(base.size() - 5) == ".fifo";
  if (fifo && !suffix) {
    FailParam("Fifo Topic names must end with .fifo and must be made up of only uppercase and "
              "lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 "
              "and 256 characters long.");
  }
  if (suffix && fifo) base.remove_suffix(5);
  bool ok = !base.empty() && name.size() <= kTopicMaxNameChars;
  for (const char c : base) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-');
  }
  if (!ok) FailParam("Topic Name");
}

json CreateTopic(const ActionEnv& env, const json& in) {
  const std::string name = RequiredString(in, "Name");
  TopicConfig cfg;
  cfg.limits = env.limits;
  cfg.log.durability = env.durability;
  TopicFields compare = 0;
  for (const auto& [k, v] : StringMap(in, "Attributes")) {
    const TopicField f = Apply(k, v, &cfg);
    if (f != TopicField::kCount) compare |= TopicFieldBit(f);
  }
  CheckName(name, cfg.type == TopicType::kFifo);
  compare |= TopicFieldBit(TopicField::kType);
  const TopicTags tags = TagsOf(in);
  if (tags.size() > kTopicMaxTags) {
    Fail("TagLimitExceededException",
         "Could not complete request: tag quota of per resource exceeded");
  }
  const Status s = env.topics->Create(name, cfg, compare, tags);
  if (s.code() == StatusCode::kAlreadyExists) {
    FailParam("Attributes Reason: Topic already exists with different attributes");
  }
  Check(s);
  return json{{"TopicArn", TopicArn(env.ctx, name)}};
}

json DeleteTopic(const ActionEnv& env, const json& in) {
  const std::string name = TopicOfArn(env.ctx, RequiredString(in, "TopicArn"), "TopicArn");
  const Status s = env.topics->Delete(name);
  if (s.code() != StatusCode::kNotFound) Check(s);  // SNS: deleting a missing topic succeeds
  return json::object();
}

json ListTopics(const ActionEnv& env, const json& in) {
  std::vector<std::string> names;
  std::string next;
  Check(env.topics->List(OptionalString(in, "NextToken").value_or(""), kPage, &names, &next));
  json topics = json::array();
  for (const std::string& n : names) topics.push_back(json{{"TopicArn", TopicArn(env.ctx, n)}});
  json out{{"Topics", std::move(topics)}};
  if (!next.empty()) out["NextToken"] = next;
  return out;
}

std::string DefaultPolicy(const RequestContext& ctx, const std::string& arn) {
  json p{{"Version", "2008-10-17"},
         {"Id", "__default_policy_ID"},
         {"Statement",
          json::array({json{
              {"Sid", "__default_statement_ID"},
              {"Effect", "Allow"},
              {"Principal", json{{"AWS", "*"}}},
              {"Action", json::array({"SNS:GetTopicAttributes", "SNS:SetTopicAttributes",
                                      "SNS:AddPermission", "SNS:RemovePermission",
                                      "SNS:DeleteTopic", "SNS:Subscribe",
                                      "SNS:ListSubscriptionsByTopic", "SNS:Publish"})},
              {"Resource", arn},
              {"Condition", json{{"StringEquals", json{{"AWS:SourceOwner", ctx.account}}}}}}})}};
  return p.dump();
}

json GetTopicAttributes(const ActionEnv& env, const json& in) {
  const std::string arn = RequiredString(in, "TopicArn");
  const std::string name = TopicOfArn(env.ctx, arn, "TopicArn");
  TopicDescription d;
  Check(env.topics->Describe(name, &d), kNoTopic);
  json a{{"TopicArn", TopicArn(env.ctx, name)},
         {"Owner", env.ctx.account},
         {"DisplayName", d.config.display_name},
         {"SubscriptionsConfirmed", std::to_string(d.subscriptions)},
         {"SubscriptionsPending", "0"},
         {"SubscriptionsDeleted", "0"},
         {"SignatureVersion", std::to_string(d.config.signature_version)},
         {"Policy", DefaultPolicy(env.ctx, TopicArn(env.ctx, name))},
         {"EffectiveDeliveryPolicy",
          R"({"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,)"
          R"("numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,)"
          R"("numMinDelayRetries":0,"backoffFunction":"linear"},)"
          R"("disableSubscriptionOverrides":false,)"
          R"("defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}})"}};
  if (d.config.type == TopicType::kFifo) {
    a["FifoTopic"] = "true";
    a["ContentBasedDeduplication"] = d.config.content_based_dedup ? "true" : "false";
  }
  return json{{"Attributes", std::move(a)}};
}

json SetTopicAttributes(const ActionEnv& env, const json& in) {
  const std::string name = TopicOfArn(env.ctx, RequiredString(in, "TopicArn"), "TopicArn");
  const std::string attr = RequiredString(in, "AttributeName");
  const std::string value = OptionalString(in, "AttributeValue").value_or("");
  TopicDescription d;
  Check(env.topics->Describe(name, &d), kNoTopic);
  TopicConfig cfg = d.config;
  const TopicField f = Apply(attr, value, &cfg);
  if (f == TopicField::kType && cfg.type != d.config.type) FailParam("AttributeName");
  if (f != TopicField::kCount) Check(env.topics->SetAttributes(name, cfg, TopicFieldBit(f)), kNoTopic);
  return json::object();
}

// The topic of a tagging call's ResourceArn (ResourceNotFound when missing).
std::string TaggedTopic(const ActionEnv& env, const json& in) {
  const std::string name = TopicOfArn(env.ctx, RequiredString(in, "ResourceArn"), "ResourceArn");
  TopicDescription d;
  if (env.topics->Describe(name, &d).code() == StatusCode::kNotFound) {
    Fail("ResourceNotFoundException", "Resource does not exist");
  }
  return name;
}

json TagResource(const ActionEnv& env, const json& in) {
  const std::string name = TaggedTopic(env, in);
  const TopicTags tags = TagsOf(in);
  TopicTags have;
  Check(env.topics->ListTags(name, &have));
  for (const auto& [k, v] : tags) have[k] = v;
  if (have.size() > kTopicMaxTags) {
    Fail("TagLimitExceededException",
         "Could not complete request: tag quota of per resource exceeded");
  }
  Check(env.topics->Tag(name, tags));
  return json::object();
}

json UntagResource(const ActionEnv& env, const json& in) {
  const std::string name = TaggedTopic(env, in);
  std::vector<std::string> keys;
  const auto it = in.find("TagKeys");
  if (it != in.end() && it->is_array()) {
    for (const json& k : *it) {
      if (!k.is_string()) FailParam("TagKeys");
      keys.push_back(k.get<std::string>());
    }
  }
  Check(env.topics->Untag(name, keys));
  return json::object();
}

json ListTagsForResource(const ActionEnv& env, const json& in) {
  const std::string name = TaggedTopic(env, in);
  TopicTags tags;
  Check(env.topics->ListTags(name, &tags));
  json list = json::array();
  for (const auto& [k, v] : tags) list.push_back(json{{"Key", k}, {"Value", v}});
  return json{{"Tags", std::move(list)}};
}

}  // namespace

Action FindTopicAction(std::string_view name) {
  static const std::map<std::string, Action, std::less<>> kActions = {
      {"CreateTopic", CreateTopic},
      {"DeleteTopic", DeleteTopic},
      {"ListTopics", ListTopics},
      {"GetTopicAttributes", GetTopicAttributes},
      {"SetTopicAttributes", SetTopicAttributes},
      {"TagResource", TagResource},
      {"UntagResource", UntagResource},
      {"ListTagsForResource", ListTagsForResource}};
  const auto it = kActions.find(name);
  return it == kActions.end() ? nullptr : it->second;
}

}  // namespace seglog::server::sns
