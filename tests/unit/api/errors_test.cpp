#include "api/errors.hpp"

#include <gtest/gtest.h>

#include "test_json.hpp"

namespace sy::api {
namespace {

using test::J;

TEST(ErrorBodies, OpenAIShapeWithNullParamAndCode) {
  ApiError e{400, "bad thing", "", "", ""};
  EXPECT_EQ(openai_error_body(e),
            R"({"error":{"message":"bad thing","type":"invalid_request_error","param":null,"code":null}})");
}

TEST(ErrorBodies, OpenAIKeepsParamAndCode) {
  ApiError e{400, "Invalid value", "", "messages[2].role", "invalid_value"};
  EXPECT_EQ(openai_error_body(e),
            R"({"error":{"message":"Invalid value","type":"invalid_request_error","param":"messages[2].role","code":"invalid_value"}})");
}

TEST(ErrorBodies, AnthropicShape) {
  ApiError e{404, "model: not found", "", "", ""};
  EXPECT_EQ(anthropic_error_body(e),
            R"({"type":"error","error":{"type":"not_found_error","message":"model: not found"}})");
}

TEST(ErrorBodies, ExplicitTypeWins) {
  ApiError e{500, "x", "custom_error", "", ""};
  EXPECT_NE(openai_error_body(e).find(R"("type":"custom_error")"), std::string::npos);
  EXPECT_NE(anthropic_error_body(e).find(R"("type":"custom_error")"), std::string::npos);
}

TEST(ErrorBodies, DefaultTypesByStatus) {
  EXPECT_EQ(default_error_type(Wire::openai, 400), "invalid_request_error");
  EXPECT_EQ(default_error_type(Wire::openai, 401), "authentication_error");
  EXPECT_EQ(default_error_type(Wire::openai, 403), "permission_error");
  EXPECT_EQ(default_error_type(Wire::openai, 404), "invalid_request_error");
  EXPECT_EQ(default_error_type(Wire::openai, 413), "invalid_request_error");
  EXPECT_EQ(default_error_type(Wire::openai, 422), "invalid_request_error");
  EXPECT_EQ(default_error_type(Wire::openai, 429), "rate_limit_error");
  EXPECT_EQ(default_error_type(Wire::openai, 500), "api_error");
  EXPECT_EQ(default_error_type(Wire::openai, 502), "server_error");
  EXPECT_EQ(default_error_type(Wire::anthropic, 400), "invalid_request_error");
  EXPECT_EQ(default_error_type(Wire::anthropic, 401), "authentication_error");
  EXPECT_EQ(default_error_type(Wire::anthropic, 403), "permission_error");
  EXPECT_EQ(default_error_type(Wire::anthropic, 404), "not_found_error");
  EXPECT_EQ(default_error_type(Wire::anthropic, 413), "request_too_large");
  EXPECT_EQ(default_error_type(Wire::anthropic, 429), "rate_limit_error");
  EXPECT_EQ(default_error_type(Wire::anthropic, 500), "api_error");
  EXPECT_EQ(default_error_type(Wire::anthropic, 502), "api_error");
  EXPECT_EQ(default_error_type(Wire::anthropic, 503), "overloaded_error");
  EXPECT_EQ(default_error_type(Wire::anthropic, 529), "overloaded_error");
}

TEST(ErrorBodies, ErrorBodyDispatchesOnWire) {
  ApiError e{429, "slow down", "", "", ""};
  EXPECT_EQ(error_body(Wire::openai, e), openai_error_body(e));
  EXPECT_EQ(error_body(Wire::anthropic, e), anthropic_error_body(e));
}

TEST(ErrorBodies, MessageIsEscaped) {
  ApiError e{400, "quote \" and\nnewline", "", "", ""};
  auto d = J(openai_error_body(e));
  EXPECT_STREQ(d["error"]["message"].GetString(), "quote \" and\nnewline");
}

TEST(StreamErrorFrames, OpenAIFrame) {
  ApiError e{502, "upstream broke", "", "", ""};
  EXPECT_EQ(openai_stream_error_frame(e),
            "data: {\"error\":{\"message\":\"upstream broke\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n");
}

TEST(StreamErrorFrames, AnthropicFrame) {
  ApiError e{529, "Overloaded", "", "", ""};
  EXPECT_EQ(anthropic_stream_error_frame(e),
            "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n");
  EXPECT_EQ(stream_error_frame(Wire::anthropic, e), anthropic_stream_error_frame(e));
  EXPECT_EQ(stream_error_frame(Wire::openai, e), openai_stream_error_frame(e));
}

TEST(ParseUpstreamError, OpenAIBody) {
  auto info = parse_upstream_error(R"({"error":{"message":"Incorrect API key provided: sk-abc.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})");
  EXPECT_EQ(info.message, "Incorrect API key provided: sk-abc.");
  EXPECT_EQ(info.type, "invalid_request_error");
}

TEST(ParseUpstreamError, OpenAIBodyWithOnlyCode) {
  auto info = parse_upstream_error(R"({"error":{"message":"Rate limit reached","type":null,"code":"rate_limit_exceeded"}})");
  EXPECT_EQ(info.message, "Rate limit reached");
  EXPECT_EQ(info.type, "rate_limit_exceeded");
}

TEST(ParseUpstreamError, AnthropicBody) {
  auto info = parse_upstream_error(R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},"request_id":"req_1"})");
  EXPECT_EQ(info.message, "Overloaded");
  EXPECT_EQ(info.type, "overloaded_error");
}

TEST(ParseUpstreamError, ErrorAsStringAndOtherShapes) {
  EXPECT_EQ(parse_upstream_error(R"({"error":"model not loaded"})").message, "model not loaded");
  auto d = parse_upstream_error(R"({"detail":"Not Found"})");
  EXPECT_EQ(d.message, "Not Found");
  EXPECT_EQ(d.type, "");
  auto m = parse_upstream_error(R"({"object":"error","message":"bad model","type":"BadRequestError","code":400})");
  EXPECT_EQ(m.message, "bad model");
  EXPECT_EQ(m.type, "BadRequestError");
  // Structured detail (FastAPI validation) is kept as JSON text.
  auto v = parse_upstream_error(R"({"detail":[{"loc":["body"],"msg":"field required"}]})");
  EXPECT_NE(v.message.find("field required"), std::string::npos);
}

TEST(ParseUpstreamError, PlainTextIsTrimmed) {
  auto info = parse_upstream_error("\n  <html>502 Bad Gateway</html>\r\n");
  EXPECT_EQ(info.message, "<html>502 Bad Gateway</html>");
  EXPECT_EQ(info.type, "");
  EXPECT_EQ(parse_upstream_error("").message, "");
}

TEST(ParseUpstreamError, LongPlainTextIsCut) {
  std::string big(5000, 'x');
  auto info = parse_upstream_error(big);
  EXPECT_LE(info.message.size(), 2003u);
  EXPECT_EQ(info.message.substr(info.message.size() - 3), "...");
}

TEST(ParseUpstreamError, CutKeepsUtf8Whole) {
  std::string big;
  for (int i = 0; i < 1500; ++i) big += "\xC3\xA9";  // é, 2 bytes each
  auto info = parse_upstream_error(big);
  std::string body = info.message.substr(0, info.message.size() - 3);
  EXPECT_EQ(body.size() % 2, 0u);
}

}  // namespace
}  // namespace sy::api
