#include "engine/tokenizer_added.hpp"

#include <algorithm>

namespace sy::engine {

void AddedVocabulary::add(AddedToken t) {
  if (t.pattern.empty()) return;  // an empty token can never be matched
  tokens_.push_back(std::move(t));
  auto& index = tokens_.back().normalized ? by_len_norm_ : by_len_raw_;
  index.push_back(tokens_.size() - 1);
  std::stable_sort(index.begin(), index.end(),
                   [&](size_t a, size_t b) { return tokens_[a].pattern.size() > tokens_[b].pattern.size(); });
}

void AddedVocabulary::split(const Chars& chars, bool normalized, std::vector<Segment>& out) const {
  out.clear();
  const auto& index = normalized ? by_len_norm_ : by_len_raw_;
  const uint32_t n = static_cast<uint32_t>(chars.size());
  uint32_t text_start = 0;  // start of the pending text segment
  uint32_t i = 0;
  while (i < n) {
    const AddedToken* hit = nullptr;
    for (size_t k : index) {
      const AddedToken& t = tokens_[k];
      const uint32_t len = static_cast<uint32_t>(t.pattern.size());
      if (i + len > n || chars[i].cp != t.pattern[0]) continue;
      bool same = true;
      for (uint32_t j = 1; same && j < len; ++j) same = chars[i + j].cp == t.pattern[j];
      if (!same) continue;
      if (t.single_word) {
        bool left_ok = i == 0 || !unicode::is_word_char(chars[i - 1].cp);
        bool right_ok = i + len == n || !unicode::is_word_char(chars[i + len].cp);
        if (!left_ok || !right_ok) continue;
      }
      hit = &t;
      break;
    }
    if (hit == nullptr) {
      ++i;
      continue;
    }
    uint32_t b = i, e = i + static_cast<uint32_t>(hit->pattern.size());
    if (hit->lstrip)
      while (b > text_start && unicode::is_whitespace(chars[b - 1].cp)) --b;
    if (hit->rstrip)
      while (e < n && unicode::is_whitespace(chars[e].cp)) ++e;
    if (b > text_start) out.push_back({text_start, b});
    out.push_back({b, e, hit->id, hit->special});
    text_start = e;
    i = e;
  }
  if (text_start < n) out.push_back({text_start, n});
}

}  // namespace sy::engine
