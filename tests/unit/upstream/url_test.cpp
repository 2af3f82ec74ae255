#include "upstream/url.hpp"

#include <gtest/gtest.h>

namespace sy::upstream {
namespace {

TEST(Url, HttpsDefaults) {
  auto u = parse_url("https://API.OpenAI.com/v1/chat/completions");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->scheme, "https");
  EXPECT_EQ(u->host, "api.openai.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/v1/chat/completions");
  EXPECT_TRUE(u->tls());
  EXPECT_EQ(u->host_header(), "api.openai.com");
  EXPECT_EQ(u->authority(), "api.openai.com:443");
}

TEST(Url, HttpWithPortAndQuery) {
  auto u = parse_url("http://127.0.0.1:8080/a/b?x=1&y=2#frag");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->port, 8080);
  EXPECT_FALSE(u->tls());
  EXPECT_EQ(u->target, "/a/b?x=1&y=2");
  EXPECT_EQ(u->host_header(), "127.0.0.1:8080");
}

TEST(Url, NoPathMeansSlash) {
  EXPECT_EQ(parse_url("http://example.test")->target, "/");
  EXPECT_EQ(parse_url("http://example.test?q=1")->target, "/?q=1");
  EXPECT_EQ(parse_url("http://example.test")->port, 80);
}

TEST(Url, Ipv6Literal) {
  auto u = parse_url("http://[::1]:9000/x");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 9000);
  EXPECT_EQ(u->host_header(), "[::1]:9000");
  auto d = parse_url("https://[fe80::1]/");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->port, 443);
  EXPECT_EQ(d->host_header(), "[fe80::1]");
}

TEST(Url, Userinfo) {
  auto u = parse_url("http://user:p%40ss@proxy.local:3128");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->userinfo, "user:p%40ss");
  EXPECT_EQ(u->host, "proxy.local");
  EXPECT_EQ(u->port, 3128);
}

TEST(Url, Rejects) {
  std::string err;
  EXPECT_FALSE(parse_url("ftp://x/", &err));
  EXPECT_NE(err.find("scheme"), std::string::npos);
  EXPECT_FALSE(parse_url("example.com/path"));
  EXPECT_FALSE(parse_url("http:///path"));
  EXPECT_FALSE(parse_url("http://host:99999/"));
  EXPECT_FALSE(parse_url("http://host:0/"));
  EXPECT_FALSE(parse_url("http://host:8a/"));
  EXPECT_FALSE(parse_url("http://[::1/"));
  EXPECT_FALSE(parse_url("http://::1/"));
  EXPECT_FALSE(parse_url("http://host/a b"));
}

}  // namespace
}  // namespace sy::upstream
