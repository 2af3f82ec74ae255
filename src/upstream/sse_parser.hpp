// Incremental parser for text/event-stream (the WHATWG "server-sent events" format), fed with
// arbitrary byte chunks as they arrive from the network.
//
// Lines end in \n, \r\n or \r; a blank line dispatches an event; lines starting with ':' are
// comments; `data:` lines are joined with \n; a single space after the colon is dropped; unknown
// fields are ignored. An event with no data lines is not dispatched (as the spec says).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sy::upstream {

struct SseEvent {
  std::string event;   // empty means the default type ("message")
  std::string data;
  std::string id;
};

class SseParser {
 public:
  // Appends complete events found in `chunk` to `out`.
  void feed(std::string_view chunk, std::vector<SseEvent>& out);
  // True if bytes of an unfinished event are buffered (a stream that ends here was truncated).
  bool has_partial() const;
  // Bytes buffered without a line end; a caller may bound this to refuse runaway lines.
  size_t buffered() const { return line_.size(); }

 private:
  void line(std::string_view l, std::vector<SseEvent>& out);
  std::string line_;
  bool last_was_cr_ = false;
  SseEvent cur_;
  bool has_data_ = false;
  bool has_fields_ = false;
};

}  // namespace sy::upstream
