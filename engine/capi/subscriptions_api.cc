// The C API's topic subscriptions (include/seglog.h, "Topic subscriptions", 0.4.0): subscribe,
// unsubscribe, list, get, set attributes, over seglog::Topics.
#include "engine/capi/topics_capi.h"

using seglog::Status;
using seglog::StatusCode;
using namespace seglog::capi;  // NOLINT: the room's own helpers

namespace {

Status ProtocolFromC(int v, seglog::SubscriptionProtocol* out) {
  switch (v) {
    case SEGLOG_TOPIC_PROTOCOL_SQS: *out = seglog::SubscriptionProtocol::kSqs; return Status::OK();
    case SEGLOG_TOPIC_PROTOCOL_CALLBACK:
      *out = seglog::SubscriptionProtocol::kCallback;
      return Status::OK();
  }
  return Status::InvalidArgument("unknown protocol " + std::to_string(v) +
                                 " (expected SEGLOG_TOPIC_PROTOCOL_SQS or _CALLBACK)");
}

int ProtocolToC(seglog::SubscriptionProtocol p) {
  return p == seglog::SubscriptionProtocol::kCallback ? SEGLOG_TOPIC_PROTOCOL_CALLBACK
                                                      : SEGLOG_TOPIC_PROTOCOL_SQS;
}

Status ScopeFromC(int v, seglog::FilterScope* out) {
  switch (v) {
    case SEGLOG_FILTER_SCOPE_MESSAGE_ATTRIBUTES:
      *out = seglog::FilterScope::kMessageAttributes;
      return Status::OK();
    case SEGLOG_FILTER_SCOPE_MESSAGE_BODY:
      *out = seglog::FilterScope::kMessageBody;
      return Status::OK();
  }
  return Status::InvalidArgument(
      "unknown filter_scope " + std::to_string(v) +
      " (expected SEGLOG_FILTER_SCOPE_MESSAGE_ATTRIBUTES or _MESSAGE_BODY)");
}

int ScopeToC(seglog::FilterScope s) {
  return s == seglog::FilterScope::kMessageBody ? SEGLOG_FILTER_SCOPE_MESSAGE_BODY
                                                : SEGLOG_FILTER_SCOPE_MESSAGE_ATTRIBUTES;
}

// The caller's config (cfg not NULL) over the defaults, checked for pointers, enums and
// booleans (the engine checks the endpoint, the policy and the queues). The endpoint is
// required only when `need_endpoint`.
Status SubscriptionConfigFromC(const seglog_topic_subscription_config* cfg, bool need_endpoint,
                               seglog::SubscriptionConfig* out) {
  SEGLOG_RETURN_IF_ERROR(NotNull(cfg, "cfg"));
  seglog_topic_subscription_config c;
  seglog_topic_subscription_config_init(&c);
  SEGLOG_RETURN_IF_ERROR(
      ReadVersioned(cfg, kSubscriptionConfigSizes, "seglog_topic_subscription_config", &c));
  SEGLOG_RETURN_IF_ERROR(ProtocolFromC(c.protocol, &out->protocol));
  if (need_endpoint) SEGLOG_RETURN_IF_ERROR(NotNull(c.endpoint, "cfg->endpoint"));
  out->endpoint = c.endpoint == nullptr ? "" : c.endpoint;
  SEGLOG_RETURN_IF_ERROR(CheckBool(c.raw_delivery, "raw_delivery"));
  out->raw_delivery = c.raw_delivery != 0;
  if (c.filter_policy != nullptr) {
    const size_t len = ::strnlen(c.filter_policy, SEGLOG_TOPIC_MAX_FILTER_POLICY_BYTES + 1);
    if (len > SEGLOG_TOPIC_MAX_FILTER_POLICY_BYTES) {
      return Status::InvalidArgument(
          "filter_policy is over 256 KiB (SEGLOG_TOPIC_MAX_FILTER_POLICY_BYTES)");
    }
    out->filter_policy.assign(c.filter_policy, len);
  }
  SEGLOG_RETURN_IF_ERROR(ScopeFromC(c.filter_scope, &out->filter_scope));
  out->redrive_queue = c.redrive_queue == nullptr ? "" : c.redrive_queue;
  return Status::OK();
}

Status CheckSubscriptionId(const char* id) {
  SEGLOG_RETURN_IF_ERROR(NotNull(id, "subscription_id"));
  if (id[0] == '\0') return Status::InvalidArgument("subscription_id is empty");
  return Status::OK();  // an id no subscription has is NotFound (the engine)
}

seglog_topic_subscription_entry EntryToC(const seglog::SubscriptionInfo& s) {
  seglog_topic_subscription_entry e{};
  CopyString(e.id, s.id);
  CopyString(e.topic, s.topic);
  e.protocol = ProtocolToC(s.config.protocol);
  CopyString(e.endpoint, s.config.endpoint);
  return e;
}

seglog_topic_subscription_info InfoToC(const seglog::SubscriptionInfo& s) {
  seglog_topic_subscription_info o;
  seglog_topic_subscription_info_init(&o);
  CopyString(o.id, s.id);
  CopyString(o.topic, s.topic);
  o.protocol = ProtocolToC(s.config.protocol);
  CopyString(o.endpoint, s.config.endpoint);
  o.raw_delivery = s.config.raw_delivery ? 1 : 0;
  o.filter_scope = ScopeToC(s.config.filter_scope);
  o.filter_policy_len = s.config.filter_policy.size();
  CopyString(o.redrive_queue, s.config.redrive_queue);
  o.created_ms = s.created_ms;
  o.cursor = s.cursor.value();
  o.backlog = s.backlog;
  o.delivered = s.delivered;
  o.filtered = s.filtered;
  o.redriven = s.redriven;
  o.dropped = s.dropped;
  o.expired = s.expired;
  o.waiting = s.waiting ? 1 : 0;
  return o;
}

}  // namespace

extern "C" {

void seglog_topic_subscription_config_init(seglog_topic_subscription_config* cfg) {
  if (cfg == nullptr) return;
  std::memset(static_cast<void*>(cfg), 0, sizeof(*cfg));
  cfg->struct_size = sizeof(seglog_topic_subscription_config);
  cfg->protocol = SEGLOG_TOPIC_PROTOCOL_SQS;
  cfg->filter_scope = SEGLOG_FILTER_SCOPE_MESSAGE_ATTRIBUTES;
}

int seglog_topic_subscribe(seglog_handle* db, const char* topic,
                           const seglog_topic_subscription_config* cfg, char* id,
                           size_t id_cap) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckTopicName(topic, "topic"));
    SEGLOG_RETURN_IF_ERROR(NotNull(id, "id"));
    if (id_cap < SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX + 1) {
      return Status::InvalidArgument("id_cap is " + std::to_string(id_cap) +
                                     ", below SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX + 1 (37)");
    }
    seglog::SubscriptionConfig sc;
    SEGLOG_RETURN_IF_ERROR(SubscriptionConfigFromC(cfg, true, &sc));
    std::string sid;
    SEGLOG_RETURN_IF_ERROR(db->topics->Subscribe(topic, sc, &sid));
    if (sid.size() > SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX) {
      return Status(StatusCode::kCorruption,
                    "internal: a subscription id of " + std::to_string(sid.size()) + " bytes");
    }
    std::memcpy(id, sid.c_str(), sid.size() + 1);
    return Status::OK();
  });
}

int seglog_topic_unsubscribe(seglog_handle* db, const char* subscription_id) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckSubscriptionId(subscription_id));
    return db->topics->Unsubscribe(subscription_id);
  });
}

int seglog_topic_list_subscriptions(seglog_handle* db, const char* topic, uint32_t max_results,
                                    const char* next_token,
                                    seglog_topic_subscription_entry* entries, size_t cap,
                                    size_t* n, char* next_token_out, size_t next_token_cap) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    if (topic != nullptr && topic[0] != '\0') {
      SEGLOG_RETURN_IF_ERROR(CheckTopicName(topic, "topic"));
    }
    SEGLOG_RETURN_IF_ERROR(
        ListPageArgs(max_results, cap, n, entries, next_token_out, next_token_cap));
    std::vector<seglog::SubscriptionInfo> page;
    std::string token;
    SEGLOG_RETURN_IF_ERROR(db->topics->ListSubscriptions(
        topic == nullptr ? "" : topic, next_token == nullptr ? "" : next_token, max_results,
        &page, &token));
    if (page.size() > max_results) {
      return Status(StatusCode::kCorruption, "internal: a page of " +
                                                 std::to_string(page.size()) + " subscriptions");
    }
    SEGLOG_RETURN_IF_ERROR(CopyToken(token, next_token_out));
    for (size_t i = 0; i < page.size(); ++i) entries[i] = EntryToC(page[i]);
    *n = page.size();
    return Status::OK();
  });
}

void seglog_topic_subscription_info_init(seglog_topic_subscription_info* info) {
  if (info == nullptr) return;
  std::memset(static_cast<void*>(info), 0, sizeof(*info));
  info->struct_size = sizeof(seglog_topic_subscription_info);
}

int seglog_topic_get_subscription(seglog_handle* db, const char* subscription_id,
                                  seglog_topic_subscription_info* info, char* policy,
                                  size_t policy_cap) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckSubscriptionId(subscription_id));
    SEGLOG_RETURN_IF_ERROR(NotNull(info, "info"));
    SEGLOG_RETURN_IF_ERROR(
        CheckStructSize(info, kSubscriptionInfoSizes, "seglog_topic_subscription_info"));
    if (policy_cap > 0) SEGLOG_RETURN_IF_ERROR(NotNull(policy, "policy"));
    seglog::SubscriptionInfo s;
    SEGLOG_RETURN_IF_ERROR(db->topics->GetSubscription(subscription_id, &s));
    SEGLOG_RETURN_IF_ERROR(CopyText(s.config.filter_policy, policy, policy_cap));
    WriteVersioned(info, InfoToC(s));
    return Status::OK();
  });
}

int seglog_topic_set_subscription_attributes(seglog_handle* db, const char* subscription_id,
                                             const seglog_topic_subscription_config* cfg,
                                             uint32_t fields) {
  return Guard(__func__, [&]() -> Status {
    SEGLOG_RETURN_IF_ERROR(NeedTopics(db));
    SEGLOG_RETURN_IF_ERROR(CheckSubscriptionId(subscription_id));
    if (fields == 0 || (fields & ~uint32_t{SEGLOG_SUBSCRIPTION_FIELDS_ALL}) != 0) {
      return Status::InvalidArgument(
          "fields is " + std::to_string(fields) +
          ": expected a nonzero union of SEGLOG_SUBSCRIPTION_FIELD_* bits");
    }
    seglog::SubscriptionConfig sc;
    SEGLOG_RETURN_IF_ERROR(SubscriptionConfigFromC(cfg, false, &sc));
    return db->topics->SetSubscriptionAttributes(subscription_id, sc, fields);
  });
}

}  // extern "C"
