// Test helpers: parse fixture JSON (failing the test loudly if the fixture itself is broken).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include "api/errors.hpp"
#include "common/json.hpp"

namespace sy::api::test {

inline json::Document J(std::string_view text) {
  std::string err;
  auto d = json::parse(text, &err);
  if (!d) throw std::runtime_error("bad fixture JSON: " + err + " in: " + std::string(text));
  return std::move(*d);
}

// Canonical form for comparing JSON regardless of whitespace.
inline std::string C(std::string_view text) { return json::dump(J(text)); }

template <class Info>
const ApiError* error_of(const std::variant<Info, ApiError>& r) {
  return std::get_if<ApiError>(&r);
}

}  // namespace sy::api::test
