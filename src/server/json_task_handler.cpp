// The body shared by the endpoints that take one JSON object and answer one (POST /v1/embeddings,
// /v1/rerank, /v1/classify): they differ only in how the body is checked at the door, which model
// type serves them and which provider method runs them (a JsonTask). Same machinery as chat:
// route → fallback chain → x-switchyard-* headers → request log.
#include <chrono>
#include <variant>

#include <fmt/format.h>

#include "api/classify.hpp"
#include "api/openai_chat.hpp"
#include "api/rerank.hpp"
#include "api/token_estimate.hpp"
#include "cost/pricing.hpp"
#include "routing/fallback.hpp"
#include "server/failure_status.hpp"
#include "server/handlers.hpp"
#include "server/request_log.hpp"

namespace sy::server {

asio::awaitable<void> handle_json_task(App& app, Exchange& ex, providers::CallContext& ctx,
                                       const JsonTask& task) {
  const auto t0 = std::chrono::steady_clock::now();
  store::RequestRecord rec = begin_record(app, ex);
  const std::string& raw = ex.request().body();
  if (keep_bodies(app)) rec.request_body = raw;
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
  auto v = task.validate(*doc);
  if (auto* e = std::get_if<api::ApiError>(&v)) co_return co_await reject(e->status, e->message, e->param, e->code);
  const std::string& model = std::get<std::string>(v);
  rec.public_model = model;
  if (auto u = json::get_string(*doc, "user")) rec.user = std::string(*u);

  const routing::Route* route = app.router.resolve(model);
  if (!route) {
    std::string msg = fmt::format("The model `{}` does not exist or you do not have access to it.", model);
    co_return co_await reject(404, std::move(msg), "model", "model_not_found");
  }
  if (route->type != task.model_type) {
    std::string msg = fmt::format("Model '{}' is a {} model; it cannot serve {}", model, route->type, task.serves);
    co_return co_await reject(400, std::move(msg), "model", "model_not_supported");
  }

  auto out = co_await routing::run_chain<providers::JsonResponse>(
      *route, app.router.fallback(),
      [&](const routing::Target& t) -> asio::awaitable<Result<providers::JsonResponse>> {
        providers::JsonCall c{&*doc, t.model->upstream_model, model, raw};
        co_return co_await (t.provider->*task.call)(c, ctx);
      }, ctx.deadline, &app.cutting);
  add_attempts(app, rec, out.attempts);
  if (!out.result.ok())
    co_return co_await answer_chain_failure(app, ex, Wire::openai, std::move(rec),
                                            out.result.failure(), out.attempts, t0);
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
  rec.status = 200;
  rec.outcome = "ok";
  note_served(app, ex, rec, *route, t, out.attempts);
  ex.add_header("x-switchyard-cost", cost::format_cost(rec.cost_usd));
  if (u.estimated) ex.add_header("x-switchyard-usage-estimated", "true");
  if (task.log_response && keep_bodies(app)) rec.response_body = resp.body;
  if (!co_await ex.send(200, std::move(resp.body))) rec.outcome = "client_disconnected";
  finish_record(app, std::move(rec), t0);
}

namespace {

template <class Info>
std::variant<std::string, api::ApiError> model_of(std::variant<Info, api::ApiError> v) {
  if (auto* e = std::get_if<api::ApiError>(&v)) return std::move(*e);
  return std::move(std::get<Info>(v).model);
}

}  // namespace

asio::awaitable<void> handle_embeddings(App& app, Exchange& ex, providers::CallContext& ctx) {
  // The door takes every form OpenAI does (token ids included): a local target refuses what it
  // cannot run, and a chain may fall back to one that can.
  static const JsonTask task{
      "embeddings", "embedding",
      [](const json::Value& b) { return model_of(api::validate_openai_embeddings(b)); },
      &providers::Provider::embeddings,
      false,  // embedding vectors are bulky and rarely useful to audit: keep the request only
  };
  co_await handle_json_task(app, ex, ctx, task);
}

asio::awaitable<void> handle_rerank(App& app, Exchange& ex, providers::CallContext& ctx) {
  static const JsonTask task{
      "rerank requests", "rerank",
      [](const json::Value& b) { return model_of(api::parse_rerank_request(b)); },
      &providers::Provider::rerank,
      true,
  };
  co_await handle_json_task(app, ex, ctx, task);
}

asio::awaitable<void> handle_classify(App& app, Exchange& ex, providers::CallContext& ctx) {
  static const JsonTask task{
      "classify requests", "classify",
      [](const json::Value& b) { return model_of(api::parse_classify_request(b)); },
      &providers::Provider::classify,
      true,
  };
  co_await handle_json_task(app, ex, ctx, task);
}

}  // namespace sy::server
