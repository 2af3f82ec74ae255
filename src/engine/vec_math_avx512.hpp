#pragma once
// AVX-512 forms of vec_math's exp and exact GELU, for kernels that apply them to values still in
// registers (the int8 GEMM's tile epilogue) as well as for vec_math's own loops. Internal to the
// engine: callers must run only where AVX-512F is present (their own target attribute includes it).
// Same approximations as vec_math.hpp's scalar forms (Cephes exp, Abramowitz & Stegun 7.1.26 erf).
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#include <cstdint>

namespace sy::engine::avx512 {

inline constexpr float kLog2e = 1.44269504088896341f;
inline constexpr float kLn2Hi = 0.693359375f;
inline constexpr float kLn2Lo = -2.12194440e-4f;
inline constexpr float kP0 = 1.9875691500e-4f, kP1 = 1.3981999507e-3f, kP2 = 8.3334519073e-3f,
                       kP3 = 4.1665795894e-2f, kP4 = 1.6666665459e-1f, kP5 = 5.0000001201e-1f;
inline constexpr float kExpHi = 88.3762626647949f, kExpLo = -87.3365447504f;
inline constexpr float kErfP = 0.3275911f, kA1 = 0.254829592f, kA2 = -0.284496736f, kA3 = 1.421413741f,
                       kA4 = -1.453152027f, kA5 = 1.061405429f;

// GCC 12 warns maybe-uninitialized inside its own AVX-512 intrinsic headers (the _mm512_undefined_*
// pass-through operand of the unmasked forms, GCC bug 105593): a false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"

// exp(x) for x already in [kExpLo, kExpHi]: Cephes reduction to r = x − n·ln2 and polynomial, then
// y·2^n in one vscalefps (n is integral and in [-126, 128] here: the same exact product as building
// 2^n from its exponent bits and multiplying, three instructions fewer).
__attribute__((target("avx512f"))) inline __m512 exp512_in_range(__m512 x) {
  const __m512 fx = _mm512_roundscale_ps(_mm512_fmadd_ps(x, _mm512_set1_ps(kLog2e), _mm512_set1_ps(0.5f)),
                                         _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(fx, _mm512_set1_ps(kLn2Hi), x);
  r = _mm512_fnmadd_ps(fx, _mm512_set1_ps(kLn2Lo), r);
  __m512 y = _mm512_set1_ps(kP0);
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(kP1));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(kP2));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(kP3));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(kP4));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(kP5));
  y = _mm512_fmadd_ps(y, _mm512_mul_ps(r, r), _mm512_add_ps(r, _mm512_set1_ps(1.0f)));
  return _mm512_scalef_ps(y, fx);
}

__attribute__((target("avx512f"))) inline __m512 exp512(__m512 x) {
  return exp512_in_range(_mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(kExpLo)), _mm512_set1_ps(kExpHi)));
}

// 0.5·v·(1 + erf(v/√2)) = v·Φ(v), with erf from A&S 7.1.26 written as erfc: for x = v/√2,
// erfc(|x|) = q = P(t)·exp(−x²), t = 1/(1 + p|x|), so Φ = 1 − q/2 for x ≥ 0 and q/2 below (the
// halves folded into P's coefficients, exactly). Against the plain erf form this skips the sign
// copy and the 1 + erf step, and the exp is ~30% fewer instructions: no clamps (|x| is capped at
// 9 first, where q < 1e-36 and is taken as 0) and the power of two applied by vscalefps. 1/(1 + p|x|)
// uses rcp14 + one Newton step (relative error ~1e-7) instead of vdivps, whose 512-bit form is no
// faster per element than the 256-bit one. ~30 instructions per 16 values (was ~36).
__attribute__((target("avx512f"))) inline __m512 gelu_erf512(__m512 v) {
  const __m512 ax = _mm512_min_ps(_mm512_abs_ps(_mm512_mul_ps(v, _mm512_set1_ps(0.70710678118654752f))),
                                  _mm512_set1_ps(9.0f));
  const __m512 d = _mm512_fmadd_ps(_mm512_set1_ps(kErfP), ax, _mm512_set1_ps(1.0f));
  __m512 t = _mm512_rcp14_ps(d);
  t = _mm512_mul_ps(t, _mm512_fnmadd_ps(d, t, _mm512_set1_ps(2.0f)));
  __m512 p = _mm512_set1_ps(0.5f * kA5);
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.5f * kA4));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.5f * kA3));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.5f * kA2));
  p = _mm512_fmadd_ps(p, t, _mm512_set1_ps(0.5f * kA1));
  p = _mm512_mul_ps(p, t);
  // exp(z), z = −x² ∈ [−81, 0]: inside exp's range, so no clamps.
  const __m512 ez = exp512_in_range(_mm512_fnmadd_ps(ax, ax, _mm512_setzero_ps()));
  // erfc(|x|) / 2, exactly 0 past the cap (there it is < 1e-36 anyway) so that GELU(−inf) = 0
  const __mmask16 below_cap = _mm512_cmp_ps_mask(ax, _mm512_set1_ps(9.0f), _CMP_LT_OQ);
  const __m512 hq = _mm512_maskz_mul_ps(below_cap, p, ez);
  const __mmask16 pos = _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GE_OQ);
  const __m512 phi = _mm512_mask_sub_ps(hq, pos, _mm512_set1_ps(1.0f), hq);
  return _mm512_mul_ps(v, phi);
}

#pragma GCC diagnostic pop

}  // namespace sy::engine::avx512
#endif
