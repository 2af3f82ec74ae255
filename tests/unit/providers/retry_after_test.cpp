#include "providers/http_util.hpp"

#include <ctime>

#include <gtest/gtest.h>

namespace sy::providers {
namespace {

using std::chrono::milliseconds;

TEST(RetryAfter, DeltaSecondsFractionsAndMilliseconds) {
  EXPECT_EQ(parse_retry_after({{"Retry-After", "3"}}), milliseconds(3000));
  EXPECT_EQ(parse_retry_after({{"retry-after", "0.25"}}), milliseconds(250));
  // OpenAI's retry-after-ms is more precise and wins.
  EXPECT_EQ(parse_retry_after({{"retry-after", "1"}, {"Retry-After-Ms", "120"}}), milliseconds(120));
  EXPECT_EQ(parse_retry_after({{"x-other", "1"}}), std::nullopt);
  EXPECT_EQ(parse_retry_after({{"retry-after", "soon"}}), std::nullopt);
  EXPECT_EQ(parse_retry_after({{"retry-after", "-5"}}), std::nullopt);
}

TEST(RetryAfter, HttpDate) {
  std::time_t future = std::time(nullptr) + 60;
  char buf[64];
  std::tm tm{};
  gmtime_r(&future, &tm);
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  auto d = parse_retry_after({{"Retry-After", buf}});
  ASSERT_TRUE(d);
  EXPECT_GE(d->count(), 58'000);
  EXPECT_LE(d->count(), 60'000);
  EXPECT_EQ(parse_retry_after({{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}}), milliseconds(0));
}

TEST(FailureFromStatus, TakesTheUpstreamMessage) {
  Failure f = failure_from_status(429, {{"retry-after", "2"}},
                                  R"({"error":{"message":"Rate limit reached","type":"requests"}})", "openai");
  EXPECT_EQ(f.kind, FailureKind::http_status);
  EXPECT_EQ(f.status, 429);
  EXPECT_EQ(f.message, "Rate limit reached");
  EXPECT_EQ(f.retry_after, milliseconds(2000));
  Failure g = failure_from_status(502, {}, "", "hf");
  EXPECT_NE(g.message.find("hf"), std::string::npos);
}

TEST(MakeRequest, JoinsBaseUrlAndCarriesHeadersAndTimeouts) {
  config::ProviderConfig cfg;
  cfg.name = "p";
  cfg.base_url = "https://api.example.test/v1/";
  cfg.headers = {{"X-Team", "a"}};
  cfg.timeouts.connect = milliseconds(123);
  auto req = make_request(cfg, "/chat/completions", "{}", "req_1");
  EXPECT_EQ(req.url, "https://api.example.test/v1/chat/completions");
  EXPECT_EQ(req.timeouts.connect, milliseconds(123));
  bool team = false, rid = false;
  for (auto& [k, v] : req.headers) {
    team = team || (k == "X-Team" && v == "a");
    rid = rid || (k == "x-request-id" && v == "req_1");
  }
  EXPECT_TRUE(team);
  EXPECT_TRUE(rid);
}

}  // namespace
}  // namespace sy::providers

namespace sy::providers {
namespace {

TEST(MakeRequest, TotalTimeoutIsCappedByTheRequestDeadline) {
  config::ProviderConfig cfg;
  cfg.base_url = "http://127.0.0.1:1";
  cfg.timeouts.total = std::chrono::milliseconds(600'000);
  auto soon = std::chrono::steady_clock::now() + std::chrono::milliseconds(2'000);
  auto req = make_request(cfg, "/x", "", "", soon);
  EXPECT_LE(req.timeouts.total.count(), 2'000);
  EXPECT_GE(req.timeouts.total.count(), 1'000);
  auto past = std::chrono::steady_clock::now() - std::chrono::milliseconds(5);
  EXPECT_EQ(make_request(cfg, "/x", "", "", past).timeouts.total.count(), 1);
  EXPECT_EQ(make_request(cfg, "/x", "", "").timeouts.total.count(), 600'000);
}

}  // namespace
}  // namespace sy::providers
