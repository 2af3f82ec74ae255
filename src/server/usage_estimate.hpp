// Usage for an answer whose upstream reported none: estimated from the texts and marked so.
#pragma once

#include <string_view>

#include "common/json.hpp"
#include "common/usage.hpp"

namespace sy::server {

// `response_json` is the (reassembled) answer in the client's wire format.
Usage estimate_usage(Wire wire, const json::Value& request, std::string_view response_json);

// The usage chunk that ends an OpenAI stream asked for with stream_options.include_usage, for when
// the upstream sent none: `u` (an estimate) under the id and created of the reassembled answer
// (api::openai_usage_chunk).
std::string estimated_usage_chunk(std::string_view assembled_json, std::string_view model, const Usage& u);

}  // namespace sy::server
