// Topics: Publish and PublishBatch (validate -> FIFO dedup -> one append -> wake the fan-out),
// and the FIFO dedup window's recovery from the log's last 5 minutes.
#include "engine/log/digest.h"
#include "engine/queues/message_identity.h"
#include "engine/topics/topics_internal.h"

namespace seglog {

using topics_internal::AsBytes;
using topics_internal::AsChars;

Status Topics::Impl::RecoverDedup(TopicState& t) {
  std::unique_ptr<LogIterator> it;
  SEGLOG_RETURN_IF_ERROR(t.log->NewIteratorAtTime(TimestampMs(Now() - kTopicDedupWindowMs), &it));
  RecordView r;
  for (;;) {
    Status s = it->Next(&r);
    if (s.code() == StatusCode::kNoMore) break;
    SEGLOG_RETURN_IF_ERROR(s);
    format::TopicMessageHeader h;
    SEGLOG_RETURN_IF_ERROR(format::DecodeTopicMessageHeader(r.attrs, &h)
                               .WithContext("topic '" + t.name + "'"));
    if (h.dedup_id.empty() || t.dedup.count(std::string(h.dedup_id)) != 0) continue;
    t.dedup.emplace(std::string(h.dedup_id), std::make_pair(r.seq.value(), h.published_ms));
    t.dedup_order.emplace_back(h.published_ms, std::string(h.dedup_id));
  }
  return Status::OK();
}

// Appends the (validated) entries as one batch. FIFO: under publish_mu, repeats of a dedup id
// of the last 5 minutes (or of an earlier entry) are not written but answered with the seq of
// the original.
Status Topics::Impl::Append(TopicState& t, std::span<const PublishEntry> entries,
                            std::vector<PublishResult>* results) {
  const size_t n = entries.size();
  const bool fifo = t.config.type == TopicType::kFifo;  // fixed at creation
  results->assign(n, PublishResult{});
  std::unique_lock<std::mutex> pl(t.publish_mu, std::defer_lock);
  if (fifo) pl.lock();
  const int64_t now = Now();
  std::vector<std::string> dedup(n);
  std::vector<int> dup_of(n, -1);
  std::vector<bool> write(n, true);
  if (fifo) {
    while (!t.dedup_order.empty() && t.dedup_order.front().first < now - kTopicDedupWindowMs) {
      auto it = t.dedup.find(t.dedup_order.front().second);
      if (it != t.dedup.end() && it->second.second == t.dedup_order.front().first) {
        t.dedup.erase(it);
      }
      t.dedup_order.pop_front();
    }
    for (size_t i = 0; i < n; ++i) {
      dedup[i] = entries[i].dedup_id.empty() ? Sha256Hex(AsBytes(entries[i].message))
                                             : std::string(entries[i].dedup_id);
      for (size_t j = 0; j < i && dup_of[i] < 0; ++j) {
        if (write[j] && dedup[j] == dedup[i]) dup_of[i] = static_cast<int>(j);
      }
      if (dup_of[i] >= 0) {
        write[i] = false;
      } else if (auto it = t.dedup.find(dedup[i]); it != t.dedup.end()) {
        (*results)[i].seq = SeqNo(it->second.first);
        (*results)[i].duplicate = true;
        write[i] = false;
      }
    }
  }
  ByteBuffer attrs;
  std::vector<size_t> ends;
  for (size_t i = 0; i < n; ++i) {
    if (!write[i]) continue;
    const PublishEntry& e = entries[i];
    format::TopicMessageHeader h;
    h.published_ms = now;
    h.subject = e.subject;
    h.json_structure = e.json_structure;
    h.dedup_id = fifo ? std::string_view(dedup[i]) : std::string_view();
    h.attributes.assign(e.attributes.begin(), e.attributes.end());
    format::EncodeTopicMessageHeader(h, &attrs);
    ends.push_back(attrs.size());
  }
  std::vector<Log::Record> recs;
  for (size_t i = 0, k = 0, at = 0; i < n; ++i) {
    if (!write[i]) continue;
    recs.push_back(Log::Record{AsBytes(entries[i].group_id), AsBytes(entries[i].message),
                               ByteView(attrs.data() + at, ends[k] - at)});
    at = ends[k++];
  }
  SeqNo first;
  if (!recs.empty()) SEGLOG_RETURN_IF_ERROR(t.log->Append(recs, &first));
  uint64_t seq = first.value();
  for (size_t i = 0; i < n; ++i) {
    PublishResult& r = (*results)[i];
    if (write[i]) {
      r.seq = SeqNo(seq++);
      if (fifo) {
        t.dedup.emplace(dedup[i], std::make_pair(r.seq.value(), now));
        t.dedup_order.emplace_back(now, dedup[i]);
      }
    } else if (dup_of[i] >= 0) {
      r.seq = (*results)[dup_of[i]].seq;
      r.duplicate = true;
    }
    r.message_id = MessageIdFor(t.log_id, r.seq.value());
    if (fifo) r.sequence_number = SequenceNumberFor(r.seq.value());
  }
  if (pl.owns_lock()) pl.unlock();
  if (!recs.empty()) Wake();
  return Status::OK();
}

Status Topics::Publish(const std::string& topic, const PublishEntry& entry,
                       PublishResult* result) {
  std::shared_ptr<TopicState> t;
  SEGLOG_RETURN_IF_ERROR(impl_->Find(topic, &t));
  if (impl_->store->read_only()) return Status::ReadOnly("the store is open read-only");
  TopicConfig c;
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    c = t->config;
  }
  size_t bytes = 0;
  SEGLOG_RETURN_IF_ERROR(topics_internal::ValidatePublishEntry(entry, c, &bytes));
  std::vector<PublishResult> results;
  SEGLOG_RETURN_IF_ERROR(impl_->Append(*t, std::span(&entry, 1), &results));
  *result = std::move(results[0]);
  return Status::OK();
}

Status Topics::PublishBatch(const std::string& topic, std::span<const std::string_view> ids,
                            std::span<const PublishEntry> entries,
                            std::vector<PublishResult>* results,
                            std::vector<BatchEntryOutcome>* outcomes) {
  SEGLOG_RETURN_IF_ERROR(ValidateBatchEntryIds(ids));
  if (ids.size() != entries.size()) {
    return Status::InvalidArgument("each batch entry needs an id");
  }
  std::shared_ptr<TopicState> t;
  SEGLOG_RETURN_IF_ERROR(impl_->Find(topic, &t));
  if (impl_->store->read_only()) return Status::ReadOnly("the store is open read-only");
  TopicConfig c;
  {
    std::lock_guard<std::mutex> l(impl_->mu);
    c = t->config;
  }
  const size_t n = entries.size();
  std::vector<Status> checks(n);
  size_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    size_t bytes = 0;
    checks[i] = topics_internal::ValidatePublishEntry(entries[i], c, &bytes);
    total += checks[i].ok() ? bytes : 0;
  }
  if (total > kTopicMaxMessageBytes) {
    return Status::InvalidArgument("BatchRequestTooLong: the batch's messages are " +
                                   std::to_string(total) + " bytes; at most 262,144");
  }
  results->assign(n, PublishResult{});
  outcomes->assign(n, BatchEntryOutcome{});
  std::vector<PublishEntry> valid;
  std::vector<size_t> where;
  for (size_t i = 0; i < n; ++i) {
    if (!checks[i].ok()) {
      (*outcomes)[i] = BatchEntryOutcome::Error(checks[i], "InvalidParameter");
      continue;
    }
    valid.push_back(entries[i]);
    where.push_back(i);
  }
  if (valid.empty()) return Status::OK();
  std::vector<PublishResult> got;
  const Status s = impl_->Append(*t, valid, &got);
  for (size_t k = 0; k < where.size(); ++k) {
    if (s.ok()) {
      (*results)[where[k]] = std::move(got[k]);
    } else {
      (*outcomes)[where[k]] = BatchEntryOutcome::Error(s, "InternalError");
    }
  }
  return Status::OK();
}

}  // namespace seglog
