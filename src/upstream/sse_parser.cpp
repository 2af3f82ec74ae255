#include "upstream/sse_parser.hpp"

namespace sy::upstream {

void SseParser::feed(std::string_view chunk, std::vector<SseEvent>& out) {
  size_t i = 0;
  // A \r\n pair split across two chunks: the \r already ended the line, so skip the \n.
  if (last_was_cr_ && !chunk.empty()) {
    last_was_cr_ = false;
    if (chunk.front() == '\n') i = 1;
  }
  while (i < chunk.size()) {
    size_t eol = chunk.find_first_of("\r\n", i);
    if (eol == std::string_view::npos) {
      line_.append(chunk.substr(i));
      return;
    }
    if (line_.empty()) {
      line(chunk.substr(i, eol - i), out);  // common case: whole line inside this chunk, no copy
    } else {
      line_.append(chunk.substr(i, eol - i));
      std::string l = std::move(line_);
      line_.clear();
      line(l, out);
    }
    i = eol + 1;
    if (chunk[eol] == '\r') {
      if (i == chunk.size()) {
        last_was_cr_ = true;
      } else if (chunk[i] == '\n') {
        ++i;
      }
    }
  }
}

bool SseParser::has_partial() const { return !line_.empty() || has_fields_; }

void SseParser::line(std::string_view l, std::vector<SseEvent>& out) {
  if (l.empty()) {
    if (has_data_) {
      out.push_back(cur_);
    }
    // The last event ID survives dispatch (the spec's "last event ID buffer"); the rest resets.
    cur_.event.clear();
    cur_.data.clear();
    has_data_ = false;
    has_fields_ = false;
    return;
  }
  if (l.front() == ':') return;  // comment (servers use these as keep-alive pings)

  std::string_view field = l;
  std::string_view value;
  if (auto colon = l.find(':'); colon != std::string_view::npos) {
    field = l.substr(0, colon);
    value = l.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  }
  has_fields_ = true;
  if (field == "data") {
    if (has_data_) cur_.data.push_back('\n');
    cur_.data.append(value);
    has_data_ = true;
  } else if (field == "event") {
    cur_.event.assign(value);
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) cur_.id.assign(value);
  }
  // "retry" and unknown fields are ignored: reconnection is the caller's business.
}

}  // namespace sy::upstream
