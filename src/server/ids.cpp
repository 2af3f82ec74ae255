#include "server/ids.hpp"

#include <chrono>
#include <cstdint>
#include <random>

#include <openssl/sha.h>

namespace sy::server {

namespace {
constexpr char kHex[] = "0123456789abcdef";
}

std::string new_request_id() {
  // 12 hex digits of Unix milliseconds, then 12 random ones (48 bits: collisions within one
  // millisecond are about 1 in 10^14 per pair). Ids that grow with time make the request log's
  // index inserts appends; random ones land on a random B-tree page each, which made every logged
  // request cost twice the CPU and write a page to the WAL (bench/log/log_bench --random-ids).
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const auto ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
  std::string id(4 + 24, '0');
  id.replace(0, 4, "req_");
  uint64_t t = ms;
  for (int j = 15; j >= 4; --j, t >>= 4) id[static_cast<size_t>(j)] = kHex[t & 15];
  uint64_t r = rng();
  for (int j = 16; j < 28; ++j, r >>= 4) id[static_cast<size_t>(j)] = kHex[r & 15];
  return id;
}

std::string request_id_from(std::string_view v) {
  if (v.empty() || v.size() > 128) return new_request_id();
  for (char c : v)
    if (c < 0x21 || c > 0x7e) return new_request_id();
  return std::string(v);
}

std::string hash_client_key(std::string_view key) {
  if (key.empty()) return {};
  // Most traffic on a worker carries one or a few keys: remember the last one rather than hash
  // it again for every logged request (a SHA-256 was ~2% of a request's CPU with the log on).
  thread_local std::string last_key, last_hash;
  if (key == last_key) return last_hash;
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
  std::string out;
  for (int i = 0; i < 8; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  last_key.assign(key);
  last_hash = out;
  return out;
}

}  // namespace sy::server
