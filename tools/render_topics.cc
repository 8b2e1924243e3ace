// How the seglog tool shows topics: inspect's topic section and `dump --topic` (render.h).
#include <cinttypes>
#include <cstdio>

#include "tools/render.h"

namespace seglog::tool {

using nlohmann::json;

namespace {

// Filter policies are shown cut to this many characters in text (whole in JSON).
constexpr size_t kPolicyChars = 72;

std::string Quoted(std::string_view s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + '"';
}

ByteView Bytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string PreviewText(ByteView b) {
  const BytesPreview p = PreviewBytes(b);
  std::string s = p.hex ? "0x" + p.text : Quoted(p.text);
  if (p.truncated) s += "\u2026(" + std::to_string(b.size()) + " bytes)";
  return s;
}

json PreviewJson(ByteView b) {
  const BytesPreview p = PreviewBytes(b);
  return json{{"size", b.size()},
              {"encoding", p.hex ? "hex" : "text"},
              {"data", p.text},
              {"truncated", p.truncated}};
}

std::string Num(uint64_t n) { return std::to_string(n); }

std::string KeyHex(uint64_t key) {
  char buf[20];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, key);
  return buf;
}

const char* ProtocolName(format::SubscriptionProtocolCode p) {
  return p == format::SubscriptionProtocolCode::kSqs ? "sqs" : "callback";
}
const char* ScopeName(format::FilterScopeCode s) {
  return s == format::FilterScopeCode::kMessageBody ? "MessageBody" : "MessageAttributes";
}

// The policy on one line (JSON's insignificant newlines dropped), cut to kPolicyChars.
std::string Abbreviated(const std::string& policy) {
  std::string one;
  for (char c : policy) {
    if (c == '\n' || c == '\r' || c == '\t') continue;
    one += c;
  }
  if (one.size() <= kPolicyChars) return one;
  return one.substr(0, kPolicyChars) + "\u2026(" + Num(policy.size()) + " chars)";
}

json SlotJson(const CursorSlotReport& s) {
  const bool has_fields =
      s.state == CursorSlotReport::State::kValid || s.state == CursorSlotReport::State::kInvalid;
  return json{{"state", std::string(CursorSlotStateName(s.state))},
              {"generation", has_fields ? json(s.slot.generation) : json(nullptr)},
              {"next_seq", has_fields ? json(s.slot.next_seq) : json(nullptr)},
              {"queue_next_id", has_fields ? json(s.slot.queue_next_id) : json(nullptr)},
              {"why", s.why.empty() ? json(nullptr) : json(s.why)}};
}

json CursorJson(const CursorReport& c) {
  const bool has = c.cursor.has_value();
  return json{{"path", c.path},
              {"exists", c.exists},
              {"file_bytes", c.exists ? json(c.file_bytes) : json(nullptr)},
              {"next_seq", has ? json(c.cursor->next_seq) : json(nullptr)},
              {"generation", has ? json(c.cursor->generation) : json(nullptr)},
              {"queue_next_id", has ? json(c.cursor->queue_next_id) : json(nullptr)},
              {"current_slot", has ? json(*c.current_slot) : json(nullptr)},
              {"slots", c.exists ? json::array({SlotJson(c.slots[0]), SlotJson(c.slots[1])})
                                 : json(nullptr)},
              {"read_error", c.read_error.empty() ? json(nullptr) : json(c.read_error)}};
}

json SubscriptionJson(const SubscriptionReport& s) {
  const format::SubscriptionEntry& e = s.entry;
  const auto or_null = [](const std::string& v) { return v.empty() ? json(nullptr) : json(v); };
  return json{{"id", e.id},
              {"key", KeyHex(e.key)},
              {"protocol", ProtocolName(e.protocol)},
              {"endpoint", e.endpoint},
              {"endpoint_exists", s.endpoint_exists},
              {"raw", e.raw},
              {"filter_scope", ScopeName(e.scope)},
              {"filter_policy", or_null(e.filter_policy)},
              {"redrive_queue", or_null(e.redrive_queue)},
              {"redrive_queue_exists", e.redrive_queue.empty() ? json(nullptr)
                                                               : json(s.redrive_queue_exists)},
              {"created_ts", e.created_ms},
              {"created_time", FormatTimestamp(TimestampMs(e.created_ms))},
              {"cursor", CursorJson(s.cursor)},
              {"delivered_next", s.delivered_next ? json(*s.delivered_next) : json(nullptr)},
              {"resume_seq", s.resume_seq},
              {"backlog", s.backlog},
              {"cursor_past_end", s.cursor_past_end},
              {"behind_retention", s.behind_retention}};
}

json SettingsJson(const TopicReport& t) {
  if (!t.settings_valid) return nullptr;
  const TopicSettings& c = t.settings;
  return json{{"display_name", c.display_name},
              {"content_based_dedup", c.content_based_dedup},
              {"signature_version", c.signature_version},
              {"retention_s", c.retention_s},
              {"created_ts", c.created_ms},
              {"created_time", FormatTimestamp(TimestampMs(c.created_ms))},
              {"limits", c.aws_limits ? "aws" : "relaxed"}};
}

// "next seq 5 (slot 1, generation 6; slot 0: generation 5, next seq 4)".
std::string CursorText(const CursorReport& c) {
  if (!c.read_error.empty()) return "unreadable: " + c.read_error;
  if (!c.exists) return "no cursor file";
  auto slot = [](const CursorSlotReport& s) -> std::string {
    switch (s.state) {
      case CursorSlotReport::State::kMissing: return "missing";
      case CursorSlotReport::State::kEmpty: return "never written";
      case CursorSlotReport::State::kInvalid: return "INVALID (" + s.why + ")";
      case CursorSlotReport::State::kValid:
        return "generation " + Num(s.slot.generation) + ", next seq " + Num(s.slot.next_seq);
    }
    return "?";
  };
  if (!c.cursor) return "LOST: slot 0 " + slot(c.slots[0]) + "; slot 1 " + slot(c.slots[1]);
  const size_t cur = *c.current_slot;
  return "next seq " + Num(c.cursor->next_seq) + " (slot " + Num(cur) + ", generation " +
         Num(c.cursor->generation) + "; slot " + Num(1 - cur) + ": " + slot(c.slots[1 - cur]) +
         ")";
}

void PrintSubscription(const SubscriptionReport& s, std::FILE* out) {
  const format::SubscriptionEntry& e = s.entry;
  std::string head = std::string(ProtocolName(e.protocol)) + " -> " + Quoted(e.endpoint);
  if (!s.endpoint_exists) head += " (NO SUCH QUEUE)";
  if (e.raw) head += ", raw";
  std::fprintf(out, "  subscription %s  %s\n", e.id.c_str(), head.c_str());
  auto line = [&](const char* label, const std::string& text) {
    std::fprintf(out, "    %-9s %s\n", label, text.c_str());
  };
  if (!e.filter_policy.empty()) {
    line("filter", std::string(ScopeName(e.scope)) + " " + Abbreviated(e.filter_policy));
  }
  if (!e.redrive_queue.empty()) {
    line("redrive", Quoted(e.redrive_queue) + (s.redrive_queue_exists ? "" : " (NO SUCH QUEUE)"));
  }
  line("cursor", CursorText(s.cursor));
  if (s.delivered_next) {
    line("delivered", "through seq " + Num(*s.delivered_next - 1) + " per " +
                          Quoted(e.endpoint) + "'s tagged messages");
  }
  if (!s.cursor.cursor || s.resume_seq != s.cursor.cursor->next_seq) {
    line("resumes", "at seq " + Num(s.resume_seq) + " on the next open");
  }
  std::string backlog = Num(s.backlog);
  if (s.cursor_past_end) backlog += " (cursor past the end)";
  if (s.behind_retention > 0) backlog += " (+" + Num(s.behind_retention) + " removed by retention)";
  line("backlog", backlog);
}

}  // namespace

bool IsTopicProp(const std::string& k) {
  namespace tp = format::topic_props;
  static const char* const kKeys[] = {tp::kTopic,       tp::kPart,          tp::kType,
                                      tp::kDisplayName, tp::kContentDedup,  tp::kSignatureVersion,
                                      tp::kRetention,   tp::kCreatedMs,     tp::kTags,
                                      tp::kSubscriptions, "limits"};
  for (const char* t : kKeys) {
    if (k == t) return true;
  }
  return false;
}

json TopicJson(const StoreReport& r, const TopicReport& t) {
  json log = nullptr;
  if (t.log) {
    const LogReport& l = r.logs[*t.log];
    log = json{{"name", l.name}, {"id", l.id}, {"segments", l.segments.size()},
               {"file_bytes", l.file_bytes}, {"data_bytes", l.data_bytes},
               {"records", l.records}};
  }
  json subs = json::array();
  for (const SubscriptionReport& s : t.subscriptions) subs.push_back(SubscriptionJson(s));
  return json{{"name", t.name},
              {"type", t.settings_valid ? json(t.settings.fifo ? "fifo" : "standard")
                                        : json(nullptr)},
              {"settings", SettingsJson(t)},
              {"log", log},
              {"messages", t.messages},
              {"data_bytes", t.data_bytes},
              {"segments", t.segments},
              {"first_seq", t.first_seq.value()},
              {"next_seq", t.next_seq.value()},
              {"tags", t.tags},
              {"subscriptions", subs},
              {"orphan_cursors", t.orphan_cursors},
              {"warnings", t.warnings},
              {"errors", t.errors}};
}

void PrintTopic(const StoreReport& r, const TopicReport& t, std::FILE* out) {
  const TopicSettings& c = t.settings;
  std::fprintf(out, "\ntopic %s (%s)\n", Quoted(t.name).c_str(),
               !t.settings_valid ? "bad settings" : c.fifo ? "fifo" : "standard");
  auto line = [&](const char* label, const std::string& text) {
    std::fprintf(out, "  %-10s %s\n", label, text.c_str());
  };
  if (t.settings_valid) {
    line("settings", "display_name=" + Quoted(c.display_name) +
                         " retention_s=" + Num(c.retention_s) +
                         " signature_version=" + Num(c.signature_version) +
                         (c.fifo ? " content_based_dedup=" + Num(c.content_based_dedup) : "") +
                         (c.aws_limits ? " limits=aws" : ""));
    line("created", FormatTimestamp(TimestampMs(c.created_ms)));
  }
  const bool empty = t.next_seq == t.first_seq;
  line("messages", Num(t.messages) + " in the log, " + Num(t.data_bytes) + " bytes of batches, " +
                       Num(t.segments) + (t.segments == 1 ? " segment" : " segments") +
                       "; seq " +
                       (empty ? std::string("-")
                              : Num(t.first_seq.value()) + ".." + Num(t.next_seq.value() - 1)) +
                       " (next " + Num(t.next_seq.value()) + ")");
  if (!t.tags.empty()) {
    std::string s;
    for (const auto& [k, v] : t.tags) s += (s.empty() ? "" : " ") + Quoted(k) + "=" + Quoted(v);
    line("tags", s);
  }
  line("subs", Num(t.subscriptions.size()) +
                   (t.subscriptions.size() == 1 ? " subscription" : " subscriptions"));
  for (const SubscriptionReport& s : t.subscriptions) PrintSubscription(s, out);
  for (const std::string& w : t.warnings) line("warning", w);
  for (const std::string& e : t.errors) line("error", e);
  if (t.log) PrintLog(r.logs[*t.log], "messages log", "  ", out);
}

json TopicMessageToJson(const TopicMessage& m) {
  const RecordView& r = m.record;
  const bool ok = m.header_status.ok();
  const format::TopicMessageHeader& h = m.header;
  json attributes = json::array();
  if (ok) {
    for (const format::MessageAttribute& a : h.attributes) {
      attributes.push_back({{"name", std::string(a.name)},
                            {"type", std::string(format::AttributeTypeName(a.type))},
                            {"label", a.type_label.empty() ? json(nullptr)
                                                           : json(std::string(a.type_label))},
                            {"value", PreviewJson(a.value)}});
    }
  }
  return json{
      {"seq", r.seq.value()},
      {"ts", r.ts.value()},
      {"time", FormatTimestamp(r.ts)},
      {"message_id", m.message_id},
      {"sequence_number", m.fifo ? json(TopicSequenceNumberFor(r.seq.value())) : json(nullptr)},
      {"group_id", m.fifo || !r.key.empty() ? PreviewJson(r.key) : json(nullptr)},
      {"dedup_id", ok && !h.dedup_id.empty() ? PreviewJson(Bytes(h.dedup_id)) : json(nullptr)},
      {"published_ts", ok ? json(h.published_ms) : json(nullptr)},
      {"subject", ok && !h.subject.empty() ? json(std::string(h.subject)) : json(nullptr)},
      {"json_structure", ok ? json(h.json_structure) : json(nullptr)},
      {"attributes", ok ? attributes : json(nullptr)},
      {"message", PreviewJson(r.value)},
      {"header_error", ok ? json(nullptr) : json(m.header_status.ToString())},
  };
}

std::string TopicMessageLine(const TopicMessage& m) {
  const RecordView& r = m.record;
  std::string s = Num(r.seq.value()) + "  " + FormatTimestamp(r.ts) + "  id " + m.message_id;
  if (m.fifo) s += "  seqno " + TopicSequenceNumberFor(r.seq.value());
  if (m.fifo || !r.key.empty()) s += "  group " + PreviewText(r.key);
  const format::TopicMessageHeader& h = m.header;
  if (!m.header_status.ok()) {
    s += "  bad header (" + m.header_status.ToString() + ")";
  } else {
    if (!h.dedup_id.empty()) s += "  dedup " + PreviewText(Bytes(h.dedup_id));
    if (!h.subject.empty()) s += "  subject " + Quoted(h.subject);
    if (h.json_structure) s += "  structure json";
    s += "  attrs " + Num(h.attributes.size());
    if (!h.attributes.empty()) {
      std::string list;
      for (const format::MessageAttribute& a : h.attributes) {
        std::string type(format::AttributeTypeName(a.type));
        if (!a.type_label.empty()) type += "." + std::string(a.type_label);
        list += (list.empty() ? "" : ", ") + std::string(a.name) + "=" + type + ":" +
                PreviewText(a.value);
      }
      s += " {" + list + "}";
    }
  }
  s += "  message " + PreviewText(r.value);
  return s;
}

}  // namespace seglog::tool
