// Process-wide counters, lock-free, rendered in the Prometheus text format on GET /metrics.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace sy::telemetry {

struct Metrics {
  std::atomic<uint64_t> requests{0};            // HTTP requests answered
  std::atomic<uint64_t> client_errors{0};       // 4xx answered
  std::atomic<uint64_t> server_errors{0};       // 5xx answered
  std::atomic<uint64_t> upstream_attempts{0};
  std::atomic<uint64_t> upstream_failures{0};
  std::atomic<uint64_t> fallbacks{0};           // requests served by a target other than the first
  std::atomic<uint64_t> stream_errors{0};       // streams ended by a mid-stream failure
  std::atomic<int64_t> active_requests{0};
  std::atomic<int64_t> active_streams{0};
  std::atomic<uint64_t> input_tokens{0};
  std::atomic<uint64_t> output_tokens{0};
  std::atomic<uint64_t> cost_micro_usd{0};

  // Prometheus exposition of the counters above; `extra` is appended verbatim.
  std::string render(const std::string& extra = {}) const;
};

}  // namespace sy::telemetry
