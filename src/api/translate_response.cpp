#include "api/translate_response.hpp"

#include <vector>

#include "api/json_out.hpp"

namespace sy::api {

using detail::Writer;

namespace {

Failure malformed(std::string message) { return make_failure(FailureKind::malformed, std::move(message)); }

int64_t int_or0(const json::Value* obj, std::string_view key) {
  if (!obj) return 0;
  return json::get_int(*obj, key).value_or(0);
}

}  // namespace

std::string anthropic_stop_reason(std::string_view r) {
  if (r == "length") return "max_tokens";
  if (r == "tool_calls" || r == "function_call") return "tool_use";
  if (r == "content_filter") return "refusal";
  return "end_turn";
}

std::string openai_finish_reason(std::string_view r) {
  if (r == "max_tokens" || r == "model_context_window_exceeded") return "length";
  if (r == "tool_use") return "tool_calls";
  if (r == "refusal") return "content_filter";
  return "stop";
}

std::string normalized_finish_reason(Wire wire, std::string_view reason) {
  if (reason.empty()) return {};
  if (wire == Wire::anthropic) return openai_finish_reason(reason);
  if (reason == "function_call") return "tool_calls";
  return std::string(reason);
}

Usage usage_from_openai(const json::Value& resp) {
  Usage u;
  const json::Value* usage = json::find(resp, "usage");
  if (!usage || !usage->IsObject()) return u;
  u.known = true;
  u.input_tokens = int_or0(usage, "prompt_tokens");
  u.output_tokens = int_or0(usage, "completion_tokens");
  u.cached_input_tokens = int_or0(json::find(*usage, "prompt_tokens_details"), "cached_tokens");
  return u;
}

Usage usage_from_anthropic(const json::Value& msg) {
  Usage u;
  const json::Value* usage = json::find(msg, "usage");
  if (!usage || !usage->IsObject()) return u;
  u.known = true;
  int64_t cache_read = int_or0(usage, "cache_read_input_tokens");
  u.input_tokens = int_or0(usage, "input_tokens") + cache_read + int_or0(usage, "cache_creation_input_tokens");
  u.output_tokens = int_or0(usage, "output_tokens");
  u.cached_input_tokens = cache_read;
  return u;
}

Result<std::string> openai_to_anthropic_response(const json::Value& oai, std::string_view client_model) {
  if (!oai.IsObject()) return malformed("upstream response is not a JSON object");
  const json::Value* choices = json::find(oai, "choices");
  if (!choices || !choices->IsArray() || choices->Empty()) return malformed("upstream response has no choices");
  const json::Value& choice = (*choices)[0];
  const json::Value* message = json::find(choice, "message");
  if (!message || !message->IsObject()) return malformed("upstream response choices[0] has no message");

  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  auto id = json::get_string(oai, "id");
  if (!id || id->empty()) detail::kv(w, "id", detail::random_id("msg_"));
  else if (id->substr(0, 4) == "msg_") detail::kv(w, "id", *id);
  else detail::kv(w, "id", "msg_" + std::string(*id));
  detail::kv(w, "type", "message");
  detail::kv(w, "role", "assistant");
  detail::kv(w, "model", client_model);
  detail::key(w, "content");
  w.StartArray();
  auto text_block = [&](std::string_view t) {
    if (t.empty()) return;
    w.StartObject();
    detail::kv(w, "type", "text");
    detail::kv(w, "text", t);
    w.EndObject();
  };
  const json::Value* content = json::find(*message, "content");
  if (content && content->IsString()) {
    text_block(json::view(*content));
  } else if (content && content->IsArray()) {  // some compatible servers answer with parts
    for (const auto& part : content->GetArray()) text_block(json::get_string(part, "text").value_or(""));
  }
  if (auto refusal = json::get_string(*message, "refusal")) text_block(*refusal);
  if (auto calls = json::find(*message, "tool_calls"); calls && calls->IsArray()) {
    for (rapidjson::SizeType i = 0; i < calls->Size(); ++i) {
      const json::Value& c = (*calls)[i];
      const json::Value* f = json::find(c, "function");
      if (!f) return malformed("upstream tool_calls[" + std::to_string(i) + "] has no function");
      std::string args(json::get_string(*f, "arguments").value_or(""));
      if (args.find_first_not_of(" \t\r\n") == std::string::npos) args = "{}";
      auto input = json::parse(args);
      if (!input || !input->IsObject())
        return malformed("upstream tool_calls[" + std::to_string(i) + "].function.arguments is not a JSON object");
      w.StartObject();
      detail::kv(w, "type", "tool_use");
      auto cid = json::get_string(c, "id");
      detail::kv(w, "id", cid && !cid->empty() ? std::string(*cid) : detail::random_id("toolu_"));
      detail::kv(w, "name", json::get_string(*f, "name").value_or(""));
      detail::key(w, "input");
      detail::value(w, *input);
      w.EndObject();
    }
  }
  w.EndArray();
  detail::kv(w, "stop_reason", anthropic_stop_reason(json::get_string(choice, "finish_reason").value_or("stop")));
  detail::key(w, "stop_sequence");
  w.Null();
  Usage u = usage_from_openai(oai);
  detail::key(w, "usage");
  w.StartObject();
  detail::kv_int(w, "input_tokens", u.input_tokens - u.cached_input_tokens);
  detail::kv_int(w, "cache_creation_input_tokens", 0);
  detail::kv_int(w, "cache_read_input_tokens", u.cached_input_tokens);
  detail::kv_int(w, "output_tokens", u.output_tokens);
  w.EndObject();
  w.EndObject();
  return detail::text(b);
}

Result<std::string> anthropic_to_openai_response(const json::Value& msg, std::string_view client_model) {
  if (!msg.IsObject()) return malformed("upstream response is not a JSON object");
  const json::Value* content = json::find(msg, "content");
  if (!content || !content->IsArray()) return malformed("upstream message has no content array");

  std::string text;
  std::vector<const json::Value*> tool_uses;
  for (const auto& blk : content->GetArray()) {
    auto t = json::get_string(blk, "type").value_or("");
    if (t == "text") text += json::get_string(blk, "text").value_or("");
    else if (t == "tool_use") tool_uses.push_back(&blk);
    // thinking, redacted_thinking and server-tool blocks have no chat.completion equivalent.
  }

  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  auto id = json::get_string(msg, "id");
  detail::openai_head(w, id && !id->empty() ? "chatcmpl-" + std::string(*id) : detail::random_id("chatcmpl-"),
                      "chat.completion", detail::unix_now(), client_model);
  detail::key(w, "choices");
  w.StartArray();
  w.StartObject();
  detail::kv_int(w, "index", 0);
  detail::key(w, "message");
  w.StartObject();
  detail::kv(w, "role", "assistant");
  detail::key(w, "content");
  if (text.empty() && !tool_uses.empty()) w.Null(); else detail::str(w, text);
  detail::key(w, "refusal");
  w.Null();
  if (!tool_uses.empty()) {
    detail::key(w, "tool_calls");
    w.StartArray();
    for (const json::Value* tu : tool_uses) {
      w.StartObject();
      detail::kv(w, "id", json::get_string(*tu, "id").value_or(""));
      detail::kv(w, "type", "function");
      detail::key(w, "function");
      w.StartObject();
      detail::kv(w, "name", json::get_string(*tu, "name").value_or(""));
      const json::Value* input = json::find(*tu, "input");
      detail::kv(w, "arguments", input ? json::dump(*input) : std::string("{}"));
      w.EndObject();
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  detail::key(w, "logprobs");
  w.Null();
  detail::kv(w, "finish_reason", openai_finish_reason(json::get_string(msg, "stop_reason").value_or("end_turn")));
  w.EndObject();
  w.EndArray();
  detail::openai_usage(w, usage_from_anthropic(msg));
  w.EndObject();
  return detail::text(b);
}

}  // namespace sy::api
