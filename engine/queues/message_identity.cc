#include "engine/queues/message_identity.h"

#include "engine/log/digest.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <vector>

namespace seglog {

namespace {

// Every MessageId hashes this prefix first, so that no other SHA-256 seglog computes over the
// same 16 bytes of ids can collide with one by construction. Never change it: ids handed out
// before would change on the next receive.
constexpr std::string_view kMessageIdDomain = "seglog/sqs-message-id/v1";

// The transport bytes SQS's attribute digest writes before a value (SQS Developer Guide,
// "Calculating the MD5 message digest for message attributes").
constexpr uint8_t kTransportString = 1;  // String and Number
constexpr uint8_t kTransportBinary = 2;

std::string Md5Hex(std::span<const uint8_t> data) { return HexOf(Md5(data)); }

void PutBigEndian(uint64_t v, int bytes, std::vector<uint8_t>* out) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) {
    out->push_back(static_cast<uint8_t>(v >> shift));
  }
}

void PutBytes(std::string_view s, std::vector<uint8_t>* out) {
  out->insert(out->end(), s.begin(), s.end());
}

// A 4-byte big-endian length, then the bytes.
void PutLengthPrefixed(std::span<const uint8_t> bytes, std::vector<uint8_t>* out) {
  PutBigEndian(bytes.size(), 4, out);
  out->insert(out->end(), bytes.begin(), bytes.end());
}

void PutLengthPrefixed(std::string_view s, std::vector<uint8_t>* out) {
  PutLengthPrefixed(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()), out);
}

// One attribute as SQS's digest encodes it: name, DataType ("String", or "String.json" with a
// custom label), transport byte, value.
void PutAttribute(const format::MessageAttribute& a, std::vector<uint8_t>* out) {
  PutLengthPrefixed(a.name, out);
  std::string data_type(format::AttributeTypeName(a.type));
  if (!a.type_label.empty()) data_type.append(".").append(a.type_label);
  PutLengthPrefixed(data_type, out);
  switch (a.type) {
    case format::AttributeType::kString:
    case format::AttributeType::kNumber: out->push_back(kTransportString); break;
    case format::AttributeType::kBinary: out->push_back(kTransportBinary); break;
  }
  PutLengthPrefixed(a.value, out);
}

}  // namespace

std::string MessageIdFor(uint64_t queue_incarnation, uint64_t id) {
  std::vector<uint8_t> in;
  PutBytes(kMessageIdDomain, &in);
  PutBigEndian(queue_incarnation, 8, &in);
  PutBigEndian(id, 8, &in);
  std::array<uint8_t, 32> sha = Sha256(in);
  // RFC 9562 version 8 (custom): the first 16 bytes of the hash, with the version nibble set
  // to 8 and the variant bits to 10.
  sha[6] = static_cast<uint8_t>((sha[6] & 0x0f) | 0x80);
  sha[8] = static_cast<uint8_t>((sha[8] & 0x3f) | 0x80);
  const std::string hex = HexOf(std::span(sha).first(16));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string SequenceNumberFor(uint64_t id) {
  // Zero-padded to 20 digits, the width of UINT64_MAX: numeric and text order agree.
  char buf[21];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(id));
  return buf;
}

std::string Md5OfBody(ByteView body) { return Md5Hex(body); }

std::string Md5OfAttributes(std::span<const format::MessageAttribute> attrs) {
  if (attrs.empty()) return "";
  std::vector<const format::MessageAttribute*> sorted;
  sorted.reserve(attrs.size());
  for (const auto& a : attrs) sorted.push_back(&a);
  // By name, byte by byte (std::string_view compares as unsigned char), as SQS and moto do.
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* x, const auto* y) { return x->name < y->name; });
  std::vector<uint8_t> in;
  for (const auto* a : sorted) PutAttribute(*a, &in);
  return Md5Hex(in);
}

std::string Md5OfSystemAttributes(std::string_view trace_header) {
  if (trace_header.empty()) return "";
  const format::MessageAttribute trace{
      .name = "AWSTraceHeader",
      .type = format::AttributeType::kString,
      .value = ByteView(reinterpret_cast<const uint8_t*>(trace_header.data()),
                        trace_header.size()),
      .type_label = "",
  };
  return Md5OfAttributes(std::span(&trace, 1));
}

}  // namespace seglog
