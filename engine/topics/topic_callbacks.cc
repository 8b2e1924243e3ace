// Topics: callback subscriptions (SPEC.md Part VII, "Callbacks"): registration, and serving a
// callback subscription one message at a time on its topic's fan-out thread, with no lock
// held during the call. A false return is retried on SNS's schedule (CallbackRetryDelayMs)
// measured on the store's clock: a retry that is not due yet leaves the subscription aside
// (the thread serves others) until it is; past callback_max_attempts the message goes to the
// redrive queue or is dropped. At-least-once: the cursor moves after the call returns.
#include "engine/topics/topic_fanout.h"

namespace seglog {

Status Topics::RegisterCallback(const std::string& name, DeliveryCallback fn) {
  SEGLOG_RETURN_IF_ERROR(topics_internal::ValidateCallbackName(name));
  if (!fn) return Status::InvalidArgument("callback '" + name + "' is an empty function");
  auto slot = std::make_shared<Impl::CallbackSlot>();
  slot->fn = std::move(fn);
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    impl_->callbacks[name] = std::move(slot);
  }
  impl_->work_cv.notify_all();
  return Status::OK();
}

Status Topics::UnregisterCallback(const std::string& name) {
  std::unique_lock<std::mutex> l(impl_->mu);
  auto it = impl_->callbacks.find(name);
  if (it == impl_->callbacks.end()) {
    return Status::NotFound("callback '" + name + "' is not registered");
  }
  std::shared_ptr<Impl::CallbackSlot> slot = it->second;
  impl_->callbacks.erase(it);
  impl_->done_cv.wait(l, [&] { return slot->running == 0; });
  return Status::OK();
}

void Topics::Impl::ServeCallback(const FanoutContext& ctx, TopicSub& s,
                                 const TopicSub::Settings& st) {
  uint64_t cursor = 0;
  {
    std::lock_guard<std::mutex> l(mu);
    cursor = s.cursor;
  }
  for (FanoutMessage& m : ctx.msgs) {
    if (m.seq < cursor) continue;
    if (!Matches(st, m)) {
      {
        std::lock_guard<std::mutex> l(mu);
        ++s.filtered;
      }
      Advance(s, m.seq + 1);
      continue;
    }
    const NotificationSource src = m.Source(ctx.topic_arn);
    std::string body;
    if (st.entry.raw) {
      body = MessageFor(src, "callback");
    } else {
      const std::string sub_arn = ctx.topic_arn + ":" + st.entry.id;
      const EnvelopeUrls urls{opt.signing_cert_url, opt.unsubscribe_url, sub_arn};
      body = BuildEnvelope(src, MessageFor(src, "callback"), urls, ctx.signer,
                           ctx.config.signature_version);
    }
    for (;;) {
      std::shared_ptr<CallbackSlot> slot;
      uint32_t attempt = 1;
      {
        std::lock_guard<std::mutex> l(mu);
        auto it = callbacks.find(st.entry.endpoint);
        if (it == callbacks.end() || s.removed) {
          s.waiting = it == callbacks.end();
          return;
        }
        slot = it->second;
        ++slot->running;
        attempt = s.attempt;
      }
      CallbackDelivery d;
      d.topic = ctx.topic.name;
      d.subscription_id = st.entry.id;
      d.message_id = m.message_id;
      d.body = body;
      d.subject = m.header.subject;
      d.attributes = m.header.attributes;
      d.published = TimestampMs(m.header.published_ms);
      d.attempt = attempt;
      const bool ok = slot->fn(d);
      int64_t delay = 0;
      {
        std::lock_guard<std::mutex> l(mu);
        --slot->running;
        if (ok) {
          s.attempt = 1;
          ++s.delivered;
        } else {
          delay = CallbackRetryDelayMs(attempt + 1, opt.callback_max_attempts);
          s.attempt = delay < 0 ? 1 : attempt + 1;
          if (delay > 0) s.retry_at_ms = Now() + delay;
        }
      }
      done_cv.notify_all();
      if (ok) break;
      if (delay < 0) {
        Redrive(ctx, s, st, m, "callback");
        break;
      }
      if (delay > 0) return;  // the thread serves others until the retry is due
    }
    Advance(s, m.seq + 1);
  }
}

}  // namespace seglog
