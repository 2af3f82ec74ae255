// FrameTranslators for each (upstream wire → client wire) pair, built on api/'s stream
// translators and observers.
#pragma once

#include <memory>
#include <string>

#include "common/usage.hpp"
#include "providers/sse_chat_stream.hpp"

namespace sy::providers {

// Upstream speaks OpenAI chat.completion.chunk events.
std::unique_ptr<FrameTranslator> from_openai_stream(Wire client, std::string model,
                                                    bool include_usage);
// Upstream speaks Anthropic Messages stream events.
std::unique_ptr<FrameTranslator> from_anthropic_stream(Wire client, std::string model,
                                                       bool include_usage);

// Random ids in the formats the APIs use ("chatcmpl-…", "msg_…").
std::string new_completion_id();
std::string new_message_id();

}  // namespace sy::providers
