#pragma once
// Pre-tokenizers of a tokenizer.json ("pre_tokenizer" section): cut normalized text into words
// the model tokenizes one by one. A Sequence is flattened into steps applied in order.
// Supported: BertPreTokenizer, ByteLevel (GPT-2 regex through PCRE2, add_prefix_space),
// Whitespace, WhitespaceSplit, Metaspace, Split (string or regex pattern, all five behaviours,
// invert), Punctuation, Digits (Rust char::is_numeric: every N* character), Sequence.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <rapidjson/document.h>

#include "engine/unicode.hpp"

namespace sy::engine {

class Regex;  // PCRE2 pattern, shared and immutable (engine/pre_tokenizer.cpp)

// Normalized text of one section plus the word boundaries found so far ([begin,end) indices
// into chars).
struct PreTokenized {
  Chars chars;
  std::vector<std::pair<uint32_t, uint32_t>> words;
};

enum class SplitBehavior { removed, isolated, merged_with_previous, merged_with_next, contiguous };

struct PreTokenizerStep {
  enum class Kind { bert, byte_level, whitespace, whitespace_split, metaspace, split, punctuation, digits };
  Kind kind = Kind::bert;
  bool add_prefix_space = false;  // ByteLevel
  bool use_regex = true;          // ByteLevel
  char32_t replacement = 0x2581;  // Metaspace
  enum class Prepend { always, first, never } prepend = Prepend::always;
  bool split = true;               // Metaspace
  SplitBehavior behavior = SplitBehavior::isolated;  // Split, Punctuation
  bool invert = false;             // Split
  bool individual_digits = false;  // Digits
  std::shared_ptr<const Regex> regex;  // Split, ByteLevel
};

class PreTokenizer {
 public:
  std::vector<PreTokenizerStep> steps;

  // Splits one section (text between added tokens; its words start as one word covering all
  // of it, or none when it is empty). `scratch` is working space reused between calls.
  void apply(PreTokenized& pt, PreTokenized& scratch) const;
  // Whether the ByteLevel alphabet is in use (the model then sees byte-mapped characters).
  bool byte_level() const;
};

PreTokenizer parse_pre_tokenizer(const rapidjson::Value& v, const std::string& origin);

// The PCRE2 wrapper, for the normalizer's Replace with a regex pattern: compile (throws
// EngineError prefixed with origin) and list the byte ranges of successive non-overlapping,
// non-empty matches.
std::shared_ptr<const Regex> compile_regex(const std::string& pattern, bool literal, const std::string& origin);
void regex_find_all(const Regex& re, const std::string& s, std::vector<std::pair<size_t, size_t>>& out);

// GPT-2's byte → printable character table (bytes that are printable map to themselves).
char32_t byte_to_char(uint8_t b);

}  // namespace sy::engine
