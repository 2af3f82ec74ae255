// SseChatStream — a ChatStream over an upstream text/event-stream: reads body pieces, splits them
// into SSE events, and hands each to a FrameTranslator that turns upstream events into client
// frames (a pass-through observer when both sides speak the same wire, a translator otherwise).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "providers/provider.hpp"
#include "upstream/http_client.hpp"
#include "upstream/sse_parser.hpp"

namespace sy::providers {

class FrameTranslator {
 public:
  virtual ~FrameTranslator() = default;
  // Client frames for one upstream event; a Failure for an upstream error event or bad data.
  virtual Result<std::vector<std::string>> feed(std::string_view event, const std::string& data) = 0;
  // Frames that close the client's stream once the upstream body ended cleanly.
  virtual std::vector<std::string> finish() = 0;
  // True once the upstream's own end marker ([DONE], message_stop) or final state was seen.
  virtual bool complete() const = 0;
  virtual Usage usage() const = 0;
  // As ChatStream::assembles / assembled_json.
  virtual bool assembles() const { return false; }
  virtual std::string assembled_json() const { return {}; }
};

class SseChatStream final : public ChatStream {
 public:
  SseChatStream(std::unique_ptr<upstream::StreamingResponse> resp,
                std::unique_ptr<FrameTranslator> translator, std::string provider_name);
  asio::awaitable<Result<std::optional<std::vector<StreamChunk>>>> next() override;
  Usage usage() const override { return translator_->usage(); }
  bool assembles() const override { return translator_->assembles(); }
  std::string assembled_json() const override { return translator_->assembled_json(); }

  // Reads until the first client frame is available (kept for the first next()).
  asio::awaitable<Result<bool>> prime();

 private:
  asio::awaitable<Result<bool>> fill();   // true: frames pending; false: clean end

  std::unique_ptr<upstream::StreamingResponse> resp_;
  std::unique_ptr<FrameTranslator> translator_;
  std::string provider_;
  upstream::SseParser parser_;
  std::vector<upstream::SseEvent> events_;
  std::vector<StreamChunk> pending_;
  std::optional<Failure> failed_;  // met after frames still pending: returned once they are sent
  bool ended_ = false;
};

}  // namespace sy::providers
