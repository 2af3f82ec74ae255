#include "config/config.hpp"

namespace sy::config {
namespace {

template <class T>
const T* find_named(const std::vector<T>& items, std::string_view name) {
  for (const auto& item : items) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

}  // namespace

const ProviderConfig* Config::find_provider(std::string_view name) const {
  return find_named(providers, name);
}
const ModelConfig* Config::find_model(std::string_view name) const {
  return find_named(models, name);
}
const RouteConfig* Config::find_route(std::string_view name) const {
  return find_named(routes, name);
}

}  // namespace sy::config
