// One non-blocking write attempt on a plain TCP socket, before any asynchronous write.
//
// A request head + body, an answer or a batch of SSE frames almost always fits the kernel's send
// buffer. Writing it at once skips what a timed asynchronous write costs even when no waiting is
// needed: arming and cancelling a timer and two trips through the scheduler (4–5 µs a request in
// bench/overhead). The caller sends whatever did not fit with its usual timed async_write.
#pragma once

#include <cstddef>

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace sy::upstream {

// Returns how many bytes went out now. `ec` is set only for a real failure (peer gone, ...),
// never for "would block".
template <class Buffers>
std::size_t write_now(boost::asio::ip::tcp::socket& sock, const Buffers& buffers,
                      boost::system::error_code& ec) {
  ec = {};
  // Asio issues the ioctl on every non_blocking(true) call; the flag it keeps is enough to skip it.
  if (!sock.non_blocking()) {
    sock.non_blocking(true, ec);
    if (ec) return 0;
  }
  const std::size_t n = sock.write_some(buffers, ec);
  if (ec == boost::asio::error::would_block || ec == boost::asio::error::try_again) {
    ec = {};
    return 0;
  }
  return ec ? 0 : n;
}

}  // namespace sy::upstream
