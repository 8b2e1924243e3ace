// The HTTP/1.1 session: reads one request at a time (head, then body under the handler's
// limit), hands it to the Handler on the Executor, writes the answer, and loops while the
// connection stays keep-alive. Every read and write runs under a deadline (Beast's
// tcp_stream timer); on expiry the socket is closed.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "server/transport/request_parse.h"
#include "server/transport/session.h"

namespace seglog::server::transport {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

constexpr size_t kReadChunk = 4096;
constexpr size_t kLingerBytes = 1 << 20;  // discarded at most after an answer that closes
constexpr std::chrono::milliseconds kLingerMax{2'000};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool IEquals(std::string_view a, std::string_view b) { return beast::iequals(a, b); }

// Headers the transport owns: a handler's own are dropped.
bool TransportHeader(std::string_view name) {
  return IEquals(name, "content-length") || IEquals(name, "transfer-encoding") ||
         IEquals(name, "connection") || IEquals(name, "server");
}

bool SafeHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c <= ' ' || c == ':' || c == 127) return false;
  }
  return value.find_first_of("\r\n") == std::string_view::npos;
}

// True when Beast would write the value differently from as given (it trims spaces and tabs).
bool Untrimmed(std::string_view v) {
  return !v.empty() && (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' ||
                        v.back() == '\t');
}

// The response head exactly as Beast's serializer writes Write's message (status line,
// the handler's kept headers in order, Server, Connection: close when closing,
// Content-Length), built into *out without Beast's field list. False where Beast's own
// rules would change the bytes or throw: statuses with body rules (1xx, 204, 304) or out of
// range, values Beast trims, names given twice (Beast regroups them), fields over its 64 KiB
// limit.
bool PlainHead(const HttpResponse& r, bool close,
               bool (*keep)(std::string_view, std::string_view), std::string* out) {
  if (r.status < 200 || r.status > 599 || r.status == 204 || r.status == 304) return false;
  std::string& head = *out;
  head.clear();
  head += "HTTP/1.1 ";
  head += std::to_string(r.status);
  head += ' ';
  const std::string_view reason = http::obsolete_reason(static_cast<http::status>(r.status));
  head.append(reason.data(), reason.size());
  head += "\r\n";
  for (size_t i = 0; i < r.headers.size(); ++i) {
    const auto& [name, value] = r.headers[i];
    if (!keep(name, value)) continue;
    if (Untrimmed(value) || name.size() > 60000 || value.size() > 60000) return false;
    for (size_t j = 0; j < i; ++j) {
      if (IEquals(r.headers[j].first, name) && keep(r.headers[j].first, r.headers[j].second)) {
        return false;
      }
    }
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
  head += "Server: seglogd\r\n";
  if (close) head += "Connection: close\r\n";
  head += "Content-Length: ";
  head += std::to_string(r.body.size());
  head += "\r\n\r\n";
  return true;
}

// The peer closed, reset or timed out (close quietly) rather than sent a malformed message
// (answer 400).
bool StreamEnded(const beast::error_code& ec) {
  if (ec.category() != http::make_error_code(http::error::end_of_stream).category()) return true;
  return ec == http::error::end_of_stream || ec == http::error::partial_message;
}

std::string RemoteOf(const tcp::socket& socket) {
  beast::error_code ec;
  const tcp::endpoint ep = socket.remote_endpoint(ec);
  if (ec) return "?";
  const std::string ip = ep.address().to_string();
  if (ep.address().is_v6()) return "[" + ip + "]:" + std::to_string(ep.port());
  return ip + ":" + std::to_string(ep.port());
}

template <class Stream>
class Http1Session final : public Session,
                           public std::enable_shared_from_this<Http1Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Http1Session(SharedState* st, tcp::socket socket) : st_(st), remote_(RemoteOf(socket)),
      stream_(MakeStream(st, std::move(socket))) {
    std::lock_guard<std::mutex> l(st_->mu);
    st_->live.insert(this);
  }
  ~Http1Session() override {
    Uncharge();
    {
      std::lock_guard<std::mutex> l(st_->mu);
      st_->live.erase(this);
    }
    st_->cv.notify_all();
    if (st_->metrics != nullptr) st_->metrics->ConnectionClosed();
  }

  void Start() override {
    if constexpr (kTls) {
      phase_ = Phase::kHandshake;
      Lowest().expires_after(st_->opt.head_timeout);
      stream_.async_handshake(net::ssl::stream_base::server,
                              beast::bind_front_handler(&Http1Session::OnHandshake, Self()));
    } else {
      WaitHead(true);
    }
  }

  void BeginStop() override {
    stop_requested_ = true;
    if (phase_ == Phase::kHandshake || phase_ == Phase::kIdle || phase_ == Phase::kHead) Close();
  }

  void ForceClose() override { Close(); }

 private:
  enum class Phase { kHandshake, kIdle, kHead, kBody, kHandling, kWriting, kLinger, kClosed };

  static Stream MakeStream(SharedState* st, tcp::socket socket) {
    if constexpr (kTls) {
      return Stream(beast::tcp_stream(std::move(socket)), *st->tls);
    } else {
      return Stream(std::move(socket));
    }
  }
  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }
  std::shared_ptr<Http1Session> Self() { return this->shared_from_this(); }

  void OnHandshake(beast::error_code ec) {
    if (ec) return Close();
    WaitHead(true);
  }

  // Waits for a request's first byte: a fresh connection under head_timeout (saying nothing
  // at all is slowloris too), a kept-alive one under idle_timeout.
  void WaitHead(bool first) {
    if (stop_requested_) return Close();
    phase_ = Phase::kIdle;
    if (buffer_.size() > 0) return ReadHead();
    Lowest().expires_after(first ? st_->opt.head_timeout : st_->opt.idle_timeout);
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            beast::bind_front_handler(&Http1Session::OnFirstBytes, Self()));
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (ec || phase_ == Phase::kClosed) return Close();
    buffer_.commit(n);
    ReadHead();
  }

  void ReadHead() {
    phase_ = Phase::kHead;
    parser_.emplace();
    PrepareParser(&*parser_, st_->opt.max_header_bytes);
    Lowest().expires_after(st_->opt.head_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Http1Session::OnHead, Self()));
  }

  void OnHead(beast::error_code ec, size_t) {
    if (phase_ == Phase::kClosed) return;
    if (ec == http::error::header_limit) return Fail(431, "request header too large");
    if (ec) return StreamEnded(ec) ? Close() : Fail(400, "malformed request: " + ec.message());
    HttpRequest req = HeadToRequest(*parser_);
    req.remote = remote_;
    req.tls = kTls;
    req.received_ms = NowMs();
    const size_t limit = st_->handler->BodyLimit(req);
    if (ApplyBodyLimit(&*parser_, limit) == BodyVerdict::kTooLarge) {
      return Fail(413, "request body over " + std::to_string(limit) + " bytes");
    }
    const std::optional<uint64_t> length = ContentLength(*parser_);
    const uint64_t want = length ? *length : parser_->chunked() ? limit : 0;
    if (!Charge(want)) {
      return Fail(503, "the server holds too many request bytes; retry later");
    }
    keep_alive_ = parser_->get().keep_alive();
    request_ = std::move(req);
    if (parser_->is_done()) return Dispatch();
    phase_ = Phase::kBody;
    if (WantsContinue(request_)) {
      Lowest().expires_after(st_->opt.write_timeout);
      net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                       beast::bind_front_handler(&Http1Session::OnContinue, Self()));
      return;
    }
    ReadBody();
  }

  void OnContinue(beast::error_code ec, size_t) {
    if (ec || phase_ == Phase::kClosed) return Close();
    ReadBody();
  }

  void ReadBody() {
    Lowest().expires_after(st_->opt.body_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Http1Session::OnBody, Self()));
  }

  void OnBody(beast::error_code ec, size_t) {
    if (phase_ == Phase::kClosed) return;
    if (ec == http::error::body_limit) return Fail(413, "request body too large");
    if (ec) return StreamEnded(ec) ? Close() : Fail(400, "malformed request: " + ec.message());
    request_.body = std::move(parser_->get().body());
    Dispatch();
  }

  // Hands the request to a worker; the answer comes back through Respond, posted to the loop.
  void Dispatch() {
    phase_ = Phase::kHandling;
    hold_ = Self();  // no operation owns the session while a worker has the request
    parser_.reset();
    Lowest().expires_never();
    std::weak_ptr<Http1Session> weak = Self();
    std::shared_ptr<net::io_context> ioc = st_->ioc;
    auto once = std::make_shared<std::atomic<bool>>(false);
    Respond respond = [weak, ioc, once](HttpResponse r) {
      if (once->exchange(true)) return;
      net::post(*ioc, [weak, r = std::move(r)]() mutable {
        if (auto s = weak.lock()) s->OnResponse(std::move(r));
      });
    };
    Handler* handler = st_->handler;
    st_->executor->Post([handler, req = std::move(request_), respond]() mutable {
      try {
        handler->Handle(std::move(req), respond);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "seglogd: handler failed: %s\n", e.what());
        respond(HttpResponse{500, {}, "internal error\n", true});
      }
    });
    request_ = HttpRequest{};
  }

  void OnResponse(HttpResponse r) {
    if (phase_ != Phase::kHandling) return;
    hold_.reset();  // the caller (the posted answer) holds the session meanwhile
    Write(std::move(r));
  }

  void Fail(int status, std::string message) {
    keep_alive_ = false;
    Write(HttpResponse{status, {{"Content-Type", "text/plain"}}, std::move(message) + "\n", true});
  }

  void Write(HttpResponse r) {
    close_after_ = r.close || !keep_alive_ || stop_requested_;
    if (PlainHead(r, close_after_, &KeptHeader, &head_)) {
      body_ = std::move(r.body);
      phase_ = Phase::kWriting;
      Lowest().expires_after(st_->opt.write_timeout);
      const std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(body_)};
      net::async_write(stream_, buffers,
                       beast::bind_front_handler(&Http1Session::OnWrite, Self()));
      return;
    }
    WriteWithBeast(std::move(r));
  }

  static bool KeptHeader(std::string_view name, std::string_view value) {
    return !TransportHeader(name) && SafeHeader(name, value);
  }

  // The general path, for what PlainHead leaves to Beast.
  void WriteWithBeast(HttpResponse r) {
    auto res = std::make_unique<http::response<http::string_body>>();
    res->version(11);
    res->result(r.status >= 100 && r.status <= 999 ? static_cast<unsigned>(r.status) : 500u);
    for (const auto& [name, value] : r.headers) {
      if (KeptHeader(name, value)) res->insert(name, value);
    }
    res->set(http::field::server, "seglogd");
    res->body() = std::move(r.body);
    res->keep_alive(!close_after_);
    res->prepare_payload();
    res_ = std::move(res);
    phase_ = Phase::kWriting;
    Lowest().expires_after(st_->opt.write_timeout);
    http::async_write(stream_, *res_, beast::bind_front_handler(&Http1Session::OnWrite, Self()));
  }

  void OnWrite(beast::error_code ec, size_t) {
    Uncharge();
    res_.reset();
    head_.clear();  // keeps its capacity for the next answer
    body_ = std::string();
    if (ec || phase_ == Phase::kClosed) return Close();
    if (close_after_) return stop_requested_ ? Close() : Linger();
    WaitHead(false);
  }

  // Closes after an answer without resetting it away: stop sending, then read and discard
  // what the peer still sends (a body we refused) for a short while before closing.
  void Linger() {
    phase_ = Phase::kLinger;
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    Lowest().expires_after(std::min<std::chrono::milliseconds>(kLingerMax, st_->opt.head_timeout));
    DiscardSome();
  }

  void DiscardSome() {
    buffer_.clear();
    Lowest().async_read_some(buffer_.prepare(kReadChunk),
                             beast::bind_front_handler(&Http1Session::OnDiscard, Self()));
  }

  void OnDiscard(beast::error_code ec, size_t n) {
    lingered_ += n;
    if (ec || phase_ != Phase::kLinger || lingered_ > kLingerBytes) return Close();
    DiscardSome();
  }

  // Takes `bytes` from the server's request budget for the request being read; false (nothing
  // taken) when the budget would be passed.
  bool Charge(uint64_t bytes) {
    const uint64_t cap = st_->opt.max_request_bytes_in_flight;
    uint64_t cur = st_->request_bytes.load(std::memory_order_relaxed);
    do {
      if (bytes > cap || cur > cap - bytes) return false;
    } while (!st_->request_bytes.compare_exchange_weak(cur, cur + bytes,
                                                       std::memory_order_relaxed));
    charged_ = bytes;
    return true;
  }
  void Uncharge() {
    if (charged_ == 0) return;
    st_->request_bytes.fetch_sub(charged_, std::memory_order_relaxed);
    charged_ = 0;
  }

  void Close() {
    Uncharge();
    if (phase_ == Phase::kClosed) return;
    phase_ = Phase::kClosed;
    beast::error_code ignored;
    Lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    Lowest().close();
    // Released on the loop later: the caller may still be inside this session.
    if (hold_) net::post(*st_->ioc, [hold = std::move(hold_)] {});
  }

  SharedState* st_;
  std::string remote_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  HttpRequest request_;
  std::unique_ptr<http::response<http::string_body>> res_;  // WriteWithBeast's, while written
  std::string head_, body_;  // Write's plain answer, while written
  std::shared_ptr<Http1Session> hold_;  // set while a worker handles the request
  Phase phase_ = Phase::kIdle;
  bool keep_alive_ = true;
  bool close_after_ = false;
  bool stop_requested_ = false;
  size_t lingered_ = 0;
  uint64_t charged_ = 0;  // this request's share of SharedState::request_bytes
};

}  // namespace

std::shared_ptr<Session> NewHttp1Session(SharedState* state, tcp::socket socket) {
  if (state->tls) {
    return std::make_shared<Http1Session<beast::ssl_stream<beast::tcp_stream>>>(state,
                                                                                std::move(socket));
  }
  return std::make_shared<Http1Session<beast::tcp_stream>>(state, std::move(socket));
}

}  // namespace seglog::server::transport
