// Topics' fan-out into queues: filters (both scopes), raw vs envelope, FIFO order and dedup,
// group ids passed on, undeliverable messages, reopen (cursors, subscriptions), recovery of a
// lost cursor from the queue's delivery tags, retention.
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "format/topic_format.h"
#include "tests/support/sns_verify.h"
#include "tests/topic_fixture.h"

namespace seglog::testing {
namespace {

using FanoutTest = TopicsTest;

TEST_F(FanoutTest, SeveralQueuesWithFiltersInBothScopes) {
  CreateTopic("t");
  for (const char* q : {"all", "red", "kind_a"}) CreateQueue(q);
  Subscribe("t", "all");
  Subscribe("t", "red", true, R"({"color": ["red"]})");
  Subscribe("t", "kind_a", true, R"({"kind": ["a"]})", FilterScope::kMessageBody);
  Publish("t", R"({"kind":"a","n":1})", {Attr("color", "red")});
  Publish("t", R"({"kind":"b","n":2})", {Attr("color", "red")});
  Publish("t", R"({"kind":"a","n":3})", {Attr("color", "blue")});
  Publish("t", "not json", {});
  Drain("t");
  EXPECT_EQ(Bodies("all").size(), 4u);
  EXPECT_EQ(Bodies("red"), (std::vector<std::string>{R"({"kind":"a","n":1})",
                                                     R"({"kind":"b","n":2})"}));
  EXPECT_EQ(Bodies("kind_a"), (std::vector<std::string>{R"({"kind":"a","n":1})",
                                                        R"({"kind":"a","n":3})"}));
  std::vector<SubscriptionInfo> subs;
  std::string token;
  ASSERT_OK(topics_->ListSubscriptions("t", "", 10, &subs, &token));
  uint64_t delivered = 0, filtered = 0;
  for (const auto& s : subs) {
    delivered += s.delivered;
    filtered += s.filtered;
    EXPECT_EQ(s.backlog, 0u);
    EXPECT_EQ(s.cursor.value(), 4u);
  }
  EXPECT_EQ(delivered, 8u);
  EXPECT_EQ(filtered, 4u);
}

TEST_F(FanoutTest, RawCarriesAttributesEnvelopeIsSnsJson) {
  CreateTopic("t");
  CreateQueue("raw");
  CreateQueue("env");
  Subscribe("t", "raw", true);
  const std::string sub = Subscribe("t", "env", false);
  PublishEntry e;
  e.message = "hello";
  e.subject = "Greeting";
  const format::MessageAttribute attrs[] = {Attr("n", "42", format::AttributeType::kNumber)};
  e.attributes = attrs;
  PublishResult r;
  ASSERT_OK(topics_->Publish("t", e, &r));
  Drain("t");
  const auto raw = ReceiveAll("raw");
  ASSERT_EQ(raw.size(), 1u);
  EXPECT_EQ(raw[0].body, "hello");
  ASSERT_EQ(raw[0].attributes.size(), 1u);
  EXPECT_EQ(raw[0].attributes[0].name, "n");
  EXPECT_EQ(raw[0].attributes[0].value, "42");
  const auto env = ReceiveAll("env");
  ASSERT_EQ(env.size(), 1u);
  EXPECT_TRUE(env[0].attributes.empty());
  const nlohmann::json j = nlohmann::json::parse(env[0].body);
  EXPECT_EQ(j["Type"], "Notification");
  EXPECT_EQ(j["MessageId"], r.message_id);
  EXPECT_EQ(j["TopicArn"], topts_.arn_prefix + "t");
  EXPECT_EQ(j["Subject"], "Greeting");
  EXPECT_EQ(j["Message"], "hello");
  EXPECT_EQ(j["SignatureVersion"], "1");
  EXPECT_FALSE(j["Signature"].get<std::string>().empty());
  EXPECT_NE(j["UnsubscribeURL"].get<std::string>().find(sub), std::string::npos);
  EXPECT_EQ(j["MessageAttributes"]["n"]["Type"], "Number");
  EXPECT_EQ(j["MessageAttributes"]["n"]["Value"], "42");
}

// A pass of several messages signs their envelopes ahead on several threads (SignAhead): every
// envelope, filtered or not, verifies by AWS's algorithm with the store's certificate, and each
// message carries its own signature.
TEST_F(FanoutTest, EnvelopesSignedAheadVerify) {
  CreateTopic("t");
  CreateQueue("all");
  CreateQueue("even");
  CreateQueue("raw");
  Subscribe("t", "all", false);
  Subscribe("t", "even", false, R"({"kind": ["even"]})");
  Subscribe("t", "raw", true);
  constexpr int kBatches = 3;
  for (int b = 0; b < kBatches; ++b) {
    std::vector<std::string> texts, kinds, idtexts;
    for (int i = 0; i < 10; ++i) {
      texts.push_back("message " + std::to_string(b * 10 + i) + " \"quoted\"\n");
      kinds.push_back(i % 2 ? "odd" : "even");
      idtexts.push_back("e" + std::to_string(i));
    }
    std::vector<format::MessageAttribute> attrs;
    for (int i = 0; i < 10; ++i) attrs.push_back(Attr("kind", kinds[i].c_str()));
    PublishEntry es[10];
    std::string_view ids[10];
    for (int i = 0; i < 10; ++i) {
      es[i].message = texts[i];
      es[i].attributes = std::span(&attrs[i], 1);
      ids[i] = idtexts[i];
    }
    std::vector<PublishResult> results;
    std::vector<BatchEntryOutcome> outcomes;
    ASSERT_OK(topics_->PublishBatch("t", ids, es, &results, &outcomes));
    for (const BatchEntryOutcome& o : outcomes) ASSERT_TRUE(o.ok()) << o.status.ToString();
  }
  Drain("t");
  std::string cert;
  ASSERT_OK(topics_->SigningCertificate(&cert));
  std::set<std::string> signatures;
  for (const char* q : {"all", "even"}) {
    const auto got = ReceiveAll(q);
    EXPECT_EQ(got.size(), std::string(q) == "all" ? 30u : 15u) << q;
    for (const ReceivedMessage& m : got) {
      EXPECT_TRUE(VerifySnsEnvelope(m.body, cert)) << q << ": " << m.body;
      const nlohmann::json j = nlohmann::json::parse(m.body);
      if (std::string(q) == "all") signatures.insert(j["Signature"].get<std::string>());
    }
  }
  EXPECT_EQ(signatures.size(), 30u);  // one signature per message, none reused
  EXPECT_EQ(ReceiveAll("raw").size(), 30u);
}

TEST_F(FanoutTest, FifoTopicKeepsGroupOrderAndDedups) {
  CreateTopic("f.fifo", true);
  CreateQueue("qf.fifo", true);
  CreateQueue("std");
  Subscribe("f.fifo", "qf.fifo");
  Subscribe("f.fifo", "std");
  for (int i = 0; i < 20; ++i) {
    Publish("f.fifo", "m" + std::to_string(i), {}, i % 2 ? "odd" : "even", "d" + std::to_string(i));
  }
  EXPECT_TRUE(Publish("f.fifo", "again", {}, "odd", "d1").duplicate);
  Drain("f.fifo");
  std::map<std::string, std::vector<std::string>> by_group;
  for (int round = 0; round < 30; ++round) {
    ReceiveOptions o;
    o.max_messages = 10;
    o.wait_s = 0;
    std::vector<ReceivedMessage> got;
    ASSERT_OK(queues_->Receive("qf.fifo", o, &got));
    if (got.empty()) break;
    for (auto& m : got) {
      by_group[m.group_id].push_back(m.body);
      EXPECT_FALSE(m.dedup_id.empty());
      EXPECT_OK(queues_->DeleteMessage("qf.fifo", m.receipt));
    }
  }
  ASSERT_EQ(by_group["even"].size(), 10u);
  ASSERT_EQ(by_group["odd"].size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(by_group["even"][i], "m" + std::to_string(2 * i));
    EXPECT_EQ(by_group["odd"][i], "m" + std::to_string(2 * i + 1));
  }
  const auto std_msgs = ReceiveAll("std");
  EXPECT_EQ(std_msgs.size(), 20u);
  EXPECT_FALSE(std_msgs.empty() || std_msgs[0].group_id.empty());
}

TEST_F(FanoutTest, StandardTopicPassesGroupIdOn) {
  CreateTopic("t");
  CreateQueue("q");
  Subscribe("t", "q");
  Publish("t", "tenant message", {}, "tenant-7");
  Drain("t");
  const auto got = ReceiveAll("q");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].group_id, "tenant-7");
}

TEST_F(FanoutTest, NewSubscriptionStartsAtTheEnd) {
  CreateTopic("t");
  CreateQueue("early");
  CreateQueue("late");
  Subscribe("t", "early");
  Publish("t", "before");
  Drain("t");
  Subscribe("t", "late");
  Publish("t", "after");
  Drain("t");
  EXPECT_EQ(Bodies("early"), (std::vector<std::string>{"before", "after"}));
  EXPECT_EQ(Bodies("late"), (std::vector<std::string>{"after"}));
}

TEST_F(FanoutTest, UndeliverableGoesToRedriveQueueOrIsDropped) {
  CreateTopic("t");
  CreateQueue("q");
  CreateQueue("dlq");
  CreateQueue("q2");
  SubscriptionConfig c;
  c.endpoint = "q";
  c.raw_delivery = true;
  c.redrive_queue = "dlq";
  std::string with_dlq, without;
  ASSERT_OK(topics_->Subscribe("t", c, &with_dlq));
  without = Subscribe("t", "q2", true);
  std::vector<std::string> names;
  std::vector<format::MessageAttribute> many;
  for (int i = 0; i < 11; ++i) names.push_back("a" + std::to_string(i));
  for (const auto& n : names) many.push_back({n, format::AttributeType::kString, View("v"), ""});
  Publish("t", "too many attributes for raw", many);
  Publish("t", "fine");
  Drain("t");
  EXPECT_EQ(Bodies("q"), (std::vector<std::string>{"fine"}));
  EXPECT_EQ(Bodies("q2"), (std::vector<std::string>{"fine"}));
  EXPECT_EQ(Bodies("dlq"), (std::vector<std::string>{"too many attributes for raw"}));
  SubscriptionInfo a, b;
  ASSERT_OK(topics_->GetSubscription(with_dlq, &a));
  ASSERT_OK(topics_->GetSubscription(without, &b));
  EXPECT_EQ(a.redriven, 1u);
  EXPECT_EQ(a.delivered, 1u);
  EXPECT_EQ(b.dropped, 1u);
  // A deleted queue: dropped (no redrive queue).
  ASSERT_OK(queues_->Delete("q2"));
  Publish("t", "into the void");
  Drain("t");
  ASSERT_OK(topics_->GetSubscription(without, &b));
  EXPECT_EQ(b.dropped, 2u);
}

TEST_F(FanoutTest, ReopenKeepsCursorsAndSubscriptions) {
  CreateTopic("t");
  CreateQueue("q");
  Subscribe("t", "q");
  for (int i = 0; i < 5; ++i) Publish("t", "m" + std::to_string(i));
  Drain("t");
  Reopen();
  Publish("t", "m5");
  Drain("t");
  Reopen();
  Drain("t");
  std::vector<std::string> want;
  for (int i = 0; i < 6; ++i) want.push_back("m" + std::to_string(i));
  EXPECT_EQ(Bodies("q"), want);
}

// The cursor file lost (both slots invalid): recovery starts from the oldest message and the
// queue's delivery tags keep every delivery from repeating.
TEST_F(FanoutTest, LostCursorIsRecoveredFromDeliveryTags) {
  CreateTopic("t");
  CreateQueue("q");
  CreateQueue("filtered");
  Subscribe("t", "q");
  Subscribe("t", "filtered", true, R"({"pick": ["yes"]})");
  for (int i = 0; i < 8; ++i) {
    Publish("t", "m" + std::to_string(i), {Attr("pick", i % 3 == 0 ? "yes" : "no")});
  }
  Drain("t");
  uint64_t log_id = 0;
  std::string dir;
  ASSERT_OK(store_->LogInfo("topic:t/messages", &log_id, &dir));
  Close();
  std::vector<std::string> files;
  ASSERT_OK(io::ListDir(dir, &files));
  int wiped = 0;
  for (const auto& f : files) {
    if (f.size() > 7 && f.substr(f.size() - 7) == ".cursor") {
      std::ofstream(dir + "/" + f, std::ios::trunc) << std::string(96, '\0');
      ++wiped;
    }
  }
  EXPECT_EQ(wiped, 2);
  Open();
  Publish("t", "m8", {Attr("pick", "yes")});
  Drain("t");
  EXPECT_EQ(Bodies("q").size(), 9u);
  EXPECT_EQ(Bodies("filtered"), (std::vector<std::string>{"m0", "m3", "m6", "m8"}));
}

// A kill between a delivery's append and its cursor write, made deterministic: the cursor
// files are put back to what they held before later deliveries. Recovery finds those
// deliveries by their tags in the queues: none is repeated, none is lost.
TEST_F(FanoutTest, StaleCursorDoesNotRepeatDeliveries) {
  CreateTopic("t");
  CreateQueue("q");
  CreateQueue("filtered");
  Subscribe("t", "q", false);
  Subscribe("t", "filtered", true, R"({"pick": ["yes"]})");
  auto publish = [&](int from, int to) {
    for (int i = from; i < to; ++i) {
      Publish("t", "m" + std::to_string(i), {Attr("pick", i % 3 == 0 ? "yes" : "no")});
    }
    Drain("t");
  };
  publish(0, 5);
  uint64_t log_id = 0;
  std::string dir;
  ASSERT_OK(store_->LogInfo("topic:t/messages", &log_id, &dir));
  Close();
  std::map<std::string, ByteBuffer> saved;
  std::vector<std::string> files;
  ASSERT_OK(io::ListDir(dir, &files));
  for (const auto& f : files) {
    if (f.size() > 7 && f.substr(f.size() - 7) == ".cursor") saved[f] = ReadWhole(dir + "/" + f);
  }
  ASSERT_EQ(saved.size(), 2u);
  Open();
  publish(5, 12);
  Close();
  for (const auto& [f, bytes] : saved) {
    ::unlink((dir + "/" + f).c_str());
    WriteAt(dir + "/" + f, 0, bytes);
  }
  Open();
  publish(12, 14);
  EXPECT_EQ(Bodies("q").size(), 14u);
  EXPECT_EQ(Bodies("filtered"),
            (std::vector<std::string>{"m0", "m3", "m6", "m9", "m12"}));
}

TEST_F(FanoutTest, LastDeliveryFindsTheNewestTag) {
  CreateQueue("q");
  SendEntry e[3];
  for (auto& x : e) x.body = View("b");
  const format::TopicOrigin o[3] = {{7, 10}, {8, 99}, {7, 12}};
  std::vector<SendResult> r;
  ASSERT_OK(queues_->Deliver("q", e, o, &r));
  SeqNo next;
  std::optional<SeqNo> seq;
  ASSERT_OK(queues_->LastDelivery("q", 7, SeqNo(0), &next, &seq));
  EXPECT_EQ(next.value(), 3u);
  ASSERT_TRUE(seq.has_value());
  EXPECT_EQ(seq->value(), 12u);
  ASSERT_OK(queues_->LastDelivery("q", 7, SeqNo(3), &next, &seq));
  EXPECT_FALSE(seq.has_value());
  ASSERT_OK(queues_->LastDelivery("q", 9, SeqNo(0), &next, &seq));
  EXPECT_FALSE(seq.has_value());
  EXPECT_EQ(queues_->LastDelivery("none", 7, SeqNo(0), &next, &seq).code(), StatusCode::kNotFound);
  EXPECT_EQ(queues_->Deliver("q", e, std::span(o, 2), &r).code(), StatusCode::kInvalidArgument);
}

TEST_F(FanoutTest, RetentionRemovesTakenSegments) {
  CreateTopic("t");
  CreateQueue("q");
  Subscribe("t", "q");
  const std::string body(4000, 'x');
  for (int i = 0; i < 100; ++i) Publish("t", body);
  Drain("t");
  TopicDescription before, after;
  ASSERT_OK(topics_->Describe("t", &before));
  ASSERT_OK(topics_->RunMaintenance());
  ASSERT_OK(topics_->Describe("t", &after));
  EXPECT_LT(after.messages, before.messages);
  EXPECT_LT(after.log_bytes, before.log_bytes);
  EXPECT_EQ(Bodies("q").size(), 100u);
}

}  // namespace
}  // namespace seglog::testing
