#include <string_view>

#include "server/handlers.hpp"

namespace sy::server {

asio::awaitable<void> dispatch(App& app, Exchange& ex, providers::CallContext& ctx) {
  const auto& req = ex.request();
  std::string_view target = req.target();
  if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  const bool post = req.method() == http::verb::post;
  const bool get = req.method() == http::verb::get || req.method() == http::verb::head;

  if (target == "/v1/chat/completions" || target == "/chat/completions") {
    if (post) co_return co_await handle_chat(app, ex, ctx, Wire::openai);
  } else if (target == "/v1/messages") {
    if (post) co_return co_await handle_chat(app, ex, ctx, Wire::anthropic);
  } else if (target == "/v1/embeddings" || target == "/embeddings") {
    if (post) co_return co_await handle_embeddings(app, ex, ctx);
  } else if (target == "/v1/rerank" || target == "/rerank") {
    if (post) co_return co_await handle_rerank(app, ex, ctx);
  } else if (target == "/v1/classify" || target == "/classify") {
    if (post) co_return co_await handle_classify(app, ex, ctx);
  } else if (target == "/v1/models" || target == "/models") {
    if (get) co_return co_await handle_models(app, ex);
  } else if (target == "/healthz") {
    if (get) co_return co_await handle_healthz(app, ex);
  } else if (target == "/readyz") {
    if (get) co_return co_await handle_readyz(app, ex);
  } else if (target == "/metrics") {
    if (get) co_return co_await handle_metrics(app, ex);
  } else {
    co_return co_await send_error(app, ex, Wire::openai, 404,
                                  "Unknown path " + std::string(target) + ": switchyard serves "
                                  "/v1/chat/completions, /v1/messages, /v1/embeddings, /v1/rerank, /v1/classify, "
                                  "/v1/models, "
                                  "/healthz, /readyz, /metrics",
                                  "", "", "unknown_url");
  }
  ex.add_header("allow", post ? "GET" : "POST");
  const Wire wire = target == "/v1/messages" ? Wire::anthropic : Wire::openai;
  std::string msg = "Method " + std::string(req.method_string()) + " is not allowed on " + std::string(target);
  co_await send_error(app, ex, wire, 405, std::move(msg), "", "", "method_not_allowed");
}

}  // namespace sy::server
