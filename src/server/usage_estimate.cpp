#include "server/usage_estimate.hpp"

#include "api/stream_translate.hpp"
#include "api/token_estimate.hpp"

namespace sy::server {

namespace {
// The generated text of an answer: message contents and tool-call arguments (OpenAI), text and
// tool inputs (Anthropic).
int64_t completion_tokens(Wire wire, const json::Value& resp) {
  int64_t n = 0;
  if (wire == Wire::openai) {
    const json::Value* choices = json::find(resp, "choices");
    if (!choices || !choices->IsArray()) return 0;
    for (const auto& c : choices->GetArray()) {
      const json::Value* msg = json::find(c, "message");
      if (!msg) continue;
      if (auto s = json::get_string(*msg, "content")) n += api::estimate_tokens(*s);
      if (const json::Value* calls = json::find(*msg, "tool_calls"); calls && calls->IsArray()) {
        for (const auto& call : calls->GetArray()) {
          if (const json::Value* fn = json::find(call, "function")) {
            if (auto a = json::get_string(*fn, "arguments")) n += api::estimate_tokens(*a);
            if (auto nm = json::get_string(*fn, "name")) n += api::estimate_tokens(*nm);
          }
        }
      }
    }
    return n;
  }
  const json::Value* content = json::find(resp, "content");
  if (!content || !content->IsArray()) return 0;
  for (const auto& b : content->GetArray()) {
    if (auto s = json::get_string(b, "text")) n += api::estimate_tokens(*s);
    if (const json::Value* in = json::find(b, "input")) n += api::estimate_tokens(json::dump(*in));
  }
  return n;
}
}  // namespace

Usage estimate_usage(Wire wire, const json::Value& request, std::string_view response_json) {
  Usage u;
  u.known = true;
  u.estimated = true;
  u.input_tokens = api::estimate_prompt_tokens(wire, request);
  if (auto doc = json::parse(response_json)) u.output_tokens = completion_tokens(wire, *doc);
  return u;
}

std::string estimated_usage_chunk(std::string_view assembled_json, std::string_view model, const Usage& u) {
  std::string id = "chatcmpl-usage";
  int64_t created = 0;
  if (auto doc = json::parse(assembled_json)) {
    if (auto v = json::get_string(*doc, "id")) id = std::string(*v);
    if (auto v = json::get_int(*doc, "created")) created = *v;
  }
  return api::openai_usage_chunk(id, created, model, u);
}

}  // namespace sy::server
