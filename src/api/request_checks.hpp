// Internal to api/: the small checks shared by the local-model request validators (embeddings,
// rerank, classify). Each returns an ApiError (400, invalid_request_error, `param` = JSON path) in
// the wording OpenAI uses, or nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/errors.hpp"
#include "common/json.hpp"

namespace sy::api::detail {

using Err = std::optional<ApiError>;

ApiError bad_param(std::string path, std::string message);
std::string index_path(std::string_view base, size_t i);   // base[i]
const char* json_type_name(const json::Value& v);

// `model`: a non-empty string.
Err read_model(const json::Value& body, std::string* out);
// A string, or an array of strings with at least one element (`path` names the member).
Err read_texts(const json::Value& v, const std::string& path, std::vector<std::string>* out);
// Optional integer in [lo, hi]; null = absent.
Err read_opt_int(const json::Value* v, const std::string& path, int64_t lo, int64_t hi,
                 std::optional<int64_t>* out);
// Optional boolean; null = absent.
Err read_opt_bool(const json::Value* v, const std::string& path, std::optional<bool>* out);

// The member named `name`, or else the one named `alias`; both present is an error (the client
// would not know which one was used). Sets *used to the name found.
Err find_aliased(const json::Value& body, std::string_view name, std::string_view alias,
                 const json::Value** out, std::string* used);

}  // namespace sy::api::detail
