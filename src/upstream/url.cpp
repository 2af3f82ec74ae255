#include "upstream/url.hpp"

#include <algorithm>
#include <cctype>

namespace sy::upstream {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::optional<Url> fail(std::string* error, std::string msg) {
  if (error) *error = std::move(msg);
  return std::nullopt;
}

}  // namespace

std::string Url::host_header() const {
  std::string h = ipv6_literal() ? "[" + host + "]" : host;
  if (!default_port()) h += ":" + std::to_string(port);
  return h;
}

std::string Url::authority() const {
  std::string h = ipv6_literal() ? "[" + host + "]" : host;
  return h + ":" + std::to_string(port);
}

std::optional<Url> parse_url(std::string_view text, std::string* error) {
  Url u;
  auto sep = text.find("://");
  if (sep == std::string_view::npos) return fail(error, "URL has no scheme: " + std::string(text));
  u.scheme = lower(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https")
    return fail(error, "unsupported URL scheme '" + u.scheme + "'");
  std::string_view rest = text.substr(sep + 3);

  auto end_auth = rest.find_first_of("/?#");
  std::string_view auth = rest.substr(0, end_auth);
  std::string_view tail = end_auth == std::string_view::npos ? std::string_view{} : rest.substr(end_auth);

  if (auto at = auth.rfind('@'); at != std::string_view::npos) {
    u.userinfo = std::string(auth.substr(0, at));
    auth = auth.substr(at + 1);
  }

  std::string_view port_text;
  if (!auth.empty() && auth.front() == '[') {
    auto close = auth.find(']');
    if (close == std::string_view::npos) return fail(error, "unterminated IPv6 literal in URL");
    u.host = lower(auth.substr(1, close - 1));
    std::string_view after = auth.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail(error, "junk after IPv6 literal in URL");
      port_text = after.substr(1);
    }
  } else {
    auto colon = auth.rfind(':');
    if (colon != std::string_view::npos) {
      port_text = auth.substr(colon + 1);
      auth = auth.substr(0, colon);
    }
    u.host = lower(auth);
    if (u.host.find(':') != std::string::npos) return fail(error, "IPv6 literal must be bracketed");
  }
  if (u.host.empty()) return fail(error, "URL has no host");
  for (unsigned char c : u.host)
    if (std::isspace(c) || std::iscntrl(c)) return fail(error, "invalid character in URL host");

  if (!port_text.empty()) {
    unsigned long p = 0;
    for (char c : port_text) {
      if (c < '0' || c > '9') return fail(error, "invalid port in URL");
      p = p * 10 + static_cast<unsigned long>(c - '0');
      if (p > 65535) return fail(error, "port out of range in URL");
    }
    if (p == 0) return fail(error, "port 0 in URL");
    u.port = static_cast<uint16_t>(p);
  } else {
    u.port = u.tls() ? 443 : 80;
  }

  // The fragment never goes on the wire.
  if (auto hash = tail.find('#'); hash != std::string_view::npos) tail = tail.substr(0, hash);
  if (tail.empty()) {
    u.target = "/";
  } else if (tail.front() == '?') {
    u.target = "/" + std::string(tail);
  } else {
    u.target = std::string(tail);
  }
  for (unsigned char c : u.target)
    if (c <= 0x20 || c == 0x7f) return fail(error, "invalid character in URL path");
  return u;
}

}  // namespace sy::upstream
