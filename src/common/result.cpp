#include "common/result.hpp"

namespace sy {

const char* to_string(FailureKind k) {
  switch (k) {
    case FailureKind::connect: return "connect";
    case FailureKind::timeout: return "timeout";
    case FailureKind::reset: return "reset";
    case FailureKind::http_status: return "http_status";
    case FailureKind::malformed: return "malformed";
    case FailureKind::unavailable: return "unavailable";
    case FailureKind::invalid_request: return "invalid_request";
    case FailureKind::overloaded: return "overloaded";
    case FailureKind::internal: return "internal";
  }
  return "internal";
}

}  // namespace sy
