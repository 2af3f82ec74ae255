#include "api/errors.hpp"

#include "api/json_out.hpp"
#include "common/json.hpp"

namespace sy::api {

using detail::Writer;

std::string default_error_type(Wire wire, int status) {
  switch (status) {
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return wire == Wire::openai ? "invalid_request_error" : "not_found_error";
    case 413: return wire == Wire::openai ? "invalid_request_error" : "request_too_large";
    case 429: return "rate_limit_error";
    default: break;
  }
  if (status >= 500) {
    if (wire == Wire::openai) return status == 500 ? "api_error" : "server_error";
    return (status == 503 || status == 529) ? "overloaded_error" : "api_error";
  }
  return "invalid_request_error";
}

namespace {

std::string type_of(Wire wire, const ApiError& e) {
  return e.type.empty() ? default_error_type(wire, e.status) : e.type;
}

void write_openai_error_object(Writer& w, const ApiError& e) {
  w.StartObject();
  detail::kv(w, "message", e.message);
  detail::kv(w, "type", type_of(Wire::openai, e));
  detail::key(w, "param");
  if (e.param.empty()) w.Null(); else detail::str(w, e.param);
  detail::key(w, "code");
  if (e.code.empty()) w.Null(); else detail::str(w, e.code);
  w.EndObject();
}

std::string openai_envelope(const ApiError& e) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::key(w, "error");
  write_openai_error_object(w, e);
  w.EndObject();
  return detail::text(b);
}

std::string trim(std::string_view s) {
  size_t a = 0, z = s.size();
  while (a < z && (s[a] == ' ' || s[a] == '\n' || s[a] == '\r' || s[a] == '\t')) ++a;
  while (z > a && (s[z - 1] == ' ' || s[z - 1] == '\n' || s[z - 1] == '\r' || s[z - 1] == '\t')) --z;
  return std::string(s.substr(a, z - a));
}

// Cuts at a UTF-8 character boundary at or below `max` bytes.
std::string cut(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  s += "...";
  return s;
}

std::string scalar_text(const json::Value& v) {
  if (v.IsString()) return std::string(json::view(v));
  if (v.IsNull()) return {};
  return json::dump(v);
}

}  // namespace

std::string openai_error_body(const ApiError& e) { return openai_envelope(e); }

std::string anthropic_error_body(const ApiError& e) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::kv(w, "type", "error");
  detail::key(w, "error");
  w.StartObject();
  detail::kv(w, "type", type_of(Wire::anthropic, e));
  detail::kv(w, "message", e.message);
  w.EndObject();
  w.EndObject();
  return detail::text(b);
}

std::string error_body(Wire wire, const ApiError& e) {
  return wire == Wire::openai ? openai_error_body(e) : anthropic_error_body(e);
}

std::string openai_stream_error_frame(const ApiError& e) {
  return detail::sse_frame({}, openai_envelope(e));
}

std::string anthropic_stream_error_frame(const ApiError& e) {
  return detail::sse_frame("error", anthropic_error_body(e));
}

std::string stream_error_frame(Wire wire, const ApiError& e) {
  return wire == Wire::openai ? openai_stream_error_frame(e) : anthropic_stream_error_frame(e);
}

UpstreamErrorInfo parse_upstream_error(std::string_view body) {
  constexpr size_t kMaxPlain = 2000;
  UpstreamErrorInfo info;
  auto doc = json::parse(body);
  if (!doc || !doc->IsObject()) {
    info.message = cut(trim(body), kMaxPlain);
    return info;
  }
  const json::Value& root = *doc;
  if (const json::Value* err = json::find(root, "error")) {
    if (err->IsObject()) {
      if (auto m = json::find(*err, "message")) info.message = scalar_text(*m);
      if (auto t = json::get_string(*err, "type")) info.type = std::string(*t);
      else if (auto c = json::find(*err, "code"); c && !c->IsNull()) info.type = scalar_text(*c);
    } else if (err->IsString()) {
      info.message = std::string(json::view(*err));
    }
  }
  if (info.message.empty()) {
    if (auto m = json::find(root, "message"); m && !m->IsNull()) info.message = scalar_text(*m);
    else if (auto d = json::find(root, "detail"); d && !d->IsNull()) info.message = scalar_text(*d);
  }
  if (info.type.empty()) {
    // Anthropic's envelope has "type":"error" at the top, which says nothing; others may put a
    // meaningful type there.
    if (auto t = json::get_string(root, "type"); t && *t != "error") info.type = std::string(*t);
  }
  if (info.message.empty()) info.message = cut(trim(body), kMaxPlain);
  info.message = cut(std::move(info.message), kMaxPlain);
  return info;
}

}  // namespace sy::api
