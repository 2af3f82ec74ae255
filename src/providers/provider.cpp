#include "providers/provider.hpp"

namespace sy::providers {

namespace {
Failure unsupported(std::string_view kind, std::string_view what) {
  return make_failure(FailureKind::invalid_request,
                      std::string(what) + " is not supported by providers of kind '" +
                          std::string(kind) + "'");
}
}  // namespace

asio::awaitable<Result<ChatResponse>> Provider::chat(const ChatCall&, CallContext&) {
  co_return unsupported(kind(), "chat");
}

asio::awaitable<Result<std::unique_ptr<ChatStream>>> Provider::chat_stream(const ChatCall&,
                                                                           CallContext&) {
  co_return unsupported(kind(), "streaming chat");
}

asio::awaitable<Result<JsonResponse>> Provider::embeddings(const EmbeddingsCall&, CallContext&) {
  co_return unsupported(kind(), "embeddings");
}

asio::awaitable<Result<JsonResponse>> Provider::rerank(const JsonCall&, CallContext&) {
  co_return unsupported(kind(), "rerank");
}

asio::awaitable<Result<JsonResponse>> Provider::classify(const JsonCall&, CallContext&) {
  co_return unsupported(kind(), "classify");
}

asio::awaitable<Result<JsonResponse>> Provider::count_tokens(const JsonCall&, CallContext&) {
  co_return unsupported(kind(), "count_tokens");
}

}  // namespace sy::providers
