#pragma once
// SentencePiece's precompiled normalization rules (tokenizer.json "Precompiled" normalizer,
// "precompiled_charsmap": base64). The blob is: uint32 little-endian size of the trie in bytes,
// the trie as a Darts(-clone) double array of uint32 units, then NUL-terminated replacement
// strings; a trie value is the offset of the replacement for the key (a UTF-8 sequence).
//
// Matching: at each character, the longest key that is a prefix of the remaining text is
// replaced (SentencePiece's own rule); otherwise the character is kept. HF `tokenizers` instead
// cuts the text into extended grapheme clusters first, tries the first (shortest) key prefix of
// a cluster shorter than 6 bytes (replacing the whole cluster), and otherwise goes character by
// character. The two agree whenever no key spans a cluster boundary and no cluster has two
// matching prefixes, which holds for the nmt_nfkc tables T5 / XLM-RoBERTa ship on our corpus.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/unicode.hpp"

namespace sy::engine {

class PrecompiledCharsmap {
 public:
  // `blob` is the decoded charsmap; throws EngineError (prefixed with origin) when malformed.
  // An empty blob is the identity.
  PrecompiledCharsmap(std::string_view blob, const std::string& origin);

  // Length in bytes of the longest key that prefixes `s` (0: none) and its replacement.
  size_t longest_match(std::string_view s, std::string_view& replacement) const;
  // Normalizes `chars` into `out` (cleared first); replacement characters carry the input
  // range of the characters they replace.
  void apply(const Chars& chars, Chars& out) const;

 private:
  std::vector<uint32_t> units_;
  std::string strings_;
};

// Standard base64 (padding optional); throws EngineError on a bad character.
std::string base64_decode(std::string_view in, const std::string& origin);

}  // namespace sy::engine
