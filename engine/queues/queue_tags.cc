// Queues: tags (SQS TagQueue, UntagQueue, ListQueueTags; CreateQueue's tags are written by
// Queues::Create in queue.cc). The rules and the catalog form: queue_tags.h; SPEC.md 16.16.
//
// Concurrency: a change reads the map and writes it back under create_mu_ (as SetAttributes),
// so two changes never interleave, and no Delete or Create runs meanwhile. Durability: each
// change is one catalog write of the whole map (all of it or nothing after a crash); reads
// take a catalog snapshot, so they see a change whole or not at all.
#include "engine/queues/queue_tags.h"

#include <cctype>
#include <charconv>
#include <cstdio>

#include "engine/log/utf8.h"
#include "engine/queues/queue_internal.h"

namespace seglog {

using queue_internal::MessagesLogName;

namespace {

// `s` for a message: at most 64 bytes (cut at a character's start), bytes outside printable
// ASCII as \xNN unless `s` is well-formed UTF-8.
std::string Quote(std::string_view s) {
  const bool utf8 = ForEachCodePoint(s, [](uint32_t) { return true; });
  size_t n = s.size();
  std::string suffix;
  if (n > 64) {
    n = 64;
    while (utf8 && n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
    suffix = "...";
  }
  std::string out = "'";
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if ((c >= 0x20 && c < 0x7F) || (utf8 && c >= 0x80)) {
      out += static_cast<char>(c);
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out + "'" + suffix;
}

bool AllowedTagChar(uint32_t cp) {
  if (cp >= 0x80) return cp > 0x9F;  // non-ASCII: anything but the C1 controls
  if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
    return true;
  }
  switch (cp) {
    case ' ': case '_': case '.': case ':': case '/': case '=': case '+': case '-': case '@':
      return true;
  }
  return false;
}

// The number of characters of `s`; InvalidArgument (`what` names it) when `s` is not
// well-formed UTF-8 or holds a character tags do not allow.
Status CountTagChars(std::string_view s, const std::string& what, size_t* chars) {
  size_t n = 0;
  uint32_t bad = 0;
  bool bad_char = false;
  const bool ok = ForEachCodePoint(s, [&](uint32_t cp) {
    if (!AllowedTagChar(cp)) {
      bad = cp;
      bad_char = true;
      return false;
    }
    ++n;
    return true;
  });
  if (ok) {
    *chars = n;
    return Status::OK();
  }
  if (!bad_char) return Status::InvalidArgument(what + " is not well-formed UTF-8");
  char hex[16];
  std::snprintf(hex, sizeof hex, "U+%04X", bad);
  return Status::InvalidArgument(what + " has the character " + hex +
                                 ": tags allow letters, digits, spaces and _ . : / = + - @");
}

// The tags of queue `name` in catalog snapshot `cat` (none when it has no tags property).
// NotFound when the queue's message log is not in it.
Status TagsFromCatalog(const format::Catalog& cat, const std::string& name, QueueTags* out) {
  const std::string log = MessagesLogName(name);
  for (const format::CatalogEntry& e : cat.logs) {
    if (e.name != log) continue;
    const std::string* text = format::FindProp(e, kTagsProp);
    out->clear();
    if (text == nullptr) return Status::OK();
    return DecodeQueueTags(*text, out).WithContext("queue '" + name + "' tags in the catalog");
  }
  return Status::NotFound("queue '" + name + "' does not exist");
}

}  // namespace

Status CheckQueueTagKey(std::string_view key) {
  const std::string what = "tag key " + Quote(key);
  if (key.empty()) return Status::InvalidArgument("a tag key is empty (1 to 128 characters)");
  size_t chars = 0;
  SEGLOG_RETURN_IF_ERROR(CountTagChars(key, what, &chars));
  if (chars > kQueueTagKeyMaxChars) {
    return Status::InvalidArgument(what + " has " + std::to_string(chars) +
                                   " characters; at most 128");
  }
  if (key.size() >= 4) {
    std::string head(key.substr(0, 4));
    for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (head == "aws:") {
      return Status::InvalidArgument(what + " starts with \"aws:\", which is reserved for AWS");
    }
  }
  return Status::OK();
}

Status CheckQueueTagValue(std::string_view key, std::string_view value) {
  const std::string what = "the value of tag key " + Quote(key);
  size_t chars = 0;
  SEGLOG_RETURN_IF_ERROR(CountTagChars(value, what, &chars));
  if (chars > kQueueTagValueMaxChars) {
    return Status::InvalidArgument(what + " has " + std::to_string(chars) +
                                   " characters; at most 256");
  }
  return Status::OK();
}

Status CheckQueueTags(const QueueTags& tags) {
  if (tags.size() > kQueueMaxTags) {
    return Status::InvalidArgument(std::to_string(tags.size()) +
                                   " tags; a queue has at most 50");
  }
  for (const auto& kv : tags) {
    SEGLOG_RETURN_IF_ERROR(CheckQueueTagKey(kv.first));
    SEGLOG_RETURN_IF_ERROR(CheckQueueTagValue(kv.first, kv.second));
  }
  return Status::OK();
}

Status Queues::TagQueue(const std::string& name, const QueueTags& tags) {
  SEGLOG_RETURN_IF_ERROR(ValidateName("queue", name));
  if (tags.empty()) return Status::InvalidArgument("no tags to add");
  SEGLOG_RETURN_IF_ERROR(CheckQueueTags(tags));
  if (store_->read_only()) return Status::ReadOnly("the store is open read-only");
  std::lock_guard<std::mutex> cl(create_mu_);  // one change at a time; no Delete meanwhile
  std::shared_ptr<Queue> q;
  SEGLOG_RETURN_IF_ERROR(Find(name, &q));
  std::shared_lock<WriterFirstLock> op_lock(q->op_mu);
  if (q->del == nullptr) return Status::NotFound("queue '" + name + "' was deleted");
  QueueTags next;
  SEGLOG_RETURN_IF_ERROR(TagsFromCatalog(store_->CatalogSnapshot(), name, &next));
  const QueueTags before = next;
  for (const auto& kv : tags) next[kv.first] = kv.second;  // an existing key: replaced
  if (next.size() > kQueueMaxTags) {
    return Status::InvalidArgument("queue '" + name + "' would have " +
                                   std::to_string(next.size()) +
                                   " tags; a queue has at most 50");
  }
  if (next == before) return Status::OK();
  const std::string log = MessagesLogName(name);
  return store_->SetLogProps(std::span<const std::string>(&log, 1), kTagsProp,
                             EncodeQueueTags(next));
}

Status Queues::UntagQueue(const std::string& name, std::span<const std::string> keys) {
  SEGLOG_RETURN_IF_ERROR(ValidateName("queue", name));
  if (keys.empty()) return Status::InvalidArgument("no tag keys to remove");
  for (const std::string& k : keys) SEGLOG_RETURN_IF_ERROR(CheckQueueTagKey(k));
  if (store_->read_only()) return Status::ReadOnly("the store is open read-only");
  std::lock_guard<std::mutex> cl(create_mu_);
  std::shared_ptr<Queue> q;
  SEGLOG_RETURN_IF_ERROR(Find(name, &q));
  std::shared_lock<WriterFirstLock> op_lock(q->op_mu);
  if (q->del == nullptr) return Status::NotFound("queue '" + name + "' was deleted");
  QueueTags next;
  SEGLOG_RETURN_IF_ERROR(TagsFromCatalog(store_->CatalogSnapshot(), name, &next));
  size_t erased = 0;
  for (const std::string& k : keys) erased += next.erase(k);  // unknown keys are fine
  if (erased == 0) return Status::OK();
  const std::string log = MessagesLogName(name);
  return store_->SetLogProps(std::span<const std::string>(&log, 1), kTagsProp,
                             EncodeQueueTags(next));
}

Status Queues::ListTags(const std::string& name, QueueTags* out) {
  std::shared_ptr<Queue> q;
  SEGLOG_RETURN_IF_ERROR(Find(name, &q));  // validates the name; NotFound
  QueueTags tags;
  SEGLOG_RETURN_IF_ERROR(TagsFromCatalog(store_->CatalogSnapshot(), name, &tags));
  *out = std::move(tags);
  return Status::OK();
}

}  // namespace seglog
