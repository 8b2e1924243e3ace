// QueueTest: a store and its Queues in a temp dir with an injected clock (no sleeping), reopenable;
// shared by tests/queue_test.cc and tests/concurrency/queue_concurrency_test.cc.
#pragma once

#include "engine/queues/queue.h"

#include <unistd.h>

#include <atomic>
#include <map>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "engine/log/clock.h"
#include "engine/log/store.h"
#include "tests/support/fault_fs.h"
#include "io/file_util.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/test_util.h"

namespace seglog::testing {

class QueueTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void TearDown() override { Close(); }

  void Open() {
    StoreOptions so;
    so.clock = &clock_;
    so.file_system = fs_;
    ASSERT_OK(OpenEngine(dir_.path(), so, &store_, nullptr, &queues_));
  }
  void Close() { CloseEngine(&store_, nullptr, &queues_); }
  void Reopen() {
    Close();
    Open();
  }

  QueueConfig Config(QueueType t = QueueType::kStandard) {
    QueueConfig c;
    c.type = t;
    c.log.durability = Durability::kNone;
    c.log.segment_size = 64 * 1024;
    return c;
  }
  void Create(const std::string& name, const QueueConfig& c) { ASSERT_OK(queues_->Create(name, c)); }
  void CreateStd(const std::string& name = "q") { Create(name, Config()); }

  uint64_t Send(const std::string& q, const std::string& body, int32_t delay = -1) {
    SendEntry e;
    e.body = View(body);
    e.delay_s = delay;
    SendResult r;
    EXPECT_OK(queues_->Send(q, e, &r));
    return r.id.value();
  }
  SendResult SendFifo(const std::string& q, const std::string& body, const std::string& group,
                      const std::string& dedup) {
    SendEntry e;
    e.body = View(body);
    e.group_id = group;
    e.dedup_id = dedup;
    SendResult r;
    EXPECT_OK(queues_->Send(q, e, &r));
    return r;
  }
  std::vector<ReceivedMessage> Receive(const std::string& q, uint32_t n = 10, int32_t vt = -1,
                                       int32_t wait = 0) {
    ReceiveOptions o;
    o.max_messages = n;
    o.visibility_timeout_s = vt;
    o.wait_s = wait;
    std::vector<ReceivedMessage> out;
    EXPECT_OK(queues_->Receive(q, o, &out));
    return out;
  }
  QueueStats Stats(const std::string& q) {
    QueueStats s;
    EXPECT_OK(queues_->Stats(q, &s));
    return s;
  }

  TempDir dir_;
  ManualClock clock_;
  io::FileSystem* fs_ = nullptr;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Queues> queues_;
};

}  // namespace seglog::testing
