// Request handlers, one per endpoint family, and the dispatcher that picks one by method + path.
#pragma once

#include <boost/asio/awaitable.hpp>

#include "providers/provider.hpp"
#include "server/app.hpp"
#include "server/exchange.hpp"

namespace sy::server {

asio::awaitable<void> dispatch(App& app, Exchange& ex, providers::CallContext& ctx);

asio::awaitable<void> handle_chat(App& app, Exchange& ex, providers::CallContext& ctx, Wire wire);
asio::awaitable<void> handle_embeddings(App& app, Exchange& ex, providers::CallContext& ctx);
asio::awaitable<void> handle_models(App& app, Exchange& ex);
asio::awaitable<void> handle_healthz(App& app, Exchange& ex);
asio::awaitable<void> handle_readyz(App& app, Exchange& ex);
asio::awaitable<void> handle_metrics(App& app, Exchange& ex);

// Answers with an error in the API's own shape (OpenAI's or Anthropic's) and counts it.
asio::awaitable<void> send_error(App& app, Exchange& ex, Wire wire, int status,
                                 std::string message, std::string type = {},
                                 std::string param = {}, std::string code = {});

}  // namespace sy::server
