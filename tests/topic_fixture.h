// TopicsTest: a store with its Queues and Topics in a temp dir, a ManualClock (no sleeping for
// retries or dedup windows), reopenable; shared by tests/topics_test.cc and the
// tests/topic_*_test.cc files.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/log/clock.h"
#include "engine/log/store.h"
#include "engine/queues/queue.h"
#include "engine/topics/topics.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/test_util.h"

namespace seglog::testing {

class TopicsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    topts_.maintenance_interval_ms = 0;
    Open();
  }
  void TearDown() override { Close(); }

  void Open() {
    StoreOptions so;
    so.clock = &clock_;
    ASSERT_OK(OpenEngine(dir_.path(), so, &store_, nullptr, &queues_));
    topics_ = std::make_unique<Topics>(store_.get(), queues_.get(), topts_);
  }
  void Close() {
    topics_.reset();
    CloseEngine(&store_, nullptr, &queues_);
  }
  void Reopen() {
    Close();
    Open();
  }

  void CreateQueue(const std::string& name, bool fifo = false) {
    QueueConfig c;
    c.type = fifo ? QueueType::kFifo : QueueType::kStandard;
    c.log.durability = Durability::kNone;
    c.content_based_dedup = fifo;
    ASSERT_OK(queues_->Create(name, c));
  }
  TopicConfig Config(bool fifo = false) {
    TopicConfig c;
    c.type = fifo ? TopicType::kFifo : TopicType::kStandard;
    c.log.durability = Durability::kNone;
    c.log.segment_size = 64 * 1024;
    return c;
  }
  void CreateTopic(const std::string& name, bool fifo = false) {
    ASSERT_OK(topics_->Create(name, Config(fifo)));
  }
  std::string Subscribe(const std::string& topic, const std::string& queue, bool raw = true,
                        const std::string& policy = "",
                        FilterScope scope = FilterScope::kMessageAttributes) {
    SubscriptionConfig c;
    c.endpoint = queue;
    c.raw_delivery = raw;
    c.filter_policy = policy;
    c.filter_scope = scope;
    std::string id;
    EXPECT_OK(topics_->Subscribe(topic, c, &id));
    return id;
  }
  PublishResult Publish(const std::string& topic, const std::string& msg,
                        std::vector<format::MessageAttribute> attrs = {},
                        const std::string& group = "", const std::string& dedup = "") {
    PublishEntry e;
    e.message = msg;
    e.attributes = attrs;
    e.group_id = group;
    e.dedup_id = dedup;
    PublishResult r;
    EXPECT_OK(topics_->Publish(topic, e, &r));
    return r;
  }
  void Drain(const std::string& topic) { ASSERT_OK(topics_->WaitDelivered(topic, 30'000)); }
  // Every message in the queue now (received with a long visibility timeout).
  std::vector<ReceivedMessage> ReceiveAll(const std::string& queue) {
    std::vector<ReceivedMessage> all;
    for (;;) {
      ReceiveOptions o;
      o.max_messages = 10;
      o.visibility_timeout_s = 3600;
      o.wait_s = 0;
      std::vector<ReceivedMessage> got;
      EXPECT_OK(queues_->Receive(queue, o, &got));
      if (got.empty()) return all;
      for (auto& m : got) all.push_back(std::move(m));
    }
  }
  std::vector<std::string> Bodies(const std::string& queue) {
    std::vector<std::string> out;
    for (const auto& m : ReceiveAll(queue)) out.push_back(m.body);
    return out;
  }

  ManualClock clock_;
  TempDir dir_;
  TopicsOptions topts_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Queues> queues_;
  std::unique_ptr<Topics> topics_;
};

inline format::MessageAttribute Attr(const char* name, const char* value,
                                     format::AttributeType t = format::AttributeType::kString,
                                     const char* label = "") {
  return {name, t, View(value), label};
}

}  // namespace seglog::testing
