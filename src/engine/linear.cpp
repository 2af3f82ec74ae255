#include "engine/linear.hpp"

#include <algorithm>
#include <cmath>
#include <mutex>

#include <cblas.h>

#include "engine/quant.hpp"
#include "engine/vec_math.hpp"

namespace sy::engine {

void set_blas_single_threaded() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}

void apply_epilogue(float* y, size_t n, Epilogue ep) {
  switch (ep) {
    case Epilogue::none: return;
    case Epilogue::gelu_erf: gelu_erf_inplace(y, n); return;
    case Epilogue::gelu_tanh: gelu_tanh_inplace(y, n); return;
    case Epilogue::relu: relu_inplace(y, n); return;
    case Epilogue::tanh: tanh_inplace(y, n); return;
  }
}

void quantize_linear(Linear& l) {
  l.q = pack_int8(l.w.data(), static_cast<size_t>(l.out), static_cast<size_t>(l.in));
  std::vector<float>().swap(l.w);
}

bool prepack_linear(Linear& l) {
  if (best_f32_kernel() != F32Kernel::avx512 || l.w.empty()) return false;
  l.p = pack_f32(l.w.data(), static_cast<size_t>(l.out), static_cast<size_t>(l.in));
  std::vector<float>().swap(l.w);
  return true;
}

namespace {

// Column blocks are multiples of 16 outputs so each worker's slice of W starts on a cache line.
constexpr size_t kColGrain = 16;

RowEpilogue row_epilogue(Epilogue ep) {
  switch (ep) {
    case Epilogue::none: return nullptr;
    case Epilogue::gelu_erf: return gelu_erf_inplace;
    case Epilogue::gelu_tanh: return gelu_tanh_inplace;
    case Epilogue::relu: return relu_inplace;
    case Epilogue::tanh: return tanh_inplace;
  }
  return nullptr;
}

void epilogue_block(const Linear& l, float* y, size_t m, size_t n0, size_t n1, size_t ldy, Epilogue ep,
                    bool add_bias) {
  for (size_t i = 0; i < m; ++i) {
    float* row = y + i * ldy + n0;
    if (add_bias && !l.b.empty()) {
      const float* b = l.b.data() + n0;
      for (size_t j = 0; j < n1 - n0; ++j) row[j] += b[j];
    }
    apply_epilogue(row, n1 - n0, ep);
  }
}

}  // namespace

void linear_forward(ComputePool& pool, const Linear& l, const float* x, size_t m, float* y, Epilogue ep,
                    LinearScratch& scratch) {
  if (m == 0) return;
  const size_t n = static_cast<size_t>(l.out), k = static_cast<size_t>(l.in);
  if (l.quantized()) {
    const size_t kp = l.q.kp;
    if (scratch.xq.size() < m * kp) scratch.xq.resize(m * kp);
    if (scratch.xscale.size() < m) scratch.xscale.resize(m);
    if (scratch.xzero.size() < m) scratch.xzero.resize(m);
    uint8_t* xq = scratch.xq.data();
    float* xs = scratch.xscale.data();
    int32_t* xz = scratch.xzero.data();
    pool.parallel_ranges(m, 8, [&](size_t r0, size_t r1, int) {
      quantize_rows_u8(x + r0 * k, r1 - r0, k, kp, xq + r0 * kp, xs + r0, xz + r0);
    });
    static const Int8Kernel kernel = best_int8_kernel();
    const RowEpilogue post = row_epilogue(ep);
    const float* bias = l.b.empty() ? nullptr : l.b.data();
    // Whole 64-column panels per worker: each worker streams its own part of the packed weights.
    pool.parallel_ranges((n + kInt8PanelCols - 1) / kInt8PanelCols, 1, [&](size_t p0, size_t p1, int) {
      gemm_u8s8(kernel, xq, kp, xs, xz, m, l.q, bias, p0 * kInt8PanelCols, std::min(n, p1 * kInt8PanelCols), y, n,
                post);
    });
    return;
  }
  // Small problems are not worth waking the helpers.
  const bool tiny = m * n * k < (1u << 16);
  if (l.packed()) {
    static const F32Kernel kernel = best_f32_kernel();
    const RowEpilogue post = row_epilogue(ep);
    const float* bias = l.b.empty() ? nullptr : l.b.data();
    const size_t panels = (n + kF32PanelCols - 1) / kF32PanelCols;
    auto run = [&](size_t p0, size_t p1, int) {
      gemm_f32_packed(kernel, x, k, m, l.p, bias, p0 * kF32PanelCols, std::min(n, p1 * kF32PanelCols), y, n, post);
    };
    if (tiny) {
      run(0, panels, 0);
    } else {
      pool.parallel_ranges(panels, 1, run);
    }
    return;
  }
  auto block = [&](size_t n0, size_t n1, int) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(m), static_cast<int>(n1 - n0),
                static_cast<int>(k), 1.0f, x, static_cast<int>(k), l.w.data() + n0 * k, static_cast<int>(k), 0.0f,
                y + n0, static_cast<int>(n));
    epilogue_block(l, y, m, n0, n1, n, ep, true);
  };
  if (tiny) {
    block(0, n, 0);
  } else {
    pool.parallel_ranges(n, kColGrain, block);
  }
}

}  // namespace sy::engine
