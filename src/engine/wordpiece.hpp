#pragma once
// WordPiece (BERT): greedy longest-match-first over each word; pieces after the first carry the
// continuing-subword prefix ("##"). A word with an unmatchable remainder, or longer than
// max_input_chars_per_word characters, becomes a single unknown token.
#include <memory>
#include <string>

#include <rapidjson/document.h>

#include "engine/tokenizer_model.hpp"

namespace sy::engine {

class WordPiece final : public Model {
 public:
  WordPiece(Vocab vocab, std::string unk_token, std::string prefix, size_t max_chars, const std::string& origin);
  void tokenize(const Char* begin, const Char* end, std::vector<Token>& out) const override;
  const Vocab& vocab() const override { return vocab_; }

 private:
  Vocab vocab_;
  int32_t unk_id_;
  std::string prefix_;
  size_t max_chars_;
};

// `model` is the tokenizer.json "model" object.
std::unique_ptr<Model> parse_wordpiece(const rapidjson::Value& model, const std::string& origin);

}  // namespace sy::engine
