// POST /v1/classify: text classification by a sequence-classification model
// (docs/local-models.md).
//
// Request: {model, input: string | [string], top_k?: integer >= 1}; `inputs` (the name HF
// pipelines and TEI use) is accepted as an alias of `input`.
//
// Response:
//   {"object":"list","model":..,"data":[{"index":i,"labels":[{"label":..,"score":p},...]}],
//    "usage":{"prompt_tokens":n,"total_tokens":n}}
// Each input's labels are sorted by score descending (ties: label id order) and cut to top_k
// (default: all labels).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/errors.hpp"
#include "common/json.hpp"

namespace sy::api {

struct ClassifyRequest {
  std::string model;
  std::vector<std::string> inputs;
  std::optional<size_t> top_k;   // absent: every label
};

std::variant<ClassifyRequest, ApiError> parse_classify_request(const json::Value& body);

// `scores[i][j]` is input i's score for label j; `labels` are the model's names in id order (a
// label without a name is written "LABEL_<j>", as transformers does).
std::string classify_response(const ClassifyRequest& req, const std::vector<std::vector<float>>& scores,
                              const std::vector<std::string>& labels, std::string_view model,
                              int64_t prompt_tokens);

}  // namespace sy::api
