// The fan-out's per-pass values (topics room only): the messages read from a topic's log, each
// with its filter subjects built at most once per scope for all subscriptions, and the pass's
// context. Lifetime: one Topics::Impl::Serve pass, on one fan-out thread; not shared.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/topics/topics_internal.h"

namespace seglog {

struct FanoutMessage {
  uint64_t seq = 0;
  std::string key;    // group id ("" = none)
  std::string value;  // the message as published
  std::string attrs;  // header bytes; `header` views into them
  format::TopicMessageHeader header;
  std::string message_id;
  std::string sequence_number;  // FIFO topics
  // The envelope signature of MessageFor(src, "sqs"), made ahead on several threads
  // (SignAhead); "" = not made (BuildEnvelope signs inline).
  std::string sqs_signature;
  std::optional<FilterSubject> by_attrs, by_body;
  const FilterSubject& Subject(FilterScope scope);
  NotificationSource Source(std::string_view topic_arn) const;
};

struct FanoutContext {
  TopicState& topic;
  const TopicConfig& config;
  const std::string& topic_arn;
  const Signer& signer;
  std::vector<FanoutMessage>& msgs;
};

// Whether message m passes subscription st's filter policy (none: every message).
bool Matches(const TopicSub::Settings& st, FanoutMessage& m);

// Signs, on up to hardware_concurrency threads, the envelope of every message of ctx.msgs that
// a queue subscription among `subs` gets as an envelope (not raw, filter passed), into
// FanoutMessage::sqs_signature. An RSA-2048 signature costs about 1 ms: one thread signing a
// pass's messages one by one bounds envelope fan-out to about 1,000 messages/s per topic.
// Single-threaded but for the signing: builds the filter subjects first.
void SignAhead(const FanoutContext& ctx,
               std::span<const std::shared_ptr<const TopicSub::Settings>> subs);

}  // namespace seglog
