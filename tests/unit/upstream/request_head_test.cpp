#include "upstream/request_head.hpp"

#include <gtest/gtest.h>

namespace sy::upstream {
namespace {

Url url(const char* text) { return *parse_url(text); }

TEST(RequestHead, PostWithBodyAndCallerHeaders) {
  Request r;
  r.url = "https://api.example.com/v1/chat/completions";
  r.headers = {{"authorization", "Bearer k"}, {"Host", "evil"}, {"content-length", "99"},
               {"Connection", "close"}, {"Transfer-Encoding", "chunked"}};
  r.body = "{}";
  auto h = build_request_head(r, url("https://api.example.com/v1/chat/completions"));
  ASSERT_TRUE(h.error.empty());
  EXPECT_FALSE(h.head);
  EXPECT_EQ(h.text,
            "POST /v1/chat/completions HTTP/1.1\r\nHost: api.example.com\r\nauthorization: Bearer k\r\n"
            "User-Agent: switchyard/0.1\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\n");
}

TEST(RequestHead, PortInHostAndEmptyPostSaysZero) {
  Request r;
  r.headers = {{"User-Agent", "me"}};
  auto h = build_request_head(r, url("http://127.0.0.1:8080/x?y=1"));
  EXPECT_EQ(h.text,
            "POST /x?y=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: me\r\n"
            "Connection: keep-alive\r\nContent-Length: 0\r\n\r\n");
}

TEST(RequestHead, ForwardProxyAbsoluteFormWithCredentials) {
  Request r;
  r.method = "GET";
  r.headers = {{"proxy-authorization", "Basic Y2FsbGVy"}};
  ForwardProxy fp{"Basic cDpx"};
  auto h = build_request_head(r, url("http://[fd00::5]:8000/v1/models"), &fp);
  EXPECT_EQ(h.text,
            "GET http://[fd00::5]:8000/v1/models HTTP/1.1\r\nHost: [fd00::5]:8000\r\n"
            "User-Agent: switchyard/0.1\r\nProxy-Authorization: Basic cDpx\r\n"
            "Connection: keep-alive\r\n\r\n");
  ForwardProxy anonymous;
  h = build_request_head(r, url("http://svc.test/x"), &anonymous);
  EXPECT_EQ(h.text.substr(0, h.text.find("\r\n")), "GET http://svc.test/x HTTP/1.1");
  EXPECT_EQ(h.text.find("roxy-"), std::string::npos);
}

TEST(RequestHead, GetAndHeadHaveNoLength) {
  Request r;
  r.method = "GET";
  EXPECT_EQ(build_request_head(r, url("http://h/")).text.find("Content-Length"), std::string::npos);
  r.method = "HEAD";
  auto h = build_request_head(r, url("http://h/"));
  EXPECT_TRUE(h.head);
  EXPECT_EQ(h.text.find("Content-Length"), std::string::npos);
}

TEST(RequestHead, RefusesInjection) {
  Request r;
  r.method = "POST /x HTTP/1.1\r\n";
  EXPECT_EQ(build_request_head(r, url("http://h/")).error, "bad HTTP method");
  r.method = "POST";
  r.headers = {{"x-a", "v\r\nx-b: w"}};
  auto h = build_request_head(r, url("http://h/"));
  EXPECT_EQ(h.error, "bad request header 'x-a'");
  EXPECT_TRUE(h.text.empty());
  r.headers = {{"bad name", "v"}};
  EXPECT_FALSE(build_request_head(r, url("http://h/")).error.empty());
}

}  // namespace
}  // namespace sy::upstream
