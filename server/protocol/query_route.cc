#include "server/protocol/query_route.h"

#include "server/auth/sigv4.h"
#include "server/protocol/service_model.h"

namespace seglog::server::protocol {

bool IsSnsQuery(const HttpRequest& r, const FormParams& params) {
  if (auto auth = PeekAuthorization(r)) {
    if (auth->service == "sns") return true;
    if (auth->service == "sqs") return false;
  }
  const auto v = params.find("Version");
  if (v != params.end()) {
    if (v->second == SnsModel().api_version()) return true;
    if (v->second == SqsModel().api_version()) return false;
  }
  const auto a = params.find("Action");
  return a != params.end() && SnsModel().FindOperation(a->second) &&
         !SqsModel().FindOperation(a->second);
}

bool IsUnsignedUnsubscribe(const HttpRequest& r, const FormParams& params) {
  if (r.method != "GET" || r.Header("authorization") || params.count("X-Amz-Signature")) {
    return false;
  }
  const auto a = params.find("Action");
  return a != params.end() && a->second == "Unsubscribe";
}

}  // namespace seglog::server::protocol
