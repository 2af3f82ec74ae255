#include "api/translate_request.hpp"

#include <gtest/gtest.h>

#include "test_json.hpp"

namespace sy::api {
namespace {

using test::C;
using test::J;

std::string to_anthropic(std::string_view oai, bool stream = false, int64_t def_max = 4096) {
  auto d = J(oai);
  auto r = openai_to_anthropic_request(d, "claude-up", stream, def_max);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.failure().message);
  return r.ok() ? r.value() : std::string();
}

std::string to_openai(std::string_view msg, bool stream = false, bool usage = false) {
  auto d = J(msg);
  auto r = anthropic_to_openai_request(d, "gpt-up", stream, usage);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.failure().message);
  return r.ok() ? r.value() : std::string();
}

Failure oai_rejects(std::string_view oai) {
  auto d = J(oai);
  auto r = openai_to_anthropic_request(d, "claude-up", false, 1024);
  EXPECT_FALSE(r.ok()) << oai;
  if (r.ok()) return {};
  EXPECT_EQ(r.failure().kind, FailureKind::invalid_request);
  return r.failure();
}

Failure anth_rejects(std::string_view msg) {
  auto d = J(msg);
  auto r = anthropic_to_openai_request(d, "gpt-up", false, false);
  EXPECT_FALSE(r.ok()) << msg;
  if (r.ok()) return {};
  EXPECT_EQ(r.failure().kind, FailureKind::invalid_request);
  return r.failure();
}

// ---- OpenAI → Anthropic ---------------------------------------------------------------------

TEST(OpenAIToAnthropicRequest, SimpleChatWithSystemAndParams) {
  auto out = to_anthropic(R"({"model":"gpt-4o","messages":[
      {"role":"system","content":"Be brief."},
      {"role":"developer","content":[{"type":"text","text":"Use French."}]},
      {"role":"user","content":"Hello"}],
    "max_tokens":200,"temperature":1.6,"top_p":0.5,"stop":"END","user":"user-7",
    "seed":1,"presence_penalty":0.5,"frequency_penalty":0.1,"stream_options":{"include_usage":true}})", true);
  EXPECT_EQ(out, C(R"({"model":"claude-up","max_tokens":200,
      "system":[{"type":"text","text":"Be brief."},{"type":"text","text":"Use French."}],
      "messages":[{"role":"user","content":[{"type":"text","text":"Hello"}]}],
      "stop_sequences":["END"],"temperature":1.0,"top_p":0.5,"metadata":{"user_id":"user-7"},"stream":true})"));
}

TEST(OpenAIToAnthropicRequest, DefaultAndCompletionTokens) {
  auto a = J(to_anthropic(R"({"model":"m","messages":[{"role":"user","content":"x"}]})", false, 777));
  EXPECT_EQ(a["max_tokens"].GetInt64(), 777);
  EXPECT_FALSE(a.HasMember("stream"));
  auto b = J(to_anthropic(R"({"model":"m","max_tokens":5,"max_completion_tokens":9,"messages":[{"role":"user","content":"x"}]})"));
  EXPECT_EQ(b["max_tokens"].GetInt64(), 9);
}

TEST(OpenAIToAnthropicRequest, ImagesAndFiles) {
  auto out = to_anthropic(R"({"model":"m","messages":[{"role":"user","content":[
      {"type":"text","text":"Compare"},
      {"type":"image_url","image_url":{"url":"data:image/jpeg;base64,/9j/4AAQ"}},
      {"type":"image_url","image_url":{"url":"https://example.com/cat.png","detail":"high"}},
      {"type":"file","file":{"filename":"r.pdf","file_data":"data:application/pdf;base64,JVBERi0x"}}]}]})");
  EXPECT_EQ(out, C(R"({"model":"claude-up","max_tokens":4096,"messages":[{"role":"user","content":[
      {"type":"text","text":"Compare"},
      {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"/9j/4AAQ"}},
      {"type":"image","source":{"type":"url","url":"https://example.com/cat.png"}},
      {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0x"},"title":"r.pdf"}]}]})"));
}

TEST(OpenAIToAnthropicRequest, ToolConversation) {
  auto out = to_anthropic(R"({"model":"m",
    "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather by city",
              "parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}},
             {"type":"function","function":{"name":"now"}}],
    "tool_choice":"required","parallel_tool_calls":false,
    "messages":[
      {"role":"user","content":"Weather in Paris and Rome?"},
      {"role":"assistant","content":"Checking.","tool_calls":[
        {"id":"call_a","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},
        {"id":"call_b","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Rome\"}"}}]},
      {"role":"tool","tool_call_id":"call_a","content":"18C"},
      {"role":"tool","tool_call_id":"call_b","content":[{"type":"text","text":"21C"}]},
      {"role":"user","content":"Thanks"}]})");
  EXPECT_EQ(out, C(R"({"model":"claude-up","max_tokens":4096,"messages":[
      {"role":"user","content":[{"type":"text","text":"Weather in Paris and Rome?"}]},
      {"role":"assistant","content":[{"type":"text","text":"Checking."},
        {"type":"tool_use","id":"call_a","name":"get_weather","input":{"city":"Paris"}},
        {"type":"tool_use","id":"call_b","name":"get_weather","input":{"city":"Rome"}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"call_a","content":"18C"},
        {"type":"tool_result","tool_use_id":"call_b","content":[{"type":"text","text":"21C"}]},
        {"type":"text","text":"Thanks"}]}],
    "tools":[{"name":"get_weather","description":"Weather by city","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}},
             {"name":"now","input_schema":{"type":"object","properties":{}}}],
    "tool_choice":{"type":"any","disable_parallel_tool_use":true}})"));
}

TEST(OpenAIToAnthropicRequest, ToolChoiceVariants) {
  const std::string pre = R"({"model":"m","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}],)";
  EXPECT_EQ(C(json::dump(J(to_anthropic(pre + R"("tool_choice":"auto"})"))["tool_choice"])), C(R"({"type":"auto"})"));
  EXPECT_EQ(C(json::dump(J(to_anthropic(pre + R"("tool_choice":"none"})"))["tool_choice"])), C(R"({"type":"none"})"));
  EXPECT_EQ(C(json::dump(J(to_anthropic(pre + R"("tool_choice":{"type":"function","function":{"name":"f"}}})"))["tool_choice"])),
            C(R"({"type":"tool","name":"f"})"));
  EXPECT_EQ(C(json::dump(J(to_anthropic(pre + R"("parallel_tool_calls":false})"))["tool_choice"])),
            C(R"({"type":"auto","disable_parallel_tool_use":true})"));
  EXPECT_FALSE(J(to_anthropic(pre + R"("parallel_tool_calls":true})")).HasMember("tool_choice"));
  // Without tools, tool_choice is left out (upstreams reject it alone).
  EXPECT_FALSE(J(to_anthropic(R"({"model":"m","messages":[{"role":"user","content":"x"}],"tool_choice":"none"})")).HasMember("tool_choice"));
}

TEST(OpenAIToAnthropicRequest, MergesConsecutiveSameRoleAndSkipsEmpty) {
  auto out = to_anthropic(R"({"model":"m","messages":[
      {"role":"user","content":"a"},{"role":"user","content":"b"},
      {"role":"assistant","content":""},
      {"role":"system","content":"late system"},
      {"role":"user","content":"c"}]})");
  EXPECT_EQ(out, C(R"({"model":"claude-up","max_tokens":4096,"system":[{"type":"text","text":"late system"}],
      "messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"},{"type":"text","text":"c"}]}]})"));
}

TEST(OpenAIToAnthropicRequest, EmptyArgumentsBecomeEmptyObject) {
  auto a = J(to_anthropic(R"({"model":"m","messages":[{"role":"user","content":"x"},
      {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"now","arguments":""}}]}]})"));
  EXPECT_TRUE(a["messages"][1]["content"][0]["input"].IsObject());
  EXPECT_EQ(a["messages"][1]["content"][0]["input"].MemberCount(), 0u);
}

TEST(OpenAIToAnthropicRequest, Rejections) {
  const std::string m = R"("messages":[{"role":"user","content":"x"}])";
  EXPECT_NE(oai_rejects(R"({"model":"m",)" + m + R"(,"n":2})").message.find("n > 1"), std::string::npos);
  EXPECT_NE(oai_rejects(R"({"model":"m",)" + m + R"(,"logprobs":true})").message.find("logprobs"), std::string::npos);
  oai_rejects(R"({"model":"m",)" + m + R"(,"top_logprobs":3})");
  EXPECT_NE(oai_rejects(R"({"model":"m",)" + m + R"(,"logit_bias":{"50256":-100}})").message.find("logit_bias"), std::string::npos);
  oai_rejects(R"({"model":"m",)" + m + R"(,"modalities":["text","audio"]})");
  oai_rejects(R"({"model":"m",)" + m + R"(,"audio":{"voice":"alloy","format":"wav"}})");
  EXPECT_NE(oai_rejects(R"({"model":"m",)" + m + R"(,"response_format":{"type":"json_object"}})").message.find("response_format is not supported by Anthropic upstreams"),
            std::string::npos);
  oai_rejects(R"({"model":"m",)" + m + R"(,"response_format":{"type":"json_schema","json_schema":{"name":"x"}}})");
  oai_rejects(R"({"model":"m",)" + m + R"(,"functions":[{"name":"f"}]})");
  // n=1, logprobs=false, empty logit_bias and text format are fine.
  to_anthropic(R"({"model":"m",)" + m + R"(,"n":1,"logprobs":false,"logit_bias":{},"response_format":{"type":"text"},"modalities":["text"]})");
}

TEST(OpenAIToAnthropicRequest, InvalidArgumentsAreRejectedWithPath) {
  auto f = oai_rejects(R"({"model":"m","messages":[{"role":"user","content":"x"},
      {"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"a\":"}}]}]})");
  EXPECT_NE(f.message.find("messages[1].tool_calls[0].function.arguments is not valid JSON"), std::string::npos) << f.message;
  f = oai_rejects(R"({"model":"m","messages":[{"role":"user","content":"x"},
      {"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"[1]"}}]}]})");
  EXPECT_NE(f.message.find("JSON object"), std::string::npos);
}

TEST(OpenAIToAnthropicRequest, UnsupportedContent) {
  oai_rejects(R"({"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]}]})");
  oai_rejects(R"({"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-1"}}]}]})");
  oai_rejects(R"({"model":"m","messages":[{"role":"user","content":[{"type":"file","file":{"file_data":"data:text/csv;base64,YQ=="}}]}]})");
  oai_rejects(R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]})");
  oai_rejects(R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,raw"}}]}]})");
  oai_rejects(R"({"model":"m","messages":[{"role":"function","name":"f","content":"x"}]})");
  oai_rejects(R"({"model":"m","messages":[{"role":"system","content":"only system"}]})");
}

// ---- Anthropic → OpenAI ---------------------------------------------------------------------

TEST(AnthropicToOpenAIRequest, SimpleWithSystemBlocksAndParams) {
  auto out = to_openai(R"({"model":"claude","max_tokens":300,
      "system":[{"type":"text","text":"Be brief."},{"type":"text","text":"Use French.","cache_control":{"type":"ephemeral"}}],
      "messages":[{"role":"user","content":"Hello"}],
      "temperature":0.3,"top_p":0.8,"top_k":5,"stop_sequences":["END","STOP"],"metadata":{"user_id":"u1"},
      "thinking":{"type":"disabled"}})", true, true);
  EXPECT_EQ(out, C(R"({"model":"gpt-up","messages":[{"role":"system","content":"Be brief.\n\nUse French."},{"role":"user","content":"Hello"}],
      "max_tokens":300,"stop":["END","STOP"],"temperature":0.3,"top_p":0.8,"user":"u1",
      "stream":true,"stream_options":{"include_usage":true}})"));
}

TEST(AnthropicToOpenAIRequest, StreamWithoutUsageAndMaxCompletionTokensOption) {
  auto d = J(R"({"model":"c","max_tokens":10,"system":"S","messages":[{"role":"user","content":"x"}]})");
  auto r = anthropic_to_openai_request(d, "o3", true, false, OpenAIRequestOptions{true});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), C(R"({"model":"o3","messages":[{"role":"system","content":"S"},{"role":"user","content":"x"}],
      "max_completion_tokens":10,"stream":true})"));
}

TEST(AnthropicToOpenAIRequest, ToolConversation) {
  auto out = to_openai(R"({"model":"c","max_tokens":50,
    "tools":[{"name":"get_weather","description":"Weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}}}}],
    "tool_choice":{"type":"any","disable_parallel_tool_use":true},
    "messages":[
      {"role":"user","content":[{"type":"text","text":"Weather?"}]},
      {"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"s"},{"type":"text","text":"Let me "},{"type":"text","text":"check."},
        {"type":"tool_use","id":"toolu_1","name":"get_weather","input":{"city":"Paris"}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"18C","is_error":false},
        {"type":"text","text":"and tomorrow?"}]},
      {"role":"assistant","content":[{"type":"tool_use","id":"toolu_2","name":"get_weather","input":{}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_2","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
        {"type":"tool_result","tool_use_id":"toolu_3"}]}]})");
  EXPECT_EQ(out, C(R"({"model":"gpt-up","messages":[
      {"role":"user","content":"Weather?"},
      {"role":"assistant","content":"Let me check.","tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
      {"role":"tool","tool_call_id":"toolu_1","content":"18C"},
      {"role":"user","content":"and tomorrow?"},
      {"role":"assistant","content":null,"tool_calls":[{"id":"toolu_2","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},
      {"role":"tool","tool_call_id":"toolu_2","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
      {"role":"tool","tool_call_id":"toolu_3","content":""}],
    "max_tokens":50,
    "tools":[{"type":"function","function":{"name":"get_weather","description":"Weather","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
    "tool_choice":"required","parallel_tool_calls":false})"));
}

TEST(AnthropicToOpenAIRequest, ToolChoiceVariants) {
  const std::string pre = R"({"model":"c","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":{}}],)";
  EXPECT_EQ(json::dump(J(to_openai(pre + R"("tool_choice":{"type":"auto"}})"))["tool_choice"]), R"("auto")");
  EXPECT_EQ(json::dump(J(to_openai(pre + R"("tool_choice":{"type":"none"}})"))["tool_choice"]), R"("none")");
  EXPECT_EQ(json::dump(J(to_openai(pre + R"("tool_choice":{"type":"tool","name":"f"}})"))["tool_choice"]),
            C(R"({"type":"function","function":{"name":"f"}})"));
  EXPECT_FALSE(J(to_openai(R"({"model":"c","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"any"}})")).HasMember("tool_choice"));
}

TEST(AnthropicToOpenAIRequest, ImagesAndDocuments) {
  auto out = to_openai(R"({"model":"c","max_tokens":5,"messages":[{"role":"user","content":[
      {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBOR"}},
      {"type":"image","source":{"type":"url","url":"https://e.com/a.png"}},
      {"type":"document","source":{"type":"base64","media_type":"application/pdf","data":"JVBER"},"title":"spec.pdf"},
      {"type":"document","source":{"type":"text","media_type":"text/plain","data":"plain doc"}},
      {"type":"text","text":"Summarize"}]}]})");
  EXPECT_EQ(out, C(R"({"model":"gpt-up","messages":[{"role":"user","content":[
      {"type":"image_url","image_url":{"url":"data:image/png;base64,iVBOR"}},
      {"type":"image_url","image_url":{"url":"https://e.com/a.png"}},
      {"type":"file","file":{"filename":"spec.pdf","file_data":"data:application/pdf;base64,JVBER"}},
      {"type":"text","text":"plain doc"},
      {"type":"text","text":"Summarize"}]}],"max_tokens":5})"));
}

TEST(AnthropicToOpenAIRequest, Rejections) {
  const std::string m = R"("messages":[{"role":"user","content":"x"}])";
  EXPECT_NE(anth_rejects(R"({"model":"c","max_tokens":5000,)" + m + R"(,"thinking":{"type":"enabled","budget_tokens":2000}})").message.find("thinking"),
            std::string::npos);
  auto f = anth_rejects(R"({"model":"c","max_tokens":5,)" + m + R"(,"tools":[{"type":"web_search_20250305","name":"web_search"}]})");
  EXPECT_NE(f.message.find("web_search_20250305"), std::string::npos);
  anth_rejects(R"({"model":"c","max_tokens":5,"messages":[{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}]})");
  anth_rejects(R"({"model":"c","max_tokens":5,"messages":[{"role":"user","content":[{"type":"document","source":{"type":"url","url":"https://x"}}]}]})");
  f = anth_rejects(R"({"model":"c","max_tokens":5,"messages":[{"role":"user","content":[{"type":"tool_result","tool_use_id":"t",
      "content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"x"}}]}]}]})");
  EXPECT_NE(f.message.find("messages.0.content.0.content.0"), std::string::npos) << f.message;
  anth_rejects(R"({"model":"c","max_tokens":5,"mcp_servers":[{"type":"url","url":"https://x","name":"n"}],)" + m + "}");
}

// ---- Round trips ------------------------------------------------------------------------------

TEST(RequestRoundTrip, OpenAIThroughAnthropicKeepsSemantics) {
  const char* original = R"({"model":"m","messages":[
      {"role":"system","content":"sys"},
      {"role":"user","content":"Weather in Paris?"},
      {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
      {"role":"tool","tool_call_id":"call_1","content":"18C"},
      {"role":"assistant","content":"It is 18C."},
      {"role":"user","content":"Thanks"}],
    "tools":[{"type":"function","function":{"name":"get_weather","description":"d","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
    "tool_choice":{"type":"function","function":{"name":"get_weather"}},
    "max_tokens":64,"temperature":0.5,"stop":["X"],"user":"u"})";
  auto anth = J(to_anthropic(original));
  auto back = J(to_openai(json::dump(anth)));
  EXPECT_EQ(json::dump(back), C(R"({"model":"gpt-up","messages":[
      {"role":"system","content":"sys"},
      {"role":"user","content":"Weather in Paris?"},
      {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]},
      {"role":"tool","tool_call_id":"call_1","content":"18C"},
      {"role":"assistant","content":"It is 18C."},
      {"role":"user","content":"Thanks"}],
    "max_tokens":64,"stop":["X"],"temperature":0.5,
    "tools":[{"type":"function","function":{"name":"get_weather","description":"d","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}}],
    "tool_choice":{"type":"function","function":{"name":"get_weather"}},"user":"u"})"));
}

TEST(RequestRoundTrip, AnthropicThroughOpenAIKeepsSemantics) {
  const char* original = R"({"model":"c","max_tokens":100,"system":"sys","messages":[
      {"role":"user","content":[{"type":"text","text":"hi"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAA"}}]},
      {"role":"assistant","content":[{"type":"text","text":"calling"},{"type":"tool_use","id":"toolu_9","name":"f","input":{"a":[1,2]}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_9","content":"done"}]}],
    "tools":[{"name":"f","description":"F","input_schema":{"type":"object"}}],
    "tool_choice":{"type":"auto","disable_parallel_tool_use":true},"stop_sequences":["Z"],"temperature":0.2})";
  auto oai = J(to_openai(original));
  auto back = J(to_anthropic(json::dump(oai)));
  EXPECT_EQ(json::dump(back), C(R"({"model":"claude-up","max_tokens":100,"system":[{"type":"text","text":"sys"}],"messages":[
      {"role":"user","content":[{"type":"text","text":"hi"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAA"}}]},
      {"role":"assistant","content":[{"type":"text","text":"calling"},{"type":"tool_use","id":"toolu_9","name":"f","input":{"a":[1,2]}}]},
      {"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_9","content":"done"}]}],
    "tools":[{"name":"f","description":"F","input_schema":{"type":"object"}}],
    "tool_choice":{"type":"auto","disable_parallel_tool_use":true},"stop_sequences":["Z"],"temperature":0.2})"));
}

TEST(ParseDataUrl, Cases) {
  std::string media;
  std::string_view data;
  EXPECT_TRUE(parse_data_url("data:image/webp;base64,UklGR", &media, &data));
  EXPECT_EQ(media, "image/webp");
  EXPECT_EQ(data, "UklGR");
  EXPECT_FALSE(parse_data_url("data:image/png,raw", &media, &data));
  EXPECT_FALSE(parse_data_url("data:;base64,AAA", &media, &data));
  EXPECT_FALSE(parse_data_url("https://x", &media, &data));
  EXPECT_FALSE(parse_data_url("data:image/png;base64", &media, &data));
}

}  // namespace
}  // namespace sy::api
