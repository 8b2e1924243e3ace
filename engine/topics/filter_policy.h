// SNS subscription filter policies (SPEC.md Part VII, "Filter policies"): the complete grammar,
// parsed once (nlohmann-json) when a subscription's policy is set and compiled to a matcher that
// allocates nothing per evaluation. Pure: no Log, no Store, no I/O; any thread (a compiled
// policy and a FilterSubject are immutable, shared freely between threads).
//
// Grammar (SNS's, as AWS documents it): a JSON object whose leaves are arrays of conditions
//   "key": ["exact string", 42, {"prefix": "p"}, {"suffix": "s"}, {"equals-ignore-case": "x"},
//           {"anything-but": "v" | 42 | ["v", 42, ...] | {"prefix": "p"} | {"suffix": "s"}},
//           {"numeric": ["=", 5] | [">", 0, "<=", 10] | ...}, {"exists": true|false},
//           {"cidr": "10.0.0.0/24" | "2001:db8::/32"}, null (MessageBody scope)]
//   "$or": [ {policy}, {policy}, ... ]   (alternatives, at any level)
// Keys nest (objects within objects) under MessageBody scope only. A message matches when
// every key of the policy matches (AND) and, for a key, any one of its conditions (OR).
// String.Array attributes (and arrays in a body) match when any element matches.
//
// Limits (SNS's): at most 5 keys (leaf keys for nested policies; counted per $or branch as SNS
// does), at most 150 value combinations (the product of the conditions per key, summed over
// $or branches), policy text at most 256 KiB, numbers within +-1e9 with at most 5 decimals.
// A violation is InvalidArgument whose message names the offending key and rule.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "format/queue_format.h"
#include "format/status.h"

namespace seglog {

// SNS FilterPolicyScope.
enum class FilterScope { kMessageAttributes, kMessageBody };

inline constexpr size_t kFilterMaxKeys = 5;
inline constexpr size_t kFilterMaxCombinations = 150;
inline constexpr size_t kFilterMaxPolicyBytes = 256 * 1024;

// One message as filter policies see it: its attributes (MessageAttributes scope) or its body
// parsed once (MessageBody scope), flattened to (key path, value) leaves. Built once per
// published message and evaluated against every subscription's policy. Owns its data (views
// into the caller's message are not kept).
class FilterSubject {
 public:
  FilterSubject();
  ~FilterSubject();
  FilterSubject(FilterSubject&&) noexcept;
  FilterSubject& operator=(FilterSubject&&) noexcept;

  // MessageAttributes scope: String, Number (numeric value when it parses), String.Array (type
  // kString with label "Array": a JSON array whose string/number/bool/null elements are the
  // values; malformed: matched as a plain string) and Binary (never matches a condition but
  // `exists`).
  static FilterSubject OfAttributes(std::span<const format::MessageAttribute> attributes);
  // MessageBody scope: the body as JSON (simdjson). A body that is not a JSON object matches
  // no policy (SNS) - valid() is false then.
  static FilterSubject OfBody(std::string_view body);
  bool valid() const;

  struct Impl;
  const Impl& impl() const { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

class FilterPolicy {
 public:
  // Parses and compiles `policy` (JSON text) for `scope`. InvalidArgument: not a JSON object,
  // an unknown operator, a malformed condition, nesting under MessageAttributes scope, a limit
  // exceeded; the message names the key and the rule (e.g. `Filter policy key "price":
  // numeric: "=" takes a number`).
  static Status Compile(std::string_view policy, FilterScope scope,
                        std::unique_ptr<const FilterPolicy>* out);
  virtual ~FilterPolicy() = default;

  virtual FilterScope scope() const = 0;
  // SNS's "value combinations" count of this policy (<= kFilterMaxCombinations).
  virtual size_t combinations() const = 0;
  // True when `subject` matches. A subject of the other scope, or not valid(), matches nothing.
  virtual bool Matches(const FilterSubject& subject) const = 0;
};

}  // namespace seglog
