#include "engine/queues/queue_attributes.h"

#include "engine/log/store.h"
#include "format/queue_format.h"

namespace seglog {

namespace qp = format::queue_props;

std::string RedriveAllowText(const RedriveAllowPolicy& p) {
  switch (p.permission) {
    case RedriveAllow::kAllowAll: return "allowAll";
    case RedriveAllow::kDenyAll: return "denyAll";
    case RedriveAllow::kByQueue: break;
  }
  std::string out = "byQueue:";
  for (size_t i = 0; i < p.sources.size(); ++i) out += (i ? "," : "") + p.sources[i];
  return out;
}

Status ValidateRedriveAllow(const RedriveAllowPolicy& p) {
  const auto bad = [](const std::string& why) {
    return Status::InvalidArgument("Value for parameter RedriveAllowPolicy is invalid. Reason: " +
                                   why);
  };
  switch (p.permission) {
    case RedriveAllow::kAllowAll:
    case RedriveAllow::kDenyAll:
      if (!p.sources.empty()) {
        return bad("sourceQueueArns may be given only when redrivePermission is byQueue");
      }
      return Status::OK();
    case RedriveAllow::kByQueue: break;
    default: return bad("unknown redrivePermission");
  }
  if (p.sources.empty() || p.sources.size() > kQueueMaxRedriveSources) {
    return bad("redrivePermission byQueue takes 1 to 10 sourceQueueArns, got " +
               std::to_string(p.sources.size()));
  }
  for (size_t i = 0; i < p.sources.size(); ++i) {
    if (Status s = ValidateName("source queue", p.sources[i]); !s.ok()) return bad(s.message());
    for (size_t j = 0; j < i; ++j) {
      if (p.sources[j] == p.sources[i]) {
        return bad("source queue '" + p.sources[i] + "' is named twice");
      }
    }
  }
  return Status::OK();
}

bool ParseRedriveAllow(std::string_view text, RedriveAllowPolicy* p) {
  RedriveAllowPolicy out;
  if (text == "allowAll") {
    out.permission = RedriveAllow::kAllowAll;
  } else if (text == "denyAll") {
    out.permission = RedriveAllow::kDenyAll;
  } else if (text.substr(0, 8) == "byQueue:") {
    out.permission = RedriveAllow::kByQueue;
    std::string_view rest = text.substr(8);
    while (true) {
      const size_t comma = rest.find(',');
      out.sources.emplace_back(rest.substr(0, comma));
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  } else {
    return false;
  }
  if (!ValidateRedriveAllow(out).ok()) return false;
  *p = std::move(out);
  return true;
}

Status CheckRedriveAllowed(const RedriveAllowPolicy& p, const std::string& source,
                           const std::string& dlq) {
  const std::string head = "Value for parameter RedrivePolicy is invalid. Reason: Queue " + dlq +
                           " does not allow this queue (" + source +
                           ") to use it as a dead-letter queue";
  switch (p.permission) {
    case RedriveAllow::kAllowAll: return Status::OK();
    case RedriveAllow::kDenyAll:
      return Status::InvalidArgument(head + " (its RedriveAllowPolicy is denyAll)");
    case RedriveAllow::kByQueue: break;
  }
  for (const std::string& s : p.sources) {
    if (s == source) return Status::OK();
  }
  return Status::InvalidArgument(head + " (its RedriveAllowPolicy byQueue does not list it)");
}

const char* QueueFieldName(QueueField f) {
  switch (f) {
    case QueueField::kVisibilityTimeout: return "visibility_timeout_s";
    case QueueField::kDelay: return "delay_s";
    case QueueField::kRetention: return "retention_s";
    case QueueField::kMaxMessageBytes: return "max_message_bytes";
    case QueueField::kReceiveWait: return "receive_wait_s";
    case QueueField::kRedrivePolicy: return "dead_letter_queue/max_receive_count";
    case QueueField::kContentBasedDedup: return "content_based_dedup";
    case QueueField::kDedupScope: return "dedup_scope";
    case QueueField::kFifoThroughputLimit: return "fifo_throughput_limit";
    case QueueField::kType: return "type";
    case QueueField::kLimits: return "limits";
    case QueueField::kDurability: return "durability";
    case QueueField::kSyncInterval: return "sync_interval_ms";
    case QueueField::kSegmentSize: return "segment_size";
    case QueueField::kRedriveAllowPolicy: return "redrive_allow_policy";
    case QueueField::kCount: break;
  }
  return "?";
}

std::string QueueFieldValue(const QueueConfig& c, QueueField f) {
  const bool fifo = c.type == QueueType::kFifo;
  switch (f) {
    case QueueField::kVisibilityTimeout: return std::to_string(c.visibility_timeout_s);
    case QueueField::kDelay: return std::to_string(c.delay_s);
    case QueueField::kRetention: return std::to_string(c.retention_s);
    case QueueField::kMaxMessageBytes: return std::to_string(c.max_message_bytes);
    case QueueField::kReceiveWait: return std::to_string(c.receive_wait_s);
    case QueueField::kRedrivePolicy:
      return c.dead_letter_queue.empty()
                 ? std::string("none")
                 : c.dead_letter_queue + "/" + std::to_string(c.max_receive_count);
    case QueueField::kContentBasedDedup: return c.content_based_dedup ? "1" : "0";
    case QueueField::kDedupScope:
      return c.dedup_scope == DedupScope::kMessageGroup ? qp::kDedupScopeMessageGroup
                                                        : qp::kDedupScopeQueue;
    case QueueField::kFifoThroughputLimit:
      return c.fifo_throughput_limit == FifoThroughputLimit::kPerMessageGroupId
                 ? qp::kThroughputPerMessageGroupId
                 : qp::kThroughputPerQueue;
    case QueueField::kType: return fifo ? qp::kTypeFifo : qp::kTypeStandard;
    case QueueField::kLimits: return c.limits == Limits::kAws ? "aws" : "relaxed";
    case QueueField::kDurability: return std::string(DurabilityName(c.log.durability));
    case QueueField::kSyncInterval: return std::to_string(c.log.sync_interval_ms);
    case QueueField::kSegmentSize: return std::to_string(c.log.segment_size);
    case QueueField::kRedriveAllowPolicy: return RedriveAllowText(c.redrive_allow);
    case QueueField::kCount: break;
  }
  return "";
}

namespace {

constexpr uint32_t kFieldCount = static_cast<uint32_t>(QueueField::kCount);

bool FixedAtCreation(QueueField f) {
  return f == QueueField::kType || f == QueueField::kLimits || f == QueueField::kDurability ||
         f == QueueField::kSyncInterval || f == QueueField::kSegmentSize;
}

// Copies field f of `from` into *to.
void CopyField(const QueueConfig& from, QueueField f, QueueConfig* to) {
  switch (f) {
    case QueueField::kVisibilityTimeout:
      to->visibility_timeout_s = from.visibility_timeout_s;
      break;
    case QueueField::kDelay: to->delay_s = from.delay_s; break;
    case QueueField::kRetention: to->retention_s = from.retention_s; break;
    case QueueField::kMaxMessageBytes: to->max_message_bytes = from.max_message_bytes; break;
    case QueueField::kReceiveWait: to->receive_wait_s = from.receive_wait_s; break;
    case QueueField::kRedrivePolicy:
      to->dead_letter_queue = from.dead_letter_queue;
      to->max_receive_count = from.max_receive_count;
      break;
    case QueueField::kContentBasedDedup: to->content_based_dedup = from.content_based_dedup; break;
    case QueueField::kDedupScope: to->dedup_scope = from.dedup_scope; break;
    case QueueField::kFifoThroughputLimit:
      to->fifo_throughput_limit = from.fifo_throughput_limit;
      break;
    case QueueField::kRedriveAllowPolicy: to->redrive_allow = from.redrive_allow; break;
    // Fixed at creation: MergeQueueConfig accepts them only equal, so nothing to copy.
    case QueueField::kType:
    case QueueField::kLimits:
    case QueueField::kDurability:
    case QueueField::kSyncInterval:
    case QueueField::kSegmentSize:
    case QueueField::kCount:
      break;
  }
}

}  // namespace

bool FirstDifference(const QueueConfig& a, const QueueConfig& b, QueueFields fields,
                     QueueField* which) {
  fields.Add(QueueField::kType);
  for (uint32_t i = 0; i < kFieldCount; ++i) {
    const auto f = static_cast<QueueField>(i);
    if (fields.Has(f) && QueueFieldValue(a, f) != QueueFieldValue(b, f)) {
      *which = f;
      return true;
    }
  }
  return false;
}

Status MergeQueueConfig(const QueueConfig& cur, const QueueConfig& want, QueueFields fields,
                        QueueConfig* out) {
  QueueConfig m = cur;
  for (uint32_t i = 0; i < kFieldCount; ++i) {
    const auto f = static_cast<QueueField>(i);
    if (!fields.Has(f)) continue;
    if (FixedAtCreation(f)) {
      if (QueueFieldValue(cur, f) != QueueFieldValue(want, f)) {
        return Status::InvalidArgument(std::string(QueueFieldName(f)) +
                                       " cannot be changed after creation (it is " +
                                       QueueFieldValue(cur, f) + ", asked " +
                                       QueueFieldValue(want, f) + ")");
      }
      continue;
    }
    CopyField(want, f, &m);
  }
  *out = std::move(m);
  return Status::OK();
}

Status ValidateFifoThroughput(const QueueConfig& c) {
  if (c.type != QueueType::kFifo) {
    if (c.dedup_scope != DedupScope::kQueue) {
      return Status::InvalidArgument("dedup_scope applies to FIFO queues only");
    }
    if (c.fifo_throughput_limit != FifoThroughputLimit::kPerQueue) {
      return Status::InvalidArgument("fifo_throughput_limit applies to FIFO queues only");
    }
    return Status::OK();
  }
  if (c.dedup_scope != DedupScope::kQueue && c.dedup_scope != DedupScope::kMessageGroup) {
    return Status::InvalidArgument("unknown dedup_scope");
  }
  if (c.fifo_throughput_limit == FifoThroughputLimit::kPerMessageGroupId) {
    if (c.dedup_scope != DedupScope::kMessageGroup) {
      return Status::InvalidArgument("fifo_throughput_limit perMessageGroupId needs dedup_scope "
                                     "messageGroup");
    }
  } else if (c.fifo_throughput_limit != FifoThroughputLimit::kPerQueue) {
    return Status::InvalidArgument("unknown fifo_throughput_limit");
  }
  return Status::OK();
}

std::vector<std::pair<std::string, std::string>> QueueFieldProps(const QueueConfig& c,
                                                                 QueueFields fields) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](QueueField f, const char* key) {
    if (fields.Has(f)) out.emplace_back(key, QueueFieldValue(c, f));
  };
  add(QueueField::kVisibilityTimeout, qp::kVisibility);
  add(QueueField::kDelay, qp::kDelay);
  add(QueueField::kRetention, qp::kRetention);
  add(QueueField::kMaxMessageBytes, qp::kMaxBytes);
  add(QueueField::kReceiveWait, qp::kWait);
  if (fields.Has(QueueField::kRedrivePolicy)) {
    out.emplace_back(qp::kDeadLetterQueue, c.dead_letter_queue);
    out.emplace_back(qp::kMaxReceiveCount, std::to_string(c.max_receive_count));
  }
  add(QueueField::kContentBasedDedup, qp::kContentDedup);
  add(QueueField::kDedupScope, qp::kDedupScope);
  add(QueueField::kFifoThroughputLimit, qp::kFifoThroughputLimit);
  add(QueueField::kRedriveAllowPolicy, qp::kRedriveAllow);
  return out;
}

bool ParseFifoThroughputProps(const std::vector<std::pair<std::string, std::string>>& props,
                              QueueConfig* c) {
  for (const auto& [k, v] : props) {
    if (k == qp::kDedupScope) {
      if (v == qp::kDedupScopeQueue) {
        c->dedup_scope = DedupScope::kQueue;
      } else if (v == qp::kDedupScopeMessageGroup) {
        c->dedup_scope = DedupScope::kMessageGroup;
      } else {
        return false;
      }
    } else if (k == qp::kFifoThroughputLimit) {
      if (v == qp::kThroughputPerQueue) {
        c->fifo_throughput_limit = FifoThroughputLimit::kPerQueue;
      } else if (v == qp::kThroughputPerMessageGroupId) {
        c->fifo_throughput_limit = FifoThroughputLimit::kPerMessageGroupId;
      } else {
        return false;
      }
    }
  }
  return true;
}

bool ParseQueueTimes(const std::vector<std::pair<std::string, std::string>>& props,
                     int64_t* created_ms, int64_t* last_modified_ms) {
  *created_ms = 0;
  *last_modified_ms = 0;
  for (const auto& [k, v] : props) {
    int64_t* out = k == qp::kCreatedMs ? created_ms
                   : k == qp::kLastModifiedMs ? last_modified_ms
                                              : nullptr;
    if (out == nullptr) continue;
    if (v.empty() || v.size() > 18) return false;
    int64_t x = 0;
    for (char ch : v) {
      if (ch < '0' || ch > '9') return false;
      x = x * 10 + (ch - '0');
    }
    *out = x;
  }
  return true;
}

// ---- ListQueues' tokens: "q1" + hex(prefix + "/" + last); '/' is in no name. ----

Status ValidateListPrefix(std::string_view prefix) {
  if (prefix.empty()) return Status::OK();
  // A prefix is a name's beginning: the name rule's characters and length ("." and ".." are
  // prefixes of valid names).
  if (prefix == "." || prefix == "..") return Status::OK();
  return ValidateName("queue name prefix", prefix);
}

std::string EncodeListToken(std::string_view prefix, std::string_view last) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string raw = std::string(prefix) + "/" + std::string(last);
  std::string out = "q1";
  for (char ch : raw) {
    const auto u = static_cast<unsigned char>(ch);
    out += kHex[u >> 4];
    out += kHex[u & 15];
  }
  return out;
}

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

Status DecodeListToken(std::string_view token, std::string_view prefix, std::string* last) {
  const auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("next token '" + std::string(token.substr(0, 64)) +
                                   "' is not one this call issued: " + why);
  };
  if (token.size() < 2 || token.substr(0, 2) != "q1" || token.size() % 2 != 0) {
    return bad("malformed");
  }
  std::string raw;
  for (size_t i = 2; i < token.size(); i += 2) {
    const int hi = HexDigit(token[i]), lo = HexDigit(token[i + 1]);
    if (hi < 0 || lo < 0) return bad("malformed");
    raw += static_cast<char>(hi * 16 + lo);
  }
  const size_t slash = raw.find('/');
  if (slash == std::string::npos) return bad("malformed");
  if (std::string_view(raw).substr(0, slash) != prefix) return bad("issued for another prefix");
  std::string name = raw.substr(slash + 1);
  if (!ValidateName("queue", name).ok() || name.compare(0, prefix.size(), prefix) != 0) {
    return bad("malformed");
  }
  *last = std::move(name);
  return Status::OK();
}

// ---- RecentlyDeleted ----

void RecentlyDeleted::Add(const std::string& name, int64_t now_ms) {
  Prune(now_ms);
  deleted_at_[name] = now_ms;
}

bool RecentlyDeleted::Contains(const std::string& name, int64_t now_ms) {
  Prune(now_ms);
  auto it = deleted_at_.find(name);
  return it != deleted_at_.end() && now_ms - it->second < kQueueDeletedRecentlyMs;
}

void RecentlyDeleted::Prune(int64_t now_ms) {
  for (auto it = deleted_at_.begin(); it != deleted_at_.end();) {
    it = now_ms - it->second >= kQueueDeletedRecentlyMs ? deleted_at_.erase(it) : std::next(it);
  }
}

}  // namespace seglog
