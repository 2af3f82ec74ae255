#include "api/anthropic_messages.hpp"

#include <optional>
#include <string_view>

namespace sy::api {

namespace {

using Err = std::optional<ApiError>;

ApiError bad(const std::string& path, std::string_view what) {
  ApiError e;
  e.status = 400;
  e.type = "invalid_request_error";
  e.param = path;
  e.message = path.empty() ? std::string(what) : path + ": " + std::string(what);
  return e;
}

std::string dot(std::string_view base, std::string_view k) { return std::string(base) + "." + std::string(k); }
std::string dot(std::string_view base, size_t i) { return std::string(base) + "." + std::to_string(i); }

Err need_string(const json::Value& obj, std::string_view member, const std::string& base, bool non_empty = false) {
  const json::Value* v = json::find(obj, member);
  std::string p = dot(base, member);
  if (!v) return bad(p, "Field required");
  if (!v->IsString()) return bad(p, "Input should be a valid string");
  if (non_empty && v->GetStringLength() == 0) return bad(p, "String should have at least 1 character");
  return std::nullopt;
}

Err need_object(const json::Value& obj, std::string_view member, const std::string& base) {
  const json::Value* v = json::find(obj, member);
  std::string p = dot(base, member);
  if (!v) return bad(p, "Field required");
  if (!v->IsObject()) return bad(p, "Input should be a valid dictionary");
  return std::nullopt;
}

Err check_source(const json::Value& block, const std::string& path, bool document) {
  if (auto e = need_object(block, "source", path)) return e;
  const json::Value& src = *json::find(block, "source");
  std::string sp = dot(path, "source");
  if (auto e = need_string(src, "type", sp)) return e;
  std::string_view t = *json::get_string(src, "type");
  if (t == "base64") {
    if (auto e = need_string(src, "media_type", sp)) return e;
    return need_string(src, "data", sp);
  }
  if (t == "url") return need_string(src, "url", sp, true);
  if (t == "file") return need_string(src, "file_id", sp, true);
  if (document && t == "text") {
    if (auto e = need_string(src, "data", sp)) return e;
    return std::nullopt;
  }
  if (document && t == "content") {
    const json::Value* c = json::find(src, "content");
    if (!c) return bad(dot(sp, "content"), "Field required");
    if (!c->IsString() && !c->IsArray()) return bad(dot(sp, "content"), "Input should be a valid string or list");
    return std::nullopt;
  }
  return bad(dot(sp, "type"), document
      ? "Input tag '" + std::string(t) + "' found using 'type' does not match any of the expected tags: 'base64', 'content', 'file', 'text', 'url'"
      : "Input tag '" + std::string(t) + "' found using 'type' does not match any of the expected tags: 'base64', 'file', 'url'");
}

Err check_text_block(const json::Value& b, const std::string& path) {
  return need_string(b, "text", path);
}

Err check_block(const json::Value& b, const std::string& path, std::string_view role, bool in_tool_result);

Err check_tool_result(const json::Value& b, const std::string& path) {
  if (auto e = need_string(b, "tool_use_id", path, true)) return e;
  if (auto c = json::find(b, "content"); c && !c->IsNull()) {
    std::string cp = dot(path, "content");
    if (c->IsArray()) {
      for (rapidjson::SizeType i = 0; i < c->Size(); ++i)
        if (auto e = check_block((*c)[i], dot(cp, i), "user", true)) return e;
    } else if (!c->IsString()) {
      return bad(cp, "Input should be a valid string or list");
    }
  }
  if (auto ie = json::find(b, "is_error"); ie && !ie->IsNull() && !ie->IsBool())
    return bad(dot(path, "is_error"), "Input should be a valid boolean");
  return std::nullopt;
}

Err check_block(const json::Value& b, const std::string& path, std::string_view role, bool in_tool_result) {
  if (!b.IsObject()) return bad(path, "Input should be a valid dictionary");
  const json::Value* t = json::find(b, "type");
  if (!t) return bad(dot(path, "type"), "Field required");
  if (!t->IsString()) return bad(dot(path, "type"), "Input should be a valid string");
  std::string_view type = json::view(*t);
  if (type == "text") return check_text_block(b, path);
  if (type == "image") return check_source(b, path, false);
  if (type == "document") return check_source(b, path, true);
  if (type == "search_result") return std::nullopt;
  if (in_tool_result) {
    return bad(dot(path, "type"), "Input tag '" + std::string(type) + "' found using 'type' does not match any of the expected tags: 'document', 'image', 'search_result', 'text'");
  }
  if (type == "tool_use") {
    if (role != "assistant") return bad(dot(path, "type"), "tool_use blocks are only allowed in assistant messages");
    if (auto e = need_string(b, "id", path, true)) return e;
    if (auto e = need_string(b, "name", path, true)) return e;
    return need_object(b, "input", path);
  }
  if (type == "tool_result") {
    if (role != "user") return bad(dot(path, "type"), "tool_result blocks are only allowed in user messages");
    return check_tool_result(b, path);
  }
  if (type == "thinking") {
    if (auto e = need_string(b, "thinking", path)) return e;
    return need_string(b, "signature", path);
  }
  if (type == "redacted_thinking") return need_string(b, "data", path);
  // Server-side tool blocks: Anthropic validates them; we pass them through.
  if (type == "server_tool_use" || type == "container_upload" ||
      (type.size() > 12 && type.substr(type.size() - 12) == "_tool_result")) {
    return std::nullopt;
  }
  return bad(dot(path, "type"), "Input tag '" + std::string(type) + "' found using 'type' does not match any of the expected tags: 'text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking', 'search_result', 'server_tool_use'");
}

Err check_messages(const json::Value& body) {
  const json::Value* msgs = json::find(body, "messages");
  if (!msgs) return bad("messages", "Field required");
  if (!msgs->IsArray()) return bad("messages", "Input should be a valid list");
  if (msgs->Empty()) return bad("messages", "at least one message is required");
  for (rapidjson::SizeType i = 0; i < msgs->Size(); ++i) {
    const json::Value& m = (*msgs)[i];
    std::string p = dot("messages", i);
    if (!m.IsObject()) return bad(p, "Input should be a valid dictionary");
    const json::Value* r = json::find(m, "role");
    if (!r) return bad(dot(p, "role"), "Field required");
    std::string_view role = r->IsString() ? json::view(*r) : std::string_view{};
    if (role != "user" && role != "assistant") {
      return bad(dot(p, "role"), "Input should be 'user' or 'assistant'");
    }
    const json::Value* c = json::find(m, "content");
    std::string cp = dot(p, "content");
    if (!c) return bad(cp, "Field required");
    if (c->IsString()) continue;
    if (!c->IsArray()) return bad(cp, "Input should be a valid string or list");
    for (rapidjson::SizeType j = 0; j < c->Size(); ++j)
      if (auto e = check_block((*c)[j], dot(cp, j), role, false)) return e;
  }
  return std::nullopt;
}

Err check_system(const json::Value& s) {
  if (s.IsNull() || s.IsString()) return std::nullopt;
  if (!s.IsArray()) return bad("system", "Input should be a valid string or list");
  for (rapidjson::SizeType i = 0; i < s.Size(); ++i) {
    const json::Value& b = s[i];
    std::string p = dot("system", i);
    if (!b.IsObject()) return bad(p, "Input should be a valid dictionary");
    auto t = json::get_string(b, "type");
    if (!t) return bad(dot(p, "type"), "Field required");
    if (*t != "text") return bad(dot(p, "type"), "Input should be 'text'");
    if (auto e = check_text_block(b, p)) return e;
  }
  return std::nullopt;
}

Err check_tools(const json::Value& tools) {
  if (!tools.IsArray()) return bad("tools", "Input should be a valid list");
  for (rapidjson::SizeType i = 0; i < tools.Size(); ++i) {
    const json::Value& t = tools[i];
    std::string p = dot("tools", i);
    if (!t.IsObject()) return bad(p, "Input should be a valid dictionary");
    auto type = json::get_string(t, "type");
    if (type && *type != "custom") {  // a server tool (web_search_20250305, bash_..., ...)
      if (auto e = need_string(t, "name", p, true)) return e;
      continue;
    }
    if (auto e = need_string(t, "name", p, true)) return e;
    if (auto e = need_object(t, "input_schema", p)) return e;
    if (auto d = json::find(t, "description"); d && !d->IsNull() && !d->IsString())
      return bad(dot(p, "description"), "Input should be a valid string");
  }
  return std::nullopt;
}

Err check_tool_choice(const json::Value& tc) {
  if (!tc.IsObject()) return bad("tool_choice", "Input should be a valid dictionary");
  auto t = json::get_string(tc, "type");
  if (!t) return bad("tool_choice.type", "Field required");
  if (*t == "tool") {
    if (auto e = need_string(tc, "name", "tool_choice", true)) return e;
  } else if (*t != "auto" && *t != "any" && *t != "none") {
    return bad("tool_choice.type", "Input tag '" + std::string(*t) + "' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'");
  }
  if (auto d = json::find(tc, "disable_parallel_tool_use"); d && !d->IsBool())
    return bad("tool_choice.disable_parallel_tool_use", "Input should be a valid boolean");
  return std::nullopt;
}

Err check_number(const json::Value& body, std::string_view name, double lo, double hi) {
  const json::Value* v = json::find(body, name);
  if (!v || v->IsNull()) return std::nullopt;
  std::string p(name);
  if (!v->IsNumber()) return bad(p, "Input should be a valid number");
  double d = v->GetDouble();
  if (d < lo) return bad(p, "Input should be greater than or equal to " + std::to_string(static_cast<int>(lo)));
  if (d > hi) return bad(p, "Input should be less than or equal to " + std::to_string(static_cast<int>(hi)));
  return std::nullopt;
}

// `count_tokens`: the body of POST /v1/messages/count_tokens, which takes no max_tokens.
Err validate(const json::Value& body, MessagesRequestInfo& info, bool count_tokens) {
  if (!body.IsObject()) return bad("", "The request body must be a JSON object.");
  const json::Value* model = json::find(body, "model");
  if (!model) return bad("model", "Field required");
  if (!model->IsString()) return bad("model", "Input should be a valid string");
  if (model->GetStringLength() == 0) return bad("model", "String should have at least 1 character");
  info.model = std::string(json::view(*model));

  const json::Value* mt = json::find(body, "max_tokens");
  if (mt || !count_tokens) {
    if (!mt) return bad("max_tokens", "Field required");
    if (!mt->IsInt64()) return bad("max_tokens", "Input should be a valid integer");
    if (mt->GetInt64() < 1) return bad("max_tokens", "Input should be greater than or equal to 1");
    info.max_tokens = mt->GetInt64();
  }

  if (auto e = check_messages(body)) return e;
  if (auto s = json::find(body, "system")) if (auto e = check_system(*s)) return e;
  if (auto t = json::find(body, "tools"); t && !t->IsNull()) if (auto e = check_tools(*t)) return e;
  if (auto t = json::find(body, "tool_choice"); t && !t->IsNull()) if (auto e = check_tool_choice(*t)) return e;
  if (auto s = json::find(body, "stop_sequences"); s && !s->IsNull()) {
    if (!s->IsArray()) return bad("stop_sequences", "Input should be a valid list");
    for (rapidjson::SizeType i = 0; i < s->Size(); ++i)
      if (!(*s)[i].IsString()) return bad(dot("stop_sequences", i), "Input should be a valid string");
  }
  if (auto e = check_number(body, "temperature", 0, 1)) return e;
  if (auto e = check_number(body, "top_p", 0, 1)) return e;
  if (auto k = json::find(body, "top_k"); k && !k->IsNull()) {
    if (!k->IsInt64()) return bad("top_k", "Input should be a valid integer");
    if (k->GetInt64() < 0) return bad("top_k", "Input should be greater than or equal to 0");
  }
  if (auto s = json::find(body, "stream"); s && !s->IsNull()) {
    if (!s->IsBool()) return bad("stream", "Input should be a valid boolean");
    info.stream = s->GetBool();
  }
  if (auto md = json::find(body, "metadata"); md && !md->IsNull()) {
    if (!md->IsObject()) return bad("metadata", "Input should be a valid dictionary");
    if (auto u = json::find(*md, "user_id"); u && !u->IsNull()) {
      if (!u->IsString()) return bad("metadata.user_id", "Input should be a valid string");
      info.user = std::string(json::view(*u));
    }
  }
  if (auto th = json::find(body, "thinking"); th && !th->IsNull()) {
    if (!th->IsObject()) return bad("thinking", "Input should be a valid dictionary");
    auto t = json::get_string(*th, "type");
    if (!t) return bad("thinking.type", "Field required");
    if (*t == "enabled") {
      auto budget = json::get_int(*th, "budget_tokens");
      if (!budget) return bad("thinking.budget_tokens", "Field required");
      if (*budget < 1024) return bad("thinking.budget_tokens", "Input should be greater than or equal to 1024");
      if (info.max_tokens > 0 && *budget >= info.max_tokens) return bad("thinking.budget_tokens", "`max_tokens` must be greater than `thinking.budget_tokens`");
    } else if (*t != "disabled") {
      return bad("thinking.type", "Input tag '" + std::string(*t) + "' found using 'type' does not match any of the expected tags: 'disabled', 'enabled'");
    }
  }
  return std::nullopt;
}

}  // namespace

std::variant<MessagesRequestInfo, ApiError> validate_anthropic_messages(const json::Value& body) {
  MessagesRequestInfo info;
  if (auto e = validate(body, info, false)) return *e;
  return info;
}

std::variant<MessagesRequestInfo, ApiError> validate_anthropic_count_tokens(const json::Value& body) {
  MessagesRequestInfo info;
  if (auto e = validate(body, info, true)) return *e;
  return info;
}

}  // namespace sy::api
