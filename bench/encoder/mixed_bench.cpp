// mixed_bench: two models served at once by one process, the way the gateway serves an embedder
// and a reranker side by side. Closed-loop clients (each submits a request and waits for it) keep
// both models busy; the same load runs twice:
//   separate — each model starts its own compute pool of --threads threads (2 × threads busy);
//   shared   — both models' queues on one Scheduler of --threads threads (what the gateway does).
// Prints a markdown table: sequences/s over both models, each model's p50/p99 latency, and the
// process CPU time per sequence.
//   mixed_bench --model-a DIR [--model-b DIR] [--batch B] [--seq L] [--clients C] [--threads N]
//               [--seconds S] [--int8]
// --model-b defaults to --model-a (the same files loaded as a second model). Tokenization is left
// out (pre-tokenized random ids), as in encoder_bench.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "engine/encoder.hpp"
#include "engine/scheduler.hpp"

using namespace sy::engine;

namespace {

double process_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

EncodeRequest make_request(size_t batch, size_t seq, unsigned seed) {
  std::mt19937 rng(seed);
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
  return req;
}

void run_once(EncoderModel& m, const EncodeRequest& req) {
  std::promise<EncodeResult> p;
  auto f = p.get_future();
  if (!m.submit(req, [&p](EncodeResult r) { p.set_value(std::move(r)); })) throw EngineError("queue full");
  EncodeResult r = f.get();
  if (!r.ok()) throw EngineError(r.error);
}

struct Options {
  std::string model_a, model_b;
  size_t batch = 1, seq = 128, clients = 2;
  int threads = 2;
  double seconds = 5;
  bool int8 = false;
};

double percentile(std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

void measure(const Options& o, bool shared) {
  EncoderOptions eo;
  eo.quantize_int8 = o.int8;
  eo.threads = o.threads;
  if (shared) eo.scheduler = std::make_shared<Scheduler>(SchedulerOptions{o.threads});
  std::shared_ptr<EncoderModel> models[2] = {EncoderModel::load(o.model_a, eo), EncoderModel::load(o.model_b, eo)};
  const EncodeRequest req = make_request(o.batch, o.seq, 1);
  for (auto& m : models) run_once(*m, req);  // warm-up: workspaces, page faults

  std::vector<double> lat[2];
  std::mutex mu;
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  const double cpu0 = process_cpu_s();
  const auto t0 = std::chrono::steady_clock::now();
  for (int which = 0; which < 2; ++which)
    for (size_t c = 0; c < o.clients; ++c)
      clients.emplace_back([&, which] {
        std::vector<double> mine;
        while (!stop.load(std::memory_order_relaxed)) {
          const auto s = std::chrono::steady_clock::now();
          run_once(*models[which], req);
          mine.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s).count());
        }
        std::lock_guard lk(mu);
        lat[which].insert(lat[which].end(), mine.begin(), mine.end());
      });
  std::this_thread::sleep_for(std::chrono::duration<double>(o.seconds));
  stop = true;
  for (auto& t : clients) t.join();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = process_cpu_s() - cpu0;
  const double seqs = static_cast<double>((lat[0].size() + lat[1].size()) * o.batch);
  const double a50 = percentile(lat[0], 0.50), a99 = percentile(lat[0], 0.99);
  const double b50 = percentile(lat[1], 0.50), b99 = percentile(lat[1], 0.99);
  std::printf("| %s | %d | %zu×%zu | %zu | %.2f | %.1f / %.1f | %.1f / %.1f | %.1f |\n", shared ? "shared" : "separate",
              shared ? o.threads : 2 * o.threads, o.batch, o.seq, lat[0].size() + lat[1].size(), seqs / wall, a50, a99,
              b50, b99, 1e3 * cpu / seqs);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    try {
      if (a == "--int8") o.int8 = true;
      else if (a == "--model-a") o.model_a = value();
      else if (a == "--model-b") o.model_b = value();
      else if (a == "--batch") o.batch = std::stoul(value());
      else if (a == "--seq") o.seq = std::stoul(value());
      else if (a == "--clients") o.clients = std::stoul(value());
      else if (a == "--threads") o.threads = std::stoi(value());
      else if (a == "--seconds") o.seconds = std::stod(value());
      else throw std::invalid_argument("unknown option " + a);
    } catch (const std::exception& e) {
      std::cerr << "mixed_bench: " << e.what() << "\n";
      return 2;
    }
  }
  if (o.model_a.empty() || o.seq < 2 || o.batch == 0 || o.clients == 0) {
    std::cerr << "usage: mixed_bench --model-a DIR [--model-b DIR] [--batch B] [--seq L] [--clients C] "
                 "[--threads N] [--seconds S] [--int8]\n";
    return 2;
  }
  if (o.model_b.empty()) o.model_b = o.model_a;
  try {
    std::printf("| pools | compute threads | request | requests | seq/s (both) | A p50 / p99 ms | B p50 / p99 ms | CPU ms/seq |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    measure(o, false);
    measure(o, true);
  } catch (const std::exception& e) {
    std::cerr << "mixed_bench: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
