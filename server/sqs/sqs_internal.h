// The SQS adapter's private parts, shared by its .cc files (nothing outside server/sqs/ includes
// this): reading JSON-protocol input with SQS's errors, turning engine Statuses into SQS errors,
// queue addressing (URLs, ARNs), base64, and the actions themselves.
//
// Input problems are thrown as SqsError inside an action and caught by SqsService::Call, which
// answers them; nothing here throws past the adapter. Pure functions, any thread, except the
// actions, which call the engine (thread-safe) through the Queues they are given.
#pragma once

#include "server/base64.h"

#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/queues/queue.h"
#include "server/service.h"

namespace seglog::server::sqs {

// An SQS error raised while handling one call; SqsService::Call answers it.
class SqsError : public std::runtime_error {
 public:
  explicit SqsError(ServiceError e) : std::runtime_error(e.message), error_(std::move(e)) {}
  const ServiceError& error() const { return error_; }

 private:
  ServiceError error_;
};

[[noreturn]] void Fail(std::string code, std::string message, int http_status = 400,
                       bool sender_fault = true);
// InvalidParameterValue.
[[noreturn]] void FailValue(std::string message);
// Client text to echo in an error message (server/service.h).
inline std::string Clip(std::string_view v) { return ClipClientText(v); }

// ---- reading input (all throw SqsError) ----
// MissingParameter when absent (or null); InvalidParameterValue when not a string.
std::string RequiredString(const nlohmann::json& in, const char* member);
std::optional<std::string> OptionalString(const nlohmann::json& in, const char* member);
// An integer (a JSON number, or a string of decimal digits as the Query protocol sends them)
// within [lo, hi]; else InvalidParameterValue naming the member.
std::optional<int64_t> OptionalInt(const nlohmann::json& in, const char* member, int64_t lo,
                                   int64_t hi);
// A list of strings ([] when absent).
std::vector<std::string> StringList(const nlohmann::json& in, const char* member);
// An object (a JSON object or absent: empty); InvalidParameterValue otherwise.
const nlohmann::json& OptionalObject(const nlohmann::json& in, const char* member);
// An array (maybe empty); MissingParameter when absent.
const nlohmann::json& RequiredArray(const nlohmann::json& in, const char* member);
// A map of strings to strings ({} when absent; MissingParameter when `required`).
std::map<std::string, std::string> StringMap(const nlohmann::json& in, const char* member,
                                             bool required);

// ---- engine results ----
// The SQS error for an engine failure (see the mapping in sqs_input.cc). REQUIRES: !s.ok().
ServiceError ErrorOf(const Status& s);
[[noreturn]] void FailStatus(const Status& s);
inline void Check(const Status& s) {
  if (!s.ok()) FailStatus(s);
}

// ---- addressing ----
// The queue named by `url`: a full URL (any scheme and host), "/ACCOUNT/NAME", or a bare name;
// QueueDoesNotExist when the account is not ctx.account or the shape is not one of those.
std::string QueueNameOf(const std::string& url, const RequestContext& ctx);
// The member QueueUrl of `in`, resolved as above; without one, ctx.path when it is not "" or
// "/" (Query calls posted to the queue's URL); else MissingParameter.
std::string QueueNameIn(const nlohmann::json& in, const RequestContext& ctx);
std::string QueueUrlOf(const std::string& name, const RequestContext& ctx);
std::string QueueArnOf(const std::string& name, const RequestContext& ctx);
// The queue an ARN names; InvalidParameterValue naming `param` for a malformed ARN or one of
// another account or region.
std::string QueueNameOfArn(const std::string& arn, const RequestContext& ctx,
                           const char* param = "deadLetterTargetArn");

// ---- base64 (server/base64.h) ----
using server::Base64Decode;
using server::Base64Encode;

// ---- actions (sqs_queue_actions.cc, sqs_message_actions.cc, sqs_tag_move_actions.cc) ----
struct ActionEnv {
  Queues* queues;
  Limits limits;
  Durability durability;
  const RequestContext& ctx;
};
using SyncAction = nlohmann::json (*)(const ActionEnv& env, const nlohmann::json& in);
// The synchronous action called `action`, or nullptr (ReceiveMessage is not one).
SyncAction FindSyncAction(std::string_view action);
// True for an action SQS has and seglog does not support yet.
bool IsUnsupportedAction(std::string_view action);

// ---- ReceiveMessage's parts (sqs_receive.cc) ----
struct ReceiveRequest {
  std::string queue;
  ReceiveOptions opt;      // max_messages, visibility_timeout_s; report kSqs (attempt_id unset)
  std::string attempt_id;  // ReceiveRequestAttemptId ("" = none)
  int32_t wait_s = 0;      // the effective wait (the call's, else the queue's)
  std::vector<std::string> system_names;     // AttributeNames + MessageSystemAttributeNames
  std::vector<std::string> attribute_names;  // MessageAttributeNames
  std::string arn_prefix;  // "arn:aws:sqs:REGION:ACCOUNT:" (DeadLetterQueueSourceArn)
  // opt with attempt_id viewing this request's attempt_id: call it for each TryReceive (the
  // request moves into a long poll, so opt never keeps a view of its own).
  ReceiveOptions Options() const {
    ReceiveOptions o = opt;
    o.attempt_id = attempt_id;
    return o;
  }
};
ReceiveRequest ParseReceive(const ActionEnv& env, const nlohmann::json& in);
// The output of a receive that got `msgs` (no Messages key when empty, as SQS).
nlohmann::json RenderReceive(const ReceiveRequest& r, const std::vector<ReceivedMessage>& msgs);
// SQS answers a short poll with OverLimit when the queue has too many messages in flight.
void CheckOverLimit(const ActionEnv& env, const std::string& queue);

}  // namespace seglog::server::sqs
