// Topics: the fan-out (SPEC.md Part VII, "Fan-out"). Each topic is served by one of the
// fan-out threads; a pass reads up to kReadBatch messages from the lowest cursor among the
// subscriptions that can take messages now, builds each message's filter subjects once, and
// serves every such subscription from its own cursor: queue subscriptions through
// Queues::Deliver (one tagged append per run of deliverable messages), callbacks one message
// at a time with SNS's retry schedule (topic_callbacks.cc).
#include <atomic>
#include <thread>

#include "engine/queues/message_identity.h"
#include "engine/topics/topic_fanout.h"

namespace seglog {

using topics_internal::AsBytes;
using topics_internal::AsChars;

namespace {
constexpr size_t kReadBatch = 256;
constexpr size_t kReadBytes = 1 << 20;
constexpr int64_t kHoldMs = 1000;  // a failed queue write is retried after this
}  // namespace

const FilterSubject& FanoutMessage::Subject(FilterScope scope) {
  if (scope == FilterScope::kMessageBody) {
    if (!by_body) by_body = FilterSubject::OfBody(value);
    return *by_body;
  }
  if (!by_attrs) by_attrs = FilterSubject::OfAttributes(header.attributes);
  return *by_attrs;
}

NotificationSource FanoutMessage::Source(std::string_view topic_arn) const {
  NotificationSource src;
  src.topic_arn = topic_arn;
  src.message_id = message_id;
  src.subject = header.subject;
  src.message = value;
  src.json_structure = header.json_structure;
  src.attributes = header.attributes;
  src.published = TimestampMs(header.published_ms);
  src.group_id = key;
  src.sequence_number = sequence_number;
  return src;
}

bool Matches(const TopicSub::Settings& st, FanoutMessage& m) {
  if (st.policy == nullptr) return true;
  return st.policy->Matches(m.Subject(st.policy->scope()));
}

void SignAhead(const FanoutContext& ctx,
               std::span<const std::shared_ptr<const TopicSub::Settings>> subs) {
  std::vector<FanoutMessage*> todo;
  for (FanoutMessage& m : ctx.msgs) {
    for (const auto& st : subs) {
      if (st->entry.protocol != format::SubscriptionProtocolCode::kSqs || st->entry.raw) continue;
      if (Matches(*st, m)) {
        todo.push_back(&m);
        break;
      }
    }
  }
  if (todo.size() < 2) return;  // one signature: as cheap inline
  const size_t threads =
      std::min<size_t>(todo.size(), std::max<size_t>(1, std::thread::hardware_concurrency()));
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < todo.size(); i = next.fetch_add(1)) {
      FanoutMessage& m = *todo[i];
      const NotificationSource src = m.Source(ctx.topic_arn);
      m.sqs_signature = NotificationSignature(src, MessageFor(src, "sqs"), ctx.signer,
                                              ctx.config.signature_version);
    }
  };
  std::vector<std::thread> helpers;
  for (size_t i = 1; i < threads; ++i) helpers.emplace_back(work);
  work();
  for (std::thread& h : helpers) h.join();
}

void Topics::Impl::ThreadMain(size_t index) {
  const size_t n = std::max<size_t>(1, opt.fanout_threads);
  std::unique_lock<std::mutex> l(mu);
  while (!stop) {
    const int64_t now = Now();
    int64_t next_due = INT64_MAX;
    std::vector<std::shared_ptr<TopicState>> mine;
    for (auto& [name, t] : topics) {
      if (t->log_id % n != index) continue;
      if (ReadySubsLocked(*t, now, &next_due, nullptr)) mine.push_back(t);
    }
    if (mine.empty()) {
      const int64_t wait_ms = next_due == INT64_MAX ? 1000 : std::clamp<int64_t>(next_due - now, 1, 1000);
      work_cv.wait_for(l, std::chrono::milliseconds(wait_ms));
      continue;
    }
    l.unlock();
    for (const auto& t : mine) Serve(t);
    l.lock();
  }
}

// The subscriptions of t that can take a message now (into *ready when not null); *next_due:
// the earliest retry or hold time among those that cannot yet.
bool Topics::Impl::ReadySubsLocked(TopicState& t, int64_t now, int64_t* next_due,
                                   std::vector<std::shared_ptr<TopicSub>>* ready) {
  if (t.deleted) return false;
  const uint64_t next = t.log->next_seq().value();
  bool any = false;
  for (const auto& s : t.subs) {
    if (s->removed || s->cursor >= next) continue;
    if (s->settings->entry.protocol == format::SubscriptionProtocolCode::kCallback) {
      s->waiting = callbacks.count(s->settings->entry.endpoint) == 0;
      if (s->waiting) continue;
    }
    const int64_t due = std::max(s->retry_at_ms, s->hold_until_ms);
    if (due > now) {
      *next_due = std::min(*next_due, due);
      continue;
    }
    any = true;
    if (ready == nullptr) return true;
    ready->push_back(s);
  }
  return any;
}

Status Topics::Impl::ReadMessages(TopicState& t, uint64_t from, std::vector<FanoutMessage>* out) {
  std::unique_ptr<LogIterator> it;
  SEGLOG_RETURN_IF_ERROR(t.log->NewIterator(SeqNo(from), &it));
  out->reserve(kReadBatch);
  size_t bytes = 0;
  RecordView r;
  while (out->size() < kReadBatch && bytes < kReadBytes) {
    Status s = it->Next(&r);
    if (s.code() == StatusCode::kNoMore) break;
    SEGLOG_RETURN_IF_ERROR(s);
    FanoutMessage& m = out->emplace_back();
    m.seq = r.seq.value();
    m.key.assign(AsChars(r.key));
    m.value.assign(AsChars(r.value));
    m.attrs.assign(AsChars(r.attrs));
    bytes += r.key.size() + r.value.size() + r.attrs.size();
  }
  // The strings no longer move: the headers' views into attrs stay valid.
  for (FanoutMessage& m : *out) {
    SEGLOG_RETURN_IF_ERROR(format::DecodeTopicMessageHeader(AsBytes(m.attrs), &m.header)
                               .WithContext("topic '" + t.name + "' message " +
                                            std::to_string(m.seq)));
    m.message_id = MessageIdFor(t.log_id, m.seq);
    if (t.config.type == TopicType::kFifo) m.sequence_number = SequenceNumberFor(m.seq);
  }
  return Status::OK();
}

bool Topics::Impl::Serve(const std::shared_ptr<TopicState>& t) {
  std::vector<std::shared_ptr<TopicSub>> ready;
  std::vector<std::shared_ptr<const TopicSub::Settings>> settings;
  uint64_t from = UINT64_MAX;
  {
    std::lock_guard<std::mutex> l(mu);
    int64_t due = INT64_MAX;
    if (!ReadySubsLocked(*t, Now(), &due, &ready)) return false;
    for (const auto& s : ready) {
      from = std::min(from, s->cursor);
      settings.push_back(s->settings);
    }
    ++t->readers;
  }
  std::vector<FanoutMessage> msgs;
  const Status rs = ReadMessages(*t, from, &msgs);
  const uint64_t first_kept = t->log->first_seq().value();
  {
    std::lock_guard<std::mutex> l(mu);
    --t->readers;
    if (!rs.ok()) {
      for (const auto& s : ready) s->hold_until_ms = Now() + kHoldMs;
    }
    // Retention removed what a lagging subscription had not taken: it skips it.
    const uint64_t avail = msgs.empty() ? first_kept : msgs.front().seq;
    for (const auto& s : ready) {
      if (rs.ok() && s->cursor < avail) {
        s->expired += avail - s->cursor;
        s->cursor = avail;
      }
    }
  }
  done_cv.notify_all();
  if (!rs.ok() || msgs.empty()) return false;
  const std::string topic_arn = opt.arn_prefix + t->name;
  TopicConfig config;
  {
    std::lock_guard<std::mutex> l(mu);
    config = t->config;
  }
  const Signer* sig = nullptr;
  if (!EnsureSigner(&sig).ok()) {  // an unreadable key: retried later, cursors held
    std::lock_guard<std::mutex> l(mu);
    for (const auto& s : ready) s->hold_until_ms = Now() + kHoldMs;
    return false;
  }
  FanoutContext ctx{*t, config, topic_arn, *sig, msgs};
  SignAhead(ctx, settings);
  for (size_t i = 0; i < ready.size(); ++i) {
    if (settings[i]->entry.protocol == format::SubscriptionProtocolCode::kSqs) {
      ServeQueue(ctx, *ready[i], *settings[i]);
    } else {
      ServeCallback(ctx, *ready[i], *settings[i]);
    }
    (void)WriteCursor(*ready[i], /*sync=*/false);
  }
  done_cv.notify_all();
  return true;
}

// What queue subscription `st` gets for message m: the envelope, or raw the message and its
// attributes. False: undeliverable raw (too many attributes for a queue).
bool Topics::Impl::BuildDelivery(const FanoutContext& ctx, const TopicSub::Settings& st,
                                 const FanoutMessage& m, std::string_view protocol_key,
                                 std::string* body,
                                 std::vector<format::MessageAttribute>* attrs) const {
  const NotificationSource src = m.Source(ctx.topic_arn);
  attrs->clear();
  if (st.entry.raw) {
    *body = MessageFor(src, protocol_key);
    // MessageStructure=json: no attributes go with a raw delivery (SNS).
    if (m.header.json_structure) return true;
    return RawQueueAttributes(m.header.attributes, attrs).ok();
  }
  const std::string sub_arn = ctx.topic_arn + ":" + st.entry.id;
  const EnvelopeUrls urls{opt.signing_cert_url, opt.unsubscribe_url, sub_arn};
  if (protocol_key == "sqs" && !m.sqs_signature.empty()) {
    *body = BuildEnvelopeWithSignature(src, MessageFor(src, protocol_key), urls, m.sqs_signature,
                                       ctx.config.signature_version);
  } else {
    *body = BuildEnvelope(src, MessageFor(src, protocol_key), urls, ctx.signer,
                          ctx.config.signature_version);
  }
  return true;
}

// Sends what subscription s could not take of message m to its redrive queue (SNS's DLQ
// message: notification.h BuildDeadLetter), or drops it. Tagged as a delivery.
void Topics::Impl::Redrive(const FanoutContext& ctx, TopicSub& s, const TopicSub::Settings& st,
                           const FanoutMessage& m, std::string_view protocol_key) {
  bool ok = false;
  if (!st.entry.redrive_queue.empty()) {
    const NotificationSource src = m.Source(ctx.topic_arn);
    const std::string sub_arn = ctx.topic_arn + ":" + st.entry.id;
    const EnvelopeUrls urls{opt.signing_cert_url, opt.unsubscribe_url, sub_arn};
    const DeadLetterMessage dl =
        BuildDeadLetter(src, MessageFor(src, protocol_key), st.entry.raw, urls, ctx.signer,
                        ctx.config.signature_version);
    SendEntry e;
    e.body = AsBytes(dl.body);
    if (!m.header.json_structure) e.attributes = dl.attributes;
    e.group_id = m.key;
    e.dedup_id = m.header.dedup_id;
    const format::TopicOrigin origin{s.key, m.seq};
    std::vector<SendResult> results;
    ok = queues->Deliver(st.entry.redrive_queue, std::span(&e, 1), std::span(&origin, 1),
                         &results).ok();
  }
  std::lock_guard<std::mutex> l(mu);
  (ok ? s.redriven : s.dropped) += 1;
}

}  // namespace seglog
