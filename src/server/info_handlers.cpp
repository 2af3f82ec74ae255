// GET /v1/models, /healthz, /readyz, /metrics, and the shared error answer.
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "api/errors.hpp"
#include "server/handlers.hpp"

namespace sy::server {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

namespace {
void key_str(Writer& w, const char* k, std::string_view v) {
  w.Key(k);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
}  // namespace

asio::awaitable<void> send_error(App&, Exchange& ex, Wire wire, int status, std::string message,
                                 std::string type, std::string param, std::string code) {
  api::ApiError e{status, std::move(message), std::move(type), std::move(param), std::move(code)};
  co_await ex.send(status, api::error_body(wire, e));
}

asio::awaitable<void> handle_models(App& app, Exchange& ex) {
  // The Anthropic SDK sends anthropic-version; answer it in Anthropic's list shape.
  const bool anthropic = !ex.request()["anthropic-version"].empty();
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  if (!anthropic) key_str(w, "object", "list");
  w.Key("data");
  w.StartArray();
  std::string first, last;
  for (const routing::Route* r : app.router.routes()) {
    if (!r->listed) continue;
    if (first.empty()) first = r->name;
    last = r->name;
    w.StartObject();
    if (anthropic) {
      key_str(w, "type", "model");
      key_str(w, "id", r->name);
      key_str(w, "display_name", r->name);
      key_str(w, "created_at", "1970-01-01T00:00:00Z");
    } else {
      key_str(w, "id", r->name);
      key_str(w, "object", "model");
      w.Key("created");
      w.Int64(0);
      key_str(w, "owned_by", r->is_alias_of_model ? r->chain.front().provider->name() : "switchyard");
      if (r->is_alias_of_model) {
        // Extra fields, as vLLM and others add theirs: clients ignore what they do not know.
        const auto& m = *r->chain.front().model;
        if (m.context_window > 0) {
          w.Key("context_window");
          w.Int64(m.context_window);
        }
        if (!m.tags.empty()) {
          w.Key("tags");
          w.StartArray();
          for (const auto& tag : m.tags) w.String(tag.data(), static_cast<rapidjson::SizeType>(tag.size()));
          w.EndArray();
        }
      }
    }
    w.EndObject();
  }
  w.EndArray();
  if (anthropic) {
    w.Key("has_more");
    w.Bool(false);
    key_str(w, "first_id", first);
    key_str(w, "last_id", last);
  }
  w.EndObject();
  co_await ex.send(200, std::string(buf.GetString(), buf.GetSize()));
}

asio::awaitable<void> handle_healthz(App&, Exchange& ex) {
  co_await ex.send(200, R"({"status":"ok"})");
}

// Ready when not draining and every listed route has at least one target whose provider is
// usable; the details name each provider's problem (e.g. a missing API key) and each open breaker.
asio::awaitable<void> handle_readyz(App& app, Exchange& ex) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  bool ready = !app.draining.load();
  w.StartObject();
  w.Key("providers");
  w.StartObject();
  for (const auto& [name, p] : app.providers.all()) {
    w.Key(name.c_str());
    w.StartObject();
    key_str(w, "kind", p->kind());
    auto why = p->unavailable_reason();
    key_str(w, "status", why ? "unavailable" : "ok");
    if (why) key_str(w, "reason", *why);
    w.EndObject();
  }
  w.EndObject();
  w.Key("routes");
  w.StartObject();
  for (const routing::Route* r : app.router.routes()) {
    if (!r->listed) continue;
    bool any = false;
    w.Key(r->name.c_str());
    w.StartObject();
    w.Key("targets");
    w.StartArray();
    for (const auto& t : r->chain) {
      auto why = t.provider->unavailable_reason();
      const char* breaker = to_string(t.breaker->state());
      any = any || (!why && t.breaker->state() != routing::CircuitBreaker::State::open);
      w.StartObject();
      key_str(w, "model", t.model->name);
      key_str(w, "provider", t.provider->name());
      key_str(w, "breaker", breaker);
      if (why) key_str(w, "unavailable", *why);
      w.EndObject();
    }
    w.EndArray();
    w.Key("ready");
    w.Bool(any);
    w.EndObject();
    ready = ready && any;
  }
  w.EndObject();
  if (app.log) {
    auto s = app.log->stats();
    w.Key("log");
    w.StartObject();
    w.Key("queue_depth");
    w.Uint64(s.queue_depth);
    w.Key("bodies_dropped");
    w.Uint64(s.bodies_dropped);
    w.Key("write_errors");
    w.Uint64(s.write_errors);
    w.EndObject();
  }
  key_str(w, "status", app.draining.load() ? "draining" : (ready ? "ready" : "not_ready"));
  w.EndObject();
  co_await ex.send(ready ? 200 : 503, std::string(buf.GetString(), buf.GetSize()));
}

asio::awaitable<void> handle_metrics(App& app, Exchange& ex) {
  std::string extra;
  if (app.log) {
    auto s = app.log->stats();
    auto line = [&](const char* name, const char* type, uint64_t v) {
      extra += std::string("# TYPE ") + name + " " + type + "\n" + name + " " + std::to_string(v) + "\n";
    };
    line("switchyard_log_submitted_total", "counter", s.submitted);
    line("switchyard_log_written_total", "counter", s.written);
    line("switchyard_log_bodies_dropped_total", "counter", s.bodies_dropped);
    line("switchyard_log_blocked_waits_total", "counter", s.blocked_waits);
    line("switchyard_log_write_errors_total", "counter", s.write_errors);
    line("switchyard_log_queue_depth", "gauge", s.queue_depth);
  }
  co_await ex.send(200, app.metrics.render(extra), "text/plain; version=0.0.4");
}

}  // namespace sy::server
