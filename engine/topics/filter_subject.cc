// FilterSubject (engine/topics/filter_policy.h): a message flattened to (key path, value)
// leaves. Key paths form a trie (filter_internal.h) so that memory stays linear in the body's
// size however deep it nests; arrays are transparent (their elements sit at the array's path).
#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>
#include <unordered_map>

#include "engine/topics/filter_internal.h"

namespace seglog {

using filter::Leaf;
using filter::LeafKind;

namespace {

bool LooksLikeIp(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) && c != '.' && c != ':') return false;
  }
  return true;
}

// Fills one FilterSubject::Impl (single-threaded, lives for one OfAttributes/OfBody call):
// interns key paths, appends leaves, then seals the trie (Finish) so that it is read-only.
class Builder {
 public:
  explicit Builder(FilterSubject::Impl* s) : s_(s) { s_->nodes.emplace_back(); }

  uint32_t Intern(uint32_t parent, std::string_view key) {
    const uint64_t h = filter::EdgeHash(parent, filter::HashKey(key));
    auto range = index_.equal_range(h);
    for (auto it = range.first; it != range.second; ++it) {
      const filter::PathNode& n = s_->nodes[it->second];
      if (n.parent == parent && s_->text(n.key_off, n.key_len) == key) return it->second;
    }
    filter::PathNode n;
    n.parent = parent;
    n.key_off = static_cast<uint32_t>(s_->arena.size());
    n.key_len = static_cast<uint32_t>(key.size());
    s_->arena.append(key);
    const auto id = static_cast<uint32_t>(s_->nodes.size());
    s_->nodes.push_back(n);
    index_.emplace(h, id);
    return id;
  }

  void Add(uint32_t node, LeafKind kind, std::string_view str = {}, double num = 0) {
    Leaf l;
    l.node = node;
    l.kind = kind;
    l.num = num;
    if (kind == LeafKind::kString) {
      l.str_off = static_cast<uint32_t>(s_->arena.size());
      l.str_len = static_cast<uint32_t>(str.size());
      s_->arena.append(str);
      l.str_hash = filter::HashKey(str);
      bool v6 = false;
      if (LooksLikeIp(str) && filter::ParseIp(str, &l.addr, &v6)) l.ip = v6 ? 6 : 4;
    }
    s_->leaves.push_back(l);
  }

  // Adds the scalar `e` at `node`; arrays recurse, objects too when `objects` (body scope).
  // Returns the number of leaves added.
  size_t Flatten(simdjson::dom::element e, uint32_t node, bool objects) {
    using T = simdjson::dom::element_type;
    size_t added = 0;
    switch (e.type()) {
      case T::ARRAY:
        for (simdjson::dom::element c : simdjson::dom::array(e)) added += Flatten(c, node, objects);
        return added;
      case T::OBJECT:
        if (!objects) return 0;
        for (simdjson::dom::key_value_pair kv : simdjson::dom::object(e)) {
          added += Flatten(kv.value, Intern(node, kv.key), objects);
        }
        return added;
      case T::STRING:
        Add(node, LeafKind::kString, std::string_view(e));
        return 1;
      case T::INT64:
        Add(node, LeafKind::kNumber, {}, static_cast<double>(int64_t(e)));
        return 1;
      case T::UINT64:
        Add(node, LeafKind::kNumber, {}, static_cast<double>(uint64_t(e)));
        return 1;
      case T::DOUBLE:
        Add(node, LeafKind::kNumber, {}, double(e));
        return 1;
      case T::BOOL:
        Add(node, bool(e) ? LeafKind::kTrue : LeafKind::kFalse);
        return 1;
      case T::NULL_VALUE:
        Add(node, LeafKind::kNull);
        return 1;
    }
    return 0;
  }

  void Finish() {
    std::stable_sort(s_->leaves.begin(), s_->leaves.end(),
                     [](const Leaf& a, const Leaf& b) { return a.node < b.node; });
    for (size_t i = 0; i < s_->leaves.size(); ++i) {
      filter::PathNode& n = s_->nodes[s_->leaves[i].node];
      if (n.leaf_end == 0) n.leaf_begin = static_cast<uint32_t>(i);
      n.leaf_end = static_cast<uint32_t>(i + 1);
    }
    size_t size = 8;
    while (size < index_.size() * 2) size *= 2;
    s_->edges.assign(size, filter::Edge{});
    for (const auto& [h, id] : index_) {
      size_t i = h & (size - 1);
      while (s_->edges[i].node != 0) i = (i + 1) & (size - 1);
      s_->edges[i] = {h, id};
    }
    s_->valid = true;
  }

 private:
  FilterSubject::Impl* s_;
  std::unordered_multimap<uint64_t, uint32_t> index_;
};

simdjson::dom::parser& Parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

bool ParseNumber(std::string_view text, double* out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return false;
  auto r = std::from_chars(text.data(), text.data() + text.size(), *out);
  return r.ec == std::errc() && r.ptr == text.data() + text.size();
}

}  // namespace

uint32_t FilterSubject::Impl::Child(uint32_t parent, std::string_view key,
                                    uint64_t key_hash) const {
  if (edges.empty()) return 0;
  const uint64_t h = filter::EdgeHash(parent, key_hash);
  const size_t mask = edges.size() - 1;
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const filter::Edge& e = edges[i];
    if (e.node == 0) return 0;
    if (e.hash != h) continue;
    const filter::PathNode& n = nodes[e.node];
    if (n.parent == parent && n.key_len == key.size() &&
        std::memcmp(arena.data() + n.key_off, key.data(), key.size()) == 0) {
      return e.node;
    }
  }
}

FilterSubject::FilterSubject() : impl_(std::make_unique<Impl>()) {}
FilterSubject::~FilterSubject() = default;
FilterSubject::FilterSubject(FilterSubject&&) noexcept = default;
FilterSubject& FilterSubject::operator=(FilterSubject&&) noexcept = default;
bool FilterSubject::valid() const { return impl_ && impl_->valid; }

FilterSubject FilterSubject::OfAttributes(std::span<const format::MessageAttribute> attributes) {
  FilterSubject out;
  out.impl_->scope = FilterScope::kMessageAttributes;
  Builder b(out.impl_.get());
  for (const format::MessageAttribute& a : attributes) {
    const uint32_t node = b.Intern(0, a.name);
    const std::string_view value(reinterpret_cast<const char*>(a.value.data()), a.value.size());
    switch (a.type) {
      case format::AttributeType::kString: {
        if (a.type_label == "Array") {
          simdjson::padded_string padded(value);
          simdjson::dom::element e;
          if (!Parser().parse(padded).get(e) && e.is_array()) {
            if (b.Flatten(e, node, false) == 0) b.Add(node, LeafKind::kEmpty);
            break;
          }
        }
        b.Add(node, LeafKind::kString, value);
        break;
      }
      case format::AttributeType::kNumber: {
        double d = 0;
        if (ParseNumber(value, &d)) {
          b.Add(node, LeafKind::kNumber, {}, d);
        } else {
          b.Add(node, LeafKind::kOpaque);
        }
        break;
      }
      default:
        b.Add(node, value.empty() ? LeafKind::kEmpty : LeafKind::kOpaque);
        break;
    }
  }
  b.Finish();
  return out;
}

FilterSubject FilterSubject::OfBody(std::string_view body) {
  FilterSubject out;
  out.impl_->scope = FilterScope::kMessageBody;
  simdjson::padded_string padded(body);
  simdjson::dom::element e;
  if (Parser().parse(padded).get(e) || !e.is_object()) return out;
  Builder b(out.impl_.get());
  b.Flatten(e, 0, true);
  b.Finish();
  return out;
}

}  // namespace seglog
