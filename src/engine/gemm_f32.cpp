#include "engine/gemm_f32.hpp"

#include <algorithm>
#include <cmath>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SY_X86 1
#endif

namespace sy::engine {

namespace {

constexpr size_t kPanel = kF32PanelCols;
constexpr size_t kMr = 12;  // rows per micro-tile
// k-steps per block: the weight micro-panel (kKc × 32 floats = 16 KiB) and one 12-row tile of
// activations (6 KiB) fit the 32 KiB L1 together while a block's tiles pass over the panel.
constexpr size_t kKc = 128;
// Rows per block: the block's activations (kMc × kKc floats = 108 KiB) stay in L2 while all of a
// worker's weight panels pass over them.
constexpr size_t kMc = 144;
// Bytes of activations per row block (half of this machine class's 1 MiB L2), and the longest
// k chunk copied at once (k = 3072 runs as four chunks, so row blocks stay 144 rows tall).
constexpr size_t kL2Rows = 512 * 1024;
constexpr size_t kKo = 768;
// Columns per call of the row epilogue.
constexpr size_t kPostCols = 8 * kPanel;
// Output columns from which the activations are copied (see gemm_avx512).
constexpr size_t kCopyMinCols = 8 * kPanel;

size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

void gemm_portable(const float* x, size_t ldx, size_t m, const float* wp, size_t k, const float* bias, size_t n0,
                   size_t n1, float* y, size_t ldy, RowEpilogue post) {
  for (size_t i = 0; i < m; ++i) {
    const float* xr = x + i * ldx;
    for (size_t j = n0; j < n1; ++j) {
      const float* b = wp + (j / kPanel) * k * kPanel + j % kPanel;
      float acc = 0.0f;
      for (size_t p = 0; p < k; ++p) acc = std::fma(xr[p], b[p * kPanel], acc);
      y[i * ldy + j] = bias ? acc + bias[j] : acc;
    }
    if (post) post(y + i * ldy + n0, n1 - n0);
  }
}

#ifdef SY_X86

// R rows × 32 columns over kc k-steps. a: R rows of activations, row stride lda; b: [kc][32].
// accumulate: continue from the partial sums already in c; bias (non-null only on the last k
// block) is added after the sum, as in the portable form.
template <int R>
__attribute__((target("avx512f"))) void micro_avx512(const float* a, size_t lda, const float* b, size_t kc,
                                                     float* c, size_t ldc, size_t cols, bool accumulate,
                                                     const float* bias) {
  const __mmask16 m0 = cols >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << cols) - 1);
  const __mmask16 m1 = cols >= 32 ? __mmask16(0xFFFF) : cols > 16 ? __mmask16((1u << (cols - 16)) - 1) : __mmask16(0);
  __m512 acc[R][2];
  if (accumulate) {
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      acc[r][0] = _mm512_maskz_loadu_ps(m0, c + static_cast<size_t>(r) * ldc);
      acc[r][1] = _mm512_maskz_loadu_ps(m1, c + static_cast<size_t>(r) * ldc + 16);
    }
  } else {
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      acc[r][0] = _mm512_setzero_ps();
      acc[r][1] = _mm512_setzero_ps();
    }
  }
  for (size_t p = 0; p < kc; ++p, b += kPanel) {
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      const __m512 av = _mm512_set1_ps(a[static_cast<size_t>(r) * lda + p]);
      acc[r][0] = _mm512_fmadd_ps(av, b0, acc[r][0]);
      acc[r][1] = _mm512_fmadd_ps(av, b1, acc[r][1]);
    }
  }
  if (bias) {
    const __m512 bb0 = _mm512_maskz_loadu_ps(m0, bias);
    const __m512 bb1 = _mm512_maskz_loadu_ps(m1, bias + 16);
#pragma GCC unroll 12
    for (int r = 0; r < R; ++r) {
      acc[r][0] = _mm512_add_ps(acc[r][0], bb0);
      acc[r][1] = _mm512_add_ps(acc[r][1], bb1);
    }
  }
#pragma GCC unroll 12
  for (int r = 0; r < R; ++r) {
    _mm512_mask_storeu_ps(c + static_cast<size_t>(r) * ldc, m0, acc[r][0]);
    _mm512_mask_storeu_ps(c + static_cast<size_t>(r) * ldc + 16, m1, acc[r][1]);
  }
}

using MicroFn = void (*)(const float*, size_t, const float*, size_t, float*, size_t, size_t, bool, const float*);
constexpr MicroFn kMicro[kMr + 1] = {nullptr,          micro_avx512<1>,  micro_avx512<2>, micro_avx512<3>,
                                     micro_avx512<4>,  micro_avx512<5>,  micro_avx512<6>, micro_avx512<7>,
                                     micro_avx512<8>,  micro_avx512<9>,  micro_avx512<10>, micro_avx512<11>,
                                     micro_avx512<12>};

void gemm_avx512(const float* x, size_t ldx, size_t m, const float* wp, size_t k, const float* bias, size_t n0,
                 size_t n1, float* y, size_t ldy, RowEpilogue post) {
  // Rows are taken in blocks and k in chunks of at most kKo so that a block's activations fit in
  // half of L2 (kL2Rows bytes). They are copied once per chunk (a memcpy per row, no transpose)
  // to a stride of chunk + 16 floats — in place, rows a multiple of 4 KiB apart (k = 3072) would
  // all alias one L1 set. Then each weight panel's chunk is streamed once, in order, against the
  // block, its output tiles (rows × 32) staying in L1 across the kKc steps.
  // Narrow outputs (attention's P·V and Q·Kᵀ: a few panels) read the activations in place: the
  // copy would be a sizeable fraction of the work there.
  const bool copy = n1 - n0 >= kCopyMinCols;
  thread_local std::vector<float> abuf;
  const size_t ko_max = std::min(k, kKo);
  const size_t lda = copy ? ko_max + 16 : ldx;
  const size_t mc_cap = std::clamp<size_t>(kL2Rows / ((ko_max + 16) * sizeof(float)) / kMr * kMr, kMr, kMc);
  const size_t blocks = (m + mc_cap - 1) / mc_cap;
  const size_t mc = std::min(mc_cap, round_up((m + blocks - 1) / blocks, kMr));
  if (copy && abuf.size() < mc * lda) abuf.resize(mc * lda);
  const size_t panel_floats = k * kPanel;
  // One row block (batch 1): every panel is used once, straight from DRAM (the model is ≫ L3).
  // With several blocks the panels come back from L3 and the prefetches only cost issue slots.
  const bool prefetch = blocks == 1;
  for (size_t ic = 0; ic < m; ic += mc) {
    const size_t mb = std::min(mc, m - ic);
    for (size_t ko = 0; ko < k; ko += ko_max) {
      const size_t kn = std::min(ko_max, k - ko);
      const bool last_chunk = ko + kn == k;
      const float* ap = x + ic * ldx + ko;
      if (copy) {
        for (size_t r = 0; r < mb; ++r) std::copy_n(x + (ic + r) * ldx + ko, kn, abuf.data() + r * lda);
        ap = abuf.data();
      }
      const size_t calls = ((kn + kKc - 1) / kKc) * ((mb + kMr - 1) / kMr);
      // Lines of the next panel's chunk to prefetch per micro-kernel call, so it is in L2 by the
      // time it is needed (the hardware prefetcher alone left the kernel waiting on DRAM).
      const size_t chunk_lines = kn * kPanel / 16;
      const size_t lines_per_call = (chunk_lines + calls - 1) / calls;
      for (size_t j = n0; j < n1; j += kPanel) {
        const float* panel = wp + (j / kPanel) * panel_floats + ko * kPanel;
        const float* next = j + kPanel < n1 ? panel + panel_floats : nullptr;
        const size_t cols = std::min(kPanel, n1 - j);
        size_t line = 0;
        for (size_t pc = 0; pc < kn; pc += kKc) {
          const size_t kc = std::min(kKc, kn - pc);
          const bool last = last_chunk && pc + kc == kn;
          const float* bj = last && bias ? bias + j : nullptr;
          for (size_t t = 0; t < mb; t += kMr) {
            const size_t rows = std::min(kMr, mb - t);
            if (prefetch && next) {
              for (size_t e = std::min(chunk_lines, line + lines_per_call); line < e; ++line) {
                _mm_prefetch(reinterpret_cast<const char*>(next + line * 16), _MM_HINT_T1);
              }
            }
            kMicro[rows](ap + t * lda + pc, lda, panel + pc * kPanel, kc, y + (ic + t) * ldy + j, ldy, cols,
                         ko + pc > 0, bj);
          }
        }
        // The activation runs on groups of kPostCols columns (still in L2), not per 32-column
        // panel: the call and tail handling per panel cost ~15% of GELU.
        const size_t je = j + cols;
        if (post && last_chunk && (je == n1 || (je - n0) % kPostCols == 0)) {
          const size_t g0 = je == n1 ? n0 + (je - n0 - 1) / kPostCols * kPostCols : je - kPostCols;
          for (size_t r = 0; r < mb; ++r) post(y + (ic + r) * ldy + g0, je - g0);
        }
      }
    }
  }
}

#endif  // SY_X86

}  // namespace

bool f32_kernel_supported(F32Kernel kernel) {
  switch (kernel) {
    case F32Kernel::portable: return true;
    case F32Kernel::avx512: {
#ifdef SY_X86
      static const bool has = __builtin_cpu_supports("avx512f");
      return has;
#else
      return false;
#endif
    }
  }
  return false;
}

F32Kernel best_f32_kernel() {
  return f32_kernel_supported(F32Kernel::avx512) ? F32Kernel::avx512 : F32Kernel::portable;
}

namespace {
#ifdef SY_X86
// d[c·32 + r] = w[r·ldw + c] for r, c in [0, 16): one 16 × 16 block transposed in registers
// (64 shuffles) instead of 256 scalar loads and stores — attention packs K this way for every
// head of every sequence (2.3% of an int8 BERT-base forward with the scalar loop).
// GCC 12's AVX-512 shuffle intrinsics start from _mm512_undefined_*, which trips its
// (maybe-)uninitialized warnings: a false positive (bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
__attribute__((target("avx512f"))) void transpose16_avx512(const float* w, size_t ldw, float* d) {
  __m512 r[16], t[16];
#pragma GCC unroll 16
  for (int i = 0; i < 16; ++i) r[i] = _mm512_loadu_ps(w + static_cast<size_t>(i) * ldw);
  // Pairs of rows interleaved by 32 bits, then by 64: u[4q + j] holds rows 4q..4q+3 of columns
  // 4L + j in 128-bit lane L.
#pragma GCC unroll 8
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
#pragma GCC unroll 4
  for (int q = 0; q < 4; ++q) {
    const __m512d a0 = _mm512_castps_pd(t[4 * q]), a1 = _mm512_castps_pd(t[4 * q + 1]);
    const __m512d b0 = _mm512_castps_pd(t[4 * q + 2]), b1 = _mm512_castps_pd(t[4 * q + 3]);
    r[4 * q + 0] = _mm512_castpd_ps(_mm512_unpacklo_pd(a0, b0));
    r[4 * q + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a0, b0));
    r[4 * q + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(a1, b1));
    r[4 * q + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(a1, b1));
  }
  // Lane L of column 4L + j gathered from u[j], u[4 + j], u[8 + j], u[12 + j].
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    const __m512 x0 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0x44), x1 = _mm512_shuffle_f32x4(r[j], r[4 + j], 0xEE);
    const __m512 y0 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0x44);
    const __m512 y1 = _mm512_shuffle_f32x4(r[8 + j], r[12 + j], 0xEE);
    _mm512_storeu_ps(d + static_cast<size_t>(j) * kPanel, _mm512_shuffle_f32x4(x0, y0, 0x88));
    _mm512_storeu_ps(d + static_cast<size_t>(4 + j) * kPanel, _mm512_shuffle_f32x4(x0, y0, 0xDD));
    _mm512_storeu_ps(d + static_cast<size_t>(8 + j) * kPanel, _mm512_shuffle_f32x4(x1, y1, 0x88));
    _mm512_storeu_ps(d + static_cast<size_t>(12 + j) * kPanel, _mm512_shuffle_f32x4(x1, y1, 0xDD));
  }
}
#pragma GCC diagnostic pop

// d[c·32 .. c·32 + 32) = src[c·lds .. c·lds + 32) for c in [0, k).
__attribute__((target("avx512f"))) void copy_rows32_avx512(const float* src, size_t lds, size_t k, float* d) {
  for (size_t c = 0; c < k; ++c, src += lds, d += kPanel) {
    _mm512_storeu_ps(d, _mm512_loadu_ps(src));
    _mm512_storeu_ps(d + 16, _mm512_loadu_ps(src + 16));
  }
}
#endif
}  // namespace

void pack_f32_panels(const float* w, size_t ldw, size_t n, size_t k, float* dst) {
  // A transpose per 32-row panel; 8 k-steps at a time so each source row is read a cache line at
  // a time and each destination line is written whole. With AVX-512, the whole 16 × 16 blocks go
  // through registers and the loop below only sees the rest.
  for (size_t p = 0; p < n; p += kPanel) {
    const size_t rows = std::min(kPanel, n - p);
    float* d = dst + p * k;
    // Columns [0, c_simd) of rows [0, r_simd) are done by 16 × 16 blocks; the scalar loop does the
    // rest (and the zero padding).
    size_t c_simd = 0, r_simd = 0;
#ifdef SY_X86
    if (rows >= 16 && k >= 16 && f32_kernel_supported(F32Kernel::avx512)) {
      c_simd = k / 16 * 16;
      r_simd = rows / 16 * 16;
      for (size_t r0 = 0; r0 < r_simd; r0 += 16)
        for (size_t c0 = 0; c0 < c_simd; c0 += 16) transpose16_avx512(w + (p + r0) * ldw + c0, ldw, d + c0 * kPanel + r0);
    }
#endif
    for (size_t c0 = 0; c0 < k; c0 += 8) {
      const size_t ce = std::min(k, c0 + 8);
      for (size_t r = c0 < c_simd ? r_simd : 0; r < rows; ++r) {
        const float* src = w + (p + r) * ldw;
        for (size_t c = c0; c < ce; ++c) d[c * kPanel + r] = src[c];
      }
      for (size_t r = rows; r < kPanel; ++r)
        for (size_t c = c0; c < ce; ++c) d[c * kPanel + r] = 0.0f;
    }
  }
}

void pack_f32_panels_t(const float* src, size_t lds, size_t n, size_t k, float* dst) {
  for (size_t p = 0; p < n; p += kPanel) {
    const size_t cols = std::min(kPanel, n - p);
    float* d = dst + p * k;
#ifdef SY_X86
    // Whole panels (every head of d = 32 or 64): two zmm per row. The std::copy below became a
    // 128-byte memmove call per row (1.8% of an int8 BERT-base forward).
    if (cols == kPanel && f32_kernel_supported(F32Kernel::avx512)) {
      copy_rows32_avx512(src + p, lds, k, d);
      continue;
    }
#endif
    for (size_t c = 0; c < k; ++c) {
      const float* s = src + c * lds + p;
      std::copy(s, s + cols, d + c * kPanel);
      std::fill(d + c * kPanel + cols, d + (c + 1) * kPanel, 0.0f);
    }
  }
}

PackedF32 pack_f32(const float* w, size_t n, size_t k) {
  PackedF32 p;
  p.n = n;
  p.k = k;
  p.np = round_up(n, kPanel);
  p.data.resize(p.np * k);
  pack_f32_panels(w, k, n, k, p.data.data());
  return p;
}

void gemm_f32_panels(F32Kernel kernel, const float* x, size_t ldx, size_t m, const float* wp, size_t k,
                     const float* bias, size_t n0, size_t n1, float* y, size_t ldy, RowEpilogue post) {
  if (m == 0 || n1 <= n0) return;
#ifdef SY_X86
  if (kernel == F32Kernel::avx512 && f32_kernel_supported(kernel)) {
    return gemm_avx512(x, ldx, m, wp, k, bias, n0, n1, y, ldy, post);
  }
#endif
  (void)kernel;
  gemm_portable(x, ldx, m, wp, k, bias, n0, n1, y, ldy, post);
}

void gemm_f32_packed(F32Kernel kernel, const float* x, size_t ldx, size_t m, const PackedF32& w, const float* bias,
                     size_t n0, size_t n1, float* y, size_t ldy, RowEpilogue post) {
  gemm_f32_panels(kernel, x, ldx, m, w.data.data(), w.k, bias, n0, n1, y, ldy, post);
}

}  // namespace sy::engine
