// The Query protocol (SQS's original wire format; SNS's too): a form-encoded request
// (Action=SendMessage&Version=2012-11-05&QueueUrl=...&MessageAttribute.1.Name=...) becomes a
// JSON-protocol-shaped input by walking the operation's input shape in the service model
// (flattened lists "Name.N", non-flattened "Name.member.N", maps "Name.N.Key"/"Name.N.Value",
// nested structures "Name.N.Member", scalars typed per the model); an outcome becomes the
// XML document botocore's QueryParser reads (<ActionResponse><ActionResult>...</ActionResult>
// <ResponseMetadata/></ActionResponse>, or <ErrorResponse>).
//
// Generic over the ServiceModel; pure functions, thread-safe. Parameters the model does not
// name are ignored (Version, X-Amz-* presigning, unknown members).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/http_types.h"
#include "server/protocol/form.h"
#include "server/protocol/service_model.h"
#include "server/service.h"

namespace seglog::server::protocol {

// Decodes the Action and its input. `path` is the request's path: when the operation has a
// QueueUrl member, none was given and the path is not "/", QueueUrl = path. Errors:
// MissingAction, InvalidAction (not in the model), InvalidParameterValue (a scalar that does
// not parse as its type; the message names the parameter), MissingParameter (a required
// top-level member absent, or a map entry without its key).
std::optional<ServiceError> DecodeQueryRequest(const ServiceModel& model,
                                               const FormParams& params,
                                               std::string_view path, std::string* action,
                                               nlohmann::json* input);

// The success document for `output` (shaped as the operation's output shape). Throws
// std::invalid_argument when `output` does not fit the shape (a member of the wrong JSON
// type): a service bug the router answers with 500. Members the model lacks are skipped.
std::string EncodeQueryResult(const ServiceModel& model, std::string_view action,
                              const nlohmann::json& output, std::string_view request_id);

// <ErrorResponse> with the model's legacy code (ServiceModel::LegacyCode).
std::string EncodeQueryError(const ServiceModel& model, const ServiceError& error,
                             std::string_view request_id);

// The HTTP response (text/xml) for an outcome: the error's status, or 200.
HttpResponse EncodeQueryOutcome(const ServiceModel& model, std::string_view action,
                                const ServiceOutcome& outcome, std::string_view request_id);

}  // namespace seglog::server::protocol
