#pragma once
// Code-point level text for the tokenizer pipeline. Each Char remembers the byte range of the
// input it came from, so normalization (which may add, drop or replace characters) keeps exact
// offsets into the caller's text. Character classes follow what HF `tokenizers` (Rust) uses:
// White_Space property, Unicode general categories (via utf8proc), BERT's punctuation rule.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sy::engine {

struct Char {
  char32_t cp;
  uint32_t start;  // byte range in the original input
  uint32_t end;
};
using Chars = std::vector<Char>;

namespace unicode {

// Decodes UTF-8; an invalid byte becomes U+FFFD covering that one byte. Offsets start at `base`.
void decode(std::string_view s, uint32_t base, Chars& out);
void append_utf8(std::string& out, char32_t cp);
std::string to_utf8(const Char* begin, const Char* end);
std::u32string to_u32(std::string_view utf8);

bool is_whitespace(char32_t c);         // Unicode White_Space (Rust char::is_whitespace)
bool is_other(char32_t c);              // general category C* (Cc Cf Cs Co Cn)
bool is_bert_control(char32_t c);       // is_other, except \t \n \r
bool is_bert_whitespace(char32_t c);    // \t \n \r or White_Space
bool is_punctuation(char32_t c);        // general category P*
bool is_bert_punctuation(char32_t c);   // ASCII punctuation/symbols or P*
bool is_cjk_ideograph(char32_t c);      // the CJK blocks BERT isolates
bool is_nonspacing_mark(char32_t c);    // Mn
bool is_letter(char32_t c);             // L*
bool is_number(char32_t c);             // N*
bool is_word_char(char32_t c);          // regex \w: L*, M*, Nd, Pc
bool is_digit(char32_t c);              // Nd

enum class Form { nfc, nfd, nfkc, nfkd };
// Normalizes `in` into `out` (cleared first). Work is done per segment (a starter and its
// following combining marks); every output char of a segment carries the segment's range.
void normalize(const Chars& in, Form form, Chars& out);
// Full lowercase mapping (U+0130 expands to "i\u0307" like Rust's char::to_lowercase).
void lowercase(const Chars& in, Chars& out);

}  // namespace unicode
}  // namespace sy::engine
