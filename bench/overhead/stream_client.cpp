// Holds many streaming chat completions open at once against one server and reports how many were
// open at the same time, and (with --pid) the peak memory of a process while they were.
//
//   stream_client --target 127.0.0.1:8080 --streams 5000 [--pid PID] [--connect-batch 256]
//
// Each stream: connect, POST /v1/chat/completions with "stream":true, read until `data: [DONE]`.
// A stream counts as open from its first SSE event until [DONE]. Connections are started with at
// most --connect-batch connects in flight so the listen backlog does not overflow.
// One thread, raw Asio: 5,000 sockets cost a few MB here and little CPU.
#include <boost/asio.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

struct Stats {
  size_t open_now = 0, open_max = 0, completed = 0, failed = 0, started = 0, connecting = 0;
  long rss_kb_max = 0;
  size_t open_at_rss_max = 0;
};

long proc_status_kb(int pid, std::string_view key) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.compare(0, key.size(), key) == 0) return std::atol(line.c_str() + key.size() + 1);
  return -1;
}

class Stream : public std::enable_shared_from_this<Stream> {
 public:
  Stream(asio::io_context& io, tcp::endpoint ep, const std::string& request, Stats& st)
      : sock_(io), ep_(ep), request_(request), st_(st) {}

  void start() {
    ++st_.connecting;
    sock_.async_connect(ep_, [self = shared_from_this()](boost::system::error_code ec) {
      --self->st_.connecting;
      if (ec) return self->fail();
      boost::system::error_code ignored;
      self->sock_.set_option(tcp::no_delay(true), ignored);
      asio::async_write(self->sock_, asio::buffer(self->request_),
                        [self](boost::system::error_code ec2, size_t) {
                          if (ec2) return self->fail();
                          self->read();
                        });
    });
  }

 private:
  void read() {
    sock_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](boost::system::error_code ec, size_t n) {
      if (ec) return self->fail();
      self->on_data(std::string_view(self->buf_, n));
    });
  }

  void on_data(std::string_view data) {
    // Only the bytes around a read boundary need carrying over to find the markers.
    std::string scan = tail_;
    scan.append(data);
    if (!status_checked_ && scan.size() >= 12) {
      status_checked_ = true;
      if (scan.compare(0, 12, "HTTP/1.1 200") != 0) return fail();
    }
    if (!open_ && scan.find("data: ") != std::string::npos) {
      open_ = true;
      st_.open_max = std::max(st_.open_max, ++st_.open_now);
    }
    if (scan.find("data: [DONE]") != std::string::npos) {
      if (open_) --st_.open_now;
      ++st_.completed;
      finished_ = true;
      boost::system::error_code ignored;
      sock_.close(ignored);
      return;
    }
    tail_ = scan.size() > 16 ? scan.substr(scan.size() - 16) : scan;
    read();
  }

  void fail() {
    if (finished_) return;
    finished_ = true;
    if (open_) --st_.open_now;
    ++st_.failed;
  }

  tcp::socket sock_;
  tcp::endpoint ep_;
  const std::string& request_;
  Stats& st_;
  char buf_[4096];
  std::string tail_;
  bool status_checked_ = false, open_ = false, finished_ = false;
};

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: stream_client --target HOST:PORT --streams N [--pid PID] [--connect-batch K]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string target;
  size_t streams = 0, batch = 256;
  int pid = 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (i + 1 >= argc) usage();
    if (a == "--target") target = argv[++i];
    else if (a == "--streams") streams = std::strtoul(argv[++i], nullptr, 10);
    else if (a == "--pid") pid = std::atoi(argv[++i]);
    else if (a == "--connect-batch") batch = std::strtoul(argv[++i], nullptr, 10);
    else usage();
  }
  size_t colon = target.rfind(':');
  if (colon == std::string::npos || streams == 0 || batch == 0) usage();
  tcp::endpoint ep(asio::ip::make_address(target.substr(0, colon)),
                   static_cast<unsigned short>(std::atoi(target.c_str() + colon + 1)));
  const std::string body =
      "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"system\",\"content\":\"You are a "
      "helpful assistant.\"},{\"role\":\"user\",\"content\":\"Write one sentence about foxes.\"}]}";
  const std::string request = "POST /v1/chat/completions HTTP/1.1\r\nHost: " + target +
                              "\r\nContent-Type: application/json\r\nAuthorization: Bearer x\r\n"
                              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;

  asio::io_context io(1);
  Stats st;
  const auto t0 = std::chrono::steady_clock::now();
  asio::steady_timer tick(io);
  // Every 20 ms: top up connects in flight, sample the target's RSS, stop when all are done.
  std::function<void()> on_tick = [&] {
    while (st.started < streams && st.connecting < batch) {
      ++st.started;
      std::make_shared<Stream>(io, ep, request, st)->start();
    }
    if (pid > 0) {
      long rss = proc_status_kb(pid, "VmRSS:");
      if (rss > st.rss_kb_max) {
        st.rss_kb_max = rss;
        st.open_at_rss_max = st.open_now;
      }
    }
    if (st.completed + st.failed == streams) return;
    tick.expires_after(std::chrono::milliseconds(20));
    tick.async_wait([&](boost::system::error_code) { on_tick(); });
  };
  on_tick();
  io.run();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("streams=%zu completed=%zu failed=%zu max_open_at_once=%zu seconds=%.1f", streams, st.completed,
              st.failed, st.open_max, secs);
  if (pid > 0)
    std::printf(" target_rss_max_mb=%.1f open_at_rss_max=%zu target_vmhwm_mb=%.1f", st.rss_kb_max / 1024.0,
                st.open_at_rss_max, proc_status_kb(pid, "VmHWM:") / 1024.0);
  std::printf("\n");
  return st.failed == 0 ? 0 : 1;
}
