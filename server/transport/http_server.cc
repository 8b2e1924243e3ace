// HttpServer: the listeners, the accept loop with its connection cap, TLS setup, and the
// graceful stop. Sessions (session.cc) do the per-connection work.
#include "server/transport/http_server.h"

#include <sys/resource.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <exception>
#include <optional>
#include <thread>
#include <utility>

#include <openssl/ssl.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "server/transport/session.h"

namespace seglog::server {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using transport::Session;
using transport::SharedState;

namespace {

// "host:port" or "[v6]:port" -> host and port. False when malformed.
bool SplitHostPort(const std::string& s, std::string* host, uint16_t* port) {
  std::string port_text;
  if (!s.empty() && s[0] == '[') {
    const size_t close = s.find(']');
    if (close == std::string::npos || close + 1 >= s.size() || s[close + 1] != ':') return false;
    *host = s.substr(1, close - 1);
    port_text = s.substr(close + 2);
  } else {
    const size_t colon = s.rfind(':');
    if (colon == std::string::npos) return false;
    *host = s.substr(0, colon);
    port_text = s.substr(colon + 1);
    if (host->find(':') != std::string::npos) return false;  // a bare v6 needs brackets
  }
  if (host->empty() || port_text.empty() || port_text.size() > 5) return false;
  uint32_t p = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return false;
    p = p * 10 + static_cast<uint32_t>(c - '0');
  }
  if (p > 65535) return false;
  *port = static_cast<uint16_t>(p);
  return true;
}

bool IsLocalhostName(std::string host) {
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return host == "localhost";
}

Status Resolve(net::io_context& ioc, const std::string& listen, tcp::endpoint* out) {
  std::string host;
  uint16_t port = 0;
  if (!SplitHostPort(listen, &host, &port)) {
    return Status::InvalidArgument("listen address \"" + listen + "\" is not HOST:PORT");
  }
  boost::system::error_code ec;
  net::ip::address addr = net::ip::make_address(host, ec);
  if (ec && IsLocalhostName(host)) {
    addr = net::ip::address_v4::loopback();
  } else if (ec) {
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) {
      return Status::InvalidArgument("listen address \"" + listen + "\": cannot resolve " + host);
    }
    addr = results.begin()->endpoint().address();
  }
  *out = tcp::endpoint(addr, port);
  return Status::OK();
}

Status MakeTls(const TransportOptions& opt, std::unique_ptr<net::ssl::context>* out) {
  if (opt.tls_cert.empty() && opt.tls_key.empty()) return Status::OK();
  if (opt.tls_cert.empty() || opt.tls_key.empty()) {
    return Status::InvalidArgument("TLS needs both a certificate and a key");
  }
  auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  // No client-initiated renegotiation (a cheap way to make the server do expensive work).
  SSL_CTX_set_options(ctx->native_handle(), SSL_OP_NO_RENEGOTIATION);
  ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                   net::ssl::context::no_sslv3 | net::ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(opt.tls_cert, ec);
  if (ec) return Status::InvalidArgument("TLS certificate " + opt.tls_cert + ": " + ec.message());
  ctx->use_private_key_file(opt.tls_key, net::ssl::context::pem, ec);
  if (ec) return Status::InvalidArgument("TLS key " + opt.tls_key + ": " + ec.message());
  *out = std::move(ctx);
  return Status::OK();
}

}  // namespace

struct HttpServer::Impl {
  struct Listener {
    explicit Listener(net::io_context& ioc) : acceptor(ioc), retry(ioc) {}
    tcp::acceptor acceptor;
    net::steady_timer retry;  // after an accept error (EMFILE), wait before accepting again
    uint16_t port = 0;
  };

  // Declared first: sessions (destroyed while the loop drains) reach it to unregister.
  SharedState st;
  std::vector<std::unique_ptr<Listener>> listeners;
  // Keeps the loop running while in-flight requests have no pending operation (a worker has
  // them); released by the final, forcing stop so the loop then runs dry.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::thread loop;
  bool started = false;
  bool stopped = false;

  void Accept(Listener* l) {
    l->acceptor.async_accept([this, l](boost::system::error_code ec, tcp::socket socket) {
      if (!l->acceptor.is_open()) return;
      if (ec) {
        l->retry.expires_after(std::chrono::milliseconds(50));
        l->retry.async_wait([this, l](boost::system::error_code e) {
          if (!e) Accept(l);
        });
        return;
      }
      Admit(std::move(socket));
      Accept(l);
    });
  }

  void Admit(tcp::socket socket) {
    size_t live;
    bool stopping;
    {
      std::lock_guard<std::mutex> g(st.mu);
      live = st.live.size();
      stopping = st.stopping;
    }
    boost::system::error_code ignored;
    if (stopping || live >= st.opt.max_connections) {
      if (st.metrics != nullptr) st.metrics->ConnectionRefused();
      socket.close(ignored);
      return;
    }
    socket.set_option(tcp::no_delay(true), ignored);
    if (st.metrics != nullptr) st.metrics->ConnectionOpened();
    transport::NewHttp1Session(&st, std::move(socket))->Start();
  }

  // On the loop: closes the listeners and tells every session; `force` closes them all.
  void StopOnLoop(bool force) {
    boost::system::error_code ignored;
    for (auto& l : listeners) {
      l->acceptor.close(ignored);
      l->retry.cancel();
    }
    std::vector<Session*> sessions;
    {
      std::lock_guard<std::mutex> g(st.mu);
      sessions.assign(st.live.begin(), st.live.end());
    }
    // Closing only cancels operations; no session is destroyed during this loop.
    for (Session* s : sessions) force ? s->ForceClose() : s->BeginStop();
  }

  void Run() {
    for (;;) {
      try {
        st.ioc->run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "seglogd: transport: %s\n", e.what());
      }
    }
  }
};

HttpServer::HttpServer(TransportOptions opt, Handler* handler, Executor* executor,
                       Metrics* metrics)
    : impl_(std::make_unique<Impl>()) {
  impl_->st.opt = std::move(opt);
  impl_->st.handler = handler;
  impl_->st.executor = executor;
  impl_->st.metrics = metrics;
  impl_->st.ioc = std::make_shared<net::io_context>(1);
}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  Impl& im = *impl_;
  if (im.started) return Status::InvalidArgument("HttpServer already started");
  Status s = MakeTls(im.st.opt, &im.st.tls);
  if (!s.ok()) return s;
  if (im.st.opt.listen.empty()) return Status::InvalidArgument("no listen address");
  for (const std::string& addr : im.st.opt.listen) {
    tcp::endpoint ep;
    s = Resolve(*im.st.ioc, addr, &ep);
    if (!s.ok()) return s;
    auto l = std::make_unique<Impl::Listener>(*im.st.ioc);
    boost::system::error_code ec;
    l->acceptor.open(ep.protocol(), ec);
    if (!ec) l->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) l->acceptor.bind(ep, ec);
    if (!ec) l->acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) return Status::IOError("cannot listen on " + addr + ": " + ec.message());
    l->port = l->acceptor.local_endpoint(ec).port();
    im.listeners.push_back(std::move(l));
  }
  for (auto& l : im.listeners) im.Accept(l.get());
  im.started = true;
  im.work.emplace(im.st.ioc->get_executor());
  im.loop = std::thread([&im] { im.Run(); });
  return Status::OK();
}

std::vector<uint16_t> HttpServer::Ports() const {
  std::vector<uint16_t> ports;
  for (const auto& l : impl_->listeners) ports.push_back(l->port);
  return ports;
}

void HttpServer::Stop() {
  Impl& im = *impl_;
  if (!im.started || im.stopped) return;
  im.stopped = true;
  {
    std::lock_guard<std::mutex> g(im.st.mu);
    im.st.stopping = true;
  }
  net::post(*im.st.ioc, [&im] { im.StopOnLoop(false); });
  {
    std::unique_lock<std::mutex> g(im.st.mu);
    im.st.cv.wait_for(g, im.st.opt.stop_grace, [&im] { return im.st.live.empty(); });
  }
  // Whatever is left is closed; the loop then runs dry (every session's operations end) and
  // returns, so no session outlives this call.
  net::post(*im.st.ioc, [&im] {
    im.StopOnLoop(true);
    im.work.reset();
  });
  im.loop.join();
}

bool AllLoopback(const std::vector<std::string>& listen) {
  for (const std::string& l : listen) {
    std::string host;
    uint16_t port = 0;
    if (!SplitHostPort(l, &host, &port)) return false;
    if (IsLocalhostName(host)) continue;
    boost::system::error_code ec;
    net::ip::address addr = net::ip::make_address(host, ec);
    if (ec) return false;
    if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
      addr = net::ip::make_address_v4(net::ip::v4_mapped, addr.to_v6());
    }
    if (!addr.is_loopback()) return false;
  }
  return true;
}

uint64_t RaiseFileLimit() {
  struct rlimit rl {};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return 0;
  if (rl.rlim_cur < rl.rlim_max) {
    struct rlimit want = rl;
    want.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &want) == 0) return static_cast<uint64_t>(want.rlim_cur);
  }
  return static_cast<uint64_t>(rl.rlim_cur);
}

}  // namespace seglog::server
