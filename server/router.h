// The Handler the transport calls: authenticates a request, decides its service and wire
// protocol, decodes it into a ServiceCall, runs it and encodes the outcome.
//   GET /health                       200 "ok" (no signature needed)
//   GET /metrics                      Prometheus text (no signature needed)
//   POST, X-Amz-Target: AmazonSQS.<Action>          SQS, AWS JSON 1.0
//   POST, X-Amz-Target: Kinesis_20131202.<Action>   Kinesis, AWS JSON 1.1
//   POST form-encoded (or GET with a query) Action=<Action>  SQS or SNS Query protocol (XML):
//     SNS when the SigV4 credential scope names "sns", else (unsigned) Version=2010-03-31,
//     else an Action only SNS's model has; otherwise SQS.
//   GET <signing_cert_path>           the PEM certificate of the SNS envelopes' signatures
//   GET /?Action=Unsubscribe&SubscriptionArn=...  SNS's UnsubscribeURL: needs no signature
// Anything else: 400 with a protocol-appropriate error (UnknownOperationException /
// InvalidAction), never a crash. One log line per request at debug level.
//
// Lifetime: the services, credentials and metrics outlive it. Concurrency: Handle may run on
// several workers at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "server/auth/credentials.h"
#include "server/http_types.h"
#include "server/metrics.h"
#include "server/service.h"

namespace seglog::server {

struct RouterOptions {
  std::string region = "us-east-1";
  std::string account = "000000000000";
  std::string public_host;  // host[:port] for queue URLs; "" = each request's Host header
  // nullptr or empty: authentication is off (any signature, or none, is accepted; seglogd then
  // listens on loopback only).
  const CredentialSet* credentials = nullptr;
  Metrics* metrics = nullptr;               // may be null
  std::function<int64_t()> now_unix_s;      // null = the system clock (tests set it)
  bool log_requests = false;                // one line per request on stderr (debug level)
  // SNS's signing certificate: served at GET signing_cert_path ("" = not served) as the
  // function returns it; false = not available yet (503).
  std::string signing_cert_path;
  std::function<bool(std::string* pem)> signing_certificate;
};

class Router : public Handler {
 public:
  // `sqs` / `kinesis` / `sns` may be null (that service answers InvalidAction /
  // UnknownOperation; without SNS every Query call goes to SQS).
  Router(RouterOptions opt, Service* sqs, Service* kinesis, Service* sns = nullptr);
  ~Router() override;
  size_t BodyLimit(const HttpRequest& head) const override;
  void Handle(HttpRequest request, Respond respond) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace seglog::server
