// AWS Signature Version 4 verification (https://docs.aws.amazon.com/IAM/latest/UserGuide/
// reference_sigv4-create-signed-request.html): the canonical request, string to sign and
// HMAC-SHA256 key chain from libcrypto, a ±15 minute clock window, a constant-time compare.
// Header-signed requests (Authorization: AWS4-HMAC-SHA256 ...) and presigned query strings
// (X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=...&X-Amz-Signature=...).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/auth/credentials.h"
#include "server/http_types.h"
#include "server/service.h"

namespace seglog::server {

// The parts of an Authorization header (or a presigned query string).
struct SigV4Authorization {
  std::string access_key;
  std::string date;      // yyyymmdd of the credential scope
  std::string region;
  std::string service;   // "sqs", "kinesis", "sns", ...
  std::vector<std::string> signed_headers;  // lower case, as listed
  std::string signature; // 64 lower-case hex digits
};

// Parses "AWS4-HMAC-SHA256 Credential=AK/20261207/us-east-1/sqs/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=<hex>". False with *why on anything malformed
// (a fuzz target drives this).
bool ParseAuthorization(std::string_view header, SigV4Authorization* out, std::string* why);

// The credential scope's region and service of a signed request, or nullopt when it carries
// none (routing uses the service to tell SQS's Query calls from SNS's).
std::optional<SigV4Authorization> PeekAuthorization(const HttpRequest& req);

struct SigV4Options {
  int64_t clock_skew_s = 15 * 60;
  std::string region;   // "" = any region accepted; else the scope's region must equal it
  std::string service;  // "" = any service; else the scope's service must equal it
};

// nullopt when the request is signed by a key of `creds` with a valid signature inside the
// clock window; else the error to return, as AWS names it:
//   MissingAuthenticationToken (403) no Authorization header or presigned parameters
//   IncompleteSignature (400)        malformed header, a required part missing, host or
//                                    x-amz-date not signed
//   InvalidClientTokenId (403)       unknown access key
//   SignatureDoesNotMatch (403)      wrong signature, or a scope whose region/service is wrong
//   RequestExpired (400)             X-Amz-Date (or Date) outside the window; a presigned URL
//                                    past X-Amz-Expires
// On success *out (may be null) gets the parsed authorization.
std::optional<ServiceError> VerifySigV4(const HttpRequest& req, const CredentialSet& creds,
                                        int64_t now_unix_s, const SigV4Options& opt,
                                        SigV4Authorization* out);

}  // namespace seglog::server
