#include "engine/quant.hpp"

#include <algorithm>
#include <cmath>

#include "engine/vec_math.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SY_X86 1
#endif

namespace sy::engine {

void quantize_rows(const float* x, size_t rows, size_t cols, int8_t* q, float* scales) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float amax = 0.0f;
    for (size_t c = 0; c < cols; ++c) amax = std::max(amax, std::fabs(xr[c]));
    const float s = amax > 0.0f ? amax / 127.0f : 1.0f;
    const float inv = 1.0f / s;
    int8_t* qr = q + r * cols;
    for (size_t c = 0; c < cols; ++c) {
      float v = std::nearbyint(xr[c] * inv);
      qr[c] = static_cast<int8_t>(std::clamp(v, -127.0f, 127.0f));
    }
    scales[r] = s;
  }
}

void gemm_s8_portable(const int8_t* xq, const float* xs, size_t m, const int8_t* wq, const float* ws,
                      const float* bias, size_t n0, size_t n1, size_t k, float* y, size_t ldy) {
  for (size_t i = 0; i < m; ++i) {
    const int8_t* a = xq + i * k;
    for (size_t n = n0; n < n1; ++n) {
      const int8_t* b = wq + n * k;
      int32_t acc = 0;
      for (size_t p = 0; p < k; ++p) acc += int32_t(a[p]) * int32_t(b[p]);
      y[i * ldy + n] = float(acc) * xs[i] * ws[n] + (bias ? bias[n] : 0.0f);
    }
  }
}

#ifdef SY_X86
namespace {

__attribute__((target("avx2"))) inline int32_t hsum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

// 16 int8 → 16 int16 lanes
__attribute__((target("avx2"))) inline __m256i load16(const int8_t* p) {
  return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

// Four activation rows against one weight row at a time: the weight row is loaded once per
// 16-element step and reused from registers. vpmaddwd on sign-extended int16 cannot saturate
// (|a·b| ≤ 127², pair sums ≤ 2·127²), unlike vpmaddubsw.
__attribute__((target("avx2"))) void gemm_s8_avx2(const int8_t* xq, const float* xs, size_t m, const int8_t* wq,
                                                   const float* ws, const float* bias, size_t n0, size_t n1,
                                                   size_t k, float* y, size_t ldy) {
  const size_t k16 = k / 16 * 16;
  size_t i = 0;
  for (; i + 4 <= m; i += 4) {
    const int8_t* a0 = xq + (i + 0) * k;
    const int8_t* a1 = xq + (i + 1) * k;
    const int8_t* a2 = xq + (i + 2) * k;
    const int8_t* a3 = xq + (i + 3) * k;
    for (size_t n = n0; n < n1; ++n) {
      const int8_t* b = wq + n * k;
      __m256i c0 = _mm256_setzero_si256(), c1 = c0, c2 = c0, c3 = c0;
      for (size_t p = 0; p < k16; p += 16) {
        __m256i vb = load16(b + p);
        c0 = _mm256_add_epi32(c0, _mm256_madd_epi16(load16(a0 + p), vb));
        c1 = _mm256_add_epi32(c1, _mm256_madd_epi16(load16(a1 + p), vb));
        c2 = _mm256_add_epi32(c2, _mm256_madd_epi16(load16(a2 + p), vb));
        c3 = _mm256_add_epi32(c3, _mm256_madd_epi16(load16(a3 + p), vb));
      }
      int32_t s0 = hsum(c0), s1 = hsum(c1), s2 = hsum(c2), s3 = hsum(c3);
      for (size_t p = k16; p < k; ++p) {
        s0 += int32_t(a0[p]) * b[p];
        s1 += int32_t(a1[p]) * b[p];
        s2 += int32_t(a2[p]) * b[p];
        s3 += int32_t(a3[p]) * b[p];
      }
      const float bb = bias ? bias[n] : 0.0f;
      y[(i + 0) * ldy + n] = float(s0) * xs[i + 0] * ws[n] + bb;
      y[(i + 1) * ldy + n] = float(s1) * xs[i + 1] * ws[n] + bb;
      y[(i + 2) * ldy + n] = float(s2) * xs[i + 2] * ws[n] + bb;
      y[(i + 3) * ldy + n] = float(s3) * xs[i + 3] * ws[n] + bb;
    }
  }
  for (; i < m; ++i) {
    const int8_t* a = xq + i * k;
    for (size_t n = n0; n < n1; ++n) {
      const int8_t* b = wq + n * k;
      __m256i c = _mm256_setzero_si256();
      for (size_t p = 0; p < k16; p += 16) c = _mm256_add_epi32(c, _mm256_madd_epi16(load16(a + p), load16(b + p)));
      int32_t s = hsum(c);
      for (size_t p = k16; p < k; ++p) s += int32_t(a[p]) * b[p];
      y[i * ldy + n] = float(s) * xs[i] * ws[n] + (bias ? bias[n] : 0.0f);
    }
  }
}

}  // namespace
#endif

void gemm_s8(const int8_t* xq, const float* xs, size_t m, const int8_t* wq, const float* ws, const float* bias,
             size_t n0, size_t n1, size_t k, float* y, size_t ldy) {
#ifdef SY_X86
  if (cpu_has_avx2()) return gemm_s8_avx2(xq, xs, m, wq, ws, bias, n0, n1, k, y, ldy);
#endif
  gemm_s8_portable(xq, xs, m, wq, ws, bias, n0, n1, k, y, ldy);
}

}  // namespace sy::engine
