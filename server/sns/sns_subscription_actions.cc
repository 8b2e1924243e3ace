// SNS subscription actions: Subscribe, Unsubscribe, ListSubscriptions,
// ListSubscriptionsByTopic, GetSubscriptionAttributes, SetSubscriptionAttributes,
// ConfirmSubscription.
//
// Protocol "sqs" only (a queue of this store, by ARN); it needs no confirmation, as in SNS.
// SNS's other protocols are refused as SNS refuses an unknown one (InvalidParameter naming it).
// Subscription attributes: RawMessageDelivery, FilterPolicy, FilterPolicyScope, RedrivePolicy
// are the engine's; DeliveryPolicy is accepted and ignored; anything else is InvalidParameter.
#include <set>

#include "server/sns/sns_internal.h"

namespace seglog::server::sns {
namespace {

using nlohmann::json;

constexpr size_t kPage = 100;  // SNS: 100 subscriptions per page

// Applies one attribute to `cfg`; returns the engine field it sets (kCount: ignored).
SubscriptionField Apply(const ActionEnv& env, const std::string& name, const std::string& value,
                        SubscriptionConfig* cfg) {
  if (name == "RawMessageDelivery") {
    cfg->raw_delivery = ParseBool(name, value);
    return SubscriptionField::kRawDelivery;
  }
  if (name == "FilterPolicy") {
    // "" (and SNS's "{}") removes the policy.
    cfg->filter_policy = value == "{}" ? "" : value;
    return SubscriptionField::kFilterPolicy;
  }
  if (name == "FilterPolicyScope") {
    if (value == "MessageAttributes") {
      cfg->filter_scope = FilterScope::kMessageAttributes;
    } else if (value == "MessageBody") {
      cfg->filter_scope = FilterScope::kMessageBody;
    } else {
      FailParam("Attributes Reason: FilterPolicyScope: Invalid value [" + Clip(value) +
                "]. Please use either MessageBody or MessageAttributes");
    }
    return SubscriptionField::kFilterScope;
  }
  if (name == "RedrivePolicy") {
    cfg->redrive_queue.clear();
    if (!value.empty()) {
      const json p = json::parse(value, nullptr, /*allow_exceptions=*/false);
      const auto it = p.is_object() ? p.find("deadLetterTargetArn") : p.end();
      if (!p.is_object() || it == p.end() || !it->is_string()) {
        FailParam("RedrivePolicy: Redrive policy is not a valid JSON object with a "
                  "deadLetterTargetArn");
      }
      cfg->redrive_queue = QueueOfArn(env.ctx, it->get<std::string>(),
                                      "RedrivePolicy: deadLetterTargetArn is not a queue of this "
                                      "account and region");
    }
    return SubscriptionField::kRedrivePolicy;
  }
  if (name == "DeliveryPolicy") return SubscriptionField::kCount;
  FailParam("AttributeName");
}

// SNS names a bad policy's problem after "FilterPolicy: " (Subscribe: "Attributes Reason:
// FilterPolicy: "); the engine's message names the key and the rule.
void CheckPolicy(const SubscriptionConfig& cfg, const std::string& what) {
  if (cfg.filter_policy.empty()) return;
  std::unique_ptr<const FilterPolicy> compiled;
  const Status s = FilterPolicy::Compile(cfg.filter_policy, cfg.filter_scope, &compiled);
  if (s.code() == StatusCode::kInvalidArgument) FailParam(what + s.message());
  Check(s);
}

std::string Protocol(const SubscriptionConfig& c) {
  return c.protocol == SubscriptionProtocol::kSqs ? "sqs" : "callback";
}

std::string EndpointOf(const ActionEnv& env, const SubscriptionConfig& c) {
  return c.protocol == SubscriptionProtocol::kSqs ? QueueArn(env.ctx, c.endpoint) : c.endpoint;
}

json Subscribe(const ActionEnv& env, const json& in) {
  const std::string topic = TopicOfArn(env.ctx, RequiredString(in, "TopicArn"), "TopicArn");
  const std::string protocol = RequiredString(in, "Protocol");
  if (protocol != "sqs") {
    static const std::set<std::string, std::less<>> kSnsProtocols = {
        "http", "https", "email", "email-json", "sms", "application", "lambda", "firehose"};
    FailParam(std::string("Amazon SNS does not support this protocol string: ") +
              Clip(protocol) + (kSnsProtocols.count(protocol) ? " (not in seglog yet)" : ""));
  }
  const std::string endpoint = OptionalString(in, "Endpoint").value_or("");
  if (endpoint.empty()) FailParam("Endpoint");
  SubscriptionConfig cfg;
  cfg.protocol = SubscriptionProtocol::kSqs;
  cfg.endpoint = QueueOfArn(env.ctx, endpoint, "SQS endpoint ARN");
  for (const auto& [k, v] : StringMap(in, "Attributes")) Apply(env, k, v, &cfg);
  CheckPolicy(cfg, "Attributes Reason: FilterPolicy: ");
  TopicDescription d;
  Check(env.topics->Describe(topic, &d), kNoTopic);
  std::string id;
  const Status s = env.topics->Subscribe(topic, cfg, &id);
  if (s.code() == StatusCode::kAlreadyExists) {
    FailParam("Attributes Reason: Subscription already exists with different attributes");
  }
  if (s.code() == StatusCode::kNotFound) FailParam("SQS endpoint ARN: the queue does not exist");
  Check(s);
  return json{{"SubscriptionArn", SubscriptionArn(env.ctx, topic, id)}};
}

// The subscription an ARN names, checked to belong to the ARN's topic (NotFound otherwise).
SubscriptionInfo Find(const ActionEnv& env, const json& in) {
  const SubscriptionRef ref = SubscriptionOfArn(env.ctx, RequiredString(in, "SubscriptionArn"));
  SubscriptionInfo info;
  Check(env.topics->GetSubscription(ref.id, &info), kNoSubscription);
  if (info.topic != ref.topic) Fail("NotFoundException", kNoSubscription);
  return info;
}

json Unsubscribe(const ActionEnv& env, const json& in) {
  const SubscriptionInfo info = Find(env, in);
  Check(env.topics->Unsubscribe(info.id), kNoSubscription);
  return json::object();
}

json Listing(const ActionEnv& env, const json& in, const std::string& topic) {
  std::vector<SubscriptionInfo> subs;
  std::string next;
  Check(env.topics->ListSubscriptions(topic, OptionalString(in, "NextToken").value_or(""), kPage,
                                      &subs, &next),
        kNoTopic);
  json list = json::array();
  for (const SubscriptionInfo& s : subs) {
    list.push_back(json{{"SubscriptionArn", SubscriptionArn(env.ctx, s.topic, s.id)},
                        {"Owner", env.ctx.account},
                        {"Protocol", Protocol(s.config)},
                        {"Endpoint", EndpointOf(env, s.config)},
                        {"TopicArn", TopicArn(env.ctx, s.topic)}});
  }
  json out{{"Subscriptions", std::move(list)}};
  if (!next.empty()) out["NextToken"] = next;
  return out;
}

json ListSubscriptions(const ActionEnv& env, const json& in) { return Listing(env, in, ""); }

json ListSubscriptionsByTopic(const ActionEnv& env, const json& in) {
  const std::string topic = TopicOfArn(env.ctx, RequiredString(in, "TopicArn"), "TopicArn");
  TopicDescription d;
  Check(env.topics->Describe(topic, &d), kNoTopic);
  return Listing(env, in, topic);
}

json GetSubscriptionAttributes(const ActionEnv& env, const json& in) {
  const SubscriptionInfo s = Find(env, in);
  json a{{"SubscriptionArn", SubscriptionArn(env.ctx, s.topic, s.id)},
         {"TopicArn", TopicArn(env.ctx, s.topic)},
         {"Owner", env.ctx.account},
         {"Protocol", Protocol(s.config)},
         {"Endpoint", EndpointOf(env, s.config)},
         {"ConfirmationWasAuthenticated", "true"},
         {"PendingConfirmation", "false"},
         {"RawMessageDelivery", s.config.raw_delivery ? "true" : "false"},
         {"SubscriptionPrincipal", "arn:aws:iam::" + env.ctx.account + ":root"},
         {"EffectiveDeliveryPolicy",
          R"({"healthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,)"
          R"("numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,)"
          R"("backoffFunction":"linear"},"sicklyRetryPolicy":null,"throttlePolicy":null,)"
          R"("guaranteed":false})"}};
  if (!s.config.filter_policy.empty()) {
    a["FilterPolicy"] = s.config.filter_policy;
    a["FilterPolicyScope"] = s.config.filter_scope == FilterScope::kMessageBody
                                 ? "MessageBody"
                                 : "MessageAttributes";
  }
  if (!s.config.redrive_queue.empty()) {
    a["RedrivePolicy"] =
        json{{"deadLetterTargetArn", QueueArn(env.ctx, s.config.redrive_queue)}}.dump();
  }
  return json{{"Attributes", std::move(a)}};
}

json SetSubscriptionAttributes(const ActionEnv& env, const json& in) {
  const SubscriptionInfo s = Find(env, in);
  SubscriptionConfig cfg = s.config;
  const SubscriptionField f = Apply(env, RequiredString(in, "AttributeName"),
                                    OptionalString(in, "AttributeValue").value_or(""), &cfg);
  CheckPolicy(cfg, "FilterPolicy: ");
  if (f != SubscriptionField::kCount) {
    Check(env.topics->SetSubscriptionAttributes(s.id, cfg, SubscriptionFieldBit(f)),
          kNoSubscription);
  }
  return json::object();
}

// No seglog subscription is ever pending, so no token is ever valid.
json ConfirmSubscription(const ActionEnv& env, const json& in) {
  TopicOfArn(env.ctx, RequiredString(in, "TopicArn"), "TopicArn");
  RequiredString(in, "Token");
  FailParam("Token");
}

}  // namespace

Action FindSubscriptionAction(std::string_view name) {
  static const std::map<std::string, Action, std::less<>> kActions = {
      {"Subscribe", Subscribe},
      {"Unsubscribe", Unsubscribe},
      {"ListSubscriptions", ListSubscriptions},
      {"ListSubscriptionsByTopic", ListSubscriptionsByTopic},
      {"GetSubscriptionAttributes", GetSubscriptionAttributes},
      {"SetSubscriptionAttributes", SetSubscriptionAttributes},
      {"ConfirmSubscription", ConfirmSubscription}};
  const auto it = kActions.find(name);
  return it == kActions.end() ? nullptr : it->second;
}

}  // namespace seglog::server::sns
