// load_config / parse_config: YAML text → Config, collecting every problem before throwing.
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "config/config.hpp"
#include "config/sections.hpp"

namespace sy::config {

Config parse_config(const std::string& yaml_text, const std::string& name,
                    const std::map<std::string, std::string>* env) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(name + ":" + std::to_string(e.mark.line + 1) + ":" +
                      std::to_string(e.mark.column + 1) + ": invalid YAML: " + e.msg);
  }

  detail::Reader r(name, make_env_lookup(env));
  detail::Marks marks;
  Config cfg;
  cfg.path = name;
  r.fields(root, "the top level",
           {"server", "providers", "models", "routes", "fallback", "log", "engine"},
           [&](const std::string& key, const YAML::Node& v) {
             if (key == "server") detail::parse_server(r, v, cfg.server);
             else if (key == "providers") detail::parse_providers(r, v, cfg.providers);
             else if (key == "models") detail::parse_models(r, v, cfg.models, marks);
             else if (key == "routes") detail::parse_routes(r, v, cfg.routes, marks);
             else if (key == "fallback") detail::parse_fallback(r, v, cfg.fallback);
             else if (key == "log") detail::parse_log(r, v, cfg.log);
             else if (key == "engine") detail::parse_engine(r, v, cfg.engine);
           });
  detail::cross_check(r, cfg, marks);

  if (!r.errors().empty()) {
    std::string all;
    for (const auto& e : r.errors()) {
      if (!all.empty()) all += '\n';
      all += e;
    }
    throw ConfigError(all);
  }
  return cfg;
}

Config load_config(const std::string& path, const std::map<std::string, std::string>* env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open config file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": cannot read config file");
  return parse_config(text.str(), path, env);
}

}  // namespace sy::config
