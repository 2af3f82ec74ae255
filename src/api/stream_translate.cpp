#include "api/stream_translate.hpp"

#include "api/json_out.hpp"
#include "api/token_estimate.hpp"
#include "api/translate_response.hpp"
#include "common/json_splice.hpp"

namespace sy::api {

using detail::Writer;

namespace {

Failure malformed(std::string message) { return make_failure(FailureKind::malformed, std::move(message)); }

std::string frame(std::string_view event, const rapidjson::StringBuffer& b) {
  return detail::sse_frame(event, std::string_view(b.GetString(), b.GetSize()));
}

}  // namespace

Failure stream_error_failure(const json::Value& payload) {
  const json::Value* err = json::find(payload, "error");
  const json::Value& e = err && err->IsObject() ? *err : payload;
  Failure f = make_failure(FailureKind::http_status, "upstream reported an error mid-stream", 500);
  if (auto m = json::get_string(e, "message"); m && !m->empty()) f.message = std::string(*m);
  else if (err && err->IsString()) f.message = std::string(json::view(*err));
  if (auto t = json::get_string(e, "type"); t && *t != "error") f.error_type = std::string(*t);
  if (auto c = json::get_int(e, "code"); c && *c >= 400 && *c < 600) f.status = static_cast<int>(*c);
  else if (auto cs = json::get_string(e, "code"); cs && f.error_type.empty()) f.error_type = std::string(*cs);
  if (f.error_type == "overloaded_error") f.status = 529;
  f.upstream_body = json::dump(payload);
  return f;
}

void AnthropicUsageTally::merge(const json::Value& usage) {
  if (!usage.IsObject()) return;
  known = true;
  if (auto v = json::get_int(usage, "input_tokens")) input_tokens = *v;
  if (auto v = json::get_int(usage, "cache_creation_input_tokens")) cache_creation_input_tokens = *v;
  if (auto v = json::get_int(usage, "cache_read_input_tokens")) cache_read_input_tokens = *v;
  if (auto v = json::get_int(usage, "output_tokens")) output_tokens = *v;
}

Usage AnthropicUsageTally::to_usage() const {
  Usage u;
  u.known = known;
  u.input_tokens = input_tokens + cache_creation_input_tokens + cache_read_input_tokens;
  u.cached_input_tokens = cache_read_input_tokens;
  u.output_tokens = output_tokens;
  return u;
}

// ------------------------------------------------------------------------------------------------
// OpenAI → Anthropic
// ------------------------------------------------------------------------------------------------

OpenAIToAnthropicStream::OpenAIToAnthropicStream(std::string client_model, std::string message_id)
    : model_(std::move(client_model)), id_(std::move(message_id)) {}

void OpenAIToAnthropicStream::start(std::vector<std::string>& out) {
  if (started_) return;
  started_ = true;
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::kv(w, "type", "message_start");
  detail::key(w, "message");
  w.StartObject();
  detail::kv(w, "id", id_);
  detail::kv(w, "type", "message");
  detail::kv(w, "role", "assistant");
  detail::kv(w, "model", model_);
  detail::key(w, "content");
  w.StartArray();
  w.EndArray();
  detail::key(w, "stop_reason");
  w.Null();
  detail::key(w, "stop_sequence");
  w.Null();
  detail::key(w, "usage");
  w.StartObject();
  detail::kv_int(w, "input_tokens", usage_.known ? usage_.input_tokens - usage_.cached_input_tokens : input_estimate_);
  detail::kv_int(w, "output_tokens", 0);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  out.push_back(frame("message_start", b));
}

void OpenAIToAnthropicStream::close_block(std::vector<std::string>& out) {
  if (open_ == Open::none) return;
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::kv(w, "type", "content_block_stop");
  detail::kv_int(w, "index", next_index_ - 1);
  w.EndObject();
  out.push_back(frame("content_block_stop", b));
  open_ = Open::none;
  open_tool_ = -1;
}

void OpenAIToAnthropicStream::open_text(std::vector<std::string>& out) {
  if (open_ == Open::text) return;
  close_block(out);
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::kv(w, "type", "content_block_start");
  detail::kv_int(w, "index", next_index_);
  detail::key(w, "content_block");
  w.StartObject();
  detail::kv(w, "type", "text");
  detail::kv(w, "text", "");
  w.EndObject();
  w.EndObject();
  out.push_back(frame("content_block_start", b));
  open_ = Open::text;
  ++next_index_;
}

void OpenAIToAnthropicStream::end(std::vector<std::string>& out) {
  if (done_) return;
  start(out);
  close_block(out);
  Usage u = usage();
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::kv(w, "type", "message_delta");
  detail::key(w, "delta");
  w.StartObject();
  detail::kv(w, "stop_reason", anthropic_stop_reason(finish_));
  detail::key(w, "stop_sequence");
  w.Null();
  w.EndObject();
  detail::key(w, "usage");
  w.StartObject();
  if (usage_.known) {  // message_start could not know them yet: report the final counts here
    detail::kv_int(w, "input_tokens", u.input_tokens - u.cached_input_tokens);
    detail::kv_int(w, "cache_read_input_tokens", u.cached_input_tokens);
  }
  detail::kv_int(w, "output_tokens", u.output_tokens);
  w.EndObject();
  w.EndObject();
  out.push_back(frame("message_delta", b));
  out.push_back(detail::sse_frame("message_stop", R"({"type":"message_stop"})"));
  done_ = true;
}

Result<std::vector<std::string>> OpenAIToAnthropicStream::feed(std::string_view /*event*/, const std::string& data) {
  std::vector<std::string> out;
  if (done_) return out;
  if (data == "[DONE]") {
    end(out);
    return out;
  }
  std::string perr;
  auto doc = json::parse(data, &perr);
  if (!doc || !doc->IsObject()) return malformed("upstream stream chunk is not a JSON object (" + perr + ")");
  if (auto e = json::find(*doc, "error"); e && !e->IsNull()) return stream_error_failure(*doc);

  if (auto u = json::find(*doc, "usage"); u && u->IsObject()) usage_ = usage_from_openai(*doc);
  start(out);

  const json::Value* choices = json::find(*doc, "choices");
  if (!choices || !choices->IsArray() || choices->Empty()) return out;
  const json::Value& choice = (*choices)[0];
  if (const json::Value* delta = json::find(choice, "delta"); delta && delta->IsObject()) {
    if (auto text = json::get_string(*delta, "content"); text && !text->empty()) {
      open_text(out);
      produced_ += *text;
      rapidjson::StringBuffer b;
      Writer w(b);
      w.StartObject();
      detail::kv(w, "type", "content_block_delta");
      detail::kv_int(w, "index", next_index_ - 1);
      detail::key(w, "delta");
      w.StartObject();
      detail::kv(w, "type", "text_delta");
      detail::kv(w, "text", *text);
      w.EndObject();
      w.EndObject();
      out.push_back(frame("content_block_delta", b));
    }
    if (auto calls = json::find(*delta, "tool_calls"); calls && calls->IsArray()) {
      for (const auto& c : calls->GetArray()) {
        int index = static_cast<int>(json::get_int(c, "index").value_or(0));
        const json::Value* f = json::find(c, "function");
        auto id = json::get_string(c, "id");
        // Some OpenAI-compatible servers send several complete calls under one index; a new id
        // therefore starts a new call too.
        bool new_id = id && !id->empty() && *id != open_tool_id_;
        if (open_ != Open::tool || open_tool_ != index || new_id) {
          if (tools_seen_.count(index) && !new_id)
            return malformed("upstream interleaved fragments of several tool calls; cannot translate to Anthropic blocks");
          close_block(out);
          tools_seen_[index] = true;
          open_tool_id_ = id ? std::string(*id) : std::string();
          rapidjson::StringBuffer b;
          Writer w(b);
          w.StartObject();
          detail::kv(w, "type", "content_block_start");
          detail::kv_int(w, "index", next_index_);
          detail::key(w, "content_block");
          w.StartObject();
          detail::kv(w, "type", "tool_use");
          detail::kv(w, "id", id && !id->empty() ? std::string(*id) : detail::random_id("toolu_"));
          detail::kv(w, "name", f ? json::get_string(*f, "name").value_or("") : "");
          detail::key(w, "input");
          w.StartObject();
          w.EndObject();
          w.EndObject();
          w.EndObject();
          out.push_back(frame("content_block_start", b));
          open_ = Open::tool;
          open_tool_ = index;
          ++next_index_;
        }
        auto args = f ? json::get_string(*f, "arguments") : std::nullopt;
        if (args && !args->empty()) {
          produced_ += *args;
          rapidjson::StringBuffer b;
          Writer w(b);
          w.StartObject();
          detail::kv(w, "type", "content_block_delta");
          detail::kv_int(w, "index", next_index_ - 1);
          detail::key(w, "delta");
          w.StartObject();
          detail::kv(w, "type", "input_json_delta");
          detail::kv(w, "partial_json", *args);
          w.EndObject();
          w.EndObject();
          out.push_back(frame("content_block_delta", b));
        }
      }
    }
  }
  if (auto fr = json::get_string(choice, "finish_reason"); fr && !fr->empty()) {
    finish_ = std::string(*fr);
    close_block(out);
  }
  return out;
}

std::vector<std::string> OpenAIToAnthropicStream::finish() {
  std::vector<std::string> out;
  end(out);
  return out;
}

Usage OpenAIToAnthropicStream::usage() const {
  if (usage_.known) return usage_;
  Usage u;
  u.known = true;
  u.estimated = true;
  u.input_tokens = input_estimate_;
  u.output_tokens = estimate_tokens(produced_);
  return u;
}

std::string OpenAIToAnthropicStream::finish_reason() const {
  return normalized_finish_reason(Wire::openai, finish_);
}

// ------------------------------------------------------------------------------------------------
// Anthropic → OpenAI
// ------------------------------------------------------------------------------------------------

std::string openai_usage_chunk(std::string_view id, int64_t created, std::string_view model,
                               const Usage& u) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::openai_head(w, id, "chat.completion.chunk", created, model);
  detail::key(w, "choices");
  w.StartArray();
  w.EndArray();
  detail::openai_usage(w, u, false);
  if (u.estimated) {
    detail::key(w, "switchyard_estimated");
    w.Bool(true);
  }
  w.EndObject();
  w.EndObject();
  return frame({}, b);
}

AnthropicToOpenAIStream::AnthropicToOpenAIStream(std::string client_model, std::string completion_id,
                                                 bool include_usage, int64_t created)
    : model_(std::move(client_model)), id_(std::move(completion_id)), include_usage_(include_usage),
      created_(created < 0 ? detail::unix_now() : created) {}

std::string AnthropicToOpenAIStream::chunk(std::string_view delta_json, std::string_view finish_reason) const {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::openai_head(w, id_, "chat.completion.chunk", created_, model_);
  detail::key(w, "choices");
  w.StartArray();
  w.StartObject();
  detail::kv_int(w, "index", 0);
  detail::key(w, "delta");
  detail::raw(w, delta_json);
  detail::key(w, "logprobs");
  w.Null();
  detail::key(w, "finish_reason");
  if (finish_reason.empty()) w.Null(); else detail::str(w, finish_reason);
  w.EndObject();
  w.EndArray();
  w.EndObject();
  return frame({}, b);
}

void AnthropicToOpenAIStream::start(std::vector<std::string>& out) {
  if (started_) return;
  started_ = true;
  out.push_back(chunk(R"({"role":"assistant","content":""})", {}));
}

void AnthropicToOpenAIStream::end(std::vector<std::string>& out) {
  if (done_) return;
  start(out);
  out.push_back(chunk("{}", openai_finish_reason(stop_reason_)));
  if (include_usage_) out.push_back(openai_usage_chunk(id_, created_, model_, tally_.to_usage()));
  out.push_back("data: [DONE]\n\n");
  done_ = true;
}

Result<std::vector<std::string>> AnthropicToOpenAIStream::feed(std::string_view event, const std::string& data) {
  std::vector<std::string> out;
  if (done_) return out;
  std::string perr;
  auto doc = json::parse(data, &perr);
  if (!doc || !doc->IsObject()) return malformed("upstream stream event is not a JSON object (" + perr + ")");
  std::string_view type = json::get_string(*doc, "type").value_or(event);
  if (type == "error" || event == "error") return stream_error_failure(*doc);

  if (type == "message_start") {
    if (const json::Value* m = json::find(*doc, "message"))
      if (const json::Value* u = json::find(*m, "usage")) tally_.merge(*u);
    start(out);
  } else if (type == "content_block_start") {
    start(out);
    const json::Value* blk = json::find(*doc, "content_block");
    int64_t index = json::get_int(*doc, "index").value_or(0);
    auto bt = blk ? json::get_string(*blk, "type").value_or("") : std::string_view{};
    if (bt == "text") {
      if (auto t = json::get_string(*blk, "text"); t && !t->empty()) {
        out.push_back(chunk("{\"content\":" + json::quote(*t) + "}", {}));
      }
    } else if (bt == "tool_use") {
      int k = next_tool_++;
      tool_of_block_[index] = k;
      rapidjson::StringBuffer b;
      Writer w(b);
      w.StartObject();
      detail::key(w, "tool_calls");
      w.StartArray();
      w.StartObject();
      detail::kv_int(w, "index", k);
      detail::kv(w, "id", json::get_string(*blk, "id").value_or(""));
      detail::kv(w, "type", "function");
      detail::key(w, "function");
      w.StartObject();
      detail::kv(w, "name", json::get_string(*blk, "name").value_or(""));
      detail::kv(w, "arguments", "");
      w.EndObject();
      w.EndObject();
      w.EndArray();
      w.EndObject();
      out.push_back(chunk(detail::text(b), {}));
    }
  } else if (type == "content_block_delta") {
    start(out);
    const json::Value* delta = json::find(*doc, "delta");
    int64_t index = json::get_int(*doc, "index").value_or(0);
    auto dt = delta ? json::get_string(*delta, "type").value_or("") : std::string_view{};
    if (dt == "text_delta") {
      if (auto t = json::get_string(*delta, "text"); t && !t->empty())
        out.push_back(chunk("{\"content\":" + json::quote(*t) + "}", {}));
    } else if (dt == "input_json_delta") {
      auto it = tool_of_block_.find(index);
      auto pj = json::get_string(*delta, "partial_json");
      if (it != tool_of_block_.end() && pj && !pj->empty()) {
        rapidjson::StringBuffer b;
        Writer w(b);
        w.StartObject();
        detail::key(w, "tool_calls");
        w.StartArray();
        w.StartObject();
        detail::kv_int(w, "index", it->second);
        detail::key(w, "function");
        w.StartObject();
        detail::kv(w, "arguments", *pj);
        w.EndObject();
        w.EndObject();
        w.EndArray();
        w.EndObject();
        out.push_back(chunk(detail::text(b), {}));
      }
    }
  } else if (type == "message_delta") {
    if (const json::Value* d = json::find(*doc, "delta"))
      if (auto sr = json::get_string(*d, "stop_reason")) stop_reason_ = std::string(*sr);
    if (const json::Value* u = json::find(*doc, "usage")) tally_.merge(*u);
  } else if (type == "message_stop") {
    end(out);
  }
  // ping, content_block_stop and unknown events produce nothing.
  return out;
}

std::vector<std::string> AnthropicToOpenAIStream::finish() {
  std::vector<std::string> out;
  end(out);
  return out;
}

std::string AnthropicToOpenAIStream::finish_reason() const {
  return normalized_finish_reason(Wire::anthropic, stop_reason_);
}

// ------------------------------------------------------------------------------------------------
// Pass-through observers
// ------------------------------------------------------------------------------------------------

Result<std::string> OpenAIStreamObserver::feed(const std::string& data) {
  usage_only_ = false;
  last_.reset();
  if (data == "[DONE]") {
    done_ = true;
    return std::string("data: [DONE]\n\n");
  }
  std::string perr;
  auto doc = json::parse(data, &perr);
  if (!doc || !doc->IsObject()) return malformed("upstream stream chunk is not a JSON object (" + perr + ")");
  if (auto e = json::find(*doc, "error"); e && !e->IsNull()) return stream_error_failure(*doc);
  const json::Value* u = json::find(*doc, "usage");
  if (u && u->IsObject()) usage_ = usage_from_openai(*doc);
  const json::Value* ch = json::find(*doc, "choices");
  usage_only_ = u && u->IsObject() && ch && ch->IsArray() && ch->Empty();
  if (ch && ch->IsArray() && !ch->Empty())
    if (auto fr = json::get_string((*ch)[0], "finish_reason"); fr && !fr->empty()) finish_ = std::string(*fr);
  auto m = json::get_string(*doc, "model");
  std::string frame = model_.empty() || !m || *m == model_
                          ? detail::sse_frame({}, data)
                          : detail::sse_frame({}, json::rewrite_members(*doc, data, {{"model", json::quote(model_)}}));
  last_ = std::move(doc);
  return frame;
}

std::string OpenAIStreamObserver::finish_reason() const { return normalized_finish_reason(Wire::openai, finish_); }

Result<std::string> AnthropicStreamObserver::feed(std::string_view event, const std::string& data) {
  last_.reset();
  std::string perr;
  auto doc = json::parse(data, &perr);
  if (!doc || !doc->IsObject()) return malformed("upstream stream event is not a JSON object (" + perr + ")");
  std::string_view type = json::get_string(*doc, "type").value_or(event);
  std::string_view name = event.empty() ? type : event;
  if (type == "error" || event == "error") return stream_error_failure(*doc);
  if (type == "message_start") {
    json::Value* m = doc->HasMember("message") ? &(*doc)["message"] : nullptr;
    if (m && m->IsObject()) {
      if (const json::Value* u = json::find(*m, "usage")) tally_.merge(*u);
      auto model = json::get_string(*m, "model");
      if (!model_.empty() && model && *model != model_) {
        (*m)["model"].SetString(model_.data(), static_cast<rapidjson::SizeType>(model_.size()), doc->GetAllocator());
        std::string frame = detail::sse_frame(name, json::dump(*doc));
        last_ = std::move(doc);
        return frame;
      }
    }
  } else if (type == "message_delta") {
    if (const json::Value* d = json::find(*doc, "delta"))
      if (auto sr = json::get_string(*d, "stop_reason")) stop_reason_ = std::string(*sr);
    if (const json::Value* u = json::find(*doc, "usage")) tally_.merge(*u);
  } else if (type == "message_stop") {
    done_ = true;
  }
  last_ = std::move(doc);
  return detail::sse_frame(name, data);
}

std::string AnthropicStreamObserver::finish_reason() const {
  return normalized_finish_reason(Wire::anthropic, stop_reason_);
}

}  // namespace sy::api
