// Response translation (non-streaming) between OpenAI chat.completion objects and Anthropic
// message objects, plus usage extraction and finish/stop reason mapping. Input is what an upstream
// returned (already parsed); malformed input fails with FailureKind::malformed.
//
//  OpenAI finish_reason   Anthropic stop_reason
//  stop                ←→ end_turn (stop_sequence and pause_turn also map to stop)
//  length              ←→ max_tokens (model_context_window_exceeded also maps to length)
//  tool_calls          ←→ tool_use   (function_call also maps to tool_use)
//  content_filter      ←→ refusal
#pragma once

#include <string>
#include <string_view>

#include "common/json.hpp"
#include "common/result.hpp"
#include "common/usage.hpp"

namespace sy::api {

// OpenAI chat.completion → Anthropic message JSON; `client_model` is echoed as "model". Uses
// choices[0] only. Tool call arguments must be a JSON object (else FailureKind::malformed).
Result<std::string> openai_to_anthropic_response(const json::Value& oai, std::string_view client_model);

// Anthropic message → OpenAI chat.completion JSON; thinking and server-tool blocks are dropped.
Result<std::string> anthropic_to_openai_response(const json::Value& msg, std::string_view client_model);

// Usage from an OpenAI response or stream chunk ("usage" member). known=false when absent/null.
Usage usage_from_openai(const json::Value& resp);
// Usage from an Anthropic message (or message_start's "message"); input_tokens includes cache
// reads and cache writes, cached_input_tokens is the cache reads.
Usage usage_from_anthropic(const json::Value& msg);

// Reason mapping per the table above; unknown / empty values map to "end_turn" / "stop".
std::string anthropic_stop_reason(std::string_view openai_finish_reason);
std::string openai_finish_reason(std::string_view anthropic_stop_reason);
// The gateway's neutral finish reason (providers::ChatResponse::finish_reason): stop, length,
// tool_calls, content_filter — from either wire's value; empty input stays empty.
std::string normalized_finish_reason(Wire wire, std::string_view reason);

}  // namespace sy::api
