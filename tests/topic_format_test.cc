// format/topic_format.h (topic message header, cursor file), format/topic_catalog_format.h
// (subscription list) and the queue header's topic origin (format/queue_format.h).
#include <gtest/gtest.h>

#include "format/queue_format.h"
#include "format/topic_catalog_format.h"
#include "format/topic_format.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using format::AttributeType;
using format::TopicMessageHeader;
using testing::View;

TopicMessageHeader Full() {
  TopicMessageHeader h;
  h.published_ms = 1'700'000'000'123;
  h.subject = "Hello";
  h.json_structure = true;
  h.dedup_id = "d-1";
  static const std::string bin("\0\xff\x01", 3);
  h.attributes = {{"a", AttributeType::kString, View("text"), {}},
                  {"b", AttributeType::kNumber, View("42"), {}},
                  {"c", AttributeType::kBinary, View(bin), {}},
                  {"d", AttributeType::kString, View("[\"x\",1]"), "Array"}};
  return h;
}

TEST(TopicFormat, HeaderRoundTrip) {
  const TopicMessageHeader h = Full();
  ByteBuffer buf;
  format::EncodeTopicMessageHeader(h, &buf);
  TopicMessageHeader d;
  ASSERT_TRUE(format::DecodeTopicMessageHeader(buf, &d).ok());
  EXPECT_EQ(d.published_ms, h.published_ms);
  EXPECT_EQ(d.subject, "Hello");
  EXPECT_TRUE(d.json_structure);
  EXPECT_EQ(d.dedup_id, "d-1");
  ASSERT_EQ(d.attributes.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(d.attributes[i].name, h.attributes[i].name);
    EXPECT_EQ(d.attributes[i].type, h.attributes[i].type);
    EXPECT_EQ(d.attributes[i].type_label, h.attributes[i].type_label);
    EXPECT_TRUE(std::equal(d.attributes[i].value.begin(), d.attributes[i].value.end(),
                           h.attributes[i].value.begin(), h.attributes[i].value.end()));
  }
}

TEST(TopicFormat, MinimalHeaderIsFourBytes) {
  TopicMessageHeader h;
  h.published_ms = 5;
  ByteBuffer buf;
  format::EncodeTopicMessageHeader(h, &buf);
  EXPECT_EQ(buf, (ByteBuffer{1, 0, 5, 0}));
  TopicMessageHeader d;
  ASSERT_TRUE(format::DecodeTopicMessageHeader(buf, &d).ok());
  EXPECT_EQ(d.subject, "");
  EXPECT_FALSE(d.json_structure);
  EXPECT_TRUE(d.attributes.empty());
}

TEST(TopicFormat, EveryTruncationAndBadFieldIsRefused) {
  ByteBuffer buf;
  format::EncodeTopicMessageHeader(Full(), &buf);
  for (size_t n = 0; n < buf.size(); ++n) {
    TopicMessageHeader d;
    d.published_ms = 77;
    EXPECT_FALSE(format::DecodeTopicMessageHeader(ByteView(buf.data(), n), &d).ok()) << n;
    EXPECT_EQ(d.published_ms, 77);  // unchanged
  }
  ByteBuffer trailing = buf;
  trailing.push_back(0);
  TopicMessageHeader d;
  EXPECT_EQ(format::DecodeTopicMessageHeader(trailing, &d).code(), StatusCode::kCorruption);
  ByteBuffer newer = buf;
  newer[0] = 2;
  EXPECT_EQ(format::DecodeTopicMessageHeader(newer, &d).code(), StatusCode::kNotSupported);
  ByteBuffer flags = buf;
  flags[1] |= 0x80;
  EXPECT_EQ(format::DecodeTopicMessageHeader(flags, &d).code(), StatusCode::kNotSupported);
  ByteBuffer v0 = buf;
  v0[0] = 0;
  EXPECT_EQ(format::DecodeTopicMessageHeader(v0, &d).code(), StatusCode::kCorruption);
}

TEST(TopicFormat, CursorSlotsNewestValidWins) {
  const uint64_t key = 0x1234abcd;
  EXPECT_EQ(format::CursorFileName(key), "sub-000000001234abcd.cursor");
  std::string file(format::kCursorFileBytes, '\0');
  EXPECT_FALSE(format::DecodeCursorFile(file, key).has_value());
  auto put = [&](const format::CursorSlot& s) {
    file.replace(format::CursorSlotOffset(s.generation), format::kCursorSlotBytes,
                 format::EncodeCursorSlot(s));
  };
  put({key, 1, 10, 100});
  ASSERT_TRUE(format::DecodeCursorFile(file, key).has_value());
  EXPECT_EQ(*format::DecodeCursorFile(file, key), (format::CursorSlot{key, 1, 10, 100}));
  put({key, 2, 20, 200});
  EXPECT_EQ(format::DecodeCursorFile(file, key)->next_seq, 20u);
  // A torn newer slot: the older one stands.
  std::string torn = file;
  torn[format::CursorSlotOffset(2) + 25] ^= 1;
  EXPECT_EQ(format::DecodeCursorFile(torn, key)->generation, 1u);
  // Another subscription's file, or a short one.
  EXPECT_FALSE(format::DecodeCursorFile(file, key + 1).has_value());
  EXPECT_EQ(format::DecodeCursorFile(file.substr(0, format::kCursorSlotBytes), key)->generation,
            2u);
  EXPECT_FALSE(format::DecodeCursorFile("", key).has_value());
}

TEST(TopicCatalogFormat, SubscriptionListRoundTrip) {
  std::vector<format::SubscriptionEntry> subs(2);
  subs[0] = {"0b8f7c4e-7a1b-4b8e-9a3c-1f2e3d4c5b6a", 42, format::SubscriptionProtocolCode::kSqs,
             "orders", true, format::FilterScopeCode::kMessageBody,
             "{\"a\":[\"x;y,z\"]}", "dlq", 1'700'000'000'000};
  subs[1] = {"1b8f7c4e-7a1b-4b8e-9a3c-1f2e3d4c5b6a", UINT64_MAX,
             format::SubscriptionProtocolCode::kCallback, "cb:1", false,
             format::FilterScopeCode::kMessageAttributes, "", "", 0};
  const std::string text = format::EncodeSubscriptionList(subs);
  std::vector<format::SubscriptionEntry> back;
  ASSERT_TRUE(format::DecodeSubscriptionList(text, &back));
  EXPECT_EQ(back, subs);
  ASSERT_TRUE(format::DecodeSubscriptionList("1", &back));
  EXPECT_TRUE(back.empty());
  for (size_t n = 0; n + 1 < text.size(); ++n) {
    std::vector<format::SubscriptionEntry> keep(1);
    const bool ok = format::DecodeSubscriptionList(text.substr(0, n), &keep);
    if (!ok) {
      EXPECT_EQ(keep.size(), 1u);  // unchanged on failure
    }
  }
  EXPECT_FALSE(format::DecodeSubscriptionList("2", &back));
  EXPECT_FALSE(format::DecodeSubscriptionList(text + ";", &back));
  std::string bad = text;
  bad[text.find(",sqs,") + 1] = 'x';
  EXPECT_FALSE(format::DecodeSubscriptionList(bad, &back));
}

TEST(QueueFormatTopicOrigin, RoundTripAndFlag) {
  format::QueueMessageHeader h;
  h.sent_ms = 9;
  h.has_topic_origin = true;
  h.topic_origin = {0xfeedbeefcafe, 123456};
  ByteBuffer buf;
  format::EncodeQueueMessageHeader(h, &buf);
  EXPECT_EQ(buf[1], format::kQueueHasTopicOrigin);
  format::QueueMessageHeader d;
  ASSERT_TRUE(format::DecodeQueueMessageHeader(buf, &d).ok());
  EXPECT_TRUE(d.has_topic_origin);
  EXPECT_EQ(d.topic_origin, h.topic_origin);
  for (size_t n = 0; n < buf.size(); ++n) {
    EXPECT_FALSE(format::DecodeQueueMessageHeader(ByteView(buf.data(), n), &d).ok()) << n;
  }
  // Without the tag the bytes are what older seglog wrote.
  format::QueueMessageHeader plain;
  plain.sent_ms = 9;
  ByteBuffer old;
  format::EncodeQueueMessageHeader(plain, &old);
  EXPECT_EQ(old[1], 0);
}

}  // namespace
}  // namespace seglog
