// Query-protocol response encoding (query_codec.h): JSON-protocol output -> XML, mirroring
// what botocore's QueryParser reads (flattened lists and maps as repeated elements named by
// the model, non-flattened ones wrapped in <member> / <entry>).
#include <ctime>
#include <stdexcept>

#include "server/protocol/query_codec.h"
#include "server/protocol/xml.h"

namespace seglog::server::protocol {
namespace {

using nlohmann::json;

std::string IsoTime(const json& v) {
  if (!v.is_number()) throw std::invalid_argument("a timestamp is not a number");
  double d = v.get<double>();
  if (!(d >= 0)) d = 0;                  // NaN and before 1970: the epoch
  if (d > 253402300799.0) d = 253402300799.0;  // 9999-12-31T23:59:59Z
  const auto secs = static_cast<time_t>(d);
  struct tm tm {};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

class Encoder {
 public:
  Encoder(const ServiceModel& model, std::string* out) : model_(model), out_(out) {}

  void StructureContent(const Shape& shape, const json& v) {
    if (!v.is_object()) throw std::invalid_argument("a structure is not a JSON object");
    for (const auto& [member, ref] : shape.members) {
      const auto it = v.find(member);
      if (it == v.end() || it->is_null()) continue;
      Member(ref.name.empty() ? member : ref.name, ref, *it);
    }
  }

 private:
  // One structure member (or list element / map value) named `tag`.
  void Member(const std::string& tag, const ShapeRef& ref, const json& v) {
    const Shape& shape = *model_.FindShape(ref.shape);
    if (ref.flattened && shape.type == ShapeType::kList) {
      if (!v.is_array()) throw std::invalid_argument("a list is not a JSON array");
      const std::string& item = shape.element.name.empty() ? tag : shape.element.name;
      for (const auto& e : v) Member(item, shape.element, e);
      return;
    }
    if (ref.flattened && shape.type == ShapeType::kMap) {
      if (!v.is_object()) throw std::invalid_argument("a map is not a JSON object");
      for (const auto& [k, val] : v.items()) MapEntry(tag, shape, k, val);
      return;
    }
    Open(tag);
    Content(shape, v);
    Close(tag);
  }

  void MapEntry(const std::string& tag, const Shape& map, const std::string& k, const json& v) {
    Open(tag);
    AppendXmlElement(out_, map.key.name.empty() ? "key" : map.key.name, k);
    Member(map.value.name.empty() ? "value" : map.value.name, map.value, v);
    Close(tag);
  }

  void Content(const Shape& shape, const json& v) {
    switch (shape.type) {
      case ShapeType::kStructure: StructureContent(shape, v); return;
      case ShapeType::kList: {
        if (!v.is_array()) throw std::invalid_argument("a list is not a JSON array");
        const std::string item = shape.element.name.empty() ? "member" : shape.element.name;
        for (const auto& e : v) Member(item, shape.element, e);
        return;
      }
      case ShapeType::kMap:
        if (!v.is_object()) throw std::invalid_argument("a map is not a JSON object");
        for (const auto& [k, val] : v.items()) MapEntry("entry", shape, k, val);
        return;
      case ShapeType::kTimestamp: AppendXmlEscaped(out_, IsoTime(v)); return;
      default: Scalar(v);
    }
  }

  void Scalar(const json& v) {
    if (v.is_string()) {
      AppendXmlEscaped(out_, v.get_ref<const std::string&>());
    } else if (v.is_boolean()) {
      out_->append(v.get<bool>() ? "true" : "false");
    } else if (v.is_number()) {
      out_->append(v.dump());
    } else {
      throw std::invalid_argument("a scalar member is a JSON object or array");
    }
  }

  void Open(std::string_view tag) {
    out_->push_back('<');
    out_->append(tag);
    out_->push_back('>');
  }
  void Close(std::string_view tag) {
    out_->append("</");
    out_->append(tag);
    out_->push_back('>');
  }

  const ServiceModel& model_;
  std::string* out_;
};

void AppendRequestId(std::string* out, std::string_view request_id) {
  AppendXmlElement(out, "RequestId", request_id);
}

}  // namespace

std::string EncodeQueryResult(const ServiceModel& model, std::string_view action,
                              const json& output, std::string_view request_id) {
  const Operation* op = model.FindOperation(action);
  if (!op) throw std::invalid_argument("no such operation in the model");
  const std::string name(action);
  std::string out = "<?xml version=\"1.0\"?><" + name + "Response xmlns=\"";
  AppendXmlEscaped(&out, model.xml_namespace());
  out += "\">";
  if (!op->output.empty()) {
    out += "<" + op->result_wrapper + ">";
    Encoder(model, &out).StructureContent(*model.FindShape(op->output), output);
    out += "</" + op->result_wrapper + ">";
  }
  out += "<ResponseMetadata>";
  AppendRequestId(&out, request_id);
  out += "</ResponseMetadata></" + name + "Response>";
  return out;
}

std::string EncodeQueryError(const ServiceModel& model, const ServiceError& error,
                             std::string_view request_id) {
  std::string out = "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"";
  AppendXmlEscaped(&out, model.xml_namespace());
  out += "\"><Error>";
  AppendXmlElement(&out, "Type", error.sender_fault ? "Sender" : "Receiver");
  AppendXmlElement(&out, "Code", model.LegacyCode(error.code));
  AppendXmlElement(&out, "Message", error.message);
  // SQS's errors carry an empty <Detail/>; SNS's do not.
  if (model.xml_namespace().find("sns.amazonaws.com") == std::string::npos) out += "<Detail/>";
  out += "</Error>";
  AppendRequestId(&out, request_id);
  out += "</ErrorResponse>";
  return out;
}

HttpResponse EncodeQueryOutcome(const ServiceModel& model, std::string_view action,
                                const ServiceOutcome& outcome, std::string_view request_id) {
  HttpResponse r;
  r.headers.emplace_back("Content-Type", "text/xml");
  r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  if (outcome.error) {
    r.status = outcome.error->http_status;
    r.body = EncodeQueryError(model, *outcome.error, request_id);
  } else {
    r.body = EncodeQueryResult(model, action, outcome.output, request_id);
  }
  return r;
}

}  // namespace seglog::server::protocol
