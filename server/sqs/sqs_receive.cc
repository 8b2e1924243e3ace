// ReceiveMessage's input and output (the waiting itself is sqs_service.cc's): which system
// attributes and message attributes the caller asked for, and the messages in SQS's shape,
// a relaxed queue's binary body base64-encoded as SPEC.md 16.11 says.
#include <algorithm>

#include "engine/queues/message_identity.h"
#include "engine/queues/message_shape.h"
#include "server/sqs/sqs_internal.h"

namespace seglog::server::sqs {

using nlohmann::json;

namespace {

constexpr char kBodyEncodingAttr[] = "SeglogBodyEncoding";

bool Has(const std::vector<std::string>& names, std::string_view n) {
  return std::find(names.begin(), names.end(), n) != names.end();
}

// MessageAttributeNames: "All", ".*", "prefix.*" or an exact name.
bool WantAttribute(const std::vector<std::string>& names, std::string_view attr) {
  for (std::string_view n : names) {
    if (n == "All" || n == ".*" || n == attr) return true;
    if (n.size() > 2 && n.substr(n.size() - 2) == ".*" &&
        attr.substr(0, n.size() - 2) == n.substr(0, n.size() - 2)) {
      return true;
    }
  }
  return false;
}

json SystemAttributes(const ReceiveRequest& r, const ReceivedMessage& m) {
  const std::vector<std::string>& names = r.system_names;
  const bool all = Has(names, "All");
  json a = json::object();
  auto put = [&](const char* name, const std::string& value) {
    if (!value.empty() && (all || Has(names, name))) a[name] = value;
  };
  put("SenderId", m.sender_id);
  put("SentTimestamp", std::to_string(m.sent.value()));
  put("ApproximateReceiveCount", std::to_string(m.receive_count));
  put("ApproximateFirstReceiveTimestamp", std::to_string(m.first_receive.value()));
  put("SequenceNumber", m.sequence_number);
  put("MessageDeduplicationId", m.dedup_id);
  put("MessageGroupId", m.group_id);
  put("AWSTraceHeader", m.trace_header);
  if (!m.dead_letter_source.empty()) {
    put("DeadLetterQueueSourceArn", r.arn_prefix + m.dead_letter_source);
  }
  return a;
}

ByteView Bytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

json AttributeJson(format::AttributeType type, std::string_view label, const std::string& value) {
  json v{{"DataType", DataTypeText(type, label)}};
  if (type == format::AttributeType::kBinary) {
    v["BinaryValue"] = Base64Encode(value);
  } else {
    v["StringValue"] = value;
  }
  return v;
}

json RenderMessage(const ReceiveRequest& r, const ReceivedMessage& m) {
  json msg{{"MessageId", m.message_id}, {"ReceiptHandle", m.receipt}};
  const bool text = SqsTextChars(m.body);
  msg["Body"] = text ? m.body : Base64Encode(m.body);
  msg["MD5OfBody"] = text ? m.md5_of_body : Md5OfBody(Bytes(msg["Body"].get_ref<const std::string&>()));
  json sys = SystemAttributes(r, m);
  if (!sys.empty()) msg["Attributes"] = std::move(sys);

  std::vector<format::MessageAttribute> picked;
  json attrs = json::object();
  bool has_encoding_attr = false;
  for (const ReceivedAttribute& a : m.attributes) {
    has_encoding_attr = has_encoding_attr || a.name == kBodyEncodingAttr;
    if (!WantAttribute(r.attribute_names, a.name) && !(!text && a.name == kBodyEncodingAttr)) {
      continue;
    }
    picked.push_back({a.name, a.type, Bytes(a.value), a.type_label});
    attrs[a.name] = AttributeJson(a.type, a.type_label, a.value);
  }
  static const std::string kBase64 = "base64";
  if (!text && !has_encoding_attr) {
    picked.push_back({kBodyEncodingAttr, format::AttributeType::kString, Bytes(kBase64), ""});
    attrs[kBodyEncodingAttr] = AttributeJson(format::AttributeType::kString, "", kBase64);
  }
  if (!picked.empty()) {
    msg["MessageAttributes"] = std::move(attrs);
    msg["MD5OfMessageAttributes"] =
        picked.size() == m.attributes.size() && text ? m.md5_of_attributes : Md5OfAttributes(picked);
  }
  return msg;
}

}  // namespace

ReceiveRequest ParseReceive(const ActionEnv& env, const json& in) {
  ReceiveRequest r;
  r.queue = QueueNameIn(in, env.ctx);
  r.arn_prefix = QueueArnOf("", env.ctx);
  r.opt.max_messages = static_cast<uint32_t>(
      OptionalInt(in, "MaxNumberOfMessages", 1, kQueueMaxBatch).value_or(1));
  r.opt.visibility_timeout_s = static_cast<int32_t>(
      OptionalInt(in, "VisibilityTimeout", 0, kQueueMaxVisibilityS).value_or(-1));
  r.opt.report = Report::kSqs;
  r.system_names = StringList(in, "AttributeNames");
  for (auto& n : StringList(in, "MessageSystemAttributeNames")) r.system_names.push_back(n);
  r.attribute_names = StringList(in, "MessageAttributeNames");
  // FIFO queues only; the engine checks it and ignores it on standard queues, as SQS does.
  r.attempt_id = OptionalString(in, "ReceiveRequestAttemptId").value_or("");
  auto wait = OptionalInt(in, "WaitTimeSeconds", 0, kQueueMaxWaitS);
  if (wait) {
    r.wait_s = static_cast<int32_t>(*wait);
  } else {
    QueueConfig c;
    Check(env.queues->GetConfig(r.queue, &c));
    r.wait_s = static_cast<int32_t>(c.receive_wait_s);
  }
  r.opt.wait_s = 0;
  return r;
}

json RenderReceive(const ReceiveRequest& r, const std::vector<ReceivedMessage>& msgs) {
  json out = json::object();
  if (msgs.empty()) return out;
  json list = json::array();
  for (const ReceivedMessage& m : msgs) list.push_back(RenderMessage(r, m));
  out["Messages"] = std::move(list);
  return out;
}

void CheckOverLimit(const ActionEnv& env, const std::string& queue) {
  QueueStats st;
  if (env.queues->Stats(queue, &st).ok() && st.in_flight >= kQueueMaxInFlight) {
    Fail("OverLimit",
         "You have reached the limit of " + std::to_string(kQueueMaxInFlight) +
             " in-flight messages on this queue; delete messages or change their visibility.",
         403);
  }
}

}  // namespace seglog::server::sqs
