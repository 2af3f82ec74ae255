#include "common/json_splice.hpp"

#include <gtest/gtest.h>

namespace sy::json {
namespace {

TEST(JsonSplice, ReplacesValueKeepingEverythingElseByteForByte) {
  const std::string in = R"({"model" : "gpt-4o", "x":1.50,"messages":[{"role":"user","content":"a\"}b"}]})";
  auto out = splice_members(in, {{"model", R"("llama")"}});
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, R"({"model" : "llama", "x":1.50,"messages":[{"role":"user","content":"a\"}b"}]})");
}

TEST(JsonSplice, ReplacesEveryOccurrenceAndAppendsMissing) {
  auto out = splice_members(R"({"model":"a","n":2,"model":"b"})",
                            {{"model", R"("m")"}, {"stream_options", R"({"include_usage":true})"}});
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, R"({"model":"m","n":2,"model":"m","stream_options":{"include_usage":true}})");
}

TEST(JsonSplice, NestedMembersOfTheSameNameAreNotTouched) {
  auto out = splice_members(R"({"metadata":{"model":"keep"},"tools":[{"model":"keep"}],"model":"x"})",
                            {{"model", R"("y")"}});
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, R"({"metadata":{"model":"keep"},"tools":[{"model":"keep"}],"model":"y"})");
}

TEST(JsonSplice, EmptyObjectAndWhitespace) {
  EXPECT_EQ(*splice_members(" { } \n", {{"model", "1"}}), R"( { "model":1} )" "\n");
  EXPECT_EQ(*splice_members(R"({"a":[1,{"b":"]"}],"c":null})", {{"c", "true"}}), R"({"a":[1,{"b":"]"}],"c":true})");
}

TEST(JsonSplice, RefusesWhatItCannotHandleSafely) {
  EXPECT_FALSE(splice_members("[1,2]", {{"model", "1"}}));
  EXPECT_FALSE(splice_members(R"({"model":"a")", {{"model", "1"}}));
  EXPECT_FALSE(splice_members(R"({"mod\u0065l":"a"})", {{"model", "1"}}));
  EXPECT_FALSE(splice_members(R"({"a" 1})", {{"model", "1"}}));
}

TEST(JsonSplice, ResultParsesToTheSameDocumentAsDumpWith) {
  const std::string in =
      R"({"model":"gpt","temperature":0.2,"stop":["\n","}"],"messages":[{"role":"user","content":[{"type":"text","text":"{[\"x"}]}],"unknown_field":{"deep":[[],{}]}})";
  auto doc = parse(in);
  ASSERT_TRUE(doc);
  auto a = parse(*splice_members(in, {{"model", quote("llama")}, {"seed", "7"}}));
  auto b = parse(dump_with(*doc, {{"model", quote("llama")}, {"seed", "7"}}));
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(*a == *b);
}

}  // namespace
}  // namespace sy::json
