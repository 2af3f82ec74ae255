#include "api/classify.hpp"

#include <algorithm>
#include <numeric>

#include "api/float_json.hpp"
#include "api/json_out.hpp"
#include "api/request_checks.hpp"

namespace sy::api {

using detail::bad_param;

std::variant<ClassifyRequest, ApiError> parse_classify_request(const json::Value& body) {
  ClassifyRequest req;
  if (!body.IsObject()) return bad_param("", "The request body must be a JSON object.");
  if (auto e = detail::read_model(body, &req.model)) return *e;

  const json::Value* in = nullptr;
  std::string in_name;
  if (auto e = detail::find_aliased(body, "input", "inputs", &in, &in_name)) return *e;
  if (!in) return bad_param("input", "Missing required parameter: 'input'.");
  if (auto e = detail::read_texts(*in, in_name, &req.inputs)) return *e;

  std::optional<int64_t> top_k;
  if (auto e = detail::read_opt_int(json::find(body, "top_k"), "top_k", 1, INT32_MAX, &top_k)) return *e;
  if (top_k) req.top_k = static_cast<size_t>(*top_k);
  return req;
}

std::string classify_response(const ClassifyRequest& req, const std::vector<std::vector<float>>& scores,
                              const std::vector<std::string>& labels, std::string_view model,
                              int64_t prompt_tokens) {
  rapidjson::StringBuffer buf;
  detail::Writer w(buf);
  w.StartObject();
  detail::kv(w, "object", "list");
  detail::kv(w, "model", model);
  detail::key(w, "data");
  w.StartArray();
  for (size_t i = 0; i < scores.size(); ++i) {
    const std::vector<float>& s = scores[i];
    std::vector<size_t> order(s.size());
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return s[a] > s[b]; });
    if (req.top_k && *req.top_k < order.size()) order.resize(*req.top_k);
    w.StartObject();
    detail::kv_int(w, "index", static_cast<int64_t>(i));
    detail::key(w, "labels");
    w.StartArray();
    for (size_t j : order) {
      w.StartObject();
      detail::kv(w, "label", j < labels.size() && !labels[j].empty() ? labels[j] : "LABEL_" + std::to_string(j));
      detail::key(w, "score");
      detail::write_float32(w, s[j]);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  detail::key(w, "usage");
  w.StartObject();
  detail::kv_int(w, "prompt_tokens", prompt_tokens);
  detail::kv_int(w, "total_tokens", prompt_tokens);
  w.EndObject();
  w.EndObject();
  return detail::text(buf);
}

}  // namespace sy::api
