// Kernels against naive loops: fp32 linear (OpenBLAS + fused epilogue), int8 GEMM (AVX2 vs portable
// and vs fp32), element-wise math, layer norm, and the compute pool.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cmath>
#include <random>
#include <stdexcept>
#include <utility>
#include <vector>

#include "engine/compute_pool.hpp"
#include "engine/encoder_forward.hpp"
#include "engine/gemm_f32.hpp"
#include "engine/linear.hpp"
#include "engine/quant.hpp"
#include "engine/vec_math.hpp"

using namespace sy::engine;

namespace {

std::vector<float> randn(size_t n, float scale, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

Linear make_linear(int out, int in, uint32_t seed) {
  Linear l;
  l.out = out;
  l.in = in;
  l.w = randn(static_cast<size_t>(out * in), 0.1f, seed);
  l.b = randn(static_cast<size_t>(out), 0.1f, seed + 1);
  return l;
}

std::vector<double> naive(const Linear& l, const std::vector<float>& x, size_t m) {
  std::vector<double> y(m * static_cast<size_t>(l.out));
  for (size_t i = 0; i < m; ++i)
    for (int n = 0; n < l.out; ++n) {
      double s = l.b[static_cast<size_t>(n)];
      for (int k = 0; k < l.in; ++k) s += double(x[i * l.in + k]) * l.w[static_cast<size_t>(n * l.in + k)];
      y[i * l.out + n] = s;
    }
  return y;
}

double gelu(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }

}  // namespace

TEST(Kernels, LinearFp32WithFusedGeluMatchesNaive) {
  set_blas_single_threaded();
  ComputePool pool(3);
  LinearScratch scratch;
  for (size_t m : {1u, 5u, 37u}) {
    Linear l = make_linear(70, 48, 3);  // 70 outputs: not a multiple of the 16-column grain
    auto x = randn(m * 48, 1.0f, 9);
    std::vector<float> y(m * 70);
    linear_forward(pool, l, x.data(), m, y.data(), Epilogue::gelu_erf, scratch);
    auto ref = naive(l, x, m);
    for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], gelu(ref[i]), 1e-5) << "m=" << m << " i=" << i;
    linear_forward(pool, l, x.data(), m, y.data(), Epilogue::none, scratch);
    for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], ref[i], 1e-5);
  }
}

// Every int8 kernel this CPU runs gives bit-identical outputs (the int32 sums are exact and the
// dequantization is the same float operations), and they match the formula computed directly from
// the quantized operands. Shapes leave remainders everywhere: 13 rows (VNNI tiles of 6, AVX2 of 4),
// k = 77 (padded to 80), n = 130 (panels of 64, last one 2 columns wide).
TEST(Kernels, Int8KernelsAgreeBitForBit) {
  const size_t m = 13, n = 130, k = 77;
  auto x = randn(m * k, 1.0f, 21);
  for (size_t c = 0; c < k; ++c) x[3 * k + c] = std::fabs(x[3 * k + c]);  // a row with lo = 0
  for (size_t c = 0; c < k; ++c) x[5 * k + c] = 0.0f;                     // an all-zero row
  auto w = randn(n * k, 0.1f, 22);
  auto bias = randn(n, 0.1f, 23);
  const PackedInt8 p = pack_int8(w.data(), n, k);
  ASSERT_EQ(p.kp, 80u);
  ASSERT_EQ(p.np, 192u);

  const size_t ldx = p.kp;
  std::vector<uint8_t> q(m * ldx), q2(m * ldx);
  std::vector<float> xs(m), xs2(m);
  std::vector<int32_t> xz(m), xz2(m);
  quantize_rows_u8(x.data(), m, k, ldx, q.data(), xs.data(), xz.data());
  quantize_rows_u8_portable(x.data(), m, k, ldx, q2.data(), xs2.data(), xz2.data());
  ASSERT_EQ(q, q2);
  ASSERT_EQ(xs, xs2);
  ASSERT_EQ(xz, xz2);
  EXPECT_EQ(xz[3], 0);  // no negative values: zero point 0

  // Reference from the operands: unpack weight codes through the documented layout.
  std::vector<int8_t> wq(n * k);
  std::vector<float> ws(n);
  quantize_rows(w.data(), n, k, wq.data(), ws.data());
  for (size_t r = 0; r < n; ++r)
    for (size_t c = 0; c < k; ++c)
      ASSERT_EQ(p.data[(r / 64) * p.kp * 64 + (c / 4) * 256 + (r % 64) * 4 + c % 4], wq[r * k + c]);

  std::vector<float> ref(m * n);
  gemm_u8s8(Int8Kernel::portable, q.data(), ldx, xs.data(), xz.data(), m, p, bias.data(), 0, n, ref.data(), n,
            nullptr);
  for (size_t i = 0; i < m; ++i)
    for (size_t j = 0; j < n; ++j) {
      double acc = 0;
      for (size_t c = 0; c < k; ++c) acc += (double(q[i * ldx + c]) - xz[i]) * wq[j * k + c];
      const double want = acc * xs[i] * ws[j] + bias[j];
      ASSERT_NEAR(ref[i * n + j], want, 1e-5 * (1 + std::fabs(want))) << i << "," << j;
    }
  for (size_t j = 0; j < n; ++j) ASSERT_EQ(ref[5 * n + j], bias[j]);  // zero row → bias exactly

  for (Int8Kernel kern : {Int8Kernel::avx2, Int8Kernel::avx512_vnni}) {
    if (!int8_kernel_supported(kern)) {
      std::printf("int8 kernel %s not supported on this CPU: not compared\n", int8_kernel_name(kern));
      continue;
    }
    std::vector<float> y(m * n, -1.0f);
    gemm_u8s8(kern, q.data(), ldx, xs.data(), xz.data(), m, p, bias.data(), 0, n, y.data(), n, nullptr);
    EXPECT_EQ(y, ref) << int8_kernel_name(kern);
    // A column range starting at the second panel, no bias, with a row epilogue.
    std::vector<float> y2(m * n, -7.0f), ref2(m * n, -7.0f);
    gemm_u8s8(kern, q.data(), ldx, xs.data(), xz.data(), m, p, nullptr, 64, n, y2.data(), n, relu_inplace);
    gemm_u8s8(Int8Kernel::portable, q.data(), ldx, xs.data(), xz.data(), m, p, nullptr, 64, n, ref2.data(), n,
              relu_inplace);
    EXPECT_EQ(y2, ref2) << int8_kernel_name(kern);
    for (size_t i = 0; i < m; ++i) {
      EXPECT_EQ(y2[i * n + 63], -7.0f);  // outside the range: untouched
      for (size_t j = 64; j < n; ++j) ASSERT_GE(y2[i * n + j], 0.0f);
    }
  }
}

// Producers that quantize their output for the next int8 layer (the FFN-in GEMM with its row
// ranges; LayerNorm) give exactly what quantize_rows_u8 gives on
// that output, and the GEMM's fused GELU (in the VNNI tile) equals GELU applied per row afterwards.
TEST(Kernels, Int8ProducersQuantizeLikeQuantizeRowsU8) {
  Linear l = make_linear(200, 96, 41);  // 200 outputs: the last panel is partial
  quantize_linear(l);
  const size_t n = 200, ld_next = 204;
  for (int threads : {2, 3}) {
    ComputePool pool(threads);
    // 2 and 3 workers: the per-worker row ranges are combined across differently split columns;
    // on VNNI CPUs with GELU or no activation the workers claim (row block, panel) items from a
    // shared counter (gemm_u8s8_shared; m = 1000 spans three row blocks), with ReLU they split
    // the columns.
    for (size_t m : {1u, 37u, 1000u}) {
      auto x = randn(m * 96, 1.0f, 42);
      QuantizedRows xq;
      xq.resize(m, l.q.kp);
      quantize_rows_u8(x.data(), m, 96, l.q.kp, xq.q.data(), xq.scale.data(), xq.zero.data());
      for (Epilogue ep : {Epilogue::gelu_erf, Epilogue::none, Epilogue::relu}) {
        LinearScratch scratch;
        QuantizedRows next;
        std::vector<float> y(m * n), ref(m * n);
        linear_forward_q8(pool, l, xq, m, y.data(), ep, scratch, &next, ld_next);
        // Reference: the GEMM with the activation as a plain row function, then quantize_rows_u8.
        const RowEpilogue fn = ep == Epilogue::gelu_erf ? gelu_erf_inplace : ep == Epilogue::relu ? relu_inplace : nullptr;
        gemm_u8s8(best_int8_kernel(), xq.q.data(), xq.ld, xq.scale.data(), xq.zero.data(), m, l.q, l.b.data(), 0, n,
                  ref.data(), n, fn);
        ASSERT_EQ(y, ref) << "threads=" << threads << " m=" << m;
        std::vector<uint8_t> q(m * ld_next);
        std::vector<float> qs(m);
        std::vector<int32_t> qz(m);
        quantize_rows_u8(ref.data(), m, n, ld_next, q.data(), qs.data(), qz.data());
        ASSERT_EQ(std::vector<uint8_t>(next.q.begin(), next.q.begin() + static_cast<long>(m * ld_next)), q)
            << "threads=" << threads << " m=" << m;
        ASSERT_EQ(std::vector<float>(next.scale.begin(), next.scale.begin() + static_cast<long>(m)), qs);
        ASSERT_EQ(std::vector<int32_t>(next.zero.begin(), next.zero.begin() + static_cast<long>(m)), qz);
      }
    }
  }
  // LayerNorm (vector body + tail) quantizing its rows.
  const size_t rows = 5, h = 37, ldq = 40;
  auto a = randn(rows * h, 1.0f, 43), b = randn(rows * h, 1.0f, 44);
  LayerNormWeights ln{randn(h, 1.0f, 45), randn(h, 1.0f, 46)};
  for (size_t c = 0; c < h; ++c) a[2 * h + c] = b[2 * h + c] = 0.0f;  // a constant row: output = beta
  std::vector<float> out(rows * h), out2(rows * h);
  std::vector<uint8_t> q(rows * ldq, 99), q2(rows * ldq);
  std::vector<float> qs(rows), qs2(rows);
  std::vector<int32_t> qz(rows), qz2(rows);
  add_layer_norm_q8(a.data(), b.data(), out.data(), rows, h, ln, 1e-5f, q.data(), ldq, qs.data(), qz.data());
  add_layer_norm(a.data(), b.data(), out2.data(), rows, h, ln, 1e-5f);
  quantize_rows_u8(out2.data(), rows, h, ldq, q2.data(), qs2.data(), qz2.data());
  EXPECT_EQ(out, out2);
  EXPECT_EQ(q, q2);
  EXPECT_EQ(qs, qs2);
  EXPECT_EQ(qz, qz2);
}

// The same agreement on a shape that crosses the VNNI path's cache blocks: more rows than one
// 96-row block (with a partial 6-row tile at its end), k over several 256-byte blocks with a
// remainder (k = 601 → kp = 604), and M = 1.
TEST(Kernels, Int8KernelsAgreeAcrossCacheBlocks) {
  const size_t n = 130, k = 601;
  auto w = randn(n * k, 0.1f, 24);
  auto bias = randn(n, 0.1f, 25);
  const PackedInt8 p = pack_int8(w.data(), n, k);
  for (size_t m : {1u, 203u}) {
    auto x = randn(m * k, 1.0f, 26);
    const size_t ldx = p.kp;
    std::vector<uint8_t> q(m * ldx);
    std::vector<float> xs(m);
    std::vector<int32_t> xz(m);
    quantize_rows_u8(x.data(), m, k, ldx, q.data(), xs.data(), xz.data());
    std::vector<float> ref(m * n), ref2(m * n, -7.0f);
    gemm_u8s8(Int8Kernel::portable, q.data(), ldx, xs.data(), xz.data(), m, p, bias.data(), 0, n, ref.data(), n,
              nullptr);
    gemm_u8s8(Int8Kernel::portable, q.data(), ldx, xs.data(), xz.data(), m, p, nullptr, 64, n, ref2.data(), n,
              relu_inplace);
    for (Int8Kernel kern : {Int8Kernel::avx2, Int8Kernel::avx512_vnni}) {
      if (!int8_kernel_supported(kern)) continue;
      std::vector<float> y(m * n, -1.0f), y2(m * n, -7.0f);
      gemm_u8s8(kern, q.data(), ldx, xs.data(), xz.data(), m, p, bias.data(), 0, n, y.data(), n, nullptr);
      EXPECT_EQ(y, ref) << int8_kernel_name(kern) << " m=" << m;
      gemm_u8s8(kern, q.data(), ldx, xs.data(), xz.data(), m, p, nullptr, 64, n, y2.data(), n, relu_inplace);
      EXPECT_EQ(y2, ref2) << int8_kernel_name(kern) << " m=" << m;
    }
  }
}

// The packed fp32 kernel: the AVX-512 form agrees bit for bit with the portable one (both are
// fma chains in ascending k from 0, then + bias) and both are close to a double-precision GEMM.
// Shapes cover every remainder: m = 1, a partial 12-row tile, more than one 144-row block
// (m = 150); k below and above the 128-step block with remainders, and over more than one
// 768-step chunk (k = 77, 192, 400, 1000); n = 70 (the last 32-column panel 6 wide; activations
// read in place) and n = 300 (wide enough that they are copied first), and column ranges that start
// at a later panel.
TEST(Kernels, PackedF32KernelsAgreeBitForBitAndMatchDouble) {
  for (auto [n, k] : {std::pair<size_t, size_t>{70, 77}, {70, 192}, {70, 400}, {70, 1000}, {300, 400}, {300, 1000}}) {
    auto w = randn(n * k, 0.1f, 31);
    auto bias = randn(n, 0.1f, 32);
    const PackedF32 p = pack_f32(w.data(), n, k);
    ASSERT_EQ(p.np, (n + 31) / 32 * 32);
    for (size_t r = 0; r < n; ++r)
      for (size_t c = 0; c < k; ++c) ASSERT_EQ(p.data[(r / 32) * k * 32 + c * 32 + r % 32], w[r * k + c]);
    for (size_t m : {1u, 13u, 150u}) {
      const size_t ldx = k + 3;  // rows not contiguous: the kernel must honour ldx
      auto x = randn(m * ldx, 1.0f, 33);
      std::vector<float> ref(m * n, -9.0f);
      gemm_f32_packed(F32Kernel::portable, x.data(), ldx, m, p, bias.data(), 0, n, ref.data(), n, nullptr);
      for (size_t i = 0; i < m; ++i)
        for (size_t j = 0; j < n; ++j) {
          double acc = bias[j];
          for (size_t c = 0; c < k; ++c) acc += double(x[i * ldx + c]) * w[j * k + c];
          ASSERT_NEAR(ref[i * n + j], acc, 2e-4) << "n=" << n << " k=" << k << " m=" << m << " " << i << "," << j;
        }
      if (!f32_kernel_supported(F32Kernel::avx512)) {
        std::printf("fp32 kernel avx512 not supported on this CPU: not compared\n");
        continue;
      }
      std::vector<float> y(m * n, -9.0f);
      gemm_f32_packed(F32Kernel::avx512, x.data(), ldx, m, p, bias.data(), 0, n, y.data(), n, nullptr);
      ASSERT_EQ(y, ref) << "n=" << n << " k=" << k << " m=" << m;
      // From the second panel, no bias, with a row epilogue; columns before it stay untouched.
      std::vector<float> y2(m * n, -7.0f), ref2(m * n, -7.0f);
      gemm_f32_packed(F32Kernel::avx512, x.data(), ldx, m, p, nullptr, 32, n, y2.data(), n, relu_inplace);
      gemm_f32_packed(F32Kernel::portable, x.data(), ldx, m, p, nullptr, 32, n, ref2.data(), n, relu_inplace);
      ASSERT_EQ(y2, ref2) << "n=" << n << " k=" << k << " m=" << m;
      for (size_t i = 0; i < m; ++i) {
        EXPECT_EQ(y2[i * n + 31], -7.0f);
        for (size_t j = 32; j < n; ++j) ASSERT_GE(y2[i * n + j], 0.0f);
      }
    }
  }
}

// Attention's use of the kernel: K [L, d] and V [L, d] read out of a wider row-major buffer
// (stride ld), K packed as "weights" [L, d] (16 × 16 register transposes where whole blocks fit,
// the scalar loop elsewhere) and V transposed as [d, L] (vector row copies for whole panels);
// S = Q·Kᵀ and C = S·V match double precision, bit-identical across kernels, for L and d that are
// and are not multiples of the 16-float block, the 32-column panel and the 12-row tile.
TEST(Kernels, PackedF32AttentionOperands) {
  for (auto [L, d] : {std::pair<size_t, size_t>{45, 24}, {128, 64}, {70, 32}, {33, 40}, {16, 16}, {5, 7}}) {
    const size_t ld = 3 * d + 5;
    auto qkv = randn(L * ld, 1.0f, static_cast<uint32_t>(51 + L + d));
    const float* q = qkv.data();
    const float* k = q + d;
    const float* v = q + 2 * d;
    const size_t lp = (L + 31) / 32 * 32, dp = (d + 31) / 32 * 32;
    std::vector<float> kp(lp * d, -1.0f), vp(dp * L, -1.0f);
    pack_f32_panels(k, ld, L, d, kp.data());
    pack_f32_panels_t(v, ld, d, L, vp.data());
    for (size_t r = 0; r < lp; ++r)
      for (size_t c = 0; c < d; ++c)
        ASSERT_EQ(kp[(r / 32) * d * 32 + c * 32 + r % 32], r < L ? k[r * ld + c] : 0.0f)
            << "L=" << L << " d=" << d << " at " << r << "," << c;
    for (size_t r = 0; r < dp; ++r)
      for (size_t c = 0; c < L; ++c)
        ASSERT_EQ(vp[(r / 32) * L * 32 + c * 32 + r % 32], r < d ? v[c * ld + r] : 0.0f)
            << "L=" << L << " d=" << d << " at " << r << "," << c;
    std::vector<float> S(L * L), C(L * d);
    gemm_f32_panels(F32Kernel::portable, q, ld, L, kp.data(), d, nullptr, 0, L, S.data(), L, nullptr);
    gemm_f32_panels(F32Kernel::portable, S.data(), L, L, vp.data(), L, nullptr, 0, d, C.data(), d, nullptr);
    for (size_t i = 0; i < L; ++i)
      for (size_t j = 0; j < L; ++j) {
        double acc = 0;
        for (size_t c = 0; c < d; ++c) acc += double(q[i * ld + c]) * k[j * ld + c];
        ASSERT_NEAR(S[i * L + j], acc, 1e-4);
      }
    for (size_t i = 0; i < L; ++i)
      for (size_t c = 0; c < d; ++c) {
        double acc = 0;
        for (size_t j = 0; j < L; ++j) acc += double(S[i * L + j]) * v[j * ld + c];
        ASSERT_NEAR(C[i * d + c], acc, 1e-3);
      }
    if (!f32_kernel_supported(F32Kernel::avx512)) GTEST_SKIP() << "no AVX-512F: portable form only";
    std::vector<float> S2(L * L), C2(L * d);
    gemm_f32_panels(F32Kernel::avx512, q, ld, L, kp.data(), d, nullptr, 0, L, S2.data(), L, nullptr);
    gemm_f32_panels(F32Kernel::avx512, S2.data(), L, L, vp.data(), L, nullptr, 0, d, C2.data(), d, nullptr);
    EXPECT_EQ(S2, S) << "L=" << L << " d=" << d;
    EXPECT_EQ(C2, C) << "L=" << L << " d=" << d;
  }
}

// softmax(scale · x) (attention's scores with 1/sqrt(d) folded in) against double precision,
// on lengths with and without a 16-lane tail.
TEST(Kernels, ScaledSoftmaxMatchesDouble) {
  for (size_t n : {1u, 7u, 16u, 45u, 128u}) {
    auto x = randn(n, 3.0f, static_cast<uint32_t>(60 + n));
    const float scale = 0.125f;
    std::vector<double> want(n);
    double mx = -1e300, sum = 0;
    for (float v : x) mx = std::max(mx, double(v) * scale);
    for (size_t i = 0; i < n; ++i) sum += want[i] = std::exp(double(x[i]) * scale - mx);
    auto u = x;
    softmax_scaled_inplace(x.data(), n, scale);
    double got_sum = 0;
    for (size_t i = 0; i < n; ++i) {
      ASSERT_NEAR(x[i], want[i] / sum, 1e-6) << "n=" << n << " i=" << i;
      got_sum += x[i];
    }
    EXPECT_NEAR(got_sum, 1.0, 1e-5);
    // The form attention uses: the exponentials (largest exactly 1) and their sum, not normalized.
    const float s = softmax_scaled_unnormalized(u.data(), n, scale);
    EXPECT_NEAR(s, sum, 1e-6 * sum) << "n=" << n;
    for (size_t i = 0; i < n; ++i) ASSERT_NEAR(u[i], want[i], 1e-6) << "n=" << n << " i=" << i;
  }
}

// linear_forward on a packed layer (split across the pool's workers by panels) matches the naive
// GEMM with the fused GELU, and packing frees the original weights.
TEST(Kernels, PackedLinearWithFusedGeluMatchesNaive) {
  ComputePool pool(3);
  LinearScratch scratch;
  Linear l = make_linear(200, 96, 41);
  const Linear orig = l;
  if (!prepack_linear(l)) GTEST_SKIP() << "no AVX-512F: layers stay on OpenBLAS";
  EXPECT_TRUE(l.packed());
  EXPECT_TRUE(l.w.empty());
  for (size_t m : {1u, 7u, 40u}) {
    auto x = randn(m * 96, 1.0f, 42);
    std::vector<float> y(m * 200);
    linear_forward(pool, l, x.data(), m, y.data(), Epilogue::gelu_erf, scratch);
    auto ref = naive(orig, x, m);
    for (size_t i = 0; i < y.size(); ++i) ASSERT_NEAR(y[i], gelu(ref[i]), 1e-5) << "m=" << m << " i=" << i;
  }
}

TEST(Kernels, QuantizeRowsU8IsAsymmetricPerRow) {
  std::vector<float> x = {-1.0f, 0.0f, 0.5f, 1.5f, 2.0f, 4.0f};
  std::vector<uint8_t> q(8);
  std::vector<float> s(2);
  std::vector<int32_t> z(2);
  quantize_rows_u8_portable(x.data(), 2, 3, 4, q.data(), s.data(), z.data());
  EXPECT_FLOAT_EQ(s[0], 1.5f / 255.0f);  // range [-1, 0.5]
  EXPECT_EQ(z[0], 170);                  // round(1 / s)
  EXPECT_EQ(q[0], 0);
  EXPECT_EQ(q[1], 170);  // 0 is exact
  EXPECT_EQ(q[2], 255);
  EXPECT_EQ(q[3], 0);  // padding
  EXPECT_FLOAT_EQ(s[1], 4.0f / 255.0f);  // range widened to [0, 4]
  EXPECT_EQ(z[1], 0);
  EXPECT_EQ(q[4 + 2], 255);
  for (size_t c = 0; c < 3; ++c) EXPECT_NEAR((q[4 + c] - z[1]) * s[1], x[3 + c], s[1] / 2);
}

TEST(Kernels, QuantizeRowsIsSymmetricPerRow) {
  std::vector<float> x = {1.0f, -0.5f, 0.25f, 0.0f, 0.0f, 0.0f};
  std::vector<int8_t> q(6);
  std::vector<float> s(2);
  quantize_rows(x.data(), 2, 3, q.data(), s.data());
  EXPECT_FLOAT_EQ(s[0], 1.0f / 127.0f);
  EXPECT_EQ(q[0], 127);
  EXPECT_EQ(q[1], -64);  // -63.5 rounds to even
  EXPECT_EQ(q[2], 32);
  EXPECT_EQ(q[3], 0);
  EXPECT_FLOAT_EQ(s[1], 1.0f);  // all-zero row: any scale, zero codes
}

TEST(Kernels, Int8LinearCloseToFp32) {
  ComputePool pool(2);
  LinearScratch scratch;
  Linear l = make_linear(64, 96, 5);
  Linear q = l;
  quantize_linear(q);
  EXPECT_TRUE(q.quantized());
  EXPECT_TRUE(q.w.empty());
  const size_t m = 9;
  auto x = randn(m * 96, 1.0f, 11);
  std::vector<float> y(m * 64), yq(m * 64);
  linear_forward(pool, l, x.data(), m, y.data(), Epilogue::none, scratch);
  linear_forward(pool, q, x.data(), m, yq.data(), Epilogue::none, scratch);
  double num = 0, den = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    num += (y[i] - yq[i]) * (y[i] - yq[i]);
    den += y[i] * y[i];
  }
  EXPECT_LT(std::sqrt(num / den), 0.02);  // ~1% relative error expected from 8-bit codes
}

TEST(Kernels, ElementwiseMath) {
  for (float x = -20.0f; x <= 20.0f; x += 0.01f) {
    ASSERT_NEAR(fast_erf(x), std::erf(x), 6e-7) << x;  // 1.5e-7 approximation + float cancellation near 0
  }
  for (float x = -80.0f; x <= 80.0f; x += 0.1f) {
    ASSERT_NEAR(fast_exp(x) / std::exp(x), 1.0f, 1e-6) << x;
  }
  std::vector<float> v, t;
  for (float x = -10.0f; x <= 10.0f; x += 0.013f) v.push_back(x);
  t = v;
  gelu_erf_inplace(t.data(), t.size());
  for (size_t i = 0; i < v.size(); ++i) ASSERT_NEAR(t[i], gelu(v[i]), 2e-6) << v[i];
  t = v;
  gelu_tanh_inplace(t.data(), t.size());
  for (size_t i = 0; i < v.size(); ++i) {
    double x = v[i];
    ASSERT_NEAR(t[i], 0.5 * x * (1 + std::tanh(0.7978845608028654 * (x + 0.044715 * x * x * x))), 2e-6);
  }
  t = v;
  tanh_inplace(t.data(), t.size());
  for (size_t i = 0; i < v.size(); ++i) ASSERT_NEAR(t[i], std::tanh(v[i]), 1e-6);
  std::vector<float> s = {1.0f, 2.0f, 3.0f, -1000.0f, 0.5f, 0.0f, 7.0f, 2.0f, 1.0f, 3.0f, -2.0f};
  std::vector<double> e(s.size());
  double sum = 0;
  for (size_t i = 0; i < s.size(); ++i) sum += (e[i] = std::exp(double(s[i]) - 7.0));
  softmax_inplace(s.data(), s.size());
  for (size_t i = 0; i < s.size(); ++i) ASSERT_NEAR(s[i], e[i] / sum, 1e-7);
}

TEST(Kernels, AddLayerNorm) {
  LayerNormWeights ln{{1.0f, 2.0f, 1.0f, 1.0f}, {0.0f, 0.0f, 1.0f, 0.0f}};
  std::vector<float> a = {1, 2, 3, 4}, b = {1, 0, -1, 0}, out(4);
  add_layer_norm(a.data(), b.data(), out.data(), 1, 4, ln, 1e-12f);  // h < 8: the scalar tail
  // a+b = {2,2,2,4}: mean 2.5, var 0.75
  const double r = 1.0 / std::sqrt(0.75);
  EXPECT_NEAR(out[0], -0.5 * r, 1e-6);
  EXPECT_NEAR(out[1], -1.0 * r, 1e-6);
  EXPECT_NEAR(out[2], -0.5 * r + 1.0, 1e-6);
  EXPECT_NEAR(out[3], 1.5 * r, 1e-6);
}

TEST(Kernels, AddLayerNormWideRowsMatchDouble) {
  const size_t rows = 3, h = 37;  // vector body + scalar tail
  auto a = randn(rows * h, 1.0f, 31), b = randn(rows * h, 1.0f, 32);
  LayerNormWeights ln{randn(h, 1.0f, 33), randn(h, 1.0f, 34)};
  std::vector<float> out(rows * h);
  add_layer_norm(a.data(), b.data(), out.data(), rows, h, ln, 1e-5f);
  for (size_t r = 0; r < rows; ++r) {
    double mean = 0, var = 0;
    for (size_t j = 0; j < h; ++j) mean += double(a[r * h + j]) + b[r * h + j];
    mean /= h;
    for (size_t j = 0; j < h; ++j) var += std::pow(double(a[r * h + j]) + b[r * h + j] - mean, 2);
    const double rstd = 1.0 / std::sqrt(var / h + 1e-5);
    for (size_t j = 0; j < h; ++j) {
      const double want = (double(a[r * h + j]) + b[r * h + j] - mean) * rstd * ln.gamma[j] + ln.beta[j];
      ASSERT_NEAR(out[r * h + j], want, 1e-5) << r << "," << j;
    }
  }
}

TEST(ComputePool, RunsEveryItemOnceAndPropagatesErrors) {
  ComputePool pool(4);
  EXPECT_EQ(pool.size(), 4);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::atomic<int>> hits(97);
    pool.parallel_for(hits.size(), [&](size_t i, int worker) {
      ASSERT_GE(worker, 0);
      ASSERT_LT(worker, 4);
      hits[i].fetch_add(1);
    });
    for (auto& h : hits) ASSERT_EQ(h.load(), 1);
  }
  EXPECT_THROW(pool.parallel_for(10, [](size_t i, int) {
    if (i == 3) throw std::runtime_error("boom");
  }), std::runtime_error);
  size_t covered = 0;
  pool.parallel_ranges(1000, 16, [&](size_t b, size_t e, int) {
    EXPECT_EQ(b % 16, 0u);
    __atomic_add_fetch(&covered, e - b, __ATOMIC_RELAXED);
  });
  EXPECT_EQ(covered, 1000u);
}
