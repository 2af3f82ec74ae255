// server, fallback, log and engine: fixed-shape sections of scalars.
#include <charconv>

#include "config/sections.hpp"

namespace sy::config::detail {

bool parse_listen(const std::string& text, std::string* host, uint16_t* port, std::string* error) {
  std::string h;
  std::string p;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      *error = "invalid listen address '" + text + "' (expected [v6addr]:port)";
      return false;
    }
    h = text.substr(1, close - 1);
    p = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string::npos || text.find(':') != colon) {
      *error = "invalid listen address '" + text +
               "' (expected host:port, or [v6addr]:port for IPv6)";
      return false;
    }
    h = text.substr(0, colon);
    p = text.substr(colon + 1);
  }
  if (h.empty()) {
    *error = "listen address '" + text + "' has no host (use 0.0.0.0 for all interfaces)";
    return false;
  }
  int v = 0;
  auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (p.empty() || ec != std::errc() || ptr != p.data() + p.size() || v < 1 || v > 65535) {
    *error = "listen port must be between 1 and 65535, got '" + p + "'";
    return false;
  }
  *host = h;
  *port = static_cast<uint16_t>(v);
  return true;
}

void parse_server(Reader& r, const YAML::Node& n, ServerConfig& out) {
  r.fields(n, "server",
           {"listen", "threads", "max_body_bytes", "shutdown_grace_ms", "request_timeout_ms",
            "keepalive_timeout_ms"},
           [&](const std::string& key, const YAML::Node& v) {
             if (key == "listen") {
               if (auto s = r.str(v)) {
                 std::string err;
                 if (!parse_listen(*s, &out.host, &out.port, &err)) r.error(v, err);
               }
             } else if (key == "threads") {
               r.read_int(v, out.threads, 0, 4096);
             } else if (key == "max_body_bytes") {
               r.read_int(v, out.max_body_bytes, 1, INT64_MAX);
             } else if (key == "shutdown_grace_ms") {
               r.read_ms(v, out.shutdown_grace, 0);
             } else if (key == "request_timeout_ms") {
               r.read_ms(v, out.request_timeout, 1);
             } else if (key == "keepalive_timeout_ms") {
               r.read_ms(v, out.keepalive_timeout, 1);
             }
           });
}

void parse_fallback(Reader& r, const YAML::Node& n, FallbackConfig& out) {
  YAML::Mark base_at = YAML::Mark::null_mark();
  YAML::Mark max_at = YAML::Mark::null_mark();
  r.fields(n, "fallback",
           {"retry_on_status", "retry_on_connect_error", "retry_on_timeout", "retry_on_malformed",
            "backoff_base_ms", "backoff_max_ms", "max_retry_after_ms", "breaker_failures",
            "breaker_cooldown_ms"},
           [&](const std::string& key, const YAML::Node& v) {
             if (key == "retry_on_status") {
               if (v.IsNull()) {
                 out.retry_on_status.clear();
               } else if (!v.IsSequence()) {
                 r.error(v, "expected a list of HTTP status codes");
               } else {
                 std::vector<int> codes;
                 for (const auto& item : v) {
                   if (auto c = r.integer(item, 100, 599)) codes.push_back(static_cast<int>(*c));
                 }
                 out.retry_on_status = codes;
               }
             } else if (key == "retry_on_connect_error") {
               r.read(v, out.retry_on_connect_error);
             } else if (key == "retry_on_timeout") {
               r.read(v, out.retry_on_timeout);
             } else if (key == "retry_on_malformed") {
               r.read(v, out.retry_on_malformed);
             } else if (key == "backoff_base_ms") {
               base_at = v.Mark();
               r.read_ms(v, out.backoff_base, 0);
             } else if (key == "backoff_max_ms") {
               max_at = v.Mark();
               r.read_ms(v, out.backoff_max, 0);
             } else if (key == "max_retry_after_ms") {
               r.read_ms(v, out.max_retry_after, 0);
             } else if (key == "breaker_failures") {
               r.read_int(v, out.breaker_failures, 1, 1'000'000);
             } else if (key == "breaker_cooldown_ms") {
               r.read_ms(v, out.breaker_cooldown, 1);
             }
           });
  if (out.backoff_max < out.backoff_base) {
    r.error(max_at.is_null() ? base_at : max_at,
            "backoff_max_ms (" + std::to_string(out.backoff_max.count()) +
                ") must be >= backoff_base_ms (" + std::to_string(out.backoff_base.count()) + ")");
  }
}

void parse_log(Reader& r, const YAML::Node& n, LogConfig& out) {
  r.fields(n, "log",
           {"enabled", "sqlite_path", "queue_capacity", "batch_size", "flush_interval_ms",
            "overflow", "block_timeout_ms", "store_bodies", "max_body_bytes"},
           [&](const std::string& key, const YAML::Node& v) {
             if (key == "enabled") {
               r.read(v, out.enabled);
             } else if (key == "sqlite_path") {
               if (auto s = r.str(v)) {
                 if (s->empty()) {
                   r.error(v, "sqlite_path must not be empty (set log.enabled: false instead)");
                 } else {
                   out.sqlite_path = *s;
                 }
               }
             } else if (key == "queue_capacity") {
               r.read_int(v, out.queue_capacity, 1, INT64_MAX);
             } else if (key == "batch_size") {
               r.read_int(v, out.batch_size, 1, INT64_MAX);
             } else if (key == "flush_interval_ms") {
               r.read_ms(v, out.flush_interval, 1);
             } else if (key == "overflow") {
               if (auto s = r.one_of(v, {"drop_bodies", "block"})) {
                 out.overflow = *s == "block" ? OverflowPolicy::block : OverflowPolicy::drop_bodies;
               }
             } else if (key == "block_timeout_ms") {
               r.read_ms(v, out.block_timeout, 0);
             } else if (key == "store_bodies") {
               r.read(v, out.store_bodies);
             } else if (key == "max_body_bytes") {
               r.read_int(v, out.max_body_bytes, 1, INT64_MAX);
             }
           });
}

void parse_engine(Reader& r, const YAML::Node& n, EngineConfig& out) {
  r.fields(n, "engine", {"threads", "max_batch_tokens", "queue_capacity"},
           [&](const std::string& key, const YAML::Node& v) {
             if (key == "threads") {
               r.read_int(v, out.threads, 0, 4096);
             } else if (key == "max_batch_tokens") {
               r.read_int(v, out.max_batch_tokens, 1, INT64_MAX);
             } else if (key == "queue_capacity") {
               r.read_int(v, out.queue_capacity, 1, INT64_MAX);
             }
           });
}

}  // namespace sy::config::detail
