// In-process servers for the upstream tests: a plain Asio/Beast acceptor on 127.0.0.1 with an
// ephemeral port, running its own io_context on its own thread, that hands each accepted socket
// to a coroutine the test supplies. Plus the small helpers those coroutines and the tests share.
#pragma once

// GCC 12 with -fsanitize reports a false "maybe-uninitialized" inside Boost 1.74's request
// parser (boost::optional returned by value); it is not ours to fix. Include this header before
// any Beast header so the suppression covers them.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace sy::upstream::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

class TestServer {
 public:
  using Handler = std::function<asio::awaitable<void>(tcp::socket)>;

  explicit TestServer(Handler handler) : handler_(std::move(handler)), acceptor_(io_) {
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(tcp::acceptor::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestServer() {
    io_.stop();
    thread_.join();
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }
  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      tcp::socket s = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      ++connections_;
      // Exceptions from a handler (a client hanging up) end that connection only.
      asio::co_spawn(io_, handler_(std::move(s)), asio::detached);
    }
  }

  Handler handler_;   // outlives io_: coroutine frames refer to the handler object
  asio::io_context io_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<int> connections_{0};
  std::thread thread_;
};

using TestRequest = http::request<http::string_body>;

// Reads one request; nullopt when the client closed the connection (or sent garbage).
template <class Stream>
asio::awaitable<std::optional<TestRequest>> read_request(Stream& s, beast::flat_buffer& buf) {
  TestRequest req;
  boost::system::error_code ec;
  co_await http::async_read(s, buf, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return std::nullopt;
  co_return req;
}

template <class Stream>
asio::awaitable<void> write_raw(Stream& s, std::string data) {
  boost::system::error_code ec;
  co_await asio::async_write(s, asio::buffer(data), asio::redirect_error(asio::use_awaitable, ec));
}

inline asio::awaitable<void> sleep_for(std::chrono::milliseconds d) {
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  boost::system::error_code ec;
  co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

inline std::string chunk(std::string_view data) {
  char size[32];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return std::string(size) + std::string(data) + "\r\n";
}

// Serves requests on one connection with `respond` until the client leaves.
template <class Stream>
asio::awaitable<void> serve_http(Stream& s,
                                 std::function<http::response<http::string_body>(const TestRequest&)> respond) {
  beast::flat_buffer buf;
  for (;;) {
    auto req = co_await read_request(s, buf);
    if (!req) co_return;
    auto res = respond(*req);
    res.version(11);
    res.keep_alive(req->keep_alive());
    res.prepare_payload();
    boost::system::error_code ec;
    co_await http::async_write(s, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !res.keep_alive()) co_return;
  }
}

inline http::response<http::string_body> text_response(std::string body, unsigned status = 200) {
  http::response<http::string_body> res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, "text/plain");
  res.body() = std::move(body);
  return res;
}

template <class T>
asio::awaitable<void> store_result(asio::awaitable<T> aw, std::optional<T>& out) {
  out.emplace(co_await std::move(aw));
}

// Runs a client coroutine to completion on `io` (the calling thread) and returns its result.
template <class T>
T run_on(asio::io_context& io, asio::awaitable<T> aw) {
  std::optional<T> out;
  std::exception_ptr error;
  asio::co_spawn(io, store_result(std::move(aw), out), [&](std::exception_ptr e) { error = e; });
  io.restart();
  io.run();
  if (error) std::rethrow_exception(error);
  return std::move(*out);
}

// Sets an environment variable for a scope and restores the previous value.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) ::setenv(name, value, 1);
    else ::unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
    else ::unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

}  // namespace sy::upstream::testing
