// seglogd: serves a seglog store over AWS's SQS, SNS and Kinesis wire protocols. The command line
// is documented at the end of server/transport/http_server.h.
//
// Lifetime: main builds store -> queues/streams -> executor -> services -> metrics -> router
// -> server, then (once the listeners' URLs are known, for the SNS envelopes' URLs) the
// Topics, handed to the SNS service; waits for SIGTERM/SIGINT, then shuts down in the reverse
// order (long polls answered, in-flight requests answered, workers joined, the Topics' fan-out
// stopped and its cursors written, before the Queues go; the store synced and closed).
// Concurrency: the signals are blocked in every thread and taken by sigwait in main.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "engine/log/store.h"
#include "engine/queues/queue.h"
#include "engine/streams/stream.h"
#include "engine/topics/topics.h"
#include "server/auth/credentials.h"
#include "server/executor.h"
#include "server/kinesis/kinesis_service.h"
#include "server/metrics.h"
#include "server/router.h"
#include "server/sns/sns_service.h"
#include "server/sqs/sqs_service.h"
#include "server/transport/http_server.h"

namespace seglog::server {
namespace {

struct Flags {
  std::string data;
  std::vector<std::string> listen = {"127.0.0.1:9324"};
  std::string tls_cert, tls_key, credentials, public_host, ready_file;
  std::string region = "us-east-1";
  std::string account = "000000000000";
  size_t workers = 4;
  size_t max_connections = 4096;
  std::string limits = "aws";
  std::string durability = "always";
  std::string log_level = "info";
  int64_t head_timeout_ms = 0;  // 0: the transport's default (tests shorten it)
};

void Log(const std::string& line) { std::fprintf(stderr, "seglogd: %s\n", line.c_str()); }

void AddFlags(CLI::App* app, Flags* f) {
  app->add_option("--data", f->data, "Store directory (created if missing)")->required();
  app->add_option("--listen", f->listen, "HOST:PORT to listen on (repeatable; port 0 = any)");
  app->add_option("--tls-cert", f->tls_cert, "PEM certificate chain: serve HTTPS");
  app->add_option("--tls-key", f->tls_key, "PEM private key of --tls-cert");
  app->add_option("--credentials", f->credentials,
                  "AWS shared-credentials file (mode 0600) of the accepted access keys");
  app->add_option("--public-host", f->public_host, "HOST[:PORT] used in queue URLs");
  app->add_option("--region", f->region, "Region in ARNs and signatures");
  app->add_option("--account", f->account, "Account id in queue URLs and ARNs");
  app->add_option("--workers", f->workers, "Worker threads")->check(CLI::Range(1, 1024));
  app->add_option("--max-connections", f->max_connections, "Connection cap")
      ->check(CLI::Range(1, 1 << 20));
  app->add_option("--limits", f->limits, "Limits of queues and streams created through the API")
      ->check(CLI::IsMember({"aws", "relaxed"}));
  app->add_option("--durability", f->durability,
                  "Durability of queues and streams created through the API: always (a success "
                  "answer means fdatasync'd), interval (synced every 200 ms) or none")
      ->check(CLI::IsMember({"always", "interval", "none"}));
  app->add_option("--log-level", f->log_level, "info or debug (one line per request)")
      ->check(CLI::IsMember({"info", "debug"}));
  app->add_option("--ready-file", f->ready_file, "Written with the listeners' URLs once serving");
  app->add_option("--head-timeout-ms", f->head_timeout_ms,
                  "Time to read a request head (tests)")->check(CLI::Range(0, 3'600'000));
  app->set_config("--config", "", "Read options from an INI/TOML file");
}

// "http://HOST:PORT" for a listen address and its bound port; a wildcard host becomes the
// loopback address of its family (something a local client can connect to).
std::string UrlOf(const std::string& listen, uint16_t port, bool tls) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host == "[::]") host = "[::1]";
  return std::string(tls ? "https" : "http") + "://" + host + ":" + std::to_string(port);
}

bool WriteReadyFile(const std::string& path, const std::vector<std::string>& lines) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    for (const std::string& l : lines) out << l << "\n";
    out.flush();
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

// Gauges computed at scrape time: each queue's messages by state, and the workers' backlog.
// Queue names are validated ([A-Za-z0-9_-], ".fifo"), so they need no label escaping.
Metrics::Source QueueSource(Queues* queues, Executor* executor) {
  return [queues, executor](std::string* out) {
    *out += "# HELP seglog_queue_messages Messages in each queue, by state.\n"
            "# TYPE seglog_queue_messages gauge\n";
    for (const std::string& name : queues->List()) {
      QueueStats st;
      if (!queues->Stats(name, &st).ok()) continue;  // deleted meanwhile
      const std::string q = "seglog_queue_messages{queue=\"" + name + "\",state=\"";
      *out += q + "visible\"} " + std::to_string(st.visible) + "\n";
      *out += q + "in_flight\"} " + std::to_string(st.in_flight) + "\n";
      *out += q + "delayed\"} " + std::to_string(st.delayed) + "\n";
    }
    *out += "# HELP seglogd_worker_queue_depth Tasks waiting for a worker.\n"
            "# TYPE seglogd_worker_queue_depth gauge\n"
            "seglogd_worker_queue_depth " + std::to_string(executor->Pending()) + "\n";
  };
}

// Where seglogd serves SNS's signing certificate (the envelopes' SigningCertURL).
constexpr std::string_view kSigningCertPath = "/SimpleNotificationService-seglog.pem";

// The Topics' ARNs and envelope URLs: --public-host when given, else the first listener.
TopicsOptions TopicsOptionsFor(const Flags& f, bool tls, const std::string& first_url) {
  const std::string base = f.public_host.empty()
                               ? first_url
                               : std::string(tls ? "https://" : "http://") + f.public_host;
  TopicsOptions o;
  o.arn_prefix = "arn:aws:sns:" + f.region + ":" + f.account + ":";
  o.signing_cert_url = base + std::string(kSigningCertPath);
  o.unsubscribe_url = base + "/?Action=Unsubscribe&SubscriptionArn=";
  return o;
}

// Gauges of each topic: messages in its log, subscriptions, and its subscriptions' backlog and
// delivery counters (since seglogd started). Topic names are validated, no escaping needed.
Metrics::Source TopicSource(Topics* topics) {
  return [topics](std::string* out) {
    static constexpr const char* kNames[7][2] = {
        {"seglog_topic_messages", "Messages in each topic's log."},
        {"seglog_topic_subscriptions", "Subscriptions of each topic."},
        {"seglog_topic_backlog", "Messages published and not yet taken, summed over a topic's "
                                 "subscriptions."},
        {"seglog_topic_delivered", "Deliveries since seglogd started."},
        {"seglog_topic_filtered", "Messages filtered out since seglogd started."},
        {"seglog_topic_redriven", "Deliveries sent to a redrive queue since seglogd started."},
        {"seglog_topic_dropped", "Undeliverable messages dropped since seglogd started."}};
    std::string lines[7];
    std::vector<std::string> names;
    std::string token, next;
    do {
      names.clear();
      if (!topics->List(token, 1000, &names, &next).ok()) break;
      for (const std::string& name : names) {
        TopicDescription d;
        if (!topics->Describe(name, &d).ok()) continue;  // deleted meanwhile
        uint64_t v[7] = {d.messages, d.subscriptions, 0, 0, 0, 0, 0};
        std::vector<SubscriptionInfo> subs;
        std::string stoken, snext;
        do {
          subs.clear();
          if (!topics->ListSubscriptions(name, stoken, 1000, &subs, &snext).ok()) break;
          for (const SubscriptionInfo& s : subs) {
            v[2] += s.backlog;
            v[3] += s.delivered;
            v[4] += s.filtered;
            v[5] += s.redriven;
            v[6] += s.dropped;
          }
          stoken = snext;
        } while (!snext.empty());
        for (int i = 0; i < 7; ++i) {
          lines[i] += std::string(kNames[i][0]) + "{topic=\"" + name + "\"} " +
                      std::to_string(v[i]) + "\n";
        }
      }
      token = next;
    } while (!next.empty());
    for (int i = 0; i < 7; ++i) {
      *out += std::string("# HELP ") + kNames[i][0] + " " + kNames[i][1] + "\n# TYPE " +
              kNames[i][0] + " gauge\n" + lines[i];
    }
  };
}

// Loads --credentials; refuses a non-loopback listener without any. 0 or an exit status.
int CheckAuth(const Flags& f, CredentialSet* creds) {
  if (!f.credentials.empty()) {
    Status s = CredentialSet::Load(f.credentials, creds);
    if (!s.ok()) {
      Log("cannot load --credentials: " + s.ToString());
      return 2;
    }
    Log("authentication on: " + std::to_string(creds->size()) + " access key(s) from " +
        f.credentials);
  }
  if (creds->empty()) {
    if (!AllLoopback(f.listen)) {
      Log("refusing to listen on a non-loopback address without --credentials "
          "(authentication would be off)");
      return 2;
    }
    Log("authentication off (no --credentials): any signature is accepted; listening on "
        "loopback only");
  }
  return 0;
}

int Serve(const Flags& f, const CredentialSet& creds, const sigset_t& signals) {
  Log("file descriptor limit " + std::to_string(RaiseFileLimit()));
  const Limits limits = f.limits == "relaxed" ? Limits::kRelaxed : Limits::kAws;
  StoreOptions store_opt;
  store_opt.create_if_missing = true;
  std::unique_ptr<Store> store;
  Status s = Store::Open(f.data, store_opt, &store);
  if (!s.ok()) {
    Log("cannot open the store in " + f.data + ": " + s.ToString());
    return 1;
  }
  auto queues = std::make_unique<Queues>(store.get());
  auto streams = std::make_unique<Streams>(store.get());
  Executor executor(f.workers);
  const Durability durability = f.durability == "interval" ? Durability::kInterval
                                : f.durability == "none"   ? Durability::kNone
                                                           : Durability::kAlways;
  SqsServiceOptions sqs_opt;
  sqs_opt.limits = limits;
  sqs_opt.durability = durability;
  auto sqs = std::make_unique<SqsService>(queues.get(), &executor, sqs_opt);
  KinesisServiceOptions kinesis_opt;
  kinesis_opt.limits = limits;
  kinesis_opt.durability = durability;
  auto kinesis = std::make_unique<KinesisService>(streams.get(), kinesis_opt);
  SnsServiceOptions sns_opt;
  sns_opt.limits = limits;
  sns_opt.durability = durability;
  auto sns = std::make_unique<SnsService>(queues.get(), sns_opt);
  std::unique_ptr<Topics> topics;
  Metrics metrics;
  metrics.AddSource(QueueSource(queues.get(), &executor));
  RouterOptions ropt;
  ropt.region = f.region;
  ropt.account = f.account;
  ropt.public_host = f.public_host;
  ropt.credentials = creds.empty() ? nullptr : &creds;
  ropt.metrics = &metrics;
  ropt.log_requests = f.log_level == "debug";
  ropt.signing_cert_path = std::string(kSigningCertPath);
  ropt.signing_certificate = [sns = sns.get()](std::string* pem) {
    return sns->SigningCertificate(pem);
  };
  auto router = std::make_unique<Router>(ropt, sqs.get(), kinesis.get(), sns.get());

  TransportOptions topt;
  topt.listen = f.listen;
  topt.tls_cert = f.tls_cert;
  topt.tls_key = f.tls_key;
  topt.max_connections = f.max_connections;
  if (f.head_timeout_ms > 0) topt.head_timeout = std::chrono::milliseconds(f.head_timeout_ms);
  const bool tls = !f.tls_cert.empty();
  HttpServer server(topt, router.get(), &executor, &metrics);
  int rc = 0;
  s = server.Start();
  if (!s.ok()) {
    Log("cannot start: " + s.ToString());
    rc = 1;
  } else {
    std::vector<std::string> urls;
    const std::vector<uint16_t> ports = server.Ports();
    for (size_t i = 0; i < ports.size(); ++i) urls.push_back(UrlOf(f.listen[i], ports[i], tls));
    for (const std::string& u : urls) Log("serving " + u);
    topics = std::make_unique<Topics>(store.get(), queues.get(),
                                      TopicsOptionsFor(f, tls, urls.at(0)));
    sns->SetTopics(topics.get());
    metrics.AddSource(TopicSource(topics.get()));
    if (!f.ready_file.empty() && !WriteReadyFile(f.ready_file, urls)) {
      Log("cannot write --ready-file " + f.ready_file + ": " + std::strerror(errno));
      rc = 1;
    } else {
      int sig = 0;
      sigwait(&signals, &sig);
      Log(std::string("shutting down on ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"));
    }
  }
  sqs->Shutdown();    // long polls answer (empty) now
  server.Stop();      // no new connections; in-flight requests answer
  executor.Stop();    // workers joined
  sns->SetTopics(nullptr);
  topics.reset();     // fan-out stopped, cursors written; before the Queues
  s = store->SyncAll();
  if (!s.ok()) Log("sync at shutdown: " + s.ToString());
  router.reset();
  sqs.reset();
  sns.reset();
  kinesis.reset();
  queues.reset();
  streams.reset();
  s = store->Close();
  if (!s.ok()) {
    Log("close: " + s.ToString());
    rc = 1;
  }
  if (rc == 0) Log("stopped");
  return rc;
}

}  // namespace
}  // namespace seglog::server

int main(int argc, char** argv) {
  using namespace seglog::server;
  CLI::App app{"seglogd: AWS SQS, SNS and Kinesis wire protocols over a seglog store"};
  Flags flags;
  AddFlags(&app, &flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  CredentialSet creds;
  if (const int rc = CheckAuth(flags, &creds); rc != 0) return rc;
  // Before any thread starts, so every thread inherits the mask and only sigwait takes them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  return Serve(flags, creds, signals);
}
