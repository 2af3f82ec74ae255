#include "api/openai_chat.hpp"

#include <optional>
#include <string_view>

namespace sy::api {

namespace {

using Err = std::optional<ApiError>;

ApiError bad(std::string path, std::string message) {
  ApiError e;
  e.status = 400;
  e.type = "invalid_request_error";
  e.message = std::move(message);
  e.param = std::move(path);
  return e;
}

std::string at(std::string_view base, size_t i) { return std::string(base) + "[" + std::to_string(i) + "]"; }
std::string dot(std::string_view base, std::string_view k) { return std::string(base) + "." + std::string(k); }

const char* type_name(const json::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "boolean";
  if (v.IsNumber()) return "number";
  if (v.IsString()) return "string";
  if (v.IsArray()) return "array";
  return "object";
}

Err expect_string(const json::Value& v, const std::string& path, bool non_empty = false) {
  if (!v.IsString()) return bad(path, "Invalid type for '" + path + "': expected a string, but got " + type_name(v) + ".");
  if (non_empty && v.GetStringLength() == 0) return bad(path, "Invalid value for '" + path + "': expected a non-empty string.");
  return std::nullopt;
}

Err expect_object(const json::Value& v, const std::string& path) {
  if (!v.IsObject()) return bad(path, "Invalid type for '" + path + "': expected an object, but got " + type_name(v) + ".");
  return std::nullopt;
}

Err expect_bool(const json::Value& v, const std::string& path) {
  if (!v.IsBool()) return bad(path, "Invalid type for '" + path + "': expected a boolean, but got " + type_name(v) + ".");
  return std::nullopt;
}

std::string fmt_num(double d) {
  std::string s = std::to_string(d);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

// Number in [lo, hi]; null is accepted (the APIs treat null as "use the default").
Err check_range(const json::Value& body, std::string_view name, double lo, double hi) {
  const json::Value* v = json::find(body, name);
  if (!v || v->IsNull()) return std::nullopt;
  std::string path(name);
  if (!v->IsNumber()) return bad(path, "Invalid type for '" + path + "': expected a number, but got " + type_name(*v) + ".");
  double d = v->GetDouble();
  if (d < lo) return bad(path, "Invalid '" + path + "': " + fmt_num(d) + " is less than the minimum of " + fmt_num(lo) + ".");
  if (d > hi) return bad(path, "Invalid '" + path + "': " + fmt_num(d) + " is greater than the maximum of " + fmt_num(hi) + ".");
  return std::nullopt;
}

// Integer >= lo (and <= hi); null accepted. Fills *out when present.
Err check_int(const json::Value& body, std::string_view name, int64_t lo, int64_t hi, int64_t* out = nullptr) {
  const json::Value* v = json::find(body, name);
  if (!v || v->IsNull()) return std::nullopt;
  std::string path(name);
  if (!v->IsInt64()) return bad(path, "Invalid type for '" + path + "': expected an integer, but got " + (v->IsNumber() ? std::string("a decimal") : std::string(type_name(*v))) + ".");
  int64_t i = v->GetInt64();
  if (i < lo) return bad(path, "Invalid '" + path + "': integer below minimum value. Expected a value >= " + std::to_string(lo) + ", but got " + std::to_string(i) + " instead.");
  if (i > hi) return bad(path, "Invalid '" + path + "': integer above maximum value. Expected a value <= " + std::to_string(hi) + ", but got " + std::to_string(i) + " instead.");
  if (out) *out = i;
  return std::nullopt;
}

bool valid_function_name(std::string_view n) {
  if (n.empty() || n.size() > 64) return false;
  for (char c : n) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Err check_content_part(const json::Value& part, const std::string& path, std::string_view role) {
  if (auto e = expect_object(part, path)) return e;
  const json::Value* t = json::find(part, "type");
  if (!t) return bad(dot(path, "type"), "Missing required parameter: '" + dot(path, "type") + "'.");
  if (auto e = expect_string(*t, dot(path, "type"))) return e;
  std::string_view type = json::view(*t);
  auto need = [&](std::string_view member) -> const json::Value* { return json::find(part, member); };
  auto missing = [&](std::string_view member) {
    return bad(dot(path, member), "Missing required parameter: '" + dot(path, member) + "'.");
  };
  if (type == "text") {
    const json::Value* x = need("text");
    if (!x) return missing("text");
    return expect_string(*x, dot(path, "text"));
  }
  if (type == "refusal") {
    if (role != "assistant") return bad(dot(path, "type"), "Invalid value: 'refusal'. Content parts of type 'refusal' are only allowed in assistant messages.");
    const json::Value* x = need("refusal");
    if (!x) return missing("refusal");
    return expect_string(*x, dot(path, "refusal"));
  }
  bool user_only = type == "image_url" || type == "input_audio" || type == "file";
  if (user_only && role != "user") {
    return bad(dot(path, "type"), "Invalid value: '" + std::string(type) + "'. Content parts of type '" + std::string(type) + "' are only allowed in user messages.");
  }
  if (type == "image_url") {
    const json::Value* x = need("image_url");
    if (!x) return missing("image_url");
    std::string p = dot(path, "image_url");
    if (auto e = expect_object(*x, p)) return e;
    const json::Value* url = json::find(*x, "url");
    if (!url) return bad(dot(p, "url"), "Missing required parameter: '" + dot(p, "url") + "'.");
    if (auto e = expect_string(*url, dot(p, "url"), true)) return e;
    if (auto d = json::find(*x, "detail"); d && !d->IsNull()) {
      if (auto e = expect_string(*d, dot(p, "detail"))) return e;
      std::string_view dv = json::view(*d);
      if (dv != "auto" && dv != "low" && dv != "high") return bad(dot(p, "detail"), "Invalid value: '" + std::string(dv) + "'. Supported values are: 'auto', 'low', and 'high'.");
    }
    return std::nullopt;
  }
  if (type == "input_audio") {
    const json::Value* x = need("input_audio");
    if (!x) return missing("input_audio");
    std::string p = dot(path, "input_audio");
    if (auto e = expect_object(*x, p)) return e;
    for (std::string_view m : {"data", "format"}) {
      const json::Value* y = json::find(*x, m);
      if (!y) return bad(dot(p, m), "Missing required parameter: '" + dot(p, m) + "'.");
      if (auto e = expect_string(*y, dot(p, m))) return e;
    }
    return std::nullopt;
  }
  if (type == "file") {
    const json::Value* x = need("file");
    if (!x) return missing("file");
    std::string p = dot(path, "file");
    if (auto e = expect_object(*x, p)) return e;
    const json::Value* fd = json::find(*x, "file_data");
    const json::Value* fid = json::find(*x, "file_id");
    if (!fd && !fid) return bad(p, "Invalid '" + p + "': expected one of 'file_data' or 'file_id'.");
    if (fd) if (auto e = expect_string(*fd, dot(p, "file_data"))) return e;
    if (fid) if (auto e = expect_string(*fid, dot(p, "file_id"))) return e;
    return std::nullopt;
  }
  return bad(dot(path, "type"), "Invalid value: '" + std::string(type) + "'. Supported values are: 'text', 'image_url', 'input_audio', 'file', and 'refusal'.");
}

Err check_tool_calls(const json::Value& calls, const std::string& path) {
  if (!calls.IsArray()) return bad(path, "Invalid type for '" + path + "': expected an array, but got " + type_name(calls) + ".");
  for (rapidjson::SizeType i = 0; i < calls.Size(); ++i) {
    const json::Value& c = calls[i];
    std::string p = at(path, i);
    if (auto e = expect_object(c, p)) return e;
    const json::Value* id = json::find(c, "id");
    if (!id) return bad(dot(p, "id"), "Missing required parameter: '" + dot(p, "id") + "'.");
    if (auto e = expect_string(*id, dot(p, "id"))) return e;
    if (auto t = json::find(c, "type")) {
      if (!t->IsString() || json::view(*t) != "function") return bad(dot(p, "type"), "Invalid value for '" + dot(p, "type") + "': expected 'function'.");
    } else {
      return bad(dot(p, "type"), "Missing required parameter: '" + dot(p, "type") + "'.");
    }
    const json::Value* f = json::find(c, "function");
    std::string fp = dot(p, "function");
    if (!f) return bad(fp, "Missing required parameter: '" + fp + "'.");
    if (auto e = expect_object(*f, fp)) return e;
    for (std::string_view m : {"name", "arguments"}) {
      const json::Value* y = json::find(*f, m);
      if (!y) return bad(dot(fp, m), "Missing required parameter: '" + dot(fp, m) + "'.");
      if (auto e = expect_string(*y, dot(fp, m))) return e;
    }
  }
  return std::nullopt;
}

Err check_message(const json::Value& m, size_t i) {
  std::string path = at("messages", i);
  if (auto e = expect_object(m, path)) return e;
  const json::Value* r = json::find(m, "role");
  if (!r) return bad(dot(path, "role"), "Missing required parameter: '" + dot(path, "role") + "'.");
  if (auto e = expect_string(*r, dot(path, "role"))) return e;
  std::string_view role = json::view(*r);
  if (role != "system" && role != "developer" && role != "user" && role != "assistant" && role != "tool" && role != "function") {
    return bad(dot(path, "role"), "Invalid value: '" + std::string(role) + "'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.");
  }
  const json::Value* tool_calls = json::find(m, "tool_calls");
  const json::Value* function_call = json::find(m, "function_call");
  if (tool_calls && !tool_calls->IsNull()) {
    if (role != "assistant") return bad(dot(path, "tool_calls"), "Invalid parameter: '" + dot(path, "tool_calls") + "' is only allowed in assistant messages.");
    if (auto e = check_tool_calls(*tool_calls, dot(path, "tool_calls"))) return e;
  }
  if (function_call && !function_call->IsNull()) {
    if (role != "assistant") return bad(dot(path, "function_call"), "Invalid parameter: '" + dot(path, "function_call") + "' is only allowed in assistant messages.");
    if (auto e = expect_object(*function_call, dot(path, "function_call"))) return e;
  }
  const json::Value* content = json::find(m, "content");
  std::string cpath = dot(path, "content");
  bool has_calls = (tool_calls && tool_calls->IsArray() && tool_calls->Size() > 0) ||
                   (function_call && function_call->IsObject());
  bool has_refusal = json::get_string(m, "refusal").has_value();
  if (!content || content->IsNull()) {
    if (role == "assistant" && (has_calls || has_refusal)) { /* content may be omitted */ }
    else if (!content) return bad(cpath, "Missing required parameter: '" + cpath + "'.");
    else return bad(cpath, "Invalid value for '" + cpath + "': expected a string or an array of content parts, got null" + (role == "assistant" ? " (null is allowed only with tool_calls)." : "."));
  } else if (content->IsArray()) {
    if (role == "function") return bad(cpath, "Invalid type for '" + cpath + "': expected a string, but got array.");
    for (rapidjson::SizeType j = 0; j < content->Size(); ++j) {
      std::string pp = at(cpath, j);
      const json::Value& part = (*content)[j];
      // system/developer/tool messages accept only text parts.
      if ((role == "system" || role == "developer" || role == "tool") && part.IsObject()) {
        auto t = json::get_string(part, "type");
        if (t && *t != "text") return bad(dot(pp, "type"), "Invalid value: '" + std::string(*t) + "'. Supported values are: 'text'.");
      }
      if (auto e = check_content_part(part, pp, role)) return e;
    }
  } else if (!content->IsString()) {
    return bad(cpath, "Invalid type for '" + cpath + "': expected one of a string or array of objects, but got " + type_name(*content) + " instead.");
  }
  if (role == "tool") {
    const json::Value* id = json::find(m, "tool_call_id");
    if (!id) return bad(dot(path, "tool_call_id"), "Missing required parameter: '" + dot(path, "tool_call_id") + "'.");
    if (auto e = expect_string(*id, dot(path, "tool_call_id"))) return e;
  }
  if (role == "function") {
    const json::Value* n = json::find(m, "name");
    if (!n) return bad(dot(path, "name"), "Missing required parameter: '" + dot(path, "name") + "'.");
    if (auto e = expect_string(*n, dot(path, "name"))) return e;
  } else if (auto n = json::find(m, "name")) {
    if (auto e = expect_string(*n, dot(path, "name"))) return e;
  }
  return std::nullopt;
}

Err check_tools(const json::Value& tools) {
  if (!tools.IsArray()) return bad("tools", std::string("Invalid type for 'tools': expected an array, but got ") + type_name(tools) + ".");
  for (rapidjson::SizeType i = 0; i < tools.Size(); ++i) {
    std::string p = at("tools", i);
    const json::Value& t = tools[i];
    if (auto e = expect_object(t, p)) return e;
    const json::Value* type = json::find(t, "type");
    if (!type) return bad(dot(p, "type"), "Missing required parameter: '" + dot(p, "type") + "'.");
    if (!type->IsString() || json::view(*type) != "function") return bad(dot(p, "type"), "Invalid value for '" + dot(p, "type") + "': expected 'function'.");
    const json::Value* f = json::find(t, "function");
    std::string fp = dot(p, "function");
    if (!f) return bad(fp, "Missing required parameter: '" + fp + "'.");
    if (auto e = expect_object(*f, fp)) return e;
    const json::Value* n = json::find(*f, "name");
    if (!n) return bad(dot(fp, "name"), "Missing required parameter: '" + dot(fp, "name") + "'.");
    if (auto e = expect_string(*n, dot(fp, "name"))) return e;
    if (!valid_function_name(json::view(*n))) return bad(dot(fp, "name"), "Invalid '" + dot(fp, "name") + "': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{1,64}$'.");
    if (auto d = json::find(*f, "description"); d && !d->IsNull()) if (auto e = expect_string(*d, dot(fp, "description"))) return e;
    if (auto ps = json::find(*f, "parameters"); ps && !ps->IsNull()) if (auto e = expect_object(*ps, dot(fp, "parameters"))) return e;
  }
  return std::nullopt;
}

Err check_tool_choice(const json::Value& tc) {
  if (tc.IsString()) {
    std::string_view s = json::view(tc);
    if (s == "none" || s == "auto" || s == "required") return std::nullopt;
    return bad("tool_choice", "Invalid value: '" + std::string(s) + "'. Supported values are: 'none', 'auto', and 'required'.");
  }
  if (!tc.IsObject()) return bad("tool_choice", std::string("Invalid type for 'tool_choice': expected a string or an object, but got ") + type_name(tc) + ".");
  const json::Value* type = json::find(tc, "type");
  if (!type || !type->IsString()) return bad("tool_choice.type", "Missing required parameter: 'tool_choice.type'.");
  if (json::view(*type) != "function") return bad("tool_choice.type", "Invalid value: '" + std::string(json::view(*type)) + "'. Supported values are: 'function'.");
  const json::Value* f = json::find(tc, "function");
  if (!f) return bad("tool_choice.function", "Missing required parameter: 'tool_choice.function'.");
  if (auto e = expect_object(*f, "tool_choice.function")) return e;
  const json::Value* n = json::find(*f, "name");
  if (!n) return bad("tool_choice.function.name", "Missing required parameter: 'tool_choice.function.name'.");
  return expect_string(*n, "tool_choice.function.name", true);
}

Err check_stop(const json::Value& s) {
  if (s.IsNull() || s.IsString()) return std::nullopt;
  if (!s.IsArray()) return bad("stop", std::string("Invalid type for 'stop': expected a string or an array of strings, but got ") + type_name(s) + ".");
  if (s.Size() > 4) return bad("stop", "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length " + std::to_string(s.Size()) + " instead.");
  for (rapidjson::SizeType i = 0; i < s.Size(); ++i)
    if (auto e = expect_string(s[i], at("stop", i))) return e;
  return std::nullopt;
}

Err check_response_format(const json::Value& rf) {
  if (rf.IsNull()) return std::nullopt;
  if (auto e = expect_object(rf, "response_format")) return e;
  const json::Value* t = json::find(rf, "type");
  if (!t) return bad("response_format.type", "Missing required parameter: 'response_format.type'.");
  if (auto e = expect_string(*t, "response_format.type")) return e;
  std::string_view type = json::view(*t);
  if (type == "text" || type == "json_object") return std::nullopt;
  if (type != "json_schema") return bad("response_format.type", "Invalid value: '" + std::string(type) + "'. Supported values are: 'text', 'json_object', and 'json_schema'.");
  const json::Value* js = json::find(rf, "json_schema");
  if (!js) return bad("response_format.json_schema", "Missing required parameter: 'response_format.json_schema'.");
  if (auto e = expect_object(*js, "response_format.json_schema")) return e;
  const json::Value* n = json::find(*js, "name");
  if (!n) return bad("response_format.json_schema.name", "Missing required parameter: 'response_format.json_schema.name'.");
  if (auto e = expect_string(*n, "response_format.json_schema.name", true)) return e;
  if (auto sc = json::find(*js, "schema"); sc && !sc->IsNull()) return expect_object(*sc, "response_format.json_schema.schema");
  return std::nullopt;
}

Err check_model(const json::Value& body, std::string* out) {
  const json::Value* m = json::find(body, "model");
  if (!m) return bad("model", "Missing required parameter: 'model'.");
  if (auto e = expect_string(*m, "model")) return e;
  if (m->GetStringLength() == 0) return bad("model", "Invalid 'model': expected a non-empty string.");
  *out = std::string(json::view(*m));
  return std::nullopt;
}

Err validate_chat(const json::Value& body, ChatRequestInfo& info) {
  if (!body.IsObject()) return bad("", "The request body must be a JSON object.");
  if (auto e = check_model(body, &info.model)) return e;

  const json::Value* msgs = json::find(body, "messages");
  if (!msgs) return bad("messages", "Missing required parameter: 'messages'.");
  if (!msgs->IsArray()) return bad("messages", std::string("Invalid type for 'messages': expected an array, but got ") + type_name(*msgs) + ".");
  if (msgs->Empty()) return bad("messages", "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.");
  for (rapidjson::SizeType i = 0; i < msgs->Size(); ++i)
    if (auto e = check_message((*msgs)[i], i)) return e;

  if (auto t = json::find(body, "tools"); t && !t->IsNull()) if (auto e = check_tools(*t)) return e;
  if (auto t = json::find(body, "tool_choice"); t && !t->IsNull()) if (auto e = check_tool_choice(*t)) return e;
  if (auto t = json::find(body, "parallel_tool_calls"); t && !t->IsNull()) if (auto e = expect_bool(*t, "parallel_tool_calls")) return e;

  if (auto e = check_range(body, "temperature", 0, 2)) return e;
  if (auto e = check_range(body, "top_p", 0, 1)) return e;
  if (auto e = check_range(body, "presence_penalty", -2, 2)) return e;
  if (auto e = check_range(body, "frequency_penalty", -2, 2)) return e;
  if (auto e = check_int(body, "n", 1, INT64_MAX)) return e;
  int64_t mt = -1, mct = -1;
  if (auto e = check_int(body, "max_tokens", 1, INT64_MAX, &mt)) return e;
  if (auto e = check_int(body, "max_completion_tokens", 1, INT64_MAX, &mct)) return e;
  info.max_tokens = mct >= 1 ? mct : mt;
  if (auto e = check_int(body, "top_logprobs", 0, 20)) return e;
  if (auto e = check_int(body, "seed", INT64_MIN, INT64_MAX)) return e;
  if (auto l = json::find(body, "logprobs"); l && !l->IsNull()) if (auto e = expect_bool(*l, "logprobs")) return e;
  if (auto lb = json::find(body, "logit_bias"); lb && !lb->IsNull()) if (auto e = expect_object(*lb, "logit_bias")) return e;

  if (auto s = json::find(body, "stream"); s && !s->IsNull()) {
    if (auto e = expect_bool(*s, "stream")) return e;
    info.stream = s->GetBool();
  }
  if (auto so = json::find(body, "stream_options"); so && !so->IsNull()) {
    if (!info.stream) return bad("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
    if (auto e = expect_object(*so, "stream_options")) return e;
    if (auto iu = json::find(*so, "include_usage"); iu && !iu->IsNull()) {
      if (auto e = expect_bool(*iu, "stream_options.include_usage")) return e;
      info.include_usage = iu->GetBool();
    }
  }
  if (auto s = json::find(body, "stop")) if (auto e = check_stop(*s)) return e;
  if (auto rf = json::find(body, "response_format")) if (auto e = check_response_format(*rf)) return e;
  if (auto u = json::find(body, "user"); u && !u->IsNull()) {
    if (auto e = expect_string(*u, "user")) return e;
    info.user = std::string(json::view(*u));
  }
  return std::nullopt;
}

Err validate_embeddings(const json::Value& body, EmbeddingsRequestInfo& info) {
  if (!body.IsObject()) return bad("", "The request body must be a JSON object.");
  if (auto e = check_model(body, &info.model)) return e;
  const json::Value* in = json::find(body, "input");
  if (!in) return bad("input", "Missing required parameter: 'input'.");
  if (in->IsString()) {
    if (in->GetStringLength() == 0) return bad("input", "Invalid 'input': empty string. Expected a non-empty string.");
    info.input_count = 1;
  } else if (in->IsArray()) {
    if (in->Empty()) return bad("input", "Invalid 'input': empty array. Expected an array with minimum length 1.");
    const json::Value& first = (*in)[0];
    if (first.IsString()) {
      for (rapidjson::SizeType i = 0; i < in->Size(); ++i) {
        if (!(*in)[i].IsString()) return bad(at("input", i), "Invalid type for '" + at("input", i) + "': expected a string, but got " + type_name((*in)[i]) + ".");
        if ((*in)[i].GetStringLength() == 0) return bad(at("input", i), "Invalid '" + at("input", i) + "': empty string. Expected a non-empty string.");
      }
      info.input_count = in->Size();
    } else if (first.IsNumber()) {
      for (rapidjson::SizeType i = 0; i < in->Size(); ++i)
        if (!(*in)[i].IsInt64() || (*in)[i].GetInt64() < 0) return bad(at("input", i), "Invalid '" + at("input", i) + "': expected a non-negative integer token id.");
      info.input_count = 1;
    } else if (first.IsArray()) {
      for (rapidjson::SizeType i = 0; i < in->Size(); ++i) {
        const json::Value& arr = (*in)[i];
        std::string p = at("input", i);
        if (!arr.IsArray()) return bad(p, "Invalid type for '" + p + "': expected an array of integers, but got " + type_name(arr) + ".");
        if (arr.Empty()) return bad(p, "Invalid '" + p + "': empty array. Expected an array with minimum length 1.");
        for (rapidjson::SizeType j = 0; j < arr.Size(); ++j)
          if (!arr[j].IsInt64() || arr[j].GetInt64() < 0) return bad(at(p, j), "Invalid '" + at(p, j) + "': expected a non-negative integer token id.");
      }
      info.input_count = in->Size();
    } else {
      return bad("input[0]", std::string("Invalid type for 'input[0]': expected a string, an integer or an array of integers, but got ") + type_name(first) + ".");
    }
  } else {
    return bad("input", std::string("Invalid type for 'input': expected a string or an array, but got ") + type_name(*in) + ".");
  }
  info.encoding_format = "float";
  if (auto f = json::find(body, "encoding_format"); f && !f->IsNull()) {
    if (auto e = expect_string(*f, "encoding_format")) return e;
    std::string_view v = json::view(*f);
    if (v != "float" && v != "base64") return bad("encoding_format", "Invalid value: '" + std::string(v) + "'. Supported values are: 'float' and 'base64'.");
    info.encoding_format = std::string(v);
  }
  if (auto e = check_int(body, "dimensions", 1, INT64_MAX)) return e;
  if (auto u = json::find(body, "user"); u && !u->IsNull()) if (auto e = expect_string(*u, "user")) return e;
  return std::nullopt;
}

}  // namespace

std::variant<ChatRequestInfo, ApiError> validate_openai_chat(const json::Value& body) {
  ChatRequestInfo info;
  if (auto e = validate_chat(body, info)) return *e;
  return info;
}

std::variant<EmbeddingsRequestInfo, ApiError> validate_openai_embeddings(const json::Value& body) {
  EmbeddingsRequestInfo info;
  if (auto e = validate_embeddings(body, info)) return *e;
  return info;
}

}  // namespace sy::api
