// Adapter for the in-process engine (provider kind `local`): serves the encoder models configured
// for it — embeddings, rerank (cross-encoders) and classify — without any network hop.
//
// Every model is loaded when the provider is built (start-up): a model that cannot be loaded, or
// whose directory lacks what its `type` needs (a classification head for rerank/classify), throws
// std::runtime_error naming the model and the path, and `switchyard serve` exits with it.
// Models are found by ModelConfig::upstream_model.
//
// Requests are validated with api/ (embeddings_response, rerank, classify), handed to the model's
// queue and awaited without blocking the network thread (providers/encode_awaitable.hpp). A full
// queue is FailureKind::overloaded (the front door answers 429; routing tries the next target of a
// chain first); an engine error is FailureKind::internal. Usage is the engine's input token count.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "engine/encoder.hpp"
#include "providers/provider.hpp"

namespace sy::providers {

class LocalProvider final : public Provider {
 public:
  // `models`: the configured models whose provider is `cfg` (others are ignored).
  LocalProvider(config::ProviderConfig cfg, const std::vector<config::ModelConfig>& models,
                const config::EngineConfig& engine_cfg);
  std::string_view kind() const override { return "local"; }
  std::string_view name() const override { return cfg_.name; }

  asio::awaitable<Result<JsonResponse>> embeddings(const JsonCall& call, CallContext& ctx) override;
  asio::awaitable<Result<JsonResponse>> rerank(const JsonCall& call, CallContext& ctx) override;
  asio::awaitable<Result<JsonResponse>> classify(const JsonCall& call, CallContext& ctx) override;

 private:
  struct Served {
    std::shared_ptr<engine::EncoderModel> model;
    std::string public_name;   // first configured name, for messages
    std::string path;
    bool quantize_int8 = false;
  };
  Result<const Served*> find(const std::string& upstream_model) const;
  asio::awaitable<Result<engine::EncodeResult>> run(const Served& m, engine::EncodeRequest req) const;

  config::ProviderConfig cfg_;
  size_t queue_capacity_;
  std::map<std::string, Served, std::less<>> models_;
};

}  // namespace sy::providers
