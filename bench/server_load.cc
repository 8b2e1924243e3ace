// seglog-server-load: the load generator of seglogd's benchmark (bench/server_bench.sh).
//
// It speaks AWS JSON 1.0 (SQS, X-Amz-Target AmazonSQS.*) and AWS JSON 1.1 (Kinesis,
// Kinesis_20131202.*) over HTTP/1.1 keep-alive to any endpoint (seglogd, moto_server), with a
// dummy SigV4 Authorization header (both servers run with authentication off), and runs the
// same SQS cycle through the engine's C++ API in-process: the baseline of the overhead ratio.
// Each run prints one JSON object on one line (mode, connections, rates, latencies, the CPUs
// the generator may use and the CPU time it spent).
//
//   seglog-server-load --mode sqs-cycle --endpoint http://127.0.0.1:9324 --connections 4
//   seglog-server-load --mode sqs-send-latency --endpoint URL --messages 2000
//   seglog-server-load --mode long-poll-wake --endpoint URL --repeat 50
//   seglog-server-load --mode kinesis --endpoint URL --connections 2 --shards 2
//   seglog-server-load --mode idle-connections --endpoint URL --count 1000 --server-pid PID
//   seglog-server-load --mode in-process --data DIR --connections 4
//   seglog-server-load --mode prepare --data DIR   (queues and stream with durability interval)
//   seglog-server-load --mode stub-server --ready-file F  (canned answers: generator ceiling)
//
// Lifetime: one run per process. Concurrency: one thread per connection, each with its own
// socket and io_context (the idle mode: one thread, one io_context, N sockets). Durability: the
// in-process and prepare modes create their queues and stream with the --durability given.
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/log/options.h"
#include "engine/log/store.h"
#include "engine/queues/queue.h"
#include "engine/streams/stream.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string mode = "sqs-cycle";
  std::string endpoint = "http://127.0.0.1:9324";
  std::string label;  // names the server in the output ("seglogd", "moto")
  int connections = 4;
  double seconds = 10;
  uint64_t messages = 0;  // sqs-cycle: stop after this many sent (0: --seconds only)
  size_t size = 100;      // bytes per message / record
  int repeat = 50;        // long-poll-wake rounds
  int count = 1000;       // idle connections
  int shards = 2;
  int server_pid = 0;
  std::string queue = "bench";
  std::string stream = "bench";
  std::string data;
  std::string durability = "interval";
  std::string ready_file;  // stub-server
};

// ---- latencies and CPU ----

struct Latencies {
  std::vector<uint32_t> us;
  void Add(Clock::duration d) {
    us.push_back(
        static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::microseconds>(d).count()));
  }
  void Merge(const Latencies& o) { us.insert(us.end(), o.us.begin(), o.us.end()); }
  json Summary() {
    json j = {{"count", us.size()}};
    if (us.empty()) return j;
    std::sort(us.begin(), us.end());
    auto at = [&](double q) { return us[std::min(us.size() - 1, size_t(q * double(us.size())))]; };
    j["p50_us"] = at(0.50);
    j["p99_us"] = at(0.99);
    j["max_us"] = us.back();
    return j;
  }
};

double ProcessCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto sec = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return sec(ru.ru_utime) + sec(ru.ru_stime);
}

// utime + stime of another process (/proc/PID/stat fields 14 and 15), seconds; -1 unknown.
double OtherCpuSeconds(int pid) {
  if (pid <= 0) return -1;
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  size_t paren = all.rfind(')');
  if (paren == std::string::npos) return -1;
  std::vector<std::string> fields;
  std::string cur;
  for (size_t i = paren + 2; i < all.size(); ++i) {
    if (all[i] == ' ') {
      fields.push_back(cur);
      cur.clear();
    } else {
      cur += all[i];
    }
  }
  if (fields.size() < 13) return -1;  // fields[0] is field 3 (state)
  double ticks = std::stod(fields[11]) + std::stod(fields[12]);
  return ticks / double(sysconf(_SC_CLK_TCK));
}

// VmRSS of a process in KiB; -1 unknown.
long RssKib(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

int AllowedCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return -1;
  return CPU_COUNT(&set);
}

// Measures the generator's (and, with a pid, the server's) CPU over one run.
class CpuMeter {
 public:
  explicit CpuMeter(int server_pid)
      : pid_(server_pid),
        start_(Clock::now()),
        self_(ProcessCpuSeconds()),
        server_(OtherCpuSeconds(server_pid)) {}
  double Wall() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  void Report(json* out) const {
    double wall = Wall();
    (*out)["seconds"] = wall;
    (*out)["cpus_allowed"] = AllowedCpus();
    (*out)["generator_cores_used"] = (ProcessCpuSeconds() - self_) / wall;
    double server_now = OtherCpuSeconds(pid_);
    if (server_ >= 0 && server_now >= 0)
      (*out)["server_cores_used"] = (server_now - server_) / wall;
  }

 private:
  int pid_;
  Clock::time_point start_;
  double self_;
  double server_;
};

// ---- HTTP: one keep-alive connection ----

struct Endpoint {
  std::string host;
  uint16_t port = 0;
};

Endpoint ParseEndpoint(const std::string& url) {
  std::string rest = url;
  if (rest.rfind("http://", 0) == 0) rest = rest.substr(7);
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  size_t colon = rest.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("endpoint needs http://HOST:PORT");
  Endpoint e{rest.substr(0, colon), static_cast<uint16_t>(std::stoi(rest.substr(colon + 1)))};
  if (e.host == "localhost") e.host = "127.0.0.1";
  return e;
}

struct Protocol {
  const char* content_type;
  const char* target_prefix;
  const char* service;
};
const Protocol kSqs{"application/x-amz-json-1.0", "AmazonSQS.", "sqs"};
const Protocol kKinesis{"application/x-amz-json-1.1", "Kinesis_20131202.", "kinesis"};

std::string AmzDate() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

struct Response {
  int status = 0;
  std::string body;
  Clock::duration elapsed{};
};

// One HTTP/1.1 connection; reconnects when the server closed it (a stale keep-alive).
// Lifetime: the io_context outlives it. Concurrency: one thread at a time.
class HttpConnection {
 public:
  HttpConnection(asio::io_context& io, Endpoint ep) : sock_(io), ep_(std::move(ep)) {}

  // Posts `body` to "/"; false (and *error) on a transport failure after one retry.
  bool Post(const Protocol& p, std::string_view action, std::string body, Response* out,
            std::string* error) {
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::host, ep_.host + ":" + std::to_string(ep_.port));
    req.set(http::field::content_type, p.content_type);
    req.set("X-Amz-Target", std::string(p.target_prefix) + std::string(action));
    std::string date = AmzDate();
    req.set("X-Amz-Date", date);
    if (std::string_view(p.service) == "sqs") req.set("x-amzn-query-mode", "true");
    req.set(http::field::authorization,
            "AWS4-HMAC-SHA256 Credential=test/" + date.substr(0, 8) + "/us-east-1/" + p.service +
                "/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + std::string(64, '0'));
    req.keep_alive(true);
    req.body() = std::move(body);
    req.prepare_payload();
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool reused = open_;
      if (Exchange(req, out, error)) return true;
      if (!reused) return false;  // a fresh connection failed: no retry
    }
    return false;
  }
  bool open() const { return open_; }
  // Connections opened after the first (the server closed, or a stale keep-alive failed).
  uint64_t reconnects() const { return connects_ > 0 ? connects_ - 1 : 0; }

 private:
  bool Exchange(const http::request<http::string_body>& req, Response* out, std::string* error) {
    beast::error_code ec;
    auto t0 = Clock::now();
    if (!open_) {
      sock_.connect(tcp::endpoint(asio::ip::make_address(ep_.host), ep_.port), ec);
      if (ec) return Fail("connect", ec, error);
      ++connects_;
      sock_.set_option(tcp::no_delay(true), ec);
      buf_.clear();
      open_ = true;
    }
    http::write(sock_, req, ec);
    if (ec) return Fail("write", ec, error);
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    http::read(sock_, buf_, parser, ec);
    if (ec) return Fail("read", ec, error);
    out->elapsed = Clock::now() - t0;
    out->status = static_cast<int>(parser.get().result_int());
    out->body = std::move(parser.get().body());
    if (!parser.get().keep_alive()) Close();
    return true;
  }
  bool Fail(const char* what, const beast::error_code& ec, std::string* error) {
    *error = std::string(what) + ": " + ec.message();
    Close();
    return false;
  }
  void Close() {
    beast::error_code ignored;
    sock_.shutdown(tcp::socket::shutdown_both, ignored);
    sock_.close(ignored);
    open_ = false;
  }

  tcp::socket sock_;
  Endpoint ep_;
  beast::flat_buffer buf_;
  bool open_ = false;
  uint64_t connects_ = 0;
};

struct CallResult {
  bool ok = false;
  json body;          // parsed unless the call asked for text only
  std::string text;   // the response body as received
  std::string error;  // transport failure, HTTP status and __type, or unparsable JSON
  Clock::duration elapsed{};
};

// An AWS JSON-protocol client over one connection (its own io_context).
class AwsClient {
 public:
  AwsClient(const Endpoint& ep, const Protocol& p) : conn_(io_, ep), proto_(p) {}
  CallResult Call(std::string_view action, const json& request) {
    return CallRaw(action, request.dump());
  }
  // `body`: the request's JSON text, already serialized (hot loops build it once).
  // parse false: only `text` is filled on success (the SQS cycle skims it: JSON parsing cost
  // the generator more CPU than everything else together).
  CallResult CallRaw(std::string_view action, std::string body, bool parse = true) {
    CallResult r;
    Response resp;
    if (!conn_.Post(proto_, action, std::move(body), &resp, &r.error)) return r;
    r.elapsed = resp.elapsed;
    r.text = std::move(resp.body);
    if (resp.status != 200) {
      r.error = std::string(action) + ": HTTP " + std::to_string(resp.status) + " " +
                r.text.substr(0, 300);
      return r;
    }
    if (!parse) {
      r.ok = true;
      return r;
    }
    r.body = json::parse(r.text, nullptr, false);
    if (r.body.is_discarded()) {
      r.error = std::string(action) + ": response is not JSON";
      return r;
    }
    r.ok = true;
    return r;
  }
  // As Call, but a failure throws (setup steps).
  json Must(std::string_view action, const json& request) {
    CallResult r = Call(action, request);
    if (!r.ok) throw std::runtime_error(r.error);
    return r.body;
  }
  uint64_t reconnects() const { return conn_.reconnects(); }

 private:
  asio::io_context io_;
  HttpConnection conn_;
  const Protocol& proto_;
};

// Counts errors; keeps the first message. Thread-safe.
class Errors {
 public:
  void Add(const std::string& e) {
    std::lock_guard<std::mutex> l(mu_);
    if (count_++ == 0) first_ = e;
  }
  void Report(json* out) const {
    std::lock_guard<std::mutex> l(mu_);
    (*out)["errors"] = count_;
    if (count_ > 0) (*out)["first_error"] = first_;
  }

 private:
  mutable std::mutex mu_;
  uint64_t count_ = 0;
  std::string first_;
};

std::string Payload(size_t size) {
  std::string s(size, 'x');
  for (size_t i = 0; i < size; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

// ---- SQS over HTTP ----

// The raw text of every JSON string value of `key` in `text` (escapes kept, so it can be pasted
// into another JSON string as is). A skim, not a parser: it relies on the key's quoted name not
// occurring inside a string value, which holds for the SQS responses to this generator's own
// messages (their bodies are letters).
std::vector<std::string_view> SkimStrings(std::string_view text, std::string_view key) {
  std::vector<std::string_view> out;
  const std::string quoted = "\"" + std::string(key) + "\"";
  for (size_t at = text.find(quoted); at != std::string_view::npos; at = text.find(quoted, at)) {
    at += quoted.size();
    while (at < text.size() && (text[at] == ' ' || text[at] == ':')) ++at;
    if (at >= text.size() || text[at] != '"') continue;
    size_t end = ++at;
    while (end < text.size() && text[end] != '"') end += text[end] == '\\' ? 2 : 1;
    if (end >= text.size()) break;
    out.push_back(text.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

// How many times the quoted key occurs (a batch response's failed entries each carry
// "SenderFault", its successful ones never).
size_t SkimCount(std::string_view text, std::string_view key) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  size_t n = 0;
  for (size_t at = text.find(quoted); at != std::string_view::npos; at = text.find(quoted, at + 1))
    ++n;
  return n;
}

// The queue's URL: GetQueueUrl when it exists (seglogd serving a prepared store), else created.
std::string QueueUrl(AwsClient* c, const std::string& name) {
  CallResult r = c->Call("GetQueueUrl", {{"QueueName", name}});
  if (r.ok) return r.body.at("QueueUrl").get<std::string>();
  return c->Must("CreateQueue", {{"QueueName", name}}).at("QueueUrl").get<std::string>();
}

// Per-thread tallies of one cycle run; merged at the end.
struct CycleTally {
  uint64_t sent = 0, received = 0, deleted = 0;
  uint64_t reconnects = 0;  // keep-alive connections the server closed (moto closes each)
  Latencies send, receive, remove;
  void Merge(const CycleTally& o) {
    reconnects += o.reconnects;
    sent += o.sent;
    received += o.received;
    deleted += o.deleted;
    send.Merge(o.send);
    receive.Merge(o.receive);
    remove.Merge(o.remove);
  }
};

// Stops a cycle run at the deadline or once `limit` messages were sent (0: no limit).
class StopRule {
 public:
  StopRule(double seconds, uint64_t limit)
      : deadline_(Clock::now() + std::chrono::microseconds(int64_t(seconds * 1e6))),
        limit_(limit) {}
  bool Done() const { return Clock::now() >= deadline_ || (limit_ > 0 && sent_.load() >= limit_); }
  void Sent(uint64_t n) { sent_ += n; }

 private:
  Clock::time_point deadline_;
  uint64_t limit_;
  std::atomic<uint64_t> sent_{0};
};

json CycleResult(const Options& o, CycleTally& t, const CpuMeter& cpu) {
  json j = {{"mode", o.mode}, {"connections", o.connections}, {"size", o.size}, {"batch", 10}};
  if (!o.label.empty()) j["server"] = o.label;
  cpu.Report(&j);
  double wall = j["seconds"].get<double>();
  j["sent"] = t.sent;
  j["received"] = t.received;
  j["deleted"] = t.deleted;
  j["reconnects"] = t.reconnects;
  j["sent_per_s"] = double(t.sent) / wall;
  j["received_per_s"] = double(t.received) / wall;
  j["deleted_per_s"] = double(t.deleted) / wall;
  j["send_batch"] = t.send.Summary();
  j["receive"] = t.receive.Summary();
  j["delete_batch"] = t.remove.Summary();
  return j;
}

std::string SendBatchBody(const std::string& url, const std::string& payload) {
  json entries = json::array();
  for (int i = 0; i < 10; ++i)
    entries.push_back({{"Id", std::to_string(i)}, {"MessageBody", payload}});
  return json{{"QueueUrl", url}, {"Entries", entries}}.dump();
}

// `receipts` as skimmed: JSON string contents, escapes kept.
std::string DeleteBatchBody(const std::string& url, const std::vector<std::string_view>& receipts) {
  std::string body = "{\"QueueUrl\":" + json(url).dump() + ",\"Entries\":[";
  for (size_t i = 0; i < receipts.size(); ++i) {
    if (i > 0) body += ',';
    body += "{\"Id\":\"" + std::to_string(i) + "\",\"ReceiptHandle\":\"";
    body += receipts[i];
    body += "\"}";
  }
  return body + "]}";
}

// One connection's cycle: SendMessageBatch (10), ReceiveMessage (10, no wait), DeleteMessageBatch.
void SqsCycleThread(const Options& o, const Endpoint& ep, const std::string& url, StopRule* stop,
                    Errors* errors, CycleTally* t) {
  AwsClient c(ep, kSqs);
  const std::string send_body = SendBatchBody(url, Payload(o.size));
  const std::string receive_body =
      json{{"QueueUrl", url}, {"MaxNumberOfMessages", 10}, {"WaitTimeSeconds", 0}}.dump();
  while (!stop->Done()) {
    CallResult r = c.CallRaw("SendMessageBatch", send_body, false);
    if (!r.ok) {
      errors->Add(r.error);
      continue;
    }
    t->send.Add(r.elapsed);
    size_t failed = SkimCount(r.text, "SenderFault");
    if (failed > 0) errors->Add("SendMessageBatch: " + r.text.substr(0, 300));
    t->sent += 10 - std::min<size_t>(failed, 10);
    stop->Sent(10 - std::min<size_t>(failed, 10));
    r = c.CallRaw("ReceiveMessage", receive_body, false);
    if (!r.ok) {
      errors->Add(r.error);
      continue;
    }
    t->receive.Add(r.elapsed);
    std::vector<std::string_view> receipts = SkimStrings(r.text, "ReceiptHandle");
    t->received += receipts.size();
    if (receipts.empty()) continue;
    r = c.CallRaw("DeleteMessageBatch", DeleteBatchBody(url, receipts), false);
    if (!r.ok) {
      errors->Add(r.error);
      continue;
    }
    t->remove.Add(r.elapsed);
    failed = SkimCount(r.text, "SenderFault");
    if (failed > 0) errors->Add("DeleteMessageBatch: " + r.text.substr(0, 300));
    t->deleted += receipts.size() - std::min(failed, receipts.size());
  }
  t->reconnects = c.reconnects();
}

json RunSqsCycle(const Options& o) {
  Endpoint ep = ParseEndpoint(o.endpoint);
  std::string url;
  {
    AwsClient setup(ep, kSqs);
    url = QueueUrl(&setup, o.queue);
  }
  StopRule stop(o.seconds, o.messages);
  Errors errors;
  std::vector<CycleTally> tallies(o.connections);
  CpuMeter cpu(o.server_pid);
  std::vector<std::thread> threads;
  for (int i = 0; i < o.connections; ++i) {
    threads.emplace_back(SqsCycleThread, std::cref(o), std::cref(ep), std::cref(url), &stop,
                         &errors, &tallies[i]);
  }
  for (auto& th : threads) th.join();
  CycleTally all;
  for (auto& t : tallies) all.Merge(t);
  json j = CycleResult(o, all, cpu);
  errors.Report(&j);
  return j;
}

json RunSendLatency(const Options& o) {
  Endpoint ep = ParseEndpoint(o.endpoint);
  AwsClient c(ep, kSqs);
  std::string url = QueueUrl(&c, o.queue + "-latency");
  const std::string body = json{{"QueueUrl", url}, {"MessageBody", Payload(o.size)}}.dump();
  uint64_t n = o.messages > 0 ? o.messages : 2000;
  for (int i = 0; i < 20; ++i) (void)c.CallRaw("SendMessage", body);  // warm-up
  Latencies lat;
  Errors errors;
  CpuMeter cpu(o.server_pid);
  StopRule stop(o.seconds, n);
  while (!stop.Done()) {
    stop.Sent(1);
    CallResult r = c.CallRaw("SendMessage", body);
    if (r.ok)
      lat.Add(r.elapsed);
    else
      errors.Add(r.error);
  }
  json j = {{"mode", o.mode}, {"connections", 1}, {"size", o.size}, {"send", lat.Summary()}};
  if (!o.label.empty()) j["server"] = o.label;
  cpu.Report(&j);
  errors.Report(&j);
  return j;
}

// ---- long-poll wake ----

// The receiver's side of one wake round, handed between the two threads.
struct WakeRound {
  std::mutex mu;
  std::condition_variable cv;
  int waiting = -1;  // round whose receive is about to be sent
  int done = -1;     // round whose receive answered
  Clock::time_point answered;
  bool got = false;
};

void WakeReceiver(const Endpoint& ep, const std::string& url, int rounds, WakeRound* w,
                  Errors* errors) {
  AwsClient c(ep, kSqs);
  const std::string body =
      json{{"QueueUrl", url}, {"MaxNumberOfMessages", 1}, {"WaitTimeSeconds", 20}}.dump();
  for (int i = 0; i < rounds; ++i) {
    {
      std::lock_guard<std::mutex> l(w->mu);
      w->waiting = i;
    }
    w->cv.notify_all();
    CallResult r = c.CallRaw("ReceiveMessage", body);
    auto answered = Clock::now();
    bool got = r.ok && !r.body.value("Messages", json::array()).empty();
    if (!r.ok) errors->Add(r.error);
    if (got) {
      const json& m = r.body["Messages"][0];
      CallResult d =
          c.Call("DeleteMessage", {{"QueueUrl", url}, {"ReceiptHandle", m.at("ReceiptHandle")}});
      if (!d.ok) errors->Add(d.error);
    }
    {
      std::lock_guard<std::mutex> l(w->mu);
      w->done = i;
      w->answered = answered;
      w->got = got;
    }
    w->cv.notify_all();
  }
}

json RunLongPollWake(const Options& o) {
  Endpoint ep = ParseEndpoint(o.endpoint);
  AwsClient sender(ep, kSqs);
  std::string url = QueueUrl(&sender, o.queue + "-wake");
  const std::string body = json{{"QueueUrl", url}, {"MessageBody", Payload(o.size)}}.dump();
  WakeRound w;
  Errors errors;
  Latencies from_response, from_request;
  int missed = 0;
  CpuMeter cpu(o.server_pid);
  std::thread receiver(WakeReceiver, std::cref(ep), std::cref(url), o.repeat, &w, &errors);
  for (int i = 0; i < o.repeat; ++i) {
    {
      std::unique_lock<std::mutex> l(w.mu);
      w.cv.wait(l, [&] { return w.waiting >= i; });
    }
    // Let the receive reach the server and start waiting before the send.
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    auto t0 = Clock::now();
    CallResult r = sender.CallRaw("SendMessage", body);
    auto t1 = Clock::now();
    if (!r.ok) errors.Add(r.error);
    std::unique_lock<std::mutex> l(w.mu);
    w.cv.wait(l, [&] { return w.done >= i; });
    if (!w.got) {
      ++missed;
      continue;
    }
    // A receive answered before the send's response arrived counts as 0.
    from_response.Add(std::max(Clock::duration::zero(), w.answered - t1));
    from_request.Add(w.answered - t0);
  }
  receiver.join();
  json j = {{"mode", o.mode},
            {"connections", 2},
            {"rounds", o.repeat},
            {"missed", missed},
            {"wake_after_send_response", from_response.Summary()},
            {"wake_after_send_request", from_request.Summary()}};
  if (!o.label.empty()) j["server"] = o.label;
  cpu.Report(&j);
  errors.Report(&j);
  return j;
}

// ---- Kinesis ----

std::string Base64(std::string_view in) {
  static const char* const kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v =
        uint32_t(uint8_t(in[i])) << 16 | uint32_t(uint8_t(in[i + 1])) << 8 | uint8_t(in[i + 2]);
    for (int k = 3; k >= 0; --k) out += kAlphabet[(v >> (6 * k)) & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) v |= uint32_t(uint8_t(in[i + 1])) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// The stream's shard ids; the stream is created (and waited for) when it does not exist.
std::vector<std::string> StreamShards(AwsClient* c, const Options& o) {
  CallResult r = c->Call("DescribeStreamSummary", {{"StreamName", o.stream}});
  if (!r.ok) c->Must("CreateStream", {{"StreamName", o.stream}, {"ShardCount", o.shards}});
  for (int i = 0; i < 300; ++i) {
    json d = c->Must("DescribeStreamSummary", {{"StreamName", o.stream}});
    if (d.at("StreamDescriptionSummary").value("StreamStatus", "") == "ACTIVE") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::vector<std::string> ids;
  const json listed = c->Must("ListShards", {{"StreamName", o.stream}});
  for (const json& s : listed.at("Shards")) { ids.push_back(s.at("ShardId").get<std::string>()); }
  return ids;
}

struct PutTally {
  uint64_t records = 0;
  Latencies lat;
};

void KinesisPutThread(const Options& o, const Endpoint& ep, int thread, StopRule* stop,
                      Errors* errors, PutTally* t) {
  AwsClient c(ep, kKinesis);
  const std::string data = Base64(Payload(o.size));
  json records = json::array();
  for (int i = 0; i < 500; ++i) {
    records.push_back({{"Data", data},
                       {"PartitionKey", "pk-" + std::to_string(thread) + "-" + std::to_string(i)}});
  }
  const std::string body = json{{"StreamName", o.stream}, {"Records", records}}.dump();
  while (!stop->Done()) {
    CallResult r = c.CallRaw("PutRecords", body, false);
    if (!r.ok) {
      errors->Add(r.error);
      continue;
    }
    t->lat.Add(r.elapsed);
    // A failed entry carries "ErrorCode", a successful one "SequenceNumber" instead.
    uint64_t failed = std::min<uint64_t>(500, SkimCount(r.text, "ErrorCode"));
    if (failed > 0) errors->Add("PutRecords: " + std::to_string(failed) + " records failed");
    t->records += 500 - failed;
    stop->Sent(500 - failed);
  }
}

struct GetTally {
  uint64_t records = 0;
  uint64_t data_bytes = 0;  // the records' decoded Data bytes
  Latencies lat;
};

// Reads one shard from its start until a GetRecords answers empty (caught up).
void KinesisGetThread(const Options& o, const Endpoint& ep, const std::string& shard,
                      Errors* errors, GetTally* t) {
  AwsClient c(ep, kKinesis);
  CallResult r =
      c.Call("GetShardIterator",
             {{"StreamName", o.stream}, {"ShardId", shard}, {"ShardIteratorType", "TRIM_HORIZON"}});
  if (!r.ok) {
    errors->Add(r.error);
    return;
  }
  std::string it = r.body.value("ShardIterator", "");
  while (!it.empty()) {
    r = c.CallRaw("GetRecords", json{{"ShardIterator", it}, {"Limit", 10000}}.dump(), false);
    if (!r.ok) {
      errors->Add(r.error);
      return;
    }
    t->lat.Add(r.elapsed);
    std::vector<std::string_view> data = SkimStrings(r.text, "Data");
    for (std::string_view d : data) {
      size_t pad = d.ends_with("==") ? 2 : d.ends_with('=') ? 1 : 0;
      t->data_bytes += d.size() / 4 * 3 - std::min(pad, d.size() / 4 * 3);
    }
    t->records += data.size();
    if (data.empty()) break;
    std::vector<std::string_view> next = SkimStrings(r.text, "NextShardIterator");
    it = next.empty() ? "" : std::string(next[0]);
  }
}

json RunKinesis(const Options& o) {
  Endpoint ep = ParseEndpoint(o.endpoint);
  std::vector<std::string> shards;
  {
    AwsClient setup(ep, kKinesis);
    shards = StreamShards(&setup, o);
  }
  Errors errors;
  StopRule stop(o.seconds, o.messages);
  std::vector<PutTally> puts(o.connections);
  CpuMeter put_cpu(o.server_pid);
  std::vector<std::thread> threads;
  for (int i = 0; i < o.connections; ++i) {
    threads.emplace_back(KinesisPutThread, std::cref(o), std::cref(ep), i, &stop, &errors,
                         &puts[i]);
  }
  for (auto& th : threads) th.join();
  json put = {{"connections", o.connections}, {"records_per_request", 500}};
  put_cpu.Report(&put);
  PutTally put_all;
  for (auto& p : puts) {
    put_all.records += p.records;
    put_all.lat.Merge(p.lat);
  }
  double put_s = put["seconds"].get<double>();
  put["records"] = put_all.records;
  put["records_per_s"] = double(put_all.records) / put_s;
  put["mb_per_s"] = double(put_all.records * o.size) / put_s / 1e6;
  put["put_records"] = put_all.lat.Summary();

  threads.clear();
  std::vector<GetTally> gets(shards.size());
  CpuMeter get_cpu(o.server_pid);
  for (size_t i = 0; i < shards.size(); ++i) {
    threads.emplace_back(KinesisGetThread, std::cref(o), std::cref(ep), std::cref(shards[i]),
                         &errors, &gets[i]);
  }
  for (auto& th : threads) th.join();
  json get = {{"connections", shards.size()}};
  get_cpu.Report(&get);
  GetTally get_all;
  for (auto& g : gets) {
    get_all.records += g.records;
    get_all.data_bytes += g.data_bytes;
    get_all.lat.Merge(g.lat);
  }
  double get_s = get["seconds"].get<double>();
  get["records"] = get_all.records;
  get["records_per_s"] = double(get_all.records) / get_s;
  get["mb_per_s"] = double(get_all.data_bytes) / get_s / 1e6;
  get["get_records"] = get_all.lat.Summary();

  json j = {{"mode", o.mode},
            {"shards", shards.size()},
            {"size", o.size},
            {"put", put},
            {"get", get},
            {"all_read_back", get_all.records >= put_all.records}};  // >=: a reused stream
  if (!o.label.empty()) j["server"] = o.label;
  errors.Report(&j);
  return j;
}

// ---- idle connections ----

void RaiseFileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
  }
}

json RunIdleConnections(const Options& o) {
  if (o.server_pid <= 0) throw std::runtime_error("idle-connections needs --server-pid");
  RaiseFileLimit();
  Endpoint ep = ParseEndpoint(o.endpoint);
  asio::io_context io;
  std::vector<std::unique_ptr<HttpConnection>> conns;
  Errors errors;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  long before = RssKib(o.server_pid);
  for (int i = 0; i < o.count; ++i) {
    conns.push_back(std::make_unique<HttpConnection>(io, ep));
    Response resp;
    std::string error;
    if (!conns.back()->Post(kSqs, "ListQueues", "{}", &resp, &error))
      errors.Add(error);
    else if (resp.status != 200)
      errors.Add("ListQueues: HTTP " + std::to_string(resp.status));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  long after = RssKib(o.server_pid);
  size_t open = 0;
  for (auto& c : conns) open += c->open() ? 1 : 0;
  json j = {{"mode", o.mode},
            {"connections", o.count},
            {"open_after", open},
            {"server_rss_before_kib", before},
            {"server_rss_after_kib", after}};
  if (open > 0) {
    double per = double(after - before) / double(open);
    j["kib_per_connection"] = per;
    j["kib_per_1000_connections"] = per * 1000;
  }
  if (!o.label.empty()) j["server"] = o.label;
  errors.Report(&j);
  return j;
}

// ---- in-process: the same SQS cycle through the engine's C++ API ----

seglog::LogOptions BenchLog(const Options& o) {
  seglog::LogOptions log;
  seglog::Status s = seglog::ParseDurability(o.durability, &log.durability);
  if (!s.ok()) throw std::runtime_error(s.ToString());
  return log;
}

std::unique_ptr<seglog::Store> OpenStore(const Options& o) {
  if (o.data.empty()) throw std::runtime_error(o.mode + " needs --data DIR");
  std::unique_ptr<seglog::Store> store;
  seglog::Status s = seglog::Store::Open(o.data, seglog::StoreOptions{}, &store);
  if (!s.ok()) throw std::runtime_error("open " + o.data + ": " + s.ToString());
  return store;
}

void CreateQueue(seglog::Queues* q, const std::string& name, const Options& o) {
  seglog::QueueConfig c;
  c.log = BenchLog(o);
  c.limits = seglog::Limits::kAws;  // as seglogd creates them
  seglog::Status s = q->Create(name, c);
  if (!s.ok()) throw std::runtime_error("create queue " + name + ": " + s.ToString());
}

// As SqsCycleThread, with the calls seglogd's adapter makes (SQS ids and digests reported).
void InProcessThread(const Options& o, seglog::Queues* q, StopRule* stop, Errors* errors,
                     CycleTally* t) {
  const std::string payload = Payload(o.size);
  std::vector<seglog::SendEntry> entries(10);
  for (auto& e : entries) {
    e.body = seglog::ByteView(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  }
  const std::vector<std::string> id_text = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  const std::vector<std::string_view> ids(id_text.begin(), id_text.end());
  std::vector<seglog::SendResult> results;
  std::vector<seglog::BatchEntryOutcome> outcomes;
  std::vector<seglog::ReceivedMessage> got;
  seglog::ReceiveOptions ro;
  ro.max_messages = 10;
  ro.wait_s = 0;
  ro.report = seglog::Report::kSqs;
  while (!stop->Done()) {
    auto t0 = Clock::now();
    seglog::Status s = q->SendBatchEntries(o.queue, ids, entries, &results, &outcomes);
    if (!s.ok()) {
      errors->Add(s.ToString());
      continue;
    }
    t->send.Add(Clock::now() - t0);
    uint64_t n = std::count_if(outcomes.begin(), outcomes.end(), [](auto& x) { return x.ok(); });
    t->sent += n;
    stop->Sent(n);
    got.clear();
    t0 = Clock::now();
    s = q->Receive(o.queue, ro, &got);
    if (!s.ok()) {
      errors->Add(s.ToString());
      continue;
    }
    t->receive.Add(Clock::now() - t0);
    t->received += got.size();
    if (got.empty()) continue;
    std::vector<std::string_view> receipts;
    for (auto& m : got) receipts.push_back(m.receipt);
    t0 = Clock::now();
    s = q->DeleteMessageBatch(o.queue, std::span(ids.data(), got.size()), receipts, &outcomes);
    if (!s.ok()) {
      errors->Add(s.ToString());
      continue;
    }
    t->remove.Add(Clock::now() - t0);
    t->deleted += std::count_if(outcomes.begin(), outcomes.end(), [](auto& x) { return x.ok(); });
  }
}

json RunInProcess(const Options& o) {
  std::unique_ptr<seglog::Store> store = OpenStore(o);
  auto queues = std::make_unique<seglog::Queues>(store.get());
  CreateQueue(queues.get(), o.queue, o);
  StopRule stop(o.seconds, o.messages);
  Errors errors;
  std::vector<CycleTally> tallies(o.connections);
  CpuMeter cpu(0);
  std::vector<std::thread> threads;
  for (int i = 0; i < o.connections; ++i) {
    threads.emplace_back(InProcessThread, std::cref(o), queues.get(), &stop, &errors, &tallies[i]);
  }
  for (auto& th : threads) th.join();
  CycleTally all;
  for (auto& t : tallies) all.Merge(t);
  json j = CycleResult(o, all, cpu);
  j["server"] = o.label.empty() ? "in-process" : o.label;
  j["durability"] = o.durability;
  errors.Report(&j);
  queues.reset();
  return j;
}

// Creates the queues and the stream the HTTP modes use, with --durability, in the store at
// --data (seglogd then serves them: queues created over the API get the adapter's defaults).
json RunPrepare(const Options& o) {
  std::unique_ptr<seglog::Store> store = OpenStore(o);
  {
    seglog::Queues queues(store.get());
    for (const std::string& name : {o.queue, o.queue + "-latency", o.queue + "-wake"}) {
      CreateQueue(&queues, name, o);
    }
  }
  {
    seglog::Streams streams(store.get());
    seglog::StreamConfig c;
    c.shard_count = static_cast<uint32_t>(o.shards);
    c.log = BenchLog(o);
    c.limits = seglog::Limits::kAws;
    seglog::Status s = streams.Create(o.stream, c);
    if (!s.ok()) throw std::runtime_error("create stream: " + s.ToString());
  }
  return {{"mode", o.mode}, {"durability", o.durability}, {"data", o.data}};
}

// ---- stub server: the generator's own ceiling ----

// Canned SQS JSON 1.0 answers (every batch entry succeeds, every receive returns 10 messages of
// --size bytes), so that a cycle against it measures what the generator alone can drive.
struct StubAnswers {
  std::string queue_url, batch_ok, receive;
  explicit StubAnswers(const Options& o, uint16_t port) {
    queue_url =
        json{{"QueueUrl", "http://127.0.0.1:" + std::to_string(port) + "/000000000000/" + o.queue}}
            .dump();
    json ok = json::array(), messages = json::array();
    for (int i = 0; i < 10; ++i) {
      std::string id = "00000000-0000-4000-8000-00000000000" + std::to_string(i);
      ok.push_back({{"Id", std::to_string(i)},
                    {"MessageId", id},
                    {"MD5OfMessageBody", std::string(32, '0')}});
      messages.push_back({{"MessageId", id},
                          {"ReceiptHandle", Base64(id + std::string(60, 'r'))},
                          {"MD5OfBody", std::string(32, '0')},
                          {"Body", Payload(o.size)}});
    }
    batch_ok = json{{"Successful", ok}, {"Failed", json::array()}}.dump();
    receive = json{{"Messages", messages}}.dump();
  }
  const std::string& For(std::string_view target) const {
    if (target.ends_with(".ReceiveMessage")) return receive;
    if (target.ends_with(".GetQueueUrl") || target.ends_with(".CreateQueue")) return queue_url;
    return batch_ok;
  }
};

void StubSession(tcp::socket sock, const StubAnswers* answers) {
  beast::error_code ec;
  sock.set_option(tcp::no_delay(true), ec);
  beast::flat_buffer buf;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(16u << 20);
    http::read(sock, buf, parser, ec);
    if (ec) return;
    http::response<http::string_body> res{http::status::ok, 11};
    res.set(http::field::content_type, kSqs.content_type);
    res.body() = answers->For(parser.get()["X-Amz-Target"]);
    res.keep_alive(parser.get().keep_alive());
    res.prepare_payload();
    http::write(sock, res, ec);
    if (ec || !res.keep_alive()) return;
  }
}

// Serves until killed; writes "http://127.0.0.1:PORT" to --ready-file once listening.
json RunStubServer(const Options& o) {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  uint16_t port = acceptor.local_endpoint().port();
  StubAnswers answers(o, port);
  if (!o.ready_file.empty()) {
    std::ofstream(o.ready_file + ".tmp") << "http://127.0.0.1:" << port << "\n";
    std::rename((o.ready_file + ".tmp").c_str(), o.ready_file.c_str());
  }
  for (;;) {
    tcp::socket sock(io);
    beast::error_code ec;
    acceptor.accept(sock, ec);
    if (ec) continue;
    std::thread(StubSession, std::move(sock), &answers).detach();
  }
}

json Run(const Options& o) {
  if (o.mode == "sqs-cycle") return RunSqsCycle(o);
  if (o.mode == "sqs-send-latency") return RunSendLatency(o);
  if (o.mode == "long-poll-wake") return RunLongPollWake(o);
  if (o.mode == "kinesis") return RunKinesis(o);
  if (o.mode == "idle-connections") return RunIdleConnections(o);
  if (o.mode == "in-process") return RunInProcess(o);
  if (o.mode == "prepare") return RunPrepare(o);
  if (o.mode == "stub-server") return RunStubServer(o);
  throw std::runtime_error("unknown --mode " + o.mode);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"seglogd's load generator (AWS JSON 1.0 SQS, JSON 1.1 Kinesis) and its baseline"};
  app.add_option("--mode", o.mode,
                 "sqs-cycle | sqs-send-latency | long-poll-wake | kinesis | idle-connections | "
                 "in-process | prepare | stub-server")
      ->required();
  app.add_option("--endpoint", o.endpoint, "http://HOST:PORT");
  app.add_option("--label", o.label, "the server's name in the output");
  app.add_option("--connections", o.connections, "connections (threads)")
      ->check(CLI::Range(1, 256));
  app.add_option("--seconds", o.seconds,
                 "run length (sqs-cycle, kinesis puts, in-process; "
                 "sqs-send-latency stops at --messages or this, whichever comes first)");
  app.add_option("--messages", o.messages, "stop after this many sent (0: --seconds only)");
  app.add_option("--size", o.size, "bytes per message / record")->check(CLI::Range(1, 262144));
  app.add_option("--repeat", o.repeat, "long-poll-wake rounds")->check(CLI::Range(1, 100000));
  app.add_option("--count", o.count, "idle connections")->check(CLI::Range(1, 1000000));
  app.add_option("--shards", o.shards, "shards of a stream created here")
      ->check(CLI::Range(1, 1024));
  app.add_option("--server-pid", o.server_pid, "server process (RSS, CPU)");
  app.add_option("--queue", o.queue, "queue name (and NAME-latency, NAME-wake)");
  app.add_option("--stream", o.stream, "stream name");
  app.add_option("--data", o.data, "store directory (in-process, prepare)");
  app.add_option("--durability", o.durability, "always | interval | none (in-process, prepare)");
  app.add_option("--ready-file", o.ready_file, "stub-server: written with its URL once listening");
  CLI11_PARSE(app, argc, argv);
  try {
    std::printf("%s\n", Run(o).dump().c_str());
    std::fflush(stdout);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "seglog-server-load: %s\n", e.what());
    return 1;
  }
  return 0;
}
