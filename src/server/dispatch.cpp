#include <chrono>
#include <string_view>

#include "server/handlers.hpp"
#include "server/request_log.hpp"

namespace sy::server {

namespace {

// API endpoints take POST and are logged; the others take GET (and HEAD) and are not.
enum class Endpoint { chat_openai, chat_anthropic, count_tokens, embeddings, rerank, classify,
                      models, healthz, readyz, metrics, unknown };

Endpoint endpoint_of(std::string_view path) {
  if (path == "/v1/chat/completions" || path == "/chat/completions") return Endpoint::chat_openai;
  if (path == "/v1/messages") return Endpoint::chat_anthropic;
  if (path == "/v1/messages/count_tokens") return Endpoint::count_tokens;
  if (path == "/v1/embeddings" || path == "/embeddings") return Endpoint::embeddings;
  if (path == "/v1/rerank" || path == "/rerank") return Endpoint::rerank;
  if (path == "/v1/classify" || path == "/classify") return Endpoint::classify;
  if (path == "/v1/models" || path == "/models") return Endpoint::models;
  if (path == "/healthz") return Endpoint::healthz;
  if (path == "/readyz") return Endpoint::readyz;
  if (path == "/metrics") return Endpoint::metrics;
  return Endpoint::unknown;
}

bool is_api(Endpoint e) {
  return e == Endpoint::chat_openai || e == Endpoint::chat_anthropic || e == Endpoint::count_tokens ||
         e == Endpoint::embeddings || e == Endpoint::rerank || e == Endpoint::classify;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

}  // namespace

bool is_api_path(std::string_view target) { return is_api(endpoint_of(path_of(target))); }

asio::awaitable<void> dispatch(App& app, Exchange& ex, providers::CallContext& ctx) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto& req = ex.request();
  const std::string_view target = path_of(req.target());
  const Endpoint endpoint = endpoint_of(target);
  const bool method_ok = is_api(endpoint) ? req.method() == http::verb::post
                                          : req.method() == http::verb::get ||
                                                req.method() == http::verb::head;
  if (method_ok) {
    switch (endpoint) {
      case Endpoint::chat_openai: co_return co_await handle_chat(app, ex, ctx, Wire::openai);
      case Endpoint::chat_anthropic: co_return co_await handle_chat(app, ex, ctx, Wire::anthropic);
      case Endpoint::count_tokens: co_return co_await handle_count_tokens(app, ex, ctx);
      case Endpoint::embeddings: co_return co_await handle_embeddings(app, ex, ctx);
      case Endpoint::rerank: co_return co_await handle_rerank(app, ex, ctx);
      case Endpoint::classify: co_return co_await handle_classify(app, ex, ctx);
      case Endpoint::models: co_return co_await handle_models(app, ex);
      case Endpoint::healthz: co_return co_await handle_healthz(app, ex);
      case Endpoint::readyz: co_return co_await handle_readyz(app, ex);
      case Endpoint::metrics: co_return co_await handle_metrics(app, ex);
      case Endpoint::unknown: break;
    }
  }
  // Other Anthropic SDK calls under /v1/messages (batches) get Anthropic's error shape.
  const Wire wire = target.starts_with("/v1/messages") ? Wire::anthropic : Wire::openai;
  if (endpoint == Endpoint::unknown) {
    co_return co_await send_error(app, ex, wire, 404,
                                  "Unknown path " + std::string(target) + ": switchyard serves "
                                  "/v1/chat/completions, /v1/messages, /v1/embeddings, /v1/rerank, /v1/classify, "
                                  "/v1/models, "
                                  "/healthz, /readyz, /metrics",
                                  "", "", "unknown_url");
  }
  ex.add_header("allow", is_api(endpoint) ? "POST" : "GET, HEAD");
  std::string msg = "Method " + std::string(req.method_string()) + " is not allowed on " + std::string(target);
  co_await send_error(app, ex, wire, 405, msg, "", "", "method_not_allowed");
  // A wrong method on an API endpoint is a client error of that API: counted and logged like the
  // others (the unknown-path 404 above names no API, so it is neither).
  if (is_api(endpoint)) log_rejected(app, ex, 405, std::move(msg), t0);
}

}  // namespace sy::server
