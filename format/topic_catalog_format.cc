#include "format/topic_catalog_format.h"

#include <charconv>

namespace seglog::format {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void PutHex(std::string_view s, std::string* out) {
  for (unsigned char c : s) {
    out->push_back(kHexDigits[c >> 4]);
    out->push_back(kHexDigits[c & 15]);
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool GetHex(std::string_view s, std::string* out) {
  if (s.size() % 2 != 0) return false;
  out->clear();
  for (size_t i = 0; i < s.size(); i += 2) {
    const int hi = HexValue(s[i]), lo = HexValue(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

template <typename T>
bool GetDecimal(std::string_view s, T* v) {
  if (s.empty() || (s.size() > 1 && s[0] == '0') || s[0] == '-') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && p == s.data() + s.size();
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    const size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, at - start));
    start = at + 1;
  }
}

bool DecodeOne(std::string_view text, SubscriptionEntry* e) {
  const std::vector<std::string_view> f = Split(text, ',');
  if (f.size() != 9 || f[0].size() != 36 || !GetDecimal(f[1], &e->key)) return false;
  e->id = std::string(f[0]);
  if (f[2] == "sqs") {
    e->protocol = SubscriptionProtocolCode::kSqs;
  } else if (f[2] == "callback") {
    e->protocol = SubscriptionProtocolCode::kCallback;
  } else {
    return false;
  }
  if (!GetHex(f[3], &e->endpoint) || e->endpoint.empty() || (f[4] != "0" && f[4] != "1")) {
    return false;
  }
  e->raw = f[4] == "1";
  if (f[5] == "attributes") {
    e->scope = FilterScopeCode::kMessageAttributes;
  } else if (f[5] == "body") {
    e->scope = FilterScopeCode::kMessageBody;
  } else {
    return false;
  }
  return GetHex(f[6], &e->filter_policy) && GetHex(f[7], &e->redrive_queue) &&
         GetDecimal(f[8], &e->created_ms);
}

}  // namespace

std::string EncodeSubscriptionList(const std::vector<SubscriptionEntry>& subs) {
  std::string out = "1";
  for (const SubscriptionEntry& e : subs) {
    out += ';';
    out += e.id;
    out += ',' + std::to_string(e.key) + ',';
    out += e.protocol == SubscriptionProtocolCode::kSqs ? "sqs" : "callback";
    out += ',';
    PutHex(e.endpoint, &out);
    out += e.raw ? ",1," : ",0,";
    out += e.scope == FilterScopeCode::kMessageBody ? "body" : "attributes";
    out += ',';
    PutHex(e.filter_policy, &out);
    out += ',';
    PutHex(e.redrive_queue, &out);
    out += ',' + std::to_string(e.created_ms);
  }
  return out;
}

bool DecodeSubscriptionList(std::string_view text, std::vector<SubscriptionEntry>* subs) {
  const std::vector<std::string_view> parts = Split(text, ';');
  if (parts[0] != "1") return false;
  std::vector<SubscriptionEntry> out(parts.size() - 1);
  for (size_t i = 1; i < parts.size(); ++i) {
    if (!DecodeOne(parts[i], &out[i - 1])) return false;
  }
  *subs = std::move(out);
  return true;
}

}  // namespace seglog::format
