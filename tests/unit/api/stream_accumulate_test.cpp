#include "api/stream_accumulate.hpp"

#include <gtest/gtest.h>

#include "test_json.hpp"

namespace sy::api {
namespace {

using test::C;

TEST(OpenAIStreamAccumulator, TextToolCallsAndUsage) {
  OpenAIStreamAccumulator acc;
  for (const char* d : {
           R"({"id":"chatcmpl-9","object":"chat.completion.chunk","created":17,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]})",
           R"({"id":"chatcmpl-9","created":17,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Let me "},"finish_reason":null}]})",
           R"({"id":"chatcmpl-9","created":17,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"check."},"finish_reason":null}]})",
           R"({"id":"chatcmpl-9","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"get_weather","arguments":""}}]}}]})",
           R"({"id":"chatcmpl-9","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]}}]})",
           R"({"id":"chatcmpl-9","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_2","type":"function","function":{"name":"now","arguments":"{}"}}]}}]})",
           R"({"id":"chatcmpl-9","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Rome\"}"}}]}}]})",
           R"({"id":"chatcmpl-9","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})",
           R"({"id":"chatcmpl-9","choices":[],"usage":{"prompt_tokens":30,"completion_tokens":12,"total_tokens":42}})",
           "[DONE]"}) {
    acc.feed_data(d);
  }
  EXPECT_EQ(acc.result_json(), C(R"({"id":"chatcmpl-9","object":"chat.completion","created":17,"model":"gpt-4o","choices":[
      {"index":0,"message":{"role":"assistant","content":"Let me check.","tool_calls":[
        {"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}},
        {"id":"call_2","type":"function","function":{"name":"now","arguments":"{}"}}]},"finish_reason":"tool_calls"}],
      "usage":{"prompt_tokens":30,"completion_tokens":12,"total_tokens":42}})"));
  EXPECT_EQ(acc.usage().input_tokens, 30);
  EXPECT_EQ(acc.usage().output_tokens, 12);
}

TEST(OpenAIStreamAccumulator, BrokenStreamKeepsWhatArrivedAndTheError) {
  OpenAIStreamAccumulator acc;
  acc.feed_data(R"({"id":"c","model":"m","created":1,"choices":[{"index":0,"delta":{"content":"partial"}}]})");
  acc.feed_data("{garbage");
  acc.feed_data(R"({"error":{"message":"upstream died","type":"server_error"}})");
  EXPECT_EQ(acc.result_json(), C(R"({"id":"c","object":"chat.completion","created":1,"model":"m","choices":[
      {"index":0,"message":{"role":"assistant","content":"partial"},"finish_reason":null}],"usage":null,
      "error":{"message":"upstream died","type":"server_error"}})"));
  EXPECT_FALSE(acc.usage().known);
}

TEST(OpenAIStreamAccumulator, ReasoningAndRefusal) {
  OpenAIStreamAccumulator acc;
  acc.feed_data(R"({"choices":[{"index":0,"delta":{"reasoning_content":"think "}}]})");
  acc.feed_data(R"({"choices":[{"index":0,"delta":{"reasoning_content":"more"}}]})");
  acc.feed_data(R"({"choices":[{"index":0,"delta":{"refusal":"No."},"finish_reason":"stop"}]})");
  auto d = test::J(acc.result_json());
  EXPECT_TRUE(d["choices"][0]["message"]["content"].IsNull());
  EXPECT_STREQ(d["choices"][0]["message"]["refusal"].GetString(), "No.");
  EXPECT_STREQ(d["choices"][0]["message"]["reasoning_content"].GetString(), "think more");
}

TEST(AnthropicStreamAccumulator, FullSequence) {
  AnthropicStreamAccumulator acc;
  const std::pair<const char*, const char*> events[] = {
      {"message_start", R"({"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_read_input_tokens":100,"output_tokens":1}}})"},
      {"content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Hmm."}})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQB"}})"},
      {"content_block_stop", R"({"type":"content_block_stop","index":0})"},
      {"ping", R"({"type":"ping"})"},
      {"content_block_start", R"({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Hello"}})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":" world"}})"},
      {"content_block_stop", R"({"type":"content_block_stop","index":1})"},
      {"content_block_start", R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"f","input":{}}})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"[1,2]}"}})"},
      {"content_block_stop", R"({"type":"content_block_stop","index":2})"},
      {"message_delta", R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":40}})"},
      {"message_stop", R"({"type":"message_stop"})"},
  };
  for (const auto& [e, d] : events) acc.feed(e, d);
  EXPECT_EQ(acc.result_json(), C(R"({"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4-5","content":[
      {"type":"thinking","thinking":"Hmm.","signature":"EqQB"},
      {"type":"text","text":"Hello world"},
      {"type":"tool_use","id":"toolu_1","name":"f","input":{"a":[1,2]}}],
    "stop_reason":"tool_use","stop_sequence":null,
    "usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":100,"output_tokens":40}})"));
  EXPECT_EQ(acc.usage().input_tokens, 125);
  EXPECT_EQ(acc.usage().output_tokens, 40);
}

TEST(AnthropicStreamAccumulator, TruncatedToolInputAndErrorAreKept) {
  AnthropicStreamAccumulator acc;
  acc.feed("", R"({"type":"message_start","message":{"id":"m","model":"c","usage":{"input_tokens":1}}})");
  acc.feed("", R"({"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}})");
  acc.feed("", R"({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"a\":"}})");
  acc.feed("error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  auto d = test::J(acc.result_json());
  EXPECT_STREQ(d["content"][0]["input"].GetString(), "{\"a\":");
  EXPECT_TRUE(d["stop_reason"].IsNull());
  EXPECT_STREQ(d["error"]["type"].GetString(), "overloaded_error");
}

TEST(AnthropicStreamAccumulator, StopSequenceAndServerBlocksPassThrough) {
  AnthropicStreamAccumulator acc;
  acc.feed("", R"({"type":"content_block_start","index":0,"content_block":{"type":"web_search_tool_result","tool_use_id":"s","content":[]}})");
  acc.feed("", R"({"type":"message_delta","delta":{"stop_reason":"stop_sequence","stop_sequence":"END"},"usage":{"output_tokens":3}})");
  auto d = test::J(acc.result_json());
  EXPECT_STREQ(d["content"][0]["type"].GetString(), "web_search_tool_result");
  EXPECT_STREQ(d["stop_sequence"].GetString(), "END");
}

}  // namespace
}  // namespace sy::api
