// Topics: the pure checks (topic names and settings, publish entries, callback names) and the
// settings' catalog form (format/topic_catalog_format.h). No I/O.
#include <cstring>

#include "engine/queues/queue_validate.h"
#include "engine/topics/topics_internal.h"

namespace seglog {

namespace tp = format::topic_props;

namespace {

bool NameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-';
}

}  // namespace

Status TopicConfig::Validate(std::string_view name) const {
  const bool fifo = type == TopicType::kFifo;
  std::string_view base = name;
  if (fifo) {
    if (name.size() < 5 || name.substr(name.size() - 5) != ".fifo") {
      return Status::InvalidArgument("a FIFO topic's name must end with \".fifo\"");
    }
    base.remove_suffix(5);
  }
  if (base.empty() || name.size() > kTopicMaxNameChars) {
    return Status::InvalidArgument("topic name must be 1 .. 256 characters");
  }
  for (char c : base) {
    if (!NameChar(c)) {
      return Status::InvalidArgument(
          "topic names hold only ASCII letters, digits, '_' and '-' (a FIFO topic's ends with "
          "\".fifo\")");
    }
  }
  if (!ValidUtf8(display_name) || display_name.size() > kTopicMaxDisplayNameChars) {
    return Status::InvalidArgument("DisplayName: at most 100 characters of UTF-8");
  }
  if (content_based_dedup && !fifo) {
    return Status::InvalidArgument("ContentBasedDeduplication applies to FIFO topics only");
  }
  if (signature_version != 1 && signature_version != 2) {
    return Status::InvalidArgument("SignatureVersion must be 1 or 2");
  }
  if (retention_s < 60 || retention_s > kTopicDefaultRetentionS) {
    return Status::InvalidArgument("retention must be 60 .. 1,209,600 seconds");
  }
  return log.Validate();
}

namespace topics_internal {

std::vector<std::pair<std::string, std::string>> TopicProps(const std::string& name,
                                                            const TopicConfig& c) {
  std::vector<std::pair<std::string, std::string>> p = {
      {tp::kTopic, name},
      {tp::kPart, tp::kPartMessages},
      {tp::kType, c.type == TopicType::kFifo ? tp::kTypeFifo : tp::kTypeStandard},
      {tp::kDisplayName, c.display_name},
      {tp::kContentDedup, c.content_based_dedup ? "1" : "0"},
      {tp::kSignatureVersion, std::to_string(c.signature_version)},
      {tp::kRetention, std::to_string(c.retention_s)},
  };
  if (c.limits == Limits::kAws) p.emplace_back(kLimitsProp, kLimitsAws);
  return p;
}

Status ParseTopicProps(const format::CatalogEntry& e, TopicConfig* c, int64_t* created_ms) {
  const std::string* type = format::FindProp(e, tp::kType);
  const std::string* dn = format::FindProp(e, tp::kDisplayName);
  const std::string* cd = format::FindProp(e, tp::kContentDedup);
  const std::string* created = format::FindProp(e, tp::kCreatedMs);
  if (type == nullptr || (*type != tp::kTypeFifo && *type != tp::kTypeStandard) ||
      dn == nullptr || cd == nullptr || (*cd != "0" && *cd != "1") ||
      !format::ParsePropU32(format::FindProp(e, tp::kSignatureVersion), &c->signature_version) ||
      !format::ParsePropU32(format::FindProp(e, tp::kRetention), &c->retention_s) ||
      created == nullptr) {
    return Status::Corruption("topic log '" + e.name + "' has malformed settings in the catalog");
  }
  c->type = *type == tp::kTypeFifo ? TopicType::kFifo : TopicType::kStandard;
  c->display_name = *dn;
  c->content_based_dedup = *cd == "1";
  *created_ms = std::strtoll(created->c_str(), nullptr, 10);
  SEGLOG_RETURN_IF_ERROR(LogOptionsFromProps(e.props, &c->log));
  return LimitsFromProp(format::FindProp(e, kLimitsProp), &c->limits);
}

const char* TopicFieldName(TopicField f) {
  switch (f) {
    case TopicField::kDisplayName: return "DisplayName";
    case TopicField::kContentBasedDedup: return "ContentBasedDeduplication";
    case TopicField::kSignatureVersion: return "SignatureVersion";
    case TopicField::kRetention: return "retention";
    case TopicField::kType: return "FifoTopic";
    case TopicField::kLimits: return "limits";
    case TopicField::kDurability: return "durability";
    case TopicField::kSyncInterval: return "sync interval";
    case TopicField::kSegmentSize: return "segment size";
    case TopicField::kCount: break;
  }
  return "?";
}

bool FirstTopicDifference(const TopicConfig& a, const TopicConfig& b, TopicFields compare,
                          TopicField* f) {
  for (uint32_t i = 0; i < static_cast<uint32_t>(TopicField::kCount); ++i) {
    const auto field = static_cast<TopicField>(i);
    if ((compare & TopicFieldBit(field)) == 0) continue;
    bool same = true;
    switch (field) {
      case TopicField::kDisplayName: same = a.display_name == b.display_name; break;
      case TopicField::kContentBasedDedup:
        same = a.content_based_dedup == b.content_based_dedup;
        break;
      case TopicField::kSignatureVersion: same = a.signature_version == b.signature_version; break;
      case TopicField::kRetention: same = a.retention_s == b.retention_s; break;
      case TopicField::kType: same = a.type == b.type; break;
      case TopicField::kLimits: same = a.limits == b.limits; break;
      case TopicField::kDurability: same = a.log.durability == b.log.durability; break;
      case TopicField::kSyncInterval:
        same = a.log.durability != Durability::kInterval ||
               a.log.sync_interval_ms == b.log.sync_interval_ms;
        break;
      case TopicField::kSegmentSize: same = a.log.segment_size == b.log.segment_size; break;
      case TopicField::kCount: break;
    }
    if (!same) {
      *f = field;
      return true;
    }
  }
  return false;
}

SubscriptionConfig ConfigOf(const format::SubscriptionEntry& e) {
  SubscriptionConfig c;
  c.protocol = e.protocol == format::SubscriptionProtocolCode::kSqs
                   ? SubscriptionProtocol::kSqs
                   : SubscriptionProtocol::kCallback;
  c.endpoint = e.endpoint;
  c.raw_delivery = e.raw;
  c.filter_policy = e.filter_policy;
  c.filter_scope = e.scope == format::FilterScopeCode::kMessageBody ? FilterScope::kMessageBody
                                                                    : FilterScope::kMessageAttributes;
  c.redrive_queue = e.redrive_queue;
  return c;
}

Status ValidateCallbackName(std::string_view name) {
  if (name.empty() || name.size() > 256) {
    return Status::InvalidArgument("a callback name is 1 .. 256 characters");
  }
  for (char c : name) {
    if (!NameChar(c) && c != '.' && c != ':') {
      return Status::InvalidArgument("a callback name holds only [A-Za-z0-9_.:-]");
    }
  }
  return Status::OK();
}

namespace {

Status ValidateAttribute(const format::MessageAttribute& a) {
  SEGLOG_RETURN_IF_ERROR(ValidateAttributeName(a.name));
  const std::string what = "message attribute '" + std::string(a.name) + "'";
  if (a.value.empty()) return Status::InvalidArgument(what + " has an empty value");
  if (a.type_label.size() + 7 > kQueueMaxDataTypeChars) {
    return Status::InvalidArgument(what + ": its DataType is too long");
  }
  const std::string_view v = AsChars(a.value);
  if (a.type == format::AttributeType::kNumber && !ValidNumber(v)) {
    return Status::InvalidArgument(what + ": \"" + std::string(v.substr(0, 64)) +
                                   "\" is not a number");
  }
  if (a.type == format::AttributeType::kString) {
    if (!ValidUtf8(v)) return Status::InvalidArgument(what + ": not UTF-8");
    if (a.type_label == "Array") {
      const size_t b = v.find_first_not_of(" \t\r\n");
      const size_t e = v.find_last_not_of(" \t\r\n");
      if (b == std::string_view::npos || v[b] != '[' || v[e] != ']') {
        return Status::InvalidArgument(what + ": a String.Array value is a JSON array");
      }
    }
  }
  return Status::OK();
}

}  // namespace

Status ValidatePublishEntry(const PublishEntry& e, const TopicConfig& c, size_t* bytes) {
  if (e.message.empty()) return Status::InvalidArgument("Empty message");
  if (!ValidUtf8(e.message)) return Status::InvalidArgument("the message is not valid UTF-8");
  if (!e.subject.empty()) {
    if (e.subject.size() > kTopicMaxSubjectChars) {
      return Status::InvalidArgument("Subject must be at most 100 characters");
    }
    if (e.subject[0] == ' ') return Status::InvalidArgument("Subject must not start with a space");
    for (char ch : e.subject) {
      if (ch < 32 || ch > 126) {
        return Status::InvalidArgument("Subject must be ASCII text without line breaks or "
                                       "control characters");
      }
    }
  }
  for (size_t i = 0; i < e.attributes.size(); ++i) {
    SEGLOG_RETURN_IF_ERROR(ValidateAttribute(e.attributes[i]));
    for (size_t j = 0; j < i; ++j) {
      if (e.attributes[j].name == e.attributes[i].name) {
        return Status::InvalidArgument("message attribute '" + std::string(e.attributes[i].name) +
                                       "' is given twice");
      }
    }
  }
  *bytes = MessageSize(AsBytes(e.message), e.attributes);
  if (*bytes > kTopicMaxMessageBytes) {
    return Status::TooLarge("the message is " + std::to_string(*bytes) +
                            " bytes with its attributes; at most 262,144");
  }
  if (e.json_structure) SEGLOG_RETURN_IF_ERROR(ValidateJsonStructure(e.message));
  const bool fifo = c.type == TopicType::kFifo;
  if (fifo && e.group_id.empty()) {
    return Status::InvalidArgument("The MessageGroupId parameter is required for FIFO topics");
  }
  if (!e.group_id.empty()) SEGLOG_RETURN_IF_ERROR(ValidateFifoId("message group id", e.group_id));
  if (!fifo && !e.dedup_id.empty()) {
    return Status::InvalidArgument("MessageDeduplicationId applies to FIFO topics only");
  }
  if (!e.dedup_id.empty()) {
    SEGLOG_RETURN_IF_ERROR(ValidateFifoId("message deduplication id", e.dedup_id));
  } else if (fifo && !c.content_based_dedup) {
    return Status::InvalidArgument(
        "The topic should either have ContentBasedDeduplication enabled or "
        "MessageDeduplicationId provided explicitly");
  }
  return Status::OK();
}

}  // namespace topics_internal

}  // namespace seglog
