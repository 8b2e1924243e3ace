#include "engine/log/digest.h"

#include <openssl/evp.h>

#include <stdexcept>

namespace seglog {

std::string Sha256Hex(std::span<const uint8_t> data) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len,
                 sha256 != nullptr ? sha256 : EVP_sha256(), nullptr) != 1 ||
      len != 32) {
    throw std::runtime_error("SHA-256 failed");  // only on allocation failure
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(64, '0');
  for (unsigned int i = 0; i < 32; ++i) {
    out[2 * i] = kHex[digest[i] >> 4];
    out[2 * i + 1] = kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace seglog
