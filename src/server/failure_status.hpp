// How a routing Failure is shown to a client: HTTP status, error code and message.
#pragma once

#include <string>
#include <vector>

#include "api/errors.hpp"
#include "common/result.hpp"
#include "routing/fallback.hpp"

namespace sy::server {

// http_status → the upstream's status (4xx and 5xx pass through so SDK retry logic still works);
// connect/reset/malformed → 502; timeout → 504; unavailable → 503; invalid_request → 400;
// overloaded → 429; internal → 500.
int status_for(const Failure& f);
std::string failure_code(const Failure& f);
// The failure's message, plus the targets tried when there was more than one attempt.
std::string client_message(const Failure& f, const std::vector<routing::Attempt>& attempts);
// What a request still waiting on its upstream is told when the shutdown grace period runs out
// (503, code server_shutting_down): the answer or the stream's error event, not a dropped socket.
api::ApiError shutdown_cut_error();

}  // namespace sy::server
