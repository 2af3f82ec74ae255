#include "telemetry/metrics.hpp"

#include <fmt/format.h>

namespace sy::telemetry {

namespace {
template <class T>
void counter(std::string& out, const char* name, const char* help, const char* type, const T& v) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name,
                     v.load(std::memory_order_relaxed));
}
}  // namespace

std::string Metrics::render(const std::string& extra) const {
  std::string out;
  counter(out, "switchyard_requests_total", "HTTP requests answered", "counter", requests);
  counter(out, "switchyard_client_errors_total", "4xx responses", "counter", client_errors);
  counter(out, "switchyard_server_errors_total", "5xx responses", "counter", server_errors);
  counter(out, "switchyard_upstream_attempts_total", "calls to upstream targets", "counter", upstream_attempts);
  counter(out, "switchyard_upstream_failures_total", "failed calls to upstream targets", "counter", upstream_failures);
  counter(out, "switchyard_fallbacks_total", "requests served by a fallback target", "counter", fallbacks);
  counter(out, "switchyard_stream_errors_total", "streams ended by an upstream failure", "counter", stream_errors);
  counter(out, "switchyard_active_requests", "requests in flight", "gauge", active_requests);
  counter(out, "switchyard_active_streams", "streams in flight", "gauge", active_streams);
  counter(out, "switchyard_input_tokens_total", "input tokens", "counter", input_tokens);
  counter(out, "switchyard_output_tokens_total", "output tokens", "counter", output_tokens);
  counter(out, "switchyard_cost_micro_usd_total", "accounted cost in micro-USD", "counter", cost_micro_usd);
  out += extra;
  return out;
}

}  // namespace sy::telemetry
