#pragma once
// The engine's one exception type. The engine is a library used off the request path (model
// loading) and inside it (encode), so load-time problems throw; callers on request paths catch
// and turn them into sy::Failure values at the layer boundary.
#include <stdexcept>

namespace sy::engine {

struct EngineError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace sy::engine
