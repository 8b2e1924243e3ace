// Queues: changing a queue's settings (SQS SetQueueAttributes) and listing queues a page at a
// time (SQS ListQueues). The rules are queue_attributes.h's; SPEC.md 16.8 states them.
#include "engine/queues/queue_attributes.h"
#include "engine/queues/queue_internal.h"

namespace seglog {

using queue_internal::MessagesLogName;

Status Queues::SetAttributes(const std::string& name, const QueueConfig& config,
                             QueueFields fields) {
  if (fields.empty()) return Status::InvalidArgument("no attributes to set");
  SEGLOG_RETURN_IF_ERROR(ValidateName("queue", name));
  if (store_->read_only()) return Status::ReadOnly("the store is open read-only");
  // Under create_mu_: no Delete, Create or other SetAttributes meanwhile (the dead-letter
  // queue checked stays; two changes do not interleave their catalog writes and swaps).
  std::lock_guard<std::mutex> cl(create_mu_);
  std::shared_ptr<Queue> q;
  SEGLOG_RETURN_IF_ERROR(Find(name, &q));
  std::shared_lock<WriterFirstLock> op_lock(q->op_mu);
  if (q->del == nullptr) return Status::NotFound("queue '" + name + "' was deleted");
  QueueConfig next;
  SEGLOG_RETURN_IF_ERROR(MergeQueueConfig(*q->config(), config, fields, &next));
  SEGLOG_RETURN_IF_ERROR(next.Validate(name));
  // The redrive policy is checked against its dead-letter queue when it is set; the allow
  // policy is checked for its own rules (changing it leaves other queues' policies alone).
  SEGLOG_RETURN_IF_ERROR(
      CheckDeadLetterQueue(name, next, fields.Has(QueueField::kRedrivePolicy)));
  // Durable first, in one catalog write; then live. A failed write changes nothing.
  const int64_t now = store_->clock()->NowMs().value();
  std::vector<std::pair<std::string, std::string>> props = QueueFieldProps(next, fields);
  props.emplace_back(format::queue_props::kLastModifiedMs, std::to_string(now));
  const std::string log_name = MessagesLogName(name);
  SEGLOG_RETURN_IF_ERROR(store_->SetLogProps(std::span<const std::string>(&log_name, 1), props));
  q->SetConfig(std::make_shared<const QueueConfig>(std::move(next)));
  q->last_modified_ms.store(now);
  return Status::OK();
}

Status Queues::List(std::string_view prefix, size_t max_results, std::string_view token,
                    std::vector<std::string>* names, std::string* next_token) const {
  SEGLOG_RETURN_IF_ERROR(ValidateListPrefix(prefix));
  if (max_results < 1 || max_results > kQueueListMaxResults) {
    return Status::InvalidArgument("max_results must be 1 to 1000, got " +
                                   std::to_string(max_results));
  }
  std::string after;
  if (!token.empty()) SEGLOG_RETURN_IF_ERROR(DecodeListToken(token, prefix, &after));
  const std::vector<std::string> all = List();  // sorted
  auto it = token.empty() ? std::lower_bound(all.begin(), all.end(), prefix)
                          : std::upper_bound(all.begin(), all.end(), after);
  std::vector<std::string> page;
  for (; it != all.end() && it->compare(0, prefix.size(), prefix) == 0; ++it) {
    if (page.size() == max_results) break;
    page.push_back(*it);
  }
  const bool more = it != all.end() && it->compare(0, prefix.size(), prefix) == 0;
  *next_token = more ? EncodeListToken(prefix, page.back()) : std::string();
  *names = std::move(page);
  return Status::OK();
}

}  // namespace seglog
