// Queue attributes as SQS handles them: which settings a call names (QueueFields), changing
// them (SetQueueAttributes), comparing them (CreateQueue on an existing name), their catalog
// properties, ListQueues' page tokens, and the names deleted too recently to create again.
// Pure functions of their arguments (RecentlyDeleted: a plain value, `now` passed in): no Log,
// no Store, no clock; safe from any thread, except RecentlyDeleted, which its owner guards.
// SPEC.md 16.8 states the rules.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/queues/queue_config.h"
#include "format/status.h"

namespace seglog {

inline constexpr size_t kQueueListMaxResults = 1000;      // SQS ListQueues' MaxResults
inline constexpr int64_t kQueueDeletedRecentlyMs = 60'000;  // SQS QueueDeletedRecently

// The C API's field name ("visibility_timeout_s", "dead_letter_queue", ...): errors name
// attributes by it.
const char* QueueFieldName(QueueField f);

// field f of c as text ("30", "fifo", "dlq/5" for the redrive policy): for comparisons and
// messages.
std::string QueueFieldValue(const QueueConfig& c, QueueField f);

// A redrive allow policy as text: "allowAll", "denyAll" or "byQueue:a,b" (messages, the
// catalog property `redrive_allow`, and comparisons).
std::string RedriveAllowText(const RedriveAllowPolicy& p);

// SQS's rules for a RedriveAllowPolicy: allowAll and denyAll name no source queues; byQueue
// names 1 .. 10 distinct valid queue names. InvalidArgument saying which rule failed.
Status ValidateRedriveAllow(const RedriveAllowPolicy& p);
// RedriveAllowText's inverse (the catalog property); false when malformed.
bool ParseRedriveAllow(std::string_view text, RedriveAllowPolicy* p);
// OK when queue `source` may name a queue whose allow policy is `p` as its dead-letter queue
// `dlq`; else InvalidArgument in SQS's words.
Status CheckRedriveAllowed(const RedriveAllowPolicy& p, const std::string& source,
                           const std::string& dlq);

// The first field of `fields` (and the type, always) whose value differs between a and b;
// false when none does.
bool FirstDifference(const QueueConfig& a, const QueueConfig& b, QueueFields fields,
                     QueueField* which);

// *out = cur with `fields` taken from `want`. InvalidArgument, naming the attribute, when
// `fields` names a setting fixed at creation (type, limits, durability, sync interval, segment
// size) with a value other than cur's. Does not validate the result (QueueConfig::Validate).
Status MergeQueueConfig(const QueueConfig& cur, const QueueConfig& want, QueueFields fields,
                        QueueConfig* out);

// SQS's checks of the high-throughput FIFO settings: a standard queue has the defaults; a
// FIFO queue's perMessageGroupId throughput limit needs the messageGroup dedup scope.
Status ValidateFifoThroughput(const QueueConfig& c);

// The catalog properties (format/queue_format.h queue_props) holding the changeable settings
// among `fields` of c.
std::vector<std::pair<std::string, std::string>> QueueFieldProps(const QueueConfig& c,
                                                                 QueueFields fields);
// The FIFO throughput settings from a queue's properties (absent: the defaults, as in a queue
// created before 0.2.0); false when one is present and malformed.
bool ParseFifoThroughputProps(const std::vector<std::pair<std::string, std::string>>& props,
                              QueueConfig* c);

// SQS CreatedTimestamp and LastModifiedTimestamp from a queue's properties (absent: 0, as in a
// queue created before 0.2.0); false when one is present and malformed.
bool ParseQueueTimes(const std::vector<std::pair<std::string, std::string>>& props,
                     int64_t* created_ms, int64_t* last_modified_ms);

// ListQueues: a name prefix is "" or up to 128 of a name's characters.
Status ValidateListPrefix(std::string_view prefix);
// A page token: opaque to callers, it holds the prefix and the last name returned, so that the
// next page starts after that name (whatever was created or deleted meanwhile).
std::string EncodeListToken(std::string_view prefix, std::string_view last);
// InvalidArgument for a token that is malformed or was issued for another prefix.
Status DecodeListToken(std::string_view token, std::string_view prefix, std::string* last);

// Names of queues deleted under the aws limits, for kQueueDeletedRecentlyMs (in memory only:
// a restart forgets them). Not thread-safe: Queues guards it with its create lock.
class RecentlyDeleted {
 public:
  void Add(const std::string& name, int64_t now_ms);
  // True while `name` was deleted less than kQueueDeletedRecentlyMs before now_ms.
  bool Contains(const std::string& name, int64_t now_ms);
  size_t size() const { return deleted_at_.size(); }

 private:
  void Prune(int64_t now_ms);
  std::map<std::string, int64_t> deleted_at_;
};

}  // namespace seglog
