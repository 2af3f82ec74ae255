// Process logging: spdlog to stderr (container-friendly), level from --log-level or
// SWITCHYARD_LOG_LEVEL. Request-level records go to the request log (store/), not here.
#pragma once

#include <string>

namespace sy::telemetry {
// level: trace|debug|info|warn|error|off. Returns false for an unknown level.
bool init_logging(const std::string& level);
}
