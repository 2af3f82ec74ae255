#pragma once
// Post-processors of a tokenizer.json ("post_processor" section): wrap the (truncated) token
// sequences with special tokens and assign type ids. BertProcessing, RobertaProcessing,
// TemplateProcessing and Sequence (ByteLevel inside a Sequence only trims offsets: ignored) are
// supported; null means "concatenate, type ids 0 / 1".
#include <cstdint>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "engine/tokenizer_model.hpp"

namespace sy::engine {

struct TemplatePiece {
  bool is_sequence = false;   // true: the sequence A (seq == 0) or B (seq == 1)
  int seq = 0;
  std::vector<int32_t> ids;   // the special token's ids when !is_sequence
  int32_t type_id = 0;
};

struct PostProcessor {
  bool present = false;
  std::vector<TemplatePiece> single;
  std::vector<TemplatePiece> pair;
  bool zero_pair_type_ids = false;  // Roberta: every type id is 0, even with specials off

  // Number of special tokens added for one sequence or a pair.
  size_t added_tokens(bool is_pair) const;
};

PostProcessor parse_post_processor(const rapidjson::Value& v, const std::string& origin);

}  // namespace sy::engine
