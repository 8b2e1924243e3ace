// `seglog inspect`, `verify` and `dump --topic` on topics (SPEC.md Part VII): settings,
// subscriptions, cursor files (both slots), backlogs; damaged and orphan cursor files; a topic
// message header that does not decode; queue messages a topic delivered (flag 0x40); and the
// tools beside a live writer. The store is laid out byte for byte as the topics room writes
// one (format/topic_format.h, format/topic_catalog_format.h), so that these tests pin the tools
// to the formats, not to one engine build.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/inspect/inspect.h"
#include "engine/repair/repair.h"
#include "engine/log/clock.h"
#include "engine/log/layout.h"
#include "engine/log/log.h"
#include "engine/log/store.h"
#include "engine/queues/message_identity.h"
#include "engine/queues/queue.h"
#include "engine/topics/topics.h"
#include "format/queue_catalog_format.h"
#include "format/segment_format.h"
#include "format/topic_catalog_format.h"
#include "format/topic_format.h"
#include "io/file_util.h"
#include "tests/support/engine_fixture.h"
#include "tests/support/test_util.h"

namespace seglog::testing {
namespace {

constexpr int64_t kT0 = 1'795'771'640'000;  // 2026-11-27T09:27:20Z
constexpr uint64_t kKeyA = 0x1111, kKeyB = 0x2222, kKeyC = 0x3333;
const char kIdA[] = "00000000-0000-4000-8000-00000000000a";
const char kIdB[] = "00000000-0000-4000-8000-00000000000b";
const char kIdC[] = "00000000-0000-4000-8000-00000000000c";
const char kPolicy[] = R"({"color": ["red", "blue"], "size": [{"numeric": [">", 3]}]})";

// Writes slot `s` into the cursor file at `path` (created when missing), as the engine does.
void WriteSlot(const std::string& path, const format::CursorSlot& s) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path;
  const std::string b = format::EncodeCursorSlot(s);
  ASSERT_EQ(::pwrite(fd, b.data(), b.size(), static_cast<off_t>(format::CursorSlotOffset(
                                                 s.generation))),
            static_cast<ssize_t>(b.size()));
  ::close(fd);
}

void WriteWhole(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0) << path;
  ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
  ::close(fd);
}

void FlipByte(const std::string& path, off_t at) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  ASSERT_GE(fd, 0) << path;
  char c = 0;
  ASSERT_EQ(::pread(fd, &c, 1, at), 1);
  c = static_cast<char>(c ^ 0x5a);
  ASSERT_EQ(::pwrite(fd, &c, 1, at), 1);
  ::close(fd);
}

class ToolsTopicTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.Set(kT0);
    StoreOptions so;
    so.clock = &clock_;
    ASSERT_OK(OpenEngine(dir_.path(), so, &store_, nullptr, &queues_));
  }
  void TearDown() override { CloseEngine(&store_, nullptr, &queues_); }

  static std::vector<format::SubscriptionEntry> Subs() {
    format::SubscriptionEntry a{kIdA, kKeyA, format::SubscriptionProtocolCode::kSqs, "q1",
                                true, format::FilterScopeCode::kMessageAttributes, "", "",
                                kT0};
    format::SubscriptionEntry b{kIdB, kKeyB, format::SubscriptionProtocolCode::kSqs, "q2",
                                false, format::FilterScopeCode::kMessageBody, kPolicy, "dlq",
                                kT0};
    format::SubscriptionEntry c{kIdC, kKeyC, format::SubscriptionProtocolCode::kCallback,
                                "never-registered", false,
                                format::FilterScopeCode::kMessageAttributes, "", "", kT0};
    return {a, b, c};
  }

  // Topic `name` with the subscriptions `subs` and `n` published messages (subject "s<i>" on
  // the even ones, attributes color=red and n=<i>); FIFO: group "g<i%2>", dedup "d<i>".
  void CreateTopic(const std::string& name, bool fifo,
                   const std::vector<format::SubscriptionEntry>& subs, int n) {
    namespace tp = format::topic_props;
    Store::LogSpec spec;
    spec.name = "topic:" + name + "/messages";
    spec.options.durability = Durability::kNone;
    spec.options.segment_size = 4096;
    spec.props = {{tp::kTopic, name},
                  {tp::kPart, tp::kPartMessages},
                  {tp::kType, fifo ? tp::kTypeFifo : tp::kTypeStandard},
                  {tp::kDisplayName, "The News"},
                  {tp::kContentDedup, "0"},
                  {tp::kSignatureVersion, "2"},
                  {tp::kRetention, "86400"},
                  {tp::kCreatedMs, std::to_string(kT0)},
                  {tp::kTags, format::EncodeQueueTags({{"env", "prod"}})}};
    if (!subs.empty()) {
      spec.props.emplace_back(tp::kSubscriptions, format::EncodeSubscriptionList(subs));
    }
    ASSERT_OK(store_->CreateLogGroup(std::span(&spec, 1)));
    Log* log = nullptr;
    ASSERT_OK(store_->OpenLog(spec.name, &log));
    ASSERT_OK(log->EnsureDirectory());
    for (int i = 0; i < n; ++i) Publish(log, fifo, i);
    ASSERT_OK(store_->LogInfo(spec.name, &topic_log_id_, &topic_dir_));
  }
  void Publish(Log* log, bool fifo, int i) {
    const std::string subject = "s" + std::to_string(i), num = std::to_string(i);
    const std::string dedup = "d" + num, group = fifo ? "g" + std::to_string(i % 2) : "";
    std::vector<format::MessageAttribute> attrs(2);
    attrs[0].name = "color";
    attrs[0].type = format::AttributeType::kString;
    attrs[0].value = View("red");
    attrs[1].name = "n";
    attrs[1].type = format::AttributeType::kNumber;
    attrs[1].value = View(num);
    format::TopicMessageHeader h;
    h.published_ms = kT0 + i;
    if (i % 2 == 0) h.subject = subject;
    if (fifo) h.dedup_id = dedup;
    h.attributes = attrs;
    ByteBuffer header;
    format::EncodeTopicMessageHeader(h, &header);
    const std::string body = "message " + num;
    Log::Record r{View(group), View(body), header};
    ASSERT_OK(log->Append(std::span(&r, 1)));
  }
  std::string CursorPath(uint64_t key) const {
    return topic_dir_ + "/" + format::CursorFileName(key);
  }
  // The cursors as a fan-out leaves them after 5 messages: A twice (slot 0 is current), B once,
  // C (never registered) at the start.
  void WriteCursors() {
    WriteSlot(CursorPath(kKeyA), {kKeyA, 1, 0, 0});
    WriteSlot(CursorPath(kKeyA), {kKeyA, 2, 5, 5});
    WriteSlot(CursorPath(kKeyB), {kKeyB, 1, 5, 2});
    WriteSlot(CursorPath(kKeyC), {kKeyC, 1, 0, 0});
  }
  // q1 (A's), q2 (B's), dlq; five deliveries into q1 tagged with (A, seq).
  void CreateQueues() {
    QueueConfig c;
    c.log.durability = Durability::kNone;
    for (const char* q : {"q1", "q2", "dlq"}) ASSERT_OK(queues_->Create(q, c));
  }
  void DeliverToQ1(int n) {
    Log* log = nullptr;
    ASSERT_OK(store_->OpenLog("queue:q1/messages", &log));
    for (int i = 0; i < n; ++i) {
      format::QueueMessageHeader h;
      h.sent_ms = kT0 + i;
      h.has_topic_origin = true;
      h.topic_origin = {kKeyA, static_cast<uint64_t>(i)};
      ByteBuffer header;
      format::EncodeQueueMessageHeader(h, &header);
      const std::string body = "message " + std::to_string(i);
      Log::Record r{ByteView(), View(body), header};
      ASSERT_OK(log->Append(std::span(&r, 1)));
    }
  }
  // The whole store of the brief: topic "news" (3 subscriptions, 5 messages), queues, cursors.
  void Build() {
    ASSERT_NO_FATAL_FAILURE(CreateQueues());
    ASSERT_NO_FATAL_FAILURE(CreateTopic("news", false, Subs(), 5));
    ASSERT_NO_FATAL_FAILURE(WriteCursors());
    ASSERT_NO_FATAL_FAILURE(DeliverToQ1(5));
    CloseEngine(&store_, nullptr, &queues_);
  }
  StoreReport Inspect() {
    StoreReport r;
    InspectOptions opt;
    opt.clock = &clock_;
    EXPECT_OK(InspectStore(dir_.path(), opt, &r));
    return r;
  }
  VerifyReport Verify() {
    VerifyReport v;
    EXPECT_OK(VerifyStore(dir_.path(), nullptr, &v));
    return v;
  }
  static const SubscriptionReport* Sub(const TopicReport& t, const std::string& id) {
    for (const SubscriptionReport& s : t.subscriptions) {
      if (s.entry.id == id) return &s;
    }
    return nullptr;
  }
  // Every problem, one a line (for failure messages).
  static std::string All(const VerifyReport& v) {
    std::string s;
    for (const Problem& p : v.problems) {
      s += std::string(SeverityName(p.severity)) + " " + p.ToString() + "\n";
    }
    return s;
  }
  static bool HasProblem(const VerifyReport& v, Severity sev, const std::string& path,
                         const std::string& text) {
    for (const Problem& p : v.problems) {
      if (p.severity == sev && p.path == path && p.message.find(text) != std::string::npos) {
        return true;
      }
    }
    return false;
  }

  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Queues> queues_;
  std::string topic_dir_;
  uint64_t topic_log_id_ = 0;
};

TEST_F(ToolsTopicTest, InspectShowsSettingsSubscriptionsCursorsAndBacklogs) {
  Build();
  const StoreReport r = Inspect();
  ASSERT_EQ(r.topics.size(), 1u);
  const TopicReport& t = r.topics[0];
  EXPECT_EQ(t.name, "news");
  EXPECT_TRUE(t.errors.empty()) << t.errors[0];
  EXPECT_TRUE(t.warnings.empty()) << t.warnings[0];
  ASSERT_TRUE(t.settings_valid);
  EXPECT_FALSE(t.settings.fifo);
  EXPECT_EQ(t.settings.display_name, "The News");
  EXPECT_EQ(t.settings.signature_version, 2u);
  EXPECT_EQ(t.settings.retention_s, 86400u);
  EXPECT_EQ(t.settings.created_ms, kT0);
  EXPECT_EQ(t.tags, (format::TagMap{{"env", "prod"}}));
  EXPECT_EQ(t.messages, 5u);
  EXPECT_EQ(t.next_seq, SeqNo(5));
  ASSERT_TRUE(t.log.has_value());
  EXPECT_EQ(r.logs[*t.log].topic, "news");
  ASSERT_EQ(t.subscriptions.size(), 3u);
  const SubscriptionReport* a = Sub(t, kIdA);
  const SubscriptionReport* b = Sub(t, kIdB);
  const SubscriptionReport* c = Sub(t, kIdC);
  ASSERT_TRUE(a && b && c);
  ASSERT_TRUE(a->cursor.cursor.has_value());
  EXPECT_EQ(a->cursor.cursor->next_seq, 5u);
  EXPECT_EQ(a->cursor.cursor->generation, 2u);
  EXPECT_EQ(a->cursor.current_slot, 0u);
  EXPECT_EQ(a->cursor.slots[1].state, CursorSlotReport::State::kValid);
  EXPECT_EQ(a->cursor.slots[1].slot.next_seq, 0u);
  EXPECT_EQ(a->backlog, 0u);
  EXPECT_TRUE(a->endpoint_exists);
  EXPECT_TRUE(a->entry.raw);
  EXPECT_EQ(b->entry.filter_policy, kPolicy);
  EXPECT_EQ(b->entry.redrive_queue, "dlq");
  EXPECT_TRUE(b->redrive_queue_exists);
  EXPECT_EQ(b->cursor.current_slot, 1u);
  EXPECT_EQ(b->cursor.slots[0].state, CursorSlotReport::State::kEmpty);
  EXPECT_EQ(b->backlog, 0u);
  // The callback was never registered: its cursor waits at the start, every message pending.
  EXPECT_EQ(c->entry.protocol, format::SubscriptionProtocolCode::kCallback);
  EXPECT_EQ(c->cursor.cursor->next_seq, 0u);
  EXPECT_EQ(c->backlog, t.messages);
}

TEST_F(ToolsTopicTest, InspectTellsAMissingTargetQueue) {
  ASSERT_NO_FATAL_FAILURE(CreateTopic("news", false, Subs(), 2));  // q1, q2, dlq never made
  ASSERT_NO_FATAL_FAILURE(WriteCursors());
  CloseEngine(&store_, nullptr, &queues_);
  const StoreReport r = Inspect();
  ASSERT_EQ(r.topics.size(), 1u);
  EXPECT_FALSE(Sub(r.topics[0], kIdA)->endpoint_exists);
  EXPECT_FALSE(Sub(r.topics[0], kIdB)->redrive_queue_exists);
  EXPECT_TRUE(Sub(r.topics[0], kIdC)->endpoint_exists);  // a callback has no queue
}

TEST_F(ToolsTopicTest, MessageIdsAreTheEnginesRule) {
  for (uint64_t log : {1u, 7u, 123456u}) {
    for (uint64_t seq : {0u, 1u, 99u}) {
      EXPECT_EQ(TopicMessageIdFor(log, seq), MessageIdFor(log, seq));
    }
  }
  EXPECT_EQ(TopicSequenceNumberFor(42), SequenceNumberFor(42));
}

TEST_F(ToolsTopicTest, DumpTopicPassesEachMessage) {
  Build();
  std::vector<std::string> ids, subjects, bodies;
  ASSERT_OK(DumpTopic(dir_.path(), "news", {}, [&](const TopicMessage& m) {
    EXPECT_TRUE(m.header_status.ok()) << m.header_status.ToString();
    ids.push_back(m.message_id);
    subjects.emplace_back(m.header.subject);
    bodies.emplace_back(reinterpret_cast<const char*>(m.record.value.data()),
                        m.record.value.size());
    EXPECT_EQ(m.header.attributes.size(), 2u);
  }));
  ASSERT_EQ(ids.size(), 5u);
  EXPECT_EQ(ids[3], MessageIdFor(topic_log_id_, 3));
  EXPECT_EQ(subjects[2], "s2");
  EXPECT_EQ(subjects[3], "");
  EXPECT_EQ(bodies[4], "message 4");
  DumpTopicOptions opt;
  opt.from = SeqNo(3);
  opt.limit = 1;
  int n = 0;
  ASSERT_OK(DumpTopic(dir_.path(), "news", opt, [&](const TopicMessage& m) {
    EXPECT_EQ(m.record.seq, SeqNo(3));
    ++n;
  }));
  EXPECT_EQ(n, 1);
  EXPECT_EQ(DumpTopic(dir_.path(), "nope", {}, [](const TopicMessage&) {}).code(),
            StatusCode::kNotFound);
}

TEST_F(ToolsTopicTest, VerifyPassesAndCountsTopics) {
  Build();
  const VerifyReport v = Verify();
  EXPECT_TRUE(v.ok()) << v.first_error()->ToString();
  EXPECT_EQ(v.count(Severity::kWarning), 0u) << v.problems[0].ToString();
  EXPECT_EQ(v.topics, 1u);
  EXPECT_EQ(v.topic_messages, 5u);
  EXPECT_EQ(v.cursor_files, 3u);
  EXPECT_EQ(v.topic_deliveries, 5u);
}

TEST_F(ToolsTopicTest, OneBadSlotIsAWarningAndTheOtherSlotIsTheCursor) {
  Build();
  FlipByte(CursorPath(kKeyA), 30);  // slot 0 (generation 2, next 5): its next_seq
  VerifyReport v = Verify();
  EXPECT_TRUE(v.ok()) << v.first_error()->ToString();
  EXPECT_TRUE(HasProblem(v, Severity::kWarning, CursorPath(kKeyA), "checksum mismatch"))
      << All(v);
  StoreReport r = Inspect();
  const SubscriptionReport* a = Sub(r.topics[0], kIdA);
  EXPECT_EQ(a->cursor.slots[0].state, CursorSlotReport::State::kInvalid);
  ASSERT_TRUE(a->cursor.cursor.has_value());
  EXPECT_EQ(a->cursor.current_slot, 1u);
  EXPECT_EQ(a->cursor.cursor->next_seq, 0u);  // the older slot
  // ... but q1 holds deliveries tagged with A's key through seq 4: a reopen resumes at 5.
  EXPECT_EQ(a->delivered_next, 5u);
  EXPECT_EQ(a->resume_seq, 5u);
  EXPECT_EQ(a->backlog, 0u);
  EXPECT_TRUE(r.topics[0].errors.empty());
  StoreReport fast;  // --no-scan reads no queue message: the cursor file alone
  InspectOptions no_scan;
  no_scan.scan_messages = false;
  ASSERT_OK(InspectStore(dir_.path(), no_scan, &fast));
  EXPECT_FALSE(Sub(fast.topics[0], kIdA)->delivered_next.has_value());
  EXPECT_EQ(Sub(fast.topics[0], kIdA)->backlog, 5u);

  FlipByte(CursorPath(kKeyA), 48 + 2);  // slot 1's magic: no valid slot left
  v = Verify();
  EXPECT_FALSE(v.ok());
  EXPECT_TRUE(HasProblem(v, Severity::kError, CursorPath(kKeyA), "no valid slot")) << All(v);
  r = Inspect();
  a = Sub(r.topics[0], kIdA);
  EXPECT_FALSE(a->cursor.cursor.has_value());
  EXPECT_EQ(a->delivered_next, 5u);  // the whole queue searched
  EXPECT_EQ(a->resume_seq, 5u);
  EXPECT_EQ(r.topics[0].errors.size(), 1u);
}

TEST_F(ToolsTopicTest, OrphanAndMissingCursorFiles) {
  Build();
  const std::string orphan = CursorPath(0xdead);
  WriteSlot(orphan, {0xdead, 1, 3, 0});
  VerifyReport v = Verify();
  EXPECT_TRUE(v.ok());
  EXPECT_TRUE(HasProblem(v, Severity::kWarning, orphan, "cursor file of no subscription"))
      << All(v);
  StoreReport r = Inspect();
  EXPECT_EQ(r.topics[0].orphan_cursors, std::vector<std::string>{orphan});
  EXPECT_TRUE(r.topics[0].errors.empty());

  ASSERT_EQ(::unlink(CursorPath(kKeyB).c_str()), 0);
  v = Verify();
  EXPECT_FALSE(v.ok());
  EXPECT_TRUE(HasProblem(v, Severity::kError, CursorPath(kKeyB), "no cursor file")) << All(v);
}

TEST_F(ToolsTopicTest, ACursorPastTheEndIsAWarning) {
  Build();
  WriteSlot(CursorPath(kKeyB), {kKeyB, 2, 9, 2});
  const VerifyReport v = Verify();
  EXPECT_TRUE(v.ok());
  EXPECT_TRUE(HasProblem(v, Severity::kWarning, CursorPath(kKeyB), "past the topic's next"))
      << All(v);
  const StoreReport r = Inspect();
  EXPECT_TRUE(Sub(r.topics[0], kIdB)->cursor_past_end);
  EXPECT_EQ(Sub(r.topics[0], kIdB)->backlog, 0u);
}

TEST_F(ToolsTopicTest, ABadTopicHeaderIsCorruption) {
  ASSERT_NO_FATAL_FAILURE(CreateQueues());
  ASSERT_NO_FATAL_FAILURE(CreateTopic("news", false, Subs(), 2));
  ASSERT_NO_FATAL_FAILURE(WriteCursors());
  Log* log = nullptr;
  ASSERT_OK(store_->OpenLog("topic:news/messages", &log));
  const uint8_t bad[] = {1, 0x80};  // an unknown flag
  Log::Record r{ByteView(), View("x"), ByteView(bad, sizeof bad)};
  ASSERT_OK(log->Append(std::span(&r, 1)));
  CloseEngine(&store_, nullptr, &queues_);
  const VerifyReport v = Verify();
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.first_error()->message.find("topic message 2: not supported by this build"),
            std::string::npos)
      << All(v);
  int n = 0;
  const Status s = DumpTopic(dir_.path(), "news", {}, [&](const TopicMessage&) { ++n; });
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(n, 3);  // still passed, marked
}

TEST_F(ToolsTopicTest, CliInspectVerifyDump) {
  const std::string cli = SEGLOG_CLI_PATH;
  if (cli.empty()) GTEST_SKIP() << "seglog CLI not built";
  Build();
  const std::string d = " '" + dir_.path() + "'";
  std::string out;
  ASSERT_EQ(RunCommand(cli + " inspect" + d, &out), 0) << out;
  EXPECT_NE(out.find("(3 queues, 1 topic)"), std::string::npos) << out;
  EXPECT_NE(out.find("topic \"news\" (standard)"), std::string::npos) << out;
  EXPECT_NE(out.find("messages   5 in the log"), std::string::npos) << out;
  EXPECT_NE(out.find(std::string("subscription ") + kIdC + "  callback -> \"never-registered\""),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("cursor    next seq 0 (slot 1, generation 1; slot 0: never written)"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("backlog   5\n"), std::string::npos) << out;
  EXPECT_NE(out.find("filter    MessageBody {\"color\": [\"red\", \"blue\"], \"size\""),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("subscriptions="), std::string::npos) << "shown decoded, not raw";
  ASSERT_EQ(RunCommand(cli + " inspect --json" + d, &out), 0) << out;
  const nlohmann::json j = nlohmann::json::parse(out);
  ASSERT_EQ(j["topics"].size(), 1u);
  const nlohmann::json& t = j["topics"][0];
  EXPECT_EQ(t["next_seq"], 5);
  EXPECT_EQ(t["settings"]["signature_version"], 2);
  for (const auto& s : t["subscriptions"]) {
    EXPECT_EQ(s["backlog"], s["id"] == kIdC ? 5 : 0) << s.dump();
    EXPECT_EQ(s["cursor"]["slots"].size(), 2u);
  }
  ASSERT_EQ(RunCommand(cli + " dump --topic news" + d, &out), 0) << out;
  EXPECT_NE(out.find("2  2026-11-27T09:27:20.000Z  id " + MessageIdFor(topic_log_id_, 2) +
                     "  subject \"s2\"  attrs 2 {color=String:\"red\", n=Number:\"2\"}  message "
                     "\"message 2\""),
            std::string::npos)
      << out;
  ASSERT_EQ(RunCommand(cli + " dump --json --topic news --from 1 --limit 2" + d, &out), 0) << out;
  const nlohmann::json dj = nlohmann::json::parse(out);
  ASSERT_EQ(dj["count"], 2);
  EXPECT_EQ(dj["messages"][0]["subject"], nullptr);
  EXPECT_EQ(dj["messages"][1]["subject"], "s2");
  EXPECT_EQ(dj["messages"][1]["message"]["data"], "message 2");
  int topic_logs = 0;
  for (const auto& l : j["logs"]) topic_logs += l["topic"] == "news" ? 1 : 0;
  EXPECT_EQ(topic_logs, 1);
  ASSERT_EQ(RunCommand(cli + " verify --json" + d, &out), 0) << out;
  const nlohmann::json vj = nlohmann::json::parse(out);
  EXPECT_EQ(vj["topics"], 1);
  EXPECT_EQ(vj["cursor_files"], 3);
  EXPECT_EQ(vj["topic_messages"], 5);
  EXPECT_EQ(vj["topic_deliveries"], 5);
  ASSERT_EQ(RunCommand(cli + " verify" + d, &out), 0) << out;
  EXPECT_NE(out.find("1 topic: 5 message headers, 3 cursor files, 5 deliveries in queues"),
            std::string::npos)
      << out;
  FlipByte(CursorPath(kKeyC), 48 + 20);
  EXPECT_EQ(RunCommand(cli + " verify" + d, &out), 1) << out;
  EXPECT_NE(out.find(CursorPath(kKeyC) + ": topic 'news' subscription " + kIdC +
                     ": no valid slot"),
            std::string::npos)
      << out;
  EXPECT_EQ(RunCommand(cli + " inspect" + d, &out), 1) << out;
}

TEST_F(ToolsTopicTest, FifoTopicDump) {
  ASSERT_NO_FATAL_FAILURE(CreateTopic("jobs.fifo", true, {}, 3));
  CloseEngine(&store_, nullptr, &queues_);
  ASSERT_OK(DumpTopic(dir_.path(), "jobs.fifo", {}, [&](const TopicMessage& m) {
    EXPECT_TRUE(m.fifo);
    EXPECT_EQ(m.header.dedup_id, "d" + std::to_string(m.record.seq.value()));
  }));
  const StoreReport r = Inspect();
  ASSERT_EQ(r.topics.size(), 1u);
  EXPECT_TRUE(r.topics[0].settings.fifo);
  EXPECT_TRUE(r.topics[0].subscriptions.empty());
  EXPECT_TRUE(Verify().ok());
  const std::string cli = SEGLOG_CLI_PATH;
  if (cli.empty()) GTEST_SKIP() << "seglog CLI not built";
  std::string out;
  ASSERT_EQ(RunCommand(cli + " dump --topic jobs.fifo '" + dir_.path() + "'", &out), 0) << out;
  EXPECT_NE(out.find("  seqno 00000000000000000001  group \"g1\"  dedup \"d1\"  attrs 2"),
            std::string::npos)
      << out;
  ASSERT_EQ(RunCommand(cli + " inspect '" + dir_.path() + "'", &out), 0) << out;
  EXPECT_NE(out.find("topic \"jobs.fifo\" (fifo)"), std::string::npos) << out;
  EXPECT_NE(out.find("content_based_dedup=0"), std::string::npos) << out;
}


TEST_F(ToolsTopicTest, GarbageInTopicFilesIsReportedNeverFatal) {
  Build();
  // Cursor files of every odd length and content; a subscription list and settings that do not
  // parse: each is an error of the report, and the tools go on.
  for (size_t len : {size_t{0}, size_t{1}, size_t{47}, size_t{48}, size_t{95}, size_t{96},
                     size_t{97}, size_t{4096}}) {
    std::string junk(len, '\0');
    for (size_t i = 0; i < len; ++i) junk[i] = static_cast<char>((i * 131 + len) & 0xff);
    ASSERT_NO_FATAL_FAILURE(WriteWhole(CursorPath(kKeyB), junk));
    const VerifyReport v = Verify();
    EXPECT_FALSE(v.ok()) << len;
    EXPECT_TRUE(HasProblem(v, Severity::kError, CursorPath(kKeyB), "no valid slot")) << len;
    const StoreReport r = Inspect();
    const SubscriptionReport* b = Sub(r.topics[0], kIdB);
    EXPECT_FALSE(b->cursor.cursor.has_value()) << len;
    EXPECT_FALSE(b->delivered_next.has_value()) << len;  // nothing in q2 for B
    EXPECT_EQ(b->backlog, 5u) << len;  // a reopen starts over at the oldest message
  }
  std::unique_ptr<Store> store;
  StoreOptions so;
  so.clock = &clock_;
  ASSERT_OK(Store::Open(dir_.path(), so, &store));
  const std::vector<std::string> name{"topic:news/messages"};
  ASSERT_OK(store->SetLogProps(name, format::topic_props::kSubscriptions, "1;broken"));
  ASSERT_OK(store->SetLogProps(name, format::topic_props::kType, "weird"));
  ASSERT_OK(store->Close());
  store.reset();
  const VerifyReport v = Verify();
  EXPECT_TRUE(HasProblem(v, Severity::kError, CatalogPath(dir_.path()),
                         "topic 'news': malformed subscription list"));
  EXPECT_TRUE(HasProblem(v, Severity::kError, CatalogPath(dir_.path()),
                         "topic setting type is 'weird'"));
  const StoreReport r = Inspect();
  EXPECT_FALSE(r.topics[0].settings_valid);
  EXPECT_EQ(r.topics[0].errors.size(), 2u);
  // Every cursor file is now of no subscription: warnings, never removed.
  EXPECT_EQ(r.topics[0].orphan_cursors.size(), 3u);
  EXPECT_TRUE(io::PathExists(CursorPath(kKeyA)));
  EXPECT_EQ(DumpTopic(dir_.path(), "news", {}, [](const TopicMessage&) {}).code(),
            StatusCode::kCorruption);
}

TEST_F(ToolsTopicTest, ADamagedTopicSegmentIsVerifiedAndRepairedAsAnyLog) {
  Build();
  const std::string seg = topic_dir_ + "/" + SegmentFileName(SeqNo(0));
  FlipByte(seg, static_cast<off_t>(format::kSegmentHeaderSize + 20));  // the first batch
  VerifyReport v = Verify();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.first_error()->path, seg) << v.first_error()->ToString();
  RepairReport rr;
  ASSERT_OK(RepairStore(dir_.path(), {}, &rr));
  EXPECT_GT(rr.lost_count(), 0u);
  v = Verify();
  EXPECT_TRUE(v.ok()) << v.first_error()->ToString();
  // The cursor files are left as they were (the engine clamps a cursor on open).
  EXPECT_TRUE(io::PathExists(CursorPath(kKeyA)));
}

// ---- a store the topics room wrote ----

class ToolsTopicEngineTest : public ToolsTopicTest {
 protected:
  void TearDown() override {
    topics_.reset();
    ToolsTopicTest::TearDown();
  }
  void OpenTopics() {
    TopicsOptions opt;
    opt.maintenance_interval_ms = 0;
    topics_ = std::make_unique<Topics>(store_.get(), queues_.get(), opt);
  }
  void CloseAll() {
    topics_.reset();  // writes the cursors
    CloseEngine(&store_, nullptr, &queues_);
  }
  std::string Subscribe(SubscriptionProtocol p, const std::string& endpoint,
                        const std::string& policy = "") {
    SubscriptionConfig c;
    c.protocol = p;
    c.endpoint = endpoint;
    c.filter_policy = policy;
    std::string id;
    EXPECT_OK(topics_->Subscribe("news", c, &id));
    return id;
  }
  PublishResult Publish(int i) {
    const std::string body = "message " + std::to_string(i);
    format::MessageAttribute a;
    a.name = "color";
    a.type = format::AttributeType::kString;
    a.value = View(i % 2 == 0 ? "red" : "blue");
    PublishEntry e;
    e.message = body;
    e.subject = "subject";
    e.attributes = std::span(&a, 1);
    PublishResult r;
    EXPECT_OK(topics_->Publish("news", e, &r));
    return r;
  }
  // Bounded: until the queue subscriptions took `n` messages (the callback one never will).
  void WaitTaken(const std::vector<std::string>& ids, uint64_t n) {
    for (int round = 0; round < 2000; ++round) {
      bool all = true;
      for (const std::string& id : ids) {
        SubscriptionInfo info;
        ASSERT_OK(topics_->GetSubscription(id, &info));
        all = all && info.cursor.value() >= n;
      }
      if (all) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    FAIL() << "the fan-out did not take " << n << " messages";
  }
  std::unique_ptr<Topics> topics_;
};

TEST_F(ToolsTopicEngineTest, ToolsReadWhatTheTopicsRoomWrote) {
  ASSERT_NO_FATAL_FAILURE(CreateQueues());
  OpenTopics();
  TopicConfig tc;
  tc.log.durability = Durability::kNone;
  ASSERT_OK(topics_->Create("news", tc));
  const std::string a = Subscribe(SubscriptionProtocol::kSqs, "q1");
  const std::string b = Subscribe(SubscriptionProtocol::kSqs, "q2", R"({"color": ["blue"]})");
  const std::string c = Subscribe(SubscriptionProtocol::kCallback, "never-registered");
  std::vector<std::string> message_ids;
  for (int i = 0; i < 5; ++i) message_ids.push_back(Publish(i).message_id);
  ASSERT_NO_FATAL_FAILURE(WaitTaken({a, b}, 5));
  CloseAll();

  const StoreReport r = Inspect();
  ASSERT_EQ(r.topics.size(), 1u);
  const TopicReport& t = r.topics[0];
  EXPECT_TRUE(t.errors.empty()) << t.errors[0];
  EXPECT_TRUE(t.warnings.empty()) << t.warnings[0];
  EXPECT_EQ(t.messages, 5u);
  ASSERT_EQ(t.subscriptions.size(), 3u);
  EXPECT_EQ(Sub(t, a)->backlog, 0u);
  EXPECT_EQ(Sub(t, b)->backlog, 0u);
  EXPECT_EQ(Sub(t, b)->entry.filter_policy, R"({"color": ["blue"]})");
  EXPECT_EQ(Sub(t, c)->backlog, 5u);  // never registered: its cursor waits
  // The cursors were written at close: no delivery after their queue ids, nothing to raise.
  for (const SubscriptionReport& s : t.subscriptions) {
    EXPECT_FALSE(s.delivered_next.has_value()) << s.entry.id;
  }
  EXPECT_EQ(Sub(t, a)->resume_seq, 5u);
  EXPECT_EQ(Sub(t, c)->cursor.cursor->next_seq, 0u);

  const VerifyReport v = Verify();
  EXPECT_TRUE(v.ok()) << v.first_error()->ToString();
  EXPECT_EQ(v.count(Severity::kWarning), 0u) << v.problems[0].ToString();
  EXPECT_EQ(v.cursor_files, 3u);
  EXPECT_EQ(v.topic_messages, 5u);
  EXPECT_EQ(v.topic_deliveries, 5u + 2u);  // all to q1, the two blue ones to q2

  std::vector<std::string> dumped;
  ASSERT_OK(DumpTopic(dir_.path(), "news", {}, [&](const TopicMessage& m) {
    dumped.push_back(m.message_id);
    EXPECT_EQ(m.header.subject, "subject");
  }));
  EXPECT_EQ(dumped, message_ids);
}

TEST_F(ToolsTopicEngineTest, RetentionPastAWaitingCallbackShowsWhatItMissed) {
  OpenTopics();
  TopicConfig tc;
  tc.log.durability = Durability::kNone;
  tc.log.segment_size = 4096;
  tc.retention_s = 60;
  ASSERT_OK(topics_->Create("news", tc));
  const std::string c = Subscribe(SubscriptionProtocol::kCallback, "never-registered");
  for (int i = 0; i < 200; ++i) Publish(i);  // several sealed segments
  clock_.Advance(120'000);
  Publish(200);  // a new message, within retention
  ASSERT_OK(topics_->RunMaintenance());
  CloseAll();
  const StoreReport r = Inspect();
  ASSERT_EQ(r.topics.size(), 1u);
  const TopicReport& t = r.topics[0];
  EXPECT_TRUE(t.errors.empty()) << t.errors[0];
  ASSERT_GT(t.first_seq.value(), 0u) << "retention removed nothing";
  const SubscriptionReport* s = Sub(t, c);
  // The waiting cursor stays where it was (or, should the engine move it on, at the oldest
  // retained message): what lies between is what retention took from it.
  ASSERT_TRUE(s->cursor.cursor.has_value());
  const uint64_t at = s->cursor.cursor->next_seq, first = t.first_seq.value();
  EXPECT_EQ(s->behind_retention, at < first ? first - at : 0);
  EXPECT_EQ(s->resume_seq, std::max(at, first));
  EXPECT_EQ(s->backlog, 201u - s->resume_seq);
  EXPECT_GT(s->backlog, 0u);
  EXPECT_TRUE(Verify().ok());
}

TEST_F(ToolsTopicEngineTest, InspectAndVerifyBesideALiveTopic) {
  ASSERT_NO_FATAL_FAILURE(CreateQueues());
  OpenTopics();
  TopicConfig tc;
  tc.log.durability = Durability::kNone;
  tc.log.segment_size = 4096;  // segments roll while the tools read
  ASSERT_OK(topics_->Create("news", tc));
  Subscribe(SubscriptionProtocol::kSqs, "q1");
  Subscribe(SubscriptionProtocol::kSqs, "q2", R"({"color": ["blue"]})");
  Subscribe(SubscriptionProtocol::kCallback, "never-registered");
  std::atomic<bool> stop{false};
  std::atomic<int> published{0};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      Publish(i);
      published.store(i + 1);
    }
  });
  struct Joiner {
    std::atomic<bool>* stop;
    std::thread* t;
    ~Joiner() {
      stop->store(true);
      if (t->joinable()) t->join();
    }
  } joiner{&stop, &writer};
  for (int round = 0; round < 20 || published.load() < 200; ++round) {
    const VerifyReport v = Verify();
    EXPECT_TRUE(v.ok()) << v.first_error()->ToString();
    for (const Problem& p : v.problems) {
      // A slot read while it is being written may look torn (a warning); nothing else.
      if (p.severity == Severity::kWarning) {
        EXPECT_NE(p.message.find("a torn write or damage"), std::string::npos) << p.ToString();
      }
    }
    const StoreReport r = Inspect();
    ASSERT_EQ(r.topics.size(), 1u);  // the Joiner stops the writer
    EXPECT_TRUE(r.topics[0].errors.empty()) << r.topics[0].errors[0];
    for (const SubscriptionReport& s : r.topics[0].subscriptions) {
      EXPECT_FALSE(s.cursor_past_end) << s.entry.id;
    }
    if (round > 10000) break;
  }
  stop.store(true);
  writer.join();
  EXPECT_GE(published.load(), 200);
  CloseAll();
}

}  // namespace
}  // namespace seglog::testing
