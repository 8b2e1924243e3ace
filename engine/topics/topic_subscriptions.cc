// Topics: subscriptions (SPEC.md Part VII, "Subscriptions"): Subscribe, Unsubscribe, the
// listings and attribute changes. A topic's subscription list is one catalog property of its
// log, rewritten whole (one catalog write) by every change, under admin_mu; a new
// subscription's cursor file is written and synced before the list names it.
#include <algorithm>
#include <cstdio>
#include <random>

#include "engine/topics/topics_internal.h"

namespace seglog {

using topics_internal::LogName;

namespace {

uint64_t RandomU64() {
  static std::mutex m;
  static std::mt19937_64 rng{std::random_device{}() ^
                             (static_cast<uint64_t>(std::random_device{}()) << 32)};
  std::lock_guard<std::mutex> l(m);
  return rng();
}

std::string RandomUuid() {
  uint64_t a = RandomU64(), b = RandomU64();
  a = (a & ~0xf000ull) | 0x4000ull;                 // version 4
  b = (b & ~(3ull << 62)) | (2ull << 62);           // RFC 9562 variant
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08llx-%04llx-%04llx-%04llx-%012llx",
                static_cast<unsigned long long>(a >> 32),
                static_cast<unsigned long long>((a >> 16) & 0xffff),
                static_cast<unsigned long long>(a & 0xffff),
                static_cast<unsigned long long>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

bool SameSettings(const format::SubscriptionEntry& a, const format::SubscriptionEntry& b) {
  return a.raw == b.raw && a.scope == b.scope && a.filter_policy == b.filter_policy &&
         a.redrive_queue == b.redrive_queue;
}

}  // namespace

std::vector<format::SubscriptionEntry> Topics::Impl::EntriesLocked(const TopicState& t) const {
  std::vector<format::SubscriptionEntry> out;
  for (const auto& s : t.subs) out.push_back(s->settings->entry);
  return out;
}

Status Topics::Impl::SaveSubscriptions(const TopicState& t,
                                       const std::vector<format::SubscriptionEntry>& subs) {
  const std::string log_name = LogName(t.name);
  return store->SetLogProps(std::span(&log_name, 1), format::topic_props::kSubscriptions,
                            format::EncodeSubscriptionList(subs));
}

// REQUIRES: mu held (callbacks).
void Topics::Impl::Info(const TopicState& t, const TopicSub& s, SubscriptionInfo* out) const {
  out->id = s.id;
  out->topic = t.name;
  out->config = topics_internal::ConfigOf(s.settings->entry);
  out->created_ms = s.settings->entry.created_ms;
  out->cursor = SeqNo(s.cursor);
  const uint64_t next = t.log->next_seq().value();
  out->backlog = next > s.cursor ? next - s.cursor : 0;
  out->delivered = s.delivered;
  out->filtered = s.filtered;
  out->redriven = s.redriven;
  out->dropped = s.dropped;
  out->expired = s.expired;
  // Whether the callback is registered now, not as the fan-out last saw it: a subscription
  // published to before its fan-out pass ran is waiting as soon as nothing can take it.
  out->waiting = s.settings->entry.protocol == format::SubscriptionProtocolCode::kCallback &&
                 callbacks.count(s.settings->entry.endpoint) == 0;
}

// Checks a subscription's settings for topic t; compiles its policy into *policy.
static Status CheckSubscription(Topics::Impl& m, const TopicConfig& tc,
                                const SubscriptionConfig& c,
                                std::unique_ptr<const FilterPolicy>* policy) {
  const bool fifo = tc.type == TopicType::kFifo;
  if (c.protocol == SubscriptionProtocol::kSqs) {
    QueueConfig qc;
    SEGLOG_RETURN_IF_ERROR(m.queues->GetConfig(c.endpoint, &qc));
    if (!fifo && qc.type == QueueType::kFifo) {
      return Status::InvalidArgument("a standard topic cannot deliver to FIFO queue '" +
                                     c.endpoint + "'");
    }
  } else {
    SEGLOG_RETURN_IF_ERROR(topics_internal::ValidateCallbackName(c.endpoint));
    if (fifo) return Status::InvalidArgument("FIFO topics deliver to queues only");
  }
  if (!c.redrive_queue.empty()) {
    QueueConfig rq;
    SEGLOG_RETURN_IF_ERROR(m.queues->GetConfig(c.redrive_queue, &rq)
                               .WithContext("RedrivePolicy: deadLetterTargetArn"));
    if ((rq.type == QueueType::kFifo) != fifo) {
      return Status::InvalidArgument("RedrivePolicy: the dead-letter queue of a " +
                                     std::string(fifo ? "FIFO" : "standard") +
                                     " topic's subscription must be a " +
                                     (fifo ? "FIFO" : "standard") + " queue");
    }
  }
  policy->reset();
  if (!c.filter_policy.empty()) {
    SEGLOG_RETURN_IF_ERROR(FilterPolicy::Compile(c.filter_policy, c.filter_scope, policy));
  }
  return Status::OK();
}

static format::SubscriptionEntry EntryOf(const SubscriptionConfig& c) {
  format::SubscriptionEntry e;
  e.protocol = c.protocol == SubscriptionProtocol::kSqs ? format::SubscriptionProtocolCode::kSqs
                                                         : format::SubscriptionProtocolCode::kCallback;
  e.endpoint = c.endpoint;
  e.raw = c.raw_delivery;
  e.scope = c.filter_scope == FilterScope::kMessageBody ? format::FilterScopeCode::kMessageBody
                                                         : format::FilterScopeCode::kMessageAttributes;
  e.filter_policy = c.filter_policy;
  e.redrive_queue = c.redrive_queue;
  return e;
}

static size_t PoliciesLocked(const TopicState& t, const std::string& except_id) {
  size_t n = 0;
  for (const auto& s : t.subs) {
    n += s->id != except_id && !s->settings->entry.filter_policy.empty();
  }
  return n;
}

Status Topics::Subscribe(const std::string& topic, const SubscriptionConfig& config,
                         std::string* subscription_id) {
  Impl& m = *impl_;
  std::shared_ptr<TopicState> t;
  SEGLOG_RETURN_IF_ERROR(m.Find(topic, &t));
  if (m.store->read_only()) return Status::ReadOnly("the store is open read-only");
  std::lock_guard<std::mutex> al(m.admin_mu);
  TopicConfig tc;
  {
    std::lock_guard<std::mutex> l(m.mu);
    tc = t->config;
  }
  auto settings = std::make_shared<TopicSub::Settings>();
  SEGLOG_RETURN_IF_ERROR(CheckSubscription(m, tc, config, &settings->policy));
  settings->entry = EntryOf(config);
  std::vector<format::SubscriptionEntry> entries;
  {
    std::lock_guard<std::mutex> l(m.mu);
    if (t->deleted) return Status::NotFound("topic '" + topic + "' was deleted");
    for (const auto& s : t->subs) {
      const format::SubscriptionEntry& e = s->settings->entry;
      if (e.protocol != settings->entry.protocol || e.endpoint != config.endpoint) continue;
      if (!SameSettings(e, settings->entry)) {
        return Status::AlreadyExists("subscription " + e.id +
                                     " to this endpoint exists with other attributes");
      }
      *subscription_id = e.id;
      return Status::OK();
    }
    if (!config.filter_policy.empty() && PoliciesLocked(*t, "") >= kTopicMaxFilterPolicies) {
      return Status::InvalidArgument("the topic has 200 filter policies already");
    }
    entries = m.EntriesLocked(*t);
    bool unique = false;
    while (!unique) {
      settings->entry.key = RandomU64();
      unique = settings->entry.key != 0;
      for (const auto& [name, other] : m.topics) {
        for (const auto& s : other->subs) unique = unique && s->key != settings->entry.key;
      }
    }
  }
  settings->entry.id = RandomUuid();
  settings->entry.created_ms = m.Now();
  auto sub = std::make_shared<TopicSub>();
  sub->key = settings->entry.key;
  sub->id = settings->entry.id;
  sub->topic = topic;
  sub->settings = settings;
  SEGLOG_RETURN_IF_ERROR(m.StartCursor(*t, *sub));
  entries.push_back(settings->entry);
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  if (Status s = m.SaveSubscriptions(*t, entries); !s.ok()) {
    m.CloseCursor(*sub, /*remove=*/true, t->dir);
    return s;
  }
  {
    std::lock_guard<std::mutex> l(m.mu);
    auto at = std::lower_bound(t->subs.begin(), t->subs.end(), sub->id,
                               [](const auto& s, const std::string& id) { return s->id < id; });
    t->subs.insert(at, sub);
  }
  *subscription_id = sub->id;
  return Status::OK();
}

// The topic and subscription of `id` (under mu).
static bool FindSubLocked(Topics::Impl& m, const std::string& id,
                          std::shared_ptr<TopicState>* t, std::shared_ptr<TopicSub>* s) {
  for (const auto& [name, topic] : m.topics) {
    for (const auto& sub : topic->subs) {
      if (sub->id == id) {
        *t = topic;
        *s = sub;
        return true;
      }
    }
  }
  return false;
}

Status Topics::Unsubscribe(const std::string& subscription_id) {
  Impl& m = *impl_;
  SEGLOG_RETURN_IF_ERROR(m.open_status);
  std::lock_guard<std::mutex> al(m.admin_mu);
  std::shared_ptr<TopicState> t;
  std::shared_ptr<TopicSub> sub;
  std::vector<format::SubscriptionEntry> entries;
  {
    std::lock_guard<std::mutex> l(m.mu);
    if (!FindSubLocked(m, subscription_id, &t, &sub)) {
      return Status::NotFound("subscription " + subscription_id + " does not exist");
    }
    for (const auto& s : t->subs) {
      if (s != sub) entries.push_back(s->settings->entry);
    }
  }
  if (m.store->read_only()) return Status::ReadOnly("the store is open read-only");
  SEGLOG_RETURN_IF_ERROR(m.SaveSubscriptions(*t, entries));
  {
    std::lock_guard<std::mutex> l(m.mu);
    sub->removed = true;
    std::erase(t->subs, sub);
  }
  m.CloseCursor(*sub, /*remove=*/true, t->dir);
  m.done_cv.notify_all();
  return Status::OK();
}

Status Topics::ListSubscriptions(const std::string& topic, std::string_view token,
                                 size_t max_results, std::vector<SubscriptionInfo>* out,
                                 std::string* next_token) const {
  SEGLOG_RETURN_IF_ERROR(impl_->open_status);
  if (max_results == 0) return Status::InvalidArgument("max_results must be at least 1");
  const std::string after(token);  // token may view *next_token
  out->clear();
  next_token->clear();
  std::lock_guard<std::mutex> l(impl_->mu);
  if (!topic.empty() && impl_->FindLocked(topic) == nullptr) {
    return Status::NotFound("topic '" + topic + "' does not exist");
  }
  // Pages end after (topic, id): the token is topic + "/" + id (names hold no '/').
  for (const auto& [name, t] : impl_->topics) {
    if (!topic.empty() && name != topic) continue;
    for (const auto& s : t->subs) {
      const std::string at = name + "/" + s->id;
      if (!after.empty() && at <= after) continue;
      if (out->size() == max_results) {
        *next_token = out->back().topic + "/" + out->back().id;
        return Status::OK();
      }
      impl_->Info(*t, *s, &out->emplace_back());
    }
  }
  return Status::OK();
}

Status Topics::GetSubscription(const std::string& subscription_id, SubscriptionInfo* out) const {
  SEGLOG_RETURN_IF_ERROR(impl_->open_status);
  std::lock_guard<std::mutex> l(impl_->mu);
  std::shared_ptr<TopicState> t;
  std::shared_ptr<TopicSub> s;
  if (!FindSubLocked(*impl_, subscription_id, &t, &s)) {
    return Status::NotFound("subscription " + subscription_id + " does not exist");
  }
  impl_->Info(*t, *s, out);
  return Status::OK();
}

Status Topics::SetSubscriptionAttributes(const std::string& subscription_id,
                                         const SubscriptionConfig& config,
                                         SubscriptionFields fields) {
  Impl& m = *impl_;
  SEGLOG_RETURN_IF_ERROR(m.open_status);
  if (fields == 0) return Status::InvalidArgument("no attributes to set");
  if (m.store->read_only()) return Status::ReadOnly("the store is open read-only");
  std::lock_guard<std::mutex> al(m.admin_mu);
  std::shared_ptr<TopicState> t;
  std::shared_ptr<TopicSub> sub;
  TopicConfig tc;
  SubscriptionConfig next;
  {
    std::lock_guard<std::mutex> l(m.mu);
    if (!FindSubLocked(m, subscription_id, &t, &sub)) {
      return Status::NotFound("subscription " + subscription_id + " does not exist");
    }
    tc = t->config;
    next = topics_internal::ConfigOf(sub->settings->entry);
  }
  auto bit = [&](SubscriptionField f) { return (fields & SubscriptionFieldBit(f)) != 0; };
  if (bit(SubscriptionField::kRawDelivery)) next.raw_delivery = config.raw_delivery;
  if (bit(SubscriptionField::kFilterPolicy)) next.filter_policy = config.filter_policy;
  if (bit(SubscriptionField::kFilterScope)) next.filter_scope = config.filter_scope;
  if (bit(SubscriptionField::kRedrivePolicy)) next.redrive_queue = config.redrive_queue;
  auto settings = std::make_shared<TopicSub::Settings>();
  SEGLOG_RETURN_IF_ERROR(CheckSubscription(m, tc, next, &settings->policy));
  std::vector<format::SubscriptionEntry> entries;
  {
    std::lock_guard<std::mutex> l(m.mu);
    if (sub->removed) return Status::NotFound("subscription " + subscription_id + " was removed");
    if (!next.filter_policy.empty() &&
        PoliciesLocked(*t, subscription_id) >= kTopicMaxFilterPolicies) {
      return Status::InvalidArgument("the topic has 200 filter policies already");
    }
    settings->entry = EntryOf(next);
    settings->entry.id = sub->id;
    settings->entry.key = sub->key;
    settings->entry.created_ms = sub->settings->entry.created_ms;
    for (const auto& s : t->subs) entries.push_back(s == sub ? settings->entry : s->settings->entry);
  }
  SEGLOG_RETURN_IF_ERROR(m.SaveSubscriptions(*t, entries));
  {
    std::lock_guard<std::mutex> l(m.mu);
    sub->settings = settings;
  }
  m.work_cv.notify_all();
  return Status::OK();
}

}  // namespace seglog
