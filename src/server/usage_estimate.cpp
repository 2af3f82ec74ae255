#include "server/usage_estimate.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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

std::string openai_usage_chunk(std::string_view assembled_json, std::string_view model, const Usage& u) {
  std::string id = "chatcmpl-usage";
  int64_t created = 0;
  if (auto doc = json::parse(assembled_json)) {
    if (auto v = json::get_string(*doc, "id")) id = std::string(*v);
    if (auto v = json::get_int(*doc, "created")) created = *v;
  }
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  const auto str = [&w](std::string_view k, std::string_view v) {
    w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
    w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
  };
  w.StartObject();
  str("id", id);
  str("object", "chat.completion.chunk");
  w.Key("created");
  w.Int64(created);
  str("model", model);
  w.Key("choices");
  w.StartArray();
  w.EndArray();
  w.Key("usage");
  w.StartObject();
  w.Key("prompt_tokens");
  w.Int64(u.input_tokens);
  w.Key("completion_tokens");
  w.Int64(u.output_tokens);
  w.Key("total_tokens");
  w.Int64(u.input_tokens + u.output_tokens);
  w.Key("switchyard_estimated");
  w.Bool(true);
  w.EndObject();
  w.EndObject();
  return "data: " + std::string(buf.GetString(), buf.GetSize()) + "\n\n";
}

}  // namespace sy::server
