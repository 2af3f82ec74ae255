#include "store/log_format.hpp"

#include <gtest/gtest.h>

#include "common/json.hpp"
#include "store_test_util.hpp"

namespace sy::store {
namespace {

TEST(LogFormat, Timestamp) {
  EXPECT_EQ(format_timestamp(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_timestamp(1'735'787'045'678), "2025-01-02T03:04:05.678Z");
}

TEST(LogFormat, LineSummarisesASuccessfulRequest) {
  RequestRecord r = testutil::make_record(1, 2);
  r.ts_unix_ms = 1'735'787'045'678;
  r.cost_usd = 0.0000222;
  r.input_tokens = 12;
  r.output_tokens = 34;
  r.latency_ms = 512.4;
  r.ttft_ms = -1;
  r.usage_estimated = false;
  EXPECT_EQ(format_record_line(r),
            "2025-01-02T03:04:05.678Z req_1 chat-default->gpt-4o-mini (openai) 200 ok "
            "attempts=2 tokens=12/34 $0.00002220 512ms");
}

TEST(LogFormat, LineShowsFailureMarkersAndOneLineError) {
  RequestRecord r;
  r.ts_unix_ms = 0;
  r.id = "req_x";
  r.public_model = "chat-default";
  r.status = 502;
  r.outcome = "upstream_error";
  r.stream = true;
  r.usage_estimated = true;
  r.input_tokens = 5;
  r.ttft_ms = 40;
  r.bodies_dropped = true;
  r.error = "all targets failed\nsecond";
  std::string line = format_record_line(r);
  EXPECT_EQ(line,
            "1970-01-01T00:00:00.000Z req_x chat-default->- 502 upstream_error stream attempts=0 "
            "tokens=~5/0 $0.00000000 0ms ttft=40ms [bodies dropped] "
            "error=\"all targets failed second\"");
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(LogFormat, JsonHasEveryField) {
  RequestRecord r = testutil::make_record(3, 2);
  r.error = "say \"hi\"";
  r.ttft_ms = -1;
  std::string text = record_to_json(r);
  std::string err;
  auto doc = sy::json::parse(text, &err);
  ASSERT_TRUE(doc) << err << "\n" << text;
  EXPECT_EQ(sy::json::get_string(*doc, "id"), "req_3");
  EXPECT_EQ(sy::json::get_string(*doc, "public_model"), "chat-default");
  EXPECT_EQ(sy::json::get_int(*doc, "input_tokens"), 13);
  EXPECT_EQ(sy::json::get_bool(*doc, "stream"), false);
  EXPECT_EQ(sy::json::get_string(*doc, "error"), "say \"hi\"");
  EXPECT_EQ(sy::json::get_string(*doc, "request_body"), r.request_body);
  EXPECT_TRUE((*doc)["ttft_ms"].IsNull());
  EXPECT_NEAR(*sy::json::get_number(*doc, "cost_usd"), 0.0003, 1e-12);
  ASSERT_TRUE((*doc)["attempts"].IsArray());
  ASSERT_EQ((*doc)["attempts"].Size(), 2u);
  EXPECT_EQ(sy::json::get_string((*doc)["attempts"][0], "provider"), "anthropic");
  EXPECT_EQ(sy::json::get_int((*doc)["attempts"][0], "status"), 529);
  EXPECT_EQ(sy::json::get_string((*doc)["attempts"][1], "target"), "gpt-4o-mini");
}

}  // namespace
}  // namespace sy::store
