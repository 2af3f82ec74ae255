#include "api/translate_response.hpp"

#include <gtest/gtest.h>

#include "test_json.hpp"

namespace sy::api {
namespace {

using test::C;
using test::J;

TEST(OpenAIToAnthropicResponse, TextAnswer) {
  auto d = J(R"({"id":"chatcmpl-abc","object":"chat.completion","created":1700000000,"model":"gpt-4o-2024-08-06",
    "choices":[{"index":0,"message":{"role":"assistant","content":"Hello there!","refusal":null},"logprobs":null,"finish_reason":"stop"}],
    "usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,"prompt_tokens_details":{"cached_tokens":4}}})");
  auto r = openai_to_anthropic_response(d, "claude-alias");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), C(R"({"id":"msg_chatcmpl-abc","type":"message","role":"assistant","model":"claude-alias",
    "content":[{"type":"text","text":"Hello there!"}],"stop_reason":"end_turn","stop_sequence":null,
    "usage":{"input_tokens":15,"cache_creation_input_tokens":0,"cache_read_input_tokens":4,"output_tokens":10}})"));
}

TEST(OpenAIToAnthropicResponse, ToolCallsKeepIds) {
  auto d = J(R"({"id":"chatcmpl-1","choices":[{"index":0,"message":{"role":"assistant","content":null,
      "tool_calls":[{"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
                    {"id":"call_def","type":"function","function":{"name":"now","arguments":""}}]},"finish_reason":"tool_calls"}],
    "usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}})");
  auto r = openai_to_anthropic_response(d, "m");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), C(R"({"id":"msg_chatcmpl-1","type":"message","role":"assistant","model":"m",
    "content":[{"type":"tool_use","id":"call_abc","name":"get_weather","input":{"city":"Paris"}},
               {"type":"tool_use","id":"call_def","name":"now","input":{}}],
    "stop_reason":"tool_use","stop_sequence":null,
    "usage":{"input_tokens":5,"cache_creation_input_tokens":0,"cache_read_input_tokens":0,"output_tokens":7}})"));
}

TEST(OpenAIToAnthropicResponse, ReasonsRefusalAndMissingId) {
  auto d = J(R"({"choices":[{"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"content_filter"}]})");
  auto r = openai_to_anthropic_response(d, "m");
  ASSERT_TRUE(r.ok());
  auto a = J(r.value());
  EXPECT_EQ(std::string(a["id"].GetString()).rfind("msg_", 0), 0u);
  EXPECT_GT(a["id"].GetStringLength(), 10u);
  EXPECT_STREQ(a["stop_reason"].GetString(), "refusal");
  EXPECT_STREQ(a["content"][0]["text"].GetString(), "I can't help with that.");
  EXPECT_EQ(a["usage"]["input_tokens"].GetInt(), 0);

  auto len = J(R"({"id":"x","choices":[{"message":{"content":"trunc"},"finish_reason":"length"}]})");
  EXPECT_STREQ(J(openai_to_anthropic_response(len, "m").value())["stop_reason"].GetString(), "max_tokens");
}

TEST(OpenAIToAnthropicResponse, Malformed) {
  for (const char* bad : {R"([])", R"({"choices":[]})", R"({"choices":[{"finish_reason":"stop"}]})",
                          R"({"choices":[{"message":{"tool_calls":[{"id":"c","function":{"name":"f","arguments":"{oops"}}]}}]})"}) {
    auto d = J(bad);
    auto r = openai_to_anthropic_response(d, "m");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.failure().kind, FailureKind::malformed);
  }
}

TEST(AnthropicToOpenAIResponse, TextAndToolUse) {
  auto d = J(R"({"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-5",
    "content":[{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"text","text":"Let me check "},{"type":"text","text":"that."},
               {"type":"tool_use","id":"toolu_01A","name":"get_weather","input":{"location":"SF"}}],
    "stop_reason":"tool_use","stop_sequence":null,
    "usage":{"input_tokens":100,"cache_creation_input_tokens":20,"cache_read_input_tokens":30,"output_tokens":45}})");
  auto r = anthropic_to_openai_response(d, "gpt-alias");
  ASSERT_TRUE(r.ok());
  auto o = J(r.value());
  ASSERT_TRUE(o["created"].IsInt64());
  o["created"].SetInt64(0);
  EXPECT_EQ(json::dump(o), C(R"({"id":"chatcmpl-msg_01XFDUDYJgAACzvnptvVoYEL","object":"chat.completion","created":0,"model":"gpt-alias",
    "choices":[{"index":0,"message":{"role":"assistant","content":"Let me check that.","refusal":null,
      "tool_calls":[{"id":"toolu_01A","type":"function","function":{"name":"get_weather","arguments":"{\"location\":\"SF\"}"}}]},
      "logprobs":null,"finish_reason":"tool_calls"}],
    "usage":{"prompt_tokens":150,"completion_tokens":45,"total_tokens":195,"prompt_tokens_details":{"cached_tokens":30}}})"));
}

TEST(AnthropicToOpenAIResponse, StopReasonsAndNullContent) {
  struct Case { const char* stop; const char* finish; };
  for (const Case& c : {Case{"end_turn", "stop"}, Case{"stop_sequence", "stop"}, Case{"max_tokens", "length"},
                        Case{"tool_use", "tool_calls"}, Case{"refusal", "content_filter"}, Case{"pause_turn", "stop"}}) {
    auto d = J(std::string(R"({"id":"m","content":[{"type":"text","text":"x"}],"stop_reason":")") + c.stop + R"("})");
    auto o = J(anthropic_to_openai_response(d, "m").value());
    EXPECT_STREQ(o["choices"][0]["finish_reason"].GetString(), c.finish) << c.stop;
  }
  auto d = J(R"({"content":[{"type":"tool_use","id":"t","name":"n","input":{}}],"stop_reason":"tool_use"})");
  auto o = J(anthropic_to_openai_response(d, "m").value());
  EXPECT_TRUE(o["choices"][0]["message"]["content"].IsNull());
  EXPECT_EQ(std::string(o["id"].GetString()).rfind("chatcmpl-", 0), 0u);
  auto bad = J(R"({"type":"message"})");
  EXPECT_EQ(anthropic_to_openai_response(bad, "m").failure().kind, FailureKind::malformed);
}

TEST(ResponseRoundTrip, AnthropicThroughOpenAI) {
  auto d = J(R"({"id":"msg_1","content":[{"type":"text","text":"Hi"},{"type":"tool_use","id":"toolu_1","name":"f","input":{"x":1}}],
    "stop_reason":"tool_use","usage":{"input_tokens":10,"output_tokens":3}})");
  auto o = J(anthropic_to_openai_response(d, "m").value());
  auto back = J(openai_to_anthropic_response(o, "m").value());
  EXPECT_EQ(json::dump(back["content"]), C(R"([{"type":"text","text":"Hi"},{"type":"tool_use","id":"toolu_1","name":"f","input":{"x":1}}])"));
  EXPECT_STREQ(back["stop_reason"].GetString(), "tool_use");
  EXPECT_EQ(back["usage"]["input_tokens"].GetInt(), 10);
  EXPECT_EQ(back["usage"]["output_tokens"].GetInt(), 3);
}

TEST(UsageExtraction, OpenAI) {
  auto u = usage_from_openai(J(R"({"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15,"prompt_tokens_details":{"cached_tokens":8}}})"));
  EXPECT_TRUE(u.known);
  EXPECT_EQ(u.input_tokens, 12);
  EXPECT_EQ(u.output_tokens, 3);
  EXPECT_EQ(u.cached_input_tokens, 8);
  EXPECT_FALSE(usage_from_openai(J(R"({"usage":null})")).known);
  EXPECT_FALSE(usage_from_openai(J(R"({})")).known);
}

TEST(UsageExtraction, Anthropic) {
  auto u = usage_from_anthropic(J(R"({"usage":{"input_tokens":5,"cache_creation_input_tokens":100,"cache_read_input_tokens":200,"output_tokens":7}})"));
  EXPECT_TRUE(u.known);
  EXPECT_EQ(u.input_tokens, 305);
  EXPECT_EQ(u.cached_input_tokens, 200);
  EXPECT_EQ(u.output_tokens, 7);
  EXPECT_FALSE(usage_from_anthropic(J(R"({"content":[]})")).known);
}

TEST(FinishReasons, Normalized) {
  EXPECT_EQ(normalized_finish_reason(Wire::anthropic, "end_turn"), "stop");
  EXPECT_EQ(normalized_finish_reason(Wire::anthropic, "tool_use"), "tool_calls");
  EXPECT_EQ(normalized_finish_reason(Wire::anthropic, "max_tokens"), "length");
  EXPECT_EQ(normalized_finish_reason(Wire::anthropic, "refusal"), "content_filter");
  EXPECT_EQ(normalized_finish_reason(Wire::openai, "function_call"), "tool_calls");
  EXPECT_EQ(normalized_finish_reason(Wire::openai, "length"), "length");
  EXPECT_EQ(normalized_finish_reason(Wire::openai, ""), "");
  EXPECT_EQ(anthropic_stop_reason("stop"), "end_turn");
  EXPECT_EQ(anthropic_stop_reason(""), "end_turn");
  EXPECT_EQ(openai_finish_reason("model_context_window_exceeded"), "length");
}

}  // namespace
}  // namespace sy::api
