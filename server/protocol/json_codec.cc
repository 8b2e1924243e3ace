#include "server/protocol/json_codec.h"

namespace seglog::server::protocol {
namespace {

using nlohmann::json;

// The deepest [ / { nesting of `body`, strings skipped; stops counting past `limit`.
int NestingDepth(std::string_view body, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

std::string Dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

HttpResponse Base(const JsonProtocol& protocol, std::string_view request_id) {
  HttpResponse r;
  r.headers.emplace_back("Content-Type", protocol.content_type);
  r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  return r;
}

}  // namespace

const JsonProtocol& SqsJsonProtocol() {
  static const JsonProtocol p{"application/x-amz-json-1.0", "com.amazonaws.sqs#",
                              "InvalidParameterValue", &SqsModel()};
  return p;
}

const JsonProtocol& KinesisJsonProtocol() {
  static const JsonProtocol p{"application/x-amz-json-1.1", "", "SerializationException",
                              nullptr};
  return p;
}

std::optional<ServiceError> DecodeJsonRequest(const JsonProtocol& protocol,
                                              std::string_view body, json* input) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    *input = json::object();
    return std::nullopt;
  }
  if (NestingDepth(body, kMaxJsonDepth) > kMaxJsonDepth) {
    return ServiceError{400, protocol.invalid_body_code,
                        "The request body is nested deeper than " +
                            std::to_string(kMaxJsonDepth) + " levels.",
                        true};
  }
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return ServiceError{400, protocol.invalid_body_code,
                        "The request body is not a JSON object (or not well-formed UTF-8).",
                        true};
  }
  *input = std::move(j);
  return std::nullopt;
}

HttpResponse EncodeJsonError(const JsonProtocol& protocol, const ServiceError& error,
                             std::string_view request_id) {
  HttpResponse r = Base(protocol, request_id);
  r.status = error.http_status;
  if (protocol.query_compatible) {
    r.headers.emplace_back("x-amzn-query-error",
                           protocol.query_compatible->LegacyCode(error.code) +
                               (error.sender_fault ? ";Sender" : ";Receiver"));
  }
  json doc = {{"__type", protocol.error_prefix + error.code}, {"message", error.message}};
  r.body = Dump(doc);
  return r;
}

HttpResponse EncodeJsonOutcome(const JsonProtocol& protocol, const ServiceOutcome& outcome,
                               std::string_view request_id) {
  if (outcome.error) return EncodeJsonError(protocol, *outcome.error, request_id);
  HttpResponse r = Base(protocol, request_id);
  r.body = outcome.output.is_null() ? "{}" : Dump(outcome.output);
  return r;
}

}  // namespace seglog::server::protocol
