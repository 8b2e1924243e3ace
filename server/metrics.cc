// Metrics: per (service, action) counters and a latency histogram, kept under one mutex and
// rendered in Prometheus' text exposition format 0.0.4.
#include "server/metrics.h"

#include <array>
#include <cstdio>
#include <utility>

namespace seglog::server {

namespace {

// Upper bounds of the latency histogram's buckets, in seconds (+Inf is implicit).
constexpr std::array<double, 15> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1,     2.5,   5,     10,
                                             30};

// A label value as Prometheus' text format wants it: \ " and newline escaped.
std::string Escape(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

void Header(std::string* out, const char* name, const char* type, const char* help) {
  *out += "# HELP ";
  *out += name;
  *out += ' ';
  *out += help;
  *out += "\n# TYPE ";
  *out += name;
  *out += ' ';
  *out += type;
  *out += '\n';
}

}  // namespace

struct Metrics::Series {
  std::string service, action;
  std::map<int, uint64_t> codes;
  std::map<std::string, uint64_t, std::less<>> errors;
  std::array<uint64_t, kBuckets.size()> buckets{};  // not cumulative; rendered cumulative
  uint64_t count = 0;
  double seconds = 0;
  uint64_t bytes_in = 0, bytes_out = 0;

  std::string Labels() const {
    return "service=\"" + Escape(service) + "\",action=\"" + Escape(action) + "\"";
  }
};

void Metrics::Record(std::string_view service, std::string_view action, int http_status,
                     std::string_view error_code, std::chrono::microseconds latency,
                     size_t bytes_in, size_t bytes_out) {
  std::string key;
  key.reserve(service.size() + action.size() + 1);
  key.append(service).push_back('\x1f');
  key.append(action);
  const double secs = static_cast<double>(latency.count()) / 1e6;
  std::lock_guard<std::mutex> l(mu_);
  auto it = series_.find(key);
  if (it == series_.end()) {
    auto s = std::make_shared<Series>();
    s->service = std::string(service);
    s->action = std::string(action);
    it = series_.emplace(std::move(key), std::move(s)).first;
  }
  Series& s = *it->second;
  ++s.codes[http_status];
  if (!error_code.empty()) {
    auto e = s.errors.find(error_code);
    if (e == s.errors.end()) e = s.errors.emplace(std::string(error_code), 0).first;
    ++e->second;
  }
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (secs <= kBuckets[i]) {
      ++s.buckets[i];
      break;
    }
  }
  ++s.count;
  s.seconds += secs;
  s.bytes_in += bytes_in;
  s.bytes_out += bytes_out;
}

void Metrics::ConnectionOpened() {
  std::lock_guard<std::mutex> l(mu_);
  ++open_connections_;
  ++accepted_;
}

void Metrics::ConnectionClosed() {
  std::lock_guard<std::mutex> l(mu_);
  --open_connections_;
}

void Metrics::ConnectionRefused() {
  std::lock_guard<std::mutex> l(mu_);
  ++refused_;
}

void Metrics::AddSource(Source source) {
  std::lock_guard<std::mutex> l(mu_);
  sources_.push_back(std::move(source));
}

std::string Metrics::Render() const {
  std::string out;
  std::vector<Source> sources;
  {
    std::lock_guard<std::mutex> l(mu_);
    sources = sources_;
    Header(&out, "seglogd_requests_total", "counter", "Requests answered, by HTTP status.");
    for (const auto& [key, s] : series_) {
      for (const auto& [code, n] : s->codes) {
        out += "seglogd_requests_total{" + s->Labels() + ",code=\"" + std::to_string(code) +
               "\"} " + std::to_string(n) + "\n";
      }
    }
    Header(&out, "seglogd_request_errors_total", "counter", "Requests that failed, by error.");
    for (const auto& [key, s] : series_) {
      for (const auto& [error, n] : s->errors) {
        out += "seglogd_request_errors_total{" + s->Labels() + ",error=\"" + Escape(error) +
               "\"} " + std::to_string(n) + "\n";
      }
    }
    Header(&out, "seglogd_request_duration_seconds", "histogram", "Request latency.");
    for (const auto& [key, s] : series_) {
      uint64_t cumulative = 0;
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        cumulative += s->buckets[i];
        out += "seglogd_request_duration_seconds_bucket{" + s->Labels() + ",le=\"" +
               Number(kBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
      }
      out += "seglogd_request_duration_seconds_bucket{" + s->Labels() + ",le=\"+Inf\"} " +
             std::to_string(s->count) + "\n";
      out += "seglogd_request_duration_seconds_sum{" + s->Labels() + "} " + Number(s->seconds) +
             "\n";
      out += "seglogd_request_duration_seconds_count{" + s->Labels() + "} " +
             std::to_string(s->count) + "\n";
    }
    std::map<std::string, std::pair<uint64_t, uint64_t>> by_service;
    for (const auto& [key, s] : series_) {
      auto& b = by_service[s->service];
      b.first += s->bytes_in;
      b.second += s->bytes_out;
    }
    Header(&out, "seglogd_request_bytes_total", "counter", "Request body bytes received.");
    for (const auto& [service, b] : by_service) {
      out += "seglogd_request_bytes_total{service=\"" + Escape(service) + "\"} " +
             std::to_string(b.first) + "\n";
    }
    Header(&out, "seglogd_response_bytes_total", "counter", "Response body bytes sent.");
    for (const auto& [service, b] : by_service) {
      out += "seglogd_response_bytes_total{service=\"" + Escape(service) + "\"} " +
             std::to_string(b.second) + "\n";
    }
    Header(&out, "seglogd_connections_open", "gauge", "Connections open now.");
    out += "seglogd_connections_open " + std::to_string(open_connections_) + "\n";
    Header(&out, "seglogd_connections_accepted_total", "counter", "Connections accepted.");
    out += "seglogd_connections_accepted_total " + std::to_string(accepted_) + "\n";
    Header(&out, "seglogd_connections_refused_total", "counter",
           "Connections closed at once over the connection cap.");
    out += "seglogd_connections_refused_total " + std::to_string(refused_) + "\n";
  }
  // Sources run outside the mutex: they may take their own locks (queue stats).
  for (const Source& source : sources) source(&out);
  return out;
}

}  // namespace seglog::server
