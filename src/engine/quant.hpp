#pragma once
// int8 dynamic quantization: y = x·Wᵀ with int8 weights and uint8 activations, int32 accumulation.
//   weights: per output channel (row of W) symmetric, q = round(w / s), s = max|w_row| / 127,
//            quantized and packed once at load
//   activations: per row (token) asymmetric, x ≈ (q - zero) · scale with q in [0, 255] and the
//            range widened to include 0, computed on every call ("dynamic")
//   y[i,n] = (Σ_k q[i,k]·w[n,k] - zero_i·Σ_k w[n,k]) · scale_i · s_n + bias_n
// The sum is exact in int32 on every path (u8·s8 products summed four at a time by vpdpbusd do not
// saturate, unlike vpmaddubsw's int16 pairs), so all kernels give bit-identical results.
//
// Kernels, chosen at run time: AVX-512 VNNI (vpdpbusd, 6 rows × 64 columns in registers), AVX2
// (zero/sign-extend to int16 + vpmaddwd), portable C++. The loop around them is cache-blocked:
// a block of packed weight columns that fits in L2 stays there while every row of the activations
// passes over it, 6 rows at a time, each row's slice of the activations staying in L1.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sy::engine {

enum class Int8Kernel { portable, avx2, avx512_vnni };

// The fastest kernel this CPU runs (CPUID via __builtin_cpu_supports; the build is not -march=native).
Int8Kernel best_int8_kernel();
const char* int8_kernel_name(Int8Kernel);
bool int8_kernel_supported(Int8Kernel);

// Packed weights of one Linear layer [n, k]. Layout, shared by all kernels: panels of 64 output
// columns (the kernels' column tile); inside a panel, k in steps of 4; inside a step, 64 columns ×
// 4 consecutive k bytes (four vpdpbusd operands, one contiguous 256-byte stream per panel):
//   data[(n/64)·kp·64 + (k/4)·256 + (n%64)·4 + k%4]
// n is padded with zero rows to a multiple of 64, k with zeros to a multiple of 4.
struct PackedInt8 {
  size_t n = 0, k = 0;    // logical shape
  size_t np = 0, kp = 0;  // padded shape
  std::vector<int8_t> data;     // np × kp
  std::vector<float> scale;     // [np], s_n (0 in padding)
  std::vector<int32_t> colsum;  // [np], Σ_k q[n,k] (the zero-point correction)
  bool empty() const { return data.empty(); }
  size_t bytes() const { return data.size() + scale.size() * sizeof(float) + colsum.size() * sizeof(int32_t); }
};

inline constexpr size_t kInt8PanelCols = 64;

// Quantizes w [n, k] (row-major, PyTorch [out, in]) per row and packs it.
PackedInt8 pack_int8(const float* w, size_t n, size_t k);

// Per-row symmetric int8 quantization (the weight quantizer): scales[r] = max|x_row| / 127
// (1 for an all-zero row), q = round-half-even(x / scale).
void quantize_rows(const float* x, size_t rows, size_t cols, int8_t* q, float* scales);

// Per-row asymmetric uint8 quantization of activations: rows of `cols` floats → rows of `ldq`
// bytes (ldq ≥ cols, the tail zero-filled), scale[r] and zero[r] such that x ≈ (q - zero)·scale.
void quantize_rows_u8(const float* x, size_t rows, size_t cols, size_t ldq, uint8_t* q, float* scale,
                      int32_t* zero);
// The portable form (tests check the dispatching one against it).
void quantize_rows_u8_portable(const float* x, size_t rows, size_t cols, size_t ldq, uint8_t* q, float* scale,
                               int32_t* zero);

// One row of quantize_rows_u8 when the row's range is already known: lo = min(0, min x) and
// hi = max(0, max x) (what a producer can collect while it writes the row, so the quantizer needs
// no pass of its own over a cold row). Gives exactly quantize_rows_u8's bytes, scale and zero.
void quantize_row_u8_range(const float* x, size_t cols, size_t ldq, float lo, float hi, uint8_t* q, float* scale,
                           int32_t* zero);

// Called on each finished row segment of y while it is still in cache (bias already added).
using RowEpilogue = void (*)(float* row, size_t n);

// What the GEMM does with its outputs after dequantization and bias.
struct Int8Post {
  RowEpilogue fn = nullptr;     // on each finished row segment; may be null
  bool fn_is_gelu_erf = false;  // fn is gelu_erf_inplace: the VNNI kernel applies it to the tile in
                                // registers instead (the same vector code, so the same bits)
  // If both set: lo[i] = min(lo[i], y[i, n0..n1)) and hi[i] = max(hi[i], ...), after fn, for i in
  // [0, m) — start them at 0 and they are the range quantize_row_u8_range wants.
  float* row_lo = nullptr;
  float* row_hi = nullptr;
};

// y[i, n0..n1) for i in [0, m): xq is [m, ldx] from quantize_rows_u8 with ldx ≥ w.kp; n0 must be a
// multiple of kInt8PanelCols, n1 ≤ w.n; bias may be null; post may be null.
void gemm_u8s8(Int8Kernel kernel, const uint8_t* xq, size_t ldx, const float* xscale, const int32_t* xzero,
               size_t m, const PackedInt8& w, const float* bias, size_t n0, size_t n1, float* y, size_t ldy,
               const Int8Post& post);
inline void gemm_u8s8(Int8Kernel kernel, const uint8_t* xq, size_t ldx, const float* xscale, const int32_t* xzero,
                      size_t m, const PackedInt8& w, const float* bias, size_t n0, size_t n1, float* y, size_t ldy,
                      RowEpilogue post) {
  gemm_u8s8(kernel, xq, ldx, xscale, xzero, m, w, bias, n0, n1, y, ldy, Int8Post{post});
}

// The same product over all of w's columns, with the work shared by the threads that call it with
// the same `work` counter (starting at 0): (row block, 64-column panel) items are claimed one at a
// time, so a thread whose core runs slower — another tenant on a shared host — takes fewer of them
// instead of holding the others at the end of a fixed share. Outputs and ranges are the same as
// gemm_u8s8's (each output is computed whole by one thread; row_lo/row_hi, if set, are per calling
// thread). Returns false, doing nothing, where only the fixed split exists (kernels other than
// VNNI, or a row function other than GELU): gemm_u8s8_shared_supported says which.
bool gemm_u8s8_shared_supported(Int8Kernel kernel, const Int8Post& post);
bool gemm_u8s8_shared(Int8Kernel kernel, const uint8_t* xq, size_t ldx, const float* xscale, const int32_t* xzero,
                      size_t m, const PackedInt8& w, const float* bias, float* y, size_t ldy, const Int8Post& post,
                      std::atomic<size_t>& work);

}  // namespace sy::engine
