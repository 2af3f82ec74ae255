// The request ids switchyard makes when a client sends none (the x-request-id header), and how to
// read one back. Format: "req_" + 12 hex digits of the Unix time in milliseconds + 12 random hex
// digits. Ids that grow with time append to the request log's indexes, and an id alone says when
// to look for its record (`switchyard logs --id`).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sy {

std::string new_request_id();

// The creation time (Unix ms) of an id new_request_id() made; nullopt for anything else, such as
// the ids clients choose themselves.
std::optional<int64_t> request_id_time_ms(std::string_view id);

}  // namespace sy
