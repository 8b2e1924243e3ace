// Query-protocol request decoding (query_codec.h): form parameters -> JSON-protocol input.
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <set>

#include "server/protocol/query_codec.h"

namespace seglog::server::protocol {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxIndex = 1000000;  // "Name.N": N beyond this is not a list position

std::string Shorten(std::string_view v) { return ClipClientText(v); }

ServiceError BadValue(std::string_view key, std::string_view value, std::string_view reason) {
  return ServiceError{400, "InvalidParameterValue",
                      "Value " + Shorten(value) + " for parameter " + Shorten(key) +
                          " is invalid. Reason: " + std::string(reason) + ".",
                      true};
}

bool ParseInt(std::string_view s, int64_t lo, int64_t hi, int64_t* out) {
  size_t i = 0;
  const bool neg = !s.empty() && s[0] == '-';
  if (neg || (!s.empty() && s[0] == '+')) i = 1;
  if (i == s.size() || s.size() - i > 19) return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<uint64_t>(s[i] - '0');
  }
  if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return false;
  const int64_t x = neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
  if (x < lo || x > hi) return false;
  *out = x;
  return true;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = (a[i] >= 'A' && a[i] <= 'Z') ? static_cast<char>(a[i] + 32) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

class Decoder {
 public:
  Decoder(const ServiceModel& model, const FormParams& params) : model_(model), params_(params) {}

  // Decodes the members of a structure whose parameters start with `prefix` ("" at the top).
  json Structure(const Shape& shape, const std::string& prefix) {
    json out = json::object();
    for (const auto& [member, ref] : shape.members) {
      if (error) break;
      const std::string& serialized = ref.name.empty() ? member : ref.name;
      const std::string key = prefix.empty() ? serialized : prefix + "." + serialized;
      json value;
      if (Value(ref, key, &value)) out[member] = std::move(value);
    }
    return out;
  }

  std::optional<ServiceError> error;

 private:
  // Decodes the value `ref` names at parameter `key`; false when absent (or on error).
  bool Value(const ShapeRef& ref, const std::string& key, json* out) {
    const Shape& shape = *model_.FindShape(ref.shape);  // Parse checked every reference
    switch (shape.type) {
      case ShapeType::kStructure:
        if (!HasPrefix(key + ".")) return false;
        *out = Structure(shape, key);
        return !error;
      case ShapeType::kList: return List(ref, shape, key, out);
      case ShapeType::kMap: return Map(ref, shape, key, out);
      default: break;
    }
    const auto it = params_.find(key);
    if (it == params_.end()) return false;
    return Scalar(shape.type, key, it->second, out);
  }

  bool List(const ShapeRef& ref, const Shape& shape, const std::string& key, json* out) {
    std::string list_prefix;
    if (ref.flattened) {
      list_prefix = key;
      if (!shape.element.name.empty()) {
        const size_t dot = key.rfind('.');
        list_prefix = (dot == std::string::npos ? "" : key.substr(0, dot + 1)) +
                      shape.element.name;
      }
    } else {
      list_prefix = key + "." + (shape.element.name.empty() ? "member" : shape.element.name);
    }
    const std::set<uint64_t> indices = Indices(list_prefix + ".");
    if (indices.empty()) {
      // botocore sends an empty list as "Name=" (the member's own key).
      const auto it = params_.find(key);
      if (it == params_.end() || !it->second.empty()) return false;
      *out = json::array();
      return true;
    }
    *out = json::array();
    for (const uint64_t i : indices) {
      json element;
      if (!Value(shape.element, list_prefix + "." + std::to_string(i), &element)) {
        if (error) return false;
        continue;  // only deeper, unknown parameters under this index
      }
      out->push_back(std::move(element));
    }
    return !error;
  }

  bool Map(const ShapeRef& ref, const Shape& shape, const std::string& key, json* out) {
    const std::string full = ref.flattened ? key : key + ".entry";
    const std::set<uint64_t> indices = Indices(full + ".");
    if (indices.empty()) return false;
    const std::string& kname = shape.key.name.empty() ? "key" : shape.key.name;
    const std::string& vname = shape.value.name.empty() ? "value" : shape.value.name;
    *out = json::object();
    for (const uint64_t i : indices) {
      const std::string entry = full + "." + std::to_string(i) + ".";
      const auto k = params_.find(entry + kname);
      if (k == params_.end()) {
        error = ServiceError{400, "MissingParameter",
                             "The request must contain the parameter " + Shorten(entry + kname) +
                                 ".",
                             true};
        return false;
      }
      json value;
      if (!Value(shape.value, entry + vname, &value)) {
        if (error) return false;
        error = ServiceError{400, "MissingParameter",
                             "The request must contain the parameter " + Shorten(entry + vname) +
                                 ".",
                             true};
        return false;
      }
      (*out)[k->second] = std::move(value);
    }
    return true;
  }

  bool Scalar(ShapeType type, const std::string& key, const std::string& text, json* out) {
    int64_t i = 0;
    switch (type) {
      case ShapeType::kInteger:
        if (!ParseInt(text, std::numeric_limits<int32_t>::min(),
                      std::numeric_limits<int32_t>::max(), &i)) {
          error = BadValue(key, text, "must be an integer");
          return false;
        }
        *out = i;
        return true;
      case ShapeType::kLong:
      case ShapeType::kTimestamp:  // epoch seconds, as the JSON protocol carries them
        if (!ParseInt(text, std::numeric_limits<int64_t>::min(),
                      std::numeric_limits<int64_t>::max(), &i)) {
          error = BadValue(key, text, "must be an integer");
          return false;
        }
        *out = i;
        return true;
      case ShapeType::kBoolean:
        if (EqualsIgnoreCase(text, "true") || EqualsIgnoreCase(text, "false")) {
          *out = EqualsIgnoreCase(text, "true");
          return true;
        }
        error = BadValue(key, text, "must be true or false");
        return false;
      case ShapeType::kDouble: return Double(key, text, out);
      default:  // string, blob (base64 text, as in the JSON protocol)
        *out = text;
        return true;
    }
  }

  bool Double(const std::string& key, const std::string& text, json* out) {
    char* end = nullptr;
    errno = 0;
    const double d = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || errno != 0 || !std::isfinite(d)) {
      error = BadValue(key, text, "must be a number");
      return false;
    }
    *out = d;
    return true;
  }

  bool HasPrefix(const std::string& prefix) const {
    const auto it = params_.lower_bound(prefix);
    return it != params_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
  }

  // The N of every parameter "<prefix>N" or "<prefix>N.<rest>", N a positive decimal.
  std::set<uint64_t> Indices(const std::string& prefix) const {
    std::set<uint64_t> out;
    for (auto it = params_.lower_bound(prefix);
         it != params_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      const std::string_view rest = std::string_view(it->first).substr(prefix.size());
      uint64_t n = 0;
      size_t i = 0;
      while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9' && n <= kMaxIndex) {
        n = n * 10 + static_cast<uint64_t>(rest[i] - '0');
        ++i;
      }
      if (i == 0 || rest[0] == '0' || n > kMaxIndex) continue;
      if (i < rest.size() && rest[i] != '.') continue;
      out.insert(n);
    }
    return out;
  }

  const ServiceModel& model_;
  const FormParams& params_;
};

}  // namespace

std::optional<ServiceError> DecodeQueryRequest(const ServiceModel& model,
                                               const FormParams& params,
                                               std::string_view path, std::string* action,
                                               json* input) {
  const auto a = params.find("Action");
  if (a == params.end() || a->second.empty()) {
    return ServiceError{400, "MissingAction", "The request must contain the parameter Action.",
                        true};
  }
  const Operation* op = model.FindOperation(a->second);
  if (!op) {
    return ServiceError{400, "InvalidAction",
                        "The action " + Shorten(a->second) + " is not valid for this endpoint.",
                        true};
  }
  *action = a->second;
  *input = json::object();
  if (op->input.empty()) return std::nullopt;
  const Shape& shape = *model.FindShape(op->input);
  Decoder decoder(model, params);
  *input = decoder.Structure(shape, "");
  if (decoder.error) return decoder.error;
  const bool has_queue_url = [&] {
    for (const auto& m : shape.members) {
      if (m.first == "QueueUrl") return true;
    }
    return false;
  }();
  if (has_queue_url && !input->contains("QueueUrl") && !path.empty() && path != "/") {
    (*input)["QueueUrl"] = std::string(path);
  }
  for (const auto& r : shape.required) {
    if (!input->contains(r)) {
      return ServiceError{400, "MissingParameter",
                          "The request must contain the parameter " + r + ".", true};
    }
  }
  return std::nullopt;
}

}  // namespace seglog::server::protocol
