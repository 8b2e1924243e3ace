// application/x-www-form-urlencoded (and URL query string) decoding for the Query protocol:
// "a=1&b=x%20y+z". Strict: a '%' not followed by two hex digits is an error (400
// MalformedQueryString), never guessed at. Bounded: at most FormLimits::max_params
// parameters and max_key_bytes per name; values are bounded by the body limit upstream.
//
// Pure functions; thread-safe. No durability.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "server/service.h"

namespace seglog::server::protocol {

// Sorted by name: the Query decoder finds "Prefix.N..." families by range scans.
using FormParams = std::map<std::string, std::string, std::less<>>;

struct FormLimits {
  size_t max_params = 4096;    // SendMessageBatch with 10 entries x 10 attributes needs ~500
  size_t max_key_bytes = 512;
};

// Decodes one percent-encoded component ('+' is a space). False on a malformed escape.
bool PercentDecode(std::string_view in, std::string* out);

// Adds the pairs of `text` to *out (a repeated name: the last wins; "a" alone = "a="; empty
// pieces between '&' are skipped). An error names what was wrong, never echoes huge input.
std::optional<ServiceError> ParseForm(std::string_view text, FormParams* out,
                                      const FormLimits& limits = {});

}  // namespace seglog::server::protocol
