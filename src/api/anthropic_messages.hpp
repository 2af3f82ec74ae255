// Validation of Anthropic request bodies at the front door: POST /v1/messages.
//
// Errors are 400 ApiErrors of type invalid_request_error whose message starts with the dotted path
// of the offending field, the way Anthropic words them ("messages.0.content.1.type: ...");
// `param` holds the same path. Unknown top-level fields are allowed (forwarded to Anthropic
// upstreams as they are).
//
// Result shape: std::variant<MessagesRequestInfo, ApiError>.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "api/errors.hpp"
#include "common/json.hpp"

namespace sy::api {

struct MessagesRequestInfo {
  std::string model;
  bool stream = false;
  int64_t max_tokens = 0;
  std::string user;   // metadata.user_id
};

// Required: model (non-empty string), max_tokens (integer >= 1), messages (array of
// {role: user|assistant, content: string | array of blocks}). Blocks: text{text},
// image{source: base64{media_type,data} | url{url}}, document{source: base64|url|text|content|file},
// tool_use{id,name,input object}, tool_result{tool_use_id, content? string|array, is_error? bool},
// thinking / redacted_thinking, plus server-tool blocks (server_tool_use, *_tool_result,
// search_result, container_upload) which are passed through unchecked. system: string or array of
// text blocks. tools: array of {name, input_schema object, description?} or server tools that
// carry a `type` (accepted as they are). tool_choice {type: auto|any|none|tool(+name),
// disable_parallel_tool_use? bool}. stop_sequences: array of strings. temperature 0..1,
// top_p 0..1, top_k integer >= 0, stream bool, metadata object with user_id string,
// thinking {type: enabled(+budget_tokens >= 1024, < max_tokens) | disabled}.
std::variant<MessagesRequestInfo, ApiError> validate_anthropic_messages(const json::Value& body);
// The body of POST /v1/messages/count_tokens: the same checks, but max_tokens is optional
// (max_tokens stays 0 when absent, and thinking's budget is then not compared with it).
std::variant<MessagesRequestInfo, ApiError> validate_anthropic_count_tokens(const json::Value& body);

}  // namespace sy::api
