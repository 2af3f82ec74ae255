#include <gtest/gtest.h>

#include <rapidjson/document.h>

#include "engine/error.hpp"
#include "engine/normalizer.hpp"

namespace sy::engine {
namespace {

Normalizer parse(const char* json) {
  rapidjson::Document d;
  d.Parse(json);
  return parse_normalizer(d, "test.json");
}

TEST(TokenizerNormalizer, BertUncasedLowercasesAndStripsAccents) {
  auto n = parse(R"({"type":"BertNormalizer","clean_text":true,"handle_chinese_chars":true,"strip_accents":null,"lowercase":true})");
  EXPECT_EQ(n.apply("Ãccénts ÀÉÎÕÜ"), "accents aeiou");
  EXPECT_EQ(n.apply("e\u0301"), "e");
}

TEST(TokenizerNormalizer, BertStripAccentsFalseKeepsAccentsWhileLowercasing) {
  auto n = parse(R"({"type":"BertNormalizer","strip_accents":false,"lowercase":true})");
  EXPECT_EQ(n.apply("CAFÉ"), "café");
}

TEST(TokenizerNormalizer, BertCasedKeepsCaseAndAccents) {
  auto n = parse(R"({"type":"BertNormalizer","strip_accents":null,"lowercase":false})");
  EXPECT_EQ(n.apply("Café"), "Café");
}

TEST(TokenizerNormalizer, BertCleanTextDropsControlsAndMapsWhitespaceToSpace) {
  auto n = parse(R"({"type":"BertNormalizer","lowercase":false})");
  EXPECT_EQ(n.apply("a\tb\nc\x01" "d\u00a0e\u3000f"), "a b cd e f");
  EXPECT_EQ(n.apply(std::string("x\0y", 3)), "xy");
  EXPECT_EQ(n.apply("soft\u00adhyphen\u200b"), "softhyphen");  // Cf characters
}

TEST(TokenizerNormalizer, BertIsolatesCjkIdeographsIncludingAstralOnes) {
  auto n = parse(R"({"type":"BertNormalizer","lowercase":false})");
  EXPECT_EQ(n.apply("ab中文"), "ab 中  文 ");
  EXPECT_EQ(n.apply("𠀀"), " 𠀀 ");
  EXPECT_EQ(n.apply("한국"), "한국");  // Hangul is not in the ideograph blocks
}

TEST(TokenizerNormalizer, LowercaseIsPerCharacter) {
  auto n = parse(R"({"type":"Lowercase"})");
  EXPECT_EQ(n.apply("ΣΊΣΥΦΟΣ"), "σίσυφοσ");  // no final-sigma rule, like Rust's char::to_lowercase
  EXPECT_EQ(n.apply("İ"), "i\u0307");
}

TEST(TokenizerNormalizer, UnicodeForms) {
  EXPECT_EQ(parse(R"({"type":"NFC"})").apply("e\u0301"), "\u00e9");
  EXPECT_EQ(parse(R"({"type":"NFD"})").apply("\u00e9"), "e\u0301");
  EXPECT_EQ(parse(R"({"type":"NFKC"})").apply("ﬁ ①"), "fi 1");
  EXPECT_EQ(parse(R"({"type":"NFKD"})").apply("ﬁ"), "fi");
}

TEST(TokenizerNormalizer, SequenceReplacePrependStrip) {
  auto n = parse(R"({"type":"Sequence","normalizers":[
      {"type":"Strip","strip_left":true,"strip_right":true},
      {"type":"Prepend","prepend":"▁"},
      {"type":"Replace","pattern":{"String":" "},"content":"▁"}]})");
  EXPECT_EQ(n.apply("  hello world "), "▁hello▁world");
  EXPECT_EQ(n.apply(""), "");
}

TEST(TokenizerNormalizer, KeepsOriginalByteOffsets) {
  auto n = parse(R"({"type":"BertNormalizer","lowercase":true})");
  Chars chars, scratch;
  unicode::decode("Éa", 0, chars);  // É is 2 bytes
  n.apply(chars, scratch);
  ASSERT_EQ(chars.size(), 2u);
  EXPECT_EQ(chars[0].cp, U'e');
  EXPECT_EQ(chars[0].start, 0u);
  EXPECT_EQ(chars[0].end, 2u);
  EXPECT_EQ(chars[1].start, 2u);
}

TEST(TokenizerNormalizer, UnknownTypeNamesTheFileAndType) {
  try {
    parse(R"({"type":"Nmt"})");
    FAIL() << "expected EngineError";
  } catch (const EngineError& e) {
    EXPECT_NE(std::string(e.what()).find("test.json"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("Nmt"), std::string::npos);
  }
}

}  // namespace
}  // namespace sy::engine
