// Small pieces every HTTP adapter shares: building the upstream request, turning a non-2xx upstream
// answer into a Failure, reading Retry-After, draining a stream's error body.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "common/json.hpp"
#include "common/result.hpp"
#include "config/config.hpp"
#include "upstream/http_client.hpp"

namespace sy::providers {

// Retry-After (delta-seconds, possibly fractional, or an HTTP-date) and OpenAI's retry-after-ms.
std::optional<std::chrono::milliseconds> parse_retry_after(const upstream::Headers& headers);

// A Failure of kind http_status from an upstream error answer (message taken from its JSON body).
Failure failure_from_status(int status, const upstream::Headers& headers, std::string body,
                            std::string_view provider_name);

// POST request to base_url + path with the provider's timeouts (the total one capped by the
// deadline) and extra headers.
upstream::Request make_request(const config::ProviderConfig& cfg, std::string_view path,
                               std::string body, std::string_view request_id,
                               std::chrono::steady_clock::time_point deadline =
                                   std::chrono::steady_clock::time_point::max());

// An upstream's JSON answer: the parsed document and the text it came from (kept so that a
// same-wire answer can be forwarded with only `model` rewritten, byte for byte otherwise).
struct JsonReply {
  json::Document doc;
  std::string text;
};

// Sends `req` and returns the upstream's 2xx answer parsed as a JSON object that has the member
// `required` (the mark of the expected shape); a non-2xx answer becomes failure_from_status, an
// unparsable or foreign one FailureKind::malformed naming `what` ("chat completion", ...).
boost::asio::awaitable<Result<JsonReply>> send_for_json(upstream::Client& http,
                                                             upstream::Request req,
                                                             std::string_view provider_name,
                                                             std::string_view required,
                                                             std::string_view what);

// Reads what is left of a streaming response body, at most `limit` bytes (error bodies).
boost::asio::awaitable<std::string> drain_body(upstream::StreamingResponse& r, size_t limit);

// True if a Content-Type names an event stream.
bool is_event_stream(const std::optional<std::string>& content_type);

}  // namespace sy::providers
