#include "providers/registry.hpp"

#include <stdexcept>

#include "providers/anthropic_provider.hpp"
#include "providers/local_provider.hpp"
#include "providers/openai_provider.hpp"

namespace sy::providers {

Registry::Registry(const config::Config& cfg) {
  for (const auto& p : cfg.providers) {
    std::unique_ptr<Provider> adapter;
    if (p.kind == "openai") adapter = std::make_unique<OpenAIProvider>(p);
    else if (p.kind == "anthropic") adapter = std::make_unique<AnthropicProvider>(p);
    else if (p.kind == "local") adapter = std::make_unique<LocalProvider>(p, cfg.models, cfg.engine);
    else throw std::runtime_error("provider '" + p.name + "': kind '" + p.kind + "' is not available in this build");
    by_name_.emplace(p.name, std::move(adapter));
  }
}

Provider* Registry::find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second.get();
}

}  // namespace sy::providers
