#include "engine/unicode.hpp"

#include <cstdlib>
#include <memory>

#include <utf8proc.h>

namespace sy::engine::unicode {

void decode(std::string_view s, uint32_t base, Chars& out) {
  out.reserve(out.size() + s.size());
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  size_t i = 0;
  while (i < s.size()) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(s.size() - i), &cp);
    uint32_t start = base + static_cast<uint32_t>(i);
    if (n <= 0) {
      out.push_back({0xFFFD, start, start + 1});
      i += 1;
    } else {
      out.push_back({static_cast<char32_t>(cp), start, start + static_cast<uint32_t>(n)});
      i += static_cast<size_t>(n);
    }
  }
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string to_utf8(const Char* begin, const Char* end) {
  std::string s;
  s.reserve(static_cast<size_t>(end - begin));
  for (const Char* c = begin; c != end; ++c) append_utf8(s, c->cp);
  return s;
}

std::u32string to_u32(std::string_view utf8) {
  Chars cs;
  decode(utf8, 0, cs);
  std::u32string r;
  r.reserve(cs.size());
  for (const auto& c : cs) r.push_back(c.cp);
  return r;
}

namespace {
utf8proc_category_t category(char32_t c) {
  return utf8proc_category(static_cast<utf8proc_int32_t>(c));
}
}  // namespace

bool is_whitespace(char32_t c) {
  switch (c) {
    case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x20: case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return c >= 0x2000 && c <= 0x200A;
  }
}

bool is_other(char32_t c) {
  switch (category(c)) {
    case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_CS:
    case UTF8PROC_CATEGORY_CO: case UTF8PROC_CATEGORY_CN:
      return true;
    default:
      return false;
  }
}

bool is_bert_control(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  return is_other(c);
}

bool is_bert_whitespace(char32_t c) {
  return c == '\t' || c == '\n' || c == '\r' || is_whitespace(c);
}

bool is_punctuation(char32_t c) {
  switch (category(c)) {
    case UTF8PROC_CATEGORY_PC: case UTF8PROC_CATEGORY_PD: case UTF8PROC_CATEGORY_PS:
    case UTF8PROC_CATEGORY_PE: case UTF8PROC_CATEGORY_PI: case UTF8PROC_CATEGORY_PF:
    case UTF8PROC_CATEGORY_PO:
      return true;
    default:
      return false;
  }
}

bool is_bert_punctuation(char32_t c) {
  // BERT treats every ASCII non-alphanumeric printable ($, +, ^, `...) as punctuation even
  // though Unicode files several of them under symbols (S*).
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126))
    return true;
  return is_punctuation(c);
}

bool is_cjk_ideograph(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
         (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
         (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool is_nonspacing_mark(char32_t c) { return category(c) == UTF8PROC_CATEGORY_MN; }

bool is_letter(char32_t c) {
  auto k = category(c);
  return k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_LO;
}

bool is_number(char32_t c) {
  auto k = category(c);
  return k == UTF8PROC_CATEGORY_ND || k == UTF8PROC_CATEGORY_NL || k == UTF8PROC_CATEGORY_NO;
}

bool is_digit(char32_t c) { return category(c) == UTF8PROC_CATEGORY_ND; }

bool is_word_char(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  auto k = category(c);
  return (k >= UTF8PROC_CATEGORY_LU && k <= UTF8PROC_CATEGORY_ME) || k == UTF8PROC_CATEGORY_ND ||
         k == UTF8PROC_CATEGORY_PC;
}

namespace {

int combining_class(char32_t c) {
  return utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->combining_class;
}

struct FreeDeleter {
  void operator()(void* p) const { std::free(p); }
};

void normalize_segment(const Chars& in, size_t b, size_t e, utf8proc_option_t opts, Chars& out) {
  std::string s;
  for (size_t i = b; i < e; ++i) append_utf8(s, in[i].cp);
  utf8proc_uint8_t* dst = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()),
                                    static_cast<utf8proc_ssize_t>(s.size()), &dst, opts);
  std::unique_ptr<utf8proc_uint8_t, FreeDeleter> owned(dst);
  uint32_t start = in[b].start, end = in[e - 1].end;
  if (n < 0) {  // cannot happen for valid code points; keep the input unchanged
    for (size_t i = b; i < e; ++i) out.push_back(in[i]);
    return;
  }
  std::string_view r(reinterpret_cast<const char*>(dst), static_cast<size_t>(n));
  size_t first = out.size();
  decode(r, 0, out);
  for (size_t i = first; i < out.size(); ++i) {
    out[i].start = start;
    out[i].end = end;
  }
}

}  // namespace

void normalize(const Chars& in, Form form, Chars& out) {
  out.clear();
  out.reserve(in.size());
  auto opts = static_cast<utf8proc_option_t>(UTF8PROC_STABLE);
  switch (form) {
    case Form::nfc: opts = static_cast<utf8proc_option_t>(opts | UTF8PROC_COMPOSE); break;
    case Form::nfd: opts = static_cast<utf8proc_option_t>(opts | UTF8PROC_DECOMPOSE); break;
    case Form::nfkc: opts = static_cast<utf8proc_option_t>(opts | UTF8PROC_COMPOSE | UTF8PROC_COMPAT); break;
    case Form::nfkd: opts = static_cast<utf8proc_option_t>(opts | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT); break;
  }
  size_t i = 0;
  while (i < in.size()) {
    size_t j = i + 1;
    while (j < in.size() && combining_class(in[j].cp) != 0) ++j;
    // ASCII alone is invariant under every form; skip the library call for the common case.
    if (j == i + 1 && in[i].cp < 0x80) {
      out.push_back(in[i]);
    } else {
      normalize_segment(in, i, j, opts, out);
    }
    i = j;
  }
}

void lowercase(const Chars& in, Chars& out) {
  out.clear();
  out.reserve(in.size());
  for (const Char& c : in) {
    if (c.cp < 0x80) {
      out.push_back({(c.cp >= 'A' && c.cp <= 'Z') ? c.cp + 32 : c.cp, c.start, c.end});
    } else if (c.cp == 0x130) {
      out.push_back({'i', c.start, c.end});
      out.push_back({0x307, c.start, c.end});
    } else {
      out.push_back({static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c.cp))), c.start, c.end});
    }
  }
}

}  // namespace sy::engine::unicode
