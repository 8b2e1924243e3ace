// How the seglog tool shows what engine/inspect/inspect.h finds: aligned text for people, JSON (stable
// field names, documented in TOOLS.md) for scripts.
#pragma once

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/inspect/inspect.h"
#include "engine/repair/repair.h"

namespace seglog::tool {

// ---- inspect ----
nlohmann::json StoreReportToJson(const StoreReport& r);
void PrintStoreReport(const StoreReport& r, std::FILE* out);

// ---- verify ----
nlohmann::json VerifyReportToJson(const std::string& dir, const VerifyReport& r);
// `quiet`: only the errors.
void PrintVerifyReport(const std::string& dir, const VerifyReport& r, bool quiet, std::FILE* out);

// ---- dump ----
nlohmann::json RecordToJson(const RecordView& r);
// One line: seq, time, key and value previews, attrs size.
std::string RecordLine(const RecordView& r);
nlohmann::json QueueMessageToJson(const QueueMessage& m);
// One line: id, time, live/DELETED/EXPIRED, group and dedup ids (FIFO), delay, attribute
// count, body preview, then receive count, source and delay end when there are any.
std::string QueueMessageLine(const QueueMessage& m);

// ---- topics (render_topics.cc) ----
// One topic of an inspect report: settings, message figures, tags, each subscription with its
// cursor file (both slots) and backlog, orphan cursor files, warnings and errors, then its log.
nlohmann::json TopicJson(const StoreReport& r, const TopicReport& t);
void PrintTopic(const StoreReport& r, const TopicReport& t, std::FILE* out);
// A topic log's catalog properties that PrintTopic shows (PrintLog leaves them out).
bool IsTopicProp(const std::string& key);
nlohmann::json TopicMessageToJson(const TopicMessage& m);
// One line: seq, publish time, MessageId, group and dedup ids (FIFO: and SequenceNumber),
// subject, attributes, message preview.
std::string TopicMessageLine(const TopicMessage& m);

// One log of an inspect report: its summary lines, then its segments (render.cc).
void PrintLog(const LogReport& l, const std::string& heading, const char* indent, std::FILE* out);

// ---- repair ----
// Each damaged segment: what was damaged, what was kept, what was lost; then one summary line
// (OK / REPAIRED / LOST, with every lost range per log).
void PrintRepairReport(const RepairReport& r, std::FILE* out);
nlohmann::json RepairReportToJson(const RepairReport& r);

// Serializes without throwing on bytes that are not UTF-8 (paths may hold any bytes).
std::string JsonText(const nlohmann::json& j, int indent = 2);

}  // namespace seglog::tool
