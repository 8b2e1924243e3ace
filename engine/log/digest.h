// Digests shared by the rooms above the log core: partition-key hashing (streams), content-based
// deduplication ids, MessageIds and SQS's MD5 checksums (queues). Pure functions over bytes;
// thread-safe. Each runs on an OpenSSL context kept per thread with its algorithm fetched once:
// the one-shot EVP_Digest allocates a context and looks the algorithm up under a lock on every
// call (14 % of a single-producer put in a profile, engine/streams/hash_key.cc).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace seglog {

std::array<uint8_t, 16> Md5(std::span<const uint8_t> data);
std::array<uint8_t, 32> Sha256(std::span<const uint8_t> data);

// Lower-case hex of `bytes`.
std::string HexOf(std::span<const uint8_t> bytes);

// SHA-256 of `data` as 64 lowercase hex digits.
std::string Sha256Hex(std::span<const uint8_t> data);

}  // namespace seglog
