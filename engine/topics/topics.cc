// Topics (engine/topics/topics.h): opening and closing, and the topic calls (create, delete,
// list, describe, attributes, tags). Subscriptions, publishing, the fan-out, cursors and
// maintenance live in the other topic_*.cc files (topics_internal.h).
#include "engine/topics/topics.h"

#include <algorithm>

#include "engine/queues/queue_tags.h"
#include "engine/topics/topics_internal.h"

namespace seglog {

using topics_internal::LogName;
namespace tp = format::topic_props;

Topics::Impl::Impl(Store* s, Queues* q, const TopicsOptions& o) : store(s), queues(q), opt(o) {}

Topics::Impl::~Impl() {
  if (maintenance_task != 0) store->scheduler()->Cancel(maintenance_task);
  {
    std::lock_guard<std::mutex> l(mu);
    stop = true;
  }
  work_cv.notify_all();
  for (std::thread& t : threads) t.join();
  if (clock_listener != 0) store->clock()->RemoveListener(clock_listener);
  for (auto& [name, t] : topics) {
    for (auto& s : t->subs) {
      (void)WriteCursor(*s, /*sync=*/true);
      CloseCursor(*s, /*remove=*/false, t->dir);
    }
  }
}

Status Topics::Impl::Open() {
  const format::Catalog cat = store->CatalogSnapshot();
  for (const format::CatalogEntry& e : cat.logs) {
    const std::string* part = format::FindProp(e, tp::kPart);
    if (format::FindProp(e, tp::kTopic) == nullptr || part == nullptr ||
        *part != tp::kPartMessages || e.name.rfind("topic:", 0) != 0) {
      continue;
    }
    std::shared_ptr<TopicState> t;
    SEGLOG_RETURN_IF_ERROR(Load(e, &t));
  }
  // A read-only store fans nothing out (nothing could be delivered).
  const size_t n = store->read_only() ? 0 : std::max<size_t>(1, opt.fanout_threads);
  for (size_t i = 0; i < n; ++i) threads.emplace_back([this, i] { ThreadMain(i); });
  clock_listener = store->clock()->AddListener([this] { Wake(); });
  if (opt.maintenance_interval_ms > 0 && !store->read_only()) {
    maintenance_task = store->scheduler()->Every(
        std::chrono::milliseconds(opt.maintenance_interval_ms), [this] {
          std::vector<std::shared_ptr<TopicState>> all;
          {
            std::lock_guard<std::mutex> l(mu);
            for (auto& [name, t] : topics) all.push_back(t);
          }
          for (auto& t : all) (void)RunRetention(t);
        });
  }
  return Status::OK();
}

std::shared_ptr<TopicState> Topics::Impl::FindLocked(const std::string& name) const {
  auto it = topics.find(name);
  return it == topics.end() ? nullptr : it->second;
}

Status Topics::Impl::Find(const std::string& name, std::shared_ptr<TopicState>* out) const {
  SEGLOG_RETURN_IF_ERROR(open_status);
  std::lock_guard<std::mutex> l(mu);
  *out = FindLocked(name);
  if (*out == nullptr) return Status::NotFound("topic '" + name + "' does not exist");
  return Status::OK();
}

Status Topics::Impl::Load(const format::CatalogEntry& e, std::shared_ptr<TopicState>* out) {
  auto t = std::make_shared<TopicState>();
  t->name = *format::FindProp(e, tp::kTopic);
  t->log_id = e.log_id;
  SEGLOG_RETURN_IF_ERROR(topics_internal::ParseTopicProps(e, &t->config, &t->created_ms));
  SEGLOG_RETURN_IF_ERROR(store->OpenLog(e.name, &t->log));
  uint64_t id = 0;
  SEGLOG_RETURN_IF_ERROR(store->LogInfo(e.name, &id, &t->dir));
  std::vector<format::SubscriptionEntry> subs;
  if (const std::string* text = format::FindProp(e, tp::kSubscriptions);
      text != nullptr && !format::DecodeSubscriptionList(*text, &subs)) {
    return Status::Corruption("topic '" + t->name + "' has a malformed subscription list");
  }
  for (format::SubscriptionEntry& se : subs) {
    auto s = std::make_shared<TopicSub>();
    auto settings = std::make_shared<TopicSub::Settings>();
    if (!se.filter_policy.empty()) {
      const FilterScope scope = topics_internal::ConfigOf(se).filter_scope;
      SEGLOG_RETURN_IF_ERROR(FilterPolicy::Compile(se.filter_policy, scope, &settings->policy)
                                 .WithContext("subscription " + se.id));
    }
    settings->entry = std::move(se);
    s->key = settings->entry.key;
    s->id = settings->entry.id;
    s->settings = std::move(settings);
    s->topic = t->name;
    if (!store->read_only()) SEGLOG_RETURN_IF_ERROR(RecoverCursor(*t, *s));
    t->subs.push_back(std::move(s));
  }
  if (t->config.type == TopicType::kFifo) SEGLOG_RETURN_IF_ERROR(RecoverDedup(*t));
  {
    std::lock_guard<std::mutex> l(mu);
    topics[t->name] = t;
  }
  *out = std::move(t);
  return Status::OK();
}

Status Topics::Impl::EnsureSigner(const Signer** out) {
  std::lock_guard<std::mutex> l(signer_mu);
  if (signer == nullptr) {
    SEGLOG_RETURN_IF_ERROR(Signer::Open(store->dir() + "/topics", !store->read_only(), &signer));
  }
  *out = signer.get();
  return Status::OK();
}

// ---------------------------------------------------------------------------------------

Topics::Topics(Store* store, Queues* queues, const TopicsOptions& opt)
    : impl_(std::make_unique<Impl>(store, queues, opt)) {
  impl_->open_status = impl_->Open();
}

Topics::~Topics() = default;

Status Topics::Create(const std::string& name, const TopicConfig& config, TopicFields compare,
                      const TopicTags& tags) {
  Impl& m = *impl_;
  SEGLOG_RETURN_IF_ERROR(m.open_status);
  SEGLOG_RETURN_IF_ERROR(config.Validate(name));
  SEGLOG_RETURN_IF_ERROR(CheckQueueTags(tags));
  std::lock_guard<std::mutex> al(m.admin_mu);
  std::shared_ptr<TopicState> t;
  if (m.Find(name, &t).ok()) {
    TopicConfig cur;
    {
      std::lock_guard<std::mutex> l(m.mu);
      cur = t->config;
    }
    TopicField f{};
    if (!topics_internal::FirstTopicDifference(cur, config, compare, &f)) return Status::OK();
    return Status::AlreadyExists("topic '" + name + "' already exists with another " +
                                 topics_internal::TopicFieldName(f));
  }
  if (m.store->read_only()) return Status::ReadOnly("the store is open read-only");
  const Signer* signer = nullptr;
  SEGLOG_RETURN_IF_ERROR(m.EnsureSigner(&signer));
  auto props = topics_internal::TopicProps(name, config);
  props.emplace_back(tp::kCreatedMs, std::to_string(m.Now()));
  if (!tags.empty()) props.emplace_back(tp::kTags, EncodeQueueTags(tags));
  Store::LogSpec spec{LogName(name), config.log, std::move(props)};
  SEGLOG_RETURN_IF_ERROR(m.store->CreateLogGroup(std::span(&spec, 1)));
  const format::Catalog cat = m.store->CatalogSnapshot();
  for (const format::CatalogEntry& e : cat.logs) {
    if (e.name == spec.name) return m.Load(e, &t);
  }
  return Status::Corruption("topic '" + name + "' vanished from the catalog");
}

Status Topics::Delete(const std::string& name) {
  Impl& m = *impl_;
  std::lock_guard<std::mutex> al(m.admin_mu);
  std::shared_ptr<TopicState> t;
  SEGLOG_RETURN_IF_ERROR(m.Find(name, &t));
  if (m.store->read_only()) return Status::ReadOnly("the store is open read-only");
  {
    std::unique_lock<std::mutex> l(m.mu);
    t->deleted = true;
    for (auto& s : t->subs) s->removed = true;
    m.topics.erase(name);
    m.done_cv.wait(l, [&] { return t->readers == 0; });
  }
  for (auto& s : t->subs) m.CloseCursor(*s, /*remove=*/false, t->dir);
  m.done_cv.notify_all();
  const std::string log_name = LogName(name);
  return m.store->DropLogGroup(std::span(&log_name, 1));
}

Status Topics::List(std::string_view token, size_t max_results, std::vector<std::string>* names,
                    std::string* next_token) const {
  SEGLOG_RETURN_IF_ERROR(impl_->open_status);
  if (max_results == 0) return Status::InvalidArgument("max_results must be at least 1");
  const std::string after(token);  // token may view *next_token
  names->clear();
  next_token->clear();
  std::lock_guard<std::mutex> l(impl_->mu);
  auto it = after.empty() ? impl_->topics.begin() : impl_->topics.upper_bound(after);
  for (; it != impl_->topics.end(); ++it) {
    if (names->size() == max_results) {
      *next_token = names->back();
      break;
    }
    names->push_back(it->first);
  }
  return Status::OK();
}

Status Topics::Describe(const std::string& name, TopicDescription* out) const {
  std::shared_ptr<TopicState> t;
  SEGLOG_RETURN_IF_ERROR(impl_->Find(name, &t));
  TopicDescription d;
  d.name = name;
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    d.config = t->config;
    d.subscriptions = t->subs.size();
  }
  d.created_ms = t->created_ms;
  d.messages = t->log->next_seq().value() - t->log->first_seq().value();
  for (const SegmentInfo& seg : t->log->Segments()) d.log_bytes += seg.bytes;
  *out = std::move(d);
  return Status::OK();
}

Status Topics::SetAttributes(const std::string& name, const TopicConfig& config,
                             TopicFields fields) {
  Impl& m = *impl_;
  if (fields == 0) return Status::InvalidArgument("no attributes to set");
  std::lock_guard<std::mutex> al(m.admin_mu);
  std::shared_ptr<TopicState> t;
  SEGLOG_RETURN_IF_ERROR(m.Find(name, &t));
  if (m.store->read_only()) return Status::ReadOnly("the store is open read-only");
  TopicConfig next;
  {
    std::lock_guard<std::mutex> l(m.mu);
    next = t->config;
  }
  constexpr TopicFields kFixed =
      TopicFieldBit(TopicField::kType) | TopicFieldBit(TopicField::kLimits) |
      TopicFieldBit(TopicField::kDurability) | TopicFieldBit(TopicField::kSyncInterval) |
      TopicFieldBit(TopicField::kSegmentSize);
  TopicField f{};
  if (topics_internal::FirstTopicDifference(next, config, fields & kFixed, &f)) {
    return Status::InvalidArgument(std::string(topics_internal::TopicFieldName(f)) +
                                   " is fixed when the topic is created");
  }
  if (fields & TopicFieldBit(TopicField::kDisplayName)) next.display_name = config.display_name;
  if (fields & TopicFieldBit(TopicField::kContentBasedDedup)) {
    next.content_based_dedup = config.content_based_dedup;
  }
  if (fields & TopicFieldBit(TopicField::kSignatureVersion)) {
    next.signature_version = config.signature_version;
  }
  if (fields & TopicFieldBit(TopicField::kRetention)) next.retention_s = config.retention_s;
  SEGLOG_RETURN_IF_ERROR(next.Validate(name));
  const std::string log_name = LogName(name);
  const auto props = topics_internal::TopicProps(name, next);
  SEGLOG_RETURN_IF_ERROR(m.store->SetLogProps(std::span(&log_name, 1), props));
  std::lock_guard<std::mutex> l(m.mu);
  t->config = next;
  return Status::OK();
}

namespace {
Status ReadTags(Store* store, const std::string& name, TopicTags* out) {
  const format::Catalog cat = store->CatalogSnapshot();
  for (const format::CatalogEntry& e : cat.logs) {
    if (e.name != LogName(name)) continue;
    out->clear();
    const std::string* text = format::FindProp(e, tp::kTags);
    if (text != nullptr && !DecodeQueueTags(*text, out).ok()) {
      return Status::Corruption("topic '" + name + "' has malformed tags");
    }
    return Status::OK();
  }
  return Status::NotFound("topic '" + name + "' does not exist");
}
}  // namespace

Status Topics::Tag(const std::string& name, const TopicTags& tags) {
  std::lock_guard<std::mutex> al(impl_->admin_mu);
  std::shared_ptr<TopicState> t;
  SEGLOG_RETURN_IF_ERROR(impl_->Find(name, &t));
  TopicTags cur;
  SEGLOG_RETURN_IF_ERROR(ReadTags(impl_->store, name, &cur));
  for (const auto& [k, v] : tags) cur[k] = v;
  SEGLOG_RETURN_IF_ERROR(CheckQueueTags(cur));
  const std::string log_name = LogName(name);
  return impl_->store->SetLogProps(std::span(&log_name, 1), tp::kTags, EncodeQueueTags(cur));
}

Status Topics::Untag(const std::string& name, std::span<const std::string> keys) {
  std::lock_guard<std::mutex> al(impl_->admin_mu);
  std::shared_ptr<TopicState> t;
  SEGLOG_RETURN_IF_ERROR(impl_->Find(name, &t));
  for (const std::string& k : keys) SEGLOG_RETURN_IF_ERROR(CheckQueueTagKey(k));
  TopicTags cur;
  SEGLOG_RETURN_IF_ERROR(ReadTags(impl_->store, name, &cur));
  for (const std::string& k : keys) cur.erase(k);
  const std::string log_name = LogName(name);
  return impl_->store->SetLogProps(std::span(&log_name, 1), tp::kTags, EncodeQueueTags(cur));
}

Status Topics::ListTags(const std::string& name, TopicTags* out) const {
  SEGLOG_RETURN_IF_ERROR(impl_->open_status);
  return ReadTags(impl_->store, name, out);
}

Status Topics::SigningCertificate(std::string* pem) const {
  const Signer* signer = nullptr;
  SEGLOG_RETURN_IF_ERROR(impl_->EnsureSigner(&signer));
  *pem = signer->certificate_pem();
  return Status::OK();
}

}  // namespace seglog
