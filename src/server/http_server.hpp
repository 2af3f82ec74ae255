// HttpServer: the front door. N worker threads, each with its own io_context, its own acceptor on
// the shared port (SO_REUSEPORT lets the kernel spread connections) and its own upstream client
// pool, so the request path takes no locks. One coroutine per connection serves HTTP/1.1 with
// keep-alive.
//
// Graceful shutdown (stop()): acceptors close at once, idle keep-alive connections are closed,
// requests and streams in flight get up to shutdown_grace to finish; after that the remaining
// connections are cut. wait() returns when every worker has stopped.
#pragma once

#include <memory>
#include <string>

#include "server/app.hpp"

namespace sy::server {

class HttpServer {
 public:
  HttpServer(App& app, std::string host, uint16_t port, int threads);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the workers; throws std::runtime_error if the address cannot be bound.
  void start();
  uint16_t port() const;          // the bound port (useful with port 0)
  void stop(bool immediate);      // from any thread; idempotent
  void wait();                    // blocks until all workers ended

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace sy::server
