// Signer (notification.h): the store's RSA 2048 signing key and its self-signed certificate.
//
// Files: DIR/signing.key (PKCS#8 PEM, mode 0600) and DIR/signing.crt (X.509 PEM). Each is written
// durably: DIR/<name>.tmp created 0600 with O_EXCL, written, fsync'd, renamed over the name, the
// directory fsync'd. The key is never replaced once it exists: an unreadable or malformed key is
// Corruption (envelopes signed before would stop verifying). The certificate is derived from the
// key, so a missing, malformed or mismatching certificate is made again from the key.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "engine/topics/notification.h"
#include "engine/topics/notification_util.h"
#include "io/file_util.h"

namespace seglog {

struct Signer::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

constexpr char kKeyFile[] = "signing.key";
constexpr char kCertFile[] = "signing.crt";
constexpr char kCertCommonName[] = "sns.seglog.local";
constexpr long kCertValidityDays = 36'500;  // 100 years: the key is the store's for good

struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyCtxDeleter {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

Status ErrnoStatus(const std::string& what, const std::string& path) {
  const int e = errno;
  if (e == ENOSPC) return Status::NoSpace(what + " " + path + ": " + std::strerror(e));
  return Status::IOError(what + " " + path + ": " + std::strerror(e));
}

// Writes `data` to dir/name: a 0600 temp file, fsync, rename, directory fsync.
Status WriteSecretFile(const std::string& dir, const std::string& name, const std::string& data) {
  const std::string path = dir + "/" + name;
  const std::string tmp = path + ".tmp";
  if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("unlink", tmp);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("create", tmp);
  Status s;
  if (::fchmod(fd, 0600) != 0) s = ErrnoStatus("chmod", tmp);
  size_t done = 0;
  while (s.ok() && done < data.size()) {
    const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      s = ErrnoStatus("write", tmp);
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (s.ok() && ::fsync(fd) != 0) s = ErrnoStatus("fsync", tmp);
  if (::close(fd) != 0 && s.ok()) s = ErrnoStatus("close", tmp);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) s = ErrnoStatus("rename", tmp);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return ErrnoStatus("open directory", dir);
  const int rc = ::fsync(dfd);
  ::close(dfd);
  return rc == 0 ? Status::OK() : ErrnoStatus("fsync directory", dir);
}

EVP_PKEY* GenerateKey() {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 2048) <= 0) {
    return nullptr;
  }
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &pkey) <= 0) return nullptr;
  return pkey;
}

// A self-signed X.509 v3 certificate for pkey (SHA-256), CN kCertCommonName.
X509Ptr MakeCertificate(EVP_PKEY* pkey) {
  X509Ptr x(X509_new());
  if (!x) return nullptr;
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof(serial)) != 1) return nullptr;
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  const bool serial_ok = bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x.get()));
  BN_free(bn);
  if (!serial_ok || X509_set_version(x.get(), 2) != 1) return nullptr;
  if (X509_gmtime_adj(X509_getm_notBefore(x.get()), -86'400) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(x.get()), kCertValidityDays, 0, nullptr) == nullptr) {
    return nullptr;
  }
  X509_NAME* name = X509_get_subject_name(x.get());
  const auto* cn = reinterpret_cast<const unsigned char*>(kCertCommonName);
  const auto* org = reinterpret_cast<const unsigned char*>("seglog");
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, org, -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) != 1 ||
      X509_set_issuer_name(x.get(), name) != 1 || X509_set_pubkey(x.get(), pkey) != 1 ||
      X509_sign(x.get(), pkey, EVP_sha256()) <= 0) {
    return nullptr;
  }
  return x;
}

std::string CertificatePem(X509* x) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), x) != 1) return {};
  return BioText(bio.get());
}

// The certificate at `path` into *pem when it is whole (parses, its self-signature verifies)
// and carries pkey's public key; *pem = "" when it is missing or damaged (it is made again from
// the key). A whole certificate of another key means the key changed since: Corruption.
Status ReadMatchingCertificate(const std::string& path, EVP_PKEY* pkey, std::string* pem) {
  pem->clear();
  ByteBuffer buf;
  if (!io::ReadFile(path, &buf).ok() || buf.empty() || buf.size() > (1 << 20)) return Status::OK();
  BioPtr bio(BIO_new_mem_buf(buf.data(), static_cast<int>(buf.size())));
  X509Ptr x(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  EVP_PKEY* pub = x ? X509_get0_pubkey(x.get()) : nullptr;
  if (pub == nullptr || X509_verify(x.get(), pub) != 1) return Status::OK();
  if (EVP_PKEY_eq(pub, pkey) != 1) {
    return Status::Corruption("signing key does not match its certificate " + path +
                              " (the key file was changed or damaged)");
  }
  pem->assign(reinterpret_cast<const char*>(buf.data()), buf.size());
  return Status::OK();
}

// RSA's own consistency checks (p * q = n, e * d, the CRT values): a damaged key can still
// parse and would sign garbage.
bool KeyIsConsistent(EVP_PKEY* pkey) {
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxDeleter> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  return ctx && EVP_PKEY_check(ctx.get()) == 1;
}

Status ReadKey(const std::string& path, EVP_PKEY** out) {
  ByteBuffer buf;
  Status s = io::ReadFile(path, &buf);
  if (!s.ok()) {
    if (s.code() == StatusCode::kNotFound) return s;
    return Status::Corruption("signing key " + path + " is unreadable: " + s.ToString());
  }
  if (buf.empty() || buf.size() > (1 << 20)) {
    return Status::Corruption("signing key " + path + " is malformed (size " +
                              std::to_string(buf.size()) + ")");
  }
  BioPtr bio(BIO_new_mem_buf(buf.data(), static_cast<int>(buf.size())));
  EVP_PKEY* pkey = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (pkey == nullptr) return Status::Corruption("signing key " + path + " is malformed");
  if (!EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_get_bits(pkey) < 2048) {
    EVP_PKEY_free(pkey);
    return Status::Corruption("signing key " + path + " is not an RSA key of 2048 bits or more");
  }
  if (!KeyIsConsistent(pkey)) {
    EVP_PKEY_free(pkey);
    return Status::Corruption("signing key " + path + " is damaged (RSA consistency check)");
  }
  *out = pkey;
  return Status::OK();
}

Status CreateKey(const std::string& dir, EVP_PKEY** out) {
  EVP_PKEY* pkey = GenerateKey();
  if (pkey == nullptr) return Status::IOError("cannot generate the signing key (libcrypto)");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    EVP_PKEY_free(pkey);
    return Status::IOError("cannot encode the signing key (libcrypto)");
  }
  const std::string pem = BioText(bio.get());
  Status s = WriteSecretFile(dir, kKeyFile, pem);
  if (!s.ok()) {
    EVP_PKEY_free(pkey);
    return s;
  }
  *out = pkey;
  return Status::OK();
}

}  // namespace

Signer::Signer() : key_(std::make_unique<Key>()) {
  static std::atomic<uint64_t> next_id{1};
  instance_id_ = next_id.fetch_add(1, std::memory_order_relaxed);
}
Signer::~Signer() = default;

Status Signer::Open(const std::string& dir, bool create, std::unique_ptr<Signer>* out) {
  const std::string key_path = dir + "/" + kKeyFile;
  const std::string cert_path = dir + "/" + kCertFile;
  std::unique_ptr<Signer> signer(new Signer());
  Status s = ReadKey(key_path, &signer->key_->pkey);
  if (s.code() == StatusCode::kNotFound) {
    if (!create) return Status::NotFound("no signing key " + key_path);
    SEGLOG_RETURN_IF_ERROR(io::CreateDirs(dir));
    s = CreateKey(dir, &signer->key_->pkey);
  }
  SEGLOG_RETURN_IF_ERROR(s);
  SEGLOG_RETURN_IF_ERROR(ReadMatchingCertificate(cert_path, signer->key_->pkey, &signer->cert_pem_));
  if (signer->cert_pem_.empty()) {
    X509Ptr cert = MakeCertificate(signer->key_->pkey);
    std::string pem = cert ? CertificatePem(cert.get()) : std::string();
    if (pem.empty()) return Status::IOError("cannot make the signing certificate (libcrypto)");
    SEGLOG_RETURN_IF_ERROR(WriteSecretFile(dir, kCertFile, pem));
    ::chmod(cert_path.c_str(), 0644);  // public; best effort
    signer->cert_pem_ = std::move(pem);
  }
  *out = std::move(signer);
  return Status::OK();
}

std::string Signer::Sign(std::string_view string_to_sign, uint32_t version) const {
  const EVP_MD* md = version == 1 ? EVP_sha1() : version == 2 ? EVP_sha256() : nullptr;
  if (md == nullptr) return {};
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key_->pkey) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len,
                     reinterpret_cast<const unsigned char*>(string_to_sign.data()),
                     string_to_sign.size()) != 1) {
    return {};
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(string_to_sign.data()),
                     string_to_sign.size()) != 1) {
    return {};
  }
  sig.resize(len);
  return notification_internal::Base64(
      ByteView(reinterpret_cast<const uint8_t*>(sig.data()), sig.size()));
}

const std::string& Signer::certificate_pem() const { return cert_pem_; }

}  // namespace seglog
