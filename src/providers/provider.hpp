// providers::Provider — the one interface every adapter implements (OpenAI-compatible, Anthropic,
// local engine, ...). Envoy-style: routing/ sees only this, never a concrete adapter.
//
// Contract:
//  - A request arrives in the *client's* wire format (ChatCall::client_wire) and every response,
//    stream event and error body goes back in that same format. An adapter whose upstream speaks
//    the other format translates both ways with api/ (the wire-format library).
//  - `upstream_model` replaces the client's `model`; everything else the client sent is forwarded
//    untouched when the formats match (unknown fields included).
//  - Methods never throw for upstream trouble: they return a Failure whose kind tells routing
//    whether falling back makes sense.
//  - A ChatStream is returned only after the upstream accepted the request (2xx headers) and its
//    *first* event arrived, so a failure before that can still fall back invisibly.
//  - Adapters are shared by all worker threads: state they keep must be immutable or atomic.
//    Per-thread resources (the HTTP client) come in through CallContext.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "common/json.hpp"
#include "common/result.hpp"
#include "common/usage.hpp"

namespace sy::upstream { class Client; }

namespace sy::providers {

namespace asio = boost::asio;

struct CallContext {
  upstream::Client* http = nullptr;   // the calling worker's client
  std::string request_id;             // forwarded upstream as x-request-id
  // The client request's deadline (server.request_timeout_ms): no upstream exchange may outlast
  // it, whatever the provider's own timeouts say.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct ChatCall {
  Wire client_wire = Wire::openai;
  const json::Value* body = nullptr;  // the client's request body (an object), never modified
  std::string upstream_model;
  bool stream = false;
  std::string client_model;           // the public name the client asked for; answers echo it
  // The text `body` was parsed from. Same-wire adapters rewrite `model` in these bytes
  // (json::rewrite_members) instead of re-serializing the DOM; empty = use the DOM.
  std::string_view body_text;
};

// A complete (non-streaming) answer, already in the client's wire format.
struct ChatResponse {
  std::string body;                   // JSON in the client's wire, `model` = ChatCall::client_model
  Usage usage;
  std::string finish_reason;          // normalized: stop, length, tool_calls, content_filter, error
};

// One piece of a stream, ready to write to the client: the full SSE frame text
// ("event: x\ndata: {...}\n\n" or "data: {...}\n\n").
struct StreamChunk {
  std::string sse;
};

class ChatStream {
 public:
  virtual ~ChatStream() = default;
  // The next frames to send (may be several); empty optional at the clean end of the stream (the
  // adapter has already emitted the wire's terminator, e.g. "data: [DONE]" or message_stop).
  // A Failure mid-stream means the caller must end the client's stream with an error event.
  virtual asio::awaitable<Result<std::optional<std::vector<StreamChunk>>>> next() = 0;
  // Usage as known so far (final after the end).
  virtual Usage usage() const = 0;
  // True when the stream rebuilds the non-streaming equivalent of the frames it has returned
  // (assembled_json(), for the log) from the events it parsed anyway; otherwise the caller
  // reassembles the frames itself (server/sse_frames.hpp), which parses each one again.
  virtual bool assembles() const { return false; }
  virtual std::string assembled_json() const { return {}; }
};

// A request whose body is one JSON object in, one JSON object out (embeddings, rerank, classify).
struct JsonCall {
  const json::Value* body = nullptr;  // the client's request body (an object), never modified
  std::string upstream_model;
  std::string client_model;           // the public name the client asked for; answers echo it
  std::string_view body_text;         // as ChatCall::body_text
};
using EmbeddingsCall = JsonCall;      // OpenAI /v1/embeddings request

struct JsonResponse {
  std::string body;
  Usage usage;
};

class Provider {
 public:
  virtual ~Provider() = default;
  virtual std::string_view kind() const = 0;   // "openai", "anthropic", "local"
  virtual std::string_view name() const = 0;   // the config's provider name
  // Why this provider cannot serve now (e.g. "api_key is empty: set OPENAI_API_KEY"), or nullopt.
  virtual std::optional<std::string> unavailable_reason() const { return std::nullopt; }

  virtual asio::awaitable<Result<ChatResponse>> chat(const ChatCall& call, CallContext& ctx);
  virtual asio::awaitable<Result<std::unique_ptr<ChatStream>>> chat_stream(const ChatCall& call,
                                                                           CallContext& ctx);
  virtual asio::awaitable<Result<JsonResponse>> embeddings(const EmbeddingsCall& call,
                                                           CallContext& ctx);
  // POST /v1/rerank (docs/local-models.md) and POST /v1/classify; answer in the same shapes.
  virtual asio::awaitable<Result<JsonResponse>> rerank(const JsonCall& call, CallContext& ctx);
  virtual asio::awaitable<Result<JsonResponse>> classify(const JsonCall& call, CallContext& ctx);
  // POST /v1/messages/count_tokens (Anthropic's shape: {"input_tokens": N}); only providers whose
  // upstream counts for itself implement it. The server estimates for the others.
  virtual asio::awaitable<Result<JsonResponse>> count_tokens(const JsonCall& call, CallContext& ctx);
};

}  // namespace sy::providers
