#include "providers/http_util.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <ctime>

#include "api/errors.hpp"

namespace sy::providers {

namespace {
std::optional<std::string> find_header(const upstream::Headers& h, std::string_view name) {
  for (const auto& [k, v] : h) {
    if (k.size() != name.size()) continue;
    bool eq = true;
    for (size_t i = 0; i < k.size() && eq; ++i)
      eq = std::tolower(static_cast<unsigned char>(k[i])) ==
           std::tolower(static_cast<unsigned char>(name[i]));
    if (eq) return v;
  }
  return std::nullopt;
}
}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(const upstream::Headers& headers) {
  if (auto ms = find_header(headers, "retry-after-ms")) {
    char* end = nullptr;
    double v = std::strtod(ms->c_str(), &end);
    if (end != ms->c_str() && v >= 0) return std::chrono::milliseconds(static_cast<int64_t>(v));
  }
  auto ra = find_header(headers, "retry-after");
  if (!ra) return std::nullopt;
  char* end = nullptr;
  double secs = std::strtod(ra->c_str(), &end);
  if (end != ra->c_str() && *end == '\0' && secs >= 0)
    return std::chrono::milliseconds(static_cast<int64_t>(secs * 1000));
  // HTTP-date, e.g. "Wed, 21 Oct 2015 07:28:00 GMT".
  std::tm tm{};
  if (strptime(ra->c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) {
    time_t when = timegm(&tm);
    time_t now = std::time(nullptr);
    return std::chrono::milliseconds(when > now ? (when - now) * 1000 : 0);
  }
  return std::nullopt;
}

Failure failure_from_status(int status, const upstream::Headers& headers, std::string body,
                            std::string_view provider_name) {
  Failure f;
  f.kind = FailureKind::http_status;
  f.status = status;
  f.retry_after = parse_retry_after(headers);
  api::UpstreamErrorInfo info = api::parse_upstream_error(body);
  f.error_type = info.type;
  f.message = info.message.empty()
                  ? "upstream " + std::string(provider_name) + " answered HTTP " + std::to_string(status)
                  : info.message;
  f.upstream_body = std::move(body);
  return f;
}

upstream::Request make_request(const config::ProviderConfig& cfg, std::string_view path,
                               std::string body, std::string_view request_id,
                               std::chrono::steady_clock::time_point deadline) {
  upstream::Request req;
  req.method = "POST";
  std::string base = cfg.base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  req.url = base + std::string(path);
  req.body = std::move(body);
  req.headers.emplace_back("content-type", "application/json");
  if (!request_id.empty()) req.headers.emplace_back("x-request-id", std::string(request_id));
  for (const auto& h : cfg.headers) req.headers.push_back(h);
  req.timeouts.connect = cfg.timeouts.connect;
  req.timeouts.first_byte = cfg.timeouts.first_byte;
  req.timeouts.idle = cfg.timeouts.idle;
  req.timeouts.total = cfg.timeouts.total;
  if (deadline != std::chrono::steady_clock::time_point::max()) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    req.timeouts.total = std::max(std::chrono::milliseconds(1), std::min(req.timeouts.total, left));
  }
  return req;
}

boost::asio::awaitable<Result<JsonReply>> send_for_json(upstream::Client& http,
                                                             upstream::Request req,
                                                             std::string_view provider_name,
                                                             std::string_view required,
                                                             std::string_view what) {
  auto resp = co_await http.send(std::move(req));
  if (!resp.ok()) co_return resp.failure();
  if (resp->status < 200 || resp->status >= 300)
    co_return failure_from_status(resp->status, resp->headers, std::move(resp->body), provider_name);
  std::string err;
  auto doc = json::parse(resp->body, &err);
  if (!doc || !doc->IsObject() || !json::find(*doc, required)) {
    co_return make_failure(FailureKind::malformed,
                           "upstream " + std::string(provider_name) + " sent an invalid " +
                               std::string(what) + (err.empty() ? std::string() : " (" + err + ")"));
  }
  co_return JsonReply{std::move(*doc), std::move(resp->body)};
}

boost::asio::awaitable<std::string> drain_body(upstream::StreamingResponse& r, size_t limit) {
  std::string out;
  while (out.size() < limit) {
    auto piece = co_await r.read_some();
    if (!piece.ok() || !piece.value()) break;
    out += *piece.value();
  }
  if (out.size() > limit) out.resize(limit);
  co_return out;
}

bool is_event_stream(const std::optional<std::string>& content_type) {
  return content_type && content_type->find("text/event-stream") != std::string::npos;
}

}  // namespace sy::providers
