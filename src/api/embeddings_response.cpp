#include "api/embeddings_response.hpp"

#include <cstring>

#include "api/float_json.hpp"
#include "api/json_out.hpp"
#include "api/request_checks.hpp"

namespace sy::api {

using detail::bad_param;

std::variant<LocalEmbeddingsRequest, ApiError> parse_local_embeddings(const json::Value& body,
                                                                      size_t model_dim) {
  LocalEmbeddingsRequest req;
  if (!body.IsObject()) return bad_param("", "The request body must be a JSON object.");
  if (auto e = detail::read_model(body, &req.model)) return *e;

  const json::Value* in = json::find(body, "input");
  if (!in) return bad_param("input", "Missing required parameter: 'input'.");
  if (in->IsArray() && !in->Empty() && ((*in)[0].IsNumber() || (*in)[0].IsArray()))
    return bad_param("input", "Invalid 'input': local models take text input, not token ids.");
  if (auto e = detail::read_texts(*in, "input", &req.texts)) return *e;
  for (size_t i = 0; i < req.texts.size(); ++i) {
    if (!req.texts[i].empty()) continue;
    std::string p = in->IsArray() ? detail::index_path("input", i) : std::string("input");
    return bad_param(p, "Invalid '" + p + "': empty string. Expected a non-empty string.");
  }

  if (const json::Value* f = json::find(body, "encoding_format"); f && !f->IsNull()) {
    if (!f->IsString())
      return bad_param("encoding_format", std::string("Invalid type for 'encoding_format': expected a string, but got ") +
                                              detail::json_type_name(*f) + ".");
    std::string_view v = json::view(*f);
    if (v != "float" && v != "base64")
      return bad_param("encoding_format", "Invalid value: '" + std::string(v) +
                                              "'. Supported values are: 'float' and 'base64'.");
    req.base64 = v == "base64";
  }

  std::optional<int64_t> dims;
  if (auto e = detail::read_opt_int(json::find(body, "dimensions"), "dimensions", 1, INT64_MAX, &dims)) return *e;
  if (dims && static_cast<size_t>(*dims) != model_dim)
    return bad_param("dimensions", "Invalid 'dimensions': model '" + req.model + "' makes vectors of " +
                                       std::to_string(model_dim) + " dimensions and cannot shorten them; leave "
                                       "'dimensions' out or set it to " + std::to_string(model_dim) + ".");
  return req;
}

std::string base64_float32(const std::vector<float>& v) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes(v.size() * 4, '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    uint32_t bits;
    std::memcpy(&bits, &v[i], 4);
    for (int b = 0; b < 4; ++b) bytes[i * 4 + b] = static_cast<char>((bits >> (8 * b)) & 0xFF);  // little-endian
  }
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto byte = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[k])); };
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    out += kAlphabet[n >> 6 & 63];
    out += kAlphabet[n & 63];
  }
  if (const size_t rest = bytes.size() - i; rest) {
    uint32_t n = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out += kAlphabet[n >> 18 & 63];
    out += kAlphabet[n >> 12 & 63];
    out += rest == 2 ? kAlphabet[n >> 6 & 63] : '=';
    out += '=';
  }
  return out;
}

std::string embeddings_response(const std::vector<std::vector<float>>& vectors, bool base64,
                                std::string_view model, int64_t prompt_tokens) {
  rapidjson::StringBuffer buf;
  detail::Writer w(buf);
  w.StartObject();
  detail::kv(w, "object", "list");
  detail::key(w, "data");
  w.StartArray();
  for (size_t i = 0; i < vectors.size(); ++i) {
    w.StartObject();
    detail::kv(w, "object", "embedding");
    detail::kv_int(w, "index", static_cast<int64_t>(i));
    detail::key(w, "embedding");
    if (base64) {
      detail::str(w, base64_float32(vectors[i]));
    } else {
      w.StartArray();
      for (float f : vectors[i]) detail::write_float32(w, f);
      w.EndArray();
    }
    w.EndObject();
  }
  w.EndArray();
  detail::kv(w, "model", model);
  detail::key(w, "usage");
  w.StartObject();
  detail::kv_int(w, "prompt_tokens", prompt_tokens);
  detail::kv_int(w, "total_tokens", prompt_tokens);
  w.EndObject();
  w.EndObject();
  return detail::text(buf);
}

}  // namespace sy::api
