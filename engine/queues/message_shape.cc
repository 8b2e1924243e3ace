#include "engine/queues/message_shape.h"

#include "engine/log/utf8.h"
#include "engine/queues/queue_validate.h"

namespace seglog {

namespace {

// 1 .. max bytes of ASCII lo .. 126.
Status AsciiField(const std::string& what, const char* field, std::string_view v, size_t max,
                  unsigned char lo) {
  if (v.size() > max) {
    return Status::InvalidArgument(what + ": " + field + " is " + std::to_string(v.size()) +
                                   " bytes, at most " + std::to_string(max));
  }
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u < lo || u > 126) {
      return Status::InvalidArgument(what + ": " + field + " has a character outside ASCII " +
                                     std::to_string(lo) + "..126 (byte " + std::to_string(u) +
                                     ")");
    }
  }
  return Status::OK();
}

}  // namespace

bool SqsTextChars(std::string_view s, size_t* chars) {
  size_t n = 0;
  if (!ForEachCodePoint(s, [&](uint32_t cp) { return ++n, IsSqsTextChar(cp); })) return false;
  if (chars != nullptr) *chars = n;
  return true;
}

std::string DataTypeText(format::AttributeType type, std::string_view label) {
  std::string out(format::AttributeTypeName(type));
  if (!label.empty()) {
    out += '.';
    out += label;
  }
  return out;
}

Status ParseDataType(std::string_view text, const std::string& what,
                     format::AttributeType* type, std::string_view* label) {
  const size_t dot = text.find('.');
  const std::string_view name = text.substr(0, dot);
  using format::AttributeType;
  if (name == "String") {
    *type = AttributeType::kString;
  } else if (name == "Number") {
    *type = AttributeType::kNumber;
  } else if (name == "Binary") {
    *type = AttributeType::kBinary;
  } else {
    return Status::InvalidArgument(what + ": data type '" + std::string(text.substr(0, 64)) +
                                   "' is not String, Number or Binary (optionally + '.' + label)");
  }
  *label = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (dot != std::string_view::npos && label->empty()) {
    return Status::InvalidArgument(what + ": data type '" + std::string(text) +
                                   "' has an empty custom label");
  }
  size_t chars = 0;
  if (!SqsTextChars(*label, &chars)) {
    return Status::InvalidArgument(what + ": the custom label of data type '" +
                                   std::string(name) + "' has a character SQS does not allow");
  }
  if (name.size() + (label->empty() ? 0 : 1 + chars) > kQueueMaxDataTypeChars) {
    return Status::InvalidArgument(what + ": data type is over 256 characters");
  }
  return Status::OK();
}

Status ValidateMessageShape(const SendEntry& e, const std::string& what) {
  for (const format::MessageAttribute& a : e.attributes) {
    if (a.type_label.empty()) continue;
    const std::string text = DataTypeText(a.type, a.type_label);
    format::AttributeType t;
    std::string_view label;
    SEGLOG_RETURN_IF_ERROR(
        ParseDataType(text, what + ": attribute '" + std::string(a.name) + "'", &t, &label));
  }
  SEGLOG_RETURN_IF_ERROR(AsciiField(what, "sender id", e.sender_id, kQueueMaxSenderIdBytes, 33));
  return AsciiField(what, "AWSTraceHeader", e.trace_header, kQueueMaxTraceHeaderBytes, 32);
}

std::string SendEntryErrorCode(const SendEntry& e, bool fifo, const Status& s) {
  if (e.body.empty() || (fifo && e.group_id.empty())) return "MissingParameter";
  if (s.code() == StatusCode::kInvalidArgument &&
      s.message().find("body") != std::string::npos &&
      s.message().find("character") != std::string::npos) {
    return "InvalidMessageContents";
  }
  return "InvalidParameterValue";
}

}  // namespace seglog
