// Streaming: stateful translators between OpenAI chat.completion.chunk streams and Anthropic
// Messages event streams, and observers for the pass-through case (client and upstream speak the
// same format). Each is fed one upstream SSE event at a time (`event` is the SSE event name, empty
// when the upstream sent none; `data` is the raw data text) and returns complete client SSE frames
// ("event: x\ndata: {...}\n\n" or "data: {...}\n\n"), possibly none, possibly several.
// `data` is a std::string, not a view, because a NUL-terminated text takes json::parse's SIMD
// path (a bounded view is read byte by byte): every chunk of every stream is parsed here.
//
// A Failure from feed() means the upstream reported an error mid-stream (or sent garbage); the
// caller ends the client's stream with api::stream_error_frame. After done() is true, further
// input is ignored. One instance per stream; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.hpp"
#include "common/result.hpp"
#include "common/usage.hpp"

namespace sy::api {

// Failure for an upstream error payload ({"error":{...}} or Anthropic's error event data):
// kind http_status, status from the error's numeric code if any (else 500), message and type
// from the payload.
Failure stream_error_failure(const json::Value& payload);

// Anthropic usage as reported piecewise over a stream (message_start, then message_delta whose
// counts are cumulative): fields present in a later object replace earlier values.
struct AnthropicUsageTally {
  int64_t input_tokens = 0;
  int64_t cache_creation_input_tokens = 0;
  int64_t cache_read_input_tokens = 0;
  int64_t output_tokens = 0;
  bool known = false;
  void merge(const json::Value& usage);
  Usage to_usage() const;   // input = input + cache reads + cache writes
};

// OpenAI chunks in, Anthropic events out:
//   message_start (usage.input_tokens = upstream prompt tokens if already known, else the
//   estimate given to set_input_tokens_estimate, else 0), then per block content_block_start /
//   content_block_delta (text_delta | input_json_delta) / content_block_stop — the text and each
//   tool call are separate blocks with increasing index (a fragment with a new id starts a new
//   call even under the same index, as some compatible servers send them) — then, once the upstream ended (data
//   [DONE], or finish() at a clean end of the byte stream), message_delta (stop_reason,
//   usage) and message_stop. The usage chunk (choices: [], usage set) is folded into
//   message_delta. reasoning_content deltas are dropped. Tool call fragments must arrive one
//   call after another (as OpenAI sends them); a fragment for an already closed call is a Failure.
class OpenAIToAnthropicStream {
 public:
  OpenAIToAnthropicStream(std::string client_model, std::string message_id);
  void set_input_tokens_estimate(int64_t tokens) { input_estimate_ = tokens; }
  Result<std::vector<std::string>> feed(std::string_view event, const std::string& data);
  // Closing frames (content_block_stop, message_delta, message_stop) if not yet sent; also a
  // message_start if nothing was sent at all.
  std::vector<std::string> finish();
  // Upstream's usage; if it reported none, output tokens estimated from the streamed text.
  Usage usage() const;
  bool done() const { return done_; }
  std::string finish_reason() const;  // neutral (stop, length, tool_calls, content_filter)

 private:
  void start(std::vector<std::string>& out);
  void close_block(std::vector<std::string>& out);
  void open_text(std::vector<std::string>& out);
  void end(std::vector<std::string>& out);

  std::string model_;
  std::string id_;
  int64_t input_estimate_ = 0;
  bool started_ = false;
  bool done_ = false;
  enum class Open { none, text, tool } open_ = Open::none;
  int next_index_ = 0;
  int open_tool_ = -1;                 // OpenAI tool_calls index of the open tool block
  std::string open_tool_id_;           // and its id
  std::map<int, bool> tools_seen_;     // OpenAI tool_calls index → block already opened
  std::string finish_;                 // OpenAI finish_reason
  Usage usage_;
  std::string produced_;               // streamed text + arguments, for the usage estimate
};

// The OpenAI usage-only chunk that ends a stream asked for with stream_options.include_usage
// ("choices": [], "usage" with prompt_tokens_details.cached_tokens), as one SSE frame. A usage we
// estimated ourselves carries "switchyard_estimated": true inside "usage" (SDKs keep unknown
// fields).
std::string openai_usage_chunk(std::string_view id, int64_t created, std::string_view model,
                               const Usage& u);

// Anthropic events in, OpenAI chunks out: a first chunk with delta {role:"assistant",content:""},
// content deltas, tool_calls deltas (index, id, type, function.name and empty arguments on the
// first; then arguments pieces), a final chunk with finish_reason and an empty delta, then (with
// include_usage) a usage chunk with "choices":[], then "data: [DONE]". ping, thinking and
// signature deltas, citations and server-tool blocks are dropped. `event: error` is a Failure.
// `created` < 0 means now.
class AnthropicToOpenAIStream {
 public:
  AnthropicToOpenAIStream(std::string client_model, std::string completion_id, bool include_usage,
                          int64_t created = -1);
  Result<std::vector<std::string>> feed(std::string_view event, const std::string& data);
  std::vector<std::string> finish();   // final chunk, usage chunk, [DONE] if not yet sent
  Usage usage() const { return tally_.to_usage(); }
  bool done() const { return done_; }
  std::string finish_reason() const;   // neutral

 private:
  std::string chunk(std::string_view delta_json, std::string_view finish_reason) const;
  void start(std::vector<std::string>& out);
  void end(std::vector<std::string>& out);

  std::string model_;
  std::string id_;
  bool include_usage_;
  int64_t created_;
  bool started_ = false;
  bool done_ = false;
  int next_tool_ = 0;
  std::map<int64_t, int> tool_of_block_;   // Anthropic block index → OpenAI tool_calls index
  std::string stop_reason_;
  AnthropicUsageTally tally_;
};

// Pass-through of an OpenAI stream to an OpenAI client: tracks usage (from any chunk carrying
// it) and finish_reason, and echoes the client's requested model in each chunk's "model" (the
// gateway answers in the name the client used). Returns the frame to send ("data: ...\n\n";
// "data: [DONE]\n\n" for the terminator, after which done() is true). An error chunk is a Failure.
class OpenAIStreamObserver {
 public:
  explicit OpenAIStreamObserver(std::string client_model) : model_(std::move(client_model)) {}
  Result<std::string> feed(const std::string& data);
  Usage usage() const { return usage_; }
  bool done() const { return done_; }
  std::string finish_reason() const;   // neutral
  // The chunk last fed was a usage-only one ("choices": [] with "usage"): what include_usage
  // adds at the end, which a client that did not ask for it may not expect.
  bool last_was_usage_only() const { return usage_only_; }
  // The chunk last fed, as parsed (its "model" as the upstream sent it), until the next feed();
  // null after [DONE] or a Failure. Lets the caller reassemble the stream without parsing again.
  const json::Value* last_chunk() const { return last_ ? &*last_ : nullptr; }
  // Frees that parse once the caller is done with it. A stream may sit idle for seconds between
  // chunks, and a kept document holds its allocator's first block (RapidJSON's 64 KiB, a page or
  // two of it touched): ~4 KB of resident memory per open stream, 21 MB at 5,000 streams.
  void release_last() { last_.reset(); }

 private:
  std::string model_;
  std::optional<json::Document> last_;
  Usage usage_;
  std::string finish_;
  bool done_ = false;
  bool usage_only_ = false;
};

// Pass-through of an Anthropic stream to an Anthropic client: usage from message_start and
// message_delta, stop_reason, message.model in message_start rewritten to the client's model.
// Other events are returned verbatim. done() after message_stop. `event: error` is a Failure.
class AnthropicStreamObserver {
 public:
  explicit AnthropicStreamObserver(std::string client_model) : model_(std::move(client_model)) {}
  Result<std::string> feed(std::string_view event, const std::string& data);
  Usage usage() const { return tally_.to_usage(); }
  bool done() const { return done_; }
  std::string finish_reason() const;   // neutral
  // The event last fed, as parsed and as sent (message_start's model rewritten), until the next
  // feed(); null after a Failure.
  const json::Value* last_event() const { return last_ ? &*last_ : nullptr; }
  void release_last() { last_.reset(); }   // as OpenAIStreamObserver::release_last

 private:
  std::string model_;
  std::optional<json::Document> last_;
  AnthropicUsageTally tally_;
  std::string stop_reason_;
  bool done_ = false;
};

}  // namespace sy::api
