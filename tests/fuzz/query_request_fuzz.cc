// Fuzz target: arbitrary bytes as a Query-protocol form for a few SQS and SNS actions (the
// first byte picks the service - SNS when its high bit is set - and the action, the rest is
// the form), decoded with that service's model; a decoded input
// is then encoded as that action's output (exercising the XML writer with whatever text and
// shapes the decoder produced; a shape mismatch may throw std::invalid_argument, nothing else
// may), and any error as an <ErrorResponse>.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "server/protocol/query_codec.h"

using namespace seglog::server::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char* const kSqsActions[] = {"SendMessage", "SendMessageBatch", "ReceiveMessage",
                                            "CreateQueue", "GetQueueAttributes", "TagQueue",
                                            "ListQueues", "DeleteMessageBatch"};
  static const char* const kSnsActions[] = {"Publish", "PublishBatch", "CreateTopic",
                                            "Subscribe", "SetSubscriptionAttributes",
                                            "TagResource", "GetTopicAttributes", "ListTopics"};
  if (size == 0) return 0;
  const bool sns = (data[0] & 0x80) != 0;
  const ServiceModel& model = sns ? SnsModel() : SqsModel();
  const std::string action = sns ? kSnsActions[(data[0] & 0x7f) % 8] : kSqsActions[data[0] % 8];
  const std::string form = "Action=" + action + "&" +
                           std::string(reinterpret_cast<const char*>(data) + 1, size - 1);
  FormParams params;
  std::string decoded_action;
  nlohmann::json input;
  auto err = ParseForm(form, &params);
  if (!err) {
    err = DecodeQueryRequest(model, params, "/000000000000/q", &decoded_action, &input);
  }
  if (err) {
    const std::string xml = EncodeQueryError(model, *err, "rid");
    if (xml.find("<ErrorResponse") == std::string::npos) std::abort();
    return 0;
  }
  if (decoded_action.empty() || !input.is_object()) std::abort();
  try {
    const std::string xml = EncodeQueryResult(model, decoded_action, input, "rid");
    if (xml.find('\r') != std::string::npos) std::abort();  // must be escaped as &#xD;
  } catch (const std::invalid_argument&) {
    // The input's members did not fit the output shape: an expected refusal.
  }
  return 0;
}
