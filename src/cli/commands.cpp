#include "cli/commands.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "config/config.hpp"
#include "providers/registry.hpp"
#include "routing/router.hpp"
#include "server/http_server.hpp"
#include "store/log_format.hpp"
#include "store/log_writer.hpp"
#include "telemetry/logging.hpp"

namespace sy::cli {

namespace {

constexpr int kOk = 0, kFailure = 1, kUsage = 2;

int g_signal_pipe[2] = {-1, -1};

extern "C" void on_signal(int sig) {
  const int saved = errno;
  char c = static_cast<char>(sig);
  [[maybe_unused]] ssize_t n = ::write(g_signal_pipe[1], &c, 1);   // async-signal-safe
  errno = saved;
}

bool install_signal_pipe() {
  if (::pipe2(g_signal_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return false;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  if (::sigaction(SIGINT, &sa, nullptr) != 0 || ::sigaction(SIGTERM, &sa, nullptr) != 0) return false;
  ::signal(SIGPIPE, SIG_IGN);
  return true;
}

// "host:port", "[v6]:port" or ":port".
bool parse_listen(const std::string& s, std::string& host, uint16_t& port) {
  size_t colon = s.rfind(':');
  if (colon == std::string::npos) return false;
  std::string h = s.substr(0, colon);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  char* end = nullptr;
  long p = std::strtol(s.c_str() + colon + 1, &end, 10);
  if (end == s.c_str() + colon + 1 || *end != '\0' || p < 0 || p > 65535) return false;
  host = h.empty() ? "0.0.0.0" : h;
  port = static_cast<uint16_t>(p);
  return true;
}

std::optional<config::Config> load(const std::string& path) {
  try {
    if (path.empty()) return config::parse_config(config::default_config_yaml(), "<built-in defaults>");
    return config::load_config(path);
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return std::nullopt;
  }
}

int serve(const std::string& config_path, const std::string& listen, const std::string& log_level) {
  if (!telemetry::init_logging(log_level)) {
    std::cerr << "unknown --log-level '" << log_level << "' (trace, debug, info, warn, error, off)\n";
    return kUsage;
  }
  auto cfg = load(config_path);
  if (!cfg) return kUsage;
  if (!listen.empty() && !parse_listen(listen, cfg->server.host, cfg->server.port)) {
    std::cerr << "--listen: expected HOST:PORT, got '" << listen << "'\n";
    return kUsage;
  }

  // Threads that a library started before main() (OpenBLAS's pool) do not share a signal mask we
  // set now, so a signal may land on any thread: catch it process-wide with a handler that only
  // writes to a pipe, and let an ordinary thread act on it.
  if (!install_signal_pipe()) {
    std::cerr << "cannot install signal handlers\n";
    return kFailure;
  }

  // Declared first so it is destroyed last: engine threads of local providers may still post a
  // finished batch to a worker's io_context while the registry shuts them down.
  std::unique_ptr<server::HttpServer> http_holder;
  try {
    providers::Registry registry(*cfg);
    routing::Router router(*cfg, registry);
    std::unique_ptr<store::LogWriter> log;
    if (cfg->log.enabled) log = std::make_unique<store::LogWriter>(cfg->log);
    server::App app{*cfg, registry, router, log.get()};

    for (const auto& [name, p] : registry.all())
      if (auto why = p->unavailable_reason()) spdlog::warn("provider '{}' is unavailable: {}", name, *why);

    http_holder = std::make_unique<server::HttpServer>(app, cfg->server.host, cfg->server.port,
                                                       cfg->server.threads);
    server::HttpServer& http = *http_holder;
    http.start();
    const bool v6 = cfg->server.host.find(':') != std::string::npos;
    spdlog::info("switchyard listening on http://{}{}{}:{} ({} config, log {})",
                 v6 ? "[" : "", cfg->server.host, v6 ? "]" : "", http.port(),
                 config_path.empty() ? "built-in" : config_path,
                 cfg->log.enabled ? cfg->log.sqlite_path : "off");

    std::atomic<bool> done{false};
    std::thread signal_waiter([&] {
      int received = 0;
      while (!done.load()) {
        pollfd pfd{g_signal_pipe[0], POLLIN, 0};
        if (::poll(&pfd, 1, 200) <= 0) continue;
        char sig = 0;
        if (::read(g_signal_pipe[0], &sig, 1) != 1) continue;
        if (++received == 1) {
          spdlog::info("signal {}: draining (grace {} ms); send again to stop at once", int(sig),
                       cfg->server.shutdown_grace.count());
          http.stop(false);
        } else {
          http.stop(true);
        }
      }
    });
    http.wait();
    done.store(true);
    signal_waiter.join();
    if (log) {
      log->close();
      auto s = log->stats();
      spdlog::info("request log flushed: {} written, {} with bodies dropped, {} write errors", s.written,
                   s.bodies_dropped, s.write_errors);
    }
    spdlog::info("switchyard stopped");
    return kOk;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return kFailure;
  }
}

// Validates without side effects: no model weights are loaded and no port is bound. What only
// `serve` would find out (a missing API key, a local model directory not there yet) is a warning:
// keys and model volumes are often provided at deploy time.
int check_config(const std::string& path) {
  auto cfg = load(path);
  if (!cfg) return kUsage;
  std::cout << "ok: " << path << ": " << cfg->providers.size() << " providers, "
            << cfg->models.size() << " models, " << cfg->routes.size() << " routes\n";
  for (const auto& p : cfg->providers) {
    if (p.kind != "local" && p.api_key.empty() && !p.api_key_env.empty())
      std::cout << "warning: provider '" << p.name << "' has no API key: set " << p.api_key_env << "\n";
  }
  for (const auto& m : cfg->models) {
    if (m.local_path.empty()) continue;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(std::filesystem::path(m.local_path) / "config.json", ec))
      std::cout << "warning: model '" << m.name << "': " << m.local_path
                << " is not a model directory yet (no config.json); serve will refuse to start\n";
  }
  return kOk;
}

int logs(const std::string& db, int limit, bool as_json, const std::string& id) {
  try {
    auto records = id.empty() ? store::read_recent(db, limit) : store::read_by_id(db, id, limit);
    if (!id.empty() && records.empty()) {
      std::cerr << "no record with id '" << id << "' in " << db << "\n";
      return kFailure;
    }
    for (const auto& r : records)
      std::cout << (as_json ? store::record_to_json(r) : store::format_record_line(r)) << "\n";
    return kOk;
  } catch (const std::exception& e) {
    std::cerr << "cannot read the request log: " << e.what() << "\n";
    return kFailure;
  }
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"switchyard: a self-hosted gateway for the OpenAI and Anthropic APIs", "switchyard"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "switchyard 0.1.0");

  std::string config_path, listen, log_level = "info";
  if (const char* lvl = std::getenv("SWITCHYARD_LOG_LEVEL")) log_level = lvl;
  auto* serve_cmd = app.add_subcommand("serve", "Run the gateway");
  serve_cmd->add_option("-c,--config", config_path, "YAML config file (default: built-in config)")
      ->check(CLI::ExistingFile);
  serve_cmd->add_option("-l,--listen", listen, "HOST:PORT to listen on (overrides server.listen)");
  serve_cmd->add_option("--log-level", log_level, "trace|debug|info|warn|error|off");

  std::string check_path;
  auto* check_cmd = app.add_subcommand("check-config", "Validate a config file and exit");
  check_cmd->add_option("file", check_path, "YAML config file")->required()->check(CLI::ExistingFile);

  std::string db = "switchyard.db";
  int limit = 20;
  bool as_json = false;
  auto* logs_cmd = app.add_subcommand("logs", "Print the most recent request-log records");
  logs_cmd->add_option("--db", db, "SQLite request log (default: switchyard.db)");
  logs_cmd->add_option("-n,--limit", limit, "number of records")->check(CLI::PositiveNumber);
  logs_cmd->add_flag("--json", as_json, "one JSON object per line");
  std::string log_id;
  logs_cmd->add_option("--id", log_id, "only the records with this request id (x-request-id)");

  // CLI11 reports an unknown first word only as "A subcommand is required": name it instead.
  if (argc > 1 && argv[1][0] != '-') {
    const std::string_view first = argv[1];
    if (first != "serve" && first != "check-config" && first != "logs") {
      std::cerr << "switchyard: unknown command '" << first
                << "' (commands: serve, check-config, logs)\nRun with --help for more information.\n";
      return kUsage;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kOk : kUsage;
  }
  if (*serve_cmd) return serve(config_path, listen, log_level);
  if (*check_cmd) return check_config(check_path);
  if (*logs_cmd) {
    // An empty id (e.g. an unset shell variable) would otherwise mean "no filter" and list
    // unrelated records as if they matched.
    if (logs_cmd->count("--id") > 0 && log_id.empty()) {
      std::cerr << "switchyard logs: --id needs a request id, got an empty string\n";
      return kUsage;
    }
    return logs(db, limit, as_json, log_id);
  }
  return kUsage;
}

}  // namespace sy::cli
