// Topics in `seglog inspect` and `seglog dump --topic` (engine/inspect/inspect_topics.h).
#include "engine/inspect/inspect_topics.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <set>
#include <vector>

#include "engine/inspect/inspect.h"
#include "engine/inspect/segment_reader.h"
#include "engine/log/digest.h"
#include "format/queue_format.h"
#include "io/file_util.h"

namespace seglog {

namespace tp = format::topic_props;

bool TopicOf(const format::CatalogEntry& e, std::string* topic) {
  const std::string* name = format::FindProp(e, tp::kTopic);
  const std::string* part = format::FindProp(e, tp::kPart);
  if (name == nullptr || part == nullptr || *part != tp::kPartMessages) return false;
  *topic = *name;
  return true;
}

namespace {

bool ParseI64(const std::string* s, int64_t* v) {
  if (s == nullptr || s->empty()) return false;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), *v);
  return ec == std::errc() && p == s->data() + s->size() && *v >= 0;
}

Status BadSetting(const char* key, const std::string* v, const char* expected) {
  return Status::Corruption(std::string("topic setting ") + key + " is " +
                            (v == nullptr ? std::string("missing") : "'" + *v + "'") + " (" +
                            expected + ")");
}

}  // namespace

Status ParseTopicSettings(const format::CatalogEntry& e, TopicSettings* out) {
  TopicSettings t;
  const std::string* type = format::FindProp(e, tp::kType);
  if (type == nullptr || (*type != tp::kTypeStandard && *type != tp::kTypeFifo)) {
    return BadSetting(tp::kType, type, "standard or fifo");
  }
  t.fifo = *type == tp::kTypeFifo;
  const std::string* dedup = format::FindProp(e, tp::kContentDedup);
  if (dedup == nullptr || (*dedup != "0" && *dedup != "1")) {
    return BadSetting(tp::kContentDedup, dedup, "0 or 1");
  }
  t.content_based_dedup = *dedup == "1";
  const std::string* sig = format::FindProp(e, tp::kSignatureVersion);
  if (sig == nullptr || (*sig != "1" && *sig != "2")) {
    return BadSetting(tp::kSignatureVersion, sig, "1 or 2");
  }
  t.signature_version = *sig == "2" ? 2 : 1;
  const std::string* retention = format::FindProp(e, tp::kRetention);
  if (!format::ParsePropU32(retention, &t.retention_s)) {
    return BadSetting(tp::kRetention, retention, "seconds");
  }
  const std::string* created = format::FindProp(e, tp::kCreatedMs);
  if (!ParseI64(created, &t.created_ms)) {
    return BadSetting(tp::kCreatedMs, created, "ms since the epoch");
  }
  if (const std::string* d = format::FindProp(e, tp::kDisplayName)) t.display_name = *d;
  const std::string* limits = format::FindProp(e, "limits");
  t.aws_limits = limits != nullptr && *limits == "aws";
  *out = std::move(t);
  return Status::OK();
}

std::string TopicMessageIdFor(uint64_t topic_log_id, uint64_t seq) {
  // The rule of engine/queues/message_identity.cc MessageIdFor (SPEC.md 16), which tools may not
  // link: SHA-256 of the domain, then both numbers big-endian; the first 16 bytes as an RFC 9562
  // version 8 UUID. tests/tools_topic_test.cc checks that both agree.
  static constexpr std::string_view kDomain = "seglog/sqs-message-id/v1";
  std::vector<uint8_t> in(kDomain.begin(), kDomain.end());
  for (uint64_t v : {topic_log_id, seq}) {
    for (int shift = 56; shift >= 0; shift -= 8) in.push_back(static_cast<uint8_t>(v >> shift));
  }
  std::array<uint8_t, 32> sha = Sha256(in);
  sha[6] = static_cast<uint8_t>((sha[6] & 0x0f) | 0x80);
  sha[8] = static_cast<uint8_t>((sha[8] & 0x3f) | 0x80);
  const std::string hex = HexOf(std::span(sha).first(16));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string TopicSequenceNumberFor(uint64_t seq) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(seq));
  return buf;
}

namespace inspect_internal {

namespace {

// The topic's subscriptions and their cursor files; orphan cursor files.
void ReadSubscriptions(const std::string& catalog_path, const std::string& log_dir,
                       const format::CatalogEntry& e, TopicReport* t) {
  std::vector<format::SubscriptionEntry> subs;
  if (const std::string* list = format::FindProp(e, tp::kSubscriptions)) {
    if (!format::DecodeSubscriptionList(*list, &subs)) {
      t->errors.push_back(catalog_path + ": topic '" + t->name + "': malformed subscription list");
    }
  }
  std::set<uint64_t> keys;
  for (format::SubscriptionEntry& s : subs) {
    SubscriptionReport r;
    keys.insert(s.key);
    ReadCursorFile(log_dir + "/" + format::CursorFileName(s.key), s.key, &r.cursor);
    const std::string who = "subscription " + s.id + " cursor file " + r.cursor.path + ": ";
    // Subscribe writes and syncs the cursor file before the catalog lists the subscription.
    if (!r.cursor.exists) {
      t->errors.push_back(who + "missing (the subscription's position is lost)");
    }
    for (const auto& [is_error, msg] : JudgeCursorFile(r.cursor)) {
      (is_error ? t->errors : t->warnings).push_back(who + msg);
    }
    r.entry = std::move(s);
    t->subscriptions.push_back(std::move(r));
  }
  std::map<uint64_t, std::string> files;
  if (ListCursorFiles(log_dir, &files).ok()) {
    for (const auto& [key, path] : files) {
      if (keys.count(key) != 0) continue;
      t->orphan_cursors.push_back(path);
      t->warnings.push_back(path + ": cursor file of no subscription of topic '" + t->name +
                            "' (left by an unsubscribe or a subscribe in progress; the engine "
                            "ignores it)");
    }
  }
}

// One past the newest topic seq delivered into the queue whose messages log is `q` tagged with
// `key`, reading its messages from id `from` on; none when there is none (or no such queue). A
// queue that cannot be read says so in its own report.
std::optional<uint64_t> DeliveredNext(const std::string& store_dir, const format::CatalogEntry* q,
                                      uint64_t key, uint64_t from) {
  if (q == nullptr) return std::nullopt;
  const std::string dir = LogDirPath(store_dir, q->log_id);
  if (!io::IsDirectory(dir)) return std::nullopt;
  std::optional<uint64_t> next;
  format::QueueMessageHeader h;
  (void)DumpRecords(dir, SeqNo(from), UINT64_MAX, [&](const RecordView& r) {
    if (!format::DecodeQueueMessageHeader(r.attrs, &h).ok() || !h.has_topic_origin ||
        h.topic_origin.sub_key != key) {
      return;
    }
    next = std::max(next.value_or(0), h.topic_origin.topic_seq + 1);
  });
  return next;
}

}  // namespace

void ReadTopics(const std::string& store_dir, const format::Catalog& catalog,
                std::vector<TopicReport>* topics) {
  const std::string catalog_path = CatalogPath(store_dir);
  for (const format::CatalogEntry& e : catalog.logs) {
    TopicReport t;
    if (!TopicOf(e, &t.name)) continue;
    const std::string where = catalog_path + ": topic '" + t.name + "': ";
    Status s = ParseTopicSettings(e, &t.settings);
    t.settings_valid = s.ok();
    if (!s.ok()) t.errors.push_back(where + s.message());
    if (const std::string* tags = format::FindProp(e, tp::kTags)) {
      s = format::DecodeQueueTags(*tags, &t.tags);
      if (!s.ok()) t.errors.push_back(where + "tags: " + s.message());
    }
    ReadSubscriptions(catalog_path, LogDirPath(store_dir, e.log_id), e, &t);
    topics->push_back(std::move(t));
  }
}

void FinishTopics(const format::Catalog& catalog, bool read_queues, StoreReport* out) {
  std::map<std::string, const format::CatalogEntry*> queues;  // name -> messages log
  for (const QueueLogs& q : FindQueues(catalog)) {
    if (q.messages != nullptr) queues[q.name] = q.messages;
  }
  for (size_t i = 0; i < out->logs.size(); ++i) {
    std::string name;
    if (!TopicOf(catalog.logs[i], &name)) continue;
    out->logs[i].topic = name;
    for (TopicReport& t : out->topics) {
      if (t.name == name && !t.log) t.log = i;
    }
  }
  for (TopicReport& t : out->topics) {
    if (!t.log) continue;
    const LogReport& l = out->logs[*t.log];
    t.messages = l.records;
    t.data_bytes = l.data_bytes;
    t.segments = l.segments.size();
    t.first_seq = l.first_seq;
    t.next_seq = l.next_seq;
    const bool log_ok = std::none_of(l.segments.begin(), l.segments.end(),
                                     [](const SegmentReport& g) { return !g.error.empty(); });
    for (SubscriptionReport& s : t.subscriptions) {
      if (s.entry.protocol == format::SubscriptionProtocolCode::kSqs) {
        s.endpoint_exists = queues.count(s.entry.endpoint) != 0;
      }
      s.redrive_queue_exists =
          s.entry.redrive_queue.empty() || queues.count(s.entry.redrive_queue) != 0;
      const uint64_t next = t.next_seq.value(), first = t.first_seq.value();
      const std::optional<format::CursorSlot>& c = s.cursor.cursor;
      uint64_t at = c ? c->next_seq : first;
      if (read_queues && s.entry.protocol == format::SubscriptionProtocolCode::kSqs) {
        auto q = queues.find(s.entry.endpoint);
        s.delivered_next = DeliveredNext(out->dir, q == queues.end() ? nullptr : q->second,
                                         s.entry.key, c ? c->queue_next_id : 0);
        if (s.delivered_next) at = std::max(at, *s.delivered_next);
      }
      s.cursor_past_end = c && c->next_seq > next;
      s.behind_retention = at < first ? first - at : 0;
      s.resume_seq = std::clamp(at, first, std::max(first, next));
      s.backlog = next > s.resume_seq ? next - s.resume_seq : 0;
      if (s.cursor_past_end && log_ok) {
        t.warnings.push_back("subscription " + s.entry.id + " cursor file " + s.cursor.path +
                             ": next seq " + std::to_string(c->next_seq) +
                             " is past the topic's end " +
                             std::to_string(next) +
                             " (messages published without a sync were lost in a power loss)");
      }
    }
  }
}

}  // namespace inspect_internal

Status DumpTopic(const std::string& store_dir, const std::string& topic,
                 const DumpTopicOptions& opt, const std::function<void(const TopicMessage&)>& fn) {
  format::Catalog catalog;
  SEGLOG_RETURN_IF_ERROR(inspect_internal::ReadCatalog(store_dir, &catalog));
  const format::CatalogEntry* log = nullptr;
  for (const format::CatalogEntry& e : catalog.logs) {
    std::string name;
    if (TopicOf(e, &name) && name == topic) log = &e;
  }
  if (log == nullptr) return Status::NotFound("no topic named '" + topic + "' in " + store_dir);
  TopicSettings settings;
  Status s = ParseTopicSettings(*log, &settings);
  if (!s.ok()) {
    return s.WithContext(inspect_internal::CatalogPath(store_dir) + ": topic '" + topic + "'");
  }
  const std::string dir = inspect_internal::LogDirPath(store_dir, log->log_id);
  inspect_internal::LogDirListing files;
  s = inspect_internal::ListLogDir(dir, &files);
  if (s.code() == StatusCode::kNotFound || (s.ok() && files.segments.empty())) {
    return Status::OK();  // nothing published yet
  }
  SEGLOG_RETURN_IF_ERROR(s);
  if (opt.limit == 0) return Status::OK();
  Status first_bad;
  TopicMessage m;
  m.fifo = settings.fifo;
  s = DumpRecords(dir, opt.from, opt.limit, [&](const RecordView& r) {
    m.record = r;
    m.message_id = TopicMessageIdFor(log->log_id, r.seq.value());
    m.header = format::TopicMessageHeader();
    m.header_status = format::DecodeTopicMessageHeader(r.attrs, &m.header);
    if (!m.header_status.ok() && first_bad.ok()) {
      first_bad = Status::Corruption(dir + ": message " + std::to_string(r.seq.value()) + ": " +
                                     m.header_status.ToString());
    }
    fn(m);
  });
  SEGLOG_RETURN_IF_ERROR(s);
  return first_bad;
}

}  // namespace seglog
