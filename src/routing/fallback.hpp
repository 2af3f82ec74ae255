// run_chain: walks a route's fallback chain. For each target: skip it if its circuit breaker is
// open; call it; on a failure that says the target is unwell (connect, timeout, reset, malformed,
// a status in fallback.retry_on_status) retry it up to `retries` times with jittered backoff (or
// the upstream's Retry-After, when it is no longer than max_retry_after), then move on. A failure
// that the next target could not fix either (say, a 400 for a bad request) ends the walk at once;
// one specific to this target (missing key, no translation for a feature) moves on without
// counting against its breaker. Every try is recorded as an Attempt for the request log.
#pragma once

#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/result.hpp"
#include "config/config.hpp"
#include "routing/backoff.hpp"
#include "routing/router.hpp"

namespace sy::routing {

namespace asio = boost::asio;

struct Attempt {
  std::string target;
  std::string provider;
  int status = 0;
  std::string error_kind;   // empty on success
  std::string error;
  double latency_ms = 0;
  bool skipped = false;     // not called: its circuit breaker was open
};

// Attempts that actually called a target (skipped ones excluded).
size_t calls_made(const std::vector<Attempt>& attempts);

template <class T>
struct Outcome {
  Result<T> result;
  const Target* served = nullptr;
  std::vector<Attempt> attempts;
};

enum class Verdict { retry, next_target, stop };

// What to do after `f` failed on a target.
Verdict classify(const Failure& f, const config::FallbackConfig& cfg);
// Does `f` say the target is unwell (counts towards its breaker)?
bool counts_against_target(const Failure& f, const config::FallbackConfig& cfg);

std::mt19937_64& thread_rng();

// `deadline` bounds the whole walk: no attempt starts and no backoff sleeps past it. Once
// `*cancelled` is true (the server cutting requests at the end of its shutdown grace period) no
// attempt starts and no backoff sleeps either: the walk ends with the last failure.
template <class T, class CallFn>
asio::awaitable<Outcome<T>> run_chain(const Route& route, const config::FallbackConfig& cfg,
                                      CallFn call,
                                      std::chrono::steady_clock::time_point deadline =
                                          std::chrono::steady_clock::time_point::max(),
                                      const std::atomic<bool>* cancelled = nullptr) {
  using Clock = std::chrono::steady_clock;
  std::vector<Attempt> attempts;
  std::optional<Failure> last;
  std::vector<std::string> skipped;
  const BackoffPolicy backoff{cfg.backoff_base, cfg.backoff_max};
  const auto is_cancelled = [cancelled] {
    return cancelled != nullptr && cancelled->load(std::memory_order_relaxed);
  };

  for (const Target& t : route.chain) {
    for (int attempt_no = 0; attempt_no <= t.retries; ++attempt_no) {
      if (is_cancelled()) {
        if (!last) last = make_failure(FailureKind::unavailable, "the walk was cancelled");
        co_return Outcome<T>{std::move(*last), nullptr, std::move(attempts)};
      }
      if (Clock::now() >= deadline) {
        if (!last) last = make_failure(FailureKind::timeout, "request deadline passed before '" +
                                                               t.model->name + "' could be tried");
        last->message += " (server.request_timeout_ms reached)";
        co_return Outcome<T>{std::move(*last), nullptr, std::move(attempts)};
      }
      if (!t.breaker->allow()) {
        skipped.push_back(t.model->name);
        attempts.push_back({t.model->name, std::string(t.provider->name()), 0, "unavailable",
                            "circuit breaker open", 0, true});
        break;
      }
      const auto start = Clock::now();
      Result<T> r = co_await call(t);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (r.ok()) {
        t.breaker->record_success();
        attempts.push_back({t.model->name, std::string(t.provider->name()), 200, "", "", ms});
        co_return Outcome<T>{std::move(r), &t, std::move(attempts)};
      }
      Failure& f = r.failure();
      attempts.push_back({t.model->name, std::string(t.provider->name()), f.status,
                          to_string(f.kind), f.message, ms});
      if (counts_against_target(f, cfg)) t.breaker->record_failure();
      else t.breaker->record_neutral();

      const Verdict v = classify(f, cfg);
      last = std::move(f);
      if (v == Verdict::stop) co_return Outcome<T>{std::move(*last), nullptr, std::move(attempts)};
      if (v == Verdict::next_target || attempt_no == t.retries) break;
      // Retry this target after a pause. A Retry-After longer than we are willing to wait means
      // the next target is the better bet.
      if (last->retry_after && *last->retry_after > cfg.max_retry_after) break;
      auto delay = backoff_delay(backoff, attempt_no + 1, last->retry_after, thread_rng());
      if (Clock::now() + delay >= deadline) break;   // no time left to wait for this target
      if (is_cancelled()) break;                     // the next turn ends the walk
      asio::steady_timer timer(co_await asio::this_coro::executor);
      timer.expires_after(delay);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }
  if (!last) {
    std::string names;
    for (const auto& s : skipped) names += (names.empty() ? "" : ", ") + s;
    last = make_failure(FailureKind::unavailable,
                        "no target of '" + route.name + "' is available (circuit open: " + names + ")");
  }
  co_return Outcome<T>{std::move(*last), nullptr, std::move(attempts)};
}

}  // namespace sy::routing
