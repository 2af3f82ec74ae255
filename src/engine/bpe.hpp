#pragma once
// Byte-pair encoding (GPT-2/RoBERTa byte-level, SentencePiece-style with byte fallback).
// Each word starts as one symbol per character; the adjacent pair with the lowest merge rank is
// merged (leftmost first on ties) until no ranked pair remains, which is the order HF applies.
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <rapidjson/document.h>

#include "engine/tokenizer_model.hpp"

namespace sy::engine {

struct BpeOptions {
  std::optional<std::string> unk_token;
  std::string continuing_subword_prefix;
  std::string end_of_word_suffix;
  bool fuse_unk = false;
  bool byte_fallback = false;
  bool ignore_merges = false;
};

class Bpe final : public Model {
 public:
  // merges: pairs of token strings, in rank order.
  Bpe(Vocab vocab, const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions opts,
      const std::string& origin);
  void tokenize(const Char* begin, const Char* end, std::vector<Token>& out) const override;
  const Vocab& vocab() const override { return vocab_; }

 private:
  struct Merge {
    int32_t rank;
    int32_t id;
  };
  static uint64_t key(int32_t a, int32_t b) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
  }
  void initial_symbols(const Char* begin, const Char* end, std::vector<Token>& syms) const;

  Vocab vocab_;
  std::unordered_map<uint64_t, Merge> merges_;
  BpeOptions opts_;
  std::optional<int32_t> unk_id_;
  std::array<int32_t, 256> byte_ids_{};  // <0xXX> tokens for byte fallback (-1 when absent)
};

std::unique_ptr<Model> parse_bpe(const rapidjson::Value& model, const std::string& origin);

}  // namespace sy::engine
