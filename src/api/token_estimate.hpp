// Token counts we make up when an upstream reports none (Usage::estimated = true).
//
// Heuristic: one token per 4 Unicode code points of text, rounded up (English BPE vocabularies
// average ~4 characters per token; counting code points rather than bytes keeps non-Latin text
// from being over-counted 2-3x). Messages add a fixed overhead of 4 tokens each for the role and
// separators, plus 3 for the reply primer; an image counts 85 tokens (OpenAI's low-detail price);
// tool definitions count as their JSON text. Good for accounting and limits, not for billing.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/json.hpp"
#include "common/usage.hpp"

namespace sy::api {

int64_t estimate_tokens(std::string_view text);

// Prompt tokens of a chat request body in the given wire format (OpenAI chat completions or
// Anthropic messages): system, messages (text, tool calls and results), tools. An OpenAI
// embeddings body ("input") is counted too.
int64_t estimate_prompt_tokens(Wire wire, const json::Value& body);

}  // namespace sy::api
