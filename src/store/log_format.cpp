#include "store/log_format.hpp"

#include <cstdio>
#include <ctime>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace sy::store {
namespace {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

void key_str(JsonWriter& w, const char* key, const std::string& value) {
  w.Key(key);
  w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
}

}  // namespace

std::string format_timestamp(int64_t unix_ms) {
  int64_t secs = unix_ms / 1000;
  int64_t ms = unix_ms % 1000;
  if (ms < 0) {
    ms += 1000;
    --secs;
  }
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

std::string format_record_line(const RequestRecord& r) {
  std::string line = format_timestamp(r.ts_unix_ms);
  line += ' ';
  line += r.id.empty() ? "-" : r.id;
  line += ' ';
  line += r.public_model.empty() ? "-" : r.public_model;
  line += "->";
  line += r.served_model.empty() ? "-" : r.served_model;
  if (!r.provider.empty()) line += " (" + r.provider + ")";
  line += ' ' + std::to_string(r.status);
  if (!r.outcome.empty()) line += ' ' + r.outcome;
  if (r.stream) line += " stream";
  line += " attempts=" + std::to_string(r.attempts.size());
  line += " tokens=" + std::string(r.usage_estimated ? "~" : "") + std::to_string(r.input_tokens) +
          "/" + std::to_string(r.output_tokens);
  char buf[96];
  std::snprintf(buf, sizeof buf, " $%.8f %.0fms", r.cost_usd, r.latency_ms);
  line += buf;
  if (r.ttft_ms >= 0) {
    std::snprintf(buf, sizeof buf, " ttft=%.0fms", r.ttft_ms);
    line += buf;
  }
  if (r.bodies_dropped) line += " [bodies dropped]";
  if (r.bodies_truncated) line += " [bodies truncated]";
  if (!r.error.empty()) {
    std::string err = r.error;
    for (char& c : err) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    line += " error=\"" + err + "\"";
  }
  return line;
}

std::string record_to_json(const RequestRecord& r) {
  rapidjson::StringBuffer sb;
  JsonWriter w(sb);
  w.StartObject();
  key_str(w, "id", r.id);
  w.Key("ts_unix_ms");
  w.Int64(r.ts_unix_ms);
  key_str(w, "time", format_timestamp(r.ts_unix_ms));
  key_str(w, "endpoint", r.endpoint);
  key_str(w, "client_key_hash", r.client_key_hash);
  key_str(w, "user", r.user);
  key_str(w, "public_model", r.public_model);
  key_str(w, "served_model", r.served_model);
  key_str(w, "provider", r.provider);
  w.Key("stream");
  w.Bool(r.stream);
  w.Key("status");
  w.Int(r.status);
  key_str(w, "outcome", r.outcome);
  w.Key("attempts");
  w.StartArray();
  for (const auto& a : r.attempts) {
    w.StartObject();
    key_str(w, "target", a.target);
    key_str(w, "provider", a.provider);
    w.Key("status");
    w.Int(a.status);
    key_str(w, "error_kind", a.error_kind);
    key_str(w, "error", a.error);
    w.Key("latency_ms");
    w.Double(a.latency_ms);
    w.EndObject();
  }
  w.EndArray();
  w.Key("input_tokens");
  w.Int64(r.input_tokens);
  w.Key("output_tokens");
  w.Int64(r.output_tokens);
  w.Key("usage_estimated");
  w.Bool(r.usage_estimated);
  w.Key("cost_usd");
  w.Double(r.cost_usd);
  w.Key("latency_ms");
  w.Double(r.latency_ms);
  w.Key("ttft_ms");
  if (r.ttft_ms >= 0) {
    w.Double(r.ttft_ms);
  } else {
    w.Null();
  }
  key_str(w, "error", r.error);
  w.Key("bodies_dropped");
  w.Bool(r.bodies_dropped);
  w.Key("bodies_truncated");
  w.Bool(r.bodies_truncated);
  key_str(w, "request_body", r.request_body);
  key_str(w, "response_body", r.response_body);
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize());
}

}  // namespace sy::store
