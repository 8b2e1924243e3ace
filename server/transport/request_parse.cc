#include "server/transport/request_parse.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace seglog::server::transport {

namespace http = boost::beast::http;

void PrepareParser(RequestParser* parser, size_t max_header_bytes) {
  parser->header_limit(static_cast<std::uint32_t>(
      std::min<size_t>(max_header_bytes, std::numeric_limits<std::uint32_t>::max())));
  // No body limit while the head is read (Beast checks Content-Length against it when the
  // head completes, before the handler could pick the limit); ApplyBodyLimit sets it. Not
  // boost::none: Beast 1.74 compares a length with an empty optional as "over the limit".
  parser->body_limit(std::numeric_limits<std::uint64_t>::max());
}

// GCC 12 at -O1 (the sanitizer builds) warns that boost::optional's storage "may be used
// uninitialized" inside Beast's content_length() (a false positive in a system header that
// -Werror would turn into an error): the optional is read here, once, with that warning off.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
std::optional<uint64_t> ContentLength(const RequestParser& parser) {
  const boost::optional<uint64_t> n = parser.content_length();
  if (!n) return std::nullopt;
  return *n;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

BodyVerdict ApplyBodyLimit(RequestParser* parser, size_t limit) {
  const std::optional<uint64_t> length = ContentLength(*parser);
  if (length && *length > limit) return BodyVerdict::kTooLarge;
  parser->body_limit(limit);
  return BodyVerdict::kOk;
}

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

HttpRequest HeadToRequest(const RequestParser& parser) {
  const auto& msg = parser.get();
  HttpRequest req;
  req.method = std::string(msg.method_string());
  req.target = std::string(msg.target());
  for (const auto& field : msg) {
    req.headers.emplace_back(Lower(field.name_string()), std::string(Trim(field.value())));
  }
  return req;
}

bool WantsContinue(const HttpRequest& head) {
  const std::string* expect = head.Header("expect");
  return expect != nullptr && Lower(*expect) == "100-continue";
}

}  // namespace seglog::server::transport
