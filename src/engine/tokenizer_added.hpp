#pragma once
// Added tokens ("added_tokens" of tokenizer.json: [CLS], <s>, <mask>, user additions). They are
// cut out of the text before the model sees it: tokens with normalized=false are matched on the
// raw text, the others on the normalized text, leftmost-longest, honouring single_word (no
// word character on either side), lstrip/rstrip (absorb neighbouring whitespace).
#include <cstdint>
#include <string>
#include <vector>

#include "engine/unicode.hpp"

namespace sy::engine {

struct AddedToken {
  std::string content;
  std::u32string pattern;  // what is matched: content, or content normalized for normalized tokens
  int32_t id = 0;
  bool special = false;
  bool lstrip = false;
  bool rstrip = false;
  bool single_word = false;
  bool normalized = false;
};

// A piece of a character run: either text (token < 0) or an added token's id.
struct Segment {
  uint32_t begin;  // index range into the Chars that were split
  uint32_t end;
  int32_t token = -1;
  bool special = false;
};

class AddedVocabulary {
 public:
  void add(AddedToken t);
  const std::vector<AddedToken>& tokens() const { return tokens_; }
  // Splits chars[0,n) into text and token segments. `normalized` picks which tokens take
  // part: those matched on normalized text (true) or on raw text (false).
  void split(const Chars& chars, bool normalized, std::vector<Segment>& out) const;
  bool has(bool normalized) const { return normalized ? !by_len_norm_.empty() : !by_len_raw_.empty(); }

 private:
  std::vector<AddedToken> tokens_;
  std::vector<size_t> by_len_raw_;   // indices into tokens_, longest pattern first
  std::vector<size_t> by_len_norm_;
};

}  // namespace sy::engine
