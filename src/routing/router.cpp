#include "routing/router.hpp"

#include <stdexcept>

namespace sy::routing {

Router::Router(const config::Config& cfg, const providers::Registry& providers)
    : fallback_(cfg.fallback) {
  auto target_for = [&](const std::string& model_name, int retries) {
    const config::ModelConfig* m = cfg.find_model(model_name);
    if (!m) throw std::runtime_error("unknown model '" + model_name + "'");
    providers::Provider* p = providers.find(m->provider);
    if (!p) throw std::runtime_error("model '" + m->name + "': unknown provider '" + m->provider + "'");
    auto& b = breakers_[m->name];
    if (!b) b = std::make_unique<CircuitBreaker>(cfg.fallback.breaker_failures, cfg.fallback.breaker_cooldown);
    return Target{m, p, b.get(), retries};
  };
  for (const auto& r : cfg.routes) {
    Route route{r.name, r.listed, false, "", {}};
    for (const auto& step : r.chain) route.chain.push_back(target_for(step.model, step.retries));
    if (!route.chain.empty()) route.type = route.chain.front().model->type;
    by_name_.emplace(r.name, std::move(route));
  }
  for (const auto& m : cfg.models) {
    if (by_name_.count(m.name)) continue;  // config validation forbids this; be safe
    Route route{m.name, m.listed, true, m.type, {target_for(m.name, 0)}};
    by_name_.emplace(m.name, std::move(route));
  }
  for (const auto& r : cfg.routes) order_.push_back(&by_name_.at(r.name));
  for (const auto& m : cfg.models) {
    const Route& r = by_name_.at(m.name);
    if (r.is_alias_of_model) order_.push_back(&r);
  }
}

const Route* Router::resolve(std::string_view public_name) const {
  auto it = by_name_.find(public_name);
  return it == by_name_.end() ? nullptr : &it->second;
}

const CircuitBreaker* Router::breaker(std::string_view model) const {
  auto it = breakers_.find(model);
  return it == breakers_.end() ? nullptr : it->second.get();
}

}  // namespace sy::routing
