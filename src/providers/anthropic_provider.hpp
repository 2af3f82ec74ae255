// Adapter for Anthropic's native Messages API: POST {base_url}/v1/messages with `x-api-key` and
// `anthropic-version`. OpenAI-format clients are translated with api/.
#pragma once

#include "config/config.hpp"
#include "providers/provider.hpp"
#include "upstream/http_client.hpp"

namespace sy::providers {

class AnthropicProvider final : public Provider {
 public:
  explicit AnthropicProvider(config::ProviderConfig cfg);
  std::string_view kind() const override { return "anthropic"; }
  std::string_view name() const override { return cfg_.name; }
  std::optional<std::string> unavailable_reason() const override;

  asio::awaitable<Result<ChatResponse>> chat(const ChatCall& call, CallContext& ctx) override;
  asio::awaitable<Result<std::unique_ptr<ChatStream>>> chat_stream(const ChatCall& call,
                                                                   CallContext& ctx) override;
  // POST {base_url}/v1/messages/count_tokens with the upstream model; the answer as it is.
  asio::awaitable<Result<JsonResponse>> count_tokens(const JsonCall& call, CallContext& ctx) override;

  // Anthropic requires max_tokens; OpenAI clients often omit it.
  static constexpr int64_t kDefaultMaxTokens = 4096;

 private:
  Result<std::string> request_body(const ChatCall& call) const;
  upstream::Request request(std::string body, const CallContext& ctx,
                            std::string_view path = "/v1/messages") const;
  config::ProviderConfig cfg_;
};

}  // namespace sy::providers
