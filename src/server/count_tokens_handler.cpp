// POST /v1/messages/count_tokens: Anthropic's token count for a Messages request, as the
// Anthropic SDK's messages.countTokens() calls it. The count is the one of the model that would
// serve the request: an Anthropic-kind target asks its upstream; any other target is answered
// with switchyard's own estimate (marked x-switchyard-usage-estimated), since OpenAI-compatible
// servers have no such endpoint. The chain's fallback applies as for chat. Logged like every API
// request, with no tokens or cost: counting consumes none.
#include <chrono>
#include <variant>

#include <fmt/format.h>

#include "api/anthropic_messages.hpp"
#include "api/token_estimate.hpp"
#include "routing/fallback.hpp"
#include "server/failure_status.hpp"
#include "server/handlers.hpp"
#include "server/request_log.hpp"

namespace sy::server {

asio::awaitable<void> handle_count_tokens(App& app, Exchange& ex, providers::CallContext& ctx) {
  const auto t0 = std::chrono::steady_clock::now();
  store::RequestRecord rec = begin_record(app, ex);
  const std::string& raw = ex.request().body();
  if (keep_bodies(app)) rec.request_body = raw;
  auto reject = [&](int status, std::string msg, std::string type = {}) -> asio::awaitable<void> {
    rec.status = status;
    rec.outcome = "client_error";
    rec.error = msg;
    co_await send_error(app, ex, Wire::anthropic, status, std::move(msg), std::move(type));
    finish_record(app, std::move(rec), t0);
  };

  std::string perr;
  auto doc = json::parse(raw, &perr);
  if (!doc) co_return co_await reject(400, "The request body is not valid JSON (" + perr + ")");
  auto v = api::validate_anthropic_count_tokens(*doc);
  if (auto* e = std::get_if<api::ApiError>(&v)) co_return co_await reject(e->status, e->message, e->type);
  const std::string model = std::get<api::MessagesRequestInfo>(v).model;
  rec.public_model = model;

  const routing::Route* route = app.router.resolve(model);
  if (!route) co_return co_await reject(404, fmt::format("model: {}", model));
  if (route->type != "chat") {
    std::string msg = fmt::format("Model '{}' is a {} model; it cannot count message tokens", model, route->type);
    co_return co_await reject(400, std::move(msg));
  }

  auto out = co_await routing::run_chain<providers::JsonResponse>(
      *route, app.router.fallback(),
      [&](const routing::Target& t) -> asio::awaitable<Result<providers::JsonResponse>> {
        if (t.provider->kind() == "anthropic") {
          providers::JsonCall c{&*doc, t.model->upstream_model, model, raw};
          co_return co_await t.provider->count_tokens(c, ctx);
        }
        // A target that could not serve the request cannot answer for its count either.
        if (auto why = t.provider->unavailable_reason()) co_return make_failure(FailureKind::unavailable, *why);
        providers::JsonResponse est;
        est.usage.known = est.usage.estimated = true;
        est.usage.input_tokens = api::estimate_prompt_tokens(Wire::anthropic, *doc);
        est.body = fmt::format(R"({{"input_tokens":{}}})", est.usage.input_tokens);
        co_return est;
      }, ctx.deadline, &app.cutting);
  add_attempts(app, rec, out.attempts);
  if (!out.result.ok())
    co_return co_await answer_chain_failure(app, ex, Wire::anthropic, std::move(rec),
                                            out.result.failure(), out.attempts, t0);
  auto& resp = out.result.value();
  const routing::Target& t = *out.served;
  rec.status = 200;
  rec.outcome = "ok";
  note_served(app, ex, rec, *route, t, out.attempts);
  if (resp.usage.estimated) ex.add_header("x-switchyard-usage-estimated", "true");
  if (keep_bodies(app)) rec.response_body = resp.body;
  if (!co_await ex.send(200, std::move(resp.body))) rec.outcome = "client_disconnected";
  finish_record(app, std::move(rec), t0);
}

}  // namespace sy::server
