#include "api/classify.hpp"

#include <gtest/gtest.h>

#include "test_json.hpp"

namespace sy::api {
namespace {

using test::C;
using test::J;

std::variant<ClassifyRequest, ApiError> parse(std::string_view body) {
  auto d = J(body);
  return parse_classify_request(d);
}

ClassifyRequest ok(std::string_view body) {
  auto r = parse(body);
  auto* v = std::get_if<ClassifyRequest>(&r);
  if (!v) throw std::runtime_error("unexpected error: " + std::get<ApiError>(r).message);
  return *v;
}

ApiError err(std::string_view body) {
  auto r = parse(body);
  auto* e = std::get_if<ApiError>(&r);
  if (!e) throw std::runtime_error("expected an error for " + std::string(body));
  return *e;
}

TEST(ClassifyRequest, InputForms) {
  auto one = ok(R"({"model":"c","input":"great"})");
  EXPECT_EQ(one.inputs, std::vector<std::string>{"great"});
  EXPECT_FALSE(one.top_k);
  auto many = ok(R"({"model":"c","input":["a","b"],"top_k":1})");
  EXPECT_EQ(many.inputs, (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(many.top_k);
  EXPECT_EQ(*many.top_k, 1u);
  auto alias = ok(R"({"model":"c","inputs":["x"]})");
  EXPECT_EQ(alias.inputs, std::vector<std::string>{"x"});
}

TEST(ClassifyRequest, Errors) {
  EXPECT_EQ(err(R"({"input":"x"})").param, "model");
  EXPECT_EQ(err(R"({"model":"","input":"x"})").param, "model");
  EXPECT_EQ(err(R"({"model":"c"})").param, "input");
  EXPECT_EQ(err(R"({"model":"c","input":[]})").param, "input");
  EXPECT_EQ(err(R"({"model":"c","input":["a",null]})").param, "input[1]");
  EXPECT_EQ(err(R"({"model":"c","inputs":[7]})").param, "inputs[0]");
  EXPECT_EQ(err(R"({"model":"c","input":"a","inputs":"b"})").param, "inputs");
  EXPECT_EQ(err(R"({"model":"c","input":"a","top_k":0})").param, "top_k");
  EXPECT_EQ(err(R"({"model":"c","input":"a","top_k":"2"})").param, "top_k");
  EXPECT_EQ(err(R"({"model":"c","input":{}})").status, 400);
}

TEST(ClassifyResponse, LabelsSortedByScore) {
  auto req = ok(R"({"model":"c","input":["a","b"]})");
  std::string body = classify_response(req, {{0.25f, 0.75f}, {0.5f, 0.5f}}, {"NEG", "POS"}, "c", 9);
  EXPECT_EQ(body, C(R"({"object":"list","model":"c","data":[
      {"index":0,"labels":[{"label":"POS","score":0.75},{"label":"NEG","score":0.25}]},
      {"index":1,"labels":[{"label":"NEG","score":0.5},{"label":"POS","score":0.5}]}],
      "usage":{"prompt_tokens":9,"total_tokens":9}})"));
}

TEST(ClassifyResponse, TopKAndUnnamedLabels) {
  auto req = ok(R"({"model":"c","input":"a","top_k":2})");
  auto d = J(classify_response(req, {{0.1f, 0.2f, 0.7f}}, {"a", ""}, "c", 1));
  const auto& labels = d["data"][0]["labels"];
  ASSERT_EQ(labels.Size(), 2u);
  EXPECT_STREQ(labels[0]["label"].GetString(), "LABEL_2");
  EXPECT_STREQ(labels[1]["label"].GetString(), "LABEL_1");
  EXPECT_FLOAT_EQ(static_cast<float>(labels[1]["score"].GetDouble()), 0.2f);
}

}  // namespace
}  // namespace sy::api
