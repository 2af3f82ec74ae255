// StreamAccumulator: rebuilds the non-streaming response from the SSE frames sent to the client
// (for the request log), whichever wire format the client speaks.
#pragma once

#include <string>
#include <string_view>

#include "api/stream_accumulate.hpp"
#include "common/usage.hpp"

namespace sy::server {

// Splits one complete SSE frame ("event: x\ndata: y\n\n") into its event name and data (data
// lines joined with '\n').
void split_frame(std::string_view frame, std::string& event, std::string& data);

class StreamAccumulator {
 public:
  explicit StreamAccumulator(Wire wire) : wire_(wire) {}
  void feed_frame(std::string_view frame);
  std::string result_json() const;

 private:
  Wire wire_;
  api::OpenAIStreamAccumulator openai_;
  api::AnthropicStreamAccumulator anthropic_;
  std::string event_, data_;
};

}  // namespace sy::server
