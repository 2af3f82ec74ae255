#include "upstream/sse_parser.hpp"

#include <gtest/gtest.h>

namespace sy::upstream {
namespace {

std::vector<SseEvent> parse_all(std::string_view text) {
  SseParser p;
  std::vector<SseEvent> out;
  p.feed(text, out);
  return out;
}

TEST(SseParser, SingleEvent) {
  auto ev = parse_all("data: hello\n\n");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data, "hello");
  EXPECT_EQ(ev[0].event, "");
}

TEST(SseParser, EventTypeAndId) {
  auto ev = parse_all("event: message_start\nid: 7\ndata: {\"a\":1}\n\n");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].event, "message_start");
  EXPECT_EQ(ev[0].id, "7");
  EXPECT_EQ(ev[0].data, "{\"a\":1}");
}

TEST(SseParser, EventTypeResetsAfterDispatchButIdPersists) {
  auto ev = parse_all("event: a\nid: 1\ndata: x\n\ndata: y\n\n");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[1].event, "");
  EXPECT_EQ(ev[1].id, "1");
}

TEST(SseParser, MultiLineDataJoinedWithNewline) {
  auto ev = parse_all("data: one\ndata: two\ndata:three\n\n");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data, "one\ntwo\nthree");
}

TEST(SseParser, OnlyOneLeadingSpaceDropped) {
  auto ev = parse_all("data:  two spaces\n\n");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data, " two spaces");
}

TEST(SseParser, EmptyDataLineStillDispatches) {
  auto ev = parse_all("data\n\ndata:\n\n");
  ASSERT_EQ(ev.size(), 2u);
  EXPECT_EQ(ev[0].data, "");
  EXPECT_EQ(ev[1].data, "");
}

TEST(SseParser, CommentsIgnored) {
  auto ev = parse_all(": ping\n\n:another\ndata: x\n: mid\n\n");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data, "x");
}

TEST(SseParser, EventWithoutDataNotDispatched) {
  auto ev = parse_all("event: ping\n\nretry: 10\n\nfoo: bar\n\n");
  EXPECT_TRUE(ev.empty());
}

TEST(SseParser, UnknownFieldsIgnored) {
  auto ev = parse_all("foo: bar\ndata: x\nretry: 100\n\n");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data, "x");
}

TEST(SseParser, ColonInValueKept) {
  auto ev = parse_all("data: a: b: c\n\n");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].data, "a: b: c");
}

TEST(SseParser, AllLineEndings) {
  for (std::string_view text : {"data: a\r\ndata: b\r\n\r\n", "data: a\rdata: b\r\r",
                                "data: a\ndata: b\r\n\r", "data: a\r\ndata: b\n\n"}) {
    auto ev = parse_all(text);
    ASSERT_EQ(ev.size(), 1u) << text;
    EXPECT_EQ(ev[0].data, "a\nb") << text;
  }
}

TEST(SseParser, CrLfSplitAcrossChunksIsOneLineEnd) {
  SseParser p;
  std::vector<SseEvent> out;
  p.feed("data: a\r", out);
  p.feed("\ndata: b\r", out);
  p.feed("\n\r", out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data, "a\nb");
  p.feed("\n", out);  // belongs to the \r above: no extra blank line, no extra event
  p.feed("data: c\n\n", out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].data, "c");
}

TEST(SseParser, TwoCarriageReturnsAreTwoLineEnds) {
  SseParser p;
  std::vector<SseEvent> out;
  p.feed("data: a\r", out);
  p.feed("\r", out);
  ASSERT_EQ(out.size(), 1u);
}

// Every way of cutting the stream in two (and byte-by-byte) gives the same events.
TEST(SseParser, SplitAtEveryOffset) {
  const std::string text =
      ": hi\r\nevent: delta\r\ndata: {\"x\": 1}\r\ndata: two\r\n\r\n"
      "id: 5\ndata: plain\n\nevent: e\rdata: cr\r\rdata: last\n\n";
  auto whole = parse_all(text);
  ASSERT_EQ(whole.size(), 4u);
  EXPECT_EQ(whole[0].data, "{\"x\": 1}\ntwo");
  EXPECT_EQ(whole[0].event, "delta");
  EXPECT_EQ(whole[2].event, "e");
  EXPECT_EQ(whole[2].data, "cr");
  EXPECT_EQ(whole[3].id, "5");
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    SseParser p;
    std::vector<SseEvent> out;
    p.feed(std::string_view(text).substr(0, cut), out);
    p.feed(std::string_view(text).substr(cut), out);
    ASSERT_EQ(out.size(), whole.size()) << "cut at " << cut;
    for (size_t i = 0; i < out.size(); ++i) {
      EXPECT_EQ(out[i].data, whole[i].data) << "cut at " << cut;
      EXPECT_EQ(out[i].event, whole[i].event) << "cut at " << cut;
      EXPECT_EQ(out[i].id, whole[i].id) << "cut at " << cut;
    }
    EXPECT_FALSE(p.has_partial());
  }
  SseParser p;
  std::vector<SseEvent> out;
  for (char c : text) p.feed(std::string_view(&c, 1), out);
  EXPECT_EQ(out.size(), whole.size());
}

TEST(SseParser, PartialEventReported) {
  SseParser p;
  std::vector<SseEvent> out;
  EXPECT_FALSE(p.has_partial());
  p.feed("data: complete\n\ndata: trunc", out);
  EXPECT_EQ(out.size(), 1u);
  EXPECT_TRUE(p.has_partial());
  EXPECT_EQ(p.buffered(), std::string("data: trunc").size());
  p.feed("ated\n", out);  // line done but no blank line yet
  EXPECT_TRUE(p.has_partial());
  EXPECT_EQ(p.buffered(), 0u);
  p.feed("\n", out);
  EXPECT_FALSE(p.has_partial());
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1].data, "truncated");
}

TEST(SseParser, EmptyChunksAreHarmless) {
  SseParser p;
  std::vector<SseEvent> out;
  p.feed("", out);
  p.feed("data: x\r", out);
  p.feed("", out);
  p.feed("\n\n", out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].data, "x");
}

}  // namespace
}  // namespace sy::upstream
