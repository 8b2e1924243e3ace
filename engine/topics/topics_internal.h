// The topics room's own header (not for other rooms): Topics::Impl and the state it keeps per
// topic and per subscription, shared by the files that implement it - topics.cc (open, close,
// topic admin), topic_config.cc (validation, catalog properties), topic_subscriptions.cc,
// topic_publish.cc, topic_fanout.cc (fan-out threads, deliveries, callbacks), topic_cursor.cc
// (cursor files, recovery) and topic_maintenance.cc (retention, WaitDelivered).
//
// Concurrency: one mutex, Impl::mu, guards the topic map, every Topic's and Sub's mutable
// fields and the callbacks map; it is never held across a log append, a queue call, a file
// write or a callback. A topic is served by one fan-out thread (log id % fanout_threads), so a
// subscription's cursor moves on one thread only; Topic::readers counts fan-out reads of the
// topic's log in progress (Delete waits for them; callbacks run after the read, so a callback
// may delete its own topic). Durability: see topics.h and SPEC.md Part VII.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "engine/log/clock.h"
#include "engine/log/log.h"
#include "engine/log/scheduler.h"
#include "engine/topics/notification.h"
#include "engine/topics/topics.h"
#include "format/catalog_format.h"
#include "format/topic_catalog_format.h"
#include "format/topic_format.h"

namespace seglog {

namespace topics_internal {
inline std::string LogName(const std::string& topic) { return "topic:" + topic + "/messages"; }
inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
inline std::string_view AsChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
// The settings <-> catalog properties (topic_config.cc).
std::vector<std::pair<std::string, std::string>> TopicProps(const std::string& name,
                                                            const TopicConfig& c);
Status ParseTopicProps(const format::CatalogEntry& e, TopicConfig* c, int64_t* created_ms);
// The first of `compare` where a and b differ; false when none.
bool FirstTopicDifference(const TopicConfig& a, const TopicConfig& b, TopicFields compare,
                          TopicField* f);
const char* TopicFieldName(TopicField f);
SubscriptionConfig ConfigOf(const format::SubscriptionEntry& e);
// Publish's per-entry checks (topic_config.cc): message, subject, attributes, ids. *bytes:
// the entry's size as SNS counts it.
Status ValidatePublishEntry(const PublishEntry& e, const TopicConfig& c, size_t* bytes);
Status ValidateCallbackName(std::string_view name);
}  // namespace topics_internal

// One subscription. Lifetime: shared by its topic's list and a fan-out pass in progress.
struct TopicSub {
  // Immutable parts, replaced whole by SetSubscriptionAttributes (under mu).
  struct Settings {
    format::SubscriptionEntry entry;
    std::unique_ptr<const FilterPolicy> policy;  // null: every message
  };
  std::shared_ptr<const Settings> settings;  // guarded by mu
  uint64_t key = 0;              // fixed: settings->entry.key
  std::string id;                // fixed: settings->entry.id
  std::string topic;
  bool removed = false;          // unsubscribed or its topic deleted
  // Fan-out state: changed by the topic's fan-out thread only (under mu), read by any.
  uint64_t cursor = 0;           // the next topic sequence number to take
  uint64_t queue_next_id = 0;    // the delivery queue's next id, a lower bound for recovery
  uint64_t generation = 0;       // of the last cursor slot written
  std::mutex io_mu;              // guards fd and generation (never held with mu, nor in a callback)
  int fd = -1;                   // the cursor file; -1 when not open
  uint64_t synced_cursor = 0;    // the cursor of the last slot fdatasynced (retention's bound)
  std::chrono::steady_clock::time_point last_sync{};
  bool unsynced = false;
  // Callbacks: the current message's attempt, and when it may be retried (store clock ms).
  uint32_t attempt = 1;
  int64_t retry_at_ms = 0;
  bool waiting = false;          // callback not registered
  int64_t hold_until_ms = 0;     // a failed queue write: retry after (store clock ms)
  uint64_t delivered = 0, filtered = 0, redriven = 0, dropped = 0, expired = 0;
};

struct TopicState {
  std::string name;
  uint64_t log_id = 0;
  Log* log = nullptr;
  std::string dir;               // the log's directory (cursor files)
  TopicConfig config;            // guarded by mu
  int64_t created_ms = 0;
  std::vector<std::shared_ptr<TopicSub>> subs;  // sorted by id; guarded by mu
  bool deleted = false;
  int readers = 0;               // fan-out reads in progress
  // FIFO dedup (5 minutes): key -> (seq, publish time); publish_mu serialises FIFO publishes.
  std::mutex publish_mu;
  std::unordered_map<std::string, std::pair<uint64_t, int64_t>> dedup;
  std::deque<std::pair<int64_t, std::string>> dedup_order;
};

struct FanoutMessage;   // topic_fanout.h
struct FanoutContext;   // topic_fanout.h

class Topics::Impl {
 public:
  Impl(Store* store, Queues* queues, const TopicsOptions& opt);
  ~Impl();
  Status Open();  // loads topics and subscriptions, recovers cursors, starts threads

  Store* const store;
  Queues* const queues;
  const TopicsOptions opt;
  mutable std::mutex mu;
  std::condition_variable work_cv;   // a publish, a registration, a clock jump, stop
  std::condition_variable done_cv;   // a cursor moved, a read ended
  std::map<std::string, std::shared_ptr<TopicState>> topics;  // guarded by mu
  struct CallbackSlot {
    DeliveryCallback fn;
    int running = 0;  // calls in progress (guarded by mu)
  };
  std::map<std::string, std::shared_ptr<CallbackSlot>> callbacks;  // guarded by mu
  std::unique_ptr<Signer> signer;    // made with the first topic
  std::mutex signer_mu;
  bool stop = false;
  Status open_status;
  std::vector<std::thread> threads;
  uint64_t clock_listener = 0;
  Scheduler::TaskId maintenance_task = 0;
  // Serialises catalog changes (create, delete, subscribe, attribute changes).
  std::mutex admin_mu;

  int64_t Now() const { return store->clock()->NowMs().value(); }
  std::shared_ptr<TopicState> FindLocked(const std::string& name) const;
  Status Find(const std::string& name, std::shared_ptr<TopicState>* out) const;
  // Loads topic `name` from catalog entry e (Open, Create). REQUIRES: mu not held.
  Status Load(const format::CatalogEntry& e, std::shared_ptr<TopicState>* out);
  Status EnsureSigner(const Signer** out);
  // Writes the subscription list of `t` from `subs` to the catalog (admin_mu held).
  Status SaveSubscriptions(const TopicState& t, const std::vector<format::SubscriptionEntry>& subs);
  std::vector<format::SubscriptionEntry> EntriesLocked(const TopicState& t) const;
  void Info(const TopicState& t, const TopicSub& s, SubscriptionInfo* out) const;

  // ---- cursors (topic_cursor.cc) ----
  // Opens the cursor file and recovers the cursor (slot, queue scan, clamped to the log).
  Status RecoverCursor(TopicState& t, TopicSub& s);
  // A new subscription's cursor: the topic's end, written and synced before it is listed.
  Status StartCursor(TopicState& t, TopicSub& s);
  // Writes the next slot (pwrite); fdatasync when `sync` or a second passed since the last.
  Status WriteCursor(TopicSub& s, bool sync);
  void CloseCursor(TopicSub& s, bool remove, const std::string& dir);

  // ---- publish (topic_publish.cc) ----
  Status RecoverDedup(TopicState& t);
  // Retention for one topic (topic_maintenance.cc).
  Status RunRetention(const std::shared_ptr<TopicState>& t);
  Status Append(TopicState& t, std::span<const PublishEntry> entries,
                std::vector<PublishResult>* results);

  // ---- fan-out (topic_fanout.cc) ----
  void ThreadMain(size_t index);
  // One pass over topic t: true when it did something.
  bool Serve(const std::shared_ptr<TopicState>& t);
  bool ReadySubsLocked(TopicState& t, int64_t now, int64_t* next_due,
                       std::vector<std::shared_ptr<TopicSub>>* ready);
  Status ReadMessages(TopicState& t, uint64_t from, std::vector<FanoutMessage>* out);
  void ServeQueue(const FanoutContext& ctx, TopicSub& s, const TopicSub::Settings& st);
  void ServeCallback(const FanoutContext& ctx, TopicSub& s, const TopicSub::Settings& st);
  bool BuildDelivery(const FanoutContext& ctx, const TopicSub::Settings& st,
                     const FanoutMessage& m, std::string_view protocol_key, std::string* body,
                     std::vector<format::MessageAttribute>* attrs) const;
  void Redrive(const FanoutContext& ctx, TopicSub& s, const TopicSub::Settings& st,
               const FanoutMessage& m, std::string_view protocol_key);
  // Sets s's cursor (under mu) and wakes WaitDelivered.
  void Advance(TopicSub& s, uint64_t cursor);
  void Wake() {
    { std::lock_guard<std::mutex> l(mu); }
    work_cv.notify_all();
  }
};

}  // namespace seglog
