// LogTest: a Log in a temp dir over a chosen I/O backend (the test parameter), reopenable;
// shared by tests/log_test.cc and tests/concurrency/log_concurrency_test.cc.
#pragma once

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "engine/log/clock.h"
#include "engine/log/log.h"
#include "engine/log/map_cache.h"
#include "engine/log/store.h"
#include "format/segment_format.h"
#include "tests/support/fault_fs.h"
#include "io/file_util.h"
#include "tests/support/test_util.h"

namespace seglog::testing {

// A log in a temp dir over a chosen backend, reopenable.
class LogTest : public ::testing::TestWithParam<io::Backend> {
 protected:
  void SetUp() override {
    fs_ = MakeFs(GetParam());
    if (!fs_) GTEST_SKIP() << "backend unavailable: " << io::BackendName(GetParam());
    opt_.segment_size = 64 * 1024;
    opt_.index_interval_bytes = 512;
    // Most tests are about layout, not syncs; the durable modes have their own tests.
    opt_.durability = Durability::kNone;
  }

  Status Open() {
    log_.reset();
    Log::Env env{fs(), &clock_, &maps_, 7, dir_.path() + "/log", false, mapped_writes_};
    return Log::Open(env, opt_, &log_);
  }
  virtual io::FileSystem* fs() { return fs_.get(); }

  Status Put(const std::string& key, const std::string& value, SeqNo* seq = nullptr) {
    Log::Record r{View(key), View(value), {}};
    return log_->Append(std::span<const Log::Record>(&r, 1), seq);
  }

  // Reads everything from `from` until NoMore.
  std::vector<std::pair<uint64_t, std::string>> ReadAll(SeqNo from = SeqNo(0)) {
    std::vector<std::pair<uint64_t, std::string>> out;
    std::unique_lock<std::mutex> l(mu_);
    std::unique_ptr<LogIterator> it;
    EXPECT_OK(log_->NewIterator(from, &it));
    RecordView r;
    Status s;
    while ((s = it->Next(&r)).ok()) out.emplace_back(r.seq.value(), Str(r.value));
    EXPECT_TRUE(s.IsNoMore()) << s.ToString();
    return out;
  }

  std::vector<std::string> SegmentFiles() { return testing::SegmentFilesIn(dir_.path() + "/log"); }

  TempDir dir_;
  std::unique_ptr<io::FileSystem> fs_;
  ManualClock clock_;
  MapCache maps_{16};
  LogOptions opt_;
  bool mapped_writes_ = true;
  std::unique_ptr<Log> log_;
  std::mutex mu_;
};

}  // namespace seglog::testing
