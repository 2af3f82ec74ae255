#pragma once
// Text → token ids for the in-process encoder models (BERT/MiniLM/BGE, RoBERTa, XLM-R,
// DistilBERT), loaded from a Hugging Face `tokenizers` serialization (tokenizer.json).
//
// Pipeline (same order as HF): added/special tokens are split out of the raw text first, then
// each remaining span is normalized, pre-tokenized and run through the model (WordPiece or BPE),
// the result is truncated and the post-processor adds [CLS]/[SEP] (or <s></s>) and type ids.
//
// A Tokenizer is immutable after loading and holds its state through a shared_ptr: copies are
// cheap and concurrent encode() calls from many threads are safe.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/error.hpp"

namespace sy::engine {

struct Encoding {
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;        // token_type_ids (segment), 0/1
  std::vector<uint8_t> attention_mask;  // 1 real, 0 padding
  std::vector<uint8_t> special_mask;    // 1 for added special tokens
  std::vector<std::pair<uint32_t, uint32_t>> offsets;  // byte offsets into the input ([0,0] for specials)

  size_t size() const { return ids.size(); }
};

enum class TruncationStrategy { longest_first, only_first, only_second };

struct EncodeOptions {
  bool add_special_tokens = true;
  // 0: the tokenizer's own limit (tokenizer.json truncation.max_length, else model_max_length).
  size_t max_length = 0;
  bool truncate = true;
  TruncationStrategy strategy = TruncationStrategy::longest_first;
};

struct TokenizerImpl;  // defined in engine/tokenizer_impl.hpp

class Tokenizer {
 public:
  // Throws EngineError naming the file and the problem.
  static Tokenizer from_file(const std::string& tokenizer_json);
  // <dir>/tokenizer.json plus, when present, tokenizer_config.json (model_max_length) and
  // special_tokens_map.json (pad token when tokenizer.json names none).
  static Tokenizer from_dir(const std::string& model_dir);
  // Parses a tokenizer.json document held in memory; `origin` names it in errors.
  static Tokenizer from_json(std::string_view json, const std::string& origin = "<memory>");

  // Throws EngineError only if truncation cannot satisfy max_length (e.g. only_second on a
  // second sequence that is too short), as HF does.
  Encoding encode(std::string_view text, const EncodeOptions& = {}) const;
  Encoding encode_pair(std::string_view a, std::string_view b, const EncodeOptions& = {}) const;

  // Pads a batch to its longest member (right padding with pad id, mask 0, type id 0).
  // pad_to_multiple_of > 0 rounds that length up to a multiple.
  static void pad_batch(std::vector<Encoding>& batch, int32_t pad_id, size_t pad_to_multiple_of = 0);

  int32_t pad_id() const;
  // The effective default max length (0 = no limit).
  size_t model_max_length() const;
  // Model vocabulary plus added tokens not in it.
  size_t vocab_size() const;
  std::optional<int32_t> token_to_id(std::string_view) const;
  std::string id_to_token(int32_t) const;  // "" for an unknown id

  // Number of special tokens the post-processor adds (single or pair).
  size_t num_special_tokens(bool pair) const;

  explicit Tokenizer(std::shared_ptr<const TokenizerImpl> impl);

 private:
  std::shared_ptr<const TokenizerImpl> impl_;
};

}  // namespace sy::engine
