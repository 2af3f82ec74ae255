// Usage for an answer whose upstream reported none: estimated from the texts and marked so.
#pragma once

#include <string_view>

#include "common/json.hpp"
#include "common/usage.hpp"

namespace sy::server {

// `response_json` is the (reassembled) answer in the client's wire format.
Usage estimate_usage(Wire wire, const json::Value& request, std::string_view response_json);

}  // namespace sy::server
