// Forward-proxy support: which proxy (if any) a target URL goes through, read from the usual
// environment variables, and the CONNECT tunnel through it.
//
// https targets use https_proxy / HTTPS_PROXY, http targets http_proxy / HTTP_PROXY (lower case
// wins, as curl does). An https target is tunnelled with CONNECT, so the proxy never sees request
// contents; a plain http one is sent to the proxy as an absolute-form request
// ("GET http://host:port/path HTTP/1.1"), the way curl and browsers do, since many proxies allow
// CONNECT to port 443 only. no_proxy / NO_PROXY lists hosts to reach directly: "*" for all, a name
// matches itself and its subdomains (a leading "." or "*." is ignored), an optional ":port"
// restricts the match, IP literals match exactly, and CIDR ranges ("10.0.0.0/8", "fd00::/8") match
// IP-literal targets inside them (names are not resolved for the comparison, as in curl).
// Only http:// proxies are supported (credentials in the proxy URL become
// Proxy-Authorization: Basic).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "upstream/url.hpp"

namespace sy::upstream {

struct ProxySettings {
  std::optional<Url> https_proxy;
  std::optional<Url> http_proxy;
  std::vector<std::string> no_proxy;   // lower-cased entries as written
};

// `getenv` is injectable for tests; unparsable proxy URLs are ignored.
ProxySettings proxy_settings_from_env(
    const std::function<const char*(const char*)>& getenv_fn = nullptr);

// The proxy to use for `target`, or nullptr for a direct connection.
const Url* proxy_for(const ProxySettings& settings, const Url& target);

// True if `target` is listed in a NO_PROXY-style list.
bool no_proxy_matches(const std::vector<std::string>& entries, const Url& target);

// "Basic <base64(user:password)>" from the proxy URL's userinfo, or "" when it has none.
std::string proxy_authorization(const Url& proxy);

struct TunnelResult {
  boost::system::error_code ec;   // transport error (timeouts surface as beast::error::timeout)
  std::string message;            // set when the tunnel could not be opened
  bool ok() const { return !ec && message.empty(); }
};

// Sends CONNECT for `target` over `stream` (already connected to `proxy`) and reads the proxy's
// answer. The caller sets the stream's deadline.
boost::asio::awaitable<TunnelResult> open_tunnel(boost::beast::tcp_stream& stream, const Url& proxy,
                                                 const Url& target);

}  // namespace sy::upstream
