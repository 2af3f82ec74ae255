// Retry delays: exponential backoff with full jitter, capped, and overridden by the upstream's
// Retry-After when it sent one.
#pragma once

#include <chrono>
#include <optional>
#include <random>

namespace sy::routing {

struct BackoffPolicy {
  std::chrono::milliseconds base{100};
  std::chrono::milliseconds max{5'000};
};

// Delay before retry number `retry` (1 = first retry). Full jitter: uniform in [0, min(max,
// base·2^(retry-1))], which spreads synchronized clients best (see AWS "Exponential Backoff And
// Jitter"). A Retry-After wins when present (it is the upstream telling us exactly).
std::chrono::milliseconds backoff_delay(const BackoffPolicy& p, int retry,
                                        std::optional<std::chrono::milliseconds> retry_after,
                                        std::mt19937_64& rng);

}  // namespace sy::routing
