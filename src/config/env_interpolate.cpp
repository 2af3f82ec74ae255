#include "config/env_interpolate.hpp"

#include <cstdlib>

namespace sy::config {
namespace {

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_name_char(char c) { return is_name_start(c) || (c >= '0' && c <= '9'); }

}  // namespace

EnvLookup make_env_lookup(const std::map<std::string, std::string>* env) {
  if (env) {
    return [env](const std::string& name) -> std::optional<std::string> {
      auto it = env->find(name);
      if (it == env->end()) return std::nullopt;
      return it->second;
    };
  }
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::optional<Interpolated> interpolate(std::string_view text, const EnvLookup& lookup,
                                        std::string* error) {
  Interpolated out;
  out.value.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '$' || i + 1 >= text.size()) {
      out.value.push_back(c);
      ++i;
      continue;
    }
    char next = text[i + 1];
    if (next == '$') {
      out.value.push_back('$');
      i += 2;
      continue;
    }
    if (next != '{') {
      out.value.push_back('$');
      ++i;
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      *error = "unterminated '${' (escape a literal '$' as '$$')";
      return std::nullopt;
    }
    std::string_view body = text.substr(i + 2, close - (i + 2));
    size_t sep = body.find(":-");
    std::string_view name = body.substr(0, sep);
    bool has_default = sep != std::string_view::npos;
    bool valid = !name.empty() && is_name_start(name[0]);
    for (char n : name) valid = valid && is_name_char(n);
    if (!valid) {
      *error = "invalid variable reference '${" + std::string(body) +
               "}' (expected ${NAME} or ${NAME:-default})";
      return std::nullopt;
    }
    std::string var(name);
    out.variables.push_back(var);
    std::optional<std::string> value = lookup(var);
    if (has_default) {
      if (value && !value->empty()) {
        out.value += *value;
      } else {
        out.value += body.substr(sep + 2);
      }
    } else if (value) {
      out.value += *value;
    } else {
      *error = "environment variable '" + var + "' is not set (use ${" + var +
               ":-default} to make it optional)";
      return std::nullopt;
    }
    i = close + 1;
  }
  return out;
}

}  // namespace sy::config
