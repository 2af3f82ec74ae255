// Error bodies in both client wire formats, and parsing of whatever an upstream sent as an error.
//
// ApiError is what the gateway itself wants to tell a client (a status plus a message); the
// functions here render it the way the official OpenAI / Anthropic APIs do so that their SDKs raise
// the right exception class. An empty `type` is filled from the status (see default_error_type).
#pragma once

#include <string>
#include <string_view>

#include "common/usage.hpp"

namespace sy::api {

struct ApiError {
  int status = 400;
  std::string message;
  std::string type;    // empty: derived from status per wire
  std::string param;   // OpenAI only; JSON path of the offending field ("messages[2].role")
  std::string code;    // OpenAI only
};

// Type string the official API uses for `status` when none was given.
//  OpenAI:    400/404/413/other 4xx invalid_request_error (an unknown model is 404 with code
//             model_not_found), 401 authentication_error, 403 permission_error,
//             429 rate_limit_error, 500 api_error, other 5xx server_error.
//  Anthropic: 400/other 4xx invalid_request_error, 401 authentication_error, 403 permission_error,
//             404 not_found_error, 413 request_too_large, 429 rate_limit_error,
//             503/529 overloaded_error, other 5xx api_error.
std::string default_error_type(Wire wire, int status);

// {"error":{"message":..,"type":..,"param":..|null,"code":..|null}}
std::string openai_error_body(const ApiError& e);
// {"type":"error","error":{"type":..,"message":..}}
std::string anthropic_error_body(const ApiError& e);
std::string error_body(Wire wire, const ApiError& e);

// Mid-stream error frames: complete SSE text including the blank line that ends the event.
// OpenAI SDKs raise on a data chunk carrying an "error" key; Anthropic SDKs on `event: error`.
std::string openai_stream_error_frame(const ApiError& e);     // data: {"error":{...}}\n\n
std::string anthropic_stream_error_frame(const ApiError& e);  // event: error\ndata: {...}\n\n
std::string stream_error_frame(Wire wire, const ApiError& e);

// Message and type from an upstream error body: OpenAI ({"error":{"message","type"|"code"}}),
// Anthropic ({"type":"error","error":{"type","message"}}), {"error":"text"}, {"message":..},
// {"detail":..} (FastAPI-style servers), or plain text (trimmed, cut to 2000 bytes).
// `type` is empty when the body names none; `message` is empty only for an empty body.
struct UpstreamErrorInfo {
  std::string message;
  std::string type;
};
UpstreamErrorInfo parse_upstream_error(std::string_view body);

}  // namespace sy::api
