// Request handlers, one per endpoint family, and the dispatcher that picks one by method + path.
#pragma once

#include <string_view>
#include <variant>

#include <boost/asio/awaitable.hpp>

#include "api/errors.hpp"
#include "providers/provider.hpp"
#include "server/app.hpp"
#include "server/exchange.hpp"

namespace sy::server {

asio::awaitable<void> dispatch(App& app, Exchange& ex, providers::CallContext& ctx);
// Whether a request target (query string allowed) names an API endpoint, i.e. one whose requests
// are logged: chat, messages (and its count_tokens), embeddings, rerank, classify.
bool is_api_path(std::string_view target);

asio::awaitable<void> handle_chat(App& app, Exchange& ex, providers::CallContext& ctx, Wire wire);
// POST /v1/messages/count_tokens (server/count_tokens_handler.cpp).
asio::awaitable<void> handle_count_tokens(App& app, Exchange& ex, providers::CallContext& ctx);
asio::awaitable<void> handle_embeddings(App& app, Exchange& ex, providers::CallContext& ctx);
asio::awaitable<void> handle_rerank(App& app, Exchange& ex, providers::CallContext& ctx);
asio::awaitable<void> handle_classify(App& app, Exchange& ex, providers::CallContext& ctx);

// Embeddings, rerank and classify share one handler (server/json_task_handler.cpp): JSON in, JSON
// out, OpenAI-shaped errors. A JsonTask is what differs between them.
struct JsonTask {
  std::string_view serves;       // for "Model 'x' is a chat model; it cannot serve <serves>"
  std::string_view model_type;   // the route type that serves the endpoint
  // Checks the body at the door: the requested model, or the 400 to answer.
  std::variant<std::string, api::ApiError> (*validate)(const json::Value& body);
  asio::awaitable<Result<providers::JsonResponse>> (providers::Provider::*call)(
      const providers::JsonCall& call, providers::CallContext& ctx);
  bool log_response = true;      // keep the response body in the request log
};
asio::awaitable<void> handle_json_task(App& app, Exchange& ex, providers::CallContext& ctx,
                                       const JsonTask& task);
asio::awaitable<void> handle_models(App& app, Exchange& ex);
asio::awaitable<void> handle_healthz(App& app, Exchange& ex);
asio::awaitable<void> handle_readyz(App& app, Exchange& ex);
asio::awaitable<void> handle_metrics(App& app, Exchange& ex);

// Answers with an error in the API's own shape (OpenAI's or Anthropic's); counting and logging
// are the caller's (finish_record).
asio::awaitable<void> send_error(App& app, Exchange& ex, Wire wire, int status,
                                 std::string message, std::string type = {},
                                 std::string param = {}, std::string code = {});

}  // namespace sy::server
