#include "providers/openai_provider.hpp"

#include "api/token_estimate.hpp"
#include "api/translate_request.hpp"
#include "api/translate_response.hpp"
#include "common/json_splice.hpp"
#include "providers/frame_translators.hpp"
#include "providers/http_util.hpp"
#include "providers/sse_chat_stream.hpp"
#include "upstream/http_client.hpp"

namespace sy::providers {

namespace {
constexpr size_t kMaxErrorBody = 64 * 1024;
}

OpenAIProvider::OpenAIProvider(config::ProviderConfig cfg) : cfg_(std::move(cfg)) {}

std::optional<std::string> OpenAIProvider::unavailable_reason() const {
  // Local OpenAI-compatible servers (vLLM, Ollama, llama.cpp) often need no key; only a key that
  // was asked for through an environment variable and came out empty is a configuration problem.
  if (cfg_.api_key.empty() && !cfg_.api_key_env.empty())
    return "api_key is empty: set " + cfg_.api_key_env;
  return std::nullopt;
}

upstream::Request OpenAIProvider::request(std::string_view path, std::string body,
                                          const CallContext& ctx) const {
  upstream::Request req = make_request(cfg_, path, std::move(body), ctx.request_id, ctx.deadline);
  if (!cfg_.api_key.empty()) req.headers.emplace_back("authorization", "Bearer " + cfg_.api_key);
  return req;
}

Result<std::string> OpenAIProvider::request_body(const ChatCall& call) const {
  const bool usage = call.stream && cfg_.stream_usage;
  if (call.client_wire == Wire::anthropic)
    return api::anthropic_to_openai_request(*call.body, call.upstream_model, call.stream, usage);
  std::vector<json::RawMember> over{{"model", json::quote(call.upstream_model)}};
  const json::Value* so = json::find(*call.body, "stream_options");
  const bool asked = so && so->IsObject() && json::get_bool(*so, "include_usage") == true;
  if (usage && !asked) {
    // Keep the client's other stream_options; only make sure usage is reported.
    std::string opts = R"({"include_usage":true})";
    if (so && so->IsObject()) {
      json::Document d;
      d.CopyFrom(*so, d.GetAllocator());
      if (d.HasMember("include_usage")) d["include_usage"] = true;
      else d.AddMember("include_usage", true, d.GetAllocator());
      opts = json::dump(d);
    }
    over.push_back({"stream_options", std::move(opts)});
  }
  return json::rewrite_members(*call.body, call.body_text, over);
}

asio::awaitable<Result<ChatResponse>> OpenAIProvider::chat(const ChatCall& call, CallContext& ctx) {
  if (auto why = unavailable_reason()) co_return make_failure(FailureKind::unavailable, *why);
  auto body = request_body(call);
  if (!body.ok()) co_return body.failure();
  auto reply = co_await send_for_json(*ctx.http, request("/chat/completions", std::move(body.value()), ctx),
                                     cfg_.name, "choices", "chat completion");
  if (!reply.ok()) co_return reply.failure();
  const json::Document* doc = &reply->doc;
  ChatResponse out;
  out.usage = api::usage_from_openai(*doc);
  if (const json::Value* ch = json::find(*doc, "choices"); ch && ch->IsArray() && !ch->Empty()) {
    if (auto fr = json::get_string((*ch)[0], "finish_reason")) out.finish_reason = std::string(*fr);
  }
  if (call.client_wire == Wire::anthropic) {
    auto translated = api::openai_to_anthropic_response(*doc, call.client_model);
    if (!translated.ok()) co_return translated.failure();
    out.body = std::move(translated.value());
  } else {
    // Same wire: forward the upstream's answer as it is, but in the name the client used.
    out.body = json::rewrite_members(*doc, reply->text, {{"model", json::quote(call.client_model)}});
  }
  co_return out;
}

asio::awaitable<Result<std::unique_ptr<ChatStream>>> OpenAIProvider::chat_stream(const ChatCall& call,
                                                                                 CallContext& ctx) {
  if (auto why = unavailable_reason()) co_return make_failure(FailureKind::unavailable, *why);
  auto body = request_body(call);
  if (!body.ok()) co_return body.failure();
  auto opened = co_await ctx.http->open(request("/chat/completions", std::move(body.value()), ctx));
  if (!opened.ok()) co_return opened.failure();
  auto& resp = *opened.value();
  if (resp.status() < 200 || resp.status() >= 300) {
    std::string err = co_await drain_body(resp, kMaxErrorBody);
    co_return failure_from_status(resp.status(), resp.headers(), std::move(err), cfg_.name);
  }
  if (!is_event_stream(resp.header("content-type"))) {
    co_return make_failure(FailureKind::malformed,
                           "upstream " + cfg_.name + " answered a stream request without "
                           "text/event-stream");
  }
  bool include_usage = false;
  if (const json::Value* so = json::find(*call.body, "stream_options"))
    include_usage = json::get_bool(*so, "include_usage").value_or(false);
  auto stream = std::make_unique<SseChatStream>(
      std::move(opened.value()), from_openai_stream(call.client_wire, call.client_model, include_usage),
      cfg_.name);
  auto primed = co_await stream->prime();
  if (!primed.ok()) co_return primed.failure();
  co_return std::unique_ptr<ChatStream>(std::move(stream));
}

asio::awaitable<Result<JsonResponse>> OpenAIProvider::embeddings(const EmbeddingsCall& call,
                                                                 CallContext& ctx) {
  if (auto why = unavailable_reason()) co_return make_failure(FailureKind::unavailable, *why);
  std::string body =
      json::rewrite_members(*call.body, call.body_text, {{"model", json::quote(call.upstream_model)}});
  auto reply = co_await send_for_json(*ctx.http, request("/embeddings", std::move(body), ctx), cfg_.name,
                                     "data", "embeddings response");
  if (!reply.ok()) co_return reply.failure();
  JsonResponse out;
  out.usage = api::usage_from_openai(reply->doc);
  out.body = json::rewrite_members(reply->doc, reply->text, {{"model", json::quote(call.client_model)}});
  co_return out;
}

}  // namespace sy::providers
