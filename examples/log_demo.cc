// A tour of seglog's storage core: open a store, create a log, append 100,000 records from four
// threads with group commit, read them back, reopen (recovery), and apply retention.
//
//   ./build/log_demo /tmp/seglog-demo
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "engine/log/log.h"
#include "engine/log/store.h"

using seglog::ByteView;
using seglog::Log;
using seglog::Status;

static ByteView Bytes(const std::string& s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

static int Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "%s: %s\n", what, s.ToString().c_str());
  return 1;
}

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : "/tmp/seglog-demo";
  std::unique_ptr<seglog::Store> store;
  Status s = seglog::Store::Open(dir, seglog::StoreOptions{}, &store);
  if (!s.ok()) return Fail("open", s);

  Log* log = nullptr;
  seglog::LogOptions opt;
  opt.durability = seglog::Durability::kAlways;  // acknowledged = fdatasynced
  opt.segment_size = 1 << 20;                    // small, to show several segments
  s = store->CreateLog("events", opt, &log);
  if (s.code() == seglog::StatusCode::kAlreadyExists) s = store->GetLog("events", &log);
  if (!s.ok()) return Fail("create log", s);
  const uint64_t start = log->next_seq().value();

  // Four producers, 25,000 records each, in batches of 50: every append is one atomic batch.
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([log, t] {
      std::vector<std::string> keys, values;
      for (int i = 0; i < 25000; i += 50) {
        keys.clear();
        values.clear();
        for (int j = 0; j < 50; ++j) {
          keys.push_back("producer-" + std::to_string(t));
          values.push_back("event " + std::to_string(i + j) + " from producer " + std::to_string(t));
        }
        std::vector<Log::Record> batch;
        for (int j = 0; j < 50; ++j) batch.push_back({Bytes(keys[j]), Bytes(values[j]), {}});
        Status st = log->Append(batch);
        if (!st.ok()) std::fprintf(stderr, "append: %s\n", st.ToString().c_str());
      }
    });
  }
  for (auto& p : producers) p.join();
  seglog::LogStats st = log->Stats();
  std::printf("appended %llu records in %llu appends with %llu fdatasync calls (group commit)\n",
              static_cast<unsigned long long>(st.next_seq.value() - start),
              static_cast<unsigned long long>(st.appends),
              static_cast<unsigned long long>(st.syncs));

  // Read everything back, zero-copy.
  std::unique_ptr<seglog::LogIterator> it;
  if (!(s = log->NewIterator(seglog::SeqNo(start), &it)).ok()) return Fail("iterator", s);
  seglog::RecordView r;
  uint64_t n = 0;
  std::string last;
  while ((s = it->Next(&r)).ok()) {
    ++n;
    last.assign(reinterpret_cast<const char*>(r.value.data()), r.value.size());
  }
  if (!s.IsNoMore()) return Fail("read", s);
  std::printf("read back %llu records; the last: seq %llu \"%s\"\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(r.seq.value()),
              last.c_str());
  it.reset();

  // Close and reopen: recovery trusts sealed segments and scans only the unsealed tail.
  (void)store->Close();
  store.reset();
  if (!(s = seglog::Store::Open(dir, seglog::StoreOptions{}, &store)).ok()) return Fail("reopen", s);
  if (!(s = store->GetLog("events", &log)).ok()) return Fail("reopen log", s);
  st = log->Stats();
  std::printf("reopened: %zu segments, %llu bytes, sequences %llu..%llu\n", st.segments,
              static_cast<unsigned long long>(st.bytes),
              static_cast<unsigned long long>(st.first_seq.value()),
              static_cast<unsigned long long>(st.next_seq.value() - 1));
  std::printf("store at %s (try: seglog inspect %s)\n", dir.c_str(), dir.c_str());
  return 0;
}
