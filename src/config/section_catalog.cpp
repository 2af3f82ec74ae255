// providers, models and routes: maps of user-chosen names to settings.
#include <optional>

#include "config/sections.hpp"

namespace sy::config::detail {
namespace {

bool is_http_url(const std::string& s) {
  auto rest_after = [&](std::string_view scheme) -> bool {
    return s.rfind(scheme, 0) == 0 && s.size() > scheme.size() && s[scheme.size()] != '/';
  };
  return rest_after("http://") || rest_after("https://");
}

void parse_timeouts(Reader& r, const YAML::Node& n, TimeoutsConfig& out) {
  r.fields(n, "timeouts", {"connect_ms", "first_byte_ms", "idle_ms", "total_ms"},
           [&](const std::string& key, const YAML::Node& v) {
             if (key == "connect_ms") r.read_ms(v, out.connect, 1);
             else if (key == "first_byte_ms") r.read_ms(v, out.first_byte, 1);
             else if (key == "idle_ms") r.read_ms(v, out.idle, 1);
             else if (key == "total_ms") r.read_ms(v, out.total, 1);
           });
}

}  // namespace

void parse_providers(Reader& r, const YAML::Node& n, std::vector<ProviderConfig>& out) {
  r.entries(n, "providers", [&](const std::string& name, const YAML::Node& key,
                                const YAML::Node& body) {
    ProviderConfig p;
    p.name = name;
    p.line = r.line(key);
    bool has_kind = false;
    std::optional<YAML::Mark> base_url_at, stream_usage_at, version_at;
    bool ok = r.fields(body, "provider '" + name + "'",
             {"kind", "base_url", "api_key", "headers", "timeouts", "stream_usage",
              "anthropic_version"},
             [&](const std::string& k, const YAML::Node& v) {
               if (k == "kind") {
                 if (auto s = r.one_of(v, {"openai", "anthropic", "local"})) p.kind = *s;
                 has_kind = true;
               } else if (k == "base_url") {
                 base_url_at = v.Mark();
                 if (auto s = r.str(v)) {
                   if (!s->empty() && !is_http_url(*s)) {
                     r.error(v, "base_url must be an http:// or https:// URL, got '" + *s + "'");
                   }
                   p.base_url = *s;
                   while (!p.base_url.empty() && p.base_url.back() == '/') p.base_url.pop_back();
                 }
               } else if (k == "api_key") {
                 std::vector<std::string> vars;
                 if (auto s = r.str(v, &vars)) {
                   p.api_key = *s;
                   if (!vars.empty()) p.api_key_env = vars.front();
                 }
               } else if (k == "headers") {
                 r.entries(v, "headers of provider '" + name + "'",
                           [&](const std::string& h, const YAML::Node&, const YAML::Node& hv) {
                             if (auto s = r.str(hv)) p.headers.emplace_back(h, *s);
                           });
               } else if (k == "timeouts") {
                 parse_timeouts(r, v, p.timeouts);
               } else if (k == "stream_usage") {
                 stream_usage_at = v.Mark();
                 r.read(v, p.stream_usage);
               } else if (k == "anthropic_version") {
                 version_at = v.Mark();
                 r.read(v, p.anthropic_version);
               }
             });
    if (!ok) return;
    if (!has_kind) {
      r.error(key, "provider '" + name + "' needs 'kind' (openai, anthropic or local)");
    } else if (!p.kind.empty()) {
      if (p.kind != "local" && p.base_url.empty()) {
        r.error(base_url_at.value_or(key.Mark()),
                "provider '" + name + "' of kind " + p.kind + " needs a non-empty 'base_url'");
      }
      if (p.kind == "local" && base_url_at) {
        r.error(*base_url_at, "base_url is not used by local providers (set 'path' on models)");
      }
      if (p.kind != "openai" && stream_usage_at) {
        r.error(*stream_usage_at, "stream_usage applies only to providers of kind openai");
      }
      if (p.kind != "anthropic" && version_at) {
        r.error(*version_at, "anthropic_version applies only to providers of kind anthropic");
      }
    }
    out.push_back(std::move(p));
  });
}

void parse_models(Reader& r, const YAML::Node& n, std::vector<ModelConfig>& out, Marks& marks) {
  r.entries(n, "models", [&](const std::string& name, const YAML::Node& key,
                             const YAML::Node& body) {
    ModelConfig m;
    m.name = name;
    m.upstream_model = name;
    m.line = r.line(key);
    marks.model_key[name] = key.Mark();
    bool has_provider = false;
    bool ok = r.fields(body, "model '" + name + "'",
             {"provider", "upstream_model", "price", "context_window", "tags", "type", "listed",
              "path", "quantize"},
             [&](const std::string& k, const YAML::Node& v) {
               if (k == "provider") {
                 has_provider = true;
                 marks.model_provider[name] = v.Mark().is_null() ? key.Mark() : v.Mark();
                 r.read(v, m.provider);
               } else if (k == "upstream_model") {
                 if (auto s = r.str(v)) {
                   if (s->empty()) r.error(v, "upstream_model must not be empty");
                   else m.upstream_model = *s;
                 }
               } else if (k == "price") {
                 r.fields(v, "price of model '" + name + "'", {"input_per_mtok", "output_per_mtok"},
                          [&](const std::string& pk, const YAML::Node& pv) {
                            if (auto d = r.number(pv, 0)) {
                              (pk == "input_per_mtok" ? m.input_price_per_mtok
                                                      : m.output_price_per_mtok) = *d;
                            }
                          });
               } else if (k == "context_window") {
                 r.read_int(v, m.context_window, 0, INT64_MAX);
               } else if (k == "tags") {
                 if (auto t = r.str_list(v)) m.tags = *t;
               } else if (k == "type") {
                 marks.model_type[name] = v.Mark();
                 if (auto s = r.one_of(v, {"chat", "embedding", "rerank", "classify"})) m.type = *s;
               } else if (k == "listed") {
                 r.read(v, m.listed);
               } else if (k == "path") {
                 marks.model_local_field.emplace(name, v.Mark());
                 r.read(v, m.local_path);
               } else if (k == "quantize") {
                 marks.model_local_field.emplace(name, v.Mark());
                 if (auto s = r.one_of(v, {"none", "int8"})) m.quantize_int8 = *s == "int8";
               }
             });
    if (!ok) return;
    if (!has_provider) r.error(key, "model '" + name + "' needs 'provider'");
    out.push_back(std::move(m));
  });
}

void parse_routes(Reader& r, const YAML::Node& n, std::vector<RouteConfig>& out, Marks& marks) {
  r.entries(n, "routes", [&](const std::string& name, const YAML::Node& key,
                             const YAML::Node& body) {
    RouteConfig rc;
    rc.name = name;
    rc.line = r.line(key);
    marks.route_key[name] = key.Mark();
    auto& step_marks = marks.route_steps[name];
    bool has_chain = false;
    bool ok = r.fields(body, "route '" + name + "'", {"listed", "chain"},
             [&](const std::string& k, const YAML::Node& v) {
               if (k == "listed") {
                 r.read(v, rc.listed);
                 return;
               }
               has_chain = true;
               if (!v.IsSequence() || v.size() == 0) {
                 r.error(v, "chain of route '" + name + "' must be a non-empty list of models");
                 return;
               }
               for (const auto& item : v) {
                 RouteStep step;
                 if (item.IsScalar()) {   // shorthand: just the model name
                   auto s = r.str(item);
                   if (!s) continue;
                   step.model = *s;
                 } else if (item.IsMap()) {
                   bool has_model = false;
                   r.fields(item, "chain step", {"model", "retries"},
                            [&](const std::string& sk, const YAML::Node& sv) {
                              if (sk == "model") {
                                has_model = true;
                                r.read(sv, step.model);
                              } else {
                                r.read_int(sv, step.retries, 0, 100);
                              }
                            });
                   if (!has_model) {
                     r.error(item, "chain step needs 'model'");
                     continue;
                   }
                 } else {
                   r.error(item, "chain step must be a model name or {model: NAME, retries: N}");
                   continue;
                 }
                 rc.chain.push_back(step);
                 step_marks.push_back(item.Mark());
               }
             });
    if (!ok) return;
    if (!has_chain) r.error(key, "route '" + name + "' needs 'chain'");
    out.push_back(std::move(rc));
  });
}

}  // namespace sy::config::detail
