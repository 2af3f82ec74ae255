#include "api/token_estimate.hpp"

namespace sy::api {

namespace {

constexpr int64_t kPerMessage = 4;
constexpr int64_t kReplyPrimer = 3;
constexpr int64_t kPerImage = 85;

int64_t code_points(std::string_view text) {
  int64_t n = 0;
  for (unsigned char c : text)
    if ((c & 0xC0) != 0x80) ++n;  // count every byte that is not a UTF-8 continuation byte
  return n;
}

// Walks any JSON value: strings count as text, except the values of keys that are structural
// ("type", "role", ids); images count a flat amount; numbers and the like are ignored.
int64_t count_value(const json::Value& v) {
  if (v.IsString()) return estimate_tokens(json::view(v));
  int64_t n = 0;
  if (v.IsArray()) {
    for (const auto& x : v.GetArray()) n += count_value(x);
  } else if (v.IsObject()) {
    auto type = json::get_string(v, "type");
    if (type && (*type == "image_url" || *type == "image" || *type == "input_audio" ||
                 *type == "document" || *type == "file")) {
      return kPerImage;
    }
    for (auto it = v.MemberBegin(); it != v.MemberEnd(); ++it) {
      std::string_view k = json::view(it->name);
      if (k == "type" || k == "role" || k == "id" || k == "tool_call_id" || k == "tool_use_id" ||
          k == "cache_control" || k == "signature") {
        continue;
      }
      n += count_value(it->value);
    }
  }
  return n;
}

}  // namespace

int64_t estimate_tokens(std::string_view text) { return (code_points(text) + 3) / 4; }

int64_t estimate_prompt_tokens(Wire wire, const json::Value& body) {
  if (!body.IsObject()) return 0;
  int64_t n = 0;
  if (const json::Value* msgs = json::find(body, "messages"); msgs && msgs->IsArray()) {
    for (const auto& m : msgs->GetArray()) n += kPerMessage + count_value(m);
    n += kReplyPrimer;
  }
  if (wire == Wire::anthropic) {
    if (const json::Value* s = json::find(body, "system")) n += kPerMessage + count_value(*s);
  }
  if (const json::Value* t = json::find(body, "tools"); t && t->IsArray() && !t->Empty()) {
    n += estimate_tokens(json::dump(*t));
  }
  if (const json::Value* in = json::find(body, "input")) {
    if (in->IsArray() && !in->Empty() && (*in)[0].IsNumber()) n += in->Size();
    else if (in->IsArray() && !in->Empty() && (*in)[0].IsArray()) for (const auto& a : in->GetArray()) n += a.IsArray() ? a.Size() : 0;
    else n += count_value(*in);
  }
  return n;
}

}  // namespace sy::api
