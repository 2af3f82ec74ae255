#include "server/failure_status.hpp"

namespace sy::server {

int status_for(const Failure& f) {
  switch (f.kind) {
    case FailureKind::http_status: return f.status >= 400 && f.status <= 599 ? f.status : 502;
    case FailureKind::connect:
    case FailureKind::reset:
    case FailureKind::malformed: return 502;
    case FailureKind::timeout: return 504;
    case FailureKind::unavailable: return 503;
    case FailureKind::invalid_request: return 400;
    case FailureKind::overloaded: return 429;
    case FailureKind::internal: return 500;
  }
  return 500;
}

std::string failure_code(const Failure& f) {
  switch (f.kind) {
    case FailureKind::http_status: return "upstream_error";
    case FailureKind::connect: return "upstream_unreachable";
    case FailureKind::reset: return "upstream_connection_reset";
    case FailureKind::malformed: return "upstream_malformed_response";
    case FailureKind::timeout: return "upstream_timeout";
    case FailureKind::unavailable: return "no_target_available";
    case FailureKind::invalid_request: return "unsupported_request";
    case FailureKind::overloaded: return "overloaded";
    case FailureKind::internal: return "internal_error";
  }
  return "internal_error";
}

std::string client_message(const Failure& f, const std::vector<routing::Attempt>& attempts) {
  if (attempts.size() <= 1) return f.message;
  std::string tried;
  for (const auto& a : attempts) {
    if (!tried.empty()) tried += ", ";
    tried += a.target + ": " + (a.error_kind.empty() ? "ok" : a.error_kind);
    if (a.status) tried += " " + std::to_string(a.status);
  }
  return f.message + " (attempts: " + tried + ")";
}

api::ApiError shutdown_cut_error() {
  return {503,
          "switchyard is shutting down: this request was cut when the shutdown grace period "
          "(server.shutdown_grace_ms) ran out; retry it",
          "", "", "server_shutting_down"};
}

}  // namespace sy::server
