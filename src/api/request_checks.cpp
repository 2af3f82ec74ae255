#include "api/request_checks.hpp"

namespace sy::api::detail {

ApiError bad_param(std::string path, std::string message) {
  ApiError e;
  e.status = 400;
  e.type = "invalid_request_error";
  e.message = std::move(message);
  e.param = std::move(path);
  return e;
}

std::string index_path(std::string_view base, size_t i) {
  return std::string(base) + "[" + std::to_string(i) + "]";
}

const char* json_type_name(const json::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "boolean";
  if (v.IsNumber()) return "number";
  if (v.IsString()) return "string";
  if (v.IsArray()) return "array";
  return "object";
}

Err read_model(const json::Value& body, std::string* out) {
  const json::Value* m = json::find(body, "model");
  if (!m) return bad_param("model", "Missing required parameter: 'model'.");
  if (!m->IsString())
    return bad_param("model", std::string("Invalid type for 'model': expected a string, but got ") +
                                  json_type_name(*m) + ".");
  if (m->GetStringLength() == 0) return bad_param("model", "Invalid 'model': expected a non-empty string.");
  *out = std::string(json::view(*m));
  return std::nullopt;
}

Err read_texts(const json::Value& v, const std::string& path, std::vector<std::string>* out) {
  out->clear();
  if (v.IsString()) {
    out->emplace_back(json::view(v));
    return std::nullopt;
  }
  if (!v.IsArray())
    return bad_param(path, "Invalid type for '" + path + "': expected a string or an array of strings, but got " +
                               json_type_name(v) + ".");
  if (v.Empty())
    return bad_param(path, "Invalid '" + path + "': empty array. Expected an array with minimum length 1.");
  out->reserve(v.Size());
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    if (!v[i].IsString()) {
      std::string p = index_path(path, i);
      return bad_param(p, "Invalid type for '" + p + "': expected a string, but got " + json_type_name(v[i]) + ".");
    }
    out->emplace_back(json::view(v[i]));
  }
  return std::nullopt;
}

Err read_opt_int(const json::Value* v, const std::string& path, int64_t lo, int64_t hi,
                 std::optional<int64_t>* out) {
  out->reset();
  if (!v || v->IsNull()) return std::nullopt;
  if (!v->IsInt64())
    return bad_param(path, "Invalid type for '" + path + "': expected an integer, but got " +
                               (v->IsNumber() ? std::string("a decimal") : std::string(json_type_name(*v))) + ".");
  const int64_t i = v->GetInt64();
  if (i < lo)
    return bad_param(path, "Invalid '" + path + "': integer below minimum value. Expected a value >= " +
                               std::to_string(lo) + ", but got " + std::to_string(i) + " instead.");
  if (i > hi)
    return bad_param(path, "Invalid '" + path + "': integer above maximum value. Expected a value <= " +
                               std::to_string(hi) + ", but got " + std::to_string(i) + " instead.");
  *out = i;
  return std::nullopt;
}

Err read_opt_bool(const json::Value* v, const std::string& path, std::optional<bool>* out) {
  out->reset();
  if (!v || v->IsNull()) return std::nullopt;
  if (!v->IsBool())
    return bad_param(path, "Invalid type for '" + path + "': expected a boolean, but got " + json_type_name(*v) + ".");
  *out = v->GetBool();
  return std::nullopt;
}

Err find_aliased(const json::Value& body, std::string_view name, std::string_view alias,
                 const json::Value** out, std::string* used) {
  const json::Value* a = json::find(body, name);
  const json::Value* b = json::find(body, alias);
  if (a && b)
    return bad_param(std::string(alias), "Give either '" + std::string(name) + "' or '" + std::string(alias) +
                                             "' (an alias of it), not both.");
  *out = a ? a : b;
  *used = std::string(a || !b ? name : alias);
  return std::nullopt;
}

}  // namespace sy::api::detail
