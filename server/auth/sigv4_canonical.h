// The pieces of SigV4's canonical request, string to sign and key chain (server/auth/sigv4.h
// puts them together). Separate so that tests can check each against hand-computed values.
// Each runs in time linear in its input (sorting aside): a 1 MB header costs a pass, never a
// square.
//
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace seglog::server::sigv4 {

// Percent-encodes every byte but RFC 3986's unreserved ones (A-Z a-z 0-9 - _ . ~), and '/'
// when keep_slash; upper-case hex ("%2F").
std::string UriEncode(std::string_view bytes, bool keep_slash);

// Decodes %XX escapes (an invalid escape stays as it is, as Python's unquote leaves it);
// '+' becomes a space when plus_is_space (query strings: form encoding).
std::string PercentDecode(std::string_view s, bool plus_is_space);

// The canonical URI as botocore computes it for every service but S3: empty segments and "."
// dropped, ".." resolved (RFC 3986 5.2.4), then the result percent-encoded with '/' and '~'
// kept, so that an already-encoded path ("%20") is encoded again ("%2520"). "" becomes "/".
std::string CanonicalPath(std::string_view raw_path);

// A query string's name/value pairs, decoded, in order; empty pieces ("a=1&&b=2") skipped.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view raw_query);

// The canonical query string: each name and value encoded (UriEncode, '/' encoded), sorted by
// name then value, "name=value" joined with '&'. Pairs named `skip_name` (the presigned form's
// X-Amz-Signature) are left out.
std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& params,
                           std::string_view skip_name);

// A header value with leading/trailing whitespace removed and inner runs collapsed to one space
// (botocore: ' '.join(value.split())).
std::string TrimAll(std::string_view value);

// kSecret = HMAC("AWS4" + secret, date) -> region -> service -> "aws4_request".
std::array<uint8_t, 32> SigningKey(std::string_view secret, std::string_view date,
                                   std::string_view region, std::string_view service);

// Lower-case hex of HMAC-SHA256(key, data).
std::string HexHmacSha256(const std::array<uint8_t, 32>& key, std::string_view data);

// "20261207T104100Z" -> unix seconds; nullopt unless exactly that shape with valid fields.
std::optional<int64_t> ParseAmzDate(std::string_view s);
// RFC 1123 ("Mon, 07 Dec 2026 10:41:00 GMT") -> unix seconds.
std::optional<int64_t> ParseHttpDate(std::string_view s);
// unix seconds -> "20261207T104100Z".
std::string FormatAmzDate(int64_t unix_s);

}  // namespace seglog::server::sigv4
