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
#include <unordered_set>

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

  // Connections out of the pool carrying an exchange are registered here by whoever holds them
  // (counted: a hand-over registers before the previous holder lets go), so that a shutdown can
  // cut them: abort_busy() closes their sockets and every pending read or write fails at once.
  void track_busy(Connection* c) { busy_.insert(c); }
  void untrack_busy(Connection* c) {
    if (auto it = busy_.find(c); it != busy_.end()) busy_.erase(it);
  }
  void abort_busy();

 private:
  void expire(std::deque<std::unique_ptr<Connection>>& q, std::chrono::steady_clock::time_point now);

  size_t max_idle_per_host_;
  std::chrono::milliseconds idle_keepalive_;
  std::unordered_map<std::string, std::deque<std::unique_ptr<Connection>>> idle_;
  std::unordered_multiset<Connection*> busy_;
};

}  // namespace sy::upstream
