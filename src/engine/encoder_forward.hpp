#pragma once
// The encoder forward pass over a packed batch: sequences are concatenated without padding
// (offsets mark where each starts), so linear layers run on exactly the real tokens and attention
// runs per sequence over its own length — padded positions cost nothing and need no mask.
// All intermediate buffers live in a Workspace that grows to the largest batch and is reused.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/aligned_vector.hpp"
#include "engine/compute_pool.hpp"
#include "engine/encoder_weights.hpp"
#include "engine/model_config.hpp"

namespace sy::engine {

struct TokenBatch {
  std::vector<int32_t> ids;
  std::vector<int32_t> type_ids;
  std::vector<size_t> offsets{0};  // sequence s is [offsets[s], offsets[s+1])

  void add(std::span<const int32_t> seq_ids, std::span<const int32_t> seq_types);
  void clear();
  size_t tokens() const { return ids.size(); }
  size_t sequences() const { return offsets.size() - 1; }
  size_t length(size_t s) const { return offsets[s + 1] - offsets[s]; }
};

struct Workspace {
  AlignedVector<float> x;       // [T, H] hidden states (the output)
  AlignedVector<float> qkv;     // [T, 3H]
  AlignedVector<float> ctx;     // [T, H]
  AlignedVector<float> tmp;     // [T, H]
  AlignedVector<float> inter;   // [T, I]
  AlignedVector<float> scores;  // per worker [Lmax, Lmax]
  AlignedVector<float> kv;      // per worker: K and V of one head packed as GEMM panels
  std::vector<float> sums;      // per worker [Lmax]: softmax row sums of one head
  std::vector<int32_t> positions;
  LinearScratch lin;
  // int8 models: the hidden states quantized by the LayerNorm that wrote them (input of the next
  // QKV / FFN-in layer) and the FFN's GELU output quantized by the FFN-in layer (input of FFN-out).
  QuantizedRows hq;
  QuantizedRows iq;
};

// Runs embeddings + all layers; returns the final hidden states [tokens, H] (inside ws.x).
// Throws EngineError for an id outside the vocabulary or a sequence longer than the position
// table.
const float* encoder_forward(const EncoderWeights& w, const ModelConfig& cfg, const TokenBatch& batch,
                             ComputePool& pool, Workspace& ws);

// out = LayerNorm(a + b) row-wise over `rows` rows of width h. out may alias b.
void add_layer_norm(const float* a, const float* b, float* out, size_t rows, size_t h, const LayerNormWeights& ln,
                    float eps);
// The same, and each output row also quantized (quantize_rows_u8 form) into rows [0, rows) of q
// while it is in cache, for the int8 Linear that reads it next: no min/max pass of its own.
void add_layer_norm_q8(const float* a, const float* b, float* out, size_t rows, size_t h,
                       const LayerNormWeights& ln, float eps, uint8_t* q, size_t ldq, float* scale, int32_t* zero);

}  // namespace sy::engine
