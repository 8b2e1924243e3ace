// The fixture of the C API's topic tests (tests/capi_topics_test.cc, capi_topics_args_test.cc,
// capi_topics_callback_test.cc): a C handle assembled from the engine's rooms (manual clock)
// with a Topics of small callback retry settings (3 tries, immediate in SNS's schedule), and
// helpers that create, subscribe, publish and receive through the C functions. Lifetime: one
// handle per test, Open/Close may repeat (reopen); single-threaded but for the fan-out.
#pragma once

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "engine/log/clock.h"
#include "engine/topics/topics.h"
#include "tests/support/capi_handle.h"
#include "tests/support/test_util.h"

namespace seglog::testing {

class CapiTopicsTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void TearDown() override { Close(); }

  void Open() {
    StoreOptions so;
    so.clock = &clock_;
    ASSERT_OK(OpenCHandle(dir_.path(), so, &db_));
    TopicsOptions to;
    to.callback_max_attempts = 3;
    to.maintenance_interval_ms = 0;
    db_->topics = std::make_unique<Topics>(db_->store.get(), db_->queues.get(), to);
  }
  void Close() {
    if (db_ == nullptr) return;
    db_->topics.reset();  // before the queues, as seglog_close
    EXPECT_OK(CloseCHandle(db_));
    db_ = nullptr;
  }
  std::string Error() const { return seglog_last_error(); }

  void CreateTopic(const char* name) {
    ASSERT_EQ(seglog_topic_create(db_, name, nullptr, nullptr, nullptr, 0), SEGLOG_OK) << Error();
  }
  void CreateQueue(const char* name) {
    ASSERT_EQ(seglog_queue_create(db_, name, nullptr), SEGLOG_OK) << Error();
  }
  std::string Subscribe(const char* topic, int protocol, const char* endpoint, bool raw,
                        const char* policy, const char* redrive = nullptr) {
    seglog_topic_subscription_config sc;
    seglog_topic_subscription_config_init(&sc);
    sc.protocol = protocol;
    sc.endpoint = endpoint;
    sc.raw_delivery = raw ? 1 : 0;
    sc.filter_policy = policy;
    sc.redrive_queue = redrive;
    char id[SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX + 1] = {};
    EXPECT_EQ(seglog_topic_subscribe(db_, topic, &sc, id, sizeof id), SEGLOG_OK) << Error();
    EXPECT_EQ(std::strlen(id), size_t{SEGLOG_TOPIC_SUBSCRIPTION_ID_MAX}) << id;
    return id;
  }
  // Publishes `message` with the String attribute size=`size` (none when NULL).
  seglog_topic_publish_result Publish(const char* topic, const char* message, const char* size,
                                      const char* subject) {
    seglog_queue_attr_v2 attr{"size", "String", size, size == nullptr ? 0 : std::strlen(size)};
    seglog_topic_publish_entry e;
    seglog_topic_publish_entry_init(&e, message, std::strlen(message));
    e.subject = subject;
    e.attrs = size == nullptr ? nullptr : &attr;
    e.n_attrs = size == nullptr ? 0 : 1;
    seglog_topic_publish_result r;
    EXPECT_EQ(seglog_topic_publish(db_, topic, &e, &r), SEGLOG_OK) << Error();
    return r;
  }

  struct Received {
    std::string body;
    std::string group;
    std::vector<std::string> attrs;  // "name:DataType=value"
  };
  // Receives (and deletes) every visible message of `queue`, in delivery order.
  std::vector<Received> ReceiveAll(const char* queue) {
    std::vector<Received> out;
    seglog_queue_receive_options ro;
    seglog_queue_receive_options_init(&ro);
    ro.max_messages = 10;
    ro.wait_s = 0;
    for (;;) {
      seglog_queue_messages* b = nullptr;
      EXPECT_EQ(seglog_queue_receive(db_, queue, &ro, &b), SEGLOG_OK) << Error();
      const size_t n = seglog_queue_messages_count(b);
      for (size_t i = 0; i < n; ++i) {
        const seglog_queue_message_v2* m = seglog_queue_messages_get_v2(b, i);
        Received r{std::string(static_cast<const char*>(m->body), m->body_len), m->group_id, {}};
        for (size_t k = 0; k < m->n_attrs; ++k) {
          const seglog_queue_attr_v2& a = m->attrs[k];
          r.attrs.push_back(std::string(a.name) + ":" + a.data_type + "=" +
                            std::string(static_cast<const char*>(a.value), a.value_len));
        }
        EXPECT_EQ(seglog_queue_delete_message(db_, queue, m->receipt), SEGLOG_OK) << Error();
        out.push_back(std::move(r));
      }
      seglog_queue_messages_free(b);
      if (n == 0) return out;
    }
  }

  std::vector<std::string> TopicNames() {
    std::vector<seglog_topic_name> names(SEGLOG_TOPIC_LIST_MAX_RESULTS);
    size_t n = 0;
    char token[SEGLOG_TOPIC_LIST_TOKEN_MAX];
    EXPECT_EQ(seglog_topic_list(db_, SEGLOG_TOPIC_LIST_MAX_RESULTS, nullptr, names.data(),
                                names.size(), &n, token, sizeof token),
              SEGLOG_OK)
        << Error();
    std::vector<std::string> out;
    for (size_t i = 0; i < n; ++i) out.emplace_back(names[i].name);
    return out;
  }
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  Pairs Tags(const char* topic) {
    std::vector<seglog_queue_tag_entry> t(SEGLOG_TOPIC_MAX_TAGS);
    size_t n = 99;
    EXPECT_EQ(seglog_topic_list_tags(db_, topic, t.data(), t.size(), &n), SEGLOG_OK) << Error();
    Pairs out;
    for (size_t i = 0; i < n && i < t.size(); ++i) out.emplace_back(t[i].key, t[i].value);
    return out;
  }

  TempDir dir_;
  ManualClock clock_;
  seglog_handle* db_ = nullptr;
};

}  // namespace seglog::testing
