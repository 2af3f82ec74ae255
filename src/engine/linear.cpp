#include "engine/linear.hpp"

#include <algorithm>
#include <atomic>
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

void QuantizedRows::resize(size_t m, size_t row_bytes) {
  ld = row_bytes;
  if (q.size() < m * ld) q.resize(m * ld);
  if (scale.size() < m) scale.resize(m);
  if (zero.size() < m) zero.resize(m);
}

void linear_forward_q8(ComputePool& pool, const Linear& l, const QuantizedRows& x, size_t m, float* y, Epilogue ep,
                       LinearScratch& scratch, QuantizedRows* next, size_t next_ld) {
  if (m == 0) return;
  const size_t n = static_cast<size_t>(l.out);
  static const Int8Kernel kernel = best_int8_kernel();
  Int8Post post{row_epilogue(ep), ep == Epilogue::gelu_erf};
  const size_t workers = static_cast<size_t>(pool.size());
  const float* bias = l.b.empty() ? nullptr : l.b.data();
  if (next) {
    // Per worker, per row: the range of the columns that worker wrote (0 included).
    if (scratch.row_lo.size() < workers * m) scratch.row_lo.resize(workers * m);
    if (scratch.row_hi.size() < workers * m) scratch.row_hi.resize(workers * m);
    std::fill(scratch.row_lo.begin(), scratch.row_lo.begin() + static_cast<std::ptrdiff_t>(workers * m), 0.0f);
    std::fill(scratch.row_hi.begin(), scratch.row_hi.begin() + static_cast<std::ptrdiff_t>(workers * m), 0.0f);
  }
  auto worker_post = [&](int worker) {
    Int8Post wp = post;
    if (next) {
      wp.row_lo = scratch.row_lo.data() + static_cast<size_t>(worker) * m;
      wp.row_hi = scratch.row_hi.data() + static_cast<size_t>(worker) * m;
    }
    return wp;
  };
  if (workers > 1 && gemm_u8s8_shared_supported(kernel, post)) {
    // (row block, panel) items claimed by whichever worker is free: on a shared host one worker's
    // core often runs slower for a while, and with fixed shares the other then waited at the end
    // of every GEMM (wall time 5–10% above CPU time / workers in the int8 forward).
    std::atomic<size_t> work{0};
    pool.parallel_for(workers, [&](size_t, int worker) {
      gemm_u8s8_shared(kernel, x.q.data(), x.ld, x.scale.data(), x.zero.data(), m, l.q, bias, y, n,
                       worker_post(worker), work);
    });
  } else {
    // Whole 64-column panels per worker: each worker streams its own part of the packed weights.
    // (Four ranges per worker taken in turn made the GEMMs ~10% slower at 1024 rows in gemm_bench:
    // every range re-read all the activation rows.)
    pool.parallel_ranges((n + kInt8PanelCols - 1) / kInt8PanelCols, 1, [&](size_t p0, size_t p1, int worker) {
      gemm_u8s8(kernel, x.q.data(), x.ld, x.scale.data(), x.zero.data(), m, l.q, bias, p0 * kInt8PanelCols,
                std::min(n, p1 * kInt8PanelCols), y, n, worker_post(worker));
    });
  }
  if (!next) return;
  next->resize(m, next_ld);
  pool.parallel_ranges(m, 8, [&](size_t r0, size_t r1, int) {
    for (size_t r = r0; r < r1; ++r) {
      float lo = 0.0f, hi = 0.0f;
      for (size_t w = 0; w < workers; ++w) {
        lo = std::min(lo, scratch.row_lo[w * m + r]);
        hi = std::max(hi, scratch.row_hi[w * m + r]);
      }
      quantize_row_u8_range(y + r * n, n, next_ld, lo, hi, next->q.data() + r * next_ld, next->scale.data() + r,
                            next->zero.data() + r);
    }
  });
}

void linear_forward(ComputePool& pool, const Linear& l, const float* x, size_t m, float* y, Epilogue ep,
                    LinearScratch& scratch) {
  if (m == 0) return;
  const size_t n = static_cast<size_t>(l.out), k = static_cast<size_t>(l.in);
  if (l.quantized()) {
    const size_t kp = l.q.kp;
    QuantizedRows& xq = scratch.x;
    xq.resize(m, kp);
    pool.parallel_ranges(m, 8, [&](size_t r0, size_t r1, int) {
      quantize_rows_u8(x + r0 * k, r1 - r0, k, kp, xq.q.data() + r0 * kp, xq.scale.data() + r0, xq.zero.data() + r0);
    });
    linear_forward_q8(pool, l, xq, m, y, ep, scratch);
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
