// The topics room (engine/topics/) owns SNS-like topics on the storage core: this interface
// (Topics), the filter policies (filter_policy.h), the notification envelope and its signature
// (notification.h), and the fan-out that delivers from a topic's log to its subscriptions. It
// may use engine/queues (deliveries go into queues of the same store), engine/log, io and
// format, and nothing else; engine/capi and seglogd use it. SPEC.md Part VII states every rule;
// this header states the interface.
//
// A topic is a log of the store, "topic:<name>/messages": one record per published message
// (key = FIFO group id, value = message, attrs = header: format/topic_format.h). Its settings,
// tags and subscriptions are catalog properties of that log. Each subscription has a durable
// cursor (the next topic sequence number it takes) in a small checksummed file beside the
// topic's segments.
//
// Durability: Publish returns once the message is in the topic's log, as durable as the
// topic's durability mode says. Fan-out runs from that log, on the Topics' own threads.
// Deliveries into queues are exactly-once across crashes: each delivered queue message carries
// (subscription key, topic sequence number) in its header, written in the same append as the
// message, and a subscription's cursor is recovered as the later of its cursor file and the
// newest such tag in its queue (SPEC.md Part VII, "Fan-out"). Callback deliveries are
// at-least-once (SNS's retry schedule, then the subscription's redrive queue).
//
// Thread-safety: every method may be called from any thread, including from a callback (but
// not UnregisterCallback of the callback being run, and not the destructor).
// Lifetime: REQUIRES store and queues outlive this object; destroy Topics before Queues.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/log/options.h"
#include "engine/log/store.h"
#include "engine/queues/batch_entry.h"
#include "engine/queues/queue.h"
#include "engine/topics/filter_policy.h"
#include "format/queue_format.h"
#include "format/status.h"
#include "format/types.h"

namespace seglog {

// SNS's limits.
inline constexpr size_t kTopicMaxNameChars = 256;         // [A-Za-z0-9_-], FIFO: + ".fifo"
inline constexpr size_t kTopicMaxMessageBytes = 262'144;  // message + attributes; also a batch
inline constexpr size_t kTopicMaxBatch = 10;              // PublishBatch entries
inline constexpr size_t kTopicMaxSubjectChars = 100;
inline constexpr size_t kTopicMaxDisplayNameChars = 100;
inline constexpr size_t kTopicMaxFilterPolicies = 200;    // subscriptions with a policy, per topic
inline constexpr size_t kTopicMaxTags = 50;
inline constexpr size_t kTopicMaxRawAttributes = 10;      // raw delivery into SQS (SQS's limit)
inline constexpr int64_t kTopicDedupWindowMs = 300'000;   // FIFO: 5 minutes
inline constexpr uint32_t kTopicDefaultRetentionS = 1'209'600;  // 14 days

enum class TopicType { kStandard, kFifo };

struct TopicConfig {
  TopicType type = TopicType::kStandard;  // a FIFO topic's name ends in ".fifo", others' not
  std::string display_name;               // SNS DisplayName: 0 .. 100 characters
  bool content_based_dedup = false;       // FIFO only: dedup id = SHA-256 of the message
  uint32_t signature_version = 1;         // SNS SignatureVersion: 1 (SHA1withRSA) or 2 (SHA256)
  // How long the topic's log keeps a message that some subscription has not taken yet: a
  // subscription that falls further behind (a dead callback, a deleted queue) skips what
  // retention removed (counted in SubscriptionInfo::expired). 60 .. 1,209,600.
  uint32_t retention_s = kTopicDefaultRetentionS;
  LogOptions log;                         // durability etc. of the topic's log
  Limits limits = Limits::kRelaxed;       // kAws: SNS's exact checks

  Status Validate(std::string_view name) const;
};

// The settings of a TopicConfig one call names (Create compares them with an existing topic's,
// SetAttributes changes them).
enum class TopicField : uint32_t {
  kDisplayName,
  kContentBasedDedup,
  kSignatureVersion,
  kRetention,
  // Fixed at creation (SetAttributes accepts them only unchanged):
  kType,
  kLimits,
  kDurability,
  kSyncInterval,
  kSegmentSize,
  kCount,  // not a field
};
using TopicFields = uint32_t;  // bits 1 << TopicField
inline constexpr TopicFields TopicFieldBit(TopicField f) { return 1u << static_cast<uint32_t>(f); }
inline constexpr TopicFields kAllTopicFields = (1u << static_cast<uint32_t>(TopicField::kCount)) - 1;

using TopicTags = std::map<std::string, std::string>;  // SNS's tag rules (as QueueTags')

struct TopicDescription {
  std::string name;
  TopicConfig config;
  size_t subscriptions = 0;       // SNS SubscriptionsConfirmed (none is ever pending)
  uint64_t messages = 0;          // messages in the topic's log
  uint64_t log_bytes = 0;
  int64_t created_ms = 0;
};

// ---- Subscriptions ----
enum class SubscriptionProtocol {
  kSqs,       // a queue of the same store; endpoint = the queue's name
  kCallback,  // a function the embedding process registers; endpoint = its name
};

struct SubscriptionConfig {
  SubscriptionProtocol protocol = SubscriptionProtocol::kSqs;
  // kSqs: an existing queue's name (a FIFO topic accepts FIFO and standard queues, a standard
  // topic standard queues only); kCallback: 1 .. 256 of [A-Za-z0-9_.:-] (need not be registered
  // yet). Refused on a FIFO topic.
  std::string endpoint;
  bool raw_delivery = false;          // SNS RawMessageDelivery
  std::string filter_policy;          // SNS FilterPolicy (JSON text); "" = every message
  FilterScope filter_scope = FilterScope::kMessageAttributes;  // SNS FilterPolicyScope
  // SNS RedrivePolicy's deadLetterTargetArn, as a queue name; "" = none. What could not be
  // delivered (callback retries exhausted, a raw delivery with too many attributes, a missing
  // target queue) goes there, as SNS's DLQ message.
  std::string redrive_queue;
};

enum class SubscriptionField : uint32_t {
  kRawDelivery,
  kFilterPolicy,
  kFilterScope,
  kRedrivePolicy,
  kCount,
};
using SubscriptionFields = uint32_t;  // bits 1 << SubscriptionField
inline constexpr SubscriptionFields SubscriptionFieldBit(SubscriptionField f) {
  return 1u << static_cast<uint32_t>(f);
}

struct SubscriptionInfo {
  std::string id;       // UUID text, unique in the store (the ARN's last part)
  std::string topic;
  SubscriptionConfig config;
  int64_t created_ms = 0;
  SeqNo cursor;         // the next topic sequence number this subscription takes
  uint64_t backlog = 0; // messages published and not yet taken
  uint64_t delivered = 0;    // since the Topics opened (not durable)
  uint64_t filtered = 0;     // since the Topics opened
  uint64_t redriven = 0;     // since the Topics opened: sent to the redrive queue
  uint64_t dropped = 0;      // since the Topics opened: undeliverable and no redrive queue
  uint64_t expired = 0;      // since the Topics opened: skipped, removed by retention first
  bool waiting = false;      // kCallback: its callback is not registered (the cursor holds)
};

// ---- Publishing ----
struct PublishEntry {
  std::string_view message;   // UTF-8, not empty; message + attributes <= 256 KiB
  std::string_view subject;   // "" = none; 1 .. 100 printable ASCII, not starting with a space
  std::span<const format::MessageAttribute> attributes;  // String, String.Array, Number, Binary
  // SNS MessageStructure=json: `message` is a JSON object of strings with a "default" key and
  // optional per-protocol keys ("sqs"; "callback" for callback subscriptions).
  bool json_structure = false;
  std::string_view group_id;  // FIFO: required; standard: optional, passed on to queues
  std::string_view dedup_id;  // FIFO only; "" = content-based (when enabled)
};

struct PublishResult {
  SeqNo seq;                    // the message's sequence number in the topic's log
  bool duplicate = false;       // FIFO: suppressed as a repeat of `seq` within 5 minutes
  std::string message_id;       // SNS MessageId (UUID text)
  std::string sequence_number;  // FIFO only: 20 digits
};

// ---- Callbacks ----
// One delivery to a callback subscription. Views are valid for the call only.
struct CallbackDelivery {
  std::string_view topic;
  std::string_view subscription_id;
  std::string_view message_id;
  // The JSON envelope (SPEC.md Part VII), or with raw delivery the message alone.
  std::string_view body;
  std::string_view subject;
  std::span<const format::MessageAttribute> attributes;
  TimestampMs published;
  uint32_t attempt = 1;         // 1 on the first try
};
// Returns true when the message was taken, false to have it retried (SNS's schedule for
// AWS-managed endpoints, SPEC.md Part VII "Callbacks").
//
// The one rule for every callback seglog calls: it runs on one of the Topics' fan-out threads,
// with no seglog lock held; it may call any method of Topics, Queues, Store or the C API on
// this store, except UnregisterCallback of itself and the destruction of Topics/Queues/Store;
// while it runs, the subscriptions served by the same fan-out thread wait (keep it short).
using DeliveryCallback = std::function<bool(const CallbackDelivery&)>;

struct TopicsOptions {
  size_t fanout_threads = 1;  // >= 1
  // The envelope's fields that name seglogd's endpoints (seglogd sets them); the TopicArn and
  // subscription ARNs are arn_prefix + name.
  std::string arn_prefix = "arn:aws:sns:us-east-1:000000000000:";
  std::string signing_cert_url = "https://localhost/seglog/SimpleNotificationService.pem";
  std::string unsubscribe_url = "https://localhost/?Action=Unsubscribe&SubscriptionArn=";
  // Callback retries: SNS's schedule (3 immediate, 2 at 1 s, 10 backing off 1 .. 20 s, then
  // every 20 s) up to this many attempts in all (SNS: 100,015).
  uint32_t callback_max_attempts = 100'015;
  uint32_t maintenance_interval_ms = 1'000;  // retention passes; 0 = only RunMaintenance
};

// The topics of one store. Owns the fan-out threads.
class Topics {
 public:
  Topics(Store* store, Queues* queues, const TopicsOptions& opt = {});
  ~Topics();  // stops the fan-out (waiting for a callback in progress), writes the cursors
  Topics(const Topics&) = delete;
  Topics& operator=(const Topics&) = delete;

  // SNS CreateTopic: InvalidArgument (name, config, tags). An existing topic: OK when its
  // settings among `compare` equal config's (and tags are not compared), else AlreadyExists
  // naming the first that differs.
  Status Create(const std::string& name, const TopicConfig& config,
                TopicFields compare = kAllTopicFields, const TopicTags& tags = {});
  // Deletes the topic and its subscriptions (messages not yet fanned out are dropped). NotFound.
  Status Delete(const std::string& name);
  // SNS ListTopics: sorted names after the page `token` ends, at most max_results.
  Status List(std::string_view token, size_t max_results, std::vector<std::string>* names,
              std::string* next_token) const;
  Status Describe(const std::string& name, TopicDescription* out) const;
  Status SetAttributes(const std::string& name, const TopicConfig& config, TopicFields fields);
  Status Tag(const std::string& name, const TopicTags& tags);
  Status Untag(const std::string& name, std::span<const std::string> keys);
  Status ListTags(const std::string& name, TopicTags* out) const;

  // SNS Subscribe: starts at the topic's end (no older message is delivered). The same
  // (protocol, endpoint) on the same topic again: OK with the existing id when the other
  // settings are equal, else AlreadyExists. InvalidArgument: a bad endpoint or policy (the
  // policy's message names the key), 200 filter policies on the topic already; NotFound: no
  // such topic or queue.
  Status Subscribe(const std::string& topic, const SubscriptionConfig& config,
                   std::string* subscription_id);
  Status Unsubscribe(const std::string& subscription_id);  // NotFound
  // SNS ListSubscriptionsByTopic (topic != "") / ListSubscriptions (topic == ""): sorted by
  // (topic, id), pages as List's.
  Status ListSubscriptions(const std::string& topic, std::string_view token, size_t max_results,
                           std::vector<SubscriptionInfo>* out, std::string* next_token) const;
  Status GetSubscription(const std::string& subscription_id, SubscriptionInfo* out) const;
  Status SetSubscriptionAttributes(const std::string& subscription_id,
                                   const SubscriptionConfig& config, SubscriptionFields fields);

  // SNS Publish: returns once the message is in the topic's log (its durability mode).
  // InvalidArgument (message, subject, attributes, group/dedup id, json structure), TooLarge,
  // NotFound.
  Status Publish(const std::string& topic, const PublishEntry& entry, PublishResult* result);
  // SNS PublishBatch: batch-level checks (ValidateBatchEntryIds; the entries together over
  // 256 KiB: InvalidArgument "BatchRequestTooLong: ...") fail the call; then each entry on its
  // own, the valid ones in one append, (*outcomes)[i] with SNS's code.
  Status PublishBatch(const std::string& topic, std::span<const std::string_view> ids,
                      std::span<const PublishEntry> entries, std::vector<PublishResult>* results,
                      std::vector<BatchEntryOutcome>* outcomes);

  // Registers (or replaces) the callback named `name`; subscriptions naming it that were
  // waiting resume. InvalidArgument: a bad name or an empty function.
  Status RegisterCallback(const std::string& name, DeliveryCallback fn);
  // Unregisters it, waiting for a call in progress to return. Its subscriptions wait (cursor
  // held) until it is registered again. NotFound.
  Status UnregisterCallback(const std::string& name);

  // Waits until every subscription of `topic` has taken (delivered, filtered out, redriven or
  // dropped) every message published before the call, or timeout_ms passes (Busy
  // "TimedOut: ..."; the C API's SEGLOG_ETIMEDOUT). Callback subscriptions waiting for a retry
  // or a registration count as not done.
  Status WaitDelivered(const std::string& topic, int64_t timeout_ms);

  // Retention: removes the topic log's segments that every subscription has taken, or older
  // than retention. Runs every maintenance_interval_ms in the background.
  Status RunMaintenance();

  // The PEM certificate (X.509, self-signed, RSA 2048) whose key signs the envelopes: made with
  // the store's first topic, kept in DIR/topics/signing.key (0600) and DIR/topics/signing.crt.
  // seglogd serves it at TopicsOptions::signing_cert_url's path.
  Status SigningCertificate(std::string* pem) const;

  class Impl;  // engine/topics/topics.cc

 private:
  std::unique_ptr<Impl> impl_;
};

// The SNS "Type" "Notification" envelope of one delivery (notification.cc), and the rest of
// what goes into a queue for one subscription: shared by the fan-out and the tools.
}  // namespace seglog
