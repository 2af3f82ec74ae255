#include "providers/frame_translators.hpp"

#include <random>

#include "api/stream_accumulate.hpp"
#include "api/stream_translate.hpp"

namespace sy::providers {

namespace {

std::string random_suffix(size_t n) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string s;
  s.reserve(n);
  for (size_t i = 0; i < n; ++i) s += kAlphabet[rng() % (sizeof kAlphabet - 1)];
  return s;
}

std::vector<std::string> one(std::string s) {
  std::vector<std::string> v;
  v.push_back(std::move(s));
  return v;
}

// The pass-throughs reassemble what they forward from the chunks the observer parsed anyway
// (the client's frames are those chunks, but for the model name), sparing a second parse of every
// chunk for the log.
class OpenAIPassthrough final : public FrameTranslator {
 public:
  OpenAIPassthrough(std::string model, bool include_usage)
      : obs_(model), acc_(model), include_usage_(include_usage) {}
  Result<std::vector<std::string>> feed(std::string_view, const std::string& data) override {
    auto frame = obs_.feed(data);
    if (!frame.ok()) return frame.failure();
    // We asked for include_usage; a client that did not may index choices[0] of that chunk.
    if (!include_usage_ && obs_.last_was_usage_only()) {
      obs_.release_last();
      return std::vector<std::string>{};
    }
    if (const json::Value* chunk = obs_.last_chunk()) acc_.feed_chunk(*chunk);
    obs_.release_last();
    return one(std::move(frame.value()));
  }
  bool assembles() const override { return true; }
  std::string assembled_json() const override { return acc_.result_json(); }
  // Some OpenAI-compatible servers end after the finish_reason chunk without [DONE]; clients
  // still get the terminator they expect.
  std::vector<std::string> finish() override {
    if (obs_.done()) return {};
    return one("data: [DONE]\n\n");
  }
  bool complete() const override { return obs_.done() || !obs_.finish_reason().empty(); }
  Usage usage() const override { return obs_.usage(); }

 private:
  api::OpenAIStreamObserver obs_;
  api::OpenAIStreamAccumulator acc_;
  bool include_usage_;
};

class AnthropicPassthrough final : public FrameTranslator {
 public:
  explicit AnthropicPassthrough(std::string model) : obs_(std::move(model)) {}
  Result<std::vector<std::string>> feed(std::string_view event, const std::string& data) override {
    auto frame = obs_.feed(event, data);
    if (!frame.ok()) return frame.failure();
    if (frame.value().empty()) {
      obs_.release_last();
      return std::vector<std::string>{};
    }
    if (const json::Value* ev = obs_.last_event()) acc_.feed_event(event, *ev);
    obs_.release_last();
    return one(std::move(frame.value()));
  }
  bool assembles() const override { return true; }
  std::string assembled_json() const override { return acc_.result_json(); }
  std::vector<std::string> finish() override { return {}; }
  bool complete() const override { return obs_.done(); }
  Usage usage() const override { return obs_.usage(); }

 private:
  api::AnthropicStreamObserver obs_;
  api::AnthropicStreamAccumulator acc_;
};

template <class Translator>
class Translating final : public FrameTranslator {
 public:
  explicit Translating(Translator t) : t_(std::move(t)) {}
  Result<std::vector<std::string>> feed(std::string_view event, const std::string& data) override {
    return t_.feed(event, data);
  }
  std::vector<std::string> finish() override { return t_.finish(); }
  bool complete() const override { return t_.done() || !t_.finish_reason().empty(); }
  Usage usage() const override { return t_.usage(); }

 private:
  Translator t_;
};

}  // namespace

std::string new_completion_id() { return "chatcmpl-" + random_suffix(24); }
std::string new_message_id() { return "msg_" + random_suffix(24); }

std::unique_ptr<FrameTranslator> from_openai_stream(Wire client, std::string model,
                                                    bool include_usage) {
  if (client == Wire::openai) return std::make_unique<OpenAIPassthrough>(std::move(model), include_usage);
  return std::make_unique<Translating<api::OpenAIToAnthropicStream>>(
      api::OpenAIToAnthropicStream(std::move(model), new_message_id()));
}

std::unique_ptr<FrameTranslator> from_anthropic_stream(Wire client, std::string model,
                                                       bool include_usage) {
  if (client == Wire::anthropic) return std::make_unique<AnthropicPassthrough>(std::move(model));
  return std::make_unique<Translating<api::AnthropicToOpenAIStream>>(
      api::AnthropicToOpenAIStream(std::move(model), new_completion_id(), include_usage));
}

}  // namespace sy::providers
