#include "routing/fallback.hpp"

#include <algorithm>

namespace sy::routing {

namespace {
bool status_listed(int status, const config::FallbackConfig& cfg) {
  return std::find(cfg.retry_on_status.begin(), cfg.retry_on_status.end(), status) !=
         cfg.retry_on_status.end();
}
}  // namespace

bool counts_against_target(const Failure& f, const config::FallbackConfig& cfg) {
  switch (f.kind) {
    case FailureKind::connect:
    case FailureKind::timeout:
    case FailureKind::reset:
    case FailureKind::malformed:
      return true;
    case FailureKind::http_status:
      return f.status >= 500 || f.status == 429 || f.status == 408 || status_listed(f.status, cfg);
    default:
      return false;
  }
}

Verdict classify(const Failure& f, const config::FallbackConfig& cfg) {
  switch (f.kind) {
    case FailureKind::connect:
    case FailureKind::reset:
      return cfg.retry_on_connect_error ? Verdict::retry : Verdict::stop;
    case FailureKind::timeout:
      return cfg.retry_on_timeout ? Verdict::retry : Verdict::stop;
    case FailureKind::malformed:
      return cfg.retry_on_malformed ? Verdict::retry : Verdict::stop;
    case FailureKind::http_status:
      return status_listed(f.status, cfg) ? Verdict::retry : Verdict::stop;
    case FailureKind::unavailable:
    case FailureKind::invalid_request:
    case FailureKind::overloaded:
      return Verdict::next_target;
    case FailureKind::internal:
      return Verdict::stop;
  }
  return Verdict::stop;
}

size_t calls_made(const std::vector<Attempt>& attempts) {
  size_t n = 0;
  for (const auto& a : attempts) n += a.skipped ? 0 : 1;
  return n;
}

std::mt19937_64& thread_rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

}  // namespace sy::routing
