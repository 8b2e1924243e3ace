// Metrics: Record and the connection counters render as parseable Prometheus text with the
// right counts, cumulative histogram buckets and escaped label values.
#include "server/metrics.h"

#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace seglog::server {
namespace {

using std::chrono::microseconds;

// Every sample line "name{labels} value" (or "name value") as name{labels} -> value; fails the
// test on a line that is neither a comment nor a sample.
std::map<std::string, std::string> Samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') {
      EXPECT_TRUE(line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) << line;
      continue;
    }
    const size_t brace = line.find('{');
    size_t key_end = line.find(' ');
    if (brace != std::string::npos && brace < key_end) key_end = line.rfind("} ") + 1;
    EXPECT_NE(key_end, std::string::npos) << line;
    const std::string value = line.substr(key_end + 1);
    EXPECT_FALSE(value.empty()) << line;
    EXPECT_EQ(value.find_first_not_of("0123456789.e+-"), std::string::npos) << line;
    EXPECT_TRUE(out.emplace(line.substr(0, key_end), value).second) << "repeated: " << line;
  }
  return out;
}

TEST(MetricsTest, CountsRequestsErrorsBytesAndLatency) {
  Metrics m;
  m.Record("sqs", "SendMessage", 200, "", microseconds(1000), 100, 50);
  m.Record("sqs", "SendMessage", 200, "", microseconds(20'000), 10, 5);
  m.Record("sqs", "SendMessage", 400, "InvalidParameterValue", microseconds(300), 1, 2);
  m.Record("kinesis", "PutRecord", 500, "InternalFailure", microseconds(40'000'000), 7, 8);
  auto s = Samples(m.Render());
  const std::string send = "service=\"sqs\",action=\"SendMessage\"";
  EXPECT_EQ(s["seglogd_requests_total{" + send + ",code=\"200\"}"], "2");
  EXPECT_EQ(s["seglogd_requests_total{" + send + ",code=\"400\"}"], "1");
  EXPECT_EQ(s["seglogd_request_errors_total{" + send + ",error=\"InvalidParameterValue\"}"], "1");
  EXPECT_EQ(s["seglogd_request_errors_total{service=\"kinesis\",action=\"PutRecord\","
              "error=\"InternalFailure\"}"],
            "1");
  const std::string b = "seglogd_request_duration_seconds_bucket{" + send + ",le=";
  EXPECT_EQ(s[b + "\"0.0005\"}"], "1");
  EXPECT_EQ(s[b + "\"0.001\"}"], "2");
  EXPECT_EQ(s[b + "\"0.01\"}"], "2");
  EXPECT_EQ(s[b + "\"0.025\"}"], "3");
  EXPECT_EQ(s[b + "\"30\"}"], "3");
  EXPECT_EQ(s[b + "\"+Inf\"}"], "3");
  EXPECT_EQ(s["seglogd_request_duration_seconds_count{" + send + "}"], "3");
  EXPECT_DOUBLE_EQ(std::stod(s["seglogd_request_duration_seconds_sum{" + send + "}"]), 0.0213);
  // Over the largest bucket: only +Inf counts it.
  const std::string kb = "seglogd_request_duration_seconds_bucket{service=\"kinesis\","
                         "action=\"PutRecord\",le=";
  EXPECT_EQ(s[kb + "\"30\"}"], "0");
  EXPECT_EQ(s[kb + "\"+Inf\"}"], "1");
  EXPECT_EQ(s["seglogd_request_bytes_total{service=\"sqs\"}"], "111");
  EXPECT_EQ(s["seglogd_response_bytes_total{service=\"sqs\"}"], "57");
  EXPECT_EQ(s["seglogd_request_bytes_total{service=\"kinesis\"}"], "7");
}

TEST(MetricsTest, ConnectionsAndSources) {
  Metrics m;
  m.ConnectionOpened();
  m.ConnectionOpened();
  m.ConnectionOpened();
  m.ConnectionClosed();
  m.ConnectionRefused();
  int calls = 0;
  m.AddSource([&calls](std::string* out) {
    ++calls;
    *out += "# HELP my_gauge A test gauge.\n# TYPE my_gauge gauge\nmy_gauge{q=\"a\"} 42\n";
  });
  auto s = Samples(m.Render());
  EXPECT_EQ(s["seglogd_connections_open"], "2");
  EXPECT_EQ(s["seglogd_connections_accepted_total"], "3");
  EXPECT_EQ(s["seglogd_connections_refused_total"], "1");
  EXPECT_EQ(s["my_gauge{q=\"a\"}"], "42");
  EXPECT_EQ(calls, 1);
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  Metrics m;
  m.Record("sq\"s", "Act\\ion\nX", 200, "E\"r", microseconds(1), 0, 0);
  const std::string text = m.Render();
  auto s = Samples(text);
  EXPECT_EQ(s["seglogd_requests_total{service=\"sq\\\"s\",action=\"Act\\\\ion\\nX\",code=\"200\"}"],
            "1");
  EXPECT_EQ(s["seglogd_request_errors_total{service=\"sq\\\"s\",action=\"Act\\\\ion\\nX\","
              "error=\"E\\\"r\"}"],
            "1");
  EXPECT_EQ(text.find("ion\nX"), std::string::npos);  // no raw newline inside a label
}

TEST(MetricsTest, SeriesOfDifferentServicesAreApart) {
  Metrics m;
  m.Record("a", "X", 200, "", microseconds(1), 1, 1);
  m.Record("b", "X", 200, "", microseconds(1), 1, 1);
  auto s = Samples(m.Render());
  EXPECT_EQ(s["seglogd_requests_total{service=\"a\",action=\"X\",code=\"200\"}"], "1");
  EXPECT_EQ(s["seglogd_requests_total{service=\"b\",action=\"X\",code=\"200\"}"], "1");
}

}  // namespace
}  // namespace seglog::server
