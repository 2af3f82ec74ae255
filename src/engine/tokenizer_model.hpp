#pragma once
// What the tokenizer models (WordPiece, BPE) share: the vocabulary, the token they produce and
// the interface the pipeline calls once per pre-tokenized word.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <rapidjson/document.h>

#include "engine/unicode.hpp"

namespace sy::engine {

// Heterogeneous hashing so look-ups by string_view do not build a std::string.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

struct Vocab {
  std::unordered_map<std::string, int32_t, StringHash, std::equal_to<>> ids;
  std::vector<std::string> tokens;  // by id ("" for holes)

  const int32_t* find(std::string_view token) const {
    auto it = ids.find(token);
    return it == ids.end() ? nullptr : &it->second;
  }
  void add(std::string token, int32_t id) {
    if (id < 0) return;
    if (tokens.size() <= static_cast<size_t>(id)) tokens.resize(static_cast<size_t>(id) + 1);
    tokens[static_cast<size_t>(id)] = token;
    ids.insert_or_assign(std::move(token), id);
  }
};

struct Token {
  int32_t id;
  uint32_t start;  // byte range in the sequence's input text
  uint32_t end;
};

class Model {
 public:
  virtual ~Model() = default;
  // Appends the tokens of one word (a run of normalized, pre-tokenized characters).
  virtual void tokenize(const Char* begin, const Char* end, std::vector<Token>& out) const = 0;
  virtual const Vocab& vocab() const = 0;
};

// Reads a {"token": id, ...} object (the "vocab" of a WordPiece or BPE model).
Vocab parse_vocab_object(const rapidjson::Value& v, const std::string& origin);

}  // namespace sy::engine
