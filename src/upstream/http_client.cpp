#include "upstream/http_client.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <limits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http.hpp>

#include "upstream/connection_pool.hpp"
#include "upstream/proxy.hpp"
#include "upstream/request_head.hpp"
#include "upstream/tls.hpp"
#include "upstream/url.hpp"
#include "upstream/write_now.hpp"

namespace sy::upstream {
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using error_code = boost::system::error_code;
using Parser = http::response_parser<http::buffer_body>;

namespace {

constexpr auto kToken = asio::use_awaitable;
constexpr uint32_t kHeaderLimit = 64 * 1024;
constexpr size_t kReadChunk = 4 * 1024;
constexpr std::uint64_t kMaxUpfront = 1u << 20;   // read_to_end's largest single allocation step

// The deadline of one phase: its own timeout or what is left of the total, whichever is shorter,
// remembering which one it was so a timeout can be named.
struct Limit {
  Clock::duration budget;
  const char* name;
  std::chrono::milliseconds configured;
  Clock::time_point deadline;
};

struct Budget {
  explicit Budget(const Timeouts& t) : timeouts(t), total_deadline(Clock::now() + t.total) {}

  Limit limit(const char* phase, std::chrono::milliseconds phase_timeout) const {
    auto now = Clock::now();
    Clock::duration remaining = std::max(Clock::duration::zero(), total_deadline - now);
    if (remaining <= phase_timeout) return {remaining, "total", timeouts.total, total_deadline};
    return {phase_timeout, phase, phase_timeout, now + phase_timeout};
  }

  Timeouts timeouts;
  Clock::time_point total_deadline;
};

Failure timeout_failure(const Limit& l) {
  return make_failure(FailureKind::timeout, std::string("upstream ") + l.name + " timeout after " +
                                                std::to_string(l.configured.count()) + " ms");
}

bool timed_out(const error_code& ec, const Limit& l) {
  // Over TLS the timeout may surface as whatever the TLS layer made of the closed socket.
  return ec == beast::error::timeout || (ec && Clock::now() >= l.deadline);
}

bool is_http_error(const error_code& ec) {
  return &ec.category() == &http::make_error_code(http::error::bad_version).category();
}

// The peer went away (as opposed to sending something we could not parse).
bool is_closed(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
         ec == asio::error::not_connected || ec == ssl::error::stream_truncated;
}

std::string pool_key(const Url& u) { return u.scheme + "://" + u.authority(); }

Headers copy_headers(const Parser& p) {
  Headers h;
  for (const auto& f : p.get()) h.emplace_back(std::string(f.name_string()), std::string(f.value()));
  return h;
}

std::optional<std::string> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (beast::iequals(k, name)) return v;
  return std::nullopt;
}

class StreamingResponseImpl final : public StreamingResponse {
 public:
  StreamingResponseImpl(std::unique_ptr<Connection> conn, std::unique_ptr<Parser> parser,
                        Budget budget, std::weak_ptr<ConnectionPool> pool)
      : conn_(std::move(conn)),
        parser_(std::move(parser)),
        budget_(budget),
        pool_(std::move(pool)),
        status_(static_cast<int>(parser_->get().result_int())),
        headers_(copy_headers(*parser_)) {
    if (auto p = pool_.lock()) p->track_busy(conn_.get());
    if (parser_->is_done()) {  // no body at all (HEAD, 204, 304, Content-Length: 0)
      done_ = true;
      release();
    }
  }

  ~StreamingResponseImpl() override { untrack(); }

  int status() const override { return status_; }
  const Headers& headers() const override { return headers_; }

  asio::awaitable<Result<std::optional<std::string>>> read_some() override {
    if (failure_) co_return *failure_;
    // Allocated on first use, not zero-filled, and small: a long-lived stream holds it for its
    // whole life (thousands of open streams), and each piece is copied out anyway.
    if (!buf_ && !done_) buf_ = std::make_unique_for_overwrite<char[]>(kReadChunk);
    while (!done_) {
      auto n = co_await read_into(buf_.get(), kReadChunk);
      if (!n.ok()) co_return n.failure();
      if (n.value() > 0) {
        std::optional<std::string> piece(std::in_place, buf_.get(), n.value());
        if (done_) buf_.reset();
        co_return piece;
      }
    }
    buf_.reset();
    co_return std::optional<std::string>{};
  }

  asio::awaitable<Result<bool>> read_to_end(std::string& out) override {
    if (failure_) co_return *failure_;
    while (!done_) {
      // Exactly what Content-Length says is left (resize zero-fills: no 4 KiB memset per small
      // answer), else a chunk or whatever capacity is spare.
      const size_t old = out.size();
      const auto left = parser_->content_length_remaining();
      // Capped so a lying Content-Length cannot make us allocate it up front.
      const size_t room = left && *left > 0 ? static_cast<size_t>(std::min<std::uint64_t>(*left, kMaxUpfront))
                                            : std::max(kReadChunk, out.capacity() - old);
      out.resize(old + room);
      auto n = co_await read_into(out.data() + old, room);
      out.resize(old + (n.ok() ? n.value() : 0));
      if (!n.ok()) co_return n.failure();
    }
    co_return true;
  }

 private:
  // One read of body bytes into [dst, dst+cap); 0 bytes is not the end (see done_).
  asio::awaitable<Result<size_t>> read_into(char* dst, size_t cap) {
    Limit lim = budget_.limit("idle", budget_.timeouts.idle);
    if (lim.budget <= Clock::duration::zero()) co_return fail(timeout_failure(lim));
    auto& body = parser_->get().body();
    body.data = dst;
    body.size = cap;
    error_code ec;
    if (conn_->buffer.size() > 0) {
      // Body bytes that came with the headers (a small answer, all of it): parse them here, no
      // asynchronous operation that would need no I/O.
      const size_t used = parser_->put(conn_->buffer.data(), ec);
      conn_->buffer.consume(used);
      if (ec == http::error::need_more || ec == http::error::need_buffer) ec = {};
      if (ec)
        co_return fail(make_failure(FailureKind::malformed,
                                    "upstream sent a malformed response body: " + ec.message()));
      const size_t n = cap - body.size;
      if (parser_->is_done()) {
        done_ = true;
        release();
      }
      if (n > 0 || done_) co_return n;
    }
    conn_->tcp().expires_after(lim.budget);
    co_await conn_->visit([&](auto& s) {
      return http::async_read_some(s, conn_->buffer, *parser_, asio::redirect_error(kToken, ec));
    });
    if (ec == http::error::need_buffer) ec = {};
    const size_t n = cap - body.size;
    if (ec) {
      if (timed_out(ec, lim)) co_return fail(timeout_failure(lim));
      if (is_http_error(ec) && !is_closed(ec))
        co_return fail(make_failure(FailureKind::malformed,
                                    "upstream sent a malformed response body: " + ec.message()));
      co_return fail(make_failure(FailureKind::reset,
                                  "upstream connection broke mid-body: " + ec.message()));
    }
    if (parser_->is_done()) {
      done_ = true;
      release();
    }
    co_return n;
  }

  Failure fail(Failure f) {
    failure_ = f;
    untrack();
    conn_.reset();  // closes the socket: the exchange is in an unknown state
    return f;
  }

  void untrack() {
    if (!conn_) return;
    if (auto pool = pool_.lock()) pool->untrack_busy(conn_.get());
  }

  void release() {
    untrack();
    auto pool = pool_.lock();
    if (pool && parser_->keep_alive() && conn_->buffer.size() == 0) {
      conn_->tcp().expires_never();
      pool->put(std::move(conn_));
    } else {
      conn_->close();
      conn_.reset();
    }
  }

  std::unique_ptr<Connection> conn_;
  std::unique_ptr<Parser> parser_;
  Budget budget_;
  std::weak_ptr<ConnectionPool> pool_;
  int status_;
  Headers headers_;
  bool done_ = false;
  std::optional<Failure> failure_;
  std::unique_ptr<char[]> buf_;
};

}  // namespace

std::optional<std::string> Response::header(std::string_view name) const {
  return find_header(headers, name);
}

std::optional<std::string> StreamingResponse::header(std::string_view name) const {
  return find_header(headers(), name);
}

struct Client::Impl {
  Impl(asio::io_context& io_ctx, ClientOptions opts)
      : io(io_ctx),
        options(std::move(opts)),
        pool(std::make_shared<ConnectionPool>(options.max_idle_per_host, options.idle_keepalive)) {
    if (options.honour_proxy_env) proxies = proxy_settings_from_env();
  }

  // `proxy`: the forward proxy for `url` (proxy_for), or null for a direct connection.
  asio::awaitable<Result<std::unique_ptr<Connection>>> connect(const Url& url, const Url* proxy,
                                                               const Budget& budget);
  asio::awaitable<Result<std::unique_ptr<StreamingResponse>>> open(Request req);
  asio::awaitable<Result<Response>> send(Request req);

  // Built on first https use so a bad CA file fails requests, not construction.
  ssl::context* tls_context(std::string& error) {
    if (!tls_ctx && tls_error.empty()) tls_ctx = make_client_tls_context(options.ca_file, tls_error);
    error = tls_error;
    return tls_ctx.get();
  }

  asio::io_context& io;
  ClientOptions options;
  std::shared_ptr<ConnectionPool> pool;
  ProxySettings proxies;
  std::shared_ptr<ssl::context> tls_ctx;
  std::string tls_error;
};

asio::awaitable<Result<std::unique_ptr<Connection>>> Client::Impl::connect(const Url& url,
                                                                           const Url* proxy,
                                                                           const Budget& budget) {
  Limit lim = budget.limit("connect", budget.timeouts.connect);
  if (lim.budget <= Clock::duration::zero()) co_return timeout_failure(lim);

  std::string err;
  ssl::context* ctx = nullptr;
  if (url.tls()) {  // a bad CA file is reported as such, whatever the network does
    ctx = tls_context(err);
    if (!ctx) co_return make_failure(FailureKind::connect, err);
  }

  if (proxy && proxy->tls())
    co_return make_failure(FailureKind::connect, "https:// proxies are not supported");
  const Url& hop = proxy ? *proxy : url;
  const std::string where = proxy ? "proxy " + hop.authority() : hop.authority();

  // The resolver has no deadline of its own: a timer cancels it.
  auto resolver = std::make_shared<tcp::resolver>(io);
  asio::steady_timer resolve_timer(io);
  resolve_timer.expires_at(lim.deadline);
  resolve_timer.async_wait([resolver](error_code ec) {
    if (!ec) resolver->cancel();
  });
  error_code ec;
  auto endpoints = co_await resolver->async_resolve(hop.host, std::to_string(hop.port),
                                                    asio::redirect_error(kToken, ec));
  resolve_timer.cancel();
  if (ec) {
    if (Clock::now() >= lim.deadline) co_return timeout_failure(lim);
    co_return make_failure(FailureKind::connect, "cannot resolve " + hop.host + ": " + ec.message());
  }

  beast::tcp_stream tcp_conn(io);
  tcp_conn.expires_at(lim.deadline);
  co_await tcp_conn.async_connect(endpoints, asio::redirect_error(kToken, ec));
  if (ec) {
    if (timed_out(ec, lim)) co_return timeout_failure(lim);
    co_return make_failure(FailureKind::connect, "cannot connect to " + where + ": " + ec.message());
  }
  tcp_conn.socket().set_option(tcp::no_delay(true), ec);

  if (proxy && url.tls()) {   // plain http goes to the proxy in absolute form (request_head)
    TunnelResult t = co_await open_tunnel(tcp_conn, *proxy, url);
    if (!t.ok()) {
      if (timed_out(t.ec, lim)) co_return timeout_failure(lim);
      co_return make_failure(FailureKind::connect, t.message);
    }
  }

  if (!url.tls()) co_return std::make_unique<Connection>(std::move(tcp_conn), pool_key(url));

  auto conn = std::make_unique<Connection>(std::move(tcp_conn), *ctx, pool_key(url));
  if (err = prepare_client_tls(*conn->tls(), url.host); !err.empty())
    co_return make_failure(FailureKind::connect, err);
  co_await conn->tls()->async_handshake(ssl::stream_base::client, asio::redirect_error(kToken, ec));
  if (ec) {
    if (timed_out(ec, lim)) co_return timeout_failure(lim);
    co_return make_failure(FailureKind::connect,
                           describe_tls_failure(*conn->tls(), ec) + " (" + url.authority() + ")");
  }
  co_return conn;
}

asio::awaitable<Result<std::unique_ptr<StreamingResponse>>> Client::Impl::open(Request req) {
  Budget budget(req.timeouts);
  std::string err;
  auto url = parse_url(req.url, &err);
  if (!url) co_return make_failure(FailureKind::invalid_request, "bad upstream URL: " + err);

  const Url* proxy = options.honour_proxy_env ? proxy_for(proxies, *url) : nullptr;
  // Plain http through a proxy: the proxy gets the absolute-form request (proxy.hpp); https is
  // tunnelled (connect()).
  const bool forward_proxy = proxy && !url->tls();
  const ForwardProxy forward{forward_proxy ? proxy_authorization(*proxy) : std::string()};
  RequestHead head = build_request_head(req, *url, forward_proxy ? &forward : nullptr);
  if (!head.error.empty()) co_return make_failure(FailureKind::invalid_request, head.error);
  const std::array<asio::const_buffer, 2> wire{asio::buffer(head.text), asio::buffer(req.body)};

  const std::string key = pool_key(*url);
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<Connection> conn = attempt == 0 ? pool->take(key) : nullptr;
    if (!conn) {
      auto c = co_await connect(*url, proxy, budget);
      if (!c) co_return c.failure();
      conn = std::move(c.value());
    }
    // Registered while this exchange uses it, so shutdown can cut a request waiting here.
    struct Busy {
      ConnectionPool& pool;
      Connection* c;
      ~Busy() { pool.untrack_busy(c); }
    } busy{*pool, conn.get()};
    pool->track_busy(conn.get());
    // A pooled connection the server had already given up on fails before any response byte;
    // only then is it safe to send the request again.
    const bool may_retry = conn->reused && attempt == 0;

    Limit lim = budget.limit("first-byte", budget.timeouts.first_byte);
    if (lim.budget <= Clock::duration::zero()) co_return timeout_failure(lim);
    error_code ec;
    // Plain HTTP: write what fits now (write_now.hpp); TLS and the rest go asynchronously.
    const size_t sent = conn->tls() ? 0 : write_now(conn->tcp().socket(), wire, ec);
    if (!ec && sent < asio::buffer_size(wire)) {
      beast::buffers_suffix<std::array<asio::const_buffer, 2>> rest(wire);
      rest.consume(sent);
      conn->tcp().expires_after(lim.budget);
      co_await conn->visit([&](auto& s) {
        return asio::async_write(s, rest, asio::redirect_error(kToken, ec));
      });
    }
    if (ec) {
      if (timed_out(ec, lim)) co_return timeout_failure(lim);
      if (may_retry) continue;
      co_return make_failure(FailureKind::reset,
                             "upstream connection failed while sending the request: " + ec.message());
    }

    lim = budget.limit("first-byte", budget.timeouts.first_byte);
    if (lim.budget <= Clock::duration::zero()) co_return timeout_failure(lim);
    conn->tcp().expires_after(lim.budget);
    auto parser = std::make_unique<Parser>();
    for (;;) {
      parser->header_limit(kHeaderLimit);
      // Boost 1.74 compares Content-Length against an unset limit as if it were 0: use a number.
      parser->body_limit(std::numeric_limits<std::uint64_t>::max());
      if (head.head) parser->skip(true);
      co_await conn->visit([&](auto& s) {
        return http::async_read_header(s, conn->buffer, *parser, asio::redirect_error(kToken, ec));
      });
      // Interim 1xx answers (e.g. an unasked-for 100 Continue) precede the real one.
      unsigned code = ec ? 0 : parser->get().result_int();
      if (ec || code < 100 || code >= 200 || code == 101) break;
      parser = std::make_unique<Parser>();
    }
    if (ec) {
      if (timed_out(ec, lim)) co_return timeout_failure(lim);
      if (may_retry && !parser->got_some() && conn->buffer.size() == 0 && is_closed(ec)) continue;
      if (is_closed(ec))
        co_return make_failure(FailureKind::reset,
                               "upstream closed the connection before the response headers: " +
                                   ec.message());
      if (is_http_error(ec))
        co_return make_failure(FailureKind::malformed,
                               "upstream sent a malformed HTTP response: " + ec.message());
      co_return make_failure(FailureKind::reset, "upstream read failed: " + ec.message());
    }
    co_return std::unique_ptr<StreamingResponse>(
        std::make_unique<StreamingResponseImpl>(std::move(conn), std::move(parser), budget, pool));
  }
}

asio::awaitable<Result<Response>> Client::Impl::send(Request req) {
  auto opened = co_await open(std::move(req));
  if (!opened) co_return opened.failure();
  StreamingResponse& s = *opened.value();
  Response r;
  r.status = s.status();
  r.headers = s.headers();
  auto read = co_await s.read_to_end(r.body);
  if (!read) co_return read.failure();
  co_return r;
}

Client::Client(asio::io_context& io, ClientOptions options)
    : impl_(std::make_unique<Impl>(io, std::move(options))) {}

Client::~Client() { impl_->pool->clear(); }

asio::awaitable<Result<Response>> Client::send(Request req) {
  try {
    co_return co_await impl_->send(std::move(req));
  } catch (const std::exception& e) {
    co_return make_failure(FailureKind::internal, std::string("upstream client error: ") + e.what());
  }
}

asio::awaitable<Result<std::unique_ptr<StreamingResponse>>> Client::open(Request req) {
  try {
    co_return co_await impl_->open(std::move(req));
  } catch (const std::exception& e) {
    co_return make_failure(FailureKind::internal, std::string("upstream client error: ") + e.what());
  }
}

void Client::close_idle() { impl_->pool->clear(); }

void Client::abort_active() { impl_->pool->abort_busy(); }

}  // namespace sy::upstream
