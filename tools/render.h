// How the seglog tool shows what engine/inspect.h finds: aligned text for people, JSON (stable
// field names, documented in TOOLS.md) for scripts.
#pragma once

#include <cstdio>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/inspect.h"

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

// Serializes without throwing on bytes that are not UTF-8 (paths may hold any bytes).
std::string JsonText(const nlohmann::json& j, int indent = 2);

}  // namespace seglog::tool
