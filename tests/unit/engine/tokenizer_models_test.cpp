#include <gtest/gtest.h>

#include "engine/tokenizer.hpp"
#include "tokenizer_test_util.hpp"

namespace sy::engine {
namespace {

std::vector<int32_t> ids_of(const Tokenizer& t, std::string_view text) {
  return t.encode(text, {.add_special_tokens = false}).ids;
}

TEST(TokenizerWordPiece, GreedyLongestMatchWithPrefix) {
  auto t = Tokenizer::from_json(test::wordpiece_json());
  EXPECT_EQ(ids_of(t, "playing"), (std::vector<int32_t>{8, 9}));
  EXPECT_EQ(ids_of(t, "Unable!"), (std::vector<int32_t>{5, 6, 11}));
}

TEST(TokenizerWordPiece, UnmatchableRemainderMakesWholeWordUnknown) {
  auto t = Tokenizer::from_json(test::wordpiece_json());
  // "playx": "play" matches but "##x" is not in the vocab → one [UNK] for the word.
  EXPECT_EQ(ids_of(t, "playx ok"), (std::vector<int32_t>{3, 3}));
  EXPECT_EQ(ids_of(t, "中"), (std::vector<int32_t>{3}));
}

TEST(TokenizerWordPiece, WordLongerThanMaxCharsIsUnknown) {
  auto t = Tokenizer::from_json(test::wordpiece_json());  // max_input_chars_per_word = 10
  EXPECT_EQ(ids_of(t, "playingplay"), (std::vector<int32_t>{3}));
  auto enc = t.encode("xx playingplay", {.add_special_tokens = false});
  ASSERT_EQ(enc.offsets.size(), 2u);
  EXPECT_EQ(enc.offsets[1], (std::pair<uint32_t, uint32_t>{3, 14}));
}

// A byte-level BPE vocabulary small enough to reason about: "Ġ" is the space byte.
std::string bpe_json(const std::string& merges, bool byte_level = true, const std::string& model_extra = "") {
  std::string pre = byte_level ? R"({"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true})"
                               : R"({"type":"WhitespaceSplit"})";
  return R"({"added_tokens":[],"normalizer":null,"pre_tokenizer":)" + pre +
         R"(,"post_processor":null,"model":{"type":"BPE","dropout":null,"unk_token":null)" + model_extra +
         R"(,"vocab":{"l":0,"o":1,"w":2,"e":3,"r":4,"Ġ":5,"lo":6,"low":7,"er":8,"Ġlow":9,"Ġl":10,"lower":11,"n":12,"Ġlo":13},
            "merges":)" + merges + "}}";
}

const char* kMerges = R"(["Ġ l","l o","lo w","e r","Ġl o","Ġlo w"])";

TEST(TokenizerBpe, AppliesMergesByRank) {
  auto t = Tokenizer::from_json(bpe_json(kMerges));
  EXPECT_EQ(ids_of(t, "lower"), (std::vector<int32_t>{7, 8}));  // low + er ("low er" is not a merge)
  // " low": "Ġ l" (rank 0) merges before "l o" (rank 1), leading to Ġlow, not Ġ + low.
  EXPECT_EQ(ids_of(t, "low low"), (std::vector<int32_t>{7, 9}));
}

TEST(TokenizerBpe, LowestRankFirstNotLeftToRight) {
  // "e r" ranks before "l o": both merge, then "lo w"; result does not depend on position.
  auto t = Tokenizer::from_json(bpe_json(R"(["e r","l o","lo w","low er"])"));
  EXPECT_EQ(ids_of(t, "lower"), (std::vector<int32_t>{11}));
}

TEST(TokenizerBpe, MergesAsPairsEqualMergesAsStrings) {
  auto a = Tokenizer::from_json(bpe_json(kMerges));
  auto b = Tokenizer::from_json(bpe_json(R"([["Ġ","l"],["l","o"],["lo","w"],["e","r"],["Ġl","o"],["Ġlo","w"]])"));
  for (const char* text : {"lower", "low low", "lowlower"}) EXPECT_EQ(ids_of(a, text), ids_of(b, text)) << text;
}

TEST(TokenizerBpe, UnknownCharacterIsDroppedWithoutUnkAndFusedWithIt) {
  auto no_unk = Tokenizer::from_json(bpe_json("[]", false));
  EXPECT_EQ(ids_of(no_unk, "lxxo"), (std::vector<int32_t>{0, 1}));
  std::string json = bpe_json("[]", false, R"(,"fuse_unk":true)");
  json.replace(json.find(R"("unk_token":null)"), 16, R"("unk_token":"n")");
  auto fused = Tokenizer::from_json(json);
  EXPECT_EQ(ids_of(fused, "lxxo"), (std::vector<int32_t>{0, 12, 1}));
}

TEST(TokenizerBpe, MergeWithUnknownTokenIsALoadError) {
  EXPECT_THROW(Tokenizer::from_json(bpe_json(R"(["l q"])")), EngineError);
  EXPECT_THROW(Tokenizer::from_json(bpe_json(R"(["l"])")), EngineError);
}

}  // namespace
}  // namespace sy::engine
