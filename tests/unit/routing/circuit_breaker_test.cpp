#include "routing/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace sy::routing {
namespace {

using Clock = CircuitBreaker::Clock;
using std::chrono::milliseconds;

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresOnly) {
  CircuitBreaker b(3, milliseconds(1000));
  auto t = Clock::now();
  b.record_failure(t);
  b.record_failure(t);
  b.record_success();   // resets the run
  b.record_failure(t);
  b.record_failure(t);
  EXPECT_EQ(b.state(t), CircuitBreaker::State::closed);
  EXPECT_TRUE(b.allow(t));
  b.record_failure(t);
  EXPECT_EQ(b.state(t), CircuitBreaker::State::open);
  EXPECT_FALSE(b.allow(t + milliseconds(999)));
}

TEST(CircuitBreaker, HalfOpenLetsExactlyOneProbeThrough) {
  CircuitBreaker b(1, milliseconds(100));
  auto t = Clock::now();
  b.record_failure(t);
  auto later = t + milliseconds(100);
  EXPECT_EQ(b.state(later), CircuitBreaker::State::half_open);
  EXPECT_TRUE(b.allow(later));    // the probe
  EXPECT_FALSE(b.allow(later));   // everyone else waits for its verdict
  b.record_success();
  EXPECT_EQ(b.state(later), CircuitBreaker::State::closed);
  EXPECT_TRUE(b.allow(later));
}

TEST(CircuitBreaker, FailedProbeReopensForAnotherCooldown) {
  CircuitBreaker b(1, milliseconds(100));
  auto t = Clock::now();
  b.record_failure(t);
  auto probe_time = t + milliseconds(150);
  ASSERT_TRUE(b.allow(probe_time));
  b.record_failure(probe_time);
  EXPECT_FALSE(b.allow(probe_time + milliseconds(50)));
  EXPECT_TRUE(b.allow(probe_time + milliseconds(100)));
}

TEST(CircuitBreaker, NeutralOutcomeFreesTheProbeSlot) {
  CircuitBreaker b(1, milliseconds(10));
  auto t = Clock::now();
  b.record_failure(t);
  auto later = t + milliseconds(20);
  ASSERT_TRUE(b.allow(later));
  b.record_neutral();   // e.g. the client's request was invalid: says nothing about the target
  EXPECT_TRUE(b.allow(later));
}

TEST(CircuitBreaker, ZeroThresholdNeverOpens) {
  CircuitBreaker b(0, milliseconds(10));
  auto t = Clock::now();
  for (int i = 0; i < 100; ++i) b.record_failure(t);
  EXPECT_TRUE(b.allow(t));
}

}  // namespace
}  // namespace sy::routing
