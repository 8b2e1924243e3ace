// Benchmark peers: the same workloads as seglog-bench runs on seglog, on SQLite, RocksDB and
// LMDB, each written the way its own documentation recommends, in the same run and under the
// same durability mode (issue 5).
//
// How each durability mode maps (see engine/log/options.h for seglog's):
//
//   mode      sqlite (WAL)             rocksdb (WAL on)                      lmdb
//   always    synchronous=FULL         WriteOptions.sync = true              sync on commit (default)
//   interval  synchronous=NORMAL       sync = false + SyncWAL() every 200 ms MDB_NOSYNC + mdb_env_sync every 200 ms
//   none      synchronous=OFF          sync = false                          MDB_NOSYNC
//
// One Append() / QueueSend() / QueueReceive() / QueueDelete() call is one transaction (one
// WriteBatch for RocksDB), as one seglog append / SendBatch / Receive / DeleteMessageBatch is
// one batch. Every peer is safe to call from many threads, the way its documentation
// recommends: SQLite: one connection shared under a mutex (WAL has one writer at a time);
// RocksDB: one shared DB*; LMDB: one write transaction at a time (its own writer lock).
//
// A peer is compiled in when CMake found its library (SEGLOG_HAVE_SQLITE / _ROCKSDB / _LMDB);
// SkippedPeers() names the others.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/log/options.h"
#include "format/status.h"

namespace seglog::bench {

// A received queue message: its id and a copy of its body (seglog's Receive copies too).
struct PeerMessage {
  uint64_t id = 0;
  std::string body;
};

class Peer {
 public:
  virtual ~Peer() = default;

  // "sqlite", "rocksdb", "lmdb".
  virtual std::string_view Name() const = 0;
  // How it is set up for the durability it was opened with, in a few words (for the report).
  virtual std::string Config() const = 0;

  // Creates a new database in `dir` (an empty or missing directory).
  virtual Status Open(const std::string& dir, Durability durability) = 0;
  // Flushes what the mode requires and frees everything; the peer may be destroyed after.
  virtual Status Close() = 0;

  // Append workload: stores `values` under the next increasing ids as one transaction.
  virtual Status Append(std::span<const std::string_view> values) = 0;

  // Queue workload (SQS-like: receive hides, delete removes). One transaction each.
  virtual Status QueueSend(std::span<const std::string_view> bodies) = 0;
  // Up to `max` visible messages, oldest first, each hidden for `visibility_s` (durably, as
  // the mode says: the in-flight mark and receive count are written); fewer or none when
  // fewer are visible.
  virtual Status QueueReceive(size_t max, uint32_t visibility_s, std::vector<PeerMessage>* out) = 0;
  virtual Status QueueDelete(std::span<const uint64_t> ids) = 0;
};

// Names of the peers compiled into this build, in run order.
std::vector<std::string> CompiledPeers();
// "name: why" for each known peer not compiled into this build.
std::vector<std::string> SkippedPeers();
// A new, unopened peer; nullptr when `name` is not compiled in.
std::unique_ptr<Peer> NewPeer(std::string_view name);

}  // namespace seglog::bench
