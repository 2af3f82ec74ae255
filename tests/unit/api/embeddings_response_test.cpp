#include "api/embeddings_response.hpp"

#include <cstring>

#include <gtest/gtest.h>

#include "test_json.hpp"

namespace sy::api {
namespace {

using test::J;

std::variant<LocalEmbeddingsRequest, ApiError> parse(std::string_view body, size_t dim = 4) {
  auto d = J(body);
  return parse_local_embeddings(d, dim);
}

ApiError err(const std::variant<LocalEmbeddingsRequest, ApiError>& r) {
  auto* e = std::get_if<ApiError>(&r);
  if (!e) throw std::runtime_error("expected an error");
  return *e;
}

LocalEmbeddingsRequest ok(std::string_view body) {
  auto r = parse(body);
  auto* v = std::get_if<LocalEmbeddingsRequest>(&r);
  if (!v) throw std::runtime_error("unexpected error: " + std::get<ApiError>(r).message);
  return *v;
}

TEST(LocalEmbeddingsRequest, StringAndArrayInputs) {
  auto one = ok(R"({"model":"m","input":"hello"})");
  EXPECT_EQ(one.model, "m");
  EXPECT_EQ(one.texts, std::vector<std::string>{"hello"});
  EXPECT_FALSE(one.base64);
  auto many = ok(R"({"model":"m","input":["a","b"],"encoding_format":"base64","dimensions":4,"user":"u"})");
  EXPECT_EQ(many.texts, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(many.base64);
}

TEST(LocalEmbeddingsRequest, TokenIdsAreRefused) {
  for (auto body : {R"({"model":"m","input":[1,2,3]})", R"({"model":"m","input":[[1,2],[3]]})"}) {
    ApiError e = err(parse(body));
    EXPECT_EQ(e.status, 400);
    EXPECT_EQ(e.param, "input");
    EXPECT_NE(e.message.find("local models take text input, not token ids"), std::string::npos) << e.message;
  }
}

TEST(LocalEmbeddingsRequest, Errors) {
  EXPECT_EQ(err(parse(R"({"input":"x"})")).param, "model");
  EXPECT_EQ(err(parse(R"({"model":"m"})")).param, "input");
  EXPECT_EQ(err(parse(R"({"model":"m","input":[]})")).param, "input");
  EXPECT_EQ(err(parse(R"({"model":"m","input":["a",""]})")).param, "input[1]");
  EXPECT_EQ(err(parse(R"({"model":"m","input":["a",{}]})")).param, "input[1]");
  EXPECT_EQ(err(parse(R"({"model":"m","input":""})")).param, "input");
  EXPECT_EQ(err(parse(R"({"model":"m","input":"x","encoding_format":"int8"})")).param, "encoding_format");
  ApiError dims = err(parse(R"({"model":"m","input":"x","dimensions":3})", 4));
  EXPECT_EQ(dims.param, "dimensions");
  EXPECT_NE(dims.message.find("4"), std::string::npos);
  EXPECT_EQ(err(parse(R"({"model":"m","input":"x","dimensions":"4"})")).param, "dimensions");
  EXPECT_EQ(err(parse(R"([1])")).status, 400);
}

TEST(Base64Float32, LittleEndianBytesWithPadding) {
  // 1.0f = 00 00 80 3F; 2.0f = 00 00 00 40 → bytes 00 00 80 3F 00 00 00 40.
  EXPECT_EQ(base64_float32({1.0f}), "AACAPw==");
  EXPECT_EQ(base64_float32({1.0f, 2.0f}), "AACAPwAAAEA=");
  EXPECT_EQ(base64_float32({1.0f, 2.0f, -0.5f}), "AACAPwAAAEAAAAC/");
  EXPECT_EQ(base64_float32({}), "");
}

TEST(EmbeddingsResponse, FloatShape) {
  std::string body = embeddings_response({{0.1f, -2.5f}, {1e-5f, 3.0f}}, false, "my-embed", 7);
  EXPECT_EQ(body,
            R"({"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,-2.5]},)"
            R"({"object":"embedding","index":1,"embedding":[1e-05,3]}],"model":"my-embed",)"
            R"("usage":{"prompt_tokens":7,"total_tokens":7}})");
  EXPECT_TRUE(J(body).IsObject());
}

TEST(EmbeddingsResponse, FloatsReadBackExactly) {
  std::vector<float> v{0.123456789f, -1.0f / 3.0f, 6.02e23f, 1.17549435e-38f, 0.0f};
  auto d = J(embeddings_response({v}, false, "m", 1));
  const auto& arr = d["data"][0]["embedding"];
  ASSERT_EQ(arr.Size(), v.size());
  for (rapidjson::SizeType i = 0; i < arr.Size(); ++i)
    EXPECT_EQ(static_cast<float>(arr[i].GetDouble()), v[i]) << i;
}

TEST(EmbeddingsResponse, Base64Shape) {
  auto d = J(embeddings_response({{1.0f, 2.0f}}, true, "m", 3));
  EXPECT_STREQ(d["data"][0]["embedding"].GetString(), "AACAPwAAAEA=");
  EXPECT_EQ(d["usage"]["prompt_tokens"].GetInt(), 3);
}

}  // namespace
}  // namespace sy::api
