// The pass-through translators reassemble the stream from the chunks they already parsed
// (FrameTranslator::assembled_json); that must be exactly what reassembling the frames the client
// received gives (what the server did before, and still does for translated streams).
#include "providers/frame_translators.hpp"

#include <gtest/gtest.h>

#include "api/stream_accumulate.hpp"

namespace sy::providers {
namespace {

struct Event {
  std::string event;
  std::string data;
};

// Splits one single-line SSE frame ("event: x\ndata: {...}\n\n" or "data: ...\n\n").
Event parse_frame(const std::string& frame) {
  Event e;
  size_t at = 0;
  while (at < frame.size()) {
    size_t nl = frame.find('\n', at);
    std::string line = frame.substr(at, nl - at);
    at = nl == std::string::npos ? frame.size() : nl + 1;
    if (line.rfind("event: ", 0) == 0) e.event = line.substr(7);
    if (line.rfind("data: ", 0) == 0) e.data = line.substr(6);
  }
  return e;
}

TEST(PassthroughAssembly, OpenAIMatchesTheClientFramesReassembled) {
  auto t = from_openai_stream(Wire::openai, "public-name", /*include_usage=*/false);
  ASSERT_TRUE(t->assembles());
  const std::vector<std::string> upstream = {
      R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"up-model","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]})",
      R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"up-model","choices":[{"index":0,"delta":{"content":"lo \"q\" \u00e9"},"finish_reason":null}]})",
      R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"up-model","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":"{\"a\":"}}]},"finish_reason":null}]})",
      R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"up-model","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"1}"}}]},"finish_reason":"tool_calls"}]})",
      R"({"id":"c1","object":"chat.completion.chunk","created":7,"model":"up-model","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}})",
      "[DONE]"};
  api::OpenAIStreamAccumulator client_side;
  size_t forwarded = 0;
  for (const auto& d : upstream) {
    auto frames = t->feed("", d);
    ASSERT_TRUE(frames.ok());
    for (const auto& f : frames.value()) {
      ++forwarded;
      client_side.feed_data(parse_frame(f).data);
    }
  }
  EXPECT_EQ(forwarded, upstream.size() - 1);  // the usage-only chunk is not for this client
  EXPECT_EQ(t->assembled_json(), client_side.result_json());
  EXPECT_NE(t->assembled_json().find(R"("model":"public-name")"), std::string::npos) << t->assembled_json();
  EXPECT_NE(t->assembled_json().find(R"("arguments":"{\"a\":1}")"), std::string::npos) << t->assembled_json();
  EXPECT_EQ(t->usage().output_tokens, 5);  // usage is still counted
}

TEST(PassthroughAssembly, AnthropicMatchesTheClientFramesReassembled) {
  auto t = from_anthropic_stream(Wire::anthropic, "public-name", false);
  ASSERT_TRUE(t->assembles());
  const std::vector<Event> upstream = {
      {"message_start", R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-up","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":1}}})"},
      {"content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"},
      {"ping", R"({"type":"ping"})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi "}})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"there"}})"},
      {"content_block_stop", R"({"type":"content_block_stop","index":0})"},
      {"content_block_start", R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"tu_1","name":"f","input":{}}})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"x\": 2}"}})"},
      {"content_block_stop", R"({"type":"content_block_stop","index":1})"},
      {"message_delta", R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":12}})"},
      {"message_stop", R"({"type":"message_stop"})"}};
  api::AnthropicStreamAccumulator client_side;
  for (const auto& e : upstream) {
    auto frames = t->feed(e.event, e.data);
    ASSERT_TRUE(frames.ok());
    for (const auto& f : frames.value()) {
      Event got = parse_frame(f);
      client_side.feed(got.event, got.data);
    }
  }
  EXPECT_EQ(t->assembled_json(), client_side.result_json());
  EXPECT_NE(t->assembled_json().find(R"("model":"public-name")"), std::string::npos) << t->assembled_json();
  EXPECT_NE(t->assembled_json().find(R"("stop_reason":"tool_use")"), std::string::npos) << t->assembled_json();
}

TEST(PassthroughAssembly, TranslatedStreamsLeaveItToTheServer) {
  EXPECT_FALSE(from_openai_stream(Wire::anthropic, "m", false)->assembles());
  EXPECT_FALSE(from_anthropic_stream(Wire::openai, "m", false)->assembles());
}

}  // namespace
}  // namespace sy::providers
