// One AWS service's operations, independent of the wire protocol they came in on. The codecs
// (server/protocol/) turn a request into a ServiceCall whose `input` has the shape of AWS's
// JSON protocol for that operation (member names as in botocore's service model, blobs as
// base64 strings, timestamps as epoch seconds), and render a ServiceOutcome back as JSON 1.0 /
// 1.1 or as the Query protocol's XML. The adapters (server/sqs/, server/kinesis/) never see
// which protocol a request used.
//
// Concurrency: Call runs on a worker thread; `done` is called exactly once, from any thread
// (a long poll finishes on whichever worker wakes it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace seglog::server {

// What the request says about where it arrived (queue URLs are built from it).
struct RequestContext {
  std::string scheme = "http";   // "https" over TLS
  std::string host;              // host[:port] for URLs: the configured public host, else Host
  std::string region = "us-east-1";
  std::string account = "000000000000";
  std::string request_id;        // a UUID, echoed as x-amzn-RequestId / <RequestId>
  std::string path;              // the request's path ("/000000000000/q1" for Query calls
                                 // addressed by queue URL path)
  std::string access_key;        // the verified caller's key id ("" when auth is off)
};

// Client text to echo in an error message: at most 64 bytes (cut at a UTF-8 boundary), then
// "..." - an answer never grows with what the client sent.
inline std::string ClipClientText(std::string_view v) {
  if (v.size() <= 64) return std::string(v);
  size_t n = 64;
  while (n > 0 && (static_cast<unsigned char>(v[n]) & 0xC0) == 0x80) --n;
  return std::string(v.substr(0, n)) + "...";
}

struct ServiceError {
  int http_status = 400;
  // The error's name: the service model's exception shape ("QueueDoesNotExist",
  // "ResourceNotFoundException") or AWS's common code ("InvalidParameterValue",
  // "MissingParameter", "InvalidAction", "SignatureDoesNotMatch", "InternalFailure").
  // The SQS codecs map shape names to the legacy Query codes
  // ("AWS.SimpleQueueService.NonExistentQueue") for XML and x-amzn-query-error.
  std::string code;
  std::string message;
  bool sender_fault = true;  // false: the server's ("Receiver")
};

struct ServiceCall {
  std::string action;      // "SendMessage", "PutRecords"
  nlohmann::json input;    // an object (possibly empty), JSON-protocol shape
  RequestContext ctx;
};

struct ServiceOutcome {
  nlohmann::json output = nlohmann::json::object();  // JSON-protocol shape; ignored on error
  std::optional<ServiceError> error;

  static ServiceOutcome Error(int status, std::string code, std::string message,
                              bool sender_fault = true) {
    ServiceOutcome o;
    o.error = ServiceError{status, std::move(code), std::move(message), sender_fault};
    return o;
  }
};

using ServiceDone = std::function<void(ServiceOutcome)>;

class Service {
 public:
  virtual ~Service() = default;
  // Runs one operation; `done` exactly once. An unknown action: InvalidAction (400).
  virtual void Call(ServiceCall call, ServiceDone done) = 0;
  // The largest request body the action may need on the wire, in the protocol's encoding
  // worst case (JSON escapes, form encoding); 0 for an unknown action. The transport's limit.
  virtual size_t MaxRequestBytes(std::string_view action) const = 0;
};

}  // namespace seglog::server
