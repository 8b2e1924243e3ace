// The Kinesis Data Streams adapter (AWS JSON 1.1, Kinesis_20131202.*) over the engine's
// Streams: CreateStream, DeleteStream, DescribeStream, DescribeStreamSummary, ListStreams,
// ListShards, PutRecord, PutRecords, GetShardIterator, GetRecords,
// IncreaseStreamRetentionPeriod, DecreaseStreamRetentionPeriod. Shard ids
// "shardId-000000000000"; sequence numbers are decimal strings, increasing per shard, unique
// within a stream and parsed back (SPEC.md); shard iterators are opaque, authenticated tokens
// that expire after 5 minutes.
//
// Lifetime: Streams (and opt.clock) outlive it. Concurrency: Call from any worker; it answers
// before returning (no call holds a thread or an engine iterator past its return).
// Durability: what the engine's stream settings give; the stream mode and creation time are
// remembered per process only (a stream first seen after a restart reports that moment).
#pragma once

#include <memory>
#include <string>

#include "engine/log/clock.h"
#include "engine/streams/stream.h"
#include "server/service.h"

namespace seglog::server {

struct KinesisServiceOptions {
  Limits limits = Limits::kAws;  // streams created through the API
  Durability durability = Durability::kAlways;  // of streams created through the API
  // Signs shard iterators; "" = a random key per process (iterators then do not survive a
  // restart: ExpiredIteratorException, as for any expired iterator).
  std::string iterator_key;
  // Issues and expires shard iterators and measures MillisBehindLatest; null = the system
  // clock. Tests pass the store's ManualClock.
  Clock* clock = nullptr;
};

class KinesisService : public Service {
 public:
  KinesisService(Streams* streams, KinesisServiceOptions opt = {});
  ~KinesisService() override;
  void Call(ServiceCall call, ServiceDone done) override;
  size_t MaxRequestBytes(std::string_view action) const override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace seglog::server
