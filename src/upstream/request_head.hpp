// The head of an HTTP/1.1 request ("POST /v1/chat/completions HTTP/1.1\r\n" + fields + "\r\n"),
// serialized by hand into one string that is written together with the body in one gathered
// write: an upstream request is a method, a target, a few fields and a body, and Beast's
// generic field container and serializer were a measurable share of a proxied request's CPU.
#pragma once

#include <string>

#include "upstream/http_client.hpp"
#include "upstream/url.hpp"

namespace sy::upstream {

struct RequestHead {
  std::string text;     // empty when the request was refused (see error)
  bool head = false;    // a HEAD request: its response has no body
  std::string error;    // "bad HTTP method", "bad request header 'x'"
};

// Validates `req`'s method and headers (no CR, LF or NUL; names without spaces or colons) and
// writes its head for `url`. Host, Content-Length, Connection and Transfer-Encoding given by the
// caller are ignored: the client owns framing and connection management (keep-alive). A
// User-Agent is added unless the caller set one. Content-Length is sent for any body and for
// methods that carry one (POST with an empty body says 0).
//
// `forward_proxy`: the request goes to a forward proxy for a plain-http `url`: the target is in
// absolute form ("http://host:port/path") and, if given, the proxy's credentials are added.
struct ForwardProxy {
  std::string authorization;   // a Proxy-Authorization value, or ""
};
RequestHead build_request_head(const Request& req, const Url& url,
                               const ForwardProxy* forward_proxy = nullptr);

}  // namespace sy::upstream
