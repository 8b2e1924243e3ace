// Benchmark peers: SQLite, RocksDB and LMDB behind bench/peers.h. See the header for how each
// durability mode maps and how each peer is made thread-safe.
#include "bench/peers.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#ifdef SEGLOG_HAVE_SQLITE
#include <sqlite3.h>
#endif
#ifdef SEGLOG_HAVE_ROCKSDB
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#endif
#ifdef SEGLOG_HAVE_LMDB
#include <lmdb.h>
#endif

namespace seglog::bench {
namespace {

[[maybe_unused]] constexpr uint32_t kSyncIntervalMs = 200;  // seglog's default sync_interval_ms

[[maybe_unused]] int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Big-endian u64, so that byte order is id order (RocksDB's and LMDB's default comparators).
[[maybe_unused]] void PutBE64(uint64_t v, char* out) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
}
[[maybe_unused]] uint64_t GetBE64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// Calls `fn` every `ms` milliseconds on its own thread until Stop() (the "interval" mode's
// background sync, as seglog's own syncer does).
class Ticker {
 public:
  ~Ticker() { Stop(); }
  void Start(uint32_t ms, std::function<void()> fn) {
    stop_ = false;
    thread_ = std::thread([this, ms, fn = std::move(fn)] {
      std::unique_lock l(mu_);
      while (!stop_) {
        if (cv_.wait_for(l, std::chrono::milliseconds(ms), [this] { return stop_; })) break;
        l.unlock();
        fn();
        l.lock();
      }
    });
  }
  void Stop() {
    {
      std::lock_guard l(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// ------------------------------------------------------------------------------------ SQLite
#ifdef SEGLOG_HAVE_SQLITE

// WAL mode; synchronous FULL / NORMAL / OFF for always / interval / none (SQLite's own advice
// for WAL: NORMAL is "safe from corruption" and durable across an application crash, FULL also
// across power loss). WAL allows one writer at a time; a connection per thread would make the
// others spin in the busy handler (sleeps of 1 ms and more), so the threads share one
// connection (SQLITE_OPEN_NOMUTEX) and take turns under a mutex, each transaction a
// BEGIN..COMMIT of prepared statements. Default page size, cache and auto-checkpoint.
//
// Queue: table queue(id INTEGER PRIMARY KEY, visible_at, receive_count, body). A receive is the
// usual SQL visibility-column queue: one UPDATE ... RETURNING that sets visible_at (now +
// visibility) and bumps receive_count for the oldest visible rows (a write, as seglog journals
// receive counts); a delete is a transaction of DELETE ... WHERE id = ?. No index on
// visible_at: rows are scanned in id order and only in-flight rows are skipped, which keeps
// inserts to one B-tree.
class SqlitePeer final : public Peer {
 public:
  ~SqlitePeer() override { (void)Close(); }
  std::string_view Name() const override { return "sqlite"; }
  std::string Config() const override {
    return std::string("WAL, synchronous=") + sync_ + ", one shared connection, a transaction per batch";
  }

  Status Open(const std::string& dir, Durability d) override {
    std::filesystem::create_directories(dir);
    const std::string path = dir + "/bench.db";
    int rc = sqlite3_open_v2(path.c_str(), &db_,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) return Err("open " + path);
    sync_ = d == Durability::kAlways ? "FULL" : d == Durability::kInterval ? "NORMAL" : "OFF";
    SEGLOG_RETURN_IF_ERROR(Exec("PRAGMA journal_mode=WAL"));
    SEGLOG_RETURN_IF_ERROR(Exec(std::string("PRAGMA synchronous=") + sync_));
    SEGLOG_RETURN_IF_ERROR(Exec("CREATE TABLE log(id INTEGER PRIMARY KEY, body BLOB NOT NULL)"));
    SEGLOG_RETURN_IF_ERROR(Exec("CREATE TABLE queue(id INTEGER PRIMARY KEY, visible_at INTEGER NOT NULL, "
                                "receive_count INTEGER NOT NULL, body BLOB NOT NULL)"));
    SEGLOG_RETURN_IF_ERROR(Prepare("BEGIN IMMEDIATE", &begin_));
    SEGLOG_RETURN_IF_ERROR(Prepare("COMMIT", &commit_));
    SEGLOG_RETURN_IF_ERROR(Prepare("ROLLBACK", &rollback_));
    SEGLOG_RETURN_IF_ERROR(Prepare("INSERT INTO log(body) VALUES(?1)", &log_insert_));
    SEGLOG_RETURN_IF_ERROR(
        Prepare("INSERT INTO queue(visible_at, receive_count, body) VALUES(0, 0, ?1)", &q_insert_));
    SEGLOG_RETURN_IF_ERROR(Prepare(
        "UPDATE queue SET visible_at = ?1, receive_count = receive_count + 1 WHERE id IN "
        "(SELECT id FROM queue WHERE visible_at <= ?2 ORDER BY id LIMIT ?3) RETURNING id, body",
        &q_receive_));
    SEGLOG_RETURN_IF_ERROR(Prepare("DELETE FROM queue WHERE id = ?1", &q_delete_));
    return Status::OK();
  }

  Status Close() override {
    if (db_ == nullptr) return Status::OK();
    for (sqlite3_stmt** s : {&begin_, &commit_, &rollback_, &log_insert_, &q_insert_, &q_receive_, &q_delete_}) {
      sqlite3_finalize(*s);
      *s = nullptr;
    }
    int rc = sqlite3_close(db_);
    Status st = rc == SQLITE_OK ? Status::OK() : Err("close");
    db_ = nullptr;
    return st;
  }

  Status Append(std::span<const std::string_view> values) override {
    return Txn([&]() -> Status {
      for (std::string_view v : values) {
        sqlite3_bind_blob(log_insert_, 1, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
        SEGLOG_RETURN_IF_ERROR(Step(log_insert_, "insert"));
      }
      return Status::OK();
    });
  }

  Status QueueSend(std::span<const std::string_view> bodies) override {
    return Txn([&]() -> Status {
      for (std::string_view b : bodies) {
        sqlite3_bind_blob(q_insert_, 1, b.data(), static_cast<int>(b.size()), SQLITE_STATIC);
        SEGLOG_RETURN_IF_ERROR(Step(q_insert_, "send"));
      }
      return Status::OK();
    });
  }

  Status QueueReceive(size_t max, uint32_t visibility_s, std::vector<PeerMessage>* out) override {
    std::lock_guard l(mu_);
    const int64_t now = NowMs();
    sqlite3_bind_int64(q_receive_, 1, now + static_cast<int64_t>(visibility_s) * 1000);
    sqlite3_bind_int64(q_receive_, 2, now);
    sqlite3_bind_int64(q_receive_, 3, static_cast<int64_t>(max));
    int rc;
    while ((rc = sqlite3_step(q_receive_)) == SQLITE_ROW) {
      PeerMessage m;
      m.id = static_cast<uint64_t>(sqlite3_column_int64(q_receive_, 0));
      const void* p = sqlite3_column_blob(q_receive_, 1);
      m.body.assign(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(q_receive_, 1)));
      out->push_back(std::move(m));
    }
    Status st = rc == SQLITE_DONE ? Status::OK() : Err("receive");
    sqlite3_reset(q_receive_);
    return st;
  }

  Status QueueDelete(std::span<const uint64_t> ids) override {
    return Txn([&]() -> Status {
      for (uint64_t id : ids) {
        sqlite3_bind_int64(q_delete_, 1, static_cast<int64_t>(id));
        SEGLOG_RETURN_IF_ERROR(Step(q_delete_, "delete"));
      }
      return Status::OK();
    });
  }

 private:
  Status Err(const std::string& what) const {
    return Status::IOError("sqlite " + what + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
  }
  Status Exec(const std::string& sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      Status st = Status::IOError("sqlite " + sql + ": " + (msg ? msg : "?"));
      sqlite3_free(msg);
      return st;
    }
    return Status::OK();
  }
  Status Prepare(const char* sql, sqlite3_stmt** out) {
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, out, nullptr) != SQLITE_OK) {
      return Err(std::string("prepare ") + sql);
    }
    return Status::OK();
  }
  Status Step(sqlite3_stmt* s, const char* what) {
    const int rc = sqlite3_step(s);
    Status st = rc == SQLITE_DONE ? Status::OK() : Err(what);
    sqlite3_reset(s);
    return st;
  }
  template <class F>
  Status Txn(F&& body) {
    std::lock_guard l(mu_);
    SEGLOG_RETURN_IF_ERROR(Step(begin_, "begin"));
    Status st = body();
    if (!st.ok()) {
      (void)Step(rollback_, "rollback");
      return st;
    }
    return Step(commit_, "commit");
  }

  sqlite3* db_ = nullptr;
  const char* sync_ = "FULL";
  std::mutex mu_;  // one transaction at a time on the shared connection
  sqlite3_stmt* begin_ = nullptr;
  sqlite3_stmt* commit_ = nullptr;
  sqlite3_stmt* rollback_ = nullptr;
  sqlite3_stmt* log_insert_ = nullptr;
  sqlite3_stmt* q_insert_ = nullptr;
  sqlite3_stmt* q_receive_ = nullptr;
  sqlite3_stmt* q_delete_ = nullptr;
};
#endif  // SEGLOG_HAVE_SQLITE

// ----------------------------------------------------------------------------------- RocksDB
#ifdef SEGLOG_HAVE_ROCKSDB

// The tuning RocksDB's own "Setup options and basic tuning" page recommends to start from
// (IncreaseParallelism, OptimizeLevelStyleCompaction), WAL on, one WriteBatch per batch into a
// DB* shared by every thread (RocksDB group-commits concurrent writers into one WAL write and,
// with sync, one fsync). Keys: a one-byte prefix ('l' log, 'q' queue, 'v' in-flight marks) and
// a big-endian u64 id from an atomic counter.
//
// Queue: send puts 'q'+id -> body. A receive claims, under a mutex, the oldest messages that
// are not in flight, iterating from a cursor (the lowest id not yet deleted) so that deleted
// keys' tombstones at the head are never walked again (RocksDB's advice for queue-like use),
// then writes each one's in-flight mark 'v'+id -> visibility deadline (a write, as seglog
// journals receive counts) outside the mutex. A delete is one WriteBatch deleting 'q'+id and
// 'v'+id. Which ids are in flight is also kept in memory (as seglog keeps it).
class RocksPeer final : public Peer {
 public:
  ~RocksPeer() override { (void)Close(); }
  std::string_view Name() const override { return "rocksdb"; }
  std::string Config() const override {
    return durability_ == Durability::kAlways     ? "WAL, WriteOptions.sync=true, a WriteBatch per batch"
           : durability_ == Durability::kInterval ? "WAL, sync=false + SyncWAL() every 200 ms, a WriteBatch per batch"
                                                  : "WAL, sync=false, a WriteBatch per batch";
  }

  Status Open(const std::string& dir, Durability d) override {
    durability_ = d;
    rocksdb::Options o;
    o.create_if_missing = true;
    o.IncreaseParallelism(static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
    o.OptimizeLevelStyleCompaction();
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(o, dir, &db);
    if (!s.ok()) return Status::IOError("rocksdb open " + dir + ": " + s.ToString());
    db_.reset(db);
    wo_.sync = d == Durability::kAlways;
    if (d == Durability::kInterval) {
      ticker_.Start(kSyncIntervalMs, [this] {
        rocksdb::Status st = db_->SyncWAL();
        if (!st.ok()) sync_failed_ = true;
      });
    }
    return Status::OK();
  }

  Status Close() override {
    if (!db_) return Status::OK();
    ticker_.Stop();
    Status st;
    if (durability_ != Durability::kNone) {
      rocksdb::Status s = db_->SyncWAL();
      if (!s.ok()) st = Status::IOError("rocksdb SyncWAL: " + s.ToString());
    }
    rocksdb::Status s = db_->Close();
    if (st.ok() && !s.ok()) st = Status::IOError("rocksdb close: " + s.ToString());
    db_.reset();
    return st;
  }

  Status Append(std::span<const std::string_view> values) override {
    rocksdb::WriteBatch b;
    uint64_t id = next_log_.fetch_add(values.size());
    char key[9];
    key[0] = 'l';
    for (std::string_view v : values) {
      PutBE64(id++, key + 1);
      b.Put(rocksdb::Slice(key, sizeof key), rocksdb::Slice(v.data(), v.size()));
    }
    return Write(&b);
  }

  Status QueueSend(std::span<const std::string_view> bodies) override {
    rocksdb::WriteBatch b;
    uint64_t id = next_q_.fetch_add(bodies.size());
    char key[9];
    key[0] = 'q';
    for (std::string_view v : bodies) {
      PutBE64(id++, key + 1);
      b.Put(rocksdb::Slice(key, sizeof key), rocksdb::Slice(v.data(), v.size()));
    }
    return Write(&b);
  }

  Status QueueReceive(size_t max, uint32_t visibility_s, std::vector<PeerMessage>* out) override {
    const int64_t now = NowMs();
    const int64_t deadline = now + static_cast<int64_t>(visibility_s) * 1000;
    const size_t first = out->size();
    {
      std::lock_guard l(mu_);
      char lower[9], upper[1] = {'r'};
      lower[0] = 'q';
      PutBE64(scan_from_, lower + 1);
      rocksdb::Slice lo(lower, sizeof lower), hi(upper, sizeof upper);
      rocksdb::ReadOptions ro;
      ro.iterate_lower_bound = &lo;
      ro.iterate_upper_bound = &hi;
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
      for (it->Seek(lo); it->Valid() && out->size() - first < max; it->Next()) {
        const uint64_t id = GetBE64(it->key().data() + 1);
        auto f = in_flight_.find(id);
        if (f != in_flight_.end() && f->second > now) continue;
        out->push_back(PeerMessage{id, it->value().ToString()});
        in_flight_[id] = deadline;
      }
      if (!it->status().ok()) return Status::IOError("rocksdb iterate: " + it->status().ToString());
    }
    if (out->size() == first) return Status::OK();
    rocksdb::WriteBatch b;
    char key[9], val[8];
    key[0] = 'v';
    PutBE64(static_cast<uint64_t>(deadline), val);
    for (size_t i = first; i < out->size(); ++i) {
      PutBE64((*out)[i].id, key + 1);
      b.Put(rocksdb::Slice(key, sizeof key), rocksdb::Slice(val, sizeof val));
    }
    return Write(&b);
  }

  Status QueueDelete(std::span<const uint64_t> ids) override {
    rocksdb::WriteBatch b;
    char key[9];
    for (uint64_t id : ids) {
      PutBE64(id, key + 1);
      key[0] = 'q';
      b.Delete(rocksdb::Slice(key, sizeof key));
      key[0] = 'v';
      b.Delete(rocksdb::Slice(key, sizeof key));
    }
    SEGLOG_RETURN_IF_ERROR(Write(&b));
    std::lock_guard l(mu_);
    for (uint64_t id : ids) {
      in_flight_.erase(id);
      if (id >= scan_from_) deleted_.insert(id);
    }
    while (!deleted_.empty() && *deleted_.begin() == scan_from_) {
      deleted_.erase(deleted_.begin());
      ++scan_from_;
    }
    return Status::OK();
  }

 private:
  Status Write(rocksdb::WriteBatch* b) {
    if (sync_failed_) return Status::IOError("rocksdb background SyncWAL failed");
    rocksdb::Status s = db_->Write(wo_, b);
    if (!s.ok()) return Status::IOError("rocksdb write: " + s.ToString());
    return Status::OK();
  }

  std::unique_ptr<rocksdb::DB> db_;
  Durability durability_ = Durability::kAlways;
  rocksdb::WriteOptions wo_;
  std::atomic<uint64_t> next_log_{0};
  std::atomic<uint64_t> next_q_{0};
  std::atomic<bool> sync_failed_{false};
  Ticker ticker_;
  std::mutex mu_;                          // the queue's claim state below
  uint64_t scan_from_ = 0;                 // every id below it is deleted
  std::set<uint64_t> deleted_;             // deleted ids above scan_from_
  std::map<uint64_t, int64_t> in_flight_;  // id -> visibility deadline (ms)
};
#endif  // SEGLOG_HAVE_ROCKSDB

// -------------------------------------------------------------------------------------- LMDB
#ifdef SEGLOG_HAVE_LMDB

// Default flags (a commit syncs) for always; MDB_NOSYNC for interval and none, with
// mdb_env_sync(force) every 200 ms for interval. A 64 GiB map (sparse). One write transaction
// per batch; LMDB serializes write transactions itself (mdb_txn_begin blocks on its writer
// lock), so every thread simply begins its own. Ids are assigned inside the write transaction
// and stored as big-endian u64 keys with MDB_APPEND (the documented fast path for keys that
// only grow).
//
// Queue: databases "queue" (id -> body) and "inflight" (id -> visibility deadline). A receive
// is one write transaction: a cursor from the first message, skipping those in flight, then
// an in-flight mark per message returned. A delete is one write transaction deleting both.
// LMDB frees deleted keys' pages at once, so the head stays short.
class LmdbPeer final : public Peer {
 public:
  ~LmdbPeer() override { (void)Close(); }
  std::string_view Name() const override { return "lmdb"; }
  std::string Config() const override {
    return durability_ == Durability::kAlways     ? "sync on commit, a write txn per batch, MDB_APPEND"
           : durability_ == Durability::kInterval ? "MDB_NOSYNC + mdb_env_sync every 200 ms, a write txn per batch, MDB_APPEND"
                                                  : "MDB_NOSYNC, a write txn per batch, MDB_APPEND";
  }

  Status Open(const std::string& dir, Durability d) override {
    durability_ = d;
    std::filesystem::create_directories(dir);
    int rc = mdb_env_create(&env_);
    if (rc != 0) return Err(rc, "env_create");
    if ((rc = mdb_env_set_mapsize(env_, size_t{64} << 30)) != 0) return Err(rc, "set_mapsize");
    if ((rc = mdb_env_set_maxdbs(env_, 4)) != 0) return Err(rc, "set_maxdbs");
    const unsigned flags = d == Durability::kAlways ? 0u : MDB_NOSYNC;
    if ((rc = mdb_env_open(env_, dir.c_str(), flags, 0644)) != 0) return Err(rc, "env_open " + dir);
    SEGLOG_RETURN_IF_ERROR(WriteTxn([&](MDB_txn* txn) -> Status {
      for (auto [name, dbi] : {std::pair{"log", &log_}, std::pair{"queue", &queue_}, std::pair{"inflight", &inflight_}}) {
        if (int r = mdb_dbi_open(txn, name, MDB_CREATE, dbi); r != 0) return Err(r, "dbi_open");
      }
      return Status::OK();
    }));
    if (d == Durability::kInterval) {
      ticker_.Start(kSyncIntervalMs, [this] {
        if (mdb_env_sync(env_, 1) != 0) sync_failed_ = true;
      });
    }
    return Status::OK();
  }

  Status Close() override {
    if (env_ == nullptr) return Status::OK();
    ticker_.Stop();
    Status st;
    if (durability_ != Durability::kNone) {
      if (int rc = mdb_env_sync(env_, 1); rc != 0) st = Err(rc, "env_sync");
    }
    mdb_env_close(env_);
    env_ = nullptr;
    return st;
  }

  Status Append(std::span<const std::string_view> values) override {
    return WriteTxn([&](MDB_txn* txn) { return PutAppend(txn, log_, &next_log_, values); });
  }

  Status QueueSend(std::span<const std::string_view> bodies) override {
    return WriteTxn([&](MDB_txn* txn) { return PutAppend(txn, queue_, &next_q_, bodies); });
  }

  Status QueueReceive(size_t max, uint32_t visibility_s, std::vector<PeerMessage>* out) override {
    return WriteTxn([&](MDB_txn* txn) -> Status {
      const int64_t now = NowMs();
      char deadline[8];
      PutBE64(static_cast<uint64_t>(now + static_cast<int64_t>(visibility_s) * 1000), deadline);
      MDB_cursor* c = nullptr;
      if (int rc = mdb_cursor_open(txn, queue_, &c); rc != 0) return Err(rc, "cursor_open");
      const size_t first = out->size();
      MDB_val k, v;
      int rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
      for (; rc == 0 && out->size() - first < max; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        MDB_val fk = k, fv;
        if (mdb_get(txn, inflight_, &fk, &fv) == 0 &&
            static_cast<int64_t>(GetBE64(static_cast<const char*>(fv.mv_data))) > now) {
          continue;
        }
        out->push_back(PeerMessage{GetBE64(static_cast<const char*>(k.mv_data)),
                                   std::string(static_cast<const char*>(v.mv_data), v.mv_size)});
      }
      mdb_cursor_close(c);
      if (rc != 0 && rc != MDB_NOTFOUND) return Err(rc, "cursor_get");
      for (size_t i = first; i < out->size(); ++i) {
        char key[8];
        PutBE64((*out)[i].id, key);
        MDB_val mk{sizeof key, key}, mv{sizeof deadline, deadline};
        if (int r = mdb_put(txn, inflight_, &mk, &mv, 0); r != 0) return Err(r, "put inflight");
      }
      return Status::OK();
    });
  }

  Status QueueDelete(std::span<const uint64_t> ids) override {
    return WriteTxn([&](MDB_txn* txn) -> Status {
      for (uint64_t id : ids) {
        char key[8];
        PutBE64(id, key);
        MDB_val k{sizeof key, key};
        if (int rc = mdb_del(txn, queue_, &k, nullptr); rc != 0 && rc != MDB_NOTFOUND) return Err(rc, "del");
        if (int rc = mdb_del(txn, inflight_, &k, nullptr); rc != 0 && rc != MDB_NOTFOUND) return Err(rc, "del");
      }
      return Status::OK();
    });
  }

 private:
  static Status Err(int rc, const std::string& what) {
    return Status::IOError("lmdb " + what + ": " + mdb_strerror(rc));
  }
  // `next` is only touched inside write transactions, which LMDB runs one at a time.
  Status PutAppend(MDB_txn* txn, MDB_dbi dbi, uint64_t* next, std::span<const std::string_view> values) {
    uint64_t id = *next;
    for (std::string_view val : values) {
      char key[8];
      PutBE64(id++, key);
      MDB_val k{sizeof key, key}, v{val.size(), const_cast<char*>(val.data())};
      if (int rc = mdb_put(txn, dbi, &k, &v, MDB_APPEND); rc != 0) return Err(rc, "put");
    }
    *next = id;
    return Status::OK();
  }
  template <class F>
  Status WriteTxn(F&& body) {
    if (sync_failed_) return Status::IOError("lmdb background mdb_env_sync failed");
    MDB_txn* txn = nullptr;
    if (int rc = mdb_txn_begin(env_, nullptr, 0, &txn); rc != 0) return Err(rc, "txn_begin");
    Status st = body(txn);
    if (!st.ok()) {
      mdb_txn_abort(txn);
      return st;
    }
    if (int rc = mdb_txn_commit(txn); rc != 0) return Err(rc, "commit");
    return Status::OK();
  }

  MDB_env* env_ = nullptr;
  MDB_dbi log_ = 0, queue_ = 0, inflight_ = 0;
  Durability durability_ = Durability::kAlways;
  uint64_t next_log_ = 0;  // see PutAppend
  uint64_t next_q_ = 0;
  std::atomic<bool> sync_failed_{false};
  Ticker ticker_;
};
#endif  // SEGLOG_HAVE_LMDB

}  // namespace

std::vector<std::string> CompiledPeers() {
  std::vector<std::string> v;
#ifdef SEGLOG_HAVE_SQLITE
  v.push_back("sqlite");
#endif
#ifdef SEGLOG_HAVE_ROCKSDB
  v.push_back("rocksdb");
#endif
#ifdef SEGLOG_HAVE_LMDB
  v.push_back("lmdb");
#endif
  return v;
}

std::vector<std::string> SkippedPeers() {
  std::vector<std::string> v;
#ifndef SEGLOG_HAVE_SQLITE
  v.push_back("sqlite: not found at build time (pkg-config sqlite3; apt-get install libsqlite3-dev)");
#endif
#ifndef SEGLOG_HAVE_ROCKSDB
  v.push_back("rocksdb: not found at build time (apt-get install librocksdb-dev)");
#endif
#ifndef SEGLOG_HAVE_LMDB
  v.push_back("lmdb: not found at build time (apt-get install liblmdb-dev)");
#endif
  return v;
}

std::unique_ptr<Peer> NewPeer(std::string_view name) {
#ifdef SEGLOG_HAVE_SQLITE
  if (name == "sqlite") return std::make_unique<SqlitePeer>();
#endif
#ifdef SEGLOG_HAVE_ROCKSDB
  if (name == "rocksdb") return std::make_unique<RocksPeer>();
#endif
#ifdef SEGLOG_HAVE_LMDB
  if (name == "lmdb") return std::make_unique<LmdbPeer>();
#endif
  (void)name;
  return nullptr;
}

}  // namespace seglog::bench
