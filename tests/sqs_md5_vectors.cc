// seglog's SQS MD5s for cases read as JSON on stdin, printed as JSON on stdout: what
// tests/clients/md5_moto_check.py and md5_sdk_check.mjs compare against moto and the AWS SDK
// for JavaScript. Thin on purpose: the digests are engine/queues/message_identity's.
//
// stdin:  [{"body": base64, "attributes": [{"Name": s, "DataType": "String[.label]",
//           "StringValue": s | "BinaryValue": base64}, ...], "trace_header": s}, ...]
//         ("attributes" and "trace_header" optional)
// stdout: [{"md5_body": hex, "md5_attributes": hex or "", "md5_system_attributes": hex or ""}]
// Exit 2 with a message on stderr for input it cannot read.
#include <openssl/evp.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/queues/message_identity.h"

namespace {

using seglog::format::AttributeType;
using seglog::format::MessageAttribute;

std::string Base64Decode(const std::string& in) {
  if (in.size() % 4 != 0) throw std::runtime_error("base64 length not a multiple of 4");
  std::string out(in.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(in.data()),
                                static_cast<int>(in.size()));
  if (n < 0) throw std::runtime_error("bad base64");
  // EVP_DecodeBlock counts the bytes that '=' padding stands for; drop them.
  size_t pad = 0;
  for (size_t i = in.size(); i > 0 && in[i - 1] == '='; --i) ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

seglog::ByteView View(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Owns the bytes an attribute's views point at.
struct OwnedAttribute {
  std::string name, label, value;
  AttributeType type = AttributeType::kString;
};

OwnedAttribute ParseAttribute(const nlohmann::json& j) {
  OwnedAttribute a;
  a.name = j.at("Name").get<std::string>();
  const std::string data_type = j.at("DataType").get<std::string>();
  const size_t dot = data_type.find('.');
  const std::string base = data_type.substr(0, dot);
  if (dot != std::string::npos) a.label = data_type.substr(dot + 1);
  if (base == "String") a.type = AttributeType::kString;
  else if (base == "Number") a.type = AttributeType::kNumber;
  else if (base == "Binary") a.type = AttributeType::kBinary;
  else throw std::runtime_error("unknown DataType " + data_type);
  a.value = a.type == AttributeType::kBinary ? Base64Decode(j.at("BinaryValue").get<std::string>())
                                             : j.at("StringValue").get<std::string>();
  return a;
}

nlohmann::json Digests(const nlohmann::json& c) {
  const std::string body = Base64Decode(c.at("body").get<std::string>());
  std::vector<OwnedAttribute> owned;
  for (const auto& j : c.value("attributes", nlohmann::json::array())) {
    owned.push_back(ParseAttribute(j));
  }
  std::vector<MessageAttribute> attrs;
  for (const auto& a : owned) {
    attrs.push_back({.name = a.name, .type = a.type, .value = View(a.value), .type_label = a.label});
  }
  return {{"md5_body", seglog::Md5OfBody(View(body))},
          {"md5_attributes", seglog::Md5OfAttributes(attrs)},
          {"md5_system_attributes",
           seglog::Md5OfSystemAttributes(c.value("trace_header", std::string()))}};
}

}  // namespace

int main() {
  try {
    const nlohmann::json cases = nlohmann::json::parse(std::cin);
    nlohmann::json out = nlohmann::json::array();
    for (const auto& c : cases) out.push_back(Digests(c));
    std::cout << out.dump() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "sqs_md5_vectors: " << e.what() << "\n";
    return 2;
  }
}
