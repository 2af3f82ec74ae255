#include "engine/encoder_forward.hpp"

#include <algorithm>
#include <cmath>

#include <cblas.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include "engine/gemm_f32.hpp"
#include "engine/vec_math.hpp"

namespace sy::engine {

void TokenBatch::add(std::span<const int32_t> seq_ids, std::span<const int32_t> seq_types) {
  ids.insert(ids.end(), seq_ids.begin(), seq_ids.end());
  if (seq_types.size() == seq_ids.size()) {
    type_ids.insert(type_ids.end(), seq_types.begin(), seq_types.end());
  } else {
    type_ids.resize(ids.size(), 0);
  }
  offsets.push_back(ids.size());
}

void TokenBatch::clear() {
  ids.clear();
  type_ids.clear();
  offsets.assign(1, 0);
}

namespace {

// Where a LayerNorm also quantizes its output rows (null q: it does not).
struct RowQuant {
  uint8_t* q = nullptr;
  size_t ldq = 0;
  float* scale = nullptr;
  int32_t* zero = nullptr;
  void row(const float* o, size_t h, size_t r, float lo, float hi) const {
    quantize_row_u8_range(o, h, ldq, lo, hi, q + r * ldq, scale + r, zero + r);
  }
};

void add_layer_norm_scalar(const float* a, const float* b, float* out, size_t rows, size_t h, const float* g,
                           const float* be, float eps, const RowQuant& rq) {
  for (size_t r = 0; r < rows; ++r) {
    const float* ar = a + r * h;
    const float* br = b + r * h;
    float* o = out + r * h;
    float sum = 0.0f;
    for (size_t j = 0; j < h; ++j) {
      o[j] = ar[j] + br[j];
      sum += o[j];
    }
    const float mean = sum / static_cast<float>(h);
    float var = 0.0f;
    for (size_t j = 0; j < h; ++j) {
      const float d = o[j] - mean;
      var += d * d;
    }
    const float rstd = 1.0f / std::sqrt(var / static_cast<float>(h) + eps);
    float lo = 0.0f, hi = 0.0f;
    for (size_t j = 0; j < h; ++j) {
      o[j] = (o[j] - mean) * rstd * g[j] + be[j];
      lo = std::min(lo, o[j]);
      hi = std::max(hi, o[j]);
    }
    if (rq.q) rq.row(o, h, r, lo, hi);
  }
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2,fma"))) float hsum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// Same two-pass mean/variance as the scalar form, eight lanes at a time (it was ~9% of an int8
// forward pass in scalar code).
__attribute__((target("avx2,fma"))) float hmin8(__m256 v) {
  __m128 s = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_min_ps(s, _mm_movehl_ps(s, s));
  s = _mm_min_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

__attribute__((target("avx2,fma"))) float hmax8(__m256 v) {
  __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_max_ps(s, _mm_movehl_ps(s, s));
  s = _mm_max_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

// kQuant: also quantize each row (the min/max is folded into the last pass; fp32 models skip it).
template <bool kQuant>
__attribute__((target("avx2,fma"))) void add_layer_norm_avx2(const float* a, const float* b, float* out, size_t rows,
                                                             size_t h, const float* g, const float* be, float eps,
                                                             const RowQuant& rq) {
  const size_t h8 = h / 8 * 8;
  for (size_t r = 0; r < rows; ++r) {
    const float* ar = a + r * h;
    const float* br = b + r * h;
    float* o = out + r * h;
    __m256 vs = _mm256_setzero_ps();
    for (size_t j = 0; j < h8; j += 8) {
      const __m256 v = _mm256_add_ps(_mm256_loadu_ps(ar + j), _mm256_loadu_ps(br + j));
      _mm256_storeu_ps(o + j, v);
      vs = _mm256_add_ps(vs, v);
    }
    float sum = hsum8(vs);
    for (size_t j = h8; j < h; ++j) {
      o[j] = ar[j] + br[j];
      sum += o[j];
    }
    const float mean = sum / static_cast<float>(h);
    const __m256 vm = _mm256_set1_ps(mean);
    __m256 vv = _mm256_setzero_ps();
    for (size_t j = 0; j < h8; j += 8) {
      const __m256 d = _mm256_sub_ps(_mm256_loadu_ps(o + j), vm);
      vv = _mm256_fmadd_ps(d, d, vv);
    }
    float var = hsum8(vv);
    for (size_t j = h8; j < h; ++j) var += (o[j] - mean) * (o[j] - mean);
    const float rstd = 1.0f / std::sqrt(var / static_cast<float>(h) + eps);
    const __m256 vr = _mm256_set1_ps(rstd);
    __m256 vlo = _mm256_setzero_ps(), vhi = _mm256_setzero_ps();
    for (size_t j = 0; j < h8; j += 8) {
      const __m256 n = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(o + j), vm), vr);
      const __m256 y = _mm256_fmadd_ps(n, _mm256_loadu_ps(g + j), _mm256_loadu_ps(be + j));
      _mm256_storeu_ps(o + j, y);
      if constexpr (kQuant) {
        vlo = _mm256_min_ps(vlo, y);
        vhi = _mm256_max_ps(vhi, y);
      }
    }
    for (size_t j = h8; j < h; ++j) o[j] = (o[j] - mean) * rstd * g[j] + be[j];
    if constexpr (kQuant) {
      float lo = hmin8(vlo), hi = hmax8(vhi);
      for (size_t j = h8; j < h; ++j) {
        lo = std::min(lo, o[j]);
        hi = std::max(hi, o[j]);
      }
      rq.row(o, h, r, lo, hi);  // the row is in L1
    }
  }
}
#endif

}  // namespace

namespace {
void add_layer_norm_impl(const float* a, const float* b, float* out, size_t rows, size_t h,
                         const LayerNormWeights& ln, float eps, const RowQuant& rq) {
#if defined(__x86_64__) || defined(__i386__)
  if (cpu_has_avx2()) {
    if (rq.q) return add_layer_norm_avx2<true>(a, b, out, rows, h, ln.gamma.data(), ln.beta.data(), eps, rq);
    return add_layer_norm_avx2<false>(a, b, out, rows, h, ln.gamma.data(), ln.beta.data(), eps, rq);
  }
#endif
  add_layer_norm_scalar(a, b, out, rows, h, ln.gamma.data(), ln.beta.data(), eps, rq);
}
}  // namespace

void add_layer_norm(const float* a, const float* b, float* out, size_t rows, size_t h, const LayerNormWeights& ln,
                    float eps) {
  add_layer_norm_impl(a, b, out, rows, h, ln, eps, RowQuant{});
}

void add_layer_norm_q8(const float* a, const float* b, float* out, size_t rows, size_t h,
                       const LayerNormWeights& ln, float eps, uint8_t* q, size_t ldq, float* scale, int32_t* zero) {
  add_layer_norm_impl(a, b, out, rows, h, ln, eps, RowQuant{q, ldq, scale, zero});
}

namespace {

template <typename V>
auto* grow(V& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

Epilogue act_epilogue(Activation a) {
  switch (a) {
    case Activation::gelu_erf: return Epilogue::gelu_erf;
    case Activation::gelu_tanh: return Epilogue::gelu_tanh;
    case Activation::relu: return Epilogue::relu;
  }
  return Epilogue::gelu_erf;
}

constexpr size_t kRowGrain = 8;

void embeddings(const EncoderWeights& w, const ModelConfig& cfg, const TokenBatch& batch, ComputePool& pool,
                Workspace& ws) {
  const size_t T = batch.tokens(), H = static_cast<size_t>(cfg.hidden_size);
  int32_t* pos = grow(ws.positions, T);
  for (size_t s = 0; s < batch.sequences(); ++s) {
    const size_t b = batch.offsets[s], e = batch.offsets[s + 1];
    if (cfg.family == Family::roberta) {
      // RoBERTa: positions count real tokens from padding_idx + 1; pad tokens get padding_idx.
      int32_t next = cfg.pad_token_id + 1;
      for (size_t t = b; t < e; ++t) pos[t] = batch.ids[t] == cfg.pad_token_id ? cfg.pad_token_id : next++;
    } else {
      for (size_t t = b; t < e; ++t) pos[t] = static_cast<int32_t>(t - b);
    }
    if (e > b && pos[e - 1] >= cfg.max_position_embeddings) {
      throw EngineError("sequence of " + std::to_string(e - b) + " tokens exceeds the model's " +
                        std::to_string(cfg.max_tokens()) + "-token limit");
    }
  }
  for (size_t t = 0; t < T; ++t) {
    if (batch.ids[t] < 0 || batch.ids[t] >= cfg.vocab_size) {
      throw EngineError("token id " + std::to_string(batch.ids[t]) + " outside the vocabulary (" +
                        std::to_string(cfg.vocab_size) + ")");
    }
    if (cfg.family != Family::distilbert && (batch.type_ids[t] < 0 || batch.type_ids[t] >= cfg.type_vocab_size)) {
      throw EngineError("token type id " + std::to_string(batch.type_ids[t]) + " outside [0, " +
                        std::to_string(cfg.type_vocab_size) + ")");
    }
  }
  float* x = grow(ws.x, T * H);
  float* tmp = grow(ws.tmp, T * H);
  pool.parallel_ranges(T, kRowGrain, [&](size_t t0, size_t t1, int) {
    for (size_t t = t0; t < t1; ++t) {
      const float* we = w.word.data() + static_cast<size_t>(batch.ids[t]) * H;
      const float* pe = w.position.data() + static_cast<size_t>(pos[t]) * H;
      float* o = tmp + t * H;
      for (size_t j = 0; j < H; ++j) o[j] = we[j] + pe[j];
      if (!w.token_type.empty()) {
        const float* te = w.token_type.data() + static_cast<size_t>(batch.type_ids[t]) * H;
        for (size_t j = 0; j < H; ++j) o[j] += te[j];
      }
    }
    // LayerNorm(tmp + 0): reuse the residual form with a zero-free path by normalizing in place.
    for (size_t t = t0; t < t1; ++t) {
      float* o = tmp + t * H;
      float sum = 0.0f;
      for (size_t j = 0; j < H; ++j) sum += o[j];
      const float mean = sum / static_cast<float>(H);
      float var = 0.0f;
      for (size_t j = 0; j < H; ++j) var += (o[j] - mean) * (o[j] - mean);
      const float rstd = 1.0f / std::sqrt(var / static_cast<float>(H) + cfg.layer_norm_eps);
      float* xo = x + t * H;
      for (size_t j = 0; j < H; ++j) xo[j] = (o[j] - mean) * rstd * w.ln_embed.gamma[j] + w.ln_embed.beta[j];
    }
  });
}

size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

#if defined(__x86_64__) || defined(__i386__)
// x[r, 0..cols) *= s[r] for `rows` rows `ld` apart (the attention context of one head).
__attribute__((target("avx512f"))) void scale_rows_avx512(float* x, size_t ld, size_t rows, size_t cols,
                                                          const float* s) {
  for (size_t r = 0; r < rows; ++r) {
    float* xr = x + r * ld;
    const __m512 v = _mm512_set1_ps(s[r]);
    size_t j = 0;
    for (; j + 16 <= cols; j += 16) _mm512_storeu_ps(xr + j, _mm512_mul_ps(_mm512_loadu_ps(xr + j), v));
    if (j < cols) {
      const __mmask16 m = static_cast<__mmask16>((1u << (cols - j)) - 1);
      _mm512_mask_storeu_ps(xr + j, m, _mm512_mul_ps(_mm512_maskz_loadu_ps(m, xr + j), v));
    }
  }
}
#else
void scale_rows_avx512(float*, size_t, size_t, size_t, const float*) {}  // attention's AVX-512 path only
#endif

// Per (sequence, head): S = Q·Kᵀ, row softmax of S/sqrt(d), ctx = S·V. On AVX-512 both products
// run on the packed fp32 kernel with K and V packed per head (L·d floats each, a copy that costs
// ~1/L of the products); OpenBLAS sgemm re-packed both operands and zero-filled its output on every
// one of these small calls.
void attention(const ModelConfig& cfg, const TokenBatch& batch, ComputePool& pool, Workspace& ws) {
  const size_t H = static_cast<size_t>(cfg.hidden_size), nh = static_cast<size_t>(cfg.num_heads);
  const size_t d = H / nh, ld = 3 * H;
  size_t lmax = 0;
  for (size_t s = 0; s < batch.sequences(); ++s) lmax = std::max(lmax, batch.length(s));
  const size_t workers = static_cast<size_t>(pool.size());
  float* scores = grow(ws.scores, lmax * lmax * workers);
  const float* qkv = ws.qkv.data();
  float* ctx = ws.ctx.data();
  const float scale = 1.0f / std::sqrt(static_cast<float>(d));
  static const F32Kernel kernel = best_f32_kernel();
  if (kernel == F32Kernel::avx512) {
    const size_t kv_floats = round_up(lmax, kF32PanelCols) * d + round_up(d, kF32PanelCols) * lmax;
    float* kv = grow(ws.kv, kv_floats * workers);
    float* sums = grow(ws.sums, lmax * workers);
    pool.parallel_for(batch.sequences() * nh, [&](size_t item, int worker) {
      const size_t s = item / nh, h = item % nh;
      const size_t off = batch.offsets[s], L = batch.length(s);
      if (L == 0) return;
      const float* q = qkv + off * ld + h * d;
      const float* k = q + H;
      const float* v = q + 2 * H;
      const size_t wi = static_cast<size_t>(worker);
      float* S = scores + wi * lmax * lmax;
      float* kp = kv + wi * kv_floats;
      float* vp = kp + round_up(L, kF32PanelCols) * d;
      pack_f32_panels(k, ld, L, d, kp);       // "weights" [L, d]: S[i, j] = q_i · k_j
      pack_f32_panels_t(v, ld, d, L, vp);     // "weights" [d, L]: ctx[i, c] = Σ_j P[i, j] v_j[c]
      gemm_f32_panels(kernel, q, ld, L, kp, d, nullptr, 0, L, S, L, nullptr);
      // The Q, K and V rows of the item this worker most likely takes next (items go round the
      // workers) are fetched into L2 while the softmax runs: they were written by the QKV GEMM
      // long ago, and their rows lie 3H floats apart, a stride no hardware prefetcher follows
      // (the packing copies waited on them).
      const size_t nxt = item + workers;
      const float* pq = nullptr;
      size_t pl = 0;
      if (nxt < batch.sequences() * nh) {
        const size_t ns = nxt / nh;
        pq = qkv + batch.offsets[ns] * ld + (nxt % nh) * d;
        pl = batch.length(ns);
      }
      auto prefetch_row = [&](size_t r) {  // row r's d floats of Q, K and V
        const char* row = reinterpret_cast<const char*>(pq + r * ld);
        for (size_t o = 0; o < d * sizeof(float); o += 64) {
          __builtin_prefetch(row + o, 0, 2);
          __builtin_prefetch(row + H * sizeof(float) + o, 0, 2);
          __builtin_prefetch(row + 2 * H * sizeof(float) + o, 0, 2);
        }
      };
      // Softmax without its normalization; each context row is divided by its sum instead (d values
      // rather than L per row).
      float* inv = sums + wi * lmax;
      for (size_t r = 0; r < L; ++r) {
        if (r < pl) prefetch_row(r);
        inv[r] = 1.0f / softmax_scaled_unnormalized(S + r * L, L, scale);
      }
      for (size_t r = L; r < pl; ++r) prefetch_row(r);  // the next sequence is the longer one
      float* c = ctx + off * H + h * d;
      gemm_f32_panels(kernel, S, L, L, vp, L, nullptr, 0, d, c, H, nullptr);
      scale_rows_avx512(c, H, L, d, inv);
    });
    return;
  }
  pool.parallel_for(batch.sequences() * nh, [&](size_t item, int worker) {
    const size_t s = item / nh, h = item % nh;
    const size_t off = batch.offsets[s], L = batch.length(s);
    if (L == 0) return;
    const int Li = static_cast<int>(L), di = static_cast<int>(d), ldi = static_cast<int>(ld);
    const float* q = qkv + off * ld + h * d;
    const float* k = q + H;
    const float* v = q + 2 * H;
    float* S = scores + static_cast<size_t>(worker) * lmax * lmax;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Li, Li, di, scale, q, ldi, k, ldi, 0.0f, S, Li);
    for (size_t r = 0; r < L; ++r) softmax_inplace(S + r * L, L);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Li, di, Li, 1.0f, S, Li, v, ldi, 0.0f,
                ctx + off * H + h * d, static_cast<int>(H));
  });
}

}  // namespace

const float* encoder_forward(const EncoderWeights& w, const ModelConfig& cfg, const TokenBatch& batch,
                             ComputePool& pool, Workspace& ws) {
  const size_t T = batch.tokens(), H = static_cast<size_t>(cfg.hidden_size);
  const size_t I = static_cast<size_t>(cfg.intermediate_size);
  if (T == 0) return ws.x.data();
  embeddings(w, cfg, batch, pool, ws);
  grow(ws.qkv, T * 3 * H);
  grow(ws.ctx, T * H);
  grow(ws.tmp, T * H);
  grow(ws.inter, T * I);
  const Epilogue act = act_epilogue(cfg.hidden_act);
  // LayerNorm over the rows, on int8 models quantizing them for the layer that reads them next.
  auto layer_norm = [&](const LayerNormWeights& ln, QuantizedRows* q, size_t ldq) {
    float* x = ws.x.data();
    const float* t = ws.tmp.data();
    if (q) q->resize(T, ldq);
    pool.parallel_ranges(T, kRowGrain, [&](size_t t0, size_t t1, int) {
      if (q) {
        add_layer_norm_q8(t + t0 * H, x + t0 * H, x + t0 * H, t1 - t0, H, ln, cfg.layer_norm_eps,
                          q->q.data() + t0 * ldq, ldq, q->scale.data() + t0, q->zero.data() + t0);
      } else {
        add_layer_norm(t + t0 * H, x + t0 * H, x + t0 * H, t1 - t0, H, ln, cfg.layer_norm_eps);
      }
    });
  };
  bool hq_ready = false;  // ws.hq holds ws.x quantized for this layer's QKV
  for (size_t li = 0; li < w.layers.size(); ++li) {
    const auto& L = w.layers[li];
    // int8 FFN and QKV: their inputs are quantized by their producers (LayerNorm; the FFN-in GEMM).
    const bool q8 = L.qkv.quantized() && L.ffn_in.quantized() && L.ffn_out.quantized();
    const auto* next = li + 1 < w.layers.size() ? &w.layers[li + 1] : nullptr;
    const bool q8_next = next && next->qkv.quantized() && next->ffn_in.quantized() && next->ffn_out.quantized();
    float* x = ws.x.data();
    if (q8 && hq_ready) {
      linear_forward_q8(pool, L.qkv, ws.hq, T, ws.qkv.data(), Epilogue::none, ws.lin);
    } else {
      linear_forward(pool, L.qkv, x, T, ws.qkv.data(), Epilogue::none, ws.lin);
    }
    attention(cfg, batch, pool, ws);
    linear_forward(pool, L.attn_out, ws.ctx.data(), T, ws.tmp.data(), Epilogue::none, ws.lin);
    if (q8) {
      layer_norm(L.ln_attn, &ws.hq, L.ffn_in.q.kp);
      linear_forward_q8(pool, L.ffn_in, ws.hq, T, ws.inter.data(), act, ws.lin, &ws.iq, L.ffn_out.q.kp);
      linear_forward_q8(pool, L.ffn_out, ws.iq, T, ws.tmp.data(), Epilogue::none, ws.lin);
    } else {
      layer_norm(L.ln_attn, nullptr, 0);
      linear_forward(pool, L.ffn_in, x, T, ws.inter.data(), act, ws.lin);
      linear_forward(pool, L.ffn_out, ws.inter.data(), T, ws.tmp.data(), Epilogue::none, ws.lin);
    }
    if (q8_next) {
      layer_norm(L.ln_out, &ws.hq, next->qkv.q.kp);
      hq_ready = true;
    } else {
      layer_norm(L.ln_out, nullptr, 0);
      hq_ready = false;
    }
  }
  return ws.x.data();
}

}  // namespace sy::engine
