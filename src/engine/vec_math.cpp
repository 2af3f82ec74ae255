#include "engine/vec_math.hpp"

#include "engine/vec_math_avx512.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SY_X86 1
#endif

namespace sy::engine {

namespace {
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kP0 = 1.9875691500e-4f, kP1 = 1.3981999507e-3f, kP2 = 8.3334519073e-3f,
                kP3 = 4.1665795894e-2f, kP4 = 1.6666665459e-1f, kP5 = 5.0000001201e-1f;
constexpr float kExpHi = 88.3762626647949f, kExpLo = -87.3365447504f;
// A&S 7.1.26
constexpr float kErfP = 0.3275911f, kA1 = 0.254829592f, kA2 = -0.284496736f, kA3 = 1.421413741f,
                kA4 = -1.453152027f, kA5 = 1.061405429f;
}  // namespace

float fast_exp(float x) {
  x = std::min(std::max(x, kExpLo), kExpHi);
  float fx = std::floor(x * kLog2e + 0.5f);
  float r = x - fx * kLn2Hi - fx * kLn2Lo;
  float y = ((((kP0 * r + kP1) * r + kP2) * r + kP3) * r + kP4) * r + kP5;
  y = y * r * r + r + 1.0f;
  int32_t e = static_cast<int32_t>(fx) + 127;
  uint32_t bits = static_cast<uint32_t>(e) << 23;
  float scale;
  std::memcpy(&scale, &bits, 4);
  return y * scale;
}

float fast_erf(float x) {
  float ax = std::fabs(x);
  float t = 1.0f / (1.0f + kErfP * ax);
  float poly = ((((kA5 * t + kA4) * t + kA3) * t + kA2) * t + kA1) * t;
  float r = 1.0f - poly * fast_exp(-ax * ax);
  return std::copysign(r, x);
}

#ifdef SY_X86
namespace {

using avx512::exp512;
using avx512::gelu_erf512;

__attribute__((target("avx2,fma"))) inline __m256 exp256(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(kExpLo)), _mm256_set1_ps(kExpHi));
  __m256 fx = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(kLog2e), _mm256_set1_ps(0.5f)));
  __m256 r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(kLn2Hi), x);
  r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(kLn2Lo), r);
  __m256 y = _mm256_set1_ps(kP0);
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(kP1));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(kP2));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(kP3));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(kP4));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(kP5));
  y = _mm256_fmadd_ps(y, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.0f)));
  __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(fx), _mm256_set1_epi32(127));
  return _mm256_mul_ps(y, _mm256_castsi256_ps(_mm256_slli_epi32(e, 23)));
}

__attribute__((target("avx2,fma"))) inline __m256 erf256(__m256 x) {
  const __m256 sign_mask = _mm256_set1_ps(-0.0f);
  __m256 ax = _mm256_andnot_ps(sign_mask, x);
  __m256 t = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_fmadd_ps(_mm256_set1_ps(kErfP), ax, _mm256_set1_ps(1.0f)));
  __m256 p = _mm256_set1_ps(kA5);
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(kA4));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(kA3));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(kA2));
  p = _mm256_fmadd_ps(p, t, _mm256_set1_ps(kA1));
  p = _mm256_mul_ps(p, t);
  __m256 e = exp256(_mm256_sub_ps(_mm256_setzero_ps(), _mm256_mul_ps(ax, ax)));
  __m256 r = _mm256_fnmadd_ps(p, e, _mm256_set1_ps(1.0f));
  return _mm256_or_ps(r, _mm256_and_ps(x, sign_mask));
}

__attribute__((target("avx2,fma"))) void gelu_erf_avx2(float* x, size_t n) {
  size_t i = 0;
  const __m256 inv_sqrt2 = _mm256_set1_ps(0.70710678118654752f);
  const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    __m256 g = _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, erf256(_mm256_mul_ps(v, inv_sqrt2))));
    _mm256_storeu_ps(x + i, g);
  }
  for (; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + fast_erf(x[i] * 0.70710678118654752f));
}

// GCC 12 warns maybe-uninitialized inside its own AVX-512 intrinsic headers (the _mm512_undefined_*
// pass-through operand of the unmasked forms, GCC bug 105593; "is used uninitialized" for the
// reductions): a false positive, silenced for this block only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

__attribute__((target("avx512f"))) void gelu_erf_avx512(float* x, size_t n) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(x + i, gelu_erf512(_mm512_loadu_ps(x + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(x + i, m, gelu_erf512(_mm512_maskz_loadu_ps(m, x + i)));
  }
}

// exp(scale · (x − max x)) in place, returning the sum: one pass for the max, one for exp and the
// sum. softmax_scaled_avx512 adds the pass that normalizes; attention leaves it out and scales
// the P·V rows instead (d values per row instead of L).
__attribute__((target("avx512f"))) float softmax_scaled_unnormalized_avx512(float* x, size_t n, float scale) {
  size_t i = 0;
  __m512 vmax = _mm512_set1_ps(-INFINITY);
  for (; i + 16 <= n; i += 16) vmax = _mm512_max_ps(vmax, _mm512_loadu_ps(x + i));
  if (i < n) {
    const __mmask16 mk = static_cast<__mmask16>((1u << (n - i)) - 1);
    vmax = _mm512_mask_max_ps(vmax, mk, vmax, _mm512_maskz_loadu_ps(mk, x + i));
  }
  const float m = _mm512_reduce_max_ps(vmax);
  const __m512 vs = _mm512_set1_ps(scale), vneg = _mm512_set1_ps(-m * scale);
  __m512 vsum = _mm512_setzero_ps();
  for (i = 0; i + 16 <= n; i += 16) {
    const __m512 e = exp512(_mm512_fmadd_ps(_mm512_loadu_ps(x + i), vs, vneg));
    _mm512_storeu_ps(x + i, e);
    vsum = _mm512_add_ps(vsum, e);
  }
  if (i < n) {
    const __mmask16 mk = static_cast<__mmask16>((1u << (n - i)) - 1);
    const __m512 e = _mm512_maskz_mov_ps(mk, exp512(_mm512_fmadd_ps(_mm512_maskz_loadu_ps(mk, x + i), vs, vneg)));
    _mm512_mask_storeu_ps(x + i, mk, e);
    vsum = _mm512_add_ps(vsum, e);
  }
  return _mm512_reduce_add_ps(vsum);
}

__attribute__((target("avx512f"))) void softmax_scaled_avx512(float* x, size_t n, float scale) {
  const __m512 inv = _mm512_set1_ps(1.0f / softmax_scaled_unnormalized_avx512(x, n, scale));
  size_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(x + i, _mm512_mul_ps(_mm512_loadu_ps(x + i), inv));
  if (i < n) {
    const __mmask16 mk = static_cast<__mmask16>((1u << (n - i)) - 1);
    _mm512_mask_storeu_ps(x + i, mk, _mm512_mul_ps(_mm512_maskz_loadu_ps(mk, x + i), inv));
  }
}

#pragma GCC diagnostic pop

bool cpu_has_avx512f() {
  static const bool has = __builtin_cpu_supports("avx512f");
  return has;
}

// tanh(y) = 1 - 2 / (exp(2y) + 1); saturates correctly at both ends thanks to the exp clamp.
__attribute__((target("avx2,fma"))) inline __m256 tanh256(__m256 y) {
  __m256 e = exp256(_mm256_add_ps(y, y));
  return _mm256_sub_ps(_mm256_set1_ps(1.0f),
                       _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
}

__attribute__((target("avx2,fma"))) void gelu_tanh_avx2(float* x, size_t n) {
  size_t i = 0;
  const __m256 k0 = _mm256_set1_ps(0.7978845608028654f), k1 = _mm256_set1_ps(0.044715f);
  const __m256 half = _mm256_set1_ps(0.5f), one = _mm256_set1_ps(1.0f);
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    __m256 inner = _mm256_mul_ps(k0, _mm256_fmadd_ps(_mm256_mul_ps(k1, v), _mm256_mul_ps(v, v), v));
    _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_mul_ps(half, v), _mm256_add_ps(one, tanh256(inner))));
  }
  for (; i < n; ++i) {
    float v = x[i];
    float inner = 0.7978845608028654f * (v + 0.044715f * v * v * v);
    x[i] = 0.5f * v * (1.0f + (1.0f - 2.0f / (fast_exp(2.0f * inner) + 1.0f)));
  }
}

__attribute__((target("avx2,fma"))) void tanh_avx2(float* x, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, tanh256(_mm256_loadu_ps(x + i)));
  for (; i < n; ++i) x[i] = std::tanh(x[i]);
}

__attribute__((target("avx2,fma"))) void softmax_avx2(float* x, size_t n) {
  size_t i = 0;
  __m256 vmax = _mm256_set1_ps(-INFINITY);
  for (; i + 8 <= n; i += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(x + i));
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, vmax);
  float m = lanes[0];
  for (int k = 1; k < 8; ++k) m = std::max(m, lanes[k]);
  for (; i < n; ++i) m = std::max(m, x[i]);
  const __m256 vm = _mm256_set1_ps(m);
  __m256 vsum = _mm256_setzero_ps();
  for (i = 0; i + 8 <= n; i += 8) {
    __m256 e = exp256(_mm256_sub_ps(_mm256_loadu_ps(x + i), vm));
    _mm256_storeu_ps(x + i, e);
    vsum = _mm256_add_ps(vsum, e);
  }
  _mm256_store_ps(lanes, vsum);
  float s = 0.0f;
  for (int k = 0; k < 8; ++k) s += lanes[k];
  for (; i < n; ++i) {
    x[i] = fast_exp(x[i] - m);
    s += x[i];
  }
  const __m256 inv = _mm256_set1_ps(1.0f / s);
  for (i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(x + i, _mm256_mul_ps(_mm256_loadu_ps(x + i), inv));
  for (; i < n; ++i) x[i] *= 1.0f / s;
}

}  // namespace
#endif

bool cpu_has_avx2() {
#ifdef SY_X86
  static const bool has = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return has;
#else
  return false;
#endif
}

void gelu_erf_inplace(float* x, size_t n) {
#ifdef SY_X86
  if (cpu_has_avx512f()) return gelu_erf_avx512(x, n);
  if (cpu_has_avx2()) return gelu_erf_avx2(x, n);
#endif
  for (size_t i = 0; i < n; ++i) x[i] = 0.5f * x[i] * (1.0f + fast_erf(x[i] * 0.70710678118654752f));
}

void gelu_tanh_inplace(float* x, size_t n) {
#ifdef SY_X86
  if (cpu_has_avx2()) return gelu_tanh_avx2(x, n);
#endif
  for (size_t i = 0; i < n; ++i) {
    float v = x[i];
    x[i] = 0.5f * v * (1.0f + std::tanh(0.7978845608028654f * (v + 0.044715f * v * v * v)));
  }
}

void relu_inplace(float* x, size_t n) {
  for (size_t i = 0; i < n; ++i) x[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void tanh_inplace(float* x, size_t n) {
#ifdef SY_X86
  if (cpu_has_avx2()) return tanh_avx2(x, n);
#endif
  for (size_t i = 0; i < n; ++i) x[i] = std::tanh(x[i]);
}

void softmax_scaled_inplace(float* x, size_t n, float scale) {
  if (n == 0) return;
#ifdef SY_X86
  if (cpu_has_avx512f()) return softmax_scaled_avx512(x, n, scale);
#endif
  const float inv = 1.0f / softmax_scaled_unnormalized(x, n, scale);  // its portable path here
  for (size_t i = 0; i < n; ++i) x[i] *= inv;
}

float softmax_scaled_unnormalized(float* x, size_t n, float scale) {
  if (n == 0) return 0.0f;
#ifdef SY_X86
  if (cpu_has_avx512f()) return softmax_scaled_unnormalized_avx512(x, n, scale);
#endif
  float m = x[0];
  for (size_t i = 1; i < n; ++i) m = std::max(m, x[i]);
  float s = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    x[i] = fast_exp((x[i] - m) * scale);
    s += x[i];
  }
  return s;
}

void softmax_inplace(float* x, size_t n) {
  if (n == 0) return;
#ifdef SY_X86
  if (cpu_has_avx2()) return softmax_avx2(x, n);
#endif
  float m = x[0];
  for (size_t i = 1; i < n; ++i) m = std::max(m, x[i]);
  float s = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    x[i] = fast_exp(x[i] - m);
    s += x[i];
  }
  const float inv = 1.0f / s;
  for (size_t i = 0; i < n; ++i) x[i] *= inv;
}

}  // namespace sy::engine
