#include "engine/quant.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SY_X86 1
#include "engine/aligned_vector.hpp"
#include "engine/vec_math_avx512.hpp"
#endif

namespace sy::engine {

namespace {

constexpr size_t kPanel = kInt8PanelCols;
constexpr size_t kPanelStep = kPanel * 4;  // bytes of one k-step of a panel
// Packed weight bytes kept hot per column block: half of this machine class's 1 MiB L2, leaving room
// for the activation rows streaming through and the output tile.
constexpr size_t kL2Block = 512 * 1024;

size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

uint8_t clamp_u8(int32_t v) { return static_cast<uint8_t>(std::clamp(v, 0, 255)); }

// The one dequantization formula every kernel applies (same operations in the same order, so the
// vector and scalar forms round identically).
// The empty asm keeps the compiler from contracting the multiply and the add into an FMA (it
// may where FMA is enabled, e.g. inside the AVX-512 kernel or under -march=native), which would
// round differently from the paths where it cannot.
inline float finish(int32_t acc, int32_t zero, int32_t colsum, float xs, float ws, float bias) {
  float v = static_cast<float>(acc - zero * colsum) * (xs * ws);
#ifdef SY_X86
  __asm__("" : "+x"(v));
#endif
  return v + bias;
}

// One output tile: `rows` activation rows × `cols` (≤ 64) columns of one weight panel.
struct Tile {
  const uint8_t* a;  // first row
  size_t lda;
  const float* xs;
  const int32_t* xz;
  size_t rows;
  const int8_t* b;  // the panel
  size_t kp;
  const float* ws;  // at the panel's first column
  const int32_t* colsum;
  const float* bias;  // may be null
  float* y;
  size_t ldy;
  size_t cols;
  // VNNI epilogue only: apply exact GELU in registers; if vlo/vhi are set, fold the outputs into
  // 16-lane running min/max vectors, one per row of the tile (16 floats apart).
  bool gelu = false;
  float* vlo = nullptr;
  float* vhi = nullptr;
  // VNNI only: bytes of the next weight slice this tile prefetches (its share of it).
  const int8_t* pf = nullptr;
  size_t pf_bytes = 0;
};

// Activation rows [row, row + rows) against the weight panel that starts at output column j.
Tile make_tile(const uint8_t* xq, size_t ldx, const float* xscale, const int32_t* xzero, size_t row,
               size_t rows, const PackedInt8& w, const float* bias, size_t j, size_t cols, float* y,
               size_t ldy) {
  return Tile{xq + row * ldx, ldx, xscale + row, xzero + row, rows,
              w.data.data() + j * w.kp, w.kp, w.scale.data() + j, w.colsum.data() + j,
              bias ? bias + j : nullptr, y + row * ldy + j, ldy, cols};
}

void tile_portable(const Tile& t) {
  for (size_t r = 0; r < t.rows; ++r) {
    const uint8_t* a = t.a + r * t.lda;
    for (size_t c = 0; c < t.cols; ++c) {
      int32_t acc = 0;
      for (size_t p = 0; p < t.kp; ++p) {
        acc += int32_t(a[p]) * int32_t(t.b[(p / 4) * kPanelStep + c * 4 + p % 4]);
      }
      t.y[r * t.ldy + c] = finish(acc, t.xz[r], t.colsum[c], t.xs[r], t.ws[c], t.bias ? t.bias[c] : 0.0f);
    }
  }
}

constexpr size_t kRowsPortable = 4;

#ifdef SY_X86

// ---- AVX2: u8 zero-extended and s8 sign-extended to int16, vpmaddwd (pair sums ≤ 2·255·127, exact).
constexpr size_t kRowsAvx2 = 4;

__attribute__((target("avx2"))) inline __m256i bcast4_u8_to_i16(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_broadcastq_epi64(_mm_cvtepu8_epi16(_mm_cvtsi32_si128(v)));
}

// Up to two rows × one 16-column group.
__attribute__((target("avx2"))) void group_avx2(const Tile& t, size_t r, size_t nr, size_t g) {
  __m256i acc[2][4];
  for (auto& row : acc)
    for (auto& v : row) v = _mm256_setzero_si256();
  const uint8_t* a0 = t.a + r * t.lda;
  const uint8_t* a1 = nr > 1 ? a0 + t.lda : a0;
  const int8_t* b = t.b + g * 64;
  for (size_t p = 0; p < t.kp; p += 4) {
    const int8_t* s = b + (p / 4) * kPanelStep;
    __m256i w[4];
    for (int q = 0; q < 4; ++q) w[q] = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 16 * q)));
    const __m256i x0 = bcast4_u8_to_i16(a0 + p);
    const __m256i x1 = bcast4_u8_to_i16(a1 + p);
    for (int q = 0; q < 4; ++q) {
      acc[0][q] = _mm256_add_epi32(acc[0][q], _mm256_madd_epi16(x0, w[q]));
      acc[1][q] = _mm256_add_epi32(acc[1][q], _mm256_madd_epi16(x1, w[q]));
    }
  }
  const size_t c0 = g * 16, nc = std::min<size_t>(16, t.cols - c0);
  for (size_t rr = 0; rr < nr; ++rr) {
    // acc[q] holds columns 4q..4q+3 as pairs of partial sums: [c0 c0 c1 c1 | c2 c2 c3 c3].
    alignas(32) int32_t sums[16];
    const __m256i lo = _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc[rr][0], acc[rr][1]), 0xD8);
    const __m256i hi = _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc[rr][2], acc[rr][3]), 0xD8);
    _mm256_store_si256(reinterpret_cast<__m256i*>(sums), lo);
    _mm256_store_si256(reinterpret_cast<__m256i*>(sums + 8), hi);
    const size_t row = r + rr;
    float* y = t.y + row * t.ldy + c0;
    for (size_t c = 0; c < nc; ++c) {
      y[c] = finish(sums[c], t.xz[row], t.colsum[c0 + c], t.xs[row], t.ws[c0 + c], t.bias ? t.bias[c0 + c] : 0.0f);
    }
  }
}

__attribute__((target("avx2"))) void tile_avx2(const Tile& t) {
  for (size_t g = 0; g * 16 < t.cols; ++g) {
    for (size_t r = 0; r < t.rows; r += 2) group_avx2(t, r, std::min<size_t>(2, t.rows - r), g);
  }
}

// ---- AVX-512 VNNI: MR rows × 64 columns = MR·4 zmm accumulators; per k-step of 4, four weight
// loads and MR 4-byte broadcasts feed MR·4 vpdpbusd.
constexpr size_t kRowsVnni = 6;

// One k-step (4 bytes of k) of an MR × 64 tile: four weight loads, MR broadcasts, MR·4 vpdpbusd.
template <int MR>
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"), always_inline)) inline void vnni_step(
    __m512i (&acc)[MR][4], const uint8_t* a, size_t lda, size_t p, const int8_t* b) {
  const __m512i w0 = _mm512_loadu_si512(b);
  const __m512i w1 = _mm512_loadu_si512(b + 64);
  const __m512i w2 = _mm512_loadu_si512(b + 128);
  const __m512i w3 = _mm512_loadu_si512(b + 192);
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    int32_t v;
    std::memcpy(&v, a + static_cast<size_t>(r) * lda + p, 4);
    const __m512i x = _mm512_set1_epi32(v);
    acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], x, w0);
    acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], x, w1);
    acc[r][2] = _mm512_dpbusd_epi32(acc[r][2], x, w2);
    acc[r][3] = _mm512_dpbusd_epi32(acc[r][3], x, w3);
  }
}

// Accumulates k-bytes [k0, k1) of the tile's panel. first: start from 0, else from the partial
// sums in part ([MR][64] int32); last: dequantize into y, else store the partial sums back.
template <int MR>
__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni"))) void tile_vnni(const Tile& t, size_t k0, size_t k1,
                                                                                int32_t* part, bool first,
                                                                                bool last) {
  __m512i acc[MR][4];
  if (first) {
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) acc[r][j] = _mm512_setzero_si512();
    }
  } else {
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) acc[r][j] = _mm512_load_si512(part + r * 64 + j * 16);
    }
  }
  const uint8_t* a = t.a;
  const size_t lda = t.lda;
  const int8_t* b = t.b + (k0 / 4) * kPanelStep;
  // The share of the next weight slice is fetched one line per four k-steps, spread over the
  // block: issued all at once at the start, the prefetches waited for fill buffers (~4% of tile
  // time in perf). Past the share's end the last line is prefetched again (a no-op).
  const char* pf = reinterpret_cast<const char*>(t.pf);
  const char* pf_last = pf + (t.pf_bytes ? t.pf_bytes - 64 : 0);
  size_t p = k0;
  for (; p + 16 <= k1; p += 16, b += 4 * kPanelStep) {
    if (t.pf_bytes) {
      _mm_prefetch(std::min(pf, pf_last), _MM_HINT_T0);
      pf += 64;
    }
    vnni_step<MR>(acc, a, lda, p, b);
    vnni_step<MR>(acc, a, lda, p + 4, b + kPanelStep);
    vnni_step<MR>(acc, a, lda, p + 8, b + 2 * kPanelStep);
    vnni_step<MR>(acc, a, lda, p + 12, b + 3 * kPanelStep);
  }
  for (; p < k1; p += 4, b += kPanelStep) vnni_step<MR>(acc, a, lda, p, b);
  for (; t.pf_bytes && pf <= pf_last; pf += 64) _mm_prefetch(pf, _MM_HINT_T0);  // short blocks
  if (!last) {
#pragma GCC unroll 8
    for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) _mm512_store_si512(part + r * 64 + j * 16, acc[r][j]);
    }
    return;
  }
#pragma GCC unroll 8
  for (int r = 0; r < MR; ++r) {
    const __m512i z = _mm512_set1_epi32(t.xz[r]);
    const __m512 xs = _mm512_set1_ps(t.xs[r]);
    float* y = t.y + static_cast<size_t>(r) * t.ldy;
    __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) {
      const size_t c0 = static_cast<size_t>(j) * 16;
      if (c0 >= t.cols) break;
      const __mmask16 mask = t.cols - c0 >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << (t.cols - c0)) - 1);
      const __m512i cs = _mm512_loadu_si512(t.colsum + c0);  // padded to the panel: always in bounds
      const __m512 ws = _mm512_loadu_ps(t.ws + c0);
      const __m512 bias = t.bias ? _mm512_maskz_loadu_ps(mask, t.bias + c0) : _mm512_setzero_ps();
      const __m512i v = _mm512_sub_epi32(acc[r][j], _mm512_mullo_epi32(z, cs));
      // (maskz form: the plain _mm512_cvtepi32_ps trips a GCC 12 maybe-uninitialized false positive)
      __m512 f = _mm512_mul_ps(_mm512_maskz_cvtepi32_ps(mask, v), _mm512_mul_ps(xs, ws));
      __asm__("" : "+v"(f));  // no FMA contraction: round as finish() does
      f = _mm512_add_ps(f, bias);
      if (t.gelu) f = avx512::gelu_erf512(f);  // masked-off lanes are 0 and stay 0
      _mm512_mask_storeu_ps(y + c0, mask, f);
      lo = _mm512_mask_min_ps(lo, mask, lo, f);  // (mask forms: see the maskz note above)
      hi = _mm512_mask_max_ps(hi, mask, hi, f);
    }
    if (t.vlo) {
      float* vl = t.vlo + static_cast<size_t>(r) * 16;
      float* vh = t.vhi + static_cast<size_t>(r) * 16;
      _mm512_store_ps(vl, _mm512_mask_min_ps(lo, 0xFFFF, lo, _mm512_load_ps(vl)));
      _mm512_store_ps(vh, _mm512_mask_max_ps(hi, 0xFFFF, hi, _mm512_load_ps(vh)));
    }
  }
}

using VnniFn = void (*)(const Tile&, size_t, size_t, int32_t*, bool, bool);
constexpr VnniFn kVnni[kRowsVnni + 1] = {nullptr,      tile_vnni<1>, tile_vnni<2>, tile_vnni<3>,
                                         tile_vnni<4>, tile_vnni<5>, tile_vnni<6>};

// k-bytes per block: a panel's slice (64 columns × kKcVnni = 16 KiB) stays in L1 while every
// 6-row tile of a row block passes over it. (Without k blocking each k-step's 256 weight bytes came
// from L2: ~20 bytes per cycle next to the activation stream, and the kernel ran at about half of
// the vpdpbusd peak.)
constexpr size_t kKcVnni = 256;
// Rows per block: as many as keep the block's activations (rows × kp bytes) within ~384 KiB of L2,
// 96 to 384 rows (with their int32 partial sums, ≤ 96 KiB). Every row block streams all of the
// worker's weight panels again — from L3 or DRAM, as a layer's panels exceed L2 — so at the
// 1024-row sub-batches 96-row blocks read each weight 11 times per call; 384-row blocks (k ≤ 1024)
// read them 3 times, which matters when another tenant of the host shares L3 and memory bandwidth.
constexpr size_t kMcVnniMin = 96, kMcVnniMax = 384;
constexpr size_t kMcVnniBytes = 384 * 1024;
size_t vnni_row_block(size_t kp) {
  return std::clamp(kMcVnniBytes / std::max<size_t>(kp, 1) / kRowsVnni * kRowsVnni, kMcVnniMin, kMcVnniMax);
}

void row_range(const float* x, size_t n, float& lo, float& hi);

// GCC 12's own reduce intrinsics trip its maybe-uninitialized warning (bug 105593): a false positive.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
// Folds the 16-lane range vectors of rows into the caller's per-row range.
__attribute__((target("avx512f"))) void reduce_ranges(const float* vlo, const float* vhi, size_t rows, float* lo,
                                                      float* hi) {
  for (size_t r = 0; r < rows; ++r) {
    lo[r] = std::min(lo[r], _mm512_reduce_min_ps(_mm512_load_ps(vlo + r * 16)));
    hi[r] = std::max(hi[r], _mm512_reduce_max_ps(_mm512_load_ps(vhi + r * 16)));
  }
}
#pragma GCC diagnostic pop

// Per-thread scratch of the VNNI GEMM: a row block's int32 partial sums and per-row range vectors
// (up to 96 + 48 KiB: too much for the stack of every caller).
struct VnniScratch {
  AlignedVector<int32_t> part = AlignedVector<int32_t>(kMcVnniMax * kPanel);
  AlignedVector<float> lo = AlignedVector<float>(kMcVnniMax * 16), hi = AlignedVector<float>(kMcVnniMax * 16);
};
VnniScratch& vnni_scratch() {
  thread_local VnniScratch s;
  return s;
}

// One row block [ic, ic + mb) against one 64-column panel at column j, all of k. next/next_bytes:
// the weight slice to prefetch while the panel's last k block runs (the next panel's first one).
// vlo/vhi: the block's range vectors, or null.
void panel_vnni(const uint8_t* xq, size_t ldx, const float* xscale, const int32_t* xzero, size_t ic, size_t mb,
                const PackedInt8& w, const float* bias, size_t j, size_t cols, float* y, size_t ldy, bool gelu,
                const int8_t* next_panel, size_t next_panel_bytes, int32_t* part, float* vlo, float* vhi) {
  const size_t kp = w.kp;
  for (size_t k0 = 0; k0 < kp; k0 += kKcVnni) {
    const size_t k1 = std::min(kp, k0 + kKcVnni);
    // The weight slice after this one (the next k block: the packed layout makes it the next
    // bytes; after the last, the caller's next panel), fetched in shares by this block's tiles
    // while they run on the current one, so no tile waits for it from L3.
    const int8_t* next = w.data.data() + j * kp + k1 * kPanel;
    size_t next_bytes = std::min(kKcVnni, kp - k1) * kPanel;
    if (k1 == kp) {
      next = next_panel;
      next_bytes = next_panel_bytes;
    }
    const size_t tiles = (mb + kRowsVnni - 1) / kRowsVnni;
    const size_t share = (next_bytes / tiles + 63) / 64 * 64;
    for (size_t i = 0; i < mb; i += kRowsVnni) {
      const size_t rows = std::min(kRowsVnni, mb - i);
      Tile t = make_tile(xq, ldx, xscale, xzero, ic + i, rows, w, bias, j, cols, y, ldy);
      t.gelu = gelu;
      const size_t off = (i / kRowsVnni) * share;
      if (off < next_bytes) {
        t.pf = next + off;
        t.pf_bytes = std::min(share, next_bytes - off);
      }
      if (vlo) {
        t.vlo = vlo + i * 16;
        t.vhi = vhi + i * 16;
      }
      kVnni[rows](t, k0, k1, part + i * kPanel, k0 == 0, k1 == kp);
    }
  }
}

void gemm_vnni(const uint8_t* xq, size_t ldx, const float* xscale, const int32_t* xzero, size_t m,
               const PackedInt8& w, const float* bias, size_t n0, size_t n1, float* y, size_t ldy,
               const Int8Post& post_in) {
  const size_t mc = vnni_row_block(w.kp);
  VnniScratch& scratch = vnni_scratch();
  int32_t* part = scratch.part.data();
  // Per-row range vectors of the row block, when the tiles can collect the range themselves (no
  // row function runs after them).
  float* vlo = scratch.lo.data();
  float* vhi = scratch.hi.data();
  const bool gelu = post_in.fn_is_gelu_erf;
  const RowEpilogue post = gelu ? nullptr : post_in.fn;
  const bool ranges = post_in.row_lo && post_in.row_hi;
  const bool tile_ranges = ranges && !post;
  const size_t kp = w.kp;
  for (size_t ic = 0; ic < m; ic += mc) {
    const size_t mb = std::min(mc, m - ic);
    if (tile_ranges) {
      std::fill(vlo, vlo + mb * 16, 0.0f);
      std::fill(vhi, vhi + mb * 16, 0.0f);
    }
    for (size_t j = n0; j < n1; j += kPanel) {
      // After the range's last panel, its first one again for the next row block.
      const bool last_panel = j + kPanel >= n1;
      const int8_t* next = w.data.data() + (last_panel ? n0 : j + kPanel) * kp;
      const size_t next_bytes = last_panel && ic + mc >= m ? 0 : std::min(kKcVnni, kp) * kPanel;
      panel_vnni(xq, ldx, xscale, xzero, ic, mb, w, bias, j, std::min(kPanel, n1 - j), y, ldy, gelu, next,
                 next_bytes, part, tile_ranges ? vlo : nullptr, vhi);
    }
    // The activation runs once per row over the block's whole column range (mostly still in L2:
    // the block's rows × a worker's share of the columns): one call per 64-column tile cost ~15% of GELU.
    if (post) {
      for (size_t r = 0; r < mb; ++r) post(y + (ic + r) * ldy + n0, n1 - n0);
    }
    if (tile_ranges) {
      reduce_ranges(vlo, vhi, mb, post_in.row_lo + ic, post_in.row_hi + ic);
    } else if (ranges) {
      for (size_t r = 0; r < mb; ++r) {
        float lo, hi;
        row_range(y + (ic + r) * ldy + n0, n1 - n0, lo, hi);
        post_in.row_lo[ic + r] = std::min(post_in.row_lo[ic + r], lo);
        post_in.row_hi[ic + r] = std::max(post_in.row_hi[ic + r], hi);
      }
    }
  }
}

// The claimed form: items (row block, panel) in row-block-major order, taken from `work` until
// none is left. Workers on the same row block each hold its activations in their own L2, as with
// the column split; a worker whose core runs slower simply takes fewer panels.
void gemm_vnni_shared(const uint8_t* xq, size_t ldx, const float* xscale, const int32_t* xzero, size_t m,
                      const PackedInt8& w, const float* bias, size_t n, float* y, size_t ldy,
                      const Int8Post& post_in, std::atomic<size_t>& work) {
  const size_t mc = vnni_row_block(w.kp);
  const size_t panels = (n + kPanel - 1) / kPanel, blocks = (m + mc - 1) / mc;
  VnniScratch& scratch = vnni_scratch();
  float* vlo = scratch.lo.data();
  float* vhi = scratch.hi.data();
  const bool ranges = post_in.row_lo && post_in.row_hi;
  size_t cur = blocks;  // the row block whose ranges vlo/vhi hold
  auto flush = [&] {
    if (ranges && cur < blocks) {
      const size_t ic = cur * mc;
      reduce_ranges(vlo, vhi, std::min(mc, m - ic), post_in.row_lo + ic, post_in.row_hi + ic);
    }
  };
  for (;;) {
    const size_t item = work.fetch_add(1, std::memory_order_relaxed);
    if (item >= blocks * panels) break;
    const size_t rb = item / panels, p = item % panels;
    const size_t ic = rb * mc, mb = std::min(mc, m - ic);
    if (rb != cur) {
      flush();
      cur = rb;
      if (ranges) {
        std::fill(vlo, vlo + mb * 16, 0.0f);
        std::fill(vhi, vhi + mb * 16, 0.0f);
      }
    }
    // The item after this one: probably another worker's, but it will be read from L3 soon.
    const bool last = item + 1 >= blocks * panels;
    const size_t np = (p + 1) % panels;
    const int8_t* next = w.data.data() + np * kPanel * w.kp;
    const size_t j = p * kPanel;
    panel_vnni(xq, ldx, xscale, xzero, ic, mb, w, bias, j, std::min(kPanel, n - j), y, ldy,
               post_in.fn_is_gelu_erf, next, last ? 0 : std::min(kKcVnni, w.kp) * kPanel, scratch.part.data(),
               ranges ? vlo : nullptr, vhi);
  }
  flush();
}

// ---- activation quantization (AVX2; the scalar form below is the reference)
__attribute__((target("avx2"))) void minmax_avx2(const float* x, size_t n, float& lo, float& hi) {
  __m256 vlo = _mm256_setzero_ps(), vhi = _mm256_setzero_ps();
  size_t c = 0;
  for (; c + 8 <= n; c += 8) {
    const __m256 v = _mm256_loadu_ps(x + c);
    vlo = _mm256_min_ps(vlo, v);
    vhi = _mm256_max_ps(vhi, v);
  }
  alignas(32) float l[8], h[8];
  _mm256_store_ps(l, vlo);
  _mm256_store_ps(h, vhi);
  lo = 0.0f;
  hi = 0.0f;
  for (int i = 0; i < 8; ++i) {
    lo = std::min(lo, l[i]);
    hi = std::max(hi, h[i]);
  }
  for (; c < n; ++c) {
    lo = std::min(lo, x[c]);
    hi = std::max(hi, x[c]);
  }
}

__attribute__((target("avx2"))) void quantize_row_avx2(const float* x, size_t n, float inv, int32_t zero,
                                                        uint8_t* q) {
  const __m256 vinv = _mm256_set1_ps(inv);
  const __m256i vz = _mm256_set1_epi32(zero);
  const __m256i v0 = _mm256_setzero_si256(), v255 = _mm256_set1_epi32(255);
  size_t c = 0;
  for (; c + 8 <= n; c += 8) {
    __m256i v = _mm256_add_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + c), vinv)), vz);
    v = _mm256_min_epi32(_mm256_max_epi32(v, v0), v255);
    const __m128i w16 = _mm_packus_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(q + c), _mm_packus_epi16(w16, w16));
  }
  for (; c < n; ++c) q[c] = clamp_u8(static_cast<int32_t>(std::nearbyint(x[c] * inv)) + zero);
}

// The same 16 at a time: vpmovusdb saturates above 255 after the max with 0. (GCC 12's unmasked
// AVX-512 intrinsics trip its maybe-uninitialized warning, bug 105593: a false positive.)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
__attribute__((target("avx512f,avx512bw"))) void quantize_row_avx512(const float* x, size_t n, float inv,
                                                                      int32_t zero, uint8_t* q) {
  const __m512 vinv = _mm512_set1_ps(inv);
  const __m512i vz = _mm512_set1_epi32(zero), v0 = _mm512_setzero_si512();
  size_t c = 0;
  for (; c + 16 <= n; c += 16) {
    const __m512i v = _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x + c), vinv)), vz);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + c), _mm512_cvtusepi32_epi8(_mm512_max_epi32(v, v0)));
  }
  if (c < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - c)) - 1);
    const __m512i v =
        _mm512_add_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(_mm512_maskz_loadu_ps(m, x + c), vinv)), vz);
    _mm512_mask_cvtusepi32_storeu_epi8(q + c, m, _mm512_max_epi32(v, v0));
  }
}
#pragma GCC diagnostic pop

bool has_avx512bw() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw");
  return has;
}

// The fastest of the forms above (all give the same bytes).
void quantize_row_vec(const float* x, size_t n, float inv, int32_t zero, uint8_t* q) {
  if (has_avx512bw()) return quantize_row_avx512(x, n, inv, zero, q);
  quantize_row_avx2(x, n, inv, zero, q);
}

#endif  // SY_X86

// Scale and zero point of one row from its range widened to include 0 (so 0 is exact).
bool row_params(float lo, float hi, float& scale, float& inv, int32_t& zero) {
  scale = (hi - lo) / 255.0f;
  if (!(scale > 0.0f) || !std::isfinite(scale)) {
    scale = 1.0f;
    inv = 0.0f;
    zero = 0;
    return false;
  }
  inv = 1.0f / scale;
  zero = std::clamp(static_cast<int32_t>(std::nearbyint(-lo * inv)), 0, 255);
  return true;
}

// min(0, min x) and max(0, max x).
void row_range(const float* x, size_t n, float& lo, float& hi) {
#ifdef SY_X86
  if (int8_kernel_supported(Int8Kernel::avx2)) return minmax_avx2(x, n, lo, hi);
#endif
  lo = 0.0f;
  hi = 0.0f;
  for (size_t c = 0; c < n; ++c) {
    lo = std::min(lo, x[c]);
    hi = std::max(hi, x[c]);
  }
}

}  // namespace

void quantize_row_u8_range(const float* x, size_t cols, size_t ldq, float lo, float hi, uint8_t* q, float* scale,
                           int32_t* zero) {
  float inv;
  if (row_params(lo, hi, *scale, inv, *zero)) {
#ifdef SY_X86
    if (int8_kernel_supported(Int8Kernel::avx2)) {
      quantize_row_vec(x, cols, inv, *zero, q);
    } else
#endif
    {
      for (size_t c = 0; c < cols; ++c) q[c] = clamp_u8(static_cast<int32_t>(std::nearbyint(x[c] * inv)) + *zero);
    }
  } else {
    std::fill(q, q + cols, uint8_t{0});
  }
  std::fill(q + cols, q + ldq, uint8_t{0});
}

bool int8_kernel_supported(Int8Kernel k) {
  switch (k) {
    case Int8Kernel::portable: return true;
#ifdef SY_X86
    case Int8Kernel::avx2: {
      static const bool has = __builtin_cpu_supports("avx2");
      return has;
    }
    case Int8Kernel::avx512_vnni: {
      static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                              __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
      return has;
    }
#else
    default: return false;
#endif
  }
  return false;
}

Int8Kernel best_int8_kernel() {
  if (int8_kernel_supported(Int8Kernel::avx512_vnni)) return Int8Kernel::avx512_vnni;
  if (int8_kernel_supported(Int8Kernel::avx2)) return Int8Kernel::avx2;
  return Int8Kernel::portable;
}

const char* int8_kernel_name(Int8Kernel k) {
  switch (k) {
    case Int8Kernel::portable: return "portable";
    case Int8Kernel::avx2: return "avx2";
    case Int8Kernel::avx512_vnni: return "avx512-vnni";
  }
  return "portable";
}

void quantize_rows(const float* x, size_t rows, size_t cols, int8_t* q, float* scales) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    float amax = 0.0f;
    for (size_t c = 0; c < cols; ++c) amax = std::max(amax, std::fabs(xr[c]));
    const float s = amax > 0.0f ? amax / 127.0f : 1.0f;
    const float inv = 1.0f / s;
    int8_t* qr = q + r * cols;
    for (size_t c = 0; c < cols; ++c) {
      const float v = std::nearbyint(xr[c] * inv);
      qr[c] = static_cast<int8_t>(std::clamp(v, -127.0f, 127.0f));
    }
    scales[r] = s;
  }
}

PackedInt8 pack_int8(const float* w, size_t n, size_t k) {
  PackedInt8 p;
  p.n = n;
  p.k = k;
  p.np = round_up(n, kPanel);
  p.kp = round_up(k, 4);
  std::vector<int8_t> q(n * k);
  std::vector<float> s(n);
  quantize_rows(w, n, k, q.data(), s.data());
  p.data.assign(p.np * p.kp, 0);
  p.scale.assign(p.np, 0.0f);
  p.colsum.assign(p.np, 0);
  for (size_t r = 0; r < n; ++r) {
    int8_t* panel = p.data.data() + (r / kPanel) * p.kp * kPanel + (r % kPanel) * 4;
    int32_t sum = 0;
    for (size_t c = 0; c < k; ++c) {
      const int8_t v = q[r * k + c];
      sum += v;
      panel[(c / 4) * kPanelStep + c % 4] = v;
    }
    p.scale[r] = s[r];
    p.colsum[r] = sum;
  }
  return p;
}

void quantize_rows_u8_portable(const float* x, size_t rows, size_t cols, size_t ldq, uint8_t* q, float* scale,
                               int32_t* zero) {
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * cols;
    uint8_t* qr = q + r * ldq;
    float lo = 0.0f, hi = 0.0f;
    for (size_t c = 0; c < cols; ++c) {
      lo = std::min(lo, xr[c]);
      hi = std::max(hi, xr[c]);
    }
    float inv;
    if (row_params(lo, hi, scale[r], inv, zero[r])) {
      for (size_t c = 0; c < cols; ++c) qr[c] = clamp_u8(static_cast<int32_t>(std::nearbyint(xr[c] * inv)) + zero[r]);
    } else {
      std::fill(qr, qr + cols, uint8_t{0});
    }
    std::fill(qr + cols, qr + ldq, uint8_t{0});
  }
}

void quantize_rows_u8(const float* x, size_t rows, size_t cols, size_t ldq, uint8_t* q, float* scale,
                      int32_t* zero) {
#ifdef SY_X86
  if (int8_kernel_supported(Int8Kernel::avx2)) {
    for (size_t r = 0; r < rows; ++r) {
      const float* xr = x + r * cols;
      uint8_t* qr = q + r * ldq;
      float lo, hi, inv;
      minmax_avx2(xr, cols, lo, hi);
      if (row_params(lo, hi, scale[r], inv, zero[r])) {
        quantize_row_vec(xr, cols, inv, zero[r], qr);
      } else {
        std::fill(qr, qr + cols, uint8_t{0});
      }
      std::fill(qr + cols, qr + ldq, uint8_t{0});
    }
    return;
  }
#endif
  quantize_rows_u8_portable(x, rows, cols, ldq, q, scale, zero);
}

bool gemm_u8s8_shared_supported(Int8Kernel kernel, const Int8Post& post) {
#ifdef SY_X86
  return kernel == Int8Kernel::avx512_vnni && int8_kernel_supported(kernel) && (!post.fn || post.fn_is_gelu_erf);
#else
  (void)kernel, (void)post;
  return false;
#endif
}

bool gemm_u8s8_shared(Int8Kernel kernel, const uint8_t* xq, size_t ldx, const float* xscale, const int32_t* xzero,
                      size_t m, const PackedInt8& w, const float* bias, float* y, size_t ldy, const Int8Post& post,
                      std::atomic<size_t>& work) {
  if (!gemm_u8s8_shared_supported(kernel, post)) return false;
#ifdef SY_X86
  if (m > 0 && w.n > 0) gemm_vnni_shared(xq, ldx, xscale, xzero, m, w, bias, w.n, y, ldy, post, work);
#else
  (void)xq, (void)ldx, (void)xscale, (void)xzero, (void)m, (void)w, (void)bias, (void)y, (void)ldy, (void)work;
#endif
  return true;
}

void gemm_u8s8(Int8Kernel kernel, const uint8_t* xq, size_t ldx, const float* xscale, const int32_t* xzero,
               size_t m, const PackedInt8& w, const float* bias, size_t n0, size_t n1, float* y, size_t ldy,
               const Int8Post& post_in) {
  const RowEpilogue post = post_in.fn;
  if (m == 0 || n1 <= n0) return;
  if (!int8_kernel_supported(kernel)) kernel = Int8Kernel::portable;
  void (*tile)(const Tile&) = tile_portable;
  size_t mr = kRowsPortable;
#ifdef SY_X86
  if (kernel == Int8Kernel::avx512_vnni) {
    return gemm_vnni(xq, ldx, xscale, xzero, m, w, bias, n0, n1, y, ldy, post_in);
  }
  if (kernel == Int8Kernel::avx2) {
    tile = tile_avx2;
    mr = kRowsAvx2;
  }
#endif
  const size_t kp = w.kp;
  // Columns per block so that block × kp bytes of packed weights stay in L2 while all rows pass.
  const size_t nc = std::max(kPanel, kL2Block / std::max<size_t>(kp, 1) / kPanel * kPanel);
  for (size_t jc = n0; jc < n1; jc += nc) {
    const size_t je = std::min(jc + nc, n1);
    for (size_t i = 0; i < m; i += mr) {
      const size_t rows = std::min(mr, m - i);
      for (size_t j = jc; j < je; j += kPanel) {
        const Tile t = make_tile(xq, ldx, xscale, xzero, i, rows, w, bias, j, std::min(kPanel, je - j), y, ldy);
        tile(t);
      }
      if (post) {
        for (size_t r = 0; r < rows; ++r) post(y + (i + r) * ldy + jc, je - jc);
      }
      if (post_in.row_lo && post_in.row_hi) {
        for (size_t r = 0; r < rows; ++r) {
          float lo, hi;
          row_range(y + (i + r) * ldy + jc, je - jc, lo, hi);
          post_in.row_lo[i + r] = std::min(post_in.row_lo[i + r], lo);
          post_in.row_hi[i + r] = std::max(post_in.row_hi[i + r], hi);
        }
      }
    }
  }
}

}  // namespace sy::engine
