// Router: resolves the `model` a client asked for into a chain of targets, and owns the per-target
// state that outlives requests (circuit breakers). Built once from the config; shared by all
// worker threads (immutable after construction, breakers are internally synchronized).
//
// A public name is either a route (an ordered fallback chain) or a model (a chain of one).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "providers/provider.hpp"
#include "providers/registry.hpp"
#include "routing/circuit_breaker.hpp"

namespace sy::routing {

struct Target {
  const config::ModelConfig* model = nullptr;
  providers::Provider* provider = nullptr;
  CircuitBreaker* breaker = nullptr;
  int retries = 0;
};

struct Route {
  std::string name;
  bool listed = true;
  bool is_alias_of_model = false;   // a model addressed directly
  std::string type;                 // chat | embedding | rerank | classify (of the first target)
  std::vector<Target> chain;
};

class Router {
 public:
  Router(const config::Config& cfg, const providers::Registry& providers);
  const Route* resolve(std::string_view public_name) const;
  // Every public name, in config order: routes first, then models.
  const std::vector<const Route*>& routes() const { return order_; }
  const config::FallbackConfig& fallback() const { return fallback_; }
  const CircuitBreaker* breaker(std::string_view model) const;

 private:
  config::FallbackConfig fallback_;
  std::map<std::string, std::unique_ptr<CircuitBreaker>, std::less<>> breakers_;
  std::map<std::string, Route, std::less<>> by_name_;
  std::vector<const Route*> order_;
};

}  // namespace sy::routing
