// How seglogd's HTTP/1.1 sessions parse a request: the parser's limits, the body-limit check
// made once the head is known, and the conversion of Beast's message into HttpRequest. Shared
// by the sessions (http_server.cc) and the fuzz target (tests/fuzz/http_request_fuzz.cc), so
// that the fuzzer exercises exactly the configuration the server runs.
//
// Lifetime: plain functions over a caller-owned parser. Concurrency: none (one parser per
// connection, used on the event loop only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server/http_types.h"

namespace seglog::server::transport {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// Before reading a head: the header limit (431 beyond it). Read the head alone (Beast's
// read_header), then ApplyBodyLimit before any body byte is parsed.
void PrepareParser(RequestParser* parser, size_t max_header_bytes);

// The request's Content-Length, when it has one.
std::optional<uint64_t> ContentLength(const RequestParser& parser);

enum class BodyVerdict { kOk, kTooLarge };
// After the head: kTooLarge when the declared Content-Length exceeds `limit` (answer 413
// without reading the body); else sets the parser's body limit (a chunked body beyond it fails
// with http::error::body_limit).
BodyVerdict ApplyBodyLimit(RequestParser* parser, size_t limit);

// The head as HttpRequest: method, target, headers (names lower-cased, values trimmed, order
// and repeats kept). Body, remote, tls and received_ms are left for the caller.
HttpRequest HeadToRequest(const RequestParser& parser);

// True when the head asks for "Expect: 100-continue" (case-insensitive).
bool WantsContinue(const HttpRequest& head);

}  // namespace seglog::server::transport
