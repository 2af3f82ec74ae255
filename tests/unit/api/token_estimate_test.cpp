#include "api/token_estimate.hpp"

#include <gtest/gtest.h>

#include "test_json.hpp"

namespace sy::api {
namespace {

TEST(EstimateTokens, FourCodePointsPerToken) {
  EXPECT_EQ(estimate_tokens(""), 0);
  EXPECT_EQ(estimate_tokens("a"), 1);
  EXPECT_EQ(estimate_tokens("abcd"), 1);
  EXPECT_EQ(estimate_tokens("abcde"), 2);
  EXPECT_EQ(estimate_tokens(std::string(400, 'x')), 100);
}

TEST(EstimateTokens, CountsCodePointsNotBytes) {
  // 4 code points, 8 bytes (é is 2 bytes) → 1 token; 4 CJK characters (12 bytes) → 1 token.
  EXPECT_EQ(estimate_tokens("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"), 1);
  EXPECT_EQ(estimate_tokens("\xE4\xBD\xA0\xE5\xA5\xBD\xE4\xB8\x96\xE7\x95\x8C"), 1);
  EXPECT_EQ(estimate_tokens("\xF0\x9F\x98\x80"), 1);  // one emoji
}

TEST(EstimatePromptTokens, OpenAIChat) {
  auto body = test::J(R"({"model":"m","messages":[
      {"role":"system","content":"abcdefgh"},
      {"role":"user","content":[{"type":"text","text":"abcd"},{"type":"image_url","image_url":{"url":"https://x/y.png"}}]}]})");
  // system 4 + 2, user 4 + 1 + 85, primer 3
  EXPECT_EQ(estimate_prompt_tokens(Wire::openai, body), 99);
}

TEST(EstimatePromptTokens, AnthropicSystemAndTools) {
  auto body = test::J(R"({"model":"m","max_tokens":5,"system":"abcdefgh",
      "messages":[{"role":"user","content":"abcd"}],
      "tools":[{"name":"f","input_schema":{}}]})");
  int64_t tools = estimate_tokens(R"([{"name":"f","input_schema":{}}])");
  // messages 4 + 1 + primer 3, system 4 + 2, tools
  EXPECT_EQ(estimate_prompt_tokens(Wire::anthropic, body), 14 + tools);
}

TEST(EstimatePromptTokens, ToolCallsAndIdsAreIgnoredAsText) {
  auto with_long_id = test::J(R"({"messages":[{"role":"tool","tool_call_id":"call_aaaaaaaaaaaaaaaaaaaaaaaaaaaa","content":"ok"}]})");
  auto with_short_id = test::J(R"({"messages":[{"role":"tool","tool_call_id":"c","content":"ok"}]})");
  EXPECT_EQ(estimate_prompt_tokens(Wire::openai, with_long_id), estimate_prompt_tokens(Wire::openai, with_short_id));
}

TEST(EstimatePromptTokens, EmbeddingsInput) {
  EXPECT_EQ(estimate_prompt_tokens(Wire::openai, test::J(R"({"input":"abcdefgh"})")), 2);
  EXPECT_EQ(estimate_prompt_tokens(Wire::openai, test::J(R"({"input":["abcd","abcd"]})")), 2);
  EXPECT_EQ(estimate_prompt_tokens(Wire::openai, test::J(R"({"input":[1,2,3]})")), 3);
  EXPECT_EQ(estimate_prompt_tokens(Wire::openai, test::J(R"({"input":[[1,2],[3]]})")), 3);
  EXPECT_EQ(estimate_prompt_tokens(Wire::openai, test::J(R"([])")), 0);
}

}  // namespace
}  // namespace sy::api
