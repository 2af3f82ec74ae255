// Loading a Tokenizer: tokenizer.json (the HF `tokenizers` serialization) plus, for from_dir,
// the limits and pad token from tokenizer_config.json / special_tokens_map.json.
#include <fstream>
#include <sstream>

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "engine/bpe.hpp"
#include "engine/tokenizer.hpp"
#include "engine/tokenizer_impl.hpp"
#include "engine/unigram.hpp"
#include "engine/wordpiece.hpp"

namespace sy::engine {
namespace {

// Limits above this are "no limit" placeholders (HF writes 1e30 when a model sets none).
constexpr double kAbsurdLength = 1e6;

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

rapidjson::Document parse_json(std::string_view text, const std::string& origin) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  if (doc.HasParseError())
    throw EngineError(origin + ": invalid JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                      rapidjson::GetParseError_En(doc.GetParseError()));
  if (!doc.IsObject()) throw EngineError(origin + ": top-level JSON value is not an object");
  return doc;
}

const rapidjson::Value& member_or_null(const rapidjson::Value& obj, const char* key) {
  static const rapidjson::Value kNull;
  auto it = obj.FindMember(key);
  return it == obj.MemberEnd() ? kNull : it->value;
}

bool flag(const rapidjson::Value& v, const char* key, bool dflt) {
  auto it = v.FindMember(key);
  return it == v.MemberEnd() || !it->value.IsBool() ? dflt : it->value.GetBool();
}

std::unique_ptr<Model> parse_model(const rapidjson::Value& model, const std::string& origin) {
  if (!model.IsObject()) throw EngineError(origin + ": missing \"model\" object");
  std::string type = model.HasMember("type") && model["type"].IsString() ? model["type"].GetString() : "";
  if (type.empty()) {  // early serializations omit the type; infer it from the fields
    if (model.HasMember("merges")) type = "BPE";
    else if (model.HasMember("vocab") && model["vocab"].IsObject()) type = "WordPiece";
    else if (model.HasMember("vocab") && model["vocab"].IsArray()) type = "Unigram";
  }
  if (type == "WordPiece") return parse_wordpiece(model, origin);
  if (type == "BPE") return parse_bpe(model, origin);
  if (type == "Unigram") return parse_unigram(model, origin);
  throw EngineError(origin + ": unsupported model type \"" + type + "\" (supported: WordPiece, BPE, Unigram)");
}

void parse_added_tokens(const rapidjson::Value& list, TokenizerImpl& impl) {
  if (list.IsNull()) return;
  if (!list.IsArray()) throw EngineError(impl.origin + ": \"added_tokens\" must be an array");
  for (const auto& t : list.GetArray()) {
    if (!t.IsObject() || !t.HasMember("content") || !t["content"].IsString() || !t.HasMember("id") || !t["id"].IsInt())
      throw EngineError(impl.origin + ": added token without content and id");
    AddedToken a;
    a.content.assign(t["content"].GetString(), t["content"].GetStringLength());
    a.id = t["id"].GetInt();
    a.special = flag(t, "special", false);
    a.lstrip = flag(t, "lstrip", false);
    a.rstrip = flag(t, "rstrip", false);
    a.single_word = flag(t, "single_word", false);
    // A normalized token is matched after normalization, so it is matched in its normalized
    // form; with no normalizer the two passes are the same and raw matching is used.
    a.normalized = flag(t, "normalized", !a.special) && !impl.normalizer.empty();
    a.pattern = unicode::to_u32(a.normalized ? impl.normalizer.apply(a.content) : a.content);
    if (a.id >= 0) {
      if (impl.added_by_id.size() <= static_cast<size_t>(a.id)) impl.added_by_id.resize(static_cast<size_t>(a.id) + 1);
      impl.added_by_id[static_cast<size_t>(a.id)] = a.content;
    }
    impl.added.add(std::move(a));
  }
}

size_t length_or_zero(const rapidjson::Value& v) {
  if (!v.IsNumber()) return 0;
  double d = v.GetDouble();
  if (d <= 0 || d >= kAbsurdLength) return 0;
  return static_cast<size_t>(d);
}

std::optional<std::string> token_name(const rapidjson::Value& v) {
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsObject() && v.HasMember("content") && v["content"].IsString()) return std::string(v["content"].GetString());
  return std::nullopt;
}

}  // namespace

std::shared_ptr<TokenizerImpl> load_tokenizer_json(std::string_view json, const std::string& origin) {
  rapidjson::Document doc = parse_json(json, origin);
  auto impl = std::make_shared<TokenizerImpl>();
  impl->origin = origin;
  impl->normalizer = parse_normalizer(member_or_null(doc, "normalizer"), origin);
  impl->pre_tokenizer = parse_pre_tokenizer(member_or_null(doc, "pre_tokenizer"), origin);
  impl->model = parse_model(member_or_null(doc, "model"), origin);
  impl->post = parse_post_processor(member_or_null(doc, "post_processor"), origin);
  parse_added_tokens(member_or_null(doc, "added_tokens"), *impl);

  const auto& trunc = member_or_null(doc, "truncation");
  if (trunc.IsObject()) impl->truncation_max_length = length_or_zero(member_or_null(trunc, "max_length"));

  const auto& pad = member_or_null(doc, "padding");
  if (pad.IsObject() && pad.HasMember("pad_id") && pad["pad_id"].IsInt()) {
    impl->pad_id = pad["pad_id"].GetInt();
    impl->pad_from_json = true;
  } else {
    Tokenizer probe(impl);
    for (const char* name : {"[PAD]", "<pad>", "<|endoftext|>"}) {
      if (auto id = probe.token_to_id(name)) {
        impl->pad_id = *id;
        break;
      }
    }
  }
  return impl;
}

Tokenizer Tokenizer::from_json(std::string_view json, const std::string& origin) {
  return Tokenizer(load_tokenizer_json(json, origin));
}

Tokenizer Tokenizer::from_file(const std::string& tokenizer_json) {
  auto text = read_file(tokenizer_json);
  if (!text) throw EngineError(tokenizer_json + ": cannot read file");
  return from_json(*text, tokenizer_json);
}

Tokenizer Tokenizer::from_dir(const std::string& model_dir) {
  std::string dir = model_dir;
  if (!dir.empty() && dir.back() != '/') dir += '/';
  auto impl = load_tokenizer_json(
      [&] {
        auto text = read_file(dir + "tokenizer.json");
        if (!text) throw EngineError(dir + "tokenizer.json: cannot read file");
        return *text;
      }(),
      dir + "tokenizer.json");
  Tokenizer probe(impl);

  std::optional<std::string> pad_token;
  if (auto cfg_text = read_file(dir + "tokenizer_config.json")) {
    rapidjson::Document cfg = parse_json(*cfg_text, dir + "tokenizer_config.json");
    impl->model_max_length = length_or_zero(member_or_null(cfg, "model_max_length"));
    pad_token = token_name(member_or_null(cfg, "pad_token"));
  }
  if (auto map_text = read_file(dir + "special_tokens_map.json")) {
    rapidjson::Document map = parse_json(*map_text, dir + "special_tokens_map.json");
    if (auto p = token_name(member_or_null(map, "pad_token"))) pad_token = p;
  }
  // tokenizer.json's own padding section wins; otherwise the configured pad token.
  if (!impl->pad_from_json && pad_token) {
    if (auto id = probe.token_to_id(*pad_token)) impl->pad_id = *id;
  }
  return Tokenizer(std::move(impl));
}

}  // namespace sy::engine
