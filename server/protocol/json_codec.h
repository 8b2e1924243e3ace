// AWS JSON 1.0 (SQS: X-Amz-Target AmazonSQS.<Action>) and JSON 1.1 (Kinesis:
// Kinesis_20131202.<Action>): the body is the input object itself, the output object is the
// response body. Errors are {"__type": "<prefix><Code>", "message": "..."}; a service whose
// model is awsQueryCompatible (SQS) also sends "x-amzn-query-error: <LegacyCode>;Sender|
// Receiver", from which botocore raises the same typed exceptions as over the Query protocol.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/http_types.h"
#include "server/protocol/service_model.h"
#include "server/service.h"

namespace seglog::server::protocol {

struct JsonProtocol {
  std::string content_type;   // "application/x-amz-json-1.0"
  std::string error_prefix;   // "com.amazonaws.sqs#", or "" (Kinesis)
  std::string invalid_body_code;  // what a body that is not a JSON object answers
  const ServiceModel* query_compatible = nullptr;  // legacy codes for x-amzn-query-error
};

const JsonProtocol& SqsJsonProtocol();      // JSON 1.0, query-compatible with SqsModel()
const JsonProtocol& KinesisJsonProtocol();  // JSON 1.1

// Deepest nesting of arrays/objects accepted in a request body (nlohmann's parser recurses).
inline constexpr int kMaxJsonDepth = 64;

// Parses a request body: empty = {}; else it must be a JSON object of well-formed UTF-8,
// nested at most kMaxJsonDepth deep. Else a 400 with protocol.invalid_body_code.
std::optional<ServiceError> DecodeJsonRequest(const JsonProtocol& protocol,
                                              std::string_view body, nlohmann::json* input);

// 200 with the output object, or the error document. Never throws on text: strings that
// are not UTF-8 are written with U+FFFD.
HttpResponse EncodeJsonOutcome(const JsonProtocol& protocol, const ServiceOutcome& outcome,
                               std::string_view request_id);
HttpResponse EncodeJsonError(const JsonProtocol& protocol, const ServiceError& error,
                             std::string_view request_id);

}  // namespace seglog::server::protocol
