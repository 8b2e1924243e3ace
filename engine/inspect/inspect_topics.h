// engine/inspect's view of topics (SPEC.md Part VII): what `seglog inspect` shows of each topic,
// what `seglog dump --topic` prints, and the cursor-file reading `seglog verify` shares. A topic
// is known here only by its log's catalog properties (format/topic_catalog_format.h: settings,
// tags, subscriptions), its records (format/topic_format.h: the message header) and the cursor
// files beside its segments (format/topic_format.h) - never through engine/topics.
//
// Everything here only reads (no LOCK, no write, pread/whole-file reads into own buffers), so it
// is safe beside a live writer: a cursor file is 96 bytes written in place by pwrite, one slot
// at a time, so a read may see a slot being written (torn: the other slot is then the cursor);
// the topic's log is read after the cursor files, so a live writer can only make the backlog
// look larger than it was, never negative.
//
// Thread-safety: the functions share no state; call them from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/catalog_format.h"
#include "format/queue_catalog_format.h"
#include "format/status.h"
#include "format/topic_catalog_format.h"
#include "format/topic_format.h"
#include "format/types.h"

namespace seglog {

// A topic's settings, from its log's catalog properties (engine/topics/topics.h TopicConfig).
struct TopicSettings {
  bool fifo = false;                 // type=fifo (else standard)
  std::string display_name;
  bool content_based_dedup = false;
  uint32_t signature_version = 1;
  uint32_t retention_s = 0;
  int64_t created_ms = 0;
  bool aws_limits = false;           // limits=aws
};
// Whether `e` is a topic's log (properties topic=<name>, part=messages); if so, which topic.
bool TopicOf(const format::CatalogEntry& e, std::string* topic);
// Corruption naming the first bad or missing setting.
Status ParseTopicSettings(const format::CatalogEntry& e, TopicSettings* out);

// One 48-byte slot of a cursor file, judged on its own.
struct CursorSlotReport {
  enum class State {
    kMissing,   // the file ends before it
    kEmpty,     // all zeros: never written
    kValid,     // magic, version, key and checksum match, and it sits in its generation's slot
    kInvalid,   // anything else: a torn write or damage (`why`)
  };
  State state = State::kMissing;
  std::string why;          // kInvalid: what does not match
  format::CursorSlot slot;  // kValid (and, for kInvalid, the fields as read)
};
std::string_view CursorSlotStateName(CursorSlotReport::State s);  // "missing", "empty", ...

// A subscription's cursor file, read whole (96 bytes).
struct CursorReport {
  std::string path;
  bool exists = false;
  uint64_t file_bytes = 0;
  std::array<CursorSlotReport, 2> slots;
  // The cursor as the engine reads it (format::DecodeCursorFile: the valid slot with the higher
  // generation) and which slot it is in; none when neither slot is valid.
  std::optional<format::CursorSlot> cursor;
  std::optional<size_t> current_slot;
  std::string read_error;   // the file exists but could not be read
};
// Reads and judges the cursor file at `path` for subscription `sub_key`. NotFound leaves
// exists false; any other failure to read is in read_error. Never fails otherwise.
void ReadCursorFile(const std::string& path, uint64_t sub_key, CursorReport* out);
// What is wrong with a cursor file read by ReadCursorFile, as (is_error, message) pairs: an
// unreadable file or no valid slot (errors: the cursor is lost; the engine would restart the
// subscription from the oldest retained message); one invalid slot (warning: a torn write or
// damage; the other is the cursor); a newer generation whose next_seq is below the older one's
// (warning: a reopen clamps a cursor to a topic log that lost its unsynced tail); more than 96
// bytes (warning). A missing file is the caller's to judge.
std::vector<std::pair<bool, std::string>> JudgeCursorFile(const CursorReport& c);

// The cursor files in a topic log's directory (names "sub-<16 hex>.cursor"), key -> path.
// NotFound when the directory is missing.
Status ListCursorFiles(const std::string& log_dir, std::map<uint64_t, std::string>* out);

struct SubscriptionReport {
  format::SubscriptionEntry entry;
  CursorReport cursor;
  // kSqs: one past the newest topic sequence number delivered into the subscription's queue
  // tagged with its key (format/queue_format.h kQueueHasTopicOrigin), looked for from the
  // cursor's queue_next_id on (from 0 without a valid slot); none when there is none, or when
  // InspectOptions::scan_messages is false.
  std::optional<uint64_t> delivered_next;
  // Where a reopen resumes the subscription, by the engine's rule (SPEC.md Part VII, "Cursors"):
  // the cursor file's next_seq (without a valid slot: the topic's first seq), raised to
  // delivered_next, then kept within [first seq, next seq]. The cursor file is written at most
  // once a second; the queue's tags are written with each delivery.
  uint64_t resume_seq = 0;
  // Messages in the topic's log the subscription has not taken: next seq - resume_seq.
  uint64_t backlog = 0;
  bool cursor_past_end = false;  // the file's cursor is past the log's end (clamped)
  // Messages retention removed before the subscription took them: first seq - the cursor, when
  // the cursor is below the oldest retained message (the engine skips them on its next pass).
  uint64_t behind_retention = 0;
  // kSqs: whether a queue named entry.endpoint is in the catalog. Callback: always true.
  bool endpoint_exists = true;
  bool redrive_queue_exists = true;  // true when there is none
};

struct TopicReport {
  std::string name;
  bool settings_valid = false;
  TopicSettings settings;
  std::optional<size_t> log;  // index into StoreReport::logs
  // From the log's report (segments listed after the cursor files were read).
  uint64_t messages = 0;
  uint64_t data_bytes = 0;
  size_t segments = 0;
  SeqNo first_seq, next_seq;
  format::TagMap tags;
  std::vector<SubscriptionReport> subscriptions;  // in catalog order (sorted by id)
  std::vector<std::string> orphan_cursors;       // cursor files of no subscription (paths)
  std::vector<std::string> errors;    // bad settings, tags, subscription list, cursor errors
  std::vector<std::string> warnings;  // one torn slot, orphans, a cursor past the end
};

// ---- the MessageId and FIFO SequenceNumber of a published message (derived, not stored) ----
// As engine/queues/message_identity.h MessageIdFor(topic log id, seq) (SPEC.md 16).
std::string TopicMessageIdFor(uint64_t topic_log_id, uint64_t seq);
// 20 decimal digits.
std::string TopicSequenceNumberFor(uint64_t seq);

// ---- dump --topic ----
struct TopicMessage {
  RecordView record;         // seq, publish time (ts), key = group id, value = message
  bool fifo = false;
  std::string message_id;
  Status header_status;      // `header` valid only when OK
  format::TopicMessageHeader header;
};

struct DumpTopicOptions {
  SeqNo from;
  uint64_t limit = UINT64_MAX;
};
// Calls fn for each message of topic `topic` in the store at `store_dir`, in sequence order.
// NotFound when there is no such topic. A message whose header does not decode is still passed
// (header_status says why) and the call then ends in Corruption naming the first one; a bad
// batch stops it as DumpRecords does.
Status DumpTopic(const std::string& store_dir, const std::string& topic,
                 const DumpTopicOptions& opt, const std::function<void(const TopicMessage&)>& fn);

// ---- hooks of InspectStore (inspect.cc) ----
struct StoreReport;
namespace inspect_internal {
// Before the logs are listed: each topic's settings, tags, subscriptions and cursor files.
void ReadTopics(const std::string& store_dir, const format::Catalog& catalog,
                std::vector<TopicReport>* topics);
// After: each topic's log figures, backlogs, target queues (out->logs and out->topics filled).
// `read_queues` false (inspect --no-scan): no queue message is read (delivered_next stays none).
void FinishTopics(const format::Catalog& catalog, bool read_queues, StoreReport* out);
}  // namespace inspect_internal

}  // namespace seglog
