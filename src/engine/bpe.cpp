#include "engine/bpe.hpp"

#include <cstdio>
#include <limits>

#include "engine/error.hpp"

namespace sy::engine {

Bpe::Bpe(Vocab vocab, const std::vector<std::pair<std::string, std::string>>& merges, BpeOptions opts,
         const std::string& origin)
    : vocab_(std::move(vocab)), opts_(std::move(opts)) {
  if (opts_.unk_token) {
    const int32_t* unk = vocab_.find(*opts_.unk_token);
    if (unk == nullptr) throw EngineError(origin + ": BPE unk_token \"" + *opts_.unk_token + "\" is not in the vocab");
    unk_id_ = *unk;
  }
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    const int32_t* id = vocab_.find(name);
    byte_ids_[static_cast<size_t>(b)] = id ? *id : -1;
  }
  merges_.reserve(merges.size());
  const size_t plen = opts_.continuing_subword_prefix.size();
  std::string merged;
  for (size_t rank = 0; rank < merges.size(); ++rank) {
    const auto& [a, b] = merges[rank];
    const int32_t* ia = vocab_.find(a);
    const int32_t* ib = vocab_.find(b);
    if (ia == nullptr || ib == nullptr)
      throw EngineError(origin + ": merge " + std::to_string(rank) + " (\"" + a + "\" \"" + b + "\") uses a token not in the vocab");
    // The right part loses its continuation prefix when glued on.
    merged = a;
    if (plen > 0 && b.compare(0, plen, opts_.continuing_subword_prefix) == 0) merged.append(b, plen);
    else merged.append(b);
    const int32_t* im = vocab_.find(merged);
    if (im == nullptr)
      throw EngineError(origin + ": merge " + std::to_string(rank) + " result \"" + merged + "\" is not in the vocab");
    merges_.try_emplace(key(*ia, *ib), Merge{static_cast<int32_t>(rank), *im});
  }
}

void Bpe::initial_symbols(const Char* begin, const Char* end, std::vector<Token>& syms) const {
  thread_local std::string piece;
  for (const Char* c = begin; c != end; ++c) {
    piece.clear();
    if (c != begin) piece.append(opts_.continuing_subword_prefix);
    unicode::append_utf8(piece, c->cp);
    if (c + 1 == end) piece.append(opts_.end_of_word_suffix);
    if (const int32_t* id = vocab_.find(piece)) {
      syms.push_back({*id, c->start, c->end});
      continue;
    }
    if (opts_.byte_fallback) {
      std::string bytes;
      unicode::append_utf8(bytes, c->cp);
      bool all = true;
      for (char ch : bytes) all = all && byte_ids_[static_cast<uint8_t>(ch)] >= 0;
      if (all) {
        for (char ch : bytes) syms.push_back({byte_ids_[static_cast<uint8_t>(ch)], c->start, c->end});
        continue;
      }
    }
    if (unk_id_) {
      if (opts_.fuse_unk && !syms.empty() && syms.back().id == *unk_id_) syms.back().end = c->end;
      else syms.push_back({*unk_id_, c->start, c->end});
    }
    // Without an unk token an unknown character is dropped, as HF does.
  }
}

void Bpe::tokenize(const Char* begin, const Char* end, std::vector<Token>& out) const {
  if (begin == end) return;
  if (opts_.ignore_merges) {
    std::string whole = unicode::to_utf8(begin, end);
    if (const int32_t* id = vocab_.find(whole)) {
      out.push_back({*id, begin->start, (end - 1)->end});
      return;
    }
  }
  thread_local std::vector<Token> syms;
  syms.clear();
  initial_symbols(begin, end, syms);
  // Greedy: merge the lowest-ranked adjacent pair (leftmost on ties) until none is ranked.
  // Quadratic in the word length, which stays small after pre-tokenization.
  while (syms.size() > 1) {
    int32_t best_rank = std::numeric_limits<int32_t>::max();
    size_t best = 0;
    int32_t best_id = -1;
    for (size_t i = 0; i + 1 < syms.size(); ++i) {
      auto it = merges_.find(key(syms[i].id, syms[i + 1].id));
      if (it != merges_.end() && it->second.rank < best_rank) {
        best_rank = it->second.rank;
        best = i;
        best_id = it->second.id;
      }
    }
    if (best_id < 0) break;
    syms[best].id = best_id;
    syms[best].end = syms[best + 1].end;
    syms.erase(syms.begin() + static_cast<std::ptrdiff_t>(best) + 1);
  }
  out.insert(out.end(), syms.begin(), syms.end());
}

namespace {

std::string string_member(const rapidjson::Value& v, const char* key) {
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString()) return "";
  return {it->value.GetString(), it->value.GetStringLength()};
}

bool flag(const rapidjson::Value& v, const char* key) {
  auto it = v.FindMember(key);
  return it != v.MemberEnd() && it->value.IsBool() && it->value.GetBool();
}

}  // namespace

std::unique_ptr<Model> parse_bpe(const rapidjson::Value& model, const std::string& origin) {
  auto vocab_it = model.FindMember("vocab");
  if (vocab_it == model.MemberEnd()) throw EngineError(origin + ": BPE model without a vocab");
  auto merges_it = model.FindMember("merges");
  if (merges_it == model.MemberEnd() || !merges_it->value.IsArray())
    throw EngineError(origin + ": BPE model without a merges array");
  if (auto d = model.FindMember("dropout"); d != model.MemberEnd() && d->value.IsNumber() && d->value.GetDouble() > 0)
    throw EngineError(origin + ": BPE dropout is not supported (inference needs determinism)");

  std::vector<std::pair<std::string, std::string>> merges;
  merges.reserve(merges_it->value.Size());
  for (const auto& m : merges_it->value.GetArray()) {
    if (m.IsString()) {  // "a b" (tokenizers < 0.20 layout)
      std::string_view s(m.GetString(), m.GetStringLength());
      size_t sp = s.find(' ');
      if (sp == std::string_view::npos)
        throw EngineError(origin + ": malformed merge \"" + std::string(s) + "\" (expected \"a b\")");
      // Vocabularies with space-containing tokens (SentencePiece conversions) make "a b"
      // ambiguous; take the first split whose two halves are both tokens.
      for (size_t at = sp; s.find(' ', sp + 1) != std::string_view::npos && at != std::string_view::npos;
           at = s.find(' ', at + 1)) {
        if (at > 0 && at + 1 < s.size() && vocab_it->value.HasMember(std::string(s.substr(0, at)).c_str()) &&
            vocab_it->value.HasMember(std::string(s.substr(at + 1)).c_str())) {
          sp = at;
          break;
        }
      }
      merges.emplace_back(std::string(s.substr(0, sp)), std::string(s.substr(sp + 1)));
    } else if (m.IsArray() && m.Size() == 2 && m[0].IsString() && m[1].IsString()) {  // ["a", "b"]
      merges.emplace_back(std::string(m[0].GetString(), m[0].GetStringLength()),
                          std::string(m[1].GetString(), m[1].GetStringLength()));
    } else {
      throw EngineError(origin + ": malformed merge entry (expected \"a b\" or [\"a\", \"b\"])");
    }
  }
  BpeOptions opts;
  if (auto u = model.FindMember("unk_token"); u != model.MemberEnd() && u->value.IsString())
    opts.unk_token = std::string(u->value.GetString(), u->value.GetStringLength());
  opts.continuing_subword_prefix = string_member(model, "continuing_subword_prefix");
  opts.end_of_word_suffix = string_member(model, "end_of_word_suffix");
  opts.fuse_unk = flag(model, "fuse_unk");
  opts.byte_fallback = flag(model, "byte_fallback");
  opts.ignore_merges = flag(model, "ignore_merges");
  return std::make_unique<Bpe>(parse_vocab_object(vocab_it->value, origin), merges, std::move(opts), origin);
}

}  // namespace sy::engine
