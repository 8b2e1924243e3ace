#include "server/kinesis/kinesis_wire.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <stdexcept>
#include <vector>

namespace seglog::server::kinesis {
namespace {

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

template <typename T>
bool ParseUnsigned(std::string_view s, T* out) {
  if (!AllDigits(s)) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

bool ParseSigned(std::string_view s, int64_t* out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t p = s.find(sep, start);
    parts.push_back(s.substr(start, p == std::string_view::npos ? std::string_view::npos : p - start));
    if (p == std::string_view::npos) return parts;
    start = p + 1;
  }
}

}  // namespace

std::string ShardIdOf(uint32_t shard) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shardId-%012u", shard);
  return buf;
}

bool ParseShardId(std::string_view id, uint32_t* shard) {
  constexpr std::string_view kPrefix = "shardId-";
  if (id.size() != kPrefix.size() + 12 || id.substr(0, kPrefix.size()) != kPrefix) return false;
  uint64_t v = 0;
  if (!ParseUnsigned(id.substr(kPrefix.size()), &v) || v > UINT32_MAX) return false;
  *shard = static_cast<uint32_t>(v);
  return true;
}

bool ValidStreamName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string StreamArn(std::string_view region, std::string_view account, std::string_view name) {
  std::string arn = "arn:aws:kinesis:";
  arn.append(region).append(":").append(account).append(":stream/").append(name);
  return arn;
}

bool ParseStreamArn(std::string_view arn, std::string* name) {
  const std::vector<std::string_view> parts = Split(arn, ':');
  if (parts.size() != 6 || parts[0] != "arn" || parts[2] != "kinesis") return false;
  constexpr std::string_view kRes = "stream/";
  if (parts[5].substr(0, kRes.size()) != kRes) return false;
  const std::string_view n = parts[5].substr(kRes.size());
  if (!ValidStreamName(n)) return false;
  *name = std::string(n);
  return true;
}

std::string SequenceNumberOf(uint32_t shard, SeqNo seq) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "49%04u%050llu", shard % 10000,
                static_cast<unsigned long long>(seq.value()));
  return buf;
}

Status ParseSequenceNumber(std::string_view text, uint32_t* shard, SeqNo* seq) {
  auto bad = [&] {
    return Status::InvalidArgument("Sequence number " + std::string(text.substr(0, 128)) +
                                   " is not one of this stream's (56 digits, \"49\"...).");
  };
  if (text.size() != kSequenceNumberDigits || !AllDigits(text) || text.substr(0, 2) != "49") {
    return bad();
  }
  uint32_t s = 0;
  uint64_t v = 0;
  // The 50-digit field holds a uint64: its first 30 digits must be zero.
  if (text.substr(6, 30).find_first_not_of('0') != std::string_view::npos) return bad();
  if (!ParseUnsigned(text.substr(2, 4), &s) || !ParseUnsigned(text.substr(36), &v)) {
    return bad();
  }
  *shard = s;
  *seq = SeqNo(v);
  return Status::OK();
}

IteratorSigner::IteratorSigner(std::string key) : key_(std::move(key)) {
  if (key_.empty()) {
    key_.resize(32);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(key_.data()), 32) != 1) {
      throw std::runtime_error("RAND_bytes failed: no random key for shard iterators");
    }
  }
  key_id_ = Mac("seglog shard iterator key id").substr(0, 8);
}

std::string IteratorSigner::Mac(std::string_view payload) const {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), md, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[md[i] >> 4];
    hex += kHex[md[i] & 15];
  }
  return hex;
}

std::string IteratorSigner::Encode(const IteratorToken& t) const {
  std::string payload = "1|" + key_id_ + "|" + t.stream + "|" + std::to_string(t.shard) + "|" +
                        (t.at_timestamp ? "T|" + std::to_string(t.timestamp_ms)
                                        : "S|" + std::to_string(t.seq)) +
                        "|" + std::to_string(t.issued_ms);
  payload += "|" + Mac(payload);
  return Base64UrlEncode(payload);
}

Status IteratorSigner::Decode(std::string_view text, IteratorToken* out) const {
  const Status bad = Status::InvalidArgument("Invalid ShardIterator.");
  std::string raw;
  if (text.size() > 1024 || !Base64UrlDecode(text, &raw)) return bad;
  const size_t bar = raw.rfind('|');
  if (bar == std::string::npos) return bad;
  const std::string mac = Mac(std::string_view(raw).substr(0, bar));
  const std::string_view got = std::string_view(raw).substr(bar + 1);
  if (got.size() != mac.size() || CRYPTO_memcmp(got.data(), mac.data(), mac.size()) != 0) {
    // Well formed but signed by another key (an earlier process): stale, not forged.
    const std::string_view head = std::string_view(raw).substr(0, bar);
    const bool other_key = head.size() > 2 + key_id_.size() && head.substr(0, 2) == "1|" &&
                           head[2 + key_id_.size()] == '|' &&
                           head.substr(2, key_id_.size()) != key_id_;
    return other_key ? Status::Stale("shard iterator signed by another key") : bad;
  }
  const std::vector<std::string_view> f = Split(std::string_view(raw).substr(0, bar), '|');
  if (f.size() != 7 || f[0] != "1" || !ValidStreamName(f[2])) return bad;
  IteratorToken t;
  t.stream = std::string(f[2]);
  if (!ParseUnsigned(f[3], &t.shard) || !ParseSigned(f[6], &t.issued_ms)) return bad;
  if (f[4] == "S") {
    if (!ParseUnsigned(f[5], &t.seq)) return bad;
  } else if (f[4] == "T") {
    t.at_timestamp = true;
    if (!ParseSigned(f[5], &t.timestamp_ms)) return bad;
  } else {
    return bad;
  }
  *out = std::move(t);
  return Status::OK();
}

}  // namespace seglog::server::kinesis
