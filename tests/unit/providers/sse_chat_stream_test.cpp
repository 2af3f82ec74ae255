// SseChatStream over a scripted upstream body: what reaches the client when an upstream error
// event arrives in the same read as content before it.
#include "providers/sse_chat_stream.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "providers/frame_translators.hpp"

namespace sy::providers {
namespace {

class ScriptedBody final : public upstream::StreamingResponse {
 public:
  explicit ScriptedBody(std::vector<std::string> pieces) : pieces_(std::move(pieces)) {}
  int status() const override { return 200; }
  const upstream::Headers& headers() const override { return headers_; }
  asio::awaitable<Result<std::optional<std::string>>> read_some() override {
    if (next_ == pieces_.size()) co_return std::optional<std::string>{};
    co_return std::optional<std::string>(pieces_[next_++]);
  }
  asio::awaitable<Result<bool>> read_to_end(std::string& out) override {
    for (; next_ < pieces_.size(); ++next_) out += pieces_[next_];
    co_return true;
  }

 private:
  std::vector<std::string> pieces_;
  size_t next_ = 0;
  upstream::Headers headers_;
};

template <class T>
T run(asio::awaitable<T> aw) {
  asio::io_context io;
  std::optional<T> out;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> { out.emplace(co_await std::move(aw)); },
                 [](std::exception_ptr e) {
                   if (e) std::rethrow_exception(e);
                 });
  io.run();
  return std::move(*out);
}

const std::string kContent =
    "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"model\":\"m\",\"choices\":[{\"index\":0,"
    "\"delta\":{\"content\":\"partial\"},\"finish_reason\":null}]}\n\n";
const std::string kError = "data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n";

std::unique_ptr<SseChatStream> stream_of(std::vector<std::string> pieces) {
  return std::make_unique<SseChatStream>(std::make_unique<ScriptedBody>(std::move(pieces)),
                                         from_openai_stream(Wire::openai, "m", true), "up");
}

TEST(SseChatStream, FramesBeforeAMidStreamErrorReachTheClientFirst) {
  // First read: one content chunk (primed). Second read: content, then an error, together.
  auto s = stream_of({kContent, kContent + kError});
  ASSERT_TRUE(run(s->prime()).ok());
  auto first = run(s->next());
  ASSERT_TRUE(first.ok() && first.value());
  EXPECT_EQ(first.value()->size(), 1u);
  auto second = run(s->next());
  ASSERT_TRUE(second.ok()) << second.failure().message;   // the frame before the error
  ASSERT_TRUE(second.value());
  ASSERT_EQ(second.value()->size(), 1u);
  EXPECT_NE((*second.value())[0].sse.find("partial"), std::string::npos);
  auto third = run(s->next());
  ASSERT_FALSE(third.ok());
  EXPECT_NE(third.failure().message.find("overloaded"), std::string::npos) << third.failure().message;
  EXPECT_FALSE(run(s->next()).ok());   // and it stays failed
  // The log's reassembly holds exactly what the client was sent: "partial" twice.
  const std::string assembled = s->assembled_json();
  EXPECT_NE(assembled.find("\"content\":\"partialpartial\""), std::string::npos) << assembled;
}

TEST(SseChatStream, AnErrorInTheFirstReadFailsPrimeSoTheCallerCanFallBack) {
  auto s = stream_of({kContent + kError});
  auto primed = run(s->prime());
  ASSERT_FALSE(primed.ok());
  EXPECT_NE(primed.failure().message.find("overloaded"), std::string::npos);
}

}  // namespace
}  // namespace sy::providers
