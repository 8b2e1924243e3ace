// Fuzz target: arbitrary bytes as an SNS filter policy, compiled in both scopes; a policy that
// compiles is evaluated against fixed subjects (attributes and bodies) and against the input
// itself as a message body. Nothing may crash, throw, leak or run away; a compiled policy's
// combinations() stays within SNS's limit and a refusal is InvalidArgument.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "engine/topics/filter_policy.h"

using seglog::FilterPolicy;
using seglog::FilterScope;
using seglog::FilterSubject;
namespace format = seglog::format;

namespace {

format::MessageAttribute Attr(std::string_view name, format::AttributeType t, std::string_view v,
                              std::string_view label = {}) {
  format::MessageAttribute a;
  a.name = name;
  a.type = t;
  a.value = seglog::ByteView(reinterpret_cast<const uint8_t*>(v.data()), v.size());
  a.type_label = label;
  return a;
}

const std::vector<FilterSubject>& Subjects() {
  static const std::vector<FilterSubject>* subjects = [] {
    using T = format::AttributeType;
    auto* v = new std::vector<FilterSubject>;
    const format::MessageAttribute attrs[] = {
        Attr("store", T::kString, "example_corp"),
        Attr("price_usd", T::kNumber, "210.75"),
        Attr("customer_interests", T::kString, R"(["rugby","tennis",5,null,true])", "Array"),
        Attr("source_ip", T::kString, "10.0.0.7"),
        Attr("blob", T::kBinary, "\x01\x02"),
        Attr("a", T::kString, "2001:db8::1"),
    };
    v->push_back(FilterSubject::OfAttributes(attrs));
    v->push_back(FilterSubject::OfAttributes({}));
    v->push_back(FilterSubject::OfBody(
        R"({"store":"example_corp","event":"order_placed","price_usd":210.75,)"
        R"("customer_interests":["soccer","rugby"],"a":{"b":[1,{"c":null}],"d":true},)"
        R"("source_ip":"2001:db8::1"})"));
    v->push_back(FilterSubject::OfBody("{}"));
    return v;
  }();
  return *subjects;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const FilterSubject self = FilterSubject::OfBody(text);
  for (FilterScope scope : {FilterScope::kMessageAttributes, FilterScope::kMessageBody}) {
    std::unique_ptr<const FilterPolicy> policy;
    seglog::Status s = FilterPolicy::Compile(text, scope, &policy);
    if (!s.ok()) {
      if (s.code() != seglog::StatusCode::kInvalidArgument || s.message().empty() || policy) {
        std::abort();
      }
      continue;
    }
    if (!policy || policy->scope() != scope ||
        policy->combinations() > seglog::kFilterMaxCombinations) {
      std::abort();
    }
    for (const FilterSubject& subject : Subjects()) (void)policy->Matches(subject);
    // The policy text is itself a JSON object: under MessageBody scope its own body.
    (void)policy->Matches(self);
  }
  return 0;
}
