#include "config/yaml_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>

namespace sy::config::detail {
namespace {

std::string join(std::initializer_list<std::string_view> items) {
  std::string out;
  for (auto s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::string fmt_number(double v) {
  std::string s = std::to_string(v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

// An empty value (`key:`) is marked where the next token starts, often the next line; pointing at
// its key reads better.
YAML::Mark Reader::mark_of(const YAML::Node& node) const {
  if (!node.IsDefined() || node.IsNull() || node.Mark().is_null()) return current_key_;
  return node.Mark();
}

Reader::Reader(std::string name, EnvLookup lookup)
    : name_(std::move(name)), lookup_(std::move(lookup)) {}

std::string Reader::where(const YAML::Node& node) const {
  YAML::Mark m = mark_of(node);
  if (m.is_null()) return name_;
  return name_ + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

int Reader::line(const YAML::Node& node) const {
  YAML::Mark m = mark_of(node);
  return m.is_null() ? 0 : m.line + 1;
}

void Reader::error(const YAML::Node& at, const std::string& message) {
  errors_.push_back(where(at) + ": " + message);
}

void Reader::error(const YAML::Mark& at, const std::string& message) {
  if (at.is_null()) {
    errors_.push_back(name_ + ": " + message);
  } else {
    errors_.push_back(name_ + ":" + std::to_string(at.line + 1) + ":" +
                      std::to_string(at.column + 1) + ": " + message);
  }
}

bool Reader::fields(const YAML::Node& map, std::string_view section,
                    std::initializer_list<std::string_view> allowed, const FieldFn& fn) {
  if (!map.IsDefined() || map.IsNull()) return true;
  if (!map.IsMap()) {
    error(map, std::string(section) + " must be a mapping (expected keys: " + join(allowed) + ")");
    return false;
  }
  std::set<std::string> seen;
  for (const auto& kv : map) {
    YAML::Mark key_mark = kv.first.Mark();
    if (!kv.first.IsScalar()) {
      error(key_mark, "keys in " + std::string(section) + " must be plain names");
      continue;
    }
    const std::string key = kv.first.Scalar();
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      error(key_mark, "unknown key '" + key + "' in " + std::string(section) +
                          " (expected one of: " + join(allowed) + ")");
      continue;
    }
    if (!seen.insert(key).second) {
      error(key_mark, "duplicate key '" + key + "' in " + std::string(section));
      continue;
    }
    YAML::Mark saved = current_key_;
    current_key_ = key_mark;
    fn(key, kv.second);
    current_key_ = saved;
  }
  return true;
}

bool Reader::entries(const YAML::Node& map, std::string_view section, const EntryFn& fn) {
  if (!map.IsDefined() || map.IsNull()) return true;
  if (!map.IsMap()) {
    error(map, std::string(section) + " must be a mapping of name -> settings");
    return false;
  }
  std::set<std::string> seen;
  for (const auto& kv : map) {
    YAML::Mark key_mark = kv.first.Mark();
    if (!kv.first.IsScalar() || kv.first.Scalar().empty()) {
      error(key_mark, "names in " + std::string(section) + " must be non-empty strings");
      continue;
    }
    const std::string key = kv.first.Scalar();
    if (!seen.insert(key).second) {
      error(key_mark, "duplicate name '" + key + "' in " + std::string(section));
      continue;
    }
    YAML::Mark saved = current_key_;
    current_key_ = key_mark;
    fn(key, kv.first, kv.second);
    current_key_ = saved;
  }
  return true;
}

std::optional<std::string> Reader::scalar(const YAML::Node& n, const char* expected,
                                          std::vector<std::string>* vars) {
  if (!n.IsScalar()) {
    error(n, std::string("expected ") + expected);
    return std::nullopt;
  }
  std::string err;
  auto expanded = interpolate(n.Scalar(), lookup_, &err);
  if (!expanded) {
    error(n, err);
    return std::nullopt;
  }
  if (vars) *vars = std::move(expanded->variables);
  return std::move(expanded->value);
}

std::optional<std::string> Reader::str(const YAML::Node& n, std::vector<std::string>* vars) {
  if (n.IsDefined() && n.IsNull()) return std::string();  // `key:` with nothing means empty
  return scalar(n, "a string", vars);
}

std::optional<int64_t> Reader::integer(const YAML::Node& n, int64_t min, int64_t max) {
  auto s = scalar(n, "an integer", nullptr);
  if (!s) return std::nullopt;
  int64_t v = 0;
  const char* begin = s->data();
  const char* end = s->data() + s->size();
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, v);
  if (s->empty() || ec != std::errc() || ptr != end) {
    error(n, "expected an integer, got '" + *s + "'");
    return std::nullopt;
  }
  if (v < min || v > max) {
    if (max == INT64_MAX || max >= INT64_MAX / 1000) {
      error(n, "must be " + std::string(min == 0 ? ">= 0" : ">= " + std::to_string(min)) +
                   ", got " + std::to_string(v));
    } else {
      error(n, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                   ", got " + std::to_string(v));
    }
    return std::nullopt;
  }
  return v;
}

std::optional<double> Reader::number(const YAML::Node& n, double min) {
  auto s = scalar(n, "a number", nullptr);
  if (!s) return std::nullopt;
  char* end = nullptr;
  double v = s->empty() ? 0 : std::strtod(s->c_str(), &end);
  if (s->empty() || end != s->c_str() + s->size() || !std::isfinite(v)) {
    error(n, "expected a number, got '" + *s + "'");
    return std::nullopt;
  }
  if (v < min) {
    error(n, "must be >= " + fmt_number(min) + ", got " + *s);
    return std::nullopt;
  }
  return v;
}

std::optional<bool> Reader::boolean(const YAML::Node& n) {
  auto s = scalar(n, "a boolean (true or false)", nullptr);
  if (!s) return std::nullopt;
  if (*s == "true" || *s == "True" || *s == "TRUE") return true;
  if (*s == "false" || *s == "False" || *s == "FALSE") return false;
  error(n, "expected a boolean (true or false), got '" + *s + "'");
  return std::nullopt;
}

std::optional<std::string> Reader::one_of(const YAML::Node& n,
                                          std::initializer_list<std::string_view> options) {
  auto s = scalar(n, "a string", nullptr);
  if (!s) return std::nullopt;
  if (std::find(options.begin(), options.end(), *s) == options.end()) {
    error(n, "invalid value '" + *s + "' (expected one of: " + join(options) + ")");
    return std::nullopt;
  }
  return s;
}

std::optional<std::vector<std::string>> Reader::str_list(const YAML::Node& n) {
  if (n.IsNull()) return std::vector<std::string>{};
  if (!n.IsSequence()) {
    error(n, "expected a list");
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (const auto& item : n) {
    auto s = scalar(item, "a string", nullptr);
    if (s) {
      out.push_back(*s);
    } else {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

}  // namespace sy::config::detail
