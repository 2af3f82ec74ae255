#pragma once
// The loaded, immutable state behind sy::engine::Tokenizer (shared by all its copies).
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/normalizer.hpp"
#include "engine/post_processor.hpp"
#include "engine/pre_tokenizer.hpp"
#include "engine/tokenizer_added.hpp"
#include "engine/tokenizer_model.hpp"

namespace sy::engine {

struct TokenizerImpl {
  std::string origin;  // file the tokenizer came from (for messages)
  Normalizer normalizer;
  PreTokenizer pre_tokenizer;
  std::unique_ptr<Model> model;
  PostProcessor post;
  AddedVocabulary added;
  std::vector<std::string> added_by_id;  // added token content by id, for ids outside the model vocab
  size_t truncation_max_length = 0;      // tokenizer.json "truncation" (0: none)
  size_t model_max_length = 0;           // tokenizer_config.json (0: unknown or absurd)
  int32_t pad_id = 0;
  bool pad_from_json = false;             // tokenizer.json "padding" named the pad id

  // Tokens of one sequence, before truncation and special tokens. `special` gets 1 for added
  // special tokens found in the text.
  void encode_sequence(std::string_view text, std::vector<Token>& out, std::vector<uint8_t>& special) const;
  size_t default_max_length() const { return truncation_max_length ? truncation_max_length : model_max_length; }
};

// Builds the state from tokenizer.json text; `origin` prefixes every error message.
std::shared_ptr<TokenizerImpl> load_tokenizer_json(std::string_view json, const std::string& origin);

}  // namespace sy::engine
