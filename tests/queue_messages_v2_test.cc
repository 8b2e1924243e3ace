// The 0.2.0 message shapes through the C API (include/seglog.h, "Queue messages, 0.2.0"):
// MessageId, SequenceNumber and the MD5 digests (checked against digests computed here with
// OpenSSL over SQS's documented encoding), custom type labels, SenderId and AWSTraceHeader
// (kept across a reopen), the first receive time, and SendMessageBatch's per-entry outcomes.
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

// The C header names the store handle `seglog`, which would collide with namespace seglog.
#define seglog seglog_handle
#include "seglog.h"
#undef seglog

#include "tests/support/test_util.h"

namespace seglog {
namespace {

std::string Md5Hex(const std::string& bytes) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(bytes.data(), bytes.size(), d, &n, EVP_md5(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += hex[d[i] >> 4];
    out += hex[d[i] & 15];
  }
  return out;
}

// SQS's encoding of one attribute for MD5OfMessageAttributes: big-endian 4-byte lengths
// before the name, the DataType and the value, and a transport byte (1 String/Number,
// 2 Binary) before the value.
std::string Encoded(const std::string& name, const std::string& type, const std::string& value) {
  auto len = [](const std::string& s) {
    const uint32_t n = static_cast<uint32_t>(s.size());
    return std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 8), static_cast<char>(n)} + s;
  };
  const char transport = type.rfind("Binary", 0) == 0 ? 2 : 1;
  return len(name) + len(type) + std::string(1, transport) + len(value);
}

class QueueMessagesV2 : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void TearDown() override { seglog_close(db_); }
  void Open() {
    seglog_options o;
    seglog_options_init(&o);
    o.durability = SEGLOG_DURABILITY_NONE;
    ASSERT_EQ(seglog_open(dir_.path().c_str(), &o, &db_), SEGLOG_OK) << seglog_last_error();
  }
  void Reopen() {
    seglog_close(db_);
    db_ = nullptr;
    Open();
  }
  void Create(const char* name, int type = SEGLOG_QUEUE_STANDARD) {
    seglog_queue_config c;
    seglog_queue_config_init(&c);
    c.type = type;
    ASSERT_EQ(seglog_queue_create(db_, name, &c), SEGLOG_OK) << seglog_last_error();
  }
  seglog_queue_send_result_v2 Send(const char* q, const seglog_queue_send_entry_v2& e) {
    seglog_queue_send_result_v2 r{};
    EXPECT_EQ(seglog_queue_send_v2(db_, q, &e, &r), SEGLOG_OK) << seglog_last_error();
    return r;
  }
  seglog_queue_send_result_v2 SendText(const char* q, const std::string& body,
                                       const char* group = nullptr, const char* dedup = nullptr) {
    seglog_queue_send_entry_v2 e;
    seglog_queue_send_entry_v2_init(&e, body.data(), body.size());
    e.group_id = group;
    e.dedup_id = dedup;
    return Send(q, e);
  }
  // Receives up to n messages with visibility `vt`; the caller frees *batch.
  std::vector<const seglog_queue_message_v2*> Receive(const char* q, seglog_queue_messages** b,
                                                      uint32_t n = 10, int32_t vt = 0,
                                                      int checksums = 1) {
    seglog_queue_receive_options o;
    seglog_queue_receive_options_init(&o);
    o.checksums = checksums;
    o.max_messages = n;
    o.visibility_timeout_s = vt;
    o.wait_s = 0;
    EXPECT_EQ(seglog_queue_receive(db_, q, &o, b), SEGLOG_OK) << seglog_last_error();
    std::vector<const seglog_queue_message_v2*> out;
    for (size_t i = 0; i < seglog_queue_messages_count(*b); ++i) {
      out.push_back(seglog_queue_messages_get_v2(*b, i));
    }
    return out;
  }
  uint64_t Visible(const char* q) {
    seglog_queue_statistics st;
    seglog_queue_stats_init(&st);
    EXPECT_EQ(seglog_queue_stats(db_, q, &st), SEGLOG_OK);
    return st.visible + st.in_flight;
  }

  testing::TempDir dir_;
  seglog_handle* db_ = nullptr;
};

TEST_F(QueueMessagesV2, MessageIdStableAcrossReceivesAndUniqueAcrossQueues) {
  Create("a");
  Create("b");
  const seglog_queue_send_result_v2 ra = SendText("a", "hello");
  const seglog_queue_send_result_v2 rb = SendText("b", "hello");
  EXPECT_EQ(ra.id, rb.id);  // both the first message of their queue...
  EXPECT_EQ(std::strlen(ra.message_id), 36u);
  EXPECT_STRNE(ra.message_id, rb.message_id);  // ...but not the same MessageId
  EXPECT_STREQ(ra.sequence_number, "");        // standard queue
  for (int round = 0; round < 2; ++round) {
    seglog_queue_messages* b = nullptr;
    auto ms = Receive("a", &b);
    ASSERT_EQ(ms.size(), 1u);
    EXPECT_STREQ(ms[0]->message_id, ra.message_id);
    EXPECT_EQ(ms[0]->receive_count, static_cast<uint32_t>(round + 1));
    // The v1 view is the same message.
    EXPECT_EQ(seglog_queue_messages_get(b, 0)->id, ms[0]->id);
    EXPECT_STREQ(seglog_queue_messages_get(b, 0)->receipt, ms[0]->receipt);
    seglog_queue_messages_free(b);
  }
  // A queue created again under the same name is a new incarnation: a new MessageId.
  ASSERT_EQ(seglog_queue_delete(db_, "a"), SEGLOG_OK);
  Create("a");
  const seglog_queue_send_result_v2 again = SendText("a", "hello");
  EXPECT_EQ(again.id, ra.id);
  EXPECT_STRNE(again.message_id, ra.message_id);
}

TEST_F(QueueMessagesV2, FifoDuplicateReportsTheOriginalAndSequenceNumbersGrow) {
  Create("f.fifo", SEGLOG_QUEUE_FIFO);
  const auto r1 = SendText("f.fifo", "one", "g", "d1");
  const auto r2 = SendText("f.fifo", "two", "g", "d2");
  ASSERT_EQ(std::strlen(r1.sequence_number), 20u);
  EXPECT_LT(std::string(r1.sequence_number), std::string(r2.sequence_number));
  const auto dup = SendText("f.fifo", "one again", "g", "d1");
  EXPECT_EQ(dup.duplicate, 1);
  EXPECT_EQ(dup.id, r1.id);
  EXPECT_STREQ(dup.message_id, r1.message_id);
  EXPECT_STREQ(dup.sequence_number, r1.sequence_number);
  EXPECT_STREQ(dup.md5_of_body, Md5Hex("one again").c_str());  // what this call sent
  seglog_queue_messages* b = nullptr;
  auto ms = Receive("f.fifo", &b);
  ASSERT_EQ(ms.size(), 2u);
  EXPECT_STREQ(ms[0]->sequence_number, r1.sequence_number);
  EXPECT_STREQ(ms[1]->sequence_number, r2.sequence_number);
  EXPECT_STREQ(ms[1]->message_id, r2.message_id);
  seglog_queue_messages_free(b);
}

TEST_F(QueueMessagesV2, DigestsEqualIndependentlyComputedOnes) {
  Create("q");
  const std::string body = "the body";
  const std::string bin("\x00\x01\xff", 3);
  seglog_queue_attr_v2 attrs[3] = {
      {"zeta", "String.json", "{}", 2},
      {"alpha", "Number", "42", 2},
      {"mid", "Binary.raw", bin.data(), bin.size()},
  };
  seglog_queue_send_entry_v2 e;
  seglog_queue_send_entry_v2_init(&e, body.data(), body.size());
  e.attrs = attrs;
  e.n_attrs = 3;
  const std::string trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1";
  e.trace_header = trace.c_str();
  const auto r = Send("q", e);
  const std::string want_attrs = Md5Hex(Encoded("alpha", "Number", "42") +
                                        Encoded("mid", "Binary.raw", bin) +
                                        Encoded("zeta", "String.json", "{}"));
  const std::string want_system = Md5Hex(Encoded("AWSTraceHeader", "String", trace));
  EXPECT_STREQ(r.md5_of_body, Md5Hex(body).c_str());
  EXPECT_STREQ(r.md5_of_attributes, want_attrs.c_str());
  EXPECT_STREQ(r.md5_of_system_attributes, want_system.c_str());
  seglog_queue_messages* b = nullptr;
  auto ms = Receive("q", &b);
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_STREQ(ms[0]->md5_of_body, r.md5_of_body);
  EXPECT_STREQ(ms[0]->md5_of_attributes, want_attrs.c_str());
  EXPECT_STREQ(ms[0]->md5_of_system_attributes, want_system.c_str());
  seglog_queue_messages_free(b);
  // Without checksums = 1 a receive leaves the digests out (and keeps the ids).
  ASSERT_EQ(SendText("q", body).id, r.id + 1);
  auto lean = Receive("q", &b, 10, 0, 0);
  ASSERT_EQ(lean.size(), 2u);
  for (const seglog_queue_message_v2* m : lean) {
    EXPECT_STREQ(m->md5_of_body, "");
    EXPECT_STREQ(m->md5_of_attributes, "");
    EXPECT_STREQ(m->md5_of_system_attributes, "");
    EXPECT_EQ(std::strlen(m->message_id), 36u);
  }
  seglog_queue_messages_free(b);
  // Without attributes or trace header SQS omits those digests: "".
  const auto plain = SendText("q", body);
  EXPECT_STREQ(plain.md5_of_body, Md5Hex(body).c_str());
  EXPECT_STREQ(plain.md5_of_attributes, "");
  EXPECT_STREQ(plain.md5_of_system_attributes, "");
}

TEST_F(QueueMessagesV2, LabelsSenderAndTraceHeaderRoundTripAndSurviveReopen) {
  Create("q");
  const std::string body = "m";
  seglog_queue_attr_v2 attrs[2] = {{"n", "Number.int64", "7", 1}, {"s", "String", "x", 1}};
  seglog_queue_send_entry_v2 e;
  seglog_queue_send_entry_v2_init(&e, body.data(), body.size());
  e.attrs = attrs;
  e.n_attrs = 2;
  e.trace_header = "Root=1-abc";
  e.sender_id = "AIDAEXAMPLE";
  const auto r = Send("q", e);
  SendText("q", "plain");
  for (int pass = 0; pass < 2; ++pass) {
    seglog_queue_messages* b = nullptr;
    auto ms = Receive("q", &b);
    ASSERT_EQ(ms.size(), 2u) << pass;
    EXPECT_STREQ(ms[0]->message_id, r.message_id);
    ASSERT_EQ(ms[0]->n_attrs, 2u);
    EXPECT_STREQ(ms[0]->attrs[0].data_type, "Number.int64");
    EXPECT_STREQ(ms[0]->attrs[1].data_type, "String");
    EXPECT_STREQ(ms[0]->sender_id, "AIDAEXAMPLE");
    EXPECT_STREQ(ms[0]->trace_header, "Root=1-abc");
    EXPECT_STREQ(ms[1]->sender_id, "000000000000");  // the default
    EXPECT_STREQ(ms[1]->trace_header, "");
    EXPECT_GE(ms[0]->first_receive_ms, ms[0]->sent_ms);
    // The v1 view has the type without its label.
    const seglog_queue_message* v1 = seglog_queue_messages_get(b, 0);
    EXPECT_EQ(v1->attrs[0].type, SEGLOG_ATTR_NUMBER);
    EXPECT_EQ(std::string(static_cast<const char*>(v1->attrs[0].value), 1), "7");
    seglog_queue_messages_free(b);
    if (pass == 0) Reopen();
  }
}

TEST_F(QueueMessagesV2, FirstReceiveTimeStaysWhileTheQueueIsOpen) {
  Create("q");
  SendText("q", "m");
  seglog_queue_messages* b1 = nullptr;
  seglog_queue_messages* b2 = nullptr;
  auto first = Receive("q", &b1);
  auto second = Receive("q", &b2);
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_GT(first[0]->first_receive_ms, 0);
  EXPECT_EQ(second[0]->first_receive_ms, first[0]->first_receive_ms);
  EXPECT_EQ(second[0]->receive_count, 2u);
  seglog_queue_messages_free(b1);
  seglog_queue_messages_free(b2);
}

TEST_F(QueueMessagesV2, BatchWithOneBadEntrySendsTheOthers) {
  Create("q");
  std::vector<std::string> bodies, id_text;
  for (int i = 0; i < 10; ++i) {
    bodies.push_back("body" + std::to_string(i));
    id_text.push_back("e" + std::to_string(i));
  }
  const char* ids[10];
  seglog_queue_send_entry_v2 es[10];
  for (int i = 0; i < 10; ++i) {
    ids[i] = id_text[i].c_str();
    seglog_queue_send_entry_v2_init(&es[i], bodies[i].data(), bodies[i].size());
  }
  seglog_queue_attr_v2 bad = {"AWS.reserved", "String", "x", 1};
  es[4].attrs = &bad;
  es[4].n_attrs = 1;
  seglog_queue_send_result_v2 rs[10];
  seglog_batch_entry_result os[10];
  ASSERT_EQ(seglog_queue_send_batch_v2(db_, "q", ids, es, 10, rs, os), SEGLOG_OK)
      << seglog_last_error();
  for (int i = 0; i < 10; ++i) {
    if (i == 4) {
      EXPECT_EQ(os[i].code, SEGLOG_EINVAL);
      EXPECT_EQ(os[i].sender_fault, 1);
      EXPECT_STREQ(os[i].error_code, "InvalidParameterValue");
      EXPECT_NE(std::string(os[i].message).find("AWS.reserved"), std::string::npos);
      continue;
    }
    EXPECT_EQ(os[i].code, SEGLOG_OK) << i;
    EXPECT_STREQ(os[i].error_code, "") << i;
    EXPECT_STREQ(rs[i].md5_of_body, Md5Hex(bodies[i]).c_str()) << i;
  }
  EXPECT_EQ(Visible("q"), 9u);
  seglog_queue_messages* b = nullptr;
  auto ms = Receive("q", &b);
  ASSERT_EQ(ms.size(), 9u);
  for (size_t k = 0, i = 0; k < ms.size(); ++k, ++i) {
    if (i == 4) ++i;  // written in entry order, without the bad one
    EXPECT_EQ(std::string(static_cast<const char*>(ms[k]->body), ms[k]->body_len), bodies[i]);
    EXPECT_STREQ(ms[k]->message_id, rs[i].message_id);
  }
  seglog_queue_messages_free(b);
}

TEST_F(QueueMessagesV2, FifoBatchEntryWithoutGroupIsMissingParameter) {
  Create("f.fifo", SEGLOG_QUEUE_FIFO);
  const char* ids[2] = {"a", "b"};
  seglog_queue_send_entry_v2 es[2];
  seglog_queue_send_entry_v2_init(&es[0], "x", 1);
  es[0].group_id = "g";
  es[0].dedup_id = "d";
  seglog_queue_send_entry_v2_init(&es[1], "y", 1);
  es[1].dedup_id = "e";
  seglog_queue_send_result_v2 rs[2];
  seglog_batch_entry_result os[2];
  ASSERT_EQ(seglog_queue_send_batch_v2(db_, "f.fifo", ids, es, 2, rs, os), SEGLOG_OK);
  EXPECT_EQ(os[0].code, SEGLOG_OK);
  EXPECT_EQ(std::strlen(rs[0].sequence_number), 20u);
  EXPECT_EQ(os[1].code, SEGLOG_EINVAL);
  EXPECT_STREQ(os[1].error_code, "MissingParameter");
}

TEST_F(QueueMessagesV2, BatchLevelFailuresWriteNothingAndLeaveOutputs) {
  Create("q");
  const char* ids[2] = {"same", "same"};
  seglog_queue_send_entry_v2 es[2];
  seglog_queue_send_entry_v2_init(&es[0], "x", 1);
  seglog_queue_send_entry_v2_init(&es[1], "y", 1);
  seglog_queue_send_result_v2 rs[2];
  seglog_batch_entry_result os[2];
  std::memset(rs, 0x5a, sizeof rs);
  std::memset(os, 0x5a, sizeof os);
  EXPECT_EQ(seglog_queue_send_batch_v2(db_, "q", ids, es, 2, rs, os), SEGLOG_EINVAL);
  EXPECT_NE(std::string(seglog_last_error()).find("BatchEntryIdsNotDistinct"), std::string::npos);
  const char* bad_ids[2] = {"ok", "not ok!"};
  EXPECT_EQ(seglog_queue_send_batch_v2(db_, "q", bad_ids, es, 2, rs, os), SEGLOG_EINVAL);
  EXPECT_NE(std::string(seglog_last_error()).find("InvalidBatchEntryId"), std::string::npos);
  EXPECT_EQ(seglog_queue_send_batch_v2(db_, "q", ids, es, 0, rs, os), SEGLOG_EINVAL);
  // Two entries of 600 KiB: each fits the queue, together they pass 1 MiB.
  const std::string big(600 * 1024, 'b');
  const char* two[2] = {"a", "b"};
  seglog_queue_send_entry_v2_init(&es[0], big.data(), big.size());
  seglog_queue_send_entry_v2_init(&es[1], big.data(), big.size());
  EXPECT_EQ(seglog_queue_send_batch_v2(db_, "q", two, es, 2, rs, os), SEGLOG_ETOOLARGE);
  EXPECT_NE(std::string(seglog_last_error()).find("BatchRequestTooLong"), std::string::npos);
  // An unreadable DataType fails the whole call.
  seglog_queue_attr_v2 a = {"n", "Strin", "x", 1};
  seglog_queue_send_entry_v2_init(&es[0], "x", 1);
  seglog_queue_send_entry_v2_init(&es[1], "y", 1);
  es[1].attrs = &a;
  es[1].n_attrs = 1;
  EXPECT_EQ(seglog_queue_send_batch_v2(db_, "q", two, es, 2, rs, os), SEGLOG_EINVAL);
  EXPECT_EQ(Visible("q"), 0u);
  const unsigned char* p = reinterpret_cast<const unsigned char*>(rs);
  EXPECT_TRUE(std::all_of(p, p + sizeof rs, [](unsigned char c) { return c == 0x5a; }));
  p = reinterpret_cast<const unsigned char*>(os);
  EXPECT_TRUE(std::all_of(p, p + sizeof os, [](unsigned char c) { return c == 0x5a; }));
}

TEST_F(QueueMessagesV2, BadShapesAreRefusedAndChangeNothing) {
  Create("q");
  struct Case {
    const char* data_type;
    const char* trace;
    const char* sender;
  };
  const std::string long_label = "String." + std::string(250, 'l');  // 257 characters
  const Case cases[] = {
      {"Strin", nullptr, nullptr},        {"String.", nullptr, nullptr},
      {"string", nullptr, nullptr},       {"Binary.\x01", nullptr, nullptr},
      {long_label.c_str(), nullptr, nullptr}, {"String", "bad\ttrace", nullptr},
      {"String", nullptr, "has space"},
  };
  for (const Case& c : cases) {
    seglog_queue_attr_v2 a = {"n", c.data_type, "x", 1};
    seglog_queue_send_entry_v2 e;
    seglog_queue_send_entry_v2_init(&e, "b", 1);
    e.attrs = &a;
    e.n_attrs = 1;
    e.trace_header = c.trace;
    e.sender_id = c.sender;
    seglog_queue_send_result_v2 r;
    std::memset(&r, 0x5a, sizeof r);
    EXPECT_EQ(seglog_queue_send_v2(db_, "q", &e, &r), SEGLOG_EINVAL) << c.data_type;
    EXPECT_EQ(reinterpret_cast<const unsigned char*>(&r)[0], 0x5a);
  }
  EXPECT_EQ(Visible("q"), 0u);
  // The label's bytes count toward the message size; the trace header's do not.
  seglog_queue_config c;
  seglog_queue_config_init(&c);
  c.max_message_bytes = 1024;
  ASSERT_EQ(seglog_queue_create(db_, "small", &c), SEGLOG_OK);
  const std::string body(1024 - 1 - 6 - 1, 'b');  // + name "n" + "String" + value "x" = 1024
  seglog_queue_attr_v2 a = {"n", "String", "x", 1};
  seglog_queue_send_entry_v2 e;
  seglog_queue_send_entry_v2_init(&e, body.data(), body.size());
  e.attrs = &a;
  e.n_attrs = 1;
  const std::string trace(1000, 't');
  e.trace_header = trace.c_str();
  EXPECT_EQ(seglog_queue_send_v2(db_, "small", &e, nullptr), SEGLOG_OK) << seglog_last_error();
  a.data_type = "String.j";
  EXPECT_EQ(seglog_queue_send_v2(db_, "small", &e, nullptr), SEGLOG_ETOOLARGE);
}

TEST_F(QueueMessagesV2, OldSendBatchStaysAllOrNothing) {
  Create("q");
  seglog_queue_send_entry es[3];
  for (auto& e : es) seglog_queue_send_entry_init(&e, "x", 1);
  seglog_queue_attr bad = {"AWS.x", SEGLOG_ATTR_STRING, "v", 1};
  es[1].attrs = &bad;
  es[1].n_attrs = 1;
  seglog_queue_send_result rs[3];
  EXPECT_EQ(seglog_queue_send_batch(db_, "q", es, 3, rs), SEGLOG_EINVAL);
  EXPECT_EQ(Visible("q"), 0u);
}

}  // namespace
}  // namespace seglog
