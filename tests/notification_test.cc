// What one subscription receives (engine/topics/notification.h): the signing key's files, SNS's
// Notification envelope checked field by field after parsing it back, its signature verified
// with the certificate through libcrypto (independently of the signer's code), MessageStructure
// json, raw delivery attributes, the dead-letter message and the callback retry schedule.
// NotificationExport writes envelopes for tests/notification_verify.py (a second implementation
// of AWS's verification algorithm, run by the ctest `notification_verify`).
#include "engine/topics/notification.h"

#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <random>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/topics/notification_util.h"
#include "tests/support/sns_verify.h"
#include "tests/support/test_util.h"

namespace seglog {
namespace {

using nlohmann::ordered_json;

ByteView Bytes(std::string_view s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

std::string ReadText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), {});
}
void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

bool VerifyEnvelope(const std::string& envelope, const std::string& cert_pem) {
  return VerifySnsEnvelope(envelope, cert_pem);
}

class NotificationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Signer::Open(dir_.path() + "/topics", true, &signer_).ok());
    attrs_ = {
        {"zeta", format::AttributeType::kString, Bytes("z \"q\"\n")},
        {"amount", format::AttributeType::kNumber, Bytes("12.50")},
        {"blob", format::AttributeType::kBinary, Bytes(std::string_view("\x00\x01\xff", 3))},
        {"list", format::AttributeType::kString, Bytes("[\"a\",1]"), "Array"},
    };
    src_.topic_arn = "arn:aws:sns:us-east-1:000000000000:orders";
    src_.message_id = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324";
    src_.subject = "My First Message";
    src_.message = "Hello world!";
    src_.attributes = attrs_;
    src_.published = TimestampMs(1335920046655);
    urls_.signing_cert_url = "https://localhost/seglog/SimpleNotificationService.pem";
    urls_.unsubscribe_url = "https://localhost/?Action=Unsubscribe&SubscriptionArn=";
    urls_.subscription_arn = "arn:aws:sns:us-east-1:000000000000:orders:c9135db0";
  }
  std::string Envelope(uint32_t version = 1) {
    return BuildEnvelope(src_, src_.message, urls_, *signer_, version);
  }

  testing::TempDir dir_;
  std::unique_ptr<Signer> signer_;
  std::vector<format::MessageAttribute> attrs_;
  NotificationSource src_;
  EnvelopeUrls urls_;
};

std::vector<std::string> Keys(const ordered_json& j) {
  std::vector<std::string> out;
  for (const auto& [k, v] : j.items()) out.push_back(k);
  return out;
}

TEST_F(NotificationTest, EnvelopeFieldsInSnsOrder) {
  const std::string env = Envelope();
  EXPECT_EQ(env.rfind("{\n  \"Type\" : \"Notification\",\n  \"MessageId\" : ", 0), 0u) << env;
  const ordered_json j = ordered_json::parse(env);
  EXPECT_EQ(Keys(j), (std::vector<std::string>{"Type", "MessageId", "TopicArn", "Subject", "Message",
                                               "Timestamp", "SignatureVersion", "Signature",
                                               "SigningCertURL", "UnsubscribeURL",
                                               "MessageAttributes"}));
  EXPECT_EQ(j["Type"], "Notification");
  EXPECT_EQ(j["MessageId"], src_.message_id);
  EXPECT_EQ(j["TopicArn"], src_.topic_arn);
  EXPECT_EQ(j["Subject"], src_.subject);
  EXPECT_EQ(j["Message"], "Hello world!");
  EXPECT_EQ(j["Timestamp"], "2012-05-02T00:54:06.655Z");
  EXPECT_EQ(j["SignatureVersion"], "1");
  EXPECT_EQ(j["SigningCertURL"], urls_.signing_cert_url);
  EXPECT_EQ(j["UnsubscribeURL"], std::string(urls_.unsubscribe_url) +
                                     std::string(urls_.subscription_arn));
  const ordered_json& a = j["MessageAttributes"];
  EXPECT_EQ(Keys(a), (std::vector<std::string>{"amount", "blob", "list", "zeta"}));  // sorted
  EXPECT_EQ(a["zeta"], (ordered_json{{"Type", "String"}, {"Value", "z \"q\"\n"}}));
  EXPECT_EQ(a["amount"], (ordered_json{{"Type", "Number"}, {"Value", "12.50"}}));
  EXPECT_EQ(a["blob"], (ordered_json{{"Type", "Binary"}, {"Value", "AAH/"}}));
  EXPECT_EQ(a["list"], (ordered_json{{"Type", "String.Array"}, {"Value", "[\"a\",1]"}}));
  EXPECT_EQ(Envelope(), env) << "deterministic";
}

TEST_F(NotificationTest, EscapingRoundTrips) {
  const std::string msg = std::string("q\"uote\\ back/slash\nnl\ttab\r\x01\x1f ") +
                          "h\xc3\xa9llo \xe2\x98\x83 \xf0\x9f\x98\x80";
  src_.message = msg;
  src_.subject = "S \"x\"";
  const std::string env = Envelope();
  const size_t line = env.find("\n  \"Message\" : ");
  ASSERT_NE(line, std::string::npos);
  const std::string message_line = env.substr(line + 1, env.find('\n', line + 1) - line - 1);
  EXPECT_EQ(message_line.substr(message_line.size() - 2), "\",") << "one line: \\n is escaped";
  EXPECT_NE(message_line.find("\\n"), std::string::npos);
  const ordered_json j = ordered_json::parse(env);
  EXPECT_EQ(j["Message"].get<std::string>(), msg);
  EXPECT_EQ(j["Subject"].get<std::string>(), "S \"x\"");
  EXPECT_NE(env.find("\\u0001"), std::string::npos);
  EXPECT_NE(env.find("\xe2\x98\x83"), std::string::npos) << "UTF-8 is kept as is";
  EXPECT_TRUE(VerifyEnvelope(env, signer_->certificate_pem()));
}

TEST_F(NotificationTest, SubjectOmittedAndFifoSequenceNumber) {
  src_.subject = "";
  src_.attributes = {};
  src_.sequence_number = "10000000000000000007";
  src_.group_id = "g1";
  const std::string env = Envelope(2);
  const ordered_json j = ordered_json::parse(env);
  EXPECT_EQ(Keys(j), (std::vector<std::string>{"Type", "MessageId", "SequenceNumber", "TopicArn",
                                               "Message", "Timestamp", "SignatureVersion",
                                               "Signature", "SigningCertURL", "UnsubscribeURL"}));
  EXPECT_EQ(j["SequenceNumber"], "10000000000000000007");
  EXPECT_EQ(j["SignatureVersion"], "2");
  EXPECT_TRUE(VerifyEnvelope(env, signer_->certificate_pem()))
      << "SequenceNumber is not in the string to sign";
}

TEST_F(NotificationTest, JsonStructureCarriesNoAttributes) {
  src_.json_structure = true;
  src_.message = R"({"default":"d","sqs":"for queues"})";
  const std::string text = MessageFor(src_, "sqs");
  EXPECT_EQ(text, "for queues");
  const ordered_json j = ordered_json::parse(BuildEnvelope(src_, text, urls_, *signer_, 1));
  EXPECT_EQ(j["Message"], "for queues");
  EXPECT_FALSE(j.contains("MessageAttributes"));
}

TEST_F(NotificationTest, SignaturesVerifyAndTamperingFails) {
  for (uint32_t v : {1u, 2u}) {
    const std::string env = Envelope(v);
    EXPECT_TRUE(VerifyEnvelope(env, signer_->certificate_pem())) << v;
    ordered_json j = ordered_json::parse(env);
    j["Message"] = "Hello world?";
    EXPECT_FALSE(VerifyEnvelope(j.dump(), signer_->certificate_pem())) << v;
    j = ordered_json::parse(env);
    j["Timestamp"] = "2012-05-02T00:54:06.656Z";
    EXPECT_FALSE(VerifyEnvelope(j.dump(), signer_->certificate_pem())) << v;
    j = ordered_json::parse(env);
    j["SignatureVersion"] = v == 1 ? "2" : "1";
    EXPECT_FALSE(VerifyEnvelope(j.dump(), signer_->certificate_pem())) << v;
  }
  EXPECT_EQ(signer_->Sign("x", 3), "");
}

// BuildEnvelope reuses a signature made for the same message on this thread (one RSA signature
// per message, not per subscription); it must never hand one signer's signature to another.
TEST_F(NotificationTest, SignatureReuseNeverCrossesSigners) {
  const std::string a = Envelope(1);
  EXPECT_EQ(a, BuildEnvelopeWithSignature(src_, src_.message, urls_,
                                          NotificationSignature(src_, src_.message, *signer_, 1), 1));
  urls_.subscription_arn = "arn:aws:sns:us-east-1:000000000000:orders:other";
  const ordered_json other_sub = ordered_json::parse(Envelope(1));
  EXPECT_EQ(other_sub["Signature"], ordered_json::parse(a)["Signature"]);
  for (int round = 0; round < 3; ++round) {  // a new Signer may reuse the old one's address
    testing::TempDir d2;
    std::unique_ptr<Signer> second;
    ASSERT_TRUE(Signer::Open(d2.path(), true, &second).ok());
    EXPECT_NE(second->instance_id(), signer_->instance_id());
    const std::string b = BuildEnvelope(src_, src_.message, urls_, *second, 1);
    EXPECT_TRUE(VerifyEnvelope(b, second->certificate_pem())) << round;
    EXPECT_FALSE(VerifyEnvelope(b, signer_->certificate_pem())) << round;
  }
  EXPECT_TRUE(VerifyEnvelope(Envelope(2), signer_->certificate_pem()));
}

// More messages than the signature cache keeps (1,024): the oldest are dropped and signed
// again when they come back; every envelope verifies all along.
TEST_F(NotificationTest, SignatureCacheEviction) {
  src_.attributes = {};
  std::vector<std::string> first;
  for (int i = 0; i < 1100; ++i) {
    src_.published = TimestampMs(1335920046655 + i);
    const std::string env = Envelope(2);
    if (i < 5) first.push_back(env);
    if (i % 97 == 0) {
      ASSERT_TRUE(VerifyEnvelope(env, signer_->certificate_pem())) << i;
    }
  }
  for (int i = 0; i < 5; ++i) {
    src_.published = TimestampMs(1335920046655 + i);
    EXPECT_EQ(Envelope(2), first[i]) << i;
  }
  src_.published = TimestampMs(1335920046655 + 1099);
  EXPECT_TRUE(VerifyEnvelope(Envelope(2), signer_->certificate_pem()));
}

TEST_F(NotificationTest, KeyFilesModeReopenAndCorruption) {
  const std::string d = dir_.path() + "/topics";
  struct stat st {};
  ASSERT_EQ(::stat((d + "/signing.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((d + "/signing.crt").c_str(), &st), 0);
  EXPECT_FALSE(std::ifstream(d + "/signing.key.tmp").good());
  const std::string env = Envelope(2);

  std::unique_ptr<Signer> again;
  ASSERT_TRUE(Signer::Open(d, false, &again).ok());
  EXPECT_EQ(again->certificate_pem(), signer_->certificate_pem());
  EXPECT_EQ(again->Sign("abc", 1), signer_->Sign("abc", 1));  // PKCS#1 v1.5: same key, same bytes

  // A lost certificate is made again from the key; old envelopes verify with it.
  ASSERT_EQ(std::remove((d + "/signing.crt").c_str()), 0);
  ASSERT_TRUE(Signer::Open(d, false, &again).ok());
  EXPECT_TRUE(VerifyEnvelope(env, again->certificate_pem()));
  EXPECT_EQ(ReadText(d + "/signing.crt"), again->certificate_pem());

  // A damaged key is Corruption and stays as it is (never replaced), create or not: wherever
  // the damage is (a key that still parses fails RSA's checks or no longer matches the
  // certificate).
  const std::string good = ReadText(d + "/signing.key");
  for (size_t off = 40; off < good.size() - 40; off += good.size() / 23) {
    std::string key = good;
    key[off] = key[off] == 'A' ? 'B' : 'A';
    WriteText(d + "/signing.key", key);
    for (bool create : {false, true}) {
      const Status s = Signer::Open(d, create, &again);
      EXPECT_EQ(s.code(), StatusCode::kCorruption) << off << " " << s.ToString();
    }
    EXPECT_EQ(ReadText(d + "/signing.key"), key);
  }
  WriteText(d + "/signing.key", "");
  EXPECT_EQ(Signer::Open(d, true, &again).code(), StatusCode::kCorruption);
  // Another whole key beside this key's certificate: Corruption too.
  testing::TempDir other;
  ASSERT_TRUE(Signer::Open(other.path(), true, &again).ok());
  WriteText(d + "/signing.key", ReadText(other.path() + "/signing.key"));
  EXPECT_EQ(Signer::Open(d, false, &again).code(), StatusCode::kCorruption);
  WriteText(d + "/signing.key", good);
  ASSERT_TRUE(Signer::Open(d, false, &again).ok());
  EXPECT_TRUE(VerifyEnvelope(env, again->certificate_pem()));
}

TEST(NotificationSigner, MissingKeyIsNotFoundUnlessCreated) {
  testing::TempDir dir;
  std::unique_ptr<Signer> s;
  EXPECT_EQ(Signer::Open(dir.path() + "/none", false, &s).code(), StatusCode::kNotFound);
  EXPECT_FALSE(std::ifstream(dir.path() + "/none/signing.key").good());
  ASSERT_TRUE(Signer::Open(dir.path() + "/a/b", true, &s).ok());
  EXPECT_NE(s->certificate_pem().find("BEGIN CERTIFICATE"), std::string::npos);
}

// Every ASCII byte at every offset (the escaper skips 8 bytes at a time) parses back as itself.
TEST(NotificationJsonString, EveryAsciiByteAtEveryOffset) {
  for (int c = 0; c < 128; ++c) {
    for (size_t off = 0; off < 19; ++off) {
      std::string text(19, 'a');
      text[off] = static_cast<char>(c);
      text += "\xc3\xa9";  // UTF-8 passes as is
      std::string out;
      notification_internal::AppendJsonString(text, &out);
      ASSERT_EQ(nlohmann::json::parse(out).get<std::string>(), text) << c << " at " << off;
      const bool needs = c < 0x20 || c == '"' || c == '\\';
      EXPECT_EQ(out.size(), text.size() + 2 + (needs ? (c < 0x20 && c != '\b' && c != '\f' && c != '\n' && c != '\r' && c != '\t' ? 5 : 1) : 0))
          << c;
    }
  }
}

// SNS's Timestamp against gmtime_r over four centuries, leap days and times before 1970.
TEST(NotificationTimestamp, MatchesGmtime) {
  EXPECT_EQ(notification_internal::IsoTimestampMs(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(notification_internal::IsoTimestampMs(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(notification_internal::IsoTimestampMs(951'782'400'007), "2000-02-29T00:00:00.007Z");
  std::mt19937_64 rng(15);
  for (int i = 0; i < 20000; ++i) {
    const int64_t ms = static_cast<int64_t>(rng() % 12'622'780'800'000ULL) - 2'208'988'800'000LL;
    const time_t secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm {};
    gmtime_r(&secs, &tm);
    char want[96];
    std::snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                  static_cast<int>(ms - static_cast<int64_t>(secs) * 1000));
    ASSERT_EQ(notification_internal::IsoTimestampMs(ms), want) << ms;
  }
}

TEST(NotificationJson, ValidateStructure) {
  EXPECT_TRUE(ValidateJsonStructure(R"({"default":"x","sqs":"y"})").ok());
  for (const char* bad : {"", "nope", "[\"default\"]", "\"default\"", "{\"default\":\"x\""}) {
    const Status s = ValidateJsonStructure(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(s.message().find("failed to parse"), std::string::npos) << s.message();
  }
  Status s = ValidateJsonStructure(R"({"sqs":"y"})");
  EXPECT_EQ(s.message(), "Invalid parameter: Message Structure - No default entry in JSON message body");
  s = ValidateJsonStructure(R"({"default":"x","sqs":{"a":1}})");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("\"sqs\""), std::string::npos) << s.message();
  EXPECT_EQ(ValidateJsonStructure(R"({"default":5})").code(), StatusCode::kInvalidArgument);
}

TEST(NotificationJson, MessageForPicksProtocolThenDefault) {
  NotificationSource src;
  src.json_structure = true;
  src.message = R"({"default":"d","callback":"c \u00e9"})";
  EXPECT_EQ(MessageFor(src, "callback"), "c \xc3\xa9");
  EXPECT_EQ(MessageFor(src, "sqs"), "d");
  src.json_structure = false;
  EXPECT_EQ(MessageFor(src, "sqs"), src.message);
}

TEST(NotificationRaw, AttributesPassThroughUpToTen) {
  std::vector<std::string> names;
  for (int i = 0; i < 11; ++i) names.push_back("a" + std::to_string(i));
  std::vector<format::MessageAttribute> attrs;
  for (int i = 0; i < 10; ++i) {
    attrs.push_back({names[i], format::AttributeType::kNumber, Bytes("1"), i == 3 ? "float" : ""});
  }
  std::vector<format::MessageAttribute> out;
  ASSERT_TRUE(RawQueueAttributes(attrs, &out).ok());
  ASSERT_EQ(out.size(), 10u);
  EXPECT_EQ(out[3].type_label, "float");
  EXPECT_EQ(out[3].type, format::AttributeType::kNumber);
  attrs.push_back({names[10], format::AttributeType::kString, Bytes("x")});
  const Status s = RawQueueAttributes(attrs, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("11"), std::string::npos) << s.message();
  EXPECT_TRUE(out.empty());
}

TEST_F(NotificationTest, DeadLetterMessage) {
  DeadLetterMessage dl = BuildDeadLetter(src_, src_.message, false, urls_, *signer_, 2);
  EXPECT_EQ(dl.body, Envelope(2));
  EXPECT_TRUE(dl.attributes.empty());
  dl = BuildDeadLetter(src_, src_.message, true, urls_, *signer_, 2);
  EXPECT_EQ(dl.body, "Hello world!");
  ASSERT_EQ(dl.attributes.size(), attrs_.size());
  std::vector<format::MessageAttribute> many(11, attrs_[0]);
  src_.attributes = many;
  dl = BuildDeadLetter(src_, src_.message, true, urls_, *signer_, 2);
  EXPECT_EQ(dl.body, "Hello world!");
  EXPECT_TRUE(dl.attributes.empty());
}

TEST(NotificationRetry, AwsManagedSchedule) {
  constexpr uint32_t kMax = 100'015;
  EXPECT_EQ(CallbackRetryDelayMs(1, kMax), 0);
  for (uint32_t a = 2; a <= 4; ++a) EXPECT_EQ(CallbackRetryDelayMs(a, kMax), 0) << a;
  EXPECT_EQ(CallbackRetryDelayMs(5, kMax), 1000);
  EXPECT_EQ(CallbackRetryDelayMs(6, kMax), 1000);
  EXPECT_EQ(CallbackRetryDelayMs(7, kMax), 1000);     // backoff starts at 1 s
  EXPECT_EQ(CallbackRetryDelayMs(16, kMax), 20000);   // ... and ends at 20 s
  for (uint32_t a = 8; a <= 16; ++a) {
    EXPECT_GT(CallbackRetryDelayMs(a, kMax), CallbackRetryDelayMs(a - 1, kMax)) << a;
    const double ratio = static_cast<double>(CallbackRetryDelayMs(a, kMax)) /
                         static_cast<double>(CallbackRetryDelayMs(a - 1, kMax));
    EXPECT_NEAR(ratio, 1.395, 0.01) << "exponential: a constant factor, 20^(1/9)";
  }
  EXPECT_EQ(CallbackRetryDelayMs(17, kMax), 20000);
  EXPECT_EQ(CallbackRetryDelayMs(kMax, kMax), 20000);
  EXPECT_EQ(CallbackRetryDelayMs(kMax + 1, kMax), -1);
  EXPECT_EQ(CallbackRetryDelayMs(6, 5), -1);
  uint32_t attempts = 0;
  int64_t total_ms = 0;
  for (uint32_t a = 1; CallbackRetryDelayMs(a, kMax) >= 0; ++a) {
    ++attempts;
    total_ms += CallbackRetryDelayMs(a, kMax);
  }
  EXPECT_EQ(attempts, kMax);
  EXPECT_GT(total_ms, 23LL * 86'400'000);  // SNS: "over 23 days"
  EXPECT_LT(total_ms, 24LL * 86'400'000);
}

// Writes envelopes and the certificate into $SEGLOG_NOTIFICATION_EXPORT for
// tests/notification_verify.py; skipped when it is unset (ctest `notification_verify` sets it).
TEST_F(NotificationTest, Export) {
  const char* out = std::getenv("SEGLOG_NOTIFICATION_EXPORT");
  if (out == nullptr) GTEST_SKIP() << "run by the ctest notification_verify";
  WriteText(std::string(out) + "/signing.crt", signer_->certificate_pem());
  WriteText(std::string(out) + "/v1.json", Envelope(1));
  src_.message = "multi\nline \"quoted\" \xe2\x98\x83 \x01";
  WriteText(std::string(out) + "/v2.json", Envelope(2));
  src_.subject = "";
  src_.sequence_number = "10000000000000000042";
  WriteText(std::string(out) + "/fifo.json", Envelope(2));
}

}  // namespace
}  // namespace seglog
