#include "api/translate_request.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "api/json_out.hpp"

namespace sy::api {

using detail::Writer;

namespace {

using Fail = std::optional<Failure>;

Failure reject(std::string message) { return make_failure(FailureKind::invalid_request, std::move(message)); }

std::string idx(std::string_view base, size_t i) { return std::string(base) + "[" + std::to_string(i) + "]"; }

std::string dotidx(std::string_view base, size_t i) { return std::string(base) + "." + std::to_string(i); }

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// ---------------------------------------------------------------------------------------------
// OpenAI → Anthropic
// ---------------------------------------------------------------------------------------------

// One Anthropic message under construction; blocks are finished JSON texts.
struct AMessage {
  std::string role;
  std::vector<std::string> blocks;
};

std::string text_block(std::string_view text) {
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::kv(w, "type", "text");
  detail::kv(w, "text", text);
  w.EndObject();
  return detail::text(b);
}

// Appends to the last message if it has the same role (Anthropic wants alternating turns).
void push_blocks(std::vector<AMessage>& out, std::string_view role, std::vector<std::string> blocks) {
  if (blocks.empty()) return;
  if (!out.empty() && out.back().role == role) {
    for (auto& b : blocks) out.back().blocks.push_back(std::move(b));
    return;
  }
  out.push_back({std::string(role), std::move(blocks)});
}

Fail image_block(const json::Value& part, const std::string& path, std::vector<std::string>& blocks) {
  const json::Value* iu = json::find(part, "image_url");
  auto url = iu ? json::get_string(*iu, "url") : std::nullopt;
  if (!url) return reject(path + ".image_url.url is missing");
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::kv(w, "type", "image");
  detail::key(w, "source");
  w.StartObject();
  std::string media;
  std::string_view data;
  if (parse_data_url(*url, &media, &data)) {
    detail::kv(w, "type", "base64");
    detail::kv(w, "media_type", media);
    detail::kv(w, "data", data);
  } else if (starts_with(*url, "https://") || starts_with(*url, "http://")) {
    detail::kv(w, "type", "url");
    detail::kv(w, "url", *url);
  } else {
    return reject(path + ".image_url.url: only base64 data: URLs and http(s) URLs can be sent to Anthropic upstreams");
  }
  w.EndObject();
  w.EndObject();
  blocks.push_back(detail::text(b));
  return std::nullopt;
}

Fail file_block(const json::Value& part, const std::string& path, std::vector<std::string>& blocks) {
  const json::Value* f = json::find(part, "file");
  if (!f) return reject(path + ".file is missing");
  auto fd = json::get_string(*f, "file_data");
  if (!fd) return reject(path + ".file: file_id references cannot be sent to Anthropic upstreams; inline the file as file_data");
  std::string media = "application/pdf";
  std::string_view data = *fd;
  if (starts_with(*fd, "data:") && !parse_data_url(*fd, &media, &data))
    return reject(path + ".file.file_data: expected a base64 data: URL");
  if (media != "application/pdf")
    return reject(path + ".file: only PDF files (application/pdf) can be sent to Anthropic upstreams, got " + media);
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::kv(w, "type", "document");
  detail::key(w, "source");
  w.StartObject();
  detail::kv(w, "type", "base64");
  detail::kv(w, "media_type", media);
  detail::kv(w, "data", data);
  w.EndObject();
  if (auto name = json::get_string(*f, "filename"); name && !name->empty()) detail::kv(w, "title", *name);
  w.EndObject();
  blocks.push_back(detail::text(b));
  return std::nullopt;
}

// Content (string or parts) of a user / assistant / system message as Anthropic blocks.
Fail content_blocks(const json::Value* content, const std::string& path, std::vector<std::string>& blocks) {
  if (!content || content->IsNull()) return std::nullopt;
  if (content->IsString()) {
    if (content->GetStringLength() > 0) blocks.push_back(text_block(json::view(*content)));
    return std::nullopt;
  }
  if (!content->IsArray()) return reject(path + " must be a string or an array");
  for (rapidjson::SizeType i = 0; i < content->Size(); ++i) {
    const json::Value& part = (*content)[i];
    std::string pp = idx(path, i);
    auto type = json::get_string(part, "type").value_or("");
    if (type == "text" || type == "refusal") {
      auto t = json::get_string(part, type);
      if (t && !t->empty()) blocks.push_back(text_block(*t));
    } else if (type == "image_url") {
      if (auto f = image_block(part, pp, blocks)) return f;
    } else if (type == "file") {
      if (auto f = file_block(part, pp, blocks)) return f;
    } else if (type == "input_audio") {
      return reject(pp + ": audio input is not supported by Anthropic upstreams");
    } else {
      return reject(pp + ": content part type '" + std::string(type) + "' cannot be sent to Anthropic upstreams");
    }
  }
  return std::nullopt;
}

Fail tool_use_blocks(const json::Value& calls, const std::string& path, std::vector<std::string>& blocks) {
  for (rapidjson::SizeType i = 0; i < calls.Size(); ++i) {
    const json::Value& c = calls[i];
    std::string cp = idx(path, i);
    const json::Value* f = json::find(c, "function");
    auto id = json::get_string(c, "id");
    auto name = f ? json::get_string(*f, "name") : std::nullopt;
    auto args = f ? json::get_string(*f, "arguments") : std::nullopt;
    if (!id || !name) return reject(cp + ": tool call needs id and function.name");
    std::string args_text = args ? std::string(*args) : std::string();
    bool blank = std::all_of(args_text.begin(), args_text.end(), [](char ch) { return ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r'; });
    if (blank) args_text = "{}";
    std::string perr;
    auto parsed = json::parse(args_text, &perr);
    if (!parsed) return reject(cp + ".function.arguments is not valid JSON (" + perr + "); Anthropic upstreams need tool arguments as a JSON object");
    if (!parsed->IsObject()) return reject(cp + ".function.arguments must be a JSON object for Anthropic upstreams");
    rapidjson::StringBuffer b;
    Writer w(b);
    w.StartObject();
    detail::kv(w, "type", "tool_use");
    detail::kv(w, "id", *id);
    detail::kv(w, "name", *name);
    detail::key(w, "input");
    detail::value(w, *parsed);
    w.EndObject();
    blocks.push_back(detail::text(b));
  }
  return std::nullopt;
}

Fail tool_result_block(const json::Value& m, const std::string& path, std::vector<std::string>& blocks) {
  auto id = json::get_string(m, "tool_call_id");
  if (!id) return reject(path + ".tool_call_id is missing");
  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::kv(w, "type", "tool_result");
  detail::kv(w, "tool_use_id", *id);
  const json::Value* c = json::find(m, "content");
  if (c && c->IsString()) {
    detail::kv(w, "content", json::view(*c));
  } else if (c && c->IsArray()) {
    detail::key(w, "content");
    w.StartArray();
    for (rapidjson::SizeType i = 0; i < c->Size(); ++i) {
      auto t = json::get_string((*c)[i], "text");
      if (!t) return reject(idx(path + ".content", i) + ": tool messages may contain only text parts");
      if (t->empty()) continue;
      detail::raw(w, text_block(*t));
    }
    w.EndArray();
  }
  w.EndObject();
  blocks.push_back(detail::text(b));
  return std::nullopt;
}

Fail convert_openai_messages(const json::Value& msgs, std::vector<std::string>& system, std::vector<AMessage>& out) {
  for (rapidjson::SizeType i = 0; i < msgs.Size(); ++i) {
    const json::Value& m = msgs[i];
    std::string path = idx("messages", i);
    auto role = json::get_string(m, "role").value_or("");
    const json::Value* content = json::find(m, "content");
    std::vector<std::string> blocks;
    if (role == "system" || role == "developer") {
      if (content && content->IsArray()) {
        for (rapidjson::SizeType j = 0; j < content->Size(); ++j) {
          auto t = json::get_string((*content)[j], "text");
          if (!t) return reject(idx(path + ".content", j) + ": system messages may contain only text parts");
          if (!t->empty()) system.push_back(text_block(*t));
        }
      } else if (content && content->IsString() && content->GetStringLength() > 0) {
        system.push_back(text_block(json::view(*content)));
      }
      continue;
    }
    if (role == "user") {
      if (auto f = content_blocks(content, path + ".content", blocks)) return f;
      push_blocks(out, "user", std::move(blocks));
    } else if (role == "assistant") {
      if (auto fc = json::find(m, "function_call"); fc && !fc->IsNull())
        return reject(path + ".function_call: legacy function calling is not supported for Anthropic upstreams; use tools / tool_calls");
      if (auto f = content_blocks(content, path + ".content", blocks)) return f;
      if (auto tc = json::find(m, "tool_calls"); tc && tc->IsArray())
        if (auto f = tool_use_blocks(*tc, path + ".tool_calls", blocks)) return f;
      push_blocks(out, "assistant", std::move(blocks));
    } else if (role == "tool") {
      if (auto f = tool_result_block(m, path, blocks)) return f;
      push_blocks(out, "user", std::move(blocks));
    } else if (role == "function") {
      return reject(path + ": messages with role 'function' (legacy function calling) are not supported for Anthropic upstreams; use role 'tool'");
    } else {
      return reject(path + ".role: unsupported role '" + std::string(role) + "'");
    }
  }
  return std::nullopt;
}

Fail check_openai_unsupported(const json::Value& body) {
  if (auto n = json::get_int(body, "n"); n && *n > 1)
    return reject("n > 1 (several choices) is not supported by Anthropic upstreams");
  if (auto lp = json::get_bool(body, "logprobs"); lp && *lp)
    return reject("logprobs is not supported by Anthropic upstreams");
  if (auto tl = json::get_int(body, "top_logprobs"); tl && *tl > 0)
    return reject("top_logprobs is not supported by Anthropic upstreams");
  if (auto lb = json::find(body, "logit_bias"); lb && lb->IsObject() && lb->MemberCount() > 0)
    return reject("logit_bias is not supported by Anthropic upstreams");
  if (auto a = json::find(body, "audio"); a && !a->IsNull())
    return reject("audio output is not supported by Anthropic upstreams");
  if (auto mods = json::find(body, "modalities"); mods && mods->IsArray()) {
    for (const auto& mo : mods->GetArray())
      if (mo.IsString() && json::view(mo) != "text")
        return reject("modalities other than 'text' are not supported by Anthropic upstreams");
  }
  if (auto rf = json::find(body, "response_format"); rf && rf->IsObject()) {
    auto t = json::get_string(*rf, "type").value_or("text");
    if (t != "text")
      return reject("response_format is not supported by Anthropic upstreams; describe the JSON you want in the prompt, or use a tool with an input schema");
  }
  if (auto f = json::find(body, "functions"); f && !f->IsNull())
    return reject("functions / function_call (legacy function calling) are not supported for Anthropic upstreams; use tools");
  if (auto f = json::find(body, "function_call"); f && !f->IsNull())
    return reject("functions / function_call (legacy function calling) are not supported for Anthropic upstreams; use tools");
  if (auto ws = json::find(body, "web_search_options"); ws && !ws->IsNull())
    return reject("web_search_options is not supported by Anthropic upstreams");
  return std::nullopt;
}

Fail write_openai_tools(Writer& w, const json::Value& tools) {
  detail::key(w, "tools");
  w.StartArray();
  for (rapidjson::SizeType i = 0; i < tools.Size(); ++i) {
    const json::Value& t = tools[i];
    if (json::get_string(t, "type").value_or("") != "function")
      return reject(idx("tools", i) + ": only function tools can be sent to Anthropic upstreams");
    const json::Value* f = json::find(t, "function");
    auto name = f ? json::get_string(*f, "name") : std::nullopt;
    if (!name) return reject(idx("tools", i) + ".function.name is missing");
    w.StartObject();
    detail::kv(w, "name", *name);
    if (auto d = json::get_string(*f, "description"); d && !d->empty()) detail::kv(w, "description", *d);
    detail::key(w, "input_schema");
    if (auto p = json::find(*f, "parameters"); p && p->IsObject()) detail::value(w, *p);
    else detail::raw(w, R"({"type":"object","properties":{}})");
    w.EndObject();
  }
  w.EndArray();
  return std::nullopt;
}

// tool_choice + parallel_tool_calls → Anthropic tool_choice (nothing written when neither given).
void write_anthropic_tool_choice(Writer& w, const json::Value& body) {
  const json::Value* tc = json::find(body, "tool_choice");
  auto parallel = json::get_bool(body, "parallel_tool_calls");
  bool disable_parallel = parallel && !*parallel;
  std::string type;
  std::string name;
  if (tc && tc->IsString()) {
    std::string_view s = json::view(*tc);
    type = s == "required" ? "any" : std::string(s);
  } else if (tc && tc->IsObject()) {
    type = "tool";
    if (const json::Value* f = json::find(*tc, "function")) name = std::string(json::get_string(*f, "name").value_or(""));
  }
  if (type.empty() && !disable_parallel) return;
  if (type.empty()) type = "auto";
  detail::key(w, "tool_choice");
  w.StartObject();
  detail::kv(w, "type", type);
  if (type == "tool") detail::kv(w, "name", name);
  if (disable_parallel && type != "none") { detail::key(w, "disable_parallel_tool_use"); w.Bool(true); }
  w.EndObject();
}

// ---------------------------------------------------------------------------------------------
// Anthropic → OpenAI
// ---------------------------------------------------------------------------------------------

// Text of a string-or-text-blocks value, blocks joined with `sep`.
Fail joined_text(const json::Value& v, const std::string& path, std::string_view sep, std::string* out) {
  if (v.IsString()) { *out = std::string(json::view(v)); return std::nullopt; }
  if (!v.IsArray()) return reject(path + " must be a string or an array of text blocks");
  for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
    auto type = json::get_string(v[i], "type").value_or("");
    if (type != "text") return reject(dotidx(path, i) + ": only text blocks are supported here by OpenAI upstreams");
    if (i > 0) *out += sep;
    *out += json::get_string(v[i], "text").value_or("");
  }
  return std::nullopt;
}

// Writes an OpenAI image_url part for an Anthropic image block.
Fail write_image_part(Writer& w, const json::Value& block, const std::string& path) {
  const json::Value* src = json::find(block, "source");
  auto st = src ? json::get_string(*src, "type").value_or("") : std::string_view{};
  std::string url;
  if (st == "base64") {
    url = "data:" + std::string(json::get_string(*src, "media_type").value_or("")) + ";base64," +
          std::string(json::get_string(*src, "data").value_or(""));
  } else if (st == "url") {
    url = std::string(json::get_string(*src, "url").value_or(""));
  } else {
    return reject(path + ".source: image source type '" + std::string(st) + "' cannot be sent to OpenAI upstreams");
  }
  w.StartObject();
  detail::kv(w, "type", "image_url");
  detail::key(w, "image_url");
  w.StartObject();
  detail::kv(w, "url", url);
  w.EndObject();
  w.EndObject();
  return std::nullopt;
}

Fail write_document_part(Writer& w, const json::Value& block, const std::string& path) {
  const json::Value* src = json::find(block, "source");
  auto st = src ? json::get_string(*src, "type").value_or("") : std::string_view{};
  if (st == "text") {
    w.StartObject();
    detail::kv(w, "type", "text");
    detail::kv(w, "text", json::get_string(*src, "data").value_or(""));
    w.EndObject();
    return std::nullopt;
  }
  if (st == "base64" && json::get_string(*src, "media_type").value_or("") == "application/pdf") {
    w.StartObject();
    detail::kv(w, "type", "file");
    detail::key(w, "file");
    w.StartObject();
    detail::kv(w, "filename", json::get_string(block, "title").value_or("document.pdf"));
    detail::kv(w, "file_data", "data:application/pdf;base64," + std::string(json::get_string(*src, "data").value_or("")));
    w.EndObject();
    w.EndObject();
    return std::nullopt;
  }
  return reject(path + ": document blocks other than base64 PDF or plain text cannot be sent to OpenAI upstreams");
}

void write_tool_message(Writer& w, std::string_view id, const json::Value* content, const std::string& path, Fail& fail) {
  w.StartObject();
  detail::kv(w, "role", "tool");
  detail::kv(w, "tool_call_id", id);
  detail::key(w, "content");
  if (!content || content->IsNull()) {
    detail::str(w, "");
  } else if (content->IsString()) {
    detail::str(w, json::view(*content));
  } else {
    w.StartArray();
    for (rapidjson::SizeType i = 0; i < content->Size(); ++i) {
      const json::Value& b = (*content)[i];
      auto t = json::get_string(b, "type").value_or("");
      if (t != "text") {
        fail = reject(dotidx(path + ".content", i) + ": tool_result content of type '" + std::string(t) + "' cannot be sent to OpenAI upstreams (tool messages carry text only)");
        break;
      }
      w.StartObject();
      detail::kv(w, "type", "text");
      detail::kv(w, "text", json::get_string(b, "text").value_or(""));
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

Fail write_user_message(Writer& w, const json::Value& m, const std::string& path) {
  const json::Value* content = json::find(m, "content");
  if (content->IsString()) {
    w.StartObject();
    detail::kv(w, "role", "user");
    detail::kv(w, "content", json::view(*content));
    w.EndObject();
    return std::nullopt;
  }
  // tool_result blocks become tool messages, which must directly follow the assistant turn: emit
  // them first, then one user message with the remaining blocks.
  std::string cpath = path + ".content";
  std::vector<rapidjson::SizeType> rest;
  for (rapidjson::SizeType i = 0; i < content->Size(); ++i) {
    const json::Value& b = (*content)[i];
    if (json::get_string(b, "type").value_or("") == "tool_result") {
      Fail fail;
      write_tool_message(w, json::get_string(b, "tool_use_id").value_or(""), json::find(b, "content"), dotidx(cpath, i), fail);
      if (fail) return fail;
    } else {
      rest.push_back(i);
    }
  }
  if (rest.empty()) return std::nullopt;
  bool only_one_text = rest.size() == 1 && json::get_string((*content)[rest[0]], "type").value_or("") == "text";
  w.StartObject();
  detail::kv(w, "role", "user");
  detail::key(w, "content");
  if (only_one_text) {
    detail::str(w, json::get_string((*content)[rest[0]], "text").value_or(""));
  } else {
    w.StartArray();
    for (auto i : rest) {
      const json::Value& b = (*content)[i];
      std::string bp = dotidx(cpath, i);
      auto t = json::get_string(b, "type").value_or("");
      if (t == "text") {
        w.StartObject();
        detail::kv(w, "type", "text");
        detail::kv(w, "text", json::get_string(b, "text").value_or(""));
        w.EndObject();
      } else if (t == "image") {
        if (auto f = write_image_part(w, b, bp)) return f;
      } else if (t == "document") {
        if (auto f = write_document_part(w, b, bp)) return f;
      } else {
        return reject(bp + ": content block type '" + std::string(t) + "' cannot be sent to OpenAI upstreams");
      }
    }
    w.EndArray();
  }
  w.EndObject();
  return std::nullopt;
}

Fail write_assistant_message(Writer& w, const json::Value& m, const std::string& path) {
  const json::Value* content = json::find(m, "content");
  std::string text;
  std::vector<const json::Value*> tool_uses;
  if (content->IsString()) {
    text = std::string(json::view(*content));
  } else {
    for (rapidjson::SizeType i = 0; i < content->Size(); ++i) {
      const json::Value& b = (*content)[i];
      auto t = json::get_string(b, "type").value_or("");
      if (t == "text") text += json::get_string(b, "text").value_or("");
      else if (t == "tool_use") tool_uses.push_back(&b);
      else if (t == "thinking" || t == "redacted_thinking") continue;  // OpenAI has no way to replay them
      else return reject(dotidx(path + ".content", i) + ": content block type '" + std::string(t) + "' cannot be sent to OpenAI upstreams");
    }
  }
  w.StartObject();
  detail::kv(w, "role", "assistant");
  detail::key(w, "content");
  if (text.empty() && !tool_uses.empty()) w.Null(); else detail::str(w, text);
  if (!tool_uses.empty()) {
    detail::key(w, "tool_calls");
    w.StartArray();
    for (const json::Value* b : tool_uses) {
      w.StartObject();
      detail::kv(w, "id", json::get_string(*b, "id").value_or(""));
      detail::kv(w, "type", "function");
      detail::key(w, "function");
      w.StartObject();
      detail::kv(w, "name", json::get_string(*b, "name").value_or(""));
      const json::Value* input = json::find(*b, "input");
      detail::kv(w, "arguments", input ? json::dump(*input) : std::string("{}"));
      w.EndObject();
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return std::nullopt;
}

Fail write_anthropic_tools(Writer& w, const json::Value& tools) {
  detail::key(w, "tools");
  w.StartArray();
  for (rapidjson::SizeType i = 0; i < tools.Size(); ++i) {
    const json::Value& t = tools[i];
    auto type = json::get_string(t, "type");
    if (type && *type != "custom")
      return reject(dotidx("tools", i) + ": server tool '" + std::string(*type) + "' has no OpenAI equivalent");
    w.StartObject();
    detail::kv(w, "type", "function");
    detail::key(w, "function");
    w.StartObject();
    detail::kv(w, "name", json::get_string(t, "name").value_or(""));
    if (auto d = json::get_string(t, "description"); d && !d->empty()) detail::kv(w, "description", *d);
    detail::key(w, "parameters");
    if (auto s = json::find(t, "input_schema"); s && s->IsObject()) detail::value(w, *s);
    else detail::raw(w, R"({"type":"object","properties":{}})");
    w.EndObject();
    w.EndObject();
  }
  w.EndArray();
  return std::nullopt;
}

void write_openai_tool_choice(Writer& w, const json::Value& tc) {
  auto type = json::get_string(tc, "type").value_or("auto");
  detail::key(w, "tool_choice");
  if (type == "tool") {
    w.StartObject();
    detail::kv(w, "type", "function");
    detail::key(w, "function");
    w.StartObject();
    detail::kv(w, "name", json::get_string(tc, "name").value_or(""));
    w.EndObject();
    w.EndObject();
  } else {
    detail::str(w, type == "any" ? "required" : type);
  }
  if (type != "none" && json::get_bool(tc, "disable_parallel_tool_use").value_or(false)) {
    detail::key(w, "parallel_tool_calls");
    w.Bool(false);
  }
}

}  // namespace

bool parse_data_url(std::string_view url, std::string* media_type, std::string_view* data) {
  if (!starts_with(url, "data:")) return false;
  size_t comma = url.find(',');
  if (comma == std::string_view::npos) return false;
  std::string_view meta = url.substr(5, comma - 5);
  constexpr std::string_view kB64 = ";base64";
  if (meta.size() < kB64.size() || meta.substr(meta.size() - kB64.size()) != kB64) return false;
  *media_type = std::string(meta.substr(0, meta.size() - kB64.size()));
  *data = url.substr(comma + 1);
  return !media_type->empty();
}

Result<std::string> openai_to_anthropic_request(const json::Value& body, std::string_view upstream_model,
                                                bool stream, int64_t default_max_tokens) {
  if (!body.IsObject()) return reject("request body must be a JSON object");
  if (auto f = check_openai_unsupported(body)) return *f;
  const json::Value* msgs = json::find(body, "messages");
  if (!msgs || !msgs->IsArray()) return reject("messages must be an array");

  std::vector<std::string> system;
  std::vector<AMessage> messages;
  if (auto f = convert_openai_messages(*msgs, system, messages)) return *f;
  if (messages.empty()) return reject("messages: Anthropic upstreams need at least one user or assistant message with content");

  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::kv(w, "model", upstream_model);
  int64_t max_tokens = json::get_int(body, "max_completion_tokens")
                           .value_or(json::get_int(body, "max_tokens").value_or(default_max_tokens));
  detail::kv_int(w, "max_tokens", max_tokens);
  if (!system.empty()) {
    detail::key(w, "system");
    w.StartArray();
    for (const auto& s : system) detail::raw(w, s);
    w.EndArray();
  }
  detail::key(w, "messages");
  w.StartArray();
  for (const auto& m : messages) {
    w.StartObject();
    detail::kv(w, "role", m.role);
    detail::key(w, "content");
    w.StartArray();
    for (const auto& blk : m.blocks) detail::raw(w, blk);
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
  // tool_choice without tools is an error upstream; a client sending it meant "no tools".
  if (auto t = json::find(body, "tools"); t && t->IsArray() && !t->Empty()) {
    if (auto f = write_openai_tools(w, *t)) return *f;
    write_anthropic_tool_choice(w, body);
  }
  if (auto s = json::find(body, "stop"); s && !s->IsNull()) {
    detail::key(w, "stop_sequences");
    w.StartArray();
    if (s->IsString()) detail::str(w, json::view(*s));
    else for (const auto& x : s->GetArray()) if (x.IsString()) detail::str(w, json::view(x));
    w.EndArray();
  }
  if (auto t = json::get_number(body, "temperature")) {
    detail::key(w, "temperature");
    w.Double(std::min(*t, 1.0));  // Anthropic's range is 0..1; OpenAI's 1..2 has no equivalent
  }
  if (auto p = json::get_number(body, "top_p")) {
    detail::key(w, "top_p");
    w.Double(*p);
  }
  if (auto u = json::get_string(body, "user"); u && !u->empty()) {
    detail::key(w, "metadata");
    w.StartObject();
    detail::kv(w, "user_id", *u);
    w.EndObject();
  }
  if (stream) {
    detail::key(w, "stream");
    w.Bool(true);
  }
  w.EndObject();
  return detail::text(b);
}

Result<std::string> anthropic_to_openai_request(const json::Value& body, std::string_view upstream_model,
                                                bool stream, bool include_usage,
                                                const OpenAIRequestOptions& options) {
  if (!body.IsObject()) return reject("request body must be a JSON object");
  if (auto th = json::find(body, "thinking"); th && th->IsObject() &&
                                               json::get_string(*th, "type").value_or("") == "enabled")
    return reject("thinking (extended thinking) is not supported by OpenAI-format upstreams");
  if (auto mcp = json::find(body, "mcp_servers"); mcp && !mcp->IsNull())
    return reject("mcp_servers is not supported by OpenAI-format upstreams");
  const json::Value* msgs = json::find(body, "messages");
  if (!msgs || !msgs->IsArray()) return reject("messages must be an array");

  rapidjson::StringBuffer b;
  Writer w(b);
  w.StartObject();
  detail::kv(w, "model", upstream_model);
  detail::key(w, "messages");
  w.StartArray();
  if (auto s = json::find(body, "system"); s && !s->IsNull()) {
    std::string text;
    if (auto f = joined_text(*s, "system", "\n\n", &text)) return *f;
    if (!text.empty()) {
      w.StartObject();
      detail::kv(w, "role", "system");
      detail::kv(w, "content", text);
      w.EndObject();
    }
  }
  for (rapidjson::SizeType i = 0; i < msgs->Size(); ++i) {
    const json::Value& m = (*msgs)[i];
    std::string path = "messages." + std::to_string(i);
    const json::Value* content = json::find(m, "content");
    if (!content || !(content->IsString() || content->IsArray())) return reject(path + ".content must be a string or an array");
    auto role = json::get_string(m, "role").value_or("");
    Fail f;
    if (role == "user") f = write_user_message(w, m, path);
    else if (role == "assistant") f = write_assistant_message(w, m, path);
    else return reject(path + ".role must be 'user' or 'assistant'");
    if (f) return *f;
  }
  w.EndArray();
  if (auto mt = json::get_int(body, "max_tokens")) {
    detail::kv_int(w, options.use_max_completion_tokens ? "max_completion_tokens" : "max_tokens", *mt);
  }
  if (auto s = json::find(body, "stop_sequences"); s && s->IsArray() && !s->Empty()) {
    detail::key(w, "stop");
    detail::value(w, *s);
  }
  if (auto t = json::get_number(body, "temperature")) { detail::key(w, "temperature"); w.Double(*t); }
  if (auto p = json::get_number(body, "top_p")) { detail::key(w, "top_p"); w.Double(*p); }
  if (auto t = json::find(body, "tools"); t && t->IsArray() && !t->Empty()) {
    if (auto f = write_anthropic_tools(w, *t)) return *f;
    if (auto tc = json::find(body, "tool_choice"); tc && tc->IsObject()) write_openai_tool_choice(w, *tc);
  }
  if (auto md = json::find(body, "metadata"); md && md->IsObject()) {
    if (auto u = json::get_string(*md, "user_id"); u && !u->empty()) detail::kv(w, "user", *u);
  }
  if (stream) {
    detail::key(w, "stream");
    w.Bool(true);
    if (include_usage) {
      detail::key(w, "stream_options");
      w.StartObject();
      detail::key(w, "include_usage");
      w.Bool(true);
      w.EndObject();
    }
  }
  w.EndObject();
  return detail::text(b);
}

Result<std::string> anthropic_to_openai_request(const json::Value& body, std::string_view upstream_model,
                                                bool stream, bool include_usage) {
  return anthropic_to_openai_request(body, upstream_model, stream, include_usage, OpenAIRequestOptions{});
}

}  // namespace sy::api
