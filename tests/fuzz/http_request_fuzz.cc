// Fuzzes seglogd's HTTP/1.1 request parsing with the limits its sessions use
// (server/transport/request_parse.h): the head under the default header limit, then the body
// under a handler-style limit, then the conversion into HttpRequest. Any input must end in a
// parsed request or a parse error, never a crash or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <string>

#include <boost/asio/buffer.hpp>

#include "server/transport/http_server.h"
#include "server/transport/request_parse.h"

namespace {

using seglog::server::TransportOptions;
namespace transport = seglog::server::transport;

constexpr size_t kBodyLimit = 64 * 1024;

// Feeds `data` to the parser as Beast's stream reads do: bytes arrive in chunks of varying
// size into a buffer; the parser consumes what it can and waits for more on need_more. Stops
// at the end of the head (non-eager), when done, on an error, or when the input runs out.
void Feed(transport::RequestParser* p, const uint8_t* data, size_t size, size_t chunk,
          size_t* used, size_t* avail, boost::beast::error_code* ec) {
  for (;;) {
    if (p->is_done() || (p->is_header_done() && !p->eager())) return;
    if (*avail == *used || *ec == boost::beast::http::error::need_more) {
      if (*avail == size) return;  // the peer sent nothing more
      *ec = {};
      *avail = std::min(size, *avail + chunk);
      chunk = 1 + (chunk * 7) % 97;
    }
    *used += p->put(boost::asio::buffer(data + *used, *avail - *used), *ec);
    if (*ec && *ec != boost::beast::http::error::need_more) return;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const size_t chunk = 1 + size % 61;
  transport::RequestParser parser;
  transport::PrepareParser(&parser, TransportOptions{}.max_header_bytes);
  parser.eager(false);  // as Beast's read_header: stop at the end of the head
  size_t used = 0, avail = 0;
  boost::beast::error_code ec;
  Feed(&parser, data, size, chunk, &used, &avail, &ec);
  if (ec || !parser.is_header_done()) return 0;
  seglog::server::HttpRequest req = transport::HeadToRequest(parser);
  (void)transport::WantsContinue(req);
  if (transport::ApplyBodyLimit(&parser, kBodyLimit) == transport::BodyVerdict::kTooLarge) {
    return 0;
  }
  parser.eager(true);  // as Beast's read: the body
  Feed(&parser, data, size, chunk, &used, &avail, &ec);
  if (!ec && parser.is_done()) {
    req.body = parser.get().body();
    if (req.body.size() > kBodyLimit) __builtin_trap();  // the limit must hold
  }
  return 0;
}
