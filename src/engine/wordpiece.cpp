#include "engine/wordpiece.hpp"

#include "engine/error.hpp"

namespace sy::engine {

WordPiece::WordPiece(Vocab vocab, std::string unk_token, std::string prefix, size_t max_chars,
                     const std::string& origin)
    : vocab_(std::move(vocab)), unk_id_(-1), prefix_(std::move(prefix)), max_chars_(max_chars) {
  const int32_t* unk = vocab_.find(unk_token);
  if (unk == nullptr) throw EngineError(origin + ": WordPiece unk_token \"" + unk_token + "\" is not in the vocab");
  unk_id_ = *unk;
}

void WordPiece::tokenize(const Char* begin, const Char* end, std::vector<Token>& out) const {
  if (begin == end) return;
  const size_t n = static_cast<size_t>(end - begin);
  if (n > max_chars_) {
    out.push_back({unk_id_, begin->start, (end - 1)->end});
    return;
  }
  // UTF-8 of the word and the byte position of each character boundary.
  thread_local std::string word;
  thread_local std::vector<size_t> pos;
  thread_local std::string candidate;
  word.clear();
  pos.clear();
  for (const Char* c = begin; c != end; ++c) {
    pos.push_back(word.size());
    unicode::append_utf8(word, c->cp);
  }
  pos.push_back(word.size());

  const size_t first_out = out.size();
  size_t start = 0;
  while (start < n) {
    size_t stop = n;
    const int32_t* found = nullptr;
    while (stop > start) {
      std::string_view piece(word.data() + pos[start], pos[stop] - pos[start]);
      if (start > 0) {
        candidate.assign(prefix_);
        candidate.append(piece);
        found = vocab_.find(candidate);
      } else {
        found = vocab_.find(piece);
      }
      if (found != nullptr) break;
      --stop;
    }
    if (found == nullptr) {  // some remainder matches nothing: the whole word is unknown
      out.resize(first_out);
      out.push_back({unk_id_, begin->start, (end - 1)->end});
      return;
    }
    out.push_back({*found, begin[start].start, begin[stop - 1].end});
    start = stop;
  }
}

namespace {
std::string string_member(const rapidjson::Value& v, const char* key, const char* dflt) {
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString()) return dflt;
  return {it->value.GetString(), it->value.GetStringLength()};
}
}  // namespace

std::unique_ptr<Model> parse_wordpiece(const rapidjson::Value& model, const std::string& origin) {
  auto vocab_it = model.FindMember("vocab");
  if (vocab_it == model.MemberEnd()) throw EngineError(origin + ": WordPiece model without a vocab");
  size_t max_chars = 100;
  if (auto it = model.FindMember("max_input_chars_per_word"); it != model.MemberEnd() && it->value.IsUint())
    max_chars = it->value.GetUint();
  return std::make_unique<WordPiece>(parse_vocab_object(vocab_it->value, origin),
                                     string_member(model, "unk_token", "[UNK]"),
                                     string_member(model, "continuing_subword_prefix", "##"), max_chars, origin);
}

}  // namespace sy::engine
