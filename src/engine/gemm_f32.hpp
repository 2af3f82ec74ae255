#pragma once
// fp32 GEMM over weights packed once at load: y = x·Wᵀ + b with W [n, k] (PyTorch [out, in]).
//
// Why not OpenBLAS here: sgemm re-packs its operand slices on every call. At batch 1 (tens to a
// few hundred rows) that packing of the weights — which never change — is a large share of the
// call. Packed once at load in the micro-kernel's layout, they are only read; the activations are
// read in place (12 row streams), not packed at all.
//
// Layout: panels of 32 output columns (two zmm); inside a panel k-major, 32 floats per k:
//   data[(n/32)·k·32 + k·32 + n%32], n padded with zero columns to a multiple of 32.
// Kernel: 12 rows × 32 columns in 24 zmm accumulators; k is cut in blocks of 192 steps so one
// weight micro-panel (192 × 32 floats, 24 KiB) stays in L1 while every 12-row tile of a block of
// 144 rows passes over it, the partial sums carried in y between blocks.
//
// Every output is Σ_k fma(x[i,k], w[n,k], ·) in ascending k starting from 0, then + bias: the
// AVX-512 kernel and the portable one perform the same roundings and agree bit for bit.
#include <cstddef>
#include <vector>

#include "engine/quant.hpp"  // RowEpilogue

namespace sy::engine {

enum class F32Kernel { portable, avx512 };

// AVX-512F when the CPU has it (the packed path is only used then; otherwise OpenBLAS on the
// original layout is faster than the portable loop).
F32Kernel best_f32_kernel();
bool f32_kernel_supported(F32Kernel);

inline constexpr size_t kF32PanelCols = 32;

struct PackedF32 {
  size_t n = 0, k = 0, np = 0;
  std::vector<float> data;  // np × k
  bool empty() const { return data.empty(); }
};

PackedF32 pack_f32(const float* w, size_t n, size_t k);

// The layout written into a caller's buffer of round_up(n, 32) × k floats (padding zeroed):
// from w [n, k] with row stride ldw, or transposed, from src [k, n] with row stride lds (W[r, c] =
// src[c·lds + r]; attention's V for P·V).
void pack_f32_panels(const float* w, size_t ldw, size_t n, size_t k, float* dst);
void pack_f32_panels_t(const float* src, size_t lds, size_t n, size_t k, float* dst);

// y[i, n0..n1) for i in [0, m): x is [m, ldx] row-major; n0 a multiple of kF32PanelCols, n1 ≤ w.n;
// bias may be null; post (may be null) runs on each finished row segment y[i, n0..n1).
void gemm_f32_packed(F32Kernel kernel, const float* x, size_t ldx, size_t m, const PackedF32& w, const float* bias,
                     size_t n0, size_t n1, float* y, size_t ldy, RowEpilogue post);
// The same over panels in a caller's buffer (pack_f32_panels*), k steps each.
void gemm_f32_panels(F32Kernel kernel, const float* x, size_t ldx, size_t m, const float* wp, size_t k,
                     const float* bias, size_t n0, size_t n1, float* y, size_t ldy, RowEpilogue post);

}  // namespace sy::engine
