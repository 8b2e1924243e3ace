// Filter policies (engine/topics/filter_policy.h). The documented cases live in
// tests/filter_policy_cases.json (each citing the section of AWS's SNS Developer Guide it comes
// from) so that tests/filter_policy_moto_check.py can run the same table through moto; the
// tests here add the boundaries and the shapes a table cannot express.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/topics/filter_policy.h"

namespace seglog {
namespace {

using Json = nlohmann::json;

struct OwnedAttributes {
  std::vector<std::string> names, values, labels, types;
  std::vector<format::MessageAttribute> attrs;
};

// {"name": {"Type": "String"|"Number"|"Binary"|"String.Array"|"String.x", "Value": "..."}}
void BuildAttributes(const Json& j, OwnedAttributes* o) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    o->names.push_back(it.key());
    o->values.push_back((*it)["Value"].get<std::string>());
    std::string type = (*it)["Type"].get<std::string>();
    std::string label;
    if (auto dot = type.find('.'); dot != std::string::npos) {
      label = type.substr(dot + 1);
      type = type.substr(0, dot);
    }
    o->labels.push_back(label);
    o->types.push_back(type);
  }
  o->attrs.resize(o->names.size());
  for (size_t i = 0; i < o->names.size(); ++i) {
    const std::string& type = o->types[i];
    format::MessageAttribute& a = o->attrs[i];
    a.name = o->names[i];
    a.type = type == "Number"   ? format::AttributeType::kNumber
             : type == "Binary" ? format::AttributeType::kBinary
                                : format::AttributeType::kString;
    a.value = ByteView(reinterpret_cast<const uint8_t*>(o->values[i].data()), o->values[i].size());
    a.type_label = o->labels[i];
  }
}

std::string PolicyText(const Json& c) {
  if (c.contains("policy_text")) return c["policy_text"].get<std::string>();
  if (c.contains("policy_text_repeat")) {
    const Json& r = c["policy_text_repeat"];
    std::string s = r["prefix"].get<std::string>();
    for (int i = 0; i < r["count"].get<int>(); ++i) s += r["unit"].get<std::string>();
    return s + r["suffix"].get<std::string>();
  }
  return c["policy"].dump();
}

TEST(FilterPolicyTest, DocumentedCases) {
  std::ifstream in(std::string(SEGLOG_SOURCE_DIR) + "/tests/filter_policy_cases.json");
  ASSERT_TRUE(in) << "tests/filter_policy_cases.json";
  const Json table = Json::parse(in);
  size_t matched = 0, refused = 0;
  for (const Json& c : table["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const bool body = c["scope"] == "MessageBody";
    const FilterScope scope = body ? FilterScope::kMessageBody : FilterScope::kMessageAttributes;
    std::unique_ptr<const FilterPolicy> p;
    Status s = FilterPolicy::Compile(PolicyText(c), scope, &p);
    if (c.contains("error")) {
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.message();
      EXPECT_NE(s.message().find(c["error"].get<std::string>()), std::string::npos) << s.message();
      ++refused;
      continue;
    }
    ASSERT_TRUE(s.ok()) << s.message();
    OwnedAttributes owned;
    FilterSubject subject;
    if (body) {
      subject = FilterSubject::OfBody(c.value("body_text", false) ? c["body"].get<std::string>()
                                                                  : c["body"].dump());
    } else {
      BuildAttributes(c["attributes"], &owned);
      subject = FilterSubject::OfAttributes(owned.attrs);
    }
    EXPECT_EQ(p->Matches(subject), c["match"].get<bool>());
    // A subject of the other scope never matches.
    FilterSubject other = body ? FilterSubject::OfAttributes({}) : FilterSubject::OfBody("{}");
    EXPECT_FALSE(p->Matches(other));
    ++matched;
  }
  EXPECT_GT(matched, 80u);
  EXPECT_GT(refused, 25u);
}

std::unique_ptr<const FilterPolicy> MustCompile(const std::string& text, FilterScope scope) {
  std::unique_ptr<const FilterPolicy> p;
  Status s = FilterPolicy::Compile(text, scope, &p);
  EXPECT_TRUE(s.ok()) << text << ": " << s.message();
  return p;
}

Status CompileStatus(const std::string& text, FilterScope scope) {
  std::unique_ptr<const FilterPolicy> p;
  return FilterPolicy::Compile(text, scope, &p);
}

constexpr FilterScope kAttrs = FilterScope::kMessageAttributes;
constexpr FilterScope kBody = FilterScope::kMessageBody;

TEST(FilterPolicyTest, LimitsAtTheirBoundaries) {
  // 5 keys, 150 combinations (5 x 30), +-1e9, 5 decimals: accepted; one more: refused.
  std::string values;
  for (int i = 0; i < 30; ++i) values += (i ? ",\"" : "\"") + std::to_string(i) + "\"";
  auto p = MustCompile("{\"a\":[\"x\"],\"b\":[\"x\"],\"c\":[\"x\"],\"d\":[\"x\",\"y\",\"z\",\"w\",\"v\"],"
                       "\"e\":[" + values + "]}", kAttrs);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->combinations(), 150u);
  Status s = CompileStatus("{\"a\":[\"x\"],\"b\":[\"x\"],\"c\":[\"x\"],\"d\":[\"x\",\"y\",\"z\",\"w\",\"v\",\"u\"],"
                           "\"e\":[" + values + "]}", kAttrs);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("150"), std::string::npos) << s.message();
  EXPECT_NE(MustCompile(R"({"p":[{"numeric":[">=",-1000000000,"<=",1000000000]}]})", kAttrs), nullptr);
  EXPECT_NE(MustCompile(R"({"p":[1.12345, -999999999.99999]})", kAttrs), nullptr);
  EXPECT_FALSE(CompileStatus(R"({"p":[1000000000.5]})", kAttrs).ok());
  EXPECT_FALSE(CompileStatus(R"({"p":[0.000001]})", kAttrs).ok());
  // The $or example's combinations: 1 x (2 + 1 x (2 + 3)).
  auto o = MustCompile(R"({"source":["aws.cloudwatch"],"$or":[{"metricName":["CPU","Read"]},
      {"metricType":["T"],"$or":[{"metricId":[1234,4321]},{"spaceId":[1000,2000,3000]}]}]})", kBody);
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->combinations(), 7u);
}

TEST(FilterPolicyTest, MalformedInputIsRefusedNotCrashed) {
  EXPECT_FALSE(CompileStatus("{\"a\":[\"\xff\"]}", kAttrs).ok());  // not UTF-8
  EXPECT_FALSE(CompileStatus("", kAttrs).ok());
  EXPECT_FALSE(CompileStatus("null", kBody).ok());
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "{\"k\":";
  deep += "[1]";
  for (int i = 0; i < 100; ++i) deep += "}";
  Status s = CompileStatus(deep, kBody);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("k.k.k"), std::string::npos) << s.message();
  // Many $or alternatives: refused by the combinations limit, without expanding them all.
  std::string ors = "{\"a\":[\"1\"]";
  for (int i = 0; i < 12; ++i) ors += ",\"$or\":[{\"x\":[\"1\"]},{\"y\":[\"1\"]}]";
  EXPECT_TRUE(CompileStatus(ors + "}", kBody).ok());  // duplicate "$or" keys: the last one wins
  std::string nested = "{\"a\":[\"1\"]";
  for (int i = 0; i < 10; ++i) nested += ",\"$or\":[{\"x\":[\"1\"]},{\"y\":[\"1\"]";
  for (int i = 0; i < 10; ++i) nested += "}]";
  EXPECT_FALSE(CompileStatus(nested + "}", kBody).ok());
}

TEST(FilterPolicyTest, StringArrayAndNumberAttributes) {
  auto p = MustCompile(R"({"tags":["b", 3, true, null]})", kAttrs);
  ASSERT_NE(p, nullptr);
  auto subject = [](std::string_view type_label, format::AttributeType t, std::string_view v) {
    format::MessageAttribute a;
    a.name = "tags";
    a.type = t;
    a.type_label = type_label;
    a.value = ByteView(reinterpret_cast<const uint8_t*>(v.data()), v.size());
    return FilterSubject::OfAttributes(std::span<const format::MessageAttribute>(&a, 1));
  };
  using T = format::AttributeType;
  EXPECT_TRUE(p->Matches(subject("Array", T::kString, R"(["a","b"])")));
  EXPECT_TRUE(p->Matches(subject("Array", T::kString, R"([1, 3.0])")));
  EXPECT_TRUE(p->Matches(subject("Array", T::kString, R"([false, true])")));
  EXPECT_TRUE(p->Matches(subject("Array", T::kString, R"([null])")));
  EXPECT_FALSE(p->Matches(subject("Array", T::kString, R"(["a", "3", "true"])")));
  EXPECT_FALSE(p->Matches(subject("Array", T::kString, "[]")));
  EXPECT_TRUE(p->Matches(subject("", T::kString, "b")));
  EXPECT_TRUE(p->Matches(subject("", T::kNumber, "3.000")));
  EXPECT_FALSE(p->Matches(subject("", T::kString, "3")));
  EXPECT_FALSE(p->Matches(subject("", T::kBinary, "b")));
  // A malformed String.Array is matched as a plain string.
  auto raw = MustCompile(R"({"tags":["[\"b\""]})", kAttrs);
  ASSERT_NE(raw, nullptr);
  EXPECT_TRUE(raw->Matches(subject("Array", T::kString, "[\"b\"")));
  // An empty String.Array is present (not matched by exists: false) but empty (SNS: exists:
  // true needs a non-empty value) and matches no value.
  auto ex = MustCompile(R"({"tags":[{"exists":true}]})", kAttrs);
  EXPECT_FALSE(ex->Matches(subject("Array", T::kString, "[]")));
  EXPECT_TRUE(ex->Matches(subject("", T::kBinary, "b")));
  auto nex = MustCompile(R"({"tags":[{"exists":false}]})", kAttrs);
  EXPECT_FALSE(nex->Matches(subject("Array", T::kString, "[]")));
  auto ab = MustCompile(R"({"tags":[{"anything-but":"x"}]})", kAttrs);
  EXPECT_FALSE(ab->Matches(subject("Array", T::kString, "[]")));
  EXPECT_FALSE(ab->Matches(subject("", T::kBinary, "b")));
}

TEST(FilterPolicyTest, DeepAndWideBodiesStayLinear) {
  // 1,000 levels of nesting over 10,000 array elements: the key-path trie keeps one node per
  // distinct path, so the subject holds ~1,000 path nodes, not 10,000 copies of a long path.
  std::string body;
  for (int i = 0; i < 900; ++i) body += "{\"k\":";
  body += "[";
  for (int i = 0; i < 10000; ++i) body += (i ? ",{\"x\":" : "{\"x\":") + std::to_string(i) + "}";
  body += "]";
  for (int i = 0; i < 900; ++i) body += "}";
  FilterSubject s = FilterSubject::OfBody(body);
  ASSERT_TRUE(s.valid());
  auto p = MustCompile(R"({"k":{"k":{"k":[{"exists":true}]}}})", kBody);
  EXPECT_FALSE(p->Matches(s));  // an intermediate node, not a leaf
  auto none = MustCompile(R"({"k":[{"exists":false}]})", kBody);
  EXPECT_TRUE(none->Matches(s));
  EXPECT_FALSE(FilterSubject::OfBody("{\"a\":").valid());
  EXPECT_FALSE(FilterSubject::OfBody("").valid());
}

TEST(FilterPolicyTest, DuplicateKeysAndSharedSubjects) {
  // One subject, many policies: what Publish does.
  FilterSubject s = FilterSubject::OfBody(R"({"a":"x","b":{"c":[1,2,{"d":"y"}]},"a":"z"})");
  EXPECT_TRUE(MustCompile(R"({"a":["z"]})", kBody)->Matches(s));
  EXPECT_TRUE(MustCompile(R"({"a":["x"]})", kBody)->Matches(s));
  EXPECT_TRUE(MustCompile(R"({"b":{"c":[2]}})", kBody)->Matches(s));
  EXPECT_TRUE(MustCompile(R"({"b":{"c":{"d":["y"]}}})", kBody)->Matches(s));
  EXPECT_FALSE(MustCompile(R"({"b":{"c":{"d":["x"]}}})", kBody)->Matches(s));
  EXPECT_TRUE(MustCompile(R"({"b":{"c":[{"numeric":[">",1,"<",3]}]}})", kBody)->Matches(s));
}

}  // namespace
}  // namespace seglog
