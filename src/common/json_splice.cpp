#include "common/json_splice.hpp"

#include <utility>

namespace sy::json {

namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t skip_ws(std::string_view s, size_t i) {
  while (i < s.size() && is_ws(s[i])) ++i;
  return i;
}

// `i` at an opening quote; returns the index just past the closing quote, or npos.
size_t skip_string(std::string_view s, size_t i) {
  for (++i; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') ++i;
    else if (c == '"') return i + 1;
  }
  return std::string_view::npos;
}

// `i` at the first character of a value; returns the index just past it, or npos.
size_t skip_value(std::string_view s, size_t i) {
  if (i >= s.size()) return std::string_view::npos;
  const char c = s[i];
  if (c == '"') return skip_string(s, i);
  if (c == '{' || c == '[') {
    int depth = 0;
    for (; i < s.size(); ++i) {
      const char d = s[i];
      if (d == '"') {
        i = skip_string(s, i);
        if (i == std::string_view::npos) return i;
        --i;
      } else if (d == '{' || d == '[') {
        ++depth;
      } else if (d == '}' || d == ']') {
        if (--depth == 0) return i + 1;
      }
    }
    return std::string_view::npos;
  }
  // Number or literal: runs until a delimiter.
  while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_ws(s[i])) ++i;
  return i;
}

struct Member {
  std::string_view name;    // without quotes, as spelled (escapes not decoded)
  size_t value_begin;
  size_t value_end;
};

// Calls f(Member) for each top-level member; returns the index of the closing brace, or npos.
template <class F>
size_t for_each_member(std::string_view s, F&& f) {
  size_t i = skip_ws(s, 0);
  if (i >= s.size() || s[i] != '{') return std::string_view::npos;
  i = skip_ws(s, i + 1);
  if (i < s.size() && s[i] == '}') return i;
  for (;;) {
    if (i >= s.size() || s[i] != '"') return std::string_view::npos;
    const size_t name_end = skip_string(s, i);
    if (name_end == std::string_view::npos) return name_end;
    std::string_view name = s.substr(i + 1, name_end - i - 2);
    i = skip_ws(s, name_end);
    if (i >= s.size() || s[i] != ':') return std::string_view::npos;
    i = skip_ws(s, i + 1);
    const size_t vend = skip_value(s, i);
    if (vend == std::string_view::npos) return vend;
    f(Member{name, i, vend});
    i = skip_ws(s, vend);
    if (i >= s.size()) return std::string_view::npos;
    if (s[i] == '}') return i;
    if (s[i] != ',') return std::string_view::npos;
    i = skip_ws(s, i + 1);
  }
}

}  // namespace

std::optional<std::string> splice_members(std::string_view s, const std::vector<RawMember>& overrides) {
  struct Hit {
    size_t begin, end, which;
  };
  std::vector<Hit> hits;
  std::vector<bool> seen(overrides.size(), false);
  size_t members = 0;
  bool escaped_name = false;
  const size_t close = for_each_member(s, [&](const Member& m) {
    ++members;
    if (m.name.find('\\') != std::string_view::npos) escaped_name = true;
    for (size_t k = 0; k < overrides.size(); ++k) {
      if (overrides[k].name == m.name) {
        hits.push_back({m.value_begin, m.value_end, k});
        seen[k] = true;
        break;
      }
    }
  });
  if (close == std::string_view::npos || escaped_name) return std::nullopt;

  size_t extra = 0;
  for (size_t k = 0; k < overrides.size(); ++k)
    extra += overrides[k].raw_json.size() + (seen[k] ? 0 : overrides[k].name.size() + 4);
  std::string out;
  out.reserve(s.size() + extra);
  size_t pos = 0;
  for (const Hit& h : hits) {
    out.append(s.data() + pos, h.begin - pos);
    out += overrides[h.which].raw_json;
    pos = h.end;
  }
  out.append(s.data() + pos, close - pos);
  for (size_t k = 0; k < overrides.size(); ++k) {
    if (seen[k]) continue;
    if (members++ > 0) out += ',';
    out += '"';
    out += overrides[k].name;   // names are ours (model, stream_options): plain ASCII, no escaping
    out += "\":";
    out += overrides[k].raw_json;
  }
  out.append(s.data() + close, s.size() - close);
  return out;
}

std::string rewrite_members(const Value& obj, std::string_view object_text,
                            const std::vector<RawMember>& overrides) {
  if (!object_text.empty())
    if (auto spliced = splice_members(object_text, overrides)) return std::move(*spliced);
  return dump_with(obj, overrides);
}

}  // namespace sy::json
