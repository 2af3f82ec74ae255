#include "upstream/request_head.hpp"

#include <boost/beast/core/string.hpp>

namespace sy::upstream {

namespace {

bool has_bad_chars(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && !has_bad_chars(s) && s.find_first_of(" :\t") == std::string_view::npos;
}

}  // namespace

RequestHead build_request_head(const Request& req, const Url& url, const ForwardProxy* forward_proxy) {
  namespace beast = boost::beast;
  RequestHead out;
  if (!is_token(req.method)) {
    out.error = "bad HTTP method";
    return out;
  }
  out.head = req.method == "HEAD";
  const bool bodyless_method = out.head || req.method == "GET" || req.method == "DELETE" ||
                               req.method == "OPTIONS";
  std::string& t = out.text;
  t.reserve(256 + req.headers.size() * 48);
  t += req.method;
  t += ' ';
  if (forward_proxy) {
    t += url.scheme;
    t += "://";
    t += url.host_header();
  }
  t += url.target;
  t += " HTTP/1.1\r\nHost: ";
  t += url.host_header();
  t += "\r\n";
  bool has_user_agent = false;
  for (const auto& [name, value] : req.headers) {
    if (!is_token(name) || has_bad_chars(value)) {
      out.text.clear();
      out.error = "bad request header '" + name + "'";
      return out;
    }
    if (beast::iequals(name, "host") || beast::iequals(name, "content-length") ||
        beast::iequals(name, "connection") || beast::iequals(name, "transfer-encoding") ||
        (forward_proxy && beast::iequals(name, "proxy-authorization")))
      continue;
    if (beast::iequals(name, "user-agent")) has_user_agent = true;
    t += name;
    t += ": ";
    t += value;
    t += "\r\n";
  }
  if (!has_user_agent) t += "User-Agent: switchyard/0.1\r\n";
  if (forward_proxy && !forward_proxy->authorization.empty()) {
    t += "Proxy-Authorization: ";
    t += forward_proxy->authorization;
    t += "\r\n";
  }
  t += "Connection: keep-alive\r\n";
  if (!req.body.empty() || !bodyless_method) {
    t += "Content-Length: ";
    t += std::to_string(req.body.size());
    t += "\r\n";
  }
  t += "\r\n";
  return out;
}

}  // namespace sy::upstream
