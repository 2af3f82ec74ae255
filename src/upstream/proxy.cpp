#include "upstream/proxy.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace sy::upstream {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const char* first_set(const std::function<const char*(const char*)>& get, const char* a,
                      const char* b) {
  for (const char* name : {a, b}) {
    const char* v = get(name);
    if (v && *v) return v;
  }
  return nullptr;
}

std::optional<Url> parse_proxy(const char* value) {
  if (!value) return std::nullopt;
  std::string text = value;
  if (text.find("://") == std::string::npos) text = "http://" + text;  // "host:port" is common
  return parse_url(text);
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() &&
        std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string base64(std::string_view in) {
  static constexpr char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(in[i])) << 16) | (uint32_t(uint8_t(in[i + 1])) << 8) |
                 uint32_t(uint8_t(in[i + 2]));
    out += tbl[(v >> 18) & 63];
    out += tbl[(v >> 12) & 63];
    out += tbl[(v >> 6) & 63];
    out += tbl[v & 63];
  }
  if (size_t rest = in.size() - i; rest > 0) {
    uint32_t v = uint32_t(uint8_t(in[i])) << 16;
    if (rest == 2) v |= uint32_t(uint8_t(in[i + 1])) << 8;
    out += tbl[(v >> 18) & 63];
    out += tbl[(v >> 12) & 63];
    out += rest == 2 ? tbl[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// "10.0.0.0/8", "fd00::/8", "192.168.1.7/32": true if `host` is an IP literal inside the range.
// Names are not resolved to be compared (as curl does): list them by name as well.
bool in_cidr(std::string_view range, const std::string& host) {
  const auto slash = range.find('/');
  boost::system::error_code ec;
  const auto net = asio::ip::make_address(std::string(range.substr(0, slash)), ec);
  if (ec) return false;
  const auto addr = asio::ip::make_address(host, ec);
  if (ec || addr.is_v4() != net.is_v4()) return false;
  const std::string_view bits_text = range.substr(slash + 1);
  const int max_bits = net.is_v4() ? 32 : 128;
  int bits = 0;
  if (bits_text.empty() || bits_text.size() > 3) return false;
  for (char c : bits_text) {
    if (c < '0' || c > '9') return false;
    bits = bits * 10 + (c - '0');
  }
  if (bits > max_bits) return false;
  auto compare = [bits](const auto& a, const auto& b) {   // byte arrays of equal length
    int left = bits;
    for (size_t i = 0; i < a.size() && left > 0; ++i, left -= 8) {
      const unsigned mask = left >= 8 ? 0xffu : (0xffu << (8 - left)) & 0xffu;
      if ((a[i] & mask) != (b[i] & mask)) return false;
    }
    return true;
  };
  return net.is_v4() ? compare(net.to_v4().to_bytes(), addr.to_v4().to_bytes())
                     : compare(net.to_v6().to_bytes(), addr.to_v6().to_bytes());
}

}  // namespace

ProxySettings proxy_settings_from_env(const std::function<const char*(const char*)>& getenv_fn) {
  auto get = getenv_fn ? getenv_fn : [](const char* n) -> const char* { return std::getenv(n); };
  ProxySettings s;
  s.https_proxy = parse_proxy(first_set(get, "https_proxy", "HTTPS_PROXY"));
  s.http_proxy = parse_proxy(first_set(get, "http_proxy", "HTTP_PROXY"));
  if (const char* np = first_set(get, "no_proxy", "NO_PROXY")) {
    std::string list = lower(np);
    size_t i = 0;
    while (i < list.size()) {
      size_t j = list.find_first_of(", \t", i);
      if (j == std::string::npos) j = list.size();
      if (j > i) s.no_proxy.push_back(list.substr(i, j - i));
      i = j + 1;
    }
  }
  return s;
}

bool no_proxy_matches(const std::vector<std::string>& entries, const Url& target) {
  for (std::string_view e : entries) {
    if (e == "*") return true;
    std::optional<uint16_t> port;
    // Split an optional ":port" off, minding bracketed and bare IPv6 literals.
    if (!e.empty() && e.front() == '[') {
      auto close = e.find(']');
      if (close == std::string_view::npos) continue;
      std::string_view after = e.substr(close + 1);
      if (after.size() > 1 && after.front() == ':') port = uint16_t(std::atoi(std::string(after.substr(1)).c_str()));
      e = e.substr(1, close - 1);
    } else if (std::count(e.begin(), e.end(), ':') == 1) {
      auto colon = e.find(':');
      port = uint16_t(std::atoi(std::string(e.substr(colon + 1)).c_str()));
      e = e.substr(0, colon);
    }
    if (port && *port != target.port) continue;
    if (e.find('/') != std::string_view::npos) {
      if (in_cidr(e, target.host)) return true;
      continue;
    }
    if (e.starts_with("*.")) e.remove_prefix(2);
    else if (e.starts_with(".")) e.remove_prefix(1);
    if (e.empty()) continue;
    const std::string& h = target.host;
    if (h == e) return true;
    if (h.size() > e.size() && h.ends_with(e) && h[h.size() - e.size() - 1] == '.') return true;
  }
  return false;
}

std::string proxy_authorization(const Url& proxy) {
  if (proxy.userinfo.empty()) return {};
  return "Basic " + base64(percent_decode(proxy.userinfo));
}

const Url* proxy_for(const ProxySettings& settings, const Url& target) {
  const std::optional<Url>& p = target.tls() ? settings.https_proxy : settings.http_proxy;
  if (!p) return nullptr;
  if (no_proxy_matches(settings.no_proxy, target)) return nullptr;
  return &*p;
}

asio::awaitable<TunnelResult> open_tunnel(beast::tcp_stream& stream, const Url& proxy,
                                          const Url& target) {
  TunnelResult r;
  http::request<http::empty_body> req{http::verb::connect, target.authority(), 11};
  req.set(http::field::host, target.authority());
  req.set(http::field::user_agent, "switchyard/0.1");
  if (std::string auth = proxy_authorization(proxy); !auth.empty())
    req.set(http::field::proxy_authorization, auth);
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, r.ec));
  if (r.ec) {
    r.message = "proxy CONNECT write failed: " + r.ec.message();
    co_return r;
  }
  // A 2xx answer to CONNECT has no body; anything after its headers belongs to the tunnel, and
  // since we have not spoken yet the proxy must not have sent any.
  beast::flat_buffer buf;
  http::response_parser<http::empty_body> parser;
  parser.skip(true);
  co_await http::async_read_header(stream, buf, parser, asio::redirect_error(asio::use_awaitable, r.ec));
  if (r.ec) {
    r.message = "proxy CONNECT failed: " + r.ec.message();
    co_return r;
  }
  unsigned status = parser.get().result_int();
  if (status < 200 || status > 299) {
    r.message = "proxy refused CONNECT to " + target.authority() + " with status " +
                std::to_string(status);
  } else if (buf.size() != 0) {
    r.message = "proxy sent unexpected bytes after CONNECT response";
  }
  co_return r;
}

}  // namespace sy::upstream
