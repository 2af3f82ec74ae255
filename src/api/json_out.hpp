// Internal to api/: small conveniences for writing JSON with RapidJSON's SAX writer, SSE frame
// text, and random ids. Output is built by streaming (not by a DOM) so translations allocate little
// and emit members in the order the official APIs use.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "common/json.hpp"
#include "common/usage.hpp"

namespace sy::api::detail {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

inline void key(Writer& w, std::string_view k) {
  w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size()));
}
inline void str(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
inline void kv(Writer& w, std::string_view k, std::string_view v) { key(w, k); str(w, v); }
inline void kv_int(Writer& w, std::string_view k, int64_t v) { key(w, k); w.Int64(v); }
// The members every OpenAI completion object and chunk opens with, in OpenAI's order.
inline void openai_head(Writer& w, std::string_view id, std::string_view object, int64_t created,
                        std::string_view model) {
  kv(w, "id", id);
  kv(w, "object", object);
  kv_int(w, "created", created);
  kv(w, "model", model);
}
// "usage": OpenAI's object (prompt/completion/total tokens, prompt_tokens_details.cached_tokens).
// Members may follow before the caller closes it (`close` false), e.g. a marker of our own.
inline void openai_usage(Writer& w, const Usage& u, bool close = true) {
  key(w, "usage");
  w.StartObject();
  kv_int(w, "prompt_tokens", u.input_tokens);
  kv_int(w, "completion_tokens", u.output_tokens);
  kv_int(w, "total_tokens", u.input_tokens + u.output_tokens);
  key(w, "prompt_tokens_details");
  w.StartObject();
  kv_int(w, "cached_tokens", u.cached_input_tokens);
  w.EndObject();
  if (close) w.EndObject();
}
// Writes `v` (already valid JSON text) as the value of the current key / array slot.
inline void raw(Writer& w, std::string_view json_text) {
  w.RawValue(json_text.data(), json_text.size(), rapidjson::kObjectType);
}
inline void value(Writer& w, const json::Value& v) { v.Accept(w); }

inline std::string text(const rapidjson::StringBuffer& b) { return {b.GetString(), b.GetSize()}; }

// "event: <event>\ndata: <data>\n\n", or "data: <data>\n\n" when `event` is empty.
std::string sse_frame(std::string_view event, std::string_view data);

// prefix + `n` random characters from [A-Za-z0-9] (not cryptographic; ids only need uniqueness).
std::string random_id(std::string_view prefix, size_t n = 24);

// Unix seconds now.
int64_t unix_now();

}  // namespace sy::api::detail
