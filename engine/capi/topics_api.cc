// The C API's topics (include/seglog.h, "Topics", 0.4.0): create, delete, list, describe, set
// attributes and tags, over seglog::Topics. Subscriptions are in subscriptions_api.cc,
// publishing in publish_api.cc, callbacks in callbacks_api.cc. The conversions shared between
// them are in topics_capi.h.
#include "engine/capi/topics_capi.h"

using seglog::Status;
using seglog::StatusCode;
using namespace seglog::capi;  // NOLINT: the room's own helpers

namespace seglog::capi {

Status NeedTopics(const seglog_handle* db) {
  SEGLOG_RETURN_IF_ERROR(NotNull(db, "db"));
  if (db->topics == nullptr) return Status::NotSupported("this handle has no topics");
  return Status::OK();
}

Status CheckTopicName(const char* name, const char* what) {
  SEGLOG_RETURN_IF_ERROR(NotNull(name, what));
  const size_t len = std::strlen(name);
  if (len == 0) return Status::InvalidArgument(std::string(what) + " is empty");
  if (len > SEGLOG_TOPIC_NAME_MAX) {
    return Status::InvalidArgument(std::string(what) + " is " + std::to_string(len) +
                                   " bytes; a topic name has at most 256 (SEGLOG_TOPIC_NAME_MAX)");
  }
  return Status::OK();  // its characters: the engine's TopicConfig::Validate
}

Status ListPageArgs(uint32_t max_results, size_t cap, size_t* n, const void* out,
                    const char* next_token_out, size_t next_token_cap) {
  SEGLOG_RETURN_IF_ERROR(NotNull(out, "the output array"));
  SEGLOG_RETURN_IF_ERROR(NotNull(n, "n"));
  SEGLOG_RETURN_IF_ERROR(NotNull(next_token_out, "next_token_out"));
  if (max_results == 0 || max_results > SEGLOG_TOPIC_LIST_MAX_RESULTS) {
    return Status::InvalidArgument("max_results is " + std::to_string(max_results) +
                                   " (expected 1 .. 1000)");
  }
  if (cap < max_results) {
    return Status::InvalidArgument("cap is " + std::to_string(cap) + ", below max_results " +
                                   std::to_string(max_results));
  }
  if (next_token_cap < SEGLOG_TOPIC_LIST_TOKEN_MAX) {
    return Status::InvalidArgument("next_token_cap is " + std::to_string(next_token_cap) +
                                   ", below SEGLOG_TOPIC_LIST_TOKEN_MAX (" +
                                   std::to_string(SEGLOG_TOPIC_LIST_TOKEN_MAX) + ")");
  }
  return Status::OK();
}

Status CopyToken(const std::string& token, char* out) {
  if (token.size() >= SEGLOG_TOPIC_LIST_TOKEN_MAX) {
    return Status(StatusCode::kCorruption,
                  "internal: a list token of " + std::to_string(token.size()) + " bytes");
  }
  std::memcpy(out, token.c_str(), token.size() + 1);
  return Status::OK();
}

Status CopyText(const std::string& text, char* buf, size_t cap) {
  if (cap > 0) SEGLOG_RETURN_IF_ERROR(NotNull(buf, "the text buffer"));
  if (cap > text.size()) {
    std::memcpy(buf, text.c_str(), text.size() + 1);
  } else if (cap > 0) {
    buf[0] = '\0';
  }
  return Status::OK();
}

}  // namespace seglog::capi

namespace {

Status TopicTypeFromC(int v, seglog::TopicType* out) {
  switch (v) {
    case SEGLOG_TOPIC_STANDARD: *out = seglog::TopicType::kStandard; return Status::OK();
    case SEGLOG_TOPIC_FIFO: *out = seglog::TopicType::kFifo; return Status::OK();
  }
  return Status::InvalidArgument("unknown topic type " + std::to_string(v) +
                                 " (expected SEGLOG_TOPIC_STANDARD or SEGLOG_TOPIC_FIFO)");
}

// *c = the caller's config over the defaults (cfg may be NULL), *tc the engine's. Pointers,
// enums and booleans are checked here; ranges by the engine (TopicConfig::Validate). Log
// settings left at 0 are the store options'.
Status TopicConfigFromC(const seglog_handle* db, const seglog_topic_config* cfg,
                        seglog_topic_config* c, seglog::TopicConfig* tc) {
  seglog_topic_config_init(c);
  if (cfg != nullptr) {
    SEGLOG_RETURN_IF_ERROR(ReadVersioned(cfg, kTopicConfigSizes, "seglog_topic_config", c));
  }
  SEGLOG_RETURN_IF_ERROR(TopicTypeFromC(c->type, &tc->type));
  tc->display_name = c->display_name == nullptr ? "" : c->display_name;
  SEGLOG_RETURN_IF_ERROR(CheckBool(c->content_based_dedup, "content_based_dedup"));
  tc->content_based_dedup = c->content_based_dedup != 0;
  tc->signature_version = c->signature_version;
  tc->retention_s = c->retention_s;
  tc->log = db->log_defaults;
  SEGLOG_RETURN_IF_ERROR(
      DurabilityFromC(c->durability, true, db->log_defaults.durability, &tc->log.durability));
  if (c->sync_interval_ms != 0) tc->log.sync_interval_ms = c->sync_interval_ms;
  if (c->segment_size != 0) tc->log.segment_size = c->segment_size;
  SEGLOG_RETURN_IF_ERROR(LimitsFromC(c->limits, &tc->limits));
  return tc->log.Validate();
}

seglog_topic_info InfoToC(const seglog::TopicDescription& d) {
  seglog_topic_info o;
  seglog_topic_info_init(&o);
  CopyString(o.name, d.name);
  o.type = d.config.type == seglog::TopicType::kFifo ? SEGLOG_TOPIC_FIFO : SEGLOG_TOPIC_STANDARD;
  CopyString(o.display_name, d.config.display_name);
  o.content_based_dedup = d.config.content_based_dedup ? 1 : 0;
  o.signature_version = d.config.signature_version;
  o.retention_s = d.config.retention_s;
  o.durability = DurabilityToC(d.config.log.durability);
  o.sync_interval_ms = d.config.log.sync_interval_ms;
  o.segment_size = d.config.log.segment_size;
  o.limits = LimitsToC(d.config.limits);
  o.subscriptions = d.subscriptions;
  o.messages = d.messages;
  o.log_bytes = d.log_bytes;
  o.created_ms = d.created_ms;
  return o;
}

}  // namespace

extern "C" {

void seglog_topic_config_init(seglog_topic_config* cfg) {
  if (cfg == nullptr) return;
  const seglog::TopicConfig d;
  std::memset(static_cast<void*>(cfg), 0, sizeof(*cfg));
  cfg->struct_size = sizeof(seglog_topic_config);
  cfg->type = SEGLOG_TOPIC_STANDARD;
  cfg->signature_version = d.signature_version;
  cfg->retention_s = d.retention_s;
  cfg->durability = SEGLOG_DURABILITY_DEFAULT;
  cfg->limits = SEGLOG_LIMITS_RELAXED;
}

int seglog_topic_create(seglog_handle* db, const char* name, const seglog_topic_config* cfg,
                        const char* const* keys, const char* const* values, size_t n) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckTopicName(name, "topic"));
    seglog_topic_config c;
    seglog::TopicConfig tc;
    SEGLOG_RETURN_IF_ERROR(TopicConfigFromC(db, cfg, &c, &tc));
    seglog::TopicTags tags;
    SEGLOG_RETURN_IF_ERROR(TagsFromC(keys, values, n, "a topic", &tags));
    // An existing topic is the same one when every field matches, except the log settings
    // left to the store options (which may have changed since it was created).
    seglog::TopicFields compare = seglog::kAllTopicFields;
    if (c.durability == SEGLOG_DURABILITY_DEFAULT) compare &= ~SEGLOG_TOPIC_FIELD_DURABILITY;
    if (c.sync_interval_ms == 0) compare &= ~SEGLOG_TOPIC_FIELD_SYNC_INTERVAL;
    if (c.segment_size == 0) compare &= ~SEGLOG_TOPIC_FIELD_SEGMENT_SIZE;
    return db->topics->Create(name, tc, compare, tags);
  });
}

int seglog_topic_delete(seglog_handle* db, const char* name) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckTopicName(name, "topic"));
    return db->topics->Delete(name);
  });
}

int seglog_topic_list(seglog_handle* db, uint32_t max_results, const char* next_token,
                      seglog_topic_name* names, size_t cap, size_t* n, char* next_token_out,
                      size_t next_token_cap) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(
        ListPageArgs(max_results, cap, n, names, next_token_out, next_token_cap));
    std::vector<std::string> page;
    std::string token;
    SEGLOG_RETURN_IF_ERROR(db->topics->List(next_token == nullptr ? "" : next_token,
                                            max_results, &page, &token));
    if (page.size() > max_results) {
      return Status(StatusCode::kCorruption, "internal: a page of " +
                                                 std::to_string(page.size()) + " topics");
    }
    SEGLOG_RETURN_IF_ERROR(CopyToken(token, next_token_out));
    for (size_t i = 0; i < page.size(); ++i) CopyString(names[i].name, page[i]);
    *n = page.size();
    return Status::OK();
  });
}

void seglog_topic_info_init(seglog_topic_info* info) {
  if (info == nullptr) return;
  std::memset(static_cast<void*>(info), 0, sizeof(*info));  // the padding too: describe copies it
  info->struct_size = sizeof(seglog_topic_info);
}

int seglog_topic_describe(seglog_handle* db, const char* name, seglog_topic_info* info) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckTopicName(name, "topic"));
    SEGLOG_RETURN_IF_ERROR(NotNull(info, "info"));
    SEGLOG_RETURN_IF_ERROR(CheckStructSize(info, kTopicInfoSizes, "seglog_topic_info"));
    seglog::TopicDescription d;
    SEGLOG_RETURN_IF_ERROR(db->topics->Describe(name, &d));
    WriteVersioned(info, InfoToC(d));
    return Status::OK();
  });
}

int seglog_topic_set_attributes(seglog_handle* db, const char* name,
                                const seglog_topic_config* cfg, uint32_t fields) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckTopicName(name, "topic"));
    SEGLOG_RETURN_IF_ERROR(NotNull(cfg, "cfg"));
    if (fields == 0 || (fields & ~uint32_t{SEGLOG_TOPIC_FIELDS_ALL}) != 0) {
      return Status::InvalidArgument("fields is " + std::to_string(fields) +
                                     ": expected a nonzero union of SEGLOG_TOPIC_FIELD_* bits");
    }
    seglog_topic_config c;
    seglog::TopicConfig tc;
    SEGLOG_RETURN_IF_ERROR(TopicConfigFromC(db, cfg, &c, &tc));
    return db->topics->SetAttributes(name, tc, fields);
  });
}

int seglog_topic_tag(seglog_handle* db, const char* topic, const char* const* keys,
                     const char* const* values, size_t n) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckTopicName(topic, "topic"));
    if (n == 0) return Status::InvalidArgument("n is 0: no tags to add");
    seglog::TopicTags tags;
    SEGLOG_RETURN_IF_ERROR(TagsFromC(keys, values, n, "a topic", &tags));
    return db->topics->Tag(topic, tags);
  });
}

int seglog_topic_untag(seglog_handle* db, const char* topic, const char* const* keys, size_t n) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckTopicName(topic, "topic"));
    if (n == 0) return Status::InvalidArgument("n is 0: no tags to remove");
    SEGLOG_RETURN_IF_ERROR(NotNull(keys, "keys"));
    std::vector<std::string> ks;
    for (size_t i = 0; i < n; ++i) {
      if (keys[i] == nullptr) {
        return Status::InvalidArgument("keys[" + std::to_string(i) + "] is NULL");
      }
      ks.emplace_back(keys[i]);
    }
    return db->topics->Untag(topic, ks);
  });
}

int seglog_topic_list_tags(seglog_handle* db, const char* topic, seglog_queue_tag_entry* tags,
                           size_t cap, size_t* n) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckTopicName(topic, "topic"));
    SEGLOG_RETURN_IF_ERROR(NotNull(n, "n"));
    if (cap > 0) SEGLOG_RETURN_IF_ERROR(NotNull(tags, "tags"));
    seglog::TopicTags all;
    SEGLOG_RETURN_IF_ERROR(db->topics->ListTags(topic, &all));
    size_t i = 0;
    for (const auto& kv : all) {
      if (i >= cap) break;
      CopyString(tags[i].key, kv.first);
      CopyString(tags[i].value, kv.second);
      ++i;
    }
    *n = all.size();
    return Status::OK();
  });
}

}  // extern "C"
