// Internal to config/: one parser per top-level section, and the cross-reference pass.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

namespace sy::config::detail {

// Where things were written, for cross-reference messages that point at the offending node.
struct Marks {
  std::map<std::string, YAML::Mark> model_key;
  std::map<std::string, YAML::Mark> model_provider;
  std::map<std::string, YAML::Mark> model_type;
  std::map<std::string, YAML::Mark> model_local_field;   // first of path/quantize, if any
  std::map<std::string, YAML::Mark> route_key;
  std::map<std::string, std::vector<YAML::Mark>> route_steps;
};

void parse_server(Reader& r, const YAML::Node& n, ServerConfig& out);
void parse_providers(Reader& r, const YAML::Node& n, std::vector<ProviderConfig>& out);
void parse_models(Reader& r, const YAML::Node& n, std::vector<ModelConfig>& out, Marks& marks);
void parse_routes(Reader& r, const YAML::Node& n, std::vector<RouteConfig>& out, Marks& marks);
void parse_fallback(Reader& r, const YAML::Node& n, FallbackConfig& out);
void parse_log(Reader& r, const YAML::Node& n, LogConfig& out);
void parse_engine(Reader& r, const YAML::Node& n, EngineConfig& out);

// route → model → provider references, and model type vs provider kind.
void cross_check(Reader& r, const Config& cfg, const Marks& marks);

// "host:port" or "[v6addr]:port"; false with *error set when malformed.
bool parse_listen(const std::string& text, std::string* host, uint16_t* port, std::string* error);

}  // namespace sy::config::detail
