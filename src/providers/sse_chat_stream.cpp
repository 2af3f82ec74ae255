#include "providers/sse_chat_stream.hpp"

namespace sy::providers {

namespace {
// An upstream that sends an endless line without a newline is broken or hostile.
constexpr size_t kMaxBufferedLine = 4u << 20;
}

SseChatStream::SseChatStream(std::unique_ptr<upstream::StreamingResponse> resp,
                             std::unique_ptr<FrameTranslator> translator, std::string provider_name)
    : resp_(std::move(resp)), translator_(std::move(translator)), provider_(std::move(provider_name)) {}

asio::awaitable<Result<bool>> SseChatStream::fill() {
  while (pending_.empty()) {
    if (failed_) co_return *failed_;
    if (ended_) co_return false;
    auto piece = co_await resp_->read_some();
    if (!piece.ok()) co_return piece.failure();
    if (!piece.value()) {
      ended_ = true;
      if (parser_.has_partial() || !translator_->complete()) {
        co_return make_failure(FailureKind::malformed,
                               "upstream " + provider_ + " stream ended before its end marker "
                               "(truncated stream)");
      }
      for (auto& f : translator_->finish()) pending_.push_back({std::move(f)});
      co_return !pending_.empty();
    }
    events_.clear();
    parser_.feed(*piece.value(), events_);
    if (parser_.buffered() > kMaxBufferedLine) {
      co_return make_failure(FailureKind::malformed,
                             "upstream " + provider_ + " sent an over-long stream line");
    }
    for (const auto& ev : events_) {
      auto frames = translator_->feed(ev.event, ev.data);
      if (!frames.ok()) {
        // Frames of the same read that came before the failure go to the client first (they are
        // also in the translator's reassembly for the log); the failure follows on the next call.
        if (pending_.empty()) co_return frames.failure();
        failed_ = frames.failure();
        break;
      }
      for (auto& f : frames.value()) pending_.push_back({std::move(f)});
    }
  }
  co_return true;
}

asio::awaitable<Result<bool>> SseChatStream::prime() {
  auto r = co_await fill();
  // Nothing has reached the client yet: a failure anywhere in the first read is still one the
  // caller can fall back from, frames before it notwithstanding.
  if (r.ok() && failed_) co_return *failed_;
  co_return r;
}

asio::awaitable<Result<std::optional<std::vector<StreamChunk>>>> SseChatStream::next() {
  auto r = co_await fill();
  if (!r.ok()) co_return r.failure();
  if (!r.value()) co_return std::optional<std::vector<StreamChunk>>{};
  std::vector<StreamChunk> out;
  out.swap(pending_);
  co_return std::optional<std::vector<StreamChunk>>(std::move(out));
}

}  // namespace sy::providers
