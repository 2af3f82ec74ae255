// json::parse: the length-bounded path (string_view) and the NUL-terminated one (std::string,
// SIMD string scanning in release builds) must accept and reject the same texts alike.
#include "common/json.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace sy::json {
namespace {

// Both paths, same answer; returns the parsed string member "s" (or "" on failure).
std::string both(const std::string& text, bool expect_ok) {
  std::string e1, e2;
  auto a = parse(std::string_view(text), &e1);
  auto b = parse(text, &e2);
  EXPECT_EQ(a.has_value(), expect_ok) << text;
  EXPECT_EQ(b.has_value(), expect_ok) << text;
  EXPECT_EQ(e1, e2);
  if (!a || !b || !a->IsObject() || !b->IsObject()) return {};
  auto sa = find(*a, "s");
  auto sb = find(*b, "s");
  if (!sa || !sb || !sa->IsString() || !sb->IsString()) return {};
  EXPECT_EQ(view(*sa), view(*sb));
  return std::string(view(*sb));
}

TEST(JsonParse, LongStringsWithEscapesAtEveryOffset) {
  // Escapes and quotes land at every position of a 16-byte block, and strings start at every
  // alignment, so the vectorized scan's block edges are all exercised.
  for (size_t pad = 0; pad < 17; ++pad) {
    for (size_t at = 0; at < 40; ++at) {
      std::string content(64, 'x');
      content.insert(at, "\\\"\\n\\u00e9");
      const std::string text = std::string(pad, ' ') + R"({"s":")" + content + R"("})";
      std::string expected(64, 'x');
      expected.insert(at, "\"\n\xc3\xa9");
      EXPECT_EQ(both(text, true), expected) << "pad " << pad << " at " << at;
    }
  }
}

TEST(JsonParse, ControlCharacterInStringRejectedAtAnyOffset) {
  for (size_t at = 0; at < 40; ++at) {
    std::string content(48, 'y');
    content[at] = '\x01';
    both(R"({"s":")" + content + R"("})", false);
  }
}

TEST(JsonParse, NulByteDoesNotHideTrailingGarbage) {
  const std::string text = std::string(R"({"s":"a"})") + '\0' + "garbage";
  std::string err;
  EXPECT_FALSE(parse(text, &err));
  EXPECT_NE(err.find("offset 9"), std::string::npos) << err;
  EXPECT_FALSE(parse(std::string_view(text)));
  both(std::string(R"({"s":"a)") + '\0' + R"("})", false);
}

TEST(JsonParse, TrailingDataAndEmptyTextRejected) {
  both(R"({"s":"a"} {"s":"b"})", false);
  both("", false);
  EXPECT_FALSE(parse(std::string_view()));   // null data: no memchr on it (UBSan)
  both("   ", false);
  EXPECT_EQ(both("  {\"s\" : \"ok\"}  \n", true), "ok");
}

}  // namespace
}  // namespace sy::json
