#include "providers/anthropic_provider.hpp"

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

AnthropicProvider::AnthropicProvider(config::ProviderConfig cfg) : cfg_(std::move(cfg)) {}

std::optional<std::string> AnthropicProvider::unavailable_reason() const {
  if (!cfg_.api_key.empty()) return std::nullopt;
  return cfg_.api_key_env.empty() ? std::string("api_key is empty")
                                  : "api_key is empty: set " + cfg_.api_key_env;
}

upstream::Request AnthropicProvider::request(std::string body, const CallContext& ctx,
                                             std::string_view path) const {
  upstream::Request req = make_request(cfg_, path, std::move(body), ctx.request_id, ctx.deadline);
  req.headers.emplace_back("x-api-key", cfg_.api_key);
  req.headers.emplace_back("anthropic-version", cfg_.anthropic_version);
  return req;
}

Result<std::string> AnthropicProvider::request_body(const ChatCall& call) const {
  if (call.client_wire == Wire::openai)
    return api::openai_to_anthropic_request(*call.body, call.upstream_model, call.stream,
                                            kDefaultMaxTokens);
  return json::rewrite_members(*call.body, call.body_text, {{"model", json::quote(call.upstream_model)}});
}

asio::awaitable<Result<ChatResponse>> AnthropicProvider::chat(const ChatCall& call,
                                                              CallContext& ctx) {
  if (auto why = unavailable_reason()) co_return make_failure(FailureKind::unavailable, *why);
  auto body = request_body(call);
  if (!body.ok()) co_return body.failure();
  auto reply = co_await send_for_json(*ctx.http, request(std::move(body.value()), ctx), cfg_.name,
                                     "content", "message");
  if (!reply.ok()) co_return reply.failure();
  const json::Document* doc = &reply->doc;
  ChatResponse out;
  out.usage = api::usage_from_anthropic(*doc);
  if (auto sr = json::get_string(*doc, "stop_reason")) out.finish_reason = std::string(*sr);
  if (call.client_wire == Wire::openai) {
    auto translated = api::anthropic_to_openai_response(*doc, call.client_model);
    if (!translated.ok()) co_return translated.failure();
    out.body = std::move(translated.value());
  } else {
    // Same wire: forward the upstream's answer as it is, but in the name the client used.
    out.body = json::rewrite_members(*doc, reply->text, {{"model", json::quote(call.client_model)}});
  }
  co_return out;
}

asio::awaitable<Result<JsonResponse>> AnthropicProvider::count_tokens(const JsonCall& call,
                                                                      CallContext& ctx) {
  if (auto why = unavailable_reason()) co_return make_failure(FailureKind::unavailable, *why);
  std::string body =
      json::rewrite_members(*call.body, call.body_text, {{"model", json::quote(call.upstream_model)}});
  auto reply = co_await send_for_json(*ctx.http, request(std::move(body), ctx, "/v1/messages/count_tokens"),
                                     cfg_.name, "input_tokens", "token count");
  if (!reply.ok()) co_return reply.failure();
  JsonResponse out;
  if (auto n = json::get_int(reply->doc, "input_tokens")) {
    out.usage.known = true;
    out.usage.input_tokens = *n;
  }
  out.body = std::move(reply->text);
  co_return out;
}

asio::awaitable<Result<std::unique_ptr<ChatStream>>> AnthropicProvider::chat_stream(
    const ChatCall& call, CallContext& ctx) {
  if (auto why = unavailable_reason()) co_return make_failure(FailureKind::unavailable, *why);
  auto body = request_body(call);
  if (!body.ok()) co_return body.failure();
  auto opened = co_await ctx.http->open(request(std::move(body.value()), ctx));
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
  if (call.client_wire == Wire::openai) {
    if (const json::Value* so = json::find(*call.body, "stream_options"))
      include_usage = json::get_bool(*so, "include_usage").value_or(false);
  }
  auto stream = std::make_unique<SseChatStream>(
      std::move(opened.value()),
      from_anthropic_stream(call.client_wire, call.client_model, include_usage), cfg_.name);
  auto primed = co_await stream->prime();
  if (!primed.ok()) co_return primed.failure();
  co_return std::unique_ptr<ChatStream>(std::move(stream));
}

}  // namespace sy::providers
