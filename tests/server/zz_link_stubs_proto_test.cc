// TEMPORARY (branch `proto` only; the coordinator deletes this file at merge): minimal
// stand-ins for VerifySigV4 and Metrics, which other branches implement, so that
// seglog_server_tests links here. They mimic the real contracts only as far as the router
// tests rely on: an unsigned request is refused with MissingAuthenticationToken (403), and
// Render() names every recorded action.
#include <map>
#include <string>

#include "server/auth/sigv4.h"
#include "server/metrics.h"

namespace seglog::server {

std::optional<ServiceError> VerifySigV4(const HttpRequest& req, const CredentialSet&, int64_t,
                                        const SigV4Options&, SigV4Authorization*) {
  if (!req.Header("authorization")) {
    return ServiceError{403, "MissingAuthenticationToken", "The request is not signed.", true};
  }
  return ServiceError{403, "SignatureDoesNotMatch", "stub: signatures are not checked here.",
                      true};
}

namespace {
std::map<std::string, int>& StubCounts() {
  static std::map<std::string, int> counts;
  return counts;
}
}  // namespace

void Metrics::Record(std::string_view service, std::string_view action, int http_status,
                     std::string_view, std::chrono::microseconds, size_t, size_t) {
  std::lock_guard<std::mutex> lock(mu_);
  ++StubCounts()["service=\"" + std::string(service) + "\",action=\"" + std::string(action) +
                 "\",status=\"" + std::to_string(http_status) + "\""];
}
void Metrics::ConnectionOpened() {}
void Metrics::ConnectionClosed() {}
void Metrics::ConnectionRefused() {}
void Metrics::AddSource(Source) {}
std::string Metrics::Render() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (const auto& [labels, n] : StubCounts()) {
    out += "seglogd_requests_total{" + labels + "} " + std::to_string(n) + "\n";
  }
  return out;
}

}  // namespace seglog::server
