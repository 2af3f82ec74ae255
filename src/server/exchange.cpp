#include "server/exchange.hpp"

#include <array>

#include <boost/asio/buffer.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_suffix.hpp>

#include "server/response_head.hpp"
#include "upstream/write_now.hpp"

namespace sy::server {

namespace {
// Writes to a client are bounded so a client that stops reading cannot pin a stream forever.
constexpr auto kWriteTimeout = std::chrono::seconds(60);
}

void Exchange::head_fields(HeaderList& out, std::string_view content_type) const {
  out.reserve(headers_.size() + 4);
  out.emplace_back("Server", "switchyard");
  out.emplace_back("Content-Type", std::string(content_type));
  out.emplace_back("x-request-id", request_id_);
  for (const auto& h : headers_) out.push_back(h);
}

template <class Buffers>
asio::awaitable<bool> Exchange::write_all(const Buffers& buffers) {
  boost::system::error_code ec;
  const size_t n = upstream::write_now(stream_.socket(), buffers, ec);
  if (ec) {
    client_gone_ = true;
    co_return false;
  }
  if (n == asio::buffer_size(buffers)) co_return true;
  beast::buffers_suffix<Buffers> rest(buffers);   // what did not fit: timed, asynchronous
  rest.consume(n);
  stream_.expires_after(kWriteTimeout);
  co_await asio::async_write(stream_, rest, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) client_gone_ = true;
  co_return !ec;
}

asio::awaitable<bool> Exchange::send(int status, std::string body, std::string_view content_type) {
  co_return co_await send_view(status, body, content_type);
}

asio::awaitable<bool> Exchange::send_view(int status, std::string_view body,
                                          std::string_view content_type) {
  status_ = status;
  HeaderList fields;
  head_fields(fields, content_type);
  std::string head;
  head.reserve(256);
  append_response_head(head, {status, req_.version(), keep_alive_, body.size()}, fields);
  const std::array<asio::const_buffer, 2> bufs{asio::buffer(head), asio::buffer(body)};
  co_return co_await write_all(bufs);
}

asio::awaitable<bool> Exchange::start_stream() {
  status_ = 200;
  streaming_ = true;
  HeaderList fields;
  head_fields(fields, "text/event-stream");
  fields.emplace(fields.begin() + 2, "Cache-Control", "no-cache");
  fields.emplace(fields.begin() + 3, "X-Accel-Buffering", "no");  // nginx-like proxies: don't buffer
  std::string head;
  append_response_head(head, {200, req_.version(), keep_alive_, std::nullopt}, fields);
  co_return co_await write_all(asio::buffer(head));
}

asio::awaitable<bool> Exchange::write_stream(std::string_view data) {
  if (client_gone_) co_return false;
  if (data.empty()) co_return true;  // an empty chunk would end the chunked body
  const std::string size_line = chunk_size_line(data.size());
  const std::array<asio::const_buffer, 3> bufs{asio::buffer(size_line), asio::buffer(data),
                                               asio::buffer("\r\n", 2)};
  co_return co_await write_all(bufs);
}

asio::awaitable<bool> Exchange::end_stream() {
  if (client_gone_) co_return false;
  co_return co_await write_all(asio::buffer("0\r\n\r\n", 5));
}

}  // namespace sy::server
