#include "routing/backoff.hpp"

#include <algorithm>

namespace sy::routing {

std::chrono::milliseconds backoff_delay(const BackoffPolicy& p, int retry,
                                        std::optional<std::chrono::milliseconds> retry_after,
                                        std::mt19937_64& rng) {
  if (retry_after) return *retry_after;
  if (retry < 1) retry = 1;
  const int shift = std::min(retry - 1, 30);
  const int64_t cap = std::min<int64_t>(p.max.count(), p.base.count() << shift);
  if (cap <= 0) return std::chrono::milliseconds(0);
  std::uniform_int_distribution<int64_t> dist(0, cap);
  return std::chrono::milliseconds(dist(rng));
}

}  // namespace sy::routing
