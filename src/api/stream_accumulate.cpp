#include "api/stream_accumulate.hpp"

#include "api/json_out.hpp"
#include "api/translate_response.hpp"

namespace sy::api {

using detail::Writer;

void OpenAIStreamAccumulator::feed_data(const std::string& data) {
  if (data == "[DONE]") return;
  auto doc = json::parse(data);
  if (doc) feed_chunk(*doc);
}

void OpenAIStreamAccumulator::feed_chunk(const json::Value& chunk) {
  if (!chunk.IsObject()) return;
  const json::Value* doc = &chunk;
  if (auto e = json::find(*doc, "error"); e && !e->IsNull()) {
    error_json_ = json::dump(*e);
    return;
  }
  if (auto id = json::get_string(*doc, "id"); id && id_.empty()) id_ = std::string(*id);
  if (auto m = json::get_string(*doc, "model"); m && model_.empty()) model_ = std::string(*m);
  if (auto c = json::get_int(*doc, "created"); c && created_ == 0) created_ = *c;
  if (auto u = json::find(*doc, "usage"); u && u->IsObject()) {
    usage_json_ = json::dump(*u);
    usage_ = usage_from_openai(*doc);
  }
  const json::Value* choices = json::find(*doc, "choices");
  if (!choices || !choices->IsArray()) return;
  for (const auto& ch : choices->GetArray()) {
    Choice& c = choices_[json::get_int(ch, "index").value_or(0)];
    if (auto fr = json::get_string(ch, "finish_reason"); fr && !fr->empty()) c.finish_reason = std::string(*fr);
    const json::Value* delta = json::find(ch, "delta");
    if (!delta || !delta->IsObject()) continue;
    if (auto t = json::get_string(*delta, "content")) {
      c.content += *t;
      c.has_content = true;
    }
    if (auto r = json::get_string(*delta, "refusal")) c.refusal += *r;
    if (auto r = json::get_string(*delta, "reasoning_content")) c.reasoning += *r;
    if (auto calls = json::find(*delta, "tool_calls"); calls && calls->IsArray()) {
      for (const auto& tc : calls->GetArray()) {
        ToolCall& t = c.tool_calls[json::get_int(tc, "index").value_or(0)];
        if (auto id = json::get_string(tc, "id"); id && !id->empty()) t.id = std::string(*id);
        if (const json::Value* f = json::find(tc, "function")) {
          if (auto n = json::get_string(*f, "name"); n && !n->empty()) t.name = std::string(*n);
          if (auto a = json::get_string(*f, "arguments")) t.arguments += *a;
        }
      }
    }
  }
}

std::string OpenAIStreamAccumulator::result_json() const {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::openai_head(w, id_, "chat.completion", created_, model_);
  detail::key(w, "choices");
  w.StartArray();
  for (const auto& [index, c] : choices_) {
    w.StartObject();
    detail::kv_int(w, "index", index);
    detail::key(w, "message");
    w.StartObject();
    detail::kv(w, "role", "assistant");
    detail::key(w, "content");
    if (c.has_content && !(c.content.empty() && !c.tool_calls.empty())) detail::str(w, c.content);
    else w.Null();
    if (!c.refusal.empty()) detail::kv(w, "refusal", c.refusal);
    if (!c.reasoning.empty()) detail::kv(w, "reasoning_content", c.reasoning);
    if (!c.tool_calls.empty()) {
      detail::key(w, "tool_calls");
      w.StartArray();
      for (const auto& [ti, t] : c.tool_calls) {
        w.StartObject();
        detail::kv(w, "id", t.id);
        detail::kv(w, "type", "function");
        detail::key(w, "function");
        w.StartObject();
        detail::kv(w, "name", t.name);
        detail::kv(w, "arguments", t.arguments);
        w.EndObject();
        w.EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
    detail::key(w, "finish_reason");
    if (c.finish_reason.empty()) w.Null(); else detail::str(w, c.finish_reason);
    w.EndObject();
  }
  w.EndArray();
  detail::key(w, "usage");
  if (usage_json_.empty()) w.Null(); else detail::raw(w, usage_json_);
  if (!error_json_.empty()) {
    detail::key(w, "error");
    detail::raw(w, error_json_);
  }
  w.EndObject();
  return detail::text(b);
}

void AnthropicStreamAccumulator::feed(std::string_view event, const std::string& data) {
  auto doc = json::parse(data);
  if (doc) feed_event(event, *doc);
}

void AnthropicStreamAccumulator::feed_event(std::string_view event, const json::Value& parsed) {
  if (!parsed.IsObject()) return;
  const json::Value* doc = &parsed;
  std::string_view type = json::get_string(*doc, "type").value_or(event);
  if (type == "error" || event == "error") {
    const json::Value* e = json::find(*doc, "error");
    error_json_ = json::dump(e ? *e : *doc);
    return;
  }
  if (type == "message_start") {
    const json::Value* m = json::find(*doc, "message");
    if (!m) return;
    if (auto id = json::get_string(*m, "id")) id_ = std::string(*id);
    if (auto model = json::get_string(*m, "model")) model_ = std::string(*model);
    if (const json::Value* u = json::find(*m, "usage")) tally_.merge(*u);
  } else if (type == "content_block_start") {
    const json::Value* cb = json::find(*doc, "content_block");
    if (!cb || !cb->IsObject()) return;
    Block& blk = blocks_[json::get_int(*doc, "index").value_or(0)];
    blk.type = std::string(json::get_string(*cb, "type").value_or(""));
    blk.start_json = json::dump(*cb);
    blk.id = std::string(json::get_string(*cb, "id").value_or(""));
    blk.name = std::string(json::get_string(*cb, "name").value_or(""));
    if (auto t = json::get_string(*cb, "text")) blk.text = std::string(*t);
    if (auto t = json::get_string(*cb, "thinking")) blk.text = std::string(*t);
  } else if (type == "content_block_delta") {
    const json::Value* d = json::find(*doc, "delta");
    if (!d) return;
    Block& blk = blocks_[json::get_int(*doc, "index").value_or(0)];
    auto dt = json::get_string(*d, "type").value_or("");
    if (dt == "text_delta") blk.text += json::get_string(*d, "text").value_or("");
    else if (dt == "thinking_delta") blk.text += json::get_string(*d, "thinking").value_or("");
    else if (dt == "input_json_delta") blk.json += json::get_string(*d, "partial_json").value_or("");
    else if (dt == "signature_delta") blk.signature += json::get_string(*d, "signature").value_or("");
  } else if (type == "message_delta") {
    if (const json::Value* d = json::find(*doc, "delta")) {
      if (auto sr = json::get_string(*d, "stop_reason")) stop_reason_ = std::string(*sr);
      if (auto ss = json::get_string(*d, "stop_sequence")) stop_sequence_ = std::string(*ss);
    }
    if (const json::Value* u = json::find(*doc, "usage")) tally_.merge(*u);
  }
}

std::string AnthropicStreamAccumulator::result_json() const {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::kv(w, "id", id_);
  detail::kv(w, "type", "message");
  detail::kv(w, "role", "assistant");
  detail::kv(w, "model", model_);
  detail::key(w, "content");
  w.StartArray();
  for (const auto& [index, blk] : blocks_) {
    if (blk.type == "text") {
      w.StartObject();
      detail::kv(w, "type", "text");
      detail::kv(w, "text", blk.text);
      w.EndObject();
    } else if (blk.type == "tool_use" || blk.type == "server_tool_use") {
      w.StartObject();
      detail::kv(w, "type", blk.type);
      detail::kv(w, "id", blk.id);
      detail::kv(w, "name", blk.name);
      detail::key(w, "input");
      auto input = json::parse(blk.json.empty() ? std::string_view("{}") : std::string_view(blk.json));
      if (input) detail::value(w, *input); else detail::str(w, blk.json);
      w.EndObject();
    } else if (blk.type == "thinking") {
      w.StartObject();
      detail::kv(w, "type", "thinking");
      detail::kv(w, "thinking", blk.text);
      detail::kv(w, "signature", blk.signature);
      w.EndObject();
    } else if (!blk.start_json.empty()) {
      detail::raw(w, blk.start_json);
    }
  }
  w.EndArray();
  detail::key(w, "stop_reason");
  if (stop_reason_.empty()) w.Null(); else detail::str(w, stop_reason_);
  detail::key(w, "stop_sequence");
  if (stop_sequence_.empty()) w.Null(); else detail::str(w, stop_sequence_);
  detail::key(w, "usage");
  w.StartObject();
  detail::kv_int(w, "input_tokens", tally_.input_tokens);
  detail::kv_int(w, "cache_creation_input_tokens", tally_.cache_creation_input_tokens);
  detail::kv_int(w, "cache_read_input_tokens", tally_.cache_read_input_tokens);
  detail::kv_int(w, "output_tokens", tally_.output_tokens);
  w.EndObject();
  if (!error_json_.empty()) {
    detail::key(w, "error");
    detail::raw(w, error_json_);
  }
  w.EndObject();
  return detail::text(b);
}

}  // namespace sy::api
