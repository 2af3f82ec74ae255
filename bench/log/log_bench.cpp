// How much CPU the request log costs per record: submits N realistic chat records (the bodies
// bench/overhead sends and its fake upstream answers) to a LogWriter on a fresh SQLite file, closes
// it (which drains everything), and prints records/s and process CPU µs per record — the writer
// thread's work plus the submitting side's, which is what the gateway pays per logged request.
//
//   log_bench [--records N] [--dir DIR] [--no-bodies] [--random-ids]
//
// Ids are time-ordered like the gateway's own (server/ids.cpp); --random-ids gives every record a
// random one instead, as clients that send their own x-request-id (UUIDs) do.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "store/log_writer.hpp"

namespace {

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

std::string random_hex(std::mt19937_64& rng, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  uint64_t v = 0;
  for (int d = 0; d < digits; ++d, v >>= 4) {
    if (d % 16 == 0) v = rng();
    s += kHex[v & 15];
  }
  return s;
}

sy::store::RequestRecord make_record(int i, bool random_id, std::mt19937_64& rng) {
  sy::store::RequestRecord r;
  char stamp[16];
  std::snprintf(stamp, sizeof stamp, "%012llx", 0x19a00000000ULL + static_cast<unsigned long long>(i));
  r.id = "req_" + (random_id ? random_hex(rng, 12) : std::string(stamp)) + random_hex(rng, 12);
  r.ts_unix_ms = 1'790'000'000'000 + i;
  r.endpoint = "/v1/chat/completions";
  r.client_key_hash = "2d711642b726b044";
  r.public_model = "m";
  r.served_model = "m";
  r.provider = "fast";
  r.status = 200;
  r.outcome = "ok";
  r.attempts.push_back({"m", "fast", 200, "", "", 0.21});
  r.request_body =
      R"({"model":"m","messages":[{"role":"system","content":"You are a helpful assistant."},)"
      R"({"role":"user","content":"Write one sentence about foxes."}],"temperature":0.7,"max_tokens":64})";
  r.response_body =
      R"({"id":"chatcmpl-)" + std::to_string(i) +
      R"(","object":"chat.completion","created":1790000000,"model":"m","choices":[{"index":0,)"
      R"("message":{"role":"assistant","content":"The quick brown fox jumps over the lazy dog, )"
      R"(and then it trots off into the woods to find its den before night falls."},)"
      R"("logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":24,"completion_tokens":28,)"
      R"("total_tokens":52}})";
  r.input_tokens = 24;
  r.output_tokens = 28;
  r.cost_usd = 0.0000123;
  r.latency_ms = 0.3;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int records = 200'000;
  std::string dir = "/tmp";
  bool bodies = true;
  bool random_ids = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--records" && i + 1 < argc) records = std::atoi(argv[++i]);
    else if (a == "--dir" && i + 1 < argc) dir = argv[++i];
    else if (a == "--no-bodies") bodies = false;
    else if (a == "--random-ids") random_ids = true;
    else {
      std::fprintf(stderr, "usage: log_bench [--records N] [--dir DIR] [--no-bodies] [--random-ids]\n");
      return 2;
    }
  }
  const std::string path = dir + "/log_bench_" + std::to_string(::getpid()) + ".db";
  sy::config::LogConfig cfg;
  cfg.sqlite_path = path;
  cfg.store_bodies = bodies;
  cfg.overflow = sy::config::OverflowPolicy::block;   // measure the writer, never shed
  cfg.block_timeout = std::chrono::milliseconds(10'000);
  const double c0 = cpu_seconds();
  const auto t0 = std::chrono::steady_clock::now();
  uint64_t written = 0;
  {
    sy::store::LogWriter w(cfg);
    std::mt19937_64 rng(42);
    for (int i = 0; i < records; ++i) w.submit(make_record(i, random_ids, rng));
    w.close();
    written = w.stats().written;
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu = cpu_seconds() - c0;
  const auto size = std::filesystem::file_size(path);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  std::printf("| %s | %s | %d | %llu | %.0f | %.1f | %.1f |\n", bodies ? "on" : "off", random_ids ? "random" : "time-ordered", records,
              static_cast<unsigned long long>(written), written / secs, cpu / records * 1e6,
              static_cast<double>(size) / records);
  return written == static_cast<uint64_t>(records) ? 0 : 1;
}
