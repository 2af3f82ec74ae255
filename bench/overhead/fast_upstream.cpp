// A deliberately minimal OpenAI-compatible upstream for the gateway overhead benchmark.
//
// It must cost far less per request than the gateway, or the benchmark would measure it instead:
// one thread, raw Asio callbacks, every response prebuilt at start-up, and no JSON parsing — the
// only look at the request body is a substring search for "stream":true. Requests are answered in
// order per connection (HTTP/1.1 keep-alive; pipelined requests queue in the read buffer).
//
//   fast_upstream --listen 127.0.0.1:9100 [--chunks 20] [--chunk-delay-ms 0] [--latency-us 0]
// --latency-us holds each non-streaming answer that long (a timer, no CPU): an upstream's service
// time, so throughput ratios can be read against an upstream that is not free.
//
// Non-streaming: a fixed chat.completion body with Content-Length. Streaming: text/event-stream,
// chunked transfer encoding, a role chunk, N content chunks, a finish chunk, a usage chunk
// (choices: []) and `data: [DONE]`. With --chunk-delay-ms > 0 each event after the first waits that
// long, so many streams can be held open at once (the concurrent-streams benchmark).
#include <boost/asio.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

struct Responses {
  std::string completion;           // full HTTP response, non-streaming
  std::string stream_head;          // status line + headers of a stream
  std::vector<std::string> events;  // each SSE event already framed as one HTTP chunk
  std::string stream_all;           // head + every event + last-chunk, for the no-delay case
  std::string not_found;
  std::chrono::milliseconds delay{0};
  std::chrono::microseconds latency{0};
};

std::string http_chunk(std::string_view payload) {
  char len[16];
  auto [end, ec] = std::to_chars(len, len + sizeof len, payload.size(), 16);
  (void)ec;
  std::string out(len, end);
  out += "\r\n";
  out += payload;
  out += "\r\n";
  return out;
}

std::string chunk_json(std::string_view choices) {
  return "data: {\"id\":\"chatcmpl-bench0000000000000000000001\",\"object\":\"chat.completion.chunk\","
         "\"created\":1767225600,\"model\":\"m\",\"system_fingerprint\":\"fp_bench\",\"choices\":" +
         std::string(choices) + "}\n\n";
}

Responses build(int chunks, int delay_ms) {
  Responses r;
  r.delay = std::chrono::milliseconds(delay_ms);
  const std::string body =
      "{\"id\":\"chatcmpl-bench0000000000000000000001\",\"object\":\"chat.completion\","
      "\"created\":1767225600,\"model\":\"m\",\"system_fingerprint\":\"fp_bench\","
      "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
      "\"The quick brown fox jumps over the lazy dog. Sphinx of black quartz, judge my vow. "
      "Pack my box with five dozen liquor jugs.\",\"refusal\":null},\"logprobs\":null,"
      "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":24,\"completion_tokens\":31,"
      "\"total_tokens\":55,\"prompt_tokens_details\":{\"cached_tokens\":0},"
      "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}";
  r.completion = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                 std::to_string(body.size()) + "\r\nConnection: keep-alive\r\n\r\n" + body;
  r.stream_head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
      "Transfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n";
  static const char* words[] = {"The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog. "};
  r.events.push_back(http_chunk(chunk_json(
      "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]")));
  for (int i = 0; i < chunks; ++i)
    r.events.push_back(http_chunk(chunk_json(std::string("[{\"index\":0,\"delta\":{\"content\":\"") +
                                             words[i % 9] + "\"},\"logprobs\":null,\"finish_reason\":null}]")));
  r.events.push_back(http_chunk(
      chunk_json("[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}]")));
  r.events.push_back(http_chunk(
      "data: {\"id\":\"chatcmpl-bench0000000000000000000001\",\"object\":\"chat.completion.chunk\","
      "\"created\":1767225600,\"model\":\"m\",\"system_fingerprint\":\"fp_bench\",\"choices\":[],"
      "\"usage\":{\"prompt_tokens\":24,\"completion_tokens\":" +
      std::to_string(chunks) + ",\"total_tokens\":" + std::to_string(24 + chunks) + "}}\n\n"));
  r.events.push_back(http_chunk("data: [DONE]\n\n") + "0\r\n\r\n");
  r.stream_all = r.stream_head;
  for (const auto& e : r.events) r.stream_all += e;
  const std::string nf = "{\"error\":{\"message\":\"not found\"}}";
  r.not_found = "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " +
                std::to_string(nf.size()) + "\r\nConnection: keep-alive\r\n\r\n" + nf;
  return r;
}

bool iequals_prefix(std::string_view line, std::string_view name) {
  if (line.size() < name.size()) return false;
  for (size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i]) return false;
  return true;
}

// Content-Length of a header block (0 if absent); -1 if malformed.
long content_length(std::string_view head) {
  size_t pos = 0;
  while (pos < head.size()) {
    size_t eol = head.find("\r\n", pos);
    if (eol == std::string_view::npos) eol = head.size();
    std::string_view line = head.substr(pos, eol - pos);
    if (iequals_prefix(line, "content-length:")) {
      std::string_view v = line.substr(15);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      long n = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
      (void)p;
      return ec == std::errc() ? n : -1;
    }
    pos = eol + 2;
  }
  return 0;
}

bool wants_stream(std::string_view body) {
  return body.find("\"stream\":true") != std::string_view::npos ||
         body.find("\"stream\": true") != std::string_view::npos;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket s, const Responses& r) : sock_(std::move(s)), timer_(sock_.get_executor()), r_(r) {
    buf_.resize(16 * 1024);
  }
  void start() { next(); }

 private:
  // Serve the next complete request in the buffer, or read more.
  void next() {
    std::string_view have(buf_.data(), used_);
    size_t hend = have.find("\r\n\r\n");
    if (hend != std::string_view::npos) {
      std::string_view head = have.substr(0, hend);
      long len = content_length(head);
      if (len < 0) return;  // malformed: drop the connection
      size_t total = hend + 4 + static_cast<size_t>(len);
      if (used_ >= total) {
        std::string_view body = have.substr(hend + 4, static_cast<size_t>(len));
        bool chat = head.substr(0, 26) == "POST /v1/chat/completions ";
        bool stream = chat && wants_stream(body);
        consume(total);
        if (!chat) return send(r_.not_found);
        if (!stream && r_.latency.count() > 0) return send_later(r_.completion);
        if (!stream) return send(r_.completion);
        if (r_.delay.count() == 0) return send(r_.stream_all);
        event_ = 0;
        return send_stream(r_.stream_head + r_.events[0]);
      }
      if (total > buf_.size()) buf_.resize(total);
    } else if (used_ == buf_.size()) {
      if (buf_.size() >= (1u << 20)) return;  // absurd header block: give up
      buf_.resize(buf_.size() * 2);
    }
    sock_.async_read_some(asio::buffer(buf_.data() + used_, buf_.size() - used_),
                          [self = shared_from_this()](boost::system::error_code ec, size_t n) {
                            if (ec) return;
                            self->used_ += n;
                            self->next();
                          });
  }

  void consume(size_t n) {
    std::copy(buf_.begin() + static_cast<long>(n), buf_.begin() + static_cast<long>(used_), buf_.begin());
    used_ -= n;
  }

  void send(const std::string& whole) {
    asio::async_write(sock_, asio::buffer(whole), [self = shared_from_this()](boost::system::error_code ec, size_t) {
      if (!ec) self->next();
    });
  }

  void send_later(const std::string& whole) {
    timer_.expires_after(r_.latency);
    timer_.async_wait([self = shared_from_this(), &whole](boost::system::error_code ec) {
      if (!ec) self->send(whole);
    });
  }

  // Delayed stream: the first write carries the head and the role event; each later event waits.
  void send_stream(std::string first) {
    owned_ = std::move(first);
    asio::async_write(sock_, asio::buffer(owned_), [self = shared_from_this()](boost::system::error_code ec, size_t) {
      if (!ec) self->wait_event();
    });
  }
  void wait_event() {
    if (++event_ >= r_.events.size()) return next();
    timer_.expires_after(r_.delay);
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec) return;
      asio::async_write(self->sock_, asio::buffer(self->r_.events[self->event_]),
                        [self](boost::system::error_code ec2, size_t) {
                          if (!ec2) self->wait_event();
                        });
    });
  }

  tcp::socket sock_;
  asio::steady_timer timer_;
  const Responses& r_;
  std::vector<char> buf_;
  size_t used_ = 0;
  size_t event_ = 0;
  std::string owned_;
};

void accept_loop(tcp::acceptor& acc, const Responses& r) {
  acc.async_accept([&acc, &r](boost::system::error_code ec, tcp::socket s) {
    if (!ec) {
      s.set_option(tcp::no_delay(true), ec);
      std::make_shared<Session>(std::move(s), r)->start();
    }
    accept_loop(acc, r);  // EMFILE etc.: keep accepting; the client sees the refusal
  });
}

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: fast_upstream --listen HOST:PORT [--chunks N] [--chunk-delay-ms MS] [--latency-us US]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:9100";
  int chunks = 20;
  int delay_ms = 0;
  int latency_us = 0;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (i + 1 >= argc) usage();
    if (a == "--listen") listen = argv[++i];
    else if (a == "--chunks") chunks = std::atoi(argv[++i]);
    else if (a == "--chunk-delay-ms") delay_ms = std::atoi(argv[++i]);
    else if (a == "--latency-us") latency_us = std::atoi(argv[++i]);
    else usage();
  }
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || chunks < 0 || delay_ms < 0 || latency_us < 0) usage();
  Responses r = build(chunks, delay_ms);
  r.latency = std::chrono::microseconds(latency_us);

  asio::io_context io(1);
  tcp::endpoint ep(asio::ip::make_address(listen.substr(0, colon)),
                   static_cast<unsigned short>(std::atoi(listen.c_str() + colon + 1)));
  tcp::acceptor acc(io);
  acc.open(ep.protocol());
  acc.set_option(tcp::acceptor::reuse_address(true));
  acc.bind(ep);
  acc.listen(4096);
  accept_loop(acc, r);
  asio::signal_set sig(io, SIGTERM, SIGINT);
  sig.async_wait([&io](boost::system::error_code, int) { io.stop(); });
  std::fprintf(stderr, "fast_upstream listening on %s (chunks=%d, delay=%dms)\n", listen.c_str(), chunks, delay_ms);
  io.run();
  return 0;
}
