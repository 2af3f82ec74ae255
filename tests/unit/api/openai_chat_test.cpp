#include "api/openai_chat.hpp"

#include <gtest/gtest.h>

#include "test_json.hpp"

namespace sy::api {
namespace {

using test::J;

// Expects a validation error whose param is `param`; returns its message for further checks.
std::string expect_error(std::string_view body, std::string_view param) {
  auto d = J(body);
  auto r = validate_openai_chat(d);
  const ApiError* e = test::error_of(r);
  EXPECT_NE(e, nullptr) << body;
  if (!e) return {};
  EXPECT_EQ(e->status, 400);
  EXPECT_EQ(e->type, "invalid_request_error");
  EXPECT_EQ(e->param, param) << e->message;
  EXPECT_FALSE(e->message.empty());
  return e->message;
}

ChatRequestInfo expect_ok(std::string_view body) {
  auto d = J(body);
  auto r = validate_openai_chat(d);
  const ApiError* e = test::error_of(r);
  EXPECT_EQ(e, nullptr) << (e ? e->param + ": " + e->message : "");
  if (e) return {};
  return std::get<ChatRequestInfo>(r);
}

TEST(ValidateOpenAIChat, MinimalRequest) {
  auto info = expect_ok(R"({"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(info.model, "gpt-4o");
  EXPECT_FALSE(info.stream);
  EXPECT_FALSE(info.include_usage);
  EXPECT_EQ(info.max_tokens, -1);
}

TEST(ValidateOpenAIChat, FullRequestFillsInfo) {
  auto info = expect_ok(R"({
    "model":"m","stream":true,"stream_options":{"include_usage":true},"user":"u-1",
    "max_tokens":100,"max_completion_tokens":50,"temperature":2,"top_p":0,"n":1,
    "presence_penalty":-2,"frequency_penalty":2,"logprobs":true,"top_logprobs":20,"seed":7,
    "stop":["a","b","c","d"],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object"}}},
    "tools":[{"type":"function","function":{"name":"get_weather","description":"d","parameters":{"type":"object"}}}],
    "tool_choice":{"type":"function","function":{"name":"get_weather"}},"parallel_tool_calls":false,
    "some_future_field":{"anything":1},
    "messages":[
      {"role":"developer","content":"be nice"},
      {"role":"system","content":[{"type":"text","text":"sys"}]},
      {"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"https://x/y.png","detail":"low"}},
                                {"type":"input_audio","input_audio":{"data":"AAA","format":"wav"}},
                                {"type":"file","file":{"file_data":"data:application/pdf;base64,AAA","filename":"a.pdf"}}]},
      {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"call_1","content":"sunny"},
      {"role":"assistant","content":[{"type":"text","text":"ok"},{"type":"refusal","refusal":"no"}]},
      {"role":"function","name":"f","content":"legacy"}
    ]})");
  EXPECT_TRUE(info.stream);
  EXPECT_TRUE(info.include_usage);
  EXPECT_EQ(info.user, "u-1");
  EXPECT_EQ(info.max_tokens, 50);  // max_completion_tokens wins
}

TEST(ValidateOpenAIChat, BodyAndModel) {
  expect_error(R"([1,2])", "");
  expect_error(R"({"messages":[{"role":"user","content":"x"}]})", "model");
  expect_error(R"({"model":5,"messages":[{"role":"user","content":"x"}]})", "model");
  expect_error(R"({"model":"","messages":[{"role":"user","content":"x"}]})", "model");
}

TEST(ValidateOpenAIChat, Messages) {
  expect_error(R"({"model":"m"})", "messages");
  expect_error(R"({"model":"m","messages":{}})", "messages");
  auto msg = expect_error(R"({"model":"m","messages":[]})", "messages");
  EXPECT_NE(msg.find("empty"), std::string::npos);
  expect_error(R"({"model":"m","messages":["hi"]})", "messages[0]");
  expect_error(R"({"model":"m","messages":[{"content":"x"}]})", "messages[0].role");
  msg = expect_error(R"({"model":"m","messages":[{"role":"user","content":"a"},{"role":"user","content":"b"},{"role":"robot","content":"x"}]})",
                     "messages[2].role");
  EXPECT_NE(msg.find("robot"), std::string::npos);
  expect_error(R"({"model":"m","messages":[{"role":"user"}]})", "messages[0].content");
  expect_error(R"({"model":"m","messages":[{"role":"user","content":null}]})", "messages[0].content");
  expect_error(R"({"model":"m","messages":[{"role":"assistant","content":null}]})", "messages[0].content");
  expect_error(R"({"model":"m","messages":[{"role":"user","content":42}]})", "messages[0].content");
  expect_ok(R"({"model":"m","messages":[{"role":"assistant","content":null,"function_call":{"name":"f","arguments":"{}"}}]})");
  expect_ok(R"({"model":"m","messages":[{"role":"assistant","refusal":"nope"}]})");
}

TEST(ValidateOpenAIChat, ContentParts) {
  expect_error(R"({"model":"m","messages":[{"role":"user","content":[{"text":"x"}]}]})", "messages[0].content[0].type");
  expect_error(R"({"model":"m","messages":[{"role":"user","content":[{"type":"video","x":1}]}]})", "messages[0].content[0].type");
  expect_error(R"({"model":"m","messages":[{"role":"user","content":[{"type":"text"}]}]})", "messages[0].content[0].text");
  expect_error(R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":1}]}]})", "messages[0].content[0].text");
  expect_error(R"({"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{}}]}]})",
               "messages[0].content[1].image_url.url");
  expect_error(R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x","detail":"max"}}]}]})",
               "messages[0].content[0].image_url.detail");
  expect_error(R"({"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x"}}]}]})",
               "messages[0].content[0].input_audio.format");
  expect_error(R"({"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{}}]}]})", "messages[0].content[0].file");
  expect_error(R"({"model":"m","messages":[{"role":"assistant","content":[{"type":"image_url","image_url":{"url":"x"}}]}]})",
               "messages[0].content[0].type");
  expect_error(R"({"model":"m","messages":[{"role":"user","content":[{"type":"refusal","refusal":"x"}]}]})", "messages[0].content[0].type");
  expect_error(R"({"model":"m","messages":[{"role":"system","content":[{"type":"image_url","image_url":{"url":"x"}}]}]})",
               "messages[0].content[0].type");
}

TEST(ValidateOpenAIChat, ToolMessagesAndCalls) {
  expect_error(R"({"model":"m","messages":[{"role":"tool","content":"x"}]})", "messages[0].tool_call_id");
  expect_error(R"({"model":"m","messages":[{"role":"function","content":"x"}]})", "messages[0].name");
  expect_error(R"({"model":"m","messages":[{"role":"user","content":"x","tool_calls":[]}]})", "messages[0].tool_calls");
  expect_error(R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}]})",
               "messages[0].tool_calls[0].id");
  expect_error(R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f"}}]}]})",
               "messages[0].tool_calls[0].function.arguments");
  expect_error(R"({"model":"m","messages":[{"role":"assistant","tool_calls":[{"id":"c","type":"custom","function":{"name":"f","arguments":""}}]}]})",
               "messages[0].tool_calls[0].type");
}

TEST(ValidateOpenAIChat, Tools) {
  const char* pre = R"({"model":"m","messages":[{"role":"user","content":"x"}],)";
  expect_error(std::string(pre) + R"("tools":{}})", "tools");
  expect_error(std::string(pre) + R"("tools":[{"type":"retrieval"}]})", "tools[0].type");
  expect_error(std::string(pre) + R"("tools":[{"type":"function"}]})", "tools[0].function");
  expect_error(std::string(pre) + R"("tools":[{"type":"function","function":{"name":"ok"}},{"type":"function","function":{}}]})",
               "tools[1].function.name");
  expect_error(std::string(pre) + R"("tools":[{"type":"function","function":{"name":"has space"}}]})", "tools[0].function.name");
  expect_error(std::string(pre) + R"("tools":[{"type":"function","function":{"name":"f","parameters":"{}"}}]})",
               "tools[0].function.parameters");
  expect_error(std::string(pre) + R"("tool_choice":"sometimes"})", "tool_choice");
  expect_error(std::string(pre) + R"("tool_choice":{"type":"function"}})", "tool_choice.function");
  expect_error(std::string(pre) + R"("tool_choice":{"type":"function","function":{}}})", "tool_choice.function.name");
  expect_error(std::string(pre) + R"("parallel_tool_calls":"no"})", "parallel_tool_calls");
  expect_ok(std::string(pre) + R"("tool_choice":"required"})");
}

TEST(ValidateOpenAIChat, NumericRanges) {
  const std::string pre = R"({"model":"m","messages":[{"role":"user","content":"x"}],)";
  auto msg = expect_error(pre + R"("temperature":2.5})", "temperature");
  EXPECT_NE(msg.find("2.5"), std::string::npos);
  expect_error(pre + R"("temperature":-0.1})", "temperature");
  expect_error(pre + R"("temperature":"hot"})", "temperature");
  expect_error(pre + R"("top_p":1.1})", "top_p");
  expect_error(pre + R"("n":0})", "n");
  expect_error(pre + R"("n":1.5})", "n");
  expect_error(pre + R"("max_tokens":0})", "max_tokens");
  expect_error(pre + R"("max_completion_tokens":-3})", "max_completion_tokens");
  expect_error(pre + R"("presence_penalty":-2.1})", "presence_penalty");
  expect_error(pre + R"("frequency_penalty":3})", "frequency_penalty");
  expect_error(pre + R"("top_logprobs":21})", "top_logprobs");
  expect_error(pre + R"("logprobs":1})", "logprobs");
  expect_error(pre + R"("seed":"x"})", "seed");
  expect_error(pre + R"("logit_bias":[1]})", "logit_bias");
  expect_ok(pre + R"("temperature":null,"max_tokens":null})");
}

TEST(ValidateOpenAIChat, StreamStopAndFormat) {
  const std::string pre = R"({"model":"m","messages":[{"role":"user","content":"x"}],)";
  expect_error(pre + R"("stream":"yes"})", "stream");
  expect_error(pre + R"("stream_options":{"include_usage":true}})", "stream_options");
  expect_error(pre + R"("stream":false,"stream_options":{"include_usage":true}})", "stream_options");
  expect_error(pre + R"("stream":true,"stream_options":{"include_usage":"y"}})", "stream_options.include_usage");
  expect_error(pre + R"("stop":["a","b","c","d","e"]})", "stop");
  expect_error(pre + R"("stop":["a",1]})", "stop[1]");
  expect_error(pre + R"("stop":5})", "stop");
  expect_ok(pre + R"("stop":"END"})");
  expect_error(pre + R"("response_format":{"type":"xml"}})", "response_format.type");
  expect_error(pre + R"("response_format":{"type":"json_schema"}})", "response_format.json_schema");
  expect_error(pre + R"("response_format":{"type":"json_schema","json_schema":{"schema":{}}}})", "response_format.json_schema.name");
  expect_ok(pre + R"("response_format":{"type":"json_object"}})");
  expect_error(pre + R"("user":7})", "user");
}

// --- embeddings -------------------------------------------------------------------------------

TEST(ValidateOpenAIEmbeddings, AcceptedInputs) {
  struct Case { const char* body; size_t count; };
  for (const Case& c : {Case{R"({"model":"e","input":"hello"})", 1},
                        Case{R"({"model":"e","input":["a","b","c"]})", 3},
                        Case{R"({"model":"e","input":[1,2,3]})", 1},
                        Case{R"({"model":"e","input":[[1,2],[3]]})", 2}}) {
    auto d = J(c.body);
    auto r = validate_openai_embeddings(d);
    ASSERT_EQ(test::error_of(r), nullptr) << c.body;
    EXPECT_EQ(std::get<EmbeddingsRequestInfo>(r).input_count, c.count) << c.body;
    EXPECT_EQ(std::get<EmbeddingsRequestInfo>(r).encoding_format, "float");
  }
  auto d = J(R"({"model":"e","input":"x","encoding_format":"base64","dimensions":256})");
  auto r = validate_openai_embeddings(d);
  ASSERT_EQ(test::error_of(r), nullptr);
  EXPECT_EQ(std::get<EmbeddingsRequestInfo>(r).encoding_format, "base64");
  EXPECT_EQ(std::get<EmbeddingsRequestInfo>(r).model, "e");
}

TEST(ValidateOpenAIEmbeddings, Errors) {
  struct Case { const char* body; const char* param; };
  for (const Case& c : {Case{R"({"input":"x"})", "model"},
                        Case{R"({"model":"e"})", "input"},
                        Case{R"({"model":"e","input":""})", "input"},
                        Case{R"({"model":"e","input":[]})", "input"},
                        Case{R"({"model":"e","input":{}})", "input"},
                        Case{R"({"model":"e","input":["a",2]})", "input[1]"},
                        Case{R"({"model":"e","input":["a",""]})", "input[1]"},
                        Case{R"({"model":"e","input":[1,"a"]})", "input[1]"},
                        Case{R"({"model":"e","input":[1,-2]})", "input[1]"},
                        Case{R"({"model":"e","input":[[1],[]]})", "input[1]"},
                        Case{R"({"model":"e","input":[[1],[2,"x"]]})", "input[1][1]"},
                        Case{R"({"model":"e","input":[true]})", "input[0]"},
                        Case{R"({"model":"e","input":"x","encoding_format":"int8"})", "encoding_format"},
                        Case{R"({"model":"e","input":"x","dimensions":0})", "dimensions"}}) {
    auto d = J(c.body);
    auto r = validate_openai_embeddings(d);
    const ApiError* e = test::error_of(r);
    ASSERT_NE(e, nullptr) << c.body;
    EXPECT_EQ(e->param, c.param) << c.body << " → " << e->message;
    EXPECT_EQ(e->status, 400);
  }
}

}  // namespace
}  // namespace sy::api
