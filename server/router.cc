#include "server/router.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <random>

#include "server/auth/sigv4.h"
#include "server/protocol/service_model.h"
#include "server/protocol/form.h"
#include "server/protocol/json_codec.h"
#include "server/protocol/query_codec.h"
#include "server/protocol/query_route.h"

namespace seglog::server {
namespace {

using protocol::JsonProtocol;
using protocol::SnsModel;
using protocol::SqsModel;
using Clock = std::chrono::steady_clock;

constexpr size_t kDefaultBodyLimit = 64 * 1024;
constexpr std::string_view kSqsTarget = "AmazonSQS.";
constexpr std::string_view kKinesisTarget = "Kinesis_20131202.";

// kSqsQuery is what Detect says for every Query call; Run tells SNS's from it (IsSnsQuery).
enum class Wire { kSqsJson, kKinesisJson, kSqsQuery, kSnsQuery, kUnknownJson, kUnknownXml };

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != prefix[i]) return false;
  }
  return true;
}

bool IsForm(const HttpRequest& r) {
  const std::string* ct = r.Header("content-type");
  return ct && StartsWithNoCase(*ct, "application/x-www-form-urlencoded");
}

// The wire protocol of a request, and for JSON the action named by X-Amz-Target.
Wire Detect(const HttpRequest& r, std::string* action) {
  if (const std::string* target = r.Header("x-amz-target")) {
    const std::string_view t = *target;
    if (t.substr(0, kSqsTarget.size()) == kSqsTarget) {
      *action = t.substr(kSqsTarget.size());
      return Wire::kSqsJson;
    }
    if (t.substr(0, kKinesisTarget.size()) == kKinesisTarget) {
      *action = t.substr(kKinesisTarget.size());
      return Wire::kKinesisJson;
    }
    return Wire::kUnknownJson;
  }
  if (IsForm(r)) return Wire::kSqsQuery;
  if (!r.Query().empty() && (r.method == "GET" || r.body.empty())) return Wire::kSqsQuery;
  const std::string* ct = r.Header("content-type");
  return ct && ct->find("json") != std::string::npos ? Wire::kUnknownJson : Wire::kUnknownXml;
}

// Writes the low `digits` hex digits of v at out (lower case, zero padded).
void Hex(uint64_t v, int digits, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i, v >>= 4) out[i] = kDigits[v & 0xf];
}

// A random version-4 UUID (8-4-4-4-12, lower case hex), from a per-thread generator.
std::string NewRequestId() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const uint64_t a = rng(), b = rng();
  std::string id(36, '-');
  Hex(a >> 32, 8, &id[0]);
  Hex((a >> 16) & 0xffff, 4, &id[9]);
  id[14] = '4';
  Hex(a & 0xfff, 3, &id[15]);
  Hex(0x8000 | ((b >> 48) & 0x3fff), 4, &id[19]);
  Hex(b & 0xffffffffffffULL, 12, &id[24]);
  return id;
}

// Printable ASCII only, at most 200 bytes: a log line never carries raw request bytes.
std::string ForLog(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < 200; ++i) {
    const char c = s[i];
    out.push_back(c > 0x20 && c < 0x7f ? c : '?');
  }
  return out.empty() ? "-" : out;
}

}  // namespace

struct Router::Impl {
  RouterOptions opt;
  Service* sqs;
  Service* kinesis;
  Service* sns;
  size_t sqs_query_limit = kDefaultBodyLimit;

  // One request in flight: answered once, from whichever thread finishes it.
  struct Call {
    Impl* impl;
    Wire wire;
    const JsonProtocol* json = nullptr;  // set with `wire` for the JSON wires
    std::string method, path, service, action;
    RequestContext ctx;
    size_t bytes_in = 0;
    Clock::time_point start;
    Respond respond;
    std::atomic<bool> answered{false};
  };

  static const char* ServiceName(Wire w) {
    switch (w) {
      case Wire::kSqsJson:
      case Wire::kSqsQuery: return "sqs";
      case Wire::kKinesisJson: return "kinesis";
      case Wire::kSnsQuery: return "sns";
      default: return "";
    }
  }

  // The JSON dialect errors and outputs are written in (unknown targets: 1.0 or 1.1 after the
  // request's Content-Type, no service prefix).
  static const JsonProtocol& JsonFor(Wire w, const HttpRequest& r) {
    if (w == Wire::kSqsJson) return protocol::SqsJsonProtocol();
    if (w == Wire::kKinesisJson) return protocol::KinesisJsonProtocol();
    static const JsonProtocol k10{"application/x-amz-json-1.0", "", "SerializationException",
                                  nullptr};
    static const JsonProtocol k11{"application/x-amz-json-1.1", "", "SerializationException",
                                  nullptr};
    const std::string* ct = r.Header("content-type");
    return ct && ct->find("1.0") != std::string::npos ? k10 : k11;
  }

  static HttpResponse Encode(const Call& c, const ServiceOutcome& outcome) {
    if (c.wire == Wire::kSqsQuery || c.wire == Wire::kSnsQuery || c.wire == Wire::kUnknownXml) {
      const protocol::ServiceModel& model = c.wire == Wire::kSnsQuery ? SnsModel() : SqsModel();
      // An action the model does not know (only errors reach here for it) still gets XML.
      if (outcome.error || !model.FindOperation(c.action)) {
        ServiceOutcome e = outcome;
        if (!e.error) e.error = ServiceError{500, "InternalFailure", "No such action.", false};
        return protocol::EncodeQueryOutcome(model, "", e, c.ctx.request_id);
      }
      return protocol::EncodeQueryOutcome(model, c.action, outcome, c.ctx.request_id);
    }
    return protocol::EncodeJsonOutcome(*c.json, outcome, c.ctx.request_id);
  }

  // Encodes, records, logs and responds, once; a throwing encoder answers 500.
  static void Finish(const std::shared_ptr<Call>& c, const ServiceOutcome& outcome) {
    if (c->answered.exchange(true)) return;
    HttpResponse r;
    std::string code = outcome.error ? outcome.error->code : "";
    try {
      r = Encode(*c, outcome);
    } catch (...) {
      code = "InternalFailure";
      r = Encode(*c, ServiceOutcome::Error(500, code, "The response could not be encoded.",
                                           false));
    }
    const auto latency =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - c->start);
    const Impl& impl = *c->impl;
    if (impl.opt.metrics) {
      impl.opt.metrics->Record(c->service.empty() ? "unknown" : c->service, c->action, r.status,
                               code, latency, c->bytes_in, r.body.size());
    }
    if (impl.opt.log_requests) {
      std::fprintf(stderr, "seglogd debug: %s %s service=%s action=%s status=%d error=%s "
                   "latency_us=%lld in=%zu out=%zu\n",
                   ForLog(c->method).c_str(), ForLog(c->path).c_str(), ForLog(c->service).c_str(),
                   ForLog(c->action).c_str(), r.status, ForLog(code).c_str(),
                   static_cast<long long>(latency.count()), c->bytes_in, r.body.size());
    }
    c->respond(std::move(r));
  }

  // The action as metrics and logs name it: only names the service knows (no cardinality
  // from the network).
  std::string KnownAction(Wire w, const std::string& action) const {
    if (w == Wire::kSqsJson || w == Wire::kSqsQuery) {
      return SqsModel().FindOperation(action) ? action : "unknown";
    }
    if (w == Wire::kSnsQuery) return SnsModel().FindOperation(action) ? action : "unknown";
    if (w == Wire::kKinesisJson && kinesis && kinesis->MaxRequestBytes(action) > 0) {
      return action;
    }
    return "unknown";
  }

  std::optional<ServiceError> Authenticate(const HttpRequest& req, Wire w, RequestContext* ctx,
                                           bool any_service = false) {
    if (!opt.credentials || opt.credentials->empty()) return std::nullopt;
    const int64_t now =
        opt.now_unix_s ? opt.now_unix_s()
                       : std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    SigV4Authorization auth;
    auto err = VerifySigV4(req, *opt.credentials, now,
                           SigV4Options{15 * 60, opt.region,
                                        any_service ? std::string() : std::string(ServiceName(w))},
                           &auth);
    if (!err) ctx->access_key = auth.access_key;
    return err;
  }

  // A Query call's parameters (query string, then the form body).
  static std::optional<ServiceError> QueryParams(const HttpRequest& req,
                                                 protocol::FormParams* params) {
    if (auto e = protocol::ParseForm(req.Query(), params)) return e;
    if (IsForm(req)) {
      if (auto e = protocol::ParseForm(req.body, params)) return e;
    }
    return std::nullopt;
  }

  // Decodes the input; on success *service is the one to call.
  std::optional<ServiceError> Decode(const HttpRequest& req, Call* c,
                                     const protocol::FormParams& params, nlohmann::json* input,
                                     Service** service) {
    if (c->wire == Wire::kSqsQuery || c->wire == Wire::kSnsQuery) {
      const bool is_sns = c->wire == Wire::kSnsQuery;
      std::string action;
      if (auto e = protocol::DecodeQueryRequest(is_sns ? SnsModel() : SqsModel(), params,
                                                c->path, &action, input)) {
        return e;
      }
      c->action = action;
      *service = is_sns ? sns : sqs;
      return *service ? std::nullopt
                      : std::optional<ServiceError>(ServiceError{
                            400, "InvalidAction",
                            std::string(is_sns ? "SNS" : "SQS") + " is not served here.", true});
    }
    const bool is_sqs = c->wire == Wire::kSqsJson;
    *service = is_sqs ? sqs : kinesis;
    if (!*service || c->action.empty() || (is_sqs && !SqsModel().FindOperation(c->action))) {
      return ServiceError{400, "UnknownOperationException",
                          "The operation " + ForLog(c->action) + " is not known here.", true};
    }
    return protocol::DecodeJsonRequest(*c->json, req.body, input);
  }

  void Run(HttpRequest req, const std::shared_ptr<Call>& c) {
    std::string action;
    c->wire = Detect(req, &action);
    c->json = &JsonFor(c->wire, req);
    c->action = action;
    c->service = ServiceName(c->wire);
    if (c->wire == Wire::kUnknownJson) {
      c->action = "unknown";
      Finish(c, ServiceOutcome::Error(400, "UnknownOperationException",
                                      "The request names no operation this server knows."));
      return;
    }
    if (c->wire == Wire::kUnknownXml) {
      c->action = "unknown";
      Finish(c, ServiceOutcome::Error(400, "InvalidAction",
                                      "The request is neither AWS JSON nor a Query call."));
      return;
    }
    protocol::FormParams params;
    std::optional<ServiceError> params_error;
    bool unsigned_ok = false;
    if (c->wire == Wire::kSqsQuery) {
      params_error = QueryParams(req, &params);
      if (sns && protocol::IsSnsQuery(req, params)) c->wire = Wire::kSnsQuery;
      c->service = ServiceName(c->wire);
      unsigned_ok = !params_error && c->wire == Wire::kSnsQuery &&
                    protocol::IsUnsignedUnsubscribe(req, params);
    }
    if (auto e = unsigned_ok ? std::nullopt : Authenticate(req, c->wire, &c->ctx)) {
      c->action = KnownAction(c->wire, c->action);
      Finish(c, ServiceOutcome{nlohmann::json::object(), e});
      return;
    }
    if (params_error) {
      c->action = "unknown";
      Finish(c, ServiceOutcome{nlohmann::json::object(), params_error});
      return;
    }
    nlohmann::json input;
    Service* service = nullptr;
    auto err = Decode(req, c.get(), params, &input, &service);
    c->action = KnownAction(c->wire, c->action);
    if (err) {
      Finish(c, ServiceOutcome{nlohmann::json::object(), err});
      return;
    }
    ServiceCall call{c->action, std::move(input), c->ctx};
    service->Call(std::move(call), [c](ServiceOutcome outcome) { Finish(c, outcome); });
  }
};

Router::Router(RouterOptions opt, Service* sqs, Service* kinesis, Service* sns)
    : impl_(std::make_unique<Impl>()) {
  impl_->opt = std::move(opt);
  impl_->sqs = sqs;
  impl_->kinesis = kinesis;
  impl_->sns = sns;
  if (sqs) {
    for (const auto& op : SqsModel().OperationNames()) {
      impl_->sqs_query_limit = std::max(impl_->sqs_query_limit, sqs->MaxRequestBytes(op));
    }
  }
  if (sns) {  // one limit for every form body: which service it is for is known after reading it
    for (const auto& op : SnsModel().OperationNames()) {
      impl_->sqs_query_limit = std::max(impl_->sqs_query_limit, sns->MaxRequestBytes(op));
    }
  }
}

namespace {
// "127.x.x.x:port" or "[::1]:port" (HttpRequest::remote).
bool IsLoopbackPeer(const std::string& remote) {
  return remote.rfind("127.", 0) == 0 || remote.rfind("[::1]:", 0) == 0 ||
         remote.rfind("[::ffff:127.", 0) == 0;
}
}  // namespace

Router::~Router() = default;

size_t Router::BodyLimit(const HttpRequest& head) const {
  std::string action;
  const Wire w = Detect(head, &action);
  Service* s = w == Wire::kSqsJson ? impl_->sqs : w == Wire::kKinesisJson ? impl_->kinesis
                                                                           : nullptr;
  if (s) {
    const size_t limit = s->MaxRequestBytes(action);
    return limit > 0 ? limit : kDefaultBodyLimit;
  }
  if (w == Wire::kSqsQuery && IsForm(head)) return impl_->sqs_query_limit;
  return kDefaultBodyLimit;
}

void Router::Handle(HttpRequest request, Respond respond) {
  const std::string_view path = request.Path();
  if (request.method == "GET" && path == "/health") {
    respond(HttpResponse{200, {{"Content-Type", "text/plain"}}, "ok", false});
    return;
  }
  if (request.method == "GET" && !impl_->opt.signing_cert_path.empty() &&
      path == impl_->opt.signing_cert_path && impl_->opt.signing_certificate) {
    std::string pem;
    if (!impl_->opt.signing_certificate(&pem)) {
      respond(HttpResponse{503, {{"Content-Type", "text/plain"}}, "not available yet\n", false});
      return;
    }
    respond(HttpResponse{200, {{"Content-Type", "application/x-x509-ca-cert"}}, std::move(pem),
                         false});
    return;
  }
  if (request.method == "GET" && path == "/metrics") {
    // With authentication on, the queue names and depths are for loopback scrapers or signed
    // requests only.
    if (impl_->opt.credentials && !impl_->opt.credentials->empty() &&
        !IsLoopbackPeer(request.remote)) {
      RequestContext ignored;
      if (auto e = impl_->Authenticate(request, Wire::kSqsQuery, &ignored, /*any_service=*/true)) {
        respond(HttpResponse{e->http_status, {{"Content-Type", "text/plain"}},
                             e->code + ": " + e->message + "\n", false});
        return;
      }
    }
    respond(HttpResponse{200,
                         {{"Content-Type", "text/plain; version=0.0.4"}},
                         impl_->opt.metrics ? impl_->opt.metrics->Render() : std::string(),
                         false});
    return;
  }
  auto c = std::make_shared<Impl::Call>();
  c->impl = impl_.get();
  c->wire = Wire::kUnknownXml;
  c->json = &protocol::KinesisJsonProtocol();  // replaced in Run
  c->start = Clock::now();
  c->method = request.method;
  c->path = std::string(path);
  c->bytes_in = request.body.size();
  c->respond = std::move(respond);
  c->ctx.scheme = request.tls ? "https" : "http";
  const std::string* host = request.Header("host");
  c->ctx.host = !impl_->opt.public_host.empty() ? impl_->opt.public_host
                : host && !host->empty()       ? *host
                                               : "localhost";
  c->ctx.region = impl_->opt.region;
  c->ctx.account = impl_->opt.account;
  c->ctx.request_id = NewRequestId();
  c->ctx.path = c->path;
  try {
    impl_->Run(std::move(request), c);
  } catch (...) {
    // A service or codec bug (nlohmann type errors included): answer, never crash.
    Impl::Finish(c, ServiceOutcome::Error(500, "InternalFailure",
                                          "The server failed to process the request.", false));
  }
}

}  // namespace seglog::server
