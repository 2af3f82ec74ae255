#include "engine/pre_tokenizer.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <array>
#include <optional>

#include "engine/error.hpp"

namespace sy::engine {

// A compiled PCRE2 pattern (UTF + Unicode properties). pcre2_code is read-only after compile,
// so one instance is shared by all threads; match data is allocated per call.
class Regex {
 public:
  Regex(const std::string& pattern, bool literal, const std::string& origin) {
    int err = 0;
    PCRE2_SIZE off = 0;
    uint32_t opts = PCRE2_UTF | PCRE2_UCP | (literal ? PCRE2_LITERAL : 0);
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), opts, &err, &off, nullptr);
    if (code_ == nullptr) {
      std::array<PCRE2_UCHAR, 256> msg{};
      pcre2_get_error_message(err, msg.data(), msg.size());
      throw EngineError(origin + ": cannot compile regex " + pattern + " at offset " + std::to_string(off) +
                        ": " + reinterpret_cast<const char*>(msg.data()));
    }
    pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE);  // optional speed-up; the interpreter is the fallback
  }
  ~Regex() { pcre2_code_free(code_); }
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Byte ranges of successive non-overlapping matches in `s`.
  void find_all(const std::string& s, std::vector<std::pair<size_t, size_t>>& out) const {
    out.clear();
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(code_, nullptr);
    if (md == nullptr) throw EngineError("out of memory for regex match data");
    size_t pos = 0;
    while (pos <= s.size()) {
      int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), pos, 0, md, nullptr);
      if (rc < 0) break;  // no match (or a matching error: treat the rest as unmatched)
      PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
      size_t b = ov[0], e = ov[1];
      if (e == b) {  // empty match: skip one character so the scan advances
        size_t next = b + 1;
        while (next < s.size() && (static_cast<unsigned char>(s[next]) & 0xC0) == 0x80) ++next;
        pos = next;
        continue;
      }
      out.emplace_back(b, e);
      pos = e;
    }
    pcre2_match_data_free(md);
  }

 private:
  pcre2_code* code_ = nullptr;
};

namespace {

using Kind = PreTokenizerStep::Kind;
using Range = std::pair<uint32_t, uint32_t>;

const char* kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

// Splits word [b,e) at the match ranges `m` (sorted, disjoint, inside [b,e)) per `behavior`.
void split_at(uint32_t b, uint32_t e, const std::vector<Range>& m, SplitBehavior behavior, bool invert,
              std::vector<Range>& out) {
  // Pieces tagged matched or not, covering [b,e) in order.
  std::vector<std::pair<Range, bool>> pieces;
  uint32_t pos = b;
  for (const auto& r : m) {
    if (r.first > pos) pieces.push_back({{pos, r.first}, invert});
    pieces.push_back({r, !invert});
    pos = r.second;
  }
  if (pos < e) pieces.push_back({{pos, e}, invert});

  auto emit = [&](Range r) {
    if (r.second > r.first) out.push_back(r);
  };
  switch (behavior) {
    case SplitBehavior::removed:
      for (const auto& [r, matched] : pieces)
        if (!matched) emit(r);
      break;
    case SplitBehavior::isolated:
      for (const auto& p : pieces) emit(p.first);
      break;
    case SplitBehavior::merged_with_previous: {
      std::optional<Range> cur;
      for (const auto& [r, matched] : pieces) {
        if (matched && cur) {
          cur->second = r.second;
          emit(*cur);
          cur.reset();
        } else if (matched) {
          emit(r);
        } else {
          if (cur) emit(*cur);
          cur = r;
        }
      }
      if (cur) emit(*cur);
      break;
    }
    case SplitBehavior::merged_with_next: {
      std::optional<Range> cur;
      for (const auto& [r, matched] : pieces) {
        if (matched) {
          if (cur) emit(*cur);
          cur = r;
        } else if (cur) {
          cur->second = r.second;
          emit(*cur);
          cur.reset();
        } else {
          emit(r);
        }
      }
      if (cur) emit(*cur);
      break;
    }
    case SplitBehavior::contiguous: {
      std::optional<Range> cur;
      for (const auto& [r, matched] : pieces) {
        if (matched && cur && cur->second == r.first) {
          cur->second = r.second;
          continue;
        }
        if (cur) emit(*cur);
        cur.reset();
        if (matched) cur = r;
        else emit(r);
      }
      if (cur) emit(*cur);
      break;
    }
  }
}

template <class Pred>
void split_chars(PreTokenized& pt, Pred pred, SplitBehavior behavior, std::vector<Range>& words) {
  std::vector<Range> m;
  words.clear();
  for (const auto& [b, e] : pt.words) {
    m.clear();
    for (uint32_t i = b; i < e; ++i)
      if (pred(pt.chars[i].cp)) m.push_back({i, i + 1});
    split_at(b, e, m, behavior, false, words);
  }
  pt.words.swap(words);
}

void split_regex(PreTokenized& pt, const Regex& re, SplitBehavior behavior, bool invert, std::vector<Range>& words) {
  std::string s;
  std::vector<uint32_t> byte_to_index;
  std::vector<std::pair<size_t, size_t>> found;
  std::vector<Range> m;
  words.clear();
  for (const auto& [b, e] : pt.words) {
    s.clear();
    byte_to_index.clear();
    for (uint32_t i = b; i < e; ++i) {
      size_t before = s.size();
      unicode::append_utf8(s, pt.chars[i].cp);
      byte_to_index.insert(byte_to_index.end(), s.size() - before, i);
    }
    byte_to_index.push_back(e);
    re.find_all(s, found);
    m.clear();
    for (const auto& [fb, fe] : found) m.push_back({byte_to_index[fb], byte_to_index[fe]});
    split_at(b, e, m, behavior, invert, words);
  }
  pt.words.swap(words);
}

// Runs of word characters and runs of other non-space characters (regex \w+|[^\w\s]+).
void whitespace(PreTokenized& pt, std::vector<Range>& words) {
  words.clear();
  for (const auto& [b, e] : pt.words) {
    uint32_t i = b;
    while (i < e) {
      char32_t c = pt.chars[i].cp;
      if (unicode::is_whitespace(c)) {
        ++i;
        continue;
      }
      bool word = unicode::is_word_char(c);
      uint32_t j = i + 1;
      while (j < e) {
        char32_t d = pt.chars[j].cp;
        if (unicode::is_whitespace(d) || unicode::is_word_char(d) != word) break;
        ++j;
      }
      words.push_back({i, j});
      i = j;
    }
  }
  pt.words.swap(words);
}

// Rewrites every character as the byte-level characters of its UTF-8 bytes (same range).
void to_byte_level(PreTokenized& pt, PreTokenized& scratch) {
  scratch.chars.clear();
  scratch.words.clear();
  std::string buf;
  for (const auto& [b, e] : pt.words) {
    uint32_t nb = static_cast<uint32_t>(scratch.chars.size());
    for (uint32_t i = b; i < e; ++i) {
      const Char& c = pt.chars[i];
      buf.clear();
      unicode::append_utf8(buf, c.cp);
      for (char byte : buf) scratch.chars.push_back({byte_to_char(static_cast<uint8_t>(byte)), c.start, c.end});
    }
    scratch.words.push_back({nb, static_cast<uint32_t>(scratch.chars.size())});
  }
  std::swap(pt, scratch);
}

// Prepends `c` (zero-width range at the word's start) to every word for which `want` holds,
// as HF does split by split.
template <class Want>
void prepend_words(PreTokenized& pt, char32_t c, Want want, PreTokenized& scratch) {
  scratch.chars.clear();
  scratch.words.clear();
  for (const auto& [b, e] : pt.words) {
    uint32_t nb = static_cast<uint32_t>(scratch.chars.size());
    if (want(b, e)) scratch.chars.push_back({c, pt.chars[b].start, pt.chars[b].start});
    scratch.chars.insert(scratch.chars.end(), pt.chars.begin() + b, pt.chars.begin() + e);
    scratch.words.push_back({nb, static_cast<uint32_t>(scratch.chars.size())});
  }
  std::swap(pt, scratch);
}

void apply_step(const PreTokenizerStep& s, PreTokenized& pt, PreTokenized& scratch) {
  auto& words = scratch.words;
  switch (s.kind) {
    case Kind::bert:
      split_chars(pt, unicode::is_whitespace, SplitBehavior::removed, words);
      split_chars(pt, unicode::is_bert_punctuation, SplitBehavior::isolated, words);
      return;
    case Kind::whitespace_split:
      split_chars(pt, unicode::is_whitespace, SplitBehavior::removed, words);
      return;
    case Kind::whitespace:
      whitespace(pt, words);
      return;
    case Kind::punctuation:
      split_chars(pt, unicode::is_bert_punctuation, s.behavior, words);
      return;
    case Kind::digits:
      if (s.individual_digits) split_chars(pt, unicode::is_number, SplitBehavior::isolated, words);
      else split_chars(pt, unicode::is_number, SplitBehavior::contiguous, words);
      return;
    case Kind::split:
      split_regex(pt, *s.regex, s.behavior, s.invert, words);
      return;
    case Kind::byte_level:
      if (s.add_prefix_space)
        prepend_words(pt, U' ', [&](uint32_t b, uint32_t) { return pt.chars[b].cp != U' '; }, scratch);
      if (s.use_regex) split_regex(pt, *s.regex, SplitBehavior::isolated, false, words);
      to_byte_level(pt, scratch);
      return;
    case Kind::metaspace: {
      for (auto& c : pt.chars)
        if (c.cp == U' ') c.cp = s.replacement;
      // "first" prepends only to a piece that starts its sequence's text (original offset 0).
      if (s.prepend != PreTokenizerStep::Prepend::never)
        prepend_words(pt, s.replacement, [&](uint32_t b, uint32_t) {
          return pt.chars[b].cp != s.replacement &&
                 (s.prepend == PreTokenizerStep::Prepend::always || pt.chars[b].start == 0);
        }, scratch);
      if (s.split) {
        char32_t r = s.replacement;
        split_chars(pt, [r](char32_t c) { return c == r; }, SplitBehavior::merged_with_next, words);
      }
      return;
    }
  }
}

std::string type_of(const rapidjson::Value& v) {
  auto it = v.FindMember("type");
  if (it == v.MemberEnd() || !it->value.IsString()) return "";
  return it->value.GetString();
}

bool flag(const rapidjson::Value& v, const char* key, bool dflt) {
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsBool()) return dflt;
  return it->value.GetBool();
}

SplitBehavior parse_behavior(const rapidjson::Value& v, const std::string& origin) {
  auto it = v.FindMember("behavior");
  if (it == v.MemberEnd() || !it->value.IsString()) return SplitBehavior::isolated;
  std::string b = it->value.GetString();
  if (b == "Removed") return SplitBehavior::removed;
  if (b == "Isolated") return SplitBehavior::isolated;
  if (b == "MergedWithPrevious") return SplitBehavior::merged_with_previous;
  if (b == "MergedWithNext") return SplitBehavior::merged_with_next;
  if (b == "Contiguous") return SplitBehavior::contiguous;
  throw EngineError(origin + ": unknown split behavior \"" + b + "\"");
}

std::shared_ptr<const Regex> gpt2_regex(const std::string& origin) {
  return std::make_shared<const Regex>(kGpt2Pattern, false, origin);
}

void parse_into(const rapidjson::Value& v, const std::string& origin, std::vector<PreTokenizerStep>& out) {
  if (v.IsNull()) return;
  if (!v.IsObject()) throw EngineError(origin + ": pre_tokenizer must be an object or null");
  std::string type = type_of(v);
  PreTokenizerStep s;
  if (type == "Sequence") {
    auto it = v.FindMember("pretokenizers");
    if (it == v.MemberEnd() || !it->value.IsArray())
      throw EngineError(origin + ": Sequence pre_tokenizer without a \"pretokenizers\" array");
    for (const auto& p : it->value.GetArray()) parse_into(p, origin, out);
    return;
  } else if (type == "BertPreTokenizer") {
    s.kind = Kind::bert;
  } else if (type == "Whitespace") {
    s.kind = Kind::whitespace;
  } else if (type == "WhitespaceSplit") {
    s.kind = Kind::whitespace_split;
  } else if (type == "Punctuation") {
    s.kind = Kind::punctuation;
    s.behavior = parse_behavior(v, origin);
  } else if (type == "Digits") {
    s.kind = Kind::digits;
    s.individual_digits = flag(v, "individual_digits", false);
  } else if (type == "ByteLevel") {
    s.kind = Kind::byte_level;
    s.add_prefix_space = flag(v, "add_prefix_space", true);
    s.use_regex = flag(v, "use_regex", true);
    if (s.use_regex) s.regex = gpt2_regex(origin);
  } else if (type == "Metaspace") {
    s.kind = Kind::metaspace;
    auto r = v.FindMember("replacement");
    if (r != v.MemberEnd() && r->value.IsString()) {
      auto u = unicode::to_u32({r->value.GetString(), r->value.GetStringLength()});
      if (u.size() != 1) throw EngineError(origin + ": Metaspace replacement must be one character");
      s.replacement = u[0];
    }
    auto ps = v.FindMember("prepend_scheme");
    if (ps != v.MemberEnd() && ps->value.IsString()) {
      std::string p = ps->value.GetString();
      s.prepend = p == "first" ? PreTokenizerStep::Prepend::first
                  : p == "never" ? PreTokenizerStep::Prepend::never
                                 : PreTokenizerStep::Prepend::always;
    } else {
      s.prepend = flag(v, "add_prefix_space", true) ? PreTokenizerStep::Prepend::always
                                                     : PreTokenizerStep::Prepend::never;
    }
    s.split = flag(v, "split", true);
  } else if (type == "Split") {
    s.kind = Kind::split;
    s.behavior = parse_behavior(v, origin);
    s.invert = flag(v, "invert", false);
    auto pat = v.FindMember("pattern");
    if (pat == v.MemberEnd() || !pat->value.IsObject())
      throw EngineError(origin + ": Split pre_tokenizer without a pattern");
    if (auto str = pat->value.FindMember("String"); str != pat->value.MemberEnd() && str->value.IsString()) {
      s.regex = std::make_shared<const Regex>(str->value.GetString(), true, origin);
    } else if (auto re = pat->value.FindMember("Regex"); re != pat->value.MemberEnd() && re->value.IsString()) {
      s.regex = std::make_shared<const Regex>(re->value.GetString(), false, origin);
    } else {
      throw EngineError(origin + ": Split pattern must be {\"String\":...} or {\"Regex\":...}");
    }
  } else {
    throw EngineError(origin + ": unsupported pre_tokenizer type \"" + type + "\"");
  }
  out.push_back(std::move(s));
}

}  // namespace

std::shared_ptr<const Regex> compile_regex(const std::string& pattern, bool literal, const std::string& origin) {
  return std::make_shared<const Regex>(pattern, literal, origin);
}

void regex_find_all(const Regex& re, const std::string& s, std::vector<std::pair<size_t, size_t>>& out) {
  re.find_all(s, out);
}

char32_t byte_to_char(uint8_t b) {
  static const std::array<char32_t, 256> table = [] {
    std::array<char32_t, 256> t{};
    char32_t next = 256;
    for (int i = 0; i < 256; ++i) {
      bool printable = (i >= 33 && i <= 126) || (i >= 161 && i <= 172) || (i >= 174 && i <= 255);
      t[static_cast<size_t>(i)] = printable ? static_cast<char32_t>(i) : next++;
    }
    return t;
  }();
  return table[b];
}

void PreTokenizer::apply(PreTokenized& pt, PreTokenized& scratch) const {
  for (const auto& s : steps) apply_step(s, pt, scratch);
}

bool PreTokenizer::byte_level() const {
  for (const auto& s : steps)
    if (s.kind == Kind::byte_level) return true;
  return false;
}

PreTokenizer parse_pre_tokenizer(const rapidjson::Value& v, const std::string& origin) {
  PreTokenizer p;
  parse_into(v, origin, p.steps);
  return p;
}

}  // namespace sy::engine
