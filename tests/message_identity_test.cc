// Message identity and checksums (SPEC.md 16, "Message identity and checksums"): MessageId,
// SequenceNumber and the three SQS MD5s, against vectors computed independently of seglog.
//
// The expected values were computed with Python's hashlib while writing this test:
//   MessageId:  h = bytearray(sha256(b"seglog/sqs-message-id/v1"
//                                    + struct.pack(">QQ", incarnation, id)).digest()[:16])
//               h[6] = (h[6] & 0x0f) | 0x80; h[8] = (h[8] & 0x3f) | 0x80; then 8-4-4-4-12 hex
//   attributes: for (name, data_type, value) sorted by name.encode():
//                 out += lp(name) + lp(data_type) + (b"\2" if Binary else b"\1") + lp(value)
//               md5(out).hexdigest(), with lp(b) = struct.pack(">I", len(b)) + b
// tests/clients/md5_moto_check.py and md5_sdk_check.mjs cross-check the MD5s against moto and
// the AWS SDK for JavaScript v3 on generated cases.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "engine/queues/message_identity.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using format::AttributeType;
using format::MessageAttribute;
using testing::View;

MessageAttribute Attr(std::string_view name, AttributeType type, ByteView value,
                      std::string_view label = "") {
  return MessageAttribute{.name = name, .type = type, .value = value, .type_label = label};
}

TEST(MessageIdentityTest, MessageIdKnownVectors) {
  EXPECT_EQ(MessageIdFor(1, 1), "a6236759-45c4-8ed1-abc5-cd2915adb355");
  EXPECT_EQ(MessageIdFor(1, 2), "876c675e-7db5-8696-b8a5-6e4062944169");
  EXPECT_EQ(MessageIdFor(2, 1), "c7362174-36f5-8afb-883a-083238b10040");
  EXPECT_EQ(MessageIdFor(0, 0), "6dad49a1-bb59-8eff-b05f-b82a09300666");
  EXPECT_EQ(MessageIdFor(UINT64_MAX, UINT64_MAX), "a14e702a-e171-85b6-9203-3de9665427f7");
}

// Lower-case hex 8-4-4-4-12; version nibble 8; variant bits 10 (8, 9, a or b). (Not
// std::regex: GCC 12's <regex> trips -Wmaybe-uninitialized under the sanitizers.)
bool IsVersion8Uuid(const std::string& m) {
  if (m.size() != 36) return false;
  for (size_t i = 0; i < m.size(); ++i) {
    const char c = m[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash != (c == '-')) return false;
    if (!dash && !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return m[14] == '8' && (m[19] == '8' || m[19] == '9' || m[19] == 'a' || m[19] == 'b');
}

TEST(MessageIdentityTest, MessageIdIsAVersion8UuidAndDeterministic) {
  EXPECT_FALSE(IsVersion8Uuid("c7362174-36f5-4afb-883a-083238b10040"));  // version 4
  EXPECT_FALSE(IsVersion8Uuid("c7362174-36f5-8afb-c83a-083238b10040"));  // variant 11
  EXPECT_FALSE(IsVersion8Uuid("C7362174-36f5-8afb-883a-083238b10040"));  // upper case
  for (uint64_t inc : {uint64_t{0}, uint64_t{7}, uint64_t{1} << 40, UINT64_MAX}) {
    for (uint64_t id = 0; id < 64; ++id) {
      const std::string m = MessageIdFor(inc, id);
      EXPECT_TRUE(IsVersion8Uuid(m)) << m;
      EXPECT_EQ(m, MessageIdFor(inc, id));
    }
  }
}

TEST(MessageIdentityTest, MessageIdsAreDistinctAcrossIncarnationsAndIds) {
  // Swapped and neighbouring pairs included: (1,2) and (2,1) must differ.
  std::set<std::string> seen;
  constexpr uint64_t kIncarnations = 64, kIds = 512;
  for (uint64_t inc = 0; inc < kIncarnations; ++inc) {
    for (uint64_t id = 0; id < kIds; ++id) seen.insert(MessageIdFor(inc, id));
  }
  EXPECT_EQ(seen.size(), kIncarnations * kIds);
}

TEST(MessageIdentityTest, SequenceNumberIsTwentyDigitsAndOrdered) {
  EXPECT_EQ(SequenceNumberFor(0), "00000000000000000000");
  EXPECT_EQ(SequenceNumberFor(1), "00000000000000000001");
  EXPECT_EQ(SequenceNumberFor(UINT64_MAX), "18446744073709551615");
  // Text order is numeric order, across digit-count boundaries too.
  const std::vector<uint64_t> ids = {0,     1,       9,          10,        99, 100, 12345,
                                     1u << 31, uint64_t{1} << 32, 999999999999, UINT64_MAX - 1,
                                     UINT64_MAX};
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string s = SequenceNumberFor(ids[i]);
    EXPECT_EQ(s.size(), 20u) << s;
    EXPECT_EQ(s.find_first_not_of("0123456789"), std::string::npos) << s;
    if (i > 0) {
      EXPECT_LT(SequenceNumberFor(ids[i - 1]), s);
    }
  }
}

TEST(MessageIdentityTest, BodyMd5) {
  EXPECT_EQ(Md5OfBody(ByteView()), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5OfBody(View("hello")), "5d41402abc4b2a76b9719d911017c592");
  const std::string with_nul("a\0b", 3);
  EXPECT_EQ(Md5OfBody(View(with_nul)), "70350f6027bce3713f6b76473084309b");
}

TEST(MessageIdentityTest, NoAttributesIsEmpty) {
  EXPECT_EQ(Md5OfAttributes({}), "");
  EXPECT_EQ(Md5OfSystemAttributes(""), "");
}

TEST(MessageIdentityTest, AttributesKnownVectors) {
  const MessageAttribute one[] = {Attr("City", AttributeType::kString, View("Any City"))};
  EXPECT_EQ(Md5OfAttributes(one), "0c32cb5c844c01fbd5b6b434b52cf670");
  // Number and Binary (NUL and 0xff bytes inside the value), given out of order.
  const std::string pic("\x00\x01\x00\xff", 4);
  const MessageAttribute three[] = {
      Attr("Population", AttributeType::kNumber, View("1250800")),
      Attr("City", AttributeType::kString, View("Any City")),
      Attr("Pic", AttributeType::kBinary, View(pic)),
  };
  EXPECT_EQ(Md5OfAttributes(three), "e2f5878c37b3b9b1d50e6060626d7168");
}

TEST(MessageIdentityTest, CustomLabelIsPartOfTheDataType) {
  const MessageAttribute labelled[] = {
      Attr("doc", AttributeType::kString, View("{\"a\":1}"), "json")};
  const MessageAttribute plain[] = {Attr("doc", AttributeType::kString, View("{\"a\":1}"))};
  EXPECT_EQ(Md5OfAttributes(labelled), "d374e9410b2a423b29cdc54e9267b904");  // "String.json"
  EXPECT_EQ(Md5OfAttributes(plain), "7ef81186f75da092fbe625a16dcda4fc");     // "String"
  const std::string png("\x89PNG\x00", 5);
  const MessageAttribute binary[] = {Attr("img", AttributeType::kBinary, View(png), "png")};
  EXPECT_EQ(Md5OfAttributes(binary), "2544918254584bb2703f3150fa8df80e");  // "Binary.png"
}

TEST(MessageIdentityTest, AttributesSortByNameBytes) {
  // Byte order: "B" (0x42) < "_x" (0x5f) < "a" < "b"; a case-insensitive or input order would
  // give another digest.
  std::vector<MessageAttribute> attrs = {
      Attr("b", AttributeType::kString, View("1")),
      Attr("B", AttributeType::kString, View("2")),
      Attr("a", AttributeType::kString, View("3")),
      Attr("_x", AttributeType::kString, View("4")),
  };
  EXPECT_EQ(Md5OfAttributes(attrs), "cdc7245187c8518a4ca6d16fe4bc1ebf");
  std::reverse(attrs.begin(), attrs.end());
  EXPECT_EQ(Md5OfAttributes(attrs), "cdc7245187c8518a4ca6d16fe4bc1ebf");
}

TEST(MessageIdentityTest, TransportByteSeparatesStringFromBinary) {
  const MessageAttribute s[] = {Attr("k", AttributeType::kString, View("v"))};
  const MessageAttribute n[] = {Attr("k", AttributeType::kNumber, View("v"))};
  const MessageAttribute b[] = {Attr("k", AttributeType::kBinary, View("v"))};
  EXPECT_NE(Md5OfAttributes(s), Md5OfAttributes(n));  // DataType differs
  EXPECT_NE(Md5OfAttributes(s), Md5OfAttributes(b));
  EXPECT_NE(Md5OfAttributes(n), Md5OfAttributes(b));
}

TEST(MessageIdentityTest, SystemAttributesKnownVector) {
  // hashlib over the single attribute ("AWSTraceHeader", "String", header).
  EXPECT_EQ(Md5OfSystemAttributes(
                "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"),
            "5ae4d5d7636402d80f4eb6d213245a88");
}

}  // namespace
}  // namespace seglog
