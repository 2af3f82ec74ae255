#include "api/anthropic_messages.hpp"

#include <gtest/gtest.h>

#include "test_json.hpp"

namespace sy::api {
namespace {

using test::J;

std::string expect_error(std::string_view body, std::string_view param) {
  auto d = J(body);
  auto r = validate_anthropic_messages(d);
  const ApiError* e = test::error_of(r);
  EXPECT_NE(e, nullptr) << body;
  if (!e) return {};
  EXPECT_EQ(e->status, 400);
  EXPECT_EQ(e->type, "invalid_request_error");
  EXPECT_EQ(e->param, param) << e->message;
  if (!param.empty()) {
    EXPECT_EQ(e->message.rfind(std::string(param) + ": ", 0), 0u) << e->message;
  }
  return e->message;
}

MessagesRequestInfo expect_ok(std::string_view body) {
  auto d = J(body);
  auto r = validate_anthropic_messages(d);
  const ApiError* e = test::error_of(r);
  EXPECT_EQ(e, nullptr) << (e ? e->message : "");
  if (e) return {};
  return std::get<MessagesRequestInfo>(r);
}

const std::string kPre = R"({"model":"claude-sonnet-4-5","max_tokens":1024,)";

TEST(ValidateAnthropicCountTokens, MaxTokensIsOptionalButCheckedWhenGiven) {
  auto ok = J(R"({"model":"m","messages":[{"role":"user","content":"Hi"}],
                  "thinking":{"type":"enabled","budget_tokens":2048}})");
  auto r = validate_anthropic_count_tokens(ok);
  ASSERT_EQ(test::error_of(r), nullptr);
  EXPECT_EQ(std::get<MessagesRequestInfo>(r).max_tokens, 0);
  auto bad_mt = J(R"({"model":"m","max_tokens":0,"messages":[{"role":"user","content":"Hi"}]})");
  auto r_bad_mt = validate_anthropic_count_tokens(bad_mt);
  const ApiError* e = test::error_of(r_bad_mt);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->param, "max_tokens");
  auto no_messages = J(R"({"model":"m"})");
  auto r_no_messages = validate_anthropic_count_tokens(no_messages);
  e = test::error_of(r_no_messages);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->param, "messages");
  // The create endpoint still requires it.
  auto r_create = validate_anthropic_messages(ok);
  e = test::error_of(r_create);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->param, "max_tokens");
}

TEST(ValidateAnthropicMessages, MinimalAndInfo) {
  auto info = expect_ok(kPre + R"("messages":[{"role":"user","content":"Hello"}]})");
  EXPECT_EQ(info.model, "claude-sonnet-4-5");
  EXPECT_EQ(info.max_tokens, 1024);
  EXPECT_FALSE(info.stream);
  info = expect_ok(kPre + R"("stream":true,"metadata":{"user_id":"u-9"},"messages":[{"role":"user","content":"x"}]})");
  EXPECT_TRUE(info.stream);
  EXPECT_EQ(info.user, "u-9");
}

TEST(ValidateAnthropicMessages, FullConversation) {
  expect_ok(R"({"model":"claude-sonnet-4-5","max_tokens":4096,
    "system":[{"type":"text","text":"You are helpful","cache_control":{"type":"ephemeral"}}],
    "temperature":1,"top_p":0.9,"top_k":40,"stop_sequences":["\n\nHuman:"],
    "tools":[{"name":"get_weather","description":"d","input_schema":{"type":"object"}},
             {"type":"web_search_20250305","name":"web_search","max_uses":5}],
    "tool_choice":{"type":"tool","name":"get_weather","disable_parallel_tool_use":true},
    "thinking":{"type":"enabled","budget_tokens":1024},
    "future_field":true,
    "messages":[
      {"role":"user","content":[{"type":"text","text":"What's this?"},
        {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}},
        {"type":"image","source":{"type":"url","url":"https://example.com/a.png"}},
        {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBER"}}]},
      {"role":"assistant","content":[{"type":"thinking","thinking":"hmm","signature":"sig"},
        {"type":"redacted_thinking","data":"xxx"},
        {"type":"text","text":"Let me check"},
        {"type":"tool_use","id":"toolu_01","name":"get_weather","input":{"city":"Paris"}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_01","content":[{"type":"text","text":"15C"}],"is_error":false},
        {"type":"tool_result","tool_use_id":"toolu_02","content":"x"},
        {"type":"tool_result","tool_use_id":"toolu_03"}]}
    ]})");
}

TEST(ValidateAnthropicMessages, TopLevelRequired) {
  expect_error("[]", "");
  expect_error(R"({"max_tokens":1,"messages":[]})", "model");
  expect_error(R"({"model":"","max_tokens":1,"messages":[]})", "model");
  expect_error(R"({"model":"m","messages":[]})", "max_tokens");
  expect_error(R"({"model":"m","max_tokens":0,"messages":[]})", "max_tokens");
  expect_error(R"({"model":"m","max_tokens":1.5,"messages":[]})", "max_tokens");
  expect_error(R"({"model":"m","max_tokens":10})", "messages");
  expect_error(R"({"model":"m","max_tokens":10,"messages":"hi"})", "messages");
}

TEST(ValidateAnthropicMessages, MessageShapes) {
  expect_error(kPre + R"("messages":[1]})", "messages.0");
  auto msg = expect_error(kPre + R"("messages":[{"role":"user","content":"a"},{"role":"system","content":"b"}]})", "messages.1.role");
  EXPECT_NE(msg.find("'user' or 'assistant'"), std::string::npos);
  expect_error(kPre + R"("messages":[{"role":"user"}]})", "messages.0.content");
  expect_error(kPre + R"("messages":[{"role":"user","content":5}]})", "messages.0.content");
  expect_error(kPre + R"("messages":[{"role":"user","content":[{"text":"x"}]}]})", "messages.0.content.0.type");
  expect_error(kPre + R"("messages":[{"role":"user","content":[{"type":"text","text":"x"},{"type":"video"}]}]})", "messages.0.content.1.type");
  expect_error(kPre + R"("messages":[{"role":"user","content":[{"type":"text"}]}]})", "messages.0.content.0.text");
}

TEST(ValidateAnthropicMessages, Blocks) {
  expect_error(kPre + R"("messages":[{"role":"user","content":[{"type":"image"}]}]})", "messages.0.content.0.source");
  expect_error(kPre + R"("messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","data":"x"}}]}]})",
               "messages.0.content.0.source.media_type");
  expect_error(kPre + R"("messages":[{"role":"user","content":[{"type":"image","source":{"type":"text","data":"x"}}]}]})",
               "messages.0.content.0.source.type");
  expect_error(kPre + R"("messages":[{"role":"user","content":[{"type":"image","source":{"type":"url"}}]}]})",
               "messages.0.content.0.source.url");
  expect_ok(kPre + R"("messages":[{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","data":"x"}}]}]})");
  expect_error(kPre + R"("messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"n"}]}]})",
               "messages.0.content.0.input");
  expect_error(kPre + R"("messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"n","input":"{}"}]}]})",
               "messages.0.content.0.input");
  expect_error(kPre + R"("messages":[{"role":"assistant","content":[{"type":"tool_use","name":"n","input":{}}]}]})",
               "messages.0.content.0.id");
  expect_error(kPre + R"("messages":[{"role":"user","content":[{"type":"tool_use","id":"t","name":"n","input":{}}]}]})",
               "messages.0.content.0.type");
  expect_error(kPre + R"("messages":[{"role":"assistant","content":[{"type":"tool_result","tool_use_id":"t"}]}]})",
               "messages.0.content.0.type");
  expect_error(kPre + R"("messages":[{"role":"user","content":[{"type":"tool_result"}]}]})", "messages.0.content.0.tool_use_id");
  expect_error(kPre + R"("messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":5}]}]})",
               "messages.0.content.0.content");
  expect_error(kPre + R"("messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"tool_use"}]}]}]})",
               "messages.0.content.0.content.0.type");
  expect_error(kPre + R"("messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","is_error":"yes"}]}]})",
               "messages.0.content.0.is_error");
  expect_error(kPre + R"("messages":[{"role":"assistant","content":[{"type":"thinking","thinking":"x"}]}]})",
               "messages.0.content.0.signature");
}

TEST(ValidateAnthropicMessages, SystemToolsChoice) {
  const std::string m = R"("messages":[{"role":"user","content":"x"}])";
  expect_error(kPre + m + R"(,"system":5})", "system");
  expect_error(kPre + m + R"(,"system":[{"type":"image"}]})", "system.0.type");
  expect_error(kPre + m + R"(,"system":[{"type":"text"}]})", "system.0.text");
  expect_ok(kPre + m + R"(,"system":"plain"})");
  expect_error(kPre + m + R"(,"tools":{}})", "tools");
  expect_error(kPre + m + R"(,"tools":[{"input_schema":{}}]})", "tools.0.name");
  expect_error(kPre + m + R"(,"tools":[{"name":"a","input_schema":{}},{"name":"b"}]})", "tools.1.input_schema");
  expect_error(kPre + m + R"(,"tools":[{"name":"a","input_schema":{},"description":1}]})", "tools.0.description");
  expect_error(kPre + m + R"(,"tool_choice":"auto"})", "tool_choice");
  expect_error(kPre + m + R"(,"tool_choice":{"type":"required"}})", "tool_choice.type");
  expect_error(kPre + m + R"(,"tool_choice":{"type":"tool"}})", "tool_choice.name");
  expect_ok(kPre + m + R"(,"tool_choice":{"type":"none"}})");
}

TEST(ValidateAnthropicMessages, Sampling) {
  const std::string m = R"("messages":[{"role":"user","content":"x"}])";
  expect_error(kPre + m + R"(,"temperature":1.5})", "temperature");
  expect_error(kPre + m + R"(,"temperature":-1})", "temperature");
  expect_error(kPre + m + R"(,"top_p":2})", "top_p");
  expect_error(kPre + m + R"(,"top_k":-1})", "top_k");
  expect_error(kPre + m + R"(,"top_k":0.5})", "top_k");
  expect_error(kPre + m + R"(,"stop_sequences":"x"})", "stop_sequences");
  expect_error(kPre + m + R"(,"stop_sequences":["a",1]})", "stop_sequences.1");
  expect_error(kPre + m + R"(,"stream":1})", "stream");
  expect_error(kPre + m + R"(,"metadata":{"user_id":3}})", "metadata.user_id");
  expect_error(kPre + m + R"(,"thinking":{"type":"enabled"}})", "thinking.budget_tokens");
  expect_error(kPre + m + R"(,"thinking":{"type":"enabled","budget_tokens":100}})", "thinking.budget_tokens");
  expect_error(kPre + m + R"(,"thinking":{"type":"enabled","budget_tokens":2048}})", "thinking.budget_tokens");  // >= max_tokens
  expect_error(kPre + m + R"(,"thinking":{"type":"on"}})", "thinking.type");
  expect_ok(kPre + m + R"(,"thinking":{"type":"disabled"}})");
}

}  // namespace
}  // namespace sy::api
