// Request translation between the OpenAI Chat Completions and Anthropic Messages formats, for an
// adapter whose upstream speaks the other format than the client. Input bodies are assumed to have
// passed the front door's validation (validate_openai_chat / validate_anthropic_messages); what
// cannot be expressed faithfully on the other side fails with FailureKind::invalid_request and a
// message fit for the client. Mapping tables, drops and rejections: docs/translation.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/json.hpp"
#include "common/result.hpp"

namespace sy::api {

// Anthropic Messages request → OpenAI Chat Completions request JSON text, "model" set to
// upstream_model. With `stream`, sets "stream":true (and stream_options.include_usage when
// include_usage).
Result<std::string> anthropic_to_openai_request(const json::Value& body, std::string_view upstream_model,
                                                bool stream, bool include_usage);

struct OpenAIRequestOptions {
  // Write the output limit as max_completion_tokens (what OpenAI's reasoning models require)
  // instead of max_tokens (what every OpenAI-compatible server understands).
  bool use_max_completion_tokens = false;
};
Result<std::string> anthropic_to_openai_request(const json::Value& body, std::string_view upstream_model,
                                                bool stream, bool include_usage,
                                                const OpenAIRequestOptions& options);

// OpenAI Chat request → Anthropic Messages request JSON text. `default_max_tokens` is used when
// the client gave neither max_completion_tokens nor max_tokens (Anthropic requires one).
Result<std::string> openai_to_anthropic_request(const json::Value& body, std::string_view upstream_model,
                                                bool stream, int64_t default_max_tokens);

// "data:<media type>;base64,<data>" split into its parts; false if `url` is not such a URL.
bool parse_data_url(std::string_view url, std::string* media_type, std::string_view* data);

}  // namespace sy::api
