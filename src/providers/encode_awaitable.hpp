// async_encode: EncoderModel::submit() as an Asio asynchronous operation, so a coroutine on a
// network thread can `co_await` model compute without blocking that thread.
//
// The engine runs the callback on one of its pool threads; the result is posted back to the
// awaiting handler's associated executor (the worker's io_context), so the coroutine always
// resumes on its own thread. The completion value is empty when the engine's queue was full
// (submit() refused the request). While the request is in the engine the executor counts
// outstanding work, so its io_context does not run dry and return under a waiting request.
#pragma once

#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include "engine/encoder.hpp"

namespace sy::providers {

namespace asio = boost::asio;

using EncodeOutcome = std::optional<engine::EncodeResult>;   // nullopt: the queue was full

template <class CompletionToken>
auto async_encode(engine::EncoderModel& model, engine::EncodeRequest request, CompletionToken&& token) {
  auto initiation = [&model](auto handler, engine::EncodeRequest req) {
    using Handler = decltype(handler);
    // std::function (the engine's callback type) needs a copyable callable; handlers are move-only.
    auto shared = std::make_shared<Handler>(std::move(handler));
    auto work = asio::prefer(asio::get_associated_executor(*shared), asio::execution::outstanding_work.tracked);
    // Invokes the handler from a moved-out copy so that whichever thread drops the last
    // shared_ptr only destroys an empty shell.
    auto complete = [](std::shared_ptr<Handler>& h, EncodeOutcome outcome) {
      Handler local = std::move(*h);
      h.reset();
      local(std::move(outcome));
    };
    auto done = [shared, work, complete](engine::EncodeResult result) mutable {
      asio::post(work, [h = std::move(shared), r = std::move(result), complete]() mutable {
        complete(h, EncodeOutcome(std::move(r)));
      });
    };
    if (!model.submit(std::move(req), std::move(done)))
      asio::post(work, [h = std::move(shared), complete]() mutable { complete(h, EncodeOutcome()); });
  };
  return asio::async_initiate<CompletionToken, void(EncodeOutcome)>(std::move(initiation), token,
                                                                     std::move(request));
}

}  // namespace sy::providers
