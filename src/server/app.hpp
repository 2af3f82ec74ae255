// App: what every request handler may use — built once at start-up, shared by all workers.
#pragma once

#include <atomic>

#include "config/config.hpp"
#include "providers/registry.hpp"
#include "routing/router.hpp"
#include "store/log_writer.hpp"
#include "telemetry/metrics.hpp"

namespace sy::server {

struct App {
  const config::Config& cfg;
  const providers::Registry& providers;
  const routing::Router& router;
  store::LogWriter* log = nullptr;   // null when log.enabled is false
  telemetry::Metrics metrics;
  std::atomic<bool> draining{false}; // graceful shutdown under way: /readyz says 503
  std::atomic<bool> cutting{false};  // the grace period is over: what still runs is being cut
};

}  // namespace sy::server
