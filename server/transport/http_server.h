// seglogd's transport: one Boost.Asio event loop accepting HTTP/1.1 (keep-alive) over TCP and,
// with a certificate, TLS (OpenSSL). Each complete request is handed to the Handler on the
// Executor's workers; the event loop only reads, writes and times out. Designed so HTTP/2
// (ALPN "h2" over TLS, prior knowledge on cleartext) plugs in beside the HTTP/1.1 session.
//
// Limits (a hostile client gets an error or a closed connection, never a crash or unbounded
// memory): header bytes, per-request body limit from Handler::BodyLimit (413 before reading a
// too-long Content-Length), a timeout to read a head and to read a body (slowloris), an idle
// keep-alive timeout, a connection cap (beyond it new connections are closed at once),
// responses written in order, one request in flight per connection.
//
// Lifetime: Start binds and starts the loop thread; Stop stops accepting, closes idle
// connections, lets in-flight requests answer (up to a grace period), then ends the loop.
// Handler, Executor and Metrics outlive the server. Concurrency: Start/Stop from one thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "format/status.h"
#include "server/executor.h"
#include "server/http_types.h"
#include "server/metrics.h"

namespace seglog::server {

struct TransportOptions {
  std::vector<std::string> listen = {"127.0.0.1:9324"};  // "host:port"; port 0 = any
  std::string tls_cert;  // PEM certificate chain; with tls_key: every listener speaks HTTPS
  std::string tls_key;
  size_t max_connections = 4096;
  // The request bytes all connections together may hold at once (bodies being read, and those
  // a worker has not answered yet): a request that would pass it is answered 503 and its
  // connection closed, so that many connections each sending the largest body an action
  // allows cannot exhaust memory. A request is charged its Content-Length (a chunked one its
  // whole body limit) from its head until its answer is written.
  uint64_t max_request_bytes_in_flight = 512ull << 20;
  size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds head_timeout{10'000};   // to read a request's head once begun
  std::chrono::milliseconds body_timeout{60'000};   // to read its body
  std::chrono::milliseconds idle_timeout{120'000};  // keep-alive between requests
  std::chrono::milliseconds write_timeout{60'000};
  std::chrono::milliseconds stop_grace{25'000};     // Stop waits this long for answers
};

class HttpServer {
 public:
  HttpServer(TransportOptions opt, Handler* handler, Executor* executor, Metrics* metrics);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds every listen address (InvalidArgument: malformed; IOError: bind failed, naming the
  // address) and loads TLS material (InvalidArgument naming the file), then serves on a thread.
  Status Start();
  // The bound ports, in listen order (port 0 resolved).
  std::vector<uint16_t> Ports() const;
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True when every address of `listen` is a loopback address (127.0.0.0/8, ::1, "localhost").
bool AllLoopback(const std::vector<std::string>& listen);
// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the new soft limit.
uint64_t RaiseFileLimit();

}  // namespace seglog::server

// seglogd's command line (server/seglogd_main.cc), which tests and scripts rely on:
//   seglogd --data DIR [--listen HOST:PORT]... [--tls-cert PEM --tls-key PEM]
//           [--credentials FILE] [--public-host HOST[:PORT]] [--region R] [--account A]
//           [--workers N] [--max-connections N] [--limits aws|relaxed]
//           [--durability always|interval|none] [--log-level info|debug]
//           [--ready-file PATH] [--config FILE] [--head-timeout-ms N (tests)]
// --ready-file: once every listener is serving, PATH is written (atomically: a temporary file
// renamed) with one line per listener, "http://127.0.0.1:PORT" (https with TLS), in --listen
// order; with port 0 the bound port. SIGTERM / SIGINT: graceful shutdown, exit status 0.
