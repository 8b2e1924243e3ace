// SnsService: dispatch, error answers and request size limits.
#include "server/sns/sns_service.h"

#include <set>

#include "server/sns/sns_internal.h"

namespace seglog::server {

using nlohmann::json;
using sns::SnsError;

namespace {

// SNS actions seglog does not serve (SPEC.md Part VII, seglogd): platform applications and
// endpoints (mobile push), SMS, topic policies (AddPermission/RemovePermission; a topic's
// Policy attribute is accepted and ignored) and data protection policies.
bool IsUnsupported(std::string_view action) {
  static const std::set<std::string, std::less<>> kUnsupported = {
      "AddPermission", "RemovePermission", "CheckIfPhoneNumberIsOptedOut",
      "CreatePlatformApplication", "CreatePlatformEndpoint", "CreateSMSSandboxPhoneNumber",
      "DeleteEndpoint", "DeletePlatformApplication", "DeleteSMSSandboxPhoneNumber",
      "GetDataProtectionPolicy", "GetEndpointAttributes", "GetPlatformApplicationAttributes",
      "GetSMSAttributes", "GetSMSSandboxAccountStatus", "ListEndpointsByPlatformApplication",
      "ListOriginationNumbers", "ListPhoneNumbersOptedOut", "ListPlatformApplications",
      "ListSMSSandboxPhoneNumbers", "OptInPhoneNumber", "PutDataProtectionPolicy",
      "SetEndpointAttributes", "SetPlatformApplicationAttributes", "SetSMSAttributes",
      "VerifySMSSandboxPhoneNumber"};
  return kUnsupported.count(action) != 0;
}

sns::Action Find(std::string_view action) {
  if (auto f = sns::FindTopicAction(action)) return f;
  if (auto f = sns::FindSubscriptionAction(action)) return f;
  return sns::FindPublishAction(action);
}

}  // namespace

SnsService::SnsService(Queues* queues, SnsServiceOptions opt) : queues_(queues), opt_(opt) {}

SnsService::~SnsService() = default;

void SnsService::SetTopics(Topics* topics) { topics_.store(topics); }

void SnsService::Call(ServiceCall call, ServiceDone done) {
  ServiceOutcome outcome;
  try {
    Topics* topics = topics_.load();
    if (!topics) {
      outcome = ServiceOutcome::Error(503, "ServiceUnavailable",
                                      "The service is starting; try again.", false);
    } else {
      static const json kEmpty = json::object();
      const json& in = call.input.is_null() ? kEmpty : call.input;
      if (!in.is_object()) sns::FailParam("the request's input must be a structure");
      const sns::ActionEnv env{topics, queues_, opt_.limits, opt_.durability, call.ctx};
      if (sns::Action f = Find(call.action)) {
        outcome.output = f(env, in);
      } else if (IsUnsupported(call.action)) {
        outcome = ServiceOutcome::Error(400, "UnsupportedOperation",
                                        "seglog does not support " + call.action + ".");
      } else {
        outcome = ServiceOutcome::Error(400, "InvalidAction",
                                        "The action " + ClipClientText(call.action) +
                                            " is not valid for this web service.");
      }
    }
  } catch (const SnsError& e) {
    outcome = ServiceOutcome{json::object(), e.error()};
  } catch (const json::exception& e) {
    outcome = ServiceOutcome::Error(400, "InvalidParameterException",
                                    std::string("Invalid parameter: ") + e.what());
  } catch (const std::exception& e) {
    outcome = ServiceOutcome::Error(500, "InternalErrorException", e.what(), false);
  }
  done(std::move(outcome));
}

size_t SnsService::MaxRequestBytes(std::string_view action) const {
  // A message and its attributes are at most 256 KiB (a whole batch too); the Query protocol's
  // form encoding takes at most 3x, a Binary attribute's base64 4x. Ids, subjects, group and
  // dedup ids and member names come on top: 64 KiB per message.
  constexpr size_t kMessageWire = 4 * size_t{kTopicMaxMessageBytes};
  if (action == "Publish") return kMessageWire + (64 << 10);
  if (action == "PublishBatch") return kMessageWire + kTopicMaxBatch * (64 << 10);
  // A FilterPolicy may be 256 KiB as well.
  if (action == "Subscribe" || action == "SetSubscriptionAttributes") {
    return 3 * kFilterMaxPolicyBytes + (64 << 10);
  }
  if (Find(action) || IsUnsupported(action)) return 64 << 10;
  return 0;
}

bool SnsService::SigningCertificate(std::string* pem) const {
  Topics* topics = topics_.load();
  return topics && topics->SigningCertificate(pem).ok();
}

}  // namespace seglog::server
