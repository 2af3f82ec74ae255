#include "server/http_server.hpp"

#include <array>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_set>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <spdlog/spdlog.h>

#include "server/handlers.hpp"
#include "server/ids.hpp"
#include "server/request_log.hpp"
#include "upstream/http_client.hpp"

namespace sy::server {

namespace {
using tcp = asio::ip::tcp;
constexpr size_t kMaxHeaderBytes = 64 * 1024;
// When the shutdown grace period runs out, how long handlers get to send their clients the error
// that says so before the client connections are closed.
constexpr auto kCutNoticeTime = std::chrono::milliseconds(300);
constexpr auto kBodyReadTimeout = std::chrono::seconds(60);
}  // namespace

struct SessionState {
  beast::tcp_stream* stream = nullptr;
  bool busy = false;   // between the first header byte and the end of the response
};

struct Worker {
  // Destruction order matters: sockets (acceptor, pooled upstream connections) must go before
  // their io_context; destroying the io_context destroys coroutine frames still suspended in it,
  // whose clean-up touches `sessions` and the server's session count.
  ~Worker() {
    guard.reset();
    timer_floor.reset();
    acceptor.reset();
    http.reset();
    io.reset();
  }
  std::unique_ptr<asio::io_context> io = std::make_unique<asio::io_context>(1);
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> guard;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<asio::steady_timer> timer_floor;   // see arm_timer_floor
  std::unique_ptr<upstream::Client> http;
  std::unordered_set<SessionState*> sessions;   // only touched on this worker's thread
  std::thread thread;
};

struct HttpServer::Impl {
  App& app;
  std::string host;
  uint16_t port;
  int threads;
  std::vector<std::unique_ptr<Worker>> workers;

  std::mutex mu;
  std::condition_variable cv;
  bool stop_requested = false;
  bool immediate = false;
  int64_t active_sessions = 0;
  std::atomic<bool> stopping{false};

  Impl(App& a, std::string h, uint16_t p, int t) : app(a), host(std::move(h)), port(p), threads(t) {}

  void session_started() {
    std::lock_guard l(mu);
    ++active_sessions;
  }
  void session_ended() {
    std::lock_guard l(mu);
    if (--active_sessions == 0) cv.notify_all();
  }

  asio::awaitable<void> accept_loop(Worker& w);
  asio::awaitable<void> session(Worker& w, tcp::socket sock);
};

namespace {
// Every I/O operation on the request path arms a timeout of seconds to minutes, and Asio
// reprograms its timerfd (one syscall) whenever a newly armed timer becomes the earliest one —
// which, with one request in flight, is nearly every time: three timerfd_settime calls a request.
// A timer that always expires within the next second stays the earliest, so arming those
// timeouts no longer touches the timerfd; it costs one wake-up a second per worker.
constexpr auto kTimerFloor = std::chrono::seconds(1);

void arm_timer_floor(asio::steady_timer& t) {
  t.expires_after(kTimerFloor);
  t.async_wait([&t](boost::system::error_code ec) {
    if (!ec) arm_timer_floor(t);
  });
}

// After answering early (413) the client may still be sending its body. Closing now would make
// the kernel answer with RST and the client could lose our response; so stop sending, read and
// discard for a short while (as web servers' "lingering close" does), then close.
asio::awaitable<void> linger_close(beast::tcp_stream& stream) {
  boost::system::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::array<char, 16 * 1024> sink;
  size_t discarded = 0;
  constexpr size_t kMaxDiscard = 64u << 20;
  stream.expires_after(std::chrono::seconds(2));
  while (!ec && discarded < kMaxDiscard) {
    discarded += co_await stream.async_read_some(asio::buffer(sink),
                                                 asio::redirect_error(asio::use_awaitable, ec));
  }
  stream.socket().close(ec);
}
// A request that is not HTTP gets a 400 (431 for a header block over kMaxHeaderBytes) with a
// fresh request id, through the same answer path as every other error; then the connection
// closes: nothing after the bad bytes can be trusted.
asio::awaitable<void> answer_malformed(App& app, beast::tcp_stream& stream, boost::system::error_code why) {
  const bool too_big = why == http::error::header_limit;
  const int status = too_big ? 431 : 400;
  // Named locals: GCC 12 mishandles conditional-expression temporaries in co_await arguments.
  std::string message = "Malformed HTTP request: " + why.message();
  std::string code = "malformed_request";
  if (too_big) {
    message = "Request header fields exceed " + std::to_string(kMaxHeaderBytes) + " bytes";
    code = "headers_too_large";
  }
  const http::request<http::string_body> none{http::verb::unknown, "/", 11};
  Exchange ex(none, stream, request_id_from(""), false);
  co_await send_error(app, ex, Wire::openai, status, std::move(message), "invalid_request_error", "",
                      std::move(code));
  co_await linger_close(stream);
}
}  // namespace

asio::awaitable<void> HttpServer::Impl::accept_loop(Worker& w) {
  while (!stopping.load()) {
    boost::system::error_code ec;
    tcp::socket sock = co_await w.acceptor->async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (stopping.load() || ec == asio::error::operation_aborted) break;
      // Out of file descriptors and the like: back off briefly rather than spin.
      spdlog::warn("accept failed: {}", ec.message());
      asio::steady_timer t(*w.io);
      t.expires_after(std::chrono::milliseconds(50));
      co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    sock.set_option(tcp::no_delay(true), ec);
    asio::co_spawn(*w.io, session(w, std::move(sock)), [](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        spdlog::error("connection ended by an unexpected error: {}", ex.what());
      }
    });
  }
}

asio::awaitable<void> HttpServer::Impl::session(Worker& w, tcp::socket sock) {
  beast::tcp_stream stream(std::move(sock));
  SessionState state{&stream, false};
  w.sessions.insert(&state);
  session_started();
  struct Leave {
    Impl* self;
    Worker& w;
    SessionState* s;
    ~Leave() {
      w.sessions.erase(s);
      self->session_ended();
    }
  } leave{this, w, &state};

  const auto& scfg = app.cfg.server;
  beast::flat_buffer buffer;
  providers::CallContext ctx{w.http.get(), {}};
  boost::system::error_code ec;

  while (!stopping.load()) {
    state.busy = false;
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(scfg.max_body_bytes);
    stream.expires_after(scfg.keepalive_timeout);
    co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    // Beast reports a declared Content-Length over the limit as soon as the header is complete,
    // and a chunked body when it grows past it; both get a 413 in the API's shape, then close
    // (the rest of the body is never read).
    const bool too_large_header = ec == http::error::body_limit;
    if (ec && !too_large_header) {
      // Not HTTP (a bad request line or header, a header block over the limit): say so, in
      // OpenAI's shape, rather than hang up without an answer. Closed, timed out or shut down
      // connections just end.
      const bool not_http = ec.category() == http::make_error_code(http::error::bad_target).category() &&
                            ec != http::error::end_of_stream && ec != http::error::partial_message;
      if (not_http && !stopping.load()) {
        co_await answer_malformed(app, stream, ec);
      }
      break;
    }
    state.busy = true;
    const auto t0 = std::chrono::steady_clock::now();

    const auto& hdr = parser.get();
    const Wire wire = hdr.target().starts_with("/v1/messages") ? Wire::anthropic : Wire::openai;
    std::string rid = request_id_from(hdr["x-request-id"]);
    if (!too_large_header && !parser.is_done() && buffer.size() == 0 &&
        beast::iequals(hdr[http::field::expect], "100-continue") && hdr.version() >= 11) {
      // curl and others wait up to a second for this before sending a body over 1 MiB.
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      co_await asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
    if (!too_large_header) {
      // A small body usually arrived with the header: parse what is buffered right here rather
      // than through an asynchronous read that would need no I/O (a timer and a scheduler trip).
      while (!parser.is_done() && buffer.size() > 0) {
        const size_t used = parser.put(buffer.data(), ec);
        buffer.consume(used);
        if (ec == http::error::need_more) ec = {};
        if (ec || used == 0) break;
      }
      if (!ec && !parser.is_done()) {
        stream.expires_after(kBodyReadTimeout);
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      }
    }
    if (ec == http::error::body_limit) {
      http::request<http::string_body> head = parser.release();   // header only: no body was kept
      head.body().clear();
      Exchange ex(head, stream, rid, false);
      std::string msg = "Request body exceeds the limit of " + std::to_string(scfg.max_body_bytes) +
                        " bytes (server.max_body_bytes)";
      co_await send_error(app, ex, wire, 413, msg, "", "", "request_too_large");
      if (is_api_path(head.target())) log_rejected(app, ex, 413, std::move(msg), t0);
      co_await linger_close(stream);
      co_return;
    }
    if (ec) break;

    http::request<http::string_body> req = parser.release();
    stream.expires_never();   // handlers bound their own waits (upstream timeouts, write timeouts)
    Exchange ex(req, stream, rid, req.keep_alive() && !stopping.load());
    ctx.request_id = rid;
    ctx.deadline = std::chrono::steady_clock::now() + scfg.request_timeout;
    app.metrics.active_requests.fetch_add(1, std::memory_order_relaxed);
    std::string internal_error;
    try {
      co_await dispatch(app, ex, ctx);
    } catch (const std::exception& e) {
      internal_error = e.what();
    }
    if (!internal_error.empty()) {
      // A bug, not a client or upstream problem: answer 500 if nothing was sent yet, and drop
      // the connection since its state is unknown.
      spdlog::error("request {} failed: {}", rid, internal_error);
      ex.set_keep_alive(false);
      if (ex.status() == 0 && !ex.streaming())
        co_await send_error(app, ex, wire, 500, "internal error: " + internal_error);
    }
    app.metrics.active_requests.fetch_sub(1, std::memory_order_relaxed);
    if (ex.client_gone() || !ex.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.socket().close(ec);
}

HttpServer::HttpServer(App& app, std::string host, uint16_t port, int threads)
    : impl_(std::make_unique<Impl>(app, std::move(host), port, threads)) {}

HttpServer::~HttpServer() {
  stop(true);
  wait();
}

void HttpServer::start() {
  int n = impl_->threads > 0 ? impl_->threads : static_cast<int>(std::thread::hardware_concurrency());
  if (n <= 0) n = 1;
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(impl_->host, ec);
  if (ec) throw std::runtime_error("invalid listen address '" + impl_->host + "': " + ec.message());
  uint16_t port = impl_->port;
  if (port != 0) {
    // Every worker's acceptor sets SO_REUSEPORT so the kernel spreads connections over them; but
    // that would also let a second switchyard (same user) bind the same port and silently take
    // half of its traffic. A plain bind, closed again at once, fails while anything listens there.
    asio::io_context probe_io(1);
    tcp::acceptor probe(probe_io);
    tcp::endpoint ep(addr, port);
    probe.open(ep.protocol());
    probe.set_option(asio::socket_base::reuse_address(true));   // TIME_WAIT leftovers are fine
    probe.bind(ep, ec);
    if (ec) {
      throw std::runtime_error("cannot listen on " + impl_->host + ":" + std::to_string(port) + ": " +
                               ec.message());
    }
  }
  for (int i = 0; i < n; ++i) {
    auto w = std::make_unique<Worker>();
    w->guard.emplace(w->io->get_executor());
    w->http = std::make_unique<upstream::Client>(*w->io);
    w->acceptor = std::make_unique<tcp::acceptor>(*w->io);
    tcp::endpoint ep(addr, port);
    w->acceptor->open(ep.protocol());
    w->acceptor->set_option(asio::socket_base::reuse_address(true));
    int one = 1;
    ::setsockopt(w->acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    w->acceptor->bind(ep, ec);
    if (ec) {
      impl_->workers.clear();   // nothing started yet; leaves the server inert for its destructor
      throw std::runtime_error("cannot listen on " + impl_->host + ":" + std::to_string(port) + ": " +
                               ec.message());
    }
    w->acceptor->listen(asio::socket_base::max_listen_connections);
    port = w->acceptor->local_endpoint().port();  // port 0: the others join the chosen port
    impl_->workers.push_back(std::move(w));
  }
  impl_->port = port;
  for (auto& wp : impl_->workers) {
    Worker& w = *wp;
    asio::co_spawn(*w.io, impl_->accept_loop(w), [](std::exception_ptr) {});
    w.timer_floor = std::make_unique<asio::steady_timer>(*w.io);
    arm_timer_floor(*w.timer_floor);
    w.thread = std::thread([&w, i = &wp - impl_->workers.data()] {
      const std::string name = "sy-io-" + std::to_string(i);
      pthread_setname_np(pthread_self(), name.c_str());
      for (;;) {
        try {
          w.io->run();
          return;
        } catch (const std::exception& e) {
          spdlog::error("worker: unexpected error: {}", e.what());
        }
      }
    });
  }
}

uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::stop(bool immediate) {
  std::lock_guard l(impl_->mu);
  if (impl_->workers.empty()) return;   // never started, or already stopped and joined
  if (impl_->stop_requested && !immediate) return;
  impl_->stop_requested = true;
  impl_->immediate = impl_->immediate || immediate;
  impl_->stopping.store(true);
  impl_->app.draining.store(true);
  for (auto& wp : impl_->workers) {
    Worker* w = wp.get();
    asio::post(*w->io, [w] {
      boost::system::error_code ec;
      if (w->acceptor) w->acceptor->close(ec);
      for (SessionState* s : w->sessions)
        if (!s->busy) s->stream->socket().close(ec);   // idle keep-alive connections
    });
  }
  impl_->cv.notify_all();
}

void HttpServer::wait() {
  auto& im = *impl_;
  if (im.workers.empty()) return;
  {
    std::unique_lock l(im.mu);
    im.cv.wait(l, [&] { return im.stop_requested; });
    const auto deadline = std::chrono::steady_clock::now() + im.app.cfg.server.shutdown_grace;
    im.cv.wait_until(l, deadline, [&] { return im.active_sessions == 0 || im.immediate; });
  }
  // Grace is over: cut whatever is still open, then let the workers run dry. First the upstream
  // side only: each handler then sees its upstream fail and tells its client in the API's own
  // shape (an error event on a stream, a 503 otherwise) instead of the connection just dropping.
  im.app.cutting.store(true);
  const auto cut_upstreams = [&im] {
    for (auto& wp : im.workers) {
      Worker* w = wp.get();
      asio::post(*w->io, [w] { w->http->abort_active(); });
    }
  };
  cut_upstreams();
  {
    std::unique_lock l(im.mu);
    im.cv.wait_for(l, kCutNoticeTime, [&] { return im.active_sessions == 0; });
  }
  // Then the client side: clients that do not read, and requests that started a new upstream
  // attempt meanwhile, are cut without a word.
  for (auto& wp : im.workers) {
    Worker* w = wp.get();
    asio::post(*w->io, [w] {
      boost::system::error_code ec;
      for (SessionState* s : w->sessions) s->stream->socket().close(ec);
    });
  }
  cut_upstreams();
  {
    std::unique_lock l(im.mu);
    // Sessions writing to a closed socket end at once; give the rest a moment only.
    im.cv.wait_for(l, std::chrono::milliseconds(500), [&] { return im.active_sessions == 0; });
  }
  for (auto& wp : im.workers) {
    Worker* w = wp.get();
    asio::post(*w->io, [w] {
      w->http->close_idle();
      w->guard.reset();
      w->io->stop();
    });
  }
  for (auto& wp : im.workers)
    if (wp->thread.joinable()) wp->thread.join();
  // Taken out under the lock (a second signal may be calling stop() right now), destroyed
  // outside it (destroying a worker may end sessions, which takes the lock).
  std::vector<std::unique_ptr<Worker>> done;
  {
    std::lock_guard l(im.mu);
    done.swap(im.workers);
  }
  done.clear();
}

}  // namespace sy::server
