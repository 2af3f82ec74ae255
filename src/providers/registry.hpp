// Builds one adapter per configured provider (by `kind`) and finds them by name.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "providers/provider.hpp"

namespace sy::providers {

class Registry {
 public:
  // Throws std::runtime_error for a kind this build does not know, or a local model that cannot
  // be loaded (local providers load their models here, at start-up).
  explicit Registry(const config::Config& cfg);
  Provider* find(std::string_view name) const;
  const std::map<std::string, std::unique_ptr<Provider>, std::less<>>& all() const { return by_name_; }

 private:
  std::map<std::string, std::unique_ptr<Provider>, std::less<>> by_name_;
};

}  // namespace sy::providers
