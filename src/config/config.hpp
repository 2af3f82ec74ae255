// The gateway's configuration: plain structs filled from one YAML file (see docs/config.md).
//
// load_config() reads the file, interpolates ${ENV} and ${ENV:-default} in scalar values, rejects
// unknown keys, checks types, ranges and cross-references (route → model → provider), and throws
// ConfigError whose what() is "FILE:LINE:COL: message" for the first problem found (all problems,
// one per line, when there are several).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace sy::config {

using std::chrono::milliseconds;

struct TimeoutsConfig {
  milliseconds connect{10'000};
  milliseconds first_byte{60'000};
  milliseconds idle{30'000};
  milliseconds total{600'000};
};

struct ProviderConfig {
  std::string name;
  std::string kind;                              // openai | anthropic | local
  std::string base_url;                          // e.g. https://api.openai.com/v1
  std::string api_key;                           // may be empty: provider reports unavailable
  std::string api_key_env;                       // the ${VAR} the key came from, for messages
  std::vector<std::pair<std::string, std::string>> headers;   // extra headers sent upstream
  TimeoutsConfig timeouts;
  std::string anthropic_version = "2023-06-01";  // anthropic kind only
  bool stream_usage = true;                      // openai kind: ask for stream_options.include_usage
  int line = 0;                                  // where it was defined, for later error messages
};

struct ModelConfig {
  std::string name;                              // public name clients send as `model`
  std::string provider;                          // ProviderConfig::name
  std::string upstream_model;                    // id sent upstream (defaults to name)
  double input_price_per_mtok = 0;               // USD per 1M input tokens
  double output_price_per_mtok = 0;              // USD per 1M output tokens
  int64_t context_window = 0;                    // 0 = unknown
  std::vector<std::string> tags;                 // e.g. local, premium
  std::string type = "chat";                     // chat | embedding | rerank | classify
  bool listed = true;                            // shown in GET /v1/models
  // local kind only: a Hugging Face model directory served by the in-process engine
  std::string local_path;
  bool quantize_int8 = false;
  int line = 0;
};

struct RouteStep {
  std::string model;                             // ModelConfig::name
  int retries = 0;                               // extra attempts on this step before moving on
};

struct RouteConfig {
  std::string name;                              // public name clients send as `model`
  std::vector<RouteStep> chain;                  // tried in order
  bool listed = true;
  int line = 0;
};

struct FallbackConfig {
  std::vector<int> retry_on_status{408, 409, 429, 500, 502, 503, 504};
  bool retry_on_connect_error = true;
  bool retry_on_timeout = true;
  bool retry_on_malformed = true;
  milliseconds backoff_base{100};
  milliseconds backoff_max{5'000};
  milliseconds max_retry_after{30'000};          // a longer Retry-After moves on instead of waiting
  int breaker_failures = 5;                      // consecutive failures that open a breaker
  milliseconds breaker_cooldown{30'000};         // open → half-open after this
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  int threads = 0;                               // 0 = one per core
  size_t max_body_bytes = 8u << 20;              // 8 MiB → 413 above
  milliseconds shutdown_grace{10'000};
  milliseconds request_timeout{600'000};
  milliseconds keepalive_timeout{75'000};
};

enum class OverflowPolicy {
  block,         // the request waits for room (bounded by block_timeout), then falls to drop_bodies
  drop_bodies,   // the record is kept but request/response bodies are dropped (counted + marked)
};

struct LogConfig {
  bool enabled = true;
  std::string sqlite_path = "switchyard.db";
  size_t queue_capacity = 10'000;                // records waiting to be written
  size_t batch_size = 256;
  milliseconds flush_interval{200};
  OverflowPolicy overflow = OverflowPolicy::drop_bodies;
  milliseconds block_timeout{50};
  bool store_bodies = true;
  size_t max_body_bytes = 1u << 20;              // bodies above are truncated (marked) in the log
};

struct EngineConfig {                            // the in-process engine (local provider)
  int threads = 0;                               // compute threads, 0 = one per core
  size_t max_batch_tokens = 8192;                // token budget of one forward batch
  size_t queue_capacity = 256;                   // waiting requests; above → 429
};

struct Config {
  std::string path;                              // file it came from
  ServerConfig server;
  std::vector<ProviderConfig> providers;
  std::vector<ModelConfig> models;
  std::vector<RouteConfig> routes;
  FallbackConfig fallback;
  LogConfig log;
  EngineConfig engine;

  const ProviderConfig* find_provider(std::string_view name) const;
  const ModelConfig* find_model(std::string_view name) const;
  const RouteConfig* find_route(std::string_view name) const;
};

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reads and validates a config file. `env` defaults to the process environment (tests pass a map).
Config load_config(const std::string& path,
                   const std::map<std::string, std::string>* env = nullptr);
// Same from text (`name` is used in messages).
Config parse_config(const std::string& yaml_text, const std::string& name,
                    const std::map<std::string, std::string>* env = nullptr);

// The built-in configuration used when `serve` gets no --config: OpenAI, Anthropic and the HF
// router with keys from OPENAI_API_KEY, ANTHROPIC_API_KEY and HF_TOKEN, log in ./switchyard.db.
const char* default_config_yaml();

}  // namespace sy::config
