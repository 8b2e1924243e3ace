// The HTTP transport against raw POSIX sockets (byte-exact, hostile input) and an OpenSSL
// client: keep-alive, answers from other threads, limits (413, 431, 400), timeouts, the
// connection cap, Expect: 100-continue, TLS and a graceful Stop.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <signal.h>
#include <spawn.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <cerrno>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "server/executor.h"
#include "server/metrics.h"
#include "server/transport/http_server.h"

namespace seglog::server {
namespace {

using namespace std::chrono_literals;

// Echoes "METHOD TARGET\nBODY"; "/delay" answers 300 ms later from a thread of its own.
class EchoHandler : public Handler {
 public:
  ~EchoHandler() override {
    for (auto& t : threads_) t.join();
  }
  size_t BodyLimit(const HttpRequest&) const override {
    body_limit_calls_++;
    return 1024;
  }
  void Handle(HttpRequest req, Respond respond) override {
    HttpResponse res;
    res.headers.emplace_back("X-Remote", req.remote);
    res.headers.emplace_back("X-Host", req.Header("host") ? *req.Header("host") : "");
    res.headers.emplace_back("Content-Length", "999");  // the transport's own: ignored
    if (req.target == "/close") res.close = true;
    res.body = req.method + " " + req.target + "\n" + req.body;
    {
      std::lock_guard<std::mutex> l(mu_);
      ++handled_;
      cv_.notify_all();
      if (req.target == "/delay") {
        threads_.emplace_back([respond, res]() mutable {
          std::this_thread::sleep_for(300ms);
          respond(std::move(res));
        });
        return;
      }
    }
    respond(std::move(res));
  }
  void WaitHandled(int n) {
    std::unique_lock<std::mutex> l(mu_);
    cv_.wait_for(l, 10s, [&] { return handled_ >= n; });
  }
  int handled() {
    std::lock_guard<std::mutex> l(mu_);
    return handled_;
  }
  mutable std::atomic<int> body_limit_calls_{0};

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int handled_ = 0;
  std::vector<std::thread> threads_;
};

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
};

// A blocking client over a raw socket (or OpenSSL on it); every read gives up after 10 s.
class Client {
 public:
  explicit Client(uint16_t port, SSL_CTX* tls = nullptr) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{10, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
    if (connected_ && tls != nullptr) {
      ssl_ = SSL_new(tls);
      SSL_set_fd(ssl_, fd_);
      connected_ = SSL_connect(ssl_) == 1;
    }
  }
  ~Client() {
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (fd_ >= 0) close(fd_);
  }
  bool connected() const { return connected_; }
  bool Send(const std::string& s) {
    size_t done = 0;
    while (done < s.size()) {
      const ssize_t n = ssl_ != nullptr
                            ? SSL_write(ssl_, s.data() + done, static_cast<int>(s.size() - done))
                            : send(fd_, s.data() + done, s.size() - done, MSG_NOSIGNAL);
      if (n <= 0) return false;
      done += static_cast<size_t>(n);
    }
    return true;
  }
  // More bytes into buf_; false at EOF, error or timeout.
  bool Fill() {
    char tmp[4096];
    ssize_t n;
    // EINTR: a thread that used io_uring (the engine's tests, earlier in this process) gets
    // task-work notifications, and a socket read with SO_RCVTIMEO returns EINTR on them.
    do {
      n = ssl_ != nullptr ? SSL_read(ssl_, tmp, sizeof(tmp)) : recv(fd_, tmp, sizeof(tmp), 0);
    } while (n < 0 && errno == EINTR && ssl_ == nullptr);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<size_t>(n));
    return true;
  }
  // True when the server closed the connection (EOF or reset) before sending anything more.
  bool ClosedByPeer() {
    while (Fill()) {
    }
    return buf_.empty();
  }
  std::string ReadExactly(size_t n) {
    while (buf_.size() < n && Fill()) {
    }
    std::string out = buf_.substr(0, n);
    buf_.erase(0, out.size());
    return out;
  }
  // One response; status 0 when none arrived.
  Reply Read() {
    Reply r;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return r;
    }
    const std::string head = buf_.substr(0, end + 2);
    buf_.erase(0, end + 4);
    if (head.size() < 12) return r;
    r.status = std::stoi(head.substr(9, 3));
    size_t pos = head.find("\r\n") + 2;
    while (pos < head.size()) {
      const size_t eol = head.find("\r\n", pos);
      const std::string line = head.substr(pos, eol - pos);
      const size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      const size_t value = line.find_first_not_of(' ', colon + 1);
      r.headers[name] = value == std::string::npos ? "" : line.substr(value);
      pos = eol + 2;
    }
    const size_t len = std::stoul(r.headers.count("content-length") ? r.headers["content-length"]
                                                                    : "0");
    r.body = ReadExactly(len);
    return r;
  }

 private:
  int fd_ = -1;
  SSL* ssl_ = nullptr;
  bool connected_ = false;
  std::string buf_;
};

std::string Post(const std::string& target, const std::string& body,
                 const std::string& extra = "") {
  return "POST " + target + " HTTP/1.1\r\nHost: test\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

class TransportTest : public ::testing::Test {
 protected:
  void StartServer(TransportOptions opt = {}) {
    opt.listen = {"127.0.0.1:0"};
    server_ = std::make_unique<HttpServer>(opt, &handler_, &executor_, &metrics_);
    ASSERT_TRUE(server_->Start().ok());
    port_ = server_->Ports().at(0);
    ASSERT_NE(port_, 0);
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  // A request any fresh connection can make: proves the server still serves.
  void ExpectServing() {
    Client c(port_);
    ASSERT_TRUE(c.Send(Post("/ok", "x")));
    Reply r = c.Read();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "POST /ok\nx");
  }

  EchoHandler handler_;
  Executor executor_{2};
  Metrics metrics_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
};

TEST_F(TransportTest, KeepAliveServesSeveralRequestsInOrder) {
  StartServer();
  Client c(port_);
  ASSERT_TRUE(c.connected());
  // Pipelined: all three sent at once, answered one by one in order.
  ASSERT_TRUE(c.Send(Post("/a", "one") + Post("/b", "two") +
                     "GET /c?x=1 HTTP/1.1\r\nHost: h\r\n\r\n"));
  Reply a = c.Read(), b = c.Read(), g = c.Read();
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.body, "POST /a\none");
  EXPECT_EQ(b.body, "POST /b\ntwo");
  EXPECT_EQ(g.body, "GET /c?x=1\n");
  EXPECT_EQ(a.headers["server"], "seglogd");
  EXPECT_EQ(a.headers["content-length"], std::to_string(a.body.size()));
  EXPECT_EQ(a.headers["x-host"], "test");
  EXPECT_EQ(a.headers["x-remote"].rfind("127.0.0.1:", 0), 0u);
  EXPECT_EQ(handler_.handled(), 3);
}

TEST_F(TransportTest, ConnectionCloseIsHonoured) {
  StartServer();
  Client c(port_);
  ASSERT_TRUE(c.Send(Post("/a", "1", "Connection: close\r\n")));
  Reply r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_TRUE(c.ClosedByPeer());
}

TEST_F(TransportTest, ResponseCloseIsHonoured) {
  StartServer();
  Client c(port_);
  ASSERT_TRUE(c.Send(Post("/close", "1") + Post("/never", "2")));
  Reply r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["connection"], "close");
  EXPECT_TRUE(c.ClosedByPeer());
  EXPECT_EQ(handler_.handled(), 1);
}

TEST_F(TransportTest, AnswersFromAnotherThreadAfterADelay) {
  StartServer();
  Client c(port_);
  ASSERT_TRUE(c.Send(Post("/delay", "late") + Post("/now", "n")));
  Reply r1 = c.Read(), r2 = c.Read();
  EXPECT_EQ(r1.status, 200);
  EXPECT_EQ(r1.body, "POST /delay\nlate");
  EXPECT_EQ(r2.body, "POST /now\nn");
}

TEST_F(TransportTest, HugeContentLengthIs413WithoutReadingTheBody) {
  StartServer();
  Client c(port_);
  ASSERT_TRUE(c.Send("POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: 2147483648\r\n\r\n"));
  Reply r = c.Read();
  EXPECT_EQ(r.status, 413);
  EXPECT_TRUE(c.ClosedByPeer());
  EXPECT_EQ(handler_.handled(), 0);
  EXPECT_GE(handler_.body_limit_calls_.load(), 1);
  ExpectServing();
}

// Request bytes held by all connections are bounded: a request that would pass the budget is
// answered 503 and closed; the budget comes back when an answer is written.
TEST_F(TransportTest, RequestBytesInFlightAreBounded) {
  TransportOptions opt;
  opt.max_request_bytes_in_flight = 1000;
  StartServer(opt);
  Client held(port_);
  ASSERT_TRUE(held.Send(Post("/delay", std::string(600, 'a'))));  // charged 600 for 300 ms
  handler_.WaitHandled(1);
  Client over(port_);
  ASSERT_TRUE(over.Send(Post("/x", std::string(600, 'b'))));
  EXPECT_EQ(over.Read().status, 503);
  EXPECT_EQ(held.Read().status, 200);
  Client after(port_);
  ASSERT_TRUE(after.Send(Post("/y", std::string(600, 'c'))));
  Reply r = after.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /y\n" + std::string(600, 'c'));
}

TEST_F(TransportTest, ChunkedBodyOverTheLimitIs413) {
  StartServer();
  Client c(port_);
  std::string req = "POST /chunked HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) req += "200\r\n" + std::string(512, 'a') + "\r\n";
  req += "0\r\n\r\n";
  ASSERT_TRUE(c.Send(req));
  EXPECT_EQ(c.Read().status, 413);
  EXPECT_EQ(handler_.handled(), 0);
}

TEST_F(TransportTest, ChunkedBodyUnderTheLimitArrivesWhole) {
  StartServer();
  Client c(port_);
  ASSERT_TRUE(c.Send("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                     "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"));
  Reply r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /c\nabcde");
}

TEST_F(TransportTest, OversizedHeadIs431) {
  TransportOptions opt;
  opt.max_header_bytes = 1024;
  StartServer(opt);
  Client c(port_);
  ASSERT_TRUE(c.Send("GET / HTTP/1.1\r\nHost: h\r\nX-Big: " + std::string(4000, 'b') +
                     "\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 431);
  EXPECT_TRUE(c.ClosedByPeer());
  EXPECT_EQ(handler_.handled(), 0);
}

TEST_F(TransportTest, MalformedRequestLineIs400) {
  StartServer();
  Client c(port_);
  ASSERT_TRUE(c.Send("THIS IS NOT HTTP\r\n\r\n"));
  EXPECT_EQ(c.Read().status, 400);
  EXPECT_TRUE(c.ClosedByPeer());
  EXPECT_EQ(handler_.handled(), 0);
}

TEST_F(TransportTest, SlowlorisIsClosedAfterTheHeadTimeout) {
  TransportOptions opt;
  opt.head_timeout = 200ms;
  StartServer(opt);
  Client c(port_);
  ASSERT_TRUE(c.Send("P"));
  // The client's own read gives up after 10 s; the server closes long before.
  EXPECT_TRUE(c.ClosedByPeer());
  ExpectServing();
}

TEST_F(TransportTest, IdleKeepAliveConnectionIsClosedAfterTheIdleTimeout) {
  TransportOptions opt;
  opt.idle_timeout = 200ms;
  StartServer(opt);
  Client c(port_);
  ASSERT_TRUE(c.Send(Post("/a", "1")));
  EXPECT_EQ(c.Read().status, 200);
  EXPECT_TRUE(c.ClosedByPeer());  // well before the client's own 10 s
  // The session is gone soon after its socket: wait for it (bounded), then check the gauge.
  for (int i = 0; i < 1000 && metrics_.Render().find("seglogd_connections_open 0\n") ==
                                  std::string::npos; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_NE(metrics_.Render().find("seglogd_connections_open 0\n"), std::string::npos);
}

TEST_F(TransportTest, Http10WithoutKeepAliveIsClosedAfterItsAnswer) {
  StartServer();
  Client c(port_);
  ASSERT_TRUE(c.Send("GET /old HTTP/1.0\r\n\r\n"));
  Reply r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /old\n");
  EXPECT_TRUE(c.ClosedByPeer());
}

TEST_F(TransportTest, TruncatedBodyThenCloseLeavesTheServerServing) {
  StartServer();
  {
    Client c(port_);
    ASSERT_TRUE(c.Send("POST /t HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\n0123456789"));
  }
  ExpectServing();
  EXPECT_EQ(handler_.handled(), 1);  // only ExpectServing's request
}

TEST_F(TransportTest, ConnectionCapClosesNewConnectionsAtOnce) {
  TransportOptions opt;
  opt.max_connections = 2;
  StartServer(opt);
  Client a(port_), b(port_);
  ASSERT_TRUE(a.Send(Post("/a", "1")));
  ASSERT_TRUE(b.Send(Post("/b", "2")));
  EXPECT_EQ(a.Read().status, 200);
  EXPECT_EQ(b.Read().status, 200);
  Client c(port_);
  c.Send(Post("/c", "3"));  // may already fail: the server closed it
  EXPECT_TRUE(c.ClosedByPeer());
  EXPECT_NE(metrics_.Render().find("seglogd_connections_refused_total 1\n"), std::string::npos);
  EXPECT_NE(metrics_.Render().find("seglogd_connections_open 2\n"), std::string::npos);
}

TEST_F(TransportTest, ExpectContinueGetsA100BeforeTheBody) {
  StartServer();
  Client c(port_);
  ASSERT_TRUE(c.Send("POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
                     "Expect: 100-continue\r\n\r\n"));
  EXPECT_EQ(c.ReadExactly(25), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(c.Send("hello"));
  Reply r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /e\nhello");
}

TEST_F(TransportTest, StopLetsAnInFlightRequestAnswer) {
  StartServer();
  Client c(port_);
  Client idle(port_);
  ASSERT_TRUE(idle.Send(Post("/i", "i")));
  EXPECT_EQ(idle.Read().status, 200);
  ASSERT_TRUE(c.Send(Post("/delay", "x")));
  handler_.WaitHandled(2);
  server_->Stop();  // returns after the delayed answer went out
  Reply r = c.Read();
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "POST /delay\nx");
  EXPECT_TRUE(c.ClosedByPeer());
  EXPECT_TRUE(idle.ClosedByPeer());
  server_->Stop();  // idempotent
}

TEST_F(TransportTest, BadListenAddressesAreRefused) {
  TransportOptions opt;
  opt.listen = {"nonsense"};
  HttpServer s(opt, &handler_, &executor_, &metrics_);
  EXPECT_EQ(s.Start().code(), StatusCode::kInvalidArgument);
  TransportOptions tls;
  tls.listen = {"127.0.0.1:0"};
  tls.tls_cert = "/nonexistent/cert.pem";
  tls.tls_key = "/nonexistent/key.pem";
  HttpServer t(tls, &handler_, &executor_, &metrics_);
  Status st = t.Start();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("/nonexistent/cert.pem"), std::string::npos);
}

TEST_F(TransportTest, ListensOnIpv6Loopback) {
  TransportOptions opt;
  opt.listen = {"[::1]:0"};
  HttpServer s(opt, &handler_, &executor_, &metrics_);
  Status st = s.Start();
  if (!st.ok()) GTEST_SKIP() << "no IPv6 loopback here: " << st.ToString();
  EXPECT_NE(s.Ports().at(0), 0);
}

TEST(TransportHelpers, AllLoopback) {
  EXPECT_TRUE(AllLoopback({"127.0.0.1:1", "127.5.6.7:0", "[::1]:9", "localhost:80"}));
  EXPECT_FALSE(AllLoopback({"127.0.0.1:1", "0.0.0.0:9324"}));
  EXPECT_FALSE(AllLoopback({"[::]:1"}));
  EXPECT_FALSE(AllLoopback({"10.0.0.1:1"}));
  EXPECT_FALSE(AllLoopback({"example.com:1"}));
  EXPECT_FALSE(AllLoopback({"garbage"}));
}

TEST(TransportHelpers, RaiseFileLimitReachesTheHardLimit) {
  const uint64_t now = RaiseFileLimit();
  rlimit rl{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
  EXPECT_EQ(now, static_cast<uint64_t>(rl.rlim_cur));
  EXPECT_EQ(rl.rlim_cur, rl.rlim_max);
}

// A self-signed RSA certificate for CN=localhost, written as PEM files into `dir`.
bool MakeSelfSigned(const std::filesystem::path& dir) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  X509* cert = X509_new();
  if (key == nullptr || cert == nullptr) return false;
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  bool ok = X509_sign(cert, key, EVP_sha256()) > 0;
  FILE* kf = std::fopen((dir / "key.pem").c_str(), "w");
  FILE* cf = std::fopen((dir / "cert.pem").c_str(), "w");
  ok = ok && kf != nullptr && cf != nullptr &&
       PEM_write_PrivateKey(kf, key, nullptr, nullptr, 0, nullptr, nullptr) == 1 &&
       PEM_write_X509(cf, cert) == 1;
  if (kf != nullptr) std::fclose(kf);
  if (cf != nullptr) std::fclose(cf);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

TEST_F(TransportTest, TlsRoundTrip) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("seglog_tls_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  ASSERT_TRUE(MakeSelfSigned(dir));
  TransportOptions opt;
  opt.tls_cert = (dir / "cert.pem").string();
  opt.tls_key = (dir / "key.pem").string();
  StartServer(opt);
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  ASSERT_NE(ctx, nullptr);
  {
    Client c(port_, ctx);
    ASSERT_TRUE(c.connected());
    ASSERT_TRUE(c.Send(Post("/tls", "secret") + Post("/again", "2")));
    Reply r = c.Read();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "POST /tls\nsecret");
    EXPECT_EQ(c.Read().body, "POST /again\n2");
  }
  {
    Client plain(port_);  // plain HTTP to a TLS listener: no answer, the handshake fails
    plain.Send(Post("/p", "p"));
    Reply r = plain.Read();
    EXPECT_EQ(r.status, 0);
  }
  SSL_CTX_free(ctx);
  std::filesystem::remove_all(dir);
}

// ---- seglogd itself (skipped where it is not built: it links only with every service) ----

std::string SeglogdPath() {
  const char* env = std::getenv("SEGLOGD_BIN");  // to try another build by hand
  std::string path = env != nullptr ? env : SEGLOG_SEGLOGD_PATH;
  return !path.empty() && std::filesystem::exists(path) ? path : "";
}

pid_t Spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return -1;
  return pid;
}

int ExitStatus(pid_t pid) {
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

std::filesystem::path TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             (name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(Seglogd, RefusesANonLoopbackListenerWithoutCredentials) {
  const std::string bin = SeglogdPath();
  if (bin.empty()) GTEST_SKIP() << "seglogd is not built";
  const auto dir = TempDir("seglogd_refuse");
  pid_t pid = Spawn({bin, "--data", (dir / "data").string(), "--listen", "0.0.0.0:0"});
  ASSERT_GT(pid, 0);
  EXPECT_EQ(ExitStatus(pid), 2);
  EXPECT_FALSE(std::filesystem::exists(dir / "data"));  // refused before opening anything
  std::filesystem::remove_all(dir);
}

TEST(Seglogd, WritesItsReadyFileServesAndStopsOnSigterm) {
  const std::string bin = SeglogdPath();
  if (bin.empty()) GTEST_SKIP() << "seglogd is not built";
  const auto dir = TempDir("seglogd_run");
  const auto ready = dir / "ready";
  pid_t pid = Spawn({bin, "--data", (dir / "data").string(), "--listen", "127.0.0.1:0",
                     "--ready-file", ready.string(), "--workers", "2"});
  ASSERT_GT(pid, 0);
  for (int i = 0; i < 1000 && !std::filesystem::exists(ready); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  std::string line;
  {
    std::ifstream in(ready);
    std::getline(in, line);
  }
  const std::string prefix = "http://127.0.0.1:";
  ASSERT_EQ(line.rfind(prefix, 0), 0u) << line;
  const int port = std::stoi(line.substr(prefix.size()));
  ASSERT_GT(port, 0);
  {
    Client c(static_cast<uint16_t>(port));
    ASSERT_TRUE(c.Send("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    Reply r = c.Read();
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.headers["server"], "seglogd");
  }
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  EXPECT_EQ(ExitStatus(pid), 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace seglog::server
