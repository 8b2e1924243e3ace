#include "engine/log/digest.h"

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

namespace seglog {

namespace {

const EVP_MD* Md5Algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "MD5", nullptr);
  return md != nullptr ? md : EVP_md5();
}

const EVP_MD* Sha256Algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md != nullptr ? md : EVP_sha256();
}

// Digest of `data` with `md` into `out` (sized to the digest). Fails (throws) only when
// OpenSSL cannot allocate; the C API turns that into SEGLOG_EINTERNAL.
void Digest(const EVP_MD* md, std::span<const uint8_t> data, std::span<uint8_t> out) {
  struct Ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Ctx t;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (t.ctx == nullptr || EVP_DigestInit_ex2(t.ctx, md, nullptr) != 1 ||
      EVP_DigestUpdate(t.ctx, data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(t.ctx, digest, &len) != 1 || len != out.size()) {
    throw std::runtime_error("message digest failed");
  }
  std::copy_n(digest, len, out.begin());
}

}  // namespace

std::array<uint8_t, 16> Md5(std::span<const uint8_t> data) {
  std::array<uint8_t, 16> out;
  Digest(Md5Algorithm(), data, out);
  return out;
}

std::array<uint8_t, 32> Sha256(std::span<const uint8_t> data) {
  std::array<uint8_t, 32> out;
  Digest(Sha256Algorithm(), data, out);
  return out;
}

std::string HexOf(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes.size());
  for (uint8_t b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

std::string Sha256Hex(std::span<const uint8_t> data) { return HexOf(Sha256(data)); }

}  // namespace seglog
