// Adapter for OpenAI and every OpenAI-compatible server (HF Inference Providers router, vLLM, TGI,
// Ollama, llama.cpp server, DeepSeek): POST {base_url}/chat/completions and /embeddings with
// `Authorization: Bearer <api_key>`. Anthropic-format clients are translated with api/.
#pragma once

#include "config/config.hpp"
#include "providers/provider.hpp"
#include "upstream/http_client.hpp"

namespace sy::providers {

class OpenAIProvider final : public Provider {
 public:
  explicit OpenAIProvider(config::ProviderConfig cfg);
  std::string_view kind() const override { return "openai"; }
  std::string_view name() const override { return cfg_.name; }
  std::optional<std::string> unavailable_reason() const override;

  asio::awaitable<Result<ChatResponse>> chat(const ChatCall& call, CallContext& ctx) override;
  asio::awaitable<Result<std::unique_ptr<ChatStream>>> chat_stream(const ChatCall& call,
                                                                   CallContext& ctx) override;
  asio::awaitable<Result<JsonResponse>> embeddings(const EmbeddingsCall& call,
                                                   CallContext& ctx) override;

 private:
  Result<std::string> request_body(const ChatCall& call) const;
  upstream::Request request(std::string_view path, std::string body, const CallContext& ctx) const;
  config::ProviderConfig cfg_;
};

}  // namespace sy::providers
