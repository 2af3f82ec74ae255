#include "cost/pricing.hpp"

#include <gtest/gtest.h>

namespace sy::cost {
namespace {

sy::Usage usage(int64_t in, int64_t out, int64_t cached = 0) {
  sy::Usage u;
  u.input_tokens = in;
  u.output_tokens = out;
  u.cached_input_tokens = cached;
  u.known = true;
  return u;
}

TEST(Pricing, PerMillionTokens) {
  EXPECT_DOUBLE_EQ(cost_usd(usage(1'000'000, 0), 0.15, 0.60), 0.15);
  EXPECT_DOUBLE_EQ(cost_usd(usage(0, 1'000'000), 0.15, 0.60), 0.60);
  EXPECT_NEAR(cost_usd(usage(1000, 500), 0.15, 0.60), 0.00015 + 0.0003, 1e-15);
}

TEST(Pricing, ZeroUsageOrFreeModelCostsNothing) {
  EXPECT_EQ(cost_usd(usage(0, 0), 3, 15), 0.0);
  EXPECT_EQ(cost_usd(usage(1234, 5678), 0, 0), 0.0);
}

TEST(Pricing, CachedInputIsPricedAsInput) {
  // input_tokens already includes the cached ones; they are not added again.
  EXPECT_DOUBLE_EQ(cost_usd(usage(2'000'000, 0, 1'000'000), 1.0, 0), 2.0);
}

TEST(Pricing, NegativeCountsCountAsZero) {
  EXPECT_EQ(cost_usd(usage(-5, -7), 1, 1), 0.0);
}

TEST(Pricing, UsesModelPrices) {
  config::ModelConfig m;
  m.input_price_per_mtok = 2.5;
  m.output_price_per_mtok = 10;
  EXPECT_DOUBLE_EQ(cost_usd(usage(100'000, 10'000), m), 0.25 + 0.1);
}

TEST(Pricing, HeaderFormatHasEightDecimals) {
  EXPECT_EQ(format_cost(0.000123), "0.00012300");
  EXPECT_EQ(format_cost(0), "0.00000000");
  EXPECT_EQ(format_cost(12.5), "12.50000000");
  EXPECT_EQ(format_cost(0.000000004), "0.00000000");
  EXPECT_EQ(format_cost(0.000000006), "0.00000001");
  EXPECT_EQ(format_cost(-1), "0.00000000");
  EXPECT_EQ(format_cost(cost_usd(usage(1000, 500), 0.15, 0.60)), "0.00045000");
}

}  // namespace
}  // namespace sy::cost
