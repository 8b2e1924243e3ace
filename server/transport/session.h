// The transport's internals shared by the server (http_server.cc) and its HTTP/1.1 session
// (session.cc): the state every connection sees, and the session interface. HTTP/2 would be a
// second Session implementation (chosen by ALPN "h2" after the TLS handshake, or by the
// cleartext preface) using the same SharedState, Handler and Executor; none exists yet.
//
// Lifetime: SharedState lives in HttpServer's Impl; every session is destroyed before it (the
// server closes every socket and lets the loop run dry before its Impl goes). The io_context
// itself is shared with Respond callbacks, which may outlive the server (they only post to a
// stopped context then). Concurrency: everything but the counted `live` set and `stopping` is
// touched on the event-loop thread only.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "server/executor.h"
#include "server/http_types.h"
#include "server/metrics.h"
#include "server/transport/http_server.h"

namespace seglog::server::transport {

class Session;

struct SharedState {
  TransportOptions opt;
  Handler* handler = nullptr;
  Executor* executor = nullptr;
  Metrics* metrics = nullptr;
  std::shared_ptr<boost::asio::io_context> ioc;
  std::unique_ptr<boost::asio::ssl::context> tls;  // null: plain HTTP

  // Sessions alive (registered by their constructor, removed by their destructor).
  std::mutex mu;
  std::condition_variable cv;  // signalled when `live` shrinks
  std::set<Session*> live;
  bool stopping = false;  // under mu
  // Request bytes charged by every session (TransportOptions::max_request_bytes_in_flight).
  std::atomic<uint64_t> request_bytes{0};
};

// One accepted connection. Start() runs its protocol until the peer, a timeout or the server
// closes it. BeginStop/ForceClose run on the event loop.
class Session {
 public:
  virtual ~Session() = default;
  virtual void Start() = 0;
  // The server stops: close now if no request is in flight, else close after its answer.
  virtual void BeginStop() = 0;
  // The grace period is over: close whatever state the session is in.
  virtual void ForceClose() = 0;
};

// A new HTTP/1.1 session over `socket` (TLS when state->tls), registered in state->live.
std::shared_ptr<Session> NewHttp1Session(SharedState* state, boost::asio::ip::tcp::socket socket);

}  // namespace seglog::server::transport
