#include "server/request_log.hpp"

#include <algorithm>

#include "server/failure_status.hpp"
#include "server/handlers.hpp"
#include "server/ids.hpp"

namespace sy::server {

store::RequestRecord begin_record(const App& app, const Exchange& ex) {
  store::RequestRecord rec;
  const auto& req = ex.request();
  rec.id = ex.request_id();
  rec.ts_unix_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  std::string_view target = req.target();
  rec.endpoint = std::string(target.substr(0, target.find('?')));
  std::string_view key;
  if (auto auth = req[http::field::authorization]; auth.starts_with("Bearer ")) key = auth.substr(7);
  else key = req["x-api-key"];
  if (app.log) rec.client_key_hash = hash_client_key(key);   // a SHA-256 nobody would read otherwise
  return rec;
}

void note_served(App& app, Exchange& ex, store::RequestRecord& rec, const routing::Route& route,
                 const routing::Target& served, const std::vector<routing::Attempt>& attempts) {
  rec.served_model = served.model->name;
  rec.provider = std::string(served.provider->name());
  if (&served != &route.chain.front()) app.metrics.fallbacks.fetch_add(1, std::memory_order_relaxed);
  ex.add_header("x-switchyard-model", rec.served_model);
  ex.add_header("x-switchyard-provider", rec.provider);
  ex.add_header("x-switchyard-attempts", std::to_string(routing::calls_made(attempts)));
}

void add_attempts(App& app, store::RequestRecord& rec, const std::vector<routing::Attempt>& attempts) {
  rec.attempts.reserve(attempts.size());
  for (const auto& a : attempts) {
    rec.attempts.push_back({a.target, a.provider, a.status, a.error_kind, a.error, a.latency_ms});
    if (a.skipped) continue;
    app.metrics.upstream_attempts.fetch_add(1, std::memory_order_relaxed);
    if (!a.error_kind.empty()) app.metrics.upstream_failures.fetch_add(1, std::memory_order_relaxed);
  }
}

void finish_record(App& app, store::RequestRecord&& rec, std::chrono::steady_clock::time_point t0) {
  rec.latency_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  if (app.cutting.load(std::memory_order_relaxed) && rec.outcome != "ok" && rec.outcome != "client_error") {
    // Cut when the shutdown grace period ran out; the record keeps what was sent so far.
    rec.error = rec.error.empty() ? "cut at shutdown" : "cut at shutdown: " + rec.error;
    rec.outcome = "shutdown";
  }
  auto& m = app.metrics;
  m.requests.fetch_add(1, std::memory_order_relaxed);
  if (rec.status >= 400 && rec.status < 500) m.client_errors.fetch_add(1, std::memory_order_relaxed);
  if (rec.status >= 500) m.server_errors.fetch_add(1, std::memory_order_relaxed);
  m.input_tokens.fetch_add(static_cast<uint64_t>(rec.input_tokens), std::memory_order_relaxed);
  m.output_tokens.fetch_add(static_cast<uint64_t>(rec.output_tokens), std::memory_order_relaxed);
  m.cost_micro_usd.fetch_add(static_cast<uint64_t>(rec.cost_usd * 1e6 + 0.5), std::memory_order_relaxed);
  if (app.log) app.log->submit(std::move(rec));
}

void log_rejected(App& app, const Exchange& ex, int status, std::string error,
                  std::chrono::steady_clock::time_point t0) {
  store::RequestRecord rec = begin_record(app, ex);
  rec.status = status;
  rec.outcome = "client_error";
  rec.error = std::move(error);
  finish_record(app, std::move(rec), t0);
}

asio::awaitable<void> answer_chain_failure(App& app, Exchange& ex, Wire wire,
                                           store::RequestRecord&& rec, const Failure& failure,
                                           const std::vector<routing::Attempt>& attempts,
                                           std::chrono::steady_clock::time_point t0) {
  store::RequestRecord r = std::move(rec);   // own it across the suspension below
  r.status = status_for(failure);
  r.outcome = "upstream_error";
  r.error = client_message(failure, attempts);
  // Nobody served, but the client (and its SDK's retry logic) still learns how many upstream
  // calls were made, and how long the upstream asked it to wait.
  ex.add_header("x-switchyard-attempts", std::to_string(routing::calls_made(attempts)));
  if (failure.retry_after && (r.status == 429 || r.status == 503)) {
    const auto ms = failure.retry_after->count();
    ex.add_header("retry-after", std::to_string(std::max<int64_t>(1, (ms + 999) / 1000)));
  }
  if (app.cutting.load(std::memory_order_relaxed)) {
    const api::ApiError e = shutdown_cut_error();
    r.status = e.status;
    co_await send_error(app, ex, wire, e.status, e.message, "", "", e.code);
  } else {
    co_await send_error(app, ex, wire, r.status, r.error, "", "", failure_code(failure));
  }
  finish_record(app, std::move(r), t0);
}

}  // namespace sy::server
