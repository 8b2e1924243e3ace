// seglog-micro: Google Benchmark micro-benchmarks of seglog's hot paths (issue 5).
//
//   BM_EncodeBatch / BM_DecodeBatch   format::EncodeBatch, format::ReadBatch + RecordCursor
//                                     (value 16 B .. 64 KiB, 1 .. 1000 records per batch)
//   BM_Checksum                       format::Checksum (XXH3-64), 64 B .. 1 MiB
//   BM_LogScan                        LogIterator::Next over a whole log (records appended once)
//   BM_AppendNone / BM_AppendAlways   Log::Append of one record, 1/4/16 threads (group commit)
//   BM_DeleteIndex*                   DeleteIndex::Delete (1 id, 10 ids) and IsDeleted
//   BM_Roaring64* / BM_AddRange ...   plain Roaring64Map and format/roaring_ranges.h, for comparison
//                                     (BM_Roaring64IsEmpty: isEmpty() copies the bitmap)
//   BM_Filter*                        FilterPolicy::Matches (5-key attribute policy; nested body
//                                     policy) and FilterSubject::OfBody (parse + flatten 500 B)
//   BM_QueueReceiveDelete             Queues::Receive(1) + DeleteMessage at depth 1, 10k, 1M
//
// Without --benchmark_min_time the run uses 0.2 s per benchmark (the whole default run stays
// around a couple of minutes on a 2-core machine); the fdatasync benchmarks use a fixed
// iteration count whatever the flag says. Temporary stores live under /tmp/seglog-micro-*
// and are removed when their benchmark (or, for shared fixtures, the program) ends.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "format/roaring_ranges.h"
#include "engine/queues/delete_index.h"
#include "engine/log/log.h"
#include "engine/log/options.h"
#include "engine/queues/queue.h"
#include "engine/topics/filter_policy.h"
#include "engine/log/store.h"
#include "format/coding.h"
#include "format/segment_format.h"
#include "format/status.h"
#include "format/types.h"

namespace {

using seglog::ByteBuffer;
using seglog::ByteView;
using seglog::SeqNo;
using seglog::Status;
using seglog::TimestampMs;

void Check(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "seglog-micro: %s: %s\n", what, s.ToString().c_str());
    std::abort();
  }
}

ByteBuffer RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  ByteBuffer b(n);
  for (size_t i = 0; i < n; i += 8) {
    const uint64_t v = rng();
    std::memcpy(b.data() + i, &v, std::min<size_t>(8, n - i));
  }
  return b;
}

ByteView View(const std::string& s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string MakeTempDir(const char* tag) {
  std::string t = std::string("/tmp/seglog-micro-") + tag + "-XXXXXX";
  std::vector<char> buf(t.begin(), t.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  return std::string(buf.data());
}

// A store in a fresh temp dir; closed and removed on destruction.
struct TempStore {
  std::string dir;
  std::unique_ptr<seglog::Store> store;

  explicit TempStore(const char* tag) : dir(MakeTempDir(tag)) {
    Check(seglog::Store::Open(dir + "/store", seglog::StoreOptions{}, &store), "open store");
  }
  ~TempStore() {
    if (store) (void)store->Close();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  seglog::Log* CreateLog(const std::string& name, seglog::Durability d) {
    seglog::LogOptions o;
    o.durability = d;
    seglog::Log* log = nullptr;
    Check(store->CreateLog(name, o, &log), "create log");
    return log;
  }
};

// ---------------------------------------------------------------------------------------------
// Batch encode / decode

struct BatchInput {
  ByteBuffer values;  // count * value_size bytes
  ByteBuffer key;
  std::vector<seglog::format::RecordInput> records;
  uint64_t value_bytes = 0;
};

BatchInput MakeBatchInput(size_t value_size, size_t count) {
  BatchInput in;
  in.values = RandomBytes(value_size * count, 42);
  in.key = RandomBytes(8, 7);
  in.records.resize(count);
  for (size_t i = 0; i < count; ++i) {
    auto& r = in.records[i];
    r.seq = SeqNo(1000 + i);
    r.ts = TimestampMs(1'700'000'000'000 + static_cast<int64_t>(i));
    r.key = ByteView(in.key);
    r.value = ByteView(in.values.data() + i * value_size, value_size);
  }
  in.value_bytes = value_size * count;
  return in;
}

void BM_EncodeBatch(benchmark::State& state) {
  const auto value_size = static_cast<size_t>(state.range(0));
  const auto count = static_cast<size_t>(state.range(1));
  BatchInput in = MakeBatchInput(value_size, count);
  const seglog::format::BatchEncodeOptions opt;  // no compression
  ByteBuffer dst, scratch;
  dst.reserve(seglog::format::MaxEncodedBatchSize(in.records));
  size_t len = 0;
  Check(seglog::format::EncodeBatch(in.records, opt, &dst, &scratch, &len), "encode");  // warm-up
  for (auto _ : state) {
    dst.clear();
    Check(seglog::format::EncodeBatch(in.records, opt, &dst, &scratch, &len), "encode");
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * count));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * len));
  state.counters["batch_bytes"] = static_cast<double>(len);
}

void BM_DecodeBatch(benchmark::State& state) {
  const auto value_size = static_cast<size_t>(state.range(0));
  const auto count = static_cast<size_t>(state.range(1));
  ByteBuffer batch, scratch;
  size_t len = 0;
  {
    BatchInput in = MakeBatchInput(value_size, count);
    Check(seglog::format::EncodeBatch(in.records, {}, &batch, &scratch, &len), "encode");
  }
  const ByteView view(batch);
  // The first pass over a fresh multi-MiB buffer pays page faults; keep it out of the timing.
  benchmark::DoNotOptimize(seglog::format::Checksum(view));
  for (auto _ : state) {
    seglog::format::BatchHeader h;
    Check(seglog::format::ReadBatch(view, &h), "read batch");
    seglog::format::RecordCursor cursor;
    Check(cursor.Init(h, view, &scratch), "cursor init");
    seglog::RecordView r;
    size_t n = 0;
    uint64_t sum = 0;
    while (cursor.remaining() > 0) {
      Check(cursor.Next(&r), "cursor next");
      sum += r.value.size() + r.value[0];
      ++n;
    }
    benchmark::DoNotOptimize(sum);
    if (n != count) std::abort();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * count));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * len));
  state.counters["batch_bytes"] = static_cast<double>(len);
}

void BatchArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"value", "records"})->ArgsProduct({{16, 256, 4096, 65536}, {1, 10, 100, 1000}});
}

BENCHMARK(BM_EncodeBatch)->Apply(BatchArgs);
BENCHMARK(BM_DecodeBatch)->Apply(BatchArgs);

// ---------------------------------------------------------------------------------------------
// Checksum

void BM_Checksum(benchmark::State& state) {
  const ByteBuffer data = RandomBytes(static_cast<size_t>(state.range(0)), 1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(seglog::format::Checksum(ByteView(data)));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * data.size()));
}
BENCHMARK(BM_Checksum)->RangeMultiplier(4)->Range(64, 1 << 20);

// ---------------------------------------------------------------------------------------------
// Iterator scan from a mapping. One fixture per record size, appended once and shared by every
// run of that size; removed at program end.

constexpr uint64_t kScanBytes = 32ull << 20;  // per record size

struct ScanFixture {
  std::unique_ptr<TempStore> ts;
  seglog::Log* log = nullptr;
  uint64_t records = 0;
};
std::map<int64_t, std::unique_ptr<ScanFixture>> g_scan;

ScanFixture* GetScanFixture(size_t record_size) {
  auto& f = g_scan[static_cast<int64_t>(record_size)];
  if (f) return f.get();
  f = std::make_unique<ScanFixture>();
  f->ts = std::make_unique<TempStore>("scan");
  f->log = f->ts->CreateLog("scan", seglog::Durability::kNone);
  f->records = kScanBytes / record_size;
  const ByteBuffer value = RandomBytes(record_size, 3);
  const size_t per_batch = std::max<size_t>(1, (64u << 10) / record_size);  // ~64 KiB batches
  std::vector<seglog::Log::Record> batch(per_batch, seglog::Log::Record{{}, ByteView(value), {}});
  for (uint64_t i = 0; i < f->records; i += per_batch) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(per_batch, f->records - i));
    Check(f->log->Append(std::span(batch.data(), n)), "scan append");
  }
  return f.get();
}

void BM_LogScan(benchmark::State& state) {
  const auto record_size = static_cast<size_t>(state.range(0));
  ScanFixture* f = GetScanFixture(record_size);
  for (auto _ : state) {
    std::unique_ptr<seglog::LogIterator> it;
    Check(f->log->NewIterator(SeqNo(0), &it), "new iterator");
    seglog::RecordView r;
    uint64_t n = 0, sum = 0;
    for (;;) {
      Status s = it->Next(&r);
      if (s.IsNoMore()) break;
      Check(s, "scan next");
      sum += r.value.size() + r.value[0];
      ++n;
    }
    benchmark::DoNotOptimize(sum);
    if (n != f->records) std::abort();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f->records));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * f->records * record_size));
  state.counters["records"] = static_cast<double>(f->records);
}
BENCHMARK(BM_LogScan)->ArgName("record")->Arg(100)->Arg(1024)->Arg(16384);

// ---------------------------------------------------------------------------------------------
// Group-commit append: one record per Append, from 1/4/16 threads. Setup/Teardown run once per
// run (not per thread), so every thread appends to the same fresh log.

struct AppendFixture {
  std::unique_ptr<TempStore> ts;
  seglog::Log* log = nullptr;
};
AppendFixture g_append;

void SetupAppend(seglog::Durability d) {
  g_append.ts = std::make_unique<TempStore>("append");
  g_append.log = g_append.ts->CreateLog("append", d);
}
void SetupAppendNone(const benchmark::State&) { SetupAppend(seglog::Durability::kNone); }
void SetupAppendAlways(const benchmark::State&) { SetupAppend(seglog::Durability::kAlways); }
void TeardownAppend(const benchmark::State&) {
  g_append.log = nullptr;
  g_append.ts.reset();
}

void RunAppend(benchmark::State& state) {
  const auto size = static_cast<size_t>(state.range(0));
  const ByteBuffer value = RandomBytes(size, 10 + static_cast<uint64_t>(state.thread_index()));
  const seglog::Log::Record rec{{}, ByteView(value), {}};
  seglog::Log* log = g_append.log;
  for (auto _ : state) {
    Check(log->Append(std::span(&rec, 1)), "append");
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * size));
  if (state.thread_index() == 0) {
    const seglog::LogStats st = log->Stats();
    if (st.appends > 0) {
      state.counters["syncs/append"] = static_cast<double>(st.syncs) / static_cast<double>(st.appends);
      state.counters["writes/append"] = static_cast<double>(st.writes) / static_cast<double>(st.appends);
    }
  }
}
void BM_AppendNone(benchmark::State& state) { RunAppend(state); }
void BM_AppendAlways(benchmark::State& state) { RunAppend(state); }

BENCHMARK(BM_AppendNone)
    ->ArgName("bytes")->Arg(100)->Arg(1024)
    ->Threads(1)->Threads(4)->Threads(16)
    ->UseRealTime()
    ->Setup(SetupAppendNone)->Teardown(TeardownAppend);
// fdatasync costs milliseconds here: a fixed, small count per thread whatever the min time.
BENCHMARK(BM_AppendAlways)
    ->ArgName("bytes")->Arg(100)->Arg(1024)
    ->Threads(1)->Threads(4)->Threads(16)
    ->Iterations(50)
    ->UseRealTime()
    ->Setup(SetupAppendAlways)->Teardown(TeardownAppend);

// ---------------------------------------------------------------------------------------------
// Delete bitmap: DeleteIndex on a journal log (durability none), and plain roaring.

struct DeleteIndexFixture {
  TempStore ts{"delidx"};
  seglog::Log* journal = nullptr;
  std::unique_ptr<seglog::DeleteIndex> index;
  DeleteIndexFixture() {
    journal = ts.CreateLog("journal", seglog::Durability::kNone);
    Check(seglog::DeleteIndex::Open(journal, ts.store->file_system(), &index), "open delete index");
  }
  ~DeleteIndexFixture() { index.reset(); }  // before the store closes the journal
};

void BM_DeleteIndexDelete(benchmark::State& state) {
  const auto batch = static_cast<size_t>(state.range(0));
  DeleteIndexFixture f;
  std::vector<SeqNo> ids(batch);
  uint64_t next = 0;
  for (auto _ : state) {
    for (auto& id : ids) id = SeqNo(next++);
    Check(f.index->Delete(ids), "delete");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch));
  state.counters["calls/s"] = benchmark::Counter(static_cast<double>(state.iterations()),
                                                 benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DeleteIndexDelete)->ArgName("ids")->Arg(1)->Arg(10);

// The sets looked up: dense = every id in [0, 2^20); sparse = 2^17 ids about 1000 apart.
constexpr uint64_t kDenseIds = 1u << 20;
constexpr uint64_t kSparseIds = 1u << 17;
constexpr uint64_t kSparseStride = 1000;

std::vector<uint64_t> SparseIds() {
  std::mt19937_64 rng(5);
  std::vector<uint64_t> ids(kSparseIds);
  for (uint64_t i = 0; i < kSparseIds; ++i) ids[i] = i * kSparseStride + rng() % kSparseStride;
  return ids;
}

// 4096 lookups: half members, half random ids across the set's span (mostly misses when sparse).
std::vector<uint64_t> LookupIds(bool sparse) {
  std::mt19937_64 rng(9);
  const std::vector<uint64_t> members = sparse ? SparseIds() : std::vector<uint64_t>{};
  const uint64_t span = sparse ? kSparseIds * kSparseStride : kDenseIds;
  std::vector<uint64_t> out(4096);
  for (size_t i = 0; i < out.size(); ++i) {
    if (i % 2 == 0) {
      out[i] = sparse ? members[rng() % members.size()] : rng() % kDenseIds;
    } else {
      out[i] = rng() % (2 * span);  // dense: half of these are past the set
    }
  }
  return out;
}

void BM_DeleteIndexIsDeleted(benchmark::State& state) {
  const bool sparse = state.range(0) != 0;
  DeleteIndexFixture f;
  if (sparse) {
    const std::vector<uint64_t> ids = SparseIds();
    std::vector<SeqNo> batch;
    for (size_t i = 0; i < ids.size(); i += 1024) {
      batch.clear();
      for (size_t j = i; j < std::min(ids.size(), i + 1024); ++j) batch.push_back(SeqNo(ids[j]));
      Check(f.index->Delete(batch), "delete");
    }
  } else {
    Check(f.index->DeleteRange(SeqNo(0), SeqNo(kDenseIds)), "delete range");
  }
  const std::vector<uint64_t> lookups = LookupIds(sparse);
  size_t i = 0;
  uint64_t hits = 0;
  for (auto _ : state) {
    hits += f.index->IsDeleted(SeqNo(lookups[i])) ? 1 : 0;
    i = (i + 1) & (lookups.size() - 1);
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(state.iterations());
  state.counters["bitmap_bytes"] = static_cast<double>(f.index->bitmap_bytes());
}
BENCHMARK(BM_DeleteIndexIsDeleted)->ArgName("sparse")->Arg(0)->Arg(1);

void BM_Roaring64Add(benchmark::State& state) {
  ::Roaring64Map bm;
  uint64_t next = 0;
  for (auto _ : state) bm.add(next++);
  benchmark::DoNotOptimize(bm.cardinality());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Roaring64Add);

void BM_Roaring64Contains(benchmark::State& state) {
  const bool sparse = state.range(0) != 0;
  ::Roaring64Map bm;
  if (sparse) {
    for (uint64_t id : SparseIds()) bm.add(id);
  } else {
    seglog::AddRange(&bm, 0, kDenseIds);
  }
  const std::vector<uint64_t> lookups = LookupIds(sparse);
  size_t i = 0;
  uint64_t hits = 0;
  for (auto _ : state) {
    hits += bm.contains(lookups[i]) ? 1 : 0;
    i = (i + 1) & (lookups.size() - 1);
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Roaring64Contains)->ArgName("sparse")->Arg(0)->Arg(1);

// Roaring64Map::isEmpty() as CRoaring 0.2.x implements it: its std::all_of lambda takes
// std::pair<uint32_t, Roaring> (not pair<const uint32_t, ...>), so every 2^32-id bucket is
// copied per call; the cost grows with the bitmap (engine/queues/queue.cc PickLocked calls it per
// received message on the ready set). Ids [0, N) added one by one (bitset containers).
void BM_Roaring64IsEmpty(benchmark::State& state) {
  const auto n = static_cast<uint64_t>(state.range(0));
  ::Roaring64Map bm;
  for (uint64_t i = 0; i < n; ++i) bm.add(i);
  for (auto _ : state) benchmark::DoNotOptimize(bm.isEmpty());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Roaring64IsEmpty)->ArgName("ids")->Arg(1 << 10)->Arg(1 << 16)->Arg(1 << 20);

// Ranges start off a container boundary; items = ids covered.
constexpr uint64_t kRangeLo = 12345;

void BM_AddRange(benchmark::State& state) {
  const auto len = static_cast<uint64_t>(state.range(0));
  for (auto _ : state) {
    ::Roaring64Map bm;
    seglog::AddRange(&bm, kRangeLo, kRangeLo + len);
    benchmark::DoNotOptimize(bm);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * len));
}
// Plain Roaring64Map::flip of the same range into an empty map (materializes bitmap containers).
void BM_Roaring64FlipAdd(benchmark::State& state) {
  const auto len = static_cast<uint64_t>(state.range(0));
  for (auto _ : state) {
    ::Roaring64Map bm;
    bm.flip(kRangeLo, kRangeLo + len);
    benchmark::DoNotOptimize(bm);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * len));
}
// Removes [lo, lo+len) from a map holding [0, lo+len+2^16); only RemoveRange is timed.
void BM_RemoveRange(benchmark::State& state) {
  const auto len = static_cast<uint64_t>(state.range(0));
  ::Roaring64Map full;
  seglog::AddRange(&full, 0, kRangeLo + len + (1u << 16));
  for (auto _ : state) {
    ::Roaring64Map bm = full;
    const auto t0 = std::chrono::steady_clock::now();
    seglog::RemoveRange(&bm, kRangeLo, kRangeLo + len);
    const auto t1 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(bm);
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * len));
}

void RangeArgs(benchmark::internal::Benchmark* b) {
  b->ArgName("ids")->Arg(1 << 10)->Arg(1 << 16)->Arg(1 << 20)->Arg(1 << 24);
}
BENCHMARK(BM_AddRange)->Apply(RangeArgs);
BENCHMARK(BM_Roaring64FlipAdd)->Apply(RangeArgs);
BENCHMARK(BM_RemoveRange)->Apply(RangeArgs)->UseManualTime();

// ---------------------------------------------------------------------------------------------
// Queue receive + delete at depth N. One store and Queues object shared by every depth; each
// depth's queue is filled once (the 1M one takes seconds) and removed at program end. Each
// iteration times Receive(1) + DeleteMessage; a send (not timed) puts the depth back.

constexpr size_t kQueueBody = 100;

struct QueueFixture {
  std::unique_ptr<TempStore> ts;
  std::unique_ptr<seglog::Queues> queues;
  std::map<int64_t, std::string> filled;  // depth -> queue name
};
QueueFixture g_queue;

const std::string& GetQueue(int64_t depth) {
  if (!g_queue.ts) {
    g_queue.ts = std::make_unique<TempStore>("queue");
    seglog::QueuesOptions qo;
    qo.maintenance_interval_ms = 0;
    g_queue.queues = std::make_unique<seglog::Queues>(g_queue.ts->store.get(), qo);
  }
  auto it = g_queue.filled.find(depth);
  if (it != g_queue.filled.end()) return it->second;
  const std::string name = "depth" + std::to_string(depth);
  seglog::QueueConfig c;
  c.log.durability = seglog::Durability::kNone;
  Check(g_queue.queues->Create(name, c), "create queue");
  const std::string body(kQueueBody, 'q');
  std::vector<seglog::SendEntry> batch(seglog::kQueueMaxBatch);
  for (auto& e : batch) e.body = View(body);
  std::vector<seglog::SendResult> res;
  for (int64_t i = 0; i < depth; i += static_cast<int64_t>(batch.size())) {
    const auto n = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(batch.size()), depth - i));
    res.clear();
    Check(g_queue.queues->SendBatch(name, std::span(batch.data(), n), &res), "fill queue");
  }
  return g_queue.filled.emplace(depth, name).first->second;
}

void BM_QueueReceiveDelete(benchmark::State& state) {
  const std::string& name = GetQueue(state.range(0));
  seglog::Queues* q = g_queue.queues.get();
  const std::string body(kQueueBody, 'r');
  seglog::SendEntry refill;
  refill.body = View(body);
  seglog::SendResult sent;
  seglog::ReceiveOptions ro;
  ro.max_messages = 1;
  ro.wait_s = 0;
  std::vector<seglog::ReceivedMessage> got;
  for (auto _ : state) {
    got.clear();
    const auto t0 = std::chrono::steady_clock::now();
    Check(q->Receive(name, ro, &got), "receive");
    if (got.size() != 1) {
      std::fprintf(stderr, "seglog-micro: receive returned %zu messages\n", got.size());
      std::abort();
    }
    Check(q->DeleteMessage(name, got[0].receipt), "delete message");
    const auto t1 = std::chrono::steady_clock::now();
    state.SetIterationTime(std::chrono::duration<double>(t1 - t0).count());
    Check(q->Send(name, refill, &sent), "refill");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QueueReceiveDelete)
    ->ArgName("depth")->Arg(1)->Arg(10'000)->Arg(1'000'000)
    ->UseManualTime();

// ---- SNS filter policies (engine/topics/filter_policy.h) ----

using seglog::FilterPolicy;
using seglog::FilterScope;
using seglog::FilterSubject;

struct FilterAttrs {
  std::vector<std::string> names, values;
  std::vector<seglog::format::MessageAttribute> attrs;
  void Add(std::string n, seglog::format::AttributeType t, std::string v, std::string_view label = {}) {
    names.push_back(std::move(n));
    values.push_back(std::move(v));
    seglog::format::MessageAttribute a;
    a.type = t;
    a.type_label = label;
    attrs.push_back(a);
  }
  FilterSubject Subject() {
    for (size_t i = 0; i < attrs.size(); ++i) {
      attrs[i].name = names[i];
      attrs[i].value = ByteView(reinterpret_cast<const uint8_t*>(values[i].data()), values[i].size());
    }
    return FilterSubject::OfAttributes(attrs);
  }
};

// A 5-key policy with mixed operators; arg 0: a matching subject, 1: one failing on the last key.
void BM_FilterAttributes5Keys(benchmark::State& state) {
  std::unique_ptr<const FilterPolicy> policy;
  Status s = FilterPolicy::Compile(
      R"({"store":["example_corp","other_corp"],"event":[{"anything-but":["order_cancelled"]}],)"
      R"("customer_interests":["rugby","football",{"prefix":"bas"}],)"
      R"("price_usd":[{"numeric":[">=",100,"<",1000]}],"source_ip":[{"cidr":"10.0.0.0/24"}]})",
      FilterScope::kMessageAttributes, &policy);
  if (!s.ok()) return state.SkipWithError(s.message().c_str());
  using T = seglog::format::AttributeType;
  FilterAttrs a;
  a.Add("store", T::kString, "example_corp");
  a.Add("event", T::kString, "order_placed");
  a.Add("customer_interests", T::kString, R"(["soccer","basketball"])", "Array");
  a.Add("price_usd", T::kNumber, "210.75");
  a.Add("source_ip", T::kString, state.range(0) == 0 ? "10.0.0.7" : "10.0.1.7");
  a.Add("trace", T::kString, "abc");
  const FilterSubject subject = a.Subject();
  const bool want = state.range(0) == 0;
  for (auto _ : state) {
    const bool m = policy->Matches(subject);
    benchmark::DoNotOptimize(m);
    if (m != want) return state.SkipWithError("unexpected match result");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FilterAttributes5Keys)->Arg(0)->Arg(1);

constexpr std::string_view kFilterBody =
    R"({"store":{"name":"example_corp","location":{"city":"Seattle","zip":"98101"}},)"
    R"("order":{"id":"o-123456","items":[{"sku":"shoe-1","qty":2,"price":49.5},)"
    R"({"sku":"sock-7","qty":5,"price":4.25}],"total":120.25,"currency":"USD"},)"
    R"("customer":{"id":"c-42","tier":"gold","interests":["rugby","tennis"],)"
    R"("email":"someone@example.com"},"event":"order_placed","source_ip":"10.0.0.7",)"
    R"("flags":{"gift":false,"express":true,"note":null},"ts":1700000000123,)"
    R"("padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})";

void BM_FilterBodyNested(benchmark::State& state) {
  std::unique_ptr<const FilterPolicy> policy;
  Status s = FilterPolicy::Compile(
      R"({"store":{"location":{"city":["Seattle","Atlanta"]}},)"
      R"("order":{"items":{"sku":[{"prefix":"shoe"}]},"total":[{"numeric":[">",100]}]},)"
      R"("customer":{"tier":[{"equals-ignore-case":"GOLD"}]},"flags":{"express":[true]}})",
      FilterScope::kMessageBody, &policy);
  if (!s.ok()) return state.SkipWithError(s.message().c_str());
  const FilterSubject subject = FilterSubject::OfBody(kFilterBody);
  for (auto _ : state) {
    const bool m = policy->Matches(subject);
    benchmark::DoNotOptimize(m);
    if (!m) return state.SkipWithError("expected a match");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FilterBodyNested);

void BM_FilterSubjectOfBody(benchmark::State& state) {
  for (auto _ : state) {
    FilterSubject subject = FilterSubject::OfBody(kFilterBody);
    benchmark::DoNotOptimize(subject);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(kFilterBody.size()));
}
BENCHMARK(BM_FilterSubjectOfBody);

void CleanupFixtures() {
  g_scan.clear();
  g_queue.queues.reset();  // before its store
  g_queue.filled.clear();
  g_queue.ts.reset();
  g_append.log = nullptr;
  g_append.ts.reset();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  bool has_min_time = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]).starts_with("--benchmark_min_time")) has_min_time = true;
  }
  static char default_min_time[] = "--benchmark_min_time=0.2";
  if (!has_min_time) args.push_back(default_min_time);
  int n = static_cast<int>(args.size());
  args.push_back(nullptr);
  benchmark::Initialize(&n, args.data());
  if (benchmark::ReportUnrecognizedArguments(n, args.data())) return 1;
  benchmark::RunSpecifiedBenchmarks();
  CleanupFixtures();
  benchmark::Shutdown();
  return 0;
}
