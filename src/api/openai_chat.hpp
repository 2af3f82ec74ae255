// Validation of OpenAI request bodies at the front door: POST /v1/chat/completions and
// POST /v1/embeddings.
//
// The checks catch what the official API would reject with 400 before spending an upstream call
// (and before a translation has to guess). Unknown top-level fields are allowed: they are forwarded
// untouched to OpenAI-format upstreams. On failure the result holds a 400 ApiError with `param` set
// to the JSON path of the offending value (e.g. "messages[2].role") and a message naming it.
//
// Result shape: std::variant<Info, ApiError>; use std::get_if<ApiError>(&r) to test for an error.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "api/errors.hpp"
#include "common/json.hpp"

namespace sy::api {

struct ChatRequestInfo {
  std::string model;
  bool stream = false;
  bool include_usage = false;   // stream_options.include_usage
  std::string user;
  int64_t max_tokens = -1;      // max_completion_tokens, else max_tokens; -1 when absent
};

// Checks: body is an object; model non-empty string; messages non-empty array of objects with a
// role in {system, developer, user, assistant, tool, function}; content string | array | null
// (null only for assistant with tool_calls/function_call, or assistant with refusal); content part
// types text / image_url / input_audio / file / refusal with their required members; tool
// messages carry tool_call_id; function messages carry name; assistant tool_calls well-formed;
// tools: array of {type:"function", function:{name, description?, parameters? object}} (name
// matches ^[a-zA-Z0-9_-]{1,64}$); tool_choice "none"|"auto"|"required" or {type:"function",
// function:{name}}; temperature 0..2, top_p 0..1, n >= 1, max_tokens / max_completion_tokens >= 1,
// presence/frequency_penalty -2..2, top_logprobs 0..20, logprobs bool, seed integer; stream bool;
// stream_options object only with stream:true; stop string | array of <= 4 strings;
// response_format {type: text|json_object|json_schema}, json_schema needs json_schema.name;
// parallel_tool_calls bool; user string.
std::variant<ChatRequestInfo, ApiError> validate_openai_chat(const json::Value& body);

struct EmbeddingsRequestInfo {
  std::string model;
  size_t input_count = 0;         // number of inputs (1 for a single string / token array)
  std::string encoding_format;    // "float" (default) or "base64"
};

// input: non-empty string | non-empty array of strings | array of ints (one token array) |
// array of non-empty int arrays; encoding_format float|base64; dimensions integer >= 1; user string.
std::variant<EmbeddingsRequestInfo, ApiError> validate_openai_embeddings(const json::Value& body);

}  // namespace sy::api
