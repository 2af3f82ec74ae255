#include "upstream/connection.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace sy::upstream {

Connection::Connection(Plain&& tcp, std::string key)
    : stream(std::in_place_index<0>, std::move(tcp)), pool_key(std::move(key)) {}

Connection::Connection(Plain&& tcp, boost::asio::ssl::context& ctx, std::string key)
    : stream(std::in_place_index<1>, std::move(tcp), ctx), pool_key(std::move(key)) {}

boost::beast::tcp_stream& Connection::tcp() {
  return visit([](auto& s) -> boost::beast::tcp_stream& { return boost::beast::get_lowest_layer(s); });
}

bool Connection::idle_and_open() {
  auto& sock = tcp().socket();
  if (!sock.is_open() || buffer.size() != 0) return false;
  char byte;
  ssize_t n = ::recv(sock.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
  if (n == 0) return false;  // orderly close
  // Bytes nobody asked for: garbage on plain HTTP; over TLS possibly a post-handshake message
  // (TLS 1.3 session tickets) the TLS layer will consume, or a close_notify the retry covers.
  return tls() != nullptr;
}

void Connection::close() {
  boost::system::error_code ec;
  auto& sock = tcp().socket();
  sock.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  sock.close(ec);
}

}  // namespace sy::upstream
