#include "config/env_interpolate.hpp"

#include <gtest/gtest.h>

namespace sy::config {
namespace {

const std::map<std::string, std::string> kEnv = {
    {"HOME_DIR", "/home/x"}, {"KEY", "sk-123"}, {"EMPTY", ""}};

std::string expand(std::string_view text) {
  std::string err;
  auto r = interpolate(text, make_env_lookup(&kEnv), &err);
  EXPECT_TRUE(r.has_value()) << err;
  return r ? r->value : "<error>";
}

std::string expand_error(std::string_view text) {
  std::string err;
  auto r = interpolate(text, make_env_lookup(&kEnv), &err);
  EXPECT_FALSE(r.has_value());
  return err;
}

TEST(EnvInterpolate, PlainTextIsUnchanged) {
  EXPECT_EQ(expand("hello world"), "hello world");
  EXPECT_EQ(expand(""), "");
}

TEST(EnvInterpolate, ReplacesSetVariable) {
  EXPECT_EQ(expand("${KEY}"), "sk-123");
  EXPECT_EQ(expand("Bearer ${KEY}!"), "Bearer sk-123!");
}

TEST(EnvInterpolate, SeveralReferencesInOneValue) {
  EXPECT_EQ(expand("${HOME_DIR}/${KEY}/${MISSING:-d}"), "/home/x/sk-123/d");
}

TEST(EnvInterpolate, DefaultUsedWhenUnsetOrEmpty) {
  EXPECT_EQ(expand("${MISSING:-fallback}"), "fallback");
  EXPECT_EQ(expand("${EMPTY:-fallback}"), "fallback");
  EXPECT_EQ(expand("${KEY:-fallback}"), "sk-123");
  EXPECT_EQ(expand("${MISSING:-}"), "");
  EXPECT_EQ(expand("${MISSING:-127.0.0.1:8080}"), "127.0.0.1:8080");
}

TEST(EnvInterpolate, SetButEmptyWithoutDefaultIsEmpty) { EXPECT_EQ(expand("a${EMPTY}b"), "ab"); }

TEST(EnvInterpolate, DollarEscapes) {
  EXPECT_EQ(expand("$$"), "$");
  EXPECT_EQ(expand("$${KEY}"), "${KEY}");
  EXPECT_EQ(expand("cost $5"), "cost $5");
  EXPECT_EQ(expand("end$"), "end$");
}

TEST(EnvInterpolate, RecordsVariableNames) {
  std::string err;
  auto r = interpolate("${KEY}-${MISSING:-x}", make_env_lookup(&kEnv), &err);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->variables, (std::vector<std::string>{"KEY", "MISSING"}));
}

TEST(EnvInterpolate, UnsetWithoutDefaultIsAnErrorNamingTheVariable) {
  std::string err = expand_error("key ${OPENAI_API_KEY}");
  EXPECT_NE(err.find("OPENAI_API_KEY"), std::string::npos) << err;
  EXPECT_NE(err.find("not set"), std::string::npos) << err;
}

TEST(EnvInterpolate, MalformedReferences) {
  EXPECT_NE(expand_error("${KEY").find("unterminated"), std::string::npos);
  EXPECT_NE(expand_error("${}").find("invalid"), std::string::npos);
  EXPECT_NE(expand_error("${1ABC}").find("invalid"), std::string::npos);
  EXPECT_NE(expand_error("${A-B}").find("invalid"), std::string::npos);
}

TEST(EnvInterpolate, ProcessEnvironmentLookup) {
  ::setenv("SY_TEST_INTERP_VAR", "from-env", 1);
  std::string err;
  auto r = interpolate("${SY_TEST_INTERP_VAR}", make_env_lookup(nullptr), &err);
  ASSERT_TRUE(r) << err;
  EXPECT_EQ(r->value, "from-env");
  ::unsetenv("SY_TEST_INTERP_VAR");
}

}  // namespace
}  // namespace sy::config
