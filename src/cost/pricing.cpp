#include "cost/pricing.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace sy::cost {

double cost_usd(const sy::Usage& usage, double input_per_mtok, double output_per_mtok) {
  auto tokens = [](int64_t n) { return static_cast<double>(std::max<int64_t>(n, 0)); };
  return (tokens(usage.input_tokens) * input_per_mtok +
          tokens(usage.output_tokens) * output_per_mtok) /
         1'000'000.0;
}

double cost_usd(const sy::Usage& usage, const config::ModelConfig& model) {
  return cost_usd(usage, model.input_price_per_mtok, model.output_price_per_mtok);
}

std::string format_cost(double usd) {
  if (!std::isfinite(usd) || usd < 0) usd = 0;
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, usd, std::chars_format::fixed, 8);  // no locale, no printf
  return std::string(buf, r.ptr);
}

}  // namespace sy::cost
