#pragma once
// SentencePiece Unigram model (XLM-RoBERTa, T5, ALBERT...): each word is cut into the pieces
// whose log-probability scores sum highest (Viterbi over a byte trie of the pieces), as the HF
// `tokenizers` crate does:
//  * a character no piece starts with becomes an unknown node scored min_score - 10;
//  * consecutive unknown nodes are fused into one token when fuse_unk (always on in HF);
//  * a resulting piece not in the vocab (an unknown run) becomes its <0xXX> byte tokens when
//    byte_fallback and every byte token exists, else unk_id. Without unk_id unknown runs are
//    dropped (HF reports an error there; the engine has no per-word error channel).
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "engine/tokenizer_model.hpp"

namespace sy::engine {

struct UnigramOptions {
  std::optional<int32_t> unk_id;
  bool byte_fallback = false;
  bool fuse_unk = true;
};

class Unigram final : public Model {
 public:
  // pieces[i] = (piece, score) for id i.
  Unigram(const std::vector<std::pair<std::string, double>>& pieces, UnigramOptions opts, const std::string& origin);
  void tokenize(const Char* begin, const Char* end, std::vector<Token>& out) const override;
  const Vocab& vocab() const override { return vocab_; }

  // Segmentation of a UTF-8 string as byte ranges [start, end) with their ids (-1: dropped
  // unknown run). Exposed for tests; tokenize() maps the ranges back to input offsets.
  struct Piece {
    uint32_t start;
    uint32_t end;
    int32_t id;
  };
  void segment(std::string_view text, std::vector<Piece>& out) const;
  double unk_score() const { return unk_score_; }

 private:
  // Byte trie of the pieces; children sorted by byte.
  struct Node {
    int32_t id = -1;
    std::vector<std::pair<uint8_t, uint32_t>> kids;
  };
  void insert(std::string_view piece, int32_t id);
  // Calls f(length, id) for every piece that is a prefix of `s`, shortest first.
  template <class F>
  void prefixes(std::string_view s, F&& f) const;
  void resolve(std::string_view text, uint32_t start, uint32_t end, std::vector<Piece>& out) const;

  Vocab vocab_;
  std::vector<double> scores_;
  std::vector<Node> trie_;
  UnigramOptions opts_;
  double unk_score_ = 0;
  std::vector<int32_t> byte_ids_;  // <0xXX> ids for byte fallback (-1 when absent)
};

std::unique_ptr<Model> parse_unigram(const rapidjson::Value& model, const std::string& origin);

}  // namespace sy::engine
