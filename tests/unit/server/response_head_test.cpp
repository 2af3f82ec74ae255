#include "server/response_head.hpp"

#include <gtest/gtest.h>

namespace sy::server {
namespace {

TEST(ResponseHead, FixedLengthKeepAlive) {
  std::string out;
  append_response_head(out, {200, 11, true, 5}, {{"Server", "switchyard"}, {"x-request-id", "r1"}});
  EXPECT_EQ(out, "HTTP/1.1 200 OK\r\nServer: switchyard\r\nx-request-id: r1\r\nContent-Length: 5\r\n\r\n");
}

TEST(ResponseHead, ChunkedCloseAndLaterFieldWins) {
  std::string out;
  append_response_head(out, {429, 11, false, std::nullopt},
                       {{"Content-Type", "application/json"}, {"retry-after", "1"},
                        {"content-type", "text/plain"}});
  EXPECT_EQ(out,
            "HTTP/1.1 429 Too Many Requests\r\nretry-after: 1\r\ncontent-type: text/plain\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
}

TEST(ResponseHead, Http10KeepAliveIsExplicit) {
  std::string out;
  append_response_head(out, {404, 10, true, 0}, {});
  EXPECT_EQ(out, "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
  out.clear();
  append_response_head(out, {404, 10, false, 0}, {});
  EXPECT_EQ(out, "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
}

TEST(ResponseHead, NoHeaderInjection) {
  std::string out;
  append_response_head(out, {200, 11, true, 0}, {{"x-switchyard-model", "a\r\nSet-Cookie: x"}});
  EXPECT_NE(out.find("x-switchyard-model: a  Set-Cookie: x\r\n"), std::string::npos);
}

TEST(ResponseHead, ChunkSizeLine) {
  EXPECT_EQ(chunk_size_line(0), "0\r\n");
  EXPECT_EQ(chunk_size_line(10), "a\r\n");
  EXPECT_EQ(chunk_size_line(0x1f2e), "1f2e\r\n");
}

}  // namespace
}  // namespace sy::server
