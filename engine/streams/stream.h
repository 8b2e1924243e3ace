// engine/streams: Kinesis-style streams on the storage core. It owns streams, their shards
// (one Log each), hash-key routing (hash_key.h), stream iterators, retention of shard data and
// consumer checkpoints (the CHECKPOINTS file, format/checkpoint_format.h); it may use
// engine/log, io and format, and is used by engine/capi (never by queues, inspect or repair,
// which know a stream's shard logs only by their catalog properties). This is its main header.
//
// Streams: Amazon Kinesis Data Streams semantics on the storage core.
//
// A stream has N shards (1 to 1,024); each shard is one Log of the store, named
// "stream:<name>/<shard>" in the catalog (a name no user log can have), and owns a contiguous
// range of the 128-bit hash-key space, split evenly at creation (engine/streams/hash_key.h). A record
// goes to the shard whose range holds MD5(partition key), or its explicit hash key.
// In the shard log a record's key is its partition key and its value the data.
//
// Stream settings live as properties on every shard's catalog entry ("stream", "shard",
// "shard_count", "retention_hours", "max_record_bytes"), changed for all shards in one
// catalog write. Checkpoints live in CHECKPOINTS in shard 0's log directory, replaced
// atomically (format/checkpoint_format.h).
//
// Thread-safety: every method may be called from any thread. StreamIterator is used by one
// thread at a time. Lifetime: iterators must be closed before their stream is deleted and
// before Streams is destroyed.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "engine/streams/hash_key.h"
#include "engine/log/log.h"
#include "engine/log/options.h"
#include "engine/log/store.h"
#include "format/status.h"
#include "format/types.h"

namespace seglog {

inline constexpr uint32_t kMaxShards = 1024;
inline constexpr size_t kMaxPartitionKeyBytes = 256;
inline constexpr uint32_t kDefaultMaxRecordBytes = 1u << 20;   // 1 MiB
inline constexpr uint32_t kMaxMaxRecordBytes = 10u << 20;      // configurable up to 10 MiB
inline constexpr size_t kMaxPutBatchRecords = 500;
inline constexpr size_t kMaxPutBatchBytes = 5u << 20;          // 5 MiB, keys included
inline constexpr uint32_t kMinRetentionHours = 1;
inline constexpr uint32_t kMaxRetentionHours = 8760;
// Limits::kAws (Kinesis's documented limits): retention from 24 h; partition keys of 1 .. 256
// Unicode characters of valid UTF-8 (so up to 1,024 bytes).
inline constexpr uint32_t kAwsMinRetentionHours = 24;
inline constexpr size_t kAwsMaxPartitionKeyChars = 256;
inline constexpr size_t kAwsMaxPartitionKeyBytes = 4 * kAwsMaxPartitionKeyChars;
inline constexpr size_t kMaxGetRecords = 10000;
inline constexpr size_t kMaxGetBytes = 10u << 20;

struct StreamConfig {
  uint32_t shard_count = 1;          // 1 .. 1,024
  uint32_t retention_hours = 24;     // 1 .. 8,760
  uint32_t max_record_bytes = kDefaultMaxRecordBytes;  // data bytes, 1 KiB .. 10 MiB
  LogOptions log;                    // durability, segment size, ... of every shard
  // kAws: retention 24 .. 8,760 h, partition keys of 1 .. 256 characters of UTF-8. Persisted
  // as the shard logs' catalog property "limits" ("aws"; absent = relaxed).
  Limits limits = Limits::kRelaxed;

  Status Validate() const;
};

struct ShardDescription {
  uint32_t shard = 0;
  HashKeyRange hash_range{};
  SeqNo first_seq;   // oldest retained record (== next_seq when empty)
  SeqNo next_seq;    // the next record's sequence number
  uint64_t bytes = 0;
  size_t segments = 0;
};

struct StreamDescription {
  std::string name;
  uint32_t shard_count = 0;
  uint32_t retention_hours = 0;
  uint32_t max_record_bytes = 0;
  LogOptions log;
  Limits limits = Limits::kRelaxed;
  std::vector<ShardDescription> shards;
};

// One record to put. Views must stay valid for the call.
struct PutEntry {
  ByteView partition_key;          // 1 .. 256 bytes
  ByteView data;                   // 0 .. max_record_bytes
  std::optional<HashKey> explicit_hash_key;
};

struct PutResult {
  uint32_t shard = 0;
  SeqNo seq;
};

// One record's outcome in PutBatchEach (Kinesis PutRecordsResultEntry).
struct PutOutcome {
  uint32_t shard = 0;  // the shard it was routed to, written or not
  SeqNo seq;           // its sequence number when status is OK
  Status status;       // OK, or the error of its shard's append (nothing of that shard written)
};

enum class IteratorType {
  kTrimHorizon,          // the oldest retained record
  kLatest,               // just after the newest record at the time the iterator is made
  kAtSequenceNumber,     // the record with this sequence number
  kAfterSequenceNumber,  // the record after it
  kAtTimestamp,          // the first record at or after this time
};

struct IteratorSpec {
  IteratorType type = IteratorType::kTrimHorizon;
  SeqNo seq;           // for kAt/kAfterSequenceNumber: an existing record's (< next_seq)
  TimestampMs ts;      // for kAtTimestamp
};

class Streams;

// Reads one shard in order, skipping expired records.
class StreamIterator {
 public:
  // Up to max_records records and about max_bytes bytes (at least one record if any is
  // available, even when larger), appended to *out. OK with records; NoMore when caught up
  // (a later call sees later puts). The views stay valid until the next call or destruction.
  Status Next(size_t max_records, size_t max_bytes, std::vector<RecordView>* out);
  uint32_t shard() const { return shard_; }
  // The sequence number the next record will have at least.
  SeqNo position() const { return it_->position(); }

 private:
  friend class Streams;
  StreamIterator(Streams* owner, Log* log, uint32_t shard, std::string stream,
                 std::unique_ptr<LogIterator> it)
      : owner_(owner), log_(log), shard_(shard), stream_(std::move(stream)), it_(std::move(it)) {}
  Streams* owner_;
  Log* log_;
  uint32_t shard_;
  std::string stream_;
  std::unique_ptr<LogIterator> it_;
};

struct StreamsOptions {
  // How often the background task applies retention; 0 = never (call EnforceRetention).
  uint32_t retention_check_interval_ms = 60'000;
};

// The streams of one store. Owns a background retention task.
class Streams {
 public:
  // REQUIRES: store outlives this object.
  Streams(Store* store, const StreamsOptions& opt = {});
  ~Streams();
  Streams(const Streams&) = delete;
  Streams& operator=(const Streams&) = delete;

  // InvalidArgument (bad name or config), AlreadyExists.
  Status Create(const std::string& name, const StreamConfig& config);
  // NotFound. REQUIRES: no iterator of it open.
  Status Delete(const std::string& name);
  std::vector<std::string> List() const;
  Status Describe(const std::string& name, StreamDescription* out);
  // Raise or lower retention on a live stream (1 .. 8,760 hours; under kAws 24 .. 8,760).
  Status SetRetention(const std::string& name, uint32_t hours);

  // Puts one record. InvalidArgument: empty or > 256-byte partition key (kAws: not 1 .. 256
  // characters of valid UTF-8); TooLarge: data over the stream's max_record_bytes.
  Status Put(const std::string& name, const PutEntry& entry, PutResult* result);
  // Puts up to 500 records (5 MiB in all, keys included). Validated whole before anything is
  // written; atomic per shard (one batch per shard). results[i] is entry i's.
  Status PutBatch(const std::string& name, std::span<const PutEntry> entries,
                  std::vector<PutResult>* results);
  // (Put is PutBatch of one record without the batch's 5 MiB bound: one record may be as
  // large as the stream's max_record_bytes, up to 10 MiB.)
  // A failed shard append ends PutBatch with its error: shards below it (appends go in shard
  // order) were written, the failed one was not, those above were not tried, and *results
  // is then not meaningful.
  //
  // PutBatch as Kinesis PutRecords answers it: the same checks of the whole batch (an error
  // there writes nothing; ReadOnly on a read-only store), then every shard's append is tried,
  // each atomic, and (*out)[i] is record i's outcome: OK with its seq, or its shard's append
  // error. *failed (may be null) counts the records that failed. Returns OK once attempted,
  // even when every record failed.
  Status PutBatchEach(const std::string& name, std::span<const PutEntry> entries,
                      std::vector<PutOutcome>* out, size_t* failed);

  // InvalidArgument: shard out of range, AT/AFTER a sequence number at or past next_seq.
  Status NewIterator(const std::string& name, uint32_t shard, const IteratorSpec& spec,
                     std::unique_ptr<StreamIterator>* out);

  // Durable per-consumer checkpoints (what the Kinesis Client Library keeps in its lease
  // table). Consumer names as stream names; seq must be below the shard's next_seq.
  Status SetCheckpoint(const std::string& name, const std::string& consumer, uint32_t shard,
                       SeqNo seq);
  // NotFound when the consumer has no checkpoint on that shard.
  Status GetCheckpoint(const std::string& name, const std::string& consumer, uint32_t shard,
                       SeqNo* seq);

  // Removes, in every stream, sealed segments whose newest record is older than the stream's
  // retention. Runs in the background every retention_check_interval_ms; callable directly.
  Status EnforceRetention();

  // The timestamp below which records of `name` are expired now.
  Status RetentionCutoff(const std::string& name, TimestampMs* cutoff);

 private:
  struct Stream;
  Status Find(const std::string& name, std::shared_ptr<Stream>* out);
  Status OpenShard(Stream& s, uint32_t shard, Log** out);
  // InvalidArgument naming the stream when `shard` is out of range.
  static Status CheckShard(const Stream& s, uint32_t shard);
  Status LoadCheckpointsLocked(Stream& s);
  // Checks a put (count, keys, sizes) and routes each record: (*shard_of)[i] is record i's
  // shard. InvalidArgument / TooLarge naming the first bad record.
  static Status RoutePut(const Stream& s, std::span<const PutEntry> entries, bool single,
                         std::vector<uint32_t>* shard_of);
  // Routes, then appends one batch per shard in shard order. With `each` null the first failed
  // append returns its error and results are filled only on success; else every shard is
  // tried and each record's outcome goes to *each.
  Status PutImpl(const std::string& name, std::span<const PutEntry> entries, bool single,
                 std::vector<PutResult>* results, std::vector<PutOutcome>* each);

  Store* const store_;
  const StreamsOptions opt_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Stream>> cache_;  // by name, loaded from the catalog
  std::mutex ckpt_mu_;                                    // serialises checkpoint writes
  Scheduler::TaskId retention_task_ = 0;  // on the store's scheduler; 0: none
};

}  // namespace seglog
