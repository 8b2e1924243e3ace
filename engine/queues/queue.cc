#include "engine/queues/queue.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <functional>
#include <memory_resource>
#include <queue>
#include <random>
#include <set>
#include <shared_mutex>
#include <unordered_map>
#include <utility>

#include <roaring/roaring64map.hh>

#include "format/roaring_ranges.h"
#include "engine/log/clock.h"
#include "engine/queues/delete_index.h"
#include "engine/log/digest.h"
#include "engine/log/log.h"
#include "engine/log/writer_first_lock.h"
#include "format/catalog_format.h"
#include "format/coding.h"

namespace seglog {

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
constexpr size_t kReceiptBytes = 24;  // id u64, epoch u32, gen u64, check u32
constexpr uint64_t kReceiptSalt = 0x7465636569657251ull;  // "Qreceipt"

// Receipts are lowercase hex: a byte's two digits, and a character's value (16 = not a digit).
constexpr auto kHexPairs = [] {
  std::array<std::array<char, 2>, 256> t{};
  constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < 256; ++i) t[i] = {kHex[i >> 4], kHex[i & 15]};
  return t;
}();
constexpr auto kHexValue = [] {
  std::array<uint8_t, 256> t{};
  for (size_t i = 0; i < 256; ++i) t[i] = 16;
  for (uint8_t i = 0; i < 10; ++i) t['0' + i] = i;
  for (uint8_t i = 0; i < 6; ++i) t['a' + i] = static_cast<uint8_t>(10 + i);
  return t;
}();

std::string MessagesLogName(const std::string& q) { return "queue:" + q + "/messages"; }
std::string JournalLogName(const std::string& q) { return "queue:" + q + "/journal"; }

bool EndsWithFifo(std::string_view n) {
  return n.size() >= 5 && n.substr(n.size() - 5) == ".fifo";
}

ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}
std::string_view AsChars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// FIFO group and deduplication ids: 1..128 characters of ASCII 33..126 (SQS's rule).
Status ValidateFifoId(const char* what, std::string_view id) {
  if (id.empty() || id.size() > kQueueMaxGroupIdBytes) {
    return Status::InvalidArgument(std::string(what) + " must be 1 to 128 characters, got " +
                                   std::to_string(id.size()));
  }
  for (char c : id) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) {
      return Status::InvalidArgument(std::string(what) + " has a character outside ASCII 33..126 "
                                     "(byte " + std::to_string(u) + ")");
    }
  }
  return Status::OK();
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n = 0;
    uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + k]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    // Overlong forms, surrogates and code points past U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

// SQS Number: an optional sign, digits with an optional fraction, an optional exponent; at
// most 38 significant digits.
bool ValidNumber(std::string_view s) {
  size_t i = 0, digits = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  bool any = false, leading = true;
  auto digit_run = [&] {
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      any = true;
      if (!(leading && s[i] == '0')) {
        leading = false;
        ++digits;
      }
      ++i;
    }
  };
  digit_run();
  if (i < s.size() && s[i] == '.') {
    ++i;
    digit_run();
  }
  if (!any) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start || i - start > 3) return false;
  }
  return i == s.size() && digits <= 38;
}

Status ValidateAttributeName(std::string_view n) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument("message attribute name '" + std::string(n.substr(0, 64)) +
                                   "' " + why);
  };
  if (n.empty() || n.size() > kQueueMaxAttributeNameBytes) return bad("must be 1 to 256 characters");
  for (char c : n) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return bad("has a character outside [A-Za-z0-9_.-]");
  }
  if (n.front() == '.' || n.back() == '.') return bad("starts or ends with '.'");
  if (n.find("..") != std::string_view::npos) return bad("has '..'");
  auto prefix = [&](std::string_view p) {
    if (n.size() < p.size()) return false;
    for (size_t i = 0; i < p.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(n[i])) != p[i]) return false;
    }
    return true;
  };
  if (prefix("aws.") || prefix("amazon.")) return bad("uses a reserved prefix (AWS. or Amazon.)");
  return Status::OK();
}

// Body + attributes (name, type name, value), as SQS counts a message's size.
size_t MessageSize(ByteView body, std::span<const format::MessageAttribute> attrs) {
  size_t n = body.size();
  for (const auto& a : attrs) {
    n += a.name.size() + format::AttributeTypeName(a.type).size() + a.value.size();
  }
  return n;
}

struct Timer {
  int64_t due;
  uint64_t id;
  uint64_t gen;  // 0: the message's delay ends; else the visibility timeout of receive `gen`
  void* group;   // FIFO delay timers: the message's group (holds a reference)
  bool operator>(const Timer& o) const { return due > o.due; }
};

// A min-heap of timers whose items can be filtered in place (see MaybeCompactTimersLocked).
struct TimerHeap : std::priority_queue<Timer, std::vector<Timer>, std::greater<>> {
  // Keeps the timers for which keep(t) is true, in O(n).
  template <typename F>
  void Filter(F keep) {
    c.erase(std::remove_if(c.begin(), c.end(), [&](const Timer& t) { return !keep(t); }), c.end());
    std::make_heap(c.begin(), c.end(), comp);
  }
};

}  // namespace

// ---------------------------------------------------------------------------------------
// QueueConfig

Status QueueConfig::Validate(std::string_view name) const {
  auto range = [](const char* what, uint64_t v, uint64_t lo, uint64_t hi) {
    if (v < lo || v > hi) {
      return Status::InvalidArgument(std::string(what) + " must be " + std::to_string(lo) +
                                     " to " + std::to_string(hi) + ", got " + std::to_string(v));
    }
    return Status::OK();
  };
  if (type != QueueType::kStandard && type != QueueType::kFifo) {
    return Status::InvalidArgument("unknown queue type");
  }
  const bool fifo = type == QueueType::kFifo;
  if (fifo != EndsWithFifo(name)) {
    return Status::InvalidArgument(fifo ? "a FIFO queue's name must end in \".fifo\""
                                        : "only a FIFO queue's name may end in \".fifo\"");
  }
  SEGLOG_RETURN_IF_ERROR(range("visibility_timeout_s", visibility_timeout_s, 0, kQueueMaxVisibilityS));
  SEGLOG_RETURN_IF_ERROR(range("delay_s", delay_s, 0, kQueueMaxDelayS));
  SEGLOG_RETURN_IF_ERROR(range("retention_s", retention_s, kQueueMinRetentionS, kQueueMaxRetentionS));
  SEGLOG_RETURN_IF_ERROR(
      range("max_message_bytes", max_message_bytes, kQueueMinMessageBytes, kQueueMaxMessageBytes));
  SEGLOG_RETURN_IF_ERROR(range("receive_wait_s", receive_wait_s, 0, kQueueMaxWaitS));
  if (content_based_dedup && !fifo) {
    return Status::InvalidArgument("content_based_dedup applies to FIFO queues only");
  }
  if (dead_letter_queue.empty()) {
    if (max_receive_count != 0) {
      return Status::InvalidArgument("max_receive_count needs a dead_letter_queue");
    }
  } else {
    SEGLOG_RETURN_IF_ERROR(ValidateName("dead-letter queue", dead_letter_queue));
    if (dead_letter_queue == name) {
      return Status::InvalidArgument("a queue cannot be its own dead-letter queue");
    }
    SEGLOG_RETURN_IF_ERROR(range("max_receive_count", max_receive_count, 1, kQueueMaxReceiveCount));
  }
  return log.Validate();
}

// ---------------------------------------------------------------------------------------
// Queue: one queue's state

class Queues::Queue {
 public:
  struct Group {
    std::string id;
    std::deque<uint64_t> ids;  // live messages, in send order; those in flight come first
    uint32_t in_flight = 0;
    uint32_t refs = 0;         // delay timers and receive records pointing here
    bool available = false;    // in avail_ (under its head id)
    uint64_t avail_key = 0;
  };
  struct Received {
    uint64_t gen = 0;
    int64_t visible_at = 0;   // in flight until then
    int64_t received_at = 0;
    uint32_t count = 0;       // receive count, this one included
    bool in_flight = false;
    Group* group = nullptr;   // FIFO
  };
  // A message chosen by a receive, delivered or moved once its record is read.
  struct Pick {
    uint64_t id;
    uint64_t gen;
    uint32_t count;  // after this receive
  };
  // A sent message on its way into the in-memory state.
  struct Publish {
    uint64_t id;
    int64_t due;
    std::string group;
  };

  Queues* owner = nullptr;
  std::string name;
  QueueConfig cfg;
  Log* log = nullptr;
  Log* journal = nullptr;
  uint64_t log_id = 0;
  Clock* clock = nullptr;
  std::unique_ptr<DeleteIndex> del;
  uint32_t epoch = 0;

  std::mutex mu;
  std::condition_variable cv;        // receivers waiting for a message (long polls)
  std::condition_variable dedup_cv;  // senders waiting for a repeat's outcome
  size_t receivers_waiting = 0;
  bool dropped = false;
  bool closing = false;
  Roaring64Map live;       // sent, not (durably) deleted, not known to be expired
  // Standard queues' visible messages, taken lowest id first. Receives walk a cursor through
  // the ids instead of taking ready.minimum() out of a bitmap (minimum() scans the first
  // container from its start, and removing the front of an array container shifts it all):
  //   ready        ids at or above ready_cursor that are visible (published, or their delay
  //                ended); those below the cursor are stale (taken) and trimmed in whole
  //                containers as the cursor moves on
  //   ready_below  ids below the cursor visible again (a visibility timeout ran out, a release)
  // Change them through AddReadyLocked / UnreadyLocked / TakeReadyLocked only.
  Roaring64Map ready;
  uint64_t ready_cursor = 0;
  std::set<uint64_t> ready_below;
  Roaring64Map delayed;    // delay not over yet
  TimerHeap timers;
  // One entry per message received since it was sent (or since the restart): a node per
  // receive, recycled through a pool (guarded by mu like the map).
  std::pmr::unsynchronized_pool_resource received_pool;
  std::pmr::unordered_map<uint64_t, Received> received{&received_pool};
  uint64_t in_flight = 0;
  uint64_t next_gen = 1;
  uint64_t expired_below = 0;  // every id below was expired from memory
  size_t timer_compaction_at = 4096;
  std::atomic<int64_t> last_expire_ms{INT64_MIN / 2};
  // FIFO
  std::unordered_map<std::string, std::unique_ptr<Group>> groups;
  std::map<uint64_t, Group*> avail;  // groups that may deliver, by head id
  struct Dedup {
    uint64_t id = 0;
    int64_t expires = 0;
    bool pending = true;
  };
  std::unordered_map<std::string, Dedup> dedup;
  std::deque<std::pair<int64_t, std::string>> dedup_order;  // by expiry
  // Sends publish in id order (a receive never sees a message before an older one of the
  // same group): batches that finished appending wait here for the ones before them.
  std::atomic<uint64_t> publish_next{0};  // written under mu; read without it by receipts
  std::map<uint64_t, std::vector<Publish>> unpublished;
  std::map<uint64_t, uint64_t> compaction_seen;  // segment base -> live count when last checked

  // Held shared by every operation, exclusively by Delete: the logs are not dropped under one.
  // Writer-first, as a stream's: a Delete does not starve behind steady sends and receives.
  WriterFirstLock op_mu;

  // Message-log iterators kept between receives. Receivers mostly read the log in id order;
  // a fresh iterator must first locate its batch (an index lookup and a checksummed scan),
  // which cost more than the read itself. Dropped by maintenance and compaction (an idle one
  // pins its segment's mapping) and before the logs are dropped.
  static constexpr size_t kIterPool = 4;
  static constexpr uint64_t kIterReach = 64;  // records an iterator skips rather than relocate
  std::mutex iter_mu;
  std::vector<std::unique_ptr<LogIterator>> iter_pool;  // guarded by iter_mu

  // An iterator positioned at or before `id`, at most kIterReach records before it.
  Status TakeIterator(uint64_t id, std::unique_ptr<LogIterator>* out) {
    {
      std::lock_guard<std::mutex> l(iter_mu);
      size_t best = iter_pool.size();
      uint64_t best_pos = 0;
      for (size_t i = 0; i < iter_pool.size(); ++i) {
        const uint64_t pos = iter_pool[i]->position().value();
        if (pos <= id && id - pos <= kIterReach && (best == iter_pool.size() || pos > best_pos)) {
          best = i;
          best_pos = pos;
        }
      }
      if (best < iter_pool.size()) {
        *out = std::move(iter_pool[best]);
        iter_pool[best] = std::move(iter_pool.back());
        iter_pool.pop_back();
        return Status::OK();
      }
    }
    return log->NewIterator(SeqNo(id), out);
  }
  // Takes back iterators that returned no error (the views they handed out are released).
  void ReturnIterators(std::vector<std::unique_ptr<LogIterator>>* its) {
    std::unique_ptr<LogIterator> evicted;
    std::lock_guard<std::mutex> l(iter_mu);
    for (auto& it : *its) {
      it->ReleaseHeld();
      if (iter_pool.size() < kIterPool) {
        iter_pool.push_back(std::move(it));
        continue;
      }
      // Full: replace the one furthest behind (the newest positions serve the next receives).
      size_t low = 0;
      for (size_t i = 1; i < iter_pool.size(); ++i) {
        if (iter_pool[i]->position() < iter_pool[low]->position()) low = i;
      }
      if (iter_pool[low]->position() < it->position()) std::swap(iter_pool[low], it);
    }
    its->clear();
  }
  void DropIterators() {
    std::vector<std::unique_ptr<LogIterator>> old;
    std::lock_guard<std::mutex> l(iter_mu);
    old.swap(iter_pool);
  }

  bool fifo() const { return cfg.type == QueueType::kFifo; }
  Status Recover();
  Status Send(std::span<const SendEntry> entries, std::vector<SendResult>* results,
              std::span<const format::QueueMessageHeader> moved = {});
  Status Receive(const ReceiveOptions& opt, std::vector<ReceivedMessage>* out);
  Status Deliver(std::vector<Pick>& picks, int64_t now, std::vector<ReceivedMessage>* out);
  Status DeleteMessages(std::span<const std::string_view> receipts, std::vector<Status>* results);
  Status ChangeVisibility(std::string_view receipt, uint32_t timeout_s);
  Status Purge();
  Status Stats(QueueStats* out);
  Status Redrive(const std::string& target, size_t max_messages, size_t* moved);
  Status Compact(size_t* rewritten, size_t* removed);
  // Compact's writing part: the prefix of wholly dead segments first (it only frees space),
  // then the rewrites, skipped on a full disk (SPEC.md 13.8: a rewrite needs new space first).
  Status ApplyCompaction(const std::vector<std::pair<SeqNo, bool>>& rewrites,
                         uint64_t remove_before, size_t* rw, size_t* rm);
  // Removes the sealed segments wholly below `hi` (purged), but on FIFO queues none inside
  // the dedup window; then refills the store's reserve.
  Status RemovePurged(uint64_t hi);
  Status MoveOut(Queue& to, std::span<const SendEntry> entries,
                 std::span<const format::QueueMessageHeader> moved);
  void ExpireDedupLocked(int64_t now) {
    while (!dedup_order.empty() && dedup_order.front().first <= now) {
      auto it = dedup.find(dedup_order.front().second);
      if (it != dedup.end() && !it->second.pending && it->second.expires <= now) dedup.erase(it);
      dedup_order.pop_front();
    }
  }
  Status Maintain(const QueuesOptions& opt);
  int64_t Now() const { return clock->NowMs().value(); }

  // ---- receipts ----
  std::string EncodeReceipt(uint64_t id, uint64_t gen) const {
    uint8_t b[kReceiptBytes];
    format::EncodeFixed64(b, id);
    format::EncodeFixed32(b + 8, epoch);
    format::EncodeFixed64(b + 12, gen);
    format::EncodeFixed32(b + 20, ReceiptCheck(b));
    std::string s(2 * kReceiptBytes, '0');
    for (size_t i = 0; i < kReceiptBytes; ++i) std::memcpy(&s[2 * i], kHexPairs[b[i]].data(), 2);
    return s;
  }
  uint32_t ReceiptCheck(const uint8_t* b) const {
    uint8_t k[16];
    format::EncodeFixed64(k, log_id);
    format::EncodeFixed64(k + 8, kReceiptSalt);
    return static_cast<uint32_t>(format::Checksum2(ByteView(k, 16), ByteView(b, 20)));
  }
  Status DecodeReceipt(std::string_view r, uint64_t* id, uint32_t* ep, uint64_t* gen) const {
    auto bad = [&] {
      return Status::InvalidArgument("receipt handle '" + std::string(r.substr(0, 64)) +
                                     "' is not one of queue '" + name + "'");
    };
    if (r.size() != 2 * kReceiptBytes) return bad();
    uint8_t b[kReceiptBytes];
    uint8_t invalid = 0;  // bit 4 of a digit's value: not a lowercase hex digit
    for (size_t i = 0; i < kReceiptBytes; ++i) {
      const uint8_t hi = kHexValue[static_cast<unsigned char>(r[2 * i])];
      const uint8_t lo = kHexValue[static_cast<unsigned char>(r[2 * i + 1])];
      invalid |= hi | lo;
      b[i] = static_cast<uint8_t>((hi << 4) | (lo & 15));
    }
    if ((invalid & 16) != 0) return bad();
    if (format::DecodeFixed32(b + 20) != ReceiptCheck(b)) return bad();
    *id = format::DecodeFixed64(b);
    *ep = format::DecodeFixed32(b + 8);
    *gen = format::DecodeFixed64(b + 12);
    if (*id >= publish_next && *ep == epoch) return bad();
    return Status::OK();
  }

  // ---- FIFO groups ----
  Group* GetGroupLocked(const std::string& id) {
    auto& g = groups[id];
    if (!g) {
      g = std::make_unique<Group>();
      g->id = id;
    }
    return g.get();
  }
  // Puts the group in avail_ when it may deliver, takes it out when not.
  void UpdateGroupLocked(Group* g) {
    const bool can = g->in_flight == 0 && !g->ids.empty() && !delayed.contains(g->ids.front());
    if (g->available && (!can || g->avail_key != g->ids.front())) {
      avail.erase(g->avail_key);
      g->available = false;
    }
    if (can && !g->available) {
      g->avail_key = g->ids.front();
      avail.emplace(g->avail_key, g);
      g->available = true;
      if (receivers_waiting > 0) cv.notify_one();  // e.g. a delete unlocked the group
    }
    if (g->ids.empty() && g->in_flight == 0 && g->refs == 0) groups.erase(g->id);  // frees g
  }
  void RemoveFromGroupLocked(Group* g, uint64_t id) {
    auto it = std::lower_bound(g->ids.begin(), g->ids.end(), id);
    if (it != g->ids.end() && *it == id) g->ids.erase(it);
  }

  // ---- in-memory state changes ----
  // Applies sends in id order (see `unpublished`).
  void PublishLocked(uint64_t first, std::vector<Publish> msgs) {
    const int64_t now = Now();
    size_t published = 0;
    // Usually the batch is next in line: published at once, without a stop in `unpublished`.
    bool direct = first == publish_next;
    if (!direct) unpublished.emplace(first, std::move(msgs));
    while (direct || (!unpublished.empty() && unpublished.begin()->first == publish_next)) {
      std::vector<Publish> batch;
      if (direct) {
        batch = std::move(msgs);
        direct = false;
      } else {
        batch = std::move(unpublished.begin()->second);
        unpublished.erase(unpublished.begin());
      }
      for (Publish& m : batch) {
        publish_next = m.id + 1;
        if (m.id < expired_below) continue;
        live.add(m.id);
        Group* g = fifo() ? GetGroupLocked(m.group) : nullptr;
        if (g != nullptr) g->ids.push_back(m.id);
        if (m.due > now) {
          delayed.add(m.id);
          if (g != nullptr) ++g->refs;
          timers.push(Timer{m.due, m.id, 0, g});
        } else if (g == nullptr) {
          AddReadyLocked(m.id);
        }
        if (g != nullptr) UpdateGroupLocked(g);
        ++published;
      }
    }
    // Each new message can satisfy at least one waiting receiver: wake that many, not all of
    // them (a herd of receivers finding nothing costs more than the send).
    if (published >= receivers_waiting) {
      if (published > 0) cv.notify_all();
    } else {
      for (size_t k = 0; k < published; ++k) cv.notify_one();
    }
  }

  // ---- standard queues' ready ids ----
  void AddReadyLocked(uint64_t id) {
    if (id >= ready_cursor) {
      ready.add(id);
    } else {
      ready_below.insert(id);
    }
  }
  void UnreadyLocked(uint64_t id) {
    if (id >= ready_cursor) {
      ready.remove(id);
    } else {
      ready_below.erase(id);
    }
  }
  // Takes the lowest visible id; false when none is.
  bool TakeReadyLocked(uint64_t* id) {
    if (!ready_below.empty()) {  // below the cursor, so the lowest
      *id = *ready_below.begin();
      ready_below.erase(ready_below.begin());
      return true;
    }
    // Every id the cursor passes is published; it passes each once (amortized O(1) a take).
    const uint64_t end = publish_next.load(std::memory_order_relaxed);
    const uint64_t from = ready_cursor;
    bool found = false;
    for (int steps = 0; ready_cursor < end; ++steps) {
      if (ready.contains(ready_cursor)) {
        *id = ready_cursor++;
        found = true;
        break;
      }
      ++ready_cursor;
      if (steps == 64 && ready_cursor < end) {
        // A long gap (in flight, delayed or deleted ids): jump to the next visible one.
        uint64_t next = 0;
        ready_cursor = ready.select(ready.rank(ready_cursor - 1), &next) ? std::min(next, end) : end;
      }
    }
    // Drop the containers the cursor left behind (they hold only stale ids).
    if ((ready_cursor >> 16) != (from >> 16)) RemoveRange(&ready, 0, ready_cursor & ~0xFFFFull);
    return found;
  }

  // Runs the timers that are due.
  void ProcessTimersLocked(int64_t now) {
    bool any = false;
    while (!timers.empty() && timers.top().due <= now) {
      const Timer t = timers.top();
      timers.pop();
      auto* g = static_cast<Group*>(t.group);
      if (t.gen == 0) {
        if (delayed.contains(t.id)) {
          delayed.remove(t.id);
          if (g == nullptr && live.contains(t.id)) AddReadyLocked(t.id);
          any = true;
        }
        if (g != nullptr) {
          --g->refs;
          UpdateGroupLocked(g);
        }
        continue;
      }
      auto it = received.find(t.id);
      if (it == received.end() || it->second.gen != t.gen || !it->second.in_flight ||
          it->second.visible_at != t.due) {
        continue;  // deleted, received again, or its visibility was changed
      }
      it->second.in_flight = false;
      --in_flight;
      any = true;
      if (Group* rg = it->second.group; rg != nullptr) {
        --rg->in_flight;
        UpdateGroupLocked(rg);
      } else if (live.contains(t.id)) {
        AddReadyLocked(t.id);
      }
    }
    if (any) cv.notify_all();
  }

  // Forgets message `id` (deleted, expired, purged or moved) in every structure but `live`.
  void ForgetLocked(uint64_t id, Group* g) {
    auto it = received.find(id);
    if (it == received.end() || !it->second.in_flight) {  // in flight: neither visible nor delayed
      UnreadyLocked(id);
      delayed.remove(id);
    }
    if (it != received.end()) {
      if (it->second.in_flight) {
        --in_flight;
        if (it->second.group != nullptr) --it->second.group->in_flight;
      }
      if (g == nullptr) g = it->second.group;
      if (it->second.group != nullptr) --it->second.group->refs;
      received.erase(it);
    }
    if (g != nullptr) {
      RemoveFromGroupLocked(g, id);
      UpdateGroupLocked(g);
    }
  }

  // Drops every message below `cut` from memory: expired by retention (not journaled: expiry
  // follows from a message's timestamp), or purged (journaled before).
  void ExpireBelowLocked(uint64_t cut) {
    if (cut <= expired_below) return;
    expired_below = cut;
    RemoveRange(&live, 0, cut);
    ready_cursor = std::max(ready_cursor, cut);
    RemoveRange(&ready, 0, ready_cursor);
    ready_below.erase(ready_below.begin(), ready_below.lower_bound(cut));
    RemoveRange(&delayed, 0, cut);
    std::set<Group*> touched;
    for (auto it = received.begin(); it != received.end();) {
      if (it->first < cut) {
        Group* g = it->second.group;
        if (it->second.in_flight) {
          --in_flight;
          if (g != nullptr) --g->in_flight;
        }
        if (g != nullptr) {
          --g->refs;
          touched.insert(g);
        }
        it = received.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [gid, g] : groups) {
      if (!g->ids.empty() && g->ids.front() < cut) {
        while (!g->ids.empty() && g->ids.front() < cut) g->ids.pop_front();
        touched.insert(g.get());
      }
    }
    for (Group* g : touched) UpdateGroupLocked(g);  // may free g
  }

  // The first id whose message is not expired at `now` (from the log's time index).
  Status CutoffSeq(int64_t now, uint64_t* cut) {
    const int64_t t = now - static_cast<int64_t>(cfg.retention_s) * 1000;
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

  Status Expire() {
    uint64_t cut = 0;
    SEGLOG_RETURN_IF_ERROR(CutoffSeq(Now(), &cut));
    std::lock_guard<std::mutex> l(mu);
    ExpireBelowLocked(cut);
    return Status::OK();
  }

  // Chooses up to n messages to deliver and puts them in flight for vt_ms.
  void PickLocked(size_t n, int64_t now, int64_t vt_ms, std::vector<Pick>* picks) {
    auto take = [&](uint64_t id, Group* g) {
      Received& r = received[id];
      if (r.gen == 0) {
        r.count = del->ReceiveCount(SeqNo(id));
        r.group = g;
        if (g != nullptr) ++g->refs;
      }
      r.gen = next_gen++;
      r.count = std::min<uint32_t>(r.count, UINT32_MAX - 1) + 1;
      r.in_flight = true;
      r.received_at = now;
      r.visible_at = now + vt_ms;
      ++in_flight;
      MaybeCompactTimersLocked();
      timers.push(Timer{r.visible_at, id, r.gen, nullptr});
      picks->push_back(Pick{id, r.gen, r.count});
    };
    if (!fifo()) {
      uint64_t id = 0;
      while (picks->size() < n && in_flight < kQueueMaxInFlight && TakeReadyLocked(&id)) {
        take(id, nullptr);
      }
      return;
    }
    while (picks->size() < n && !avail.empty() && in_flight < kQueueMaxInFlight) {
      Group* g = avail.begin()->second;
      avail.erase(avail.begin());
      g->available = false;
      for (uint64_t id : g->ids) {
        if (picks->size() >= n || delayed.contains(id) || in_flight >= kQueueMaxInFlight) break;
        ++g->in_flight;
        take(id, g);
      }
      UpdateGroupLocked(g);
    }
  }

  // Timers of deleted or re-received messages stay in the heap until due; when they outnumber
  // the live ones, the heap is rebuilt without them (amortized O(1) per timer).
  void MaybeCompactTimersLocked() {
    if (timers.size() < timer_compaction_at) return;
    timers.Filter([&](const Timer& t) {
      bool valid;
      if (t.gen == 0) {
        valid = delayed.contains(t.id);
        if (!valid && t.group != nullptr) {
          auto* g = static_cast<Group*>(t.group);
          --g->refs;
          UpdateGroupLocked(g);
        }
      } else {
        auto it = received.find(t.id);
        valid = it != received.end() && it->second.gen == t.gen && it->second.in_flight &&
                it->second.visible_at == t.due;
      }
      return valid;
    });
    timer_compaction_at = std::max<size_t>(4096, 2 * timers.size());
  }

  // Makes picked messages visible again at once (a receive that could not complete).
  void ReleaseLocked(std::span<const Pick> picks) {
    for (const Pick& p : picks) {
      auto it = received.find(p.id);
      if (it == received.end() || it->second.gen != p.gen || !it->second.in_flight) continue;
      it->second.visible_at = Now();
      timers.push(Timer{it->second.visible_at, p.id, p.gen, nullptr});
    }
    ProcessTimersLocked(Now());
  }
};

// ---------------------------------------------------------------------------------------
// Queues

Queues::Queues(Store* store, const QueuesOptions& opt) : store_(store), opt_(opt) {
  clock_listener_ = store_->clock()->AddListener([this] {
    // The clock jumped: wake every waiter so that it looks at the new time.
    std::lock_guard<std::mutex> l(mu_);
    for (auto& [n, q] : open_) {
      std::lock_guard<std::mutex> ql(q->mu);
      q->cv.notify_all();
    }
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
    for (auto& [n, q] : open_) {
      std::lock_guard<std::mutex> ql(q->mu);
      q->closing = true;  // ends long polls
      q->cv.notify_all();
    }
  }
  if (maintenance_task_ != 0) store_->scheduler()->Cancel(maintenance_task_);  // waits for a pass
  store_->clock()->RemoveListener(clock_listener_);
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

Status Queues::Create(const std::string& name, const QueueConfig& config) {
  SEGLOG_RETURN_IF_ERROR(ValidateName("queue", name));
  SEGLOG_RETURN_IF_ERROR(config.Validate(name));
  if (store_->read_only()) return Status::NotSupported("the store is open read-only");
  std::lock_guard<std::mutex> cl(create_mu_);
  if (!config.dead_letter_queue.empty()) {
    std::shared_ptr<Queue> dlq;
    Status s = Find(config.dead_letter_queue, &dlq);
    if (s.code() == StatusCode::kNotFound) {
      return Status::InvalidArgument("dead-letter queue '" + config.dead_letter_queue +
                                     "' does not exist");
    }
    SEGLOG_RETURN_IF_ERROR(s);
    if (dlq->cfg.type != config.type) {
      return Status::InvalidArgument("a FIFO queue's dead-letter queue must be FIFO, a standard "
                                     "queue's standard");
    }
  }
  const bool fifo = config.type == QueueType::kFifo;
  std::vector<std::pair<std::string, std::string>> props = {
      {kQueueProp, name},
      {kPartProp, qp::kPartMessages},
      {kTypeProp, fifo ? qp::kTypeFifo : qp::kTypeStandard},
      {kVisibilityProp, std::to_string(config.visibility_timeout_s)},
      {kDelayProp, std::to_string(config.delay_s)},
      {kRetentionProp, std::to_string(config.retention_s)},
      {kMaxBytesProp, std::to_string(config.max_message_bytes)},
      {kWaitProp, std::to_string(config.receive_wait_s)},
      {kContentDedupProp, config.content_based_dedup ? "1" : "0"},
      {kDlqProp, config.dead_letter_queue},
      {kMaxReceiveProp, std::to_string(config.max_receive_count)},
  };
  LogOptions journal_opt = config.log;
  journal_opt.segment_size = std::min<uint64_t>(config.log.segment_size, 8ull << 20);
  journal_opt.compress_min_bytes = 0;
  Store::LogSpec specs[2] = {
      {MessagesLogName(name), config.log, props},
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
  const format::CatalogEntry* entry = nullptr;
  for (const auto& e : cat.logs) {
    if (e.name == MessagesLogName(name)) entry = &e;
  }
  if (entry == nullptr) return Status::NotFound("queue '" + name + "' does not exist");

  auto q = std::make_shared<Queue>();
  q->owner = this;
  q->name = name;
  q->clock = store_->clock();
  q->log_id = entry->log_id;
  QueueConfig& c = q->cfg;
  const std::string* type = format::FindProp(*entry, kTypeProp);
  const std::string* cd = format::FindProp(*entry, kContentDedupProp);
  const std::string* dlq = format::FindProp(*entry, kDlqProp);
  if (type == nullptr || (*type != qp::kTypeFifo && *type != qp::kTypeStandard) || cd == nullptr ||
      dlq == nullptr ||
      !format::ParsePropU32(format::FindProp(*entry, kVisibilityProp), &c.visibility_timeout_s) ||
      !format::ParsePropU32(format::FindProp(*entry, kDelayProp), &c.delay_s) ||
      !format::ParsePropU32(format::FindProp(*entry, kRetentionProp), &c.retention_s) ||
      !format::ParsePropU32(format::FindProp(*entry, kMaxBytesProp), &c.max_message_bytes) ||
      !format::ParsePropU32(format::FindProp(*entry, kWaitProp), &c.receive_wait_s) ||
      !format::ParsePropU32(format::FindProp(*entry, kMaxReceiveProp), &c.max_receive_count)) {
    return Status::Corruption("queue '" + name + "' has malformed settings in the catalog");
  }
  c.type = *type == qp::kTypeFifo ? QueueType::kFifo : QueueType::kStandard;
  c.content_based_dedup = *cd == "1";
  c.dead_letter_queue = *dlq;
  SEGLOG_RETURN_IF_ERROR(LogOptionsFromProps(entry->props, &c.log));
  SEGLOG_RETURN_IF_ERROR(store_->OpenLog(MessagesLogName(name), &q->log));
  SEGLOG_RETURN_IF_ERROR(store_->OpenLog(JournalLogName(name), &q->journal));
  SEGLOG_RETURN_IF_ERROR(DeleteIndex::Open(q->journal, store_->file_system(), &q->del,
                                           store_->space_reserve()));
  std::random_device rd;
  q->epoch = rd();
  SEGLOG_RETURN_IF_ERROR(q->Recover().WithContext("recovering queue '" + name + "'"));
  open_.emplace(name, q);
  *out = std::move(q);
  return Status::OK();
}

// Rebuilds the in-memory state: live = [first unexpired id, next) minus the deleted ones;
// delays from the records of the last 15 minutes; FIFO groups (and dedup ids of the last 5
// minutes) from the live records' keys. Nothing was in flight.
Status Queues::Queue::Recover() {
  Queue& q = *this;
  const int64_t now = q.Now();
  const uint64_t first = q.log->first_seq().value();
  const uint64_t next = q.log->next_seq().value();
  uint64_t cut = 0;
  SEGLOG_RETURN_IF_ERROR(q.CutoffSeq(now, &cut));
  cut = std::max(cut, first);
  q.del->ForgetBelow(SeqNo(first));
  q.publish_next = next;
  q.expired_below = cut;
  if (cut < next) AddRange(&q.live, cut, next);
  q.live -= q.del->DeletedCopy();
  q.live.runOptimize();

  auto visit = [&](const RecordView& r, const format::QueueMessageHeader& h) {
    const uint64_t id = r.seq.value();
    Queue::Group* g = nullptr;
    if (q.fifo()) {
      if (h.has_dedup_id && !h.moved && r.ts.value() + kQueueDedupWindowMs > now) {
        Queue::Dedup& d = q.dedup[std::string(h.dedup_id)];
        d = Queue::Dedup{id, r.ts.value() + kQueueDedupWindowMs, false};
        q.dedup_order.emplace_back(d.expires, std::string(h.dedup_id));
      }
      if (!q.live.contains(id)) return;
      g = q.GetGroupLocked(std::string(AsChars(r.key)));
      g->ids.push_back(id);
    }
    if (!q.live.contains(id)) return;
    const int64_t due = r.ts.value() + static_cast<int64_t>(h.delay_s) * 1000;
    if (due > now) {
      q.delayed.add(id);
      if (g != nullptr) ++g->refs;
      q.timers.push(Timer{due, id, 0, g});
    }
  };
  std::unique_ptr<LogIterator> it;
  if (q.fifo()) {
    SEGLOG_RETURN_IF_ERROR(q.log->NewIterator(SeqNo(cut), &it));
  } else {
    SEGLOG_RETURN_IF_ERROR(q.log->NewIteratorAtTime(
        TimestampMs(now - static_cast<int64_t>(kQueueMaxDelayS) * 1000), &it));
  }
  RecordView r;
  Status s;
  std::lock_guard<std::mutex> l(q.mu);
  while ((s = it->Next(&r)).ok()) {
    format::QueueMessageHeader h;
    SEGLOG_RETURN_IF_ERROR(format::DecodeQueueMessageHeader(r.attrs, &h).WithContext(
        "message " + std::to_string(r.seq.value())));
    visit(r, h);
  }
  if (!s.IsNoMore()) return s;
  if (q.fifo()) {
    std::vector<Queue::Group*> all;
    for (auto& [id, g] : q.groups) all.push_back(g.get());
    for (Queue::Group* g : all) q.UpdateGroupLocked(g);
  } else {
    q.ready = q.live;
    q.ready -= q.delayed;
    q.ready_cursor = cut;
  }
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
  }
  Status s;
  {
    // Waits for every call in progress on the queue; later ones find it deleted (it stays in
    // open_ until its logs are gone, so no call reopens it from the catalog meanwhile).
    std::unique_lock<WriterFirstLock> ol(q->op_mu);
    if (q->del == nullptr) return Status::NotFound("queue '" + name + "' does not exist");
    q->del.reset();
    q->DropIterators();  // before their log goes
    const std::string names[2] = {MessagesLogName(name), JournalLogName(name)};
    s = store_->DropLogGroup(names);
  }
  std::lock_guard<std::mutex> l(mu_);
  open_.erase(name);
  return s;
}

// ---------------------------------------------------------------------------------------
// Queue operations

Status Queues::Queue::Send(std::span<const SendEntry> entries, std::vector<SendResult>* results,
                           std::span<const format::QueueMessageHeader> moved) {
  const bool internal = !moved.empty();
  const size_t n = entries.size();
  if (n == 0) return Status::InvalidArgument("no messages to send");
  if (n > kQueueMaxBatch && !internal) {
    return Status::InvalidArgument("a batch holds at most 10 messages, got " + std::to_string(n));
  }
  size_t batch_bytes = 0;
  for (size_t i = 0; i < n && !internal; ++i) {
    const SendEntry& e = entries[i];
    const std::string what = n == 1 ? "message" : "message " + std::to_string(i);
    if (e.body.empty()) return Status::InvalidArgument(what + ": the body is empty");
    if (e.attributes.size() > kQueueMaxAttributes) {
      return Status::InvalidArgument(what + ": " + std::to_string(e.attributes.size()) +
                                     " attributes, at most 10 allowed");
    }
    for (size_t a = 0; a < e.attributes.size(); ++a) {
      const format::MessageAttribute& at = e.attributes[a];
      SEGLOG_RETURN_IF_ERROR(ValidateAttributeName(at.name).WithContext(what));
      for (size_t b = 0; b < a; ++b) {
        if (e.attributes[b].name == at.name) {
          return Status::InvalidArgument(what + ": attribute '" + std::string(at.name) +
                                         "' appears twice");
        }
      }
      const std::string an = what + ": attribute '" + std::string(at.name) + "'";
      switch (at.type) {
        case format::AttributeType::kString:
          if (!ValidUtf8(AsChars(at.value))) {
            return Status::InvalidArgument(an + " is a String but not valid UTF-8");
          }
          break;
        case format::AttributeType::kNumber:
          if (!ValidNumber(AsChars(at.value))) {
            return Status::InvalidArgument(an + " is not a Number (up to 38 digits)");
          }
          break;
        case format::AttributeType::kBinary:
          break;
        default:
          return Status::InvalidArgument(an + " has an unknown type");
      }
      if (at.value.empty()) return Status::InvalidArgument(an + " has an empty value");
    }
    const size_t size = MessageSize(e.body, e.attributes);
    if (size > cfg.max_message_bytes) {
      return Status::TooLarge(what + " is " + std::to_string(size) +
                              " bytes with its attributes; the queue's limit is " +
                              std::to_string(cfg.max_message_bytes));
    }
    batch_bytes += size;
    if (fifo()) {
      SEGLOG_RETURN_IF_ERROR(ValidateFifoId("message group id", e.group_id).WithContext(what));
      if (e.delay_s != -1) {
        return Status::InvalidArgument(what + ": FIFO queues take no per-message delay (the "
                                       "queue's delay applies)");
      }
      if (!e.dedup_id.empty()) {
        SEGLOG_RETURN_IF_ERROR(ValidateFifoId("deduplication id", e.dedup_id).WithContext(what));
      } else if (!cfg.content_based_dedup) {
        return Status::InvalidArgument(what + ": a FIFO queue without content-based "
                                       "deduplication needs a deduplication id");
      }
    } else {
      if (!e.group_id.empty() || !e.dedup_id.empty()) {
        return Status::InvalidArgument(what + ": group and deduplication ids apply to FIFO "
                                       "queues only");
      }
      if (e.delay_s < -1 || e.delay_s > static_cast<int32_t>(kQueueMaxDelayS)) {
        return Status::InvalidArgument(what + ": delay must be 0 to 900 seconds, got " +
                                       std::to_string(e.delay_s));
      }
    }
  }
  if (batch_bytes > kQueueMaxMessageBytes) {
    return Status::TooLarge("the batch is " + std::to_string(batch_bytes) +
                            " bytes; a batch may hold at most 1 MiB");
  }

  const int64_t now = Now();
  std::vector<std::string> keys(fifo() && !internal ? n : 0);  // FIFO dedup ids
  std::vector<format::QueueMessageHeader> headers(n);
  for (size_t i = 0; i < n; ++i) {
    const SendEntry& e = entries[i];
    format::QueueMessageHeader& h = headers[i];
    if (internal) {
      h = moved[i];
      h.attributes.assign(e.attributes.begin(), e.attributes.end());
      continue;
    }
    h.delay_s = fifo() || e.delay_s < 0 ? cfg.delay_s : static_cast<uint32_t>(e.delay_s);
    h.sent_ms = now;
    h.attributes.assign(e.attributes.begin(), e.attributes.end());
    if (fifo()) {
      keys[i] = e.dedup_id.empty() ? Sha256Hex(e.body) : std::string(e.dedup_id);
      h.has_dedup_id = true;
      h.dedup_id = keys[i];
    }
  }

  results->assign(n, SendResult{});
  std::vector<int> dup_of(n, -1);      // a repeat of an earlier entry of this batch
  std::vector<bool> write(n, true);
  const bool dedup_check = fifo() && !internal;
  if (dedup_check) {
    std::unique_lock<std::mutex> l(mu);
    for (;;) {
      if (dropped) return Status::NotFound("queue '" + name + "' was deleted");
      ExpireDedupLocked(Now());
      bool pending = false;
      for (size_t i = 0; i < n && !pending; ++i) {
        auto it = dedup.find(keys[i]);
        pending = it != dedup.end() && it->second.pending;
      }
      if (!pending) break;
      dedup_cv.wait(l);  // a send with the same id is being written: its outcome decides
    }
    for (size_t i = 0; i < n; ++i) {
      for (size_t j = 0; j < i && dup_of[i] < 0; ++j) {
        if (write[j] && keys[j] == keys[i]) dup_of[i] = static_cast<int>(j);
      }
      if (dup_of[i] >= 0) {  // a repeat within this batch
        write[i] = false;
        continue;
      }
      if (auto it = dedup.find(keys[i]); it != dedup.end()) {
        (*results)[i] = SendResult{SeqNo(it->second.id), true};
        write[i] = false;
        continue;
      }
      dedup[keys[i]] = Dedup{0, now + kQueueDedupWindowMs, true};
    }
  }

  // Every header in one buffer, then the records' views into it.
  ByteBuffer attrs;
  attrs.reserve(48 * n);
  std::vector<size_t> attr_end;
  attr_end.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (!write[i]) continue;
    format::EncodeQueueMessageHeader(headers[i], &attrs);
    attr_end.push_back(attrs.size());
  }
  std::vector<Log::Record> recs;
  recs.reserve(attr_end.size());
  for (size_t i = 0, k = 0, at = 0; i < n; ++i) {
    if (!write[i]) continue;
    recs.push_back(Log::Record{AsBytes(entries[i].group_id), entries[i].body,
                               ByteView(attrs.data() + at, attr_end[k] - at)});
    at = attr_end[k++];
  }
  SeqNo first;
  Status s = recs.empty() ? Status::OK() : log->Append(recs, &first);

  std::vector<Publish> pub;
  pub.reserve(recs.size());
  std::lock_guard<std::mutex> l(mu);
  uint64_t id = first.value();
  for (size_t i = 0; i < n; ++i) {
    if (!write[i]) continue;
    if (dedup_check) {
      if (s.ok()) {
        dedup[keys[i]] = Dedup{id, now + kQueueDedupWindowMs, false};
        dedup_order.emplace_back(now + kQueueDedupWindowMs, keys[i]);
      } else {
        dedup.erase(keys[i]);
      }
    }
    if (s.ok()) {
      (*results)[i] = SendResult{SeqNo(id), false};
      pub.push_back(Publish{id, now + static_cast<int64_t>(headers[i].delay_s) * 1000,
                            std::string(entries[i].group_id)});
      ++id;
    }
  }
  if (dedup_check) dedup_cv.notify_all();
  if (!s.ok()) return s;
  for (size_t i = 0; i < n; ++i) {
    if (dup_of[i] >= 0) (*results)[i] = SendResult{(*results)[dup_of[i]].id, true};
  }
  if (!pub.empty()) PublishLocked(first.value(), std::move(pub));
  return Status::OK();
}

Status Queues::Queue::Receive(const ReceiveOptions& opt, std::vector<ReceivedMessage>* out) {
  if (opt.max_messages < 1 || opt.max_messages > kQueueMaxBatch) {
    return Status::InvalidArgument("max_messages must be 1 to 10, got " +
                                   std::to_string(opt.max_messages));
  }
  if (opt.visibility_timeout_s < -1 ||
      opt.visibility_timeout_s > static_cast<int32_t>(kQueueMaxVisibilityS)) {
    return Status::InvalidArgument("visibility timeout must be 0 to 43200 seconds, got " +
                                   std::to_string(opt.visibility_timeout_s));
  }
  if (opt.wait_s < -1 || opt.wait_s > static_cast<int32_t>(kQueueMaxWaitS)) {
    return Status::InvalidArgument("wait must be 0 to 20 seconds, got " +
                                   std::to_string(opt.wait_s));
  }
  const int64_t vt_ms =
      1000ll * (opt.visibility_timeout_s >= 0 ? opt.visibility_timeout_s : cfg.visibility_timeout_s);
  const int64_t wait_ms = 1000ll * (opt.wait_s >= 0 ? opt.wait_s : cfg.receive_wait_s);
  const int64_t deadline = Now() + wait_ms;
  const size_t before = out->size();
  for (;;) {
    // Expired messages are never delivered (Deliver checks each record's time); expiring them
    // from memory too, at most once a second, frees FIFO groups held by an expired message.
    if (const int64_t t = Now(); t - last_expire_ms.load(std::memory_order_relaxed) >= 1000) {
      last_expire_ms.store(t, std::memory_order_relaxed);
      SEGLOG_RETURN_IF_ERROR(Expire());
    }
    std::vector<Pick> picks;
    picks.reserve(opt.max_messages);
    int64_t now = 0;
    {
      std::unique_lock<std::mutex> l(mu);
      for (;;) {
        if (dropped) return Status::NotFound("queue '" + name + "' was deleted");
        if (closing) return Status::Closed("the store's queues are closing");
        now = Now();
        ProcessTimersLocked(now);
        PickLocked(opt.max_messages, now, vt_ms, &picks);
        if (!picks.empty() || now >= deadline) break;
        // Woken by a send, a clock jump, or the next timer (a delay or visibility timeout).
        int64_t until = deadline;
        if (!timers.empty()) until = std::min(until, timers.top().due);
        ++receivers_waiting;
        cv.wait_for(l, std::chrono::milliseconds(std::max<int64_t>(1, until - now)));
        --receivers_waiting;
      }
    }
    if (picks.empty()) return Status::OK();
    SEGLOG_RETURN_IF_ERROR(Deliver(picks, now, out));
    if (out->size() > before) return Status::OK();
    // Every pick was expired or moved to the dead-letter queue: look again (each pass takes
    // at least one message out of the queue, so this ends), then wait out the deadline.
  }
}

// Reads the picked messages' records, then delivers them, drops the expired ones and moves
// those received too often to the dead-letter queue.
Status Queues::Queue::Deliver(std::vector<Pick>& picks, int64_t now,
                              std::vector<ReceivedMessage>* out) {
  const size_t n = picks.size();
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return picks[a].id < picks[b].id; });
  std::vector<RecordView> recs(n);
  std::vector<bool> found(n, false);
  // Views stay valid while their iterator lives (NextRetaining holds every mapping it read).
  std::vector<std::unique_ptr<LogIterator>> iters;
  auto fail = [&](Status s) {
    std::lock_guard<std::mutex> l(mu);
    ReleaseLocked(picks);
    return s;
  };
  for (size_t idx : order) {
    const uint64_t id = picks[idx].id;
    if (iters.empty() || iters.back()->position().value() > id ||
        id - iters.back()->position().value() > kIterReach) {
      iters.emplace_back();
      Status s = TakeIterator(id, &iters.back());
      if (!s.ok()) return fail(s);
    }
    LogIterator& it = *iters.back();
    RecordView r;
    Status s;
    while ((s = it.NextRetaining(&r)).ok() && r.seq.value() < id) {
    }
    if (s.ok()) {
      if (r.seq.value() == id) {
        recs[idx] = r;
        found[idx] = true;
      } else {
        it.Unget(r);
      }
    } else if (!s.IsNoMore()) {
      return fail(s);
    }
  }

  std::shared_ptr<Queue> dlq;
  if (!cfg.dead_letter_queue.empty()) {
    Status s = owner->Find(cfg.dead_letter_queue, &dlq);
    if (!s.ok() && s.code() != StatusCode::kNotFound) return fail(s);
  }
  const int64_t cutoff = now - static_cast<int64_t>(cfg.retention_s) * 1000;
  std::vector<size_t> deliver, move, gone;
  deliver.reserve(n);
  std::vector<format::QueueMessageHeader> headers(n);
  const uint64_t first_retained = log->first_seq().value();
  for (size_t i = 0; i < n; ++i) {
    if (!found[i] && picks[i].id >= first_retained) {
      // A live message's record is only ever removed with its segment (retention) or by a
      // compaction that keeps every live id: never drop it silently.
      return fail(Status::Corruption("queue '" + name + "': message " +
                                     std::to_string(picks[i].id) + " is live but its record "
                                     "was not found in the message log"));
    }
    if (!found[i] || recs[i].ts.value() < cutoff) {
      gone.push_back(i);  // expired (its segment may already be gone)
      continue;
    }
    Status s = format::DecodeQueueMessageHeader(recs[i].attrs, &headers[i]);
    if (!s.ok()) return fail(s.WithContext("message " + std::to_string(picks[i].id)));
    if (dlq != nullptr && picks[i].count > cfg.max_receive_count) {
      move.push_back(i);
    } else {
      deliver.push_back(i);
    }
  }

  // Receive counts are durable before anyone sees the message: a consumer that crashes on it
  // every time still drives it to the dead-letter queue.
  if (!deliver.empty()) {
    std::vector<std::pair<SeqNo, uint32_t>> counts;
    counts.reserve(deliver.size());
    for (size_t i : deliver) counts.emplace_back(SeqNo(picks[i].id), picks[i].count);
    Status s = del->SetReceiveCounts(counts);
    if (!s.ok()) return fail(s);
  }
  for (size_t i : deliver) {
    const RecordView& r = recs[i];
    const format::QueueMessageHeader& h = headers[i];
    ReceivedMessage m;
    m.id = r.seq;
    m.receipt = EncodeReceipt(picks[i].id, picks[i].gen);
    m.body.assign(AsChars(r.value));
    for (const auto& a : h.attributes) {
      m.attributes.push_back(ReceivedAttribute{std::string(a.name), a.type,
                                               std::string(AsChars(a.value))});
    }
    m.group_id.assign(AsChars(r.key));
    if (h.has_dedup_id) m.dedup_id.assign(h.dedup_id);
    m.receive_count = picks[i].count;
    m.sent = TimestampMs(h.sent_ms);
    m.enqueued = r.ts;
    out->push_back(std::move(m));
  }

  Status move_status;
  std::vector<uint64_t> removed;
  if (!move.empty()) {
    std::vector<SendEntry> entries;
    std::vector<format::QueueMessageHeader> mh;
    for (size_t i : move) {
      SendEntry e;
      e.body = recs[i].value;
      e.attributes = headers[i].attributes;
      e.group_id = AsChars(recs[i].key);
      entries.push_back(e);
      format::QueueMessageHeader h = headers[i];
      h.moved = true;
      h.source = name;
      h.source_id = picks[i].id;
      h.delay_s = 0;
      h.attributes.clear();
      mh.push_back(h);
    }
    move_status = MoveOut(*dlq, entries, mh);
    if (move_status.ok()) {
      for (size_t i : move) removed.push_back(picks[i].id);
    }
  }
  ReturnIterators(&iters);  // the views in recs are not used past here
  std::lock_guard<std::mutex> l(mu);
  for (size_t i : gone) {
    auto it = received.find(picks[i].id);
    if (it != received.end() && it->second.gen == picks[i].gen) {
      ForgetLocked(picks[i].id, nullptr);
      live.remove(picks[i].id);
    }
  }
  for (uint64_t id : removed) live.remove(id);
  if (!move_status.ok()) {
    std::vector<Pick> back;
    for (size_t i : move) back.push_back(picks[i]);
    ReleaseLocked(back);
  }
  // The dead-letter queue being deleted is not the receiver's error: the messages stay here.
  return move_status.code() == StatusCode::kNotFound ? Status::OK() : move_status;
}

// Sends `entries` (with headers `moved`) to `to`, then deletes them here: a crash in between
// leaves a copy in both queues, never in neither. REQUIRES: the messages are in flight here.
Status Queues::Queue::MoveOut(Queue& to, std::span<const SendEntry> entries,
                              std::span<const format::QueueMessageHeader> moved) {
  std::vector<SendResult> res;
  {
    // A try-lock: the caller holds its own queue's op lock, and a redrive moves the other way
    // (lock order). It fails only while `to` is being deleted; the messages then stay here.
    std::shared_lock<WriterFirstLock> ol(to.op_mu, std::try_to_lock);
    if (!ol.owns_lock() || to.del == nullptr) {
      return Status::NotFound("queue '" + to.name + "' is being deleted");
    }
    SEGLOG_RETURN_IF_ERROR(to.Send(entries, &res, moved));
  }
  std::vector<SeqNo> ids;
  {
    std::lock_guard<std::mutex> l(mu);
    for (const auto& h : moved) {
      ids.push_back(SeqNo(h.source_id));
      ForgetLocked(h.source_id, nullptr);
    }
  }
  return del->Delete(ids);
}

Status Queues::Queue::DeleteMessages(std::span<const std::string_view> receipts,
                                     std::vector<Status>* results) {
  const size_t n = receipts.size();
  if (n == 0 || n > kQueueMaxBatch) {
    return Status::InvalidArgument("a delete batch holds 1 to 10 receipts, got " + std::to_string(n));
  }
  results->assign(n, Status::OK());
  struct Parsed {
    uint64_t id = 0, gen = 0;
    uint32_t ep = 0;
    bool valid = false;
  };
  std::vector<Parsed> p(n);
  for (size_t i = 0; i < n; ++i) {
    (*results)[i] = DecodeReceipt(receipts[i], &p[i].id, &p[i].ep, &p[i].gen);
    p[i].valid = (*results)[i].ok();
  }
  std::vector<SeqNo> ids;
  std::vector<size_t> which;
  ids.reserve(n);
  which.reserve(n);
  {
    std::lock_guard<std::mutex> l(mu);
    for (size_t i = 0; i < n; ++i) {
      if (!p[i].valid) continue;
      const uint64_t id = p[i].id;
      if (std::find(ids.begin(), ids.end(), SeqNo(id)) != ids.end()) continue;
      auto it = received.find(id);
      if (it != received.end()) {
        if (p[i].ep != epoch || it->second.gen != p[i].gen) {
          (*results)[i] = Status::Stale("message " + std::to_string(id) +
                                        " was received again since this receipt was issued");
          continue;
        }
        ForgetLocked(id, nullptr);
      } else if (!live.contains(id) || p[i].ep == epoch) {
        continue;  // already deleted, expired or purged (or being deleted): nothing to do
      } else {
        // A receipt from before a restart, for a message not received since: still valid.
        Group* g = nullptr;
        if (fifo()) {
          for (auto& [gid, grp] : groups) {
            auto pos = std::lower_bound(grp->ids.begin(), grp->ids.end(), id);
            if (pos != grp->ids.end() && *pos == id) g = grp.get();
          }
        }
        ForgetLocked(id, g);
      }
      ids.push_back(SeqNo(id));
      which.push_back(i);
    }
  }
  if (ids.empty()) return Status::OK();
  Status s = del->Delete(ids);
  if (!s.ok()) {
    for (size_t i : which) (*results)[i] = s;
    return Status::OK();
  }
  std::lock_guard<std::mutex> l(mu);
  for (SeqNo id : ids) live.remove(id.value());
  return Status::OK();
}

Status Queues::Queue::ChangeVisibility(std::string_view receipt, uint32_t timeout_s) {
  if (timeout_s > kQueueMaxVisibilityS) {
    return Status::InvalidArgument("visibility timeout must be 0 to 43200 seconds, got " +
                                   std::to_string(timeout_s));
  }
  uint64_t id = 0, gen = 0;
  uint32_t ep = 0;
  SEGLOG_RETURN_IF_ERROR(DecodeReceipt(receipt, &id, &ep, &gen));
  std::lock_guard<std::mutex> l(mu);
  auto it = received.find(id);
  if (it != received.end() && (ep != epoch || it->second.gen != gen)) {
    return Status::Stale("message " + std::to_string(id) +
                         " was received again since this receipt was issued");
  }
  if (it == received.end() || !it->second.in_flight) {
    return Status::Stale("message " + std::to_string(id) + " is not in flight (deleted, or its "
                         "visibility timeout ran out)");
  }
  const int64_t now = Now();
  const int64_t due = now + 1000ll * timeout_s;
  if (due > it->second.received_at + 1000ll * kQueueMaxVisibilityS) {
    return Status::InvalidArgument("the visibility timeout would end more than 12 hours after "
                                   "the message was received");
  }
  it->second.visible_at = due;
  timers.push(Timer{due, id, gen, nullptr});
  if (timeout_s == 0) ProcessTimersLocked(now);
  return Status::OK();
}

Status Queues::Queue::Purge() {
  uint64_t hi = 0;
  {
    std::lock_guard<std::mutex> l(mu);
    hi = publish_next;  // every published id is below; sends still being written stay
  }
  const uint64_t lo = log->first_seq().value();
  // Journal first: if that fails nothing changed. Receives racing the purge may still get a
  // message below hi (as SQS's purge, it takes effect as it goes).
  if (lo < hi) SEGLOG_RETURN_IF_ERROR(del->DeleteRange(SeqNo(lo), SeqNo(hi)));
  {
    std::lock_guard<std::mutex> l(mu);
    ExpireBelowLocked(hi);  // drops every id below hi from memory, in flight or not
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
  DropIterators();  // an idle one would keep a removed segment mapped
  // Under interval/none the purge's journal record must be durable before its records go.
  SEGLOG_RETURN_IF_ERROR(journal->Sync());
  size_t n = 0;
  Status s = log->RemoveSegmentsBefore(SeqNo(below), &n);
  if (n > 0) owner->store_->RefillReserve();
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
    const uint64_t live_n = Cardinality(live);
    st.in_flight = in_flight;
    st.delayed = Cardinality(delayed);
    st.visible = live_n > st.in_flight + st.delayed ? live_n - st.in_flight - st.delayed : 0;
    for (const auto& [gid, g] : groups) st.groups += g->ids.empty() ? 0 : 1;
    if (!IsEmpty(live)) {
      any = true;
      oldest = live.minimum();
    }
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

Status Queues::Queue::Redrive(const std::string& target, size_t max_messages, size_t* moved) {
  *moved = 0;
  std::shared_ptr<Queue> fixed;
  if (!target.empty()) {
    SEGLOG_RETURN_IF_ERROR(owner->Find(target, &fixed));
    if (fixed->cfg.type != cfg.type) {
      return Status::InvalidArgument("redrive target '" + target + "' is of the other type");
    }
    if (fixed.get() == this) return Status::InvalidArgument("a queue cannot redrive into itself");
  }
  std::vector<Pick> skipped;  // stay here, visible again at the end
  Status result;
  while (max_messages == 0 || *moved < max_messages) {
    std::vector<Pick> picks;
    const int64_t now = Now();
    {
      std::lock_guard<std::mutex> l(mu);
      ProcessTimersLocked(now);
      size_t want = kQueueMaxBatch;
      if (max_messages != 0) want = std::min(want, max_messages - *moved);
      PickLocked(want, now, 1000ll * kQueueMaxVisibilityS, &picks);
    }
    if (picks.empty()) break;
    std::vector<std::unique_ptr<LogIterator>> iters;
    // destination name -> (entries, headers)
    std::map<std::string, std::pair<std::vector<SendEntry>, std::vector<format::QueueMessageHeader>>> by_dest;
    std::vector<Pick> gone;
    for (const Pick& p : picks) {
      iters.emplace_back();
      SEGLOG_RETURN_IF_ERROR(log->NewIterator(SeqNo(p.id), &iters.back()));
      RecordView r;
      Status s = iters.back()->Next(&r);
      if (s.IsNoMore() || (s.ok() && r.seq.value() != p.id)) {
        gone.push_back(p);
        continue;
      }
      SEGLOG_RETURN_IF_ERROR(s);
      format::QueueMessageHeader h;
      SEGLOG_RETURN_IF_ERROR(format::DecodeQueueMessageHeader(r.attrs, &h));
      std::string dest = fixed != nullptr ? fixed->name : (h.moved ? std::string(h.source) : "");
      if (dest.empty() || dest == name) {
        skipped.push_back(p);
        continue;
      }
      SendEntry e;
      e.body = r.value;
      e.group_id = AsChars(r.key);
      auto& [entries, headers] = by_dest[dest];
      headers.push_back(h);
      e.attributes = std::span<const format::MessageAttribute>();  // set below, once stable
      entries.push_back(e);
      format::QueueMessageHeader& mh = headers.back();
      mh.moved = true;
      mh.source = name;
      mh.source_id = p.id;
      mh.delay_s = 0;
    }
    for (auto& [dest, eh] : by_dest) {
      auto& [entries, headers] = eh;
      for (size_t i = 0; i < entries.size(); ++i) entries[i].attributes = headers[i].attributes;
      std::vector<format::QueueMessageHeader> hs = headers;
      for (auto& h : hs) h.attributes.clear();
      std::shared_ptr<Queue> to = fixed;
      Status s = to != nullptr ? Status::OK() : owner->Find(dest, &to);
      if (s.ok() && to->cfg.type != cfg.type) s = Status::InvalidArgument("type mismatch");
      if (!s.ok()) {
        for (const auto& h : hs) {
          for (const Pick& p : picks) {
            if (p.id == h.source_id) skipped.push_back(p);
          }
        }
        if (s.code() != StatusCode::kNotFound && s.code() != StatusCode::kInvalidArgument) {
          result = s;
        }
        continue;
      }
      s = MoveOut(*to, entries, hs);
      if (!s.ok()) {
        result = s;
        for (const auto& h : hs) {
          for (const Pick& p : picks) {
            if (p.id == h.source_id) skipped.push_back(p);
          }
        }
        continue;
      }
      *moved += entries.size();
      std::lock_guard<std::mutex> l(mu);
      for (const auto& h : hs) live.remove(h.source_id);
    }
    if (!gone.empty()) {
      std::lock_guard<std::mutex> l(mu);
      for (const Pick& p : gone) {
        ForgetLocked(p.id, nullptr);
        live.remove(p.id);
      }
    }
    if (!result.ok()) break;
  }
  std::lock_guard<std::mutex> l(mu);
  ReleaseLocked(skipped);
  return result;
}

// Removes segments whose messages are all deleted or expired, rewrites older ones with under
// half their bytes live. `live` only loses an id once its delete is journaled; the journal is
// synced first, so every record dropped here is durably deleted (or expired).
Status Queues::Queue::Compact(size_t* rewritten, size_t* removed) {
  SEGLOG_RETURN_IF_ERROR(Expire());
  const int64_t now = Now();
  auto is_live = [this](SeqNo q) {
    std::lock_guard<std::mutex> l(mu);
    return live.contains(q.value());
  };
  // Plan first (reading only), so that an idle queue costs no sync.
  std::vector<std::pair<SeqNo, bool>> rewrites;  // (base, keep live records; false: none)
  uint64_t remove_before = 0;
  bool prefix = true;
  const std::vector<SegmentInfo> segs = log->Segments();
  for (size_t i = 0; i + 1 < segs.size(); ++i) {
    const SegmentInfo& sg = segs[i];
    if (!sg.sealed || !sg.status.ok()) break;
    // FIFO recovery reads the dedup ids of the last 5 minutes from the records themselves.
    if (fifo() && sg.max_ts.value() + kQueueDedupWindowMs > now) break;
    const uint64_t lo = sg.base_seq.value(), hi = sg.last_seq.value() + 1;
    // Sends publish to memory after their append returns: a segment holding a message not
    // published yet would look dead. Only segments wholly below publish_next are judged.
    if (hi > publish_next.load()) break;
    uint64_t live_n = 0;
    {
      std::lock_guard<std::mutex> l(mu);
      if (!IsEmpty(live)) live_n = live.rank(hi - 1) - (lo == 0 ? 0 : live.rank(lo - 1));
    }
    if (live_n == 0) {
      if (sg.records == 0) continue;
      if (prefix) {
        remove_before = hi;
      } else {
        rewrites.emplace_back(sg.base_seq, false);
      }
      continue;
    }
    prefix = false;
    if (live_n >= sg.records) continue;
    {
      std::lock_guard<std::mutex> l(mu);
      auto [it, fresh] = compaction_seen.emplace(lo, live_n);
      if (!fresh && it->second == live_n) continue;  // judged before, nothing changed since
      it->second = live_n;
    }
    // Live bytes: the records' sizes, read from the mapping.
    uint64_t live_bytes = 0, all_bytes = 0;
    std::unique_ptr<LogIterator> it;
    SEGLOG_RETURN_IF_ERROR(log->NewIterator(sg.base_seq, &it));
    RecordView r;
    Status s;
    while ((s = it->Next(&r)).ok() && r.seq.value() < hi) {
      const uint64_t b = r.key.size() + r.value.size() + r.attrs.size() + 8;
      all_bytes += b;
      if (is_live(r.seq)) live_bytes += b;
    }
    if (!s.ok() && !s.IsNoMore()) return s;
    if (live_bytes * 2 < all_bytes) rewrites.emplace_back(sg.base_seq, true);
  }
  size_t rw = 0, rm = 0;
  Status s = ApplyCompaction(rewrites, remove_before, &rw, &rm);
  if (rm > 0) owner->store_->RefillReserve();
  if (rewritten != nullptr) *rewritten = rw;
  if (removed != nullptr) *removed = rm;
  return s;
}

Status Queues::Queue::ApplyCompaction(const std::vector<std::pair<SeqNo, bool>>& rewrites,
                                      uint64_t remove_before, size_t* rw, size_t* rm) {
  if (rewrites.empty() && remove_before == 0) return Status::OK();
  DropIterators();  // an idle one would keep the old segment mapped
  // An id leaves `live` only after its delete was appended to the journal; synced now, every
  // record dropped below is durably deleted (or expired, which needs no record).
  SEGLOG_RETURN_IF_ERROR(journal->Sync());
  if (remove_before > 0) {
    size_t n = 0;
    SEGLOG_RETURN_IF_ERROR(log->RemoveSegmentsBefore(SeqNo(remove_before), &n));
    *rm += n;
  }
  auto is_live = [this](SeqNo q) {
    std::lock_guard<std::mutex> l(mu);
    return live.contains(q.value());
  };
  for (const auto& [base, keep_live] : rewrites) {
    // A rewrite writes the new segment before the old one goes: not on a full disk. (One that
    // keeps nothing needs only a header and a trailer: tried, and skipped if even that fails.)
    if (keep_live && owner->store_->SpaceIsShort()) break;
    Status s = keep_live ? log->RewriteSegment(base, is_live)
                         : log->RewriteSegment(base, [](SeqNo) { return false; });
    if (s.code() == StatusCode::kNoSpace) continue;
    SEGLOG_RETURN_IF_ERROR(s);
    ++*(keep_live ? rw : rm);
  }
  return Status::OK();
}

Status Queues::Queue::Maintain(const QueuesOptions& opt) {
  DropIterators();  // an idle one would keep a removed segment mapped
  SEGLOG_RETURN_IF_ERROR(Expire());
  const int64_t now = Now();
  {
    std::lock_guard<std::mutex> l(mu);
    ExpireDedupLocked(now);
  }
  size_t expired = 0;
  SEGLOG_RETURN_IF_ERROR(log->RemoveSegmentsOlderThan(
      TimestampMs(now - static_cast<int64_t>(cfg.retention_s) * 1000), &expired));
  if (expired > 0) owner->store_->RefillReserve();
  if (opt.compaction) SEGLOG_RETURN_IF_ERROR(Compact(nullptr, nullptr));
  if (journal->Stats().bytes > opt.journal_snapshot_bytes) {
    del->ForgetBelow(log->first_seq());
    SEGLOG_RETURN_IF_ERROR(del->Snapshot());
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------
// Queues: the public calls

#define SEGLOG_QUEUE_OP(name_expr)                        \
  std::shared_ptr<Queue> q;                               \
  SEGLOG_RETURN_IF_ERROR(Find(name_expr, &q));            \
  std::shared_lock<WriterFirstLock> op_lock(q->op_mu);  \
  if (q->del == nullptr) return Status::NotFound("queue '" + std::string(name_expr) + "' was deleted")

Status Queues::Stats(const std::string& name, QueueStats* out) {
  SEGLOG_QUEUE_OP(name);
  return q->Stats(out);
}

Status Queues::Describe(const std::string& name, QueueDescription* out) {
  SEGLOG_QUEUE_OP(name);
  QueueDescription d;
  d.name = name;
  d.config = q->cfg;
  SEGLOG_RETURN_IF_ERROR(q->Stats(&d.stats));
  *out = std::move(d);
  return Status::OK();
}

Status Queues::Send(const std::string& name, const SendEntry& entry, SendResult* result) {
  SEGLOG_QUEUE_OP(name);
  std::vector<SendResult> r;
  SEGLOG_RETURN_IF_ERROR(q->Send(std::span<const SendEntry>(&entry, 1), &r));
  *result = r[0];
  return Status::OK();
}

Status Queues::SendBatch(const std::string& name, std::span<const SendEntry> entries,
                         std::vector<SendResult>* results) {
  SEGLOG_QUEUE_OP(name);
  return q->Send(entries, results);
}

Status Queues::Receive(const std::string& name, const ReceiveOptions& opt,
                       std::vector<ReceivedMessage>* out) {
  SEGLOG_QUEUE_OP(name);
  return q->Receive(opt, out);
}

Status Queues::DeleteMessage(const std::string& name, std::string_view receipt) {
  SEGLOG_QUEUE_OP(name);
  std::vector<Status> r;
  SEGLOG_RETURN_IF_ERROR(q->DeleteMessages(std::span<const std::string_view>(&receipt, 1), &r));
  return r[0];
}

Status Queues::DeleteMessageBatch(const std::string& name,
                                  std::span<const std::string_view> receipts,
                                  std::vector<Status>* results) {
  SEGLOG_QUEUE_OP(name);
  return q->DeleteMessages(receipts, results);
}

Status Queues::ChangeVisibility(const std::string& name, std::string_view receipt,
                                uint32_t timeout_s) {
  SEGLOG_QUEUE_OP(name);
  return q->ChangeVisibility(receipt, timeout_s);
}

Status Queues::Purge(const std::string& name) {
  SEGLOG_QUEUE_OP(name);
  return q->Purge();
}

Status Queues::Redrive(const std::string& dlq, const std::string& target, size_t max_messages,
                       size_t* moved) {
  size_t dummy = 0;
  if (moved == nullptr) moved = &dummy;
  *moved = 0;
  if (!target.empty()) SEGLOG_RETURN_IF_ERROR(ValidateName("queue", target));
  SEGLOG_QUEUE_OP(dlq);
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
    }
    if (!s.ok() && s.code() != StatusCode::kNotFound && first.ok()) first = s;
  }
  return first;
}

#undef SEGLOG_QUEUE_OP

}  // namespace seglog
