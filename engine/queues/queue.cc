#include "engine/queues/queue.h"
#include "engine/queues/dedup_key.h"
#include "engine/queues/queue_internal.h"

#include <algorithm>
#include <cassert>
#include <atomic>
#include <chrono>
#include <random>
#include <shared_mutex>
#include <utility>

#include "engine/log/clock.h"
#include "engine/log/digest.h"
#include "engine/log/log.h"
#include "engine/log/writer_first_lock.h"
#include "engine/queues/delete_index.h"
#include "engine/queues/delivery_state.h"
#include "engine/queues/message_iterators.h"
#include "engine/queues/message_shape.h"
#include "engine/queues/queue_receipt.h"
#include "engine/queues/queue_tags.h"
#include "engine/queues/queue_validate.h"
#include "format/catalog_format.h"

namespace seglog {

using queue_internal::AsBytes;
using queue_internal::AsChars;
using queue_internal::JournalLogName;
using queue_internal::MessagesLogName;

namespace {

namespace qp = format::queue_props;
constexpr const char* kQueueProp = qp::kQueue;
constexpr const char* kPartProp = qp::kPart;
constexpr const char* kTypeProp = qp::kType;
constexpr const char* kVisibilityProp = qp::kVisibility;
constexpr const char* kDelayProp = qp::kDelay;
constexpr const char* kRetentionProp = qp::kRetention;
constexpr const char* kMaxBytesProp = qp::kMaxBytes;
constexpr const char* kWaitProp = qp::kWait;
constexpr const char* kContentDedupProp = qp::kContentDedup;
constexpr const char* kDlqProp = qp::kDeadLetterQueue;
constexpr const char* kMaxReceiveProp = qp::kMaxReceiveCount;

}  // namespace

Status QueueConfig::Validate(std::string_view name) const {
  SEGLOG_RETURN_IF_ERROR(ValidateQueueLimits(*this, name));
  if (!dead_letter_queue.empty()) {
    SEGLOG_RETURN_IF_ERROR(ValidateName("dead-letter queue", dead_letter_queue));
  }
  SEGLOG_RETURN_IF_ERROR(ValidateDeadLetterSettings(*this, name));
  SEGLOG_RETURN_IF_ERROR(ValidateFifoThroughput(*this));
  return log.Validate();
}

// ---------------------------------------------------------------------------------------
// Queue: waking waiters around the delivery state

// Each FIFO group that became able to deliver can satisfy one waiting receiver.
void Queues::Queue::WakeGroupsLocked() {
  const size_t n = state_.TakeWakeups();
  if (n == 0) return;
  ++wake_gen_;
  if (!wakes_.empty()) CollectWakesLocked(n);
  for (size_t k = n; k > 0 && receivers_waiting_ > 0; --k) cv.notify_one();
}

// Applies sends in id order (see DeliveryState::PublishBatch).
void Queues::Queue::PublishLocked(uint64_t first, std::vector<Publish> msgs, int64_t now) {
  const size_t published = state_.PublishBatch(first, std::move(msgs), now);
  WakeGroupsLocked();
  if (published > 0) {
    ++wake_gen_;
    if (!wakes_.empty()) CollectWakesLocked(published);
  }
  ArmWakeTimerLocked();  // a delayed message's timer
  // Each new message can satisfy at least one waiting receiver: wake that many, not all of
  // them (a herd of receivers finding nothing costs more than the send).
  if (published >= receivers_waiting_) {
    if (published > 0) cv.notify_all();
  } else {
    for (size_t k = 0; k < published; ++k) cv.notify_one();
  }
}

void Queues::Queue::ProcessTimersLocked(int64_t now) {
  const bool any = state_.ProcessTimers(now);
  WakeGroupsLocked();
  if (any) {
    ++wake_gen_;
    WakeAllLocked();
    cv.notify_all();
  }
  ArmWakeTimerLocked();
}

// Makes picked messages visible again at once (a receive that could not complete).
void Queues::Queue::ReleaseLocked(std::span<const Pick> picks) {
  const bool any = state_.Release(picks, Now());
  WakeGroupsLocked();
  if (any) {
    ++wake_gen_;
    WakeAllLocked();
    cv.notify_all();
  }
}

// A receipt of this queue whose message was published (or a legacy one: see queue_receipt.h).
Status Queues::Queue::DecodeReceipt(std::string_view r, QueueReceipt* out) const {
  if (!QueueReceipt::Decode(r, log_id_, out) ||
      (!out->legacy && out->id >= state_.published_end())) {
    return Status::InvalidArgument("receipt handle '" + std::string(r.substr(0, 64)) +
                                   "' is not one of queue '" + name + "'");
  }
  return Status::OK();
}

// The first id whose message is not expired at `now` (from the log's time index).
Status Queues::Queue::CutoffSeq(int64_t now, uint64_t* cut) {
  const int64_t t = now - static_cast<int64_t>(config()->retention_s) * 1000;
  std::unique_ptr<LogIterator> it;
  SEGLOG_RETURN_IF_ERROR(log->NewIteratorAtTime(TimestampMs(t), &it));
  RecordView r;
  Status s = it->Next(&r);
  if (s.ok()) {
    *cut = r.seq.value();
  } else if (s.IsNoMore()) {
    // Nothing at or after t: everything is older only if the newest record says so (a log
    // caught mid-roll must not expire what it holds).
    const LogStats st = log->Stats();
    *cut = st.max_ts.value() < t ? st.next_seq.value() : 0;  // 0: expires nothing
  } else {
    return s;
  }
  return Status::OK();
}

Status Queues::Queue::Expire() {
  uint64_t cut = 0;
  SEGLOG_RETURN_IF_ERROR(CutoffSeq(Now(), &cut));
  std::lock_guard<std::mutex> l(mu);
  state_.ExpireBelow(cut);
  WakeGroupsLocked();
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// Queues

Queues::Queues(Store* store, const QueuesOptions& opt) : store_(store), opt_(opt) {
  wake_timers_.reset(NewWakeTimers(store_->clock()));
  clock_listener_ = store_->clock()->AddListener([this] {
    // The clock jumped: wake every waiter so that it looks at the new time.
    WakeEveryQueue(/*closing=*/false);
  });
  if (opt_.maintenance_interval_ms > 0 && !store_->read_only()) {
    // Errors surface to the queue's own callers.
    maintenance_task_ = store_->scheduler()->Every(
        std::chrono::milliseconds(opt_.maintenance_interval_ms),
        [this] { (void)RunMaintenance(); });
  }
}

Queues::~Queues() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
  }
  WakeEveryQueue(/*closing=*/true);  // ends long polls and wake registrations
  if (maintenance_task_ != 0) store_->scheduler()->Cancel(maintenance_task_);  // waits for a pass
  StopWakeTimers();
  store_->clock()->RemoveListener(clock_listener_);
}

void Queues::Interrupt() {
  interrupted_.store(true);
  WakeEveryQueue(/*closing=*/false);
}

// Wakes every waiting receive and calls every wake registration (their owners look again and
// see the new time, the interruption, or the close), with no lock held while the wakes run.
void Queues::WakeEveryQueue(bool closing) {
  std::vector<std::shared_ptr<Queue>> qs;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& [n, q] : open_) {
      std::lock_guard<std::mutex> ql(q->mu);
      if (closing) q->closing = true;
      q->cv.notify_all();
      q->WakeAllLocked();
      qs.push_back(q);
    }
  }
  for (auto& q : qs) q->FireWakes();
}

std::vector<std::string> Queues::List() const {
  std::vector<std::string> out;
  for (const auto& e : store_->CatalogSnapshot().logs) {
    const std::string* q = format::FindProp(e, kQueueProp);
    const std::string* part = format::FindProp(e, kPartProp);
    if (q != nullptr && part != nullptr && *part == qp::kPartMessages) out.push_back(*q);
  }
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

// The catalog properties of a queue's message log: its type, settings and creation time.
std::vector<std::pair<std::string, std::string>> QueueProps(const std::string& name,
                                                            const QueueConfig& config,
                                                            int64_t now_ms) {
  const bool fifo = config.type == QueueType::kFifo;
  std::vector<std::pair<std::string, std::string>> props = {
      {kQueueProp, name},
      {kPartProp, qp::kPartMessages},
      {kTypeProp, fifo ? qp::kTypeFifo : qp::kTypeStandard},
  };
  for (auto& p : QueueFieldProps(config, QueueFields::All())) {
    // Absent means allowAll: a queue created with the default has the catalog entry 0.2.0 wrote.
    if (p.first == qp::kRedriveAllow && config.redrive_allow == RedriveAllowPolicy{}) continue;
    props.push_back(std::move(p));
  }
  props.emplace_back(qp::kCreatedMs, std::to_string(now_ms));
  props.emplace_back(qp::kLastModifiedMs, std::to_string(now_ms));
  return props;
}

// The settings QueueProps wrote; false when one is missing or malformed.
bool ParseQueueProps(const format::CatalogEntry& entry, QueueConfig* c) {
  const std::string* type = format::FindProp(entry, kTypeProp);
  const std::string* cd = format::FindProp(entry, kContentDedupProp);
  const std::string* dlq = format::FindProp(entry, kDlqProp);
  if (type == nullptr || (*type != qp::kTypeFifo && *type != qp::kTypeStandard) || cd == nullptr ||
      dlq == nullptr ||
      !format::ParsePropU32(format::FindProp(entry, kVisibilityProp), &c->visibility_timeout_s) ||
      !format::ParsePropU32(format::FindProp(entry, kDelayProp), &c->delay_s) ||
      !format::ParsePropU32(format::FindProp(entry, kRetentionProp), &c->retention_s) ||
      !format::ParsePropU32(format::FindProp(entry, kMaxBytesProp), &c->max_message_bytes) ||
      !format::ParsePropU32(format::FindProp(entry, kWaitProp), &c->receive_wait_s) ||
      !format::ParsePropU32(format::FindProp(entry, kMaxReceiveProp), &c->max_receive_count)) {
    return false;
  }
  c->type = *type == qp::kTypeFifo ? QueueType::kFifo : QueueType::kStandard;
  c->content_based_dedup = *cd == "1";
  c->dead_letter_queue = *dlq;
  if (const std::string* allow = format::FindProp(entry, qp::kRedriveAllow);
      allow != nullptr && !ParseRedriveAllow(*allow, &c->redrive_allow)) {
    return false;
  }
  return ParseFifoThroughputProps(entry.props, c);
}

}  // namespace

// The catalog entry of queue `name`'s message log; null when there is none.
const format::CatalogEntry* Queues::FindQueueEntry(const format::Catalog& cat,
                                                    const std::string& name) {
  const std::string log_name = MessagesLogName(name);
  for (const auto& e : cat.logs) {
    if (e.name == log_name) return &e;
  }
  return nullptr;
}

Status Queues::CheckDeadLetterQueue(const std::string& source, const QueueConfig& config,
                                    bool check_dlq) {
  SEGLOG_RETURN_IF_ERROR(ValidateRedriveAllow(config.redrive_allow));
  const std::string& dlq_name = config.dead_letter_queue;
  if (!check_dlq || dlq_name.empty()) return Status::OK();
  std::shared_ptr<Queue> dlq;
  Status s = Find(dlq_name, &dlq);
  if (s.code() == StatusCode::kNotFound) {
    return Status::InvalidArgument("dead-letter queue '" + dlq_name + "' does not exist");
  }
  SEGLOG_RETURN_IF_ERROR(s);
  if (dlq->type != config.type) {
    return Status::InvalidArgument("a FIFO queue's dead-letter queue must be FIFO, a standard "
                                   "queue's standard");
  }
  // The dead-letter queue's allow policy as it is now; a later change of it leaves this
  // policy in place (SQS).
  return CheckRedriveAllowed(dlq->config()->redrive_allow, source, dlq_name);
}

Status Queues::Create(const std::string& name, const QueueConfig& config, QueueFields compare) {
  return Create(name, config, compare, QueueTags{});
}

// The tags go into the message log's properties: the queue and its tags are one catalog write.
Status Queues::Create(const std::string& name, const QueueConfig& config, QueueFields compare,
                      const QueueTags& tags) {
  SEGLOG_RETURN_IF_ERROR(ValidateName("queue", name));
  SEGLOG_RETURN_IF_ERROR(config.Validate(name));
  SEGLOG_RETURN_IF_ERROR(CheckQueueTags(tags));
  if (store_->read_only()) return Status::ReadOnly("the store is open read-only");
  std::lock_guard<std::mutex> cl(create_mu_);
  std::shared_ptr<Queue> existing;
  if (Status s = Find(name, &existing); s.ok()) {
    // SQS: the same name with the same attributes is the same queue.
    const std::shared_ptr<const QueueConfig> cur = existing->config();
    QueueField f{};
    if (!FirstDifference(*cur, config, compare, &f)) return Status::OK();
    return Status::AlreadyExists("queue '" + name + "' already exists with " +
                                 QueueFieldName(f) + " " + QueueFieldValue(*cur, f) + ", not " +
                                 QueueFieldValue(config, f));
  } else if (s.code() != StatusCode::kNotFound) {
    return s;
  }
  const int64_t now = store_->clock()->NowMs().value();
  if (recently_deleted_.Contains(name, now)) {
    return Status::DeletedRecently("queue '" + name + "' was deleted less than 60 seconds ago; "
                                   "wait before creating it again");
  }
  SEGLOG_RETURN_IF_ERROR(CheckDeadLetterQueue(name, config, /*check_dlq=*/true));
  LogOptions journal_opt = config.log;
  journal_opt.segment_size = std::min<uint64_t>(config.log.segment_size, 8ull << 20);
  journal_opt.compress_min_bytes = 0;
  auto message_props = QueueProps(name, config, now);
  // Absent means relaxed: stores written before profiles existed read unchanged.
  if (config.limits == Limits::kAws) message_props.emplace_back(kLimitsProp, kLimitsAws);
  if (!tags.empty()) message_props.emplace_back(kTagsProp, EncodeQueueTags(tags));
  Store::LogSpec specs[2] = {
      {MessagesLogName(name), config.log, std::move(message_props)},
      {JournalLogName(name), journal_opt, {{kQueueProp, name}, {kPartProp, qp::kPartJournal}}},
  };
  Status s = store_->CreateLogGroup(specs);
  if (s.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists("queue '" + name + "' already exists");
  }
  return s;
}

Status Queues::Find(const std::string& name, std::shared_ptr<Queue>* out) {
  SEGLOG_RETURN_IF_ERROR(ValidateName("queue", name));
  std::lock_guard<std::mutex> l(mu_);
  if (stop_) return Status::Closed("queues are closed");
  if (auto it = open_.find(name); it != open_.end()) {
    *out = it->second;
    return Status::OK();
  }
  const format::Catalog cat = store_->CatalogSnapshot();
  const format::CatalogEntry* entry = FindQueueEntry(cat, name);
  if (entry == nullptr) return Status::NotFound("queue '" + name + "' does not exist");
  QueueConfig c;
  int64_t created = 0, modified = 0;
  if (!ParseQueueProps(*entry, &c) || !ParseQueueTimes(entry->props, &created, &modified)) {
    return Status::Corruption("queue '" + name + "' has malformed settings in the catalog");
  }
  SEGLOG_RETURN_IF_ERROR(LogOptionsFromProps(entry->props, &c.log));
  SEGLOG_RETURN_IF_ERROR(LimitsFromProp(format::FindProp(*entry, kLimitsProp), &c.limits)
                             .WithContext("queue '" + name + "'"));
  auto q = std::make_shared<Queue>(this, name, c, entry->log_id, store_->clock());
  q->created_ms = created;
  q->last_modified_ms.store(modified);
  SEGLOG_RETURN_IF_ERROR(store_->OpenLog(MessagesLogName(name), &q->log));
  SEGLOG_RETURN_IF_ERROR(store_->OpenLog(JournalLogName(name), &q->journal));
  SEGLOG_RETURN_IF_ERROR(DeleteIndex::Open(q->journal, store_->file_system(), &q->del,
                                           store_->space_reserve()));
  SEGLOG_RETURN_IF_ERROR(q->Recover().WithContext("recovering queue '" + name + "'"));
  open_.emplace(name, q);
  *out = std::move(q);
  return Status::OK();
}

// Rebuilds the in-memory state: live = [first unexpired id, next) minus the deleted ones;
// delays from the records of the last 15 minutes; FIFO groups from the live records' keys and
// dedup ids from every record of the last 5 minutes (expired, deleted and purged ones too:
// Maintain, Compact and RemovePurged keep those segments); in flight: the live messages whose
// journaled visibility deadline is still ahead.
Status Queues::Queue::Recover() {
  const int64_t now = Now();
  const uint64_t first = log->first_seq().value();
  const uint64_t next = log->next_seq().value();
  uint64_t cut = 0;
  SEGLOG_RETURN_IF_ERROR(CutoffSeq(now, &cut));
  cut = std::max(cut, first);
  del->ForgetBelow(SeqNo(first));
  std::unique_ptr<LogIterator> it;
  if (fifo()) {
    // From the first record of the dedup window, when it is older than the retention cut.
    uint64_t from = cut;
    SEGLOG_RETURN_IF_ERROR(log->NewIteratorAtTime(TimestampMs(now - kQueueDedupWindowMs), &it));
    RecordView r;
    Status s = it->Next(&r);
    if (s.ok()) {
      from = std::max(first, std::min(cut, r.seq.value()));
    } else if (!s.IsNoMore()) {
      return s;
    }
    SEGLOG_RETURN_IF_ERROR(log->NewIterator(SeqNo(from), &it));
  } else {
    SEGLOG_RETURN_IF_ERROR(log->NewIteratorAtTime(
        TimestampMs(now - static_cast<int64_t>(kQueueMaxDelayS) * 1000), &it));
  }
  std::unordered_map<uint64_t, format::ReceiveState> in_flight;
  for (const auto& [id, st] : del->InFlightAt(now)) {
    if (id >= cut && st.count > 0) in_flight.emplace(id, st);
  }
  std::lock_guard<std::mutex> l(mu);
  state_.Reset(cut, next, del->DeletedCopy());
  RecordView r;
  Status s;
  while ((s = it->Next(&r)).ok()) {
    format::QueueMessageHeader h;
    SEGLOG_RETURN_IF_ERROR(format::DecodeQueueMessageHeader(r.attrs, &h).WithContext(
        "message " + std::to_string(r.seq.value())));
    const uint64_t id = r.seq.value();
    if (fifo() && h.has_dedup_id && !h.moved && r.ts.value() + kQueueDedupWindowMs > now) {
      state_.RecoverDedup(DedupKey(config()->dedup_scope, AsChars(r.key), h.dedup_id), id,
                          r.ts.value() + kQueueDedupWindowMs);
    }
    if (!state_.IsLive(id)) continue;
    const int64_t due = r.ts.value() + static_cast<int64_t>(h.delay_s) * 1000;
    state_.RecoverMessage(id, AsChars(r.key), due, now);
    if (fifo()) {
      if (auto f = in_flight.find(id); f != in_flight.end()) {
        state_.RecoverInFlight(id, AsChars(r.key), f->second);
      }
    }
  }
  if (!s.IsNoMore()) return s;
  if (!fifo()) {
    for (const auto& [id, st] : in_flight) {
      if (state_.IsLive(id)) state_.RecoverInFlight(id, {}, st);
    }
  }
  state_.FinishRecovery(cut);
  state_.TakeWakeups();  // nobody waits yet
  assert(state_.CheckInvariants().ok());
  return Status::OK();
}

Status Queues::Delete(const std::string& name) {
  std::shared_ptr<Queue> q;
  SEGLOG_RETURN_IF_ERROR(Find(name, &q));
  std::lock_guard<std::mutex> cl(create_mu_);
  {
    std::lock_guard<std::mutex> ql(q->mu);
    q->dropped = true;  // ends long polls
    q->cv.notify_all();
    q->dedup_cv.notify_all();
    q->WakeAllLocked();
  }
  q->FireWakes();
  Status s;
  {
    // Waits for every call in progress on the queue; later ones find it deleted (it stays in
    // open_ until its logs are gone, so no call reopens it from the catalog meanwhile).
    std::unique_lock<WriterFirstLock> ol(q->op_mu);
    if (q->del == nullptr) return Status::NotFound("queue '" + name + "' does not exist");
    q->del.reset();
    q->iters.Drop();  // before their log goes
    const std::string names[2] = {MessagesLogName(name), JournalLogName(name)};
    s = store_->DropLogGroup(names);
  }
  if (s.ok() && q->config()->limits == Limits::kAws) {
    recently_deleted_.Add(name, store_->clock()->NowMs().value());  // SQS QueueDeletedRecently
  }
  std::lock_guard<std::mutex> l(mu_);
  open_.erase(name);
  return s;
}

// ---------------------------------------------------------------------------------------
// Queue: deletes, visibility, purge, stats

namespace {
// A receipt that names a receive other than its message's latest.
Status StaleReceipt(const QueueReceipt& rc) {
  if (rc.legacy) {
    return Status::Stale("receipt handle for message " + std::to_string(rc.id) +
                         " was issued before an upgrade and names no receive any more (the "
                         "message is delivered again when its visibility timeout ends)");
  }
  return Status::Stale("message " + std::to_string(rc.id) +
                       " was received again since this receipt was issued");
}
}  // namespace

Status Queues::Queue::DeleteMessages(std::span<const std::string_view> receipts,
                                     std::vector<Status>* results) {
  const size_t n = receipts.size();
  if (n == 0 || n > kQueueMaxBatch) {
    return Status::InvalidArgument("a delete batch holds 1 to 10 receipts, got " +
                                   std::to_string(n));
  }
  results->assign(n, Status::OK());
  std::vector<QueueReceipt> p(n);
  std::vector<bool> valid(n);
  for (size_t i = 0; i < n; ++i) {
    (*results)[i] = DecodeReceipt(receipts[i], &p[i]);
    valid[i] = (*results)[i].ok();
  }
  std::vector<SeqNo> ids;
  std::vector<size_t> which;
  ids.reserve(n);
  which.reserve(n);
  {
    std::lock_guard<std::mutex> l(mu);
    for (size_t i = 0; i < n; ++i) {
      if (!valid[i]) continue;
      const uint64_t id = p[i].id;
      if (std::find(ids.begin(), ids.end(), SeqNo(id)) != ids.end()) continue;
      switch (state_.ForgetByReceipt(id, p[i].count, p[i].received_ms)) {
        case DeliveryState::ReceiptMatch::kReceivedAgain:
          (*results)[i] = StaleReceipt(p[i]);
          continue;
        case DeliveryState::ReceiptMatch::kNothingToDo:
          continue;
        case DeliveryState::ReceiptMatch::kForgotten:
          break;
      }
      ids.push_back(SeqNo(id));
      which.push_back(i);
    }
    WakeGroupsLocked();
  }
  if (ids.empty()) return Status::OK();
  Status s = del->Delete(ids);
  if (!s.ok()) {
    for (size_t i : which) (*results)[i] = s;
    return Status::OK();
  }
  std::lock_guard<std::mutex> l(mu);
  for (SeqNo id : ids) state_.RemoveLive(id.value());
  return Status::OK();
}

Status Queues::Queue::ChangeVisibility(std::string_view receipt, uint32_t timeout_s) {
  SEGLOG_RETURN_IF_ERROR(CheckVisibilityTimeout(timeout_s));
  QueueReceipt rc;
  SEGLOG_RETURN_IF_ERROR(DecodeReceipt(receipt, &rc));
  std::lock_guard<std::mutex> vl(vis_mu_);
  std::vector<std::pair<SeqNo, format::ReceiveState>> journal_states;
  {
    std::lock_guard<std::mutex> l(mu);
    const int64_t now = Now();
    SEGLOG_RETURN_IF_ERROR(ChangeVisibilityLocked(rc, timeout_s, now, &journal_states));
    if (timeout_s == 0) ProcessTimersLocked(now);
  }
  // Durable before it returns. (A failed write leaves the change in effect until a restart.)
  return del->SetReceiveStates(journal_states);
}

Status Queues::Queue::CheckVisibilityTimeout(uint32_t timeout_s) {
  if (timeout_s > kQueueMaxVisibilityS) {
    return Status::InvalidArgument("visibility timeout must be 0 to 43200 seconds, got " +
                                   std::to_string(timeout_s));
  }
  return Status::OK();
}

Status Queues::Queue::ChangeVisibilityLocked(
    const QueueReceipt& rc, uint32_t timeout_s, int64_t now,
    std::vector<std::pair<SeqNo, format::ReceiveState>>* journal_states) {
  const int64_t due = now + 1000ll * timeout_s;
  format::ReceiveState changed;
  switch (state_.ChangeVisibility(rc.id, rc.count, rc.received_ms, due, &changed)) {
    case DeliveryState::VisibilityChange::kReceivedAgain:
      return StaleReceipt(rc);
    case DeliveryState::VisibilityChange::kNotInFlight:
      return Status::Stale("message " + std::to_string(rc.id) + " is not in flight (deleted, or "
                           "its visibility timeout ran out)");
    case DeliveryState::VisibilityChange::kPastMaximum:
      return Status::InvalidArgument("the visibility timeout would end more than 12 hours after "
                                     "the message was received");
    case DeliveryState::VisibilityChange::kChanged:
      journal_states->emplace_back(SeqNo(rc.id), changed);
      break;
  }
  ArmWakeTimerLocked();  // the new timeout may end before any armed timer
  return Status::OK();
}

Status Queues::Queue::Purge() {
  uint64_t hi = 0;
  {
    std::lock_guard<std::mutex> l(mu);
    hi = state_.published_end();  // every published id is below; sends still being written stay
  }
  const uint64_t lo = log->first_seq().value();
  // Journal first: if that fails nothing changed. Receives racing the purge may still get a
  // message below hi (as SQS's purge, it takes effect as it goes).
  if (lo < hi) SEGLOG_RETURN_IF_ERROR(del->DeleteRange(SeqNo(lo), SeqNo(hi)));
  {
    std::lock_guard<std::mutex> l(mu);
    state_.ExpireBelow(hi);  // drops every id below hi from memory, in flight or not
    WakeGroupsLocked();
    assert(state_.CheckInvariants().ok());
  }
  // The space comes back now, not at the next compaction: on a full disk that is the point.
  return lo < hi ? RemovePurged(hi) : Status::OK();
}

Status Queues::Queue::RemovePurged(uint64_t hi) {
  const int64_t now = Now();
  uint64_t below = 0;
  for (const SegmentInfo& sg : log->Segments()) {
    if (!sg.sealed || !sg.status.ok() || sg.last_seq.value() >= hi) break;
    if (fifo() && sg.max_ts.value() + kQueueDedupWindowMs > now) break;  // dedup reads them
    below = sg.last_seq.value() + 1;
  }
  if (below == 0) return Status::OK();
  iters.Drop();  // an idle one would keep a removed segment mapped
  // Under interval/none the purge's journal record must be durable before its records go.
  SEGLOG_RETURN_IF_ERROR(journal->Sync());
  size_t n = 0;
  Status s = log->RemoveSegmentsBefore(SeqNo(below), &n);
  if (n > 0) owner_->store_->RefillReserve();
  return s;
}

Status Queues::Queue::Stats(QueueStats* out) {
  SEGLOG_RETURN_IF_ERROR(Expire());
  const int64_t now = Now();
  QueueStats st;
  uint64_t oldest = 0;
  bool any = false;
  {
    std::lock_guard<std::mutex> l(mu);
    ProcessTimersLocked(now);
    const uint64_t live_n = state_.live_count();
    st.in_flight = state_.in_flight();
    st.delayed = state_.delayed_count();
    st.visible = live_n > st.in_flight + st.delayed ? live_n - st.in_flight - st.delayed : 0;
    st.groups = state_.nonempty_groups();
    any = state_.OldestLive(&oldest);
  }
  if (any) {
    std::unique_ptr<LogIterator> it;
    SEGLOG_RETURN_IF_ERROR(log->NewIterator(SeqNo(oldest), &it));
    RecordView r;
    Status s = it->Next(&r);
    if (s.ok()) st.oldest_age_ms = std::max<int64_t>(0, now - r.ts.value());
  }
  st.deleted_ids = del->deleted_count();
  st.bitmap_bytes = del->bitmap_bytes();
  const LogStats ls = log->Stats();
  st.log_bytes = ls.bytes;
  st.log_segments = ls.segments;
  st.journal_bytes = journal->Stats().bytes;
  *out = st;
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// Queues: the public calls

// Every call on one queue: finds it, fires the wakes the call collected when it returns
// (after op_lock is released: the guard is destroyed last), and holds op_mu shared.
namespace {
struct FireWakesOnExit {
  Queues::Queue* q;
  ~FireWakesOnExit() { q->FireWakes(); }
};
}  // namespace
#define SEGLOG_QUEUE_OP(name_expr)                                                 \
  std::shared_ptr<Queue> q;                                                        \
  SEGLOG_RETURN_IF_ERROR(Find(name_expr, &q));                                     \
  FireWakesOnExit fire_wakes_on_exit{q.get()};                                     \
  std::shared_lock<WriterFirstLock> op_lock(q->op_mu);                             \
  if (q->del == nullptr)                                                           \
  return Status::NotFound("queue '" + std::string(name_expr) + "' was deleted")

// A call that changes a queue (even when it would find nothing to change, as a receive of an
// empty queue): ReadOnly on a read-only store.
#define SEGLOG_QUEUE_WRITE_OP(name_expr)                                           \
  SEGLOG_QUEUE_OP(name_expr);                                                      \
  if (store_->read_only()) return Status::ReadOnly("the store is open read-only")

Status Queues::Stats(const std::string& name, QueueStats* out) {
  SEGLOG_QUEUE_OP(name);
  return q->Stats(out);
}

Status Queues::GetConfig(const std::string& name, QueueConfig* out) {
  SEGLOG_QUEUE_OP(name);
  *out = *q->config();
  return Status::OK();
}

Status Queues::Describe(const std::string& name, QueueDescription* out) {
  SEGLOG_QUEUE_OP(name);
  QueueDescription d;
  d.name = name;
  d.config = *q->config();
  d.created_ms = q->created_ms;
  d.last_modified_ms = q->last_modified_ms.load();
  SEGLOG_RETURN_IF_ERROR(q->Stats(&d.stats));
  // Receives deliver such a queue's messages as if it had no redrive policy (queue_receive.cc
  // moves only to a queue that exists), until a queue of that name exists again.
  d.dead_letter_queue_missing =
      !d.config.dead_letter_queue.empty() &&
      FindQueueEntry(store_->CatalogSnapshot(), d.config.dead_letter_queue) == nullptr;
  *out = std::move(d);
  return Status::OK();
}

Status Queues::Send(const std::string& name, const SendEntry& entry, SendResult* result,
                    Report report) {
  SEGLOG_QUEUE_WRITE_OP(name);
  std::vector<SendResult> r;
  SEGLOG_RETURN_IF_ERROR(q->Send(std::span<const SendEntry>(&entry, 1), &r));
  if (report == Report::kSqs) q->Identify(std::span<const SendEntry>(&entry, 1), &r);
  *result = std::move(r[0]);
  return Status::OK();
}

Status Queues::SendBatch(const std::string& name, std::span<const SendEntry> entries,
                         std::vector<SendResult>* results, Report report) {
  SEGLOG_QUEUE_WRITE_OP(name);
  SEGLOG_RETURN_IF_ERROR(q->Send(entries, results));
  if (report == Report::kSqs) q->Identify(entries, results);
  return Status::OK();
}

Status Queues::SendBatchEntries(const std::string& name, std::span<const std::string_view> ids,
                                std::span<const SendEntry> entries,
                                std::vector<SendResult>* results,
                                std::vector<BatchEntryOutcome>* outcomes) {
  SEGLOG_QUEUE_WRITE_OP(name);
  return q->SendEntries(ids, entries, results, outcomes);
}

Status Queues::Receive(const std::string& name, const ReceiveOptions& opt,
                       std::vector<ReceivedMessage>* out) {
  SEGLOG_QUEUE_WRITE_OP(name);
  return q->Receive(opt, out);
}

Status Queues::TryReceive(const std::string& name, const ReceiveOptions& opt,
                          std::vector<ReceivedMessage>* out, WakeFn wake, uint64_t* ticket) {
  *ticket = 0;
  SEGLOG_QUEUE_WRITE_OP(name);
  return q->TryReceive(opt, out, std::move(wake), ticket);
}

bool Queues::CancelWake(const std::string& name, uint64_t ticket) {
  std::shared_ptr<Queue> q;
  if (!Find(name, &q).ok()) return false;
  return q->CancelWake(ticket);
}

Status Queues::DeleteMessage(const std::string& name, std::string_view receipt) {
  SEGLOG_QUEUE_WRITE_OP(name);
  std::vector<Status> r;
  SEGLOG_RETURN_IF_ERROR(q->DeleteMessages(std::span<const std::string_view>(&receipt, 1), &r));
  return r[0];
}

Status Queues::DeleteMessageBatch(const std::string& name,
                                  std::span<const std::string_view> receipts,
                                  std::vector<Status>* results) {
  SEGLOG_QUEUE_WRITE_OP(name);
  return q->DeleteMessages(receipts, results);
}

Status Queues::ChangeVisibility(const std::string& name, std::string_view receipt,
                                uint32_t timeout_s) {
  SEGLOG_QUEUE_WRITE_OP(name);
  return q->ChangeVisibility(receipt, timeout_s);
}

Status Queues::DeleteMessageBatch(const std::string& name, std::span<const std::string_view> ids,
                                  std::span<const std::string_view> receipts,
                                  std::vector<BatchEntryOutcome>* out) {
  SEGLOG_RETURN_IF_ERROR(CheckBatch(ids, receipts.size()));
  SEGLOG_QUEUE_WRITE_OP(name);
  return q->DeleteEntries(receipts, out);
}

Status Queues::ChangeVisibilityBatch(const std::string& name,
                                     std::span<const std::string_view> ids,
                                     std::span<const std::string_view> receipts,
                                     std::span<const uint32_t> timeouts_s,
                                     std::vector<BatchEntryOutcome>* out) {
  SEGLOG_RETURN_IF_ERROR(CheckBatch(ids, receipts.size()));
  if (timeouts_s.size() != ids.size()) {
    return Status::InvalidArgument("a visibility batch needs one timeout per entry: " +
                                   std::to_string(ids.size()) + " ids, " +
                                   std::to_string(timeouts_s.size()) + " timeouts");
  }
  SEGLOG_QUEUE_WRITE_OP(name);
  return q->ChangeVisibilityEntries(receipts, timeouts_s, out);
}

Status Queues::Purge(const std::string& name) {
  SEGLOG_QUEUE_WRITE_OP(name);
  // SQS: one purge per queue per 60 s (PurgeQueueInProgress), under the aws profile only.
  if (q->config()->limits == Limits::kAws) {
    const int64_t now = store_->clock()->NowMs().value();
    int64_t last = q->last_purge_ms.load();
    do {
      if (now - last < kQueuePurgeIntervalMs) {
        return Status::Busy("PurgeQueueInProgress: queue '" + name + "' was purged " +
                            std::to_string((now - last) / 1000) +
                            " s ago; only one purge is allowed per 60 seconds");
      }
    } while (!q->last_purge_ms.compare_exchange_weak(last, now));
  }
  return q->Purge();
}

Status Queues::Redrive(const std::string& dlq, const std::string& target, size_t max_messages,
                       size_t* moved) {
  size_t dummy = 0;
  if (moved == nullptr) moved = &dummy;
  *moved = 0;
  if (!target.empty()) SEGLOG_RETURN_IF_ERROR(ValidateName("queue", target));
  SEGLOG_QUEUE_WRITE_OP(dlq);
  return q->Redrive(target, max_messages, moved);
}

Status Queues::Compact(const std::string& name, size_t* rewritten, size_t* removed) {
  SEGLOG_QUEUE_OP(name);
  return q->Compact(rewritten, removed);
}

Status Queues::SnapshotDeletes(const std::string& name) {
  SEGLOG_QUEUE_OP(name);
  q->del->ForgetBelow(q->log->first_seq());
  return q->del->Snapshot();
}

Status Queues::RunMaintenance() {
  if (store_->read_only()) return Status::OK();
  Status first;
  for (const std::string& name : List()) {
    std::shared_ptr<Queue> q;
    Status s = Find(name, &q);
    if (s.ok()) {
      std::shared_lock<WriterFirstLock> op_lock(q->op_mu);
      if (q->del != nullptr) s = q->Maintain(opt_);
      op_lock.unlock();
      q->FireWakes();
    }
    if (!s.ok() && s.code() != StatusCode::kNotFound && first.ok()) first = s;
  }
  return first;
}

#undef SEGLOG_QUEUE_OP
#undef SEGLOG_QUEUE_WRITE_OP

}  // namespace seglog
