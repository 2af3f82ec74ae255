#pragma once
// Element-wise kernels of the encoder forward pass. Each has an AVX2+FMA path (chosen at run time
// with __builtin_cpu_supports, since the build is not -march=native) and a portable scalar path
// that computes the same approximations.
//
// exp: Cephes-style range reduction + degree-5 polynomial (relative error ~2e-7).
// erf: Abramowitz & Stegun 7.1.26 (absolute error <= 1.5e-7; ~4e-7 in float, from cancellation near 0), so exact GELU is off by at most
// 0.5*|x|*1.5e-7 — far below the fp32 comparison tolerance.
#include <cstddef>

namespace sy::engine {

bool cpu_has_avx2();

void gelu_erf_inplace(float* x, size_t n);   // 0.5 x (1 + erf(x / sqrt 2))
void gelu_tanh_inplace(float* x, size_t n);  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
void relu_inplace(float* x, size_t n);
void tanh_inplace(float* x, size_t n);
// Numerically stable softmax of one row in place.
void softmax_inplace(float* x, size_t n);
// softmax(scale · x) in place, scale > 0 (attention folds 1/sqrt(d) in here instead of a pass
// over the scores).
void softmax_scaled_inplace(float* x, size_t n, float scale);
// exp(scale · (x − max x)) in place, returning their sum: softmax without its last step (the caller
// divides by the sum later, where that costs less).
float softmax_scaled_unnormalized(float* x, size_t n, float scale);

// Scalar reference forms (also used by the fallback and by tests).
float fast_exp(float x);
float fast_erf(float x);

}  // namespace sy::engine
