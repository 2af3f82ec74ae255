#include "engine/unigram.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "engine/error.hpp"

namespace sy::engine {
namespace {

// HF's (and SentencePiece's) penalty below the worst piece for an unknown character.
constexpr double kUnkPenalty = 10.0;

size_t utf8_len(uint8_t lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

}  // namespace

Unigram::Unigram(const std::vector<std::pair<std::string, double>>& pieces, UnigramOptions opts,
                 const std::string& origin)
    : opts_(opts) {
  if (pieces.empty()) throw EngineError(origin + ": Unigram model with an empty vocab");
  if (opts_.unk_id && (*opts_.unk_id < 0 || static_cast<size_t>(*opts_.unk_id) >= pieces.size()))
    throw EngineError(origin + ": Unigram unk_id " + std::to_string(*opts_.unk_id) + " is outside the vocab");
  trie_.emplace_back();
  scores_.reserve(pieces.size());
  vocab_.ids.reserve(pieces.size());
  vocab_.tokens.reserve(pieces.size());
  double min_score = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < pieces.size(); ++i) {
    const auto& [piece, score] = pieces[i];
    vocab_.add(piece, static_cast<int32_t>(i));
    scores_.push_back(score);
    min_score = std::min(min_score, score);
  }
  // The trie points at the id the vocab keeps for a duplicated piece (the last), as HF does.
  for (const auto& [piece, id] : vocab_.ids) insert(piece, id);
  unk_score_ = min_score - kUnkPenalty;
  if (opts_.byte_fallback) {
    byte_ids_.assign(256, -1);
    for (int b = 0; b < 256; ++b) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      if (const int32_t* id = vocab_.find(name)) byte_ids_[static_cast<size_t>(b)] = *id;
    }
  }
}

void Unigram::insert(std::string_view piece, int32_t id) {
  if (piece.empty()) return;
  uint32_t n = 0;
  for (char ch : piece) {
    auto b = static_cast<uint8_t>(ch);
    auto& kids = trie_[n].kids;
    auto it = std::lower_bound(kids.begin(), kids.end(), b, [](const auto& e, uint8_t v) { return e.first < v; });
    if (it != kids.end() && it->first == b) {
      n = it->second;
    } else {
      auto next = static_cast<uint32_t>(trie_.size());
      kids.insert(it, {b, next});
      trie_.emplace_back();  // invalidates `kids`; not used again below
      n = next;
    }
  }
  trie_[n].id = id;
}

template <class F>
void Unigram::prefixes(std::string_view s, F&& f) const {
  uint32_t n = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    auto b = static_cast<uint8_t>(s[i]);
    const auto& kids = trie_[n].kids;
    auto it = std::lower_bound(kids.begin(), kids.end(), b, [](const auto& e, uint8_t v) { return e.first < v; });
    if (it == kids.end() || it->first != b) return;
    n = it->second;
    if (trie_[n].id >= 0) f(i + 1, trie_[n].id);
  }
}

void Unigram::segment(std::string_view text, std::vector<Piece>& out) const {
  const size_t size = text.size();
  if (size == 0) return;
  struct Best {
    double score = 0;
    int64_t from = -1;  // start of the best piece ending here (-1: not reached yet)
    int32_t id = -1;    // -1 with from >= 0: an unknown character
    bool unk = false;
  };
  thread_local std::vector<Best> best;
  best.assign(size + 1, Best{});
  best[0].from = 0;
  const int32_t unk_id = opts_.unk_id.value_or(-1);
  auto offer = [&](size_t from, size_t to, double score, int32_t id, bool unk) {
    double cand = best[from].score + score;
    Best& b = best[to];
    if (b.from < 0 || cand > b.score) b = {cand, static_cast<int64_t>(from), id, unk};
  };
  for (size_t at = 0; at < size;) {
    size_t mblen = std::min(utf8_len(static_cast<uint8_t>(text[at])), size - at);
    bool single = false;
    prefixes(text.substr(at), [&](size_t len, int32_t id) {
      // A piece matched verbatim is "unknown" for fusing when it is the unk piece itself.
      offer(at, at + len, scores_[static_cast<size_t>(id)], id, id == unk_id);
      single = single || len == mblen;
    });
    if (!single) offer(at, at + mblen, unk_score_, unk_id, true);
    at += mblen;
  }
  // Walk back from the end; runs of unknown nodes become one range when fusing.
  thread_local std::vector<Piece> rev;
  rev.clear();
  size_t end = size;
  while (end > 0) {
    const Best& b = best[end];
    auto from = static_cast<size_t>(b.from);
    if (opts_.fuse_unk && b.unk && !rev.empty() && rev.back().id == -2 && rev.back().start == end) {
      rev.back().start = static_cast<uint32_t>(from);
    } else {
      rev.push_back({static_cast<uint32_t>(from), static_cast<uint32_t>(end), b.unk && opts_.fuse_unk ? -2 : b.id});
    }
    end = from;
  }
  for (auto it = rev.rbegin(); it != rev.rend(); ++it) resolve(text, it->start, it->end, out);
}

// HF looks every resulting piece up by its text: a fused unknown run that spells a piece gets
// that piece, otherwise byte fallback or unk.
void Unigram::resolve(std::string_view text, uint32_t start, uint32_t end, std::vector<Piece>& out) const {
  std::string_view s = text.substr(start, end - start);
  if (const int32_t* id = vocab_.find(s)) {
    out.push_back({start, end, *id});
    return;
  }
  if (opts_.byte_fallback) {
    bool all = true;
    for (char ch : s) all = all && byte_ids_[static_cast<uint8_t>(ch)] >= 0;
    if (all) {
      for (char ch : s) out.push_back({start, end, byte_ids_[static_cast<uint8_t>(ch)]});
      return;
    }
  }
  out.push_back({start, end, opts_.unk_id.value_or(-1)});
}

void Unigram::tokenize(const Char* begin, const Char* end, std::vector<Token>& out) const {
  if (begin == end) return;
  thread_local std::string text;
  thread_local std::vector<uint32_t> char_of_byte;  // byte offset in `text` → index of its char
  thread_local std::vector<Piece> pieces;
  text.clear();
  char_of_byte.clear();
  pieces.clear();
  for (const Char* c = begin; c != end; ++c) {
    unicode::append_utf8(text, c->cp);
    char_of_byte.resize(text.size(), static_cast<uint32_t>(c - begin));
  }
  segment(text, pieces);
  for (const Piece& p : pieces) {
    if (p.id < 0) continue;
    const Char& first = begin[char_of_byte[p.start]];
    const Char& last = begin[char_of_byte[p.end - 1]];
    out.push_back({p.id, first.start, last.end});
  }
}

std::unique_ptr<Model> parse_unigram(const rapidjson::Value& model, const std::string& origin) {
  auto vocab_it = model.FindMember("vocab");
  if (vocab_it == model.MemberEnd() || !vocab_it->value.IsArray())
    throw EngineError(origin + ": Unigram model.vocab must be an array of [piece, score]");
  std::vector<std::pair<std::string, double>> pieces;
  pieces.reserve(vocab_it->value.Size());
  for (const auto& e : vocab_it->value.GetArray()) {
    if (!e.IsArray() || e.Size() != 2 || !e[0].IsString() || !e[1].IsNumber())
      throw EngineError(origin + ": Unigram vocab entry " + std::to_string(pieces.size()) + " is not [piece, score]");
    pieces.emplace_back(std::string(e[0].GetString(), e[0].GetStringLength()), e[1].GetDouble());
  }
  UnigramOptions opts;
  if (auto u = model.FindMember("unk_id"); u != model.MemberEnd() && !u->value.IsNull()) {
    if (!u->value.IsInt()) throw EngineError(origin + ": Unigram unk_id must be an integer or null");
    opts.unk_id = u->value.GetInt();
  }
  if (auto b = model.FindMember("byte_fallback"); b != model.MemberEnd() && b->value.IsBool())
    opts.byte_fallback = b->value.GetBool();
  if (auto f = model.FindMember("fuse_unk"); f != model.MemberEnd() && f->value.IsBool())
    opts.fuse_unk = f->value.GetBool();
  return std::make_unique<Unigram>(pieces, opts, origin);
}

}  // namespace sy::engine
