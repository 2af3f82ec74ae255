// POST /v1/embeddings (OpenAI format), through the same fallback machinery as chat.
#include <chrono>
#include <variant>

#include <fmt/format.h>

#include "api/openai_chat.hpp"
#include "api/token_estimate.hpp"
#include "cost/pricing.hpp"
#include "routing/fallback.hpp"
#include "server/failure_status.hpp"
#include "server/handlers.hpp"
#include "server/request_log.hpp"

namespace sy::server {

asio::awaitable<void> handle_embeddings(App& app, Exchange& ex, providers::CallContext& ctx) {
  const auto t0 = std::chrono::steady_clock::now();
  store::RequestRecord rec = begin_record(ex);
  const std::string& raw = ex.request().body();
  if (app.cfg.log.store_bodies) rec.request_body = raw;
  auto reject = [&](int status, std::string msg, std::string param = {},
                    std::string code = {}) -> asio::awaitable<void> {
    rec.status = status;
    rec.outcome = "client_error";
    rec.error = msg;
    co_await send_error(app, ex, Wire::openai, status, std::move(msg), "", std::move(param), std::move(code));
    finish_record(app, std::move(rec), t0);
  };

  std::string perr;
  auto doc = json::parse(raw, &perr);
  if (!doc) co_return co_await reject(400, "The request body is not valid JSON (" + perr + ")");
  auto v = api::validate_openai_embeddings(*doc);
  if (auto* e = std::get_if<api::ApiError>(&v)) co_return co_await reject(e->status, e->message, e->param, e->code);
  const auto& info = std::get<api::EmbeddingsRequestInfo>(v);
  rec.public_model = info.model;
  if (auto u = json::get_string(*doc, "user")) rec.user = std::string(*u);

  const routing::Route* route = app.router.resolve(info.model);
  if (!route)
    co_return co_await reject(404, fmt::format("The model `{}` does not exist or you do not have access to it.", info.model),
                              "model", "model_not_found");
  if (route->type != "embedding")
    co_return co_await reject(400, fmt::format("Model '{}' is a {} model; it cannot serve embeddings", info.model, route->type),
                              "model", "model_not_supported");

  auto out = co_await routing::run_chain<providers::JsonResponse>(
      *route, app.router.fallback(),
      [&](const routing::Target& t) -> asio::awaitable<Result<providers::JsonResponse>> {
        providers::EmbeddingsCall c{&*doc, t.model->upstream_model};
        co_return co_await t.provider->embeddings(c, ctx);
      });
  add_attempts(rec, out.attempts);
  if (!out.result.ok()) {
    const Failure& f = out.result.failure();
    rec.status = status_for(f);
    rec.outcome = "upstream_error";
    rec.error = client_message(f, out.attempts);
    co_await send_error(app, ex, Wire::openai, rec.status, rec.error, "", "", failure_code(f));
    co_return finish_record(app, std::move(rec), t0);
  }
  auto& resp = out.result.value();
  const routing::Target& t = *out.served;
  Usage u = resp.usage;
  if (!u.known) {
    u.known = u.estimated = true;
    u.input_tokens = api::estimate_prompt_tokens(Wire::openai, *doc);
  }
  rec.input_tokens = u.input_tokens;
  rec.usage_estimated = u.estimated;
  rec.cost_usd = cost::cost_usd(u, t.model->input_price_per_mtok, t.model->output_price_per_mtok);
  rec.served_model = t.model->name;
  rec.provider = std::string(t.provider->name());
  rec.status = 200;
  rec.outcome = "ok";
  ex.add_header("x-switchyard-model", t.model->name);
  ex.add_header("x-switchyard-provider", rec.provider);
  ex.add_header("x-switchyard-attempts", std::to_string(out.attempts.size()));
  ex.add_header("x-switchyard-cost", cost::format_cost(rec.cost_usd));
  // Embedding vectors are bulky and rarely useful to audit: keep the request, not the vectors.
  if (!co_await ex.send(200, std::move(resp.body))) rec.outcome = "client_disconnected";
  finish_record(app, std::move(rec), t0);
}

}  // namespace sy::server
