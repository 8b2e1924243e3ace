// seglogd's counters, rendered for Prometheus (text exposition format 0.0.4) at GET /metrics:
// requests by service, action and outcome; request latency histograms; bytes in and out;
// open connections; and gauges that sources compute at scrape time (queue depths, worker
// backlog).
//
// Lifetime: outlives the transport and router that record into it. Concurrency: every method
// may be called from any thread; Record takes one short mutex.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace seglog::server {

class Metrics {
 public:
  // One finished request. error_code "" on success.
  void Record(std::string_view service, std::string_view action, int http_status,
              std::string_view error_code, std::chrono::microseconds latency, size_t bytes_in,
              size_t bytes_out);
  void ConnectionOpened();
  void ConnectionClosed();
  void ConnectionRefused();  // over the connection cap
  // Appends complete Prometheus lines (with # HELP/# TYPE) for its own gauges.
  using Source = std::function<void(std::string* out)>;
  void AddSource(Source source);
  std::string Render() const;

 private:
  struct Series;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Series>, std::less<>> series_;
  std::vector<Source> sources_;
  int64_t open_connections_ = 0;
  uint64_t accepted_ = 0, refused_ = 0;
};

}  // namespace seglog::server
