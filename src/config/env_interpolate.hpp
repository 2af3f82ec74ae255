// ${VAR} / ${VAR:-default} expansion for config scalar values.
//
// Rules (documented for users in docs/config.md):
//  - `${NAME}` is replaced by the variable's value; an unset NAME is an error.
//  - `${NAME:-text}` uses `text` when NAME is unset or empty (shell semantics); `${NAME:-}` gives "".
//    The default is literal text (no nested ${...}) and ends at the first `}`.
//  - `$$` is a literal `$`; a `$` not followed by `{` or `$` is kept as is.
//  - NAME is [A-Za-z_][A-Za-z0-9_]*.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sy::config {

// Returns the variable's value, or nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// A lookup over `env`, or over the process environment when `env` is null.
EnvLookup make_env_lookup(const std::map<std::string, std::string>* env);

struct Interpolated {
  std::string value;
  std::vector<std::string> variables;  // names referenced, in order (for "set OPENAI_API_KEY")
};

// Expands `text`. On error returns nullopt and sets *error to a message without location.
std::optional<Interpolated> interpolate(std::string_view text, const EnvLookup& lookup,
                                        std::string* error);

}  // namespace sy::config
