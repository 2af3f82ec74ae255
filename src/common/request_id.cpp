#include "common/request_id.hpp"

#include <chrono>
#include <random>

namespace sy {
namespace {
constexpr char kHex[] = "0123456789abcdef";
constexpr std::string_view kPrefix = "req_";
constexpr size_t kTimeDigits = 12;     // 48 bits of milliseconds: until the year 10889
constexpr size_t kRandomDigits = 12;   // 48 random bits: a collision within one ms ~1 in 10^14

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}
}  // namespace

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const auto ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
  std::string id(kPrefix.size() + kTimeDigits + kRandomDigits, '0');
  id.replace(0, kPrefix.size(), kPrefix);
  uint64_t t = ms;
  for (size_t j = kPrefix.size() + kTimeDigits; j-- > kPrefix.size(); t >>= 4) id[j] = kHex[t & 15];
  uint64_t r = rng();
  for (size_t j = kPrefix.size() + kTimeDigits; j < id.size(); ++j, r >>= 4) id[j] = kHex[r & 15];
  return id;
}

std::optional<int64_t> request_id_time_ms(std::string_view id) {
  if (id.size() != kPrefix.size() + kTimeDigits + kRandomDigits || !id.starts_with(kPrefix))
    return std::nullopt;
  int64_t ms = 0;
  for (size_t j = kPrefix.size(); j < id.size(); ++j) {
    const int v = hex_value(id[j]);
    if (v < 0) return std::nullopt;
    if (j < kPrefix.size() + kTimeDigits) ms = ms * 16 + v;
  }
  return ms;
}

}  // namespace sy
