#include "routing/circuit_breaker.hpp"

namespace sy::routing {

bool CircuitBreaker::allow(Clock::time_point now) {
  std::lock_guard lock(mu_);
  switch (state_) {
    case State::closed:
      return true;
    case State::open:
      if (now - opened_at_ < cooldown_) return false;
      state_ = State::half_open;
      probe_in_flight_ = true;
      return true;
    case State::half_open:
      if (probe_in_flight_) return false;
      probe_in_flight_ = true;
      return true;
  }
  return true;
}

void CircuitBreaker::record_success() {
  std::lock_guard lock(mu_);
  state_ = State::closed;
  consecutive_failures_ = 0;
  probe_in_flight_ = false;
}

void CircuitBreaker::record_failure(Clock::time_point now) {
  std::lock_guard lock(mu_);
  probe_in_flight_ = false;
  if (state_ == State::half_open) {
    state_ = State::open;
    opened_at_ = now;
    return;
  }
  if (threshold_ > 0 && ++consecutive_failures_ >= threshold_ && state_ == State::closed) {
    state_ = State::open;
    opened_at_ = now;
  }
}

void CircuitBreaker::record_neutral() {
  std::lock_guard lock(mu_);
  probe_in_flight_ = false;
}

CircuitBreaker::State CircuitBreaker::state(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  if (state_ == State::open && now - opened_at_ >= cooldown_) return State::half_open;
  return state_;
}

const char* to_string(CircuitBreaker::State s) {
  switch (s) {
    case CircuitBreaker::State::closed: return "closed";
    case CircuitBreaker::State::open: return "open";
    case CircuitBreaker::State::half_open: return "half_open";
  }
  return "closed";
}

}  // namespace sy::routing
