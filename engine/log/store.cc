#include "engine/log/store.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdlib>
#include <cstdio>
#include <set>
#include <utility>

#include "engine/log/clock.h"
#include "engine/log/layout.h"
#include "format/queue_format.h"

namespace seglog {

namespace {

// Queue journals: the logs whose appends (deletes, purges, receive counts) must go on when
// the disk is full, and whose segments the reserve holds room for (SPEC.md 13.8).
bool UsesReserve(const format::CatalogEntry& e) {
  const std::string* part = format::FindProp(e, format::queue_props::kPart);
  return part != nullptr && *part == format::queue_props::kPartJournal;
}

// The stores this process holds open read-write, by the (device, inode) of their directory.
// flock cannot tell a second open in this process from one in another (every open() is a lock
// holder of its own), so without this the second open would blame "another process".
struct OpenStores {
  std::mutex mu;
  std::map<std::pair<dev_t, ino_t>, const Store*> by_dir;

  static OpenStores& Get() {
    static OpenStores* const r = new OpenStores;  // never destroyed: stores may close at exit
    return *r;
  }
};

// Takes DIR/LOCK for `owner`: Locked when this process or another already holds it.
Status LockStoreDir(const std::string& dir, const Store* owner,
                    std::unique_ptr<io::FileLock>* lock) {
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0) return Status::FromErrno(errno, "stat " + dir);
  const std::pair<dev_t, ino_t> key(st.st_dev, st.st_ino);
  OpenStores& r = OpenStores::Get();
  std::lock_guard<std::mutex> l(r.mu);  // held across the flock: two threads, one verdict
  if (r.by_dir.count(key) != 0) {
    return Status::Locked("store is locked: this process already has it open: " + dir);
  }
  SEGLOG_RETURN_IF_ERROR(io::FileLock::Acquire(LockPath(dir), lock));
  r.by_dir[key] = owner;
  return Status::OK();
}

// Releases what LockStoreDir took (both at once, so that no open sees one without the other).
void UnlockStoreDir(const Store* owner, std::unique_ptr<io::FileLock>* lock) {
  OpenStores& r = OpenStores::Get();
  std::lock_guard<std::mutex> l(r.mu);
  lock->reset();
  std::erase_if(r.by_dir, [owner](const auto& kv) { return kv.second == owner; });
}

}  // namespace

Status ValidateName(std::string_view what, std::string_view name) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument(std::string(what) + " name '" +
                                   std::string(name.substr(0, 200)) + "' " + why +
                                   " (allowed: 1 to 128 of A-Z a-z 0-9 _ . -)");
  };
  if (name.empty()) return bad("is empty");
  if (name.size() > kMaxNameBytes) return bad("is longer than 128 characters");
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return bad("has a character outside the allowed set");
  }
  if (name == "." || name == "..") return bad("is reserved");
  return Status::OK();
}

std::vector<std::pair<std::string, std::string>> LogOptionsToProps(const LogOptions& o) {
  return {
      {"segment_size", std::to_string(o.segment_size)},
      {"durability", std::string(DurabilityName(o.durability))},
      {"sync_interval_ms", std::to_string(o.sync_interval_ms)},
      {"compress_min_bytes", std::to_string(o.compress_min_bytes)},
      {"index_interval_bytes", std::to_string(o.index_interval_bytes)},
  };
}

Status LogOptionsFromProps(const std::vector<std::pair<std::string, std::string>>& props,
                           LogOptions* o) {
  auto num = [](const std::string& k, const std::string& v, uint64_t* out) {
    char* end = nullptr;
    errno = 0;
    unsigned long long x = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end != '\0' || errno != 0) {
      return Status::Corruption("catalog property " + k + " is not a number: '" + v + "'");
    }
    *out = x;
    return Status::OK();
  };
  for (const auto& [k, v] : props) {
    uint64_t x = 0;
    if (k == "segment_size") {
      SEGLOG_RETURN_IF_ERROR(num(k, v, &x));
      o->segment_size = x;
    } else if (k == "durability") {
      SEGLOG_RETURN_IF_ERROR(ParseDurability(v, &o->durability));
    } else if (k == "sync_interval_ms") {
      SEGLOG_RETURN_IF_ERROR(num(k, v, &x));
      o->sync_interval_ms = static_cast<uint32_t>(x);
    } else if (k == "compress_min_bytes") {
      SEGLOG_RETURN_IF_ERROR(num(k, v, &x));
      o->compress_min_bytes = static_cast<uint32_t>(x);
    } else if (k == "index_interval_bytes") {
      SEGLOG_RETURN_IF_ERROR(num(k, v, &x));
      o->index_interval_bytes = static_cast<uint32_t>(x);
    }
  }
  return o->ValidateStored();
}

Store::Store(std::string dir, const StoreOptions& opt)
    : dir_(std::move(dir)), opt_(opt), maps_(opt.max_mapped_segments) {}

Store::~Store() { (void)Close(); }

Status Store::Open(const std::string& dir, const StoreOptions& opt, std::unique_ptr<Store>* out) {
  if (dir.empty()) return Status::InvalidArgument("store directory is empty");
  std::unique_ptr<Store> s(new Store(dir, opt));
  SEGLOG_RETURN_IF_ERROR(s->OpenImpl());
  *out = std::move(s);
  return Status::OK();
}

std::string Store::LogDir(uint64_t id) const { return LogDirPath(dir_, id); }

Status Store::OpenImpl() {
  clock_ = opt_.clock != nullptr ? opt_.clock : SystemClock::Default();
  if (opt_.file_system != nullptr) {
    fs_ = opt_.file_system;
  } else {
    SEGLOG_RETURN_IF_ERROR(io::NewFileSystem(opt_.io_backend, &owned_fs_));
    fs_ = owned_fs_.get();
  }
  const std::string catalog_path = CatalogPath(dir_);
  if (!io::IsDirectory(dir_)) {
    if (opt_.read_only || !opt_.create_if_missing) {
      return Status::NotFound("no store at " + dir_);
    }
    SEGLOG_RETURN_IF_ERROR(io::CreateDirs(dir_));
  }
  if (!opt_.read_only) {
    SEGLOG_RETURN_IF_ERROR(LockStoreDir(dir_, this, &lock_));
  }
  if (io::PathExists(catalog_path)) {
    ByteBuffer bytes;
    SEGLOG_RETURN_IF_ERROR(io::ReadFile(catalog_path, &bytes));
    SEGLOG_RETURN_IF_ERROR(format::DecodeCatalog(bytes, &catalog_).WithContext(catalog_path));
    catalog_bytes_ = bytes.size();
  } else if (opt_.read_only) {
    return Status::NotFound("no store at " + dir_ + " (no CATALOG)");
  } else {
    // A new store: the catalog's existence marks it as one.
    SEGLOG_RETURN_IF_ERROR(fs_->CreateDir(LogsPath(dir_)));
    SEGLOG_RETURN_IF_ERROR(fs_->SyncDir(dir_));
    SEGLOG_RETURN_IF_ERROR(SaveCatalogLocked());
  }
  if (!opt_.read_only) {
    SEGLOG_RETURN_IF_ERROR(fs_->CreateDir(LogsPath(dir_)));
    // Directories of logs that were being dropped when the process stopped.
    std::set<std::string> live;
    for (const auto& e : catalog_.logs) {
      live.insert(LogDirName(e.log_id));
    }
    std::vector<std::string> names;
    SEGLOG_RETURN_IF_ERROR(io::ListDir(LogsPath(dir_), &names));
    for (const auto& n : names) {
      if (live.count(n) != 0 || n.size() != 16) continue;
      const std::string d = LogsPath(dir_) + "/" + n;
      std::vector<std::string> files;
      SEGLOG_RETURN_IF_ERROR(io::ListDir(d, &files));
      for (const auto& f : files) SEGLOG_RETURN_IF_ERROR(fs_->Remove(d + "/" + f));
      SEGLOG_RETURN_IF_ERROR(fs_->RemoveDir(d));
    }
    OpenReserveLocked();
  }
  return Status::OK();
}

void Store::OpenReserveLocked() {
  // Opening must not need space (SPEC.md 13.8): a reserve that cannot even be created (a full
  // disk refusing a new directory entry) leaves the store without one, as before it existed.
  if (!FileSpaceReserve::Open(ReservePath(dir_), &reserve_).ok()) {
    reserve_.reset();
    return;
  }
  SizeReserveLocked();
  for (const auto& e : catalog_.logs) {
    uint64_t size = 0;
    if (UsesReserve(e) &&
        io::FileSize(LogDir(e.log_id) + "/" + kDeleteSnapshotFile, &size).ok()) {
      reserve_->NeedSnapshotRoom(size);
    }
  }
  reserve_->Refill();  // best effort: on a full disk the reserve starts smaller
}

void Store::SizeReserveLocked() {
  if (reserve_ == nullptr) return;
  uint64_t journal = 0;
  for (const auto& e : catalog_.logs) {
    LogOptions lo;
    if (UsesReserve(e) && LogOptionsFromProps(e.props, &lo).ok()) {
      journal = std::max(journal, lo.segment_size);
    }
  }
  reserve_->SetSizes(journal, catalog_bytes_);
}

void Store::RefillReserve() {
  if (reserve_ != nullptr) reserve_->Refill();
}

bool Store::SpaceIsShort() const {
  if (reserve_ == nullptr) return false;
  struct statvfs st;
  if (::statvfs(dir_.c_str(), &st) != 0) return true;  // cannot tell: do not risk a rewrite
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize < reserve_->target();
}

uint64_t Store::reserve_target() const { return reserve_ ? reserve_->target() : 0; }
uint64_t Store::reserve_bytes() const { return reserve_ ? reserve_->reserved() : 0; }

Status Store::SaveCatalogLocked() {
  const ByteBuffer bytes = format::EncodeCatalog(catalog_);
  SEGLOG_RETURN_IF_ERROR(
      WriteFileAtomicallyWithReserve(fs_, reserve_.get(), CatalogPath(dir_), bytes));
  catalog_bytes_ = bytes.size();
  SizeReserveLocked();
  return Status::OK();
}

Log::Env Store::EnvFor(const format::CatalogEntry& e) {
  return Log::Env{fs_,
                  clock_,
                  &maps_,
                  e.log_id,
                  LogDir(e.log_id),
                  opt_.read_only,
                  opt_.mapped_writes,
                  UsesReserve(e) ? reserve_.get() : nullptr,
                  &syncs_};
}

Status Store::CreateLog(const std::string& name, const LogOptions& opt, Log** out) {
  SEGLOG_RETURN_IF_ERROR(ValidateName("log", name));
  SEGLOG_RETURN_IF_ERROR(opt.Validate());
  Status s;
  {
    std::lock_guard<std::mutex> l(mu_);
    s = CreateLogLocked(name, opt, out);
  }
  if (s.ok()) RefillReserve();  // the catalog grew
  return s;
}

Status Store::CreateLogLocked(const std::string& name, const LogOptions& opt, Log** out) {
  if (closed_) return Status::Closed("store is closed");
  if (opt_.read_only) return Status::ReadOnly("store is open read-only: " + dir_);
  for (const auto& e : catalog_.logs) {
    if (e.name == name) return Status::AlreadyExists("log '" + name + "' already exists");
  }
  format::CatalogEntry e;
  e.log_id = catalog_.next_log_id;
  e.name = name;
  e.props = LogOptionsToProps(opt);
  format::Catalog before = catalog_;
  catalog_.next_log_id++;
  catalog_.logs.push_back(e);
  Status s = SaveCatalogLocked();
  if (!s.ok()) {
    catalog_ = std::move(before);
    return s;
  }
  std::unique_ptr<Log> log;
  SEGLOG_RETURN_IF_ERROR(Log::Open(EnvFor(e), opt, &log));
  if (out != nullptr) *out = log.get();
  open_[name] = std::move(log);
  return Status::OK();
}

Status Store::GetLog(const std::string& name, Log** out) {
  SEGLOG_RETURN_IF_ERROR(ValidateName("log", name));
  return OpenLog(name, out);
}

Status Store::OpenLog(const std::string& name, Log** out) {
  std::lock_guard<std::mutex> l(mu_);
  if (closed_) return Status::Closed("store is closed");
  if (auto it = open_.find(name); it != open_.end()) {
    *out = it->second.get();
    return Status::OK();
  }
  for (const auto& e : catalog_.logs) {
    if (e.name != name) continue;
    LogOptions lo;
    SEGLOG_RETURN_IF_ERROR(LogOptionsFromProps(e.props, &lo));
    std::unique_ptr<Log> log;
    SEGLOG_RETURN_IF_ERROR(Log::Open(EnvFor(e), lo, &log));
    *out = log.get();
    open_[name] = std::move(log);
    return Status::OK();
  }
  return Status::NotFound("no log named '" + name + "'");
}

Status Store::LogInfo(const std::string& name, uint64_t* id, std::string* dir) const {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& e : catalog_.logs) {
    if (e.name == name) {
      *id = e.log_id;
      *dir = LogDir(e.log_id);
      return Status::OK();
    }
  }
  return Status::NotFound("no log named '" + name + "'");
}

Status Store::DropLog(const std::string& name) {
  SEGLOG_RETURN_IF_ERROR(ValidateName("log", name));
  return DropLogGroup(std::span<const std::string>(&name, 1));
}

Status Store::DropLogGroup(std::span<const std::string> names) {
  Status s;
  {
    std::lock_guard<std::mutex> l(mu_);
    s = DropLogGroupLocked(names);
  }
  RefillReserve();  // what the files held is free again (even when a removal failed midway)
  return s;
}

Status Store::DropLogGroupLocked(std::span<const std::string> names) {
  if (closed_) return Status::Closed("store is closed");
  if (opt_.read_only) return Status::ReadOnly("store is open read-only: " + dir_);
  format::Catalog after = catalog_;
  std::vector<std::string> dirs;
  for (const std::string& name : names) {
    auto it = std::find_if(after.logs.begin(), after.logs.end(),
                           [&](const format::CatalogEntry& e) { return e.name == name; });
    if (it == after.logs.end()) return Status::NotFound("no log named '" + name + "'");
    dirs.push_back(LogDir(it->log_id));
    after.logs.erase(it);
  }
  format::Catalog before = std::move(catalog_);
  catalog_ = std::move(after);
  Status s = SaveCatalogLocked();
  if (!s.ok()) {
    catalog_ = std::move(before);  // nothing closed, nothing changed
    return s;
  }
  for (const std::string& name : names) {
    if (auto o = open_.find(name); o != open_.end()) {
      (void)o->second->Close();
      open_.erase(o);
    }
  }
  // The catalog no longer names them; a crash from here on leaves directories that the next
  // open removes.
  for (const std::string& d : dirs) {
    std::vector<std::string> files;
    if (io::ListDir(d, &files).ok()) {
      for (const auto& f : files) SEGLOG_RETURN_IF_ERROR(fs_->Remove(d + "/" + f));
      SEGLOG_RETURN_IF_ERROR(fs_->RemoveDir(d));
    }
  }
  return fs_->SyncDir(LogsPath(dir_));
}

Status Store::CreateLogGroup(std::span<const LogSpec> specs) {
  if (specs.empty()) return Status::InvalidArgument("no logs to create");
  for (const LogSpec& sp : specs) {
    if (sp.name.empty()) return Status::InvalidArgument("empty log name");
    SEGLOG_RETURN_IF_ERROR(sp.options.Validate());
  }
  Status s;
  {
    std::lock_guard<std::mutex> l(mu_);
    s = CreateLogGroupLocked(specs);
  }
  if (s.ok()) RefillReserve();  // a queue's journal adds a segment to the reserve
  return s;
}

Status Store::CreateLogGroupLocked(std::span<const LogSpec> specs) {
  if (closed_) return Status::Closed("store is closed");
  if (opt_.read_only) return Status::ReadOnly("store is open read-only: " + dir_);
  format::Catalog after = catalog_;
  for (const LogSpec& sp : specs) {
    for (const auto& e : after.logs) {
      if (e.name == sp.name) return Status::AlreadyExists("'" + sp.name + "' already exists");
    }
    format::CatalogEntry e;
    e.log_id = after.next_log_id++;
    e.name = sp.name;
    e.props = LogOptionsToProps(sp.options);
    e.props.insert(e.props.end(), sp.props.begin(), sp.props.end());
    after.logs.push_back(std::move(e));
  }
  format::Catalog before = std::move(catalog_);
  catalog_ = std::move(after);
  Status s = SaveCatalogLocked();
  if (!s.ok()) {
    catalog_ = std::move(before);
    return s;
  }
  CreateJournalDirsLocked(specs.size());
  return s;
}

// A log makes its directory at its first append; a queue journal's is made now, while there is
// space: on a full disk a directory's first block is not to be had (SPEC.md 13.8). Best effort
// (the first append makes it otherwise).
void Store::CreateJournalDirsLocked(size_t newest) {
  bool made = false;
  for (size_t i = catalog_.logs.size() - newest; i < catalog_.logs.size(); ++i) {
    const format::CatalogEntry& e = catalog_.logs[i];
    if (UsesReserve(e) && fs_->CreateDir(LogDir(e.log_id)).ok()) made = true;
  }
  if (made) (void)fs_->SyncDir(LogsPath(dir_));
}

Status Store::SetLogProps(std::span<const std::string> names, const std::string& key,
                          const std::string& value) {
  const std::pair<std::string, std::string> prop(key, value);
  return SetLogProps(names, std::span<const std::pair<std::string, std::string>>(&prop, 1));
}

Status Store::SetLogProps(std::span<const std::string> names,
                          std::span<const std::pair<std::string, std::string>> props) {
  std::lock_guard<std::mutex> l(mu_);
  if (closed_) return Status::Closed("store is closed");
  if (opt_.read_only) return Status::ReadOnly("store is open read-only: " + dir_);
  format::Catalog after = catalog_;
  for (const std::string& name : names) {
    auto it = std::find_if(after.logs.begin(), after.logs.end(),
                           [&](const format::CatalogEntry& e) { return e.name == name; });
    if (it == after.logs.end()) return Status::NotFound("no log named '" + name + "'");
    for (const auto& prop : props) {
      const std::string& key = prop.first;  // a named reference: clang 14's lambdas cannot
      const std::string& value = prop.second;  // capture structured bindings
      auto p = std::find_if(it->props.begin(), it->props.end(),
                            [&](const auto& kv) { return kv.first == key; });
      if (p == it->props.end()) {
        it->props.emplace_back(key, value);
      } else {
        p->second = value;
      }
    }
  }
  format::Catalog before = std::move(catalog_);
  catalog_ = std::move(after);
  Status s = SaveCatalogLocked();
  if (!s.ok()) catalog_ = std::move(before);
  return s;
}

format::Catalog Store::CatalogSnapshot() const {
  std::lock_guard<std::mutex> l(mu_);
  return catalog_;
}

std::vector<std::string> Store::ListLogs() const {
  std::lock_guard<std::mutex> l(mu_);
  std::vector<std::string> v;
  for (const auto& e : catalog_.logs) {
    // Logs of streams (and other engine layers) have names no user log can have.
    if (ValidateName("log", e.name).ok()) v.push_back(e.name);
  }
  return v;
}

Status Store::SyncAll() {
  std::lock_guard<std::mutex> l(mu_);
  if (closed_) return Status::Closed("store is closed");
  Status first;
  for (auto& [name, log] : open_) {
    Status s = log->Sync();
    if (first.ok() && !s.ok()) first = s.WithContext("syncing log '" + name + "'");
  }
  return first;
}

Status Store::Close() {
  std::lock_guard<std::mutex> l(mu_);
  if (closed_) return Status::OK();
  closed_ = true;
  Status first;
  for (auto& [name, log] : open_) {
    Status s = log->Close();
    if (first.ok() && !s.ok()) first = s;
  }
  open_.clear();
  if (lock_ != nullptr) UnlockStoreDir(this, &lock_);
  return first;
}

}  // namespace seglog
