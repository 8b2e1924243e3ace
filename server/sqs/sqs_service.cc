// SqsService: dispatch, error answers, request size limits, and ReceiveMessage's long polls.
//
// A long poll is a Poll: a small state machine under its own mutex that makes sure `done` is
// called exactly once whatever races (the engine's wake, the deadline timer, Shutdown):
//   kAttempting  a TryReceive runs (the first one in Call, later ones on a worker)
//   kRegistered  TryReceive found nothing and registered `ticket`; waiting for wake or deadline
//   kWakePosted  the wake fired; a retry is posted on the Executor
//   kDone        answered (whoever moved it here calls Finish, once)
// A wake that fires while the attempt that registered it still runs sets `woken` (the attempt
// retries at once); a deadline or Shutdown that comes while an attempt runs sets `expired`
// (the attempt answers what it got, withdrawing its registration if it got nothing). A fired
// wake that ends up unused is passed on by CancelWake, as Queues::TryReceive asks.
//
// Durability: the adapter keeps nothing durable (a poll lives in memory; the engine keeps the
// messages). Shutdown answers every poll (a retry already posted finds it answered), so an
// Executor::Stop after it drops no answer.
#include "server/sqs/sqs_service.h"

#include <unordered_map>

#include "server/sqs/sqs_internal.h"

namespace seglog::server {

using nlohmann::json;
using sqs::SqsError;

namespace {

ServiceOutcome ErrorOutcome(const ServiceError& e) {
  ServiceOutcome o;
  o.error = e;
  return o;
}

ServiceOutcome Answer(json output) {
  ServiceOutcome o;
  o.output = std::move(output);
  return o;
}

// Runs `f` (which returns the ServiceOutcome) turning every exception into SQS's error.
template <class F>
ServiceOutcome Guarded(F&& f) {
  try {
    return f();
  } catch (const SqsError& e) {
    return ErrorOutcome(e.error());
  } catch (const json::exception& e) {
    return ServiceOutcome::Error(400, "InvalidParameterValue",
                                 std::string("A parameter has the wrong type: ") + e.what());
  } catch (const std::exception& e) {
    return ServiceOutcome::Error(500, "InternalError", e.what(), false);
  }
}

}  // namespace

struct SqsService::Impl : std::enable_shared_from_this<SqsService::Impl> {
  enum class State { kAttempting, kRegistered, kWakePosted, kDone };
  struct Poll {
    sqs::ReceiveRequest req;
    ServiceDone done;
    std::mutex mu;
    State state = State::kAttempting;
    bool woken = false;
    bool expired = false;
    uint64_t ticket = 0;
    Executor::TimerId timer = 0;
  };
  using PollPtr = std::shared_ptr<Poll>;

  Queues* queues;
  Executor* executor;
  SqsServiceOptions opt;
  std::mutex reg_mu;
  std::unordered_map<Poll*, PollPtr> polls;  // guarded by reg_mu
  bool shut_down = false;                    // guarded by reg_mu

  // The outcome of a call, or nullopt when a long poll took `done` over.
  std::optional<ServiceOutcome> Run(ServiceCall& call, ServiceDone& done) {
    sqs::ActionEnv env{queues, opt.limits, opt.durability, call.ctx};
    static const json kEmpty = json::object();
    const json& in = call.input.is_null() ? kEmpty : call.input;  // no copy of the input
    if (!in.is_object()) sqs::FailValue("The request's input must be a structure.");
    if (call.action == "ReceiveMessage") return Receive(env, in, done);
    if (sqs::SyncAction f = sqs::FindSyncAction(call.action)) return Answer(f(env, in));
    if (sqs::IsUnsupportedAction(call.action)) {
      sqs::Fail("UnsupportedOperation", "seglog does not support " + call.action + " yet.");
    }
    sqs::Fail("InvalidAction", "The action " + call.action + " is not valid for this web service.");
  }

  std::optional<ServiceOutcome> Receive(const sqs::ActionEnv& env, const json& in,
                                        ServiceDone& done) {
    sqs::ReceiveRequest req = sqs::ParseReceive(env, in);
    if (req.wait_s <= 0) {
      std::vector<ReceivedMessage> out;
      uint64_t ticket = 0;
      Status s = queues->TryReceive(req.queue, req.Options(), &out, nullptr, &ticket);
      if (s.code() == StatusCode::kCanceled) return Answer(json::object());
      sqs::Check(s);
      if (out.empty()) sqs::CheckOverLimit(env, req.queue);
      return Answer(sqs::RenderReceive(req, out));
    }
    auto p = std::make_shared<Poll>();
    p->req = std::move(req);
    p->done = std::move(done);
    StartPoll(p);
    return std::nullopt;
  }

  void StartPoll(const PollPtr& p) {
    {
      std::lock_guard<std::mutex> l(reg_mu);
      if (!shut_down) polls.emplace(p.get(), p);
    }
    if (!Registered(p)) {  // after Shutdown: answered at once
      p->state = State::kDone;
      p->done(Answer(json::object()));
      return;
    }
    auto self = shared_from_this();
    const Executor::TimerId timer = executor->After(
        std::chrono::seconds(p->req.wait_s), [self, p] { self->Expire(p); });
    {
      std::lock_guard<std::mutex> l(p->mu);
      p->timer = timer;
    }
    Attempt(p);
  }

  bool Registered(const PollPtr& p) {
    std::lock_guard<std::mutex> l(reg_mu);
    return polls.count(p.get()) != 0;
  }

  Queues::WakeFn MakeWake(const PollPtr& p) {
    std::weak_ptr<Impl> weak = weak_from_this();
    return [weak, p] {
      auto self = weak.lock();
      if (!self) return;
      bool post = false;
      {
        std::lock_guard<std::mutex> l(p->mu);
        if (p->state == State::kRegistered) {
          p->state = State::kWakePosted;
          post = true;
        } else if (p->state == State::kAttempting) {
          p->woken = true;
        }
      }
      if (post) self->executor->Post([self, p] { self->OnWake(p); });
    };
  }

  // One or more TryReceives until the poll is answered or registered. REQUIRES: kAttempting.
  void Attempt(const PollPtr& p) {
    for (;;) {
      std::vector<ReceivedMessage> out;
      uint64_t ticket = 0;
      Status s = queues->TryReceive(p->req.queue, p->req.Options(), &out, MakeWake(p), &ticket);
      std::unique_lock<std::mutex> l(p->mu);
      if (!s.ok() || !out.empty() || ticket == 0 || p->expired) {
        p->state = State::kDone;
        l.unlock();
        if (ticket != 0) queues->CancelWake(p->req.queue, ticket);
        Finish(p, Outcome(p, s, out));
        return;
      }
      if (p->woken) {  // the wake of this very registration already fired: try again
        p->woken = false;
        continue;
      }
      p->state = State::kRegistered;
      p->ticket = ticket;
      return;
    }
  }

  ServiceOutcome Outcome(const PollPtr& p, const Status& s,
                         const std::vector<ReceivedMessage>& out) {
    return Guarded([&] {
      if (s.code() == StatusCode::kCanceled) return Answer(json::object());
      sqs::Check(s);
      return Answer(sqs::RenderReceive(p->req, out));
    });
  }

  void OnWake(const PollPtr& p) {
    {
      std::lock_guard<std::mutex> l(p->mu);
      if (p->state != State::kWakePosted) return;  // answered meanwhile
      p->state = State::kAttempting;
    }
    Attempt(p);
  }

  // The deadline passed, or Shutdown: answer empty now, or let the running attempt do it.
  void Expire(const PollPtr& p) {
    uint64_t ticket = 0;
    {
      std::lock_guard<std::mutex> l(p->mu);
      p->expired = true;
      if (p->state != State::kRegistered && p->state != State::kWakePosted) return;
      p->state = State::kDone;
      ticket = p->ticket;
    }
    queues->CancelWake(p->req.queue, ticket);  // a wake that fired is passed on
    Finish(p, Answer(json::object()));
  }

  // REQUIRES: the caller moved p to kDone.
  void Finish(const PollPtr& p, ServiceOutcome outcome) {
    Executor::TimerId timer;
    {
      std::lock_guard<std::mutex> l(p->mu);
      timer = p->timer;
    }
    if (timer != 0) executor->Cancel(timer);
    {
      std::lock_guard<std::mutex> l(reg_mu);
      polls.erase(p.get());
    }
    ServiceDone done = std::move(p->done);
    done(std::move(outcome));
  }

  void Shutdown() {
    std::vector<PollPtr> waiting;
    {
      std::lock_guard<std::mutex> l(reg_mu);
      shut_down = true;
      for (auto& [ptr, p] : polls) waiting.push_back(p);
    }
    for (const PollPtr& p : waiting) Expire(p);
  }
};

SqsService::SqsService(Queues* queues, Executor* executor, SqsServiceOptions opt)
    : impl_(std::make_shared<Impl>()) {
  impl_->queues = queues;
  impl_->executor = executor;
  impl_->opt = opt;
}

SqsService::~SqsService() { Shutdown(); }

void SqsService::Call(ServiceCall call, ServiceDone done) {
  bool async = false;  // a long poll took `done` over
  ServiceOutcome outcome = Guarded([&]() -> ServiceOutcome {
    auto r = impl_->Run(call, done);
    if (!r) {
      async = true;
      return ServiceOutcome();
    }
    return std::move(*r);
  });
  if (!async) done(std::move(outcome));
}

void SqsService::Shutdown() { impl_->Shutdown(); }

size_t SqsService::MaxRequestBytes(std::string_view action) const {
  // A body and its attributes are at most 1 MiB under every limits profile (and so is a whole
  // send batch). JSON may escape every byte as \u00XX (6x), and a Binary attribute's value
  // travels as base64 (4/3) that JSON may escape too (8x); the Query protocol's form encoding
  // takes at most 3x (4x for base64). Ids, group and dedup ids, trace headers (not counted in
  // the 1 MiB) and member names come on top: 64 KiB per message.
  constexpr size_t kMessageWire = 8 * size_t{kQueueMaxMessageBytes};
  if (action == "SendMessage") return kMessageWire + (64 << 10);
  if (action == "SendMessageBatch") return kMessageWire + kQueueMaxBatch * (64 << 10);
  if (action == "ReceiveMessage" || sqs::FindSyncAction(action) != nullptr ||
      sqs::IsUnsupportedAction(action)) {
    return 64 << 10;
  }
  return 0;
}

}  // namespace seglog::server
