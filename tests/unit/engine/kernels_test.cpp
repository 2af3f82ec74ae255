// Kernels against naive loops: fp32 linear (OpenBLAS + fused epilogue), int8 GEMM (AVX2 vs portable
// and vs fp32), element-wise math, layer norm, and the compute pool.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "engine/compute_pool.hpp"
#include "engine/encoder_forward.hpp"
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

TEST(Kernels, Int8GemmDispatchEqualsPortable) {
  const size_t m = 7, n = 13, k = 77;  // remainders in every loop
  std::mt19937 rng(1);
  std::uniform_int_distribution<int> d(-127, 127);
  std::vector<int8_t> a(m * k), b(n * k);
  for (auto& v : a) v = static_cast<int8_t>(d(rng));
  for (auto& v : b) v = static_cast<int8_t>(d(rng));
  std::vector<float> xs(m, 0.5f), ws(n, 0.25f), bias(n, 1.0f), y1(m * n), y2(m * n);
  gemm_s8(a.data(), xs.data(), m, b.data(), ws.data(), bias.data(), 0, n, k, y1.data(), n);
  gemm_s8_portable(a.data(), xs.data(), m, b.data(), ws.data(), bias.data(), 0, n, k, y2.data(), n);
  EXPECT_EQ(y1, y2);
  // and against a hand-computed entry
  int32_t acc = 0;
  for (size_t p = 0; p < k; ++p) acc += int32_t(a[k + p]) * b[2 * k + p];
  EXPECT_FLOAT_EQ(y2[n + 2], float(acc) * 0.5f * 0.25f + 1.0f);
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
  add_layer_norm(a.data(), b.data(), out.data(), 1, 4, ln, 1e-12f);
  // a+b = {2,2,2,4}: mean 2.5, var 0.75
  const double r = 1.0 / std::sqrt(0.75);
  EXPECT_NEAR(out[0], -0.5 * r, 1e-6);
  EXPECT_NEAR(out[1], -1.0 * r, 1e-6);
  EXPECT_NEAR(out[2], -0.5 * r + 1.0, 1e-6);
  EXPECT_NEAR(out[3], 1.5 * r, 1e-6);
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
