// Idle keep-alive connections, keyed by "scheme://host:port". Not thread-safe: one pool per
// Client, and a Client lives on one io_context thread.
//
// Connections are handed out most-recently-used first (the likeliest to still be open); ones
// idle longer than `idle_keepalive`, or found closed by the peer, are dropped on the way; at most
// `max_idle_per_host` are kept per key (the oldest goes first).
#pragma once

#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "upstream/connection.hpp"

namespace sy::upstream {

class ConnectionPool {
 public:
  ConnectionPool(size_t max_idle_per_host, std::chrono::milliseconds idle_keepalive)
      : max_idle_per_host_(max_idle_per_host), idle_keepalive_(idle_keepalive) {}

  // A live idle connection for `key`, or nullptr.
  std::unique_ptr<Connection> take(const std::string& key);
  // Parks a connection whose last exchange ended cleanly with keep-alive.
  void put(std::unique_ptr<Connection> conn);
  // Closes everything idle.
  void clear();
  size_t idle_count() const;

 private:
  void expire(std::deque<std::unique_ptr<Connection>>& q, std::chrono::steady_clock::time_point now);

  size_t max_idle_per_host_;
  std::chrono::milliseconds idle_keepalive_;
  std::unordered_map<std::string, std::deque<std::unique_ptr<Connection>>> idle_;
};

}  // namespace sy::upstream
