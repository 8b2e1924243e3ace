// seglogd's HTTP request and response as every layer above the transport sees them
// (server/transport/ parses and writes the wire; nothing above it includes Boost).
//
// Lifetime: a request is owned by its handler from Handle() on; Respond may be called from any
// thread, exactly once. Concurrency: none inside these values.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace seglog::server {

struct HttpRequest {
  std::string method;   // "GET", "POST", ...
  std::string target;   // as sent: path and query string ("/000000000000/q1?Action=...")
  // Header names lower-cased; values as sent, trimmed. Order kept; repeats kept.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote;   // "IP:PORT" of the peer
  bool tls = false;     // arrived over HTTPS
  int64_t received_ms = 0;  // wall clock when the head was read (logs, metrics)

  // The first header of that (lower-case) name, or nullptr.
  const std::string* Header(std::string_view lower_name) const {
    for (const auto& h : headers) {
      if (h.first == lower_name) return &h.second;
    }
    return nullptr;
  }
  std::string_view Path() const {
    const size_t q = target.find('?');
    return std::string_view(target).substr(0, q);
  }
  std::string_view Query() const {  // after '?', "" when none
    const size_t q = target.find('?');
    return q == std::string::npos ? std::string_view() : std::string_view(target).substr(q + 1);
  }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Length is the transport's
  std::string body;
  bool close = false;  // close the connection after this response
};

using Respond = std::function<void(HttpResponse)>;

// What the transport calls. Implemented by server/router.h.
class Handler {
 public:
  virtual ~Handler() = default;
  // The largest body this request may carry, decided from its head alone (method, target,
  // headers; body empty). A larger Content-Length is refused with 413 before any body byte is
  // read; a chunked body is cut off at the limit.
  virtual size_t BodyLimit(const HttpRequest& head) const = 0;
  // Called on a worker thread (never the event loop). `respond` exactly once, from any thread.
  virtual void Handle(HttpRequest request, Respond respond) = 0;
};

}  // namespace seglog::server
