#include "common/json.hpp"

#include <algorithm>
#include <cstring>

#include <rapidjson/error/en.h>

namespace sy::json {

namespace {
std::optional<Document> checked(Document d, std::string* error) {
  if (d.HasParseError()) {
    if (error) {
      *error = "offset " + std::to_string(d.GetErrorOffset()) + ": " +
               rapidjson::GetParseError_En(d.GetParseError());
    }
    return std::nullopt;
  }
  return d;
}
}  // namespace

std::optional<Document> parse(std::string_view text, std::string* error) {
  // RapidJSON takes a NUL byte for the end of the input, even with a length, and would accept
  // whatever follows it. JSON allows no NUL anywhere (not as whitespace, not raw in a string).
  // (memchr must not see the null data() of an empty view.)
  const void* nul = text.empty() ? nullptr : std::memchr(text.data(), 0, text.size());
  if (nul != nullptr) {
    if (error) {
      *error = "offset " + std::to_string(static_cast<const char*>(nul) - text.data()) +
               ": NUL byte (not allowed in JSON text)";
    }
    return std::nullopt;
  }
  Document d;
  // Default flags: trailing non-whitespace after the root value is an error ("not singular").
  d.Parse(text.data(), text.size());
  return checked(std::move(d), error);
}

std::optional<Document> parse(const std::string& text, std::string* error) {
  // The terminated parse would stop at a NUL inside the text: such text goes the bounded way,
  // which rejects it.
  if (std::memchr(text.data(), 0, text.size()) != nullptr) return parse(std::string_view(text), error);
  Document d;
  d.Parse(text.c_str());
  return checked(std::move(d), error);
}

std::string dump(const Value& v) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  v.Accept(w);
  return std::string(buf.GetString(), buf.GetSize());
}

std::string dump_with(const Value& obj, const std::vector<RawMember>& overrides,
                      const std::vector<std::string_view>& drop) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  std::vector<bool> used(overrides.size(), false);
  w.StartObject();
  for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
    std::string_view name = view(it->name);
    if (std::find(drop.begin(), drop.end(), name) != drop.end()) continue;
    w.Key(it->name.GetString(), it->name.GetStringLength());
    bool replaced = false;
    for (size_t i = 0; i < overrides.size(); ++i) {
      if (!used[i] && overrides[i].name == name) {
        w.RawValue(overrides[i].raw_json.data(), overrides[i].raw_json.size(), rapidjson::kObjectType);
        used[i] = replaced = true;
        break;
      }
    }
    if (!replaced) it->value.Accept(w);
  }
  for (size_t i = 0; i < overrides.size(); ++i) {
    if (used[i]) continue;
    w.Key(overrides[i].name.data(), static_cast<rapidjson::SizeType>(overrides[i].name.size()));
    w.RawValue(overrides[i].raw_json.data(), overrides[i].raw_json.size(), rapidjson::kObjectType);
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

const Value* find(const Value& obj, std::string_view key) {
  if (!obj.IsObject()) return nullptr;
  auto it = obj.FindMember(Value(rapidjson::StringRef(key.data(), key.size())));
  return it == obj.MemberEnd() ? nullptr : &it->value;
}

std::optional<std::string_view> get_string(const Value& obj, std::string_view key) {
  const Value* v = find(obj, key);
  if (!v || !v->IsString()) return std::nullopt;
  return view(*v);
}

std::optional<int64_t> get_int(const Value& obj, std::string_view key) {
  const Value* v = find(obj, key);
  if (!v || !v->IsInt64()) return std::nullopt;
  return v->GetInt64();
}

std::optional<double> get_number(const Value& obj, std::string_view key) {
  const Value* v = find(obj, key);
  if (!v || !v->IsNumber()) return std::nullopt;
  return v->GetDouble();
}

std::optional<bool> get_bool(const Value& obj, std::string_view key) {
  const Value* v = find(obj, key);
  if (!v || !v->IsBool()) return std::nullopt;
  return v->GetBool();
}

std::string quote(std::string_view s) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace sy::json
