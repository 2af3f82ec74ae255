#include "api/stream_translate.hpp"

#include <gtest/gtest.h>

#include "test_json.hpp"

namespace sy::api {
namespace {

struct Ev {
  std::string event;
  std::string data;
};

template <class T>
std::vector<std::string> run(T& tr, const std::vector<Ev>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) {
    auto r = tr.feed(e.event, e.data);
    EXPECT_TRUE(r.ok()) << e.data << (r.ok() ? "" : " → " + r.failure().message);
    if (!r.ok()) break;
    for (auto& f : r.value()) out.push_back(std::move(f));
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += x;
  return s;
}

// OpenAI stream with a text answer, a usage chunk and [DONE] (stream_options.include_usage).
const std::vector<Ev> kOpenAIText = {
    {"", R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}],"usage":null})"},
    {"", R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}],"usage":null})"},
    {"", R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"lo"},"logprobs":null,"finish_reason":null}],"usage":null})"},
    {"", R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null})"},
    {"", R"({"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,"prompt_tokens_details":{"cached_tokens":0}}})"},
    {"", "[DONE]"},
};

TEST(OpenAIToAnthropicStream, TextWithUsageChunk) {
  OpenAIToAnthropicStream tr("claude-alias", "msg_1");
  auto frames = run(tr, kOpenAIText);
  EXPECT_EQ(join(frames),
            "event: message_start\n"
            "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-alias\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":0,\"output_tokens\":0}}}\n\n"
            "event: content_block_start\n"
            "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
            "event: content_block_delta\n"
            "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hel\"}}\n\n"
            "event: content_block_delta\n"
            "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"lo\"}}\n\n"
            "event: content_block_stop\n"
            "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            "event: message_delta\n"
            "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"input_tokens\":9,\"cache_read_input_tokens\":0,\"output_tokens\":2}}\n\n"
            "event: message_stop\n"
            "data: {\"type\":\"message_stop\"}\n\n");
  EXPECT_TRUE(tr.done());
  EXPECT_EQ(tr.finish_reason(), "stop");
  Usage u = tr.usage();
  EXPECT_TRUE(u.known);
  EXPECT_FALSE(u.estimated);
  EXPECT_EQ(u.input_tokens, 9);
  EXPECT_EQ(u.output_tokens, 2);
  EXPECT_TRUE(tr.finish().empty());  // already closed
}

TEST(OpenAIToAnthropicStream, TextThenParallelToolCallsSplitIntoFragments) {
  OpenAIToAnthropicStream tr("m", "msg_2");
  tr.set_input_tokens_estimate(42);
  auto frames = run(tr, {
      {"", R"({"id":"c","choices":[{"index":0,"delta":{"role":"assistant","content":"Checking."},"finish_reason":null}]})"},
      {"", R"({"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_A","type":"function","function":{"name":"get_weather","arguments":""}}]},"finish_reason":null}]})"},
      {"", R"({"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"ci"}}]},"finish_reason":null}]})"},
      {"", R"({"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"ty\":\"Paris\"}"}}]},"finish_reason":null}]})"},
      {"", R"({"id":"c","choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_B","type":"function","function":{"name":"now","arguments":"{}"}}]},"finish_reason":null}]})"},
      {"", R"({"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]})"},
      {"", "[DONE]"},
  });
  EXPECT_EQ(join(frames),
            "event: message_start\n"
            "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_2\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":42,\"output_tokens\":0}}}\n\n"
            "event: content_block_start\n"
            "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
            "event: content_block_delta\n"
            "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Checking.\"}}\n\n"
            "event: content_block_stop\n"
            "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            "event: content_block_start\n"
            "data: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_A\",\"name\":\"get_weather\",\"input\":{}}}\n\n"
            "event: content_block_delta\n"
            "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"ci\"}}\n\n"
            "event: content_block_delta\n"
            "data: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"ty\\\":\\\"Paris\\\"}\"}}\n\n"
            "event: content_block_stop\n"
            "data: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
            "event: content_block_start\n"
            "data: {\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"call_B\",\"name\":\"now\",\"input\":{}}}\n\n"
            "event: content_block_delta\n"
            "data: {\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}\n\n"
            "event: content_block_stop\n"
            "data: {\"type\":\"content_block_stop\",\"index\":2}\n\n"
            "event: message_delta\n"
            "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":7}}\n\n"
            "event: message_stop\n"
            "data: {\"type\":\"message_stop\"}\n\n");
  // No usage from upstream: estimated from the 9 + 16 + 2 streamed characters, 4 per token rounded up.
  Usage u = tr.usage();
  EXPECT_TRUE(u.estimated);
  EXPECT_EQ(u.input_tokens, 42);
  EXPECT_EQ(u.output_tokens, 7);
  EXPECT_EQ(tr.finish_reason(), "tool_calls");
}

TEST(OpenAIToAnthropicStream, FinishClosesStreamWithoutDone) {
  OpenAIToAnthropicStream tr("m", "msg_3");
  auto frames = run(tr, {{"", R"({"choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":"length"}]})"}});
  EXPECT_FALSE(tr.done());
  auto tail = tr.finish();
  EXPECT_TRUE(tr.done());
  EXPECT_EQ(join(tail),
            "event: message_delta\n"
            "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"max_tokens\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":1}}\n\n"
            "event: message_stop\n"
            "data: {\"type\":\"message_stop\"}\n\n");
  // Content after the end is ignored.
  auto after = tr.feed("", R"({"choices":[{"index":0,"delta":{"content":"more"}}]})");
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after.value().empty());
}

TEST(OpenAIToAnthropicStream, EmptyStreamStillProducesAWellFormedMessage) {
  OpenAIToAnthropicStream tr("m", "msg_4");
  auto frames = tr.finish();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].rfind("event: message_start\n", 0), 0u);
  EXPECT_EQ(frames[1].rfind("event: message_delta\n", 0), 0u);
  EXPECT_EQ(frames[2], "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
}

TEST(OpenAIToAnthropicStream, ErrorsAndGarbage) {
  OpenAIToAnthropicStream tr("m", "msg_5");
  auto r = tr.feed("", R"({"error":{"message":"The server had an error","type":"server_error","code":null}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::http_status);
  EXPECT_EQ(r.failure().message, "The server had an error");
  EXPECT_EQ(r.failure().error_type, "server_error");
  OpenAIToAnthropicStream tr2("m", "msg_6");
  auto g = tr2.feed("", "{not json");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.failure().kind, FailureKind::malformed);
}

TEST(OpenAIToAnthropicStream, InterleavedToolFragmentsAreRefused) {
  OpenAIToAnthropicStream tr("m", "msg_7");
  ASSERT_TRUE(tr.feed("", R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{"}}]}}]})").ok());
  ASSERT_TRUE(tr.feed("", R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":1,"id":"b","function":{"name":"g","arguments":"{"}}]}}]})").ok());
  auto r = tr.feed("", R"({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"}"}}]}}]})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::malformed);
}

TEST(OpenAIToAnthropicStream, CompleteCallsUnderOneIndexBecomeSeparateBlocks) {
  OpenAIToAnthropicStream tr("m", "msg_8");
  auto frames = run(tr, {
      {"", R"({"choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"}},{"index":0,"id":"c2","type":"function","function":{"name":"g","arguments":"{}"}}]},"finish_reason":"tool_calls"}]})"},
      {"", "[DONE]"},
  });
  std::string all = join(frames);
  EXPECT_NE(all.find(R"("index":0,"content_block":{"type":"tool_use","id":"c1","name":"f","input":{}})"), std::string::npos);
  EXPECT_NE(all.find(R"("index":1,"content_block":{"type":"tool_use","id":"c2","name":"g","input":{}})"), std::string::npos);
  EXPECT_NE(all.find(R"({"type":"content_block_stop","index":1})"), std::string::npos);
}

// Anthropic stream modelled on the Messages streaming docs: ping, text, tool_use with
// input_json_delta pieces, message_delta with usage.
const std::vector<Ev> kAnthropicTool = {
    {"message_start", R"({"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}})"},
    {"content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})"},
    {"ping", R"({"type": "ping"})"},
    {"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay"}})"},
    {"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":", checking."}})"},
    {"content_block_stop", R"({"type":"content_block_stop","index":0})"},
    {"content_block_start", R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}})"},
    {"content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}})"},
    {"content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\":"}})"},
    {"content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"SF\"}"}})"},
    {"content_block_stop", R"({"type":"content_block_stop","index":1})"},
    {"message_delta", R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}})"},
    {"message_stop", R"({"type":"message_stop"})"},
};

TEST(AnthropicToOpenAIStream, TextAndToolUseWithUsage) {
  AnthropicToOpenAIStream tr("gpt-alias", "chatcmpl-x", true, 1700000000);
  auto frames = run(tr, kAnthropicTool);
  const std::string pre = R"(data: {"id":"chatcmpl-x","object":"chat.completion.chunk","created":1700000000,"model":"gpt-alias",)";
  auto chunk = [&](const std::string& delta, const std::string& finish = "null") {
    return pre + R"("choices":[{"index":0,"delta":)" + delta + R"(,"logprobs":null,"finish_reason":)" + finish + "}]}\n\n";
  };
  std::vector<std::string> expected = {
      chunk(R"({"role":"assistant","content":""})"),
      chunk(R"({"content":"Okay"})"),
      chunk(R"({"content":", checking."})"),
      chunk(R"({"tool_calls":[{"index":0,"id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","type":"function","function":{"name":"get_weather","arguments":""}}]})"),
      chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":"{\"location\":"}}]})"),
      chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":" \"SF\"}"}}]})"),
      chunk("{}", R"("tool_calls")"),
      pre + R"("choices":[],"usage":{"prompt_tokens":472,"completion_tokens":89,"total_tokens":561,"prompt_tokens_details":{"cached_tokens":0}}})" + "\n\n",
      "data: [DONE]\n\n",
  };
  EXPECT_EQ(frames, expected);
  EXPECT_TRUE(tr.done());
  EXPECT_EQ(tr.finish_reason(), "tool_calls");
  EXPECT_EQ(tr.usage().input_tokens, 472);
  EXPECT_EQ(tr.usage().output_tokens, 89);
}

TEST(AnthropicToOpenAIStream, WithoutUsageChunkAndDroppingThinking) {
  AnthropicToOpenAIStream tr("m", "id", false, 5);
  auto frames = run(tr, {
      {"message_start", R"({"type":"message_start","message":{"id":"msg_1","usage":{"input_tokens":10,"cache_read_input_tokens":90,"output_tokens":1}}})"},
      {"content_block_start", R"({"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think"}})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"EqQB"}})"},
      {"content_block_stop", R"({"type":"content_block_stop","index":0})"},
      {"content_block_start", R"({"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}})"},
      {"content_block_delta", R"({"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"42"}})"},
      {"message_delta", R"({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":12}})"},
      {"message_stop", R"({"type":"message_stop"})"},
  });
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_NE(frames[1].find(R"("delta":{"content":"42"})"), std::string::npos);
  EXPECT_NE(frames[2].find(R"("finish_reason":"stop")"), std::string::npos);
  EXPECT_EQ(frames[3], "data: [DONE]\n\n");
  EXPECT_EQ(tr.usage().input_tokens, 100);
  EXPECT_EQ(tr.usage().cached_input_tokens, 90);
  EXPECT_EQ(tr.usage().output_tokens, 12);
}

TEST(AnthropicToOpenAIStream, ErrorEventIsFailure) {
  AnthropicToOpenAIStream tr("m", "id", false, 5);
  auto r = tr.feed("error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure().kind, FailureKind::http_status);
  EXPECT_EQ(r.failure().status, 529);
  EXPECT_EQ(r.failure().message, "Overloaded");
  EXPECT_EQ(r.failure().error_type, "overloaded_error");
}

TEST(AnthropicToOpenAIStream, FinishAfterTruncatedUpstream) {
  AnthropicToOpenAIStream tr("m", "id", true, 5);
  run(tr, {{"", R"({"type":"message_start","message":{"usage":{"input_tokens":3,"output_tokens":1}}})"},
           {"", R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}})"}});
  auto tail = tr.finish();
  ASSERT_EQ(tail.size(), 3u);
  EXPECT_NE(tail[0].find(R"("finish_reason":"stop")"), std::string::npos);
  EXPECT_NE(tail[1].find(R"("choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4)"), std::string::npos);
  EXPECT_EQ(tail[2], "data: [DONE]\n\n");
  EXPECT_TRUE(tr.finish().empty());
}

TEST(StreamRoundTrip, AnthropicToOpenAIToAnthropic) {
  AnthropicToOpenAIStream a2o("m", "chatcmpl-1", true, 1);
  auto oai_frames = run(a2o, kAnthropicTool);
  OpenAIToAnthropicStream o2a("m", "msg_r");
  std::vector<std::string> back;
  for (const auto& f : oai_frames) {
    ASSERT_EQ(f.rfind("data: ", 0), 0u);
    std::string data = f.substr(6, f.size() - 8);
    auto r = o2a.feed("", data);
    ASSERT_TRUE(r.ok()) << r.failure().message;
    for (auto& x : r.value()) back.push_back(x);
  }
  std::string all = join(back);
  EXPECT_NE(all.find(R"("content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}})"), std::string::npos);
  EXPECT_NE(all.find(R"("partial_json":" \"SF\"}")"), std::string::npos);
  EXPECT_NE(all.find(R"("stop_reason":"tool_use")"), std::string::npos);
  EXPECT_NE(all.find(R"("output_tokens":89)"), std::string::npos);
  EXPECT_TRUE(o2a.done());
}

// ---- pass-through observers --------------------------------------------------------------------

TEST(OpenAIStreamObserver, RewritesModelAndTracksUsage) {
  OpenAIStreamObserver obs("my-alias");
  auto f1 = obs.feed(kOpenAIText[1].data);
  ASSERT_TRUE(f1.ok());
  EXPECT_EQ(f1.value(), R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"my-alias","choices":[{"index":0,"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}],"usage":null})" "\n\n");
  for (size_t i = 2; i < kOpenAIText.size(); ++i) ASSERT_TRUE(obs.feed(kOpenAIText[i].data).ok());
  EXPECT_TRUE(obs.done());
  EXPECT_EQ(obs.finish_reason(), "stop");
  EXPECT_TRUE(obs.usage().known);
  EXPECT_EQ(obs.usage().input_tokens, 9);
  EXPECT_EQ(obs.usage().output_tokens, 2);
  EXPECT_EQ(obs.feed("[DONE]").value(), "data: [DONE]\n\n");
}

TEST(OpenAIStreamObserver, SameModelIsVerbatimAndErrorsFail) {
  OpenAIStreamObserver obs("gpt-4o");
  EXPECT_EQ(obs.feed(kOpenAIText[2].data).value(), "data: " + kOpenAIText[2].data + "\n\n");
  auto e = obs.feed(R"({"error":{"message":"boom","type":"server_error"}})");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.failure().message, "boom");
  EXPECT_FALSE(obs.feed("nope").ok());
}

TEST(AnthropicStreamObserver, RewritesModelAndTracksUsage) {
  AnthropicStreamObserver obs("alias");
  std::vector<std::string> frames;
  for (const auto& e : kAnthropicTool) {
    auto r = obs.feed(e.event, e.data);
    ASSERT_TRUE(r.ok());
    frames.push_back(r.value());
  }
  EXPECT_EQ(frames[0], "event: message_start\n" R"(data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"alias","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}})" "\n\n");
  EXPECT_EQ(frames[2], "event: ping\ndata: {\"type\": \"ping\"}\n\n");  // verbatim
  EXPECT_TRUE(obs.done());
  EXPECT_EQ(obs.finish_reason(), "tool_calls");
  EXPECT_EQ(obs.usage().input_tokens, 472);
  EXPECT_EQ(obs.usage().output_tokens, 89);
  auto err = obs.feed("error", R"({"type":"error","error":{"type":"api_error","message":"Internal"}})");
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.failure().error_type, "api_error");
}

TEST(AnthropicStreamObserver, EventNameFallsBackToType) {
  AnthropicStreamObserver obs("");
  auto r = obs.feed("", R"({"type":"message_stop"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");
}

TEST(AnthropicUsageTally, LaterFieldsReplace) {
  AnthropicUsageTally t;
  t.merge(test::J(R"({"input_tokens":10,"cache_creation_input_tokens":5,"output_tokens":1})"));
  t.merge(test::J(R"({"output_tokens":30})"));
  Usage u = t.to_usage();
  EXPECT_EQ(u.input_tokens, 15);
  EXPECT_EQ(u.output_tokens, 30);
  EXPECT_TRUE(u.known);
}

TEST(OpenAIUsageChunk, ReportedAndEstimatedUsage) {
  Usage u;
  u.input_tokens = 9;
  u.output_tokens = 2;
  u.cached_input_tokens = 4;
  u.known = true;
  EXPECT_EQ(openai_usage_chunk("chatcmpl-1", 7, "m", u),
            R"(data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":7,"model":"m",)"
            R"("choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11,)"
            R"("prompt_tokens_details":{"cached_tokens":4}}})"
            "\n\n");
  u.estimated = true;
  const std::string est = openai_usage_chunk("chatcmpl-1", 7, "m", u);
  EXPECT_NE(est.find(R"("cached_tokens":4},"switchyard_estimated":true}})"), std::string::npos) << est;
}

}  // namespace
}  // namespace sy::api
