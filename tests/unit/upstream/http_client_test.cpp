// upstream::Client against in-process servers on 127.0.0.1: round trips, keep-alive, retry of
// dead pooled connections, streaming, every timeout and every failure kind.
#include "upstream/http_client.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "test_server.hpp"

namespace sy::upstream {
namespace {

using namespace testing;
using Clock = std::chrono::steady_clock;

ClientOptions direct() {
  ClientOptions o;
  o.honour_proxy_env = false;
  return o;
}

Request request(const std::string& url, std::string body = "", std::string method = "POST") {
  Request r;
  r.method = std::move(method);
  r.url = url;
  r.body = std::move(body);
  r.timeouts.connect = 300ms;
  r.timeouts.first_byte = 300ms;
  r.timeouts.idle = 300ms;
  r.timeouts.total = 3000ms;
  return r;
}

// A server answering every request with "ok" and keeping connections open.
TestServer::Handler ok_server() {
  return [](tcp::socket s) -> asio::awaitable<void> {
    co_await serve_http(s, [](const TestRequest&) { return text_response("ok"); });
  };
}

const std::string kStreamHead =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

TEST(HttpClient, PostRoundTripWithHeadersAndBody) {
  TestServer server([](tcp::socket s) -> asio::awaitable<void> {
    co_await serve_http(s, [](const TestRequest& r) {
      auto res = text_response(std::string(r.method_string()) + " " + std::string(r.target()) + "|" +
                               std::string(r["X-Test"]) + "|" + std::string(r[http::field::user_agent]) +
                               "|" + std::string(r[http::field::host]) + "|" +
                               std::string(r[http::field::content_length]) + "|" + r.body());
      res.set("X-Reply", "yes");
      return res;
    });
  });
  asio::io_context io;
  Client client(io, direct());
  Request req = request(server.url("/v1/echo?x=1"), "{\"a\":1}");
  req.headers = {{"X-Test", "abc"}, {"Content-Type", "application/json"}};
  auto r = run_on(io, client.send(req));
  ASSERT_TRUE(r.ok()) << r.failure().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "POST /v1/echo?x=1|abc|switchyard/0.1|127.0.0.1:" + std::to_string(server.port()) +
                         "|7|{\"a\":1}");
  EXPECT_EQ(r->header("x-reply"), "yes");
  EXPECT_EQ(r->header("CONTENT-TYPE"), "text/plain");
  EXPECT_FALSE(r->header("x-missing"));
}

TEST(HttpClient, CallerUserAgentKeptAndNonOkStatusReturned) {
  TestServer server([](tcp::socket s) -> asio::awaitable<void> {
    co_await serve_http(s, [](const TestRequest& r) {
      return text_response(std::string(r[http::field::user_agent]), 429);
    });
  });
  asio::io_context io;
  Client client(io, direct());
  Request req = request(server.url("/"), "", "GET");
  req.headers = {{"user-agent", "custom/1"}};
  auto r = run_on(io, client.send(req));
  ASSERT_TRUE(r.ok()) << r.failure().message;
  EXPECT_EQ(r->status, 429);
  EXPECT_EQ(r->body, "custom/1");
}

TEST(HttpClient, KeepAliveReusesOneConnection) {
  TestServer server(ok_server());
  asio::io_context io;
  Client client(io, direct());
  for (int i = 0; i < 3; ++i) {
    auto r = run_on(io, client.send(request(server.url("/"), "x")));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    EXPECT_EQ(r->body, "ok");
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, ZeroIdlePerHostDisablesReuse) {
  TestServer server(ok_server());
  asio::io_context io;
  ClientOptions o = direct();
  o.max_idle_per_host = 0;
  Client client(io, o);
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(run_on(io, client.send(request(server.url("/")))).ok());
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClient, IdleKeepaliveExpiresPooledConnections) {
  TestServer server(ok_server());
  asio::io_context io;
  ClientOptions o = direct();
  o.idle_keepalive = 50ms;
  Client client(io, o);
  ASSERT_TRUE(run_on(io, client.send(request(server.url("/")))).ok());
  std::this_thread::sleep_for(120ms);
  ASSERT_TRUE(run_on(io, client.send(request(server.url("/")))).ok());
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClient, CloseIdleDropsPool) {
  TestServer server(ok_server());
  asio::io_context io;
  Client client(io, direct());
  ASSERT_TRUE(run_on(io, client.send(request(server.url("/")))).ok());
  client.close_idle();
  ASSERT_TRUE(run_on(io, client.send(request(server.url("/")))).ok());
  EXPECT_EQ(server.connections(), 2);
}

// The server answers the first request, then reads the second one on the same connection and
// hangs up without answering: the client must resend it once on a fresh connection.
TEST(HttpClient, DeadPooledConnectionIsRetriedOnce) {
  std::atomic<int> seen{0};
  TestServer server([&seen](tcp::socket s) -> asio::awaitable<void> {
    if (seen++ == 0) {
      beast::flat_buffer buf;
      auto first = co_await read_request(s, buf);
      if (!first) co_return;
      auto res = text_response("first");
      res.keep_alive(true);
      res.prepare_payload();
      boost::system::error_code ec;
      co_await http::async_write(s, res, asio::redirect_error(asio::use_awaitable, ec));
      co_await read_request(s, buf);
      s.close();  // drops the second request unanswered
      co_return;
    }
    co_await serve_http(s, [](const TestRequest&) { return text_response("second"); });
  });
  asio::io_context io;
  Client client(io, direct());
  auto a = run_on(io, client.send(request(server.url("/"))));
  ASSERT_TRUE(a.ok()) << a.failure().message;
  EXPECT_EQ(a->body, "first");
  auto b = run_on(io, client.send(request(server.url("/"))));
  ASSERT_TRUE(b.ok()) << b.failure().message;
  EXPECT_EQ(b->body, "second");
  EXPECT_EQ(server.connections(), 2);
}

// The server closes each connection right after answering (while announcing keep-alive).
TEST(HttpClient, ServerClosingIdleConnectionIsTransparent) {
  TestServer server([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    auto req = co_await read_request(s, buf);
    if (!req) co_return;
    co_await write_raw(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok");
    s.close();
  });
  asio::io_context io;
  Client client(io, direct());
  for (int i = 0; i < 3; ++i) {
    auto r = run_on(io, client.send(request(server.url("/"))));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    EXPECT_EQ(r->body, "ok");
  }
  EXPECT_EQ(server.connections(), 3);
}

// A fresh connection that dies after the request was sent is not retried: the request might
// have been acted on.
TEST(HttpClient, FreshConnectionClosedBeforeResponseIsResetWithoutRetry) {
  TestServer server([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    co_await read_request(s, buf);
    s.close();
  });
  asio::io_context io;
  Client client(io, direct());
  auto r = run_on(io, client.send(request(server.url("/"))));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::reset) << r.failure().message;
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, ChunkedStreamReadInPiecesThenConnectionReused) {
  TestServer server([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    auto req = co_await read_request(s, buf);
    if (!req) co_return;
    co_await write_raw(s, kStreamHead + chunk("data: one\n\n"));
    co_await sleep_for(60ms);
    co_await write_raw(s, chunk("data: two\n\n"));
    co_await sleep_for(60ms);
    co_await write_raw(s, chunk("data: three\n\n") + "0\r\n\r\n");
    co_await serve_http(s, [](const TestRequest&) { return text_response("after"); });
  });
  asio::io_context io;
  Client client(io, direct());
  auto opened = run_on(io, client.open(request(server.url("/stream"))));
  ASSERT_TRUE(opened.ok()) << opened.failure().message;
  auto& stream = *opened.value();
  EXPECT_EQ(stream.status(), 200);
  EXPECT_EQ(stream.header("content-type"), "text/event-stream");
  std::vector<std::string> pieces;
  for (;;) {
    auto piece = run_on(io, stream.read_some());
    ASSERT_TRUE(piece.ok()) << piece.failure().message;
    if (!piece.value()) break;
    pieces.push_back(*piece.value());
  }
  std::string all;
  for (auto& p : pieces) all += p;
  EXPECT_EQ(all, "data: one\n\ndata: two\n\ndata: three\n\n");
  EXPECT_GE(pieces.size(), 3u);
  EXPECT_EQ(pieces.front(), "data: one\n\n");
  // Reading past the end stays at the end.
  auto again = run_on(io, stream.read_some());
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.value());
  opened.value().reset();
  auto r = run_on(io, client.send(request(server.url("/"))));
  ASSERT_TRUE(r.ok()) << r.failure().message;
  EXPECT_EQ(r->body, "after");
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, AbandonedStreamClosesItsConnection) {
  std::atomic<bool> saw_close{false};
  std::atomic<int> seen{0};
  TestServer server([&](tcp::socket s) -> asio::awaitable<void> {
    if (seen++ > 0) {
      co_await serve_http(s, [](const TestRequest&) { return text_response("fresh"); });
      co_return;
    }
    beast::flat_buffer buf;
    auto req = co_await read_request(s, buf);
    if (!req) co_return;
    co_await write_raw(s, kStreamHead + chunk("data: one\n\n"));
    char byte;
    boost::system::error_code ec;
    co_await s.async_read_some(asio::buffer(&byte, 1), asio::redirect_error(asio::use_awaitable, ec));
    saw_close = ec == asio::error::eof || ec == asio::error::connection_reset;
  });
  asio::io_context io;
  Client client(io, direct());
  {
    auto opened = run_on(io, client.open(request(server.url("/stream"))));
    ASSERT_TRUE(opened.ok()) << opened.failure().message;
    auto piece = run_on(io, opened.value()->read_some());
    ASSERT_TRUE(piece.ok() && piece.value());
  }
  auto r = run_on(io, client.send(request(server.url("/"))));
  ASSERT_TRUE(r.ok()) << r.failure().message;
  EXPECT_EQ(r->body, "fresh");
  EXPECT_EQ(server.connections(), 2);
  for (int i = 0; i < 100 && !saw_close; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_TRUE(saw_close);
}

TEST(HttpClient, NoBodyResponsesCompleteAndReuse) {
  TestServer server([](tcp::socket s) -> asio::awaitable<void> {
    co_await serve_http(s, [](const TestRequest& r) {
      auto res = text_response("");
      if (r.method() == http::verb::delete_) res.result(http::status::no_content);
      return res;
    });
  });
  asio::io_context io;
  Client client(io, direct());
  auto a = run_on(io, client.send(request(server.url("/"), "", "DELETE")));
  ASSERT_TRUE(a.ok()) << a.failure().message;
  EXPECT_EQ(a->status, 204);
  auto b = run_on(io, client.send(request(server.url("/"), "", "HEAD")));
  ASSERT_TRUE(b.ok()) << b.failure().message;
  EXPECT_EQ(b->status, 200);
  EXPECT_EQ(b->body, "");
  EXPECT_EQ(server.connections(), 1);
}

// Linux drops SYNs to a listener whose accept queue is full, so a connect to it hangs: a
// deterministic connect timeout without leaving the machine.
TEST(HttpClient, ConnectTimeout) {
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(lfd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(lfd, 0), 0);
  socklen_t len = sizeof addr;
  ::getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::vector<int> fillers;
  bool hung = false;
  for (int i = 0; i < 8 && !hung; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    fillers.push_back(fd);
    ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    pollfd p{fd, POLLOUT, 0};
    hung = ::poll(&p, 1, 100) == 0;
  }
  auto cleanup = [&] {
    for (int fd : fillers) ::close(fd);
    ::close(lfd);
  };
  if (!hung) {
    cleanup();
    GTEST_SKIP() << "this kernel completes connects beyond the listen backlog";
  }
  asio::io_context io;
  Client client(io, direct());
  Request req = request("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/");
  req.timeouts.connect = 200ms;
  auto start = Clock::now();
  auto r = run_on(io, client.send(req));
  auto took = Clock::now() - start;
  cleanup();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::timeout);
  EXPECT_EQ(r.failure().message, "upstream connect timeout after 200 ms");
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 2000ms);
}

TEST(HttpClient, FirstByteTimeout) {
  TestServer server([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    co_await read_request(s, buf);
    co_await read_request(s, buf);  // never answers; returns when the client gives up
  });
  asio::io_context io;
  Client client(io, direct());
  Request req = request(server.url("/"));
  req.timeouts.first_byte = 200ms;
  auto start = Clock::now();
  auto r = run_on(io, client.send(req));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::timeout);
  EXPECT_EQ(r.failure().message, "upstream first-byte timeout after 200 ms");
  EXPECT_GE(Clock::now() - start, 190ms);
}

TEST(HttpClient, IdleTimeoutBetweenChunks) {
  TestServer server([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    co_await read_request(s, buf);
    co_await write_raw(s, kStreamHead + chunk("data: one\n\n"));
    co_await read_request(s, buf);  // stalls
  });
  asio::io_context io;
  Client client(io, direct());
  Request req = request(server.url("/"));
  req.timeouts.idle = 200ms;
  auto opened = run_on(io, client.open(req));
  ASSERT_TRUE(opened.ok()) << opened.failure().message;
  auto first = run_on(io, opened.value()->read_some());
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.value(), "data: one\n\n");
  auto second = run_on(io, opened.value()->read_some());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.failure().kind, FailureKind::timeout);
  EXPECT_EQ(second.failure().message, "upstream idle timeout after 200 ms");
  // A failed stream stays failed.
  auto third = run_on(io, opened.value()->read_some());
  EXPECT_FALSE(third.ok());
}

TEST(HttpClient, TotalTimeoutOnTricklingStream) {
  TestServer server([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    co_await read_request(s, buf);
    co_await write_raw(s, kStreamHead);
    for (int i = 0; i < 100 && s.is_open(); ++i) {
      boost::system::error_code ec;
      std::string c = chunk("tick\n");
      co_await asio::async_write(s, asio::buffer(c), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      co_await sleep_for(30ms);
    }
  });
  asio::io_context io;
  Client client(io, direct());
  Request req = request(server.url("/"));
  // Each gap (30 ms) is well inside the idle timeout; only the total can end this.
  req.timeouts.idle = 200ms;
  req.timeouts.total = 400ms;
  auto start = Clock::now();
  auto r = run_on(io, client.send(req));
  auto took = Clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::timeout);
  EXPECT_EQ(r.failure().message, "upstream total timeout after 400 ms");
  EXPECT_GE(took, 390ms);
  EXPECT_LT(took, 2000ms);
}

TEST(HttpClient, ConnectionClosedMidChunkedStreamIsReset) {
  TestServer server([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    co_await read_request(s, buf);
    co_await write_raw(s, kStreamHead + chunk("data: one\n\n"));
    co_await sleep_for(30ms);
    s.close();
  });
  asio::io_context io;
  Client client(io, direct());
  auto opened = run_on(io, client.open(request(server.url("/"))));
  ASSERT_TRUE(opened.ok()) << opened.failure().message;
  auto first = run_on(io, opened.value()->read_some());
  ASSERT_TRUE(first.ok());
  auto second = run_on(io, opened.value()->read_some());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.failure().kind, FailureKind::reset) << second.failure().message;
}

TEST(HttpClient, ConnectionResetMidBodyIsReset) {
  TestServer server([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    co_await read_request(s, buf);
    co_await write_raw(s, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b");
    co_await sleep_for(30ms);
    s.set_option(asio::socket_base::linger(true, 0));  // RST instead of FIN
    s.close();
  });
  asio::io_context io;
  Client client(io, direct());
  auto r = run_on(io, client.send(request(server.url("/"))));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::reset) << r.failure().message;
}

TEST(HttpClient, GarbageResponseIsMalformed) {
  TestServer server([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    co_await read_request(s, buf);
    co_await write_raw(s, "this is not http at all\r\n\r\n");
    co_await read_request(s, buf);
  });
  asio::io_context io;
  Client client(io, direct());
  auto r = run_on(io, client.send(request(server.url("/"))));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::malformed) << r.failure().message;
}

TEST(HttpClient, BadChunkSizeIsMalformed) {
  TestServer server([](tcp::socket s) -> asio::awaitable<void> {
    beast::flat_buffer buf;
    co_await read_request(s, buf);
    co_await write_raw(s, kStreamHead + "zz\r\nnope\r\n");
    co_await read_request(s, buf);
  });
  asio::io_context io;
  Client client(io, direct());
  auto r = run_on(io, client.send(request(server.url("/"))));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::malformed) << r.failure().message;
}

TEST(HttpClient, ConnectionRefusedIsConnect) {
  uint16_t port;
  {
    asio::io_context tmp;
    tcp::acceptor a(tmp, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    port = a.local_endpoint().port();
  }
  asio::io_context io;
  Client client(io, direct());
  auto r = run_on(io, client.send(request("http://127.0.0.1:" + std::to_string(port) + "/")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::connect) << r.failure().message;
}

TEST(HttpClient, BadRequestsRejectedBeforeSending) {
  asio::io_context io;
  Client client(io, direct());
  auto a = run_on(io, client.send(request("ftp://127.0.0.1/")));
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.failure().kind, FailureKind::invalid_request);
  Request req = request("http://127.0.0.1:1/");
  req.headers = {{"X-Evil", "a\r\nInjected: 1"}};
  auto b = run_on(io, client.send(req));
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.failure().kind, FailureKind::invalid_request);
}

}  // namespace
}  // namespace sy::upstream
