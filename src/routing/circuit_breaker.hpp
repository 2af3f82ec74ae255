// A circuit breaker per target, shared by all worker threads.
//
// closed → (failure_threshold consecutive failures) → open → (cooldown elapsed) → half-open:
// exactly one caller is let through as a probe; its success closes the breaker, its failure
// re-opens it for another cooldown. Only failures that say the *target* is unwell count
// (connect, timeout, 5xx, 429, malformed); a client's bad request does not.
#pragma once

#include <chrono>
#include <mutex>

namespace sy::routing {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { closed, open, half_open };

  CircuitBreaker(int failure_threshold, std::chrono::milliseconds cooldown)
      : threshold_(failure_threshold), cooldown_(cooldown) {}

  // May a request go to this target now? In half-open state only the first caller gets true.
  bool allow(Clock::time_point now = Clock::now());
  void record_success();
  void record_failure(Clock::time_point now = Clock::now());
  // The call ended in a way that says nothing about the target's health (e.g. the client's
  // request was invalid): frees a half-open probe slot without changing state.
  void record_neutral();
  State state(Clock::time_point now = Clock::now()) const;

 private:
  mutable std::mutex mu_;
  int threshold_;
  std::chrono::milliseconds cooldown_;
  State state_ = State::closed;
  int consecutive_failures_ = 0;
  Clock::time_point opened_at_{};
  bool probe_in_flight_ = false;
};

const char* to_string(CircuitBreaker::State s);

}  // namespace sy::routing
