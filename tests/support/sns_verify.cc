// tests/support/sns_verify.h
#include "tests/support/sns_verify.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace seglog {

using nlohmann::ordered_json;

// AWS's verification algorithm, from the parsed envelope: the string to sign from its fields,
// the base64 signature checked with the certificate's public key.
bool VerifySnsEnvelope(const std::string& envelope, const std::string& cert_pem) {
  const ordered_json j = ordered_json::parse(envelope);
  std::string to_sign;
  for (const char* k : {"Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"}) {
    if (!j.contains(k)) continue;
    to_sign += std::string(k) + "\n" + j[k].get<std::string>() + "\n";
  }
  const std::string version = j["SignatureVersion"].get<std::string>();
  const EVP_MD* md = version == "1" ? EVP_sha1() : version == "2" ? EVP_sha256() : nullptr;
  if (md == nullptr) return false;
  const std::string b64 = j["Signature"].get<std::string>();
  std::vector<unsigned char> sig(b64.size());
  const int n = EVP_DecodeBlock(sig.data(), reinterpret_cast<const unsigned char*>(b64.data()),
                                static_cast<int>(b64.size()));
  if (n <= 0) return false;
  size_t len = static_cast<size_t>(n);
  for (size_t i = b64.size(); i > 0 && b64[i - 1] == '='; --i) --len;  // DecodeBlock pads
  BIO* bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (cert == nullptr) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, X509_get0_pubkey(cert)) == 1 &&
      EVP_DigestVerify(ctx, sig.data(), len, reinterpret_cast<const unsigned char*>(to_sign.data()),
                       to_sign.size()) == 1;
  EVP_MD_CTX_free(ctx);
  X509_free(cert);
  return ok;
}

}  // namespace seglog
