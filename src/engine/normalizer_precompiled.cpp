#include "engine/normalizer_precompiled.hpp"

#include <cstring>

#include "engine/error.hpp"

namespace sy::engine {
namespace {

// Darts-clone unit layout.
bool has_leaf(uint32_t u) { return ((u >> 8) & 1) != 0; }
uint32_t value_of(uint32_t u) { return u & 0x7FFFFFFFu; }
uint32_t label_of(uint32_t u) { return u & (0x80000000u | 0xFFu); }
uint32_t offset_of(uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); }

}  // namespace

std::string base64_decode(std::string_view in, const std::string& origin) {
  std::string out;
  out.reserve(in.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  for (char ch : in) {
    int v;
    if (ch >= 'A' && ch <= 'Z') v = ch - 'A';
    else if (ch >= 'a' && ch <= 'z') v = ch - 'a' + 26;
    else if (ch >= '0' && ch <= '9') v = ch - '0' + 52;
    else if (ch == '+') v = 62;
    else if (ch == '/') v = 63;
    else if (ch == '=') break;
    else throw EngineError(origin + ": precompiled_charsmap is not valid base64");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  return out;
}

PrecompiledCharsmap::PrecompiledCharsmap(std::string_view blob, const std::string& origin) {
  if (blob.empty()) return;
  if (blob.size() < 4) throw EngineError(origin + ": precompiled_charsmap is shorter than its header");
  const auto* p = reinterpret_cast<const unsigned char*>(blob.data());
  uint32_t trie_bytes = p[0] | (p[1] << 8) | (p[2] << 16) | (static_cast<uint32_t>(p[3]) << 24);
  if (trie_bytes % 4 != 0 || trie_bytes > blob.size() - 4)
    throw EngineError(origin + ": precompiled_charsmap trie size " + std::to_string(trie_bytes) + " does not fit the blob");
  units_.resize(trie_bytes / 4);
  for (size_t i = 0; i < units_.size(); ++i) {
    const unsigned char* u = p + 4 + 4 * i;
    units_[i] = u[0] | (u[1] << 8) | (u[2] << 16) | (static_cast<uint32_t>(u[3]) << 24);
  }
  strings_.assign(blob.substr(4 + trie_bytes));
}

size_t PrecompiledCharsmap::longest_match(std::string_view s, std::string_view& replacement) const {
  if (units_.empty()) return 0;
  size_t best = 0;
  uint32_t pos = offset_of(units_[0]);  // root at 0: children live at root ^ offset
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<uint8_t>(s[i]);
    pos ^= c;
    if (pos >= units_.size()) break;
    uint32_t unit = units_[pos];
    if (label_of(unit) != c) break;
    pos ^= offset_of(unit);
    if (has_leaf(unit)) {
      if (pos >= units_.size()) break;
      uint32_t v = value_of(units_[pos]);
      if (v >= strings_.size()) continue;  // dangling value: ignore the key
      const char* at = strings_.data() + v;
      replacement = std::string_view(at, strnlen(at, strings_.size() - v));
      best = i + 1;
    }
  }
  return best;
}

void PrecompiledCharsmap::apply(const Chars& chars, Chars& out) const {
  out.clear();
  if (units_.empty()) {
    out = chars;
    return;
  }
  thread_local std::string text;
  thread_local std::vector<uint32_t> first_byte;  // char index → its first byte in `text`
  thread_local std::vector<uint32_t> char_at;     // byte in `text` → its char index
  text.clear();
  first_byte.clear();
  char_at.clear();
  for (size_t i = 0; i < chars.size(); ++i) {
    first_byte.push_back(static_cast<uint32_t>(text.size()));
    unicode::append_utf8(text, chars[i].cp);
    char_at.resize(text.size(), static_cast<uint32_t>(i));
  }
  first_byte.push_back(static_cast<uint32_t>(text.size()));
  char_at.push_back(static_cast<uint32_t>(chars.size()));
  thread_local Chars repl;
  size_t i = 0;
  while (i < chars.size()) {
    std::string_view r;
    size_t byte = first_byte[i];
    size_t end_byte = byte + longest_match(std::string_view(text).substr(byte), r);
    size_t j = char_at[end_byte];
    // Keys are whole UTF-8 sequences, so a match ends on a character boundary; anything
    // else would be a corrupt table and is ignored.
    if (end_byte == byte || first_byte[j] != end_byte) {
      out.push_back(chars[i++]);
      continue;
    }
    repl.clear();
    unicode::decode(r, 0, repl);
    for (const Char& c : repl) out.push_back({c.cp, chars[i].start, chars[j - 1].end});
    i = j;
  }
}

}  // namespace sy::engine
