#include "server/exchange.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/write.hpp>

namespace sy::server {

namespace {
// Writes to a client are bounded so a client that stops reading cannot pin a stream forever.
constexpr auto kWriteTimeout = std::chrono::seconds(60);
}

template <class Msg>
void Exchange::decorate(Msg& m) const {
  m.set(http::field::server, "switchyard");
  m.set("x-request-id", request_id_);
  for (const auto& [k, v] : headers_) m.set(k, v);
  m.keep_alive(keep_alive_);
}

asio::awaitable<bool> Exchange::send(int status, std::string body, std::string_view content_type) {
  status_ = status;
  http::response<http::string_body> res{static_cast<http::status>(status), req_.version()};
  res.set(http::field::content_type, content_type);
  decorate(res);
  res.body() = std::move(body);
  res.prepare_payload();
  boost::system::error_code ec;
  stream_.expires_after(kWriteTimeout);
  co_await http::async_write(stream_, res, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) client_gone_ = true;
  co_return !ec;
}

asio::awaitable<bool> Exchange::start_stream() {
  status_ = 200;
  streaming_ = true;
  http::response<http::empty_body> res{http::status::ok, req_.version()};
  res.set(http::field::content_type, "text/event-stream");
  res.set(http::field::cache_control, "no-cache");
  res.set("x-accel-buffering", "no");  // tell nginx-like proxies in front not to buffer
  decorate(res);
  res.chunked(true);
  http::response_serializer<http::empty_body> sr{res};
  boost::system::error_code ec;
  stream_.expires_after(kWriteTimeout);
  co_await http::async_write_header(stream_, sr, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) client_gone_ = true;
  co_return !ec;
}

asio::awaitable<bool> Exchange::write_stream(std::string_view data) {
  if (client_gone_) co_return false;
  if (data.empty()) co_return true;  // an empty chunk would end the chunked body
  boost::system::error_code ec;
  stream_.expires_after(kWriteTimeout);
  co_await asio::async_write(stream_, http::make_chunk(asio::const_buffer(data.data(), data.size())),
                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) client_gone_ = true;
  co_return !ec;
}

asio::awaitable<bool> Exchange::end_stream() {
  if (client_gone_) co_return false;
  boost::system::error_code ec;
  stream_.expires_after(kWriteTimeout);
  co_await asio::async_write(stream_, http::make_chunk_last(),
                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) client_gone_ = true;
  co_return !ec;
}

}  // namespace sy::server
