#include "api/float_json.hpp"

#include <charconv>
#include <cmath>

namespace sy::api::detail {

void write_float32(Writer& w, float f) {
  if (!std::isfinite(f)) {
    w.Null();
    return;
  }
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, f);
  w.RawValue(buf, static_cast<size_t>(r.ptr - buf), rapidjson::kNumberType);
}

}  // namespace sy::api::detail
