// JSON vocabulary: RapidJSON is the one JSON library on the request path (mutable DOM, so bodies
// can be passed through with only the fields we own rewritten). Helpers here keep call sites short.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sy::json {

using Document = rapidjson::Document;
using Value = rapidjson::Value;
using Allocator = rapidjson::Document::AllocatorType;

// Parses `text`; on error returns nullopt and sets *error to "offset N: reason".
std::optional<Document> parse(std::string_view text, std::string* error = nullptr);
// The same for a std::string, which is NUL-terminated: that lets RapidJSON scan 16 bytes at a
// time (RAPIDJSON_SSE2), several times faster on long strings such as chat histories.
std::optional<Document> parse(const std::string& text, std::string* error = nullptr);
inline std::optional<Document> parse(const char* text, std::string* error = nullptr) {
  return parse(std::string_view(text), error);
}

// Compact serialization.
std::string dump(const Value& v);

// Serializes the object `obj` with top-level members replaced or added: members named in
// `overrides` are written with the given raw JSON text instead of their value (or appended if
// absent); members named in `drop` are left out. Used to send a client's body upstream with only
// `model` (and the like) changed, without copying the DOM.
struct RawMember {
  std::string name;
  std::string raw_json;
};
std::string dump_with(const Value& obj, const std::vector<RawMember>& overrides,
                      const std::vector<std::string_view>& drop = {});

// Typed look-ups that return nullopt / nullptr when the member is missing or of another type.
const Value* find(const Value& obj, std::string_view key);
std::optional<std::string_view> get_string(const Value& obj, std::string_view key);
std::optional<int64_t> get_int(const Value& obj, std::string_view key);
std::optional<double> get_number(const Value& obj, std::string_view key);
std::optional<bool> get_bool(const Value& obj, std::string_view key);

inline std::string_view view(const Value& s) { return {s.GetString(), s.GetStringLength()}; }
inline Value str(std::string_view s, Allocator& a) {
  return Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

// JSON string literal (with quotes) for `s`, escaped.
std::string quote(std::string_view s);

}  // namespace sy::json
