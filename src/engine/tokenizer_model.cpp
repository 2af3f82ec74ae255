#include "engine/tokenizer_model.hpp"

#include "engine/error.hpp"

namespace sy::engine {

Vocab parse_vocab_object(const rapidjson::Value& v, const std::string& origin) {
  if (!v.IsObject()) throw EngineError(origin + ": model.vocab must be an object of token → id");
  Vocab vocab;
  vocab.ids.reserve(v.MemberCount());
  vocab.tokens.reserve(v.MemberCount());
  for (const auto& m : v.GetObject()) {
    if (!m.value.IsInt()) throw EngineError(origin + ": model.vocab entry \"" + std::string(m.name.GetString()) + "\" has a non-integer id");
    vocab.add(std::string(m.name.GetString(), m.name.GetStringLength()), m.value.GetInt());
  }
  return vocab;
}

}  // namespace sy::engine
