#include "engine/queues/queue_validate.h"

#include <cctype>
#include <cstdint>
#include <cstdio>

#include "engine/log/utf8.h"

namespace seglog {

namespace {

std::string_view AsChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

Status Range(const char* what, uint64_t v, uint64_t lo, uint64_t hi) {
  if (v < lo || v > hi) {
    return Status::InvalidArgument(std::string(what) + " must be " + std::to_string(lo) + " to " +
                                   std::to_string(hi) + ", got " + std::to_string(v));
  }
  return Status::OK();
}

}  // namespace

bool EndsWithFifo(std::string_view n) {
  return n.size() >= 5 && n.substr(n.size() - 5) == ".fifo";
}

// FIFO group and deduplication ids: 1..128 characters of ASCII 33..126 (SQS's rule).
Status ValidateFifoId(const char* what, std::string_view id) {
  if (id.empty() || id.size() > kQueueMaxGroupIdBytes) {
    return Status::InvalidArgument(std::string(what) + " must be 1 to 128 characters, got " +
                                   std::to_string(id.size()));
  }
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) {
      return Status::InvalidArgument(std::string(what) + " has a character outside ASCII 33..126 "
                                     "(byte " + std::to_string(u) + ")");
    }
  }
  return Status::OK();
}

bool ValidUtf8(std::string_view s) {
  return ForEachCodePoint(s, [](uint32_t) { return true; });
}

// SQS Number: an optional sign, digits with an optional fraction, an optional exponent; at
// most 38 significant digits.
bool ValidNumber(std::string_view s) {
  size_t i = 0, digits = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  bool any = false, leading = true;
  auto digit_run = [&] {
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      any = true;
      if (!(leading && s[i] == '0')) {
        leading = false;
        ++digits;
      }
      ++i;
    }
  };
  digit_run();
  if (i < s.size() && s[i] == '.') {
    ++i;
    digit_run();
  }
  if (!any) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || i - start > 3) return false;
  }
  return i == s.size() && digits <= 38;
}

Status ValidateAttributeName(std::string_view n) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument("message attribute name '" + std::string(n.substr(0, 64)) +
                                   "' " + why);
  };
  if (n.empty() || n.size() > kQueueMaxAttributeNameBytes) {
    return bad("must be 1 to 256 characters");
  }
  for (char c : n) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return bad("has a character outside [A-Za-z0-9_.-]");
  }
  if (n.front() == '.' || n.back() == '.') return bad("starts or ends with '.'");
  if (n.find("..") != std::string_view::npos) return bad("has '..'");
  auto prefix = [&](std::string_view p) {
    if (n.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(n[i])) != p[i]) return false;
    }
    return true;
  };
  if (prefix("aws.") || prefix("amazon.")) return bad("uses a reserved prefix (AWS. or Amazon.)");
  return Status::OK();
}

// Body + attributes (name, DataType, value), as SQS counts a message's size.
size_t MessageSize(ByteView body, std::span<const format::MessageAttribute> attrs) {
  size_t n = body.size();
  for (const auto& a : attrs) {
    n += a.name.size() + format::AttributeTypeName(a.type).size() + a.value.size();
    if (!a.type_label.empty()) n += 1 + a.type_label.size();  // the DataType's ".label"
  }
  return n;
}

namespace {

// One attribute of a message (`what`), the ones before it already checked.
Status ValidateAttribute(std::span<const format::MessageAttribute> attrs, size_t a,
                         const std::string& what, Limits limits) {
  const format::MessageAttribute& at = attrs[a];
  SEGLOG_RETURN_IF_ERROR(ValidateAttributeName(at.name).WithContext(what));
  for (size_t b = 0; b < a; ++b) {
    if (attrs[b].name == at.name) {
      return Status::InvalidArgument(what + ": attribute '" + std::string(at.name) +
                                     "' appears twice");
    }
  }
  const std::string an = what + ": attribute '" + std::string(at.name) + "'";
  switch (at.type) {
    case format::AttributeType::kString:
      if (!ValidUtf8(AsChars(at.value))) {
        return Status::InvalidArgument(an + " is a String but not valid UTF-8");
      }
      SEGLOG_RETURN_IF_ERROR(ValidateSqsText(at.value, an, "'s value", limits));
      break;
    case format::AttributeType::kNumber:
      if (!ValidNumber(AsChars(at.value))) {
        return Status::InvalidArgument(an + " is not a Number (up to 38 digits)");
      }
      SEGLOG_RETURN_IF_ERROR(ValidateNumberRange(AsChars(at.value), an, limits));
      break;
    case format::AttributeType::kBinary:
      break;
    default:  // a value from outside the enum (the C API passes raw numbers)
      return Status::InvalidArgument(an + " has an unknown type");
  }
  if (at.value.empty()) return Status::InvalidArgument(an + " has an empty value");
  return Status::OK();
}

// The ids and the delay: FIFO queues take group and dedup ids and no delay, standard ones a
// delay and, optionally, a group id.
Status ValidateIdsAndDelay(const SendEntry& e, const QueueConfig& cfg, const std::string& what) {
  if (cfg.type == QueueType::kFifo) {
    SEGLOG_RETURN_IF_ERROR(ValidateFifoId("message group id", e.group_id).WithContext(what));
    if (e.delay_s != -1) {
      return Status::InvalidArgument(what + ": FIFO queues take no per-message delay (the "
                                     "queue's delay applies)");
    }
    if (!e.dedup_id.empty()) {
      SEGLOG_RETURN_IF_ERROR(ValidateFifoId("deduplication id", e.dedup_id).WithContext(what));
    } else if (!cfg.content_based_dedup) {
      return Status::InvalidArgument(what + ": a FIFO queue without content-based "
                                     "deduplication needs a deduplication id");
    }
    return Status::OK();
  }
  // SQS fair queues: a standard queue takes a message group id (the tenant), stored and
  // returned (SPEC.md 16.3); deduplication ids stay FIFO's.
  if (!e.group_id.empty()) {
    SEGLOG_RETURN_IF_ERROR(ValidateFifoId("message group id", e.group_id).WithContext(what));
  }
  if (!e.dedup_id.empty()) {
    return Status::InvalidArgument(what + ": deduplication ids apply to FIFO queues only");
  }
  if (e.delay_s < -1 || e.delay_s > static_cast<int32_t>(kQueueMaxDelayS)) {
    return Status::InvalidArgument(what + ": delay must be 0 to 900 seconds, got " +
                                   std::to_string(e.delay_s));
  }
  return Status::OK();
}

}  // namespace

Status ValidateSendEntry(const SendEntry& e, const QueueConfig& cfg, const std::string& what,
                         size_t* size) {
  if (e.body.empty()) return Status::InvalidArgument(what + ": the body is empty");
  SEGLOG_RETURN_IF_ERROR(ValidateSqsText(e.body, what, ": the body", cfg.limits));
  if (e.attributes.size() > kQueueMaxAttributes) {
    return Status::InvalidArgument(what + ": " + std::to_string(e.attributes.size()) +
                                   " attributes, at most 10 allowed");
  }
  for (size_t a = 0; a < e.attributes.size(); ++a) {
    SEGLOG_RETURN_IF_ERROR(ValidateAttribute(e.attributes, a, what, cfg.limits));
  }
  *size = MessageSize(e.body, e.attributes);
  if (*size > cfg.max_message_bytes) {
    return Status::TooLarge(what + " is " + std::to_string(*size) +
                            " bytes with its attributes; the queue's limit is " +
                            std::to_string(cfg.max_message_bytes));
  }
  return ValidateIdsAndDelay(e, cfg, what);
}

Status ValidateQueueLimits(const QueueConfig& c, std::string_view name) {
  if (c.type != QueueType::kStandard && c.type != QueueType::kFifo) {
    return Status::InvalidArgument("unknown queue type");
  }
  const bool fifo = c.type == QueueType::kFifo;
  if (fifo != EndsWithFifo(name)) {
    return Status::InvalidArgument(fifo ? "a FIFO queue's name must end in \".fifo\""
                                        : "only a FIFO queue's name may end in \".fifo\"");
  }
  if (c.limits != Limits::kRelaxed && c.limits != Limits::kAws) {
    return Status::InvalidArgument("unknown limits profile");
  }
  SEGLOG_RETURN_IF_ERROR(ValidateQueueNameLimits(name, fifo, c.limits));
  SEGLOG_RETURN_IF_ERROR(
      Range("visibility_timeout_s", c.visibility_timeout_s, 0, kQueueMaxVisibilityS));
  SEGLOG_RETURN_IF_ERROR(Range("delay_s", c.delay_s, 0, kQueueMaxDelayS));
  SEGLOG_RETURN_IF_ERROR(
      Range("retention_s", c.retention_s, kQueueMinRetentionS, kQueueMaxRetentionS));
  SEGLOG_RETURN_IF_ERROR(Range("max_message_bytes", c.max_message_bytes, kQueueMinMessageBytes,
                               kQueueMaxMessageBytes));
  SEGLOG_RETURN_IF_ERROR(Range("receive_wait_s", c.receive_wait_s, 0, kQueueMaxWaitS));
  if (c.content_based_dedup && !fifo) {
    return Status::InvalidArgument("content_based_dedup applies to FIFO queues only");
  }
  return Status::OK();
}

Status ValidateDeadLetterSettings(const QueueConfig& c, std::string_view name) {
  if (c.dead_letter_queue.empty()) {
    if (c.max_receive_count != 0) {
      return Status::InvalidArgument("max_receive_count needs a dead_letter_queue");
    }
    return Status::OK();
  }
  if (c.dead_letter_queue == name) {
    return Status::InvalidArgument("a queue cannot be its own dead-letter queue");
  }
  return Range("max_receive_count", c.max_receive_count, 1, kQueueMaxReceiveCount);
}

}  // namespace seglog

// ---- the aws limits profile ----

namespace seglog {

bool IsSqsTextChar(uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

Status ValidateQueueNameLimits(std::string_view name, bool fifo, Limits limits) {
  if (limits == Limits::kRelaxed) return Status::OK();
  const std::string_view base = fifo && EndsWithFifo(name) ? name.substr(0, name.size() - 5)
                                                           : name;
  bool ok = !base.empty() && name.size() <= kAwsQueueNameMaxBytes;
  for (char c : base) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-');
  }
  if (ok) return Status::OK();
  return Status::InvalidArgument("queue name '" + std::string(name) + "' breaks the aws limits: "
                                 "1 to 80 characters of A-Z a-z 0-9 _ - (\".fifo\" included)");
}

Status ValidateSqsText(ByteView text, std::string_view what, std::string_view part,
                       Limits limits) {
  if (limits == Limits::kRelaxed) return Status::OK();
  size_t at = 0;
  bool rejected = false;  // a well-formed character SQS does not allow (else: bad UTF-8)
  uint32_t bad = 0;
  const bool ok = ForEachCodePoint(AsChars(text), [&](uint32_t cp) {
    if (!IsSqsTextChar(cp)) {
      rejected = true;
      bad = cp;
      return false;
    }
    ++at;
    return true;
  });
  if (ok) return Status::OK();
  char hex[16];
  std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(bad));
  const std::string why = rejected ? std::string("has ") + hex +
                                         ", outside SQS's allowed characters"
                                   : std::string("is not valid UTF-8");
  return Status::InvalidArgument("InvalidMessageContents: " + std::string(what) +
                                 std::string(part) + " " + why + " (after " +
                                 std::to_string(at) + " characters; aws limits)");
}

Status ValidateNumberRange(std::string_view s, const std::string& what, Limits limits) {
  if (limits == Limits::kRelaxed) return Status::OK();
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  std::string digits;  // the mantissa's digits, without the point
  int64_t int_digits = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++int_digits) digits += s[i];
  if (i < s.size() && s[i] == '.') {
    for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) digits += s[i];
  }
  int64_t exp = 0;  // ValidNumber allows at most 3 exponent digits
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    const bool neg = ++i < s.size() && s[i] == '-';
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) exp = exp * 10 + (s[i] - '0');
    if (neg) exp = -exp;
  }
  const size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Status::OK();  // zero
  // The value is d.ddd x 10^adj, d the first non-zero digit.
  const int64_t adj = int_digits - 1 - static_cast<int64_t>(first) + exp;
  const bool over = adj > 126 || (adj == 126 && (digits[first] != '1' ||
                                                 digits.find_first_not_of('0', first + 1) !=
                                                     std::string::npos));
  if (!over && adj >= -128) return Status::OK();
  return Status::InvalidArgument(what + " is a Number outside SQS's range (10^-128 to 10^126 "
                                 "in magnitude; aws limits)");
}

}  // namespace seglog
