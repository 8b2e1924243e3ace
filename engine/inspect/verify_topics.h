// `seglog verify`'s check of topics (SPEC.md Part VII) besides their logs' segments (which
// VerifyStore checks as every log's): each topic's catalog settings and subscription list, each
// subscription's cursor file (both slots' checksums, generation order, a cursor for every
// subscription), cursor files of no subscription (warnings: an unsubscribe leaves nothing the
// engine reads), and cursors past the topic's end. Read-only; used by VerifyStore
// (engine/inspect/verify.cc).
//
// The cursor files are read before the logs are verified (Read, then Check): a live writer only
// moves a topic's next sequence number forward, and a cursor only follows published messages,
// so a cursor read first is at or below the end the segments show afterwards.
//
// Not thread-safe; one object per verification.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/inspect/inspect.h"
#include "format/catalog_format.h"
#include "format/types.h"

namespace seglog::inspect_internal {

class TopicFiles {
 public:
  // Reads every topic's settings, subscriptions and cursor files in `catalog`; what is wrong
  // goes to *problems (errors: bad settings or subscription list, a missing or unreadable
  // cursor file, no valid slot; warnings: one invalid slot, a cursor gone backwards, an orphan
  // cursor file, trailing bytes).
  void Read(const std::string& store_dir, const format::Catalog& catalog,
            std::vector<Problem>* problems);

  // A cursor past its topic's next sequence number (from `next_seq`, by log id; a log missing
  // from it is not checked) is a warning: messages published without a sync may be lost in a
  // power loss while the cursor, synced, survives.
  void Check(const std::map<uint64_t, SeqNo>& next_seq, std::vector<Problem>* problems) const;

  size_t topics() const { return topics_; }
  size_t cursor_files() const { return cursor_files_; }
  // The subscription keys of all topics (for telling a queue message's topic origin).
  const std::map<uint64_t, std::string>& subscription_ids() const { return sub_ids_; }

 private:
  struct Cursor {
    std::string path;
    std::string subscription;
    uint64_t log_id = 0;
    uint64_t next_seq = 0;
  };
  std::vector<Cursor> cursors_;  // those with a valid slot
  std::map<uint64_t, std::string> sub_ids_;
  size_t topics_ = 0;
  size_t cursor_files_ = 0;
};

}  // namespace seglog::inspect_internal
