#include "api/rerank.hpp"

#include <algorithm>
#include <numeric>

#include "api/float_json.hpp"
#include "api/json_out.hpp"
#include "api/request_checks.hpp"

namespace sy::api {

using detail::bad_param;

namespace {

std::optional<ApiError> read_documents(const json::Value& v, const std::string& path,
                                       std::vector<std::string>* out) {
  if (!v.IsArray())
    return bad_param(path, "Invalid type for '" + path + "': expected an array, but got " +
                               detail::json_type_name(v) + ".");
  if (v.Empty())
    return bad_param(path, "Invalid '" + path + "': empty array. Expected an array with minimum length 1.");
  out->reserve(v.Size());
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    const std::string p = detail::index_path(path, i);
    const json::Value& d = v[i];
    if (d.IsString()) {
      out->emplace_back(json::view(d));
    } else if (d.IsObject()) {
      const json::Value* text = json::find(d, "text");
      if (!text) return bad_param(p + ".text", "Missing required parameter: '" + p + ".text'.");
      if (!text->IsString())
        return bad_param(p + ".text", "Invalid type for '" + p + ".text': expected a string, but got " +
                                          detail::json_type_name(*text) + ".");
      out->emplace_back(json::view(*text));
    } else {
      return bad_param(p, "Invalid type for '" + p + "': expected a string or an object with a 'text' string, but got " +
                              detail::json_type_name(d) + ".");
    }
  }
  return std::nullopt;
}

}  // namespace

std::variant<RerankRequest, ApiError> parse_rerank_request(const json::Value& body) {
  RerankRequest req;
  if (!body.IsObject()) return bad_param("", "The request body must be a JSON object.");
  if (auto e = detail::read_model(body, &req.model)) return *e;

  const json::Value* q = json::find(body, "query");
  if (!q) return bad_param("query", "Missing required parameter: 'query'.");
  if (!q->IsString())
    return bad_param("query", std::string("Invalid type for 'query': expected a string, but got ") +
                                  detail::json_type_name(*q) + ".");
  if (q->GetStringLength() == 0) return bad_param("query", "Invalid 'query': expected a non-empty string.");
  req.query = std::string(json::view(*q));

  const json::Value* docs = nullptr;
  std::string docs_name;
  if (auto e = detail::find_aliased(body, "documents", "texts", &docs, &docs_name)) return *e;
  if (!docs) return bad_param("documents", "Missing required parameter: 'documents'.");
  if (auto e = read_documents(*docs, docs_name, &req.documents)) return *e;

  std::optional<int64_t> top_n;
  if (auto e = detail::read_opt_int(json::find(body, "top_n"), "top_n", 1, INT32_MAX, &top_n)) return *e;
  if (top_n) req.top_n = static_cast<size_t>(*top_n);

  const json::Value* ret = nullptr;
  std::string ret_name;
  if (auto e = detail::find_aliased(body, "return_documents", "return_text", &ret, &ret_name)) return *e;
  std::optional<bool> rd;
  if (auto e = detail::read_opt_bool(ret, ret_name, &rd)) return *e;
  req.return_documents = rd.value_or(false);
  return req;
}

std::string rerank_response(const RerankRequest& req, const std::vector<float>& scores,
                            std::string_view model, int64_t prompt_tokens, std::string_view id) {
  std::vector<size_t> order(std::min(scores.size(), req.documents.size()));
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  if (req.top_n && *req.top_n < order.size()) order.resize(*req.top_n);

  rapidjson::StringBuffer buf;
  detail::Writer w(buf);
  w.StartObject();
  detail::kv(w, "id", id);
  detail::kv(w, "model", model);
  detail::key(w, "results");
  w.StartArray();
  for (size_t i : order) {
    w.StartObject();
    detail::kv_int(w, "index", static_cast<int64_t>(i));
    detail::key(w, "relevance_score");
    detail::write_float32(w, scores[i]);
    if (req.return_documents) {
      detail::key(w, "document");
      w.StartObject();
      detail::kv(w, "text", req.documents[i]);
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray();
  detail::key(w, "usage");
  w.StartObject();
  detail::kv_int(w, "prompt_tokens", prompt_tokens);
  detail::kv_int(w, "total_tokens", prompt_tokens);
  w.EndObject();
  detail::key(w, "meta");
  w.StartObject();
  detail::key(w, "billed_units");
  w.StartObject();
  detail::kv_int(w, "search_units", 1);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return detail::text(buf);
}

std::string new_rerank_id() { return detail::random_id("rerank-"); }

}  // namespace sy::api
