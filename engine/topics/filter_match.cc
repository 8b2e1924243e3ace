// Evaluation of a compiled filter policy (filter_internal.h) against a FilterSubject: no
// allocation, no locks; a key's values are found through the subject's key-path trie.
#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "engine/topics/filter_internal.h"

namespace seglog::filter {
namespace {

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
// `lower` is already lower-cased (ASCII).
bool EqualsIgnoreCase(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

bool HasNumber(const std::vector<double>& v, double d) {
  return std::find(v.begin(), v.end(), d) != v.end();
}

bool InRange(const Condition& c, double d) {
  if (!c.lo_open && (c.lo_incl ? d < c.lo : d <= c.lo)) return false;
  if (!c.hi_open && (c.hi_incl ? d > c.hi : d >= c.hi)) return false;
  return true;
}

bool InCidr(const Condition& c, const Leaf& leaf) {
  if (leaf.ip != (c.v6 ? 6 : 4)) return false;
  const std::array<uint8_t, 16>& a = leaf.addr;
  const unsigned full = c.bits / 8, rest = c.bits % 8;
  if (std::memcmp(a.data(), c.addr.data(), full) != 0) return false;
  if (rest == 0) return true;
  const auto mask = static_cast<uint8_t>(0xFF << (8 - rest));
  return (a[full] & mask) == c.addr[full];
}

bool MatchCondition(const Condition& c, const Leaf& leaf, std::string_view str) {
  const bool is_str = leaf.kind == LeafKind::kString;
  switch (c.op) {
    case Op::kPrefix: return is_str && StartsWith(str, c.text);
    case Op::kSuffix: return is_str && EndsWith(str, c.text);
    case Op::kEqualsIgnoreCase: return is_str && EqualsIgnoreCase(str, c.text);
    case Op::kNumeric: return leaf.kind == LeafKind::kNumber && InRange(c, leaf.num);
    case Op::kCidr: return is_str && InCidr(c, leaf);
    case Op::kAnythingBut:
      if (is_str) return !c.but_strings.Contains(leaf.str_hash, str);
      if (leaf.kind == LeafKind::kNumber) return !HasNumber(c.but_numbers, leaf.num);
      return leaf.kind != LeafKind::kOpaque && leaf.kind != LeafKind::kEmpty;
    case Op::kAnythingButPrefix: return is_str && !StartsWith(str, c.text);
    case Op::kAnythingButSuffix: return is_str && !EndsWith(str, c.text);
    case Op::kAnythingButIgnoreCase: return is_str && !EqualsIgnoreCase(str, c.text);
  }
  return false;
}

// SNS: `exists: true` needs a non-null, non-empty value.
bool Exists(const Leaf& l) {
  return l.kind != LeafKind::kNull && l.kind != LeafKind::kEmpty &&
         !(l.kind == LeafKind::kString && l.str_len == 0);
}

bool MatchKey(const KeyMatcher& k, const FilterSubject::Impl& s) {
  uint32_t node = 0;
  for (size_t i = 0; i < k.segments.size() && (i == 0 || node != 0); ++i) {
    node = s.Child(node, k.segments[i], k.segment_hashes[i]);
  }
  const PathNode* n = node == 0 ? nullptr : &s.nodes[node];
  if (n == nullptr || n->leaf_begin == n->leaf_end) {  // absent
    // SNS: `exists: false` does not match a message without any attribute.
    const bool no_attributes = s.scope == FilterScope::kMessageAttributes && s.nodes.size() == 1;
    return k.exists_false && !no_attributes;
  }
  for (uint32_t i = n->leaf_begin; i < n->leaf_end; ++i) {
    const Leaf& leaf = s.leaves[i];
    if (k.exists_true && Exists(leaf)) return true;
    if (MatchLeaf(k, s, leaf)) return true;
  }
  // anything-but: SNS matches when none of the key's values (String.Array elements, body
  // array elements) is excluded.
  for (const Condition& c : k.but) {
    bool all = true;
    for (uint32_t i = n->leaf_begin; i < n->leaf_end && all; ++i) {
      const Leaf& leaf = s.leaves[i];
      all = MatchCondition(c, leaf, leaf.kind == LeafKind::kString
                                        ? s.text(leaf.str_off, leaf.str_len) : std::string_view());
    }
    if (all) return true;
  }
  return false;
}

}  // namespace

void StringSet::Seal() {
  for (auto& [h, s] : items) h = HashKey(s);
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
}

bool StringSet::Contains(uint64_t hash, std::string_view s) const {
  auto it = std::lower_bound(items.begin(), items.end(), hash,
                             [](const auto& item, uint64_t h) { return item.first < h; });
  for (; it != items.end() && it->first == hash; ++it) {
    if (it->second == s) return true;
  }
  return false;
}

bool ParseIp(std::string_view text, std::array<uint8_t, 16>* addr, bool* v6) {
  char buf[64];
  if (text.empty() || text.size() >= sizeof(buf)) return false;
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  addr->fill(0);
  if (text.find(':') == std::string_view::npos) {
    *v6 = false;
    return inet_pton(AF_INET, buf, addr->data()) == 1;
  }
  *v6 = true;
  return inet_pton(AF_INET6, buf, addr->data()) == 1;
}

bool MatchLeaf(const KeyMatcher& k, const FilterSubject::Impl& s, const Leaf& leaf) {
  std::string_view str;
  switch (leaf.kind) {
    case LeafKind::kString:
      str = s.text(leaf.str_off, leaf.str_len);
      if (!k.strings.empty() && k.strings.Contains(leaf.str_hash, str)) return true;
      break;
    case LeafKind::kNumber:
      if (HasNumber(k.numbers, leaf.num)) return true;
      break;
    case LeafKind::kTrue:
      if (k.match_true) return true;
      break;
    case LeafKind::kFalse:
      if (k.match_false) return true;
      break;
    case LeafKind::kNull:
      if (k.match_null) return true;
      break;
    case LeafKind::kOpaque:
    case LeafKind::kEmpty:
      return false;
  }
  for (const Condition& c : k.conditions) {
    if (MatchCondition(c, leaf, str)) return true;
  }
  return false;
}

bool MatchNode(const Node& node, const FilterSubject::Impl& s) {
  for (const KeyMatcher& k : node.keys) {
    if (!MatchKey(k, s)) return false;
  }
  for (const auto& group : node.ors) {
    bool any = false;
    for (const auto& branch : group) {
      if (MatchNode(*branch, s)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
  }
  return true;
}

}  // namespace seglog::filter
