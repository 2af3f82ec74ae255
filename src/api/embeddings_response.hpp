// /v1/embeddings for models the gateway computes itself (the local engine): what such a model
// accepts, and the OpenAI response it answers with.
//
// Accepted: `input` a non-empty string or a non-empty array of non-empty strings (token-id arrays
// are refused: a local model has its own tokenizer), `encoding_format` float | base64, and
// `dimensions` only when it equals the model's own size (no truncation is done). Other members
// (user, ...) are ignored.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "api/errors.hpp"
#include "common/json.hpp"

namespace sy::api {

struct LocalEmbeddingsRequest {
  std::string model;
  std::vector<std::string> texts;
  bool base64 = false;   // encoding_format: base64
};

// `model_dim` is the length of the model's vectors (checked against `dimensions`).
std::variant<LocalEmbeddingsRequest, ApiError> parse_local_embeddings(const json::Value& body,
                                                                      size_t model_dim);

// Base64 of the vector's float32 values as little-endian bytes: what OpenAI sends for
// encoding_format=base64 (the SDKs decode it with numpy.frombuffer(..., dtype=float32)).
std::string base64_float32(const std::vector<float>& v);

// {"object":"list","data":[{"object":"embedding","index":i,"embedding":[...]|"<base64>"}],
//  "model":..,"usage":{"prompt_tokens":n,"total_tokens":n}}. Floats are written in the shortest
// form that reads back as the same float32.
std::string embeddings_response(const std::vector<std::vector<float>>& vectors, bool base64,
                                std::string_view model, int64_t prompt_tokens);

}  // namespace sy::api
