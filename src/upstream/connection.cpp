#include "upstream/connection.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstddef>

namespace sy::upstream {

namespace {
// Beast reads max(512, spare capacity) bytes at a time. Starting at 512 split a typical answer
// (headers alone are ~1 KB from the big APIs) over two or three reads, each a recvmsg plus a
// trip through the reactor. The capacity stays with the pooled connection, so this is paid once.
constexpr std::size_t kInitialReadBuffer = 4096;
}  // namespace

Connection::Connection(Plain&& tcp, std::string key)
    : stream(std::in_place_index<0>, std::move(tcp)), pool_key(std::move(key)) {
  buffer.reserve(kInitialReadBuffer);
}

Connection::Connection(Plain&& tcp, boost::asio::ssl::context& ctx, std::string key)
    : stream(std::in_place_index<1>, std::move(tcp), ctx), pool_key(std::move(key)) {
  buffer.reserve(kInitialReadBuffer);
}

boost::beast::tcp_stream& Connection::tcp() {
  return visit([](auto& s) -> boost::beast::tcp_stream& { return boost::beast::get_lowest_layer(s); });
}

bool Connection::idle_and_open(std::chrono::steady_clock::time_point now) {
  auto& sock = tcp().socket();
  if (!sock.is_open() || buffer.size() != 0) return false;
  // Servers drop idle connections after seconds, not milliseconds; one that went back to the pool
  // a moment ago is spared the syscall. Should it have been closed all the same, the exchange
  // fails before any response byte and is retried on a new connection (reused is set). What the
  // probe also caught, unsolicited bytes from a broken server, then surfaces as a malformed answer.
  if (now - idle_since < kFreshIdle) return true;
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
