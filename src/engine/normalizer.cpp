#include "engine/normalizer.hpp"

#include <utility>

#include "engine/error.hpp"

namespace sy::engine {
namespace {

using Kind = NormalizerStep::Kind;

void bert(const NormalizerStep& s, Chars& chars, Chars& scratch) {
  if (s.clean_text || s.handle_chinese_chars) {
    scratch.clear();
    scratch.reserve(chars.size());
    for (const Char& c : chars) {
      if (s.clean_text) {
        if (c.cp == 0 || c.cp == 0xFFFD || unicode::is_bert_control(c.cp)) continue;
        if (unicode::is_bert_whitespace(c.cp)) {
          scratch.push_back({U' ', c.start, c.end});
          continue;
        }
      }
      if (s.handle_chinese_chars && unicode::is_cjk_ideograph(c.cp)) {
        scratch.push_back({U' ', c.start, c.end});
        scratch.push_back(c);
        scratch.push_back({U' ', c.start, c.end});
        continue;
      }
      scratch.push_back(c);
    }
    std::swap(chars, scratch);
  }
  if (s.strip_accents) {
    unicode::normalize(chars, unicode::Form::nfd, scratch);
    chars.clear();
    for (const Char& c : scratch)
      if (!unicode::is_nonspacing_mark(c.cp)) chars.push_back(c);
  }
  if (s.lowercase) {
    unicode::lowercase(chars, scratch);
    std::swap(chars, scratch);
  }
}

void replace(const NormalizerStep& s, Chars& chars, Chars& scratch) {
  const auto& pat = s.pattern;
  if (pat.empty()) return;
  scratch.clear();
  size_t i = 0;
  while (i < chars.size()) {
    bool hit = i + pat.size() <= chars.size();
    for (size_t k = 0; hit && k < pat.size(); ++k) hit = chars[i + k].cp == pat[k];
    if (!hit) {
      scratch.push_back(chars[i++]);
      continue;
    }
    uint32_t start = chars[i].start, end = chars[i + pat.size() - 1].end;
    for (char32_t c : s.content) scratch.push_back({c, start, end});
    i += pat.size();
  }
  std::swap(chars, scratch);
}

// Replace with a regex (SentencePiece conversions collapse space runs with " {2,}"): every
// match becomes `content`, each new character carrying the matched input range.
void replace_regex(const NormalizerStep& s, Chars& chars, Chars& scratch) {
  thread_local std::string text;
  thread_local std::vector<uint32_t> char_at;  // byte in `text` → its char index
  thread_local std::vector<std::pair<size_t, size_t>> found;
  text.clear();
  char_at.clear();
  for (size_t i = 0; i < chars.size(); ++i) {
    unicode::append_utf8(text, chars[i].cp);
    char_at.resize(text.size(), static_cast<uint32_t>(i));
  }
  regex_find_all(*s.regex, text, found);
  if (found.empty()) return;
  scratch.clear();
  size_t next = 0;  // first char not yet copied
  for (auto [b, e] : found) {
    size_t first = char_at[b], last = char_at[e - 1];
    scratch.insert(scratch.end(), chars.begin() + static_cast<std::ptrdiff_t>(next),
                   chars.begin() + static_cast<std::ptrdiff_t>(first));
    for (char32_t c : s.content) scratch.push_back({c, chars[first].start, chars[last].end});
    next = last + 1;
  }
  scratch.insert(scratch.end(), chars.begin() + static_cast<std::ptrdiff_t>(next), chars.end());
  std::swap(chars, scratch);
}

void apply_step(const NormalizerStep& s, Chars& chars, Chars& scratch) {
  switch (s.kind) {
    case Kind::bert: bert(s, chars, scratch); return;
    case Kind::nfc: unicode::normalize(chars, unicode::Form::nfc, scratch); break;
    case Kind::nfd: unicode::normalize(chars, unicode::Form::nfd, scratch); break;
    case Kind::nfkc: unicode::normalize(chars, unicode::Form::nfkc, scratch); break;
    case Kind::nfkd: unicode::normalize(chars, unicode::Form::nfkd, scratch); break;
    case Kind::lowercase: unicode::lowercase(chars, scratch); break;
    case Kind::strip_accents: {
      scratch.clear();
      for (const Char& c : chars)
        if (!unicode::is_nonspacing_mark(c.cp)) scratch.push_back(c);
      break;
    }
    case Kind::replace: s.regex ? replace_regex(s, chars, scratch) : replace(s, chars, scratch); return;
    case Kind::precompiled: s.charsmap->apply(chars, scratch); break;
    case Kind::prepend: {
      if (chars.empty()) return;  // HF prepends only to non-empty text
      scratch.clear();
      for (char32_t c : s.content) scratch.push_back({c, chars.front().start, chars.front().start});
      scratch.insert(scratch.end(), chars.begin(), chars.end());
      break;
    }
    case Kind::strip: {
      size_t b = 0, e = chars.size();
      if (s.strip_left) while (b < e && unicode::is_whitespace(chars[b].cp)) ++b;
      if (s.strip_right) while (e > b && unicode::is_whitespace(chars[e - 1].cp)) --e;
      scratch.assign(chars.begin() + static_cast<std::ptrdiff_t>(b), chars.begin() + static_cast<std::ptrdiff_t>(e));
      break;
    }
  }
  std::swap(chars, scratch);
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

std::u32string u32_member(const rapidjson::Value& v, const char* key) {
  auto it = v.FindMember(key);
  if (it == v.MemberEnd() || !it->value.IsString()) return {};
  return unicode::to_u32({it->value.GetString(), it->value.GetStringLength()});
}

void parse_into(const rapidjson::Value& v, const std::string& origin, std::vector<NormalizerStep>& out) {
  if (v.IsNull()) return;
  if (!v.IsObject()) throw EngineError(origin + ": normalizer must be an object or null");
  std::string type = type_of(v);
  NormalizerStep s;
  if (type == "Sequence") {
    auto it = v.FindMember("normalizers");
    if (it == v.MemberEnd() || !it->value.IsArray())
      throw EngineError(origin + ": Sequence normalizer without a \"normalizers\" array");
    for (const auto& n : it->value.GetArray()) parse_into(n, origin, out);
    return;
  } else if (type == "BertNormalizer") {
    s.kind = Kind::bert;
    s.clean_text = flag(v, "clean_text", true);
    s.handle_chinese_chars = flag(v, "handle_chinese_chars", true);
    s.lowercase = flag(v, "lowercase", true);
    s.strip_accents = flag(v, "strip_accents", s.lowercase);  // null follows lowercase
  } else if (type == "NFC") { s.kind = Kind::nfc;
  } else if (type == "NFD") { s.kind = Kind::nfd;
  } else if (type == "NFKC") { s.kind = Kind::nfkc;
  } else if (type == "NFKD") { s.kind = Kind::nfkd;
  } else if (type == "Lowercase") { s.kind = Kind::lowercase;
  } else if (type == "StripAccents") { s.kind = Kind::strip_accents;
  } else if (type == "Strip") {
    s.kind = Kind::strip;
    s.strip_left = flag(v, "strip_left", true);
    s.strip_right = flag(v, "strip_right", true);
  } else if (type == "Prepend") {
    s.kind = Kind::prepend;
    s.content = u32_member(v, "prepend");
  } else if (type == "Replace") {
    s.kind = Kind::replace;
    auto pat = v.FindMember("pattern");
    if (pat == v.MemberEnd() || !pat->value.IsObject())
      throw EngineError(origin + ": Replace normalizer without a pattern");
    if (auto re = pat->value.FindMember("Regex"); re != pat->value.MemberEnd()) {
      if (!re->value.IsString()) throw EngineError(origin + ": Replace normalizer regex must be a string");
      s.regex = compile_regex({re->value.GetString(), re->value.GetStringLength()}, false, origin);
    } else {
      auto p = pat->value.FindMember("String");
      if (p == pat->value.MemberEnd() || !p->value.IsString())
        throw EngineError(origin + ": Replace normalizer pattern must be {\"String\":...} or {\"Regex\":...}");
      s.pattern = unicode::to_u32({p->value.GetString(), p->value.GetStringLength()});
    }
    s.content = u32_member(v, "content");
  } else if (type == "Precompiled") {
    s.kind = Kind::precompiled;
    auto cm = v.FindMember("precompiled_charsmap");
    std::string blob;
    if (cm != v.MemberEnd() && cm->value.IsString())
      blob = base64_decode({cm->value.GetString(), cm->value.GetStringLength()}, origin);
    else if (cm != v.MemberEnd() && !cm->value.IsNull())
      throw EngineError(origin + ": Precompiled normalizer's precompiled_charsmap must be a base64 string");
    s.charsmap = std::make_shared<const PrecompiledCharsmap>(blob, origin);
  } else {
    throw EngineError(origin + ": unsupported normalizer type \"" + type + "\"");
  }
  out.push_back(std::move(s));
}

}  // namespace

void Normalizer::apply(Chars& chars, Chars& scratch) const {
  for (const auto& s : steps) apply_step(s, chars, scratch);
}

std::string Normalizer::apply(std::string_view text) const {
  Chars chars, scratch;
  unicode::decode(text, 0, chars);
  apply(chars, scratch);
  return unicode::to_utf8(chars.data(), chars.data() + chars.size());
}

Normalizer parse_normalizer(const rapidjson::Value& v, const std::string& origin) {
  Normalizer n;
  parse_into(v, origin, n.steps);
  return n;
}

}  // namespace sy::engine
