// Reassembly of a stream into the non-streaming response shape, for the request log (what the
// client effectively received, in one JSON object). Tolerant by design: unparsable or unexpected
// events are skipped, since the log must record whatever arrived, even from a broken stream.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "api/stream_translate.hpp"
#include "common/usage.hpp"

namespace sy::api {

// OpenAI chat.completion.chunk data texts → chat.completion object: content and refusal
// concatenated per choice, tool_calls merged by index (id/name from the first fragment,
// arguments concatenated), finish_reason, usage (raw, as the upstream sent it, or null), and
// "error" when an error chunk arrived. reasoning_content deltas are kept as
// message.reasoning_content.
class OpenAIStreamAccumulator {
 public:
  // `model`: the model name the client saw, when the chunks fed carry the upstream's own.
  explicit OpenAIStreamAccumulator(std::string model = {}) : model_(std::move(model)) {}
  void feed_data(const std::string& data);
  void feed_chunk(const json::Value& chunk);  // one chunk already parsed
  std::string result_json() const;
  Usage usage() const { return usage_; }

 private:
  struct ToolCall {
    std::string id;
    std::string name;
    std::string arguments;
  };
  struct Choice {
    std::string content;
    bool has_content = false;
    std::string refusal;
    std::string reasoning;
    std::map<int64_t, ToolCall> tool_calls;
    std::string finish_reason;
  };
  std::string id_;
  std::string model_;
  int64_t created_ = 0;
  std::map<int64_t, Choice> choices_;
  std::string usage_json_;
  std::string error_json_;
  Usage usage_;
};

// Anthropic stream events → message object: blocks rebuilt by index (text concatenated,
// tool_use input parsed from the concatenated input_json_delta pieces — kept as a string when it
// does not parse — thinking with its signature; other blocks as they started), stop_reason,
// stop_sequence, usage (message_start merged with message_delta), and "error" when an error event
// arrived.
class AnthropicStreamAccumulator {
 public:
  void feed(std::string_view event, const std::string& data);
  void feed_event(std::string_view event, const json::Value& doc);  // one event already parsed
  std::string result_json() const;
  Usage usage() const { return tally_.to_usage(); }

 private:
  struct Block {
    std::string type;
    std::string start_json;   // the content_block as it started
    std::string id;
    std::string name;
    std::string text;         // text / thinking
    std::string json;         // input_json_delta pieces
    std::string signature;
  };
  std::string id_;
  std::string model_;
  std::map<int64_t, Block> blocks_;
  std::string stop_reason_;
  std::string stop_sequence_;
  std::string error_json_;
  AnthropicUsageTally tally_;
};

}  // namespace sy::api
