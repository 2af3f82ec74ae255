// Absolute http(s) URL → the pieces a connection and a request line need.
//
// Only what an upstream URL can hold: scheme (http|https), optional userinfo (proxy URLs carry
// credentials there), host (name, IPv4 or bracketed IPv6 literal), optional port, and the
// request target (path + query; fragments are dropped since they are never sent).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sy::upstream {

struct Url {
  std::string scheme;     // "http" or "https", lower case
  std::string userinfo;   // "user:password" as written (percent-encoded), usually empty
  std::string host;       // lower case; IPv6 literals without brackets
  uint16_t port = 0;      // explicit or the scheme's default
  std::string target;     // "/path?query", never empty

  bool tls() const { return scheme == "https"; }
  bool ipv6_literal() const { return host.find(':') != std::string::npos; }
  bool default_port() const { return port == (tls() ? 443 : 80); }
  // "host[:port]" as a Host header wants it (brackets for IPv6, port only if not the default).
  std::string host_header() const;
  // "host:port" always with the port (CONNECT authority, pool key).
  std::string authority() const;
};

// Parses an absolute http:// or https:// URL; nullopt for anything else (with `error` set).
std::optional<Url> parse_url(std::string_view text, std::string* error = nullptr);

}  // namespace sy::upstream
