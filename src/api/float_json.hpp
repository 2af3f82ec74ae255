// Internal to api/: writing model outputs (float32) as JSON numbers.
#pragma once

#include "api/json_out.hpp"

namespace sy::api::detail {

// The shortest text that reads back as the same float32 ("0.1", not "0.10000000149011612");
// null for NaN and infinities, which JSON cannot carry.
void write_float32(Writer& w, float f);

}  // namespace sy::api::detail
