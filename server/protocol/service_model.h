// A Query-protocol service model: what the codecs need of botocore's service-2.json, in the
// compact form scripts/gen_service_models.py writes (operations, shapes with their
// serialized names and flattened traits, and each modelled error's legacy Query code). One
// model per service (SQS, SNS): the codecs are generic over it.
//
// Lifetime: built once (Parse) and immutable after; the model objects returned by SqsModel()
// live for the whole process. Concurrency: read-only, any thread. Durability: none (static
// data compiled into the binary).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "server/service.h"

namespace seglog::server::protocol {

// A reference to a shape from a structure member, list element or map key/value, with its
// effective serialization: `name` is the XML / query name ("" = the member's own name, or
// "member" / "key" / "value"); `flattened` applies when the target is a list or a map.
struct ShapeRef {
  std::string shape;
  std::string name;
  bool flattened = false;
};

enum class ShapeType { kStructure, kList, kMap, kString, kInteger, kLong, kBoolean, kBlob,
                       kTimestamp, kDouble };

struct Shape {
  ShapeType type = ShapeType::kString;
  std::vector<std::pair<std::string, ShapeRef>> members;  // structure, in model order
  std::vector<std::string> required;                      // structure
  ShapeRef element;                                       // list
  ShapeRef key, value;                                    // map
};

struct Operation {
  std::string input;           // "" = no input shape
  std::string output;          // "" = no output shape
  std::string result_wrapper;  // "<Op>Result"
};

struct ErrorInfo {
  std::string code;  // the legacy Query code ("AWS.SimpleQueueService.NonExistentQueue")
  int http_status = 400;
  bool sender_fault = true;
};

class ServiceModel {
 public:
  // Parses the generator's JSON; throws std::runtime_error (or nlohmann's exceptions) on a
  // malformed model: it is compiled-in data, so that is a build bug, found at startup.
  static ServiceModel Parse(std::string_view json_text);

  const Operation* FindOperation(std::string_view name) const;
  const Shape* FindShape(std::string_view name) const;
  const ErrorInfo* FindError(std::string_view shape_name) const;
  // The Query code of an error: the model's legacy code for a modelled error shape, else
  // the code unchanged ("InvalidParameterValue", "MissingParameter").
  std::string LegacyCode(std::string_view code) const;
  std::vector<std::string> OperationNames() const;

  const std::string& xml_namespace() const { return xml_namespace_; }
  const std::string& api_version() const { return api_version_; }

 private:
  std::map<std::string, Operation, std::less<>> ops_;
  std::map<std::string, Shape, std::less<>> shapes_;
  std::map<std::string, ErrorInfo, std::less<>> errors_;
  std::string xml_namespace_, api_version_;
};

// SQS's model (server/protocol/sqs_model.inc), parsed on first use.
const ServiceModel& SqsModel();
// SNS's model (server/protocol/sns_model.inc: namespace http://sns.amazonaws.com/doc/2010-03-31/,
// Query only), parsed on first use.
const ServiceModel& SnsModel();

}  // namespace seglog::server::protocol
