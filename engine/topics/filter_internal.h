// Internal shapes of filter policies (engine/topics/filter_policy.h): the flattened subject and
// the compiled matcher. Not part of the contract; included only by engine/topics/filter_*.cc.
// Everything here is immutable once built: shared read-only between threads, no durability.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/topics/filter_policy.h"

namespace seglog::filter {

// The kind of one value in a subject.
enum class LeafKind : uint8_t {
  kString,
  kNumber,
  kTrue,
  kFalse,
  kNull,
  kOpaque,  // present, matched by `exists: true` only (Binary, a Number that does not parse)
  kEmpty,   // present with an empty value (an empty String.Array): matched by nothing
};

struct Leaf {
  uint32_t node = 0;  // the key path (trie node) the value sits at
  LeafKind kind = LeafKind::kString;
  uint32_t str_off = 0, str_len = 0;  // kString: the text (in the subject's arena)
  uint64_t str_hash = 0;              // kString: HashKey(text)
  double num = 0;                     // kNumber
  uint8_t ip = 0;                     // kString that is an IP address: 4 or 6 (else 0)
  std::array<uint8_t, 16> addr{};     // that address (parsed once, when the subject is built)
};

// A trie of key paths: node 0 is the root; each other node is (parent, key).
struct PathNode {
  uint32_t parent = 0;
  uint32_t key_off = 0, key_len = 0;
  uint32_t leaf_begin = 0, leaf_end = 0;  // its values: leaves[leaf_begin, leaf_end)
};

// A set of strings looked up by hash first (no string compare unless the hashes agree).
struct StringSet {
  std::vector<std::pair<uint64_t, std::string>> items;  // sorted by hash
  void Add(std::string s) { items.emplace_back(0, std::move(s)); }
  void Seal();  // hashes and sorts
  bool empty() const { return items.empty(); }
  bool Contains(uint64_t hash, std::string_view s) const;
};

struct Edge {
  uint64_t hash = 0;  // EdgeHash(parent, HashKey(key))
  uint32_t node = 0;
};

inline uint64_t HashKey(std::string_view key) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  return h;
}
inline uint64_t EdgeHash(uint32_t parent, uint64_t key_hash) {
  const uint64_t x = key_hash ^ ((parent + 1ull) * 0x9E3779B97F4A7C15ull);
  return x ^ (x >> 29);
}

}  // namespace seglog::filter

namespace seglog {

struct FilterSubject::Impl {
  bool valid = false;
  FilterScope scope = FilterScope::kMessageAttributes;
  std::string arena;
  std::vector<filter::PathNode> nodes;  // nodes[0] = root
  std::vector<filter::Edge> edges;      // open-addressing table (size a power of 2; node 0 = free)
  std::vector<filter::Leaf> leaves;     // sorted by node

  std::string_view text(uint32_t off, uint32_t len) const {
    return std::string_view(arena).substr(off, len);
  }
  // The child of `parent` named `key` (whose HashKey is `key_hash`), or 0 when none.
  uint32_t Child(uint32_t parent, std::string_view key, uint64_t key_hash) const;
};

}  // namespace seglog

namespace seglog::filter {

// One condition of a key's array, other than exact values and exists.
enum class Op : uint8_t {
  kPrefix,
  kSuffix,
  kEqualsIgnoreCase,
  kNumeric,             // lo/hi
  kCidr,                // addr/bits
  kAnythingBut,         // the key's anything_but lists
  kAnythingButPrefix,
  kAnythingButSuffix,
  kAnythingButIgnoreCase,
};

struct Condition {
  Op op = Op::kPrefix;
  std::string text;  // prefix / suffix / equals-ignore-case (lower-cased) / anything-but x
  double lo = 0, hi = 0;
  bool lo_open = true, hi_open = true;  // no bound on that side
  bool lo_incl = false, hi_incl = false;
  bool v6 = false;
  uint8_t bits = 0;
  std::array<uint8_t, 16> addr{};
  // kAnythingBut: the excluded values (strings sorted; numbers; bools/null as flags).
  StringSet but_strings;
  std::vector<double> but_numbers;
};

// The conditions on one key path (an OR of them).
struct KeyMatcher {
  std::string display;                 // dotted path, for messages
  std::vector<std::string> segments;   // the path
  std::vector<uint64_t> segment_hashes;
  StringSet strings;                   // exact strings
  std::vector<double> numbers;         // exact numbers
  bool match_true = false, match_false = false, match_null = false;
  bool exists_true = false, exists_false = false;
  std::vector<Condition> conditions;  // positive: one value matching one of them suffices
  std::vector<Condition> but;         // anything-but: every value must pass one of them
  size_t values = 0;  // the array's length (for combinations)
};

// An AND of keys and of $or groups (each an OR of nodes).
struct Node {
  std::vector<KeyMatcher> keys;
  std::vector<std::vector<std::unique_ptr<Node>>> ors;
};

bool MatchNode(const Node& node, const FilterSubject::Impl& s);
bool MatchLeaf(const KeyMatcher& k, const FilterSubject::Impl& s, const Leaf& leaf);

// Parses the text of `policy`; see FilterPolicy::Compile.
Status CompilePolicy(std::string_view policy, FilterScope scope, std::unique_ptr<Node>* out,
                     size_t* combinations);

// CIDR and IP text (filter_match.cc).
bool ParseIp(std::string_view text, std::array<uint8_t, 16>* addr, bool* v6);

}  // namespace seglog::filter
