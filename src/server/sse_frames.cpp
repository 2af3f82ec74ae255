#include "server/sse_frames.hpp"

namespace sy::server {

void split_frame(std::string_view frame, std::string& event, std::string& data) {
  event.clear();
  data.clear();
  bool first_data = true;
  while (!frame.empty()) {
    size_t nl = frame.find('\n');
    std::string_view line = frame.substr(0, nl);
    frame = nl == std::string_view::npos ? std::string_view{} : frame.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto value = [&](size_t n) {
      std::string_view v = line.substr(n);
      if (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      return v;
    };
    if (line.starts_with("event:")) {
      event = value(6);
    } else if (line.starts_with("data:")) {
      if (!first_data) data += '\n';
      data += value(5);
      first_data = false;
    }
  }
}

void StreamAccumulator::feed_frame(std::string_view frame) {
  split_frame(frame, event_, data_);
  if (wire_ == Wire::openai) {
    if (!data_.empty() && data_ != "[DONE]") openai_.feed_data(data_);
  } else {
    anthropic_.feed(event_, data_);
  }
}

std::string StreamAccumulator::result_json() const {
  return wire_ == Wire::openai ? openai_.result_json() : anthropic_.result_json();
}

}  // namespace sy::server
