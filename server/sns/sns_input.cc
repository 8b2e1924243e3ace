// The SNS adapter's input readers, error mapping and ARNs (sns_internal.h).
#include <span>

#include "engine/queues/message_shape.h"
#include "server/base64.h"
#include "server/protocol/service_model.h"
#include "server/sns/sns_internal.h"

namespace seglog::server::sns {

using nlohmann::json;

void Fail(const std::string& shape, std::string message) {
  const protocol::ErrorInfo* e = protocol::SnsModel().FindError(shape);
  throw SnsError(ServiceError{e ? e->http_status : 400, shape, std::move(message),
                              e ? e->sender_fault : true});
}

std::string CodeOf(const std::string& shape) {
  return protocol::SnsModel().LegacyCode(shape);
}

void FailParam(const std::string& what) {
  Fail("InvalidParameterException", "Invalid parameter: " + what);
}

std::optional<std::string> OptionalString(const json& in, const char* member) {
  const auto it = in.find(member);
  if (it == in.end() || it->is_null()) return std::nullopt;
  if (!it->is_string()) FailParam(member);
  return it->get<std::string>();
}

std::string RequiredString(const json& in, const char* member) {
  auto v = OptionalString(in, member);
  if (!v || v->empty()) FailParam(member);
  return *v;
}

std::map<std::string, std::string> StringMap(const json& in, const char* member) {
  std::map<std::string, std::string> out;
  const auto it = in.find(member);
  if (it == in.end() || it->is_null()) return out;
  if (!it->is_object()) FailParam(member);
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) FailParam(std::string(member) + " Reason: " + Clip(k));
    out[k] = v.get<std::string>();
  }
  return out;
}

bool ParseBool(const std::string& name, const std::string& value) {
  std::string v;
  for (const char c : value) v.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  if (v == "true") return true;
  if (v == "false") return false;
  FailParam("Attributes Reason: " + name + ": Invalid value [" + Clip(value) +
            "]. Must be true or false.");
}

ServiceError ErrorOf(const Status& s, const char* not_found) {
  const protocol::ServiceModel& m = protocol::SnsModel();
  auto make = [&](const char* shape, std::string msg) {
    const protocol::ErrorInfo* e = m.FindError(shape);
    return ServiceError{e ? e->http_status : 400, shape, std::move(msg),
                        e ? e->sender_fault : true};
  };
  const std::string& msg = s.message();
  auto param = [&] {
    return msg.rfind("Invalid parameter", 0) == 0 ? msg : "Invalid parameter: " + msg;
  };
  switch (s.code()) {
    case StatusCode::kInvalidArgument:
      if (msg.find("filter policies already") != std::string::npos) {  // SNS's 200 per topic
        return make("FilterPolicyLimitExceededException", "Filter policy limit exceeded");
      }
      return make("InvalidParameterException", param());
    case StatusCode::kAlreadyExists:
      return make("InvalidParameterException", param());
    case StatusCode::kTooLarge:
      return make("InvalidParameterException", "Invalid parameter: Message too long");
    case StatusCode::kNotFound:
      return make("NotFoundException", not_found ? std::string(not_found) : msg);
    default:
      return ServiceError{500, "InternalErrorException", s.ToString(), false};
  }
}

namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::string Prefix(const RequestContext& ctx, const char* service) {
  return std::string("arn:aws:") + service + ":" + ctx.region + ":" + ctx.account + ":";
}

// The parts of an SNS ARN with `parts` fields, checked against ctx; InvalidParameter `param`.
std::vector<std::string_view> SnsParts(const RequestContext& ctx, const std::string& arn,
                                       size_t parts, const char* param) {
  const std::vector<std::string_view> p = Split(arn, ':');
  if (p.size() != parts || p[0] != "arn" || p[1].empty() || p[2] != "sns" ||
      p[3] != ctx.region || p.back().empty() || p[5].empty()) {
    FailParam(param);
  }
  if (p[4] != ctx.account) {
    Fail("AuthorizationErrorException",
         "User: arn:aws:iam::" + ctx.account + ":root is not authorized to access " + Clip(arn));
  }
  return p;
}

}  // namespace

std::string TopicArn(const RequestContext& ctx, std::string_view topic) {
  return Prefix(ctx, "sns") + std::string(topic);
}

std::string SubscriptionArn(const RequestContext& ctx, std::string_view topic,
                            std::string_view id) {
  return TopicArn(ctx, topic) + ":" + std::string(id);
}

std::string QueueArn(const RequestContext& ctx, std::string_view queue) {
  return Prefix(ctx, "sqs") + std::string(queue);
}

std::string TopicOfArn(const RequestContext& ctx, const std::string& arn, const char* param) {
  return std::string(SnsParts(ctx, arn, 6, param)[5]);
}

SubscriptionRef SubscriptionOfArn(const RequestContext& ctx, const std::string& arn) {
  const auto p = SnsParts(ctx, arn, 7, "SubscriptionArn");
  return SubscriptionRef{std::string(p[5]), std::string(p[6])};
}

std::string QueueOfArn(const RequestContext& ctx, const std::string& arn,
                       const std::string& what) {
  const std::vector<std::string_view> p = Split(arn, ':');
  if (p.size() != 6 || p[0] != "arn" || p[2] != "sqs" || p[3] != ctx.region ||
      p[4] != ctx.account || p[5].empty()) {
    FailParam(what);
  }
  return std::string(p[5]);
}

std::vector<OwnedAttribute> ParseAttributes(const json& in) {
  std::vector<OwnedAttribute> out;
  const auto it = in.find("MessageAttributes");
  if (it == in.end() || it->is_null()) return out;
  if (!it->is_object()) FailParam("MessageAttributes");
  for (const auto& [name, v] : it->items()) {
    const std::string what = "message attribute '" + Clip(name) + "'";
    auto bad = [&](const std::string& why) {
      Fail("InvalidParameterValueException", "The " + what + " " + why);
    };
    if (!v.is_object()) bad("must be a structure.");
    OwnedAttribute a;
    a.name = name;
    const std::string dt = OptionalString(v, "DataType").value_or("");
    if (dt.empty()) bad("must contain non-empty message attribute type.");
    std::string_view label;
    if (!ParseDataType(dt, what, &a.type, &label).ok()) {
      bad("has an invalid message attribute type, the set of supported type prefixes is "
          "Binary, Number, and String.");
    }
    a.label = std::string(label);
    if (a.type == format::AttributeType::kBinary) {
      const auto b = OptionalString(v, "BinaryValue");
      if (!b || !Base64Decode(*b, &a.value) || a.value.empty()) {
        bad("must contain non-empty message attribute value for message attribute type '" +
            Clip(dt) + "'.");
      }
    } else {
      const auto s = OptionalString(v, "StringValue");
      if (!s || s->empty()) {
        bad("must contain non-empty message attribute value for message attribute type '" +
            Clip(dt) + "'.");
      }
      a.value = *s;
    }
    out.push_back(std::move(a));
  }
  return out;
}

std::vector<format::MessageAttribute> Views(const std::vector<OwnedAttribute>& attrs) {
  std::vector<format::MessageAttribute> out;
  for (const OwnedAttribute& a : attrs) {
    out.push_back({a.name, a.type,
                   std::span(reinterpret_cast<const uint8_t*>(a.value.data()), a.value.size()),
                   a.label});
  }
  return out;
}

}  // namespace seglog::server::sns
