// SentencePiece Unigram model and the Precompiled (charsmap) normalizer.
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/error.hpp"
#include "engine/normalizer.hpp"
#include "engine/normalizer_precompiled.hpp"
#include "engine/tokenizer.hpp"
#include "engine/unigram.hpp"

namespace sy::engine {
namespace {

using Ids = std::vector<int32_t>;
using Pieces = std::vector<std::pair<std::string, double>>;

// id: 0 <unk>, 1 a, 2 b, 3 c, 4 ab, 5 bc, 6 abc, 7 ▁, 8 ▁a
Pieces tiny_vocab() {
  return {{"<unk>", 0.0}, {"a", -1.0}, {"b", -1.0}, {"c", -2.0}, {"ab", -1.5},
          {"bc", -1.0},   {"abc", -5.0}, {"\u2581", -3.0}, {"\u2581a", -2.5}};
}

Normalizer parse_normalizer_for_test(const char* json) {
  rapidjson::Document d;
  d.Parse(json);
  return parse_normalizer(d, "test.json");
}

Ids segment_ids(const Unigram& u, std::string_view text) {
  std::vector<Unigram::Piece> pieces;
  u.segment(text, pieces);
  Ids ids;
  for (const auto& p : pieces) ids.push_back(p.id);
  return ids;
}

TEST(UnigramViterbi, PicksTheHighestScoringSegmentation) {
  Unigram u(tiny_vocab(), {.unk_id = 0}, "test");
  // abc: a+bc = -2 beats ab+c = -3.5, a+b+c = -4, abc = -5.
  EXPECT_EQ(segment_ids(u, "abc"), (Ids{1, 5}));
  // ab = -1.5 beats a+b = -2.
  EXPECT_EQ(segment_ids(u, "ab"), (Ids{4}));
  // ▁a = -2.5 beats ▁+a = -4.
  EXPECT_EQ(segment_ids(u, "\u2581ab"), (Ids{8, 2}));
  EXPECT_TRUE(segment_ids(u, "").empty());
}

TEST(UnigramViterbi, UnknownCharactersScoreBelowTheWorstPieceAndFuse) {
  Unigram u(tiny_vocab(), {.unk_id = 0}, "test");
  EXPECT_DOUBLE_EQ(u.unk_score(), -15.0);  // min score -5 minus 10
  std::vector<Unigram::Piece> pieces;
  u.segment("axy\u00e9b", pieces);  // x, y, é unknown: fused into one unk spanning bytes 1..5
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[0].id, 1);
  EXPECT_EQ(pieces[1].id, 0);
  EXPECT_EQ(pieces[1].start, 1u);
  EXPECT_EQ(pieces[1].end, 5u);
  EXPECT_EQ(pieces[2].id, 2);

  Unigram nofuse(tiny_vocab(), {.unk_id = 0, .fuse_unk = false}, "test");
  EXPECT_EQ(segment_ids(nofuse, "axyb"), (Ids{1, 0, 0, 2}));
}

TEST(UnigramViterbi, ByteFallbackReplacesUnknownRuns) {
  Pieces v = tiny_vocab();
  v.push_back({"<0x78>", 0.0});  // 9
  v.push_back({"<0x79>", 0.0});  // 10
  Unigram u(v, {.unk_id = 0, .byte_fallback = true}, "test");
  EXPECT_EQ(segment_ids(u, "axyb"), (Ids{1, 9, 10, 2}));
  EXPECT_EQ(segment_ids(u, "az"), (Ids{1, 0}));  // no <0x7A>: unk
}

TEST(UnigramViterbi, NoUnkIdDropsUnknownCharacters) {
  Pieces v = tiny_vocab();
  Unigram u(v, {}, "test");
  EXPECT_EQ(segment_ids(u, "axb"), (Ids{1, -1, 2}));
}

TEST(UnigramTokenizer, LoadsFromJsonWithMetaspace) {
  auto t = Tokenizer::from_json(R"({"version":"1.0","added_tokens":[],"normalizer":null,
    "pre_tokenizer":{"type":"Metaspace","replacement":"\u2581","prepend_scheme":"always","split":true},
    "post_processor":null,
    "model":{"type":"Unigram","unk_id":0,"byte_fallback":false,"vocab":[["<unk>",0.0],["a",-1.0],["b",-1.0],
      ["c",-2.0],["ab",-1.5],["bc",-1.0],["abc",-5.0],["\u2581",-3.0],["\u2581a",-2.5]]}})");
  auto e = t.encode("abc aq", {.add_special_tokens = false});
  // "▁abc" → ▁a bc ; "▁aq" → ▁a <unk>
  EXPECT_EQ(e.ids, (Ids{8, 5, 8, 0}));
  ASSERT_EQ(e.offsets.size(), 4u);
  EXPECT_EQ(e.offsets[1], (std::pair<uint32_t, uint32_t>{1, 3}));
  EXPECT_EQ(e.offsets[3], (std::pair<uint32_t, uint32_t>{5, 6}));
}

TEST(UnigramTokenizer, RejectsBadVocab) {
  EXPECT_THROW(Tokenizer::from_json(R"({"model":{"type":"Unigram","unk_id":5,"vocab":[["a",-1.0]]}})"), EngineError);
  EXPECT_THROW(Tokenizer::from_json(R"({"model":{"type":"Unigram","vocab":[["a"]]}})"), EngineError);
}

// Builds a Darts-clone double array for `keys` (key → offset into the strings blob) the simple
// way: each node's children sit at base ^ label, the leaf value at base ^ 0. Bases are unique,
// which is what makes a label check at base ^ label prove the parent.
std::string build_charsmap(const std::map<std::string, std::string>& rules) {
  struct Node {
    std::map<uint8_t, int> kids;
    int value = -1;
  };
  std::vector<Node> nodes(1);
  std::string strings;
  for (const auto& [key, repl] : rules) {
    int n = 0;
    for (char ch : key) {
      auto b = static_cast<uint8_t>(ch);
      if (!nodes[static_cast<size_t>(n)].kids.count(b)) {
        nodes[static_cast<size_t>(n)].kids[b] = static_cast<int>(nodes.size());
        nodes.emplace_back();
      }
      n = nodes[static_cast<size_t>(n)].kids[b];
    }
    nodes[static_cast<size_t>(n)].value = static_cast<int>(strings.size());
    strings += repl;
    strings.push_back('\0');
  }
  std::vector<uint32_t> units(1, 0);
  std::vector<bool> used(1, true);
  std::set<uint32_t> bases;
  auto is_free = [&](uint32_t p) { return p >= used.size() || !used[p]; };
  auto take = [&](uint32_t p, uint32_t unit) {
    if (p >= units.size()) {
      units.resize(p + 1, 0);
      used.resize(p + 1, false);
    }
    units[p] = unit;
    used[p] = true;
  };
  // Breadth-first: place each node's children, then write its offset into its own unit.
  std::vector<std::pair<int, uint32_t>> queue{{0, 0}};  // node, position
  for (size_t qi = 0; qi < queue.size(); ++qi) {
    auto [n, pos] = queue[qi];
    const Node& node = nodes[static_cast<size_t>(n)];
    uint32_t base = 1;
    for (;; ++base) {
      if (bases.count(base) || (node.value >= 0 && !is_free(base))) continue;
      bool ok = (base ^ pos) < (1u << 21);
      for (const auto& [label, kid] : node.kids) ok = ok && is_free(base ^ label);
      if (ok) break;
    }
    bases.insert(base);
    uint32_t leaf = node.value >= 0 ? (1u << 8) : 0;
    units[pos] = (units[pos] & 0xFFu) | leaf | ((base ^ pos) << 10);
    if (node.value >= 0) take(base, static_cast<uint32_t>(node.value) | 0x80000000u);
    for (const auto& [label, kid] : node.kids) {
      take(base ^ label, label);
      queue.push_back({kid, base ^ label});
    }
  }
  std::string blob(4, '\0');
  uint32_t bytes = static_cast<uint32_t>(units.size() * 4);
  for (int i = 0; i < 4; ++i) blob[static_cast<size_t>(i)] = static_cast<char>((bytes >> (8 * i)) & 0xFF);
  for (uint32_t u : units)
    for (int i = 0; i < 4; ++i) blob.push_back(static_cast<char>((u >> (8 * i)) & 0xFF));
  return blob + strings;
}

std::string normalize(const PrecompiledCharsmap& cm, std::string_view text, Chars* keep = nullptr) {
  Chars in, out;
  unicode::decode(text, 0, in);
  cm.apply(in, out);
  if (keep) *keep = out;
  return unicode::to_utf8(out.data(), out.data() + out.size());
}

TEST(UnigramPrecompiled, LongestMatchReplacesAndKeepsOffsets) {
  PrecompiledCharsmap cm(build_charsmap({{"A", "a"}, {"AB", "x"}, {"\ufb01", "fi"}, {"\x7f", ""}, {"e\u0301", "\u00e9"}}), "test");
  std::string_view r;
  EXPECT_EQ(cm.longest_match("ABC", r), 2u);
  EXPECT_EQ(r, "x");
  EXPECT_EQ(cm.longest_match("AC", r), 1u);
  EXPECT_EQ(r, "a");
  EXPECT_EQ(cm.longest_match("C", r), 0u);

  Chars out;
  EXPECT_EQ(normalize(cm, "ABA\ufb01\x7fze\u0301", &out), "xafiz\u00e9");
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[0].start, 0u);  // x ← "AB"
  EXPECT_EQ(out[0].end, 2u);
  EXPECT_EQ(out[2].start, 3u);  // f, i ← "ﬁ" (3 bytes)
  EXPECT_EQ(out[3].end, 6u);
  EXPECT_EQ(out[4].start, 7u);  // z after the removed DEL
  EXPECT_EQ(out[5].end, 11u);   // é ← e + U+0301
  EXPECT_EQ(normalize(cm, "plain"), "plain");
  EXPECT_EQ(normalize(PrecompiledCharsmap("", "test"), "A\ufb01"), "A\ufb01");  // empty map: identity
}

TEST(UnigramPrecompiled, RejectsMalformedBlobs) {
  EXPECT_THROW(PrecompiledCharsmap("\x01\x02", "test"), EngineError);
  EXPECT_THROW(PrecompiledCharsmap(std::string("\x40\0\0\0abcd", 8), "test"), EngineError);
  EXPECT_THROW(base64_decode("ab$c", "test"), EngineError);
  EXPECT_EQ(base64_decode("aGVsbG8=", "test"), "hello");
}

TEST(UnigramTokenizer, XlmRobertaStyleNormalizerCollapsesSpaceRuns) {
  // SentencePiece conversions pair the charsmap with Replace(Regex(" {2,}"), " ").
  auto n = parse_normalizer_for_test(R"({"type":"Sequence","normalizers":[
      {"type":"Precompiled","precompiled_charsmap":null},
      {"type":"Replace","pattern":{"Regex":" {2,}"},"content":" "}]})");
  Chars chars, scratch;
  unicode::decode("a   b c  d", 0, chars);
  n.apply(chars, scratch);
  EXPECT_EQ(unicode::to_utf8(chars.data(), chars.data() + chars.size()), "a b c d");
  ASSERT_EQ(chars.size(), 7u);
  EXPECT_EQ(chars[1].start, 1u);  // the space stands for the run of three
  EXPECT_EQ(chars[1].end, 4u);
  EXPECT_EQ(chars[2].start, 4u);
}

TEST(UnigramFixtures, T5Small) {
  std::string dir = std::string(SY_FIXTURES_DIR) + "/hf/google-t5--t5-small";
  if (!std::filesystem::exists(dir + "/tokenizer.json")) GTEST_SKIP() << "fixture missing: " << dir;
  auto t = Tokenizer::from_dir(dir);
  EXPECT_EQ(t.encode("Hello world").ids, (Ids{8774, 296, 1}));
  // nmt_nfkc: ﬁ → fi, ① → 1, full-width letters → ASCII; the same ids as the plain text.
  EXPECT_EQ(t.encode("\uff28ello world").ids, t.encode("Hello world").ids);
  EXPECT_EQ(t.encode("\ufb01ne").ids, t.encode("fine").ids);
  EXPECT_EQ(t.pad_id(), 0);
}

}  // namespace
}  // namespace sy::engine
