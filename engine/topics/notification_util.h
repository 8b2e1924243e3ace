// Small pure helpers of the notification code (notification.cc, notification_signer.cc):
// base64, JSON string escaping, SNS's timestamp and URL encoding. Internal to engine/topics.
//
// Thread-safety: pure functions. Durability: none (no files).
#pragma once

#include <string>
#include <string_view>

#include "format/types.h"

namespace seglog::notification_internal {

// Standard base64 (RFC 4648, with padding).
std::string Base64(ByteView data);
// Appends `s` as a JSON string literal (quotes included): '"', '\\' and the control characters
// below 0x20 are escaped (\b \f \n \r \t, else \u00XX); every other byte (UTF-8 included) is
// copied as is, so the output is deterministic and round-trips through any JSON parser.
void AppendJsonString(std::string_view s, std::string* out);
// SNS's Timestamp: ISO 8601 UTC with milliseconds, "2012-05-02T00:54:06.655Z".
std::string IsoTimestampMs(int64_t ms_since_epoch);
// Percent-encodes every byte outside [A-Za-z0-9-._~:] (ARNs keep their colons, as SNS's do).
std::string UrlEncodeArn(std::string_view s);

}  // namespace seglog::notification_internal
