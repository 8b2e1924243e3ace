#include "engine/queues/message_shape.h"

#include "engine/queues/queue_validate.h"

namespace seglog {

namespace {

// The code point at s[*i] (advancing *i); false when it is not well-formed UTF-8.
bool NextCodePoint(std::string_view s, size_t* i, uint32_t* cp) {
  const auto c = static_cast<unsigned char>(s[*i]);
  size_t n = 0;
  if (c < 0x80) {
    *cp = c;
  } else if ((c & 0xE0) == 0xC0) {
    n = 1;
  } else if ((c & 0xF0) == 0xE0) {
    n = 2;
  } else if ((c & 0xF8) == 0xF0) {
    n = 3;
  } else {
    return false;
  }
  if (n > 0 && !ValidUtf8(s.substr(*i, n + 1))) return false;
  if (n > 0) {
    *cp = c & (0x3F >> n);
    for (size_t k = 1; k <= n; ++k) *cp = (*cp << 6) | (static_cast<unsigned char>(s[*i + k]) & 0x3F);
  }
  *i += n + 1;
  return true;
}

bool AllowedChar(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

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
  size_t i = 0, n = 0;
  while (i < s.size()) {
    uint32_t cp = 0;
    if (!NextCodePoint(s, &i, &cp) || !AllowedChar(cp)) return false;
    ++n;
  }
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
