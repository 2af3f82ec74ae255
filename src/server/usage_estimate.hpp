// Usage for an answer whose upstream reported none: estimated from the texts and marked so.
#pragma once

#include <string_view>

#include "common/json.hpp"
#include "common/usage.hpp"

namespace sy::server {

// `response_json` is the (reassembled) answer in the client's wire format.
Usage estimate_usage(Wire wire, const json::Value& request, std::string_view response_json);

// The OpenAI usage-only chunk ("choices": [] with "usage") that a stream requested with
// stream_options.include_usage ends with, for when the upstream sent none: id and created from
// the reassembled answer, as one complete SSE frame. The estimate is marked by an extra field,
// "switchyard_estimated": true, inside "usage" (SDKs keep unknown fields).
std::string openai_usage_chunk(std::string_view assembled_json, std::string_view model, const Usage& u);

}  // namespace sy::server
