// Exchange: one HTTP request and the means to answer it, either with a whole response or as a
// server-sent-event stream (chunked transfer). Every answer carries x-request-id and whatever
// x-switchyard-* headers the handler added. Write failures (client gone) return false; they never
// throw.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "server/response_head.hpp"

namespace sy::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

class Exchange {
 public:
  Exchange(const http::request<http::string_body>& req, beast::tcp_stream& stream,
           std::string request_id, bool keep_alive)
      : req_(req), stream_(stream), request_id_(std::move(request_id)), keep_alive_(keep_alive) {}

  const http::request<http::string_body>& request() const { return req_; }
  const std::string& request_id() const { return request_id_; }
  bool keep_alive() const { return keep_alive_; }
  void set_keep_alive(bool v) { keep_alive_ = v; }
  void add_header(std::string name, std::string value) { headers_.emplace_back(std::move(name), std::move(value)); }
  int status() const { return status_; }
  bool client_gone() const { return client_gone_; }

  asio::awaitable<bool> send(int status, std::string body,
                             std::string_view content_type = "application/json");
  // As send(), for a body the caller keeps alive until the write completed (so it can still move
  // it into the request log afterwards instead of copying it first).
  asio::awaitable<bool> send_view(int status, std::string_view body,
                                  std::string_view content_type = "application/json");
  // Starts a 200 text/event-stream response (headers written now).
  asio::awaitable<bool> start_stream();
  asio::awaitable<bool> write_stream(std::string_view data);
  asio::awaitable<bool> end_stream();
  bool streaming() const { return streaming_; }

 private:
  // Server, Content-Type, x-request-id, then the handler's headers, in that order.
  void head_fields(HeaderList& out, std::string_view content_type) const;
  template <class Buffers>
  asio::awaitable<bool> write_all(const Buffers& buffers);

  const http::request<http::string_body>& req_;
  beast::tcp_stream& stream_;
  std::string request_id_;
  bool keep_alive_;
  HeaderList headers_;
  int status_ = 0;
  bool streaming_ = false;
  bool client_gone_ = false;
};

}  // namespace sy::server
