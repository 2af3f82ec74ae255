// POST /v1/chat/completions (OpenAI front door) and POST /v1/messages (Anthropic front door).
// Both run the same path: parse → validate in the client's wire → resolve the route → walk its
// fallback chain → answer (whole or streamed) → account usage and cost → log.
#include <chrono>
#include <variant>

#include <fmt/format.h>

#include "api/anthropic_messages.hpp"
#include "api/errors.hpp"
#include "api/openai_chat.hpp"
#include "api/stream_accumulate.hpp"
#include "api/token_estimate.hpp"
#include "cost/pricing.hpp"
#include "routing/fallback.hpp"
#include "server/failure_status.hpp"
#include "server/handlers.hpp"
#include "server/request_log.hpp"
#include "server/sse_frames.hpp"
#include "server/usage_estimate.hpp"

namespace sy::server {

namespace {

using Clock = std::chrono::steady_clock;

struct Validated {
  std::string model;
  bool stream = false;
  std::string user;
};

std::variant<Validated, api::ApiError> validate(Wire wire, const json::Value& body) {
  if (wire == Wire::openai) {
    auto r = api::validate_openai_chat(body);
    if (auto* e = std::get_if<api::ApiError>(&r)) return *e;
    auto& i = std::get<api::ChatRequestInfo>(r);
    return Validated{i.model, i.stream, i.user};
  }
  auto r = api::validate_anthropic_messages(body);
  if (auto* e = std::get_if<api::ApiError>(&r)) return *e;
  auto& i = std::get<api::MessagesRequestInfo>(r);
  return Validated{i.model, i.stream, i.user};
}

void account(store::RequestRecord& rec, const Usage& u, const routing::Target& t) {
  rec.input_tokens = u.input_tokens;
  rec.output_tokens = u.output_tokens;
  rec.usage_estimated = u.estimated;
  rec.cost_usd = cost::cost_usd(u, t.model->input_price_per_mtok, t.model->output_price_per_mtok);
}

}  // namespace

asio::awaitable<void> handle_chat(App& app, Exchange& ex, providers::CallContext& ctx, Wire wire) {
  const auto t0 = Clock::now();
  store::RequestRecord rec = begin_record(app, ex);
  const std::string& raw = ex.request().body();
  if (keep_bodies(app)) rec.request_body = raw;

  auto reject = [&](int status, std::string msg, std::string param = {}, std::string code = {},
                    std::string type = {}) -> asio::awaitable<void> {
    rec.status = status;
    rec.outcome = "client_error";
    rec.error = msg;
    co_await send_error(app, ex, wire, status, std::move(msg), std::move(type), std::move(param),
                        std::move(code));
    finish_record(app, std::move(rec), t0);
  };

  std::string perr;
  auto doc = json::parse(raw, &perr);
  if (!doc) co_return co_await reject(400, "The request body is not valid JSON (" + perr + ")");
  auto v = validate(wire, *doc);
  if (auto* e = std::get_if<api::ApiError>(&v))
    co_return co_await reject(e->status, e->message, e->param, e->code, e->type);
  const Validated info = std::get<Validated>(v);
  rec.public_model = info.model;
  rec.stream = info.stream;
  rec.user = info.user;

  const routing::Route* route = app.router.resolve(info.model);
  // Messages are built in named locals: GCC 12 destroys temporaries of a conditional expression
  // twice when they appear inside a co_await's arguments.
  if (!route) {
    std::string msg =
        wire == Wire::openai
            ? fmt::format("The model `{}` does not exist or you do not have access to it.", info.model)
            : fmt::format("model: {}", info.model);
    co_return co_await reject(404, std::move(msg), "model", "model_not_found");
  }
  if (route->type != "chat") {
    std::string msg = fmt::format("Model '{}' is a {} model; it cannot serve chat requests",
                                  info.model, route->type);
    co_return co_await reject(400, std::move(msg), "model", "model_not_supported");
  }

  providers::ChatCall call{wire, &*doc, {}, info.stream, info.model, raw};
  const auto& fb = app.router.fallback();

  if (!info.stream) {
    auto out = co_await routing::run_chain<providers::ChatResponse>(
        *route, fb, [&](const routing::Target& t) -> asio::awaitable<Result<providers::ChatResponse>> {
          providers::ChatCall c = call;
          c.upstream_model = t.model->upstream_model;
          co_return co_await t.provider->chat(c, ctx);
        }, ctx.deadline, &app.cutting);
    add_attempts(app, rec, out.attempts);
    if (!out.result.ok())
      co_return co_await answer_chain_failure(app, ex, wire, std::move(rec), out.result.failure(),
                                              out.attempts, t0);
    providers::ChatResponse& resp = out.result.value();
    const routing::Target& t = *out.served;
    Usage u = resp.usage.known ? resp.usage : estimate_usage(wire, *doc, resp.body);
    account(rec, u, t);
    note_served(app, ex, rec, *route, t, out.attempts);
    ex.add_header("x-switchyard-cost", cost::format_cost(rec.cost_usd));
    // The body keeps the upstream's own usage (none, or zeros once translated); the cost above
    // is from our count, and says so.
    if (u.estimated) ex.add_header("x-switchyard-usage-estimated", "true");
    rec.status = 200;
    rec.outcome = "ok";
    if (!co_await ex.send_view(200, resp.body)) rec.outcome = "client_disconnected";
    if (keep_bodies(app)) rec.response_body = std::move(resp.body);
    co_return finish_record(app, std::move(rec), t0);
  }

  auto out = co_await routing::run_chain<std::unique_ptr<providers::ChatStream>>(
      *route, fb,
      [&](const routing::Target& t) -> asio::awaitable<Result<std::unique_ptr<providers::ChatStream>>> {
        providers::ChatCall c = call;
        c.upstream_model = t.model->upstream_model;
        co_return co_await t.provider->chat_stream(c, ctx);
      }, ctx.deadline, &app.cutting);
  add_attempts(app, rec, out.attempts);
  if (!out.result.ok())
    co_return co_await answer_chain_failure(app, ex, wire, std::move(rec), out.result.failure(),
                                            out.attempts, t0);
  const routing::Target& t = *out.served;
  auto& stream = *out.result.value();
  note_served(app, ex, rec, *route, t, out.attempts);

  app.metrics.active_streams.fetch_add(1, std::memory_order_relaxed);
  struct StreamGauge {
    telemetry::Metrics& m;
    ~StreamGauge() { m.active_streams.fetch_sub(1, std::memory_order_relaxed); }
  } gauge{app.metrics};

  StreamAccumulator acc(wire);  // unless the stream assembles itself
  const bool self_assembled = stream.assembles();
  // An OpenAI client that asked for stream_options.include_usage gets its usage chunk even when
  // the upstream sent none: [DONE] is held back until we know, and the estimate goes before it.
  bool wants_usage = false;
  if (wire == Wire::openai) {
    if (const json::Value* so = json::find(*doc, "stream_options"); so && so->IsObject())
      wants_usage = json::get_bool(*so, "include_usage").value_or(false);
  }
  static constexpr std::string_view kDone = "data: [DONE]\n\n";
  bool held_done = false;
  std::string batch;
  rec.status = 200;
  rec.outcome = "ok";
  bool ok = co_await ex.start_stream();
  while (ok) {
    auto step = co_await stream.next();
    if (!step.ok()) {
      // Mid-stream failure: the client already has part of an answer, so no fallback; end its
      // stream with an error event in its own wire format.
      const Failure& f = step.failure();
      rec.outcome = "stream_error";
      rec.error = f.message;
      rec.attempts.back().error_kind = to_string(f.kind);
      rec.attempts.back().error = f.message;
      app.metrics.stream_errors.fetch_add(1, std::memory_order_relaxed);
      // The attempt was counted as a success when the stream opened; it failed after all.
      app.metrics.upstream_failures.fetch_add(1, std::memory_order_relaxed);
      api::ApiError e{status_for(f), "upstream stream failed: " + f.message, "", "", failure_code(f)};
      if (app.cutting.load(std::memory_order_relaxed)) e = shutdown_cut_error();
      if (co_await ex.write_stream(api::stream_error_frame(wire, e))) co_await ex.end_stream();
      ex.set_keep_alive(false);
      break;
    }
    if (!step.value()) {
      if (held_done) {
        const std::string so_far = self_assembled ? stream.assembled_json() : acc.result_json();
        std::string tail = estimated_usage_chunk(so_far, info.model, estimate_usage(wire, *doc, so_far));
        tail += kDone;
        if (!co_await ex.write_stream(tail)) break;
      }
      co_await ex.end_stream();
      break;
    }
    // Frames that arrived together leave together: one write (one TCP segment, usually) per
    // upstream read rather than one per event.
    if (rec.ttft_ms < 0 && !step.value()->empty())
      rec.ttft_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    batch.clear();
    for (const auto& chunk : *step.value()) {
      if (!self_assembled) acc.feed_frame(chunk.sse);  // for the log and, if the upstream reports none, usage
      if (wants_usage && chunk.sse == kDone && !stream.usage().known) {
        held_done = true;
        continue;
      }
      batch += chunk.sse;
    }
    ok = co_await ex.write_stream(batch);
  }
  if (ex.client_gone()) rec.outcome = "client_disconnected";
  std::string assembled = self_assembled ? stream.assembled_json() : acc.result_json();
  Usage u = stream.usage();
  if (!u.known) u = estimate_usage(wire, *doc, assembled);
  else if (u.estimated && u.input_tokens == 0)  // a translator counted the output only
    u.input_tokens = estimate_usage(wire, *doc, {}).input_tokens;
  account(rec, u, t);
  if (keep_bodies(app)) rec.response_body = std::move(assembled);
  finish_record(app, std::move(rec), t0);
}

}  // namespace sy::server
