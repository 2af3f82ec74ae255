#pragma once
// Normalizers of a tokenizer.json ("normalizer" section). A Sequence is flattened into steps.
// Supported: BertNormalizer, NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, Replace (string or
// regex pattern), Prepend, Strip, Precompiled (SentencePiece charsmap), Sequence. Anything else is a
// load error naming the type.
#include <memory>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "engine/normalizer_precompiled.hpp"
#include "engine/pre_tokenizer.hpp"
#include "engine/unicode.hpp"

namespace sy::engine {

struct NormalizerStep {
  enum class Kind { bert, nfc, nfd, nfkc, nfkd, lowercase, strip_accents, replace, prepend, strip, precompiled };
  Kind kind = Kind::nfc;
  // BertNormalizer
  bool clean_text = true;
  bool handle_chinese_chars = true;
  bool strip_accents = false;  // already resolved: null follows lowercase
  bool lowercase = true;
  // Replace / Prepend
  std::u32string pattern;
  std::u32string content;
  std::shared_ptr<const Regex> regex;  // Replace with a {"Regex": ...} pattern
  // Strip
  bool strip_left = true;
  bool strip_right = true;
  // Precompiled (shared: the tables are large and immutable)
  std::shared_ptr<const PrecompiledCharsmap> charsmap;
};

class Normalizer {
 public:
  std::vector<NormalizerStep> steps;

  bool empty() const { return steps.empty(); }
  // Normalizes `chars` in place; `scratch` is working space reused between calls.
  void apply(Chars& chars, Chars& scratch) const;
  // Convenience for tests and added-token contents.
  std::string apply(std::string_view text) const;
};

// `v` is the JSON value of the "normalizer" member (null → empty normalizer). Throws
// EngineError prefixed with `origin`.
Normalizer parse_normalizer(const rapidjson::Value& v, const std::string& origin);

}  // namespace sy::engine
