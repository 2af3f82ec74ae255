#include "upstream/connection_pool.hpp"

namespace sy::upstream {

void ConnectionPool::expire(std::deque<std::unique_ptr<Connection>>& q,
                            std::chrono::steady_clock::time_point now) {
  // The front holds the oldest.
  while (!q.empty() && now - q.front()->idle_since >= idle_keepalive_) {
    q.front()->close();
    q.pop_front();
  }
}

std::unique_ptr<Connection> ConnectionPool::take(const std::string& key) {
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  auto& q = it->second;
  const auto now = std::chrono::steady_clock::now();
  expire(q, now);
  while (!q.empty()) {
    std::unique_ptr<Connection> c = std::move(q.back());
    q.pop_back();
    if (c->idle_and_open(now)) {
      c->reused = true;
      return c;
    }
    c->close();
  }
  idle_.erase(it);
  return nullptr;
}

void ConnectionPool::put(std::unique_ptr<Connection> conn) {
  if (max_idle_per_host_ == 0) {
    conn->close();
    return;
  }
  auto now = std::chrono::steady_clock::now();
  conn->idle_since = now;
  auto& q = idle_[conn->pool_key];
  expire(q, now);
  while (q.size() >= max_idle_per_host_) {
    q.front()->close();
    q.pop_front();
  }
  q.push_back(std::move(conn));
}

void ConnectionPool::clear() {
  for (auto& [key, q] : idle_)
    for (auto& c : q) c->close();
  idle_.clear();
}

void ConnectionPool::abort_busy() {
  for (Connection* c : busy_) c->close();
}

size_t ConnectionPool::idle_count() const {
  size_t n = 0;
  for (const auto& [key, q] : idle_) n += q.size();
  return n;
}

}  // namespace sy::upstream
