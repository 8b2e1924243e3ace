#include "server/protocol/service_model.h"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace seglog::server::protocol {
namespace {

using nlohmann::json;

ShapeType TypeOf(const std::string& t) {
  static const std::map<std::string, ShapeType, std::less<>> kTypes = {
      {"structure", ShapeType::kStructure}, {"list", ShapeType::kList},
      {"map", ShapeType::kMap},             {"string", ShapeType::kString},
      {"integer", ShapeType::kInteger},     {"long", ShapeType::kLong},
      {"boolean", ShapeType::kBoolean},     {"blob", ShapeType::kBlob},
      {"timestamp", ShapeType::kTimestamp}, {"double", ShapeType::kDouble},
      {"float", ShapeType::kDouble}};
  const auto it = kTypes.find(t);
  if (it == kTypes.end()) throw std::runtime_error("service model: unknown shape type " + t);
  return it->second;
}

ShapeRef RefOf(const json& j) {
  ShapeRef r;
  r.shape = j.at("s").get<std::string>();
  r.name = j.value("n", std::string());
  r.flattened = j.value("f", false);
  return r;
}

Shape ShapeOf(const json& j) {
  Shape s;
  s.type = TypeOf(j.at("t").get<std::string>());
  if (s.type == ShapeType::kStructure) {
    for (const auto& [name, ref] : j.at("m").items()) s.members.emplace_back(name, RefOf(ref));
    if (j.contains("req")) s.required = j.at("req").get<std::vector<std::string>>();
  } else if (s.type == ShapeType::kList) {
    s.element = RefOf(j.at("e"));
  } else if (s.type == ShapeType::kMap) {
    s.key = RefOf(j.at("k"));
    s.value = RefOf(j.at("v"));
  }
  return s;
}

template <class M>
const typename M::mapped_type* Find(const M& m, std::string_view name) {
  const auto it = m.find(name);
  return it == m.end() ? nullptr : &it->second;
}

}  // namespace

ServiceModel ServiceModel::Parse(std::string_view json_text) {
  const json j = json::parse(json_text);
  ServiceModel m;
  m.xml_namespace_ = j.at("meta").at("ns").get<std::string>();
  m.api_version_ = j.at("meta").at("version").get<std::string>();
  for (const auto& [name, op] : j.at("ops").items()) {
    Operation o;
    if (op.at("in").is_string()) o.input = op.at("in").get<std::string>();
    if (op.at("out").is_string()) o.output = op.at("out").get<std::string>();
    o.result_wrapper = op.at("wrap").is_string() ? op.at("wrap").get<std::string>()
                                                 : name + "Result";
    m.ops_.emplace(name, std::move(o));
  }
  for (const auto& [name, s] : j.at("shapes").items()) m.shapes_.emplace(name, ShapeOf(s));
  for (const auto& [name, e] : j.at("errors").items()) {
    m.errors_.emplace(name, ErrorInfo{e.at("code").get<std::string>(), e.at("status").get<int>(),
                                      e.at("sender").get<bool>()});
  }
  // Every reference must resolve: a dangling one would make the codecs skip data silently.
  auto check = [&](const ShapeRef& r) {
    if (!m.FindShape(r.shape)) throw std::runtime_error("service model: no shape " + r.shape);
  };
  for (const auto& [name, s] : m.shapes_) {
    for (const auto& [member, ref] : s.members) check(ref);
    if (s.type == ShapeType::kList) check(s.element);
    if (s.type == ShapeType::kMap) { check(s.key); check(s.value); }
  }
  for (const auto& [name, o] : m.ops_) {
    if (!o.input.empty()) check(ShapeRef{o.input, "", false});
    if (!o.output.empty()) check(ShapeRef{o.output, "", false});
  }
  return m;
}

const Operation* ServiceModel::FindOperation(std::string_view name) const {
  return Find(ops_, name);
}
const Shape* ServiceModel::FindShape(std::string_view name) const { return Find(shapes_, name); }
const ErrorInfo* ServiceModel::FindError(std::string_view shape_name) const {
  return Find(errors_, shape_name);
}

std::string ServiceModel::LegacyCode(std::string_view code) const {
  const ErrorInfo* e = FindError(code);
  return e ? e->code : std::string(code);
}

std::vector<std::string> ServiceModel::OperationNames() const {
  std::vector<std::string> names;
  for (const auto& [name, op] : ops_) names.push_back(name);
  return names;
}

const ServiceModel& SqsModel() {
  static const ServiceModel model = ServiceModel::Parse(
#include "server/protocol/sqs_model.inc"
  );
  return model;
}

const ServiceModel& SnsModel() {
  static const ServiceModel model = ServiceModel::Parse(
#include "server/protocol/sns_model.inc"
  );
  return model;
}

}  // namespace seglog::server::protocol
