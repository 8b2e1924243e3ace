// SigV4 verification (server/auth/sigv4.h): parse what the request claims (Authorization header
// or presigned query), check the clock and the scope, then recompute the signature from the
// canonical request (server/auth/sigv4_canonical.h) and compare in constant time. Messages name
// what the client sent (cut short), never a secret nor the expected signature.
#include "server/auth/sigv4.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <span>

#include "engine/log/digest.h"
#include "server/auth/sigv4_canonical.h"

namespace seglog::server {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
constexpr int64_t kMaxPresignExpires = 604800;

// Client-supplied text for a message: at most 64 bytes, printable ASCII only (other bytes
// become '?'), so that the message is valid UTF-8 for any codec that renders it.
std::string Cut(std::string_view s) {
  std::string out(s.substr(0, 64));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  return s.size() <= 64 ? out : out + "...";
}

ServiceError Err(int status, std::string code, std::string message) {
  return ServiceError{status, std::move(code), std::move(message), true};
}
ServiceError Incomplete(std::string m) { return Err(400, "IncompleteSignature", std::move(m)); }
ServiceError Mismatch(std::string m) { return Err(403, "SignatureDoesNotMatch", std::move(m)); }
ServiceError Expired(std::string m) { return Err(400, "RequestExpired", std::move(m)); }
ServiceError MismatchDefault() {
  return Mismatch(
      "The request signature we calculated does not match the signature you provided. Check "
      "your AWS Secret Access Key and signing method.");
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsTokenChar(char c) {  // lower-case header-name characters (RFC 9110 tchar, no upper case)
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool ParseCredential(std::string_view cred, SigV4Authorization* out, std::string* why) {
  std::string_view parts[5];
  if (std::count(cred.begin(), cred.end(), '/') != 4) {
    *why = "Credential must have the form <key>/<yyyymmdd>/<region>/<service>/aws4_request, not '" +
           Cut(cred) + "'.";
    return false;
  }
  for (size_t n = 0, pos = 0; n < 5; ++n) {
    const size_t slash = std::min(cred.find('/', pos), cred.size());
    parts[n] = cred.substr(pos, slash - pos);
    pos = slash + 1;
  }
  for (const auto& p : parts) {
    if (p.empty()) {
      *why = "Credential has an empty part: '" + Cut(cred) + "'.";
      return false;
    }
  }
  const std::string_view date = parts[1];
  if (date.size() != 8 || !std::all_of(date.begin(), date.end(), [](char c) {
        return c >= '0' && c <= '9';
      })) {
    *why = "Credential's date must be yyyymmdd, not '" + Cut(date) + "'.";
    return false;
  }
  if (parts[4] != "aws4_request") {
    *why = "Credential should be scoped with a valid terminator: 'aws4_request', not '" +
           Cut(parts[4]) + "'.";
    return false;
  }
  out->access_key = std::string(parts[0]);
  out->date = std::string(date);
  out->region = std::string(parts[2]);
  out->service = std::string(parts[3]);
  return true;
}

bool ParseSignedHeaders(std::string_view list, SigV4Authorization* out, std::string* why) {
  out->signed_headers.clear();
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t semi = list.find(';', pos);
    if (semi == std::string_view::npos) semi = list.size();
    const std::string_view name = list.substr(pos, semi - pos);
    if (name.empty() || !std::all_of(name.begin(), name.end(), IsTokenChar)) {
      *why = "SignedHeaders must be lower-case header names separated by ';', not '" +
             Cut(list) + "'.";
      return false;
    }
    out->signed_headers.emplace_back(name);
    pos = semi + 1;
  }
  return true;
}

bool ParseSignature(std::string_view sig, SigV4Authorization* out, std::string* why) {
  if (sig.size() != 64 || !std::all_of(sig.begin(), sig.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
      })) {
    *why = "Signature must be 64 lower-case hex digits.";
    return false;
  }
  out->signature = std::string(sig);
  return true;
}

// The first query parameter of that name, or nullptr.
const std::string* QueryParam(const std::vector<std::pair<std::string, std::string>>& params,
                              std::string_view name) {
  for (const auto& p : params) {
    if (p.first == name) return &p.second;
  }
  return nullptr;
}

bool HasPresignParams(const std::vector<std::pair<std::string, std::string>>& params) {
  return QueryParam(params, "X-Amz-Algorithm") || QueryParam(params, "X-Amz-Credential") ||
         QueryParam(params, "X-Amz-Signature");
}

bool Signs(const SigV4Authorization& a, std::string_view name) {
  return std::find(a.signed_headers.begin(), a.signed_headers.end(), name) !=
         a.signed_headers.end();
}

// What a request claims, in either form.
struct Claim {
  SigV4Authorization auth;
  std::string amz_date;   // yyyymmddThhmmssZ, as signed
  int64_t date_unix = 0;
  bool presigned = false;
  int64_t expires_s = 0;  // presigned only
};

std::optional<ServiceError> ClaimFromHeader(const HttpRequest& req, const std::string& header,
                                            Claim* c) {
  std::string why;
  if (!ParseAuthorization(header, &c->auth, &why)) return Incomplete(why);
  const std::string* amz = req.Header("x-amz-date");
  const std::string* date = amz ? amz : req.Header("date");
  if (date == nullptr) {
    return Incomplete(
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  const auto t = amz ? sigv4::ParseAmzDate(*amz) : sigv4::ParseHttpDate(*date);
  if (!t) {
    return Incomplete(amz ? "X-Amz-Date must have the form yyyymmddThhmmssZ, not '" + Cut(*amz) +
                                "'."
                          : "Date must have the RFC 1123 form, not '" + Cut(*date) + "'.");
  }
  c->date_unix = *t;
  c->amz_date = amz ? *amz : sigv4::FormatAmzDate(*t);
  if (!Signs(c->auth, "host")) return Incomplete("'Host' must be a signed header.");
  if (!Signs(c->auth, amz ? "x-amz-date" : "date")) {
    return Incomplete(amz ? "'X-Amz-Date' must be a signed header."
                          : "'Date' must be a signed header.");
  }
  return std::nullopt;
}

std::optional<ServiceError> ClaimFromQuery(
    const std::vector<std::pair<std::string, std::string>>& params, Claim* c) {
  static const char* kRequired[] = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
                                    "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"};
  std::string missing;
  for (const char* name : kRequired) {
    if (!QueryParam(params, name)) missing += std::string(missing.empty() ? "" : ", ") + name;
  }
  if (!missing.empty()) return Incomplete("The presigned query string lacks " + missing + ".");
  if (*QueryParam(params, "X-Amz-Algorithm") != kAlgorithm) {
    return Incomplete("X-Amz-Algorithm must be AWS4-HMAC-SHA256.");
  }
  std::string why;
  if (!ParseCredential(*QueryParam(params, "X-Amz-Credential"), &c->auth, &why) ||
      !ParseSignedHeaders(*QueryParam(params, "X-Amz-SignedHeaders"), &c->auth, &why) ||
      !ParseSignature(*QueryParam(params, "X-Amz-Signature"), &c->auth, &why)) {
    return Incomplete(why);
  }
  const std::string& date = *QueryParam(params, "X-Amz-Date");
  const auto t = sigv4::ParseAmzDate(date);
  if (!t) return Incomplete("X-Amz-Date must have the form yyyymmddThhmmssZ.");
  const std::string& expires = *QueryParam(params, "X-Amz-Expires");
  int64_t e = 0;
  for (const char ch : expires) {
    if (ch < '0' || ch > '9' || e > kMaxPresignExpires) {
      e = kMaxPresignExpires + 1;
      break;
    }
    e = e * 10 + (ch - '0');
  }
  if (expires.empty() || e > kMaxPresignExpires) {
    return Incomplete("X-Amz-Expires must be a number of seconds from 0 to 604800 (a week).");
  }
  if (!Signs(c->auth, "host")) return Incomplete("'Host' must be a signed header.");
  c->date_unix = *t;
  c->amz_date = date;
  c->presigned = true;
  c->expires_s = e;
  return std::nullopt;
}

std::optional<ServiceError> CheckClock(const Claim& c, int64_t now, int64_t skew) {
  const std::string minutes = std::to_string(skew / 60) + " min.)";
  if (c.date_unix > now + skew) {
    return Expired("Signature not yet current: " + c.amz_date + " is still later than " +
                   sigv4::FormatAmzDate(now + skew) + " (" + sigv4::FormatAmzDate(now) + " + " +
                   minutes);
  }
  if (c.presigned) {
    if (now > c.date_unix + c.expires_s) return Expired("Request has expired");
  } else if (c.date_unix < now - skew) {
    return Expired("Signature expired: " + c.amz_date + " is now earlier than " +
                   sigv4::FormatAmzDate(now - skew) + " (" + sigv4::FormatAmzDate(now) + " - " +
                   minutes);
  }
  return std::nullopt;
}

std::optional<ServiceError> CheckScope(const Claim& c, const SigV4Options& opt) {
  if (!opt.region.empty() && c.auth.region != opt.region) {
    return Mismatch("Credential should be scoped to a valid region, not '" + Cut(c.auth.region) +
                    "'.");
  }
  if (!opt.service.empty() && c.auth.service != opt.service) {
    return Mismatch("Credential should be scoped to correct service: '" + opt.service + "'.");
  }
  if (c.auth.date != c.amz_date.substr(0, 8)) {
    return Mismatch("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
                    "date from HTTP: '" + c.auth.date + "' != '" + c.amz_date.substr(0, 8) +
                    "', from '" + c.amz_date + "'.");
  }
  return std::nullopt;
}

// "name:value\n" for each signed header in listed order; repeated headers' values joined by
// ','. Headers are looked up through one sorted index: O((S + H) log H), never S * H.
std::string CanonicalHeaders(const HttpRequest& req, const std::vector<std::string>& names) {
  std::vector<size_t> index(req.headers.size());
  for (size_t i = 0; i < index.size(); ++i) index[i] = i;
  std::stable_sort(index.begin(), index.end(), [&](size_t a, size_t b) {
    return req.headers[a].first < req.headers[b].first;
  });
  std::string out;
  for (const auto& name : names) {
    out.append(name).push_back(':');
    auto it = std::lower_bound(index.begin(), index.end(), name, [&](size_t i, const auto& n) {
      return req.headers[i].first < n;
    });
    for (bool first = true; it != index.end() && req.headers[*it].first == name; ++it) {
      if (!first) out.push_back(',');
      first = false;
      out.append(sigv4::TrimAll(req.headers[*it].second));
    }
    out.push_back('\n');
  }
  return out;
}

std::string JoinSignedHeaders(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out.push_back(';');
    out.append(n);
  }
  return out;
}

std::string Sha256HexOf(std::string_view s) {
  return Sha256Hex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

// The payload hash the signature covers: x-amz-content-sha256 when sent (UNSIGNED-PAYLOAD, or
// the body's hash, checked), else the body's hash (botocore's SigV4QueryAuth hashes the body
// too: presigned URLs of services other than S3 carry no UNSIGNED-PAYLOAD of their own).
std::optional<ServiceError> PayloadHash(const HttpRequest& req, std::string* out) {
  const std::string* declared = req.Header("x-amz-content-sha256");
  if (declared == nullptr) {
    *out = Sha256HexOf(req.body);
    return std::nullopt;
  }
  if (*declared == kUnsignedPayload) {
    *out = *declared;
    return std::nullopt;
  }
  const bool hex = declared->size() == 64 && std::all_of(declared->begin(), declared->end(), [](
                                                 char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
  if (!hex) {
    return Incomplete("x-amz-content-sha256 must be the payload's hex SHA-256 or "
                      "UNSIGNED-PAYLOAD.");
  }
  if (*declared != Sha256HexOf(req.body)) {
    return Mismatch("The provided 'x-amz-content-sha256' header does not match what was "
                    "computed.");
  }
  *out = *declared;
  return std::nullopt;
}

}  // namespace

bool ParseAuthorization(std::string_view header, SigV4Authorization* out, std::string* why) {
  header = TrimSpaces(header);
  if (header.substr(0, kAlgorithm.size()) != kAlgorithm || header.size() == kAlgorithm.size() ||
      header[kAlgorithm.size()] != ' ') {
    *why = "Authorization header must start with 'AWS4-HMAC-SHA256 ' (the only algorithm "
           "supported).";
    return false;
  }
  header.remove_prefix(kAlgorithm.size() + 1);
  SigV4Authorization a;
  bool seen[3] = {false, false, false};
  static const std::string_view kNames[3] = {"Credential", "SignedHeaders", "Signature"};
  size_t pos = 0;
  while (pos <= header.size()) {
    size_t comma = header.find(',', pos);
    if (comma == std::string_view::npos) comma = header.size();
    const std::string_view part = TrimSpaces(header.substr(pos, comma - pos));
    pos = comma + 1;
    const size_t eq = part.find('=');
    const std::string_view name = part.substr(0, eq == std::string_view::npos ? 0 : eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    int which = -1;
    for (int i = 0; i < 3; ++i) {
      if (name == kNames[i]) which = i;
    }
    if (which < 0 || seen[which]) {
      *why = which < 0 ? "Authorization header has an unknown part '" + Cut(part) + "'."
                       : "Authorization header gives '" + std::string(name) + "' twice.";
      return false;
    }
    seen[which] = true;
    const bool ok = which == 0   ? ParseCredential(value, &a, why)
                    : which == 1 ? ParseSignedHeaders(value, &a, why)
                                 : ParseSignature(value, &a, why);
    if (!ok) return false;
  }
  std::string missing;
  for (int i = 0; i < 3; ++i) {
    if (!seen[i]) missing += "Authorization header requires '" + std::string(kNames[i]) +
                             "' parameter. ";
  }
  if (!missing.empty()) {
    missing.pop_back();
    *why = missing;
    return false;
  }
  *out = std::move(a);
  return true;
}

std::optional<SigV4Authorization> PeekAuthorization(const HttpRequest& req) {
  Claim c;
  std::string why;
  if (const std::string* h = req.Header("authorization")) {
    if (!ParseAuthorization(*h, &c.auth, &why)) return std::nullopt;
    return c.auth;
  }
  const auto params = sigv4::ParseQuery(req.Query());
  if (!HasPresignParams(params) || ClaimFromQuery(params, &c)) return std::nullopt;
  return c.auth;
}

std::optional<ServiceError> VerifySigV4(const HttpRequest& req, const CredentialSet& creds,
                                        int64_t now_unix_s, const SigV4Options& opt,
                                        SigV4Authorization* out) {
  const std::string* header = req.Header("authorization");
  const auto params = sigv4::ParseQuery(req.Query());
  const bool presigned = HasPresignParams(params);
  if (header == nullptr && !presigned) {
    return Err(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
  }
  if (header != nullptr && presigned) {
    return Incomplete("Only one auth mechanism allowed; only the X-Amz-Algorithm query "
                      "parameter or the Authorization header should be specified.");
  }
  Claim c;
  if (auto e = presigned ? ClaimFromQuery(params, &c) : ClaimFromHeader(req, *header, &c)) {
    return e;
  }
  if (auto e = CheckClock(c, now_unix_s, opt.clock_skew_s)) return e;
  if (auto e = CheckScope(c, opt)) return e;
  const std::string* secret = creds.Secret(c.auth.access_key);
  if (secret == nullptr) {
    return Err(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
  }
  std::string payload;
  if (auto e = PayloadHash(req, &payload)) return e;

  const std::string canonical =
      req.method + "\n" + sigv4::CanonicalPath(req.Path()) + "\n" +
      sigv4::CanonicalQuery(params, c.presigned ? "X-Amz-Signature" : "") + "\n" +
      CanonicalHeaders(req, c.auth.signed_headers) + "\n" +
      JoinSignedHeaders(c.auth.signed_headers) + "\n" + payload;
  const std::string to_sign = std::string(kAlgorithm) + "\n" + c.amz_date + "\n" + c.auth.date +
                              "/" + c.auth.region + "/" + c.auth.service + "/aws4_request\n" +
                              Sha256HexOf(canonical);
  auto key = sigv4::SigningKey(*secret, c.auth.date, c.auth.region, c.auth.service);
  const std::string expected = sigv4::HexHmacSha256(key, to_sign);
  OPENSSL_cleanse(key.data(), key.size());
  const bool match =
      CRYPTO_memcmp(expected.data(), c.auth.signature.data(), expected.size()) == 0;
  if (!match) return MismatchDefault();
  if (out != nullptr) *out = std::move(c.auth);
  return std::nullopt;
}

}  // namespace seglog::server
