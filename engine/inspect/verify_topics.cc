#include "engine/inspect/verify_topics.h"

#include <set>
#include <utility>

#include "engine/inspect/inspect_topics.h"
#include "engine/inspect/segment_reader.h"
#include "engine/log/layout.h"

namespace seglog::inspect_internal {

void TopicFiles::Read(const std::string& store_dir, const format::Catalog& catalog,
                      std::vector<Problem>* problems) {
  const std::string catalog_path = CatalogPath(store_dir);
  for (const format::CatalogEntry& e : catalog.logs) {
    std::string topic;
    if (!TopicOf(e, &topic)) continue;
    ++topics_;
    const std::string what = "topic '" + topic + "'";
    TopicSettings settings;
    Status s = ParseTopicSettings(e, &settings);
    if (!s.ok()) AddProblem(problems, Severity::kError, catalog_path, what + ": " + s.message());
    std::vector<format::SubscriptionEntry> subs;
    if (const std::string* list = format::FindProp(e, format::topic_props::kSubscriptions)) {
      if (!format::DecodeSubscriptionList(*list, &subs)) {
        AddProblem(problems, Severity::kError, catalog_path, what + ": malformed subscription list");
      }
    }
    const std::string log_dir = LogDirPath(store_dir, e.log_id);
    std::set<uint64_t> keys;
    for (const format::SubscriptionEntry& sub : subs) {
      const std::string who = what + " subscription " + sub.id;
      if (!keys.insert(sub.key).second) {
        AddProblem(problems, Severity::kError, catalog_path,
            who + ": its key is another subscription's too (they would share a cursor file)");
      }
      sub_ids_[sub.key] = sub.id;
      CursorReport c;
      ReadCursorFile(log_dir + "/" + format::CursorFileName(sub.key), sub.key, &c);
      if (!c.exists) {
        // Subscribe writes and syncs the file before the catalog lists the subscription.
        AddProblem(problems, Severity::kError, c.path,
            who + ": no cursor file (the subscription's position is lost)");
        continue;
      }
      ++cursor_files_;
      for (const auto& [is_error, msg] : JudgeCursorFile(c)) {
        AddProblem(problems, is_error ? Severity::kError : Severity::kWarning, c.path,
            who + ": " + msg);
      }
      if (c.cursor) cursors_.push_back(Cursor{c.path, sub.id, e.log_id, c.cursor->next_seq});
    }
    std::map<uint64_t, std::string> files;
    if (!ListCursorFiles(log_dir, &files).ok()) continue;
    for (const auto& [key, path] : files) {
      if (keys.count(key) != 0) continue;
      AddProblem(problems, Severity::kWarning, path,
          "cursor file of no subscription of " + what +
              " (left by an unsubscribe or a subscribe in progress; the engine ignores it)");
    }
  }
}

void TopicFiles::Check(const std::map<uint64_t, SeqNo>& next_seq,
                       std::vector<Problem>* problems) const {
  for (const Cursor& c : cursors_) {
    auto next = next_seq.find(c.log_id);
    if (next == next_seq.end() || c.next_seq <= next->second.value()) continue;
    AddProblem(problems, Severity::kWarning, c.path,
        "subscription " + c.subscription + ": cursor at sequence " + std::to_string(c.next_seq) +
            " is past the topic's next sequence number " + std::to_string(next->second.value()) +
            " (messages published without a sync were lost in a power loss; the cursor, "
            "synced, survived)");
  }
}

}  // namespace seglog::inspect_internal
