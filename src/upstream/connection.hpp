// One upstream connection: a plain TCP stream or TLS over one, plus its read buffer (which can
// hold bytes read past the last message) and the bookkeeping the pool needs.
#pragma once

#include <chrono>
#include <string>
#include <variant>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "upstream/tls.hpp"

namespace sy::upstream {

struct Connection {
  using Plain = boost::beast::tcp_stream;

  Connection(Plain&& tcp, std::string key);                                     // plain
  Connection(Plain&& tcp, boost::asio::ssl::context& ctx, std::string key);    // TLS (not yet handshaken)

  // Calls f(stream) with the concrete stream type; all I/O goes through here.
  template <class F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), stream);
  }
  boost::beast::tcp_stream& tcp();
  TlsStream* tls() { return std::get_if<TlsStream>(&stream); }

  // For an idle pooled connection: false if the peer closed it or (plain HTTP) sent something
  // unsolicited; either way it cannot carry another exchange. Never blocks. A connection idle for
  // less than kFreshIdle is not probed (see the .cpp).
  static constexpr std::chrono::milliseconds kFreshIdle{100};
  bool idle_and_open(std::chrono::steady_clock::time_point now);
  // Closes the socket without a TLS close_notify (nobody waits for one on a pooled upstream).
  void close();

  std::variant<Plain, TlsStream> stream;
  boost::beast::flat_buffer buffer;
  std::string pool_key;
  std::chrono::steady_clock::time_point idle_since{};
  bool reused = false;   // came from the pool (so a dead-on-arrival failure may be retried)
};

}  // namespace sy::upstream
