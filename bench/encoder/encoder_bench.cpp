// encoder_bench: times EncoderModel on fixed-shape pre-tokenized batches (the tokenizer is left
// out, as in the PyTorch side of bench/encoder/run.sh) and prints one JSON line.
//   encoder_bench --model DIR --batch B --seq L [--threads N] [--seconds S] [--int8] [--forward-tokens T]
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "engine/encoder.hpp"
#include "engine/quant.hpp"

using namespace sy::engine;

namespace {
// CPU time of the whole process (all threads): less sensitive than wall time to other jobs
// taking turns on the cores, so A/B comparisons on a shared machine can use it.
double process_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double peak_rss_mb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}
}  // namespace

int main(int argc, char** argv) {
  std::string model;
  size_t batch = 1, seq = 16;
  double seconds = 3.0;
  EncoderOptions opts;
  opts.threads = 2;
  for (int i = 1; i + 1 < argc || (i < argc && std::string(argv[i]) == "--int8"); ++i) {
    std::string a = argv[i];
    if (a == "--int8") { opts.quantize_int8 = true; continue; }
    std::string v = argv[++i];
    if (a == "--model") model = v;
    else if (a == "--batch") batch = std::stoul(v);
    else if (a == "--seq") seq = std::stoul(v);
    else if (a == "--threads") opts.threads = std::stoi(v);
    else if (a == "--seconds") seconds = std::stod(v);
    else if (a == "--forward-tokens") opts.forward_tokens = std::stoul(v);
    else {
      std::cerr << "unknown option " << a << "\n";
      return 2;
    }
  }
  if (model.empty() || seq < 2) {
    std::cerr << "usage: encoder_bench --model DIR --batch B --seq L [--threads N] [--seconds S] [--int8] "
                 "[--forward-tokens T]\n";
    return 2;
  }
  try {
    auto m = EncoderModel::load(model, opts);
    const double rss_loaded = peak_rss_mb();
    std::mt19937 rng(1);
    std::uniform_int_distribution<int32_t> tok(1000, 19999);
    EncodeRequest req;
    req.task = EncodeTask::embed;
    for (size_t b = 0; b < batch; ++b) {
      TokenizedSequence s;
      s.ids.push_back(101);
      for (size_t t = 0; t + 2 < seq; ++t) s.ids.push_back(tok(rng));
      s.ids.push_back(102);
      req.sequences.push_back(std::move(s));
    }
    auto once = [&] {
      std::promise<EncodeResult> p;
      auto f = p.get_future();
      if (!m->submit(req, [&p](EncodeResult r) { p.set_value(std::move(r)); })) throw EngineError("queue full");
      EncodeResult r = f.get();
      if (!r.ok()) throw EngineError(r.error);
    };
    once();  // warm-up: workspace allocation, page faults
    std::vector<double> lat;
    const double cpu0 = process_cpu_s();
    double cpu_min = 1e30;
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds || lat.size() < 3) {
      auto t0 = std::chrono::steady_clock::now();
      const double c0 = process_cpu_s();
      once();
      lat.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      cpu_min = std::min(cpu_min, process_cpu_s() - c0);
    }
    const double cpu_per_iter = (process_cpu_s() - cpu0) / static_cast<double>(lat.size());
    double total = 0;
    for (double l : lat) total += l;
    std::sort(lat.begin(), lat.end());
    std::printf(
        "{\"impl\":\"ours%s\",\"batch\":%zu,\"seq\":%zu,\"iters\":%zu,\"p50_ms\":%.3f,\"seq_per_s\":%.2f,"
        "\"tokens_per_s\":%.1f,\"peak_rss_mb\":%.1f,\"rss_after_load_mb\":%.1f,\"weights_mb\":%.1f,\"threads\":%d,"
        "\"forward_tokens\":%zu,\"int8_kernel\":\"%s\",\"cpu_ms_per_iter\":%.2f,\"cpu_ms_min\":%.2f,"
        "\"min_ms\":%.3f}\n",
        opts.quantize_int8 ? "-int8" : "", batch, seq, lat.size(), 1e3 * lat[lat.size() / 2],
        static_cast<double>(batch * lat.size()) / total, static_cast<double>(batch * seq * lat.size()) / total,
        peak_rss_mb(), rss_loaded, static_cast<double>(m->info().weight_bytes) / (1024.0 * 1024.0), opts.threads, opts.forward_tokens,
        opts.quantize_int8 ? int8_kernel_name(best_int8_kernel()) : "", 1e3 * cpu_per_iter, 1e3 * cpu_min,
        1e3 * lat.front());
  } catch (const std::exception& e) {
    std::cerr << "encoder_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
