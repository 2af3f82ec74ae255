#pragma once
// What comes after the encoder: sentence-transformers pooling (+ L2 normalize) for embeddings,
// and the sequence-classification head plus the logits → scores activation.
#include <cstddef>
#include <vector>

#include "engine/encoder_forward.hpp"
#include "engine/encoder_weights.hpp"
#include "engine/model_config.hpp"

namespace sy::engine {

// Pools one sequence's hidden states [len, h] into out[modes*h], in sentence-transformers order
// (cls, max, mean, mean_sqrt_len). len must be > 0.
void pool_sequence(const float* hidden, size_t len, size_t h, const PoolingConfig& p, float* out);

// Scales v to unit L2 norm (left as is when its norm is 0).
void l2_normalize(float* v, size_t n);

// Applies the head activation to one row of logits in place.
void apply_head_activation(float* logits, size_t n, HeadActivation a);

// Runs the classification head on the first token of every sequence; returns raw logits
// [sequences, num_labels] row-major.
std::vector<float> classifier_logits(const EncoderWeights& w, const TokenBatch& batch, const float* hidden,
                                     size_t h, ComputePool& pool, LinearScratch& scratch);

}  // namespace sy::engine
