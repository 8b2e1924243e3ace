// Digests shared by the rooms above the log core (SQS content-based deduplication ids today;
// message checksums later). Pure functions over bytes; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace seglog {

// SHA-256 of `data` as 64 lowercase hex digits.
std::string Sha256Hex(std::span<const uint8_t> data);

}  // namespace seglog
