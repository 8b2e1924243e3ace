// The SNS adapter's private parts, shared by its .cc files (nothing outside server/sns/ includes
// this): reading JSON-protocol input with SNS's errors, engine Statuses as SNS errors, ARNs,
// and the actions.
//
// Input problems are thrown as SnsError inside an action and caught by SnsService::Call, which
// answers them. Pure functions, any thread, except the actions, which call the engine
// (thread-safe) through the Topics / Queues they are given.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/queues/queue.h"
#include "engine/topics/topics.h"
#include "format/queue_format.h"
#include "server/service.h"

namespace seglog::server::sns {

class SnsError : public std::runtime_error {
 public:
  explicit SnsError(ServiceError e) : std::runtime_error(e.message), error_(std::move(e)) {}
  const ServiceError& error() const { return error_; }

 private:
  ServiceError error_;
};

// Throws the error named by the model's exception shape (`shape`: "NotFoundException"), with
// the model's HTTP status and fault.
[[noreturn]] void Fail(const std::string& shape, std::string message);
// InvalidParameterException, "Invalid parameter: " + what.
[[noreturn]] void FailParam(const std::string& what);
// SNS's wire code of an exception shape ("InvalidParameterException" -> "InvalidParameter").
std::string CodeOf(const std::string& shape);
inline std::string Clip(std::string_view v) { return ClipClientText(v); }

// ---- input ----
std::optional<std::string> OptionalString(const nlohmann::json& in, const char* member);
// InvalidParameter naming the member when absent or empty.
std::string RequiredString(const nlohmann::json& in, const char* member);
// A map of strings to strings ({} when absent).
std::map<std::string, std::string> StringMap(const nlohmann::json& in, const char* member);
// "true" / "false" (any case); InvalidParameter "Attributes Reason: NAME ..." otherwise.
bool ParseBool(const std::string& name, const std::string& value);

// ---- engine results ----
// The SNS error for an engine failure: InvalidArgument/AlreadyExists -> InvalidParameter
// (the 200th filter policy of a topic: FilterPolicyLimitExceeded, 403),
// TooLarge -> InvalidParameter (Message too long), NotFound -> NotFound (`not_found` as the
// message when given), the rest -> InternalError (500).
ServiceError ErrorOf(const Status& s, const char* not_found = nullptr);
inline void Check(const Status& s, const char* not_found = nullptr) {
  if (!s.ok()) throw SnsError(ErrorOf(s, not_found));
}
inline constexpr const char* kNoTopic = "Topic does not exist";
inline constexpr const char* kNoSubscription = "Subscription does not exist";

// ---- ARNs ----
std::string TopicArn(const RequestContext& ctx, std::string_view topic);
std::string SubscriptionArn(const RequestContext& ctx, std::string_view topic,
                            std::string_view id);
std::string QueueArn(const RequestContext& ctx, std::string_view queue);
// The topic an ARN names: InvalidParameter "<param>" when malformed or of another region,
// AuthorizationError for another account.
std::string TopicOfArn(const RequestContext& ctx, const std::string& arn, const char* param);
struct SubscriptionRef {
  std::string topic, id;
};
SubscriptionRef SubscriptionOfArn(const RequestContext& ctx, const std::string& arn);
// The queue of an SQS ARN of this region and account; InvalidParameter `what` otherwise.
std::string QueueOfArn(const RequestContext& ctx, const std::string& arn, const std::string& what);

// ---- actions ----
struct ActionEnv {
  Topics* topics;
  Queues* queues;
  Limits limits;
  Durability durability;
  const RequestContext& ctx;
};
using Action = nlohmann::json (*)(const ActionEnv& env, const nlohmann::json& in);
// The action called `name` (sns_topic_actions.cc, sns_subscription_actions.cc,
// sns_publish_actions.cc), or nullptr.
Action FindTopicAction(std::string_view name);
Action FindSubscriptionAction(std::string_view name);
Action FindPublishAction(std::string_view name);

// One message attribute of Publish / PublishBatch, owning its bytes.
struct OwnedAttribute {
  std::string name, label, value;
  format::AttributeType type = format::AttributeType::kString;
};
// SNS's MessageAttributes map -> attributes (ParameterValueInvalid on a bad one).
std::vector<OwnedAttribute> ParseAttributes(const nlohmann::json& in);
std::vector<format::MessageAttribute> Views(const std::vector<OwnedAttribute>& attrs);

}  // namespace seglog::server::sns
