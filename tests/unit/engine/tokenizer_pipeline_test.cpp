#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "engine/tokenizer.hpp"
#include "tokenizer_test_util.hpp"

namespace sy::engine {
namespace {

using Ids = std::vector<int32_t>;

TEST(TokenizerTemplate, SingleAndPairWithTypeIds) {
  auto t = Tokenizer::from_json(test::wordpiece_json());
  auto one = t.encode("a b");
  EXPECT_EQ(one.ids, (Ids{1, 20, 21, 2}));
  EXPECT_EQ(one.type_ids, (Ids{0, 0, 0, 0}));
  EXPECT_EQ(one.offsets[1], (std::pair<uint32_t, uint32_t>{0, 1}));
  EXPECT_EQ(one.offsets[2], (std::pair<uint32_t, uint32_t>{2, 3}));
  EXPECT_EQ(t.encode("").ids, (Ids{1, 2}));
  EXPECT_EQ(t.num_special_tokens(false), 2u);
}

TEST(TokenizerTemplate, PairGetsSegmentIdsAndSpecialMask) {
  auto t = Tokenizer::from_json(test::wordpiece_json());
  auto e = t.encode_pair("a b", "c");
  EXPECT_EQ(e.ids, (Ids{1, 20, 21, 2, 22, 2}));
  EXPECT_EQ(e.type_ids, (Ids{0, 0, 0, 0, 1, 1}));
  EXPECT_EQ(e.special_mask, (std::vector<uint8_t>{1, 0, 0, 1, 0, 1}));
  EXPECT_EQ(e.attention_mask, (std::vector<uint8_t>(6, 1)));
  EXPECT_EQ(t.num_special_tokens(true), 3u);
  auto plain = t.encode_pair("a", "b", {.add_special_tokens = false});
  EXPECT_EQ(plain.ids, (Ids{20, 21}));
  EXPECT_EQ(plain.type_ids, (Ids{0, 1}));
}

TEST(TokenizerTemplate, RobertaProcessingDoublesSeparatorAndUsesTypeZero) {
  auto t = Tokenizer::from_json(test::wordpiece_json(
      "", R"({"type":"RobertaProcessing","sep":["[SEP]",2],"cls":["[CLS]",1],"trim_offsets":true,"add_prefix_space":false})"));
  auto e = t.encode_pair("a", "b");
  EXPECT_EQ(e.ids, (Ids{1, 20, 2, 2, 21, 2}));
  EXPECT_EQ(e.type_ids, (Ids{0, 0, 0, 0, 0, 0}));
}

// Pair lengths after longest_first truncation to 7 content tokens, as in the Rust crate's table.
TEST(TokenizerTruncation, LongestFirstPairsMatchHf) {
  auto t = Tokenizer::from_json(test::wordpiece_json());
  auto words = [](size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += "a ";
    return s;
  };
  struct Case { size_t a, b, want_a, want_b; };
  for (Case c : {Case{0, 8, 0, 7}, Case{2, 8, 2, 5}, Case{4, 4, 3, 4}, Case{4, 8, 3, 4}, Case{8, 2, 5, 2},
                 Case{8, 4, 4, 3}, Case{8, 8, 3, 4}, Case{2, 4, 2, 4}}) {
    auto e = t.encode_pair(words(c.a), words(c.b), {.max_length = 7 + 3});
    size_t na = 0, nb = 0;
    for (size_t i = 0; i < e.ids.size(); ++i)
      if (!e.special_mask[i]) (e.type_ids[i] == 0 ? na : nb)++;
    EXPECT_EQ(na, c.want_a) << c.a << "+" << c.b;
    EXPECT_EQ(nb, c.want_b) << c.a << "+" << c.b;
    EXPECT_LE(e.ids.size(), 10u);
  }
}

TEST(TokenizerTruncation, OnlyFirstOnlySecondAndErrors) {
  auto t = Tokenizer::from_json(test::wordpiece_json());
  auto e = t.encode_pair("a a a a", "b b", {.max_length = 7, .strategy = TruncationStrategy::only_first});
  EXPECT_EQ(e.ids, (Ids{1, 20, 20, 2, 21, 21, 2}));
  e = t.encode_pair("a a", "b b b b", {.max_length = 7, .strategy = TruncationStrategy::only_second});
  EXPECT_EQ(e.ids, (Ids{1, 20, 20, 2, 21, 21, 2}));
  EXPECT_THROW(t.encode_pair("a", "b b b b", {.max_length = 5, .strategy = TruncationStrategy::only_first}), EngineError);
  EXPECT_THROW(t.encode("a a a", {.max_length = 3, .strategy = TruncationStrategy::only_second}), EngineError);
  auto single = t.encode("a b c d e", {.max_length = 4});
  EXPECT_EQ(single.ids, (Ids{1, 20, 21, 2}));
  auto untouched = t.encode("a b c d e", {.max_length = 4, .truncate = false});
  EXPECT_EQ(untouched.ids.size(), 7u);
}

TEST(TokenizerAddedTokens, SpecialTokensInTextAreMatchedBeforeNormalization) {
  auto t = Tokenizer::from_json(test::wordpiece_json());
  EXPECT_EQ(t.encode("a [SEP] b", {.add_special_tokens = false}).ids, (Ids{20, 2, 21}));
  EXPECT_EQ(t.encode("a[MASK]b", {.add_special_tokens = false}).ids, (Ids{20, 4, 21}));
  // The lowercase normalizer must not make "[sep]" special: it is punctuation and letters.
  EXPECT_EQ(t.encode("[sep]", {.add_special_tokens = false}).ids, (Ids{3, 3, 3}));
}

TEST(TokenizerAddedTokens, LstripAbsorbsWhitespaceOnTheLeftSingleWordNeedsBoundaries) {
  std::string extra = R"(,{"id":40,"content":"<mask>","single_word":false,"lstrip":true,"rstrip":false,"normalized":false,"special":true},
      {"id":41,"content":"zz","single_word":true,"lstrip":false,"rstrip":false,"normalized":false,"special":false})";
  // Whitespace is dropped by the pre-tokenizer anyway, so check the match and offsets.
  auto t = Tokenizer::from_json(test::wordpiece_json(extra));
  auto e = t.encode("a   <mask> b", {.add_special_tokens = false});
  EXPECT_EQ(e.ids, (Ids{20, 40, 21}));
  EXPECT_EQ(e.offsets[1], (std::pair<uint32_t, uint32_t>{1, 10}));  // the three spaces belong to <mask>
  EXPECT_EQ(e.special_mask, (std::vector<uint8_t>{0, 1, 0}));
  EXPECT_EQ(t.encode("a zz b", {.add_special_tokens = false}).ids, (Ids{20, 41, 21}));
  EXPECT_EQ(t.encode("azz", {.add_special_tokens = false}).ids, (Ids{3}));  // not a single word
  EXPECT_EQ(t.token_to_id("<mask>"), 40);
  EXPECT_EQ(t.id_to_token(40), "<mask>");
}

TEST(TokenizerPadding, PadsToLongestAndMultiple) {
  auto t = Tokenizer::from_json(test::wordpiece_json());
  std::vector<Encoding> batch{t.encode("a"), t.encode("a b c")};
  Tokenizer::pad_batch(batch, t.pad_id(), 4);
  for (const auto& e : batch) EXPECT_EQ(e.ids.size(), 8u);
  EXPECT_EQ(batch[0].ids, (Ids{1, 20, 2, 0, 0, 0, 0, 0}));
  EXPECT_EQ(batch[0].attention_mask, (std::vector<uint8_t>{1, 1, 1, 0, 0, 0, 0, 0}));
  EXPECT_EQ(batch[1].attention_mask, (std::vector<uint8_t>{1, 1, 1, 1, 1, 0, 0, 0}));
  EXPECT_EQ(t.pad_id(), 0);
}

TEST(TokenizerLoad, ErrorsNameTheFile) {
  auto dir = std::filesystem::temp_directory_path() / ("sy_tok_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto bad = (dir / "tokenizer.json").string();
  std::ofstream(bad) << "{\"model\": {";
  try {
    Tokenizer::from_file(bad);
    FAIL() << "expected EngineError";
  } catch (const EngineError& e) {
    EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("invalid JSON"), std::string::npos) << e.what();
  }
  try {
    Tokenizer::from_file((dir / "missing.json").string());
    FAIL() << "expected EngineError";
  } catch (const EngineError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.json"), std::string::npos) << e.what();
  }
  std::ofstream(bad) << R"({"model":{"type":"Unigram","vocab":[]}})";
  try {
    Tokenizer::from_dir(dir.string());
    FAIL() << "expected EngineError";
  } catch (const EngineError& e) {
    EXPECT_NE(std::string(e.what()).find("Unigram"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("tokenizer.json"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

TEST(TokenizerConcurrency, ConcurrentEncodesAgree) {
  auto t = Tokenizer::from_json(test::wordpiece_json());
  auto want = t.encode_pair("unable playing, a b c!", "plays");
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, copy = t] {
      for (int k = 0; k < 200; ++k)
        if (copy.encode_pair("unable playing, a b c!", "plays").ids != want.ids) ++bad;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad.load(), 0);
}

// Real tokenizer files (shared fixtures): spot checks; the full comparison with the reference
// implementation is the CTest engine_tokenizer_reference.
std::string fixture(const char* name) { return std::string(SY_FIXTURES_DIR) + "/hf/" + name; }

TEST(TokenizerFixtures, MiniLmUncased) {
  auto dir = fixture("sentence-transformers--all-MiniLM-L6-v2");
  if (!std::filesystem::exists(dir + "/tokenizer.json")) GTEST_SKIP() << "fixture missing: " << dir;
  auto t = Tokenizer::from_dir(dir);
  EXPECT_EQ(t.encode("Hello, world!").ids, (Ids{101, 7592, 1010, 2088, 999, 102}));
  EXPECT_EQ(t.model_max_length(), 128u);  // tokenizer.json truncation section
  EXPECT_EQ(t.vocab_size(), 30522u);
  EXPECT_EQ(t.pad_id(), 0);
  std::string long_text;
  for (int i = 0; i < 300; ++i) long_text += "word ";
  EXPECT_EQ(t.encode(long_text).ids.size(), 128u);
}

TEST(TokenizerFixtures, RobertaBase) {
  auto dir = fixture("FacebookAI--roberta-base");
  if (!std::filesystem::exists(dir + "/tokenizer.json")) GTEST_SKIP() << "fixture missing: " << dir;
  auto t = Tokenizer::from_dir(dir);
  EXPECT_EQ(t.encode("Hello, world!").ids, (Ids{0, 31414, 6, 232, 328, 2}));
  EXPECT_EQ(t.model_max_length(), 512u);
  EXPECT_EQ(t.pad_id(), 1);
  auto e = t.encode_pair("a", "b");
  EXPECT_EQ(e.ids.size(), 6u);
  EXPECT_EQ(e.type_ids, (Ids(6, 0)));
}

}  // namespace
}  // namespace sy::engine
