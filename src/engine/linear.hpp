#pragma once
// Linear layers y = x Wᵀ + b (W stored [out, in] as in PyTorch/HF checkpoints), fp32 through our
// packed-weight kernel (gemm_f32.hpp; encoder layers on AVX-512 CPUs) or OpenBLAS cblas_sgemm,
// or int8 through quant.hpp (the fastest kernel the CPU runs), with the activation fused into the
// epilogue of each output block while it is still in cache.
//
// Threading: OpenBLAS is run single-threaded (set once by set_blas_single_threaded) and the
// engine's ComputePool splits the output columns (rows of W) across its workers, so one
// parallel_for covers the whole GEMM and no second thread pool competes for the cores.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/aligned_vector.hpp"
#include "engine/compute_pool.hpp"
#include "engine/gemm_f32.hpp"
#include "engine/quant.hpp"

namespace sy::engine {

enum class Epilogue { none, gelu_erf, gelu_tanh, relu, tanh };

struct Linear {
  int in = 0;
  int out = 0;
  std::vector<float> w;  // [out, in]; emptied when quantized or packed
  std::vector<float> b;  // [out]
  PackedInt8 q;          // int8 form (quant.hpp): per-output-channel scales, packed for the kernels
  PackedF32 p;           // fp32 packed form (gemm_f32.hpp)
  bool quantized() const { return !q.empty(); }
  bool packed() const { return !p.empty(); }
};

// Replaces the fp32 weights with the packed int8 form.
void quantize_linear(Linear&);

// Replaces the fp32 weights with the packed fp32 form when the CPU runs the packed kernel
// (AVX-512F); otherwise leaves them for OpenBLAS. Returns whether it packed. Only one copy of the
// weights is kept (the original is freed once packed).
bool prepack_linear(Linear&);

// Activations in quantize_rows_u8 form (quant.hpp) for an int8 Linear: m rows of `ld` bytes
// (ld ≥ the layer's padded k), one scale and zero point per row. Grown as needed, reused.
struct QuantizedRows {
  AlignedVector<uint8_t> q;  // rows of ld bytes from a cache line
  std::vector<float> scale;
  std::vector<int32_t> zero;
  size_t ld = 0;
  void resize(size_t m, size_t row_bytes);
};

// Scratch for the int8 path (quantized activations, per-worker row ranges); grown as needed, reused
// across calls.
struct LinearScratch {
  QuantizedRows x;
  std::vector<float> row_lo, row_hi;
};

// y[m, out] = epilogue(x[m, in] Wᵀ + b). x and y must not alias.
void linear_forward(ComputePool& pool, const Linear& l, const float* x, size_t m, float* y, Epilogue ep,
                    LinearScratch& scratch);

// The same for an int8 layer whose input was quantized by its producer (x.ld ≥ l.q.kp).
// With `next` (not null), y is also quantized into *next, rows of next_ld ≥ y's width bytes, for
// the int8 Linear that reads it: the GEMM's epilogue collects each row's range as it writes it
// (gemm_u8s8's Int8Post), so the quantization is one pass over y with no min/max pass of its own.
// The bytes are those quantize_rows_u8 would give.
void linear_forward_q8(ComputePool& pool, const Linear& l, const QuantizedRows& x, size_t m, float* y, Epilogue ep,
                       LinearScratch& scratch, QuantizedRows* next = nullptr, size_t next_ld = 0);

void apply_epilogue(float* y, size_t n, Epilogue ep);

// Sets OpenBLAS to one thread (idempotent); called when a model is loaded.
void set_blas_single_threaded();

}  // namespace sy::engine
