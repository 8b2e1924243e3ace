// SigV4 verification (server/auth/sigv4.h) against requests signed by botocore itself
// (tests/server/sigv4_vectors.py, run with every interpreter that has botocore), then against
// altered copies of them, then its pieces (server/auth/sigv4_canonical.h) against hand-computed
// and AWS-published values.
#include "server/auth/sigv4.h"

#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "engine/log/digest.h"
#include "server/auth/sigv4_canonical.h"

namespace seglog::server {
namespace {

constexpr int64_t kMinute = 60;

struct Vector {
  std::string interpreter, name, region, service, access_key, secret;
  HttpRequest req;
  int64_t time = 0;
  bool presigned = false;
  int64_t expires = 0;
};

std::string Base64Decode(const std::string& in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (const char c : in) {
    const size_t v = kAlphabet.find(c);
    if (v == std::string::npos) continue;  // '=' padding
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string Run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  if (::pclose(p) != 0) out.clear();
  return out;
}

HttpRequest ToRequest(const nlohmann::json& v) {
  HttpRequest req;
  req.method = v.at("method").get<std::string>();
  req.target = v.at("target").get<std::string>();
  for (const auto& h : v.at("headers")) {
    std::string name = h.at(0).get<std::string>();
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    req.headers.emplace_back(name, h.at(1).get<std::string>());
  }
  req.body = Base64Decode(v.at("body_b64").get<std::string>());
  return req;
}

// Every vector from every interpreter that has botocore; loaded once.
const std::vector<Vector>& Vectors(std::string* interpreters) {
  static std::string found;
  static const std::vector<Vector> all = [] {
    std::vector<Vector> out;
    const std::string script = std::string(SEGLOG_SOURCE_DIR) + "/tests/server/sigv4_vectors.py";
    for (const std::string py : {"python3", "/usr/bin/python3"}) {
      if (Run(py + " -c 'import botocore; print(1)' 2>/dev/null") != "1\n") continue;
      const std::string text = Run(py + " '" + script + "'");
      EXPECT_FALSE(text.empty()) << py << " has botocore but " << script << " failed";
      if (text.empty()) continue;
      const auto doc = nlohmann::json::parse(text);
      found += py + " (botocore " + doc.at("botocore").get<std::string>() + ") ";
      for (const auto& v : doc.at("vectors")) {
        Vector x;
        x.interpreter = py;
        x.name = v.at("name").get<std::string>();
        x.region = v.at("region").get<std::string>();
        x.service = v.at("service").get<std::string>();
        x.access_key = v.at("access_key").get<std::string>();
        x.secret = v.at("secret").get<std::string>();
        x.time = v.at("time").get<int64_t>();
        x.presigned = v.at("presigned").get<bool>();
        x.expires = v.at("expires").get<int64_t>();
        x.req = ToRequest(v);
        out.push_back(std::move(x));
      }
    }
    return out;
  }();
  if (interpreters != nullptr) *interpreters = found;
  return all;
}

class SigV4Botocore : public ::testing::Test {
 protected:
  void SetUp() override {
    if (Vectors(nullptr).empty()) {
      GTEST_SKIP() << "neither python3 nor /usr/bin/python3 can import botocore: the "
                      "botocore-signed vectors (tests/server/sigv4_vectors.py) cannot be made";
    }
  }
  static CredentialSet Creds(const Vector& v) {
    CredentialSet c;
    c.Add("AKIDSOMEONEELSE", "another-secret");
    c.Add(v.access_key, v.secret);
    return c;
  }
  static std::optional<ServiceError> Verify(const Vector& v, const HttpRequest& req,
                                            int64_t now, const SigV4Options& opt = {}) {
    return VerifySigV4(req, Creds(v), now, opt, nullptr);
  }
  // Expects `code` (and its status) for `req`, verified at the vector's signing time.
  static void ExpectError(const Vector& v, const HttpRequest& req, const std::string& code,
                          int status, const std::string& what, int64_t now = -1,
                          const SigV4Options& opt = {}) {
    const auto e = Verify(v, req, now < 0 ? v.time : now, opt);
    ASSERT_TRUE(e.has_value()) << v.interpreter << " " << v.name << ": " << what;
    EXPECT_EQ(e->code, code) << v.interpreter << " " << v.name << ": " << what << ": "
                             << e->message;
    EXPECT_EQ(e->http_status, status) << v.name << ": " << what;
    EXPECT_EQ(e->message.find(v.secret), std::string::npos) << e->message;
  }
  static std::string* HeaderOf(HttpRequest* req, const std::string& name) {
    for (auto& h : req->headers) {
      if (h.first == name) return &h.second;
    }
    return nullptr;
  }
  // The request with its signature's last hex digit changed.
  static HttpRequest FlipSignature(const Vector& v) {
    HttpRequest r = v.req;
    std::string& s = v.presigned ? r.target : *HeaderOf(&r, "authorization");
    const size_t at = v.presigned ? s.find("X-Amz-Signature=") + 16 + 63 : s.size() - 1;
    s[at] = s[at] == '0' ? '1' : '0';
    return r;
  }
};

TEST_F(SigV4Botocore, EverySignedRequestVerifies) {
  std::string interpreters;
  const auto& vectors = Vectors(&interpreters);
  std::printf("botocore vectors from: %s(%zu requests)\n", interpreters.c_str(), vectors.size());
  EXPECT_GE(vectors.size(), 10u);
  for (const auto& v : vectors) {
    SigV4Authorization auth;
    const auto e = VerifySigV4(v.req, Creds(v), v.time, SigV4Options{}, &auth);
    EXPECT_FALSE(e.has_value()) << v.interpreter << " " << v.name << ": " << e->code << ": "
                                << e->message;
    EXPECT_EQ(auth.access_key, v.access_key) << v.name;
    EXPECT_EQ(auth.region, v.region) << v.name;
    EXPECT_EQ(auth.service, v.service) << v.name;
    SigV4Options exact;
    exact.region = v.region;
    exact.service = v.service;
    EXPECT_FALSE(Verify(v, v.req, v.time, exact).has_value()) << v.name;
    const auto peek = PeekAuthorization(v.req);
    ASSERT_TRUE(peek.has_value()) << v.name;
    EXPECT_EQ(peek->region, v.region);
    EXPECT_EQ(peek->service, v.service);
  }
}

TEST_F(SigV4Botocore, WrongSignatureSecretOrKey) {
  for (const auto& v : Vectors(nullptr)) {
    ExpectError(v, FlipSignature(v), "SignatureDoesNotMatch", 403, "one hex digit flipped");
    CredentialSet wrong;
    wrong.Add(v.access_key, v.secret + "x");
    const auto e = VerifySigV4(v.req, wrong, v.time, {}, nullptr);
    ASSERT_TRUE(e.has_value()) << v.name;
    EXPECT_EQ(e->code, "SignatureDoesNotMatch");
    EXPECT_EQ(e->message,
              "The request signature we calculated does not match the signature you provided. "
              "Check your AWS Secret Access Key and signing method.");
    CredentialSet other;
    other.Add("AKIDSOMEONEELSE", v.secret);
    const auto u = VerifySigV4(v.req, other, v.time, {}, nullptr);
    ASSERT_TRUE(u.has_value()) << v.name;
    EXPECT_EQ(u->code, "InvalidClientTokenId");
    EXPECT_EQ(u->http_status, 403);
    EXPECT_EQ(u->message, "The security token included in the request is invalid.");
  }
}

TEST_F(SigV4Botocore, ClockWindow) {
  for (const auto& v : Vectors(nullptr)) {
    EXPECT_FALSE(Verify(v, v.req, v.time + 14 * kMinute).has_value()) << v.name;
    EXPECT_FALSE(Verify(v, v.req, v.time - 14 * kMinute).has_value()) << v.name;
    ExpectError(v, v.req, "RequestExpired", 400, "16 minutes early", v.time - 16 * kMinute);
    if (!v.presigned) {
      ExpectError(v, v.req, "RequestExpired", 400, "16 minutes late", v.time + 16 * kMinute);
    } else {
      EXPECT_FALSE(Verify(v, v.req, v.time + v.expires).has_value()) << v.name;
      ExpectError(v, v.req, "RequestExpired", 400, "presigned, expired", v.time + v.expires + 1);
    }
  }
}

TEST_F(SigV4Botocore, ExpiredMessageIsAwsShaped) {
  for (const auto& v : Vectors(nullptr)) {
    if (v.presigned) continue;
    ASSERT_EQ(v.time, 1796640060) << "sigv4_vectors.py signs at 2026-12-07T10:41:00Z";
    const auto late = Verify(v, v.req, v.time + 26 * kMinute);
    ASSERT_TRUE(late.has_value());
    EXPECT_EQ(late->message,
              "Signature expired: 20261207T104100Z is now earlier than 20261207T105200Z "
              "(20261207T110700Z - 15 min.)");
    const auto early = Verify(v, v.req, v.time - 20 * kMinute);
    ASSERT_TRUE(early.has_value());
    EXPECT_EQ(early->message,
              "Signature not yet current: 20261207T104100Z is still later than "
              "20261207T103600Z (20261207T102100Z + 15 min.)");
  }
}

TEST_F(SigV4Botocore, WrongRegionOrServiceForThisServer) {
  for (const auto& v : Vectors(nullptr)) {
    SigV4Options region;
    region.region = v.region == "us-east-1" ? "us-west-2" : "us-east-1";
    ExpectError(v, v.req, "SignatureDoesNotMatch", 403, "wrong region", -1, region);
    SigV4Options service;
    service.service = v.service == "sqs" ? "kinesis" : "sqs";
    ExpectError(v, v.req, "SignatureDoesNotMatch", 403, "wrong service", -1, service);
  }
}

TEST_F(SigV4Botocore, TamperedBodyHeaderPathOrQuery) {
  for (const auto& v : Vectors(nullptr)) {
    HttpRequest body = v.req;
    body.body += " ";
    if (v.name == "unsigned_payload") {  // the signature covers no byte of the body
      EXPECT_FALSE(Verify(v, body, v.time).has_value()) << v.name;
    } else {
      ExpectError(v, body, "SignatureDoesNotMatch", 403, "body tampered");
    }
    HttpRequest host = v.req;
    *HeaderOf(&host, "host") += "x";
    ExpectError(v, host, "SignatureDoesNotMatch", 403, "host header changed");
    if (!v.presigned) {
      HttpRequest date = v.req;
      std::string& d = *HeaderOf(&date, "x-amz-date");
      d[14] = d[14] == '0' ? '1' : '0';  // one second off: inside the window, still signed
      ExpectError(v, date, "SignatureDoesNotMatch", 403, "x-amz-date changed");
    }
    if (const std::string* target = v.req.Header("x-amz-target")) {
      HttpRequest t = v.req;
      *HeaderOf(&t, "x-amz-target") = *target + "Batch";
      ExpectError(v, t, "SignatureDoesNotMatch", 403, "x-amz-target changed");
    }
    HttpRequest path = v.req;
    path.target.insert(v.req.target.find('/') + 1, "x");
    ExpectError(v, path, "SignatureDoesNotMatch", 403, "path changed");
    HttpRequest query = v.req;
    query.target += query.target.find('?') == std::string::npos ? "?extra=1" : "&extra=1";
    ExpectError(v, query, "SignatureDoesNotMatch", 403, "query parameter added");
  }
}

TEST_F(SigV4Botocore, RepeatedHeaderValuesAreJoinedInOrder) {
  int seen = 0;
  for (const auto& v : Vectors(nullptr)) {
    if (v.name != "repeated_header") continue;
    ++seen;
    std::vector<size_t> at;
    for (size_t i = 0; i < v.req.headers.size(); ++i) {
      if (v.req.headers[i].first == "x-seglog-multi") at.push_back(i);
    }
    ASSERT_EQ(at.size(), 3u);
    HttpRequest swapped = v.req;
    std::swap(swapped.headers[at[0]].second, swapped.headers[at[2]].second);
    ExpectError(v, swapped, "SignatureDoesNotMatch", 403, "repeated values reordered");
    HttpRequest dropped = v.req;
    dropped.headers.erase(dropped.headers.begin() + static_cast<std::ptrdiff_t>(at[1]));
    ExpectError(v, dropped, "SignatureDoesNotMatch", 403, "one repeated value dropped");
  }
  EXPECT_GT(seen, 0);
}

TEST_F(SigV4Botocore, ContentSha256MustMatchTheBody) {
  for (const auto& v : Vectors(nullptr)) {
    if (v.name != "sqs_query_content_sha256") continue;
    HttpRequest r = v.req;
    r.body[0] = r.body[0] == 'A' ? 'B' : 'A';
    ExpectError(v, r, "SignatureDoesNotMatch", 403, "body differs from x-amz-content-sha256");
    HttpRequest bad = v.req;
    *HeaderOf(&bad, "x-amz-content-sha256") = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    ExpectError(v, bad, "IncompleteSignature", 400, "unsupported x-amz-content-sha256");
  }
}

TEST_F(SigV4Botocore, MissingOrMalformedAuthorization) {
  for (const auto& v : Vectors(nullptr)) {
    if (v.presigned) continue;
    HttpRequest none = v.req;
    std::erase_if(none.headers, [](const auto& h) { return h.first == "authorization"; });
    ExpectError(v, none, "MissingAuthenticationToken", 403, "no Authorization");

    const std::string good = *v.req.Header("authorization");
    auto replaced = [&](const std::string& from, const std::string& to) {
      std::string s = good;
      const size_t at = s.find(from);
      EXPECT_NE(at, std::string::npos) << from;
      return at == std::string::npos ? s : s.replace(at, from.size(), to);
    };
    const std::string variants[] = {
        replaced("host;", ""),                  // host not signed
        replaced("x-amz-date", "x-amz-datum"),  // x-amz-date not signed
        replaced("AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA1 "),
        replaced("AWS4-HMAC-SHA256 ", "AWS "),
        replaced("Credential=", "Credentials="),
        replaced("/aws4_request", "/aws4_requests"),
        replaced("/aws4_request", ""),
        replaced("Credential=" + v.access_key + "/2026", "Credential=" + v.access_key + "/x026"),
        replaced("Signature=", "Signature=a"),
        replaced("Signature=", "Signature=Z"),
        good.substr(0, good.size() - 1),
        good.substr(0, good.find(", Signature=")),
        good.substr(0, good.find(", SignedHeaders=")) + good.substr(good.find(", Signature=")),
        good + ", Signature=" + good.substr(good.size() - 64),
        replaced("SignedHeaders=", "SignedHeaders=;"),
        replaced("SignedHeaders=", "SignedHeaders=Content-Type;"),
        "AWS4-HMAC-SHA256",
        "",
        std::string(10000, ','),
    };
    for (const auto& a : variants) {
      HttpRequest r = v.req;
      *HeaderOf(&r, "authorization") = a;
      ExpectError(v, r, "IncompleteSignature", 400, "Authorization: " + a);
    }
    HttpRequest no_date = v.req;
    std::erase_if(no_date.headers, [](const auto& h) { return h.first == "x-amz-date"; });
    ExpectError(v, no_date, "IncompleteSignature", 400, "no X-Amz-Date nor Date");
    HttpRequest both = v.req;
    both.target += both.target.find('?') == std::string::npos ? "?" : "&";
    both.target += "X-Amz-Algorithm=AWS4-HMAC-SHA256";
    ExpectError(v, both, "IncompleteSignature", 400, "header and query both");
  }
}

TEST_F(SigV4Botocore, MalformedPresignedQuery) {
  for (const auto& v : Vectors(nullptr)) {
    if (!v.presigned) continue;
    auto replaced = [&](const std::string& from, const std::string& to) {
      HttpRequest r = v.req;
      const size_t at = r.target.find(from);
      EXPECT_NE(at, std::string::npos) << from;
      if (at != std::string::npos) r.target.replace(at, from.size(), to);
      return r;
    };
    ExpectError(v, replaced("X-Amz-Expires=", "X-Amz-Expires=999999"), "IncompleteSignature",
                400, "expires over a week");
    ExpectError(v, replaced("X-Amz-Expires=", "X-Amz-Expires=-"), "IncompleteSignature", 400,
                "expires not a number");
    ExpectError(v, replaced("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=AWS4-HMAC-SHA1"),
                "IncompleteSignature", 400, "algorithm");
    ExpectError(v, replaced("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=x-amz-date"),
                "IncompleteSignature", 400, "host not signed");
    ExpectError(v, replaced("X-Amz-Credential=", "X-Amz-Credentials="), "IncompleteSignature",
                400, "no credential");
    ExpectError(v, replaced("X-Amz-Date=2026", "X-Amz-Date=x026"), "IncompleteSignature", 400,
                "bad date");
  }
}

// A request like botocore's vectors with every header of a megabyte; verification stays a
// pass over the input (the test has no timing goal: a quadratic verifier would take hours).
TEST(SigV4Bounds, HugeHeadersAndSignedHeaderListsAreRefusedNotChewed) {
  CredentialSet creds;
  creds.Add("AKID", "secret");
  HttpRequest req;
  req.method = "POST";
  req.target = "/";
  for (int i = 0; i < 20000; ++i) req.headers.emplace_back("x-h" + std::to_string(i), "v");
  req.headers.emplace_back("host", "localhost");
  req.headers.emplace_back("x-amz-date", "20261207T104100Z");
  std::string signed_list = "host;x-amz-date";
  while (signed_list.size() < (1 << 20)) signed_list += ";x-h1";
  req.headers.emplace_back("authorization",
                           "AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/sqs/aws4_request,"
                           " SignedHeaders=" + signed_list + ", Signature=" +
                               std::string(64, 'a'));
  req.headers.emplace_back("x-spaces", std::string(1 << 20, ' ') + "a" + std::string(1 << 20, ' '));
  const auto e = VerifySigV4(req, creds, 1796640060, {}, nullptr);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");
  EXPECT_EQ(sigv4::TrimAll(req.headers.back().second), "a");
}

TEST(SigV4DateHeader, DateHeaderFormIsParsedCheckedAndMustBeSigned) {
  CredentialSet creds;
  creds.Add("AKID", "secret");
  HttpRequest req;
  req.method = "GET";
  req.target = "/";
  req.headers = {{"host", "localhost"},
                 {"date", "Mon, 07 Dec 2026 10:41:00 GMT"},
                 {"authorization",
                  "AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/sqs/aws4_request,"
                  "SignedHeaders=date;host,Signature=" + std::string(64, '0')}};
  const int64_t t = 1796640060;
  auto e = VerifySigV4(req, creds, t, {}, nullptr);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");  // got past parsing, the clock and the scope
  e = VerifySigV4(req, creds, t + 16 * kMinute, {}, nullptr);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "RequestExpired");
  req.headers[2].second = "AWS4-HMAC-SHA256 Credential=AKID/20261206/us-east-1/sqs/aws4_request,"
                          "SignedHeaders=date;host,Signature=" + std::string(64, '0');
  e = VerifySigV4(req, creds, t, {}, nullptr);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "SignatureDoesNotMatch");
  EXPECT_NE(e->message.find("'20261206' != '20261207'"), std::string::npos) << e->message;
  req.headers[2].second = "AWS4-HMAC-SHA256 Credential=AKID/20261207/us-east-1/sqs/aws4_request,"
                          "SignedHeaders=host,Signature=" + std::string(64, '0');
  e = VerifySigV4(req, creds, t, {}, nullptr);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "IncompleteSignature");
  req.headers[1].second = "Mon, 07 Dec 2026 10:41:00 UTC";
  e = VerifySigV4(req, creds, t, {}, nullptr);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "IncompleteSignature");
}

TEST(SigV4Parse, AuthorizationHeader) {
  SigV4Authorization a;
  std::string why;
  ASSERT_TRUE(ParseAuthorization(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
      "SignedHeaders=content-type;host;x-amz-date, "
      "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
      &a, &why))
      << why;
  EXPECT_EQ(a.access_key, "AKIDEXAMPLE");
  EXPECT_EQ(a.date, "20150830");
  EXPECT_EQ(a.region, "us-east-1");
  EXPECT_EQ(a.service, "iam");
  EXPECT_EQ(a.signed_headers, (std::vector<std::string>{"content-type", "host", "x-amz-date"}));
  EXPECT_EQ(a.signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  // No spaces after the commas, parts in another order (other SDKs).
  ASSERT_TRUE(ParseAuthorization("AWS4-HMAC-SHA256 Signature=" + std::string(64, 'f') +
                                     ",Credential=K/20261207/eu-west-1/kinesis/aws4_request,"
                                     "SignedHeaders=host",
                                 &a, &why))
      << why;
  EXPECT_EQ(a.service, "kinesis");
  EXPECT_EQ(a.signed_headers, std::vector<std::string>{"host"});

  const std::string missing = "AWS4-HMAC-SHA256 Credential=K/20261207/r/s/aws4_request";
  EXPECT_FALSE(ParseAuthorization(missing, &a, &why));
  EXPECT_NE(why.find("Authorization header requires 'SignedHeaders' parameter."),
            std::string::npos) << why;
  EXPECT_NE(why.find("Authorization header requires 'Signature' parameter."), std::string::npos);
  EXPECT_FALSE(ParseAuthorization("AWS4-HMAC-SHA256 Credential=K/20261207/r//aws4_request, "
                                  "SignedHeaders=host, Signature=" + std::string(64, '0'),
                                  &a, &why));
  EXPECT_FALSE(ParseAuthorization("AWS4-HMAC-SHA256 Credential=K/20261207/r/s/t/aws4_request, "
                                  "SignedHeaders=host, Signature=" + std::string(64, '0'),
                                  &a, &why));
  EXPECT_FALSE(ParseAuthorization("AWS4-HMAC-SHA256 Credential=K/20261207/r/s/aws4_request, "
                                  "SignedHeaders=host;, Signature=" + std::string(64, '0'),
                                  &a, &why));
}

TEST(SigV4Parse, MessagesEchoOnlyShortPrintableText) {
  SigV4Authorization a;
  std::string why;
  const std::string junk = "AWS4-HMAC-SHA256 Credential=K/20261207/r/s/\xff\xfe" +
                           std::string(100000, 'z') + ", SignedHeaders=host, Signature=" +
                           std::string(64, '0');
  EXPECT_FALSE(ParseAuthorization(junk, &a, &why));
  EXPECT_LT(why.size(), 300u) << why;
  for (const char c : why) EXPECT_TRUE(c >= 0x20 && c <= 0x7e) << why;
  EXPECT_NE(why.find("not '??zzz"), std::string::npos) << why;
}

TEST(SigV4Parse, PeekWithoutAuthorizationIsNothing) {
  HttpRequest req;
  req.target = "/?Action=ListQueues";
  EXPECT_FALSE(PeekAuthorization(req).has_value());
  req.headers.emplace_back("authorization", "AWS4-HMAC-SHA256 Credential=junk");
  EXPECT_FALSE(PeekAuthorization(req).has_value());
}

// AWS's documented key derivation example (IAM User Guide, "Examples of how to derive a
// signing key for Signature Version 4").
TEST(SigV4Canonical, AwsDocumentedSigningKey) {
  const auto key = sigv4::SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215",
                                     "us-east-1", "iam");
  EXPECT_EQ(HexOf(key), "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

// AWS's published SigV4 test suite, case get-vanilla: GET / with host and x-amz-date signed.
TEST(SigV4Canonical, AwsTestSuiteGetVanilla) {
  HttpRequest req;
  req.method = "GET";
  req.target = "/";
  req.headers = {{"host", "example.amazonaws.com"},
                 {"x-amz-date", "20150830T123600Z"},
                 {"authorization",
                  "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
                  "aws4_request, SignedHeaders=host;x-amz-date, "
                  "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"}};
  CredentialSet creds;
  creds.Add("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  const auto t = sigv4::ParseAmzDate("20150830T123600Z");
  ASSERT_TRUE(t.has_value());
  const auto e = VerifySigV4(req, creds, *t, {}, nullptr);
  EXPECT_FALSE(e.has_value()) << e->code << ": " << e->message;
}

TEST(SigV4Canonical, PathIsNormalizedThenEncodedAgain) {
  EXPECT_EQ(sigv4::CanonicalPath(""), "/");
  EXPECT_EQ(sigv4::CanonicalPath("/"), "/");
  EXPECT_EQ(sigv4::CanonicalPath("/a//b/./c/../d/"), "/a/b/d/");
  EXPECT_EQ(sigv4::CanonicalPath("/.."), "/");
  EXPECT_EQ(sigv4::CanonicalPath("/a/b/../.."), "/");
  EXPECT_EQ(sigv4::CanonicalPath("/000000000000/q1"), "/000000000000/q1");
  EXPECT_EQ(sigv4::CanonicalPath("/a%20b/%2F"), "/a%2520b/%252F");
  EXPECT_EQ(sigv4::CanonicalPath("/\xc3\xbc~x-_.y!$'()*=:@"),
            "/%C3%BC~x-_.y%21%24%27%28%29%2A%3D%3A%40");
}

TEST(SigV4Canonical, QueryIsDecodedEncodedAndSorted) {
  const auto params = sigv4::ParseQuery("b=x+y&a=%7e%2f&a=1&flag&&c=&X-Amz-Signature=s&%E2%9C%93=%zz");
  EXPECT_EQ(sigv4::CanonicalQuery(params, ""),
            "%E2%9C%93=%25zz&X-Amz-Signature=s&a=1&a=~%2F&b=x%20y&c=&flag=");  // byte order
  EXPECT_EQ(sigv4::CanonicalQuery(params, "X-Amz-Signature"),
            "%E2%9C%93=%25zz&a=1&a=~%2F&b=x%20y&c=&flag=");
  EXPECT_EQ(sigv4::CanonicalQuery(sigv4::ParseQuery(""), ""), "");
  EXPECT_EQ(sigv4::UriEncode("a b/c~", false), "a%20b%2Fc~");
  EXPECT_EQ(sigv4::PercentDecode("%41%4a%4A+%", false), "AJJ+%");
}

TEST(SigV4Canonical, HeaderValuesAreTrimmedAndCollapsed) {
  EXPECT_EQ(sigv4::TrimAll("  a   b\t\tc  "), "a b c");
  EXPECT_EQ(sigv4::TrimAll("plain"), "plain");
  EXPECT_EQ(sigv4::TrimAll(" \t "), "");
  EXPECT_EQ(sigv4::TrimAll("\"a  b\""), "\"a b\"");
}

TEST(SigV4Canonical, Dates) {
  const auto t = sigv4::ParseAmzDate("20261207T104100Z");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(*t, 1796640060);
  EXPECT_EQ(sigv4::FormatAmzDate(*t), "20261207T104100Z");
  EXPECT_EQ(sigv4::FormatAmzDate(951782400), "20000229T000000Z");
  EXPECT_EQ(sigv4::ParseHttpDate("Mon, 07 Dec 2026 10:41:00 GMT"), t);
  EXPECT_EQ(sigv4::ParseAmzDate("20000229T000000Z"), std::optional<int64_t>(951782400));
  for (const char* bad : {"20261307T104100Z", "20260230T104100Z", "20261207T244100Z",
                          "20261207 104100Z", "20261207T104100", "2026-12-07T10:41:00Z", ""}) {
    EXPECT_FALSE(sigv4::ParseAmzDate(bad).has_value()) << bad;
  }
  for (const char* bad : {"Mon, 07 Dex 2026 10:41:00 GMT", "Mon, 7 Dec 2026 10:41:00 GMT",
                          "Monday, 07-Dec-26 10:41:00 GMT", "Mon, 07 Dec 2026 10:41:00 UTC"}) {
    EXPECT_FALSE(sigv4::ParseHttpDate(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace seglog::server
