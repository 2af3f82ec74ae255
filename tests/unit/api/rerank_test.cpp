#include "api/rerank.hpp"

#include <gtest/gtest.h>

#include "test_json.hpp"

namespace sy::api {
namespace {

using test::C;
using test::J;

std::variant<RerankRequest, ApiError> parse(std::string_view body) {
  auto d = J(body);
  return parse_rerank_request(d);
}

RerankRequest ok(std::string_view body) {
  auto r = parse(body);
  auto* v = std::get_if<RerankRequest>(&r);
  if (!v) throw std::runtime_error("unexpected error: " + std::get<ApiError>(r).message);
  return *v;
}

ApiError err(std::string_view body) {
  auto r = parse(body);
  auto* e = std::get_if<ApiError>(&r);
  if (!e) throw std::runtime_error("expected an error for " + std::string(body));
  return *e;
}

TEST(RerankRequest, CohereShape) {
  auto r = ok(R"({"model":"rr","query":"q","documents":["a",{"text":"b"}],"top_n":1,"return_documents":true})");
  EXPECT_EQ(r.model, "rr");
  EXPECT_EQ(r.query, "q");
  EXPECT_EQ(r.documents, (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(r.top_n);
  EXPECT_EQ(*r.top_n, 1u);
  EXPECT_TRUE(r.return_documents);
}

TEST(RerankRequest, Defaults) {
  auto r = ok(R"({"model":"rr","query":"q","documents":["a"]})");
  EXPECT_FALSE(r.top_n);
  EXPECT_FALSE(r.return_documents);
}

TEST(RerankRequest, TeiAliases) {
  auto r = ok(R"({"model":"rr","query":"q","texts":["x","y"],"return_text":true})");
  EXPECT_EQ(r.documents, (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(r.return_documents);
  EXPECT_EQ(err(R"({"model":"rr","query":"q","texts":["x"],"documents":["y"]})").param, "texts");
  EXPECT_EQ(err(R"({"model":"rr","query":"q","texts":[1]})").param, "texts[0]");
  EXPECT_EQ(err(R"({"model":"rr","query":"q","texts":["x"],"return_text":1})").param, "return_text");
}

TEST(RerankRequest, ErrorsNameTheParam) {
  EXPECT_EQ(err(R"({"query":"q","documents":["a"]})").param, "model");
  EXPECT_EQ(err(R"({"model":"rr","documents":["a"]})").param, "query");
  EXPECT_EQ(err(R"({"model":"rr","query":"","documents":["a"]})").param, "query");
  EXPECT_EQ(err(R"({"model":"rr","query":5,"documents":["a"]})").param, "query");
  EXPECT_EQ(err(R"({"model":"rr","query":"q"})").param, "documents");
  EXPECT_EQ(err(R"({"model":"rr","query":"q","documents":[]})").param, "documents");
  EXPECT_EQ(err(R"({"model":"rr","query":"q","documents":"a"})").param, "documents");
  EXPECT_EQ(err(R"({"model":"rr","query":"q","documents":["a",3]})").param, "documents[1]");
  EXPECT_EQ(err(R"({"model":"rr","query":"q","documents":["a",{"txt":"b"}]})").param, "documents[1].text");
  EXPECT_EQ(err(R"({"model":"rr","query":"q","documents":[{"text":2}]})").param, "documents[0].text");
  EXPECT_EQ(err(R"({"model":"rr","query":"q","documents":["a"],"top_n":0})").param, "top_n");
  EXPECT_EQ(err(R"({"model":"rr","query":"q","documents":["a"],"top_n":1.5})").param, "top_n");
  EXPECT_EQ(err(R"({"model":"rr","query":"q","documents":["a"],"return_documents":"yes"})").param,
            "return_documents");
  ApiError e = err(R"({"model":"rr","query":"q","documents":["a",3]})");
  EXPECT_EQ(e.status, 400);
  EXPECT_EQ(e.type, "invalid_request_error");
  EXPECT_NE(e.message.find("documents[1]"), std::string::npos);
}

TEST(RerankResponse, SortedByScoreDescending) {
  auto req = ok(R"({"model":"rr","query":"q","documents":["a","b","c"]})");
  std::string body = rerank_response(req, {0.25f, 0.75f, 0.5f}, "rr", 12, "rerank-abc");
  EXPECT_EQ(body, C(R"({"id":"rerank-abc","model":"rr","results":[
      {"index":1,"relevance_score":0.75},{"index":2,"relevance_score":0.5},
      {"index":0,"relevance_score":0.25}],
      "usage":{"prompt_tokens":12,"total_tokens":12},"meta":{"billed_units":{"search_units":1}}})"));
}

TEST(RerankResponse, TopNAndDocuments) {
  auto req = ok(R"({"model":"rr","query":"q","documents":["a","b","c"],"top_n":2,"return_documents":true})");
  auto d = J(rerank_response(req, {0.1f, 0.3f, 0.2f}, "rr", 1, "rerank-x"));
  const auto& res = d["results"];
  ASSERT_EQ(res.Size(), 2u);
  EXPECT_EQ(res[0]["index"].GetInt(), 1);
  EXPECT_STREQ(res[0]["document"]["text"].GetString(), "b");
  EXPECT_EQ(res[1]["index"].GetInt(), 2);
  EXPECT_STREQ(res[1]["document"]["text"].GetString(), "c");
}

TEST(RerankResponse, TopNLargerThanDocumentsAndTies) {
  auto req = ok(R"({"model":"rr","query":"q","documents":["a","b"],"top_n":10})");
  auto d = J(rerank_response(req, {0.5f, 0.5f}, "rr", 1, "rerank-x"));
  ASSERT_EQ(d["results"].Size(), 2u);
  EXPECT_EQ(d["results"][0]["index"].GetInt(), 0);  // ties keep input order
  EXPECT_EQ(d["results"][1]["index"].GetInt(), 1);
  EXPECT_FALSE(d["results"][0].HasMember("document"));
}

TEST(RerankResponse, NewIdPrefix) {
  std::string a = new_rerank_id(), b = new_rerank_id();
  EXPECT_EQ(a.rfind("rerank-", 0), 0u);
  EXPECT_GT(a.size(), 7u + 8u);
  EXPECT_NE(a, b);
}

}  // namespace
}  // namespace sy::api
