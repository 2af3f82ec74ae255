#include "engine/tokenizer.hpp"

#include <algorithm>

#include "engine/tokenizer_impl.hpp"

namespace sy::engine {

void TokenizerImpl::encode_sequence(std::string_view text, std::vector<Token>& out,
                                    std::vector<uint8_t>& special) const {
  out.clear();
  special.clear();
  if (text.size() > UINT32_MAX) throw EngineError(origin + ": input longer than 4 GiB");
  Chars raw;
  unicode::decode(text, 0, raw);

  std::vector<Segment> raw_segments, norm_segments;
  Chars norm, scratch;
  PreTokenized pt, pt_scratch;
  auto push_token = [&](int32_t id, uint32_t start, uint32_t end, bool is_special) {
    out.push_back({id, start, end});
    special.push_back(is_special ? 1 : 0);
  };
  auto run_model = [&](const Chars& chars, uint32_t b, uint32_t e) {
    pt.chars.assign(chars.begin() + b, chars.begin() + e);
    pt.words.clear();
    if (e > b) pt.words.push_back({0, e - b});
    pre_tokenizer.apply(pt, pt_scratch);
    for (const auto& [wb, we] : pt.words) {
      size_t before = out.size();
      model->tokenize(pt.chars.data() + wb, pt.chars.data() + we, out);
      special.resize(special.size() + (out.size() - before), 0);
    }
  };

  added.split(raw, false, raw_segments);
  for (const Segment& s : raw_segments) {
    if (s.token >= 0) {
      push_token(s.token, raw[s.begin].start, raw[s.end - 1].end, s.special);
      continue;
    }
    norm.assign(raw.begin() + s.begin, raw.begin() + s.end);
    normalizer.apply(norm, scratch);
    if (!added.has(true)) {
      run_model(norm, 0, static_cast<uint32_t>(norm.size()));
      continue;
    }
    added.split(norm, true, norm_segments);
    for (const Segment& t : norm_segments) {
      if (t.token >= 0) push_token(t.token, norm[t.begin].start, norm[t.end - 1].end, t.special);
      else run_model(norm, t.begin, t.end);
    }
  }
}

namespace {

// HF's truncation of a sequence (and its pair) to `max_length` tokens in total.
void truncate(std::vector<Token>& a, std::vector<uint8_t>& sa, std::vector<Token>* b, std::vector<uint8_t>* sb,
              size_t max_length, TruncationStrategy strategy, const std::string& origin) {
  size_t total = a.size() + (b ? b->size() : 0);
  if (total <= max_length) return;
  size_t to_remove = total - max_length;
  auto cut = [](std::vector<Token>& t, std::vector<uint8_t>& s, size_t n) {
    if (t.size() > n) {
      t.resize(n);
      s.resize(n);
    }
  };
  if (strategy == TruncationStrategy::longest_first) {
    if (b == nullptr) {
      cut(a, sa, max_length);
      return;
    }
    // Keep the shorter one whole if it fits in its half, else split the budget evenly (the
    // second gets the odd token when it is the longer or they are equal).
    size_t n1 = a.size(), n2 = b->size();
    bool swap = n1 > n2;
    if (swap) std::swap(n1, n2);
    n2 = n1 > max_length ? n1 : std::max(n1, max_length - n1);
    if (n1 + n2 > max_length) {
      n1 = max_length / 2;
      n2 = n1 + max_length % 2;
    }
    if (swap) std::swap(n1, n2);
    cut(a, sa, n1);
    cut(*b, *sb, n2);
    return;
  }
  if (strategy == TruncationStrategy::only_second && b == nullptr)
    throw EngineError(origin + ": truncation only_second needs a second sequence");
  auto& target = strategy == TruncationStrategy::only_first ? a : *b;
  auto& target_special = strategy == TruncationStrategy::only_first ? sa : *sb;
  if (target.size() <= to_remove)
    throw EngineError(origin + ": sequence to truncate is too short to respect max_length " + std::to_string(max_length));
  cut(target, target_special, target.size() - to_remove);
}

Encoding assemble(const TokenizerImpl& impl, const std::vector<Token>& a, const std::vector<uint8_t>& sa,
                  const std::vector<Token>* b, const std::vector<uint8_t>* sb, bool add_special) {
  Encoding enc;
  size_t n = a.size() + (b ? b->size() : 0) + (add_special ? impl.post.added_tokens(b != nullptr) : 0);
  enc.ids.reserve(n);
  enc.type_ids.reserve(n);
  enc.special_mask.reserve(n);
  enc.offsets.reserve(n);
  auto put_seq = [&](const std::vector<Token>& t, const std::vector<uint8_t>& s, int32_t type_id) {
    for (size_t i = 0; i < t.size(); ++i) {
      enc.ids.push_back(t[i].id);
      enc.type_ids.push_back(type_id);
      enc.special_mask.push_back(s[i]);
      enc.offsets.emplace_back(t[i].start, t[i].end);
    }
  };
  if (!impl.post.present) {
    put_seq(a, sa, 0);
    if (b) put_seq(*b, *sb, 1);
  } else {
    for (const auto& piece : b ? impl.post.pair : impl.post.single) {
      int32_t type_id = impl.post.zero_pair_type_ids ? 0 : piece.type_id;
      if (piece.is_sequence) {
        if (piece.seq == 0) put_seq(a, sa, type_id);
        else if (b) put_seq(*b, *sb, type_id);
      } else if (add_special) {
        for (int32_t id : piece.ids) {
          enc.ids.push_back(id);
          enc.type_ids.push_back(type_id);
          enc.special_mask.push_back(1);
          enc.offsets.emplace_back(0, 0);
        }
      }
    }
  }
  enc.attention_mask.assign(enc.ids.size(), 1);
  return enc;
}

Encoding encode_impl(const TokenizerImpl& impl, std::string_view a, const std::string_view* b,
                     const EncodeOptions& opt) {
  std::vector<Token> ta, tb;
  std::vector<uint8_t> sa, sb;
  impl.encode_sequence(a, ta, sa);
  if (b) impl.encode_sequence(*b, tb, sb);
  size_t max_length = opt.max_length ? opt.max_length : impl.default_max_length();
  if (opt.truncate && max_length > 0) {
    size_t added = opt.add_special_tokens ? impl.post.added_tokens(b != nullptr) : 0;
    size_t budget = max_length > added ? max_length - added : 0;
    truncate(ta, sa, b ? &tb : nullptr, b ? &sb : nullptr, budget, opt.strategy, impl.origin);
  }
  return assemble(impl, ta, sa, b ? &tb : nullptr, b ? &sb : nullptr, opt.add_special_tokens);
}

}  // namespace

Tokenizer::Tokenizer(std::shared_ptr<const TokenizerImpl> impl) : impl_(std::move(impl)) {}

Encoding Tokenizer::encode(std::string_view text, const EncodeOptions& opt) const {
  return encode_impl(*impl_, text, nullptr, opt);
}

Encoding Tokenizer::encode_pair(std::string_view a, std::string_view b, const EncodeOptions& opt) const {
  return encode_impl(*impl_, a, &b, opt);
}

void Tokenizer::pad_batch(std::vector<Encoding>& batch, int32_t pad_id, size_t pad_to_multiple_of) {
  size_t longest = 0;
  for (const auto& e : batch) longest = std::max(longest, e.ids.size());
  if (pad_to_multiple_of > 0 && longest % pad_to_multiple_of != 0)
    longest += pad_to_multiple_of - longest % pad_to_multiple_of;
  for (auto& e : batch) {
    e.ids.resize(longest, pad_id);
    e.type_ids.resize(longest, 0);
    e.attention_mask.resize(longest, 0);
    e.special_mask.resize(longest, 1);  // padding counts as special, as in HF
    e.offsets.resize(longest, {0, 0});
  }
}

int32_t Tokenizer::pad_id() const { return impl_->pad_id; }
size_t Tokenizer::model_max_length() const { return impl_->default_max_length(); }

size_t Tokenizer::vocab_size() const {
  const Vocab& v = impl_->model->vocab();
  size_t n = v.ids.size();
  for (const auto& t : impl_->added.tokens())
    if (v.find(t.content) == nullptr) ++n;
  return n;
}

std::optional<int32_t> Tokenizer::token_to_id(std::string_view token) const {
  for (const auto& t : impl_->added.tokens())
    if (t.content == token) return t.id;
  if (const int32_t* id = impl_->model->vocab().find(token)) return *id;
  return std::nullopt;
}

std::string Tokenizer::id_to_token(int32_t id) const {
  if (id < 0) return {};
  auto i = static_cast<size_t>(id);
  if (i < impl_->added_by_id.size() && !impl_->added_by_id[i].empty()) return impl_->added_by_id[i];
  const auto& tokens = impl_->model->vocab().tokens;
  return i < tokens.size() ? tokens[i] : std::string();
}

size_t Tokenizer::num_special_tokens(bool pair) const { return impl_->post.added_tokens(pair); }

}  // namespace sy::engine
