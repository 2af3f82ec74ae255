// Typed, located reads from a yaml-cpp tree for the config loader.
//
// Every read either yields a value or records "FILE:LINE:COL: message" and yields nothing, so the
// loader can keep going and report every problem at once. Scalars are interpolated (${VAR}) before
// they are converted, so `threads: ${THREADS:-4}` works.
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/env_interpolate.hpp"

namespace sy::config::detail {

class Reader {
 public:
  Reader(std::string name, EnvLookup lookup);

  // "FILE:LINE:COL" (1-based) of `node`, or of the key being visited when the node has no mark.
  std::string where(const YAML::Node& node) const;
  int line(const YAML::Node& node) const;
  void error(const YAML::Node& at, const std::string& message);
  void error(const YAML::Mark& at, const std::string& message);

  using FieldFn = std::function<void(const std::string& key, const YAML::Node& value)>;
  // Visits a mapping with a fixed set of keys; unknown and duplicate keys are reported. A null node
  // (an empty section) visits nothing. Returns false (after reporting) if `map` is not a mapping.
  bool fields(const YAML::Node& map, std::string_view section,
              std::initializer_list<std::string_view> allowed, const FieldFn& fn);

  using EntryFn = std::function<void(const std::string& name, const YAML::Node& key,
                                     const YAML::Node& value)>;
  // Visits a mapping of free-form names (providers, models, routes, headers) with duplicate checks.
  bool entries(const YAML::Node& map, std::string_view section, const EntryFn& fn);

  // Scalar reads. `vars`, when given, receives the ${VAR} names the value referenced.
  std::optional<std::string> str(const YAML::Node& n, std::vector<std::string>* vars = nullptr);
  std::optional<int64_t> integer(const YAML::Node& n, int64_t min, int64_t max);
  std::optional<double> number(const YAML::Node& n, double min);
  std::optional<bool> boolean(const YAML::Node& n);
  std::optional<std::string> one_of(const YAML::Node& n, std::initializer_list<std::string_view> options);
  std::optional<std::vector<std::string>> str_list(const YAML::Node& n);

  // Assign-if-valid helpers for the common shapes.
  void read(const YAML::Node& n, std::string& out) { if (auto v = str(n)) out = *v; }
  void read(const YAML::Node& n, bool& out) { if (auto v = boolean(n)) out = *v; }
  template <class Int>
  void read_int(const YAML::Node& n, Int& out, int64_t min, int64_t max) {
    if (auto v = integer(n, min, max)) out = static_cast<Int>(*v);
  }
  template <class Duration>
  void read_ms(const YAML::Node& n, Duration& out, int64_t min) {
    if (auto v = integer(n, min, INT64_MAX / 1000)) out = Duration(*v);
  }

  const std::vector<std::string>& errors() const { return errors_; }
  const std::string& name() const { return name_; }

 private:
  YAML::Mark mark_of(const YAML::Node& node) const;
  std::optional<std::string> scalar(const YAML::Node& n, const char* expected,
                                    std::vector<std::string>* vars);

  std::string name_;
  EnvLookup lookup_;
  YAML::Mark current_key_ = YAML::Mark::null_mark();
  std::vector<std::string> errors_;
};

}  // namespace sy::config::detail
