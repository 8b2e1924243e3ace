// Fuzz target: arbitrary bytes as the body of an AWS JSON 1.0 (SQS) and JSON 1.1 (Kinesis)
// request; a decoded input is echoed back as the output of a success, and also rendered as
// an error outcome whose code and message come from the input (x-amzn-query-error included).
// Nothing may crash, throw, or render a body that is not JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "server/protocol/json_codec.h"

using seglog::server::ServiceError;
using seglog::server::ServiceOutcome;
using namespace seglog::server::protocol;

namespace {

void Check(const seglog::server::HttpResponse& r) {
  if (!nlohmann::json::accept(r.body)) std::abort();
}

void One(const JsonProtocol& protocol, std::string_view body) {
  nlohmann::json input;
  if (auto err = DecodeJsonRequest(protocol, body, &input)) {
    if (err->http_status != 400) std::abort();
    Check(EncodeJsonError(protocol, *err, "rid"));
    return;
  }
  if (!input.is_object()) std::abort();
  ServiceOutcome ok;
  ok.output = input;
  Check(EncodeJsonOutcome(protocol, ok, "rid"));
  const auto code = input.find("Code");
  ServiceError e{400, code != input.end() && code->is_string() ? code->get<std::string>() : "X",
                 input.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), true};
  Check(EncodeJsonError(protocol, e, "rid"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  One(SqsJsonProtocol(), body);
  One(KinesisJsonProtocol(), body);
  return 0;
}
