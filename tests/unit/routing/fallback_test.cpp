#include "routing/fallback.hpp"

#include <gtest/gtest.h>

namespace sy::routing {
namespace {

config::FallbackConfig cfg() { return config::FallbackConfig{}; }

TEST(FallbackClassify, TargetTroubleIsRetried) {
  auto c = cfg();
  EXPECT_EQ(classify(make_failure(FailureKind::connect, "x"), c), Verdict::retry);
  EXPECT_EQ(classify(make_failure(FailureKind::reset, "x"), c), Verdict::retry);
  EXPECT_EQ(classify(make_failure(FailureKind::timeout, "x"), c), Verdict::retry);
  EXPECT_EQ(classify(make_failure(FailureKind::malformed, "x"), c), Verdict::retry);
  for (int s : {408, 409, 429, 500, 502, 503, 504})
    EXPECT_EQ(classify(make_failure(FailureKind::http_status, "x", s), c), Verdict::retry) << s;
}

TEST(FallbackClassify, ClientMistakesStopTheWalk) {
  auto c = cfg();
  for (int s : {400, 401, 403, 404, 422})
    EXPECT_EQ(classify(make_failure(FailureKind::http_status, "x", s), c), Verdict::stop) << s;
  EXPECT_EQ(classify(make_failure(FailureKind::internal, "x"), c), Verdict::stop);
}

TEST(FallbackClassify, TargetSpecificProblemsMoveOn) {
  auto c = cfg();
  EXPECT_EQ(classify(make_failure(FailureKind::unavailable, "no key"), c), Verdict::next_target);
  EXPECT_EQ(classify(make_failure(FailureKind::invalid_request, "no mapping"), c), Verdict::next_target);
  EXPECT_EQ(classify(make_failure(FailureKind::overloaded, "queue full"), c), Verdict::next_target);
}

TEST(FallbackClassify, ConfigurationIsHonoured) {
  auto c = cfg();
  c.retry_on_status = {401};
  c.retry_on_timeout = false;
  c.retry_on_connect_error = false;
  c.retry_on_malformed = false;
  EXPECT_EQ(classify(make_failure(FailureKind::http_status, "x", 401), c), Verdict::retry);
  EXPECT_EQ(classify(make_failure(FailureKind::http_status, "x", 500), c), Verdict::stop);
  EXPECT_EQ(classify(make_failure(FailureKind::timeout, "x"), c), Verdict::stop);
  EXPECT_EQ(classify(make_failure(FailureKind::connect, "x"), c), Verdict::stop);
  EXPECT_EQ(classify(make_failure(FailureKind::malformed, "x"), c), Verdict::stop);
}

TEST(FallbackClassify, OnlyTargetHealthCountsAgainstTheBreaker) {
  auto c = cfg();
  EXPECT_TRUE(counts_against_target(make_failure(FailureKind::timeout, "x"), c));
  EXPECT_TRUE(counts_against_target(make_failure(FailureKind::http_status, "x", 503), c));
  EXPECT_TRUE(counts_against_target(make_failure(FailureKind::http_status, "x", 429), c));
  EXPECT_FALSE(counts_against_target(make_failure(FailureKind::http_status, "x", 400), c));
  EXPECT_FALSE(counts_against_target(make_failure(FailureKind::invalid_request, "x"), c));
  EXPECT_FALSE(counts_against_target(make_failure(FailureKind::unavailable, "x"), c));
}

TEST(Fallback, CallsMadeSkipsBreakerSkips) {
  std::vector<Attempt> a(3);
  a[1].skipped = true;
  EXPECT_EQ(calls_made(a), 2u);
}

}  // namespace
}  // namespace sy::routing
