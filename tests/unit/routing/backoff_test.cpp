#include "routing/backoff.hpp"

#include <gtest/gtest.h>

namespace sy::routing {
namespace {

using std::chrono::milliseconds;

TEST(Backoff, FullJitterStaysWithinTheExponentialCap) {
  std::mt19937_64 rng(42);
  BackoffPolicy p{milliseconds(100), milliseconds(1000)};
  for (int retry = 1; retry <= 8; ++retry) {
    const int64_t cap = std::min<int64_t>(1000, 100LL << (retry - 1));
    int64_t max_seen = 0;
    for (int i = 0; i < 2000; ++i) {
      auto d = backoff_delay(p, retry, std::nullopt, rng).count();
      ASSERT_GE(d, 0);
      ASSERT_LE(d, cap) << "retry " << retry;
      max_seen = std::max(max_seen, d);
    }
    // Jitter spreads over the whole range, not a point.
    EXPECT_GT(max_seen, cap / 2) << "retry " << retry;
  }
}

TEST(Backoff, RetryAfterWins) {
  std::mt19937_64 rng(1);
  BackoffPolicy p{milliseconds(100), milliseconds(1000)};
  EXPECT_EQ(backoff_delay(p, 3, milliseconds(2500), rng), milliseconds(2500));
  EXPECT_EQ(backoff_delay(p, 1, milliseconds(0), rng), milliseconds(0));
}

TEST(Backoff, HugeRetryNumbersDoNotOverflow) {
  std::mt19937_64 rng(7);
  BackoffPolicy p{milliseconds(100), milliseconds(5000)};
  for (int i = 0; i < 100; ++i) EXPECT_LE(backoff_delay(p, 1000, std::nullopt, rng), milliseconds(5000));
  EXPECT_EQ(backoff_delay(BackoffPolicy{milliseconds(0), milliseconds(0)}, 2, std::nullopt, rng), milliseconds(0));
}

}  // namespace
}  // namespace sy::routing
