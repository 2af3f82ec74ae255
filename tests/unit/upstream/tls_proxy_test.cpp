// HTTPS against an in-process TLS server whose certificates are minted at test time with the
// openssl CLI, and tunnelling through an in-process CONNECT proxy chosen by the environment.
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include <boost/asio/ssl.hpp>
#include <gtest/gtest.h>

#include "test_server.hpp"
#include "upstream/http_client.hpp"

namespace sy::upstream {
namespace {

using namespace testing;
namespace ssl = asio::ssl;

std::string run_openssl_script(const std::string& dir) {
  // EC keys: generating them is instant, unlike RSA.
  const std::string key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  std::string script = "set -e; cd '" + dir + "'; exec >openssl.log 2>&1;"
      "openssl req -x509 " + key + " -keyout ca.key -out ca.pem -days 2 -subj /CN=switchyard-test-ca"
      " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign;"
      "for n in good wrong; do"
      "  openssl req -new " + key + " -keyout $n.key -out $n.csr -subj /CN=$n;"
      "  printf 'basicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > $n.ext;"
      "done;"
      "echo 'subjectAltName=DNS:localhost,IP:127.0.0.1' >> good.ext;"
      "echo 'subjectAltName=DNS:wrong.example' >> wrong.ext;"
      "for n in good wrong; do"
      "  openssl x509 -req -in $n.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out $n.pem -days 2"
      "    -extfile $n.ext;"
      "done";
  int rc = std::system(script.c_str());
  return rc == 0 ? "" : "openssl failed, see " + dir + "/openssl.log";
}

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/sy-upstream-tls-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    error_ = run_openssl_script(dir_);
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    if (error_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  void SetUp() override { ASSERT_TRUE(error_.empty()) << error_; }

  static std::string path(const std::string& name) { return dir_ + "/" + name; }

  static std::unique_ptr<ssl::context> server_context(const std::string& name) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    ctx->use_certificate_chain_file(path(name + ".pem"));
    ctx->use_private_key_file(path(name + ".key"), ssl::context::pem);
    return ctx;
  }

  // Answers "secure <Host header>" over TLS.
  static TestServer::Handler tls_handler(ssl::context& ctx) {
    return [&ctx](tcp::socket s) -> asio::awaitable<void> {
      ssl::stream<tcp::socket> tls(std::move(s), ctx);
      boost::system::error_code ec;
      co_await tls.async_handshake(ssl::stream_base::server,
                                   asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      co_await serve_http(tls, [](const TestRequest& r) {
        return text_response("secure " + std::string(r[http::field::host]));
      });
    };
  }

  static ClientOptions with_ca() {
    ClientOptions o;
    o.honour_proxy_env = false;
    o.ca_file = path("ca.pem");
    return o;
  }

  static Request get(const std::string& url) {
    Request r;
    r.method = "GET";
    r.url = url;
    r.timeouts.connect = 2000ms;
    r.timeouts.first_byte = 2000ms;
    r.timeouts.idle = 2000ms;
    r.timeouts.total = 5000ms;
    return r;
  }

  static std::string https(const TestServer& s, const std::string& host = "127.0.0.1") {
    return "https://" + host + ":" + std::to_string(s.port()) + "/v1/models";
  }

  static inline std::string dir_;
  static inline std::string error_;
};

TEST_F(Tls, VerifiedWithCaFileAndReused) {
  auto sctx = server_context("good");
  TestServer server(tls_handler(*sctx));
  asio::io_context io;
  Client client(io, with_ca());
  for (int i = 0; i < 2; ++i) {
    auto r = run_on(io, client.send(get(https(server))));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "secure 127.0.0.1:" + std::to_string(server.port()));
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(Tls, VerifiedByDnsName) {
  auto sctx = server_context("good");
  TestServer server(tls_handler(*sctx));
  asio::io_context io;
  Client client(io, with_ca());
  auto r = run_on(io, client.send(get(https(server, "localhost"))));
  ASSERT_TRUE(r.ok()) << r.failure().message;
  EXPECT_EQ(r->body, "secure localhost:" + std::to_string(server.port()));
}

TEST_F(Tls, UnknownCaFailsToConnect) {
  auto sctx = server_context("good");
  TestServer server(tls_handler(*sctx));
  asio::io_context io;
  ClientOptions o = with_ca();
  o.ca_file.clear();  // the system store does not know our test CA
  Client client(io, o);
  auto r = run_on(io, client.send(get(https(server))));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::connect);
  EXPECT_NE(r.failure().message.find("verification failed"), std::string::npos) << r.failure().message;
}

TEST_F(Tls, IpMismatchFails) {
  auto sctx = server_context("wrong");
  TestServer server(tls_handler(*sctx));
  asio::io_context io;
  Client client(io, with_ca());
  auto r = run_on(io, client.send(get(https(server))));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::connect);
  EXPECT_NE(r.failure().message.find("mismatch"), std::string::npos) << r.failure().message;
}

TEST_F(Tls, HostnameMismatchFails) {
  auto sctx = server_context("wrong");
  TestServer server(tls_handler(*sctx));
  asio::io_context io;
  Client client(io, with_ca());
  auto r = run_on(io, client.send(get(https(server, "localhost"))));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::connect);
  EXPECT_NE(r.failure().message.find("hostname mismatch"), std::string::npos) << r.failure().message;
}

TEST_F(Tls, MissingCaFileFailsToConnect) {
  asio::io_context io;
  ClientOptions o = with_ca();
  o.ca_file = path("does-not-exist.pem");
  Client client(io, o);
  auto r = run_on(io, client.send(get("https://127.0.0.1:1/")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::connect);
  EXPECT_NE(r.failure().message.find("CA file"), std::string::npos) << r.failure().message;
}

// A CONNECT-only forward proxy: records what it was asked for and splices bytes both ways.
struct ProxyLog {
  std::mutex m;
  std::vector<std::string> targets;
  std::vector<std::string> auth;
};

asio::awaitable<void> splice(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
  std::array<char, 8192> data;
  boost::system::error_code ec;
  for (;;) {
    size_t n = co_await from->async_read_some(asio::buffer(data), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    co_await asio::async_write(*to, asio::buffer(data.data(), n), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
  }
  to->close(ec);
  from->close(ec);
}

TestServer::Handler connect_proxy(ProxyLog& log) {
  return [&log](tcp::socket s) -> asio::awaitable<void> {
    auto client_side = std::make_shared<tcp::socket>(std::move(s));
    beast::flat_buffer buf;
    http::request_parser<http::empty_body> p;
    boost::system::error_code ec;
    co_await http::async_read_header(*client_side, buf, p, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || p.get().method() != http::verb::connect) co_return;
    std::string target(p.get().target());
    {
      std::lock_guard lock(log.m);
      log.targets.push_back(target);
      log.auth.emplace_back(p.get()[http::field::proxy_authorization]);
    }
    auto colon = target.rfind(':');
    if (target.substr(0, colon) != "127.0.0.1") {  // never leave the machine
      co_await write_raw(*client_side, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
      co_return;
    }
    auto port = static_cast<uint16_t>(std::stoi(target.substr(colon + 1)));
    auto upstream_side = std::make_shared<tcp::socket>(client_side->get_executor());
    co_await upstream_side->async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                          asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      co_await write_raw(*client_side, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
      co_return;
    }
    co_await write_raw(*client_side, "HTTP/1.1 200 Connection established\r\n\r\n");
    asio::co_spawn(client_side->get_executor(), splice(upstream_side, client_side), asio::detached);
    co_await splice(client_side, upstream_side);
  };
}

// Clears every proxy variable for the test, then sets the ones given.
struct ProxyEnv {
  ScopedEnv a{"https_proxy", nullptr}, b{"HTTPS_PROXY", nullptr}, c{"http_proxy", nullptr},
      d{"HTTP_PROXY", nullptr}, e{"no_proxy", nullptr}, f{"NO_PROXY", nullptr};
};

TEST_F(Tls, HttpsThroughConnectProxyThenNoProxyBypass) {
  auto sctx = server_context("good");
  TestServer server(tls_handler(*sctx));
  ProxyLog log;
  TestServer proxy(connect_proxy(log));
  ProxyEnv clean;
  ClientOptions o = with_ca();
  o.honour_proxy_env = true;
  {
    std::string proxy_url = "http://user:pa%3Ass@127.0.0.1:" + std::to_string(proxy.port());
    ScopedEnv set("HTTPS_PROXY", proxy_url.c_str());
    asio::io_context io;
    Client client(io, o);
    auto r = run_on(io, client.send(get(https(server))));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    EXPECT_EQ(r->body, "secure 127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(proxy.connections(), 1);
    std::lock_guard lock(log.m);
    ASSERT_EQ(log.targets.size(), 1u);
    EXPECT_EQ(log.targets[0], "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(log.auth[0], "Basic dXNlcjpwYTpzcw==");  // base64("user:pa:ss")
  }
  {
    std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
    ScopedEnv set("HTTPS_PROXY", proxy_url.c_str());
    ScopedEnv bypass("NO_PROXY", "example.test,127.0.0.1");
    asio::io_context io;
    Client client(io, o);
    auto r = run_on(io, client.send(get(https(server))));
    ASSERT_TRUE(r.ok()) << r.failure().message;
    EXPECT_EQ(proxy.connections(), 1);  // went direct
    EXPECT_EQ(server.connections(), 2);
  }
}

// A plain-http target goes to the proxy as an absolute-form request, not through CONNECT (which
// many proxies allow to port 443 only). This fake proxy answers itself and records what it got.
TEST_F(Tls, PlainHttpGoesToTheProxyInAbsoluteForm) {
  std::mutex m;
  std::vector<std::string> lines, auths, hosts;
  TestServer proxy([&](tcp::socket s) -> asio::awaitable<void> {
    co_await serve_http(s, [&](const TestRequest& req) {
      std::lock_guard lock(m);
      lines.push_back(std::string(req.method_string()) + " " + std::string(req.target()));
      auths.emplace_back(req[http::field::proxy_authorization]);
      hosts.emplace_back(req[http::field::host]);
      return text_response("via proxy");
    });
  });
  ProxyEnv clean;
  std::string proxy_url = "http://u%40corp:s3cret@127.0.0.1:" + std::to_string(proxy.port());
  ScopedEnv set("http_proxy", proxy_url.c_str());
  asio::io_context io;
  Client client(io, ClientOptions{});
  for (int i = 0; i < 2; ++i) {
    Request r = get("http://vllm.internal.test:8000/v1/models?x=1");
    r.headers.emplace_back("Proxy-Authorization", "Basic bm90LXRoaXM=");   // the caller's: dropped
    auto res = run_on(io, client.send(std::move(r)));
    ASSERT_TRUE(res.ok()) << res.failure().message;
    EXPECT_EQ(res->body, "via proxy");
  }
  EXPECT_EQ(proxy.connections(), 1);   // kept alive and reused for the same target
  std::lock_guard lock(m);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "GET http://vllm.internal.test:8000/v1/models?x=1");
  EXPECT_EQ(hosts[0], "vllm.internal.test:8000");
  EXPECT_EQ(auths[0], "Basic dUBjb3JwOnMzY3JldA==");   // base64("u@corp:s3cret")
  EXPECT_EQ(auths[1], auths[0]);
}

TEST_F(Tls, ProxyRefusingConnectIsConnectFailure) {
  ProxyLog log;
  TestServer proxy(connect_proxy(log));
  ProxyEnv clean;
  std::string proxy_url = "http://127.0.0.1:" + std::to_string(proxy.port());
  ScopedEnv set("HTTPS_PROXY", proxy_url.c_str());
  asio::io_context io;
  ClientOptions o = with_ca();
  o.honour_proxy_env = true;
  Client client(io, o);
  // The proxy only tunnels to 127.0.0.1; this name is never resolved here, only by the proxy.
  auto r = run_on(io, client.send(get("https://upstream.invalid/")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::connect);
  EXPECT_NE(r.failure().message.find("403"), std::string::npos) << r.failure().message;
}

}  // namespace
}  // namespace sy::upstream
