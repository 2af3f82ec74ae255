// The built-in config. Keys come from the environment and default to empty, so the gateway starts
// with no key set and each provider reports itself unavailable until its variable is exported.
// Prices are USD per 1M tokens as published by each provider (checked 2026-11-21; docs/config.md).
// The HF router's price depends on the inference provider serving the model: 0 = not accounted.
#include "config/config.hpp"

namespace sy::config {

const char* default_config_yaml() {
  return R"yaml(# switchyard built-in configuration (used when `serve` gets no --config)
server:
  listen: ${SWITCHYARD_LISTEN:-127.0.0.1:8080}

providers:
  openai:
    kind: openai
    base_url: https://api.openai.com/v1
    api_key: ${OPENAI_API_KEY:-}
  anthropic:
    kind: anthropic
    base_url: https://api.anthropic.com
    api_key: ${ANTHROPIC_API_KEY:-}
  hf:
    kind: openai
    base_url: https://router.huggingface.co/v1
    api_key: ${HF_TOKEN:-}

models:
  gpt-4o-mini:
    provider: openai
    price: { input_per_mtok: 0.15, output_per_mtok: 0.60 }
    context_window: 128000
  gpt-4o:
    provider: openai
    price: { input_per_mtok: 2.50, output_per_mtok: 10.00 }
    context_window: 128000
    tags: [premium]
  text-embedding-3-small:
    provider: openai
    type: embedding
    price: { input_per_mtok: 0.02, output_per_mtok: 0 }
    context_window: 8191
  claude-3-5-haiku-latest:
    provider: anthropic
    price: { input_per_mtok: 0.80, output_per_mtok: 4.00 }
    context_window: 200000
  claude-sonnet-4-0:
    provider: anthropic
    price: { input_per_mtok: 3.00, output_per_mtok: 15.00 }
    context_window: 200000
    tags: [premium]
  meta-llama/Llama-3.1-8B-Instruct:
    provider: hf
    price: { input_per_mtok: 0, output_per_mtok: 0 }
    context_window: 128000
    tags: [open]

routes:
  chat-default:
    chain:
      - model: ${SWITCHYARD_DEFAULT_CHAT:-gpt-4o-mini}
        retries: 1
      - claude-3-5-haiku-latest

log:
  sqlite_path: ${SWITCHYARD_DB:-switchyard.db}
)yaml";
}

}  // namespace sy::config
