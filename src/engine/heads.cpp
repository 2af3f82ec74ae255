#include "engine/heads.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "engine/vec_math.hpp"

namespace sy::engine {

void pool_sequence(const float* hidden, size_t len, size_t h, const PoolingConfig& p, float* out) {
  if (len == 0) {
    std::fill(out, out + h * static_cast<size_t>(p.modes()), 0.0f);
    return;
  }
  if (p.cls) {
    std::memcpy(out, hidden, h * sizeof(float));
    out += h;
  }
  if (p.max) {
    std::fill(out, out + h, -std::numeric_limits<float>::infinity());
    for (size_t t = 0; t < len; ++t)
      for (size_t j = 0; j < h; ++j) out[j] = std::max(out[j], hidden[t * h + j]);
    out += h;
  }
  if (p.mean || p.mean_sqrt_len) {
    std::vector<double> sum(h, 0.0);
    for (size_t t = 0; t < len; ++t)
      for (size_t j = 0; j < h; ++j) sum[j] += hidden[t * h + j];
    if (p.mean) {
      for (size_t j = 0; j < h; ++j) out[j] = static_cast<float>(sum[j] / static_cast<double>(len));
      out += h;
    }
    if (p.mean_sqrt_len) {
      const double d = std::sqrt(static_cast<double>(len));
      for (size_t j = 0; j < h; ++j) out[j] = static_cast<float>(sum[j] / d);
    }
  }
}

void l2_normalize(float* v, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; ++i) s += double(v[i]) * v[i];
  // sentence-transformers' Normalize uses F.normalize, which clamps the norm at 1e-12.
  const double norm = std::max(std::sqrt(s), 1e-12);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<float>(v[i] / norm);
}

void apply_head_activation(float* logits, size_t n, HeadActivation a) {
  switch (a) {
    case HeadActivation::identity:
      return;
    case HeadActivation::sigmoid:
      for (size_t i = 0; i < n; ++i) logits[i] = 1.0f / (1.0f + std::exp(-logits[i]));
      return;
    case HeadActivation::softmax: {
      if (n == 0) return;
      float m = *std::max_element(logits, logits + n);
      double s = 0.0;
      for (size_t i = 0; i < n; ++i) s += std::exp(double(logits[i] - m));
      for (size_t i = 0; i < n; ++i) logits[i] = static_cast<float>(std::exp(double(logits[i] - m)) / s);
      return;
    }
  }
}

std::vector<float> classifier_logits(const EncoderWeights& w, const TokenBatch& batch, const float* hidden,
                                     size_t h, ComputePool& pool, LinearScratch& scratch) {
  const size_t S = batch.sequences();
  std::vector<float> first(S * h), dense(S * h);
  for (size_t s = 0; s < S; ++s) std::memcpy(first.data() + s * h, hidden + batch.offsets[s] * h, h * sizeof(float));
  linear_forward(pool, w.classifier.dense, first.data(), S, dense.data(), w.classifier.dense_act, scratch);
  std::vector<float> logits(S * static_cast<size_t>(w.classifier.out.out));
  linear_forward(pool, w.classifier.out, dense.data(), S, logits.data(), Epilogue::none, scratch);
  return logits;
}

}  // namespace sy::engine
