#include "server/response_head.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>

namespace sy::server {

namespace {

void append_value(std::string& out, std::string_view v) {
  for (char c : v) out += (c == '\r' || c == '\n') ? ' ' : c;
}

bool repeated_later(const HeaderList& fields, size_t i) {
  for (size_t j = i + 1; j < fields.size(); ++j)
    if (boost::beast::iequals(fields[j].first, fields[i].first)) return true;
  return false;
}

}  // namespace

void append_response_head(std::string& out, const ResponseHead& head, const HeaderList& fields) {
  out += head.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(head.status);
  out += ' ';
  const auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(head.status));
  out.append(reason.data(), reason.size());
  out += "\r\n";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (repeated_later(fields, i)) continue;
    out += fields[i].first;
    out += ": ";
    append_value(out, fields[i].second);
    out += "\r\n";
  }
  if (head.content_length) {
    out += "Content-Length: ";
    out += std::to_string(*head.content_length);
    out += "\r\n";
  } else {
    out += "Transfer-Encoding: chunked\r\n";
  }
  if (head.version == 10 && head.keep_alive) out += "Connection: keep-alive\r\n";
  if (head.version != 10 && !head.keep_alive) out += "Connection: close\r\n";
  out += "\r\n";
}

std::string chunk_size_line(size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[24];
  char* p = buf + sizeof buf;
  *--p = '\n';
  *--p = '\r';
  do {
    *--p = kHex[size & 15];
    size >>= 4;
  } while (size);
  return std::string(p, buf + sizeof buf);
}

}  // namespace sy::server
