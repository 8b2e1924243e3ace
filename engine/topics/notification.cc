// What one subscription receives for one published message (notification.h): SNS's
// "Notification" envelope and its signature, MessageStructure=json, raw delivery attributes, the
// dead-letter message and the callback retry schedule. Pure functions (the Signer's files are in
// notification_signer.cc).
#include "engine/topics/notification.h"

#include <algorithm>
#include <array>
#include <functional>
#include <iterator>
#include <list>
#include <unordered_map>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/topics/notification_util.h"
#include "engine/topics/topics.h"

namespace seglog {

namespace ni = notification_internal;

namespace {

std::string_view AsText(ByteView v) {
  return {reinterpret_cast<const char*>(v.data()), v.size()};
}

// "String", "Number", "Binary", or with a custom label "String.Array", "Number.float", ...
std::string DataType(const format::MessageAttribute& a) {
  std::string t(format::AttributeTypeName(a.type));
  if (!a.type_label.empty()) {
    t.push_back('.');
    t.append(a.type_label);
  }
  return t;
}

// Attributes in name order (byte-wise): the envelope must not depend on the order they came in.
std::vector<const format::MessageAttribute*> SortedAttributes(
    std::span<const format::MessageAttribute> attrs) {
  std::vector<const format::MessageAttribute*> out;
  out.reserve(attrs.size());
  for (const auto& a : attrs) out.push_back(&a);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto* x, const auto* y) { return x->name < y->name; });
  return out;
}

// SNS's string to sign for a Notification: Message, MessageId, Subject (when present),
// Timestamp, TopicArn, Type, each "Name\nvalue\n". SequenceNumber is not part of it (AWS's
// verification algorithm lists these fields only).
std::string StringToSign(const NotificationSource& src, std::string_view message,
                         std::string_view timestamp) {
  std::string s;
  s.reserve(message.size() + 256);
  auto field = [&s](std::string_view name, std::string_view value) {
    s.append(name);
    s.push_back('\n');
    s.append(value);
    s.push_back('\n');
  };
  field("Message", message);
  field("MessageId", src.message_id);
  if (!src.subject.empty()) field("Subject", src.subject);
  field("Timestamp", timestamp);
  field("TopicArn", src.topic_arn);
  field("Type", "Notification");
  return s;
}

// One `  "Name" : "value",` line of the envelope (SNS's layout: two spaces, " : ").
void AppendField(std::string* out, std::string_view name, std::string_view value, bool last) {
  out->append("  \"");
  out->append(name);
  out->append("\" : ");
  ni::AppendJsonString(value, out);
  out->append(last ? "\n" : ",\n");
}

void AppendAttributes(std::string* out, std::span<const format::MessageAttribute> attrs) {
  out->append("  \"MessageAttributes\" : {\n");
  const auto sorted = SortedAttributes(attrs);
  for (size_t i = 0; i < sorted.size(); ++i) {
    const format::MessageAttribute& a = *sorted[i];
    out->append("    ");
    ni::AppendJsonString(a.name, out);
    out->append(" : {\"Type\":");
    ni::AppendJsonString(DataType(a), out);
    out->append(",\"Value\":");
    if (a.type == format::AttributeType::kBinary) {
      ni::AppendJsonString(ni::Base64(a.value), out);
    } else {
      ni::AppendJsonString(AsText(a.value), out);
    }
    out->append(i + 1 < sorted.size() ? "},\n" : "}\n");
  }
  out->append("  }\n");
}

// The signatures this thread made last, least recently used dropped first, found by a hash of
// what they sign and checked by exact comparison (a hit is the bytes PKCS#1 v1.5 would give
// again). Sized for the fan-out, which serves a batch of up to 256 messages (1 MiB) to one
// subscription after another: kMaxEntries entries, kMaxBytes of strings to sign in all (per
// thread); a string to sign over kMaxEntryBytes is signed every time.
class SignatureCache {
 public:
  std::string Sign(const Signer& signer, const std::string& to_sign, uint32_t version) {
    if (to_sign.size() > kMaxEntryBytes) return signer.Sign(to_sign, version);
    const size_t h = std::hash<std::string_view>()(to_sign) ^ (signer.instance_id() * 31 + version);
    auto [lo, hi] = index_.equal_range(h);
    for (auto it = lo; it != hi; ++it) {
      const Entry& e = *it->second;
      if (e.signer_id == signer.instance_id() && e.version == version && e.to_sign == to_sign) {
        lru_.splice(lru_.begin(), lru_, it->second);
        return e.signature;
      }
    }
    std::string signature = signer.Sign(to_sign, version);
    lru_.push_front(Entry{signer.instance_id(), version, h, to_sign, signature});
    index_.emplace(h, lru_.begin());
    bytes_ += to_sign.size();
    while (lru_.size() > kMaxEntries || bytes_ > kMaxBytes) Evict();
    return signature;
  }

 private:
  static constexpr size_t kMaxEntries = 1024;
  static constexpr size_t kMaxBytes = 8 << 20;
  static constexpr size_t kMaxEntryBytes = 300 << 10;  // SNS's largest message and its fields
  struct Entry {
    uint64_t signer_id;
    uint32_t version;
    size_t hash;
    std::string to_sign;
    std::string signature;
  };
  void Evict() {
    auto last = std::prev(lru_.end());
    auto [lo, hi] = index_.equal_range(last->hash);
    for (auto it = lo; it != hi; ++it) {
      if (it->second == last) {
        index_.erase(it);
        break;
      }
    }
    bytes_ -= last->to_sign.size();
    lru_.pop_back();
  }
  std::list<Entry> lru_;  // the newest first
  std::unordered_multimap<size_t, std::list<Entry>::iterator> index_;
  size_t bytes_ = 0;
};

}  // namespace

std::string NotificationSignature(const NotificationSource& src, std::string_view message,
                                  const Signer& signer, uint32_t signature_version) {
  const std::string timestamp = ni::IsoTimestampMs(src.published.value());
  return signer.Sign(StringToSign(src, message, timestamp), signature_version);
}

namespace {

std::string Envelope(const NotificationSource& src, std::string_view message,
                     const EnvelopeUrls& urls, std::string_view signature,
                     uint32_t signature_version, const std::string& timestamp);

}  // namespace

std::string BuildEnvelope(const NotificationSource& src, std::string_view message,
                          const EnvelopeUrls& urls, const Signer& signer,
                          uint32_t signature_version) {
  thread_local SignatureCache cache;
  const std::string timestamp = ni::IsoTimestampMs(src.published.value());
  const std::string signature =
      cache.Sign(signer, StringToSign(src, message, timestamp), signature_version);
  return Envelope(src, message, urls, signature, signature_version, timestamp);
}

std::string BuildEnvelopeWithSignature(const NotificationSource& src, std::string_view message,
                                       const EnvelopeUrls& urls, std::string_view signature,
                                       uint32_t signature_version) {
  return Envelope(src, message, urls, signature, signature_version,
                  ni::IsoTimestampMs(src.published.value()));
}

namespace {

std::string Envelope(const NotificationSource& src, std::string_view message,
                     const EnvelopeUrls& urls, std::string_view signature,
                     uint32_t signature_version, const std::string& timestamp) {
  std::string unsubscribe(urls.unsubscribe_url);
  unsubscribe.append(ni::UrlEncodeArn(urls.subscription_arn));
  // Message attributes go only with MessageStructure=string (SNS's rule).
  const bool with_attrs = !src.json_structure && !src.attributes.empty();

  std::string out;
  out.reserve(message.size() + signature.size() + 512 + 64 * src.attributes.size());
  out.append("{\n");
  AppendField(&out, "Type", "Notification", false);
  AppendField(&out, "MessageId", src.message_id, false);
  if (!src.sequence_number.empty()) AppendField(&out, "SequenceNumber", src.sequence_number, false);
  AppendField(&out, "TopicArn", src.topic_arn, false);
  if (!src.subject.empty()) AppendField(&out, "Subject", src.subject, false);
  AppendField(&out, "Message", message, false);
  AppendField(&out, "Timestamp", timestamp, false);
  AppendField(&out, "SignatureVersion", std::to_string(signature_version), false);
  AppendField(&out, "Signature", signature, false);
  AppendField(&out, "SigningCertURL", urls.signing_cert_url, false);
  AppendField(&out, "UnsubscribeURL", unsubscribe, !with_attrs);
  if (with_attrs) AppendAttributes(&out, src.attributes);
  out.append("}");
  return out;
}

}  // namespace

Status ValidateJsonStructure(std::string_view message) {
  const nlohmann::json doc = nlohmann::json::parse(message, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return Status::InvalidArgument(
        "Invalid parameter: Message Structure - JSON message body failed to parse");
  }
  for (const auto& [key, value] : doc.items()) {
    if (!value.is_string()) {
      return Status::InvalidArgument("Invalid parameter: Message Structure - the value of \"" +
                                     key + "\" in the JSON message body is not a string");
    }
  }
  if (!doc.contains("default")) {
    return Status::InvalidArgument(
        "Invalid parameter: Message Structure - No default entry in JSON message body");
  }
  return Status::OK();
}

std::string MessageFor(const NotificationSource& src, std::string_view protocol_key) {
  if (!src.json_structure) return std::string(src.message);
  const nlohmann::json doc = nlohmann::json::parse(src.message, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::string(src.message);  // not validated
  auto it = doc.find(protocol_key);
  if (it == doc.end() || !it->is_string()) it = doc.find("default");
  if (it == doc.end() || !it->is_string()) return std::string(src.message);
  return it->get<std::string>();
}

Status RawQueueAttributes(std::span<const format::MessageAttribute> attributes,
                          std::vector<format::MessageAttribute>* out) {
  out->clear();
  if (attributes.size() > kTopicMaxRawAttributes) {
    return Status::InvalidArgument(
        "the message has " + std::to_string(attributes.size()) +
        " message attributes; raw delivery into a queue carries at most " +
        std::to_string(kTopicMaxRawAttributes) + " (SNS discards it as a client-side error)");
  }
  out->assign(attributes.begin(), attributes.end());
  return Status::OK();
}

DeadLetterMessage BuildDeadLetter(const NotificationSource& src, std::string_view message,
                                  bool raw_delivery, const EnvelopeUrls& urls,
                                  const Signer& signer, uint32_t signature_version) {
  DeadLetterMessage dl;
  if (!raw_delivery) {
    dl.body = BuildEnvelope(src, message, urls, signer, signature_version);
    return dl;
  }
  dl.body = std::string(message);
  if (!src.json_structure && !RawQueueAttributes(src.attributes, &dl.attributes).ok()) {
    dl.attributes.clear();
  }
  return dl;
}

int64_t CallbackRetryDelayMs(uint32_t attempt, uint32_t max_attempts) {
  // Retries after the first attempt: 3 immediate, 2 at 1 s, 10 backing off exponentially from
  // 1 s to 20 s (1 s * 20^(i/9), rounded), then every 20 s.
  static constexpr std::array<int64_t, 10> kBackoff = {1000, 1395, 1946,  2714,  3786,
                                                      5282, 7368, 10278, 14337, 20000};
  if (attempt > max_attempts) return -1;
  if (attempt <= 1) return 0;
  const uint32_t retry = attempt - 1;  // 1 ..
  if (retry <= 3) return 0;
  if (retry <= 5) return 1000;
  if (retry <= 15) return kBackoff[retry - 6];
  return 20'000;
}

}  // namespace seglog
