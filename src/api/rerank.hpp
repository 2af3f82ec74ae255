// POST /v1/rerank: a query scored against documents by a cross-encoder (docs/local-models.md).
//
// Request, as Cohere v2 and Jina clients send it:
//   {model, query, documents: [string | {"text": string}], top_n?, return_documents? = false}
// TEI clients' names are accepted as aliases: `texts` for documents, `return_text` for
// return_documents (giving both names of one field is an error).
//
// Response:
//   {"id":"rerank-…","model":..,"results":[{"index":i,"relevance_score":s,"document":{"text":..}}],
//    "usage":{"prompt_tokens":n,"total_tokens":n},"meta":{"billed_units":{"search_units":1}}}
// results sorted by relevance_score descending (ties: lower index first), cut to top_n; `document`
// only when return_documents is true.
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

struct RerankRequest {
  std::string model;
  std::string query;
  std::vector<std::string> documents;
  std::optional<size_t> top_n;        // absent: every document
  bool return_documents = false;
};

std::variant<RerankRequest, ApiError> parse_rerank_request(const json::Value& body);

// `scores[i]` is documents[i]'s relevance; `id` is the response id ("rerank-…").
std::string rerank_response(const RerankRequest& req, const std::vector<float>& scores,
                            std::string_view model, int64_t prompt_tokens, std::string_view id);

// A fresh response id: "rerank-" + 24 random alphanumerics.
std::string new_rerank_id();

}  // namespace sy::api
