// Reading SQS input, mapping engine results to SQS errors, addressing, base64
// (server/sqs/sqs_internal.h).
#include <array>
#include <charconv>

#include "server/sqs/sqs_internal.h"

namespace seglog::server::sqs {

using nlohmann::json;

void Fail(std::string code, std::string message, int http_status, bool sender_fault) {
  throw SqsError(ServiceError{http_status, std::move(code), std::move(message), sender_fault});
}

void FailValue(std::string message) { Fail("InvalidParameterValue", std::move(message)); }

namespace {

const json* Member(const json& in, const char* member) {
  if (!in.is_object()) return nullptr;
  auto it = in.find(member);
  if (it == in.end() || it->is_null()) return nullptr;
  return &*it;
}

[[noreturn]] void FailType(const char* member, const char* want) {
  FailValue(std::string("The parameter ") + member + " must be " + want + ".");
}

}  // namespace

std::string RequiredString(const json& in, const char* member) {
  const json* v = Member(in, member);
  if (v == nullptr) {
    Fail("MissingParameter", std::string("The request must contain the parameter ") + member + ".");
  }
  if (!v->is_string()) FailType(member, "a string");
  return v->get<std::string>();
}

std::optional<std::string> OptionalString(const json& in, const char* member) {
  const json* v = Member(in, member);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) FailType(member, "a string");
  return v->get<std::string>();
}

std::optional<int64_t> OptionalInt(const json& in, const char* member, int64_t lo, int64_t hi) {
  const json* v = Member(in, member);
  if (v == nullptr) return std::nullopt;
  int64_t x = 0;
  bool ok = false;
  if (v->is_number_integer()) {
    ok = v->is_number_unsigned() ? v->get<uint64_t>() <= static_cast<uint64_t>(INT64_MAX) : true;
    if (ok) x = v->is_number_unsigned() ? static_cast<int64_t>(v->get<uint64_t>()) : v->get<int64_t>();
  } else if (v->is_string()) {
    const std::string& s = v->get_ref<const std::string&>();
    auto r = std::from_chars(s.data(), s.data() + s.size(), x);
    ok = !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
  }
  if (!ok || x < lo || x > hi) {
    FailValue("Value " + Clip(v->dump()) + " for parameter " + member + " is invalid. Reason: Must be between " +
              std::to_string(lo) + " and " + std::to_string(hi) + ", if provided.");
  }
  return x;
}

std::vector<std::string> StringList(const json& in, const char* member) {
  std::vector<std::string> out;
  const json* v = Member(in, member);
  if (v == nullptr) return out;
  if (!v->is_array()) FailType(member, "a list of strings");
  for (const json& e : *v) {
    if (!e.is_string()) FailType(member, "a list of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

const json& OptionalObject(const json& in, const char* member) {
  static const json kEmpty = json::object();
  const json* v = Member(in, member);
  if (v == nullptr) return kEmpty;
  if (!v->is_object()) FailType(member, "a map");
  return *v;
}

const json& RequiredArray(const json& in, const char* member) {
  const json* v = Member(in, member);
  if (v == nullptr) {
    Fail("MissingParameter", std::string("The request must contain the parameter ") + member + ".");
  }
  if (!v->is_array()) FailType(member, "a list");
  return *v;
}

std::map<std::string, std::string> StringMap(const json& in, const char* member, bool required) {
  std::map<std::string, std::string> out;
  const json* v = Member(in, member);
  if (v == nullptr) {
    if (required) {
      Fail("MissingParameter", std::string("The request must contain the parameter ") + member + ".");
    }
    return out;
  }
  if (!v->is_object()) FailType(member, "a map of strings");
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (!it->is_string()) FailType(member, "a map of strings");
    out[it.key()] = it->get<std::string>();
  }
  return out;
}

// ---- engine results ----

namespace {

// An engine message that starts with one of these codes and ": " is answered with that code.
constexpr std::array<std::string_view, 11> kPrefixCodes = {
    "BatchRequestTooLong",      "EmptyBatchRequest",     "TooManyEntriesInBatchRequest",
    "BatchEntryIdsNotDistinct", "InvalidBatchEntryId",   "InvalidMessageContents",
    "MissingParameter",         "InvalidParameterValue", "ReceiptHandleIsInvalid",
    "MessageNotInflight",       "OverLimit"};

ServiceError InvalidValue(const std::string& msg) {
  std::string_view m(msg);
  for (std::string_view code : kPrefixCodes) {
    if (m.size() > code.size() + 1 && m.substr(0, code.size()) == code &&
        m[code.size()] == ':') {
      std::string_view rest = m.substr(code.size() + 1);
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      return ServiceError{400, std::string(code), std::string(rest), true};
    }
  }
  return ServiceError{400, "InvalidParameterValue", msg, true};
}

}  // namespace

ServiceError ErrorOf(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound:
      return {400, "QueueDoesNotExist", "The specified queue does not exist.", true};
    case StatusCode::kAlreadyExists:
      return {400, "QueueNameExists", s.message(), true};
    case StatusCode::kDeletedRecently:
      return {400, "QueueDeletedRecently",
              "You must wait 60 seconds after deleting a queue before you can create another "
              "queue with the same name.",
              true};
    case StatusCode::kInvalidArgument:
    case StatusCode::kTooLarge:
      return InvalidValue(s.message());
    case StatusCode::kStale:
      return {400, "InvalidParameterValue", s.message(), true};
    case StatusCode::kBusy:
      // Queues::Purge within 60 s of the last one on an aws-limits queue (PurgeQueue names the
      // queue in its own message; this is the fallback).
      if (s.message().rfind("PurgeQueueInProgress:", 0) == 0) {
        return {403, "PurgeQueueInProgress",
                "Only one PurgeQueue operation on a queue is allowed every 60 seconds.", true};
      }
      break;
    default:
      break;
  }
  {
      // No engine detail (paths, internals) goes to the client.
      return {500, "InternalError",
              "The request processing has failed because of an unknown error, exception or "
              "failure (" + std::string(StatusCodeName(s.code())) + ").",
              false};
  }
}

void FailStatus(const Status& s) { throw SqsError(ErrorOf(s)); }

// ---- addressing ----

namespace {

[[noreturn]] void NoQueue() { FailStatus(Status::NotFound("")); }

}  // namespace

std::string QueueNameOf(const std::string& url, const RequestContext& ctx) {
  std::string_view u(url);
  const size_t scheme = u.find("://");
  if (scheme != std::string_view::npos) {
    const size_t slash = u.find('/', scheme + 3);
    if (slash == std::string_view::npos) NoQueue();
    u = u.substr(slash);
  }
  if (u.empty()) NoQueue();
  if (u.front() != '/') {
    if (u.find('/') != std::string_view::npos) NoQueue();
    return std::string(u);
  }
  u.remove_prefix(1);
  const size_t slash = u.find('/');
  if (slash == std::string_view::npos) NoQueue();
  std::string_view account = u.substr(0, slash);
  std::string_view name = u.substr(slash + 1);
  if (account != ctx.account || name.empty() || name.find('/') != std::string_view::npos) {
    NoQueue();
  }
  return std::string(name);
}

std::string QueueNameIn(const json& in, const RequestContext& ctx) {
  // A Query call may address the queue by the request's path alone.
  if (Member(in, "QueueUrl") == nullptr && ctx.path.size() > 1) return QueueNameOf(ctx.path, ctx);
  return QueueNameOf(RequiredString(in, "QueueUrl"), ctx);
}

std::string QueueUrlOf(const std::string& name, const RequestContext& ctx) {
  return ctx.scheme + "://" + ctx.host + "/" + ctx.account + "/" + name;
}

std::string QueueArnOf(const std::string& name, const RequestContext& ctx) {
  return "arn:aws:sqs:" + ctx.region + ":" + ctx.account + ":" + name;
}

std::string QueueNameOfArn(const std::string& arn, const RequestContext& ctx, const char* param) {
  std::vector<std::string_view> parts;
  std::string_view rest(arn);
  for (;;) {
    const size_t colon = rest.find(':');
    parts.push_back(rest.substr(0, colon));
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  if (parts.size() != 6 || parts[0] != "arn" || parts[1].substr(0, 3) != "aws" ||
      parts[2] != "sqs" || parts[5].empty()) {
    FailValue("Value " + Clip(arn) + " for parameter " + param + " is invalid. Reason: "
              "not an SQS queue ARN.");
  }
  if (parts[3] != ctx.region || parts[4] != ctx.account) {
    FailValue("Value " + Clip(arn) + " for parameter " + param + " is invalid. Reason: the "
              "queue must be in region " + ctx.region + " and account " +
              ctx.account + ".");
  }
  return std::string(parts[5]);
}

}  // namespace seglog::server::sqs
