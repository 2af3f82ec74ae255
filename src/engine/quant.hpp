#pragma once
// int8 dynamic quantization kernels.
//   weights: per-output-channel symmetric, q = round(w / s), s = max|w_row| / 127
//   activations: per-row symmetric, computed for every call ("dynamic")
//   y[m,n] = (Σ_k xq[m,k] wq[n,k]) * xs[m] * ws[n]   with exact int32 accumulation
// The dot product uses AVX2 (sign-extend to int16 + vpmaddwd) when the CPU has it, a portable
// loop otherwise; both give identical integer results.
#include <cstddef>
#include <cstdint>

namespace sy::engine {

// Quantizes `rows` rows of `cols` floats; returns per-row scales in `scales`.
void quantize_rows(const float* x, size_t rows, size_t cols, int8_t* q, float* scales);

// y[m, n0..n1) = xq·wqᵀ * xs * ws (+ bias when non-null); ldy = row stride of y.
void gemm_s8(const int8_t* xq, const float* xs, size_t m, const int8_t* wq, const float* ws, const float* bias,
             size_t n0, size_t n1, size_t k, float* y, size_t ldy);

// Portable reference (used by tests to check the dispatching one).
void gemm_s8_portable(const int8_t* xq, const float* xs, size_t m, const int8_t* wq, const float* ws,
                      const float* bias, size_t n0, size_t n1, size_t k, float* y, size_t ldy);

}  // namespace sy::engine
