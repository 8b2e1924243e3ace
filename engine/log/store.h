// Store: a directory of logs.
//
//   DIR/LOCK                      flock'ed by the one read-write open (read-only opens skip it)
//   DIR/CATALOG                   the logs and their settings (format/catalog_format.h),
//                                 replaced atomically
//   DIR/logs/<log id, 16 hex>/    one directory per log: segment and index files
//   DIR/RESERVE                   space set aside for freeing space on a full disk
//                                 (engine/log/space_reserve.h, SPEC.md 13.8); read-write opens
//
// Log names are never used in paths (ids are), so no name can reach outside the directory.
// Logs are opened lazily, on first use, so opening a store costs the same however much data
// it holds. Thread-safe; Log pointers stay valid until the log is dropped or the store closed.
//
// Full disk: a read-write open fallocates DIR/RESERVE (FileSpaceReserve). A catalog write that
// fails for lack of space releases room from it and tries once more; queue journals (catalog
// property part=journal) get it as their Log::Env::reserve. Operations that free space
// (dropping logs, and the layers above: retention, compaction, purges) call RefillReserve().
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "engine/log/log.h"
#include "engine/log/map_cache.h"
#include "engine/log/options.h"
#include "engine/log/scheduler.h"
#include "engine/log/space_reserve.h"
#include "format/catalog_format.h"
#include "format/status.h"
#include "io/file_system.h"
#include "io/file_util.h"

namespace seglog {

inline constexpr size_t kMaxNameBytes = 128;  // stream, queue, consumer and log names

// InvalidArgument unless `name` matches [A-Za-z0-9_.-]{1,128} and is not "." or "..".
Status ValidateName(std::string_view what, std::string_view name);

// Log settings as catalog properties, and back (unknown properties are ignored).
std::vector<std::pair<std::string, std::string>> LogOptionsToProps(const LogOptions& o);
Status LogOptionsFromProps(const std::vector<std::pair<std::string, std::string>>& props,
                           LogOptions* o);

class Store {
 public:
  // Opens (or, with create_if_missing, creates) the store in `dir`. Locked when another
  // read-write open holds the store.
  static Status Open(const std::string& dir, const StoreOptions& opt,
                     std::unique_ptr<Store>* out);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // AlreadyExists when a log of that name exists.
  Status CreateLog(const std::string& name, const LogOptions& opt, Log** out = nullptr);
  // NotFound when there is no such log. Opens (recovers) it on first use.
  Status GetLog(const std::string& name, Log** out);
  // Removes the log and its files. REQUIRES: no iterator of it in use.
  Status DropLog(const std::string& name);
  // User logs (not the logs of streams).
  std::vector<std::string> ListLogs() const;
  // The log's directory and id, without opening it.
  Status LogInfo(const std::string& name, uint64_t* id, std::string* dir) const;

  // ---- for engine layers built of several logs (a stream's shards) ----
  // Their catalog names are not user log names (they hold ':' and '/', which user names
  // cannot), so they never collide; these calls do not apply ValidateName.
  struct LogSpec {
    std::string name;
    LogOptions options;
    std::vector<std::pair<std::string, std::string>> props;  // beside the options'
  };
  // Creates every log in one catalog write: after a crash all of them exist or none.
  // AlreadyExists when any name exists.
  Status CreateLogGroup(std::span<const LogSpec> specs);
  // Removes the logs from the catalog in one write, then deletes their files.
  Status DropLogGroup(std::span<const std::string> names);
  // Sets property `key` to `value` on every named log, in one catalog write.
  Status SetLogProps(std::span<const std::string> names, const std::string& key,
                     const std::string& value);
  // Sets every property of `props` (key, value; added where missing) on every named log, in
  // one catalog write: after a crash all of them are set or none. NotFound (nothing set) when
  // a name is no log's.
  Status SetLogProps(std::span<const std::string> names,
                     std::span<const std::pair<std::string, std::string>> props);
  // Opens a log by catalog name, without ValidateName.
  Status OpenLog(const std::string& name, Log** out);
  // A copy of the catalog.
  format::Catalog CatalogSnapshot() const;

  // Makes everything appended so far to every open log durable now (Log::Sync: fdatasync),
  // whatever their durability mode; logs not opened since the store was opened have nothing
  // unsynced. Holds the store's lock throughout (no log is opened or dropped meanwhile);
  // appends go on beside it. Tries every log; returns the first failure. OK on a read-only
  // store (nothing was written). Closed after Close.
  Status SyncAll();

  // Closes every log. Idempotent.
  Status Close();

  const std::string& dir() const { return dir_; }
  io::FileSystem* file_system() const { return fs_; }
  Clock* clock() const { return clock_; }
  MapCache* map_cache() { return &maps_; }
  // The store's background thread for retention and maintenance (engine/log/scheduler.h);
  // interval syncs run on a second one of their own.
  Scheduler* scheduler() { return &maintenance_; }
  bool read_only() const { return opt_.read_only; }

  // ---- full disk (SPEC.md 13.8) ----
  // The store's reserve; nullptr on a read-only open (or where DIR/RESERVE could not be
  // created: a disk already full). Lives until the store is destroyed.
  SpaceReserve* space_reserve() const { return reserve_.get(); }
  // After an operation freed space: grows the reserve back to its full size as far as the
  // disk allows. Best effort; cheap when it is full.
  void RefillReserve();
  // True when the file system's free space (outside the reserve) is below the reserve's full
  // size: work that needs new space before it frees any (a compaction rewrite) should wait.
  bool SpaceIsShort() const;
  // The reserve's full size and what it holds now (0 and 0 when read-only).
  uint64_t reserve_target() const;
  uint64_t reserve_bytes() const;

 private:
  Store(std::string dir, const StoreOptions& opt);
  Status OpenImpl();
  Status SaveCatalogLocked();
  // Opens DIR/RESERVE and sizes it from the catalog and the delete snapshots on disk.
  void OpenReserveLocked();
  // The reserve's journal and catalog terms, from catalog_ and catalog_bytes_.
  void SizeReserveLocked();
  Log::Env EnvFor(const format::CatalogEntry& e);
  Status CreateLogLocked(const std::string& name, const LogOptions& opt, Log** out);
  Status DropLogGroupLocked(std::span<const std::string> names);
  Status CreateLogGroupLocked(std::span<const LogSpec> specs);
  // Makes the directories of the queue journals among the `newest` catalog entries.
  void CreateJournalDirsLocked(size_t newest);
  std::string LogDir(uint64_t id) const;

  const std::string dir_;
  const StoreOptions opt_;
  std::unique_ptr<io::FileSystem> owned_fs_;
  io::FileSystem* fs_ = nullptr;
  Clock* clock_ = nullptr;
  std::unique_ptr<io::FileLock> lock_;
  MapCache maps_;
  // Declared before open_: they outlive every log (a log's task ends at its Close).
  Scheduler syncs_{"seglog-sync"};
  Scheduler maintenance_{"seglog-maint"};

  mutable std::mutex mu_;
  format::Catalog catalog_;
  uint64_t catalog_bytes_ = 0;  // its encoded size, as last written or read
  std::unique_ptr<FileSpaceReserve> reserve_;  // set once by OpenImpl
  std::map<std::string, std::unique_ptr<Log>> open_;
  bool closed_ = false;
};

}  // namespace seglog
