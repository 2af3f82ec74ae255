// upstream::Client — the async HTTP/1.1 client every remote provider uses.
//
// Contract:
//  - One Client per io_context (per worker thread); it is not thread-safe and needs no locks.
//  - https:// is verified against the system CA store (SNI + hostname check); http:// is plain.
//  - Keep-alive connections are pooled per (scheme, host, port) and reused; a pooled connection
//    that turns out dead on first write/read is retried once on a fresh connection *only if no
//    byte of the response was received* (so a request is never sent twice after a reply began).
//  - Timeouts (all enforced, all surface as FailureKind::timeout with a message naming which):
//      connect     TCP connect + TLS handshake (+ proxy CONNECT)
//      first_byte  from the request written to the response headers received
//      idle        longest gap between two body reads (streams)
//      total       whole exchange, from start to last body byte
//  - HTTPS_PROXY / https_proxy (and HTTP_PROXY / NO_PROXY) are honoured via CONNECT tunnels.
//  - Failures never throw; they come back as Result<...>::failure().
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "common/result.hpp"

namespace sy::upstream {

namespace asio = boost::asio;
using Headers = std::vector<std::pair<std::string, std::string>>;

struct Timeouts {
  std::chrono::milliseconds connect{10'000};
  std::chrono::milliseconds first_byte{60'000};
  std::chrono::milliseconds idle{30'000};
  std::chrono::milliseconds total{600'000};
};

struct Request {
  std::string method = "POST";
  std::string url;                 // absolute: http(s)://host[:port]/path?query
  Headers headers;                 // Host, Content-Length and Connection are set by the client
  std::string body;
  Timeouts timeouts;
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;
  // Case-insensitive header look-up.
  std::optional<std::string> header(std::string_view name) const;
};

// A response whose body is read incrementally (SSE streams). Owns its connection; returns it to
// the pool when the body was read to the end, closes it otherwise.
class StreamingResponse {
 public:
  virtual ~StreamingResponse() = default;
  virtual int status() const = 0;
  virtual const Headers& headers() const = 0;
  std::optional<std::string> header(std::string_view name) const;
  // Next piece of the (de-chunked) body; an empty optional at the clean end of the body.
  // Idle and total timeouts apply to each call.
  virtual asio::awaitable<Result<std::optional<std::string>>> read_some() = 0;
  // Appends the rest of the body to `out` (read in place, no per-piece copies); true when done.
  virtual asio::awaitable<Result<bool>> read_to_end(std::string& out) = 0;
};

struct ClientOptions {
  size_t max_idle_per_host = 64;
  std::chrono::milliseconds idle_keepalive{60'000};   // pooled connections older than this are closed
  std::string ca_file;                                // empty: system default store
  bool honour_proxy_env = true;
};

class Client {
 public:
  Client(asio::io_context& io, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends the request and reads the whole response (any status).
  asio::awaitable<Result<Response>> send(Request req);
  // Sends the request and returns once the response headers are in (any status).
  asio::awaitable<Result<std::unique_ptr<StreamingResponse>>> open(Request req);

  // Closes every pooled connection (shutdown).
  void close_idle();
  // Closes the connections of exchanges in progress: their pending operations fail at once with
  // FailureKind::reset (shutdown, once the grace period is over).
  void abort_active();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sy::upstream
