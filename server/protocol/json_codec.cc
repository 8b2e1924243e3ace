#include "server/protocol/json_codec.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace seglog::server::protocol {
namespace {

using nlohmann::json;

// The deepest [ / { nesting of `body`, strings skipped; stops counting past `limit`.
int NestingDepth(std::string_view body, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

std::string NlohmannDump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighs = 0x8080808080808080ULL;

uint64_t Word(const char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof w);
  return w;
}

// Nonzero when one of the 8 bytes of w is below 0x20, '"' or '\\' (w holds no byte >= 0x80).
uint64_t NeedsEscape(uint64_t w) {
  const auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHighs; };
  return ((w - kOnes * 0x20) & ~w & kHighs) | has_zero(w ^ (kOnes * '"')) |
         has_zero(w ^ (kOnes * '\\'));
}

bool AllAscii(std::string_view s) {
  uint64_t acc = 0;
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) acc |= Word(s.data() + i);
  for (; i < s.size(); ++i) acc |= static_cast<unsigned char>(s[i]);
  return (acc & kHighs) == 0;
}

// Appends `s` quoted and escaped exactly as nlohmann's dump does (ensure_ascii off), when it
// is all ASCII; false (nothing appended) when it holds a byte >= 0x80, which nlohmann must
// check as UTF-8. Clean runs are skipped 8 bytes at a time.
bool AppendAsciiString(std::string_view s, std::string* out) {
  if (!AllAscii(s)) return false;
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;  // start of the pending run of bytes copied as they are
  size_t i = 0;
  while (i < s.size()) {
    if (i + 8 <= s.size() && NeedsEscape(Word(s.data() + i)) == 0) {
      i += 8;
      continue;
    }
    const size_t end = std::min(s.size(), i + 8);
    for (; i < end; ++i) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x20 && c != '"' && c != '\\') continue;
      out->append(s.data() + run, i - run);
      run = i + 1;
      switch (c) {
        case '"': out->append("\\\""); break;
        case '\\': out->append("\\\\"); break;
        case '\b': out->append("\\b"); break;
        case '\t': out->append("\\t"); break;
        case '\n': out->append("\\n"); break;
        case '\f': out->append("\\f"); break;
        case '\r': out->append("\\r"); break;
        default: {
          const char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xf]};
          out->append(u, sizeof u);
        }
      }
    }
  }
  out->append(s.data() + run, s.size() - run);
  out->push_back('"');
  return true;
}

void AppendString(const std::string& s, std::string* out) {
  if (!AppendAsciiString(s, out)) out->append(NlohmannDump(json(s)));
}

// nlohmann's compact dump, byte for byte, without its per-byte UTF-8 decoding of ASCII text:
// objects, arrays, ASCII strings and integers are written here; floats, binary values and
// non-ASCII strings by nlohmann itself.
void AppendJson(const json& j, std::string* out) {
  switch (j.type()) {
    case json::value_t::object: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, value] : j.get_ref<const json::object_t&>()) {
        if (!first) out->push_back(',');
        first = false;
        AppendString(key, out);
        out->push_back(':');
        AppendJson(value, out);
      }
      out->push_back('}');
      return;
    }
    case json::value_t::array: {
      out->push_back('[');
      bool first = true;
      for (const json& value : j) {
        if (!first) out->push_back(',');
        first = false;
        AppendJson(value, out);
      }
      out->push_back(']');
      return;
    }
    case json::value_t::string:
      AppendString(j.get_ref<const std::string&>(), out);
      return;
    case json::value_t::number_integer:
      out->append(std::to_string(j.get<int64_t>()));
      return;
    case json::value_t::number_unsigned:
      out->append(std::to_string(j.get<uint64_t>()));
      return;
    case json::value_t::boolean:
      out->append(j.get<bool>() ? "true" : "false");
      return;
    case json::value_t::null:
      out->append("null");
      return;
    default:  // floats, binary, discarded
      out->append(NlohmannDump(j));
      return;
  }
}

std::string Dump(const json& j) {
  std::string out;
  out.reserve(256);
  AppendJson(j, &out);
  return out;
}

HttpResponse Base(const JsonProtocol& protocol, std::string_view request_id) {
  HttpResponse r;
  r.headers.emplace_back("Content-Type", protocol.content_type);
  r.headers.emplace_back("x-amzn-RequestId", std::string(request_id));
  return r;
}

}  // namespace

const JsonProtocol& SqsJsonProtocol() {
  static const JsonProtocol p{"application/x-amz-json-1.0", "com.amazonaws.sqs#",
                              "InvalidParameterValue", &SqsModel()};
  return p;
}

const JsonProtocol& KinesisJsonProtocol() {
  static const JsonProtocol p{"application/x-amz-json-1.1", "", "SerializationException",
                              nullptr};
  return p;
}

std::optional<ServiceError> DecodeJsonRequest(const JsonProtocol& protocol,
                                              std::string_view body, json* input) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    *input = json::object();
    return std::nullopt;
  }
  if (NestingDepth(body, kMaxJsonDepth) > kMaxJsonDepth) {
    return ServiceError{400, protocol.invalid_body_code,
                        "The request body is nested deeper than " +
                            std::to_string(kMaxJsonDepth) + " levels.",
                        true};
  }
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return ServiceError{400, protocol.invalid_body_code,
                        "The request body is not a JSON object (or not well-formed UTF-8).",
                        true};
  }
  *input = std::move(j);
  return std::nullopt;
}

HttpResponse EncodeJsonError(const JsonProtocol& protocol, const ServiceError& error,
                             std::string_view request_id) {
  HttpResponse r = Base(protocol, request_id);
  r.status = error.http_status;
  if (protocol.query_compatible) {
    r.headers.emplace_back("x-amzn-query-error",
                           protocol.query_compatible->LegacyCode(error.code) +
                               (error.sender_fault ? ";Sender" : ";Receiver"));
  }
  json doc = {{"__type", protocol.error_prefix + error.code}, {"message", error.message}};
  r.body = Dump(doc);
  return r;
}

HttpResponse EncodeJsonOutcome(const JsonProtocol& protocol, const ServiceOutcome& outcome,
                               std::string_view request_id) {
  if (outcome.error) return EncodeJsonError(protocol, *outcome.error, request_id);
  HttpResponse r = Base(protocol, request_id);
  r.body = outcome.output.is_null() ? "{}" : Dump(outcome.output);
  return r;
}

}  // namespace seglog::server::protocol
