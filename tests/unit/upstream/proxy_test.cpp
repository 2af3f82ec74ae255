#include "upstream/proxy.hpp"

#include <map>

#include <gtest/gtest.h>

namespace sy::upstream {
namespace {

ProxySettings from(std::map<std::string, std::string> env) {
  return proxy_settings_from_env([env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  });
}

Url url(const char* s) { return *parse_url(s); }

TEST(ProxyEnv, NothingSet) {
  auto s = from({});
  EXPECT_EQ(proxy_for(s, url("https://api.example.com/")), nullptr);
  EXPECT_EQ(proxy_for(s, url("http://api.example.com/")), nullptr);
}

TEST(ProxyEnv, SchemeSpecific) {
  auto s = from({{"HTTPS_PROXY", "http://secure-proxy:3128"}, {"HTTP_PROXY", "plain-proxy:8080"}});
  const Url* p = proxy_for(s, url("https://api.example.com/"));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->host, "secure-proxy");
  EXPECT_EQ(p->port, 3128);
  p = proxy_for(s, url("http://api.example.com/"));
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->host, "plain-proxy");
  EXPECT_EQ(p->port, 8080);
}

TEST(ProxyEnv, LowerCaseWins) {
  auto s = from({{"HTTPS_PROXY", "http://upper:1"}, {"https_proxy", "http://lower:2"}});
  EXPECT_EQ(proxy_for(s, url("https://x.test/"))->host, "lower");
}

TEST(ProxyEnv, NoProxyList) {
  auto s = from({{"HTTPS_PROXY", "http://p:1"},
                 {"NO_PROXY", "localhost, .internal.test,*.corp.test ,10.0.0.1,svc.test:8443"}});
  EXPECT_EQ(proxy_for(s, url("https://localhost/")), nullptr);
  EXPECT_EQ(proxy_for(s, url("https://a.internal.test/")), nullptr);
  EXPECT_EQ(proxy_for(s, url("https://internal.test/")), nullptr);
  EXPECT_EQ(proxy_for(s, url("https://deep.x.corp.test/")), nullptr);
  EXPECT_EQ(proxy_for(s, url("https://10.0.0.1/")), nullptr);
  EXPECT_EQ(proxy_for(s, url("https://svc.test:8443/")), nullptr);
  EXPECT_NE(proxy_for(s, url("https://svc.test/")), nullptr);        // port differs
  EXPECT_NE(proxy_for(s, url("https://notinternal.test/")), nullptr);  // not a subdomain
  EXPECT_NE(proxy_for(s, url("https://10.0.0.10/")), nullptr);
  EXPECT_NE(proxy_for(s, url("https://api.example.com/")), nullptr);
}

TEST(ProxyEnv, NoProxyStar) {
  auto s = from({{"HTTPS_PROXY", "http://p:1"}, {"no_proxy", "*"}});
  EXPECT_EQ(proxy_for(s, url("https://anything.test/")), nullptr);
}

TEST(ProxyEnv, NoProxyIpv6) {
  auto s = from({{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "::1,[fe80::2]:443"}});
  EXPECT_EQ(proxy_for(s, url("https://[::1]:8000/")), nullptr);
  EXPECT_EQ(proxy_for(s, url("https://[fe80::2]/")), nullptr);
  EXPECT_NE(proxy_for(s, url("https://[fe80::2]:444/")), nullptr);
}

TEST(ProxyEnv, NoProxyCidrRanges) {
  auto s = from({{"HTTPS_PROXY", "http://p:1"},
                 {"NO_PROXY", "10.0.0.0/8,192.168.4.0/22,172.16.5.9/32,fd00::/8,bad/99,1.2.3.4/x"}});
  EXPECT_EQ(proxy_for(s, url("https://10.200.3.4:8000/")), nullptr);
  EXPECT_EQ(proxy_for(s, url("https://192.168.7.255/")), nullptr);    // last address of the /22
  EXPECT_NE(proxy_for(s, url("https://192.168.8.0/")), nullptr);      // first one past it
  EXPECT_EQ(proxy_for(s, url("https://172.16.5.9/")), nullptr);
  EXPECT_NE(proxy_for(s, url("https://172.16.5.10/")), nullptr);
  EXPECT_EQ(proxy_for(s, url("https://[fd12:3456::1]/")), nullptr);
  EXPECT_NE(proxy_for(s, url("https://[fe80::1]/")), nullptr);
  EXPECT_NE(proxy_for(s, url("https://11.0.0.1/")), nullptr);
  EXPECT_NE(proxy_for(s, url("https://vllm.internal/")), nullptr);    // names are not resolved
  EXPECT_NE(proxy_for(s, url("https://1.2.3.4/")), nullptr);          // malformed entries ignored
}

TEST(ProxyEnv, NoProxyCidrZeroAndFullPrefix) {
  auto s = from({{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "0.0.0.0/0"}});
  EXPECT_EQ(proxy_for(s, url("https://8.8.8.8/")), nullptr);
  EXPECT_NE(proxy_for(s, url("https://[::1]/")), nullptr);            // other family
  s = from({{"HTTPS_PROXY", "http://p:1"}, {"NO_PROXY", "::1/128"}});
  EXPECT_EQ(proxy_for(s, url("https://[::1]/")), nullptr);
  EXPECT_NE(proxy_for(s, url("https://[::2]/")), nullptr);
}

TEST(ProxyEnv, UnparsableProxyIgnored) {
  auto s = from({{"HTTPS_PROXY", "socks5://p:1"}});
  EXPECT_EQ(proxy_for(s, url("https://x.test/")), nullptr);
}

}  // namespace
}  // namespace sy::upstream
