// Base64 for seglogd's wire values (RFC 4648): standard padded base64, what AWS's JSON and
// Query protocols carry blobs as (SQS binary attributes, Kinesis record data), and unpadded
// base64url (Kinesis shard iterator tokens). Decoding accepts only canonical text: the right
// alphabet, the right padding, no whitespace, zero unused bits.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace seglog::server {

std::string Base64Encode(std::string_view bytes);
// False (and *out unspecified) for anything but canonical padded base64.
bool Base64Decode(std::string_view text, std::string* out);
std::string Base64UrlEncode(std::string_view bytes);
bool Base64UrlDecode(std::string_view text, std::string* out);

}  // namespace seglog::server
