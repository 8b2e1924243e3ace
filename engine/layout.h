// Where things live in a store directory (SPEC.md section 12). The one definition of these
// names, used by the store and by the read-only tools.
#pragma once

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>

namespace seglog {

inline std::string CatalogPath(const std::string& store_dir) { return store_dir + "/CATALOG"; }
inline std::string LockPath(const std::string& store_dir) { return store_dir + "/LOCK"; }
inline std::string LogsPath(const std::string& store_dir) { return store_dir + "/logs"; }
// 16 lowercase hex digits: log names never become paths, ids do.
inline std::string LogDirName(uint64_t log_id) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%016" PRIx64, log_id);
  return buf;
}
inline std::string LogDirPath(const std::string& store_dir, uint64_t log_id) {
  return LogsPath(store_dir) + "/" + LogDirName(log_id);
}

}  // namespace seglog
