#include "server/ids.hpp"

#include <openssl/sha.h>

#include "common/request_id.hpp"

namespace sy::server {

namespace {
constexpr char kHex[] = "0123456789abcdef";
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
