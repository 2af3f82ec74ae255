#include "engine/heads.hpp"

#include <gtest/gtest.h>

#include <cmath>

using namespace sy::engine;

TEST(Pooling, ClsMeanMaxAndConcatenation) {
  // 3 tokens, hidden 2
  const float h[] = {1, -1, 3, 0, 2, 4};
  PoolingConfig p;
  p.mean = true;
  float out[8];
  pool_sequence(h, 3, 2, p, out);
  EXPECT_FLOAT_EQ(out[0], 2.0f);
  EXPECT_FLOAT_EQ(out[1], 1.0f);
  p = {};
  p.max = true;
  pool_sequence(h, 3, 2, p, out);
  EXPECT_FLOAT_EQ(out[0], 3.0f);
  EXPECT_FLOAT_EQ(out[1], 4.0f);
  p = {};
  p.cls = p.max = p.mean = p.mean_sqrt_len = true;  // sentence-transformers order: cls, max, mean, sqrt
  pool_sequence(h, 3, 2, p, out);
  const float want[] = {1, -1, 3, 4, 2, 1, 6 / std::sqrt(3.0f), 3 / std::sqrt(3.0f)};
  for (int i = 0; i < 8; ++i) EXPECT_NEAR(out[i], want[i], 1e-6) << i;
}

TEST(Pooling, L2Normalize) {
  float v[] = {3, 4};
  l2_normalize(v, 2);
  EXPECT_FLOAT_EQ(v[0], 0.6f);
  EXPECT_FLOAT_EQ(v[1], 0.8f);
  float z[] = {0, 0};
  l2_normalize(z, 2);
  EXPECT_EQ(z[0], 0.0f);
}

TEST(Heads, SoftmaxSigmoidIdentity) {
  float a[] = {1, 2, 3};
  apply_head_activation(a, 3, HeadActivation::softmax);
  const double s = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  EXPECT_NEAR(a[0], std::exp(1.0) / s, 1e-7);
  EXPECT_NEAR(a[2], std::exp(3.0) / s, 1e-7);
  EXPECT_NEAR(a[0] + a[1] + a[2], 1.0, 1e-6);
  float b[] = {0, 2, -2};
  apply_head_activation(b, 3, HeadActivation::sigmoid);
  EXPECT_FLOAT_EQ(b[0], 0.5f);
  EXPECT_NEAR(b[1], 1 / (1 + std::exp(-2.0)), 1e-7);
  EXPECT_NEAR(b[1] + b[2], 1.0, 1e-6);
  float c[] = {-7.5f};
  apply_head_activation(c, 1, HeadActivation::identity);
  EXPECT_EQ(c[0], -7.5f);
  float big[] = {1000.0f, 0.0f};  // no overflow
  apply_head_activation(big, 2, HeadActivation::softmax);
  EXPECT_NEAR(big[0], 1.0, 1e-7);
}
