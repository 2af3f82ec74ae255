// Checks that need the whole config: references between sections and kind/type compatibility.
#include <set>

#include "config/sections.hpp"

namespace sy::config::detail {
namespace {

YAML::Mark mark_in(const std::map<std::string, YAML::Mark>& m, const std::string& key,
                   YAML::Mark fallback = YAML::Mark::null_mark()) {
  auto it = m.find(key);
  return it == m.end() || it->second.is_null() ? fallback : it->second;
}

// Which model types each provider kind can serve. The in-process engine runs encoder models only;
// Anthropic has no embeddings API; OpenAI-compatible servers cover chat and embeddings.
bool kind_serves(const std::string& kind, const std::string& type) {
  if (kind == "anthropic") return type == "chat";
  if (kind == "openai") return type == "chat" || type == "embedding";
  if (kind == "local") return type == "embedding" || type == "rerank" || type == "classify";
  return true;
}

const char* types_for(const std::string& kind) {
  if (kind == "anthropic") return "chat";
  if (kind == "openai") return "chat, embedding";
  return "embedding, rerank, classify";
}

}  // namespace

void cross_check(Reader& r, const Config& cfg, const Marks& marks) {
  for (const auto& m : cfg.models) {
    YAML::Mark key = mark_in(marks.model_key, m.name);
    if (m.provider.empty()) continue;  // already reported as missing
    const ProviderConfig* p = cfg.find_provider(m.provider);
    if (!p) {
      std::string known;
      for (const auto& q : cfg.providers) known += (known.empty() ? "" : ", ") + q.name;
      r.error(mark_in(marks.model_provider, m.name, key),
              "model '" + m.name + "' uses unknown provider '" + m.provider + "'" +
                  (known.empty() ? " (no providers are defined)" : " (defined: " + known + ")"));
      continue;
    }
    if (p->kind.empty()) continue;
    if (!kind_serves(p->kind, m.type)) {
      r.error(mark_in(marks.model_type, m.name, key),
              "model '" + m.name + "' has type " + m.type + ", which provider '" + p->name +
                  "' (kind " + p->kind + ") cannot serve (it serves: " + types_for(p->kind) + ")");
    }
    if (p->kind == "local" && m.local_path.empty()) {
      r.error(key, "model '" + m.name + "' is served by local provider '" + p->name +
                       "' and needs 'path' (a Hugging Face model directory)");
    }
    if (p->kind != "local" && marks.model_local_field.count(m.name)) {
      r.error(mark_in(marks.model_local_field, m.name, key),
              "'path' and 'quantize' apply only to models of a local provider");
    }
  }

  for (const auto& rt : cfg.routes) {
    YAML::Mark key = mark_in(marks.route_key, rt.name);
    if (cfg.find_model(rt.name)) {
      r.error(key, "'" + rt.name + "' is both a model and a route; public names must be unique");
    }
    auto steps_it = marks.route_steps.find(rt.name);
    std::set<std::string> types;
    for (size_t i = 0; i < rt.chain.size(); ++i) {
      YAML::Mark at = key;
      if (steps_it != marks.route_steps.end() && i < steps_it->second.size()) {
        at = steps_it->second[i];
      }
      const std::string& target = rt.chain[i].model;
      const ModelConfig* m = cfg.find_model(target);
      if (m) {
        types.insert(m->type);
      } else if (cfg.find_route(target)) {
        r.error(at, "route '" + rt.name + "' step '" + target +
                        "' is a route; chain steps must name models");
      } else {
        r.error(at, "route '" + rt.name + "' step '" + target + "' is not a defined model");
      }
    }
    if (types.size() > 1) {
      r.error(key, "route '" + rt.name + "' mixes model types (" + *types.begin() + " and " +
                       *std::next(types.begin()) + "); a chain must serve one kind of request");
    }
  }
}

}  // namespace sy::config::detail
