// Fuzz target: SigV4's parsing and verification (server/auth/sigv4.h) on arbitrary bytes.
// The input is parsed as an Authorization header, then verified as the Authorization header of
// a fixed request (known key, date inside the window), then as its query string (presigned
// form). Nothing may crash, hang or grow without bound; a verification may only fail.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/auth/sigv4.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace seglog::server;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  static const CredentialSet* creds = [] {
    auto* c = new CredentialSet();
    c->Add("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    return c;
  }();
  constexpr int64_t kNow = 1796640060;  // 2026-12-07T10:41:00Z

  SigV4Authorization auth;
  std::string why;
  if (!ParseAuthorization(input, &auth, &why) && why.empty()) __builtin_trap();

  HttpRequest req;
  req.method = "POST";
  req.target = "/000000000000/q1";
  req.headers = {{"host", "localhost:9324"},
                 {"x-amz-date", "20261207T104100Z"},
                 {"content-type", "application/x-amz-json-1.0"},
                 {"authorization", std::string(input)}};
  req.body = "{\"QueueUrl\":\"q1\"}";
  SigV4Options opt;
  const auto e = VerifySigV4(req, *creds, kNow, opt, nullptr);
  if (e && e->code.empty()) __builtin_trap();
  (void)PeekAuthorization(req);

  HttpRequest presigned;
  presigned.method = "GET";
  presigned.target = "/?" + std::string(input);
  presigned.headers = {{"host", "localhost:9324"}};
  (void)VerifySigV4(presigned, *creds, kNow, opt, nullptr);
  (void)PeekAuthorization(presigned);
  return 0;
}
