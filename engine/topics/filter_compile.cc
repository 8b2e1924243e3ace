// Filter policy text -> filter::Node (filter_internal.h): SNS's grammar and limits, parsed once
// with nlohmann-json. Every refusal is InvalidArgument naming the key and the rule.
#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/topics/filter_internal.h"

namespace seglog::filter {
namespace {

using Json = nlohmann::json;
constexpr int kMaxDepth = 32;  // seglog's bound on nesting (objects and $or), not SNS's

struct Ctx {
  FilterScope scope;
};

Status KeyError(const std::string& key, const std::string& rule) {
  return Status::InvalidArgument("Filter policy key \"" + key + "\": " + rule);
}

std::string Join(const std::vector<std::string>& path) {
  std::string s;
  for (const std::string& p : path) s += (s.empty() ? "" : ".") + p;
  return s;
}

bool IsReserved(const std::string& k) {
  return k == "prefix" || k == "suffix" || k == "anything-but" || k == "numeric" ||
         k == "exists" || k == "cidr" || k == "equals-ignore-case";
}

// SNS recognizes "$or" only as an array of at least two objects none of whose fields is a
// reserved keyword; otherwise "$or" is an ordinary key.
bool IsOr(const std::string& key, const Json& v) {
  if (key != "$or" || !v.is_array() || v.size() < 2) return false;
  for (const Json& e : v) {
    if (!e.is_object()) return false;
    for (auto it = e.begin(); it != e.end(); ++it) {
      if (IsReserved(it.key())) return false;
    }
  }
  return true;
}

Status CheckNumber(const std::string& key, const Json& v, double* out) {
  const double d = v.get<double>();
  if (!std::isfinite(d) || d < -1e9 || d > 1e9) {
    return KeyError(key, "number " + v.dump() + " is outside -1e9..1e9");
  }
  const double scaled = d * 1e5;
  if (std::fabs(scaled - std::round(scaled)) > 1e-6 + std::fabs(scaled) * 5e-16) {
    return KeyError(key, "number " + v.dump() + " has more than 5 decimal places");
  }
  *out = d;
  return Status::OK();
}

Status CompileNumeric(const std::string& key, const Json& a, Condition* c) {
  if (!a.is_array() || a.empty() || a.size() > 4 || a.size() % 2 != 0) {
    return KeyError(key, "numeric takes [op, number] or [\">\"|\">=\", number, \"<\"|\"<=\", number]");
  }
  for (size_t i = 0; i < a.size(); i += 2) {
    if (!a[i].is_string()) return KeyError(key, "numeric: operator must be a string");
    const std::string op = a[i].get<std::string>();
    if (op != "=" && op != "<" && op != "<=" && op != ">" && op != ">=") {
      return KeyError(key, "numeric: unknown operator \"" + op + "\"");
    }
    if (!a[i + 1].is_number()) return KeyError(key, "numeric: \"" + op + "\" takes a number");
    double d = 0;
    if (Status s = CheckNumber(key, a[i + 1], &d); !s.ok()) return s;
    const bool lower = op[0] == '>' || op == "=";
    const bool upper = op[0] == '<' || op == "=";
    if (i == 2 && (!(op[0] == '<') || !(a[0].get<std::string>()[0] == '>'))) {
      return KeyError(key, "numeric: a range is [\">\"|\">=\", low, \"<\"|\"<=\", high]");
    }
    if (lower) c->lo_open = false, c->lo = d, c->lo_incl = op != ">";
    if (upper) c->hi_open = false, c->hi = d, c->hi_incl = op != "<";
  }
  if (a.size() == 4 && !(c->lo < c->hi)) {
    return KeyError(key, "numeric: the range's low bound must be below its high bound");
  }
  c->op = Op::kNumeric;
  return Status::OK();
}

Status CompileCidr(const std::string& key, const Json& v, Condition* c) {
  if (!v.is_string()) return KeyError(key, "cidr takes a string");
  const std::string text = v.get<std::string>();
  const size_t slash = text.find('/');
  if (!ParseIp(std::string_view(text).substr(0, slash), &c->addr, &c->v6)) {
    return KeyError(key, "cidr: \"" + text + "\" is not an IPv4 or IPv6 prefix");
  }
  const unsigned max_bits = c->v6 ? 128 : 32;
  unsigned bits = max_bits;
  if (slash != std::string::npos) {
    const std::string b = text.substr(slash + 1);
    if (b.empty() || b.size() > 3 || !std::all_of(b.begin(), b.end(), ::isdigit) ||
        (bits = static_cast<unsigned>(std::stoi(b))) > max_bits) {
      return KeyError(key, "cidr: \"" + text + "\" has a bad prefix length");
    }
  }
  c->bits = static_cast<uint8_t>(bits);
  for (unsigned i = 0; i < 16; ++i) {  // clear the host bits
    const unsigned keep = bits > i * 8 ? std::min(8u, bits - i * 8) : 0;
    c->addr[i] &= static_cast<uint8_t>(keep == 0 ? 0 : 0xFF << (8 - keep));
  }
  c->op = Op::kCidr;
  return Status::OK();
}

Status CompileAnythingBut(const std::string& key, const Json& v, Condition* c) {
  const char* rule = "anything-but takes a string, a number, a non-empty array of them, or "
                     "{\"prefix\"|\"suffix\"|\"equals-ignore-case\": string}";
  if (v.is_object()) {
    if (v.size() != 1 || !v.begin()->is_string()) return KeyError(key, rule);
    const std::string op = v.begin().key();
    c->text = v.begin()->get<std::string>();
    if (op == "prefix") {
      c->op = Op::kAnythingButPrefix;
    } else if (op == "suffix") {
      c->op = Op::kAnythingButSuffix;
    } else if (op == "equals-ignore-case") {
      c->op = Op::kAnythingButIgnoreCase;
      for (char& ch : c->text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    } else {
      return KeyError(key, "anything-but: unknown operator \"" + op + "\"");
    }
    return Status::OK();
  }
  const Json list = v.is_array() ? v : Json::array({v});
  if (list.empty()) return KeyError(key, rule);
  for (const Json& e : list) {
    if (e.is_string()) {
      c->but_strings.Add(e.get<std::string>());
    } else if (e.is_number()) {
      double d = 0;
      if (Status s = CheckNumber(key, e, &d); !s.ok()) return s;
      c->but_numbers.push_back(d);
    } else {
      return KeyError(key, rule);
    }
  }
  c->but_strings.Seal();
  c->op = Op::kAnythingBut;
  return Status::OK();
}

Status CompileOperator(const std::string& key, const Json& obj, KeyMatcher* k) {
  if (obj.size() != 1) return KeyError(key, "a condition object has exactly one operator");
  const std::string op = obj.begin().key();
  const Json& v = *obj.begin();
  Condition c;
  if (op == "exists") {
    if (!v.is_boolean()) return KeyError(key, "exists takes true or false");
    (v.get<bool>() ? k->exists_true : k->exists_false) = true;
    return Status::OK();
  }
  if (op == "prefix" || op == "suffix" || op == "equals-ignore-case") {
    if (!v.is_string()) return KeyError(key, op + " takes a string");
    c.text = v.get<std::string>();
    c.op = op == "prefix" ? Op::kPrefix : op == "suffix" ? Op::kSuffix : Op::kEqualsIgnoreCase;
    if (c.op == Op::kEqualsIgnoreCase) {
      for (char& ch : c.text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
  } else if (op == "anything-but") {
    if (Status s = CompileAnythingBut(key, v, &c); !s.ok()) return s;
  } else if (op == "numeric") {
    if (Status s = CompileNumeric(key, v, &c); !s.ok()) return s;
  } else if (op == "cidr") {
    if (Status s = CompileCidr(key, v, &c); !s.ok()) return s;
  } else {
    return KeyError(key, "unknown operator \"" + op + "\"");
  }
  const bool but = c.op == Op::kAnythingBut || c.op == Op::kAnythingButPrefix ||
                   c.op == Op::kAnythingButSuffix || c.op == Op::kAnythingButIgnoreCase;
  (but ? k->but : k->conditions).push_back(std::move(c));
  return Status::OK();
}

Status CompileKey(const std::vector<std::string>& path, const Json& arr, KeyMatcher* k) {
  k->display = Join(path);
  k->segments = path;
  for (const std::string& seg : path) k->segment_hashes.push_back(HashKey(seg));
  if (arr.empty()) return KeyError(k->display, "an empty array matches nothing");
  k->values = arr.size();
  for (const Json& e : arr) {
    if (e.is_string()) {
      k->strings.Add(e.get<std::string>());
    } else if (e.is_number()) {
      double d = 0;
      if (Status s = CheckNumber(k->display, e, &d); !s.ok()) return s;
      k->numbers.push_back(d);
    } else if (e.is_boolean()) {
      (e.get<bool>() ? k->match_true : k->match_false) = true;
    } else if (e.is_null()) {
      k->match_null = true;
    } else if (e.is_object()) {
      if (Status s = CompileOperator(k->display, e, k); !s.ok()) return s;
    } else {
      return KeyError(k->display, "a condition must be a string, a number, true, false, null "
                                  "or an operator object, not an array");
    }
  }
  k->strings.Seal();
  return Status::OK();
}

Status CompileObject(const Ctx& ctx, const Json& obj, std::vector<std::string>* path, int depth,
                     Node* node) {
  if (depth > kMaxDepth) {
    return KeyError(Join(*path), "nested deeper than " + std::to_string(kMaxDepth) + " levels");
  }
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& key = it.key();
    const Json& v = it.value();
    if (IsOr(key, v)) {
      auto& group = node->ors.emplace_back();
      for (const Json& branch : v) {
        if (branch.empty()) return KeyError(Join(*path) + "$or", "an empty $or alternative");
        auto sub = std::make_unique<Node>();
        if (Status s = CompileObject(ctx, branch, path, depth + 1, sub.get()); !s.ok()) return s;
        group.push_back(std::move(sub));
      }
      continue;
    }
    path->push_back(key);
    Status s;
    if (v.is_array()) {
      s = CompileKey(*path, v, &node->keys.emplace_back());
    } else if (v.is_object() && ctx.scope == FilterScope::kMessageBody) {
      s = v.empty() ? KeyError(Join(*path), "an empty object matches nothing")
                    : CompileObject(ctx, v, path, depth + 1, node);
    } else if (v.is_object()) {
      s = KeyError(Join(*path), "nested policies need FilterPolicyScope MessageBody");
    } else {
      s = KeyError(Join(*path), "must be an array of conditions" +
                                    std::string(ctx.scope == FilterScope::kMessageBody
                                                    ? " or an object" : ""));
    }
    path->pop_back();
    if (!s.ok()) return s;
  }
  return Status::OK();
}

// SNS's limits, on the policy's alternatives ($or expanded): each has at most 5 keys; the sum
// over alternatives of the product of each key's number of values is at most 150.
struct Alt {
  size_t n = 0;
  std::array<const KeyMatcher*, kFilterMaxKeys> keys{};
  size_t combos = 1;
};

Status TooManyKeys(const KeyMatcher& k) {
  return KeyError(k.display, "more than " + std::to_string(kFilterMaxKeys) +
                                 " keys in one alternative of the policy ($or expanded)");
}

// Appends `k` to `a`, or fails naming the key that is one too many.
Status AddKey(const KeyMatcher& k, Alt* a) {
  if (a->n == kFilterMaxKeys) return TooManyKeys(k);
  a->keys[a->n++] = &k;
  a->combos = std::min<size_t>(a->combos * k.values, kFilterMaxCombinations + 1);
  return Status::OK();
}

Status Expand(const Node& n, std::vector<Alt>* out) {
  Alt base;
  for (const KeyMatcher& k : n.keys) {
    if (Status s = AddKey(k, &base); !s.ok()) return s;
  }
  std::vector<Alt> alts{base};
  for (const auto& group : n.ors) {
    std::vector<Alt> next;
    for (const auto& branch : group) {
      std::vector<Alt> sub;
      if (Status s = Expand(*branch, &sub); !s.ok()) return s;
      for (const Alt& a : alts) {
        for (const Alt& b : sub) {
          Alt c = a;
          for (size_t i = 0; i < b.n; ++i) {
            if (Status s = AddKey(*b.keys[i], &c); !s.ok()) return s;
          }
          next.push_back(c);
          if (next.size() > kFilterMaxCombinations) {
            return Status::InvalidArgument("Filter policy: more than " +
                                           std::to_string(kFilterMaxCombinations) +
                                           " $or alternatives (value combinations)");
          }
        }
      }
    }
    alts = std::move(next);
  }
  *out = std::move(alts);
  return Status::OK();
}

Status CheckCombinations(const std::vector<Alt>& alts, size_t* total) {
  *total = 0;
  const Alt* largest = nullptr;
  for (const Alt& a : alts) {
    *total = std::min<size_t>(*total + a.combos, kFilterMaxCombinations + 1);
    if (!largest || a.combos > largest->combos) largest = &a;
  }
  if (*total <= kFilterMaxCombinations) return Status::OK();
  std::string names;
  for (size_t i = 0; i < largest->n; ++i) {
    names += (i ? " x \"" : "\"") + largest->keys[i]->display + "\" (" +
             std::to_string(largest->keys[i]->values) + ")";
  }
  return Status::InvalidArgument(
      "Filter policy: more than " + std::to_string(kFilterMaxCombinations) +
      " value combinations (the product of each key's number of values, summed over $or "
      "alternatives); the largest alternative: " + names);
}

}  // namespace

Status CompilePolicy(std::string_view policy, FilterScope scope, std::unique_ptr<Node>* out,
                     size_t* combinations) {
  if (policy.size() > kFilterMaxPolicyBytes) {
    return Status::InvalidArgument("Filter policy: " + std::to_string(policy.size()) +
                                   " bytes (at most " + std::to_string(kFilterMaxPolicyBytes) + ")");
  }
  Json doc = Json::parse(policy.begin(), policy.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("Filter policy: not valid JSON");
  if (!doc.is_object()) return Status::InvalidArgument("Filter policy: not a JSON object");
  auto root = std::make_unique<Node>();
  std::vector<std::string> path;
  if (Status s = CompileObject(Ctx{scope}, doc, &path, 0, root.get()); !s.ok()) return s;
  std::vector<Alt> alts;
  if (Status s = Expand(*root, &alts); !s.ok()) return s;
  size_t total = 0;
  if (Status s = CheckCombinations(alts, &total); !s.ok()) return s;
  *combinations = root->keys.empty() && root->ors.empty() ? 0 : total;
  *out = std::move(root);
  return Status::OK();
}

}  // namespace seglog::filter
