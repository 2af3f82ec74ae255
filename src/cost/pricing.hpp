// What a call cost, from token usage and a model's per-million-token prices (USD).
//
// Cached input tokens are priced like other input tokens: Usage::input_tokens already includes
// them (see common/usage.hpp) and the config has no separate cache price, so the figure is an upper
// bound when a provider discounts cache hits.
#pragma once

#include <string>

#include "common/usage.hpp"
#include "config/config.hpp"

namespace sy::cost {

// USD for `usage` at the given prices; negative token counts count as zero.
double cost_usd(const sy::Usage& usage, double input_per_mtok, double output_per_mtok);

// Same, with the prices of `model`.
double cost_usd(const sy::Usage& usage, const config::ModelConfig& model);

// The x-switchyard-cost header value: fixed 8 decimals, e.g. "0.00012300".
std::string format_cost(double usd);

}  // namespace sy::cost
