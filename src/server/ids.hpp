// Identifiers: request ids (the client's x-request-id when it is sane, else a fresh one) and the
// hashed form of a client's API key that the request log keeps instead of the key.
#pragma once

#include <string>
#include <string_view>

namespace sy::server {

// The client's id if it is 1..128 printable ASCII characters, else a new one
// (common/request_id.hpp).
std::string request_id_from(std::string_view client_value);
// First 16 hex digits of SHA-256(key); empty for an empty key.
std::string hash_client_key(std::string_view key);

}  // namespace sy::server
