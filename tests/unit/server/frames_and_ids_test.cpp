#include <gtest/gtest.h>

#include "common/request_id.hpp"
#include "server/failure_status.hpp"
#include "server/ids.hpp"
#include "server/sse_frames.hpp"

namespace sy::server {
namespace {

TEST(SplitFrame, EventAndMultiLineData) {
  std::string ev, data;
  split_frame("event: message_start\ndata: {\"a\":1}\n\n", ev, data);
  EXPECT_EQ(ev, "message_start");
  EXPECT_EQ(data, "{\"a\":1}");
  split_frame("data: one\r\ndata:two\n\n", ev, data);
  EXPECT_EQ(ev, "");
  EXPECT_EQ(data, "one\ntwo");
}

TEST(StreamAccumulator, ReassemblesOpenAIChunks) {
  StreamAccumulator acc(Wire::openai);
  acc.feed_frame(R"(data: {"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"},"finish_reason":null}]})"
                 "\n\n");
  acc.feed_frame(R"(data: {"id":"c1","object":"chat.completion.chunk","model":"m","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}]})"
                 "\n\n");
  acc.feed_frame("data: [DONE]\n\n");
  auto doc = json::parse(acc.result_json());
  ASSERT_TRUE(doc);
  EXPECT_EQ(json::view((*doc)["choices"][0]["message"]["content"]), "Hello");
}

TEST(RequestId, KeepsSaneClientIdsAndReplacesOthers) {
  EXPECT_EQ(request_id_from("abc-123"), "abc-123");
  EXPECT_TRUE(request_id_from("").starts_with("req_"));
  EXPECT_TRUE(request_id_from("has space").starts_with("req_"));
  EXPECT_TRUE(request_id_from(std::string(200, 'a')).starts_with("req_"));
  EXPECT_TRUE(request_id_time_ms(request_id_from("")).has_value());   // a new one
}

TEST(ClientKeyHash, StableShortAndNeverTheKey) {
  EXPECT_EQ(hash_client_key(""), "");
  auto h = hash_client_key("sk-secret");
  EXPECT_EQ(h.size(), 16u);
  EXPECT_EQ(h, hash_client_key("sk-secret"));
  EXPECT_NE(h, hash_client_key("sk-secret2"));
  EXPECT_EQ(h.find("secret"), std::string::npos);
}

TEST(FailureStatus, MapsKindsToStatuses) {
  EXPECT_EQ(status_for(make_failure(FailureKind::http_status, "x", 429)), 429);
  EXPECT_EQ(status_for(make_failure(FailureKind::http_status, "x", 200)), 502);
  EXPECT_EQ(status_for(make_failure(FailureKind::connect, "x")), 502);
  EXPECT_EQ(status_for(make_failure(FailureKind::timeout, "x")), 504);
  EXPECT_EQ(status_for(make_failure(FailureKind::unavailable, "x")), 503);
  EXPECT_EQ(status_for(make_failure(FailureKind::overloaded, "x")), 429);
  std::vector<routing::Attempt> attempts(2);
  attempts[0].target = "a";
  attempts[0].error_kind = "http_status";
  attempts[0].status = 500;
  attempts[1].target = "b";
  attempts[1].error_kind = "timeout";
  auto msg = client_message(make_failure(FailureKind::timeout, "slow"), attempts);
  EXPECT_EQ(msg, "slow (attempts: a: http_status 500, b: timeout)");
}

}  // namespace
}  // namespace sy::server
