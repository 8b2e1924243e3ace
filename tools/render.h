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

// ---- repair ----
// Each damaged segment: what was damaged, what was kept, what was lost; then one summary line
// (OK / REPAIRED / LOST, with every lost range per log).
void PrintRepairReport(const RepairReport& r, std::FILE* out);
nlohmann::json RepairReportToJson(const RepairReport& r);

// Serializes without throwing on bytes that are not UTF-8 (paths may hold any bytes).
std::string JsonText(const nlohmann::json& j, int indent = 2);

}  // namespace seglog::tool
