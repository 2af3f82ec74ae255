// gemm_bench: the compute ceiling of this machine for the encoder's GEMMs, so the forward-pass
// figures of bench/encoder/run.sh can be read as a fraction of it.
//   gemm_bench [--hidden H --intermediate I] [--tokens M] [--threads N] [--seconds S]
// Each figure is the best of many short runs (see best_time), for a shared machine.
// Prints one JSON line per measurement:
//   peak: register-only FMA / VNNI loops (no memory traffic) on N threads — the hardware bound;
//   sgemm: OpenBLAS sgemm at the four Linear shapes of one encoder layer (M = tokens, the engine's
//     column split across N threads, as linear_forward does), and in total over one layer;
//   engine-fp32 / engine-int8: linear_forward itself at the same shapes (packed fp32 or int8).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <cblas.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "engine/compute_pool.hpp"
#include "engine/linear.hpp"
#include "engine/quant.hpp"

using namespace sy::engine;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Runs fn repeatedly for about `secs`; returns the best wall seconds per call. Calls are short
// (milliseconds) and many, so on a shared machine the best ones ran without other jobs taking
// turns on the cores. (Process CPU time does not work here: other threads' run time is only
// accounted at scheduler ticks, so short calls on two threads under-count it.)
double best_time(double secs, const std::function<void()>& fn) {
  fn();
  double best = 1e30;
  const auto start = std::chrono::steady_clock::now();
  int n = 0;
  while (seconds_since(start) < secs || n < 5) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    best = std::min(best, seconds_since(t0));
    ++n;
  }
  return best;
}

#if defined(__x86_64__)
// 12 independent accumulators (zmm0–11) hide the FMA latency on both ports. Written in asm: GCC
// shuffles the accumulators through extra registers with moves that compete for the same ports.
#define SY_REP12(op) \
  op " %%zmm12, %%zmm13, %%zmm0\n\t" op " %%zmm12, %%zmm13, %%zmm1\n\t" op " %%zmm12, %%zmm13, %%zmm2\n\t" \
  op " %%zmm12, %%zmm13, %%zmm3\n\t" op " %%zmm12, %%zmm13, %%zmm4\n\t" op " %%zmm12, %%zmm13, %%zmm5\n\t" \
  op " %%zmm12, %%zmm13, %%zmm6\n\t" op " %%zmm12, %%zmm13, %%zmm7\n\t" op " %%zmm12, %%zmm13, %%zmm8\n\t" \
  op " %%zmm12, %%zmm13, %%zmm9\n\t" op " %%zmm12, %%zmm13, %%zmm10\n\t" op " %%zmm12, %%zmm13, %%zmm11\n\t"

// Zeroed accumulators and inputs: no denormals (their microcode assists would be the bound).
#define SY_ZERO14                                                                                              \
  "vpxord %%zmm0, %%zmm0, %%zmm0\n\tvpxord %%zmm1, %%zmm1, %%zmm1\n\tvpxord %%zmm2, %%zmm2, %%zmm2\n\t"       \
  "vpxord %%zmm3, %%zmm3, %%zmm3\n\tvpxord %%zmm4, %%zmm4, %%zmm4\n\tvpxord %%zmm5, %%zmm5, %%zmm5\n\t"       \
  "vpxord %%zmm6, %%zmm6, %%zmm6\n\tvpxord %%zmm7, %%zmm7, %%zmm7\n\tvpxord %%zmm8, %%zmm8, %%zmm8\n\t"       \
  "vpxord %%zmm9, %%zmm9, %%zmm9\n\tvpxord %%zmm10, %%zmm10, %%zmm10\n\tvpxord %%zmm11, %%zmm11, %%zmm11\n\t" \
  "vpxord %%zmm12, %%zmm12, %%zmm12\n\tvpxord %%zmm13, %%zmm13, %%zmm13\n\t"

__attribute__((noinline)) void fma_loop(long iters) {
  __asm__ volatile(
      SY_ZERO14
      "1:\n\t" SY_REP12("vfmadd231ps") "dec %0\n\tjnz 1b\n\t"
      : "+r"(iters)::"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
        "xmm11", "xmm12", "xmm13", "cc");
}

__attribute__((noinline)) void vnni_loop(long iters) {
  __asm__ volatile(
      SY_ZERO14
      "1:\n\t" SY_REP12("vpdpbusd") "dec %0\n\tjnz 1b\n\t"
      : "+r"(iters)::"xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
        "xmm11", "xmm12", "xmm13", "cc");
}
#endif

// Runs body on `threads` threads at once; returns the wall seconds of the slowest.
double on_threads(int threads, const std::function<void(double&)>& body) {
  std::vector<double> secs(static_cast<size_t>(threads));
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) ts.emplace_back([&, t] { body(secs[static_cast<size_t>(t)]); });
  for (auto& t : ts) t.join();
  return *std::max_element(secs.begin(), secs.end());
}

// Times one call of a register-only loop on the calling thread.
template <typename F>
void timed(double& out, F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  out = seconds_since(t0);
}

std::vector<float> randn(size_t n, float scale, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  size_t H = 768, I = 3072, M = 1024;
  int threads = 2;
  double secs = 1.0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--hidden") H = std::stoul(v);
    else if (a == "--intermediate") I = std::stoul(v);
    else if (a == "--tokens") M = std::stoul(v);
    else if (a == "--threads") threads = std::stoi(v);
    else if (a == "--seconds") secs = std::stod(v);
    else {
      std::cerr << "usage: gemm_bench [--hidden H] [--intermediate I] [--tokens M] [--threads N] [--seconds S]\n";
      return 2;
    }
  }
  set_blas_single_threaded();
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f")) {
    // Short runs, best of many: on a shared machine the best one ran without interference.
    const long iters = 1'000'000;
    double t = 1e30;
    for (int r = 0; r < 200; ++r) t = std::min(t, on_threads(threads, [&](double& o) { timed(o, [&] { fma_loop(iters); }); }));
    std::printf("{\"what\":\"peak-fp32\",\"threads\":%d,\"gflops\":%.1f}\n", threads,
                2.0 * 16 * 12 * static_cast<double>(iters) * threads / t / 1e9);
    if (int8_kernel_supported(Int8Kernel::avx512_vnni)) {
      t = 1e30;
      for (int r = 0; r < 200; ++r) t = std::min(t, on_threads(threads, [&](double& o) { timed(o, [&] { vnni_loop(iters); }); }));
      std::printf("{\"what\":\"peak-int8\",\"threads\":%d,\"gmacs\":%.1f}\n", threads,
                  64.0 * 12 * static_cast<double>(iters) * threads / t / 1e9);
    }
  }
#endif
  ComputePool pool(threads);
  struct Shape {
    const char* name;
    size_t n, k;
  };
  const Shape shapes[] = {{"qkv", 3 * H, H}, {"attn_out", H, H}, {"ffn_in", I, H}, {"ffn_out", H, I}};
  const auto x = randn(M * std::max(H, I), 1.0f, 1);
  std::vector<float> y(M * std::max(3 * H, I));
  double tot_flop = 0, tot_blas = 0, tot_f32 = 0, tot_i8 = 0;
  for (const auto& s : shapes) {
    Linear l;
    l.out = static_cast<int>(s.n);
    l.in = static_cast<int>(s.k);
    l.w = randn(s.n * s.k, 0.05f, 2);
    l.b = randn(s.n, 0.05f, 3);
    const double flop = 2.0 * static_cast<double>(M * s.n * s.k);
    // OpenBLAS on the original [out, in] weights, columns split as the engine did before packing.
    const double t_blas = best_time(secs, [&] {
      pool.parallel_ranges(s.n, 16, [&](size_t n0, size_t n1, int) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(M), static_cast<int>(n1 - n0),
                    static_cast<int>(s.k), 1.0f, x.data(), static_cast<int>(s.k), l.w.data() + n0 * s.k,
                    static_cast<int>(s.k), 0.0f, y.data() + n0, static_cast<int>(s.n));
      });
    });
    Linear lq = l;
    quantize_linear(lq);
    prepack_linear(l);
    LinearScratch scratch;
    const double t_f32 = best_time(secs, [&] { linear_forward(pool, l, x.data(), M, y.data(), Epilogue::none, scratch); });
    const double t_i8 = best_time(secs, [&] { linear_forward(pool, lq, x.data(), M, y.data(), Epilogue::none, scratch); });
    std::printf(
        "{\"what\":\"linear\",\"shape\":\"%s\",\"m\":%zu,\"n\":%zu,\"k\":%zu,\"threads\":%d,\"sgemm_gflops\":%.1f,"
        "\"engine_fp32_gflops\":%.1f,\"engine_int8_gmacs\":%.1f}\n",
        s.name, M, s.n, s.k, threads, flop / t_blas / 1e9, flop / t_f32 / 1e9, flop / 2 / t_i8 / 1e9);
    tot_flop += flop;
    tot_blas += t_blas;
    tot_f32 += t_f32;
    tot_i8 += t_i8;
  }
  std::printf(
      "{\"what\":\"layer\",\"m\":%zu,\"hidden\":%zu,\"intermediate\":%zu,\"threads\":%d,\"sgemm_gflops\":%.1f,"
      "\"engine_fp32_gflops\":%.1f,\"engine_int8_gmacs\":%.1f}\n",
      M, H, I, threads, tot_flop / tot_blas / 1e9, tot_flop / tot_f32 / 1e9, tot_flop / 2 / tot_i8 / 1e9);
  return 0;
}
