// HTTP/1.x response heads serialized by hand into one contiguous string. Every answer the gateway
// writes is a status line, a handful of fields and a body, so Beast's general field container and
// buffer-sequence serializer cost more than they give here (~6% of a proxied request's CPU in
// bench/overhead's profile); requests are still parsed by Beast.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sy::server {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ResponseHead {
  int status = 200;
  unsigned version = 11;                  // the request's: 10 or 11
  bool keep_alive = true;
  std::optional<size_t> content_length;   // nullopt: Transfer-Encoding: chunked
};

// Appends "HTTP/1.1 200 OK\r\n" + fields + framing + "\r\n" to `out`. Fields are written in order;
// when a name repeats (case-insensitively) only its last value is kept, as a handler's later
// add_header overrides an earlier one. CR and LF in values become spaces (no header injection).
// Connection is written only where the version's default differs from `keep_alive`.
void append_response_head(std::string& out, const ResponseHead& head, const HeaderList& fields);

// "1a2f\r\n": the line that precedes a chunk of `size` bytes in a chunked body.
std::string chunk_size_line(size_t size);

}  // namespace sy::server
